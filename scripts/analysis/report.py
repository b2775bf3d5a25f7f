"""REPORT.md: the machine, how the set was measured, every point's figures, every one-axis pair's
test, the figures drawn and those left out."""

import re
from collections import defaultdict

import numpy as np

from .load import SAMPLING_KEYS
from .stats import ALPHA, BOOTSTRAP_SEED, CONFIDENCE, RESAMPLES
from .text import (axis_value, caches_label, count, interval, ms, p_value, percent,
                   point_label, value)


def _machine(ctx):
    return ["## Machine", "",
            f"- host: {ctx.get('host')}; CPU: {ctx.get('cpu_model')}",
            f"- topology: {ctx.get('topology')}; caches: {caches_label(ctx.get('caches'))}",
            f"- MPI: {ctx.get('mpi_library')}", f"- hwloc: {ctx.get('hwloc_version')}",
            f"- compiler: {ctx.get('compiler')}, flags: `{ctx.get('build_flags')}`",
            f"- shmcount {ctx.get('version')}, revision {ctx.get('revision')}", ""]


def _constant_config(rs):
    """Config items every point shares (sampling keys and ranks aside), as 'key value'."""
    configs = [p.config for p in rs.points]
    keys = [k for k in configs[0] if k not in SAMPLING_KEYS and k != "ranks"]
    return [f"{k} {value(configs[0][k])}" for k in keys
            if all(c.get(k) == configs[0][k] for c in configs)]


def _counts(values, word):
    """'3 timed repetitions', or '2/3 timed repetitions' when the runs differ."""
    distinct = sorted(set(values))
    if len(distinct) == 1:
        return count(distinct[0], word)
    return f"{'/'.join(map(str, distinct))} {word}s"


def _method(rs, stats):
    runs = [run for p in rs.points for run in p.runs]
    reps = _counts([len(s.parallel) for s in stats.values()], "repetition")
    per_run = _counts([run.config["reps"] for run in runs], "timed repetition")
    warmup = _counts([run.config["warmup"] for run in runs], "warm-up")
    lines = ["## How it was measured", ""]
    if rs.kind == "set":
        rounds = max(s.rounds for s in stats.values())
        seed = rs.settings.get("SEED", "unknown")
        lines.append(f"- {count(len(rs.points), 'point')} x {count(rounds, 'round')}, each round "
                     f"visiting every point once in its own random order (seed {seed}, "
                     f"manifest.csv); {per_run} per run after {warmup}: {reps} per point, rounds "
                     "merged.")
    else:
        lines.append(f"- one run: {per_run} after {warmup}.")
    for axis in rs.axes:
        lines.append(f"- varied: {rs.flags.get(axis, axis)} "
                     f"({', '.join(rs.values(axis))})")
    lines.append(f"- ranks: {', '.join(map(str, rs.rank_counts))}")
    lines.append(f"- {'the same for every point' if rs.kind == 'set' else 'configuration'}: "
                 f"{', '.join(_constant_config(rs))}")
    if rs.failed:
        lines.append(f"- **{count(len(rs.failed), 'run')} failed and are left out** "
                     "(their .log says why): " +
                     ", ".join(f"{name} round {rd}" for name, rd in rs.failed))
    lines += ["- parallel time of a repetition = its makespan (last rank's end minus first "
              "rank's start); sequential = one process doing all N units; speedup = median "
              "sequential / median parallel, efficiency = speedup / N; the ideal is "
              "ceil(N / usable PUs) units of the sequential unit time.", ""]
    return lines


def _noise(rs):
    """Each noise source the runs recorded: its values, or their range when they are many."""
    seen = defaultdict(list)
    runs = [run for p in rs.points for run in p.runs]
    for run in runs:
        for key, recorded in run.context.get("noise", {}).items():
            seen[key].append(str(recorded))
    if not seen:
        return []
    lines = ["## Noise sources", "",
             ("What the run recorded" if len(runs) == 1 else
              f"What each of the {len(runs)} runs recorded") + " (run context `noise`).", "",
             "| source | seen |", "|---|---|"]
    for key, values in seen.items():
        distinct = list(dict.fromkeys(values))
        numbers = [float(x) for v in distinct for x in re.findall(r"(?<![\w.])\d+\.?\d*", v)]
        if len(distinct) <= 2 or not numbers:
            shown = " / ".join(f"`{v}`" for v in distinct)
        else:
            shown = (f"{len(distinct)} different values, numbers from {min(numbers):g} to "
                     f"{max(numbers):g} (e.g. `{distinct[0]}`)")
        lines.append(f"| `{key}` | {shown} |")
    return lines + [""]


def _notes(point, s):
    notes = []
    if s.oversubscribed:
        notes.append("oversubscribed")
    if s.wrong:
        notes.append(f"**{s.wrong} wrong counts**")
    if s.off_plan:
        notes.append(f"{s.off_plan} records off-plan")
    if s.moved:
        notes.append(f"{count(s.moved, 'rank')} moved between PUs")
    if s.below_ideal:
        notes.append(f"faster than perfect scaling (ideal {ms(s.ideal_ms)} ms, efficiency "
                     f"{100 * s.efficiency.estimate:.0f}%): noise or a slowed baseline")
    if s.outliers:
        notes.append(f"{count(s.outliers, 'repetition')} flagged as outliers")
    return "; ".join(notes)


def _points(rs, stats):
    head = [rs.flags.get(a, a) for a in rs.axes] + [
        "ranks", "reps", "sequential", "parallel: median (min..max)", "cv",
        "t_min / t_avg / t_max", f"speedup [{percent(CONFIDENCE)}% CI]",
        f"efficiency % [{percent(CONFIDENCE)}% CI]", "notes"]
    lines = ["## Points", "",
             "Times in ms per repetition, every round merged; t_min / t_avg / t_max are medians "
             "of each rank's own kernel time (fastest, mean, slowest rank).", "",
             "| " + " | ".join(head) + " |", "|" + "---:|" * len(head)]
    order = {a: {v: i for i, v in enumerate(rs.values(a))} for a in rs.axes}
    for p in sorted(rs.points, key=lambda p: ([order[a][p.axes[a]] for a in rs.axes], p.ranks)):
        s = stats[p.name]
        par = s.parallel
        cv = np.std(par, ddof=1) / np.mean(par) if len(par) > 1 else 0.0
        cells = [p.axes[a] for a in rs.axes] + [
            str(p.ranks), str(len(par)),
            ms(float(np.median(s.sequential))) if len(s.sequential) else "-",
            f"{ms(float(np.median(par)))} ({ms(par.min())}..{ms(par.max())})",
            f"{100 * cv:.1f}%",
            " / ".join(ms(float(np.median(x))) for x in (s.t_min, s.t_avg, s.t_max)),
            interval(s.speedup, unit="x"),
            interval(s.efficiency, fmt=percent),
            _notes(p, s)]
        lines.append("| " + " | ".join(cells) + " |")
    return lines + [""]


def _pairs(rs, pairs):
    if not pairs:
        return []
    lines = ["## Pairs that differ in one axis", "",
             "For every two points at the same rank count that differ in exactly one axis: the "
             "ratio of their median makespans B / A with its "
             f"{percent(CONFIDENCE)}% confidence interval (bootstrap, BCa, {RESAMPLES} resamples, "
             f"seed {BOOTSTRAP_SEED}) and the two-sided Mann-Whitney U test's p-value over "
             "their repetitions. **Beyond the noise** only when p < "
             f"{ALPHA:g} and the interval excludes 1; with too few repetitions the test cannot "
             f"reach p < {ALPHA:g} at all, and says so. **Same placement**: every rank ran on "
             "the same PU in every repetition of both points, so their difference cannot come "
             "from where the ranks ran.", "",
             f"This set makes {count(len(pairs), 'comparison')}. Each test is at p < {ALPHA:g} "
             "on its own, with no correction for their number: where nothing differs, about "
             f"one comparison in {round(1 / ALPHA)} would still cross by chance, so a lone "
             "verdict among many deserves a second sweep before it is believed.", ""]
    by_axis = defaultdict(list)
    for pair in pairs:
        by_axis[pair.axis].append(pair)
    for axis, group in by_axis.items():
        others = [a for a in rs.axes if a != axis]
        head = ["ranks"] + (["other axes"] if others else []) + [
            "A", "B", "A ms", "B ms", f"B / A [{percent(CONFIDENCE)}% CI]", "p", "verdict",
            "placement"]
        lines += [f"### {rs.flags.get(axis, axis)}", "",
                  "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for pair in group:
            c = pair.comparison
            cells = [str(pair.a.ranks)] + (
                [point_label(rs, pair.a, others, ranks=False)] if others else []) + [
                axis_value(rs, axis, pair.a.axes[axis]), axis_value(rs, axis, pair.b.axes[axis]),
                ms(float(np.median(c.a))), ms(float(np.median(c.b))),
                interval(c.ratio), p_value(c.p),
                f"**{c.verdict()}**" if c.beyond_noise else c.verdict(),
                "same" if pair.same_placement else "differs"]
            lines.append("| " + " | ".join(cells) + " |")
        beyond = [p for p in group if p.comparison.beyond_noise]
        undecided = [p for p in group if not p.comparison.decidable]
        lines += ["", f"{len(beyond)} of {count(len(group), 'pair')} beyond the noise"
                  + (f"; {len(undecided)} with too few repetitions to tell" if undecided else "")
                  + ".", ""]
    return lines


def _figures(drawn, left_out):
    lines = ["## Figures", ""]
    for figure, files in drawn:
        lines += [f"### {figure.name}", "", figure.caption, ""]
        for name, facet in files:
            lines += [f"![{name}]({name}.png)", ""] + ([f"*{facet}*", ""] if facet else [])
    if left_out:
        lines += ["### Left out", ""]
        lines += [f"- {figure.name}: {reason}" for figure, reason in left_out]
        lines.append("")
    return lines


def write_report(analysis, drawn, left_out, path):
    """REPORT.md at `path`. `drawn`: [(Figure, [(file name, facet)])]; `left_out`:
    [(Figure, reason)]."""
    rs, stats = analysis.result_set, analysis.stats
    what = "result set" if rs.kind == "set" else "run"
    lines = [f"# shmcount {what} `{rs.name}`", ""]
    lines += _machine(rs.context)
    lines += _method(rs, stats)
    lines += _noise(rs)
    lines += _points(rs, stats)
    lines += _pairs(rs, analysis.pairs)
    lines += _figures(drawn, left_out)
    with open(path, "w") as f:
        f.write("\n".join(lines))


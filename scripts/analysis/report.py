"""REPORT.md: the verdicts first, then the machine, how the set was measured, every point's
figures, every one-axis pair's test in full, disturbance, the figures drawn and those left out."""

import json
import os
import re
from collections import defaultdict
from math import isnan

import numpy as np

from . import decide
from .calibration import CALIBRATION_FILE, calibration_lines
from .load import SAMPLING_KEYS, versions
from .decide import FASTER, SAME, SLOWER, Interval
from .stats import SAME_PLACEMENT, disturbed_by, explain
from .text import (axis_value, caches_label, count, interval, ms, p_value, percent,
                   point_label, printable, value, versions_label)
from .verdicts import row as verdict_row


def mixed_versions(rs):
    """Lines at the top of REPORT.md when the set's runs were made by more than one shmcount
    version (which ones, how many runs each, the odd ones named); none when by one (a lone run
    always is)."""
    found = versions(rs)
    if len(found) < 2:
        return []
    return [printable(f"**Mixed shmcount versions.** This set's runs were made by "
                      f"{len(found)} shmcount versions: {versions_label(found, rs.kind)}. A "
                      "version may measure differently, so a difference below may be the "
                      "versions' rather than the points'; measure the set again with one "
                      "shmcount before trusting it."), ""]


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


def group_label(rs, pair):
    """The pair's group: its rank count and the other varied axes' values."""
    others = [a for a in rs.axes if a != pair.axis]
    return ", ".join([count(pair.a.ranks, "rank")] +
                     ([point_label(rs, pair.a, others, ranks=False)] if others else []))


def _unit_line(rs, stats):
    """What one observation is, and how many there are."""
    runs = sum(s.rounds for s in stats.values())
    per_point = _counts([s.rounds for s in stats.values()], "run")
    reps = _counts([len(r.parallel) for s in stats.values() for r in s.runs], "repetition")
    return (f"The unit is the **run** (one launch of a point in one round): a run's time is the "
            f"median makespan over its repetitions, a point's time the median of its runs' times. "
            f"This {'set' if rs.kind == 'set' else 'input'} has {count(runs, 'run')} "
            f"({per_point} per point, {reps} each).")


def verdict_sentence(label_a, label_b, comparison, verdict):
    """One pair's verdict in words, the winner first when there is one:
    '**--pin core is faster**: 0.850x [0.800, 0.900] the time of --pin none'."""
    r = comparison.ratio
    if verdict.decision in (SLOWER, FASTER):
        if verdict.decision == FASTER:
            winner, loser, iv = label_b, label_a, r
        else:
            winner, loser, iv = label_a, label_b, Interval(1 / r.estimate, 1 / r.high, 1 / r.low)
        return f"**{winner} is faster**: {interval(iv, unit='x')} the time of {loser}"
    if verdict.decision == SAME or (verdict.decision == SAME_PLACEMENT and not isnan(r.low)):
        return f"{label_a} and {label_b}: {verdict.text} (B / A {interval(r)})"
    return f"{label_a} vs {label_b}: {verdict.text}"


def _verdicts(analysis):
    """The answer first: per compared axis and group, the winner, 'the same' or 'cannot tell'."""
    rs, pairs, margin = analysis.result_set, analysis.pairs, analysis.margin
    lines = ["## Verdicts", "", _unit_line(rs, analysis.stats), ""]
    if not pairs:
        return lines + ["No two points differ in exactly one axis: nothing is compared.", ""]
    causes = {id(p): explain(p, analysis.stats[p.a.name], analysis.stats[p.b.name])
              for p in pairs}
    lines += _load_summary(analysis, causes)
    tested = sum(not np.isnan(p.comparison.p) for p in pairs)
    lines += [f"{count(len(pairs), 'comparison')}, one family: {_tests(pairs)}, Holm-corrected "
              f"over the {tested} tested, so the chance of any false alarm among all these "
              f"verdicts is at most {percent(decide.ALPHA)}%. "
              f"**Beyond the noise**: adjusted p < {decide.ALPHA:g}, the "
              f"{percent(decide.CONFIDENCE)}% interval of B / A excludes 1 and the ratio lies "
              f"beyond {decide.percent_label(margin)}; **the same within "
              f"{decide.percent_label(margin)}**: the interval lies inside "
              f"[{1 - margin:g}, {1 + margin:g}]; otherwise **cannot tell**.", ""]
    lines += _reach(pairs, tested)
    by_axis = defaultdict(list)
    for pair in pairs:
        by_axis[pair.axis].append(pair)
    for axis, group in by_axis.items():
        lines += [f"### {rs.flags.get(axis, axis)}", ""]
        lines += _winners(analysis, axis, group)
        lines += ["| group | verdict |", "|---|---|"]
        for pair in group:
            label_a = axis_value(rs, axis, pair.a.axes[axis])
            label_b = axis_value(rs, axis, pair.b.axes[axis])
            lines.append(f"| {group_label(rs, pair)} | "
                         f"{verdict_sentence(label_a, label_b, pair.comparison, pair.verdict)} |")
        lines += _why_lines(rs, axis, group, causes)
        tally = defaultdict(int)
        for pair in group:
            tally[pair.verdict.decision] += 1
        lines += ["", _tally(tally, len(group), margin), ""]
    return lines


def _load_summary(analysis, causes):
    """One line at the top when disturbance (load, other work) is why most of the verdicts
    that cannot tell cannot: how much of the set it disturbed, by what, and what to do."""
    unsure = [c for c in causes.values() if c is not None]
    loaded = [c for c in unsure if c.load]
    if not loaded or 2 * len(loaded) < len(unsure):
        return []
    runs = sum(s.rounds for s in analysis.stats.values())
    by_what, busiest = disturbed_by(list(analysis.stats.values()))
    what = f" ({by_what})" if by_what else ""
    away = f", or keep the ranks off {busiest}" if busiest else ""
    return [f"**Load is why {len(loaded)} of {count(len(unsure), 'verdict')} cannot tell**: "
            f"{analysis.disturbed_runs} of {count(runs, 'run')} were flagged disturbed{what}. "
            f"Run it again on a quieter machine{away}" +
            ("; more rounds would mostly add disturbed runs." if 2 * analysis.disturbed_runs > runs
             else "."), ""]


def _why_lines(rs, axis, group, causes):
    """Under the verdicts of an axis: for each that cannot tell, why (as measured) and the
    cheapest fix; verdicts alike in cause and fix share one line (verdicts.json keeps each)."""
    entries = [(f"{group_label(rs, pair)}, {axis_value(rs, axis, pair.a.axes[axis])} vs "
                f"{axis_value(rs, axis, pair.b.axes[axis])}", causes[id(pair)])
               for pair in group if causes.get(id(pair)) is not None]
    lines = why_lines(entries)
    return ([""] + lines) if lines else []


# Verdicts alike in cause and fix past this many share one line of REPORT.md.
GROUP_WHY_FROM = 3


def why_lines(entries):
    """'- why LABEL cannot tell (CAUSE): WHY. Fix: FIX.' per (label, cause) entry, in order;
    GROUP_WHY_FROM or more alike in cause and fix become one line naming how many, the first as
    the example, and the fix once."""
    alike = defaultdict(list)
    for label, cause in entries:
        alike[(cause.cause, cause.fix)].append((label, cause))
    lines = []
    for (kind, fix), members in alike.items():
        label, cause = members[0]
        if len(members) < GROUP_WHY_FROM:
            lines += [f"- why {m_label} cannot tell ({m.cause}): {m.why}. Fix: {m.fix}."
                      for m_label, m in members]
        else:
            lines.append(f"- why {len(members)} of these verdicts cannot tell ({kind}), "
                         f"for example {label}: {cause.why} (each one's own figures in "
                         f"verdicts.json). Fix for all {len(members)}: {fix}.")
    return lines


def _winners(analysis, axis, pairs):
    """One line per group of the axis, before its pairs: the value that ran fastest there, and
    against which others that is beyond the noise; 'no winner' when none is faster beyond the
    noise than any other, or when the fastest point is beaten beyond the noise by another."""
    rs, stats = analysis.result_set, analysis.stats
    groups = defaultdict(list)
    for pair in pairs:
        groups[group_label(rs, pair)].append(pair)
    lines = []
    for label, group in groups.items():
        points = {p.name: p for pair in group for p in (pair.a, pair.b)}
        timed = [p for p in points.values() if not isnan(stats[p.name].time)]
        if not timed:
            continue
        best = min(timed, key=lambda p: stats[p.name].time)
        beats, ties, placed, unsure, beaten = [], [], [], [], False
        for pair in group:
            if best.name not in (pair.a.name, pair.b.name):
                continue
            other = pair.b if pair.a.name == best.name else pair.a
            name = axis_value(rs, axis, other.axes[axis])
            decision = pair.verdict.decision
            best_faster = FASTER if pair.b.name == best.name else SLOWER
            if decision == best_faster:
                r = pair.comparison.ratio
                iv = r if pair.b.name == best.name else Interval(1 / r.estimate, 1 / r.high,
                                                                 1 / r.low)
                beats.append(f"{name} ({interval(iv, unit='x')})")
            elif decision in (FASTER, SLOWER):
                beaten = True
            elif decision == SAME:
                ties.append(name)
            elif decision == SAME_PLACEMENT:
                placed.append(name)
            else:
                unsure.append(name)
        best_label = axis_value(rs, axis, best.axes[axis])
        if beaten or not beats:
            lines.append(f"- {label}: no winner beyond the noise (fastest median: {best_label}, "
                         f"{ms(stats[best.name].time)} ms)")
            continue
        parts = [f"faster beyond the noise than {', '.join(beats)}"]
        if ties:
            parts.append(f"the same within {decide.percent_label(analysis.margin)} as "
                         f"{', '.join(ties)}")
        if placed:
            parts.append(f"placed as {', '.join(placed)} (not a placement effect)")
        if unsure:
            parts.append(f"cannot tell from {', '.join(unsure)}")
        lines.append(f"- {label}: **{best_label}** ran fastest ({ms(stats[best.name].time)} ms, "
                     f"the lowest median): {'; '.join(parts)}")
    return lines + ([""] if lines else [])


def _tests(pairs):
    """How the family's pairs were tested, in words: round by round where they share rounds,
    the Mann-Whitney U test otherwise."""
    paired = sum(p.comparison.paired for p in pairs)
    by_round = ("pairs judged round by round (**paired by round**: in each round both points "
                "ran, the ratio of their runs' times, so the machine's drift between rounds "
                "cancels; a sign-flip test of the mean of their logs)")
    unpaired = "the two-sided Mann-Whitney U test over the runs' times"
    if paired == len(pairs):
        return "every " + by_round.replace("pairs judged", "pair judged", 1)
    if not paired:
        return unpaired
    return (f"{paired} {by_round}; the {len(pairs) - paired} without a shared round by "
            f"{unpaired}")


def _reach(pairs, tested):
    """A warning when the paired test cannot reach Holm's strictest threshold with the rounds
    this set has: then nothing in it can be beyond the noise, whatever the times say."""
    paired = [p.comparison for p in pairs if p.comparison.paired and not isnan(p.comparison.p)]
    if not paired:
        return []
    rounds = max(c.n_a for c in paired)
    smallest = decide.smallest_p(rounds, rounds, paired=True)
    threshold = decide.holm_threshold(tested)
    if smallest < threshold:
        return []
    need = decide.rounds_for_family(tested)
    return [f"**With {count(rounds, 'shared round')} nothing here can be beyond the noise**: "
            f"the paired test's smallest p is 2 / 2^{rounds} = {smallest:.2g}, and Holm over "
            f"{tested} comparisons needs p < {threshold:.2g} first; a family of {tested} "
            f"needs {count(need, 'round') if need else 'more rounds than the test counts'}.",
            ""]


def _tally(tally, total, margin):
    """'2 of 6 pairs beyond the noise, 3 the same within ±3%, 1 cannot tell.'"""
    parts = [f"{tally[decide.SLOWER] + tally[decide.FASTER]} of {count(total, 'pair')} beyond "
             "the noise", f"{tally[decide.SAME]} the same within {decide.percent_label(margin)}",
             f"{tally[decide.CANNOT_TELL] + tally[decide.TOO_FEW]} cannot tell"]
    if tally["same_placement"]:
        parts.append(f"{tally['same_placement']} with the same placement")
    return ", ".join(parts) + "."


def _calibration(rs):
    """The set's calibration.json quoted, or how to make one."""
    lines = ["## Calibration", ""]
    path = os.path.join(rs.path, CALIBRATION_FILE) if rs.kind == "set" else None
    if path and os.path.isfile(path):
        with open(path) as f:
            return lines + calibration_lines(json.load(f)) + [""]
    return lines + ["No calibration was run for this set: these verdicts rest on the test's "
                    "promises alone. `make calibrate` measures on this machine the false-positive "
                    "rate, the power for a 10% effect and the smallest difference the default "
                    "settings find, and whether a known effect (twice the work) is found.", ""]


def _method(rs, stats):
    runs = [run for p in rs.points for run in p.runs]
    per_run = _counts([run.config["reps"] for run in runs], "timed repetition")
    warmup = _counts([run.config["warmup"] for run in runs], "warm-up")
    lines = ["## How it was measured", ""]
    if rs.kind == "set":
        rounds = max(s.rounds for s in stats.values())
        seed = rs.settings.get("SEED", "unknown")
        lines.append(f"- {count(len(rs.points), 'point')} x {count(rounds, 'round')}, each round "
                     f"visiting every point once in its own random order (seed {seed}, "
                     f"manifest.csv); {per_run} per run after {warmup}.")
    else:
        lines.append(f"- one run: {per_run} after {warmup}.")
    for axis in rs.axes:
        lines.append(f"- varied: {rs.flags.get(axis, axis)} "
                     f"({', '.join(rs.values(axis))})")
    lines.append(f"- ranks: {', '.join(map(str, rs.rank_counts))}")
    lines.append(f"- {'the same for every point' if rs.kind == 'set' else 'configuration'}: "
                 f"{', '.join(_constant_config(rs))}")
    if rs.reference is not None:
        how = ("a point of the matrix" if rs.reference.reference == "yes" else
               "added to every round, kept out of the points and pairs")
        lines.append(f"- reference point (measured in every round, to see drift): "
                     f"{rs.reference.name} ({how})")
    if rs.failed:
        lines.append(f"- **{count(len(rs.failed), 'run')} failed and are left out** "
                     "(their .log says why): " +
                     ", ".join(f"{name} round {rd}" for name, rd in rs.failed))
    if rs.wrong:
        lines.append(f"- **{wrong_line(rs)}**")
    lines += ["- parallel time of a repetition = its makespan (last rank's end minus first "
              "rank's start); sequential = one process doing all N units; speedup = sequential "
              "time / parallel time, efficiency = speedup / N; the ideal is "
              "ceil(N / usable PUs) units of the sequential unit time.", ""]
    return lines + _duplicates(rs)


def wrong_line(rs):
    """The runs that counted wrong: never a result, always said."""
    return (f"{count(len(rs.wrong), 'run')} counted wrong (records with ok = 0) and "
            f"{'is' if len(rs.wrong) == 1 else 'are'} left out, their times not a result: " +
            ", ".join(f"{point.name} round {run.round} ({run.wrong} wrong)"
                      for point, run in rs.wrong))


def _duplicates(rs):
    """The points the sweep did not run because they planned like another one."""
    if not rs.duplicates:
        return []
    by_name = {p.name: p for p in rs.points}
    lines = ["Not measured, because `shmcount --plan` planned them exactly like a point that was "
             "(no pair is made of them):", ""]
    for d in rs.duplicates:
        twin = by_name.get(d.get("same_as"))
        axes = [a for a in d if a not in ("point", "ranks", "same_as", "plan")]
        differ = [a for a in axes if twin is not None and twin.axes.get(a) != d[a]]
        mine = ", ".join(axis_value(rs, a, d[a]) for a in differ) or d.get("point")
        theirs = ", ".join(axis_value(rs, a, twin.axes[a]) for a in differ) if twin else \
            d.get("same_as")
        lines.append(f"- {mine} at {count(int(d['ranks']), 'rank')}: planned as {theirs}; "
                     "measured once")
    return lines + [""]


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


def disturbed_cell(s):
    """'not recorded', '0', or '1 run, 3 reps' of a point."""
    if s.disturbed_runs is None and s.disturbed_reps is None:
        return "not recorded"
    runs, reps = s.disturbed_runs or 0, s.disturbed_reps or 0
    if not runs and not reps:
        return "0"
    return f"**{count(runs, 'run')}, {count(reps, 'rep')}**"


def _notes(s):
    notes = []
    if s.oversubscribed:
        notes.append("oversubscribed")
    if s.off_plan:
        notes.append(f"{s.off_plan} records off-plan")
    if s.moved:
        notes.append(f"{count(s.moved, 'rank')} moved between PUs")
    if s.faster_than_ideal:
        # Each run's own verdict (shmcount's one rule); the efficiency only where it is above
        # 100%: with more ranks than PUs it stays low while the makespan beats the ideal.
        above = s.efficiency is not None and s.efficiency.estimate > 1
        why = (f"efficiency {100 * s.efficiency.estimate:.0f}%" if above
               else f"median {ms(s.time)} ms")
        notes.append(f"faster than perfect scaling in {s.faster_than_ideal} of "
                     f"{count(s.rounds, 'run')} (ideal {ms(s.ideal_ms)} ms, {why}): noise or "
                     f"a slowed baseline")
    if s.outliers:
        notes.append(f"{count(s.outliers, 'repetition')} flagged as outliers")
    return "; ".join(notes)


def _pages_cell(point):
    """Where the point's pages were, as its runs read them back (the run context's memory):
    "100.0% on NUMA 1; local 0.0% to 0.0%", the distinct ones joined."""
    seen = []
    for run in point.runs:
        for node in run.context.get("nodes", []):
            memory = node.get("memory", {})
            where = str(memory.get("array_numa_pages", "")).split(": ", 1)[-1]
            local = str(memory.get("array_local_pct", "")).split(": ", 1)[-1]
            cell = f"{where}; local {local}" if where and local else where
            if cell and cell not in seen:
                seen.append(cell)
    return " / ".join(seen) if seen else "-"


def _points(rs, stats):
    head = [rs.flags.get(a, a) for a in rs.axes] + [
        "ranks", "runs", "reps", "sequential", "parallel (min..max)", "cv between runs",
        "t_min / t_avg / t_max", f"speedup [{percent(decide.CONFIDENCE)}% CI]",
        f"efficiency % [{percent(decide.CONFIDENCE)}% CI]", "pages (read back; local to each rank)",
        "disturbed", "notes"]
    lines = ["## Points", "",
             "Times in ms: each the median over runs of the run's median (the run is the unit); "
             "min..max over every repetition of every run; cv between runs is the coefficient of "
             "variation of the runs' times; t_min / t_avg / t_max are each rank's own kernel "
             "time (fastest, mean, slowest rank); disturbed: runs flagged disturbed, and "
             "repetitions with a disturbed record; pages: where the array's pages were, as the runs "
             "read them back (move_pages), and the range of the share local to each rank's NUMA "
             "node.", "",
             "| " + " | ".join(head) + " |", "|" + "---:|" * len(head)]
    order = {a: {v: i for i, v in enumerate(rs.values(a))} for a in rs.axes}
    for p in sorted(rs.points, key=lambda p: ([order[a][p.axes[a]] for a in rs.axes], p.ranks)):
        s = stats[p.name]
        medians = s.run_medians
        cv = np.std(medians, ddof=1) / np.mean(medians) if len(medians) > 1 else None
        seq = (ms(decide.point_time([r.sequential for r in s.runs]))
               if all(len(r.sequential) for r in s.runs) else "-")
        cells = [p.axes[a] for a in rs.axes] + [
            str(p.ranks), str(s.rounds),
            "/".join(map(str, sorted({len(r.parallel) for r in s.runs}))),
            seq,
            f"{ms(s.time)} ({ms(s.parallel.min())}..{ms(s.parallel.max())})",
            "-" if cv is None else f"{100 * cv:.1f}%",
            " / ".join(ms(decide.point_time([getattr(r, k) for r in s.runs]))
                       for k in ("t_min", "t_avg", "t_max")),
            interval(s.speedup, unit="x"),
            interval(s.efficiency, fmt=percent),
            _pages_cell(p),
            disturbed_cell(s),
            _notes(s)]
        lines.append("| " + " | ".join(cells) + " |")
    return lines + [""]


def _pairs(analysis):
    rs, pairs = analysis.result_set, analysis.pairs
    if not pairs:
        return []
    lines = ["## Pairs in full", "",
             "Every two points at the same rank count that differ in exactly one axis: their "
             "runs (n A / n B; paired by round: the rounds both ran), their times, B / A with "
             f"its {percent(decide.CONFIDENCE)}% interval, the test, its raw p and its "
             "Holm-adjusted p (the verdict uses the adjusted one). **Paired by round** (points "
             "that share rounds): per shared round, the ratio of B's run time to A's; B / A is "
             "the Hodges-Lehmann centre of those ratios (the median of the geometric means of "
             "every two of them; it can differ from B ms / A ms), its interval a two-level "
             "bootstrap that resamples the rounds, the same for both points, then the "
             "repetitions within each run; the test is the sign-flip test of the mean of the "
             f"ratios' logs, every flip counted up to {decide.SIGN_FLIP_EXACT_ROUNDS} "
             "rounds (exact), else random flips (Monte Carlo). **Mann-Whitney** (points without "
             "a shared round): the ratio of the points' times, each point's runs resampled on "
             "their own, then their repetitions; the Mann-Whitney U test over the runs' times "
             "(exact, or the normal approximation where runs tie). Intervals are percentile "
             f"intervals of {decide.RESAMPLES} resamples, seed {decide.BOOTSTRAP_SEED}. "
             "**Placement same**: every rank ran on the same PU in every repetition of both "
             "points, so their difference cannot come from where the ranks ran.", ""]
    by_axis = defaultdict(list)
    for pair in pairs:
        by_axis[pair.axis].append(pair)
    for axis, group in by_axis.items():
        others = [a for a in rs.axes if a != axis]
        head = ["ranks"] + (["other axes"] if others else []) + [
            "A", "B", "runs A/B", "A ms", "B ms", f"B / A [{percent(decide.CONFIDENCE)}% CI]",
            "test", "p", "p adjusted", "verdict", "placement", "disturbed runs A/B"]
        lines += [f"### {rs.flags.get(axis, axis)}", "",
                  "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for pair in group:
            c = pair.comparison
            sa, sb = analysis.stats[pair.a.name], analysis.stats[pair.b.name]
            verdict = pair.verdict.text
            cells = [str(pair.a.ranks)] + (
                [point_label(rs, pair.a, others, ranks=False)] if others else []) + [
                axis_value(rs, axis, pair.a.axes[axis]), axis_value(rs, axis, pair.b.axes[axis]),
                f"{c.n_a}/{c.n_b}", ms(c.time_a), ms(c.time_b), interval(c.ratio),
                c.test or "-", p_value(c.p), p_value(pair.p_adjusted),
                f"**{verdict}**" if pair.verdict.beyond_noise else verdict,
                "same" if pair.same_placement else "differs",
                f"{_runs(sa.disturbed_runs)}/{_runs(sb.disturbed_runs)}"]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return lines


def _runs(n):
    return "-" if n is None else str(n)


def _disturbance(analysis):
    """Whether runs were disturbed, and whether leaving them out changes a verdict."""
    lines = ["## Disturbance", ""]
    if not analysis.disturbance_recorded:
        return lines + ["Not recorded: these runs come from a shmcount that does not record "
                        "context switches, migrations, page faults and steal time, so no run "
                        "could be flagged as disturbed.", ""]
    runs = sum(s.rounds for s in analysis.stats.values())
    disturbed = analysis.disturbed_runs
    reps = sum(s.disturbed_reps or 0 for s in analysis.stats.values())
    lines.append(f"{count(disturbed, 'run')} of {runs} flagged disturbed (the run context's "
                 f"`summary.disturbance.run_disturbed`), {count(reps, 'repetition')} with a "
                 "disturbed record.")
    if not disturbed:
        return lines + ["", "No run was disturbed: there is nothing to leave out.", ""]
    if not analysis.changes:
        return lines + ["", "Leaving the disturbed runs out (the family judged again without "
                        "them) changes **no verdict**.", ""]
    rs = analysis.result_set
    lines += ["", f"Leaving the disturbed runs out (the family judged again without them) "
              f"changes **{count(len(analysis.changes), 'verdict')}**:", ""]
    for ch in analysis.changes:
        pair = ch.pair
        lines.append(f"- {group_label(rs, pair)}: "
                     f"{axis_value(rs, pair.axis, pair.a.axes[pair.axis])} vs "
                     f"{axis_value(rs, pair.axis, pair.b.axes[pair.axis])}: "
                     f"{pair.verdict.text} -> {ch.without.text} (runs left: "
                     f"{ch.runs_left[0]}/{ch.runs_left[1]})")
    return lines + [""]


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


def verdict_rows(analysis):
    """Every pair as a verdicts.py row."""
    rs = analysis.result_set
    rows = []
    for pair in analysis.pairs:
        others = [a for a in rs.axes if a != pair.axis]
        rows.append(verdict_row(pair, pair.axis, point_label(rs, pair.a, others, ranks=False),
                                axis_value(rs, pair.axis, pair.a.axes[pair.axis]),
                                axis_value(rs, pair.axis, pair.b.axes[pair.axis]),
                                analysis.stats[pair.a.name], analysis.stats[pair.b.name]))
    return rows


def _emulated(rs):
    """A bold line first when runs ran under an emulator (QEMU's TCG: the NUMA guest)."""
    runs = [run for p in rs.points for run in p.runs]
    emulated = 0
    for run in runs:
        sources = [run.context.get("noise", {})]
        sources += [node.get("noise", {}) for node in run.context.get("nodes", [])]
        if any(str(src.get("hypervisor", "")).startswith("emulated") for src in sources):
            emulated += 1
    if not emulated:
        return []
    share = "Every run" if emulated == len(runs) else f"{emulated} of {len(runs)} runs"
    return [f"**Emulated times.** {share} ran under an emulator (QEMU's TCG, the NUMA guest of "
            "docs/numa-guest.md): their times are an emulator's, not a machine's, and no "
            "verdict on speed carries over to hardware. Where the ranks and the pages were "
            "(the pages and locality columns) is what such a set shows.", ""]


def write_report(analysis, drawn, left_out, path):
    """REPORT.md at `path`. `drawn`: [(Figure, [(file name, facet)])]; `left_out`:
    [(Figure, reason)]."""
    rs, stats = analysis.result_set, analysis.stats
    what = "result set" if rs.kind == "set" else "run"
    lines = [f"# shmcount {what} `{rs.name}`", ""]
    lines += _emulated(rs)
    lines += mixed_versions(rs)
    lines += _verdicts(analysis)
    lines += _calibration(rs)
    lines += _machine(rs.context)
    lines += _method(rs, stats)
    lines += _noise(rs)
    lines += _points(rs, stats)
    lines += _pairs(analysis)
    lines += _disturbance(analysis)
    lines += _figures(drawn, left_out)
    with open(path, "w") as f:
        f.write("\n".join(lines))

"""REPORT.md and pairs.csv of a latency map: the measured structure against hwloc's tree first
(its findings and what to do), then the latency per relation, the machine, how it was measured,
every pair, what was not measured, verification and disturbance, the noise sources and the
figures."""

import csv
import os

from .report import _figures, _machine, _noise, mixed_versions
from .text import count

# The pairs the report lists one by one; a larger map's are in pairs.csv.
LISTED_PAIRS = 64
PAIR_COLUMNS = ("pair", "a", "b", "a_os", "b_os", "relation", "median_ns", "low_ns", "high_ns",
                "min_ns", "runs")


def ns(x):
    """A latency in ns: one decimal below 100, none above."""
    return f"{x:.1f}" if x < 100 else f"{x:.0f}"


def _interval(median, low, high):
    return f"{ns(median)} [{ns(low)}, {ns(high)}]"


def _views(analysis):
    """Where likwid-topology saw the machine otherwise than hwloc, which view the map supports:
    the sentences of the run context (latency.structure views and supports), as the summary
    printed them."""
    lines = []
    for disagreement, supports in analysis.views:
        lines += [(f"{disagreement}. " if disagreement else "") + f"The map supports {supports}.",
                  ""]
    return lines


def _structure(analysis):
    lines = ["## Measured structure against hwloc's tree", ""]
    levels = analysis.levels
    if levels:
        lines += ["Pairs whose medians lie together, with no gap of 1.5x between neighbours, form "
                  "a measured level; each relation of hwloc's tree has a home level, where most of "
                  "its pairs answer. A pair whose whole interval lies outside its relation's home "
                  "is a finding." + (" Levels of the first run:" if len(analysis.runs) > 1 else ""),
                  "", "| level | ns | typical ns | pairs | home of |", "|---|---|---|---|---|"]
        for k, level in enumerate(levels):
            homes = ", ".join(level["home_of"]) or "-"
            lines.append(f"| {k} | {ns(level['low_ns'])}-{ns(level['high_ns'])} | "
                         f"{ns(level['typical_ns'])} | {level['pairs']} | {homes} |")
        lines.append("")
    if not analysis.findings:
        lines += ["**No finding**: every pair answers in the level of its relation in hwloc's "
                  "tree" + (f" (with {count(len(analysis.pairs), 'pair')} there is little to "
                            "group)" if len(analysis.pairs) < 3 else "") + ".", ""]
        return lines + _views(analysis)
    lines.append(f"**{count(len(analysis.findings), 'finding')}** (PUs as logical indices):")
    lines.append("")
    for f in analysis.findings:
        seen = f" (found in {f.found_in} of {f.runs} runs)" if f.runs > 1 else ""
        lines.append(f"- {f.text}{seen}")
    lines.append("")
    for advice in analysis.advice:
        lines += [f"What to do: {advice}.", ""]
    return lines + _views(analysis)


def _relations(analysis):
    runs = len(analysis.runs)
    pair_unit = ("over its runs' medians" if runs > 1 else "over its rounds, then its samples")
    unit = ("the median of its pairs' medians, with a 95% bootstrap interval over its pairs (a "
            f"relation of one pair: that pair's interval, {pair_unit})")
    lines = ["## Latency per relation", "",
             f"One-way latency (a sample's time / round trips / 2), ns: {unit}.", "",
             "| relation | pairs | median ns [95% interval] | min ns |", "|---|---|---|---|"]
    for r in analysis.relations:
        lines.append(f"| {r.label} | {r.pairs} | {_interval(r.median_ns, r.low_ns, r.high_ns)} | "
                     f"{ns(r.min_ns)} |")
    lines.append("")
    if runs > 1:
        # What each run said on its own: a map that moves between runs shows here first.
        labels = [r.label for r in analysis.relations]
        lines += ["Each run's own median per relation (ns, [95% interval within the run]): "
                  "runs that disagree beyond their intervals measured a machine that changed "
                  "between them (a host that moved the vCPUs, other load).", "",
                  "| run | UTC time | " + " | ".join(labels) + " |",
                  "|---|---|" + "---|" * len(labels)]
        for run in analysis.runs:
            own = {r["relation"]: r for r in run.context["latency"]["relations"]}
            cells = [_interval(own[r.relation]["median_ns"], own[r.relation]["low_ns"],
                               own[r.relation]["high_ns"]) if r.relation in own else "-"
                     for r in analysis.relations]
            lines.append(f"| `{os.path.basename(run.csv_path)}` | {run.context.get('utc_time')} | "
                         + " | ".join(cells) + " |")
        lines.append("")
    return lines


def _method(analysis):
    ctx = analysis.context
    config = ctx["config"]
    runs = len(analysis.runs)
    lines = ["## How it was measured", "",
             f"- {count(runs, 'run')} of `{ctx.get('command_line')}`" if runs == 1 else
             f"- {count(runs, 'run')} of one configuration (the run is the unit: a pair's latency "
             "is the median of its runs' medians, with a 95% bootstrap interval over runs)",
             f"- --share {config['share']}: the bounced line: {ctx.get('line', '')}",
             f"- --pairs {config['pairs']}: {count(len(analysis.pairs), 'pair')} measured of "
             f"{count(len(analysis.pus), 'usable PU')}",
             f"- {config['samples']} samples per pair (both directions: half started by each PU) "
             f"of {config['round_trips']} round trips, in {count(config['rounds'], 'round')} "
             f"(each round visits every pair once, in its own random order, seed "
             f"{config.get('order_seed')}); one untimed warm-up sample per direction and visit",
             "- every handoff checked: each rank finds the value the other must have left, and "
             "after each direction of a visit the line holds what its round trips leave", ""]
    return lines


def _pair_lines(analysis):
    lines = ["## Pairs", ""]
    if len(analysis.pairs) > LISTED_PAIRS:
        return lines + [f"{count(len(analysis.pairs), 'pair')}: every one in `pairs.csv`.", ""]
    lines += ["| PUs (L#) | PUs (P#) | relation | median ns [95% interval] | min ns |",
              "|---|---|---|---|---|"]
    for p in analysis.pairs:
        lines.append(f"| {p.a}:{p.b} | {p.a_os}:{p.b_os} | {p.relation} | "
                     f"{_interval(p.median_ns, p.low_ns, p.high_ns)} | {ns(p.min_ns)} |")
    return lines + ["", "Every pair is also in `pairs.csv`.", ""]


def _checks(analysis):
    lines = ["## Verification, placement and disturbance", ""]
    for entry in analysis.not_measured:
        lines.append(f"- not measured: pair {entry.get('a')}:{entry.get('b')}: {entry.get('why')}")
    for run in analysis.runs:
        s = run.context["summary"]
        name = os.path.basename(run.csv_path)
        load = s.get("disturbance", {})
        lines.append(f"- `{name}`: {s.get('samples')} samples, every handoff verified "
                     f"({s['wrong']} wrong); {s.get('off_place', 0)} taken off their PUs; "
                     f"{s['disturbed_visits']} of {s['visits']} visits disturbed; load "
                     f"{load.get('load_before')} before, {load.get('load_after')} after on "
                     f"{count(load.get('usable_pus', 0), 'usable PU')}"
                     + ("; **above its limit**" if load.get("over_load") else ""))
    return lines + [""]


def write_pairs_csv(analysis, path):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(PAIR_COLUMNS)
        for p in analysis.pairs:
            writer.writerow([p.pair, p.a, p.b, p.a_os, p.b_os, p.relation, f"{p.median_ns:.6g}",
                             f"{p.low_ns:.6g}", f"{p.high_ns:.6g}", f"{p.min_ns:.6g}", p.runs])


def write_latency_report(analysis, drawn, left_out, out_dir):
    """REPORT.md and pairs.csv in `out_dir`. `drawn`: [(Figure, [(file name, facet)])];
    `left_out`: [(Figure, reason)]."""
    rs = analysis.result_set
    what = "result set" if rs.kind == "set" else "run"
    lines = [f"# shmcount latency map: {what} `{rs.name}`", ""]
    lines += mixed_versions(rs)
    lines += _structure(analysis)
    lines += _relations(analysis)
    lines += _machine(analysis.context)
    lines += _method(analysis)
    lines += _pair_lines(analysis)
    lines += _checks(analysis)
    lines += _noise(rs)
    lines += _figures(drawn, left_out)
    with open(os.path.join(out_dir, "REPORT.md"), "w") as f:
        f.write("\n".join(lines))
    write_pairs_csv(analysis, os.path.join(out_dir, "pairs.csv"))

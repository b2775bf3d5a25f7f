"""Time, speedup and efficiency against the rank count: the seed's table as pictures."""

import math
from collections import defaultdict

import numpy as np

from ..decide import Interval, point_time
from .common import (SERIES_FIRST, facets, mark_machine, plain_log_y, plt, ranks_axis, save,
                     series, series_axis)


def _layout(analysis):
    """(series axis, facets): lines are the series axis's values, one figure per facet."""
    rs = analysis.result_set
    axis = series_axis(rs)
    return ([axis] if axis else []), facets(rs, {axis})


def ideal_speedup(point):
    """The ideal speedup of a point, N / ceil(N / usable PUs) on the busiest node (the run
    context's `nodes`: `ranks` on each, `pus` usable): exactly what the figure's label says,
    not a ratio of two medians (which drew 1 rank at 99% of ideal)."""
    nodes = point.runs[0].context["nodes"]
    rounds = max((math.ceil(n["ranks"] / n["pus"]) for n in nodes if n["ranks"]), default=1)
    return point.ranks / rounds


def sequential_curves(analysis, facet, line_axes):
    """The sequential curves (1 process does all N units) of one scaling figure, as
    [(label, colour or None, ranks, median times in ms, band (min, max) lists or None)].

    Lines that differ only in placement (--pin) do the same sequential work: one pooled curve,
    with its band over every sequential repetition. Lines of another axis (kernel, counts, share,
    size...) each do their own work: one curve per line, in its colour."""
    rs, st = analysis.result_set, analysis.stats
    if line_axes and line_axes[0] != SERIES_FIRST:
        curves = []
        for s in series(rs, facet.points, line_axes):
            own = [p for p in s.points if len(st[p.name].sequential)]
            if own:
                curves.append((f"sequential, {s.label}", s.colour, [p.ranks for p in own],
                               [point_time([r.sequential for r in st[p.name].runs])
                                for p in own], None))
        return curves
    reps, times = defaultdict(list), defaultdict(list)
    for p in facet.points:
        if len(st[p.name].sequential):
            reps[p.ranks].extend(st[p.name].sequential)
            times[p.ranks].append(point_time([r.sequential for r in st[p.name].runs]))
    xs = sorted(reps)
    if not xs:
        return []
    band = ([min(reps[x]) for x in xs], [max(reps[x]) for x in xs])
    return [("sequential: 1 process does all N units", None, xs,
             [float(np.median(times[x])) for x in xs], band)]


def draw_scaling(analysis, out_dir, _options):
    """scaling[-facet]: median makespan per line with its min..max band, the sequential
    curves (sequential_curves) and, when they are pooled, the ideal parallel time."""
    rs, st = analysis.result_set, analysis.stats
    line_axes, groups = _layout(analysis)
    drawn = []
    for facet in groups:
        fig, ax = plt.subplots(figsize=(8.5, 5.4))
        ranks = sorted({p.ranks for p in facet.points})
        for s in series(rs, facet.points, line_axes):
            xs = [p.ranks for p in s.points]
            par = [st[p.name].parallel for p in s.points]
            ax.fill_between(xs, [x.min() for x in par], [x.max() for x in par], color=s.colour,
                            alpha=0.15, lw=0)
            ax.plot(xs, [st[p.name].time for p in s.points], marker=s.marker, color=s.colour,
                    ls=s.linestyle,
                    label=f"parallel (makespan), {s.label}" if s.label else "parallel (makespan)")
        curves = sequential_curves(analysis, facet, line_axes)
        for label, colour, xs, ys, band in curves:
            ax.plot(xs, ys, color=colour or "black", ls="--", marker="x",
                    lw=1.1 if colour else 1.5, label=label)
            if band:
                ax.fill_between(xs, band[0], band[1], color="black", alpha=0.08, lw=0)
        pooled = len(curves) == 1 and curves[0][1] is None
        if pooled:
            ideal = defaultdict(list)
            for p in facet.points:
                ideal[p.ranks].append(st[p.name].ideal_ms)
            xs = curves[0][2]
            ax.plot(xs, [np.median(ideal[x]) for x in xs], color="tab:olive", lw=1.4, ls="-.",
                    label="ideal parallel: ceil(N / usable PUs) units")
        ranks_axis(ax, ranks)
        plain_log_y(ax)
        mark_machine(ax, rs)
        ax.set_xlabel("ranks N (each does one unit of work)")
        ax.set_ylabel("time for all N units (ms, log scale)")
        title = f"Scaling on {rs.context.get('host')}" + (f": {facet.title}" if facet.title else "")
        subtitle = "median of the runs' median makespans, band = min..max of every repetition"
        if curves and not pooled:
            subtitle += "\ndashed: 1 process does all N units of that line's work"
        ax.set_title(f"{title}\n{subtitle}")
        ax.legend(loc="upper left", fontsize=8)
        ax.grid(True, which="major", alpha=0.3)
        save(fig, out_dir, "scaling" + facet.slug)
        drawn.append(("scaling" + facet.slug, facet.title))
    return drawn


def _offsets(n):
    """Multiplicative x offsets that keep n series' error bars apart on a log2 axis."""
    return [2 ** (0.06 * (i - (n - 1) / 2)) for i in range(n)]


def _pair_ratio(analysis, a, b):
    """The verdict's B / A (an Interval) for points a and b when REPORT.md compares them, else
    None. A pair judged the other way round is inverted."""
    for pair in analysis.pairs:
        if (pair.a.name, pair.b.name) == (a.name, b.name):
            return pair.comparison.ratio
        if (pair.a.name, pair.b.name) == (b.name, a.name):
            r = pair.comparison.ratio
            return Interval(1 / r.estimate, 1 / r.high, 1 / r.low)
    return None


def speedup_lines(analysis, facet, line_axes):
    """(lines, pooled) of one speedup figure: lines as [(Series, ranks, speedup Intervals)].

    Lines that differ only in placement (--pin) do the same work: each rank count has one
    sequential baseline S (the pooled sequential curve of the scaling figure), and the first
    line's speedup is S / its time. Every other line is drawn through the verdict that compares
    it with the first line at that rank count: S / (first line's time x the verdict's paired
    ratio B / A), its bar the verdict's interval, so two lines' speedups are as far apart as
    REPORT.md says their parallel times are (a per-point baseline made 1.21x against 0.72x of
    a pair the verdict called 1.002). A point no verdict compares with the first line falls
    back to S / its own time. Lines of other axes (kernel, counts, size...) do different work:
    each against its own sequential time (pooled False), as before."""
    rs, st = analysis.result_set, analysis.stats
    lines = [s for s in series(rs, facet.points, line_axes)
             if all(st[p.name].speedup for p in s.points)]
    pooled = not (line_axes and line_axes[0] != SERIES_FIRST)
    if not pooled or not lines:
        return [(s, [p.ranks for p in s.points], [st[p.name].speedup for p in s.points])
                for s in lines], False
    seq = defaultdict(list)
    for s in lines:
        for p in s.points:
            seq[p.ranks].append(point_time([r.sequential for r in st[p.name].runs]))
    baseline = {n: float(np.median(v)) for n, v in seq.items()}
    first = {p.ranks: p for p in lines[0].points}

    def own(p):
        # S / the point's time, its interval the point's own speedup's, rescaled to S.
        iv = st[p.name].speedup
        return iv.scaled(baseline[p.ranks] / point_time([r.sequential for r in st[p.name].runs]))

    out = []
    for i, s in enumerate(lines):
        ivs = []
        for p in s.points:
            anchor = first.get(p.ranks)
            ratio = _pair_ratio(analysis, anchor, p) if i and anchor else None
            if ratio is None:
                ivs.append(own(p))
                continue
            base = baseline[p.ranks] / st[anchor.name].time
            ivs.append(Interval(base / ratio.estimate, base / ratio.high, base / ratio.low))
        out.append((s, [p.ranks for p in s.points], ivs))
    return out, True


def draw_speedup(analysis, out_dir, _options):
    """speedup[-facet]: speedup and efficiency per line with their intervals (speedup_lines)."""
    rs, st = analysis.result_set, analysis.stats
    line_axes, groups = _layout(analysis)
    drawn = []
    for facet in groups:
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.8))
        ranks = sorted({p.ranks for p in facet.points})
        ideal = defaultdict(list)
        lines, pooled = speedup_lines(analysis, facet, line_axes)
        for (s, ranks_of, ivs), off in zip(lines, _offsets(len(lines))):
            xs = [n * off for n in ranks_of]
            # Efficiency is speedup / N, in percent.
            for ax, per in ((ax1, [1] * len(ranks_of)), (ax2, [100 / n for n in ranks_of])):
                est = np.array([iv.estimate * f for iv, f in zip(ivs, per)])
                low = np.array([iv.low * f for iv, f in zip(ivs, per)])
                high = np.array([iv.high * f for iv, f in zip(ivs, per)])
                ax.errorbar(xs, est, yerr=[np.nan_to_num(est - low), np.nan_to_num(high - est)],
                            marker=s.marker, color=s.colour, ls=s.linestyle, capsize=3, lw=1.4,
                            label=s.label or "speedup")
            for p in s.points:
                ideal[p.ranks].append(ideal_speedup(p))
        xs = sorted(ideal)
        ax1.plot(xs, [np.median(ideal[x]) for x in xs], color="0.5", lw=1, ls="-.",
                 label="ideal: N / ceil(N / usable PUs)")
        ax2.plot(xs, [100 * np.median(ideal[x]) / x for x in xs], color="0.5", lw=1, ls="-.",
                 label="ideal")
        for ax in (ax1, ax2):
            ranks_axis(ax, ranks)
            mark_machine(ax, rs)
            ax.set_xlabel("ranks N")
            ax.grid(True, alpha=0.3)
            ax.legend(loc="best", fontsize=8)
        ax1.set_ylabel("speedup: sequential time / parallel time")
        ax2.set_ylabel("parallel efficiency: speedup / N (%)")
        ax1.set_ylim(bottom=0)
        ax2.set_ylim(bottom=0)
        ax1.set_title("Speedup")
        ax2.set_title("Efficiency")
        if pooled and len(lines) > 1:
            how = (f"one sequential baseline per rank count; {lines[0][0].label} against each "
                   "other line is REPORT.md's paired verdict, bars its 95% interval")
        elif len(lines) > 1:
            how = ("each line against its own sequential work (they do different work): the "
                   "verdicts compare parallel times, so these ratios are not theirs")
        else:
            how = "bars: 95% two-level bootstrap intervals"
        fig.suptitle(f"Speedup and efficiency on {rs.context.get('host')}"
                     f"{': ' + facet.title if facet.title else ''}\n({how})", fontsize=11)
        fig.tight_layout()
        save(fig, out_dir, "speedup" + facet.slug)
        drawn.append(("speedup" + facet.slug, facet.title))
    return drawn

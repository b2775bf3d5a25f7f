"""Time, speedup and efficiency against the rank count: the seed's table as pictures."""

from collections import defaultdict

import numpy as np

from ..decide import point_time
from .common import (SERIES_FIRST, facets, mark_machine, plain_log_y, plt, ranks_axis, save,
                     series, series_axis)


def _layout(analysis):
    """(series axis, facets): lines are the series axis's values, one figure per facet."""
    rs = analysis.result_set
    axis = series_axis(rs)
    return ([axis] if axis else []), facets(rs, {axis})


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


def draw_speedup(analysis, out_dir, _options):
    """speedup[-facet]: speedup and efficiency per line with their bootstrap intervals."""
    rs, st = analysis.result_set, analysis.stats
    line_axes, groups = _layout(analysis)
    drawn = []
    for facet in groups:
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.8))
        ranks = sorted({p.ranks for p in facet.points})
        ideal = defaultdict(list)
        lines = [s for s in series(rs, facet.points, line_axes)
                 if all(st[p.name].speedup for p in s.points)]
        for s, off in zip(lines, _offsets(len(lines))):
            xs = [p.ranks * off for p in s.points]
            for ax, get, scale in ((ax1, "speedup", 1), (ax2, "efficiency", 100)):
                ivs = [getattr(st[p.name], get) for p in s.points]
                est = np.array([iv.estimate for iv in ivs]) * scale
                low = np.array([iv.low for iv in ivs]) * scale
                high = np.array([iv.high for iv in ivs]) * scale
                ax.errorbar(xs, est, yerr=[np.nan_to_num(est - low), np.nan_to_num(high - est)],
                            marker=s.marker, color=s.colour, capsize=3, lw=1.4,
                            label=s.label or "speedup")
            for p in s.points:
                ps = st[p.name]
                ideal[p.ranks].append(point_time([r.sequential for r in ps.runs]) / ps.ideal_ms)
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
        fig.suptitle(f"Speedup and efficiency on {rs.context.get('host')}"
                     f"{': ' + facet.title if facet.title else ''} (bars: 95% two-level bootstrap "
                     "intervals)",
                     fontsize=12)
        fig.tight_layout()
        save(fig, out_dir, "speedup" + facet.slug)
        drawn.append(("speedup" + facet.slug, facet.title))
    return drawn

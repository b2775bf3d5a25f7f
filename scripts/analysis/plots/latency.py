"""A latency map's figures: the heatmap of one-way latencies between PUs in hwloc's order, with
the machine's core, L3, NUMA node and package boundaries drawn, and the latency per relation of
hwloc's tree with its interval and every pair's median beside it."""

import math

import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from ..text import count
from .common import COLOURS, plain_log_y, plt, save

# The boundaries the heatmap draws, innermost first: the run context's PU key, its label, style.
BOUNDARIES = (("core", "core", dict(color="0.55", lw=0.6, ls=":")),
              ("l3", "L3", dict(color="tab:orange", lw=1.2, ls="-")),
              ("numa", "NUMA node", dict(color="tab:blue", lw=1.6, ls="--")),
              ("package", "package", dict(color="black", lw=2.2, ls="-")))
# Most PUs whose cells carry their number.
ANNOTATED_PUS = 16


def _measured_pus(analysis):
    """The run context's PUs that some measured pair has, in hwloc's (logical) order."""
    used = {p.a for p in analysis.pairs} | {p.b for p in analysis.pairs}
    return [pu for pu in sorted(analysis.pus, key=lambda pu: pu["logical"])
            if pu["logical"] in used]


def draw_heatmap(analysis, out_dir, options):
    """latency-heatmap: pair medians as a symmetric matrix over the measured PUs."""
    pus = _measured_pus(analysis)
    index = {pu["logical"]: i for i, pu in enumerate(pus)}
    n = len(pus)
    grid = np.full((n, n), np.nan)
    for p in analysis.pairs:
        grid[index[p.a], index[p.b]] = grid[index[p.b], index[p.a]] = p.median_ns
    size = min(14, 3.5 + 0.32 * n)
    fig, ax = plt.subplots(figsize=(size + 1.8, size))
    values = grid[~np.isnan(grid)]
    low, high = float(values.min()), float(values.max())
    if high < 1.5 * low:  # Nearly one value: a scale of at least 1.5x around it.
        middle = math.sqrt(low * high)
        low, high = middle / 1.25, middle * 1.25
    norm = LogNorm(vmin=low, vmax=high)
    diagonal = np.where(np.eye(n, dtype=bool), 1.0, np.nan)
    ax.imshow(np.ma.masked_invalid(diagonal), cmap="Greys", vmin=0, vmax=4, interpolation="none")
    image = ax.imshow(np.ma.masked_invalid(grid), cmap="viridis", norm=norm, interpolation="none")
    bar = fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    bar.set_label("one-way latency, median (ns)")
    bar.ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1, 1.5, 2, 3, 4, 5, 6, 7, 8)))
    bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    bar.ax.yaxis.set_minor_formatter(NullFormatter())
    if n <= ANNOTATED_PUS:
        for i in range(n):
            for j in range(n):
                if not math.isnan(grid[i, j]):
                    ax.text(j, i, f"{grid[i, j]:.0f}" if grid[i, j] >= 10 else f"{grid[i, j]:.1f}",
                            ha="center", va="center", fontsize=8,
                            color="white" if norm(grid[i, j]) < 0.5 else "black")
    handles = []
    for key, label, style in BOUNDARIES:
        drawn = False
        for i in range(1, n):
            if pus[i][key] != pus[i - 1][key]:
                ax.axhline(i - 0.5, **style)
                ax.axvline(i - 0.5, **style)
                drawn = True
        if drawn:
            handles.append(plt.Line2D([], [], label=f"{label} boundary", **style))
    ticks = range(n) if n <= 32 else range(0, n, max(1, n // 16))
    ax.set_xticks(list(ticks))
    ax.set_yticks(list(ticks))
    ax.set_xticklabels([str(pus[i]["logical"]) for i in ticks], fontsize=8)
    ax.set_yticklabels([str(pus[i]["logical"]) for i in ticks], fontsize=8)
    ax.set_xlabel("PU (logical index, hwloc's order)")
    ax.set_ylabel("PU (logical index, hwloc's order)")
    ctx = analysis.context
    runs = len(analysis.runs)
    ax.set_title(f"{ctx.get('host')}: core-to-core latency, {count(len(analysis.pairs), 'pair')}"
                 + (f", median of {runs} runs" if runs > 1 else ""))
    if handles:
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.1),
                  ncol=len(handles), fontsize=8, frameon=False)
    save(fig, out_dir, "latency-heatmap")
    return [("latency-heatmap", "")]


def draw_relations(analysis, out_dir, options):
    """latency-relations: each relation's median with its 95% interval, every pair beside it."""
    relations = analysis.relations
    fig, ax = plt.subplots(figsize=(max(5.5, 1.6 * len(relations) + 2), 4.6))
    rng = np.random.default_rng(1)
    for x, r in enumerate(relations):
        colour = COLOURS[x % len(COLOURS)]
        medians = [p.median_ns for p in analysis.pairs if p.relation == r.relation]
        jitter = rng.uniform(-0.18, 0.18, len(medians)) if len(medians) > 1 else [0.0]
        ax.scatter(np.full(len(medians), x + 0.25) + jitter, medians, s=10, color=colour,
                   alpha=0.45, lw=0, label="each pair's median" if x == 0 else None)
        ax.errorbar([x], [r.median_ns], yerr=[[r.median_ns - r.low_ns], [r.high_ns - r.median_ns]],
                    fmt="o", color=colour, capsize=5, ms=7, lw=1.6)
        ax.annotate(f"{r.median_ns:.1f} ns\n[{r.low_ns:.1f}, {r.high_ns:.1f}]", (x, r.median_ns),
                    xytext=(-10, 0), textcoords="offset points", ha="right", va="center",
                    fontsize=8)
    ax.set_xticks(range(len(relations)))
    ax.set_xticklabels([f"{r.label}\n({r.pairs} pair{'s' if r.pairs != 1 else ''})"
                        for r in relations])
    ax.set_xlim(-0.9, len(relations) - 0.4)
    ax.set_ylabel("one-way latency (ns)")
    ax.set_title("Latency per relation in hwloc's tree: median and 95% interval")
    ax.grid(axis="y", alpha=0.3)
    plain_log_y(ax)
    if analysis.pairs:
        ax.legend(loc="upper left", fontsize=8, frameon=False)
    save(fig, out_dir, "latency-relations")
    return [("latency-relations", "")]

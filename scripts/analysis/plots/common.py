"""What every figure shares: style, which points go together (series and facets), axes helpers."""

import math
import os
import re
from collections import defaultdict
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter  # noqa: E402

from ..text import axis_value, size_label  # noqa: E402

# The same data give the same files: SVG ids from a fixed salt, no date in the metadata.
plt.rcParams.update({"font.size": 11, "axes.titlesize": 13, "axes.labelsize": 11,
                     "legend.fontsize": 9, "figure.dpi": 110, "savefig.dpi": 130,
                     "svg.hashsalt": "shmcount"})
COLOURS = ["tab:blue", "tab:red", "tab:green", "tab:orange", "tab:purple", "tab:brown",
           "tab:pink", "tab:olive", "tab:cyan", "tab:gray"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "<", ">", "h"]
# The axis whose values are drawn as lines, when the set varies it: the question shmcount asks.
SERIES_FIRST = "pin"


@dataclass
class Series:
    """Points drawn as one line: a label, a colour, a marker, points by rank count, and a line
    style (dashed once the colours repeat)."""

    label: str
    colour: str
    marker: str
    points: list
    linestyle: str = "-"


@dataclass
class Facet:
    """Points drawn in one figure: the varied axes other than the series' take one value each."""

    slug: str    # appended to the figure's file name ('' when the set has one facet)
    title: str   # the facet's values, for titles ('' when one facet)
    points: list


def series_axis(result_set):
    """The axis drawn as lines: SERIES_FIRST if the set varies it, else the first varied axis."""
    if SERIES_FIRST in result_set.axes:
        return SERIES_FIRST
    return result_set.axes[0] if result_set.axes else None


def facets(result_set, exclude):
    """The set's points grouped by the values of every varied axis not in `exclude`."""
    axes = [a for a in result_set.axes if a not in exclude]
    order = {a: {v: i for i, v in enumerate(result_set.values(a))} for a in axes}
    groups = defaultdict(list)
    for p in result_set.points:
        groups[tuple(p.axes[a] for a in axes)].append(p)
    out = []
    for key in sorted(groups, key=lambda k: [order[a][v] for a, v in zip(axes, k)]):
        slug = "".join(f"-{a}-{re.sub(r'[^A-Za-z0-9_.]', '_', v)}" for a, v in zip(axes, key))
        title = ", ".join(axis_value(result_set, a, v) for a, v in zip(axes, key))
        out.append(Facet(slug, title, groups[key]))
    return out


def series(result_set, points, axes):
    """`points` as lines, one per combination of the values of `axes` (one line when none)."""
    order = {a: {v: i for i, v in enumerate(result_set.values(a))} for a in axes}
    groups = defaultdict(list)
    for p in points:
        groups[tuple(p.axes[a] for a in axes)].append(p)
    out = []
    for i, key in enumerate(sorted(groups, key=lambda k: [order[a][v] for a, v in zip(axes, k)])):
        label = ", ".join(axis_value(result_set, a, v) for a, v in zip(axes, key))
        # Past ten lines the colours repeat; the marker moves on and the line is dashed, so no
        # two lines look alike (the footprint figure's 12 lines drew two solid blue and two
        # solid red ones).
        marker = MARKERS[(i + i // len(COLOURS)) % len(MARKERS)]
        style = "-" if i < len(COLOURS) else "--"
        out.append(Series(label, COLOURS[i % len(COLOURS)], marker,
                          sorted(groups[key], key=lambda p: p.ranks), style))
    return out


def save(fig, out_dir, name):
    fig.savefig(os.path.join(out_dir, name + ".png"), bbox_inches="tight")
    fig.savefig(os.path.join(out_dir, name + ".svg"), bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)


def plain_log_y(ax):
    """Log y axis labelled with plain numbers (12, 50, 100) rather than powers of ten, enough of
    them for the range the data span. Call it after drawing."""
    ax.set_yscale("log")
    low, high = ax.get_ylim()
    decades = math.log10(high / low)
    subs = (1, 1.5, 2, 3, 4, 5, 6, 7, 8) if decades < 1 else (1, 2, 3, 5) if decades < 3 else (1,)
    ax.yaxis.set_major_locator(LogLocator(base=10, subs=subs))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())


def ranks_axis(ax, ranks):
    """Log2 x axis with a tick at every rank count of the set."""
    ax.set_xscale("log", base=2)
    ax.set_xticks(ranks)
    ax.set_xticklabels([str(r) for r in ranks])
    ax.minorticks_off()
    ax.set_xlim(min(ranks) / 1.25, max(ranks) * 1.25)


def machine_counts(result_set):
    """(cores, usable PUs) of the machine: machine.csv when the set has it, else the run context
    (usable PUs of node 0; cores unknown: None)."""
    if result_set.machine:
        return len({r["core"] for r in result_set.machine}), len(result_set.machine)
    return None, result_set.context["nodes"][0]["pus"]


def mark_machine(ax, result_set):
    """Dotted line at the machine's cores, dashed at its usable PUs (when they differ)."""
    cores, pus = machine_counts(result_set)
    marks = [(pus, "--", "usable PUs")] if cores in (None, pus) else \
        [(cores, ":", "cores"), (pus, "--", "usable PUs")]
    for i, (x, ls, what) in enumerate(marks):
        ax.axvline(x, color="0.35", ls=ls, lw=1.2)
        ax.annotate(f"{x} {what}", (x, 0), xycoords=("data", "axes fraction"),
                    xytext=(3, 4 + 12 * i), textcoords="offset points", fontsize=9, color="0.3")


def mark_caches(ax, cache_list, sizes):
    """A dotted vertical line per cache size (bytes on x) near the data's `sizes` (within a
    factor of 2), labelled above the plot frame, where no data point can hide the label."""
    lo, hi = min(sizes) / 2, max(sizes) * 2
    for name, size in cache_list:
        if not lo <= size <= hi:
            continue
        ax.axvline(size, color="0.4", ls=":", lw=1)
        ax.annotate(f"{name}\n{size_label(size)}", (size, 1), xycoords=("data", "axes fraction"),
                    xytext=(0, 3), textcoords="offset points", fontsize=8, color="0.3",
                    ha="center", va="bottom")


def bytes_axis(ax, sizes):
    """Log2 x axis of array sizes in bytes, ticks labelled '48 KiB'."""
    ax.set_xscale("log", base=2)
    ticks = sorted(sizes)
    if len(ticks) > 8:
        ticks = ticks[::2]
    ax.set_xticks(ticks)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: size_label(int(v))))
    ax.xaxis.set_minor_formatter(NullFormatter())
    # Sizes a factor of 4 or less apart would print into each other: turn the labels.
    if any(b / a <= 4 for a, b in zip(ticks, ticks[1:])):
        ax.tick_params(axis="x", labelrotation=35)

"""The figures, as a registry: each one a name, a caption, when it applies and how it is drawn.

`applies(result_set, options)` returns None when the figure can be drawn, else the reason it is
left out (the report says it). `draw(analysis, out_dir, options)` writes PNG and SVG and returns
[(file name without extension, the facet it shows or '')]; `mode` says which result sets it is
for (counting runs, or latency maps). Adding a figure is one entry here.
"""

from dataclasses import dataclass
from typing import Callable

from .footprint import draw_footprint, has_footprint
from .latency import draw_heatmap, draw_relations
from .placement import draw_placement, draw_rank_spread
from .scaling import draw_scaling, draw_speedup
from .sizes import SIZE_AXIS, bench_applies, draw_kernels, draw_size


@dataclass(frozen=True)
class Figure:
    name: str
    caption: str
    applies: Callable
    draw: Callable
    mode: str = "counting"  # The result sets it is for: load.COUNTING or load.LATENCY.


def _several_rank_counts(rs, _options):
    return None if len(rs.rank_counts) > 1 else "the set has one rank count"


def _with_baseline(rs, options):
    reason = _several_rank_counts(rs, options)
    if reason is None and any(r["phase"] == "sequential" for p in rs.points for run in p.runs
                              for r in run.rows):
        return None
    return reason or "no run has a sequential baseline (--no-baseline)"


def _with_machine(rs, _options):
    return None if rs.machine else "no machine.csv (only a result set of the sweep has one)"


def _varies_size(rs, _options):
    return None if SIZE_AXIS in rs.axes else f"the set does not vary {SIZE_AXIS}"


FIGURES = [
    Figure("scaling",
           "Time for N units against N: the parallel time per line (the median of its runs' "
           "median makespans) with the min..max band of every repetition, and one process "
           "doing all N units (sequential): one black curve with the ideal, ceil(N / usable "
           "PUs) units, where the lines differ only in placement; a dashed curve per line, of "
           "that line's own work, where they differ in kernel, size, sharing or counts. The "
           "seed's table as a picture.",
           _several_rank_counts, draw_scaling),
    Figure("speedup",
           "Speedup (sequential time / parallel time, each the median of its runs' medians) and "
           "efficiency (speedup / N), each with its 95% two-level bootstrap interval (runs, then "
           "repetitions within them); the ideal is N / ceil(N / usable PUs). Dotted and "
           "dashed lines mark the machine's cores and usable PUs.",
           _with_baseline, draw_speedup),
    Figure("placement",
           "Where each rank ran (read back by hwloc) on the machine's packages, NUMA nodes, cores "
           "and PUs, per line, with whether every rank stayed on one PU in every repetition.",
           _with_machine, draw_placement),
    Figure("rank-spread",
           "Every rank's own kernel time in every repetition of every round: slow ranks, noise "
           "and drift between rounds show as outlying dots.",
           lambda rs, options: None, draw_rank_spread),
    Figure("size",
           "Each rank's time per unit divided by the array's elements, against the array's size, "
           "one panel per rank count and a line per value of the other varied axes; the caches "
           "of the machine are marked.",
           _varies_size, draw_size),
    Figure("footprint",
           "The array's memory read back (PSS from smaps) against the ranks, per line: one copy "
           "per node for a shared array, one per rank for private copies.",
           lambda rs, options: (None if has_footprint(rs) and len(rs.rank_counts) > 1 else
                                "the runs carry no footprint probe, or the set has one rank "
                                "count"),
           draw_footprint),
    Figure("kernels",
           "Single-core throughput of each kernel as the array grows past the caches (marked), "
           "from bench.json. The histogram counts element visits, not compares: another "
           "algorithm, on its own panel.",
           lambda rs, options: bench_applies(rs), draw_kernels),
    Figure("latency-heatmap",
           "One-way latency between every pair of PUs measured (the median of its samples; of "
           "its runs' medians in a set), PUs in hwloc's logical order, with the boundaries of "
           "cores, L3 caches, NUMA nodes and packages drawn: a block of cells that stands out from "
           "its neighbours with no boundary around it is structure hwloc's tree does not show.",
           lambda rs, options: None, draw_heatmap, mode="latency"),
    Figure("latency-relations",
           "One-way latency per relation of hwloc's tree (the deepest level two PUs share): the "
           "median of its pairs with its 95% bootstrap interval, and every pair's median as a "
           "dot beside it.",
           lambda rs, options: None, draw_relations, mode="latency"),
]

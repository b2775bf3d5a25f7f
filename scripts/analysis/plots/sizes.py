"""Time against the array's size, caches marked: the sweep's points, and the kernels' own
microbenchmarks."""

from collections import defaultdict

import numpy as np

from ..stats import time_interval
from ..text import caches, count
from .common import bytes_axis, mark_caches, plain_log_y, plt, save, series

SIZE_AXIS = "size"   # int32 elements in the array (the run context's config.size)
INT32_BYTES = 4


def draw_size(analysis, out_dir, _options):
    """One panel per rank count; a line per combination of the other varied axes (kernel now;
    sharing mechanism or first-touch policy when a set varies them)."""
    rs, st = analysis.result_set, analysis.stats
    others = [a for a in rs.axes if a != SIZE_AXIS]
    ranks = rs.rank_counts
    fig, axes = plt.subplots(1, len(ranks), figsize=(max(8.5, 4.2 * len(ranks) + 2.5), 4.8),
                             squeeze=False, sharey=True)
    sizes = set()
    for ax, n in zip(axes[0], ranks):
        for s in series(rs, [p for p in rs.points if p.ranks == n], others):
            pts = sorted(s.points, key=lambda p: int(p.config["size"]))
            xs = [int(p.config["size"]) * INT32_BYTES for p in pts]
            ivs = [time_interval([r.unit for r in st[p.name].runs], f"{p.name} unit")
                   .scaled(1e6 / int(p.config["size"])) for p in pts]
            est = np.array([iv.estimate for iv in ivs])
            err = [np.nan_to_num(est - [iv.low for iv in ivs]),
                   np.nan_to_num(np.array([iv.high for iv in ivs]) - est)]
            ax.errorbar(xs, est, yerr=err, marker=s.marker, color=s.colour, ls=s.linestyle,
                        capsize=3, label=s.label or "median")
            sizes.update(xs)
        ax.set_title(count(n, "rank"), pad=28)
        ax.set_xlabel("array size (log2 scale)")
        ax.grid(True, which="major", alpha=0.3)
    for ax in axes[0]:
        bytes_axis(ax, sizes)
        plain_log_y(ax)
        mark_caches(ax, caches(rs.context.get("caches")), sizes)
    axes[0][0].set_ylabel("one rank's time per unit / elements\n(ns per int32, log scale)")
    axes[0][-1].legend(loc="upper left", bbox_to_anchor=(1.02, 1), borderaxespad=0, fontsize=8)
    fig.suptitle("Time per unit against the array's size (median over runs of each run's median "
                 "rank time; bars: 95% two-level bootstrap interval)", fontsize=11)
    fig.tight_layout()
    save(fig, out_dir, "size")
    return [("size", "")]


def _bench_series(bench):
    """Google Benchmark's Size/<kernel>/<n>/<values> medians: kernel -> [(bytes, rate, label)]."""
    runs = bench.get("benchmarks", [])
    aggregated = {b.get("run_name") for b in runs if b.get("run_type") == "aggregate"}
    out = defaultdict(list)
    for b in runs:
        parts = b.get("run_name", "").split("/")
        if len(parts) < 4 or parts[0] != "Size" or b.get("error_occurred"):
            continue
        if b.get("run_type") == "aggregate":
            if b.get("aggregate_name") != "median":
                continue
        elif b["run_name"] in aggregated:
            continue
        # items_per_second since the references joined; compares/s in older result sets.
        rate = b.get("items_per_second", b.get("compares/s"))
        out[parts[1]].append((int(parts[2]) * INT32_BYTES, rate / 1e9, b.get("label", "")))
    return {k: sorted(v) for k, v in out.items()}


def bench_applies(result_set):
    """None when the kernels figure can be drawn, else why not."""
    if result_set.bench is None:
        return "the set has no bench.json (sweep with BENCH=1)"
    if not _bench_series(result_set.bench):
        return "bench.json holds no Size/ benchmark"
    return None


def draw_kernels(analysis, out_dir, _options):
    """Multi-pass kernels in compares/s on one panel; the histogram, another algorithm whose
    rate counts element visits, on its own."""
    rs = analysis.result_set
    data = _bench_series(rs.bench)
    groups = [("multi-pass kernels", "G compares per second, one core (log)",
               {k: v for k, v in data.items() if v[0][2] != "histogram"}),
              ("histogram (another algorithm)", "G element visits per second, one core (log)",
               {k: v for k, v in data.items() if v[0][2] == "histogram"})]
    groups = [g for g in groups if g[2]]
    fig, axes = plt.subplots(1, len(groups), figsize=(6.5 * len(groups) + 1, 5), squeeze=False)
    cache_list = caches(rs.context.get("caches"))
    for ax, (title, ylabel, kernels) in zip(axes[0], groups):
        for kernel, pts in sorted(kernels.items()):
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", ms=4, label=kernel)
        sizes = {p[0] for pts in kernels.values() for p in pts if p[0] & (p[0] - 1) == 0}
        bytes_axis(ax, sizes)
        plain_log_y(ax)
        mark_caches(ax, cache_list, sizes)
        ax.set_xlabel("array size (log2 scale)")
        ax.set_ylabel(ylabel)
        ax.set_title(title, pad=30)
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=len(kernels), fontsize=9,
                  frameon=False)
    # Size/<kernel>/<n>/<values>: the values are in the name.
    values = sorted({int(b["run_name"].split("/")[3]) for b in rs.bench["benchmarks"]
                     if b.get("run_name", "").startswith("Size/")
                     and len(b["run_name"].split("/")) > 3})
    fig.suptitle("Kernel throughput against the array's size (Google Benchmark medians, "
                 f"{', '.join(map(str, values))} values)", fontsize=12)
    fig.tight_layout()
    save(fig, out_dir, "kernels")
    return [("kernels", "")]

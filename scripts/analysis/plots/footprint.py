"""The array's memory, read back: what each mechanism costs the node as ranks are added."""

import numpy as np

from .common import plain_log_y, plt, ranks_axis, save, series

PSS_COLUMN = "array_pss_kib"  # the probe: PSS of the array's mapping in one rank, KiB


def has_footprint(result_set):
    """Whether the set's runs carry the footprint probe."""
    return all(PSS_COLUMN in run.rows[0] for p in result_set.points for run in p.runs)


def _per_rank_kib(point):
    """Each rank's array PSS in this point (every run, the first parallel repetition)."""
    out = []
    for run in point.runs:
        first = min(int(r["rep"]) for r in run.rows if r["phase"] == "parallel")
        out += [float(r[PSS_COLUMN]) for r in run.rows
                if r["phase"] == "parallel" and int(r["rep"]) == first and r[PSS_COLUMN]]
    return np.array(out)


def draw_footprint(analysis, out_dir, _options):
    """Left: the array's memory on the node (the ranks' PSS summed) against the ranks; right: one
    rank's share of it. A shared array stays one copy; private copies grow with the ranks."""
    rs = analysis.result_set
    fig, (total_ax, rank_ax) = plt.subplots(1, 2, figsize=(11.5, 4.6))
    ranks = rs.rank_counts
    for s in series(rs, rs.points, list(rs.axes)):
        xs = [p.ranks for p in s.points]
        per_rank = [_per_rank_kib(p) for p in s.points]
        runs = [len(p.runs) for p in s.points]
        totals = [v.sum() / n / 1024 for v, n in zip(per_rank, runs)]
        total_ax.plot(xs, totals, marker=s.marker, color=s.colour, ls=s.linestyle,
                      label=s.label or "array")
        rank_ax.plot(xs, [np.median(v) / 1024 for v in per_rank], marker=s.marker, color=s.colour,
                     ls=s.linestyle, label=s.label or "array")
    sizes = {int(p.config["size"]) * 4 / 2**20 for p in rs.points}
    for size in sorted(sizes):
        total_ax.axhline(size, color="0.5", ls=":", lw=1)
        total_ax.annotate(f"one copy: {size:.3g} MiB", (ranks[-1], size), xytext=(-4, 3),
                          textcoords="offset points", fontsize=8, color="0.35", ha="right")
    for ax, ylabel in ((total_ax, "array memory per node (MiB)"),
                       (rank_ax, "one rank's array PSS (MiB, median)")):
        ranks_axis(ax, ranks)
        low, high = ax.get_ylim()
        if high > 20 * max(low, 1e-9):
            plain_log_y(ax)  # Sizes and copies spread over decades.
        else:
            ax.set_ylim(bottom=0, top=high * 1.15)  # One size: plain MiB from zero.
        ax.set_xlabel("ranks N")
        ax.set_ylabel(ylabel.replace("(MiB", "(MiB, log scale" if ax.get_yscale() == "log" else "(MiB"))
        ax.grid(True, which="major", alpha=0.3)
    total_ax.set_title("What the array costs the node\n(the ranks' PSS summed)")
    rank_ax.set_title("What each rank maps of it (PSS)")
    handles, labels = total_ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(4, len(labels)), fontsize=8,
               frameon=False, bbox_to_anchor=(0.5, -0.02 - 0.045 * ((len(labels) - 1) // 4)))
    fig.suptitle("Footprint, read back from /proc/<pid>/smaps after the parallel phase",
                 fontsize=11)
    fig.tight_layout()
    save(fig, out_dir, "footprint")
    return [("footprint", "")]

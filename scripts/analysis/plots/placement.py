"""Where the ranks of one rank count ran, and every rank's time in every repetition."""

from collections import defaultdict

import numpy as np
from matplotlib.patches import Rectangle

from ..text import count
from .common import facets, plt, save, series, series_axis


def _lines(analysis, n):
    """Per facet: the series (one point each) at rank count n."""
    rs = analysis.result_set
    axis = series_axis(rs)
    for facet in facets(rs, {axis}):
        at_n = [p for p in facet.points if p.ranks == n]
        if at_n:
            yield facet, series(rs, at_n, [axis] if axis else [])


def _last_repetition(point):
    """The parallel records of the point's last repetition of its last round."""
    run = max(point.runs, key=lambda r: r.round)
    last = max(int(r["rep"]) for r in run.rows)
    return [r for r in run.rows if r["phase"] == "parallel" and int(r["rep"]) == last]


def _draw_machine(ax, layout, rows):
    """The machine's packages, NUMA nodes, cores and PUs, with the ranks of `rows` on them."""
    on_pu, off = defaultdict(list), set()
    for r in rows:
        if r["pu_logical"]:
            on_pu[int(r["pu_logical"])].append(r["rank"])
        if r["placed_ok"] != "1":
            off.add(r["rank"])
    x = 0.0
    for pkg in sorted(layout, key=int):
        pkg_start = x
        for numa in sorted(layout[pkg], key=lambda v: int(v) if v else -1):
            numa_start = x
            for core in sorted(layout[pkg][numa], key=int):
                pus = sorted(layout[pkg][numa][core])
                ax.add_patch(Rectangle((x, 0.15), len(pus), 0.7, fill=False, lw=1.2, ec="0.25"))
                for i, pu in enumerate(pus):
                    ranks = on_pu.get(pu, [])
                    face = "#f4a6a6" if any(rk in off for rk in ranks) else (
                        "#bfe3bf" if len(ranks) == 1 else "#ffd27f" if ranks else "white")
                    ax.add_patch(Rectangle((x + i + 0.06, 0.22), 0.88, 0.56, fc=face, ec="0.6",
                                           lw=0.8))
                    ax.text(x + i + 0.5, 0.5, "+".join(ranks), ha="center", va="center",
                            fontsize=9 if len(ranks) < 3 else 7)
                    ax.text(x + i + 0.5, 0.06, f"{pu}", ha="center", va="center", fontsize=7,
                            color="0.4")
                x += len(pus) + 0.15
            ax.add_patch(Rectangle((numa_start - 0.08, 0.0), x - numa_start, 1.0, fill=False,
                                   ls="--", ec="tab:blue", lw=1))
            ax.text(numa_start, 1.04, f"NUMA {numa}", fontsize=8, color="tab:blue")
            x += 0.3
        ax.add_patch(Rectangle((pkg_start - 0.2, -0.1), x - pkg_start, 1.32, fill=False,
                               ec="black", lw=1.5))
        ax.text(pkg_start + (x - pkg_start) / 2, 1.27, f"package {pkg}", ha="center", fontsize=9,
                fontweight="bold")
        x += 0.5
    ax.set_xlim(-0.5, x)
    ax.set_ylim(-0.2, 1.45)
    ax.axis("off")
    return off


def draw_placement(analysis, out_dir, options):
    """placement-np<N>[-facet]: a machine map per line, the last repetition's ranks on it."""
    rs, st, n = analysis.result_set, analysis.stats, options["placement_ranks"]
    layout = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for r in rs.machine:
        layout[r["package"]][r["numa"]][r["core"]].append(int(r["pu_logical"]))
    cores = sum(len(c) for numa in layout.values() for c in numa.values())
    drawn = []
    for facet, lines in _lines(analysis, n):
        fig, axes = plt.subplots(len(lines), 1, squeeze=False,
                                 figsize=(max(6, min(22, 0.9 * cores + 2)), 1.8 * len(lines) + 1.1))
        for ax, s in zip(axes[:, 0], lines):
            point = s.points[0]
            ps = st[point.name]
            off = _draw_machine(ax, layout, _last_repetition(point))
            reps = len(ps.parallel)
            where = (f"every rank on the same PU in all {reps} repetitions" if ps.moved == 0 else
                     f"{count(ps.moved, 'rank')} moved between PUs over {reps} repetitions; "
                     "the last is shown")
            extra = f"; {count(len(off), 'rank')} NOT where planned" if off else ""
            ax.set_title(f"{s.label + ': ' if s.label else ''}{where}{extra}", loc="left",
                         fontsize=10)
        fig.suptitle(f"Where {count(n, 'rank')} ran{': ' + facet.title if facet.title else ''} "
                     "(small numbers: logical PU index)\n"
                     "green: one rank on the PU, orange: ranks share it, red: off-plan",
                     fontsize=11)
        fig.tight_layout()
        name = f"placement-np{n}{facet.slug}"
        save(fig, out_dir, name)
        drawn.append((name, facet.title))
    return drawn


def draw_rank_spread(analysis, out_dir, options):
    """rank-spread-np<N>[-facet]: every rank's own time per repetition, rounds shaded."""
    n = options["placement_ranks"]
    drawn = []
    for facet, lines in _lines(analysis, n):
        fig, ax = plt.subplots(figsize=(max(7.5, 0.6 * n * len(lines) + 3), 4.8))
        ticks, labels = [], []
        x = 0
        rounds = sorted({run.round for s in lines for run in s.points[0].runs})
        shade = {rd: 0.35 + 0.65 * i / max(1, len(rounds) - 1) for i, rd in enumerate(rounds)}
        for s in lines:
            per_rank = defaultdict(list)
            for run in s.points[0].runs:
                for r in run.rows:
                    if r["phase"] == "parallel":
                        per_rank[int(r["rank"])].append((run.round, int(r["time_ns"]) / 1e6))
            first = x
            for rank in sorted(per_rank):
                for rd in rounds:
                    ts = [t for k, t in per_rank[rank] if k == rd]
                    ax.scatter([x + 0.25 * (shade[rd] - 0.675)] * len(ts), ts, color=s.colour,
                               marker=s.marker, s=18, alpha=shade[rd])
                ax.plot([x - 0.3, x + 0.3], [np.median([t for _, t in per_rank[rank]])] * 2,
                        color="black", lw=2)
                ticks.append(x)
                labels.append(str(rank))
                x += 1
            if s.label:
                ax.text((first + x - 1) / 2, 1.01, s.label, transform=ax.get_xaxis_transform(),
                        ha="center", fontsize=9, color=s.colour)
            x += 1.5
        ax.set_xticks(ticks)
        ax.set_xticklabels(labels, fontsize=8)
        ax.set_xlabel("rank (dots: repetitions, later rounds darker and further right; "
                      "bar: median)", fontsize=9)
        ax.set_ylabel("one rank's own kernel time (ms)")
        ax.set_title(f"Per-rank times with {count(n, 'rank')}"
                     f"{': ' + facet.title if facet.title else ''}", pad=22)
        ax.grid(True, axis="y", alpha=0.3)
        name = f"rank-spread-np{n}{facet.slug}"
        save(fig, out_dir, name)
        drawn.append((name, facet.title))
    return drawn

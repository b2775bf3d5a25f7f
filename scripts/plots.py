#!/usr/bin/python3
"""Figures and a report from a shmcount result set (what scripts/sweep.sh writes).

Usage: plots.py [--results results/<set>] [--out plots/<set>] [--placement-ranks N]

Reads every point's CSV and run context, checks them, and writes PNG and SVG figures plus
REPORT.md into plots/<set>/. The folder appears whole or not at all: everything is drawn in a
temporary folder first. Exit status 2 and one message naming the file when the input is wrong.
"""

import argparse
import csv
import json
import math
import os
import shutil
import statistics
import sys
import tempfile
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter  # noqa: E402

# The columns shmcount writes (report/csv.cpp); a CSV with others or without these is refused.
COLUMNS = [
    "run_id", "phase", "ranks", "nodes", "node", "host", "rank", "local_rank", "rep", "kernel",
    "algorithm", "size", "values", "pattern", "units", "work_per_unit", "time_ns", "start_ns",
    "ok", "strategy", "planned_pu", "pu_logical", "pu_os", "core", "numa", "package",
    "placed_ok", "oversubscribed",
]
MACHINE_COLUMNS = ["rank", "pu_logical", "pu_os", "core", "numa", "package"]
STYLE = {"none": ("tab:gray", "o"), "launcher": ("tab:brown", "v"),
         "compact": ("tab:blue", "s"), "core": ("tab:green", "^"),
         "scatter": ("tab:red", "D")}
plt.rcParams.update({"font.size": 11, "axes.titlesize": 13, "axes.labelsize": 11,
                     "legend.fontsize": 9, "figure.dpi": 110, "savefig.dpi": 130})


class InputError(Exception):
    """Wrong or incomplete input: the message says what and which file."""


def style(pin):
    return STYLE.get(pin, ("tab:purple", "P"))


def read_csv(path, required):
    try:
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
            header = rows[0].keys() if rows else next(csv.reader(open(path)), [])
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror})")
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c not in required]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}")
    if unknown:
        raise InputError(f"{path}: unknown column(s) {', '.join(unknown)} (not written by shmcount)")
    if not rows:
        raise InputError(f"{path}: no rows")
    return rows


def newest_result_set(root="results"):
    sets = [os.path.join(root, d) for d in os.listdir(root)
            if os.path.isfile(os.path.join(root, d, "manifest.csv"))] if os.path.isdir(root) else []
    if not sets:
        raise InputError(f"no result set under {root}/ (a folder with manifest.csv): "
                         "run make sweep first, or give RESULTS=path")
    return max(sets, key=lambda d: os.path.getmtime(os.path.join(d, "manifest.csv")))


class Point:
    """One mpirun job of the sweep: its records and the figures derived from them."""

    def __init__(self, kernel, pin, ranks, rows, context):
        self.kernel, self.pin, self.ranks = kernel, pin, ranks
        self.rows, self.context = rows, context
        par = defaultdict(float)
        seq = defaultdict(float)
        for r in rows:
            ms = int(r["time_ns"]) / 1e6
            rep = int(r["rep"])
            if r["phase"] == "parallel":
                par[rep] = max(par[rep], ms)
            else:
                seq[rep] += ms
        self.parallel = [par[k] for k in sorted(par)]      # per rep: slowest rank, ms
        self.sequential = [seq[k] for k in sorted(seq)]    # per rep: all units, ms
        self.unit_times = [int(r["time_ns"]) / 1e6 for r in rows if r["phase"] == "parallel"]
        self.wrong = sum(1 for r in rows if r["ok"] != "1")
        self.off_plan = sum(1 for r in rows if r["placed_ok"] != "1")

    def speedup(self):
        if not self.sequential:
            return None
        return statistics.median(self.sequential) / statistics.median(self.parallel)


def spread(xs):
    if not xs:
        return None
    mean = statistics.fmean(xs)
    cv = statistics.stdev(xs) / mean if len(xs) > 1 and mean > 0 else 0.0
    return {"min": min(xs), "median": statistics.median(xs), "max": max(xs), "cv": cv}


def load(set_dir):
    manifest_path = os.path.join(set_dir, "manifest.csv")
    if not os.path.isdir(set_dir):
        raise InputError(f"{set_dir}: no such result set")
    if not os.path.isfile(manifest_path):
        raise InputError(f"{manifest_path}: missing; is {set_dir} a result set of scripts/sweep.sh?")
    manifest = read_csv(manifest_path, ["point", "kernel", "pin", "ranks", "status", "csv"])
    pending = [m for m in manifest if m["status"] == "pending"]
    if pending:
        raise InputError(f"{manifest_path}: the sweep is unfinished ({len(pending)} of "
                         f"{len(manifest)} points pending); run the same sweep again to finish it")
    failed = [m for m in manifest if m["status"] == "failed"]
    points = []
    for m in manifest:
        if m["status"] != "done":
            continue
        path = os.path.join(set_dir, m["csv"])
        rows = read_csv(path, COLUMNS)
        ctx_path = path[:-4] + ".json"
        try:
            with open(ctx_path) as f:
                context = json.load(f)
        except (OSError, ValueError) as e:
            raise InputError(f"{ctx_path}: missing or not JSON ({e})")
        points.append(Point(m["kernel"], m["pin"], int(m["ranks"]), rows, context))
    if not points:
        raise InputError(f"{manifest_path}: no finished point to plot")
    machine = read_csv(os.path.join(set_dir, "machine.csv"), MACHINE_COLUMNS)
    bench = None
    bench_path = os.path.join(set_dir, "bench.json")
    if os.path.isfile(bench_path):
        try:
            with open(bench_path) as f:
                bench = json.load(f)
        except ValueError as e:
            raise InputError(f"{bench_path}: not JSON ({e})")
    return points, failed, machine, bench


def save(fig, out_dir, name):
    fig.tight_layout()
    fig.savefig(os.path.join(out_dir, name + ".png"))
    fig.savefig(os.path.join(out_dir, name + ".svg"))
    plt.close(fig)


def by_pin(points, kernel):
    groups = defaultdict(list)
    for p in points:
        if p.kernel == kernel:
            groups[p.pin].append(p)
    return {pin: sorted(ps, key=lambda p: p.ranks) for pin, ps in groups.items()}


def machine_counts(machine):
    return len({r["core"] for r in machine}), len(machine)


def plain_log_y(ax):
    """Log y axis labelled with plain numbers (12, 50, 100) rather than powers of ten."""
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 3.0, 5.0)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())


def size_label(nbytes):
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if nbytes >= 1 << shift:
            return f"{nbytes / (1 << shift):g} {unit}"
    return f"{nbytes} B"


def log2_axis(ax, ranks):
    ax.set_xscale("log", base=2)
    ax.set_xticks(ranks)
    ax.set_xticklabels([str(r) for r in ranks])
    ax.minorticks_off()


def mark_machine(ax, machine):
    cores, pus = machine_counts(machine)
    ax.axvline(cores, color="0.35", ls=":", lw=1.2)
    ax.annotate(f"{cores} cores", (cores, 0), xycoords=("data", "axes fraction"),
                xytext=(3, 4), textcoords="offset points", fontsize=9, color="0.3")
    if pus != cores:
        ax.axvline(pus, color="0.35", ls="--", lw=1.2)
        ax.annotate(f"{pus} PUs", (pus, 0), xycoords=("data", "axes fraction"),
                    xytext=(3, 16), textcoords="offset points", fontsize=9, color="0.3")


def plot_scaling(points, kernel, machine, host, out_dir):
    groups = by_pin(points, kernel)
    ranks = sorted({p.ranks for p in points if p.kernel == kernel})
    fig, ax = plt.subplots(figsize=(8, 5.2))
    seq_points = {}
    for pin, ps in sorted(groups.items()):
        color, marker = style(pin)
        xs = [p.ranks for p in ps]
        med = [statistics.median(p.parallel) for p in ps]
        ax.fill_between(xs, [min(p.parallel) for p in ps], [max(p.parallel) for p in ps],
                        color=color, alpha=0.15, lw=0)
        ax.plot(xs, med, marker=marker, color=color, label=f"parallel, --pin {pin}")
        for p in ps:
            if p.sequential:
                seq_points.setdefault(p.ranks, []).extend(p.sequential)
    if seq_points:
        xs = sorted(seq_points)
        ax.plot(xs, [statistics.median(seq_points[x]) for x in xs], color="black", ls="--",
                marker="x", label="sequential: 1 process does all N units")
        ax.fill_between(xs, [min(seq_points[x]) for x in xs], [max(seq_points[x]) for x in xs],
                        color="black", alpha=0.08, lw=0)
    ones = [p for p in points if p.kernel == kernel and p.ranks == 1]
    if ones:
        unit = statistics.median([t for p in ones for t in p.parallel])
        ax.axhline(unit, color="tab:olive", lw=1.2, ls="-.",
                   label=f"ideal parallel: one unit alone ({unit:.1f} ms)")
    log2_axis(ax, ranks)
    plain_log_y(ax)
    mark_machine(ax, machine)
    ax.set_xlabel("ranks N (each does one unit of work)")
    ax.set_ylabel("time for all N units (ms, log scale)")
    ax.set_title(f"Scaling: {kernel} kernel on {host}\nmedian of repetitions, band = min..max")
    ax.legend(loc="upper left")
    ax.grid(True, which="major", alpha=0.3)
    save(fig, out_dir, f"scaling-{kernel}")


def plot_speedup(points, kernel, machine, host, out_dir):
    groups = by_pin(points, kernel)
    ranks = sorted({p.ranks for p in points if p.kernel == kernel})
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.6))
    for pin, ps in sorted(groups.items()):
        ps = [p for p in ps if p.speedup() is not None]
        if not ps:
            continue
        color, marker = style(pin)
        xs = [p.ranks for p in ps]
        ax1.plot(xs, [p.speedup() for p in ps], marker=marker, color=color, label=f"--pin {pin}")
        ax2.plot(xs, [100 * p.speedup() / p.ranks for p in ps], marker=marker, color=color,
                 label=f"--pin {pin}")
    ax1.plot(ranks, ranks, color="0.5", lw=1, ls="-.", label="ideal (N)")
    ax2.axhline(100, color="0.5", lw=1, ls="-.", label="ideal (100%)")
    for ax in (ax1, ax2):
        log2_axis(ax, ranks)
        mark_machine(ax, machine)
        ax.set_xlabel("ranks N")
        ax.grid(True, alpha=0.3)
        ax.legend(loc="best")
    ax1.set_ylabel("speedup (median sequential / median parallel)")
    ax2.set_ylabel("parallel efficiency (speedup / N, %)")
    ax2.set_ylim(bottom=0)
    ax1.set_title("Speedup")
    ax2.set_title("Efficiency")
    fig.suptitle(f"{kernel} kernel on {host}", fontsize=13)
    save(fig, out_dir, f"speedup-{kernel}")


def placement_of(point):
    """Rank -> PU it last ran on: equal for two points that placed ranks alike."""
    return {r["rank"]: r["pu_logical"] for r in last_rep_rows(point)}


def last_rep_rows(point):
    last = max(int(r["rep"]) for r in point.rows)
    return [r for r in point.rows if r["phase"] == "parallel" and int(r["rep"]) == last]


def plot_placement(points, kernel, machine, n, out_dir):
    groups = {pin: [p for p in ps if p.ranks == n] for pin, ps in by_pin(points, kernel).items()}
    groups = {pin: ps[0] for pin, ps in groups.items() if ps}
    pins = sorted(groups)
    # The machine as hwloc describes it: package > NUMA node > core > PU, in logical order.
    layout = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for r in machine:
        layout[r["package"]][r["numa"]][r["core"]].append(int(r["pu_logical"]))
    cores_total = sum(len(c) for numa in layout.values() for c in numa.values())
    width = max(6, min(22, 0.9 * cores_total + 2))
    fig, axes = plt.subplots(len(pins), 1, figsize=(width, 1.7 * len(pins) + 1.0), squeeze=False)
    for ax, pin in zip(axes[:, 0], pins):
        on_pu = defaultdict(list)
        off = set()
        for r in last_rep_rows(groups[pin]):
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
                    ax.add_patch(Rectangle((x, 0.15), len(pus), 0.7, fill=False, lw=1.2,
                                           ec="0.25"))
                    for i, pu in enumerate(pus):
                        ranks = on_pu.get(pu, [])
                        bad = any(rk in off for rk in ranks)
                        face = "#f4a6a6" if bad else ("#bfe3bf" if len(ranks) == 1 else
                                                      "#ffd27f" if ranks else "white")
                        ax.add_patch(Rectangle((x + i + 0.06, 0.22), 0.88, 0.56, fc=face,
                                               ec="0.6", lw=0.8))
                        ax.text(x + i + 0.5, 0.5, "+".join(ranks) if ranks else "",
                                ha="center", va="center", fontsize=9 if len(ranks) < 3 else 7)
                        ax.text(x + i + 0.5, 0.06, f"{pu}", ha="center", va="center",
                                fontsize=7, color="0.4")
                    x += len(pus) + 0.15
                ax.add_patch(Rectangle((numa_start - 0.08, 0.0), x - numa_start, 1.0, fill=False,
                                       ls="--", ec="tab:blue", lw=1))
                ax.text(numa_start, 1.04, f"NUMA {numa}", fontsize=8, color="tab:blue")
                x += 0.3
            ax.add_patch(Rectangle((pkg_start - 0.2, -0.1), x - pkg_start, 1.32, fill=False,
                                   ec="black", lw=1.5))
            ax.text(pkg_start + (x - pkg_start) / 2, 1.27, f"package {pkg}", ha="center",
                    fontsize=9, fontweight="bold")
            x += 0.5
        ax.set_xlim(-0.5, x)
        ax.set_ylim(-0.2, 1.45)
        ax.axis("off")
        extra = f", {len(off)} rank(s) NOT where planned" if off else ""
        ax.set_title(f"--pin {pin}{extra}", loc="left", fontsize=11)
    fig.suptitle(f"Where {n} ranks ran (last repetition; small numbers: logical PU index)\n"
                 "green: one rank on the PU, orange: ranks share it, red: off-plan",
                 fontsize=11)
    save(fig, out_dir, f"placement-{kernel}-np{n}")


def plot_rank_spread(points, kernel, n, out_dir):
    groups = {pin: [p for p in ps if p.ranks == n] for pin, ps in by_pin(points, kernel).items()}
    groups = {pin: ps[0] for pin, ps in groups.items() if ps}
    pins = sorted(groups)
    fig, ax = plt.subplots(figsize=(max(6, 1.2 * n * len(pins) / 2 + 3), 4.8))
    tick_pos, tick_lab = [], []
    x = 0
    for pin in pins:
        color, marker = style(pin)
        per_rank = defaultdict(list)
        for r in groups[pin].rows:
            if r["phase"] == "parallel":
                per_rank[int(r["rank"])].append(int(r["time_ns"]) / 1e6)
        for rank in sorted(per_rank):
            ts = per_rank[rank]
            ax.scatter([x] * len(ts), ts, color=color, marker=marker, s=18, alpha=0.6)
            ax.plot([x - 0.3, x + 0.3], [statistics.median(ts)] * 2, color="black", lw=2)
            tick_pos.append(x)
            tick_lab.append(str(rank))
            x += 1
        ax.text(x - len(per_rank) / 2 - 0.5, 1.01, f"--pin {pin}", transform=ax.get_xaxis_transform(),
                ha="center", fontsize=10, color=color)
        x += 1.5
    ax.set_xticks(tick_pos)
    ax.set_xticklabels(tick_lab, fontsize=8)
    ax.set_xlabel("rank (dots: repetitions, bar: median)")
    ax.set_ylabel("one rank's kernel time (ms)")
    ax.set_title(f"Per-rank times with {n} ranks, {kernel} kernel", pad=22)
    ax.grid(True, axis="y", alpha=0.3)
    save(fig, out_dir, f"rank-spread-{kernel}-np{n}")


def parse_caches(text):
    caches = []
    for item in (text or "").split():
        name, _, size = item.partition(":")
        if size.isdigit():
            caches.append((name, int(size)))
    return caches


def plot_kernels(bench, caches, out_dir):
    series = defaultdict(list)
    for b in bench.get("benchmarks", []):
        parts = b.get("run_name", "").split("/")
        if len(parts) < 4 or parts[0] != "Size" or b.get("error_occurred"):
            continue
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
            continue
        if b.get("run_type") != "aggregate" and any(
                x.get("run_name") == b["run_name"] and x.get("run_type") == "aggregate"
                for x in bench["benchmarks"]):
            continue
        # items_per_second since the references joined; compares/s in older result sets.
        rate = b.get("items_per_second", b.get("compares/s"))
        series[parts[1]].append((int(parts[2]) * 4, rate / 1e9, b.get("label", "")))
    if not series:
        return False
    fig, ax = plt.subplots(figsize=(10, 5))
    for kernel, pts in sorted(series.items()):
        pts.sort()
        label = kernel + (" (element visits/s: another algorithm)"
                          if pts[0][2] == "histogram" else "")
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=label)
    for name, size in caches:
        ax.axvline(size, color="0.4", ls=":", lw=1)
        ax.annotate(f"{name} {size_label(size)}", (size, 0), xycoords=("data", "axes fraction"),
                    xytext=(-12, 6), textcoords="offset points", fontsize=9, color="0.3",
                    rotation=90, va="bottom")
    ax.set_xscale("log", base=2)
    sizes = sorted({p[0] for pts in series.values() for p in pts if p[0] & (p[0] - 1) == 0})
    ax.set_xticks(sizes[::2] if len(sizes) > 8 else sizes)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: size_label(int(v))))
    ax.xaxis.set_minor_formatter(NullFormatter())
    plain_log_y(ax)
    ax.set_xlabel("array size (log2 scale)")
    ax.set_ylabel("G compares per second, one core (log)")
    # Size/<kernel>/<n>/<values>: the values are in the name.
    vals = {int(b["run_name"].split("/")[3]) for b in bench["benchmarks"]
            if b.get("run_name", "").startswith("Size/") and len(b["run_name"].split("/")) > 3}
    ax.set_title("Kernel throughput vs array size (Google Benchmark medians, "
                 f"{', '.join(map(str, sorted(vals)))} values)")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0)
    save(fig, out_dir, "kernels")
    return True


def fmt_spread(s):
    return f"{s['min']:.2f} / {s['median']:.2f} / {s['max']:.2f}"


def report(points, failed, machine, bench_drawn, set_dir, n_place, out_dir, figures):
    ctx = points[0].context
    cores, pus = machine_counts(machine)
    lines = [f"# shmcount result set `{os.path.basename(os.path.normpath(set_dir))}`", ""]
    lines += ["## Machine", "",
              f"- host: {ctx.get('host')}; CPU: {ctx.get('cpu_model')}",
              f"- topology: {ctx.get('topology')}; caches: {ctx.get('caches', 'unknown')}",
              f"- MPI: {ctx.get('mpi_library')}", f"- hwloc: {ctx.get('hwloc_version')}",
              f"- compiler: {ctx.get('compiler')}, flags: `{ctx.get('build_flags')}`",
              f"- shmcount {ctx.get('version')}, revision {ctx.get('revision')}",
              f"- first point run at {ctx.get('utc_time')}; "
              f"{len(points)} point(s), {ctx['config']['reps']} timed repetitions each", ""]
    if failed:
        lines += [f"**{len(failed)} point(s) failed and are not shown:** " +
                  ", ".join(f"{m['kernel']} --pin {m['pin']} x{m['ranks']}" for m in failed), ""]
    for kernel in sorted({p.kernel for p in points}):
        cfg = next(p for p in points if p.kernel == kernel).context["config"]
        lines += [f"## Kernel `{kernel}` ({cfg['algorithm']}), {cfg['size']} int32, "
                  f"{cfg['values']} values", "",
                  "Times in ms per repetition: sequential = one process doing all N units back "
                  "to back; parallel = the slowest of N ranks, each doing one unit. Spread is "
                  "min / median / max over repetitions and the coefficient of variation.", ""]
        for pin, ps in sorted(by_pin(points, kernel).items()):
            lines += [f"### --pin {pin}", "",
                      "| ranks | sequential (ms) | parallel (ms) | speedup | efficiency | "
                      "parallel min / median / max | cv |",
                      "|---:|---:|---:|---:|---:|---:|---:|"]
            for p in ps:
                par = spread(p.parallel)
                seq = spread(p.sequential)
                sp = p.speedup()
                flags = " (oversubscribed)" if p.ranks > pus else ""
                if p.wrong:
                    flags += f" **{p.wrong} wrong counts**"
                if p.off_plan:
                    flags += f" ({p.off_plan} off-plan)"
                lines.append(
                    f"| {p.ranks}{flags} | {seq['median']:.2f} | {par['median']:.2f} | "
                    f"{sp:.2f}x | {100 * sp / p.ranks:.0f}% | {fmt_spread(par)} | "
                    f"{100 * par['cv']:.1f}% |" if seq else
                    f"| {p.ranks}{flags} | - | {par['median']:.2f} | - | - | {fmt_spread(par)} | "
                    f"{100 * par['cv']:.1f}% |")
            lines.append("")
        lines += ["### Which placement wins, beyond the noise?", ""]
        ranks = sorted({p.ranks for p in points if p.kernel == kernel})
        for n in ranks:
            at_n = [p for p in points if p.kernel == kernel and p.ranks == n]
            if len(at_n) < 2:
                continue
            best = min(at_n, key=lambda p: statistics.median(p.parallel))
            worst = max(at_n, key=lambda p: statistics.median(p.parallel))
            overlap = max(best.parallel) >= min(worst.parallel)
            same_place = placement_of(best) == placement_of(worst)
            if same_place:
                verdict = ("both put every rank on the same PU, so the difference is this "
                           "machine's run-to-run noise, not placement")
            elif overlap:
                verdict = "the min..max ranges overlap: the difference is within the noise"
            else:
                verdict = "the min..max ranges do not overlap"
            lines.append(f"- {n} ranks: fastest --pin {best.pin} "
                         f"({statistics.median(best.parallel):.2f} ms), slowest --pin {worst.pin} "
                         f"({statistics.median(worst.parallel):.2f} ms); {verdict}.")
        lines.append("")
    lines += ["## Figures", ""]
    for name, sentence in figures:
        lines += [f"![{name}]({name}.png)", "", sentence, ""]
    with open(os.path.join(out_dir, "REPORT.md"), "w") as f:
        f.write("\n".join(lines))


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--results", help="result set folder (default: the newest under results/)")
    ap.add_argument("--out", help="output folder (default: plots/<result set name>)")
    ap.add_argument("--placement-ranks", type=int,
                    help="rank count for the placement and per-rank figures "
                         "(default: the largest that fits the machine's PUs)")
    args = ap.parse_args(argv)
    try:
        set_dir = args.results or newest_result_set()
        points, failed, machine, bench = load(set_dir)
    except InputError as e:
        print(f"plots: {e}", file=sys.stderr)
        return 2
    name = os.path.basename(os.path.normpath(set_dir))
    out_dir = args.out or os.path.join("plots", name)
    cores, pus = machine_counts(machine)
    host = points[0].context.get("host", "?")
    ranks = sorted({p.ranks for p in points})
    n_place = args.placement_ranks or max([r for r in ranks if r <= pus] or ranks[:1])
    if n_place not in ranks:
        print(f"plots: --placement-ranks {n_place}: the set has {ranks}", file=sys.stderr)
        return 2

    parent = os.path.dirname(os.path.abspath(out_dir))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".plots-", dir=parent)
    try:
        figures = []
        for kernel in sorted({p.kernel for p in points}):
            plot_scaling(points, kernel, machine, host, tmp)
            figures.append((f"scaling-{kernel}",
                            f"Time for N units of the {kernel} kernel: parallel (one unit per "
                            "rank, slowest rank) per strategy against one process doing all "
                            "units; the flat line is one unit alone, what perfect scaling gives."))
            plot_speedup(points, kernel, machine, host, tmp)
            figures.append((f"speedup-{kernel}",
                            "Speedup (sequential / parallel median) and efficiency per strategy; "
                            "dotted and dashed lines mark the machine's cores and PUs."))
            plot_placement(points, kernel, machine, n_place, tmp)
            figures.append((f"placement-{kernel}-np{n_place}",
                            f"Where each of {n_place} ranks ran under each strategy, on the "
                            "machine's packages, NUMA nodes, cores and PUs (read back by hwloc)."))
            plot_rank_spread(points, kernel, n_place, tmp)
            figures.append((f"rank-spread-{kernel}-np{n_place}",
                            f"Every rank's kernel time in every repetition with {n_place} ranks: "
                            "slow ranks and noise show as outlying dots."))
        caches = parse_caches(points[0].context.get("caches", ""))
        if bench and plot_kernels(bench, caches, tmp):
            figures.append(("kernels",
                            "Single-core throughput of each kernel as the array grows past the "
                            "caches (marked); the histogram is a different algorithm."))
        report(points, failed, machine, bench is not None, set_dir, n_place, tmp, figures)
        if os.path.isdir(out_dir):
            shutil.rmtree(out_dir)
        os.rename(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    print(f"plots: wrote {len(figures)} figures (PNG + SVG) and REPORT.md to {out_dir}/")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

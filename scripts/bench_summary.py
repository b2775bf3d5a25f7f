#!/usr/bin/python3
"""One line per benchmark from a Google Benchmark JSON file written by shmcount_bench, then each
kernel path against its reference.

Usage: bench_summary.py BENCH.json

Per benchmark: median real time over its repetitions, coefficient of variation, the work rate
(items_per_second: compares, or element visits for the histogram), compares per core cycle and
the fraction of the two-compare-port limit (multi-pass kernels). '*' marks the path a kernel
dispatches to on this CPU. Repetitions that spent over 5% of their real time off the CPU
(cpu_time < 0.95 real_time: the machine was busy) are counted in a note. Per pair (the context's "pairs"): kernel median / reference median with
a 95% bootstrap interval (2000 resamples of each side's repetitions, seeded); below 1 the kernel
is faster, and the interval says whether that is beyond the noise.
"""
import json
import statistics
import sys

import numpy as np


def repetitions(benchmarks):
    """Per run_name, the non-aggregate records (one per repetition) in file order."""
    runs = {}
    for b in benchmarks:
        if b.get("run_type") == "aggregate" or b.get("error_occurred"):
            continue
        runs.setdefault(b["run_name"], []).append(b)
    return runs


def short_name(run_name):
    return run_name[: -len("/real_time")] if run_name.endswith("/real_time") else run_name


def order(name):
    """Seed, then Ref, then Size; Size by kernel and array size."""
    parts = name.split("/")
    group = {"Seed": 0, "Ref": 1, "Size": 2}.get(parts[0], 3)
    return (group, parts[1] if len(parts) > 1 else "",
            [int(p) if p.isdigit() else 0 for p in parts[2:]], name)


def format_time(value, unit):
    seconds = value * {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[unit]
    for name, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:8.3f} {name:<2}"
    return f"{seconds / 1e-9:8.1f} ns"


def cv(values):
    if len(values) < 2:
        return float("nan")
    return statistics.stdev(values) / statistics.mean(values)


def ratio_interval(kernel, reference, resamples=2000, seed=0):
    rng = np.random.default_rng(seed)
    k = rng.choice(kernel, size=(resamples, len(kernel)))
    r = rng.choice(reference, size=(resamples, len(reference)))
    ratios = np.median(k, axis=1) / np.median(r, axis=1)
    return np.percentile(ratios, [2.5, 97.5])


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: bench_summary.py BENCH.json")
    with open(sys.argv[1]) as f:
        doc = json.load(f)
    context = doc.get("context", {})
    runs = repetitions(doc.get("benchmarks", []))
    dispatched = {f"Seed/{k[len('dispatched/'):]}/{isa}"
                  for k, isa in context.items() if k.startswith("dispatched/")}
    reps = max((len(r) for r in runs.values()), default=0)
    load = ", ".join(f"{x:.2f}" for x in context.get("load_avg", []))
    print(f"bench: {len(runs)} benchmarks, up to {reps} repetitions each; load average at start "
          f"{load or '?'}; core clock {float(context.get('core_clock_mhz', 'nan')):.0f} MHz "
          f"({context.get('core_clock_method', 'method unknown')}); limit "
          f"{float(context.get('compare_limit_per_cycle', 'nan')):g} compares/cycle (two "
          f"{context.get('widest_isa', '?')} vector compares)")
    print(f"{'benchmark':<36} {'median':>12} {'cv':>6} {'G items/s':>10} {'cmp/cycle':>10} "
          f"{'of limit':>9}")
    times = {}
    for name in sorted(runs, key=lambda n: order(short_name(n))):
        records = runs[name]
        unit = records[0].get("time_unit", "ns")
        t = [r["real_time"] for r in records]
        times[short_name(name)] = t
        items = statistics.median(r.get("items_per_second", float("nan")) for r in records)
        line = (f"{short_name(name) + (' *' if short_name(name) in dispatched else ''):<36} "
                f"{format_time(statistics.median(t), unit)} {cv(t):>6.1%} {items / 1e9:>10.3f}")
        if "cmp_per_cycle" in records[0]:
            line += (f" {statistics.median(r['cmp_per_cycle'] for r in records):>10.2f}"
                     f" {statistics.median(r['limit_fraction'] for r in records):>9.2f}")
        print(line)
    all_records = [r for records in runs.values() for r in records]
    off_cpu = sum(1 for r in all_records if r["cpu_time"] < 0.95 * r["real_time"])
    if off_cpu:
        print(f"note: {off_cpu} of {len(all_records)} repetitions spent over 5% of their time off "
              "the CPU (other load on this machine); their times are inflated")
    pairs = [p.split("=") for p in context.get("pairs", "").split(",") if "=" in p]
    shown = [(k, r) for k, r in pairs if k in times and r in times]
    if shown:
        print("kernel path vs its reference: ratio of median times [95% bootstrap interval]; "
              "< 1: kernel faster")
        for k, r in shown:
            low, high = ratio_interval(times[k], times[r])
            ratio = statistics.median(times[k]) / statistics.median(times[r])
            print(f"  {k + ' / ' + r:<50} {ratio:6.3f}  [{low:.3f}, {high:.3f}]")


if __name__ == "__main__":
    main()

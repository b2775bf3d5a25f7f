#!/usr/bin/python3
"""The article's table beside this machine's, from the points a `make seed` run wrote.

Usage: seed_table.py DIR ARTICLE_CSV PUS KERNEL...

DIR holds one shmcount CSV per point, <kernel>-np<ranks>.csv. For each kernel and rank count:
  sequential: one process doing all N units (shmcount's sequential phase): per repetition the
              sequential rows' time_ns, added over nodes;
  parallel:   the makespan of a repetition: per node, the last rank's end (start_ns + time_ns)
              minus the first rank's start, over the node's parallel rows; the largest over nodes.
Each is the median over repetitions; the ratio is this machine's figure over the article's (below
1: faster here). Rows with more ranks than PUS are marked '*' (oversubscribed). Prints the table
and writes DIR/table.csv (with min and max over repetitions).
"""
import csv
import os
import re
import statistics
import sys


def per_repetition(path):
    """(sequential ms per repetition, parallel makespan ms per repetition), in repetition order."""
    sequential = {}
    ends, starts = {}, {}
    with open(path) as f:
        for row in csv.DictReader(f):
            rep, node = int(row["rep"]), row["node"]
            start, time = int(row["start_ns"]), int(row["time_ns"])
            if row["phase"] == "sequential":
                sequential[rep] = sequential.get(rep, 0) + time
            elif row["phase"] == "parallel":
                key = (rep, node)
                starts[key] = min(starts.get(key, start), start)
                ends[key] = max(ends.get(key, start + time), start + time)
    makespan = {}
    for (rep, node), end in ends.items():
        makespan[rep] = max(makespan.get(rep, 0), end - starts[(rep, node)])
    ms = lambda d: [d[r] / 1e6 for r in sorted(d)]
    return ms(sequential), ms(makespan)


def read_article(path):
    article = {}
    with open(path) as f:
        for row in csv.DictReader(f):
            article[int(row["ranks"])] = (
                float(row["sequential_ms"]) if row["sequential_ms"] else None,
                float(row["parallel_ms"]) if row["parallel_ms"] else None)
    return article


def main():
    if len(sys.argv) < 5:
        sys.exit("usage: seed_table.py DIR ARTICLE_CSV PUS KERNEL...")
    folder, article_csv, pus, kernels = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
    article = read_article(article_csv)
    points = {}
    for name in os.listdir(folder):
        m = re.fullmatch(r"(.+)-np(\d+)\.csv", name)
        if m and m.group(1) in kernels:
            points[(m.group(1), int(m.group(2)))] = per_repetition(os.path.join(folder, name))
    ranks = sorted({r for _, r in points} | set(article))
    ranks = [r for r in ranks if any((k, r) in points for k in kernels)]

    def cell(values, reference):
        if not values:
            return "-", ""
        median = statistics.median(values)
        return f"{median:.1f}", (f"{median / reference:.3f}" if reference else "")

    head1 = f"{'':>7} {'article (ms)':>17}"
    head2 = f"{'ranks':>7} {'seq':>8} {'par':>8}"
    for k in kernels:
        head1 += f"   {k + ' (ms, ratio to article)':<36}"
        head2 += f"   {'seq':>9} {'ratio':>7} {'par':>9} {'ratio':>7}"
    print(head1.rstrip())
    print(head2)
    rows = []
    for r in ranks:
        seq_a, par_a = article.get(r, (None, None))
        line = (f"{str(r) + ('*' if r > pus else ' '):>7} "
                f"{'-' if seq_a is None else f'{seq_a:g}':>8} {'-' if par_a is None else f'{par_a:g}':>8}")
        for k in kernels:
            seq, par = points.get((k, r), ([], []))
            s, s_ratio = cell(seq, seq_a)
            p, p_ratio = cell(par, par_a)
            line += f"   {s:>9} {s_ratio:>7} {p:>9} {p_ratio:>7}"
            rows.append({
                "kernel": k, "ranks": r, "oversubscribed": int(r > pus),
                "repetitions": len(par),
                "article_sequential_ms": "" if seq_a is None else f"{seq_a:g}",
                "article_parallel_ms": "" if par_a is None else f"{par_a:g}",
                "sequential_ms_median": f"{statistics.median(seq):.3f}" if seq else "",
                "sequential_ratio": s_ratio,
                "sequential_ms_min": f"{min(seq):.3f}" if seq else "",
                "sequential_ms_max": f"{max(seq):.3f}" if seq else "",
                "parallel_makespan_ms_median": f"{statistics.median(par):.3f}" if par else "",
                "parallel_ratio": p_ratio,
                "parallel_makespan_ms_min": f"{min(par):.3f}" if par else "",
                "parallel_makespan_ms_max": f"{max(par):.3f}" if par else ""})
        print(line.rstrip())
    print(f"* more ranks than the {pus} PUs nproc reports: oversubscribed, ranks share PUs")
    with open(os.path.join(folder, "table.csv"), "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]) if rows else ["kernel"])
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Compares two shmcount runs, or two result sets point by point, with the test of make plots.

Usage: compare.py A B [--shmcount build/shmcount]
  A, B: two runs (their CSVs; each run context beside it) or two result sets (sweep folders).

For every point of A that B measured too (the same config, repetitions aside, and the same rank
count) it prints the median makespans, their ratio B / A with its 95% bootstrap interval, the
two-sided Mann-Whitney U p-value, and the verdict: beyond the noise only when p < 0.01 and the
interval excludes 1. Two runs are compared even when their configs differ (that is what is
being compared), but only at the same rank count. What Google Benchmark's compare.py is for its
benchmarks: exit status 0 when the comparison was made, whatever it found; 2 when the inputs
cannot be compared (the message says why).
"""

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from analysis.load import InputError, load  # noqa: E402
from analysis.stats import ALPHA, CONFIDENCE, compare, same_placement, summarize  # noqa: E402
from analysis.text import count, interval, ms, p_value, point_label, value  # noqa: E402


def describe(rs):
    """The input as one line: path, kind, host and source revision."""
    ctx = rs.context
    what = (f"result set, {count(len(rs.points), 'point')}" if rs.kind == "set" else "run")
    return f"{rs.path} ({what}; host {ctx.get('host')}, revision {ctx.get('revision')})"


def config_differences(a, b):
    """'key A -> B' for every config key (repetitions aside) in which two points differ."""
    keys = [k for k in dict.fromkeys(list(a.config) + list(b.config)) if k not in ("reps", "warmup")]
    return [f"{k} {value(a.config.get(k))} -> {value(b.config.get(k))}" for k in keys
            if a.config.get(k) != b.config.get(k)]


def match(rs_a, rs_b):
    """[(point of A, point of B)] to compare; refuses inputs that cannot be compared."""
    if rs_a.kind != rs_b.kind:
        raise InputError(f"A is a {'result set' if rs_a.kind == 'set' else 'single run'} and B a "
                         f"{'result set' if rs_b.kind == 'set' else 'single run'}: compare two "
                         "runs or two result sets")
    if rs_a.kind == "run":
        a, b = rs_a.points[0], rs_b.points[0]
        if a.ranks != b.ranks:
            raise InputError(f"A ran {count(a.ranks, 'rank')} and B {count(b.ranks, 'rank')}: "
                             "makespans compare only at the same rank count")
        return [(a, b)]
    in_b = {p.identity: p for p in rs_b.points}
    pairs = [(p, in_b[p.identity]) for p in rs_a.points if p.identity in in_b]
    if not pairs:
        raise InputError(f"no point of {rs_a.path} was measured in {rs_b.path} too (the same "
                         "config and rank count): nothing to compare")
    return pairs


def verdict(c):
    """The comparison's verdict, saying which way B differs when it is beyond the noise."""
    if c.beyond_noise:
        return f"B {'slower' if c.ratio.estimate > 1 else 'faster'}, beyond the noise"
    return c.verdict()


def table(rs_a, pairs):
    """The comparison, one line per matched point, columns aligned."""
    head = ["point", "ranks", "n A/B", "A ms", "B ms", f"B/A [{100 * CONFIDENCE:.0f}% CI]", "p",
            "verdict", "placement"]
    rows, results = [], []
    for a, b in sorted(pairs, key=lambda ab: (point_label(rs_a, ab[0], ranks=False), ab[0].ranks)):
        sa, sb = summarize(a), summarize(b)
        c = compare(sa.parallel, sb.parallel)
        results.append(c)
        name = f"{a.name} / {b.name}" if rs_a.kind == "run" else (
            point_label(rs_a, a, ranks=False) if rs_a.axes else a.name)
        rows.append([name, str(a.ranks),
                     f"{len(c.a)}/{len(c.b)}", ms(float(np.median(c.a))),
                     ms(float(np.median(c.b))), interval(c.ratio), p_value(c.p), verdict(c),
                     "same" if same_placement(sa, sb) else "differs"])
    widths = [max(len(r[i]) for r in [head] + rows) for i in range(len(head))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip()
             for r in [head, ["-" * w for w in widths]] + rows]
    return lines, results


def main(argv):
    # Installed, the tool is called shmcount-plots (or -compare): its wrapper says so.
    ap = argparse.ArgumentParser(prog=os.environ.get("SHMCOUNT_TOOL"),
                                 description=__doc__.splitlines()[0])
    ap.add_argument("a", metavar="A", help="a run's CSV or a result set folder (the baseline)")
    ap.add_argument("b", metavar="B", help="a run's CSV or a result set folder (the contender)")
    ap.add_argument("--shmcount", help="a shmcount binary: columns must be ones it lists")
    args = ap.parse_args(argv)
    try:
        rs_a, rs_b = load(args.a, args.shmcount), load(args.b, args.shmcount)
        pairs = match(rs_a, rs_b)
        lines, results = table(rs_a, pairs)
    except InputError as e:
        print(f"compare: {e}", file=sys.stderr)
        return 2
    print(f"A: {describe(rs_a)}")
    print(f"B: {describe(rs_b)}")
    if rs_a.kind == "run":
        diff = config_differences(*pairs[0])
        print("A and B differ in: " + "; ".join(diff) if diff else
              "A and B ran the same configuration")
    print()
    print("\n".join(lines))
    print()
    slower = sum(c.beyond_noise and c.ratio.estimate > 1 for c in results)
    faster = sum(c.beyond_noise and c.ratio.estimate < 1 for c in results)
    undecided = sum(not c.decidable for c in results)
    print(f"{count(len(results), 'point')} compared: {slower} slower and {faster} faster in B "
          f"beyond the noise (p < {ALPHA:g} and the interval of B/A excludes 1)"
          + (f"; {undecided} with too few repetitions to tell" if undecided else "") + ".")
    if rs_a.kind == "set":
        matched_a, matched_b = {id(a) for a, _ in pairs}, {id(b) for _, b in pairs}
        only_a = [p.name for p in rs_a.points if id(p) not in matched_a]
        only_b = [p.name for p in rs_b.points if id(p) not in matched_b]
        if only_a:
            print(f"only in A (not compared): {', '.join(only_a)}")
        if only_b:
            print(f"only in B (not compared): {', '.join(only_b)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

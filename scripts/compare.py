#!/usr/bin/python3
"""Compares two shmcount runs, or two result sets point by point, as make plots judges pairs.

Usage: compare.py A B [--threshold PERCENT] [--csv PATH] [--json PATH] [--shmcount BINARY]
                  [--allow-mixed-versions]
  A, B: two runs (their CSVs; each run context beside it) or two result sets (sweep folders).

The verdicts come first: for every point of A that B measured too (the same config,
repetitions aside, the same copy and rank count), B against A with the run as the unit (see
analysis/decide.py): beyond the noise (B slower or faster), the same within the margin, or
cannot tell; every comparison of one compare is one family, Holm-corrected. Two sets were not
measured interleaved, so the machine may have moved between them: the reference point both
measured says how far, and no difference inside that drift is called real. Then the load of
both inputs side by side, and the comparisons in full. Two runs are compared even when their
configs differ (that is what is being compared), but only at the same rank count; one run
against one run cannot tell. Runs of more than one shmcount version (A's against B's, or within
a set) are refused unless --allow-mixed-versions is given: a version may measure differently,
so the comparison would be of the versions too. Exit status 0 when the comparison was made,
whatever it found; 2 when the inputs cannot be compared (the message says why).
"""

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from analysis import decide  # noqa: E402
from analysis.cli import threshold  # noqa: E402
from analysis.load import (SAMPLING_KEYS, InputError, load, require_counting,  # noqa: E402
                           versions)
from analysis.report import wrong_line  # noqa: E402
from analysis.stats import (Pair, compare_samples, explain, judge_family,  # noqa: E402
                            same_placement, summarize)
from analysis.text import (count, interval, ms, p_value, point_label, printable,  # noqa: E402
                           value, versions_label)
from analysis.verdicts import header, json_number, row, write_csv, write_json  # noqa: E402


def describe(rs):
    """The input as one line: path, kind, host and source revision (control bytes escaped)."""
    ctx = rs.context
    runs = sum(len(p.runs) for p in rs.points)
    what = (f"result set, {count(len(rs.points), 'point')}, {count(runs, 'run')}"
            if rs.kind == "set" else "run")
    return printable(f"{rs.path} ({what}; host {ctx.get('host')}, revision "
                     f"{ctx.get('revision')})")


def config_differences(a, b):
    """'key A -> B' for every config key (repetitions aside) in which two points differ."""
    keys = [k for k in dict.fromkeys(list(a.config) + list(b.config)) if k not in SAMPLING_KEYS]
    return [f"{k} {value(a.config.get(k))} -> {value(b.config.get(k))}" for k in keys
            if a.config.get(k) != b.config.get(k)]


def mixed_versions(rs_a, rs_b):
    """'A: 0.1.0 (10 runs); B: 0.2.0 (10 runs)' when the runs of A and B together were made by
    more than one shmcount version; None when by one."""
    va, vb = versions(rs_a), versions(rs_b)
    if len(set(va) | set(vb)) < 2:
        return None
    return f"A: {versions_label(va, rs_a.kind)}; B: {versions_label(vb, rs_b.kind)}"


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


def drift(rs_a, rs_b):
    """The reference point's B / A between two sets (a stats.Pair, judged alone), or None when
    they do not share one."""
    if rs_a.kind != "set" or rs_a.reference is None or rs_b.reference is None:
        return None
    if rs_a.reference.identity != rs_b.reference.identity:
        return None
    sa, sb = summarize(rs_a.reference, "A " + rs_a.reference.name), \
        summarize(rs_b.reference, "B " + rs_b.reference.name)
    return judge_family([Pair(None, rs_a.reference, rs_b.reference,
                              compare_samples(sa.sample, sb.sample), same_placement(sa, sb))],
                        decide.MARGIN)[0]


def drift_band(reference):
    """What a difference must clear to be more than the machine's drift: the reference's interval
    of B / A, widened to include 1."""
    r = reference.comparison.ratio
    if np.isnan(r.low):
        return (1.0, 1.0)
    return (min(1.0, r.low), max(1.0, r.high))


def label(rs_a, a, b):
    """A compared point's name: both runs' names, or the point by its axes."""
    if rs_a.kind == "run":
        return printable(f"{a.name} / {b.name}")
    return printable(point_label(rs_a, a, ranks=False) if rs_a.axes else a.name)


def verdict_words(pair):
    """B against A in words: 'B slower, beyond the noise: 1.120x [1.080, 1.170]'."""
    v, r = pair.verdict, pair.comparison.ratio
    if v.beyond_noise:
        return f"B {v.decision}, beyond the noise: {interval(r, unit='x')}"
    if v.decision == decide.SAME:
        return f"{v.text} ({interval(r, unit='x')})"
    return v.text


def load_of(rs):
    """Per input: the 1-minute load before and after its runs, usable PUs, disturbed runs."""
    before, after, pus, disturbed, recorded = [], [], set(), 0, 0
    for p in rs.points:
        for run in p.runs:
            d = run.disturbance
            noise = run.context.get("noise", {})
            if d:
                before.append(float(d["load_before"]))
                after.append(float(d["load_after"]))
                pus.add(int(d["usable_pus"]))
                recorded += 1
                disturbed += bool(d.get("run_disturbed"))
            else:
                for key, out in (("load_before", before), ("load_after", after)):
                    if str(noise.get(key, "")).split():
                        out.append(float(str(noise[key]).split()[0]))
                pus.add(int(run.context["nodes"][0]["pus"]))
    runs = sum(len(p.runs) for p in rs.points)

    def spread(xs):
        if not xs:
            return "not recorded"
        return (f"{min(xs):.2f}" if min(xs) == max(xs) else
                f"{min(xs):.2f}..{max(xs):.2f}, median {np.median(xs):.2f}")

    return [spread(before), spread(after), "/".join(map(str, sorted(pus))),
            f"{disturbed} of {runs}" if recorded else "not recorded"]


def columns(head, rows):
    """Rows of cells as aligned text lines, a rule under the head."""
    widths = [max(len(r[i]) for r in [head] + rows) for i in range(len(head))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip()
            for r in [head, ["-" * w for w in widths]] + rows]


def judge(rs_a, matched, margin, band):
    """Every matched point compared and judged as one family; the drift band applies to all."""
    pairs, stats = [], {}
    for a, b in sorted(matched, key=lambda ab: (point_label(rs_a, ab[0], ranks=False),
                                                ab[0].ranks)):
        sa, sb = summarize(a, "A " + a.name), summarize(b, "B " + b.name)
        stats[id(a)], stats[id(b)] = sa, sb
        pairs.append(Pair(None, a, b, compare_samples(sa.sample, sb.sample),
                          same_placement(sa, sb), band=band))
    return judge_family(pairs, margin), stats


def details(rs_a, pairs, stats):
    head = ["point", "ranks", "runs A/B", "A ms", "B ms",
            f"B/A [{100 * decide.CONFIDENCE:.0f}% CI]", "test", "p", "p adj", "verdict",
            "placement", "disturbed A/B"]
    rows = []
    for pair in pairs:
        c = pair.comparison
        da, db = stats[id(pair.a)].disturbed_runs, stats[id(pair.b)].disturbed_runs
        rows.append([label(rs_a, pair.a, pair.b), str(pair.a.ranks), f"{c.n_a}/{c.n_b}",
                     ms(c.time_a), ms(c.time_b), interval(c.ratio), c.test or "-",
                     p_value(c.p), p_value(pair.p_adjusted), pair.verdict.text,
                     "same" if pair.same_placement else "differs",
                     f"{'-' if da is None else da}/{'-' if db is None else db}"])
    return columns(head, rows)


def report(rs_a, rs_b, pairs, stats, reference, margin, mixed=None):
    """The comparison as lines: verdicts, interleaving and drift, load, details. mixed: the
    versions of A and B when they are mixed (compared as --allow-mixed-versions asked)."""
    out = [f"A: {describe(rs_a)}", f"B: {describe(rs_b)}"]
    if mixed:
        out.append(printable(f"Mixed shmcount versions ({mixed}), compared as "
                             "--allow-mixed-versions asks: a difference may be the versions'."))
    for side, rs in (("A", rs_a), ("B", rs_b)):
        if rs.wrong:
            out.append(printable(f"{side}: {wrong_line(rs)}"))
    if rs_a.kind == "run":
        diff = config_differences(pairs[0].a, pairs[0].b)
        out.append(printable("A and B differ in: " + "; ".join(diff)) if diff else
                   "A and B ran the same configuration")
    tested = sum(not np.isnan(p.comparison.p) for p in pairs)
    out += ["", f"Verdicts, B against A (the unit is the run; {count(len(pairs), 'comparison')}, "
                f"one family, Holm-corrected over the {tested} tested at {decide.ALPHA:g}):"]
    width = max(len(f"{label(rs_a, p.a, p.b)}, {count(p.a.ranks, 'rank')}") for p in pairs)
    why = []
    for p in pairs:
        name = f"{label(rs_a, p.a, p.b)}, {count(p.a.ranks, 'rank')}"
        out.append(f"  {name.ljust(width)}  {verdict_words(p)}")
        cause = explain(p, stats[id(p.a)], stats[id(p.b)])
        if cause:
            why.append(printable(f"  why {name} cannot tell ({cause.cause}): {cause.why}. "
                                 f"Fix: {cause.fix}."))
    if why:
        out += ["", "Why they cannot tell, as measured, and the cheapest fix:"] + why
    slower = sum(p.verdict.decision == decide.SLOWER for p in pairs)
    faster = sum(p.verdict.decision == decide.FASTER for p in pairs)
    same = sum(p.verdict.decision == decide.SAME for p in pairs)
    out += ["", f"{count(len(pairs), 'point')} compared: {slower} slower and {faster} faster in "
                f"B beyond the noise, {same} the same within {decide.percent_label(margin)}, "
                f"{len(pairs) - slower - faster - same} cannot tell.", ""]
    what = "two result sets" if rs_a.kind == "set" else "two single runs"
    out.append(f"Not interleaved: A and B are {what}, not measured in one sweep's interleaved "
               "rounds, so the machine may have drifted between them.")
    if rs_a.kind == "set":
        if reference is None:
            out.append("No reference point in both sets: how far the machine moved between them "
                       "is unknown, and a difference may be that drift.")
        else:
            r = reference.comparison.ratio
            band = drift_band(reference)
            out.append(f"The reference point ({label(rs_a, reference.a, reference.b)}, "
                       f"{count(reference.a.ranks, 'rank')}), measured in every round of both: "
                       f"B / A {interval(r, unit='x')}: the machine moved by "
                       f"{100 * (r.estimate - 1):+.1f}% between the sets. A difference is called "
                       f"real only when its interval lies outside [{band[0]:.3f}, {band[1]:.3f}] "
                       "(the reference's interval, and 1).")
    out += [""] + columns(["load (1 min)", "A", "B"], [
        [what_] + pair_ for what_, pair_ in zip(
            ["before the runs", "after the runs", "usable PUs", "disturbed runs"],
            [list(x) for x in zip(load_of(rs_a), load_of(rs_b))])])
    out += [""] + details(rs_a, pairs, stats)
    if rs_a.kind == "set":
        matched_a, matched_b = {id(p.a) for p in pairs}, {id(p.b) for p in pairs}
        only_a = [p.name for p in rs_a.points if id(p) not in matched_a]
        only_b = [p.name for p in rs_b.points if id(p) not in matched_b]
        if only_a:
            out.append(printable(f"only in A (not compared): {', '.join(only_a)}"))
        if only_b:
            out.append(printable(f"only in B (not compared): {', '.join(only_b)}"))
    return out


def unwritable(path):
    """Why the verdict file at path cannot be written (None when it can): checked before
    anything is printed, so a refusal leaves no half-made output."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        return f"{path} is a folder"
    if not os.path.isdir(folder) or not os.access(folder, os.W_OK | os.X_OK):
        return f"cannot write {path}: {folder} is not a folder this user can write in"
    return None


def main(argv):
    # Installed, the tool is called shmcount-compare: its wrapper says so.
    ap = argparse.ArgumentParser(prog=os.environ.get("SHMCOUNT_TOOL"),
                                 description=__doc__.splitlines()[0])
    ap.add_argument("a", metavar="A", help="a run's CSV or a result set folder (the baseline)")
    ap.add_argument("b", metavar="B", help="a run's CSV or a result set folder (the contender)")
    ap.add_argument("--threshold", type=threshold, default=decide.MARGIN, metavar="PERCENT",
                    help="equivalence margin in percent: 'the same within ±PERCENT%%' "
                         f"(default {100 * decide.MARGIN:g})")
    ap.add_argument("--csv", metavar="PATH", help="also write the verdicts as CSV to PATH")
    ap.add_argument("--json", metavar="PATH", help="also write the verdicts as JSON to PATH")
    ap.add_argument("--shmcount", help="a shmcount binary: columns must be ones it lists")
    ap.add_argument("--allow-mixed-versions", action="store_true",
                    help="compare runs made by more than one shmcount version (A's against B's, "
                         "or within a set), which are refused otherwise: a version may measure "
                         "differently; the output then says which versions")
    args = ap.parse_args(argv)
    for path in (args.csv, args.json):
        why = path and unwritable(path)
        if why:
            print(f"compare: {printable(why)}", file=sys.stderr)
            return 2
    try:
        rs_a, rs_b = load(args.a, args.shmcount), load(args.b, args.shmcount)
        for rs in (rs_a, rs_b):
            require_counting(rs, "compare")
        mixed = mixed_versions(rs_a, rs_b)
        if mixed and not args.allow_mixed_versions:
            raise InputError(f"the runs were made by more than one shmcount version ({mixed}): "
                             "a version may measure differently, so B against A would compare "
                             "the versions too; measure both with one shmcount, or give "
                             "--allow-mixed-versions to compare them anyway")
        matched = match(rs_a, rs_b)
        reference = drift(rs_a, rs_b)
        band = drift_band(reference) if reference else (1.0, 1.0)
        pairs, stats = judge(rs_a, matched, args.threshold, band)
    except InputError as e:
        print(f"compare: {printable(e)}", file=sys.stderr)
        return 2
    print("\n".join(report(rs_a, rs_b, pairs, stats, reference, args.threshold, mixed)))
    rows = [row(p, "", label(rs_a, p.a, p.b), "A", "B", stats[id(p.a)], stats[id(p.b)])
            for p in pairs]
    extra = {"a": rs_a.path, "b": rs_b.path, "interleaved": False,
             "versions": {side: {v: len(runs) for v, runs in versions(rs).items()}
                          for side, rs in (("a", rs_a), ("b", rs_b))},
             "drift": None if reference is None else {
                 "ratio": reference.comparison.ratio.estimate,
                 "low": json_number(reference.comparison.ratio.low),
                 "high": json_number(reference.comparison.ratio.high), "band": list(band)}}
    try:
        if args.csv:
            write_csv(args.csv, rows)
        if args.json:
            write_json(args.json, header(sum(r["p"] is not None for r in rows), args.threshold,
                                         **extra), rows)
    except OSError as e:
        print(f"compare: cannot write {e.filename}: {e.strerror}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The verdicts as files for machines (CI jobs): verdicts.csv and verdicts.json.

One row per comparison, the same fields from make plots (pairs of a result set) and compare.py
(the same point in two inputs); docs/analysis.md describes each field.
"""

import csv
import io
import json
import math
import os

from . import decide
from .stats import explain

FIELDS = (
    "axis",          # the axis the pair differs in; empty in compare (the same point, A vs B)
    "ranks",
    "group",         # the other axes' values (compare: the point)
    "a", "b",        # the two sides, as options ("--pin core") or input names
    "unit",          # what one observation is: "run"
    "n_a", "n_b",    # runs on each side
    "a_ms", "b_ms",  # each side's time: the median of its runs' median makespans
    "ratio", "low", "high",  # B / A and its CONFIDENCE interval (two-level bootstrap)
    "test",          # paired by round, exact / Monte Carlo; Mann-Whitney, exact / normal
                     # approximation; empty: none made
    "p", "p_adjusted",       # raw two-sided p, and Holm-adjusted over the family
    "decision",      # slower, faster (B against A), same, cannot_tell, too_few, same_placement
    "verdict",       # the decision in words
    "more_rounds",   # for cannot_tell: about how many more rounds would tell (empty: many)
    "placement",     # same (every rank on the same PU in every repetition of both) or differs
    "disturbed_a", "disturbed_b",  # disturbed runs on each side; empty: not recorded
    "cause",         # for cannot_tell and too_few: disturbed, one_side_empty, rounds, spread,
                     # at_margin (decide.why_cannot_tell); empty: the verdict tells
    "why",           # the cause in words, with what the set measured
    "fix",           # the cheapest fix (a quieter machine, ROUNDS=N, a bigger array)
)


def json_number(x):
    """A number for the files: None for nan."""
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else x


def json_safe(obj):
    """obj with every nan (in dicts and lists, at any depth) as None: strict JSON."""
    if isinstance(obj, dict):
        return {k: json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_safe(v) for v in obj]
    return json_number(obj)


def row(pair, axis, group, label_a, label_b, stats_a, stats_b):
    """One comparison (stats.Pair, judged) as a dict of FIELDS; JSON values (None for none)."""
    c, v = pair.comparison, pair.verdict
    cause = explain(pair, stats_a, stats_b)
    return {
        "axis": axis, "ranks": pair.a.ranks, "group": group, "a": label_a, "b": label_b,
        "unit": "run", "n_a": c.n_a, "n_b": c.n_b,
        "a_ms": json_number(c.time_a), "b_ms": json_number(c.time_b),
        "ratio": json_number(c.ratio.estimate), "low": json_number(c.ratio.low),
        "high": json_number(c.ratio.high), "test": c.test,
        "p": json_number(c.p), "p_adjusted": json_number(pair.p_adjusted),
        "decision": v.decision, "verdict": v.text, "more_rounds": v.more_rounds,
        "placement": "same" if pair.same_placement else "differs",
        "disturbed_a": stats_a.disturbed_runs, "disturbed_b": stats_b.disturbed_runs,
        "cause": cause and cause.cause, "why": cause and cause.why, "fix": cause and cause.fix,
    }


# What the tests and intervals are, for the JSON file's header.
PAIRED_TEST = ("pairs that share rounds of one sweep: paired by round, a sign-flip test of the "
               "mean of the per-round log ratios (exact up to "
               f"{decide.SIGN_FLIP_EXACT_ROUNDS} rounds, else {decide.SIGN_FLIP_DRAWS} random "
               "flips); other pairs: ")
UNPAIRED_TEST = "two-sided Mann-Whitney U over the runs' median makespans"
PAIRED_INTERVAL = ("paired: the Hodges-Lehmann centre of the per-round ratios, rounds resampled "
                   "jointly for both points, then repetitions; unpaired: ")
UNPAIRED_INTERVAL = "each point's runs resampled, then repetitions"


def header(family_size, margin, paired=False, **extra):
    """What every verdict of the family shares, for the JSON file. paired: the family's pairs
    were judged round by round where they share rounds (make plots), not only unpaired
    (compare)."""
    return {"unit": "run",
            "test": (PAIRED_TEST if paired else "") + UNPAIRED_TEST,
            "interval": f"{decide.CONFIDENCE:g} two-level bootstrap ("
                        f"{(PAIRED_INTERVAL if paired else '') + UNPAIRED_INTERVAL}), "
                        f"percentile, {decide.RESAMPLES} resamples, seed {decide.BOOTSTRAP_SEED}",
            "correction": "Holm", "alpha": decide.ALPHA, "margin": margin,
            "confidence": decide.CONFIDENCE, "family_size": family_size, **extra}


def atomic_write(path, text):
    """`text` at `path`, whole or not at all (a temporary file beside it, then a rename)."""
    tmp = f"{path}.tmp"
    try:
        with open(tmp, "w", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def csv_text(rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: "" if r[k] is None else r[k] for k in FIELDS})
    return out.getvalue()


def json_text(head, rows):
    return json.dumps(json_safe({**head, "comparisons": rows}), indent=2, allow_nan=False) + "\n"


def write_csv(path, rows):
    atomic_write(path, csv_text(rows))


def write_json(path, head, rows):
    atomic_write(path, json_text(head, rows))

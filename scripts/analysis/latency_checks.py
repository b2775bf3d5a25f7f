"""What the loader proves of a latency map (`shmcount --latency`) before any figure is computed.

Its run context must say `mode: latency` and hold what the analysis reads, each of the right
kind; its CSV rows must be whole and typed, each (pair, sample) once, each pair's PUs and
relation those of the run context, every pair the run context reports with exactly its samples
(unless the map stopped at a broken handoff), and each pair's median what the run context says
(recomputed here from the rows). Each refusal names the file, the line and what is wrong
(checks.InputError).
"""

import statistics
from collections import defaultdict

from .checks import FLAG, WHOLE, InputError, Kind, _is_int, _is_number, check_keys, check_shape

MODE = "latency"
# hwloc's relations, closest first, as the CSV and the run context write them.
RELATIONS = ("smt", "l2", "l3", "numa", "package", "other")
DIRECTIONS = ("ab", "ba")
# A pair's median as the run context rounds it (6 significant digits), against the rows'.
MEDIAN_TOLERANCE = 1e-4

ROW_KINDS = {"pair": WHOLE, "a_logical": WHOLE, "b_logical": WHOLE, "a_os": WHOLE, "b_os": WHOLE,
             "relation": Kind(" or ".join(RELATIONS), lambda v: v in RELATIONS),
             "direction": Kind("ab or ba", lambda v: v in DIRECTIONS),
             "round": WHOLE, "sample": WHOLE, "round_trips": WHOLE, "time_ns": WHOLE,
             "ok": FLAG, "placed_ok": FLAG, "disturbed": FLAG}

_PAIR_KEYS = ("pair", "a", "b", "a_os", "b_os", "samples")
_PAIR_NUMBERS = ("median_ns", "low_ns", "high_ns", "min_ns")


def _pairs_ok(v):
    return isinstance(v, list) and all(
        isinstance(p, dict) and all(_is_int(p.get(k)) for k in _PAIR_KEYS) and
        all(_is_number(p.get(k)) for k in _PAIR_NUMBERS) and p.get("relation") in RELATIONS
        for p in v)


def _pus_ok(v):
    return isinstance(v, list) and v and all(
        isinstance(pu, dict) and all(_is_int(pu.get(k), -1) for k in
                                     ("logical", "os", "core", "l2", "l3", "numa", "package"))
        for pu in v)


def _relations_ok(v):
    return isinstance(v, list) and all(
        isinstance(r, dict) and r.get("relation") in RELATIONS and _is_int(r.get("pairs"), 1) and
        all(_is_number(r.get(k)) for k in _PAIR_NUMBERS) for r in v)


def _findings_ok(v):
    return isinstance(v, list) and all(
        isinstance(f, dict) and f.get("kind") in ("closer", "farther") and
        _is_int(f.get("a")) and _is_int(f.get("b")) and isinstance(f.get("text"), str) for f in v)


# What the analysis reads of a latency map's run context: key path -> (test, words).
CONTEXT = {
    ("columns",): (lambda v: isinstance(v, list) and all(isinstance(c, str) for c in v),
                   "a list of column names"),
    ("config", "ranks"): (lambda v: v == 2, "2"),
    ("config", "share"): (lambda v: isinstance(v, str), "a mechanism's name"),
    ("config", "pairs"): (lambda v: isinstance(v, str), "a --pairs value"),
    ("config", "samples"): (lambda v: _is_int(v, 2), "a whole number above 1"),
    ("config", "round_trips"): (lambda v: _is_int(v, 1), "a whole number above 0"),
    ("config", "rounds"): (lambda v: _is_int(v, 1), "a whole number above 0"),
    ("nodes",): (lambda v: isinstance(v, list) and len(v) == 1 and isinstance(v[0], dict) and
                 _is_int(v[0].get("pus"), 1), "one node with a whole number of pus"),
    ("pus",): (_pus_ok, "a list of PUs, each with whole numbers logical, os, core, l2, l3, "
                        "numa and package"),
    ("latency", "pairs"): (_pairs_ok, "a list of pairs, each with its PUs, relation, samples "
                                      "and median, interval and minimum in ns"),
    ("latency", "not_measured"): (lambda v: isinstance(v, list), "a list"),
    ("latency", "relations"): (_relations_ok, "a list of relations with their figures"),
    ("latency", "structure", "findings"): (_findings_ok, "a list of findings, each with its "
                                                         "kind, PUs and text"),
    ("latency", "structure", "advice"): (lambda v: isinstance(v, str), "text"),
    ("summary", "wrong"): (lambda v: _is_int(v), "a whole number"),
    ("summary", "visits"): (lambda v: _is_int(v), "a whole number"),
    ("summary", "disturbed_visits"): (lambda v: _is_int(v), "a whole number"),
}


def is_latency(context):
    """Whether a run context is a latency map's."""
    return isinstance(context, dict) and context.get("mode") == MODE


def check_latency_context(path, context):
    """Refuses a latency map's run context without what the analysis reads, or with it of the
    wrong kind."""
    check_keys(path, context, CONTEXT, "the latency map's run context")


def _one_way(row):
    return int(row["time_ns"]) / int(row["round_trips"]) / 2


def check_latency_rows(path, table, context):
    """Refuses a latency map whose rows are cut, mistyped, repeated, incomplete or at odds with
    its run context (see the module's docstring). `table`: load.Table of the CSV."""
    check_shape(path, table, ROW_KINDS)
    config = context["config"]
    samples, rounds = config["samples"], config["rounds"]
    pairs = {p["pair"]: p for p in context["latency"]["pairs"]}
    seen, per_pair = {}, defaultdict(int)
    usable = defaultdict(list)
    for line, row in zip(table.lines, table.rows):
        pair, sample = int(row["pair"]), int(row["sample"])
        if int(row["round_trips"]) != config["round_trips"]:
            raise InputError(f"{path}: line {line}: round_trips is {row['round_trips']}, the run "
                             f"context says {config['round_trips']}")
        if sample >= samples or int(row["round"]) >= rounds:
            raise InputError(f"{path}: line {line}: sample {sample} of round {row['round']}, but "
                             f"the map took {samples} samples in {rounds} rounds")
        if (pair, sample) in seen:
            raise InputError(f"{path}: line {line}: a second row of pair {pair} sample {sample} "
                             f"(line {seen[(pair, sample)]} is the first)")
        seen[(pair, sample)] = line
        per_pair[pair] += 1
        known = pairs.get(pair)
        if known is not None:
            said = (known["a"], known["b"], known["a_os"], known["b_os"], known["relation"])
            got = (int(row["a_logical"]), int(row["b_logical"]), int(row["a_os"]),
                   int(row["b_os"]), row["relation"])
            if got != said:
                raise InputError(f"{path}: line {line}: pair {pair} is {got}, the run context "
                                 f"says {said}")
        if row["ok"] == "1" and row["placed_ok"] == "1":
            usable[pair].append(_one_way(row))
    # A map whose handoff broke stopped measuring: its last pair has fewer samples (the loader
    # then refuses it as wrong, saying so).
    stopped = bool(context["summary"].get("failure"))
    for pair, p in pairs.items():
        have = per_pair[pair]
        if have != samples and not stopped:
            raise InputError(f"{path}: pair {pair} has {have} of its {samples} samples: rows were "
                             "lost")
        median = statistics.median(usable[pair]) if usable[pair] else None
        if median is None or abs(median - p["median_ns"]) > MEDIAN_TOLERANCE * p["median_ns"]:
            raise InputError(f"{path}: pair {pair}'s samples give a median of {median} ns, the "
                             f"run context says {p['median_ns']}: the files do not belong "
                             "together")

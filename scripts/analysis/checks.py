"""What the loader proves of its input before any figure is computed.

A run's CSV: every row whole (as many fields as the header) and every column the analysis reads
of the kind it must be; every timed repetition with exactly one parallel row per rank, and the
sequential rows (one per node and repetition) when the run context says there was a baseline.
A result set's manifest: every line typed, no line repeated, no CSV named twice, every CSV inside
the set, and every point with one line per round. Each refusal names the file, the line and what
is wrong (load.InputError); stats.py then checks each run's summary against its records.
"""

import os
import re
from collections import defaultdict
from dataclasses import dataclass

from . import manifest as schema


class InputError(Exception):
    """Wrong or incomplete input: the message says what and which file."""


@dataclass(frozen=True)
class Kind:
    """What a field must hold: a test and its words for the message."""

    words: str
    test: object  # str -> bool

    def __call__(self, text):
        return self.test(text)


WHOLE = Kind("a whole number", lambda v: re.fullmatch(r"[0-9]{1,19}", v) is not None)
WHOLE_OR_EMPTY = Kind("a whole number or empty", lambda v: v == "" or WHOLE(v))
NUMBER_OR_EMPTY = Kind("a number or empty",
                       lambda v: v == "" or re.fullmatch(r"[0-9]+(\.[0-9]*)?", v) is not None)
FLAG = Kind("0 or 1", lambda v: v in ("0", "1"))
PHASE = Kind("parallel or sequential", lambda v: v in ("parallel", "sequential"))
ANY = Kind("text", lambda v: True)

# The columns the analysis reads, and what each holds. A run without one of them is refused (an
# older shmcount); the other columns are carried along unread.
NEEDED = {"phase": PHASE, "ranks": WHOLE, "nodes": WHOLE, "node": WHOLE, "host": ANY,
          "rank": WHOLE, "rep": WHOLE, "time_ns": WHOLE, "start_ns": WHOLE, "ok": FLAG,
          "placed_ok": FLAG, "oversubscribed": FLAG, "pu_logical": WHOLE_OR_EMPTY}
# Read where a run has them: disturbance (newer shmcounts) and the footprint probe.
OPTIONAL = {"disturbed": FLAG, "ctx_switches": WHOLE, "migrations": WHOLE,
            "minor_faults": WHOLE, "major_faults": WHOLE, "steal_ns": WHOLE_OR_EMPTY,
            "array_pss_kib": NUMBER_OR_EMPTY}


def _is_int(v, low=0):
    return isinstance(v, int) and not isinstance(v, bool) and v >= low


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


# What the analysis reads of a run context: key path -> (test, words).
CONTEXT = {
    ("columns",): (lambda v: isinstance(v, list) and all(isinstance(c, str) for c in v),
                   "a list of column names"),
    ("config",): (lambda v: isinstance(v, dict), "an object"),
    ("config", "ranks"): (lambda v: _is_int(v, 1), "a whole number above 0"),
    ("config", "reps"): (lambda v: _is_int(v, 1), "a whole number above 0"),
    ("config", "warmup"): (lambda v: _is_int(v), "a whole number"),
    ("nodes",): (lambda v: isinstance(v, list) and v and all(
        isinstance(n, dict) and all(_is_int(n.get(k), 1 if k != "index" else 0)
                                    for k in ("index", "ranks", "pus")) for n in v),
                 "a list of nodes, each with whole numbers index, ranks and pus"),
    ("summary",): (lambda v: isinstance(v, dict), "an object"),
    ("summary", "parallel_ms"): (lambda v: isinstance(v, dict) and all(
        _is_number(v.get(k)) for k in ("n", "min", "median", "max")),
                                 "an object with numbers n, min, median and max"),
}
DISTURBANCE = {"disturbed_reps": lambda v: _is_int(v), "reps": lambda v: _is_int(v),
               "load_before": _is_number, "load_after": _is_number,
               "usable_pus": lambda v: _is_int(v), "run_disturbed": lambda v: isinstance(v, bool)}


def check_keys(path, context, spec, where="the run context"):
    """Refuses a run context that lacks a key path of `spec` ((key, ...) -> (test, words)) or
    holds a value there that fails its test; `where` names the context in the message."""
    for keys, (test, words) in spec.items():
        value = context
        for key in keys:
            if not isinstance(value, dict) or key not in value:
                raise InputError(f"{path}: no '{'.'.join(keys)}' in {where} (written by an older "
                                 "shmcount? run it again)")
            value = value[key]
        if not test(value):
            raise InputError(f"{path}: '{'.'.join(keys)}' in {where} is not {words}")


def check_context(path, context):
    """Refuses a run context without what the analysis reads, or with it of the wrong kind."""
    if not isinstance(context, dict):
        raise InputError(f"{path}: the run context is not a JSON object")
    check_keys(path, context, CONTEXT)
    disturbance = context["summary"].get("disturbance")
    if disturbance is not None:
        bad = [k for k, test in DISTURBANCE.items()
               if not isinstance(disturbance, dict) or not test(disturbance.get(k))]
        if bad:
            raise InputError(f"{path}: summary.disturbance.{bad[0]} in the run context is "
                             "missing or of the wrong kind")
    # The run's faster-than-ideal verdict, which the report reads (absent: an older shmcount).
    verdict = context["summary"].get("faster_than_ideal", False)
    if not isinstance(verdict, bool):
        raise InputError(f"{path}: summary.faster_than_ideal in the run context is not true or "
                         "false")


def check_rows(path, table, context):
    """Refuses a run whose rows are cut, mistyped or incomplete (see the module's docstring).
    `table`: load.Table of the CSV; `context`: its run context."""
    check_shape(path, table, NEEDED, OPTIONAL)
    _check_repetitions(path, table, context)


def check_shape(path, table, needed, optional=None):
    """Refuses a CSV that lacks a `needed` column, ends inside a row, or has a row with more or
    fewer fields than its header, or a value not of its column's kind (`needed` and those of
    `optional` it has: column -> Kind). Shared by every CSV the analysis reads."""
    absent = [c for c in needed if c not in table.header]
    if absent:
        raise InputError(f"{path}: no column {', '.join(absent)}, which the analysis reads "
                         "(written by an older shmcount? run it again)")
    if not table.ends_with_newline:
        raise InputError(f"{path}: line {table.lines[-1]}: the file ends inside a row (cut "
                         "while it was written or copied)")
    kinds = {c: k for c, k in {**needed, **(optional or {})}.items() if c in table.header}
    width = len(table.header)
    for line, row in zip(table.lines, table.rows):
        if None in row:
            raise InputError(f"{path}: line {line}: {width + len(row[None])} fields, the header "
                             f"has {width}")
        cut = [c for c in table.header if row[c] is None]
        if cut:
            raise InputError(f"{path}: line {line}: {width - len(cut)} of {width} fields (the "
                             f"row is cut; {cut[0]} and after are missing)")
        for column, kind in kinds.items():
            if not kind(row[column]):
                raise InputError(f"{path}: line {line}: {column} is '{row[column][:40]}', not "
                                 f"{kind.words}")


def _check_repetitions(path, table, context):
    """Every timed repetition has one parallel row per rank, and, with a baseline, one
    sequential row per node."""
    config = context["config"]
    ranks, reps = int(config["ranks"]), int(config["reps"])
    nodes = len(context["nodes"])
    baseline = context["summary"].get("sequential_ms", {}).get("n", 0) > 0
    seen = {"parallel": defaultdict(dict), "sequential": defaultdict(dict)}
    for line, row in zip(table.lines, table.rows):
        if int(row["ranks"]) != ranks:
            raise InputError(f"{path}: line {line}: ranks is {row['ranks']}, the run context "
                             f"says {ranks}")
        rep = int(row["rep"])
        if rep >= reps:
            raise InputError(f"{path}: line {line}: repetition {rep}, but the run made {reps} "
                             f"(0 to {reps - 1})")
        who = int(row["rank"]) if row["phase"] == "parallel" else int(row["node"])
        limit = ranks if row["phase"] == "parallel" else nodes
        if who >= limit:
            raise InputError(f"{path}: line {line}: {'rank' if limit == ranks else 'node'} "
                             f"{who}, but the run had {limit}")
        earlier = seen[row["phase"]][rep].get(who)
        if earlier:
            raise InputError(f"{path}: line {line}: a second {row['phase']} row of "
                             f"{'rank' if row['phase'] == 'parallel' else 'node'} {who} in "
                             f"repetition {rep} (line {earlier} is the first)")
        seen[row["phase"]][rep][who] = line
    for phase, count, word, needed in (("parallel", ranks, "rank", True),
                                       ("sequential", nodes, "node", baseline)):
        if not needed:
            continue
        for rep in range(reps):
            missing = [i for i in range(count) if i not in seen[phase][rep]]
            if missing:
                raise InputError(f"{path}: repetition {rep} has no {phase} row of {word} "
                                 f"{missing[0]}" + (" (the run context says the sequential "
                                                    "baseline ran)" if phase == "sequential"
                                                    else "") + ": rows were lost")


def check_manifest(path, table, set_dir):
    """Refuses a manifest with mistyped, repeated or missing lines (see the module's
    docstring)."""
    kinds = {"round": WHOLE, "order": WHOLE, "ranks": WHOLE,
             "status": Kind(" or ".join(schema.STATUSES), lambda v: v in schema.STATUSES),
             "reference": Kind(" or ".join(schema.REFERENCE_VALUES),
                               lambda v: v in schema.REFERENCE_VALUES)}
    runs, csvs, rounds_of, axes_of = {}, {}, defaultdict(set), {}
    root = os.path.realpath(set_dir)
    for line, m in zip(table.lines, table.rows):
        if None in m or any(v is None for v in m.values()):
            raise InputError(f"{path}: line {line}: not {len(table.header)} fields")
        for column, kind in kinds.items():
            if column in m and not kind(m[column]):
                raise InputError(f"{path}: line {line}: {column} is '{m[column][:40]}', not "
                                 f"{kind.words}")
        key = (m["point"], m["round"])
        if key in runs:
            raise InputError(f"{path}: line {line} repeats point {m['point']} round "
                             f"{m['round']} of line {runs[key]}")
        runs[key] = line
        target = os.path.realpath(os.path.join(set_dir, m["csv"]))
        if os.path.isabs(m["csv"]) or not target.startswith(root + os.sep) or \
                not m["csv"].endswith(".csv"):
            raise InputError(f"{path}: line {line}: csv '{m['csv'][:80]}' is not a .csv file "
                             "inside the set")
        if target in csvs:
            raise InputError(f"{path}: line {line} names {m['csv']}, as line {csvs[target]} "
                             "does: every run has a CSV of its own")
        csvs[target] = line
        values = tuple((c, m[c]) for c in table.header if c not in ("round", "order", "status",
                                                                    "csv"))
        if axes_of.setdefault(m["point"], (line, values))[1] != values:
            raise InputError(f"{path}: line {line}: point {m['point']} with other settings than "
                             f"on line {axes_of[m['point']][0]}")
        rounds_of[m["point"]].add(int(m["round"]))
    every = set().union(*rounds_of.values())
    expected = set(range(1, max(every) + 1))
    for point, rounds in rounds_of.items():
        if rounds != expected:
            missing = sorted(expected - rounds)
            raise InputError(f"{path}: point {point} has no line for round {missing[0]} (the "
                             f"set has rounds 1 to {max(every)}): lines were lost")

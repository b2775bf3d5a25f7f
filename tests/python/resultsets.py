"""Result sets written by the tests themselves, with times they choose, in the files' real form.

Every run is a copy of a real run of the committed fixture (tests/data/result-set: its CSV
columns, its run context) with the times replaced, so the loader reads exactly what shmcount and
the sweep write; the manifest comes from scripts/analysis/manifest.py. Optional: the pseudo-axis
`copy`, the `reference` column, duplicates.csv, and the disturbance columns and summary that
newer shmcounts record.
"""

import copy as copying
import csv
import json
import os
import sys
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SOURCE, "scripts"))

from analysis import manifest as schema  # noqa: E402

FIXTURE = os.path.join(SOURCE, "tests", "data", "result-set")
TEMPLATES = {1: "points/core-20000-np1/r1", 2: "points/core-20000-np2/r1"}
DISTURBANCE_COLUMNS = ("ctx_switches", "migrations", "minor_faults", "major_faults", "steal_ns",
                       "disturbed")
AXES = ("kernel", "pin", "size", "values", "pattern")  # the fixture's axes.tsv
DEFAULTS = {"kernel": "naive", "pin": "core", "size": "200000", "values": "1000",
            "pattern": "seed"}


@dataclass
class PointSpec:
    """A point to write: its axes (the others at DEFAULTS), rank count, copy, reference role,
    and per run its makespans in ms (and which runs and repetitions are disturbed)."""

    name: str
    runs: list                      # per run: a list of makespans (ms)
    ranks: int = 1
    axes: dict = field(default_factory=dict)
    copy: str = "1"
    reference: str = "no"
    disturbed_runs: tuple = ()      # indices of runs flagged run_disturbed
    disturbed_reps: dict = field(default_factory=dict)  # run index -> repetitions disturbed
    disturbed_counts: dict = field(default_factory=dict)  # disturbance column -> its value in
    # each disturbed record (the others "0")
    host: str = "vm"
    moving: bool = False            # rank 0 runs on PU 0 and 1 in turn (placement differs)
    sequential_ms: float = None     # each sequential repetition's time (else 1.1 x the
    # makespan x the ranks)


def _template(ranks):
    base = os.path.join(FIXTURE, TEMPLATES[ranks])
    with open(base + ".csv", newline="") as f:
        rows = list(csv.DictReader(f))
    with open(base + ".json") as f:
        context = json.load(f)
    return rows, context


def _median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def _stats(values):
    return {"n": len(values), "min": min(values, default=0), "median": _median(values) if values
            else 0, "max": max(values, default=0)}


def _summary(rows):
    """The summary shmcount writes for these rows (one node): what the loader checks."""
    starts, ends, own, seq = {}, {}, {}, {}
    for r in rows:
        rep, t, t0 = int(r["rep"]), int(r["time_ns"]), int(r["start_ns"])
        if r["phase"] == "parallel":
            starts[rep] = min(starts.get(rep, t0), t0)
            ends[rep] = max(ends.get(rep, 0), t0 + t)
            own.setdefault(rep, []).append(t / 1e6)
        else:
            seq[rep] = seq.get(rep, 0) + t
    reps = sorted(own)
    return {"parallel_ms": _stats([(ends[k] - starts[k]) / 1e6 for k in reps]),
            "sequential_ms": _stats([seq[k] / 1e6 for k in sorted(seq)]),
            "unit_ms": _stats([t for k in reps for t in own[k]]),
            "rank_ms": {"t_min": _stats([min(own[k]) for k in reps]),
                        "t_avg": _stats([sum(own[k]) / len(own[k]) for k in reps]),
                        "t_max": _stats([max(own[k]) for k in reps])}}


def write_run(path, spec, run_index, makespans, disturbance):
    """One run's CSV and run context at path (.csv, .json): its makespans, as `spec` says."""
    rows, context = _template(spec.ranks)
    values = {**DEFAULTS, **spec.axes}
    parallel = [r for r in rows if r["phase"] == "parallel" and r["rep"] == "0"]
    sequential = [r for r in rows if r["phase"] == "sequential"][0]
    disturbed_reps = set(spec.disturbed_reps.get(run_index, ()))
    out = []
    start = 1_000_000_000
    for rep, span in enumerate(makespans):
        ns = int(round(span * 1e6))
        for i, template in enumerate(parallel):
            r = dict(template, rep=str(rep), start_ns=str(start),
                     time_ns=str(ns if i == 0 else int(ns * 0.9)))
            if spec.moving and i == 0:
                r["pu_logical"] = r["pu_os"] = str(rep % 2)
            out.append(r)
        start += 10 * ns
    for rep, span in enumerate(makespans):
        seq_ns = (int(spec.sequential_ms * 1e6) if spec.sequential_ms is not None
                  else int(span * 1.1e6 * spec.ranks))
        out.append(dict(sequential, rep=str(rep), time_ns=str(seq_ns), start_ns=str(start)))
        start += 10 * int(span * 1e6 * spec.ranks)
    for r in out:
        r.update(strategy=values["pin"], size=values["size"], host=spec.host)
        r["work_per_unit"] = str(int(values["size"]) * 1000)
        if disturbance:
            hit = int(r["rep"]) in disturbed_reps and r["phase"] == "parallel"
            r.update(ctx_switches="0", migrations="0", minor_faults="0", major_faults="0",
                     steal_ns="", disturbed="1" if hit else "0")
            if hit:
                r.update({k: str(v) for k, v in spec.disturbed_counts.items()})
    columns = list(context["columns"]) + (list(DISTURBANCE_COLUMNS) if disturbance else [])
    context = copying.deepcopy(context)
    context["columns"] = columns
    context["host"] = spec.host
    context["config"].update(strategy=values["pin"], size=int(values["size"]),
                             work_per_unit=float(int(values["size"]) * 1000),
                             reps=len(makespans))
    summary = context["summary"]
    summary.update(_summary(out))
    summary["outliers"] = []
    if disturbance:
        summary["disturbance"] = {
            "disturbed_reps": len(disturbed_reps), "reps": len(makespans),
            "load_before": 2.5 if run_index in spec.disturbed_runs else 0.5,
            "load_after": 2.7 if run_index in spec.disturbed_runs else 0.7,
            "usable_pus": 2, "load_limit": 1.5,
            "run_disturbed": run_index in spec.disturbed_runs,
            "why": "load 2.5 over 1.5" if run_index in spec.disturbed_runs else ""}
    with open(path + ".csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n",
                                quoting=csv.QUOTE_NONNUMERIC)
        writer.writeheader()
        writer.writerows(out)
    with open(path + ".json", "w") as f:
        json.dump(context, f, indent=1)


def write_set(root, specs, disturbance=False, with_copy=True, with_reference=True,
              duplicates=()):
    """A result set at `root` holding `specs` (PointSpec), one run per round, rounds in the
    order of each point's runs. With `with_copy`/`with_reference` False, the manifest lacks those
    columns, as older sets' do. `duplicates`: rows of duplicates.csv (dicts)."""
    os.makedirs(root)
    axes = list(AXES)
    header = [c for c in schema.manifest_header(axes)
              if (with_copy or c != "copy") and (with_reference or c != "reference")]
    rows = []
    rounds = max(len(s.runs) for s in specs)
    for rd in range(1, rounds + 1):
        for order, spec in enumerate(specs, 1):
            if rd > len(spec.runs):
                continue
            folder = os.path.join(root, "points", spec.name)
            os.makedirs(folder, exist_ok=True)
            write_run(os.path.join(folder, f"r{rd}"), spec, rd - 1, spec.runs[rd - 1],
                      disturbance)
            rows.append({"round": rd, "order": order, "point": spec.name, "ranks": spec.ranks,
                         **{**DEFAULTS, **spec.axes}, "copy": spec.copy,
                         "reference": spec.reference, "status": "done",
                         "csv": f"points/{spec.name}/r{rd}.csv"})
    schema.write_table(os.path.join(root, schema.MANIFEST), header, rows)
    with open(os.path.join(FIXTURE, "axes.tsv")) as src, \
            open(os.path.join(root, "axes.tsv"), "w") as dst:
        dst.write(src.read())
    with open(os.path.join(root, "matrix.txt"), "w") as f:
        f.write(f"ROUNDS={rounds}\nSEED=12345\n")
    if duplicates:
        schema.write_table(os.path.join(root, schema.DUPLICATES),
                           list(duplicates[0].keys()), list(duplicates))
    return root

"""A latency map's figures (shmcount --latency), from a lone run or a result set of repeated maps.

One run: its figures are the ones shmcount computed once and wrote to the run context (the
loader has checked each pair's median against the CSV): per pair the one-way latency's median,
95% interval (rounds, then samples, resampled) and minimum; per relation of hwloc's tree; and the
measured structure against the tree, with its findings. Several runs of one configuration: the
run is the unit, as for counting runs: a pair's latency is the median of its runs' medians with a
bootstrap interval over runs, a relation's the median of its pairs' with an interval over pairs,
and each finding says in how many runs it was found.
"""

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from .latency_checks import RELATIONS
from .checks import InputError

# The relations' words, as shmcount writes them (placement/pairs.cpp).
RELATION_LABELS = {"smt": "SMT siblings", "l2": "same L2", "l3": "same L3",
                   "numa": "same NUMA node", "package": "same package", "other": "other package"}
RESAMPLES = 9999
SEED = 1


@dataclass(frozen=True)
class PairStat:
    """One pair of PUs: logical (a, b) and OS indices, hwloc's relation, the one-way latency's
    median with its 95% interval and minimum (ns), and how many runs measured it."""

    pair: int
    a: int
    b: int
    a_os: int
    b_os: int
    relation: str
    median_ns: float
    low_ns: float
    high_ns: float
    min_ns: float
    runs: int


@dataclass(frozen=True)
class RelationStat:
    relation: str
    pairs: int
    median_ns: float
    low_ns: float
    high_ns: float
    min_ns: float

    @property
    def label(self):
        return RELATION_LABELS[self.relation]


@dataclass(frozen=True)
class Finding:
    """Where the measured structure disagrees with hwloc's tree, as the detector said it, and in
    how many of the runs."""

    kind: str  # closer or farther
    a: int
    b: int
    text: str
    found_in: int
    runs: int


@dataclass
class LatencyAnalysis:
    """What the figures and the report of a latency map show."""

    result_set: object
    runs: list            # load.Run, in round order
    pairs: list           # PairStat, in the runs' pair order
    relations: list       # RelationStat, closest first
    findings: list        # Finding
    advice: list          # what to do, one sentence per distinct advice of the runs
    views: list           # (likwid-topology's disagreement with hwloc, the view the map
                          # supports), one per distinct pair of the runs; none where they agree
    levels: list          # the first run's measured levels (run context latency.structure)
    pus: list             # the run context's pus: the PUs measured, in hwloc's order
    not_measured: list    # the run context's latency.not_measured entries (first run)

    @property
    def context(self):
        return self.runs[0].context


def _interval(values, rng):
    """Median of `values` with its 95% percentile bootstrap interval."""
    values = np.asarray(values, dtype=float)
    if len(values) == 1:
        return float(values[0]), float(values[0]), float(values[0])
    draws = rng.choice(values, size=(RESAMPLES, len(values)), replace=True)
    medians = np.median(draws, axis=1)
    return (float(np.median(values)), float(np.percentile(medians, 2.5)),
            float(np.percentile(medians, 97.5)))


def _pairs(runs, rng):
    """Per pair: one run's own figures, or the median of the runs' medians over runs."""
    per_pair = defaultdict(list)
    for run in runs:
        for p in run.context["latency"]["pairs"]:
            per_pair[p["pair"]].append(p)
    out = []
    for index in sorted(per_pair):
        seen = per_pair[index]
        first = seen[0]
        if len(seen) == 1:
            median, low, high = first["median_ns"], first["low_ns"], first["high_ns"]
        else:
            median, low, high = _interval([p["median_ns"] for p in seen], rng)
        out.append(PairStat(index, first["a"], first["b"], first["a_os"], first["b_os"],
                            first["relation"], median, low, high,
                            min(p["min_ns"] for p in seen), len(seen)))
    return out


def _relations(runs, pairs, rng):
    """One run: its run context's relations; several: the median of each relation's pairs with
    an interval over pairs (a relation of one pair: that pair's)."""
    if len(runs) == 1:
        return [RelationStat(r["relation"], r["pairs"], r["median_ns"], r["low_ns"],
                             r["high_ns"], r["min_ns"])
                for r in runs[0].context["latency"]["relations"]]
    by = defaultdict(list)
    for p in pairs:
        by[p.relation].append(p)
    out = []
    for relation in RELATIONS:
        members = by.get(relation)
        if not members:
            continue
        if len(members) == 1:
            median, low, high = members[0].median_ns, members[0].low_ns, members[0].high_ns
        else:
            median, low, high = _interval([p.median_ns for p in members], rng)
        out.append(RelationStat(relation, len(members), median, low, high,
                                min(p.min_ns for p in members)))
    return out


def _findings(runs):
    """Every run's findings, one entry per (kind, a, b), with how many runs found it."""
    found = {}
    for run in runs:
        for f in run.context["latency"]["structure"]["findings"]:
            key = (f["kind"], f["a"], f["b"])
            if key in found:
                found[key][1] += 1
            else:
                found[key] = [f["text"], 1]
    return [Finding(kind, a, b, text, n, len(runs))
            for (kind, a, b), (text, n) in sorted(found.items(), key=lambda kv: kv[0][1:])]


def analyse_latency(result_set):
    """The figures of a latency map, or of repeated maps of one configuration."""
    if len(result_set.points) != 1:
        raise InputError(f"{result_set.path}: {len(result_set.points)} configurations of latency "
                         "maps; a set of maps holds repeated runs of one configuration")
    runs = sorted(result_set.points[0].runs, key=lambda r: r.round)
    first_pairs = [(p["pair"], p["a"], p["b"]) for p in runs[0].context["latency"]["pairs"]]
    for run in runs[1:]:
        pairs = [(p["pair"], p["a"], p["b"]) for p in run.context["latency"]["pairs"]]
        if pairs != first_pairs or run.context["pus"] != runs[0].context["pus"]:
            raise InputError(f"{run.csv_path}: measured other pairs or PUs than "
                             f"{runs[0].csv_path}; the runs of a set must map the same pairs")
    rng = np.random.default_rng(SEED)
    pairs = _pairs(runs, rng)
    structure = runs[0].context["latency"]["structure"]
    advice = list(dict.fromkeys(r.context["latency"]["structure"]["advice"] for r in runs
                                if r.context["latency"]["structure"]["advice"]))
    # Maps written before shmcount said which view a map supports have neither key.
    views = list(dict.fromkeys((r.context["latency"]["structure"].get("views", ""),
                                r.context["latency"]["structure"].get("supports", ""))
                               for r in runs))
    views = [v for v in views if v[1]]
    return LatencyAnalysis(result_set, runs, pairs, _relations(runs, pairs, rng),
                           _findings(runs), advice, views, structure.get("levels", []),
                           runs[0].context["pus"], runs[0].context["latency"]["not_measured"])

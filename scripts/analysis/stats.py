"""Every derived figure, computed once from the raw records.

Per repetition: the makespan, the sequential time and each rank's own time (t_min, t_avg,
t_max). Per run: those repetitions, and whether the run was disturbed. Per point: its time (the
median of its runs' median makespans), the ideal, speedup and efficiency with two-level bootstrap
intervals (decide.py: the run is the unit). Per pair of points that differ in one axis: the
comparison, round by round over the rounds both ran (decide.compare_paired), and the family's
verdicts (Holm over every pair of the set).
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field, replace

import numpy as np

from . import decide
from .decide import Interval
from .load import InputError
from .text import count

# The axis whose pairs are placement effects: with the same placement, never a winner.
PLACEMENT_AXIS = "pin"
SAME_PLACEMENT = "same_placement"  # the decision of such a pair


@dataclass(frozen=True)
class RunStats:
    """One run's figures, in ms, one entry per timed repetition (sequential: per repetition of
    the baseline, empty without one)."""

    run: object
    parallel: np.ndarray    # makespan: last end minus first start, largest over nodes
    sequential: np.ndarray  # one process doing all the node's units, added over nodes
    t_min: np.ndarray       # each rank's own kernel time: fastest, mean, slowest rank
    t_avg: np.ndarray
    t_max: np.ndarray
    unit: np.ndarray        # every rank's own time in every repetition
    where: list             # per repetition: (node, rank) -> PU it ran on
    disturbed_reps: object  # repetitions with a disturbed record; None: not recorded
    disturbed: object       # the run context's run_disturbed; None: not recorded
    ideal_ms: float = math.nan     # the run's own ideal parallel time (nan without baseline)
    faster_than_ideal: bool = False  # the run context's summary.faster_than_ideal (the one rule)


def _ns(row, key):
    return int(row[key])


def per_run(run):
    """One run's figures, checked against the run's own summary so both sides mean the same."""
    spans = defaultdict(lambda: [math.inf, -math.inf])  # (rep, node) -> first start, last end
    own = defaultdict(list)
    seq = defaultdict(int)
    where = defaultdict(dict)  # rep -> (node, rank) -> PU
    flagged = set()  # repetitions with a disturbed record
    records_disturbance = bool(run.rows) and "disturbed" in run.rows[0]
    for r in run.rows:
        rep = int(r["rep"])
        if r["phase"] == "parallel":
            start, t = _ns(r, "start_ns"), _ns(r, "time_ns")
            span = spans[(rep, r["node"])]
            span[0], span[1] = min(span[0], start), max(span[1], start + t)
            own[rep].append(t / 1e6)
            where[rep][(r["node"], r["rank"])] = r["pu_logical"]
            if records_disturbance and r["disturbed"] == "1":
                flagged.add(rep)
        else:
            seq[rep] += _ns(r, "time_ns")
    reps = sorted(own)
    makespan = {}
    for (rep, _), (first, last) in spans.items():
        makespan[rep] = max(makespan.get(rep, 0.0), (last - first) / 1e6)
    summary = run.disturbance
    sequential = np.array([seq[k] / 1e6 for k in sorted(seq)])
    parallel = np.array([makespan[k] for k in reps])
    seq_by_node = defaultdict(list)
    for r in run.rows:
        if r["phase"] == "sequential":
            seq_by_node[r["node"]].append(_ns(r, "time_ns") / 1e6)
    ideal = ideal_ms(run.context["nodes"], seq_by_node)
    told = run.context["summary"].get("faster_than_ideal")
    out = RunStats(
        run=run,
        parallel=parallel,
        sequential=sequential,
        t_min=np.array([min(own[k]) for k in reps]),
        t_avg=np.array([sum(own[k]) / len(own[k]) for k in reps]),
        t_max=np.array([max(own[k]) for k in reps]),
        unit=np.array([t for k in reps for t in own[k]]),
        where=[where[k] for k in reps],
        disturbed_reps=len(flagged) if records_disturbance else (
            summary.get("disturbed_reps") if summary else None),
        disturbed=bool(summary["run_disturbed"]) if summary and "run_disturbed" in summary
        else None,
        ideal_ms=ideal,
        # shmcount's own verdict; a run of an older shmcount (no such key) gets the same rule here.
        faster_than_ideal=bool(told) if told is not None
        else scaling(parallel, sequential, ideal)["faster_than_ideal"])
    for key, values in (("parallel_ms", out.parallel), ("sequential_ms", out.sequential),
                        ("unit_ms", out.unit), ("rank_ms.t_min", out.t_min),
                        ("rank_ms.t_avg", out.t_avg), ("rank_ms.t_max", out.t_max)):
        _check_summary(run, key, values)
    return out


def _check_summary(run, key, values):
    """Refuses a run whose summary (`key`, a dotted path into it) disagrees with what its
    records give: how many, the least, the median and the most. The summary's numbers are
    written with six significant digits."""
    told = run.context["summary"]
    for part in key.split("."):
        told = told.get(part) if isinstance(told, dict) else None
    if not isinstance(told, dict):
        return  # an older shmcount's summary: nothing to check it against
    if told.get("n") is not None and told["n"] != len(values):
        raise InputError(f"{run.csv_path}: the records give {len(values)} values of {key}, the "
                         f"run context's summary says {told['n']}: rows were lost or added")
    if len(values) == 0:
        return
    for what, mine in (("min", float(np.min(values))), ("median", float(np.median(values))),
                       ("max", float(np.max(values)))):
        if told.get(what) is None or math.isclose(mine, told[what], rel_tol=2e-5, abs_tol=2e-6):
            continue
        raise InputError(f"{run.csv_path}: the records give summary.{key}.{what} {mine:.6g} ms, "
                         f"the run context says {told[what]:.6g} ms: the CSV or its run "
                         "context was changed after the run")


def ideal_ms(nodes, sequential_by_node):
    """ceil(N/P) units of the median sequential unit time, per node (the run context's `nodes`:
    `ranks` on it, `pus` usable); the largest over nodes."""
    worst = math.nan
    for node in nodes:
        times = sequential_by_node.get(str(node["index"]))
        if not times:
            continue
        unit = float(np.median(times)) / node["ranks"]
        ideal = math.ceil(node["ranks"] / node["pus"]) * unit
        worst = ideal if math.isnan(worst) else max(worst, ideal)
    return worst


def cv(values):
    """The coefficient of variation as shmcount's spread_of computes it: the sample standard
    deviation / the mean; 0 for fewer than two values or a mean not above 0."""
    values = np.asarray(values, dtype=float)
    if len(values) < 2 or float(np.mean(values)) <= 0:
        return 0.0
    return float(np.std(values, ddof=1) / np.mean(values))


def faster_than_ideal(median_ms, ideal, noise):
    """The one rule for "faster than perfect scaling" (docs/measuring.md), shmcount's
    faster_than_ideal (report/figures.hpp): with a baseline, the median makespan lies below the
    ideal by more than the measured spread, median < ideal * (1 - noise)."""
    return bool(ideal > 0 and median_ms < ideal * (1 - noise))


def scaling(parallel, sequential, ideal):
    """A run's figures against the ideal as shmcount computes them (summary.ideal_ratio, noise,
    faster_than_ideal): the median makespan / the ideal, the larger cv of the makespans and the
    sequential times, and the rule's verdict. Without a baseline (ideal nan): 0, 0, False."""
    if not (ideal > 0) or len(parallel) == 0:
        return {"ideal_ratio": 0.0, "noise": 0.0, "faster_than_ideal": False}
    median = float(np.median(parallel))
    noise = max(cv(parallel), cv(sequential))
    return {"ideal_ratio": median / ideal, "noise": noise,
            "faster_than_ideal": faster_than_ideal(median, ideal, noise)}


def time_interval(runs, seed_name):
    """A point time (median of the runs' medians) with its two-level bootstrap interval; no
    interval from one run."""
    estimate = decide.point_time(runs)
    if len(runs) < 2:
        return Interval(estimate, math.nan, math.nan)
    return decide.percentile_interval(
        estimate, decide.bootstrap_times(runs, decide.seeded_rng(seed_name)))


def speedup_interval(par_runs, seq_runs, seed_name):
    """Median sequential / median parallel time, each the median of its runs' medians, with a
    two-level bootstrap interval that resamples the same runs for both (they ran together)."""
    estimate = decide.point_time(seq_runs) / decide.point_time(par_runs)
    if len(par_runs) < 2:
        return Interval(estimate, math.nan, math.nan)
    rng = decide.seeded_rng(seed_name)
    index = decide.draw_runs(len(par_runs), rng)
    resampled = (decide.resampled_times(seq_runs, index, rng)
                 / decide.resampled_times(par_runs, index, rng))
    return decide.percentile_interval(estimate, resampled)


@dataclass(frozen=True)
class Sample:
    """What a comparison needs of a point: its runs' makespans, the round each ran in, their
    medians and bootstrap resamples of its time (for unpaired comparisons)."""

    runs: list             # 1-d arrays of makespans (ms), one per run
    medians: np.ndarray    # each run's median
    resampled: np.ndarray  # the point's time in decide.RESAMPLES two-level resamples
    rounds: tuple = ()     # the round of each run (empty: not known, never paired)
    name: str = ""         # seeds the resamples of the pairs it is in

    def scaled(self, factor):
        """The same Sample with every time multiplied by factor (its resamples scale too)."""
        return replace(self, runs=[r * factor for r in self.runs],
                       medians=self.medians * factor, resampled=self.resampled * factor)


def sample_from(runs, rng, resamples=decide.RESAMPLES, rounds=(), name=""):
    """The Sample of a point from its runs (1-d arrays of makespans, one per run, and the round
    each ran in): each run is one observation. No run (all left out): no resamples."""
    resampled = decide.bootstrap_times(runs, rng, resamples) if runs else np.empty(0)
    return Sample(runs, decide.run_medians(runs), resampled, tuple(rounds), name)


def sample(name, run_stats):
    """The Sample of a point named `name` from these of its runs (resamples seeded by name)."""
    return sample_from([r.parallel for r in run_stats], decide.seeded_rng(name),
                       rounds=[r.run.round for r in run_stats], name=name)


@dataclass(frozen=True)
class PointStats:
    """What one point measured. Times in ms; the arrays hold every repetition of every run."""

    runs: tuple             # RunStats, one per run
    sample: Sample          # for comparisons
    time: float             # the median of the runs' median makespans
    parallel: np.ndarray
    sequential: np.ndarray
    t_min: np.ndarray
    t_avg: np.ndarray
    t_max: np.ndarray
    unit: np.ndarray
    ideal_ms: float         # ceil(N/P) units of the sequential unit time (nan without baseline)
    speedup: Interval       # sequential time / parallel time (None without baseline)
    efficiency: Interval    # speedup / ranks
    off_plan: int           # records of ranks that did not run where planned
    oversubscribed: bool    # some rank shared its PU
    outliers: int           # repetitions the runs flagged as far outside the others
    placement: dict         # (node, rank) -> PU it ran on in every repetition; None if it moved
    moved: int              # ranks that ran on more than one PU over the repetitions

    @property
    def rounds(self):
        return len(self.runs)

    @property
    def run_medians(self):
        return self.sample.medians

    @property
    def disturbed_runs(self):
        """Runs flagged disturbed; None when none of them recorded it."""
        flags = [r.disturbed for r in self.runs if r.disturbed is not None]
        return sum(flags) if flags else None

    @property
    def disturbed_reps(self):
        counts = [r.disturbed_reps for r in self.runs if r.disturbed_reps is not None]
        return sum(counts) if counts else None

    @property
    def faster_than_ideal(self):
        """How many of its runs were faster than perfect scaling: each run's own verdict, read
        from its run context (summary.faster_than_ideal), never re-derived by another rule."""
        return sum(bool(r.faster_than_ideal) for r in self.runs)


def summarize(point, seed_name=None):
    """The point's figures from its runs. Its resamples are seeded by `seed_name` (default: the
    point's name); compare.py gives the same point in two inputs different ones."""
    seed_name = seed_name or point.name
    runs = tuple(per_run(run) for run in point.runs)
    merged = {k: np.concatenate([getattr(r, k) for r in runs]) for k in
              ("parallel", "sequential", "t_min", "t_avg", "t_max", "unit")}
    seq_by_node = defaultdict(list)
    for run in point.runs:
        for r in run.rows:
            if r["phase"] == "sequential":
                seq_by_node[r["node"]].append(_ns(r, "time_ns") / 1e6)
    ideal = ideal_ms(point.runs[0].context["nodes"], seq_by_node)
    speedup = efficiency = None
    if all(len(r.sequential) for r in runs):
        speedup = speedup_interval([r.parallel for r in runs], [r.sequential for r in runs],
                                   f"{seed_name} speedup")
        efficiency = speedup.scaled(1 / point.ranks)
    pus = defaultdict(set)
    for r in runs:
        for w in r.where:
            for who, pu in w.items():
                pus[who].add(pu)
    placement = {who: next(iter(s)) for who, s in pus.items() if len(s) == 1 and "" not in s}
    rows = [r for run in point.runs for r in run.rows]
    points_sample = sample(seed_name, runs)
    return PointStats(
        runs=runs, sample=points_sample, time=float(np.median(points_sample.medians)),
        ideal_ms=ideal, speedup=speedup, efficiency=efficiency,
        off_plan=sum(r["placed_ok"] != "1" for r in rows),
        oversubscribed=any(r["oversubscribed"] == "1" for r in rows),
        outliers=sum(len(run.context["summary"].get("outliers", [])) for run in point.runs),
        placement=placement if len(placement) == len(pus) else None,
        moved=len(pus) - len(placement),
        **merged)


def same_placement(a, b):
    """Every rank ran on the same PU in every repetition of both points."""
    return a.placement is not None and a.placement == b.placement


def shared_rounds(a, b):
    """The rounds in which both Samples have a run, in order."""
    return sorted(set(a.rounds) & set(b.rounds))


def compare_samples(a, b, paired=False, rng=None, resamples=decide.RESAMPLES):
    """B against A from their Samples. paired: A and B were measured in one sweep's interleaved
    rounds, so wherever they share a round they are judged round by round
    (decide.compare_paired over the shared rounds only, with `resamples` joint resamples drawn
    from rng, by default seeded by both names); with no shared round, and unless paired,
    unpaired (decide.compare, from the Samples' own resamples)."""
    shared = shared_rounds(a, b) if paired else []
    if not shared:
        return decide.compare(a.medians, b.medians, a.resampled, b.resampled)
    run_a = dict(zip(a.rounds, a.runs))
    run_b = dict(zip(b.rounds, b.runs))
    rng = rng or decide.seeded_rng(f"{a.name} | {b.name}")
    return decide.compare_paired([run_a[r] for r in shared], [run_b[r] for r in shared], rng,
                                 resamples)


@dataclass
class Pair:
    """Two points compared: B against A. In a result set they differ in exactly one axis; in
    compare.py they are the same point in two sets (axis None)."""

    axis: object
    a: object
    b: object
    comparison: decide.Comparison
    same_placement: bool
    p_adjusted: float = math.nan
    verdict: decide.Verdict = None
    band: tuple = (1.0, 1.0)  # what the interval must clear: 1, or the drift between two sets
    margin: float = decide.MARGIN  # the equivalence margin it was judged with
    family_size: int = 1      # the tested comparisons of its family (Holm over them)


def judge_family(pairs, margin):
    """Holm over every pair (one family), then each pair's verdict. A pair on the placement axis
    whose points ran every rank on the same PU gets no winner: its difference is not a placement
    effect."""
    adjusted = decide.holm([p.comparison.p for p in pairs])
    tested = int(np.sum(~np.isnan(adjusted)))
    for pair, p_adj in zip(pairs, adjusted):
        pair.p_adjusted = float(p_adj)
        pair.family_size = tested
        pair.margin = margin
        verdict = decide.judge(pair.comparison, p_adj, margin, tested, pair.band)
        if pair.axis == PLACEMENT_AXIS and pair.same_placement:
            tail = "; yet the times differ beyond the noise: look for another cause" \
                if verdict.beyond_noise else ""
            verdict = decide.Verdict(SAME_PLACEMENT, "same placement (every rank on the same PU "
                                     f"in every repetition): not a placement effect{tail}")
        pair.verdict = verdict
    return pairs


def pairs(result_set, stats):
    """Every pair of points at the same rank count differing in exactly one varied axis, A before
    B in the axis's value order, compared round by round where they share rounds (not yet
    judged)."""
    out = []
    for axis in result_set.axes:
        order = {v: i for i, v in enumerate(result_set.values(axis))}
        others = [x for x in result_set.axes if x != axis]
        groups = defaultdict(list)
        for p in result_set.points:
            groups[(p.ranks, tuple(p.axes[x] for x in others))].append(p)
        for key in sorted(groups):
            ps = sorted(groups[key], key=lambda p: order[p.axes[axis]])
            for i, a in enumerate(ps):
                for b in ps[i + 1:]:
                    sa, sb = stats[a.name], stats[b.name]
                    out.append(Pair(axis, a, b,
                                    compare_samples(sa.sample, sb.sample, paired=True),
                                    same_placement(sa, sb)))
    return out


def cv_between_runs(s, undisturbed=False):
    """The coefficient of variation of a point's runs' times (undisturbed: of its runs not
    flagged disturbed); None with fewer than two."""
    medians = s.run_medians
    if undisturbed:
        medians = np.array([m for m, r in zip(medians, s.runs) if not r.disturbed])
    return float(np.std(medians, ddof=1) / np.mean(medians)) if len(medians) > 1 else None


def _number(text):
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


def disturbed_by(point_stats):
    """What disturbed the flagged runs of these points, from their run contexts' load and the
    disturbance columns of their disturbed records: (words, busiest PU in words or "")."""
    flagged = [r for s in point_stats for r in s.runs if r.disturbed]
    if not flagged:
        return "", ""
    parts = []
    loaded, loads, pus, limits = 0, [], set(), set()
    for r in flagged:
        d = r.run.disturbance or {}
        if d.get("nodes_over_load") or d.get("over_load") or "load" in (d.get("why") or ""):
            loaded += 1
            loads += [x for x in (d.get("load_before"), d.get("load_after"))
                      if isinstance(x, (int, float))]
            if d.get("usable_pus"):
                pus.add(d["usable_pus"])
            if isinstance(d.get("load_limit"), (int, float)):
                limits.add(d["load_limit"])
    if loaded:
        peak = f" up to {max(loads):.2f}" if loads else ""
        on = f" on {'/'.join(map(str, sorted(pus)))} usable PUs" if pus else ""
        limit = f", above the limit of {'/'.join(f'{x:g}' for x in sorted(limits))}" \
            if limits else " above its limit"
        parts.append(f"the load{peak}{on}{limit} in {loaded} of them")
    totals, lost_by_pu, records = defaultdict(int), defaultdict(int), 0
    for r in flagged:
        for row in r.run.rows:
            if row.get("phase") != "parallel" or row.get("disturbed") != "1":
                continue
            records += 1
            for key in ("ctx_switches", "migrations", "major_faults"):
                totals[key] += _number(row.get(key)) or 0
            lost = _number(row.get("off_cpu_ns"))
            if lost is None:
                lost = _number(row.get("run_delay_ns")) or 0
            lost += _number(row.get("steal_ns")) or 0
            totals["lost_ns"] += lost
            lost_by_pu[row.get("pu_logical", "")] += lost
    if records:
        said = [f"{totals['lost_ns'] / 1e6:.1f} ms without a CPU or stolen"] \
            if totals["lost_ns"] else []
        said += [f"{totals[key]} {words}" for key, words in (
            ("ctx_switches", "involuntary context switches"), ("migrations", "migrations"),
            ("major_faults", "major page faults")) if totals[key]]
        parts.append(f"{count(records, 'disturbed record')} (CSV column `disturbed`)" +
                     (f": {', '.join(said)}" if said else ""))
    busiest = ""
    if totals["lost_ns"] and len(lost_by_pu) > 1:
        pu, lost = max(lost_by_pu.items(), key=lambda kv: kv[1])
        share = lost / totals["lost_ns"]
        if pu != "" and share > 0.5:
            busiest = f"PU {pu} (the busiest: {100 * share:.0f}% of the time lost)"
    return "; ".join(parts), busiest


def explain(pair, sa, sb):
    """Why the judged pair cannot tell, measured in its points sa and sb (PointStats), with the
    cheapest fix: a decide.Cause, or None when it can tell."""
    if pair.verdict is None or pair.verdict.decision not in (decide.CANNOT_TELL,
                                                             decide.TOO_FEW):
        return None
    disturbed = None
    if sa.disturbed_runs is not None or sb.disturbed_runs is not None:
        disturbed = ((sa.disturbed_runs or 0, sa.rounds), (sb.disturbed_runs or 0, sb.rounds))
    by_what, busiest = disturbed_by([sa, sb])
    size = pair.a.config.get("size") if hasattr(pair.a, "config") else None
    c = pair.comparison
    return decide.why_cannot_tell(
        c, pair.verdict, margin=pair.margin, family_size=pair.family_size, band=pair.band,
        spread=(cv_between_runs(sa), cv_between_runs(sb)), disturbed=disturbed,
        by_what=by_what, pin_hint=busiest, time_ms=min(c.time_a, c.time_b), size=size,
        undisturbed_spread=(cv_between_runs(sa, True), cv_between_runs(sb, True)))


@dataclass(frozen=True)
class Change:
    """A verdict that changes when the disturbed runs are left out."""

    pair: Pair
    without: decide.Verdict
    runs_left: tuple  # runs of A and B once the disturbed ones are out


def without_disturbed(pairs_, stats, margin):
    """The family judged again with every disturbed run left out: the verdicts that change.
    Pairs that would lose every run of a side are judged on what is left as too few runs."""
    kept = {}
    for name, s in stats.items():
        if s.disturbed_runs:
            kept[name] = sample(name, [r for r in s.runs if not r.disturbed])
    if not kept:
        return []
    again = []
    for p in pairs_:
        a = kept.get(p.a.name, stats[p.a.name].sample)
        b = kept.get(p.b.name, stats[p.b.name].sample)
        if not a.runs or not b.runs:
            comparison = decide.Comparison(len(a.runs), len(b.runs), math.nan, math.nan,
                                           Interval(math.nan, math.nan, math.nan), math.nan, "")
        else:
            comparison = compare_samples(a, b, paired=True)
        again.append(replace(p, comparison=comparison, p_adjusted=math.nan, verdict=None))
    judge_family([p for p in again if p.comparison.n_a and p.comparison.n_b], margin)
    changes = []
    for before, after in zip(pairs_, again):
        if after.verdict is None:
            after.verdict = decide.Verdict(decide.TOO_FEW, "no run left on one side")
        if after.verdict.decision != before.verdict.decision:
            changes.append(Change(before, after.verdict,
                                  (after.comparison.n_a, after.comparison.n_b)))
    return changes


@dataclass(frozen=True)
class Analysis:
    """A result set with every point's figures and every one-axis comparison, judged."""

    result_set: object
    stats: dict     # point name -> PointStats
    pairs: list     # Pair, judged as one family
    margin: float
    changes: list = field(default_factory=list)  # verdicts that change without disturbed runs

    @property
    def disturbance_recorded(self):
        return any(s.disturbed_runs is not None for s in self.stats.values())

    @property
    def disturbed_runs(self):
        return sum(s.disturbed_runs or 0 for s in self.stats.values())


def analyse(result_set, margin=decide.MARGIN):
    """Figures for every point, then every one-axis pair judged as one family: the one place
    they are made."""
    stats = {p.name: summarize(p) for p in result_set.points}
    judged = judge_family(pairs(result_set, stats), margin)
    return Analysis(result_set, stats, judged, margin, without_disturbed(judged, stats, margin))

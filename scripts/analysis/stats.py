"""Every derived figure, computed once from the raw records: per repetition the makespan, the
sequential time and each rank's own time (t_min, t_avg, t_max); per point the medians, the ideal,
speedup and efficiency with bootstrap intervals; per pair of points the test that decides whether
they differ beyond the noise.
"""

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps

from .load import InputError

ALPHA = 0.01          # a difference is beyond the noise when p < ALPHA ...
CONFIDENCE = 0.95     # ... and this interval of the ratio of medians excludes 1
RESAMPLES = 9999      # bootstrap resamples
BOOTSTRAP_SEED = 1    # every interval is drawn from the same seed: a report is reproducible


@dataclass(frozen=True)
class Interval:
    """An estimate with its CONFIDENCE bootstrap interval (low, high are nan when n < 2)."""

    estimate: float
    low: float
    high: float

    def excludes(self, value):
        return not (self.low <= value <= self.high)

    def scaled(self, factor):
        return Interval(self.estimate * factor, self.low * factor, self.high * factor)


@dataclass(frozen=True)
class PointStats:
    """What one point measured, its rounds merged. Times in ms, one entry per repetition."""

    parallel: np.ndarray    # makespan: last end minus first start, largest over nodes
    sequential: np.ndarray  # one process doing all the node's units, added over nodes
    t_min: np.ndarray       # each rank's own kernel time: fastest, mean, slowest rank
    t_avg: np.ndarray
    t_max: np.ndarray
    unit: np.ndarray        # every rank's own time in every repetition
    rounds: int
    ideal_ms: float         # ceil(N/P) units of the sequential unit time (nan without baseline)
    speedup: Interval       # median sequential / median parallel (None without baseline)
    efficiency: Interval    # speedup / ranks
    wrong: int              # records whose counts were wrong
    off_plan: int           # records of ranks that did not run where planned
    oversubscribed: bool    # some rank shared its PU
    outliers: int           # repetitions the runs flagged as far outside the others
    placement: dict         # (node, rank) -> PU it ran on in every repetition; None if it moved
    moved: int              # ranks that ran on more than one PU over the repetitions

    @property
    def below_ideal(self):
        """Faster than perfect scaling, as shmcount's summary flags it: an efficiency above 100%,
        or a median makespan more than 10% below the ideal."""
        above = self.efficiency is not None and self.efficiency.estimate > 1
        return bool(above or np.median(self.parallel) < 0.9 * self.ideal_ms)


@dataclass(frozen=True)
class Comparison:
    """B against A: ratio of median makespans B/A with its interval, and the Mann-Whitney U test."""

    a: np.ndarray
    b: np.ndarray
    ratio: Interval
    p: float
    min_p: float  # the smallest p the test can reach with these sample sizes

    @property
    def decidable(self):
        return self.min_p < ALPHA

    @property
    def beyond_noise(self):
        return self.p < ALPHA and self.ratio.excludes(1.0)

    def verdict(self):
        """'beyond the noise', 'within the noise' or why the test cannot tell."""
        if self.beyond_noise:
            return "beyond the noise"
        if not self.decidable:
            return f"too few repetitions ({len(self.a)} and {len(self.b)}) to tell"
        return "within the noise"


def _ns(row, key):
    return int(row[key])


def per_repetition(run):
    """Per repetition of one run (ms): makespan, sequential, t_min, t_avg, t_max; and each rank's
    PU per repetition. Checked against the run's own summary, so both sides mean the same."""
    spans = defaultdict(lambda: [math.inf, -math.inf])  # (rep, node) -> first start, last end
    own = defaultdict(list)
    seq = defaultdict(int)
    where = defaultdict(dict)  # rep -> (node, rank) -> PU
    for r in run.rows:
        rep = int(r["rep"])
        if r["phase"] == "parallel":
            start, t = _ns(r, "start_ns"), _ns(r, "time_ns")
            span = spans[(rep, r["node"])]
            span[0], span[1] = min(span[0], start), max(span[1], start + t)
            own[rep].append(t / 1e6)
            where[rep][(r["node"], r["rank"])] = r["pu_logical"]
        else:
            seq[rep] += _ns(r, "time_ns")
    reps = sorted(own)
    makespan = {}
    for (rep, _), (first, last) in spans.items():
        makespan[rep] = max(makespan.get(rep, 0.0), (last - first) / 1e6)
    out = {
        "parallel": np.array([makespan[k] for k in reps]),
        "sequential": np.array([seq[k] / 1e6 for k in sorted(seq)]),
        "t_min": np.array([min(own[k]) for k in reps]),
        "t_avg": np.array([sum(own[k]) / len(own[k]) for k in reps]),
        "t_max": np.array([max(own[k]) for k in reps]),
        "unit": np.array([t for k in reps for t in own[k]]),
        "where": [where[k] for k in reps],
    }
    _check_summary(run, "parallel_ms", out["parallel"])
    _check_summary(run, "sequential_ms", out["sequential"])
    return out


def _check_summary(run, key, values):
    """Refuses a run whose summary disagrees with what its records say."""
    told = run.context["summary"].get(key)
    if told is None or len(values) == 0:
        return
    mine = float(np.median(values))
    if not math.isclose(mine, told["median"], rel_tol=1e-3, abs_tol=1e-3):
        raise InputError(f"{run.csv_path}: summary.{key}.median is {told['median']} ms but the "
                         f"records give {mine:.4f} ms (written by an older shmcount?)")


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


def bootstrap(samples, statistic):
    """statistic(*samples) with its CONFIDENCE interval (seeded BCa bootstrap, samples unpaired)."""
    estimate = float(statistic(*samples))
    if min(len(s) for s in samples) < 2:
        return Interval(estimate, math.nan, math.nan)
    res = sps.bootstrap(samples, statistic, vectorized=True, paired=False,
                        confidence_level=CONFIDENCE, n_resamples=RESAMPLES, method="BCa",
                        random_state=np.random.default_rng(BOOTSTRAP_SEED))
    return Interval(estimate, float(res.confidence_interval.low),
                    float(res.confidence_interval.high))


def ratio_of_medians(x, y, axis=-1):
    """median(y) / median(x), along an axis (for the bootstrap's vectorised resamples)."""
    return np.median(y, axis=axis) / np.median(x, axis=axis)


def compare(a, b):
    """B against A (makespans in ms): the ratio of medians with its interval and the two-sided
    Mann-Whitney U p-value."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    ratio = bootstrap((a, b), ratio_of_medians)
    p = float(sps.mannwhitneyu(a, b, alternative="two-sided").pvalue)
    # The same test on two samples of these sizes that do not overlap at all.
    min_p = float(sps.mannwhitneyu(np.arange(len(a)), np.arange(len(b)) + len(a),
                                   alternative="two-sided").pvalue)
    return Comparison(a, b, ratio, p, min_p)


def summarize(point):
    """The point's figures, its runs' repetitions merged."""
    reps = [per_repetition(run) for run in point.runs]
    merged = {k: np.concatenate([r[k] for r in reps]) for k in
              ("parallel", "sequential", "t_min", "t_avg", "t_max", "unit")}
    seq_by_node = defaultdict(list)
    for run in point.runs:
        for r in run.rows:
            if r["phase"] == "sequential":
                seq_by_node[r["node"]].append(_ns(r, "time_ns") / 1e6)
    ideal = ideal_ms(point.runs[0].context["nodes"], seq_by_node)
    speedup = efficiency = None
    if len(merged["sequential"]):
        speedup = bootstrap((merged["parallel"], merged["sequential"]), ratio_of_medians)
        efficiency = speedup.scaled(1 / point.ranks)
    where = [w for r in reps for w in r["where"]]
    pus = defaultdict(set)
    for w in where:
        for who, pu in w.items():
            pus[who].add(pu)
    placement = {who: next(iter(s)) for who, s in pus.items() if len(s) == 1 and "" not in s}
    rows = [r for run in point.runs for r in run.rows]
    return PointStats(
        rounds=len(point.runs), ideal_ms=ideal, speedup=speedup, efficiency=efficiency,
        wrong=sum(r["ok"] != "1" for r in rows),
        off_plan=sum(r["placed_ok"] != "1" for r in rows),
        oversubscribed=any(r["oversubscribed"] == "1" for r in rows),
        outliers=sum(len(run.context["summary"].get("outliers", [])) for run in point.runs),
        placement=placement if len(placement) == len(pus) else None,
        moved=len(pus) - len(placement),
        **merged)


def same_placement(a, b):
    """Every rank ran on the same PU in every repetition of both points."""
    return a.placement is not None and a.placement == b.placement


@dataclass(frozen=True)
class Pair:
    """Two points at the same rank count that differ in exactly one axis."""

    axis: str
    a: object
    b: object
    comparison: Comparison
    same_placement: bool


def pairs(result_set, stats):
    """Every pair of points at the same rank count differing in exactly one varied axis, A before
    B in the axis's value order, with the test on their makespans."""
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
                    out.append(Pair(axis, a, b, compare(sa.parallel, sb.parallel),
                                    same_placement(sa, sb)))
    return out


@dataclass(frozen=True)
class Analysis:
    """A result set with every point's figures and every one-axis comparison."""

    result_set: object
    stats: dict   # point name -> PointStats
    pairs: list


def analyse(result_set):
    """Figures for every point, then every one-axis pair's test: the one place they are made."""
    stats = {p.name: summarize(p) for p in result_set.points}
    return Analysis(result_set, stats, pairs(result_set, stats))

"""How two points are judged: the run is the unit.

A run is one launch of a point in one round. Its repetitions share the process, its placement,
the physical pages of its segment and the machine's state during those seconds, so they are not
independent draws of the point: pooled as if they were, they turn run-to-run variation into false
alarms. Here:

- a run's statistic is the median makespan over its repetitions; a point's time is the median of
  its runs' medians;
- the test is the two-sided Mann-Whitney U test over the runs' medians (exact where there are no
  ties and both sides have at most EXACT_MAX_RUNS runs, else the normal approximation);
- the interval of the ratio B / A is a two-level bootstrap: the runs are resampled, then the
  repetitions within each resampled run (percentile interval, RESAMPLES resamples, seeded);
- every comparison of one report, or of one compare, is one family, Holm-corrected: the chance of
  any false alarm among all its verdicts is at most ALPHA;
- a verdict: beyond the noise, the same within the margin, or cannot tell (with about how many
  more rounds would tell).

Everything here works on plain arrays; stats.py feeds it the points of a result set.
"""

import functools
import math
import zlib
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps

from .text import ratio

# The three numbers every verdict depends on, in one place.
ALPHA = 0.05        # family-wise: at most this chance of any false alarm among a family's verdicts
MARGIN = 0.03       # equivalence margin: "the same within ±3%" (THRESHOLD= / --threshold)
CONFIDENCE = 0.95   # the bootstrap interval of the ratio B / A

RESAMPLES = 4000       # bootstrap resamples per point
BOOTSTRAP_SEED = 1     # with the point's name, seeds its resamples: a report is reproducible
EXACT_MAX_RUNS = 100   # the exact Mann-Whitney distribution up to this many runs a side
MORE_ROUNDS_CAP = 50   # past this many more rounds, "many more rounds"

# Decisions, as the verdict files write them.
SLOWER, FASTER, SAME, CANNOT_TELL, TOO_FEW = "slower", "faster", "same", "cannot_tell", "too_few"


@dataclass(frozen=True)
class Interval:
    """An estimate with its CONFIDENCE interval (low and high are nan when there is none)."""

    estimate: float
    low: float
    high: float

    def excludes(self, value):
        return not (self.low <= value <= self.high)

    def scaled(self, factor):
        return Interval(self.estimate * factor, self.low * factor, self.high * factor)


def run_medians(runs):
    """Each run's median (runs: a sequence of 1-d arrays, one per run, its repetitions)."""
    return np.array([np.median(r) for r in runs], dtype=float)


def point_time(runs):
    """A point's time: the median of its runs' medians."""
    return float(np.median(run_medians(runs)))


def seeded_rng(name):
    """The random generator of one point's resamples: the same name gives the same draws,
    different names independent ones (so two points are never resampled in step)."""
    return np.random.default_rng([BOOTSTRAP_SEED, zlib.crc32(name.encode())])


@functools.lru_cache(maxsize=None)
def resample_median_table(r):
    """Where the median of a bootstrap resample of r values falls, for any r values.

    Resampling r sorted values x[0] <= ... <= x[r-1] with replacement, the resample's median is
    x[k] (odd r) or (x[k1] + x[k2]) / 2 (even r), with order-statistic indices whose distribution
    depends on r alone. Returns (k1, k2, cumulative probability), one entry per possible (k1, k2),
    so that drawing the median of a resampled run is one uniform draw, however many repetitions.
    """
    ks = np.arange(r)
    # N(k): how many of the r draws fall on indices <= k; binomial(r, (k + 1) / r).
    if r % 2:
        m = (r + 1) // 2  # the median is the m-th smallest draw: <= x[k] when N(k) >= m
        cdf = sps.binom.sf(m - 1, r, (ks + 1) / r)
        pmf = np.diff(np.concatenate([[0.0], cdf]))
        k1 = k2 = ks
    else:
        j = r // 2  # the median is the mean of the j-th and (j+1)-th smallest draws
        a, b = np.meshgrid(ks, ks, indexing="ij")
        n_a = lambda k, n: sps.binom.pmf(n, r, (k + 1) / r)  # noqa: E731  P(N(k) = n)

        def joint_cdf(a, b):
            # P(j-th <= a and (j+1)-th <= b) for a <= b: N(a) > j, or N(a) = j and one of the
            # other r - j draws (uniform over the r - a - 1 indices above a) lands in (a, b].
            a, b = np.minimum(a, b), b
            above = np.maximum(r - a - 1, 1)
            some = 1 - (1 - (b - a) / above) ** (r - j)
            out = sps.binom.sf(j, r, (a + 1) / r) + n_a(a, j) * some
            return np.where(a < 0, 0.0, out)

        pmf = (joint_cdf(a, b) - joint_cdf(a - 1, b) - joint_cdf(a, b - 1)
               + joint_cdf(a - 1, b - 1))
        keep = (a <= b) & (pmf > 1e-15)
        k1, k2, pmf = a[keep], b[keep], pmf[keep]
    cum = np.cumsum(pmf)
    cum /= cum[-1]
    return k1, k2, cum


def resampled_times(runs, run_index, rng):
    """A point's time in each bootstrap resample: for resample i, the runs run_index[i] (drawn
    with replacement), each with its repetitions resampled, and the median of their medians.

    runs: 1-d arrays of repetitions, one per run; run_index: (resamples, len(runs)) integers.
    """
    lengths = np.array([len(reps) for reps in runs])
    values = np.empty(run_index.shape)
    for length in np.unique(lengths):  # usually one: every run has the same repetitions
        ordered = np.zeros((len(runs), length))
        for i in np.flatnonzero(lengths == length):
            ordered[i] = np.sort(runs[i])
        slots = lengths[run_index] == length
        chosen = run_index[slots]
        k1, k2, cum = resample_median_table(int(length))
        t = np.minimum(np.searchsorted(cum, rng.random(chosen.size), side="right"), len(cum) - 1)
        values[slots] = (ordered[chosen, k1[t]] + ordered[chosen, k2[t]]) / 2
    return np.median(values, axis=1)


def draw_runs(n_runs, rng, resamples=RESAMPLES):
    """Which runs each bootstrap resample takes: (resamples, n_runs) indices, with replacement."""
    return rng.integers(0, n_runs, size=(resamples, n_runs))


def bootstrap_times(runs, rng, resamples=RESAMPLES):
    """The point's time in `resamples` two-level bootstrap resamples."""
    return resampled_times(runs, draw_runs(len(runs), rng, resamples), rng)


def percentile_interval(estimate, resampled):
    """The CONFIDENCE percentile interval of resampled values around an estimate."""
    tail = (1 - CONFIDENCE) / 2
    low, high = np.quantile(resampled, [tail, 1 - tail])
    return Interval(float(estimate), float(low), float(high))


def mann_whitney(medians_a, medians_b):
    """Two-sided Mann-Whitney U over two sides' run medians: (p, which test). Exact where scipy
    can be (no ties, at most EXACT_MAX_RUNS runs a side), else the normal approximation with the
    tie correction."""
    a, b = np.asarray(medians_a, float), np.asarray(medians_b, float)
    both = np.concatenate([a, b])
    exact = len(np.unique(both)) == len(both) and max(len(a), len(b)) <= EXACT_MAX_RUNS
    method = "exact" if exact else "asymptotic"
    p = float(sps.mannwhitneyu(a, b, alternative="two-sided", method=method).pvalue)
    return p, ("exact" if exact else "normal approximation")


def smallest_p(n_a, n_b):
    """The smallest two-sided p the exact test can give with n_a and n_b runs:
    2 / C(n_a + n_b, n_a)."""
    return min(1.0, 2 / math.comb(n_a + n_b, n_a))


@dataclass(frozen=True)
class Comparison:
    """B against A, runs as the unit: each side's runs, the ratio of their times with its
    interval, and the test."""

    n_a: int
    n_b: int
    time_a: float    # ms: median of A's run medians
    time_b: float
    ratio: Interval  # time_b / time_a, two-level bootstrap interval (nan with one run a side)
    p: float         # raw two-sided p (nan when a side has one run)
    test: str        # "exact", "normal approximation", or "" when no test was made


def compare(medians_a, medians_b, resampled_a, resampled_b):
    """B against A from each side's run medians (run_medians) and bootstrap resamples of its
    point time (bootstrap_times)."""
    time_a, time_b = float(np.median(medians_a)), float(np.median(medians_b))
    n_a, n_b = len(medians_a), len(medians_b)
    if min(n_a, n_b) < 2:
        # With one run a side, the spread between runs is unknown: no interval, no test.
        return Comparison(n_a, n_b, time_a, time_b,
                          Interval(time_b / time_a, math.nan, math.nan), math.nan, "")
    p, test = mann_whitney(medians_a, medians_b)
    ratio = percentile_interval(time_b / time_a, resampled_b / resampled_a)
    return Comparison(n_a, n_b, time_a, time_b, ratio, p, test)


def holm(p_values):
    """Holm's step-down adjusted p-values (nan stays nan and does not count in the family)."""
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, math.nan)
    tested = np.flatnonzero(~np.isnan(p))
    order = tested[np.argsort(p[tested], kind="stable")]
    m, running = len(order), 0.0
    for rank, i in enumerate(order):
        running = max(running, (m - rank) * p[i])
        out[i] = min(1.0, running)
    return out


@dataclass(frozen=True)
class Verdict:
    """What a comparison says: a decision (SLOWER, FASTER, SAME, CANNOT_TELL, TOO_FEW), the
    words for it, and for CANNOT_TELL about how many more rounds would tell (None: many)."""

    decision: str
    text: str
    more_rounds: object = None

    @property
    def beyond_noise(self):
        return self.decision in (SLOWER, FASTER)


def percent_label(margin):
    """'±3%' for a margin of 0.03."""
    return f"±{100 * margin:g}%"


def judge(c, p_adjusted, margin=MARGIN, family_size=1, band=(1.0, 1.0)):
    """The verdict of comparison c with its family's adjusted p.

    Beyond the noise: adjusted p < ALPHA, the interval excludes the band (1, or the drift
    between two result sets: compare.py) and the estimate lies beyond the margin. The same
    within the margin: the interval lies inside [1 - margin, 1 + margin]. Otherwise cannot tell,
    with an estimate of the rounds that would tell.
    """
    if c.n_a == 1 and c.n_b == 1:
        return Verdict(TOO_FEW, "one run each: cannot tell")
    if min(c.n_a, c.n_b) < 2:
        return Verdict(TOO_FEW, f"too few runs ({c.n_a} and {c.n_b}): cannot tell")
    r = c.ratio
    beyond_band = r.low > band[1] or r.high < band[0]
    if p_adjusted < ALPHA and beyond_band and abs(r.estimate - 1) > margin:
        return Verdict(SLOWER if r.estimate > 1 else FASTER, "beyond the noise")
    if 1 - margin <= r.low and r.high <= 1 + margin:
        return Verdict(SAME, f"the same within {percent_label(margin)}")
    more = more_rounds(c, margin, family_size, band)
    words = "many more rounds" if more is None else f"about {more} more round" + \
        ("s" if more != 1 else "")
    return Verdict(CANNOT_TELL, f"cannot tell (interval [{ratio(r.low)}, {ratio(r.high)}]; "
                                f"{words} would tell)", more)


def more_rounds(c, margin, family_size=1, band=(1.0, 1.0)):
    """About how many more rounds (one more run a side each) would let comparison c decide, or
    None past MORE_ROUNDS_CAP.

    The interval's width shrinks as 1 / sqrt(runs): with n runs a side now and n + N later, each
    side of the interval (in log ratio) scales by sqrt(n / (n + N)). An estimate inside the
    margin needs the interval to fit inside it. One beyond it needs the interval to clear the
    band, and the test to reach Holm's strictest threshold, ALPHA / family_size: at least enough
    runs that the exact test can reach it at all, and, unless the two sides' runs are already
    fully apart, enough that its z (which grows as sqrt(runs)) does.
    """
    n = min(c.n_a, c.n_b)
    centre = math.log(c.ratio.estimate)
    below, above = centre - math.log(c.ratio.low), math.log(c.ratio.high) - centre
    needed = [1]
    if abs(c.ratio.estimate - 1) <= margin:
        scale = min((math.log(1 + margin) - centre) / above if above > 0 else math.inf,
                    (centre - math.log(1 - margin)) / below if below > 0 else math.inf)
    else:
        if c.ratio.estimate > 1:
            scale = (centre - math.log(band[1])) / below if below > 0 else math.inf
        else:
            scale = (math.log(band[0]) - centre) / above if above > 0 else math.inf
        threshold = ALPHA / max(family_size, 1)
        reach = 0
        while smallest_p(c.n_a + reach, c.n_b + reach) >= threshold:
            reach += 1
        needed.append(reach)
        if c.p > smallest_p(c.n_a, c.n_b) * (1 + 1e-9):  # not fully apart: z must grow too
            z_now = sps.norm.isf(c.p / 2) if c.p < 1 else 0.0
            z_needed = sps.norm.isf(threshold / 2)
            needed.append(n * (z_needed / z_now) ** 2 - n if z_now > 0 else math.inf)
    needed.append(n / scale ** 2 - n if scale > 0 else math.inf)
    more = max(needed)
    if not math.isfinite(more) or more > MORE_ROUNDS_CAP:
        return None
    return max(1, math.ceil(more))

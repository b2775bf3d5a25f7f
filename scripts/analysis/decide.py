"""How two points are judged: the run is the unit.

A run is one launch of a point in one round. Its repetitions share the process, its placement,
the physical pages of its segment and the machine's state during those seconds, so they are not
independent draws of the point: pooled as if they were, they turn run-to-run variation into false
alarms. Here:

- a run's statistic is the median makespan over its repetitions; a point's time is the median of
  its runs' medians;
- two points of one sweep that share rounds are judged round by round (paired by round): per
  shared round r, d_r = log(B's run median in r) - log(A's run median in r), so the drift of the
  machine between rounds, which both runs of a round share, cancels. The test is a sign-flip
  (randomisation) test of the mean of d_r: under "no difference" each round's sign is a fair
  coin, because the order of the points within a round was drawn at random. All 2^R flips are
  counted exactly up to SIGN_FLIP_EXACT_ROUNDS rounds, a seeded Monte Carlo draw beyond. B / A is
  exp of the Hodges-Lehmann centre of d_r (the median of the means of every two of them), its
  interval a two-level bootstrap that resamples the rounds jointly for both points, then the
  repetitions within each run. Why the mean for the test and the Hodges-Lehmann centre for the
  interval: tests/python/test_simulation.py measures both against the other choice;
- other comparisons (two result sets, two runs, points without a shared round) are unpaired: the
  two-sided Mann-Whitney U test over the runs' medians (exact where there are no ties and both
  sides have at most EXACT_MAX_RUNS runs, else the normal approximation), and the ratio of the
  points' times with a two-level bootstrap interval of each point on its own (runs, then
  repetitions within each resampled run);
- every interval is a percentile interval of RESAMPLES seeded resamples;
- every comparison of one report, or of one compare, is one family, Holm-corrected: the chance of
  any false alarm among all its verdicts is at most ALPHA;
- a verdict: beyond the noise, the same within the margin, or cannot tell (with about how many
  more rounds would tell, and why_cannot_tell: the cause measured in the set, disturbed runs,
  too few rounds or spread, and the cheapest fix).

Everything here works on plain arrays; stats.py feeds it the points of a result set.
"""

import functools
import math
import zlib
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps

from .text import count, ratio

# The three numbers every verdict depends on, in one place.
ALPHA = 0.05        # family-wise: at most this chance of any false alarm among a family's verdicts
MARGIN = 0.03       # equivalence margin: "the same within ±3%" (THRESHOLD= / --threshold)
CONFIDENCE = 0.95   # the bootstrap interval of the ratio B / A

RESAMPLES = 4000       # bootstrap resamples per point
BOOTSTRAP_SEED = 1     # with the point's name, seeds its resamples: a report is reproducible
EXACT_MAX_RUNS = 100   # the exact Mann-Whitney distribution up to this many runs a side
SIGN_FLIP_EXACT_ROUNDS = 30  # the paired test counts all 2^R sign flips up to this many rounds
SIGN_FLIP_DRAWS = 100_000    # beyond: this many random flips, p = (k + 1) / (draws + 1)
SIGN_FLIP_HITS = 200         # ... or fewer, once this many are as far out as the observed
MORE_ROUNDS_CAP = 50   # past this many more rounds, "many more rounds"

# Decisions, as the verdict files write them.
SLOWER, FASTER, SAME, CANNOT_TELL, TOO_FEW = "slower", "faster", "same", "cannot_tell", "too_few"

# The tests, as the verdict files' `test` column names them.
MANN_WHITNEY_EXACT = "Mann-Whitney, exact"
MANN_WHITNEY_NORMAL = "Mann-Whitney, normal approximation"
PAIRED_EXACT = "paired by round, exact"
PAIRED_MONTE_CARLO = "paired by round, Monte Carlo"


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


def resampled_run_medians(runs, run_index, rng):
    """Each drawn run's median in each bootstrap resample: for resample i, the runs run_index[i]
    (drawn with replacement), each with its repetitions resampled. Returns an array shaped like
    run_index.

    runs: 1-d arrays of repetitions, one per run; run_index: (resamples, k) integers.
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
    return values


def resampled_times(runs, run_index, rng):
    """A point's time in each bootstrap resample: the median of its resampled runs' medians
    (resampled_run_medians)."""
    return np.median(resampled_run_medians(runs, run_index, rng), axis=1)


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
    return p, (MANN_WHITNEY_EXACT if exact else MANN_WHITNEY_NORMAL)


def _signed_sums(values):
    """Every sum +-v0 +-v1 ... of values: 2^len(values) entries."""
    sums = np.zeros(1)
    for v in values:
        sums = np.concatenate([sums + v, sums - v])
    return sums


def sign_flip_p(values, rng):
    """Two-sided p of |sum of values| when each value's sign is flipped at random: (p, whether
    it is exact).

    Up to SIGN_FLIP_EXACT_ROUNDS values every one of the 2^R flips is counted, by meeting in the
    middle: the signed sums of each half are enumerated (2^(R/2) each) and, for each sum of the
    first half, the sums of the second half that take the total to at least |observed| are
    counted by binary search. Beyond, SIGN_FLIP_DRAWS random flips from rng, and p = (k + 1) /
    (draws + 1), k of them as far out as the observed.
    """
    v = np.asarray(values, float)
    observed = abs(v.sum())
    reach = observed - 1e-9 * np.abs(v).sum()  # as far out as observed, rounding aside
    if reach <= 0:
        return 1.0, len(v) <= SIGN_FLIP_EXACT_ROUNDS
    if len(v) <= SIGN_FLIP_EXACT_ROUNDS:
        half = len(v) // 2
        first, second = _signed_sums(v[:half]), np.sort(_signed_sums(v[half:]))
        high = len(second) - np.searchsorted(second, reach - first, side="left")
        low = np.searchsorted(second, -reach - first, side="right")
        return float(np.sum(high + low)) / 2 ** len(v), True
    # In blocks, so that memory stays small however many rounds; stopped once SIGN_FLIP_HITS
    # draws are as far out as the observed (Besag and Clifford's sequential p = hits / draws: a
    # p that large is known well enough, and only small ones need every draw).
    hits = drawn = 0
    while drawn < SIGN_FLIP_DRAWS:
        block = min(SIGN_FLIP_DRAWS - drawn, 10_000)
        signs = rng.integers(0, 2, size=(block, len(v))) * 2 - 1
        hits += int(np.sum(np.abs(signs @ v) >= reach))
        drawn += block
        if hits >= SIGN_FLIP_HITS:
            return hits / drawn, False
    return (hits + 1) / (SIGN_FLIP_DRAWS + 1), False


def paired_test(d, rng):
    """The paired test of per-round log ratios d: two-sided p of the sign-flip test of their
    mean (their sum: the same test), and its name."""
    p, exact = sign_flip_p(d, rng)
    return p, (PAIRED_EXACT if exact else PAIRED_MONTE_CARLO)


def smallest_p(n_a, n_b, paired=False):
    """The smallest two-sided p the test can give: with n_a and n_b runs, unpaired (exact
    Mann-Whitney), 2 / C(n_a + n_b, n_a); paired by round over n_a = n_b rounds, 2 / 2^R where
    every flip is counted, 1 / (SIGN_FLIP_DRAWS + 1) beyond."""
    if paired:
        if n_a > SIGN_FLIP_EXACT_ROUNDS:
            return 1 / (SIGN_FLIP_DRAWS + 1)
        return min(1.0, 2 / 2 ** n_a)
    return min(1.0, 2 / math.comb(n_a + n_b, n_a))


def rounds_for_family(family_size):
    """The fewest rounds with which the paired test can reach Holm's strictest threshold over a
    family of family_size comparisons, ALPHA / family_size (with fewer, nothing in the family
    can be beyond the noise); None beyond SIGN_FLIP_EXACT_ROUNDS."""
    for rounds in range(2, SIGN_FLIP_EXACT_ROUNDS + 1):
        if smallest_p(rounds, rounds, paired=True) < holm_threshold(family_size):
            return rounds
    return None


def hodges_lehmann(d):
    """The Hodges-Lehmann centre of each row of d (or of a 1-d d): the median of the Walsh
    averages (d_i + d_j) / 2, i <= j. Rows in blocks, so that memory stays small."""
    d = np.atleast_2d(np.asarray(d, float))
    i, j = np.triu_indices(d.shape[1])
    block = max(1, 2_000_000 // len(i))
    return np.concatenate([np.median((d[k:k + block, i] + d[k:k + block, j]) / 2, axis=1)
                           for k in range(0, len(d), block)])


@dataclass(frozen=True)
class Comparison:
    """B against A, runs as the unit: each side's runs, the ratio of their times with its
    interval, and the test."""

    n_a: int
    n_b: int
    time_a: float    # ms: median of A's run medians
    time_b: float
    ratio: Interval  # B / A, two-level bootstrap interval (nan with one run a side)
    p: float         # raw two-sided p (nan when a side has one run)
    test: str        # MANN_WHITNEY_*, PAIRED_*, or "" when no test was made
    paired: bool = False  # judged round by round (n_a = n_b: the shared rounds)


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


def compare_paired(runs_a, runs_b, rng, resamples=RESAMPLES):
    """B against A round by round: runs_a[i] and runs_b[i] (arrays of repetitions) ran in the
    same round. The times are each side's median run median over these rounds; B / A is
    exp(Hodges-Lehmann centre of d_r), with a two-level bootstrap interval that draws the same
    rounds for both, then resamples the repetitions within each run; the test is paired_test."""
    medians_a, medians_b = run_medians(runs_a), run_medians(runs_b)
    time_a, time_b = float(np.median(medians_a)), float(np.median(medians_b))
    rounds = len(runs_a)
    if rounds < 2:
        # One shared round: its ratio is one draw of the round's noise; nothing to test.
        return Comparison(rounds, rounds, time_a, time_b,
                          Interval(time_b / time_a, math.nan, math.nan), math.nan, "",
                          paired=True)
    d = np.log(medians_b) - np.log(medians_a)
    p, test = paired_test(d, rng)
    index = draw_runs(rounds, rng, resamples)
    resampled_d = (np.log(resampled_run_medians(runs_b, index, rng))
                   - np.log(resampled_run_medians(runs_a, index, rng)))
    ratio = percentile_interval(math.exp(hodges_lehmann(d)[0]),
                                np.exp(hodges_lehmann(resampled_d)))
    return Comparison(rounds, rounds, time_a, time_b, ratio, p, test, paired=True)


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


def holm_threshold(family_size):
    """Holm's strictest threshold, the one the smallest p of a family must pass first."""
    return ALPHA / max(family_size, 1)


def unreachable(c, family_size=1):
    """Whether comparison c's test cannot reach Holm's strictest threshold at all with the runs
    (or shared rounds) it has: then nothing it shows can be beyond the noise."""
    return smallest_p(c.n_a, c.n_b, c.paired) >= holm_threshold(family_size)


def judge(c, p_adjusted, margin=MARGIN, family_size=1, band=(1.0, 1.0)):
    """The verdict of comparison c with its family's adjusted p.

    Beyond the noise: adjusted p < ALPHA, the interval excludes the band (1, or the drift
    between two result sets: compare.py) and the estimate lies beyond the margin. The same
    within the margin: the interval lies inside [1 - margin, 1 + margin]. Otherwise cannot tell,
    with an estimate of the rounds that would tell, and, when the test cannot reach Holm's
    strictest threshold with these runs at all, saying so.
    """
    if c.paired and c.n_a < 2:
        return Verdict(TOO_FEW, "one round shared by both: cannot tell")
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
    limit = ""
    if unreachable(c, family_size):
        runs = count(c.n_a, "round") if c.paired else f"{c.n_a}/{c.n_b} runs"
        holm_ = f" (Holm over {family_size})" if family_size > 1 else ""
        limit = f"{runs} cannot reach p < {holm_threshold(family_size):.2g}{holm_}; "
    return Verdict(CANNOT_TELL, f"cannot tell (interval [{ratio(r.low)}, {ratio(r.high)}]; "
                                f"{limit}{words} would tell)", more)


def more_rounds(c, margin, family_size=1, band=(1.0, 1.0)):
    """About how many more rounds (one more run a side each) would let comparison c decide, or
    None past MORE_ROUNDS_CAP.

    The interval's width shrinks as 1 / sqrt(runs): with n runs a side now and n + N later, each
    side of the interval (in log ratio) scales by sqrt(n / (n + N)). An estimate inside the
    margin needs the interval to fit inside it. One beyond it needs the interval to clear the
    band, and the test to reach Holm's strictest threshold, ALPHA / family_size: at least enough
    runs (paired: shared rounds) that the test can reach it at all (smallest_p), and, unless the
    two sides are already as far apart as the test can tell, enough that its z (which grows as
    sqrt(runs)) does.
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
        threshold = holm_threshold(family_size)
        reach = 0
        while (smallest_p(c.n_a + reach, c.n_b + reach, c.paired) >= threshold
               and reach <= MORE_ROUNDS_CAP):
            reach += 1
        needed.append(reach)
        if c.p > smallest_p(c.n_a, c.n_b, c.paired) * (1 + 1e-9):  # z must grow too
            z_now = sps.norm.isf(c.p / 2) if c.p < 1 else 0.0
            z_needed = sps.norm.isf(threshold / 2)
            needed.append(n * (z_needed / z_now) ** 2 - n if z_now > 0 else math.inf)
    needed.append(n / scale ** 2 - n if scale > 0 else math.inf)
    more = max(needed)
    if not math.isfinite(more) or more > MORE_ROUNDS_CAP:
        return None
    return max(1, math.ceil(more))


# Why a comparison cannot tell, as the verdict files' `cause` column names it.
DISTURBED = "disturbed"            # most of the pair's runs were flagged disturbed
ONE_SIDE_EMPTY = "one_side_empty"  # left out as disturbed, a side has no run left
ROUNDS = "rounds"                  # too few rounds (shared rounds) for the test or interval
SPREAD = "spread"                  # the runs spread too much for any affordable rounds
AT_MARGIN = "at_margin"            # a tight interval straddling the margin's edge
SPREAD_CV = 0.05       # runs spread by more than this cv (between runs) count as spread
SHORT_RUN_MS = 10.0    # runs shorter than this: a bigger array makes them steadier


@dataclass(frozen=True)
class Cause:
    """Why a verdict cannot tell, as measured in its set, and the cheapest fix: cause is one
    of DISTURBED, ONE_SIDE_EMPTY, ROUNDS, SPREAD, AT_MARGIN; why and fix are words."""

    cause: str
    why: str
    fix: str

    @property
    def load(self):
        """Whether disturbance (load, other work) is the cause."""
        return self.cause in (DISTURBED, ONE_SIDE_EMPTY)


def more_rounds_uncapped(c, margin, family_size=1, band=(1.0, 1.0)):
    """more_rounds without its cap: about how many more rounds would tell, however many
    (None: no number of rounds would, e.g. an estimate exactly at the margin's edge)."""
    global MORE_ROUNDS_CAP
    saved = MORE_ROUNDS_CAP
    try:
        MORE_ROUNDS_CAP = 100_000
        return more_rounds(c, margin, family_size, band)
    finally:
        MORE_ROUNDS_CAP = saved


def _cv_words(spread):
    cvs = [f"{100 * s:.0f}%" if s is not None else "-" for s in spread]
    return f"cv between runs {cvs[0]} (A) and {cvs[1]} (B)"


def why_cannot_tell(c, verdict, margin=MARGIN, family_size=1, band=(1.0, 1.0), spread=(None, None),
                    disturbed=None, by_what="", pin_hint="", time_ms=math.nan, size=None,
                    undisturbed_spread=(None, None)):
    """The cause of a CANNOT_TELL or TOO_FEW verdict of comparison c, measured, and the cheapest
    fix (a Cause); None for any other verdict.

    spread: each side's cv between runs (None: one run); disturbed: ((disturbed, runs) of A,
    (disturbed, runs) of B), None where not recorded; by_what: what disturbed them, in words;
    pin_hint: which PU lost the most, in words; time_ms: the pair's shorter point time; size:
    the array size of the pair (for the bigger-array fix); undisturbed_spread: each side's cv
    between its undisturbed runs.

    In order: a side with no undisturbed run (ONE_SIDE_EMPTY), most runs disturbed, or runs
    spread by over SPREAD_CV that spread less than half as much without the disturbed ones
    (DISTURBED),
    too few rounds for the test to reach Holm's threshold or for an interval (ROUNDS, with the
    rounds that would), an interval that more rounds would narrow enough within MORE_ROUNDS_CAP
    (ROUNDS), runs spread by over SPREAD_CV (SPREAD: a quieter machine, or a bigger array where
    runs are short), else an estimate at the margin's edge (AT_MARGIN).
    """
    if verdict.decision not in (CANNOT_TELL, TOO_FEW):
        return None
    quiet = ("a quieter machine (stop the other work, or run when the load is below the number "
             "of usable PUs)")
    if pin_hint:
        quiet += f", or keep the ranks off {pin_hint}"
    what = f" ({by_what})" if by_what else ""
    if disturbed is not None:
        (d_a, n_a), (d_b, n_b) = disturbed
        runs = f"{d_a} of {n_a} runs of A and {d_b} of {n_b} of B disturbed{what}"
        if (d_a or d_b) and min(n_a - d_a, n_b - d_b) == 0:
            side = " and ".join(s for s, d, n in (("A", d_a, n_a), ("B", d_b, n_b)) if d == n)
            return Cause(ONE_SIDE_EMPTY, f"{runs}: leaving them out leaves no run of {side}",
                         quiet)
        if 2 * (d_a + d_b) > n_a + n_b:
            return Cause(DISTURBED, f"{runs}: most of their times carry other work", quiet)
        for side, d, cv, calm in zip("AB", (d_a, d_b), spread, undisturbed_spread):
            if d and cv is not None and calm is not None and cv > SPREAD_CV and calm < cv / 2:
                return Cause(DISTURBED, f"{runs}: they spread the times of {side} (cv between "
                             f"runs {100 * cv:.0f}% with them, {100 * calm:.0f}% without)",
                             quiet)
    rounds = min(c.n_a, c.n_b)
    unit = "shared round" if c.paired else "run"
    runs_of = count(rounds, unit) + ("" if c.paired else " a side")
    if verdict.decision == TOO_FEW or rounds < 2:
        need = max(rounds_for_family(family_size) or SIGN_FLIP_EXACT_ROUNDS, 2)
        return Cause(ROUNDS, f"only {runs_of}: no spread between runs, no interval, no test",
                     f"more rounds: ROUNDS={need} or more ({need - rounds} more)")
    cv = max((s for s in spread if s is not None), default=0.0)
    r = c.ratio
    width = f"B / A {r.estimate:.3f} with interval [{r.low:.3f}, {r.high:.3f}]"
    short = unreachable(c, family_size)
    if short:
        holm_ = f" (Holm over {family_size})" if family_size > 1 else ""
        why = (f"only {runs_of}: the test's smallest p, "
               f"{smallest_p(c.n_a, c.n_b, c.paired):.2g}, cannot reach "
               f"{holm_threshold(family_size):.2g}{holm_}; {_cv_words(spread)}")
    else:
        why = f"{runs_of}, {_cv_words(spread)}: {width} is too wide to decide"
    if verdict.more_rounds is not None:
        return Cause(ROUNDS, why, f"more rounds: ROUNDS={rounds + verdict.more_rounds} "
                                  f"({verdict.more_rounds} more)")
    need = more_rounds_uncapped(c, margin, family_size, band)
    reach = ""
    if short and rounds_for_family(family_size):
        reach = (f"; the test needs ROUNDS={rounds_for_family(family_size)} at least to reach "
                 f"{holm_threshold(family_size):.2g}")
    if cv > SPREAD_CV:
        longer = ""
        if time_ms < SHORT_RUN_MS and size:
            longer = (f"; a bigger array (SIZES={2 * int(size)}: these runs take "
                      f"{time_ms:.1f} ms, short enough for a few scheduler ticks to matter)")
        rounds_fix = f"; more rounds alone would take about {need}" if need else ""
        why = (why if short else f"{_cv_words(spread)} over {runs_of}: {width}") + \
            f"; more than {MORE_ROUNDS_CAP} more rounds would be needed"
        return Cause(SPREAD, why, quiet + longer + rounds_fix + reach)
    if short:
        more = f"ROUNDS={rounds + need} ({need} more)" if need else "many"
        return Cause(ROUNDS, why, f"more rounds: {more}")
    return Cause(AT_MARGIN, f"{width} straddles the margin's edge "
                 f"{1 - margin:g} / {1 + margin:g}: a difference about the size of the margin",
                 "many more rounds, or a margin that fits the question (THRESHOLD=)")

"""The statistics on simulated sweeps whose answer is known (simulate.py): seeded, deterministic.

Pairs of one sweep are judged paired by round, as make plots judges them; pairs of two sweeps
(make compare) unpaired.

- over 2,000 null pairs the paired test's false-positive rate at ALPHA (raw, per comparison)
  stays at most 1.5 x ALPHA, and so does the unpaired test's over 2,000 pairs of two sweeps;
- over simulated families (like a report: several groups of points of one sweep that cannot
  differ, every pair within a group compared) the chance that any corrected verdict is a false
  alarm stays at most ALPHA;
- a 20% effect with the sweep's default rounds and repetitions (sweeping/settings.py) is found
  (beyond the noise, as a family of one) at least 80% of the time, and so is one at 10 rounds x 5
  repetitions, the simulated sweep the other tests take;
- the power for 10% and 20% effects at 10 and 12 rounds, paired against the same pairs judged
  unpaired (the pairing ignored): paired is the more powerful everywhere;
- the paired statistics: the sign-flip test of the mean of the per-round log ratios finds effects
  at least as often as the one of their signed ranks, and the interval around their
  Hodges-Lehmann centre excludes 1 more often than the one around their mean, with a wild round
  or without;
- "the same within ±3%" is claimed at most ALPHA of the time when the true ratio sits on the
  margin's edge (1.03 or 0.97), paired and unpaired: the interval-inclusion rule is a two
  one-sided tests procedure at (1 - CONFIDENCE) / 2 a side.

Each test prints the rates it measured.
"""

import unittest
from contextlib import contextmanager

import numpy as np
from scipy import stats as sps

import simulate
from analysis import decide
from sweeping import settings
from analysis.stats import Pair, compare_samples, judge_family

NULL_PAIRS = 2000
FAMILIES = 400
POWER_PAIRS = 250
DEFAULTS_PAIRS = 1000  # the power at 10 x 5, the simulated sweep: measured closer
DEFAULTS_AT_SWEEP_PAIRS = 200  # the power at the sweep's own defaults (many rounds: dearer)
EQUIVALENCE_PAIRS = 200
P_ONLY = 50  # resamples where only the test's p is used


@contextmanager
def noise(**settings):
    """simulate.py's noise settings changed for the block."""
    saved = {k: getattr(simulate, k) for k in settings}
    try:
        for k, v in settings.items():
            setattr(simulate, k, v)
        yield
    finally:
        for k, v in saved.items():
            setattr(simulate, k, v)


def found(c):
    """Whether comparison c, judged as a family of one, finds B slower."""
    return decide.judge(c, c.p).decision == decide.SLOWER


class Measured(unittest.TestCase):
    def report(self, what, rate):
        print(f"\n  {what}: {100 * rate:.2f}%", end="", flush=True)


class Validity(Measured):
    """False alarms: of the tests alone, and of the corrected verdicts of a family."""

    def test_false_positive_rate_of_the_paired_test(self):
        rng = np.random.default_rng(19)
        hits = sum(simulate.comparison(rng, resamples=P_ONLY).p < decide.ALPHA
                   for _ in range(NULL_PAIRS))
        rate = hits / NULL_PAIRS
        self.report(f"false positives, paired by round, {NULL_PAIRS} null pairs, raw p < "
                    f"{decide.ALPHA:g}", rate)
        self.assertLessEqual(rate, 1.5 * decide.ALPHA)

    def test_false_positive_rate_of_the_unpaired_test(self):
        rng = np.random.default_rng(23)
        hits = sum(simulate.unpaired_comparison(rng, resamples=P_ONLY).p < decide.ALPHA
                   for _ in range(NULL_PAIRS))
        rate = hits / NULL_PAIRS
        self.report(f"false positives, Mann-Whitney between two sweeps, {NULL_PAIRS} null "
                    f"pairs, raw p < {decide.ALPHA:g}", rate)
        self.assertLessEqual(rate, 1.5 * decide.ALPHA)

    def test_family_wise_false_alarm_rate_of_the_verdicts(self):
        """Each family: one sweep of 3 groups of 4 points that cannot differ, all 18 pairs,
        paired by round, Holm; 1,000 resamples an interval (the report draws RESAMPLES: the
        interval's ends move little)."""
        rng = np.random.default_rng(24)
        alarms = 0
        for _ in range(FAMILIES):
            points = simulate.samples(rng, [1.0] * 12, resamples=1)
            pairs = []
            for group in range(3):
                members = points[4 * group:4 * group + 4]
                for i, a in enumerate(members):
                    for b in members[i + 1:]:
                        pairs.append(Pair("pin", a, b, compare_samples(a, b, True, rng, 1000),
                                          False))
            judge_family(pairs, decide.MARGIN)
            alarms += any(p.verdict.beyond_noise for p in pairs)
        rate = alarms / FAMILIES
        self.report(f"families with a false alarm, {FAMILIES} families of 18 pairs", rate)
        self.assertLessEqual(rate, decide.ALPHA)



class Power(Measured):
    """Effects found, and equivalence claimed where it is true and not where it is not."""

    def test_power_for_a_20_percent_effect(self):
        rng = np.random.default_rng(20)
        rate = np.mean([found(simulate.comparison(rng, 0.20)) for _ in range(DEFAULTS_PAIRS)])
        self.report(f"20% effect found, paired, {simulate.ROUNDS} rounds x {simulate.REPS} reps",
                    rate)
        self.assertGreaterEqual(rate, 0.80)

    def test_power_at_the_sweeps_defaults(self):
        """The promise of the defaults (README, docs/analysis.md): a 10% effect found at least
        80% of the time with the rounds and repetitions a sweep takes when none are given
        (1,000 resamples)."""
        rng = np.random.default_rng(21)
        rounds, reps = int(settings.DEFAULT_ROUNDS), int(settings.DEFAULT_REPS)
        rate = np.mean([found(simulate.comparison(rng, 0.10, rounds, reps, resamples=1000))
                        for _ in range(DEFAULTS_AT_SWEEP_PAIRS)])
        self.report(f"10% effect found, paired, the sweep's defaults {rounds} rounds x {reps} "
                    "reps", rate)
        self.assertGreaterEqual(rate, 0.80)

    def test_power_paired_against_unpaired(self):
        """The same simulated pairs judged both ways: paired by round, and as if the pairing
        were ignored (Mann-Whitney, each point resampled on its own); 1,000 resamples."""
        rng = np.random.default_rng(25)
        for rounds in (10, 12):
            for effect in (0.10, 0.20):
                paired = unpaired = 0
                for _ in range(POWER_PAIRS):
                    a, b = simulate.samples(rng, [1.0, 1 + effect, 1.0, 1.0], rounds,
                                            resamples=1000)[:2]
                    paired += found(compare_samples(a, b, True, rng, resamples=1000))
                    unpaired += found(compare_samples(a, b))
                what = f"{100 * effect:g}% effect found, {rounds} rounds x {simulate.REPS} reps"
                self.report(f"{what}, paired", paired / POWER_PAIRS)
                self.report(f"{what}, unpaired", unpaired / POWER_PAIRS)
                self.assertGreater(paired, unpaired)

    def test_the_paired_statistics_against_the_alternatives(self):
        """The same pairs (20% effect, 10 rounds), plain and with one wild round each (one
        side's run three times as slow): the sign-flip test of the mean of d_r finds the effect
        at least as often as the one of their signed ranks (the Wilcoxon statistic), within 2
        points; the interval around the Hodges-Lehmann centre excludes 1 more often than the
        one around the mean (the same joint resamples), the wild round or not."""
        rng = np.random.default_rng(26)
        for wild in (False, True):
            mean = ranks = hl_interval = mean_interval = 0
            for _ in range(POWER_PAIRS):
                a, b = simulate.sweep(rng, [1.0, 1.2, 1.0, 1.0])[:2]
                if wild:
                    side = a if rng.random() < 0.5 else b
                    side[rng.integers(len(side))] *= 3
                d = np.log(decide.run_medians(b)) - np.log(decide.run_medians(a))
                mean += decide.paired_test(d, rng)[0] < decide.ALPHA
                signed_ranks = np.sign(d) * sps.rankdata(np.abs(d))
                ranks += decide.sign_flip_p(signed_ranks, rng)[0] < decide.ALPHA
                index = decide.draw_runs(len(d), rng, 1000)
                resampled = (np.log(decide.resampled_run_medians(b, index, rng))
                             - np.log(decide.resampled_run_medians(a, index, rng)))
                # A percentile interval's ends do not depend on the estimate: 0 stands in.
                hl_interval += decide.percentile_interval(
                    0, decide.hodges_lehmann(resampled)).low > 0
                mean_interval += decide.percentile_interval(0, resampled.mean(axis=1)).low > 0
            when = "one wild round" if wild else "plain noise"
            for what, n in (("the test of the mean finds it", mean),
                            ("the test of the signed ranks finds it", ranks),
                            ("the interval around the Hodges-Lehmann centre excludes 1",
                             hl_interval),
                            ("the interval around the mean excludes 1", mean_interval)):
                self.report(f"20% effect, {when}: {what}", n / POWER_PAIRS)
            self.assertGreaterEqual(mean, ranks - 0.02 * POWER_PAIRS)
            self.assertGreater(hl_interval, mean_interval)

    def test_equivalence_is_not_claimed_on_the_margins_edge(self):
        """Quiet runs (1% spread), so that equivalence can be claimed at all: it is, often,
        when nothing differs, and at most ALPHA of the time on the margin's edge. Paired, the
        rounds stay loud (their drift cancels; a little drift within them); between two sweeps
        the rounds are quiet too, no drift."""
        rng = np.random.default_rng(21)
        quiet = dict(RUN_SD=0.01, REP_SD=0.01, OUTLIER_SHARE=0.0, RUN_OUTLIER_SHARE=0.0)
        claimed = {}
        for paired in (True, False):
            rounds = dict(DRIFT_SD=0.005) if paired else dict(DRIFT_SD=0.0, ROUND_SD=0.0)
            with noise(**quiet, **rounds):
                for ratio in (1.0, 1 + decide.MARGIN, 1 - decide.MARGIN):
                    same = 0
                    for _ in range(EQUIVALENCE_PAIRS):
                        c = (simulate.comparison(rng, ratio - 1) if paired else
                             simulate.unpaired_comparison(rng, ratio - 1))
                        same += decide.judge(c, c.p).decision == decide.SAME
                    claimed[paired, ratio] = same / EQUIVALENCE_PAIRS
        for (paired, ratio), rate in claimed.items():
            self.report(f"'the same' claimed at a true ratio of {ratio:g}, "
                        f"{'paired' if paired else 'unpaired'}", rate)
        for paired in (True, False):
            self.assertGreaterEqual(claimed[paired, 1.0], 0.80)
            self.assertLessEqual(claimed[paired, 1 + decide.MARGIN], decide.ALPHA)
            self.assertLessEqual(claimed[paired, 1 - decide.MARGIN], decide.ALPHA)


if __name__ == "__main__":
    unittest.main()

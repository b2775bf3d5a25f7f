"""The statistics on simulated data whose answer is known (simulate.py): seeded, deterministic.

- over 2,000 null pairs the test's false-positive rate at ALPHA (raw, per comparison) stays at
  most 1.5 x ALPHA;
- over simulated families (like a report: several groups of points that cannot differ, every
  pair within a group compared) the chance that any corrected verdict is a false alarm stays at
  most ALPHA;
- a 20% effect with the default 10 rounds x 5 repetitions is found (beyond the noise, as a
  family of one) at least 80% of the time;
- "the same within ±3%" is claimed at most ALPHA of the time when the true ratio sits on the
  margin's edge (1.03 or 0.97): the interval-inclusion rule is a two one-sided tests procedure at
  (1 - CONFIDENCE) / 2 a side.

Each test prints the rate it measured.
"""

import unittest

import numpy as np

import simulate
from analysis import decide
from analysis.stats import Pair, compare_samples, judge_family

NULL_PAIRS = 2000
FAMILIES = 150
POWER_PAIRS = 250
EQUIVALENCE_PAIRS = 200


class Simulation(unittest.TestCase):
    def report(self, what, rate):
        print(f"\n  {what}: {100 * rate:.2f}%", end="", flush=True)

    def test_false_positive_rate_of_the_test(self):
        rng = np.random.default_rng(19)
        hits = sum(compare_samples(simulate.sample(rng, resamples=50),
                                   simulate.sample(rng, resamples=50)).p < decide.ALPHA
                   for _ in range(NULL_PAIRS))
        rate = hits / NULL_PAIRS
        self.report(f"false positives, {NULL_PAIRS} null pairs, raw p < {decide.ALPHA:g}", rate)
        self.assertLessEqual(rate, 1.5 * decide.ALPHA)

    def test_family_wise_false_alarm_rate_of_the_verdicts(self):
        """Each family: 3 groups of 4 points that cannot differ, all 18 pairs, Holm."""
        rng = np.random.default_rng(24)
        alarms = 0
        for _ in range(FAMILIES):
            pairs = []
            for _group in range(3):
                points = [simulate.sample(rng) for _ in range(4)]
                for i, a in enumerate(points):
                    for b in points[i + 1:]:
                        pairs.append(Pair("pin", a, b, compare_samples(a, b), False))
            judge_family(pairs, decide.MARGIN)
            alarms += any(p.verdict.beyond_noise for p in pairs)
        rate = alarms / FAMILIES
        self.report(f"families with a false alarm, {FAMILIES} families of 18 pairs", rate)
        self.assertLessEqual(rate, decide.ALPHA)

    def test_power_for_a_20_percent_effect(self):
        rng = np.random.default_rng(20)
        found = 0
        for _ in range(POWER_PAIRS):
            c = simulate.comparison(rng, 0.20)
            found += decide.judge(c, c.p).decision == decide.SLOWER
        rate = found / POWER_PAIRS
        self.report(f"20% effect found, {simulate.ROUNDS} rounds x {simulate.REPS} reps", rate)
        self.assertGreaterEqual(rate, 0.80)

    def test_equivalence_is_not_claimed_on_the_margins_edge(self):
        """Quiet runs (1% spread), so that equivalence can be claimed at all: it is, often,
        when nothing differs, and at most ALPHA of the time on the margin's edge."""
        rng = np.random.default_rng(21)
        quiet = dict(RUN_SD=0.01, REP_SD=0.01, OUTLIER_SHARE=0.0, RUN_OUTLIER_SHARE=0.0)
        saved = {k: getattr(simulate, k) for k in quiet}
        try:
            for k, v in quiet.items():
                setattr(simulate, k, v)
            claimed = {}
            for ratio in (1.0, 1 + decide.MARGIN, 1 - decide.MARGIN):
                same = 0
                for _ in range(EQUIVALENCE_PAIRS):
                    c = simulate.comparison(rng, ratio - 1)
                    same += decide.judge(c, c.p).decision == decide.SAME
                claimed[ratio] = same / EQUIVALENCE_PAIRS
        finally:
            for k, v in saved.items():
                setattr(simulate, k, v)
        for ratio, rate in claimed.items():
            self.report(f"'the same' claimed at a true ratio of {ratio:g}", rate)
        self.assertGreaterEqual(claimed[1.0], 0.80)
        self.assertLessEqual(claimed[1 + decide.MARGIN], decide.ALPHA)
        self.assertLessEqual(claimed[1 - decide.MARGIN], decide.ALPHA)


if __name__ == "__main__":
    unittest.main()

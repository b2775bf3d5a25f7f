"""decide.py piece by piece: the resample-median table, the test, Holm, the verdict rules."""

import math
import os
import sys
import unittest

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "scripts"))
from analysis import decide  # noqa: E402
from analysis.decide import Comparison, Interval  # noqa: E402


def comparison(estimate, low, high, p=0.001, n=10):
    return Comparison(n, n, 10.0, 10.0 * estimate, Interval(estimate, low, high), p, "exact")


class ResampleMedianTable(unittest.TestCase):
    def test_matches_brute_force_resampling(self):
        """The median of r values resampled with replacement falls where the table says, for
        odd and even r (checked against 200,000 real resamples)."""
        rng = np.random.default_rng(3)
        for r in range(1, 9):
            k1, k2, cum = decide.resample_median_table(r)
            pmf = np.diff(np.concatenate([[0.0], cum]))
            x = np.sort(rng.random(r))
            table = {}
            for a, b, p in zip(k1, k2, pmf):
                table[(x[a] + x[b]) / 2] = table.get((x[a] + x[b]) / 2, 0) + p
            medians = np.median(x[rng.integers(0, r, (200_000, r))], axis=1)
            values, counts = np.unique(medians, return_counts=True)
            seen = dict(zip(values, counts / 200_000))
            for v in set(table) | set(seen):
                self.assertAlmostEqual(table.get(v, 0), seen.get(v, 0), delta=0.005,
                                       msg=f"r={r}, median {v}")

    def test_resamples_are_seeded_by_name(self):
        runs = [np.array([1.0, 2, 3]), np.array([2.0, 3, 4]), np.array([5.0, 6, 7])]
        one = decide.bootstrap_times(runs, decide.seeded_rng("core-np2"))
        again = decide.bootstrap_times(runs, decide.seeded_rng("core-np2"))
        other = decide.bootstrap_times(runs, decide.seeded_rng("scatter-np2"))
        self.assertTrue(np.array_equal(one, again))
        self.assertFalse(np.array_equal(one, other))

    def test_runs_of_different_lengths(self):
        """A run's resampled median stays within that run's own values."""
        runs = [np.array([1.0, 1.0, 1.0]), np.array([5.0, 5.0, 5.0, 5.0])]
        resampled = decide.resampled_times(runs, np.array([[0, 0], [1, 1], [0, 1]]),
                                           np.random.default_rng(0))
        self.assertEqual(list(resampled), [1.0, 5.0, 3.0])


class Test(unittest.TestCase):
    def test_exact_without_ties_normal_with_them(self):
        p, test = decide.mann_whitney(np.arange(10), np.arange(10) + 10)
        self.assertEqual(test, "exact")
        self.assertAlmostEqual(p, decide.smallest_p(10, 10))
        _, test = decide.mann_whitney([1, 2, 3], [3, 4, 5])
        self.assertEqual(test, "normal approximation")

    def test_one_run_a_side_is_never_tested(self):
        c = decide.compare(np.array([10.0]), np.array([20.0]), np.array([10.0]),
                           np.array([20.0]))
        self.assertTrue(math.isnan(c.p))
        self.assertEqual(decide.judge(c, c.p).text, "one run each: cannot tell")
        c = decide.compare(np.array([10.0]), np.array([20.0, 21, 22]), np.array([10.0]),
                           np.array([20.0]))
        self.assertEqual(decide.judge(c, c.p).decision, decide.TOO_FEW)


class Holm(unittest.TestCase):
    def test_step_down(self):
        adjusted = decide.holm([0.01, 0.04, 0.03, 0.005])
        self.assertEqual(list(np.round(adjusted, 6)), [0.03, 0.06, 0.06, 0.02])

    def test_untested_comparisons_stay_out_of_the_family(self):
        adjusted = decide.holm([0.01, math.nan, 0.02])
        self.assertEqual(list(np.round(adjusted[[0, 2]], 6)), [0.02, 0.02])
        self.assertTrue(math.isnan(adjusted[1]))


class Verdicts(unittest.TestCase):
    def test_beyond_needs_the_test_the_interval_and_the_margin(self):
        self.assertEqual(decide.judge(comparison(1.10, 1.05, 1.15), 0.01).decision,
                         decide.SLOWER)
        self.assertEqual(decide.judge(comparison(0.90, 0.85, 0.95), 0.01).decision,
                         decide.FASTER)
        # Adjusted p too large, interval touching 1, estimate inside the margin: never beyond.
        self.assertEqual(decide.judge(comparison(1.10, 1.05, 1.15), 0.06).decision,
                         decide.CANNOT_TELL)
        self.assertEqual(decide.judge(comparison(1.10, 1.00, 1.20), 0.01).decision,
                         decide.CANNOT_TELL)
        self.assertNotEqual(decide.judge(comparison(1.02, 1.01, 1.04), 0.001).decision,
                            decide.SLOWER)

    def test_the_same_within_the_margin(self):
        v = decide.judge(comparison(1.0, 0.98, 1.02), 0.9)
        self.assertEqual((v.decision, v.text), (decide.SAME, "the same within ±3%"))
        self.assertEqual(decide.judge(comparison(1.0, 0.96, 1.02), 0.9).decision,
                         decide.CANNOT_TELL)
        v = decide.judge(comparison(1.0, 0.96, 1.04), 0.9, margin=0.05)
        self.assertEqual((v.decision, v.text), (decide.SAME, "the same within ±5%"))

    def test_a_drift_band_must_be_cleared(self):
        c = comparison(1.10, 1.05, 1.15)
        self.assertEqual(decide.judge(c, 0.001, band=(0.98, 1.04)).decision, decide.SLOWER)
        self.assertEqual(decide.judge(c, 0.001, band=(0.98, 1.08)).decision,
                         decide.CANNOT_TELL)

    def test_more_rounds_shrink_the_interval_as_one_over_sqrt_runs(self):
        # Inside the margin, interval 1.00 [0.95, 1.05] in 10 runs: it must shrink to within
        # log(1.03) / log(1.05): 10 / 0.61^2 = 27 runs, about 17 more.
        v = decide.judge(comparison(1.0, 0.95, 1.05, p=0.9), 0.9)
        self.assertEqual(v.decision, decide.CANNOT_TELL)
        self.assertTrue(15 <= v.more_rounds <= 19, v.more_rounds)
        self.assertIn(f"about {v.more_rounds} more rounds would tell", v.text)
        # Halfway between 1 and the margin's edge: "many".
        v = decide.judge(comparison(1.03, 0.90, 1.18, p=0.5), 0.9)
        self.assertIsNone(v.more_rounds)
        self.assertIn("many more rounds would tell", v.text)

    def test_more_rounds_when_only_the_test_is_short(self):
        # Two runs a side, fully apart: the exact test cannot reach 0.05 / 8 until 6 a side.
        c = Comparison(2, 2, 1.0, 20.0, Interval(20.0, 11.0, 30.0), decide.smallest_p(2, 2),
                       "exact")
        v = decide.judge(c, 1.0, family_size=8)
        self.assertEqual(v.more_rounds, 4)


if __name__ == "__main__":
    unittest.main()

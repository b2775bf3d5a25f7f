"""decide.py piece by piece: the resample-median table, the tests (Mann-Whitney; paired by
round), the paired interval, Holm, the verdict rules."""

import itertools
import math
import os
import sys
import unittest

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "scripts"))
from analysis import decide  # noqa: E402
from analysis.decide import Comparison, Interval  # noqa: E402
from analysis.stats import compare_samples, sample_from  # noqa: E402


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
        self.assertEqual(test, decide.MANN_WHITNEY_EXACT)
        self.assertAlmostEqual(p, decide.smallest_p(10, 10))
        _, test = decide.mann_whitney([1, 2, 3], [3, 4, 5])
        self.assertEqual(test, decide.MANN_WHITNEY_NORMAL)

    def test_one_run_a_side_is_never_tested(self):
        c = decide.compare(np.array([10.0]), np.array([20.0]), np.array([10.0]),
                           np.array([20.0]))
        self.assertTrue(math.isnan(c.p))
        self.assertEqual(decide.judge(c, c.p).text, "one run each: cannot tell")
        c = decide.compare(np.array([10.0]), np.array([20.0, 21, 22]), np.array([10.0]),
                           np.array([20.0]))
        self.assertEqual(decide.judge(c, c.p).decision, decide.TOO_FEW)


def brute_force_sign_flip_p(values):
    """The two-sided sign-flip p of |sum| by listing every one of the 2^R flips."""
    v = np.asarray(values, float)
    sums = [abs(np.dot(signs, v)) for signs in itertools.product((1, -1), repeat=len(v))]
    return np.mean(np.array(sums) >= abs(v.sum()) - 1e-9 * np.abs(v).sum())


def rounds_of(rng, rounds, drift=0.5, ratio=1.0, noise=0.01, reps=5):
    """Two points measured in the same rounds: each round's factor (spread by `drift`, sd of log)
    shared by both, B = ratio x A, each run and repetition noisy by `noise`."""
    shared = np.exp(rng.normal(0, drift, rounds))
    a = [10 * f * np.exp(rng.normal(0, noise) + rng.normal(0, noise, reps)) for f in shared]
    b = [10 * ratio * f * np.exp(rng.normal(0, noise) + rng.normal(0, noise, reps))
         for f in shared]
    return a, b


class PairedTest(unittest.TestCase):
    def test_every_flip_is_counted(self):
        """Meeting in the middle gives the p of listing all 2^R flips, odd and even R, with ties
        and zeros among the values."""
        rng = np.random.default_rng(5)
        for r in range(1, 13):
            values = rng.normal(0.2, 1, r)
            if r > 4:
                values[:2] = [0.0, 0.0]
                values[3] = -values[2]
            p, exact = decide.sign_flip_p(values, rng)
            self.assertTrue(exact)
            self.assertAlmostEqual(p, brute_force_sign_flip_p(values), places=12, msg=f"R={r}")

    def test_the_smallest_p_is_two_in_two_to_the_rounds(self):
        rng = np.random.default_rng(6)
        for r in (2, 5, 10, 20, decide.SIGN_FLIP_EXACT_ROUNDS):
            p, test = decide.paired_test(rng.random(r) + 0.1, rng)
            self.assertEqual(test, decide.PAIRED_EXACT)
            self.assertEqual(p, 2 / 2 ** r)
            self.assertEqual(decide.smallest_p(r, r, paired=True), 2 / 2 ** r)

    def test_monte_carlo_beyond_the_exact_rounds(self):
        """Past SIGN_FLIP_EXACT_ROUNDS: seeded (the same generator state, the same p), never
        below 1 / (draws + 1), and within sampling error of the exact p (here counted exactly
        all the same, 2^20 sums a half)."""
        rounds = decide.SIGN_FLIP_EXACT_ROUNDS + 10
        d = np.random.default_rng(7).normal(0.35, 1, rounds)
        p, test = decide.paired_test(d, np.random.default_rng(8))
        self.assertEqual(test, decide.PAIRED_MONTE_CARLO)
        self.assertEqual(p, decide.paired_test(d, np.random.default_rng(8))[0])
        saved = decide.SIGN_FLIP_EXACT_ROUNDS
        try:
            decide.SIGN_FLIP_EXACT_ROUNDS = rounds
            exact, _ = decide.sign_flip_p(d, None)
        finally:
            decide.SIGN_FLIP_EXACT_ROUNDS = saved
        self.assertLess(abs(p - exact), 4 * math.sqrt(exact * (1 - exact) / decide.SIGN_FLIP_DRAWS))
        apart, _ = decide.paired_test(np.abs(d) + 0.1, np.random.default_rng(8))
        self.assertEqual(apart, 1 / (decide.SIGN_FLIP_DRAWS + 1))
        self.assertEqual(decide.smallest_p(rounds, rounds, paired=True), apart)

    def test_rounds_a_family_needs(self):
        """2 / 2^R < 0.05 / k: 6 rounds for one comparison, 10 for 18, 12 for 72."""
        self.assertEqual([decide.rounds_for_family(k) for k in (1, 2, 5, 10, 18, 50, 72, 200)],
                         [6, 7, 8, 9, 10, 11, 12, 13])

    def test_hodges_lehmann_is_the_median_of_the_walsh_averages(self):
        rng = np.random.default_rng(9)
        d = rng.normal(size=(3, 7))
        for row, centre in zip(d, decide.hodges_lehmann(d)):
            walsh = [(row[i] + row[j]) / 2 for i in range(7) for j in range(i, 7)]
            self.assertAlmostEqual(centre, np.median(walsh))


class PairedComparison(unittest.TestCase):
    def test_the_rounds_drift_cancels(self):
        """Rounds that move by 50% (sd of log) and B 10% slower in every one of them: paired,
        the smallest p the rounds allow and a tight interval around 1.10; unpaired, the drift
        hides it."""
        rng = np.random.default_rng(10)
        a, b = rounds_of(rng, 10, ratio=1.10)
        c = decide.compare_paired(a, b, np.random.default_rng(1))
        self.assertTrue(c.paired)
        self.assertEqual((c.n_a, c.n_b, c.test), (10, 10, decide.PAIRED_EXACT))
        self.assertEqual(c.p, 2 / 2 ** 10)
        self.assertLess(abs(c.ratio.estimate - 1.10), 0.02)
        self.assertTrue(1.05 < c.ratio.low < 1.10 < c.ratio.high < 1.15, c.ratio)
        self.assertEqual(decide.judge(c, c.p).decision, decide.SLOWER)
        sa = sample_from(a, np.random.default_rng(2), rounds=range(1, 11))
        sb = sample_from(b, np.random.default_rng(3), rounds=range(1, 11))
        unpaired = compare_samples(sa, sb)
        self.assertFalse(unpaired.paired)
        self.assertGreater(unpaired.p, 0.05)

    def test_the_interval_is_seeded(self):
        a, b = rounds_of(np.random.default_rng(11), 8, ratio=1.2, noise=0.1)
        one = decide.compare_paired(a, b, np.random.default_rng(4))
        self.assertEqual(one, decide.compare_paired(a, b, np.random.default_rng(4)))
        self.assertNotEqual(one.ratio, decide.compare_paired(a, b, np.random.default_rng(5)).ratio)

    def test_only_shared_rounds_are_paired(self):
        """A failed in round 3, B in round 7: 8 shared rounds of 10. One shared round: cannot
        tell. No shared round, or not asked to pair (compare.py): Mann-Whitney over all runs."""
        rng = np.random.default_rng(12)
        a, b = rounds_of(rng, 10, ratio=1.3)

        def samples(rounds_a, rounds_b):
            return (sample_from([a[r - 1] for r in rounds_a], rng, 100, rounds_a, "A"),
                    sample_from([b[r - 1] for r in rounds_b], rng, 100, rounds_b, "B"))

        all_but = lambda r: [x for x in range(1, 11) if x != r]  # noqa: E731
        c = compare_samples(*samples(all_but(3), all_but(7)), paired=True)
        self.assertEqual((c.n_a, c.n_b, c.paired, c.p), (8, 8, True, 2 / 2 ** 8))
        self.assertEqual(c, compare_samples(*samples(all_but(3), all_but(7)), paired=True))
        c = compare_samples(*samples([1, 2], [2, 3]), paired=True)
        self.assertEqual((c.n_a, c.paired), (1, True))
        self.assertTrue(math.isnan(c.p))
        self.assertEqual(decide.judge(c, c.p).text, "one round shared by both: cannot tell")
        c = compare_samples(*samples([1, 2, 3], [4, 5, 6]), paired=True)
        self.assertEqual((c.n_a, c.n_b, c.paired, c.test), (3, 3, False,
                                                            decide.MANN_WHITNEY_EXACT))
        c = compare_samples(*samples(range(1, 11), range(1, 11)))
        self.assertFalse(c.paired)
        self.assertTrue(c.test.startswith("Mann-Whitney"))


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

    def test_a_paired_test_that_cannot_reach_holm_says_so(self):
        """10 shared rounds, fully apart (p = 2 / 2^10), in a family of 72: Holm's first
        threshold 0.05 / 72 is out of reach until 12 rounds."""
        c = Comparison(10, 10, 10.0, 15.0, Interval(1.5, 1.4, 1.6), 2 / 2 ** 10,
                       decide.PAIRED_EXACT, paired=True)
        v = decide.judge(c, 1.0, family_size=72)
        self.assertEqual(v.decision, decide.CANNOT_TELL)
        self.assertEqual(v.more_rounds, 2)
        self.assertIn("10 rounds cannot reach p < 0.00069 (Holm over 72); about 2 more rounds "
                      "would tell", v.text)
        self.assertNotIn("cannot reach", decide.judge(c, 1.0, family_size=18).text)

    def test_more_rounds_when_only_the_test_is_short(self):
        # Two runs a side, fully apart: the exact test cannot reach 0.05 / 8 until 6 a side.
        c = Comparison(2, 2, 1.0, 20.0, Interval(20.0, 11.0, 30.0), decide.smallest_p(2, 2),
                       "exact")
        v = decide.judge(c, 1.0, family_size=8)
        self.assertEqual(v.more_rounds, 4)


if __name__ == "__main__":
    unittest.main()

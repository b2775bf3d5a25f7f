"""calibrate.py on a set written by the test as make calibrate's sweep makes one: 2 ranks, two
sizes (twice the work), 4 copies of each, 10 rounds of 5 repetitions, from one simulated sweep
(simulate.py: every round's drift shared by its points, run-level noise)."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from types import SimpleNamespace

import numpy as np

import resultsets as R
import simulate
from analysis import calibration, decide
from analysis.calibration import CALIBRATION_FILE

CALIBRATE = os.path.join(R.SOURCE, "scripts", "calibrate.py")
PLOTS = os.path.join(R.SOURCE, "scripts", "plots.py")


def calibrate(path, *options):
    return subprocess.run([sys.executable, CALIBRATE, path, "--splits", "40", *options],
                          capture_output=True, text=True)


class InjectedEffect(unittest.TestCase):
    def test_an_effect_shifts_the_same_resamples(self):
        """with_effect gives what comparing the split again with B's times x 1.25 gives, drawing
        the same resamples."""
        rng = np.random.default_rng(14)
        a, b = simulate.sweep(rng, [1.0, 1.0])
        runs_a = [SimpleNamespace(parallel=x) for x in a]
        runs_b = [SimpleNamespace(parallel=x) for x in b]
        split = calibration.judge_split(runs_a, runs_b, np.random.default_rng(1))
        shifted = calibration.with_effect(split, 0.25, np.random.default_rng(2))
        again = decide.compare_paired(a, [x * 1.25 for x in b], np.random.default_rng(1),
                                      calibration.SPLIT_RESAMPLES)
        self.assertEqual((shifted.p, shifted.test, shifted.n_a), (again.p, again.test, again.n_a))
        for mine, theirs in ((shifted.time_b, again.time_b), (shifted.ratio.estimate,
                             again.ratio.estimate), (shifted.ratio.low, again.ratio.low),
                             (shifted.ratio.high, again.ratio.high)):
            self.assertAlmostEqual(mine, theirs, places=9)


class Calibrate(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="calibrate-test-")
        rng = np.random.default_rng(13)
        points = [(size, work, copy) for size, work in (("200000", 1.0), ("400000", 2.0))
                  for copy in "1234"]
        runs = simulate.sweep(rng, [work for _, work, _ in points])
        specs = [R.PointSpec(f"{size}-np2-c{copy}", [list(r) for r in point_runs], ranks=2,
                             axes={"size": size}, copy=copy)
                 for (size, _, copy), point_runs in zip(points, runs)]
        cls.set = R.write_set(os.path.join(cls.tmp, "calibrate"), specs)
        cls.calibrated = calibrate(cls.set)
        with open(os.path.join(cls.set, CALIBRATION_FILE)) as f:
            cls.result = json.load(f)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def test_prints_what_it_measured(self):
        self.assertEqual(self.calibrated.returncode, 0, self.calibrated.stderr)
        out = self.calibrated.stdout
        self.assertIn("replicates: 2 ranks, --size 200000: 4 copies, 40 runs", out)
        self.assertRegex(out, r"real A/A pairs .*: \d+ of 12 beyond the noise")
        self.assertRegex(out, r"false-positive rate over 40 random A/A splits .*judged paired "
                              r"by round\): the test \d+\.\d% at p < 0\.05")
        self.assertRegex(out, r"power for a 10% effect .*found beyond the noise \d+\.\d%")
        self.assertRegex(out, r"smallest difference found at least 80% of the time .*: \d+%")
        self.assertIn("the set's real effect (size 200000 vs 400000): found", out)

    def test_calibration_json(self):
        r = self.result
        self.assertEqual(len(r["aa_pairs"]), 12)
        self.assertEqual(len(r["known_effects"]), 4)
        self.assertTrue(r["known_effect_found"])
        self.assertEqual([g["runs_per_side"] for g in r["groups"]], [10, 10])
        self.assertEqual(r["test"], "paired by round")
        # Paired by round, the rounds' shared drift (sd 0.25 of log) cancels: 25% is found four
        # times in five here (with each side's interval bootstrapped on its own: 50%).
        self.assertLessEqual(r["smallest_difference"], 0.30)
        self.assertLessEqual(r["false_positive_test"], 0.15)
        self.assertGreater(r["power_verdicts"], r["false_positive_verdicts"])
        curve = [c["verdicts"] for c in r["power_curve"]]
        self.assertGreaterEqual(curve[-1], 0.8)  # a 100% effect is found
        self.assertEqual(r["smallest_difference"],
                         next(c["effect"] for c in r["power_curve"] if c["verdicts"] >= 0.8))

    def test_the_report_quotes_it(self):
        out = os.path.join(self.tmp, "plots")
        run = subprocess.run([sys.executable, PLOTS, "--results", self.set, "--out", out],
                             capture_output=True, text=True)
        self.assertEqual(run.returncode, 0, run.stderr)
        with open(os.path.join(out, "REPORT.md")) as f:
            report = f.read()
        self.assertIn("## Calibration\n\nCalibration of `calibrate` (calibration.json)", report)
        self.assertIn("- false-positive rate over 40 random A/A splits", report)
        self.assertNotIn("No calibration was run", report)

    def test_a_set_without_replicates_is_refused(self):
        run = calibrate(R.FIXTURE)
        self.assertEqual(run.returncode, 2)
        self.assertIn("the set has no replicates", run.stderr)
        self.assertFalse(os.path.exists(os.path.join(R.FIXTURE, CALIBRATION_FILE)))


if __name__ == "__main__":
    unittest.main()

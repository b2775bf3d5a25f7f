"""compare.py on inputs written by the test: verdicts first, drift from the reference point,
not-interleaved warnings, load side by side, one run each, --csv/--json, escaped host names."""

import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import numpy as np

import resultsets as R
from analysis import decide
from analysis.verdicts import FIELDS
from test_report import quiet_runs, set_version

COMPARE = os.path.join(R.SOURCE, "scripts", "compare.py")


def compare(a, b, *options):
    return subprocess.run([sys.executable, COMPARE, a, b, *options], capture_output=True,
                          text=True)


def line_of(out, start):
    return next(line for line in out.splitlines() if line.strip().startswith(start))


class Sets(unittest.TestCase):
    """B's machine is 10% slower than A's everywhere (the reference moved +10%); one point is
    also 50% slower in B for real."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="compare-test-")
        rng = np.random.default_rng(11)

        def specs(drift, slow, reference=True):
            out = [R.PointSpec("core-np1", quiet_runs(rng, 10.0 * drift), axes={"pin": "core"}),
                   R.PointSpec("none-np1", quiet_runs(rng, 12.0 * drift * slow),
                               axes={"pin": "none"}, moving=True)]
            if reference:
                out.append(R.PointSpec("reference-np1", quiet_runs(rng, 5.0 * drift),
                                       axes={"size": "100000"}, reference="added"))
            return out

        cls.a = R.write_set(os.path.join(cls.tmp, "a"), specs(1.0, 1.0), disturbance=True)
        cls.b = R.write_set(os.path.join(cls.tmp, "b"), specs(1.10, 1.5))
        cls.bare_a = R.write_set(os.path.join(cls.tmp, "bare-a"), specs(1.0, 1.0, False))
        cls.bare_b = R.write_set(os.path.join(cls.tmp, "bare-b"), specs(1.10, 1.5, False))
        cls.csv, cls.json = os.path.join(cls.tmp, "v.csv"), os.path.join(cls.tmp, "v.json")
        cls.out = compare(cls.a, cls.b, "--csv", cls.csv, "--json", cls.json)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def test_exit_0_and_the_verdicts_first(self):
        self.assertEqual(self.out.returncode, 0, self.out.stderr)
        lines = self.out.stdout.splitlines()
        self.assertTrue(lines[0].startswith("A: ") and lines[1].startswith("B: "))
        self.assertTrue(lines[3].startswith("Verdicts, B against A (the unit is the run;"))

    def test_the_drift_is_measured_and_a_smaller_difference_not_called_real(self):
        text = self.out.stdout
        self.assertIn("Not interleaved: A and B are two result sets", text)
        drift = line_of(text, "The reference point")
        self.assertIn("the machine moved by +10.", drift)
        # core: B/A about 1.10 with a tight interval, beyond the noise but inside the drift.
        core = line_of(text, "--pin core, 1 rank")
        self.assertNotIn("beyond the noise", core)
        none = line_of(text, "--pin none, 1 rank")
        self.assertIn("B slower, beyond the noise: 1.6", none)

    def test_without_a_reference_the_drift_is_unknown(self):
        out = compare(self.bare_a, self.bare_b)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("No reference point in both sets: how far the machine moved between "
                      "them is unknown", out.stdout)
        self.assertIn("B slower, beyond the noise: 1.1", line_of(out.stdout, "--pin core"))

    def test_the_load_of_both_side_by_side(self):
        text = self.out.stdout
        self.assertRegex(line_of(text, "before the runs"), r"before the runs +0\.50 +3\.\d\d$")
        self.assertRegex(line_of(text, "disturbed runs"), r"disturbed runs +0 of 20 +not recorded")

    def test_verdict_files(self):
        with open(self.csv, newline="") as f:
            rows = list(csv.DictReader(f))
        with open(self.json) as f:
            data = json.load(f)
        self.assertEqual(tuple(rows[0].keys()), FIELDS)
        self.assertEqual([r["decision"] for r in rows], [decide.CANNOT_TELL, decide.SLOWER])
        self.assertEqual(data["interleaved"], False)
        # Two sets share round numbers, not rounds: never paired.
        self.assertEqual({r["test"] for r in rows}, {decide.MANN_WHITNEY_EXACT})
        self.assertNotIn("paired by round", data["test"])
        self.assertAlmostEqual(data["drift"]["ratio"], 1.1, delta=0.02)
        self.assertEqual(len(data["comparisons"]), 2)

    def test_a_bad_threshold_or_output_is_refused(self):
        out = compare(self.a, self.b, "--threshold", "0")
        self.assertEqual(out.returncode, 2)
        out = compare(self.a, self.b, "--json", os.path.join(self.tmp, "no", "such", "v.json"))
        self.assertEqual(out.returncode, 2)
        self.assertIn("cannot write", out.stderr)
        self.assertEqual(out.stdout, "")  # refused before anything is printed


class Runs(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="compare-test-")
        rng = np.random.default_rng(12)
        self.set = R.write_set(os.path.join(self.tmp, "set"), [
            R.PointSpec("core-np1", quiet_runs(rng, 10.0, rounds=1), axes={"pin": "core"},
                        host="node\x1b[31mred\r\x1f"),
            R.PointSpec("big-np1", quiet_runs(rng, 200.0, rounds=1), axes={"size": "4000000"})])

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_one_run_each_cannot_tell(self):
        out = compare(os.path.join(self.set, "points/core-np1/r1.csv"),
                      os.path.join(self.set, "points/big-np1/r1.csv"))
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("one run each: cannot tell", out.stdout)
        self.assertNotIn("beyond the noise", out.stdout.split("Verdicts")[1].split("\n\n")[0])
        self.assertIn("Not interleaved: A and B are two single runs", out.stdout)

    def test_control_bytes_of_a_host_name_are_escaped(self):
        path = os.path.join(self.set, "points/core-np1/r1.csv")
        out = compare(path, path)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("host node\\e[31mred\\r\\x1f,", out.stdout)
        for byte in ("\x1b", "\r", "\x1f"):
            self.assertNotIn(byte, out.stdout)


class MixedVersions(unittest.TestCase):
    """Runs of more than one shmcount version, A's against B's or within a set, are refused
    unless --allow-mixed-versions is given (issue 28); then the output says which versions."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="compare-versions-")
        cls.a = os.path.join(cls.tmp, "a")
        shutil.copytree(R.FIXTURE, cls.a)
        cls.mixed = os.path.join(cls.tmp, "mixed")
        shutil.copytree(R.FIXTURE, cls.mixed)
        set_version(os.path.join(cls.mixed, "points/core-20000-np2/r1.json"), "0.2.0")
        cls.newer = os.path.join(cls.tmp, "newer")
        shutil.copytree(R.FIXTURE, cls.newer)
        for folder, _, files in os.walk(os.path.join(cls.newer, "points")):
            for name in files:
                if name.endswith(".json"):
                    set_version(os.path.join(folder, name), "0.2.0")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def refused(self, a, b, pattern):
        json_path = os.path.join(self.tmp, "refused.json")
        result = compare(a, b, "--json", json_path)
        self.assertEqual(result.returncode, 2, result.stdout + result.stderr)
        self.assertEqual(result.stdout, "")
        self.assertEqual(result.stderr.count("\n"), 1, result.stderr)
        self.assertIn("compare: the runs were made by more than one shmcount version (",
                      result.stderr)
        self.assertRegex(result.stderr, pattern)
        self.assertIn("give --allow-mixed-versions to compare them anyway", result.stderr)
        self.assertFalse(os.path.exists(json_path))

    def test_a_set_of_mixed_versions_is_refused(self):
        self.refused(self.a, self.mixed, r"A: 0\.1\.0 \(16 runs\); B: 0\.1\.0 \(15 runs\), "
                                         r"0\.2\.0 \(1 run: core-20000-np2 round 1\)\)")
        self.refused(self.mixed, self.mixed, r"A: 0\.1\.0 \(15 runs\), 0\.2\.0")

    def test_two_sets_of_different_versions_are_refused(self):
        self.refused(self.a, self.newer, r"A: 0\.1\.0 \(16 runs\); B: 0\.2\.0 \(16 runs\)\)")

    def test_two_runs_of_different_versions_are_refused(self):
        run = "points/core-20000-np2/r1.csv"
        self.refused(os.path.join(self.a, run), os.path.join(self.mixed, run),
                     r"A: 0\.1\.0 \(1 run\); B: 0\.2\.0 \(1 run\)\)")

    def test_allowed_they_are_compared_and_said_to_be_mixed(self):
        json_path = os.path.join(self.tmp, "allowed.json")
        result = compare(self.a, self.mixed, "--allow-mixed-versions", "--json", json_path)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.splitlines()[2],
                         "Mixed shmcount versions (A: 0.1.0 (16 runs); B: 0.1.0 (15 runs), 0.2.0 "
                         "(1 run: core-20000-np2 round 1)), compared as --allow-mixed-versions "
                         "asks: a difference may be the versions'.")
        with open(json_path) as f:
            self.assertEqual(json.load(f)["versions"],
                             {"a": {"0.1.0": 16}, "b": {"0.1.0": 15, "0.2.0": 1}})

    def test_one_version_is_compared_without_a_word_of_versions(self):
        result = compare(self.a, self.a)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertNotIn("Mixed shmcount versions", result.stdout)

    def test_the_option_is_in_the_help(self):
        result = compare("--help", "x")
        self.assertIn("--allow-mixed-versions", result.stdout)
        self.assertIn("more than one shmcount version", " ".join(result.stdout.split()))


class Programs(unittest.TestCase):
    """compare.py, like sweep.py and plots.py, is a program: executable in the tree and in git
    (issue 28: it was 100644), so `scripts/compare.py A B` runs. So is every .py and .sh of
    scripts/ that starts with #! (shmcount.sbatch is given to sbatch, not run)."""

    def scripts(self):
        folder = os.path.join(R.SOURCE, "scripts")
        for name in sorted(os.listdir(folder)):
            path = os.path.join(folder, name)
            if name.endswith((".py", ".sh")) and os.path.isfile(path):
                with open(path, "rb") as f:
                    if f.read(2) == b"#!":
                        yield name, path

    def test_compare_runs_as_a_program(self):
        run = subprocess.run([COMPARE, "--help"], capture_output=True, text=True)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertIn("usage:", run.stdout)

    def test_every_script_with_a_shebang_is_executable(self):
        names = [name for name, _ in self.scripts()]
        self.assertIn("compare.py", names)
        for name, path in self.scripts():
            self.assertTrue(os.access(path, os.X_OK), f"scripts/{name} is not executable")

    def test_git_records_them_executable(self):
        listing = subprocess.run(["git", "-C", R.SOURCE, "ls-files", "-s", "scripts"],
                                 capture_output=True, text=True)
        if listing.returncode != 0:
            self.skipTest("not a git checkout")
        modes = {line.split("\t")[1]: line.split()[0] for line in listing.stdout.splitlines()}
        for name, _ in self.scripts():
            self.assertEqual(modes.get(f"scripts/{name}"), "100755",
                             f"git records scripts/{name} as not executable")


if __name__ == "__main__":
    unittest.main()


class ShippedReference(unittest.TestCase):
    """The shipped reference set predates the `counts` and `baseline` config keys: it compares
    point by point with a set written today (the same set with those keys in every run's
    config), where it once matched no point."""

    def test_the_shipped_set_compares_with_one_of_the_current_format(self):
        shipped = os.path.join(R.SOURCE, "results", "reference-2core-epyc-vm")
        tmp = tempfile.mkdtemp(prefix="compare-shipped-")
        self.addCleanup(shutil.rmtree, tmp)
        current = os.path.join(tmp, "current")
        shutil.copytree(shipped, current)
        rewritten = 0
        for folder, _, files in os.walk(os.path.join(current, "points")):
            for name in files:
                if not name.endswith(".json"):
                    continue
                path = os.path.join(folder, name)
                with open(path) as f:
                    context = json.load(f)
                self.assertNotIn("counts", context["config"])
                context["config"].update(counts="private", baseline=True)
                with open(path, "w") as f:
                    json.dump(context, f)
                rewritten += 1
        self.assertGreater(rewritten, 0)
        result = compare(shipped, current)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("--pin core", result.stdout)
        self.assertNotIn("only in A", result.stdout)

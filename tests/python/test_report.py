"""make plots on result sets written by the test: REPORT.md opens with the verdicts, the unit and
their count; pairs, placement, the family, the margin, duplicates, the reference point,
disturbance and calibration; verdicts.csv and verdicts.json."""

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
from analysis.load import load, versions
from analysis.verdicts import FIELDS

PLOTS = os.path.join(R.SOURCE, "scripts", "plots.py")


def quiet_runs(rng, ms, rounds=10, reps=5, spread=0.01):
    """Runs whose times spread by `spread` around ms."""
    return [list(ms * np.exp(rng.normal(0, spread, reps)) * np.exp(rng.normal(0, spread)))
            for _ in range(rounds)]


def plots(results, out, *options):
    return subprocess.run([sys.executable, PLOTS, "--results", results, "--out", out, *options],
                          capture_output=True, text=True)


def read_verdicts(folder):
    with open(os.path.join(folder, "verdicts.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    with open(os.path.join(folder, "verdicts.json")) as f:
        data = json.load(f)
    return rows, data


class Report(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="report-test-")
        rng = np.random.default_rng(8)
        specs = [
            # 1 rank: none moves between PUs and is 40% slower; core and scatter place alike,
            # and scatter is 20% slower all the same (not a placement effect).
            R.PointSpec("core-np1", quiet_runs(rng, 10.0), axes={"pin": "core"}),
            R.PointSpec("none-np1", quiet_runs(rng, 14.0), axes={"pin": "none"}, moving=True),
            R.PointSpec("scatter-np1", quiet_runs(rng, 12.0), axes={"pin": "scatter"}),
            # 2 ranks: core and none alike within 1%; none's 4 disturbed runs are twice as slow.
            R.PointSpec("core-np2", quiet_runs(rng, 20.0), ranks=2, axes={"pin": "core"}),
            R.PointSpec("none-np2", quiet_runs(rng, 20.0, rounds=6) + quiet_runs(rng, 40.0, 4),
                        ranks=2, axes={"pin": "none"}, moving=True,
                        disturbed_runs=(6, 7, 8, 9), disturbed_reps={6: (0, 1, 2)}),
            R.PointSpec("reference-np1", quiet_runs(rng, 5.0), axes={"size": "100000"},
                        reference="added"),
        ]
        duplicate = {"point": "compact-np2", "ranks": "2", **R.DEFAULTS, "pin": "compact",
                     "copy": "1", "same_as": "core-np2", "plan": "0 1"}
        cls.set = R.write_set(os.path.join(cls.tmp, "set"), specs, disturbance=True,
                              duplicates=[duplicate])
        cls.out = os.path.join(cls.tmp, "plots")
        cls.plotted = plots(cls.set, cls.out)
        with open(os.path.join(cls.out, "REPORT.md")) as f:
            cls.report = f.read()
        cls.rows, cls.json = read_verdicts(cls.out)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def verdict(self, ranks, a, b):
        return next(r for r in self.rows if r["ranks"] == str(ranks) and r["a"] == f"--pin {a}"
                    and r["b"] == f"--pin {b}")

    def test_plots_succeeds(self):
        self.assertEqual(self.plotted.returncode, 0, self.plotted.stderr)
        self.assertIn("verdicts.csv and verdicts.json", self.plotted.stdout)

    def test_the_verdicts_come_first_with_the_unit_and_its_count(self):
        lines = self.report.splitlines()
        self.assertEqual(lines[2], "## Verdicts")
        self.assertIn("The unit is the **run**", lines[4])
        self.assertIn("This set has 50 runs (10 runs per point, 5 repetitions each).", lines[4])
        self.assertIn("chance of any false alarm among all these verdicts is at most 5%",
                      self.report)

    def test_a_winner_is_named_with_its_ratio_and_interval(self):
        row = self.verdict(1, "core", "none")
        self.assertEqual(row["decision"], decide.SLOWER)
        self.assertEqual(row["placement"], "differs")
        self.assertIn("| 1 rank | **--pin core is faster**: 0.7", self.report)

    def test_each_group_opens_with_its_fastest_and_what_it_beats(self):
        # 1 rank: core (10 ms) beats none (14 ms) and places as scatter does; 2 ranks: core and
        # none within 1%: no winner. The lines come right after the axis heading.
        lines = self.report.splitlines()
        first = lines.index("### --pin") + 2
        self.assertRegex(lines[first], r"^- 1 rank: \*\*--pin core\*\* ran fastest \(10\.\d ms, the "
                         r"lowest median\): faster beyond the noise than --pin none \(0\.7\d\dx "
                         r"\[.*\]\); placed as --pin scatter \(not a placement effect\)$")
        self.assertRegex(lines[first + 1], r"^- 2 ranks: no winner beyond the noise \(fastest "
                                           r"median: --pin (core|none), 2\d\.\d ms\)$")

    def test_the_same_placement_is_never_a_placement_effect(self):
        row = self.verdict(1, "core", "scatter")
        self.assertEqual((row["decision"], row["placement"]), ("same_placement", "same"))
        self.assertIn("not a placement effect; yet the times differ beyond the noise",
                      row["verdict"])
        self.assertNotIn("--pin core is faster**: 0.8", self.report)
        self.assertNotIn("the time of --pin scatter", self.report)

    def test_pairs_of_one_sweep_are_judged_by_round(self):
        self.assertEqual({r["test"] for r in self.rows}, {decide.PAIRED_EXACT})
        self.assertIn("every pair judged round by round (**paired by round**", self.report)
        self.assertIn("paired by round, a sign-flip test of the mean", self.json["test"])
        self.assertNotIn("nothing here can be beyond the noise", self.report)

    def test_one_family_holm_adjusted(self):
        p = [float(r["p"]) for r in self.rows]
        adjusted = [float(r["p_adjusted"]) for r in self.rows]
        self.assertEqual(list(np.round(decide.holm(p), 12)), list(np.round(adjusted, 12)))
        self.assertEqual(self.json["family_size"], len(self.rows))
        self.assertEqual(self.json["correction"], "Holm")

    def test_verdict_files_have_every_field(self):
        self.assertEqual(tuple(self.rows[0].keys()), FIELDS)
        self.assertEqual(tuple(self.json["comparisons"][0].keys()), FIELDS)
        self.assertEqual({r["unit"] for r in self.rows}, {"run"})
        self.assertEqual(self.json["alpha"], decide.ALPHA)
        self.assertEqual(self.json["margin"], decide.MARGIN)

    def test_duplicates_are_listed_and_never_paired(self):
        self.assertIn("- --pin compact at 2 ranks: planned as --pin core; measured once",
                      self.report)
        self.assertFalse(any("compact" in r["a"] + r["b"] for r in self.rows))

    def test_the_added_reference_is_kept_out(self):
        self.assertIn("reference point (measured in every round, to see drift): "
                      "reference-np1 (added to every round", self.report)
        self.assertFalse(any("100000" in r["group"] for r in self.rows))
        self.assertNotIn("| 100000 |", self.report)

    def test_disturbed_runs_are_flagged_and_left_out_once(self):
        self.assertIn("| **4 runs, 3 reps** |", self.report)
        row = self.verdict(2, "core", "none")
        self.assertEqual((row["disturbed_a"], row["disturbed_b"]), ("0", "4"))
        self.assertNotEqual(row["decision"], decide.SAME)
        self.assertIn("4 runs of 50 flagged disturbed", self.report)
        self.assertIn("changes **1 verdict**", self.report)
        # Paired by round: the 6 rounds in which neither side was disturbed.
        self.assertIn("-> the same within ±3% (runs left: 6/6)", self.report)

    def test_one_version_says_nothing_of_versions(self):
        self.assertNotIn("Mixed shmcount versions", self.report)

    def test_without_calibration_the_report_says_how_to_run_one(self):
        self.assertIn("No calibration was run for this set", self.report)
        self.assertIn("`make calibrate`", self.report)


def set_version(json_path, version):
    """Rewrites a run context's shmcount version (None: removes it, as from an unknown one)."""
    with open(json_path) as f:
        context = json.load(f)
    if version is None:
        del context["version"]
    else:
        context["version"] = version
    with open(json_path, "w") as f:
        json.dump(context, f)


class MixedVersions(unittest.TestCase):
    """A set whose runs were made by more than one shmcount version says so at the top of
    REPORT.md (issue 28: it said nothing): which versions, how many runs each, the odd runs."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="versions-test-")
        cls.set = os.path.join(cls.tmp, "set")
        shutil.copytree(R.FIXTURE, cls.set)
        set_version(os.path.join(cls.set, "points/core-20000-np2/r1.json"), "0.2.0")
        set_version(os.path.join(cls.set, "points/core-20000-np1/r2.json"), None)
        cls.out = os.path.join(cls.tmp, "plots")
        cls.plotted = plots(cls.set, cls.out)
        with open(os.path.join(cls.out, "REPORT.md")) as f:
            cls.report = f.read()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def test_plots_succeeds(self):
        self.assertEqual(self.plotted.returncode, 0, self.plotted.stderr)

    def test_the_versions_are_named_near_the_top(self):
        lines = self.report.splitlines()
        self.assertEqual(lines[0], "# shmcount result set `set`")
        self.assertEqual(lines[2], "**Mixed shmcount versions.** This set's runs were made by 3 "
                                   "shmcount versions: 0.1.0 (14 runs), 0.2.0 (1 run: "
                                   "core-20000-np2 round 1), unknown (1 run: core-20000-np1 round "
                                   "2). A version may measure differently, so a difference below "
                                   "may be the versions' rather than the points'; measure the set "
                                   "again with one shmcount before trusting it.")
        self.assertLess(self.report.index("Mixed shmcount"), self.report.index("## Verdicts"))

    def test_every_run_read_counts_the_reference_and_wrong_ones_too(self):
        rng = np.random.default_rng(4)
        folder = R.write_set(os.path.join(self.tmp, "counted"), [
            R.PointSpec("core-np1", quiet_runs(rng, 10.0, rounds=2), axes={"pin": "core"}),
            R.PointSpec("none-np1", quiet_runs(rng, 12.0, rounds=2), axes={"pin": "none"}),
            R.PointSpec("reference-np1", quiet_runs(rng, 5.0, rounds=2),
                        axes={"size": "100000"}, reference="added")])
        self.assertEqual({v: len(r) for v, r in versions(load(folder)).items()}, {"0.1.0": 6})
        set_version(os.path.join(folder, "points/reference-np1/r2.json"), "0.3.0")
        self.assertEqual(versions(load(folder)),
                         {"0.1.0": [("core-np1", 1), ("core-np1", 2), ("none-np1", 1),
                                    ("none-np1", 2), ("reference-np1", 1)],
                          "0.3.0": [("reference-np1", 2)]})
        # A run that counted wrong is left out of its point, but its version is still read.
        run = os.path.join(folder, "points/none-np1/r2")
        with open(run + ".csv", newline="") as f:
            reader = csv.DictReader(f)
            header, rows = reader.fieldnames, list(reader)
        rows[0]["ok"] = "0"
        with open(run + ".csv", "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        set_version(run + ".json", "0.4.0")
        rs = load(folder)
        self.assertEqual(len(rs.wrong), 1)
        self.assertEqual(versions(rs)["0.4.0"], [("none-np1", 2)])


class Options(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="report-test-")
        rng = np.random.default_rng(9)
        specs = [R.PointSpec("core-np1", quiet_runs(rng, 10.0, spread=0.004),
                             axes={"pin": "core"}),
                 R.PointSpec("none-np1", quiet_runs(rng, 10.4, spread=0.004),
                             axes={"pin": "none"}, moving=True)]
        self.set = R.write_set(os.path.join(self.tmp, "set"), specs)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_threshold_sets_the_margin(self):
        out = os.path.join(self.tmp, "p3")
        self.assertEqual(plots(self.set, out).returncode, 0)
        rows, _ = read_verdicts(out)
        self.assertEqual(rows[0]["decision"], decide.SLOWER)  # 4% is beyond ±3%
        out = os.path.join(self.tmp, "p5")
        self.assertEqual(plots(self.set, out, "--threshold", "5").returncode, 0)
        rows, data = read_verdicts(out)
        self.assertEqual((rows[0]["decision"], rows[0]["verdict"]),
                         (decide.SAME, "the same within ±5%"))
        self.assertEqual(data["margin"], 0.05)

    def test_a_bad_threshold_is_refused(self):
        for bad in ("0", "100", "-3", "abc", "nan"):
            run = plots(self.set, os.path.join(self.tmp, "bad"), "--threshold", bad)
            self.assertEqual(run.returncode, 2, bad)
            self.assertIn("not a percentage above 0 and below 100", run.stderr)
            self.assertFalse(os.path.exists(os.path.join(self.tmp, "bad")))

    def test_an_older_set_still_loads(self):
        """The committed fixture: no copy, reference or disturbance columns."""
        out = os.path.join(self.tmp, "old")
        run = plots(R.FIXTURE, out)
        self.assertEqual(run.returncode, 0, run.stderr)
        with open(os.path.join(out, "REPORT.md")) as f:
            report = f.read()
        self.assertIn("This set has 16 runs (2 runs per point, 3 repetitions each).", report)
        self.assertIn("**With 2 shared rounds nothing here can be beyond the noise**: the paired "
                      "test's smallest p is 2 / 2^2 = 0.5, and Holm over 8 comparisons needs "
                      "p < 0.0063 first; a family of 8 needs 9 rounds.", report)
        self.assertIn("Not recorded: these runs come from a shmcount that does not record",
                      report)
        rows, _ = read_verdicts(out)
        self.assertEqual(len(rows), 8)
        self.assertEqual({r["disturbed_a"] for r in rows}, {""})


class FasterThanPerfectScaling(unittest.TestCase):
    """The note on a point that beats the ideal gives the reason that holds: with more ranks than
    PUs the efficiency stays low while the makespan beats the ideal."""

    def point(self, efficiency, time):
        from types import SimpleNamespace
        return SimpleNamespace(oversubscribed=False, off_plan=0, moved=0, outliers=0,
                               ideal_ms=40.0, time=time, faster_than_ideal=1, rounds=2,
                               efficiency=SimpleNamespace(estimate=efficiency))

    def test_oversubscribed_names_the_makespan_not_a_low_efficiency(self):
        from analysis.report import _notes
        note = _notes(self.point(0.28, 34.0))
        self.assertIn("faster than perfect scaling in 1 of 2 runs (ideal 40.0 ms, median 34.0 ms)",
                      note)
        self.assertNotIn("efficiency", note)

    def test_an_efficiency_above_one_is_named(self):
        from analysis.report import _notes
        self.assertIn("(ideal 40.0 ms, efficiency 112%)", _notes(self.point(1.12, 35.7)))

    def test_no_note_when_no_run_was_faster(self):
        from analysis.report import _notes
        point = self.point(1.12, 35.7)
        point.faster_than_ideal = 0
        self.assertNotIn("perfect scaling", _notes(point))


class FasterThanIdealRule(unittest.TestCase):
    """The analysis' copy of shmcount's one rule (report/figures.hpp faster_than_ideal), on the
    cases tests/unit/report_test.cpp gives shmcount's: below the ideal by more than the spread."""

    def test_the_same_cases_as_shmcounts(self):
        from analysis.stats import faster_than_ideal
        self.assertTrue(faster_than_ideal(95, 100, 0.04))
        self.assertFalse(faster_than_ideal(97, 100, 0.04))
        self.assertFalse(faster_than_ideal(100, 100, 0))
        self.assertTrue(faster_than_ideal(99.9, 100, 0))
        self.assertFalse(faster_than_ideal(10, 0, 0))
        self.assertFalse(faster_than_ideal(1, 100, 1.5))
        self.assertFalse(faster_than_ideal(10, float("nan"), 0))

    def test_scaling_takes_the_larger_cv_as_the_spread(self):
        from analysis.stats import scaling
        # report_test's oversubscribed run: makespans 20 and 21 ms, baseline 40 and 40, ideal 40.
        got = scaling(np.array([20.0, 21.0]), np.array([40.0, 40.0]), 40.0)
        self.assertAlmostEqual(got["ideal_ratio"], 20.5 / 40)
        self.assertAlmostEqual(got["noise"], 0.5 ** 0.5 / 20.5)
        self.assertTrue(got["faster_than_ideal"])
        self.assertFalse(scaling(np.array([20.0, 21.0]), np.array([]), float("nan"))
                         ["faster_than_ideal"])


class Emulated(unittest.TestCase):
    """A set with runs from the NUMA guest (hypervisor "emulated ...") says so first."""

    def test_runs_under_tcg_are_named_emulated_before_the_verdicts(self):
        with tempfile.TemporaryDirectory(prefix="emulated-test-") as tmp:
            results = os.path.join(tmp, "set")
            shutil.copytree(R.FIXTURE, results)
            clean = plots(results, os.path.join(tmp, "clean"))
            self.assertEqual(clean.returncode, 0, clean.stderr)
            with open(os.path.join(tmp, "clean", "REPORT.md")) as f:
                self.assertNotIn("Emulated times", f.read())
            path = os.path.join(results, "points", "core-20000-np1", "r1.json")
            with open(path) as f:
                context = json.load(f)
            emulated = "emulated (QEMU TCG, cpuid signature TCGTCGTCGTCG): times are an emulator's"
            context["noise"]["hypervisor"] = emulated
            for node in context.get("nodes", []):
                node.setdefault("noise", {})["hypervisor"] = emulated
                node.setdefault("memory", {}).update(
                    array_numa_pages="pages (read back with move_pages): 100.0% on NUMA 1",
                    array_local_pct="pages local to the NUMA node each rank ran on: 0.0% to 0.0%")
            with open(path, "w") as f:
                json.dump(context, f)
            p = plots(results, os.path.join(tmp, "plots"))
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(os.path.join(tmp, "plots", "REPORT.md")) as f:
                text = f.read()
            self.assertRegex(text, r"\*\*Emulated times\.\*\* 1 of \d+ runs ran under an emulator")
            self.assertLess(text.index("Emulated times"), text.index("## "))
            # Where the pages were stands beside the point's times, as its runs read them back.
            self.assertIn("| pages (read back; local to each rank) |", text)
            self.assertIn("| 100.0% on NUMA 1; local 0.0% to 0.0% |", text)


if __name__ == "__main__":
    unittest.main()

"""Why a verdict cannot tell, with known answers: simulated sweeps (simulate.py) written as result
sets (resultsets.py) and read by make plots. A set with most runs disturbed names disturbance
(and what disturbed them) in REPORT.md and verdicts.json, with a line at the top; one whose
disturbed runs are all of one side says that side is left empty; one with few rounds names
rounds, with the number that would tell; a clean set with a real difference gives no cause."""

import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import types
import unittest

import numpy as np

import resultsets as R
import simulate
from analysis import decide
from analysis.decide import Comparison, Interval, Verdict

PLOTS = os.path.join(R.SOURCE, "scripts", "plots.py")
COMPARE = os.path.join(R.SOURCE, "scripts", "compare.py")
LOAD = {"ctx_switches": 40, "migrations": 2}  # what a busy neighbour leaves in a record


def simulated(rng, effect, rounds, disturbed=((), ()), load=0.0):
    """A and B of one simulated sweep (B's true time 1 + effect times A's), as PointSpecs
    (pin core against pin none, placed differently); disturbed: per side, the runs slowed by
    another job on the machine, each by a factor exp(|N(load, load)|), every repetition of them
    flagged disturbed."""
    runs = simulate.sweep(rng, [1.0, 1 + effect, 1.0, 1.0], rounds)[:2]
    specs = []
    for (name, pin), side, flagged in zip((("core-np1", "core"), ("none-np1", "none")),
                                          runs, disturbed):
        side = [list(r * (math.exp(abs(rng.normal(load, load))) if i in flagged else 1.0))
                for i, r in enumerate(side)]
        specs.append(R.PointSpec(name, side, axes={"pin": pin}, moving=pin == "none",
                                 disturbed_runs=tuple(flagged),
                                 disturbed_reps={i: range(simulate.REPS) for i in flagged},
                                 disturbed_counts=LOAD))
    return specs


class Reports(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="why-test-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def plots(self, name, specs):
        """make plots on the set: REPORT.md and the one comparison of verdicts.json."""
        root = R.write_set(os.path.join(self.tmp, name), specs, disturbance=True)
        out = os.path.join(self.tmp, name + "-plots")
        run = subprocess.run([sys.executable, PLOTS, "--results", root, "--out", out],
                             capture_output=True, text=True)
        self.assertEqual(run.returncode, 0, run.stderr)
        with open(os.path.join(out, "REPORT.md")) as f:
            report = f.read()
        with open(os.path.join(out, "verdicts.json")) as f:
            (row,) = json.load(f)["comparisons"]
        with open(os.path.join(out, "verdicts.csv")) as f:
            self.assertIn("cause,why,fix", f.readline())
        return report, row

    def test_most_runs_disturbed_names_disturbance(self):
        """8 of 10 runs of each side slowed by a neighbour: the 5% difference is lost in it."""
        rng = np.random.default_rng(21)
        flagged = (0, 1, 2, 3, 5, 6, 7, 9)
        report, row = self.plots("loaded", simulated(rng, 0.05, 10, (flagged, flagged),
                                                     load=0.4))
        self.assertEqual(row["decision"], decide.CANNOT_TELL)
        self.assertEqual(row["cause"], decide.DISTURBED)
        self.assertIn("8 of 10 runs of A and 8 of 10 of B disturbed", row["why"])
        self.assertIn("the load up to 2.70 on 2 usable PUs, above the limit of 1.5 in 16 of "
                      "them", row["why"])
        # 16 runs x 5 repetitions of 1 rank, 40 switches and 2 migrations in each.
        self.assertIn("80 disturbed records (CSV column `disturbed`): 3200 involuntary context "
                      "switches, 160 migrations", row["why"])
        self.assertIn("a quieter machine", row["fix"])
        # At the top of the verdicts, and under the verdict.
        top = report.split("### --pin")[0]
        self.assertIn("**Load is why 1 of 1 verdict cannot tell**: 16 of 20 runs were flagged "
                      "disturbed", top)
        self.assertIn("more rounds would mostly add disturbed runs", top)
        self.assertRegex(report, r"\n- why 1 rank, --pin core vs --pin none cannot tell "
                                 r"\(disturbed\): 8 of 10 runs of A .*Fix: a quieter machine")

    def test_one_side_left_empty_says_which(self):
        """Every run of B disturbed, none of A: leaving them out leaves B without a run."""
        rng = np.random.default_rng(22)
        report, row = self.plots("empty", simulated(rng, 0.0, 6, ((), range(6)), load=0.3))
        self.assertIn(row["decision"], (decide.CANNOT_TELL, decide.TOO_FEW))
        self.assertEqual(row["cause"], decide.ONE_SIDE_EMPTY)
        self.assertIn("0 of 6 runs of A and 6 of 6 of B disturbed", row["why"])
        self.assertIn("leaving them out leaves no run of B", row["why"])
        self.assertIn("**Load is why", report)

    def test_spread_and_few_rounds_name_the_rounds_that_would_tell(self):
        """B 30% slower, runs spread by the round's machine state (cv over 10%), but only 4
        rounds: the paired test's smallest p, 2 / 2^4, cannot reach 0.05; 6 rounds can."""
        rng = np.random.default_rng(23)
        report, row = self.plots("few", simulated(rng, 0.30, 4))
        self.assertEqual(row["decision"], decide.CANNOT_TELL)
        self.assertEqual(row["cause"], decide.ROUNDS)
        self.assertIn("only 4 shared rounds: the test's smallest p, 0.12, cannot reach 0.05",
                      row["why"])
        cvs = [float(x) for x in re.findall(r"(\d+)% \([AB]\)", row["why"])]
        self.assertTrue(len(cvs) == 2 and max(cvs) > 10, row["why"])
        wanted = re.fullmatch(r"more rounds: ROUNDS=(\d+) \((\d+) more\)", row["fix"])
        self.assertIsNotNone(wanted, row["fix"])
        total, more = map(int, wanted.groups())
        self.assertEqual(total, 4 + more)
        self.assertEqual(more, row["more_rounds"])
        self.assertGreaterEqual(total, decide.rounds_for_family(1))
        self.assertIn(f"Fix: more rounds: ROUNDS={total} ({more} more).", report)
        self.assertNotIn("**Load is why", report)
        # The number is one that tells: the same sweep with that many rounds decides.
        _, again = self.plots("enough", simulated(np.random.default_rng(23), 0.30, total))
        self.assertEqual(again["decision"], decide.SLOWER)

    def test_compare_prints_the_cause_as_the_report_does(self):
        """compare.py's text names why each verdict cannot tell and the fix, as REPORT.md and
        its --json do: B's runs all disturbed, so leaving them out leaves B without a run."""
        rng = np.random.default_rng(25)
        a, b = simulated(rng, 0.0, 3, ((), range(3)))
        b = R.PointSpec(a.name, b.runs, axes=a.axes, disturbed_runs=b.disturbed_runs,
                        disturbed_reps=b.disturbed_reps, disturbed_counts=LOAD)
        set_a = R.write_set(os.path.join(self.tmp, "compare-a"), [a], disturbance=True)
        set_b = R.write_set(os.path.join(self.tmp, "compare-b"), [b], disturbance=True)
        out_json = os.path.join(self.tmp, "compare.json")
        run = subprocess.run([sys.executable, COMPARE, set_a, set_b, "--json", out_json],
                             capture_output=True, text=True)
        self.assertEqual(run.returncode, 0, run.stderr)
        with open(out_json) as f:
            (row,) = json.load(f)["comparisons"]
        self.assertIsNotNone(row["cause"])
        self.assertIn("Why they cannot tell, as measured, and the cheapest fix:", run.stdout)
        self.assertIn(f"cannot tell ({row['cause']}): {row['why']}. Fix: {row['fix']}.",
                      run.stdout)
        self.assertIn("3 of 3 of B disturbed", run.stdout)

    def test_a_clean_real_difference_has_no_cause(self):
        rng = np.random.default_rng(24)
        report, row = self.plots("clean", simulated(rng, 0.30, 10))
        self.assertEqual(row["decision"], decide.SLOWER)
        self.assertEqual(row["disturbed_a"], 0)
        self.assertEqual((row["cause"], row["why"], row["fix"]), (None, None, None))
        self.assertNotIn("cannot tell (", report)
        self.assertNotIn("- why ", report)
        self.assertNotIn("**Load is why", report)


class Rules(unittest.TestCase):
    """decide.why_cannot_tell on comparisons with known answers."""

    def test_only_cannot_tell_has_a_cause(self):
        c = Comparison(10, 10, 10.0, 13.0, Interval(1.3, 1.2, 1.4), 0.002, decide.PAIRED_EXACT,
                       paired=True)
        for decision in (decide.SLOWER, decide.FASTER, decide.SAME):
            self.assertIsNone(decide.why_cannot_tell(c, Verdict(decision, "")))

    def test_disturbed_runs_that_spread_the_times_are_the_cause(self):
        """3 of 10 runs disturbed: the runs spread by 30% with them, 2% without."""
        c = Comparison(10, 10, 10.0, 11.0, Interval(1.1, 0.9, 1.4), 0.3, decide.PAIRED_EXACT,
                       paired=True)
        v = decide.judge(c, 0.3)
        cause = decide.why_cannot_tell(c, v, spread=(0.02, 0.30), disturbed=((0, 10), (3, 10)),
                                       undisturbed_spread=(0.02, 0.02))
        self.assertEqual(cause.cause, decide.DISTURBED)
        self.assertIn("(cv between runs 30% with them, 2% without)", cause.why)
        # The same spread without disturbed runs: not disturbance.
        cause = decide.why_cannot_tell(c, v, spread=(0.02, 0.30), disturbed=((0, 10), (0, 10)),
                                       undisturbed_spread=(0.02, 0.30))
        self.assertNotEqual(cause.cause, decide.DISTURBED)

    def test_one_run_names_the_rounds_a_family_needs(self):
        c = Comparison(1, 1, 10.0, 12.0, Interval(1.2, math.nan, math.nan), math.nan, "",
                       paired=True)
        cause = decide.why_cannot_tell(c, decide.judge(c, math.nan), family_size=18)
        self.assertEqual(cause.cause, decide.ROUNDS)
        self.assertEqual(cause.fix, "more rounds: ROUNDS=10 or more (9 more)")

    def test_spread_beyond_any_rounds_names_a_quieter_machine_and_a_bigger_array(self):
        """30 rounds, runs of 4 ms spread by 25%, the interval [0.8, 1.4]: more rounds than
        MORE_ROUNDS_CAP would be needed; a quieter machine, and a bigger array for short runs."""
        c = Comparison(30, 30, 4.0, 4.2, Interval(1.05, 0.8, 1.4), 0.4, decide.PAIRED_EXACT,
                       paired=True)
        v = decide.judge(c, 0.4)
        self.assertIsNone(v.more_rounds)
        cause = decide.why_cannot_tell(c, v, spread=(0.25, 0.2), time_ms=4.0, size=200000)
        self.assertEqual(cause.cause, decide.SPREAD)
        self.assertIn("cv between runs 25% (A) and 20% (B) over 30 shared rounds", cause.why)
        self.assertIn("a quieter machine", cause.fix)
        self.assertIn("a bigger array (SIZES=400000", cause.fix)
        self.assertRegex(cause.fix, r"more rounds alone would take about \d+$")

    def test_a_short_test_with_spread_beyond_any_rounds_is_spread(self):
        """3 rounds of a family of 108 (the test needs 13), runs spread by 9%, B / A 1.01
        [0.9, 1.15]: thousands of rounds would be needed to call it the same, so the fix is the
        machine, with the 13 rounds the test needs at least (the 16-vCPU reference set)."""
        c = Comparison(3, 3, 50.0, 50.5, Interval(1.01, 0.9, 1.15), 0.75, decide.PAIRED_EXACT,
                       paired=True)
        v = decide.judge(c, 1.0, family_size=108)
        self.assertIsNone(v.more_rounds)
        cause = decide.why_cannot_tell(c, v, family_size=108, spread=(0.06, 0.09),
                                       time_ms=50.0, size=200000)
        self.assertEqual(cause.cause, decide.SPREAD)
        self.assertIn("only 3 shared rounds: the test's smallest p, 0.25, cannot reach 0.00046 "
                      "(Holm over 108)", cause.why)
        self.assertTrue(cause.fix.startswith("a quieter machine"), cause.fix)
        self.assertNotIn("bigger array", cause.fix)  # 50 ms runs
        self.assertTrue(cause.fix.endswith("; the test needs ROUNDS=13 at least to reach "
                                           "0.00046"), cause.fix)
        # The same with quiet runs: the rounds, however many.
        quiet = decide.why_cannot_tell(c, v, family_size=108, spread=(0.02, 0.03))
        self.assertEqual(quiet.cause, decide.ROUNDS)
        self.assertRegex(quiet.fix, r"^more rounds: ROUNDS=\d+ \(\d+ more\)$")


class WhyLines(unittest.TestCase):
    """REPORT.md's why lines: verdicts alike in cause and fix share one line past a few (a set of
    108 verdicts short of rounds read as 98 near-identical lines), the rest keep their own."""

    def cause(self, kind, why, fix):
        return types.SimpleNamespace(cause=kind, why=why, fix=fix)

    def test_alike_verdicts_share_one_line_and_the_fix_is_said_once(self):
        from analysis.report import GROUP_WHY_FROM, why_lines
        rounds = [(f"{n} ranks, A vs B", self.cause("rounds", f"cv {n}%", "ROUNDS=13"))
                  for n in range(1, GROUP_WHY_FROM + 2)]
        spread = ("1 rank, C vs D", self.cause("spread", "cv 40%", "a quieter machine"))
        lines = why_lines(rounds[:1] + [spread] + rounds[1:])
        self.assertEqual(len(lines), 2, lines)
        self.assertEqual(lines[0], f"- why {len(rounds)} of these verdicts cannot tell (rounds), "
                         "for example 1 ranks, A vs B: cv 1% (each one's own figures in "
                         f"verdicts.json). Fix for all {len(rounds)}: ROUNDS=13.")
        self.assertEqual(lines[1], "- why 1 rank, C vs D cannot tell (spread): cv 40%. "
                         "Fix: a quieter machine.")

    def test_a_few_alike_or_different_fixes_keep_a_line_each(self):
        from analysis.report import GROUP_WHY_FROM, why_lines
        few = [(f"{n} ranks", self.cause("rounds", "w", "ROUNDS=13"))
               for n in range(GROUP_WHY_FROM - 1)]
        other_fix = [(f"{n} ranks", self.cause("rounds", "w", f"ROUNDS={20 + n}"))
                     for n in range(GROUP_WHY_FROM)]
        self.assertEqual(len(why_lines(few + other_fix)), len(few) + len(other_fix))


class DisturbedBy(unittest.TestCase):
    """What disturbed the runs, counted from their records and run contexts."""

    @staticmethod
    def point(*runs):
        from types import SimpleNamespace as NS
        return NS(runs=[NS(disturbed=flagged, run=NS(disturbance=summary, rows=rows))
                        for flagged, summary, rows in runs])

    def test_the_busiest_pu_is_named_and_the_counters_added(self):
        from analysis.stats import disturbed_by
        over = {"load_before": 3.1, "load_after": 4.2, "usable_pus": 2, "load_limit": 3,
                "nodes_over_load": [0]}
        calm = {"load_before": 0.2, "load_after": 0.3, "usable_pus": 2, "load_limit": 3,
                "nodes_over_load": []}

        def rec(pu, off_cpu_ns, steal_ns="", disturbed="1"):
            return {"phase": "parallel", "disturbed": disturbed, "pu_logical": pu,
                    "off_cpu_ns": str(off_cpu_ns), "steal_ns": steal_ns, "ctx_switches": "5",
                    "migrations": "0", "major_faults": "1"}

        a = self.point((True, over, [rec("1", 8_000_000, "1000000"), rec("0", 1_000_000)]),
                       (False, calm, [rec("1", 50_000_000, disturbed="0")]))
        b = self.point((True, calm, [rec("1", 3_000_000)]))
        words, busiest = disturbed_by([a, b])
        self.assertIn("the load up to 4.20 on 2 usable PUs, above the limit of 3 in 1 of them",
                      words)
        # Only the flagged runs' flagged records: 8 + 1 (steal) + 1 + 3 ms, 15 switches.
        self.assertIn("3 disturbed records (CSV column `disturbed`): 13.0 ms without a CPU or "
                      "stolen, 15 involuntary context switches, 3 major page faults", words)
        self.assertNotIn("migrations", words)
        self.assertEqual(busiest, "PU 1 (the busiest: 92% of the time lost)")
        self.assertEqual(disturbed_by([self.point((False, calm, []))]), ("", ""))


if __name__ == "__main__":
    unittest.main()

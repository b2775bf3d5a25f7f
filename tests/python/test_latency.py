"""Latency maps in the analysis: the loader tells them from counting runs and proves them as
strictly, one map or a set of repeated maps is analysed (the run is the unit), and make plots
draws the heatmap and the latency per relation and quotes the findings in REPORT.md."""

import contextlib
import csv
import io
import json
import os
import shutil
import stat
import sys
import tempfile
import unittest

import numpy as np

import latency_runs as L
from analysis.latency import analyse_latency
from analysis.load import COUNTING, LATENCY, InputError, load

sys.path.insert(0, os.path.join(L.SOURCE, "scripts"))
import plots  # noqa: E402

COUNTING_RUN = os.path.join(L.SOURCE, "tests", "data", "result-set", "points", "core-20000-np2",
                            "r1.csv")
HIDDEN = ("PUs {a} and {b} answer in 11 ns, like SMT siblings, but hwloc shows separate cores "
          "that share an L3: the host may share a core between these vCPUs")


def hidden_smt(a, b, relation):
    """A flat 16-vCPU VM whose host runs vCPUs i and i+8 on one core."""
    return 11.0 if b == a + 8 else 50.0


class LatencyMaps(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="latency-test-")
        self.rng = np.random.default_rng(3)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def path(self, name):
        return os.path.join(self.tmp, name)

    def hidden_map(self, path, samples=6):
        findings = [{"kind": "closer", "a": i, "b": i + 8, "relation": "l3", "median_ns": 11,
                     "level": 0, "like": "like SMT siblings", "text": HIDDEN.format(a=i, b=i + 8)}
                    for i in range(8)]
        advice = ("to keep ranks off PUs that answered closer than hwloc shows, run with --pin "
                  "list:0-7 (one PU of each such group, and every other PU measured: up to 8 "
                  "rank(s))")
        return L.write_map(path, L.flat_pus(16), hidden_smt, findings, advice, samples, self.rng)

    def test_the_real_map_is_a_latency_run_with_its_own_figures(self):
        rs = load(L.FIXTURE + ".csv")
        self.assertEqual(rs.mode, LATENCY)
        a = analyse_latency(rs)
        context, rows = L.template()
        self.assertEqual(len(a.pairs), 1)
        self.assertEqual(a.pairs[0].median_ns, context["latency"]["pairs"][0]["median_ns"])
        self.assertEqual(a.relations[0].low_ns, context["latency"]["relations"][0]["low_ns"])
        self.assertEqual(a.findings, [])
        self.assertEqual(load(COUNTING_RUN).mode, COUNTING)

    def test_damaged_maps_are_refused_naming_what_is_wrong(self):
        context, rows = L.template()

        def damaged(name, change_rows=None, change_context=None):
            path = self.path(name + ".csv")
            new_rows = [dict(r) for r in rows]
            new_context = json.loads(json.dumps(context))
            if change_rows:
                change_rows(new_rows)
            if change_context:
                change_context(new_context)
            with open(path, "w", newline="") as f:
                writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
                writer.writeheader()
                writer.writerows(new_rows)
            with open(path[:-4] + ".json", "w") as f:
                json.dump(new_context, f)
            return path

        cases = [
            ("relation", lambda r: r[3].update(relation="cousins"), None,
             "line 5: relation is 'cousins', not smt or l2"),
            ("lost", lambda r: r.pop(7), None, "pair 0 has 59 of its 60 samples: rows were lost"),
            ("twice", lambda r: r[2].update(sample=r[1]["sample"]), None,
             "line 4: a second row of pair 0 sample 1"),
            ("time", lambda r: [x.update(time_ns=str(int(x["time_ns"]) * 2)) for x in r], None,
             "the files do not belong together"),
            ("pus", None, lambda c: c["latency"]["pairs"][0].update(b=5),
             "line 2: pair 0 is .* the run context says"),
            ("mode", None, lambda c: c["latency"].pop("structure"),
             "no 'latency.structure.findings' in the latency map's run context"),
            ("trips", lambda r: r[0].update(round_trips="5"), None,
             "line 2: round_trips is 5, the run context says 200"),
        ]
        for name, rows_change, context_change, message in cases:
            with self.subTest(name):
                with self.assertRaisesRegex(InputError, message):
                    load(damaged(name, rows_change, context_change))

    def test_a_map_whose_handoff_broke_is_not_a_result(self):
        path = L.write_map(self.path("broken.csv"), L.flat_pus(2), lambda a, b, r: 40.0,
                           wrong=2)
        with self.assertRaisesRegex(InputError, "2 sample\\(s\\) whose handoff broke \\(ok = 0; "
                                                "shmcount exited 3\\)"):
            load(path)

    def test_columns_are_checked_against_the_binarys_latency_columns(self):
        fake = self.path("shmcount")
        with open(fake, "w") as f:
            f.write("#!/bin/sh\n[ \"$2\" = latency-columns ] && printf 'name\\tdescription\\n"
                    "run_id\\tx\\n'\n")
        os.chmod(fake, stat.S_IRWXU)
        with self.assertRaisesRegex(InputError, "not written by this shmcount "
                                                "\\(--list latency-columns\\)"):
            load(L.FIXTURE + ".csv", fake)

    def test_a_set_of_repeated_maps_takes_the_run_as_the_unit(self):
        findings = [{"kind": "closer", "a": 0, "b": 2, "text": "PUs 0 and 2 answer fast"}]
        latencies = (40.0, 44.0, 80.0)
        folder = L.write_set(self.path("set"), [
            lambda p, x=x, k=k: L.write_map(p, L.flat_pus(3), lambda a, b, r: x,
                                            findings if k < 2 else ())
            for k, x in enumerate(latencies)])
        rs = load(folder)
        self.assertEqual((rs.mode, rs.kind), (LATENCY, "set"))
        a = analyse_latency(rs)
        self.assertEqual(len(a.runs), 3)
        pair = a.pairs[0]
        self.assertEqual(pair.runs, 3)
        self.assertAlmostEqual(pair.median_ns, 44.0, delta=0.2)  # the median of the runs' medians
        self.assertLessEqual(pair.low_ns, pair.median_ns)
        self.assertEqual([(f.a, f.b, f.found_in, f.runs) for f in a.findings], [(0, 2, 2, 3)])

    def test_a_set_mixing_maps_and_counting_runs_is_refused(self):
        folder = L.write_set(self.path("mixed"), [
            lambda p: L.write_map(p, L.flat_pus(2), lambda a, b, r: 40.0),
            lambda p: [shutil.copy(COUNTING_RUN, p), shutil.copy(COUNTING_RUN[:-4] + ".json",
                                                                 p[:-4] + ".json")]],
            points=["map", "counting"])
        with self.assertRaisesRegex(InputError, "mixes latency maps .* and counting runs"):
            load(folder)

    def test_plots_draws_the_map_and_quotes_the_findings(self):
        path = self.hidden_map(self.path("hidden.csv"))
        out = self.path("plots")
        with contextlib.redirect_stdout(io.StringIO()) as said:
            self.assertEqual(plots.main(["--results", path, "--out", out]), 0)
        self.assertIn("wrote 2 plots (PNG + SVG), REPORT.md and pairs.csv", said.getvalue())
        for name in ("latency-heatmap", "latency-relations"):
            with open(os.path.join(out, name + ".png"), "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
            self.assertGreater(os.path.getsize(os.path.join(out, name + ".png")), 15000)
        with open(os.path.join(out, "REPORT.md")) as f:
            report = f.read()
        self.assertTrue(report.startswith("# shmcount latency map: run `hidden`\n\n"
                                          "## Measured structure against hwloc's tree"))
        self.assertIn("**8 findings** (PUs as logical indices):", report)
        self.assertIn("- " + HIDDEN.format(a=0, b=8), report)
        self.assertIn("What to do: to keep ranks off PUs that answered closer than hwloc shows, "
                      "run with --pin list:0-7", report)
        self.assertIn("| same L3 | 120 | ", report)
        self.assertIn("![latency-heatmap](latency-heatmap.png)", report)
        self.assertIn("120 pairs: every one in `pairs.csv`.", report)
        with open(os.path.join(out, "pairs.csv")) as f:
            pairs = list(csv.DictReader(f))
        self.assertEqual(len(pairs), 120)
        self.assertEqual(pairs[7]["b"], "8")
        self.assertAlmostEqual(float(pairs[7]["median_ns"]), 11.0, delta=0.5)
        # No counting figure, no verdicts: they are for counting runs.
        self.assertFalse(os.path.exists(os.path.join(out, "verdicts.csv")))
        self.assertFalse(any(n.startswith("rank-spread") for n in os.listdir(out)))

    def test_the_report_says_which_topology_view_the_map_supports(self):
        disagreement = ("likwid-topology disagrees with hwloc: last-level cache: likwid-topology "
                        "says 2 L3 groups, hwloc 1")
        supports = "hwloc's view: every pair answered at its hwloc relation's level"

        def report(name, **views):
            path = L.write_map(self.path(name + ".csv"), L.flat_pus(3), lambda a, b, r: 40.0,
                               **views)
            out = self.path(name + "-plots")
            with contextlib.redirect_stdout(io.StringIO()):
                self.assertEqual(plots.main(["--results", path, "--out", out]), 0)
            with open(os.path.join(out, "REPORT.md")) as f:
                return f.read()

        said = report("disagree", views=(disagreement, supports))
        self.assertIn(f"\n{disagreement}. The map supports {supports}.\n", said)
        self.assertLess(said.index("**No finding**"), said.index("The map supports"))
        # In the structure's section, before the next one.
        self.assertLess(said.index("The map supports"),
                        said.index("\n## ", said.index("## Measured structure")))
        # Where the two agree the run context's sentences are empty, and a map written before
        # shmcount wrote them has none: the report says nothing of views.
        self.assertNotIn("The map supports", report("agree", views=("", "")))
        self.assertNotIn("The map supports", report("older"))

    def test_a_set_of_maps_of_mixed_versions_says_so_at_the_top(self):
        folder = L.write_set(self.path("versions"), [
            lambda p: L.write_map(p, L.flat_pus(2), lambda a, b, r: 40.0),
            lambda p: L.write_map(p, L.flat_pus(2), lambda a, b, r: 41.0)])
        context_path = os.path.join(folder, "points/latency/r2.json")
        with open(context_path) as f:
            context = json.load(f)
        context["version"] = "0.2.0"
        with open(context_path, "w") as f:
            json.dump(context, f)
        out = self.path("plots")
        with contextlib.redirect_stdout(io.StringIO()):
            self.assertEqual(plots.main(["--results", folder, "--out", out]), 0)
        with open(os.path.join(out, "REPORT.md")) as f:
            lines = f.read().splitlines()
        self.assertEqual(lines[0], "# shmcount latency map: result set `versions`")
        self.assertTrue(lines[2].startswith("**Mixed shmcount versions.** This set's runs were "
                                            "made by 2 shmcount versions: "), lines[2])
        self.assertIn(" (1 run), 0.2.0 (1 run: latency round 2).", lines[2])

    def test_two_configurations_in_one_set_are_refused(self):
        folder = L.write_set(self.path("two"), [
            lambda p: L.write_map(p, L.flat_pus(2), lambda a, b, r: 40.0),
            lambda p: L.write_map(p, L.flat_pus(3), lambda a, b, r: 40.0)])
        with self.assertRaisesRegex(InputError, "measured other pairs or PUs than"):
            analyse_latency(load(folder))


if __name__ == "__main__":
    unittest.main()

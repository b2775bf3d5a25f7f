"""Damaged input is refused (issue 24): each case damages a copy of the committed fixture (real
runs) the way a cut copy, a lost row or a hand edit would, then make plots and compare must
refuse it with the file, the line and what is wrong, exit 2, nothing written. Runs that counted
wrong are reported, never a result. The plots folder is replaced only when plots made it."""

import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import resultsets as R

PLOTS = os.path.join(R.SOURCE, "scripts", "plots.py")
COMPARE = os.path.join(R.SOURCE, "scripts", "compare.py")
# 2 ranks, 3 repetitions: lines 2-4 rank 0's parallel rows, 5-7 its sequential ones (the node's
# baseline), 8-10 rank 1's parallel rows.
RUN = "points/core-20000-np2/r1"


def lines_of(path):
    with open(path, newline="") as f:
        return f.read().splitlines(keepends=True)


def write_lines(path, lines):
    with open(path, "w", newline="") as f:
        f.write("".join(lines))


def edit_rows(path, change):
    """Rewrites a CSV through change(rows) -> rows, quoting as shmcount does (minimal)."""
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        header, rows = reader.fieldnames, list(reader)
    rows = change(rows)
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


class Damage(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="damage-test-")
        self.set = os.path.join(self.tmp, "set")
        shutil.copytree(R.FIXTURE, self.set)
        self.csv = os.path.join(self.set, RUN + ".csv")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def refused(self, pattern, target=None):
        """plots on the damaged set (or target) exits 2 with pattern in its one-line message,
        and writes nothing."""
        out = os.path.join(self.tmp, "out")
        run = subprocess.run([sys.executable, PLOTS, "--results", target or self.set, "--out",
                              out], capture_output=True, text=True, cwd=self.tmp)
        self.assertEqual(run.returncode, 2, run.stdout + run.stderr)
        self.assertRegex(run.stderr, pattern)
        self.assertEqual(len(run.stderr.strip().splitlines()), 1, run.stderr)
        self.assertNotIn("Traceback", run.stderr)
        self.assertFalse(os.path.exists(out))
        self.assertEqual([e for e in os.listdir(self.tmp) if e.startswith(".plots-")], [])
        return run.stderr

    def test_whole_rows_cut_off_the_end(self):
        write_lines(self.csv, lines_of(self.csv)[:-3])
        self.refused(rf"{RUN}.csv: repetition 0 has no parallel row of rank 1: rows were lost")

    def test_the_baseline_s_rows_lost(self):
        lines = lines_of(self.csv)
        write_lines(self.csv, lines[:5] + lines[7:])
        self.refused(rf"{RUN}.csv: repetition 1 has no sequential row of node 0 \(the run "
                     r"context says the sequential baseline ran\): rows were lost")

    def test_a_row_cut_after_25_fields(self):
        lines = lines_of(self.csv)
        lines[-1] = ",".join(lines[-1].split(",")[:25]) + "\n"
        write_lines(self.csv, lines)
        self.refused(rf"{RUN}.csv: line 10: 25 of 29 fields \(the row is cut; ")

    def test_a_file_cut_inside_a_field(self):
        with open(self.csv, "rb") as f:
            data = f.read()
        with open(self.csv, "wb") as f:
            f.write(data[:-7])
        self.refused(rf"{RUN}.csv: line 10: the file ends inside a row")

    def test_a_deleted_parallel_row(self):
        lines = lines_of(self.csv)
        del lines[8]  # repetition 1 of rank 1
        write_lines(self.csv, lines)
        self.refused(rf"{RUN}.csv: repetition 1 has no parallel row of rank 1: rows were lost")

    def test_a_digit_dropped_from_a_start_ns(self):
        def drop(rows):
            rows[2]["start_ns"] = rows[2]["start_ns"][:-1]
            return rows
        edit_rows(self.csv, drop)
        self.refused(rf"{RUN}.csv: the records give summary.parallel_ms.(min|median|max) .* the "
                     "run context says .*: the CSV or its run context was changed after the run")

    def test_a_value_of_the_wrong_kind(self):
        def garble(rows):
            rows[0]["time_ns"] = "17930x7"
            return rows
        edit_rows(self.csv, garble)
        self.refused(rf"{RUN}.csv: line 2: time_ns is '17930x7', not a whole number")

    def test_a_repetition_the_run_did_not_make(self):
        def extra(rows):
            rows[0]["rep"] = "7"
            return rows
        edit_rows(self.csv, extra)
        self.refused(rf"{RUN}.csv: line 2: repetition 7, but the run made 3 \(0 to 2\)")

    def test_a_faster_than_ideal_verdict_that_is_not_true_or_false(self):
        context = os.path.join(self.set, RUN + ".json")
        with open(context) as f:
            c = json.load(f)
        c["summary"]["faster_than_ideal"] = "yes"
        with open(context, "w") as f:
            json.dump(c, f)
        self.refused(rf"{RUN}.json: summary.faster_than_ideal in the run context is not true "
                     "or false")

    def test_an_older_run_without_a_column_the_analysis_reads(self):
        def without(rows):
            return [{k: v for k, v in r.items() if k != "placed_ok"} for r in rows]
        with open(self.csv, newline="") as f:
            header = next(csv.reader(f))
        with open(self.csv, newline="") as f:
            rows = without(list(csv.DictReader(f)))
        with open(self.csv, "w", newline="") as f:
            writer = csv.DictWriter(f, [c for c in header if c != "placed_ok"],
                                    lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        context = os.path.join(self.set, RUN + ".json")
        with open(context) as f:
            text = f.read()
        with open(context, "w") as f:
            f.write(text.replace('"placed_ok",', ""))
        self.refused(rf"{RUN}.csv: no column placed_ok, which the analysis reads \(written by "
                     "an older shmcount")

    def test_repeated_manifest_lines(self):
        manifest = os.path.join(self.set, "manifest.csv")
        lines = lines_of(manifest)
        write_lines(manifest, lines + lines[1:5])
        self.refused(r"manifest.csv: line 18 repeats point list_0_1-20000-np1 round 1 of line 2")

    def test_one_csv_named_twice(self):
        manifest = os.path.join(self.set, "manifest.csv")
        lines = lines_of(manifest)
        lines[9] = lines[9].replace('"points/core-20000-np2/r2.csv"',
                                    '"points/core-20000-np2/r1.csv"')
        write_lines(manifest, lines)
        self.refused(r"manifest.csv: line 10 names points/core-20000-np2/r1.csv, as line 6 does")

    def test_a_lost_manifest_line(self):
        manifest = os.path.join(self.set, "manifest.csv")
        lines = lines_of(manifest)
        write_lines(manifest, lines[:9] + lines[10:])  # core-20000-np2 round 2
        self.refused(r"manifest.csv: point core-20000-np2 has no line for round 2 \(the set "
                     "has rounds 1 to 2\\): lines were lost")

    def test_a_csv_outside_the_set(self):
        manifest = os.path.join(self.set, "manifest.csv")
        lines = lines_of(manifest)
        lines[1] = lines[1].replace('"points/list_0_1-20000-np1/r1.csv"', '"../elsewhere.csv"')
        write_lines(manifest, lines)
        self.refused(r"manifest.csv: line 2: csv '../elsewhere.csv' is not a .csv file inside "
                     "the set")

    def test_wrong_counts_are_reported_and_left_out(self):
        def miscount(rows):
            rows[0]["ok"] = "0"
            return rows
        edit_rows(self.csv, miscount)
        out = os.path.join(self.tmp, "out-ok")
        run = subprocess.run([sys.executable, PLOTS, "--results", self.set, "--out", out],
                             capture_output=True, text=True)
        self.assertEqual(run.returncode, 0, run.stderr)
        with open(os.path.join(out, "REPORT.md")) as f:
            report = f.read()
        self.assertIn("**1 run counted wrong (records with ok = 0) and is left out, their times "
                      "not a result: core-20000-np2 round 1 (1 wrong)**", report)
        self.assertIn("| core | 20000 | 2 | 1 | 3 |", report)  # one run left
        # A single run that counted wrong is never plotted or compared.
        self.refused(r"1 record\(s\) counted wrong \(ok = 0; shmcount exited 3\)", self.csv)
        run = subprocess.run([sys.executable, COMPARE, self.csv,
                              os.path.join(self.set, "points/core-20000-np2/r2.csv")],
                             capture_output=True, text=True)
        self.assertEqual(run.returncode, 2)
        self.assertIn("counted wrong", run.stderr)
        run = subprocess.run([sys.executable, COMPARE, self.set, R.FIXTURE], capture_output=True,
                             text=True)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertIn("A: 1 run counted wrong (records with ok = 0) and is left out", run.stdout)
        self.assertRegex(run.stdout, r"--pin core, --size 20000 +2 +1/2 ")


class PlotsFolder(unittest.TestCase):
    """--out may replace only a folder that plots made and that holds nothing else."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="plots-folder-test-")
        self.set = os.path.join(self.tmp, "set")
        shutil.copytree(R.FIXTURE, self.set)
        self.run_csv = os.path.join(self.set, RUN + ".csv")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def plots(self, out, results=None, cwd=None):
        return subprocess.run([sys.executable, PLOTS, "--results", results or self.run_csv,
                               "--out", out], capture_output=True, text=True,
                              cwd=cwd or self.tmp)

    def listing(self, folder):
        return sorted(os.listdir(folder))

    def test_never_the_current_folder(self):
        before = self.listing(self.tmp)
        run = self.plots(".")
        self.assertEqual(run.returncode, 2)
        self.assertIn("--out . is the current folder or holds it", run.stderr)
        run = self.plots(os.path.dirname(self.tmp))
        self.assertEqual(run.returncode, 2)
        self.assertEqual(self.listing(self.tmp), before)

    def test_never_the_input(self):
        before = self.listing(self.set)
        run = self.plots(self.set, results=self.set)
        self.assertEqual(run.returncode, 2)
        self.assertIn("is the input", run.stderr)
        run = self.plots(os.path.dirname(self.run_csv))
        self.assertEqual(run.returncode, 2)
        self.assertEqual(self.listing(self.set), before)

    def test_never_a_folder_with_other_files(self):
        mine = os.path.join(self.tmp, "mine")
        os.mkdir(mine)
        with open(os.path.join(mine, "notes.txt"), "w") as f:
            f.write("mine\n")
        run = self.plots(mine)
        self.assertEqual(run.returncode, 2)
        self.assertIn("is a folder plots did not make (no .shmcount-plots in it)", run.stderr)
        self.assertEqual(self.listing(mine), ["notes.txt"])

    def test_a_folder_plots_made_is_replaced_unless_something_was_added(self):
        out = os.path.join(self.tmp, "plots")
        self.assertEqual(self.plots(out).returncode, 0)
        with open(os.path.join(out, "REPORT.md"), "a") as f:
            f.write("edited\n")
        run = self.plots(out)
        self.assertEqual(run.returncode, 0, run.stderr)
        with open(os.path.join(out, "REPORT.md")) as f:
            self.assertNotIn("edited", f.read())
        with open(os.path.join(out, "added.txt"), "w") as f:
            f.write("mine\n")
        run = self.plots(out)
        self.assertEqual(run.returncode, 2)
        self.assertIn("holds files plots did not write (added.txt)", run.stderr)
        self.assertIn("added.txt", self.listing(out))

    def test_a_file_is_not_a_folder(self):
        path = os.path.join(self.tmp, "file")
        with open(path, "w") as f:
            f.write("mine\n")
        run = self.plots(path)
        self.assertEqual(run.returncode, 2)
        self.assertIn("is not a folder", run.stderr)

    def assert_link_refused(self, link, given, target):
        """plots --out given (link, or link/) exits 2 with one line naming the link; the link
        still points where it did, nothing moved, nothing left beside it."""
        before = self.listing(self.tmp)
        inside = self.listing(target) if os.path.isdir(target) else None
        run = self.plots(given)
        self.assertEqual(run.returncode, 2, run.stdout + run.stderr)
        self.assertEqual(run.stderr.count("\n"), 1, run.stderr)
        self.assertIn(f"--out {given} is a symbolic link (to {target})", run.stderr)
        self.assertNotIn("Traceback", run.stderr)
        self.assertTrue(os.path.islink(link))
        self.assertEqual(os.readlink(link), target)
        self.assertEqual(self.listing(self.tmp), before)  # no .plots-* folder left, none moved
        if inside is not None:
            self.assertEqual(self.listing(target), inside)

    def test_never_a_symbolic_link_to_an_earlier_plots_folder(self):
        earlier = os.path.join(self.tmp, "plots")
        self.assertEqual(self.plots(earlier).returncode, 0)
        link = os.path.join(self.tmp, "latest")
        os.symlink(earlier, link)
        self.assert_link_refused(link, link, earlier)
        self.assert_link_refused(link, link + "/", earlier)  # the link, not its target

    def test_never_a_symbolic_link_to_anything_else(self):
        empty = os.path.join(self.tmp, "empty")
        os.mkdir(empty)
        path = os.path.join(self.tmp, "file")
        with open(path, "w") as f:
            f.write("mine\n")
        for name, target in (("to-empty", empty), ("to-file", path),
                             ("dangling", os.path.join(self.tmp, "nowhere")),
                             ("relative", "empty")):
            link = os.path.join(self.tmp, name)
            os.symlink(target, link)
            self.assert_link_refused(link, link, target)
        self.assertEqual(self.listing(empty), [])

    def test_a_folder_under_a_linked_parent_is_replaced(self):
        """Only --out itself may not be a link: a folder reached through one is a folder."""
        real = os.path.join(self.tmp, "real")
        os.mkdir(real)
        os.symlink(real, os.path.join(self.tmp, "via"))
        out = os.path.join(self.tmp, "via", "plots")
        self.assertEqual(self.plots(out).returncode, 0)
        run = self.plots(out)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(self.listing(real), ["plots"])
        self.assertIn("REPORT.md", self.listing(out))

    def test_make_plots_with_a_space_in_the_path(self):
        spaced = os.path.join(self.tmp, "a b")
        os.mkdir(spaced)
        for ext in (".csv", ".json"):
            shutil.copy(os.path.join(self.set, RUN + ext), os.path.join(spaced, "r1" + ext))
        out = os.path.join(R.SOURCE, "plots", "a b-r1")
        self.assertFalse(os.path.exists(out), f"{out} is in the way")
        try:
            run = subprocess.run(["make", "-s", "-C", R.SOURCE, "plots",
                                  f"RESULTS={spaced}/r1.csv"], capture_output=True, text=True)
            self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
            self.assertTrue(os.path.isfile(os.path.join(out, "REPORT.md")))
        finally:
            shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()

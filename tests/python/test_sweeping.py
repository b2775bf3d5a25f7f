"""The sweep's parts without a sweep (scripts/sweeping/): where a setting comes from and the checks
it passes, the matrix's points, duplicates and rounds, the launcher's command for N ranks, and a
result set's run statuses and tables. Axes, launcher programs and folders are made here; no MPI,
no shmcount."""

import csv
import os
import shutil
import stat
import tempfile
import unittest

import resultsets  # noqa: F401 (puts scripts/ on the path)
from sweeping import launcher, matrix, settings
from sweeping.binary import Axis
from sweeping.resultset import ResultSet, Run
from sweeping.settings import SettingError

PIN = Axis("pin", "--pin", "core")
SIZE = Axis("size", "--size", "200000")
KERNEL = Axis("kernel", "--kernel", "scan")
AXES = [PIN, SIZE, KERNEL]
# What `shmcount --list limits` gives for the settings the sweep bounds by them.
LIMITS = {"--reps": 1_000_000, "--warmup": 1_000_000}


def parse(raw, axes=AXES, pus=2):
    return settings.parse(raw, axes, pus, "auto", "/bin/true", LIMITS)


class SettingNames(unittest.TestCase):
    def test_an_axis_setting_is_its_plural_in_capitals(self):
        self.assertEqual(Axis("kernel", "--kernel", "").setting, "KERNELS")
        self.assertEqual(Axis("touch", "--touch", "").setting, "TOUCHES")
        self.assertEqual(Axis("mempolicy", "--mempolicy", "").setting, "MEMPOLICIES")
        self.assertEqual(Axis("pages", "--pages", "").setting, "PAGES")
        self.assertEqual(Axis("key", "--key", "").setting, "KEYS")  # a vowel before the y
        self.assertEqual(Axis("share", "--share", "").singular, "SHARE")

    def test_known_names_are_the_sweeps_own_and_both_names_of_each_axis(self):
        known = settings.known_names(AXES)
        self.assertTrue({"ROUNDS", "REPS", "PINS", "PIN", "SIZES", "SIZE", "KERNELS"} <= known)
        self.assertNotIn("ROUND", known)


class SettingOrigin(unittest.TestCase):
    def test_an_argument_wins_over_the_environment(self):
        values, given = settings.gather(["ROUNDS=7", "PINS=core scatter"],
                                        {"ROUNDS": "3", "REPS": "5", "HOME": "/root"})
        self.assertEqual(values["ROUNDS"], "7")
        self.assertEqual(values["REPS"], "5")  # from the environment
        self.assertEqual(values["PINS"], "core scatter")
        self.assertEqual(given, ["ROUNDS", "PINS"])

    def test_an_argument_that_is_not_name_value_is_refused(self):
        for arg in ("ROUNDS", "=3"):
            with self.assertRaisesRegex(SettingError, "is not a setting: settings are NAME=value"):
                settings.gather([arg], {})

    def test_an_unknown_argument_is_refused_with_the_name_meant(self):
        known = settings.known_names(AXES)
        with self.assertRaisesRegex(SettingError, "unknown setting ROUND; did you mean ROUNDS?"):
            settings.check_names(["ROUND"], {}, known)

    def test_a_typo_in_the_environment_says_where_it_came_from(self):
        known = settings.known_names(AXES)
        with self.assertRaisesRegex(SettingError, r"ROUND \(in the environment\); did you mean "
                                                  r"ROUNDS\? Unset ROUND"):
            settings.check_names([], {"ROUND": "2"}, known)
        make_line = {"ROUND": "2", settings.MAKE_COMMAND_LINE: "ROUND"}
        with self.assertRaisesRegex(SettingError, r"ROUND \(on the make command line\); did you "
                                                  "mean ROUNDS"):
            settings.check_names([], make_line, known)

    def test_unrelated_variables_of_the_environment_pass(self):
        known = settings.known_names(AXES)
        # Far from every setting, a tool's own prefix, not an upper-case name.
        settings.check_names([], {"PAGER": "less", "HOME": "/", "SHMCOUNT_ROUND": "1",
                                  "round": "1", "ROUNDS": "2"}, known)

    def test_an_empty_value_means_the_default(self):
        s = parse({"ROUNDS": "", "REPS": "", "PINS": ""})
        self.assertEqual(s.rounds, int(settings.DEFAULT_ROUNDS))
        self.assertEqual(s.reps, int(settings.DEFAULT_REPS))
        self.assertEqual(s.values["pin"], settings.SWEEP_DEFAULTS["pin"])


class SettingValues(unittest.TestCase):
    def test_defaults(self):
        s = parse({})
        self.assertEqual(s.ranks, (1, 2, 4))  # powers of two up to 2 x the 2 PUs
        self.assertEqual(s.values["size"], ("200000",))
        self.assertEqual(s.values["pin"], ("none", "compact", "core", "scatter"))
        self.assertTrue(s.reference)
        self.assertFalse(s.dry_run)
        self.assertIsNone(s.seed)
        self.assertEqual(s.launcher, "mpirun")
        self.assertEqual(s.bench_bin, "/bin/bench/shmcount_bench")

    def test_the_singular_name_sets_the_axis_but_not_beside_the_plural(self):
        self.assertEqual(parse({"PIN": "scatter"}).values["pin"], ("scatter",))
        with self.assertRaisesRegex(SettingError, "PIN and PINS name the same axis"):
            parse({"PIN": "scatter", "PINS": "core"})

    def test_strategies_is_the_pin_axis_under_the_csv_column_name(self):
        self.assertEqual(parse({"STRATEGIES": "scatter core"}).values["pin"], ("scatter", "core"))
        self.assertEqual(parse({"STRATEGY": "none"}).values["pin"], ("none",))
        with self.assertRaisesRegex(SettingError, "PINS and STRATEGY name the same axis"):
            parse({"PINS": "core", "STRATEGY": "none"})

    def test_reps_and_warmup_are_bounded_by_shmcounts_own_limits(self):
        self.assertEqual(parse({"REPS": "7"}).reps, 7)
        limits = {"--reps": 10, "--warmup": 4}
        s = settings.parse({"REPS": "10", "WARMUP": "4"}, AXES, 2, "auto", "/bin/true", limits)
        self.assertEqual((s.reps, s.warmup), (10, 4))
        with self.assertRaisesRegex(SettingError, "REPS: '11' is not a whole number from 1 to 10"):
            settings.parse({"REPS": "11"}, AXES, 2, "auto", "/bin/true", limits)
        with self.assertRaisesRegex(SettingError, "WARMUP: '5' is not a whole number from 0 to 4"):
            settings.parse({"WARMUP": "5"}, AXES, 2, "auto", "/bin/true", limits)

    def test_rank_counts_are_bounded_by_the_machine(self):
        self.assertEqual(parse({"RANKS": "3 1 32"}).ranks, (3, 1, 32))
        with self.assertRaisesRegex(SettingError, r"RANKS: '33' is not a rank count from 1 to 32 "
                                                  r"\(16 per PU of the 2"):
            parse({"RANKS": "33"})
        for bad in ("0", "01", "two"):
            with self.assertRaises(SettingError, msg=bad):
                parse({"RANKS": bad})

    def test_numbers_are_whole_and_plain_within_bounds(self):
        self.assertEqual(parse({"ROUNDS": "1000"}).rounds, 1000)
        for bad in ("0", "1001", "07", "+3", "-1", "3.0", " 3"):
            with self.assertRaisesRegex(SettingError, "ROUNDS: .* is not a whole number from 1 "
                                                      "to 1000", msg=bad):
                parse({"ROUNDS": bad})
        self.assertEqual(parse({"WARMUP": "0"}).warmup, 0)
        self.assertEqual(parse({"SEED": "0"}).seed, 0)

    def test_flags_are_zero_or_one(self):
        self.assertTrue(parse({"DRY_RUN": "1"}).dry_run)
        with self.assertRaisesRegex(SettingError, "REFERENCE: 'yes' is neither 0 nor 1"):
            parse({"REFERENCE": "yes"})

    def test_list_values_are_words_not_options_and_not_repeated(self):
        with self.assertRaisesRegex(SettingError, "PINS: '--pin' is not a value"):
            parse({"PINS": "--pin core"})
        with self.assertRaisesRegex(SettingError, "KERNELS lists 'scan' twice"):
            parse({"KERNELS": "scan histogram scan"})

    def test_an_axis_without_a_default_needs_values(self):
        axes = AXES + [Axis("file", "--file", "")]
        with self.assertRaisesRegex(SettingError, "FILES: shmcount gives no default for --file"):
            parse({}, axes)
        self.assertEqual(parse({"FILE": "a"}, axes).values["file"], ("a",))

    def test_mpi_picks_the_launcher(self):
        s = settings.parse({}, AXES, 2, "mpich", "/bin/true", LIMITS)
        self.assertEqual(s.launcher, "mpiexec.mpich")
        with self.assertRaisesRegex(SettingError, "MPI: 'lam' is not one of auto, openmpi, mpich"):
            settings.binary_of({"MPI": "lam"})
        with self.assertRaisesRegex(SettingError, "not found or not executable"):
            settings.binary_of({"SHMCOUNT": "/nonexistent/shmcount"})

    def test_the_set_name_stays_one_folder(self):
        self.assertEqual(parse({"NAME": "a.b_c+d-{host}-{hash}"}).name, "a.b_c+d-{host}-{hash}")
        for bad in ("../x", "a/b", ".hidden", "-x", "a..b", "", "x" * 201):
            with self.assertRaisesRegex(SettingError, "NAME: .* is not a folder name", msg=bad):
                settings.check_name(bad)

    def test_the_name_is_filled_with_a_safe_host(self):
        self.assertEqual(settings.fill_name("s-{host}-{hash}", "node 1.example.org", "abcd1234"),
                         "s-node_1-abcd1234")
        self.assertEqual(settings.fill_name("{host}", "", "0"), "host")


class Matrix(unittest.TestCase):
    def points(self, **raw):
        return matrix.build_points(AXES, parse(raw))

    def test_every_combination_at_every_rank_count_in_a_fixed_order(self):
        pts = self.points(RANKS="1 2", PINS="core scatter", KERNELS="scan histogram")
        self.assertEqual([p.name for p in pts],
                         ["core-scan-np1", "core-scan-np2", "core-histogram-np1",
                          "core-histogram-np2", "scatter-scan-np1", "scatter-scan-np2",
                          "scatter-histogram-np1", "scatter-histogram-np2"])
        # Only axes with several values or a value not shmcount's default reach the command.
        self.assertEqual(pts[2].args, ("--pin", "core", "--kernel", "histogram"))
        self.assertEqual(pts[2].label, "1 rank, --pin core --kernel histogram")
        self.assertEqual(pts[3].label, "2 ranks, --pin core --kernel histogram")

    def test_the_matrixs_own_reference_point_or_one_added(self):
        pts = self.points(RANKS="1 2", PINS="core scatter")
        self.assertEqual([p.name for p in pts if p.reference == "yes"], ["core-np1"])
        self.assertNotIn("added", [p.reference for p in pts])
        pts = self.points(RANKS="2", PINS="scatter")
        self.assertEqual(pts[-1].name, matrix.REFERENCE_NAME)
        self.assertEqual((pts[-1].reference, pts[-1].ranks, pts[-1].args), ("added", 1, ()))
        self.assertEqual(pts[-1].values, ("core", "200000", "scan"))
        self.assertNotIn(matrix.REFERENCE_NAME,
                         [p.name for p in self.points(RANKS="2", PINS="scatter", REFERENCE="0")])

    def test_copies_are_points_of_their_own(self):
        pts = self.points(RANKS="1", PINS="core", COPIES="2")
        self.assertEqual([(p.name, p.copy, p.reference) for p in pts],
                         [("np1-copy1", 1, "yes"), ("np1-copy2", 2, "no")])

    def test_values_that_name_one_folder_are_refused(self):
        with self.assertRaisesRegex(SettingError, "two points would both be named a_b-np1"):
            self.points(RANKS="1", PINS="a+b a-b")

    def test_a_strategy_planned_like_another_is_a_duplicate_of_the_default_one(self):
        pts = self.points(RANKS="1 2", PINS="scatter core none")
        plans = {}
        for p in pts:
            pin = p.values[0]
            if pin == "none":
                plans[(p.ranks, p.args)] = ("-",) * p.ranks
            elif p.ranks == 1 or pin == "core":
                plans[(p.ranks, p.args)] = tuple(str(i) for i in range(p.ranks))
            else:
                plans[(p.ranks, p.args)] = ("0", "2")
        dups = matrix.find_duplicates(pts, plans, AXES)
        # At 1 rank scatter plans as core: core (the default) is kept though PINS lists it later.
        self.assertEqual([(d.point.name, d.same_as.name, d.plan) for d in dups],
                         [("scatter-np1", "core-np1", ("0",))])
        self.assertEqual(matrix.duplicate_lines(dups, AXES),
                         ["--pin scatter plans as --pin core at 1 rank"])

    def test_no_pin_axis_no_duplicates(self):
        axes = [SIZE]
        pts = matrix.build_points(axes, settings.parse({"RANKS": "1"}, axes, 2, "auto", "/x", LIMITS))
        self.assertEqual(matrix.find_duplicates(pts, {}, axes), [])

    def test_each_round_is_a_reproducible_shuffle_of_every_point(self):
        orders = matrix.round_orders(10, 5, 1234)
        self.assertEqual(len(orders), 5)
        for order in orders:
            self.assertEqual(sorted(order), list(range(10)))
        self.assertEqual(orders, matrix.round_orders(10, 5, 1234))
        self.assertNotEqual(orders, matrix.round_orders(10, 5, 1235))
        self.assertGreater(len({tuple(o) for o in orders}), 1)

    def test_settings_text_lists_what_changes_the_measurement(self):
        s = parse({"RANKS": "1 2", "PINS": "core scatter", "ROUNDS": "4", "SEED": "9"})
        text = matrix.settings_text(s, AXES, "mpirun", "openmpi")
        self.assertEqual(text.splitlines(),
                         ["RANKS=1 2", "PINS=core scatter", "ROUNDS=4", "REPS=3", "WARMUP=1",
                          "COPIES=1", "REFERENCE=1", "KEEP_DUPLICATES=0", "BENCH=1",
                          "LAUNCHER=mpirun", "MPI=openmpi", "SEED=9"])
        self.assertEqual(len(matrix.digest(text)), 8)
        self.assertNotEqual(matrix.digest(text), matrix.digest(text.replace("ROUNDS=4", "ROUNDS=5")))


class LauncherCommand(unittest.TestCase):
    def test_open_mpi_gets_the_rank_count_and_leave_to_oversubscribe(self):
        mpirun = launcher.Launcher(("mpirun",), "openmpi", "mpirun (Open MPI) 4.1.4", False)
        self.assertEqual(mpirun.command(2, 2, 4), ["mpirun", "-np", "2"])
        self.assertEqual(mpirun.command(3, 2, 4), ["mpirun", "-np", "3", "--oversubscribe"])

    def test_hydra_needs_no_leave(self):
        hydra = launcher.Launcher(("mpiexec.mpich",), "mpich", "Hydra", False)
        self.assertEqual(hydra.command(8, 2, 2), ["mpiexec.mpich", "-np", "8"])

    def test_srun_gets_overcommit_the_cpus_and_the_binarys_pmi(self):
        srun = launcher.Launcher(("srun",), "slurm", "Slurm's srun", False, "openmpi")
        self.assertEqual(srun.command(1, 2, 4), ["srun", "-n", "1", "--mpi=pmix"])
        self.assertEqual(srun.command(4, 2, 4), ["srun", "-n", "4", "--overcommit",
                                                 "--cpus-per-task=4", "--mpi=pmix"])
        mpich = launcher.Launcher(("srun",), "slurm", "Slurm's srun", False, "mpich")
        self.assertEqual(mpich.command(1, 2, 4)[-1], "--mpi=pmi2")
        own = launcher.Launcher(("srun", "--mpi=pmi2"), "slurm", "Slurm's srun", False, "openmpi")
        self.assertEqual(own.command(1, 2, 4), ["srun", "--mpi=pmi2", "-n", "1"])

    def test_a_template_is_filled_in_and_nothing_added(self):
        words = ("srun", "--mpi=pmix", "-n", "{np}", "{oversubscribe}")
        t = launcher.Launcher(words, "slurm", "Slurm's srun", True, "openmpi")
        self.assertEqual(t.command(2, 2, 4), ["srun", "--mpi=pmix", "-n", "2"])
        self.assertEqual(t.command(6, 2, 4), ["srun", "--mpi=pmix", "-n", "6", "--overcommit",
                                              "--cpus-per-task=4"])
        self.assertEqual(t.text, "srun --mpi=pmix -n '{np}' '{oversubscribe}'")

    def test_templates_are_checked(self):
        self.assertEqual(launcher.check_template("mpirun", ("mpirun",)), [])
        with self.assertRaisesRegex(SettingError, r"unknown placeholder \{nps\}; did you mean "
                                                  r"\{np\}\?"):
            launcher.check_template("x -n {nps}", ("x", "-n", "{nps}"))
        with self.assertRaisesRegex(SettingError, r"has no \{np\}"):
            launcher.check_template("x {oversubscribe}", ("x", "{oversubscribe}"))
        with self.assertRaisesRegex(SettingError, "must be a word of its own"):
            launcher.check_template("x -n {np} -{oversubscribe}", ("x", "-n", "{np}",
                                                                   "-{oversubscribe}"))


class LauncherResolve(unittest.TestCase):
    """LAUNCHER resolved against launcher programs made here, each saying what --version says."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="sweeping-launcher-")
        self.addCleanup(shutil.rmtree, self.dir)

    def program(self, name, version_text, status=0):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(f"#!/bin/sh\ncat <<'EOF'\n{version_text}\nEOF\nexit {status}\n")
        os.chmod(path, stat.S_IRWXU)
        return path

    def test_the_family_is_the_programs_own_word(self):
        mpirun = self.program("mpirun", "mpirun (Open MPI) 4.1.4\n\nReport bugs to ...")
        got = launcher.resolve(mpirun, "shmcount", "openmpi", "its --version")
        self.assertEqual((got.family, got.version, got.template), ("openmpi",
                                                                   "mpirun (Open MPI) 4.1.4",
                                                                   False))
        hydra = self.program("mpiexec", "HYDRA build details:\n    Version:  4.0.2\n")
        got = launcher.resolve(hydra, "shmcount", "mpich", "its --version")
        self.assertEqual((got.family, got.version), ("mpich", "MPICH's Hydra 4.0.2"))
        self.assertEqual(launcher.family_of("/nowhere/srun"), ("slurm", "Slurm's srun"))

    def test_a_launcher_of_another_mpi_is_refused(self):
        mpirun = self.program("mpirun", "mpirun (Open MPI) 4.1.4")
        with self.assertRaisesRegex(SettingError, "build-mpich/shmcount is built with MPICH "
                                                  r"\(ldd\), but LAUNCHER .* starts Open MPI jobs"):
            launcher.resolve(mpirun, "build-mpich/shmcount", "mpich", "ldd")

    def test_an_unknown_launcher_needs_a_template(self):
        other = self.program("launch", "launch 1.0")
        with self.assertRaisesRegex(SettingError, "is neither Open MPI's, MPICH's nor Slurm's"):
            launcher.resolve(other, "shmcount", "openmpi", "")
        got = launcher.resolve(f"{other} -n {{np}}", "shmcount", "openmpi", "")
        self.assertEqual((got.family, got.template), ("other", True))
        self.assertEqual(got.command(3, 2, 2), [other, "-n", "3"])
        with self.assertRaisesRegex(SettingError, r"\{oversubscribe\} needs a launcher of Open "
                                                  "MPI, MPICH or Slurm"):
            launcher.resolve(f"{other} -n {{np}} {{oversubscribe}}", "shmcount", "openmpi", "")
        # A program whose --version fails is of no known family.
        failing = self.program("failing", "mpirun (Open MPI) 4.1.4", status=1)
        with self.assertRaisesRegex(SettingError, "is neither"):
            launcher.resolve(failing, "shmcount", "openmpi", "")

    def test_missing_empty_or_unsplittable_launchers_are_refused(self):
        with self.assertRaisesRegex(SettingError, "'/nowhere/mpirun' is not a program on PATH"):
            launcher.resolve("/nowhere/mpirun", "shmcount", "openmpi", "")
        with self.assertRaisesRegex(SettingError, "LAUNCHER: empty"):
            launcher.resolve("  ", "shmcount", "openmpi", "")
        with self.assertRaisesRegex(SettingError, "cannot split"):
            launcher.resolve("mpirun 'unclosed", "shmcount", "openmpi", "")


class ResultSetRuns(unittest.TestCase):
    """The statuses and tables a sweep keeps in its own set (the folder checks: test_resultset)."""

    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="sweeping-set-")
        self.addCleanup(shutil.rmtree, self.root)
        self.rset = ResultSet(self.root, "set")
        self.rset.open("RANKS=1\n", "pu,core\n0,0\n")
        self.addCleanup(lambda: os.close(self.rset.lock_fd))
        self.pts = matrix.build_points(AXES, parse({"RANKS": "1 2", "PINS": "core"}))
        self.run = Run(self.pts[1], 3, 1)

    def touch(self, run, ext, text="x\n"):
        with open(self.rset.file(run.base + ext), "w") as f:
            f.write(text)

    def test_a_run_is_done_only_with_its_csv(self):
        self.assertEqual(self.run.base, os.path.join("points", "np2", "r3"))
        self.rset.prepare(self.run)
        self.assertIsNone(self.rset.status(self.run))
        self.rset.record(self.run, "done", 1.5)
        self.assertIsNone(self.rset.status(self.run))  # no CSV: not done
        self.touch(self.run, ".csv")
        self.assertEqual(self.rset.status(self.run), "done")
        with open(self.rset.file(self.run.base + ".status")) as f:
            self.assertEqual(f.read(), "done\n1.500\n")
        self.rset.record(self.run, "failed", 2)
        self.assertEqual(self.rset.status(self.run), "failed")
        self.touch(self.run, ".status", "garbage\n")
        self.assertIsNone(self.rset.status(self.run))

    def test_a_run_again_starts_from_scratch_but_keeps_its_log(self):
        self.rset.prepare(self.run)
        for ext in (".csv", ".json", ".status", ".log"):
            self.touch(self.run, ext)
        self.rset.prepare(self.run)
        left = sorted(os.listdir(self.rset.file("points", "np2")))
        self.assertEqual(left, ["r3.log"])
        for ext in (".csv", ".json", ".status"):
            self.touch(self.run, ext)
        self.rset.discard(self.run)
        self.assertEqual(sorted(os.listdir(self.rset.file("points", "np2"))), ["r3.log"])

    def test_the_manifest_has_one_row_per_run_with_its_status(self):
        runs = [Run(self.pts[0], 1, 1), Run(self.pts[1], 1, 2)]
        self.rset.write_manifest(runs, {runs[0]: "done"}, AXES)
        with open(self.rset.file("manifest.csv")) as f:
            rows = list(csv.DictReader(f))
        self.assertEqual([(r["point"], r["round"], r["order"], r["ranks"], r["status"],
                           r["pin"], r["reference"]) for r in rows],
                         [("np1", "1", "1", "1", "done", "core", "yes"),
                          ("np2", "1", "2", "2", "pending", "core", "no")])
        self.assertEqual(rows[1]["csv"], os.path.join("points", "np2", "r1.csv"))

    def test_duplicates_csv_is_written_and_removed_when_there_are_none(self):
        dup = matrix.Duplicate(self.pts[1], self.pts[0], ("0", "1"))
        self.rset.write_duplicates([dup], AXES)
        with open(self.rset.file("duplicates.csv")) as f:
            rows = list(csv.DictReader(f))
        self.assertEqual([(r["point"], r["same_as"], r["plan"]) for r in rows],
                         [("np2", "np1", "0 1")])
        self.rset.write_duplicates([], AXES)
        self.assertFalse(os.path.exists(self.rset.file("duplicates.csv")))


if __name__ == "__main__":
    unittest.main()

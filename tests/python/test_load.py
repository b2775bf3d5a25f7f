"""The loader and the result set's schema: copies, the reference point, duplicates, older sets."""

import os
import shutil
import tempfile
import unittest

import numpy as np

import resultsets as R
from analysis.load import InputError, load
from analysis.stats import analyse
from test_report import quiet_runs


class Schema(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="load-test-")
        self.rng = np.random.default_rng(4)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def write(self, specs, **options):
        return R.write_set(os.path.join(self.tmp, "set"), specs, **options)

    def test_copies_are_points_of_their_own_and_pair_on_copy(self):
        rs = load(self.write([R.PointSpec(f"core-np1-c{c}", quiet_runs(self.rng, 10.0, 3),
                                          copy=c) for c in "12"]))
        self.assertEqual([p.copy for p in rs.points], ["1", "2"])
        self.assertEqual(rs.axes, ["copy"])
        self.assertNotEqual(rs.points[0].identity, rs.points[1].identity)
        self.assertEqual([p.axis for p in analyse(rs).pairs], ["copy"])

    def test_the_same_config_and_copy_twice_is_refused(self):
        path = self.write([R.PointSpec(f"core-np1-{c}", quiet_runs(self.rng, 10.0, 3))
                           for c in "ab"])
        with self.assertRaisesRegex(InputError, "points core-np1-a and core-np1-b ran the same "
                                                "configuration"):
            load(path)

    def test_an_added_reference_is_not_a_point(self):
        rs = load(self.write([
            R.PointSpec("core-np1", quiet_runs(self.rng, 10.0, 3)),
            R.PointSpec("core-np2", quiet_runs(self.rng, 10.0, 3), ranks=2),
            R.PointSpec("reference-np1", quiet_runs(self.rng, 5.0, 3), axes={"size": "1000"},
                        reference="added")]))
        self.assertEqual([p.name for p in rs.points], ["core-np1", "core-np2"])
        self.assertEqual(rs.reference.name, "reference-np1")
        self.assertEqual(rs.axes, [])  # size varies only through the reference

    def test_a_reference_of_the_matrix_stays_a_point(self):
        rs = load(self.write([R.PointSpec("core-np1", quiet_runs(self.rng, 10.0, 3),
                                          reference="yes"),
                              R.PointSpec("none-np1", quiet_runs(self.rng, 10.0, 3),
                                          axes={"pin": "none"})]))
        self.assertEqual(len(rs.points), 2)
        self.assertEqual(rs.reference.name, "core-np1")

    def test_two_references_are_refused(self):
        path = self.write([R.PointSpec(n, quiet_runs(self.rng, 10.0, 3), axes={"pin": n},
                                       reference="yes") for n in ("core", "none")])
        with self.assertRaisesRegex(InputError, "2 reference points"):
            load(path)

    def test_duplicates_are_read(self):
        row = {"point": "compact-np1", "ranks": "1", **R.DEFAULTS, "pin": "compact",
               "copy": "1", "same_as": "core-np1", "plan": "0"}
        rs = load(self.write([R.PointSpec("core-np1", quiet_runs(self.rng, 10.0, 3))],
                             duplicates=[row]))
        self.assertEqual([d["point"] for d in rs.duplicates], ["compact-np1"])

    def test_an_older_manifest_without_copy_or_reference(self):
        rs = load(self.write([R.PointSpec("core-np1", quiet_runs(self.rng, 10.0, 3))],
                             with_copy=False, with_reference=False))
        self.assertEqual((rs.points[0].copy, rs.points[0].reference, rs.reference),
                         ("1", "no", None))

    def test_disturbance_is_read_where_recorded(self):
        path = self.write([R.PointSpec("core-np1", quiet_runs(self.rng, 10.0, 4),
                                       disturbed_runs=(1,), disturbed_reps={1: (0, 2)})],
                          disturbance=True)
        s = analyse(load(path)).stats["core-np1"]
        self.assertEqual([r.disturbed for r in s.runs], [False, True, False, False])
        self.assertEqual([r.disturbed_reps for r in s.runs], [0, 2, 0, 0])
        s = analyse(load(R.FIXTURE)).stats["core-20000-np1"]
        self.assertEqual((s.disturbed_runs, s.disturbed_reps), (None, None))


if __name__ == "__main__":
    unittest.main()

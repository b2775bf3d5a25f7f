"""What the figures draw, read from the functions that decide it (not from the pixels): the
scaling figure's sequential curves."""

import os
import shutil
import tempfile
import unittest

import numpy as np

import resultsets as R
from analysis.plots.common import facets
from analysis.plots.scaling import _layout, sequential_curves
from analysis.load import load
from analysis.stats import analyse
from test_report import quiet_runs


class SequentialCurves(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="figures-test-")
        self.rng = np.random.default_rng(12)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def curves(self, axis, values, ms):
        specs = [R.PointSpec(f"{v}-np{n}", quiet_runs(self.rng, t * n, rounds=4, reps=3),
                             ranks=n, axes={axis: v})
                 for v, t in zip(values, ms) for n in (1, 2)]
        analysis = analyse(load(R.write_set(os.path.join(self.tmp, axis), specs)))
        line_axes, groups = _layout(analysis)
        self.assertEqual(line_axes, [axis])
        self.assertEqual(len(groups), 1)
        return sequential_curves(analysis, groups[0], line_axes)

    def test_placements_share_one_pooled_sequential_curve(self):
        curves = self.curves("pin", ["core", "scatter"], [10.0, 10.0])
        self.assertEqual(len(curves), 1)
        label, colour, xs, ys, band = curves[0]
        self.assertEqual((label, colour, xs), ("sequential: 1 process does all N units", None,
                                               [1, 2]))
        self.assertIsNotNone(band)
        self.assertTrue(all(low <= y <= high for y, low, high in zip(ys, *band)))

    def test_other_axes_get_one_curve_each_of_their_own_work(self):
        # Sizes of 10 and 40 ms a unit: each line's sequential curve is its own, 4x apart,
        # never a pool of both.
        curves = self.curves("size", ["200000", "800000"], [10.0, 40.0])
        self.assertEqual([c[0] for c in curves],
                         ["sequential, --size 200000", "sequential, --size 800000"])
        self.assertTrue(all(c[1] for c in curves), "each curve in its line's colour")
        self.assertTrue(all(c[4] is None for c in curves), "no pooled band")
        small, large = (np.array(c[3]) for c in curves)
        np.testing.assert_allclose(large / small, 4.0, rtol=0.1)


if __name__ == "__main__":
    unittest.main()

"""Simulated points with a known answer, for the statistics' tests: seeded, no timing.

Each run of a point has its own factor (the run-level random effect: what a launch's placement,
pages and the machine's state of those seconds do to all its repetitions), its repetitions are
noisy around it, and a few are heavy-tailed outliers (a rank paused, a neighbour's burst). The
spread is set from the reference set measured on the 2-vCPU development VM
(results/reference-2core-epyc-vm: the runs' medians of one point spread by 4-12% (sd of log),
repetitions within a run by 3-5%), taken at the harsh end.
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "scripts"))

from analysis import decide  # noqa: E402
from analysis.stats import compare_samples, sample_from  # noqa: E402

RUN_SD = 0.10          # sd of log of the per-run factor
REP_SD = 0.04          # sd of log of a repetition around its run
OUTLIER_SHARE = 0.05   # repetitions multiplied by 1 + |t(2)|: heavy-tailed
RUN_OUTLIER_SHARE = 0.05  # runs whose factor is also multiplied by 1 + |t(3)| / 4
ROUNDS, REPS = 10, 5   # the sweep's defaults: runs per point, repetitions per run
TIME_MS = 20.0


def runs(rng, factor=1.0, rounds=ROUNDS, reps=REPS):
    """One simulated point: `rounds` runs of `reps` makespans (ms), true time x factor."""
    run_factor = np.exp(rng.normal(0, RUN_SD, rounds))
    odd_runs = rng.random(rounds) < RUN_OUTLIER_SHARE
    run_factor[odd_runs] *= 1 + np.abs(rng.standard_t(3, odd_runs.sum())) / 4
    out = []
    for f in run_factor:
        x = TIME_MS * factor * f * np.exp(rng.normal(0, REP_SD, reps))
        odd = rng.random(reps) < OUTLIER_SHARE
        x[odd] *= 1 + np.abs(rng.standard_t(2, odd.sum()))
        out.append(x)
    return out


def sample(rng, factor=1.0, rounds=ROUNDS, reps=REPS, resamples=decide.RESAMPLES):
    """A simulated point as the analysis sees it (stats.sample_from), its resamples drawn from
    rng; fewer resamples where only the test's p is used."""
    return sample_from(runs(rng, factor, rounds, reps), rng, resamples)


def comparison(rng, effect=0.0):
    """B against A for one simulated pair whose true ratio is 1 + effect."""
    return compare_samples(sample(rng), sample(rng, 1 + effect))

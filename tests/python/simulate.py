"""Simulated sweeps with a known answer, for the statistics' tests: seeded, no timing.

A sweep measures its points in rounds; every round visits every point once, in an order of its
own drawn at random. What a run's time is made of, each factor a log-normal one:

- the round's factor, shared by every point of the round: the machine's state over the minutes
  of that round (other engineers' jobs, the host). It is large: in a calibration set measured on
  the 2-vCPU development VM while others worked on it (2 ranks, 4 copies of each of 2 sizes, 10
  rounds x 5 repetitions), the variance of log run medians was 0.045-0.066 between rounds
  (sd 0.21-0.25) against 0.014-0.024 within a round;
- the drift within the round: a random walk from one run to the next, so where a point falls in
  the round's order matters a little (the order is random: that is what makes a comparison
  paired by round fair);
- the run's own factor (what a launch's placement, pages and those seconds do to all its
  repetitions), with a few heavy-tailed runs (a burst of a neighbour). Its spread is taken from
  the reference set of the same VM (results/reference-2core-epyc-vm: runs' medians of one point
  spread by 4-12%), at the harsh end; on a busy machine it reaches 12-15% (the calibration sets);
- the repetitions, noisy around their run, a few of them heavy-tailed outliers (a rank paused).
"""

import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "scripts"))

from analysis import decide  # noqa: E402
from analysis.stats import compare_samples, sample_from  # noqa: E402

ROUND_SD = 0.25        # sd of log of a round's factor, shared by every point of the round
DRIFT_SD = 0.03        # sd of log of one step of the drift from one run to the next in a round
RUN_SD = 0.10          # sd of log of the per-run factor
REP_SD = 0.04          # sd of log of a repetition around its run
OUTLIER_SHARE = 0.05   # repetitions multiplied by 1 + |t(2)|: heavy-tailed
RUN_OUTLIER_SHARE = 0.05  # runs whose factor is also multiplied by 1 + |t(3)| / 4
ROUNDS, REPS = 10, 5   # the simulated sweep: rounds (runs per point), repetitions per run
POINTS = 4             # points in the sweep a simulated pair is measured in
TIME_MS = 20.0


def sweep(rng, factors, rounds=ROUNDS, reps=REPS):
    """One simulated sweep of len(factors) points whose true times are TIME_MS x factor: per
    point, its runs (arrays of `reps` makespans, ms), the i-th measured in round i + 1."""
    out = [[] for _ in factors]
    for _ in range(rounds):
        shared = rng.normal(0, ROUND_SD)
        drift = np.cumsum(rng.normal(0, DRIFT_SD, len(factors)))  # by position in the round
        position = rng.permutation(len(factors))  # point i runs at position[i]
        for i, factor in enumerate(factors):
            run = math.exp(shared + drift[position[i]] + rng.normal(0, RUN_SD))
            if rng.random() < RUN_OUTLIER_SHARE:
                run *= 1 + abs(rng.standard_t(3)) / 4
            x = TIME_MS * factor * run * np.exp(rng.normal(0, REP_SD, reps))
            odd = rng.random(reps) < OUTLIER_SHARE
            x[odd] *= 1 + np.abs(rng.standard_t(2, odd.sum()))
            out[i].append(x)
    return out


def samples(rng, factors, rounds=ROUNDS, reps=REPS, resamples=decide.RESAMPLES):
    """The points of one simulated sweep as the analysis sees them (stats.sample_from, with
    their rounds 1..rounds), resamples drawn from rng; fewer resamples where only the test's p
    or only paired intervals are used."""
    return [sample_from(runs, rng, resamples, rounds=range(1, rounds + 1))
            for runs in sweep(rng, factors, rounds, reps)]


def comparison(rng, effect=0.0, rounds=ROUNDS, reps=REPS, paired=True,
               resamples=decide.RESAMPLES):
    """B against A for one simulated pair whose true ratio is 1 + effect, measured in one sweep
    of POINTS points: paired by round (as make plots judges it), or not (as if the pairing were
    ignored)."""
    a, b = samples(rng, [1.0, 1 + effect] + [1.0] * (POINTS - 2), rounds, reps,
                   resamples if not paired else 1)[:2]
    return compare_samples(a, b, paired=paired, rng=rng, resamples=resamples)


def unpaired_comparison(rng, effect=0.0, rounds=ROUNDS, reps=REPS, resamples=decide.RESAMPLES):
    """B against A measured in two different sweeps (two result sets: make compare), whose
    rounds share nothing: unpaired."""
    a = sweep(rng, [1.0] * POINTS, rounds, reps)[0]
    b = sweep(rng, [1 + effect] + [1.0] * (POINTS - 1), rounds, reps)[0]
    return compare_samples(sample_from(a, rng, resamples), sample_from(b, rng, resamples))

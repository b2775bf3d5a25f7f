"""Calibration: how the verdicts behave on this machine, measured on replicates.

A set with replicates (the sweep's COPIES=K: K points of one configuration, told apart by the
pseudo-axis `copy`) holds real A/A comparisons. From them:

- the real A/A pairs' verdicts (the report's own, on the `copy` axis);
- the false-positive rate: random A/A splits of the real runs, made within rounds (in every
  round, two different copies drawn at random, one for A and one for B), so that each split is
  what a real pair of the sweep is: two points measured in the same rounds, in a random order
  within each. Each split is judged as the report judges such a pair, paired by round, as a
  family of one;
- the power for a known injected effect: the same splits with B's times multiplied by 1.10;
- the smallest difference found at least 80% of the time, over a grid of injected effects;
- whether the set's real effects (the pairs on other axes: `make calibrate` doubles the work)
  are found.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, replace

import numpy as np

from . import decide
from .text import count, percent

CALIBRATION_FILE = "calibration.json"
COPY_AXIS = "copy"
SPLITS = 400            # random A/A splits per replicate group
CURVE_SPLITS = 150      # of them, the ones the power curve is measured on
SPLIT_RESAMPLES = 1000  # bootstrap resamples of each split's interval
SPLIT_SEED = 7          # which copies each split takes: a calibration is reproducible
POWER_EFFECT = 0.10     # the injected effect whose power is reported
POWER_GOAL = 0.80       # the smallest difference found this often
EFFECTS = (0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.08, 0.10, 0.12, 0.15, 0.20, 0.25, 0.30, 0.40,
           0.50, 0.75, 1.00)  # the grid of injected effects (B's times x (1 + effect))


def replicate_groups(analysis):
    """{label: [PointStats of each copy]} for every configuration measured in two copies or
    more."""
    rs = analysis.result_set
    groups = defaultdict(list)
    for p in rs.points:
        key = (p.ranks,) + tuple(p.axes[a] for a in rs.axes if a != COPY_AXIS)
        groups[key].append(p)
    out = {}
    for key, points in sorted(groups.items()):
        if len(points) < 2:
            continue
        others = [a for a in rs.axes if a != COPY_AXIS]
        label = ", ".join([count(key[0], "rank")] + [
            f"{rs.flags.get(a, a)} {v}" for a, v in zip(others, key[1:])])
        out[label] = [analysis.stats[p.name] for p in sorted(points, key=lambda p: p.copy)]
    return out


def splits(copies, rng, n_splits=SPLITS):
    """Random A/A splits of a replicate group's runs: per split, in every round that has at least
    two copies, two different copies drawn for A and B. Returns [(runs of A, runs of B)], each a
    list of RunStats, the i-th of both from the same round."""
    by_round = defaultdict(list)
    for s in copies:
        for r in s.runs:
            by_round[r.run.round].append(r)
    rounds = [runs for _, runs in sorted(by_round.items()) if len(runs) >= 2]
    out = []
    for _ in range(n_splits):
        a, b = [], []
        for runs in rounds:
            i, j = rng.choice(len(runs), size=2, replace=False)
            a.append(runs[i])
            b.append(runs[j])
        out.append((a, b))
    return out


@dataclass(frozen=True)
class Split:
    """One A/A split judged round by round: its comparison and its per-round log ratios."""

    comparison: decide.Comparison
    log_ratios: np.ndarray  # d_r = log(B's run median) - log(A's), one per round


def judge_split(a, b, rng):
    """A split (two lists of RunStats, one run a round each) compared paired by round (its
    interval from SPLIT_RESAMPLES resamples: hundreds of splits are judged)."""
    runs_a, runs_b = [r.parallel for r in a], [r.parallel for r in b]
    d = np.log(decide.run_medians(runs_b)) - np.log(decide.run_medians(runs_a))
    return Split(decide.compare_paired(runs_a, runs_b, rng, SPLIT_RESAMPLES), d)


def with_effect(split, effect, rng):
    """The split's comparison as it would be with B's times multiplied by 1 + effect: the
    test on the shifted log ratios, the interval moved by the factor (B's resampled run medians
    scale with B's times, so the same resamples give exactly this), without resampling again."""
    c = split.comparison
    if not effect:
        return c
    p, test = decide.paired_test(split.log_ratios + math.log1p(effect), rng)
    return replace(c, time_b=c.time_b * (1 + effect), ratio=c.ratio.scaled(1 + effect), p=p,
                   test=test)


def rates(judged, effect, margin, rng):
    """(share with raw p < ALPHA, share judged beyond the noise) over judged A/A splits with B's
    times multiplied by 1 + effect, each split a family of one."""
    tested = found = 0
    for split in judged:
        c = with_effect(split, effect, rng)
        tested += c.p < decide.ALPHA
        found += decide.judge(c, c.p, margin).beyond_noise
    n = len(judged)
    return tested / n, found / n


def calibrate(analysis, n_splits=SPLITS):
    """The calibration of a set with replicates, as the dict calibration.json holds; raises
    ValueError when the set has none."""
    groups = replicate_groups(analysis)
    if not groups:
        raise ValueError("the set has no replicates (points that differ only in copy): run a "
                         "sweep with COPIES=2 or more, e.g. make calibrate")
    margin = analysis.margin
    rng = np.random.default_rng(SPLIT_SEED)
    per_group, judged = [], []
    for label, copies in groups.items():
        group = [judge_split(a, b, rng) for a, b in splits(copies, rng, n_splits)]
        judged += group
        fp_test, fp_verdict = rates(group, 0.0, margin, rng)
        per_group.append({"group": label, "copies": len(copies),
                          "runs": sum(s.rounds for s in copies),
                          "runs_per_side": group[0].comparison.n_a,
                          "false_positive_test": fp_test, "false_positive_verdicts": fp_verdict})
    # The power curve over CURVE_SPLITS splits a group, up to the first effect found
    # POWER_GOAL of the time past POWER_EFFECT (larger ones are found at least as often).
    curve_splits = [s for g in range(len(groups))
                    for s in judged[g * n_splits:g * n_splits + min(n_splits, CURVE_SPLITS)]]
    curve = []
    for e in EFFECTS:
        t, v = rates(curve_splits, e, margin, rng)
        curve.append({"effect": e, "test": t, "verdicts": v})
        if v >= POWER_GOAL and e >= POWER_EFFECT:
            break
    fp_test, fp_verdict = rates(judged, 0.0, margin, rng)
    power = next(c for c in curve if abs(c["effect"] - POWER_EFFECT) < 1e-12)
    # What the curve took per group, for calibration.json.
    smallest = next((c["effect"] for c in curve if c["verdicts"] >= POWER_GOAL), None)
    aa = [p for p in analysis.pairs if p.axis == COPY_AXIS]
    effects = [p for p in analysis.pairs if p.axis != COPY_AXIS]
    rs = analysis.result_set
    return {
        "set": rs.name, "alpha": decide.ALPHA, "margin": margin, "test": "paired by round",
        "splits_per_group": n_splits, "curve_splits_per_group": min(n_splits, CURVE_SPLITS),
        "groups": per_group,
        "aa_pairs": [_pair(rs, p) for p in aa],
        "aa_beyond_noise": sum(p.verdict.beyond_noise for p in aa),
        "false_positive_test": fp_test, "false_positive_verdicts": fp_verdict,
        "power_effect": POWER_EFFECT, "power_test": power["test"],
        "power_verdicts": power["verdicts"], "power_goal": POWER_GOAL,
        "smallest_difference": smallest, "power_curve": curve,
        "known_effects": [_pair(rs, p) for p in effects],
        "known_effect_found": bool(effects) and all(p.verdict.beyond_noise for p in effects),
    }


def _pair(rs, pair):
    c = pair.comparison
    others = [a for a in rs.axes if a != pair.axis]
    return {"axis": pair.axis, "ranks": pair.a.ranks,
            "group": ", ".join(f"{rs.flags.get(a, a)} {pair.a.axes[a]}" for a in others),
            "a": pair.a.axes[pair.axis], "b": pair.b.axes[pair.axis],
            "ratio": c.ratio.estimate, "low": c.ratio.low, "high": c.ratio.high,
            "p_adjusted": pair.p_adjusted, "decision": pair.verdict.decision,
            "verdict": pair.verdict.text}


def _pct(x):
    return f"{100 * x:.1f}%"


def calibration_lines(cal):
    """calibration.json in words: what make calibrate prints and REPORT.md quotes."""
    aa = cal["aa_pairs"]
    groups = "; ".join(f"{g['group']}: {g['copies']} copies, {g['runs']} runs"
                       for g in cal["groups"])
    smallest = ("none of the grid up to 100%" if cal["smallest_difference"] is None else
                f"{percent(cal['smallest_difference'])}%")
    aa_line = (f"- real A/A pairs (copies of one configuration, Holm over the set's "
               f"{len(aa) + len(cal['known_effects'])} pairs): {cal['aa_beyond_noise']} of "
               f"{len(aa)} beyond the noise")
    if aa:
        same = sum(a["decision"] == "same" for a in aa)
        aa_line += (f", {same} the same within ±{100 * cal['margin']:g}%, "
                    f"{len(aa) - same - cal['aa_beyond_noise']} cannot tell (B / A from "
                    f"{min(a['ratio'] for a in aa):.3f} to {max(a['ratio'] for a in aa):.3f})")
    false_alarms = [a for a in aa if a["decision"] in ("slower", "faster")]
    if false_alarms:
        aa_line += "; **false alarms**: " + "; ".join(
            f"{a['group'] + ', ' if a['group'] else ''}copy {a['a']} vs {a['b']}: B / A "
            f"{a['ratio']:.3f} [{a['low']:.3f}, {a['high']:.3f}]" for a in false_alarms)
    lines = [
        f"Calibration of `{cal['set']}` (calibration.json), alpha {cal['alpha']:g}, margin "
        f"±{100 * cal['margin']:g}%; replicates: {groups}.", "", aa_line,
        f"- false-positive rate over {cal['splits_per_group']} random A/A splits of the real "
        f"runs per group (in every round two different copies, one a side; judged "
        f"{cal.get('test', 'unpaired')}): the test {_pct(cal['false_positive_test'])} "
        f"at p < {cal['alpha']:g}, the verdicts {_pct(cal['false_positive_verdicts'])} beyond "
        "the noise (each split a family of one)",
        f"- power for a {percent(cal['power_effect'])}% effect (B's times x "
        f"{1 + cal['power_effect']:g} on the same splits): found beyond the noise "
        f"{_pct(cal['power_verdicts'])} of the time (the test alone: {_pct(cal['power_test'])})",
        f"- smallest difference found at least {percent(cal['power_goal'])}% of the time with "
        f"these rounds and repetitions: {smallest}",
    ]
    known = cal["known_effects"]
    if known:
        found = "found" if cal["known_effect_found"] else "**not found**"
        lines.append(f"- the set's real effect ({known[0]['axis']} {known[0]['a']} vs "
                     f"{known[0]['b']}): {found}: " + "; ".join(
                         f"{k['group'] + ': ' if k['group'] else ''}B / A {k['ratio']:.3f} "
                         f"[{k['low']:.3f}, {k['high']:.3f}], {k['verdict']}" for k in known))
    return lines

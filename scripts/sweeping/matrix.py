"""The matrix: its points, the points that plan exactly like another one, and the rounds' orders.

A point is one rank count, one value of every axis and one copy (COPIES=K: K copies of every
point, told apart by the pseudo-axis `copy`). The reference point is shmcount's defaults at 1
rank: the matrix's own point when it has one (reference `yes`), else a point of its own,
`reference-np1` (reference `added`), measured in every round to show how far the machine drifts.
"""

import hashlib
import itertools
import random
import re
from dataclasses import dataclass

from sweeping.settings import SettingError

REFERENCE_NAME = "reference-np1"


@dataclass(frozen=True)
class Point:
    """One point of the matrix and how it is run."""

    name: str
    ranks: int
    values: tuple  # one value per axis, in the axes' order
    args: tuple  # the options it passes to shmcount (axes at shmcount's default are left out)
    copy: int
    reference: str  # no, yes or added (see analysis/manifest.py)

    @property
    def label(self):
        """'2 ranks, --pin core --size 20000' for progress lines."""
        ranks = "1 rank" if self.ranks == 1 else f"{self.ranks} ranks"
        return ", ".join([ranks] + ([" ".join(self.args)] if self.args else []))


@dataclass(frozen=True)
class Duplicate:
    """A point not run because shmcount plans it exactly like `same_as` (the same PU for every
    rank)."""

    point: Point
    same_as: Point
    plan: tuple  # the logical PU of each rank, in rank order


def passed_axes(axes, values):
    """The axes given to shmcount: those with several values or a value not shmcount's default."""
    return [a for a in axes if values[a.name] != (a.default,)]


def name_part(value):
    """A value as part of a folder name: anything but letters, digits, '_' and '.' becomes '_'."""
    return re.sub(r"[^A-Za-z0-9_.]", "_", value)


def build_points(axes, settings):
    """Every point of the matrix in a fixed order (the combinations of the axes' values in the
    axes' order, each at every rank count, each copy), the reference point last when added.

    Raises SettingError when two points would get the same folder name."""
    passed = passed_axes(axes, settings.values)
    several = [a for a in axes if len(settings.values[a.name]) > 1]
    defaults = tuple(a.default for a in axes)
    points = []
    for combo in itertools.product(*(settings.values[a.name] for a in axes)):
        by_axis = dict(zip((a.name for a in axes), combo))
        args = tuple(w for a in passed for w in (a.option, by_axis[a.name]))
        stem = "".join(name_part(by_axis[a.name]) + "-" for a in several)
        for ranks in settings.ranks:
            for copy in range(1, settings.copies + 1):
                suffix = f"-copy{copy}" if settings.copies > 1 else ""
                is_reference = settings.reference and ranks == 1 and combo == defaults and copy == 1
                points.append(Point(f"{stem}np{ranks}{suffix}", ranks, combo, args, copy,
                                    "yes" if is_reference else "no"))
    if settings.reference and not any(p.reference == "yes" for p in points):
        points.append(Point(REFERENCE_NAME, 1, defaults, (), 1, "added"))
    seen = set()
    for p in points:
        if p.name in seen:
            raise SettingError(f"two points would both be named {p.name}; choose values that "
                             "differ in letters or digits")
        seen.add(p.name)
    return points


def find_duplicates(points, plans, axes):
    """The points that shmcount plans exactly like another point of theirs: same rank count,
    copy and values of every other axis, a --pin strategy that puts every rank on the same PU.

    Of such points one is kept: the one with shmcount's default strategy when it is among them
    (so the reference point is always measured), else the first in the order PINS gives. A
    strategy that plans no PU (none, launcher) is never a duplicate, nor is an added reference.
    `plans` maps (ranks, args) to the plan of `binary.plan`."""
    pin = next((i for i, a in enumerate(axes) if a.option == "--pin"), None)
    if pin is None:
        return []
    default_pin = axes[pin].default
    groups = {}
    for p in points:
        if p.reference != "added":
            key = (p.ranks, p.copy, p.values[:pin] + p.values[pin + 1:])
            groups.setdefault(key, []).append(p)
    duplicates = []
    for group in groups.values():
        group.sort(key=lambda p: p.values[pin] != default_pin)  # stable: PINS order otherwise
        kept = {}
        for p in group:
            plan = plans[(p.ranks, p.args)]
            if all(pu == "-" for pu in plan):
                continue
            if plan in kept:
                duplicates.append(Duplicate(p, kept[plan], plan))
            else:
                kept[plan] = p
    return duplicates


def duplicate_lines(duplicates, axes):
    """What the sweep says before running: '--pin scatter plans as --pin core at 1, 2 ranks'."""
    pin = next(i for i, a in enumerate(axes) if a.option == "--pin")
    pairs = {}
    for d in duplicates:
        pair = (d.point.values[pin], d.same_as.values[pin])
        pairs.setdefault(pair, set()).add(d.point.ranks)
    lines = []
    for (strategy, kept), ranks in pairs.items():
        counts = ", ".join(str(r) for r in sorted(ranks))
        lines.append(f"--pin {strategy} plans as --pin {kept} at {counts} "
                     f"rank{'s' if sorted(ranks) != [1] else ''}")
    return lines


def round_orders(count, rounds, seed):
    """For each round, the indices of `count` points in that round's order: a shuffle drawn from
    the seed and the round's number, so the same settings give the same orders."""
    orders = []
    for r in range(1, rounds + 1):
        order = list(range(count))
        random.Random(f"{seed}:{r}").shuffle(order)
        orders.append(order)
    return orders


def settings_text(settings, axes, launcher_text, mpi_family):
    """matrix.txt without the seed: every setting that changes what is measured, resolved (the
    MPI line is the binary's family), one NAME=value per line. Only the axes given to shmcount
    are listed, so adding an axis to shmcount keeps the names of earlier sets."""
    lines = [f"RANKS={' '.join(map(str, settings.ranks))}"]
    lines += [f"{a.setting}={' '.join(settings.values[a.name])}"
              for a in passed_axes(axes, settings.values)]
    lines += [f"ROUNDS={settings.rounds}", f"REPS={settings.reps}", f"WARMUP={settings.warmup}",
              f"COPIES={settings.copies}", f"REFERENCE={int(settings.reference)}",
              f"KEEP_DUPLICATES={int(settings.keep_duplicates)}", f"BENCH={int(settings.bench)}",
              f"LAUNCHER={launcher_text}", f"MPI={mpi_family or 'unknown'}"]
    if settings.seed is not None:
        lines.append(f"SEED={settings.seed}")
    return "\n".join(lines) + "\n"


def digest(text):
    """The first 8 hex digits of the text's SHA-1: the {hash} of NAME, and the default seed."""
    return hashlib.sha1(text.encode()).hexdigest()[:8]

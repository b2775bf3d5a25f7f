"""The schema of a result set, shared by the sweep that writes it and the loader that reads it.

A result set `results/<NAME>/` holds:

- `manifest.csv`: one line per run, in the order the sweep runs them. Columns: `round`, `order`
  (within the round), `point`, `ranks`, one column per axis (the axes `shmcount --list axes`
  reports, in that order, then the sweep's own pseudo-axes, `PSEUDO_AXES`, which are never passed
  to shmcount), `reference` (`REFERENCE_VALUES`: `no` for a point of the matrix, `yes` for a point
  of the matrix that also serves as the reference measured in every round, `added` for the
  reference point when the sweep added it outside the matrix: it is used only to measure drift,
  never in pairs or figures), `status` (`STATUSES`) and `csv` (the run's CSV, relative to the
  set).
- `duplicates.csv`: the points the sweep did not run because `shmcount --plan` planned them exactly
  like a point it did run (columns `point`, `ranks`, the axes and pseudo-axes as in the manifest,
  `same_as`: the point run instead, `plan`: the logical PU of each rank in rank order, separated
  by spaces, e.g. `0 1`); absent when there are none (and with KEEP_DUPLICATES=1, which runs
  them all).
- `matrix.txt`: the settings, `NAME=value` per line (the same settings resume the same set).
- `axes.tsv` (`shmcount --list axes` when the sweep ran), `machine.csv` (every usable PU),
  `bench.json` (optional), `sweep.lock` (held by the sweep writing into the set), and
  `points/<point>/r<round>.{csv,json,log,status}` (the status file: the run's status, then the
  seconds its launch took).
"""

import csv
import io
import os

MANIFEST = "manifest.csv"
DUPLICATES = "duplicates.csv"
# Columns before and after the axes.
LEADING = ("round", "order", "point", "ranks")
TRAILING = ("reference", "status", "csv")
# Axes of the sweep itself, written after shmcount's: `copy` numbers replicate points (COPIES=K),
# whose pairs are A/A comparisons by construction.
PSEUDO_AXES = ("copy",)
STATUSES = ("done", "failed", "pending")
REFERENCE_VALUES = ("no", "yes", "added")
DUPLICATE_TRAILING = ("same_as", "plan")


def manifest_header(axis_names):
    """The manifest's columns for these axes (shmcount's, then the pseudo-axes)."""
    return list(LEADING) + list(axis_names) + [a for a in PSEUDO_AXES if a not in axis_names] + \
        list(TRAILING)


def duplicates_header(axis_names):
    """duplicates.csv's columns for these axes (shmcount's, then the pseudo-axes)."""
    return ["point", "ranks"] + list(axis_names) + \
        [a for a in PSEUDO_AXES if a not in axis_names] + list(DUPLICATE_TRAILING)


def axes_of(header):
    """The axis columns of a manifest header (everything between the leading and trailing keys)."""
    return [c for c in header if c not in LEADING and c not in TRAILING]


def write_table(path, header, rows):
    """Writes `rows` (dicts) under `header` atomically: a temporary file, then a rename."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: row.get(k, "") for k in header})
    tmp = f"{path}.tmp"
    with open(tmp, "w", newline="") as f:
        f.write(out.getvalue())
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)

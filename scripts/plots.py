#!/usr/bin/python3
"""Figures and a report from a shmcount result set (what scripts/sweep.sh writes) or one run.

Usage: plots.py [--results results/<set> | results/<run>.csv] [--out plots/<name>]
                [--placement-ranks N] [--threshold PERCENT] [--shmcount build/shmcount]

Reads every run's CSV and run context, checks them (against `shmcount --list columns` too when a
binary is given), judges every pair of points that differ in one axis (the run is the unit; see
analysis/decide.py), and writes PNG and SVG figures, REPORT.md, verdicts.csv and verdicts.json
into plots/<name>/. The folder appears whole or not at all: everything is drawn in a temporary
folder first, made with the umask's permissions. Exit status 2 and one message naming the file
when the input is wrong.
"""

import argparse
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from analysis.figures import FIGURES  # noqa: E402
from analysis.figures.common import machine_counts  # noqa: E402
from analysis.cli import threshold  # noqa: E402
from analysis.decide import MARGIN  # noqa: E402
from analysis.load import InputError, load, newest_result_set  # noqa: E402
from analysis.report import verdict_rows, write_report  # noqa: E402
from analysis.stats import analyse  # noqa: E402
from analysis.text import count  # noqa: E402
from analysis.verdicts import header, write_csv, write_json  # noqa: E402


def make_folder_like_mkdir(parent):
    """A new hidden folder in `parent`, with the mode mkdir(1) would give it under this umask
    (tempfile.mkdtemp alone makes it 0700)."""
    tmp = tempfile.mkdtemp(prefix=".plots-", dir=parent)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)
    return tmp


def draw_all(analysis, out_dir, options):
    """Every figure of the registry that applies; returns (drawn, left out) for the report."""
    drawn, left_out = [], []
    for figure in FIGURES:
        reason = figure.applies(analysis.result_set, options)
        if reason:
            left_out.append((figure, reason))
        else:
            drawn.append((figure, figure.draw(analysis, out_dir, options)))
    return drawn, left_out


def main(argv):
    # Installed, the tool is called shmcount-plots (or -compare): its wrapper says so.
    ap = argparse.ArgumentParser(prog=os.environ.get("SHMCOUNT_TOOL"),
                                 description=__doc__.splitlines()[0])
    ap.add_argument("--results", help="a result set folder or one run's CSV "
                                      "(default: the newest result set under results/)")
    ap.add_argument("--out", help="output folder (default: plots/<result set or run name>)")
    ap.add_argument("--placement-ranks", type=int,
                    help="rank count for the placement and per-rank figures "
                         "(default: the largest that fits the usable PUs)")
    ap.add_argument("--threshold", type=threshold, default=MARGIN, metavar="PERCENT",
                    help="equivalence margin in percent: 'the same within ±PERCENT%%' "
                         f"(default {100 * MARGIN:g})")
    ap.add_argument("--shmcount", help="a shmcount binary: columns must be ones it lists")
    args = ap.parse_args(argv)
    try:
        rs = load(args.results or newest_result_set(), args.shmcount)
        analysis = analyse(rs, args.threshold)
    except InputError as e:
        print(f"plots: {e}", file=sys.stderr)
        return 2
    out_dir = args.out or os.path.join("plots", rs.name)
    ranks = rs.rank_counts
    _, pus = machine_counts(rs)
    n_place = args.placement_ranks or max([r for r in ranks if r <= pus] or ranks[:1])
    if n_place not in ranks:
        print(f"plots: --placement-ranks {n_place}: the set has {ranks}", file=sys.stderr)
        return 2

    parent = os.path.dirname(os.path.abspath(out_dir))
    os.makedirs(parent, exist_ok=True)
    tmp = make_folder_like_mkdir(parent)
    try:
        drawn, left_out = draw_all(analysis, tmp, {"placement_ranks": n_place})
        write_report(analysis, drawn, left_out, os.path.join(tmp, "REPORT.md"))
        rows = verdict_rows(analysis)
        write_csv(os.path.join(tmp, "verdicts.csv"), rows)
        write_json(os.path.join(tmp, "verdicts.json"),
                   header(sum(r["p"] is not None for r in rows), analysis.margin), rows)
        if os.path.isdir(out_dir):
            shutil.rmtree(out_dir)
        os.rename(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    files = sum(len(f) for _, f in drawn)
    print(f"plots: wrote {count(files, 'figure')} (PNG + SVG), REPORT.md, verdicts.csv and "
          f"verdicts.json to {out_dir}/")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

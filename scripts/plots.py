#!/usr/bin/python3
"""Figures and a report from a shmcount result set (what scripts/sweep.py writes) or one run.

Usage: plots.py [--results results/<set> | results/<run>.csv] [--out plots/<name>]
                [--placement-ranks N] [--threshold PERCENT] [--shmcount build/shmcount]

Reads every run's CSV and run context, checks them (against `shmcount --list columns` too when a
binary is given), judges every pair of points that differ in one axis (the run is the unit; see
analysis/decide.py), and writes PNG and SVG plots, REPORT.md, verdicts.csv and verdicts.json
into plots/<name>/. A latency map (shmcount --latency), or a set of repeated maps, gets its
heatmap, its latency per relation, REPORT.md with the findings against hwloc's tree, and pairs.csv
(analysis/latency.py). The folder appears whole or not at all: everything is drawn in a temporary
folder first, made with the umask's permissions. An existing folder is replaced only when plots
made it (its MARKER lists what it wrote there) and it holds nothing else; never the current
folder, never the input, never a symbolic link (nor what it points to: give that folder
itself). Exit status 2 and one message when the input is wrong or the folder may not be
replaced; nothing is written then.
"""

import argparse
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from analysis.cli import threshold  # noqa: E402
from analysis.decide import MARGIN  # noqa: E402
from analysis.latency import analyse_latency  # noqa: E402
from analysis.latency_report import write_latency_report  # noqa: E402
from analysis.load import LATENCY, InputError, load, newest_result_set  # noqa: E402
from analysis.report import verdict_rows, write_report  # noqa: E402
from analysis.stats import analyse  # noqa: E402
from analysis.text import count, printable  # noqa: E402
from analysis.verdicts import header, write_csv, write_json  # noqa: E402


# Written into every plots folder: the files plots wrote there, one per line. Only a folder with it,
# and nothing else in it, is ever replaced.
MARKER = ".shmcount-plots"


def inside(path, folder):
    """Whether path is folder or lies inside it (both resolved)."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def refuse_link(out_dir):
    """Why out_dir may not be replaced when it is a symbolic link (None when it is none): moving
    a link aside and removing it would fail half-way, and writing through it would replace a
    folder under another name."""
    link = out_dir.rstrip(os.sep) or os.sep  # "LINK/" names the link too, not its target
    if not os.path.islink(link):
        return None
    return (f"--out {out_dir} is a symbolic link (to {os.readlink(link)}): plots replaces only "
            "a folder itself, never a link or what it points to; give the folder it points to, "
            "or another --out")


def refuse_out(out_dir, results):
    """Why plots may not write its folder at out_dir (None when it may): a symbolic link (to
    anything, or nothing), the current folder or one holding it, the input or one holding it, a
    file, or a folder plots did not make or that holds other files."""
    why = refuse_link(out_dir)
    if why:
        return why
    real = os.path.realpath(out_dir)
    if inside(os.path.realpath(os.getcwd()), real):
        return f"--out {out_dir} is the current folder or holds it: give a folder of its own"
    source = os.path.realpath(results)
    if inside(source if os.path.isdir(source) else os.path.dirname(source), real):
        return f"--out {out_dir} is the input {results} or holds it: give another folder"
    if not os.path.lexists(out_dir):
        return None
    if not os.path.isdir(out_dir):
        return f"--out {out_dir} is not a folder: give another --out"
    entries = set(os.listdir(out_dir))
    if not entries:
        return None
    marker = os.path.join(out_dir, MARKER)
    if MARKER not in entries or not os.path.isfile(marker):
        return (f"--out {out_dir} is a folder plots did not make (no {MARKER} in it): give "
                "another --out, or remove it yourself")
    with open(marker) as f:
        written = set(f.read().splitlines())
    others = sorted(entries - written - {MARKER})
    if others:
        return (f"--out {out_dir} holds files plots did not write ({', '.join(others[:3])}"
                f"{', ...' if len(others) > 3 else ''}): move them, or give another --out")
    return None


class Refused(Exception):
    """The folder may not be replaced after all (it changed while plots drew): nothing moved."""


def replace_folder(tmp, out_dir):
    """Puts the finished folder tmp at out_dir; an earlier one (checked by refuse_out, and its
    being no symbolic link checked again here) is moved aside first, put back if the new one
    cannot take its place, and removed only once the new one is in place."""
    old = None
    why = refuse_link(out_dir)
    if why:
        raise Refused(why)
    if os.path.lexists(out_dir):
        old = f"{tmp}.old"
        os.rename(out_dir, old)
    try:
        os.rename(tmp, out_dir)
    except BaseException:
        if old:
            os.rename(old, out_dir)
        raise
    if old:
        shutil.rmtree(old)


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
    from analysis.plots import FIGURES  # matplotlib: imported once the input is proved
    drawn, left_out = [], []
    for figure in FIGURES:
        if figure.mode != analysis.result_set.mode:
            continue  # A latency map's figures for a latency map, a counting run's for one.
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
        latency = rs.mode == LATENCY
        analysis = analyse_latency(rs) if latency else analyse(rs, args.threshold)
    except InputError as e:
        print(f"plots: {printable(e)}", file=sys.stderr)
        return 2
    out_dir = args.out or os.path.join("plots", rs.name)
    why = refuse_out(out_dir, rs.path)
    if why:
        print(f"plots: {printable(why)}", file=sys.stderr)
        return 2
    options = {}
    if not latency:
        from analysis.plots.common import machine_counts  # matplotlib, as in draw_all
        ranks = rs.rank_counts
        _, pus = machine_counts(rs)
        n_place = args.placement_ranks or max([r for r in ranks if r <= pus] or ranks[:1])
        if n_place not in ranks:
            print(f"plots: --placement-ranks {n_place}: the set has {ranks}", file=sys.stderr)
            return 2
        options["placement_ranks"] = n_place

    parent = os.path.dirname(os.path.abspath(out_dir))
    os.makedirs(parent, exist_ok=True)
    tmp = make_folder_like_mkdir(parent)
    try:
        drawn, left_out = draw_all(analysis, tmp, options)
        if latency:
            write_latency_report(analysis, drawn, left_out, tmp)
        else:
            write_report(analysis, drawn, left_out, os.path.join(tmp, "REPORT.md"))
            rows = verdict_rows(analysis)
            write_csv(os.path.join(tmp, "verdicts.csv"), rows)
            write_json(os.path.join(tmp, "verdicts.json"),
                       header(sum(r["p"] is not None for r in rows), analysis.margin,
                              paired=True), rows)
        written = sorted(os.listdir(tmp))
        with open(os.path.join(tmp, MARKER), "w") as f:
            f.write("".join(f"{name}\n" for name in written))
        replace_folder(tmp, out_dir)
    except Refused as e:
        shutil.rmtree(tmp, ignore_errors=True)
        print(f"plots: {printable(e)}", file=sys.stderr)
        return 2
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    files = sum(len(f) for _, f in drawn)
    tables = "REPORT.md and pairs.csv" if latency else "REPORT.md, verdicts.csv and verdicts.json"
    print(printable(f"plots: wrote {count(files, 'plot')} (PNG + SVG), {tables} to {out_dir}/"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

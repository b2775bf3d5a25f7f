#!/usr/bin/python3
"""Calibrates the verdicts on this machine from a result set with replicates (make calibrate).

Usage: calibrate.py SET [--threshold PERCENT] [--splits N] [--shmcount BINARY]

SET holds points measured in several copies (the sweep's COPIES=K, pseudo-axis `copy`): real A/A
comparisons. Prints, and writes into SET as calibration.json (which the set's REPORT.md then
quotes): the real A/A pairs' verdicts; the false-positive rate of the test and of the verdicts
over random A/A splits of the real runs; the power for a 10% effect injected into real runs (B's
times x 1.10); the smallest difference found 80% of the time with these rounds and repetitions;
and whether the set's real effect (make calibrate: twice the work) is found. See
analysis/calibration.py. Exit status 2 when the set cannot be calibrated (the message says why).
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from analysis.calibration import (CALIBRATION_FILE, SPLITS, calibrate,  # noqa: E402
                                  calibration_lines)
from analysis.cli import threshold  # noqa: E402
from analysis.decide import MARGIN  # noqa: E402
from analysis.load import InputError, load, require_counting  # noqa: E402
from analysis.text import printable  # noqa: E402
from analysis.stats import analyse  # noqa: E402
from analysis.verdicts import atomic_write, json_safe  # noqa: E402


def splits(text):
    """--splits N: a whole number from 10 to 100000."""
    if not text.isdigit() or not 10 <= int(text) <= 100000:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number from 10 to 100000")
    return int(text)


def main(argv):
    ap = argparse.ArgumentParser(prog=os.environ.get("SHMCOUNT_TOOL"),
                                 description=__doc__.splitlines()[0])
    ap.add_argument("set", metavar="SET", help="a result set with replicates (COPIES=2 or more)")
    ap.add_argument("--threshold", type=threshold, default=MARGIN, metavar="PERCENT",
                    help=f"equivalence margin in percent (default {100 * MARGIN:g})")
    ap.add_argument("--splits", type=splits, default=SPLITS, metavar="N",
                    help=f"random A/A splits per replicate group (default {SPLITS})")
    ap.add_argument("--shmcount", help="a shmcount binary: columns must be ones it lists")
    args = ap.parse_args(argv)
    try:
        rs = load(args.set, args.shmcount)
        require_counting(rs, "calibrate")
        if rs.kind != "set":
            raise InputError(f"{args.set}: a single run has no replicates; give a result set "
                             "made with COPIES=2 or more (make calibrate)")
        result = calibrate(analyse(rs, args.threshold), args.splits)
    except (InputError, ValueError) as e:
        print(f"calibrate: {printable(e)}", file=sys.stderr)
        return 2
    print("\n".join(calibration_lines(result)))
    path = os.path.join(args.set, CALIBRATION_FILE)
    try:
        atomic_write(path, json.dumps(json_safe(result), indent=2, allow_nan=False) + "\n")
    except OSError as e:
        print(f"calibrate: cannot write {path}: {e.strerror}", file=sys.stderr)
        return 1
    print(f"calibrate: wrote {path}; make plots RESULTS={args.set} quotes it in REPORT.md")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

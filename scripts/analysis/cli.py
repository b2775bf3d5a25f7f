"""What the analysis scripts' command lines share (plots.py, compare.py, calibrate.py)."""

import argparse


def threshold(text):
    """--threshold PERCENT: the equivalence margin as a fraction, from a number of percent above
    0 and below 100 (THRESHOLD=5 in make plots and make compare: 'the same within ±5%')."""
    try:
        percent = float(text)
    except ValueError:
        percent = None
    if percent is None or not 0 < percent < 100:
        raise argparse.ArgumentTypeError(f"'{text}' is not a percentage above 0 and below 100 "
                                         "(e.g. 3 for ±3%)")
    return percent / 100

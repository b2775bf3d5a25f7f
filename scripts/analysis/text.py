"""How numbers, sizes, caches and points are written for people, in figures and reports."""

import math


def count(n, word):
    """'1 rank', '2 ranks'."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def size_label(nbytes):
    """Bytes in the largest binary unit that keeps a number >= 1, three significant digits at
    most: '48 KiB', '1.53 MiB'."""
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if nbytes >= 1 << shift:
            return f"{nbytes / (1 << shift):.3g} {unit}"
    return f"{nbytes:g} B"


def caches(text):
    """The run context's `caches` ('L1d:49152 L2:1048576') as [(name, bytes)]."""
    out = []
    for item in (text or "").split():
        name, _, size = item.partition(":")
        if size.isdigit():
            out.append((name, int(size)))
    return out


def caches_label(text):
    """'L1d 48 KiB, L2 1 MiB, L3 32 MiB' (or 'unknown')."""
    return ", ".join(f"{name} {size_label(size)}" for name, size in caches(text)) or "unknown"


def ms(x):
    """A time in ms with about three significant digits, never in exponent form."""
    if x is None or math.isnan(x):
        return "-"
    if x >= 100:
        return f"{x:.0f}"
    if x >= 10:
        return f"{x:.1f}"
    if x >= 1:
        return f"{x:.2f}"
    return f"{x:.3g}"


def ratio(x):
    """A ratio: three decimals below 10 (1.016), one above (17.3)."""
    return f"{x:.3f}" if x < 10 else f"{x:.1f}"


def interval(iv, fmt=ratio, unit=""):
    """'1.234x [1.100, 1.400]': an estimate and its interval (just the estimate when n < 2)."""
    if iv is None:
        return "-"
    if math.isnan(iv.low):
        return f"{fmt(iv.estimate)}{unit}"
    return f"{fmt(iv.estimate)}{unit} [{fmt(iv.low)}, {fmt(iv.high)}]"


def percent(x):
    """A fraction as a whole percentage, without the sign: 0.95 -> '95'."""
    return f"{100 * x:.0f}"


def p_value(p):
    """A p-value: two decimals, or two significant digits below 0.01 (0.0022); '-' for none."""
    if p is None or math.isnan(p):
        return "-"
    return f"{p:.2g}" if p < 0.01 else f"{p:.2f}"


def value(v):
    """A config value: floats without a trailing '.0' (2e+08), anything else as it is."""
    return f"{v:g}" if isinstance(v, float) else str(v)


def axis_value(result_set, axis, value):
    """'--pin core', or 'pin core' where the axis's option is not known."""
    return f"{result_set.flags.get(axis, axis)} {value}"


def point_label(result_set, point, axes=None, ranks=True):
    """The point as its varied axes' values (or the ones given) and its rank count."""
    parts = [axis_value(result_set, a, point.axes[a])
             for a in (result_set.axes if axes is None else axes)]
    if ranks:
        parts.append(count(point.ranks, "rank"))
    return ", ".join(parts) or point.name



# Control characters as shmcount shows them on a terminal (common/text.cpp, printable()).
_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\e"}


def printable(text):
    """Text safe for a terminal: control characters escaped (\\e, \\r, \\x1f), C1 controls as
    \\u0080..\\u009f, a backslash doubled, as shmcount prints them."""
    out = []
    for ch in str(text):
        code = ord(ch)
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif 0x80 <= code < 0xa0:
            out.append(f"\\u{code:04x}")
        elif code < 0x20 or code == 0x7f:
            out.append(f"\\x{code:02x}")
        else:
            out.append(ch)
    return "".join(out)


def versions_label(versions, kind="set"):
    """{version: [(point, round)]} (load.versions) in words: '0.1.0 (9 runs), 0.2.0 (1 run:
    core-np1 round 2)', the runs of every version but the most common named (three at most).
    Control bytes are the caller's to escape (printable)."""
    parts = []
    for i, (version, runs) in enumerate(versions.items()):
        part = f"{version} ({count(len(runs), 'run')}"
        if i and kind == "set":
            named = ", ".join(f"{point} round {round_}" for point, round_ in runs[:3])
            part += f": {named}{', ...' if len(runs) > 3 else ''}"
        parts.append(part + ")")
    return ", ".join(parts)

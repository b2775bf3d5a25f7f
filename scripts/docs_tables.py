#!/usr/bin/python3
"""Writes the tables of docs/ that shmcount itself knows (any `shmcount --list NAME`: its CSV
columns, noise sources, counts modes, page kinds, the lists themselves), so that the docs never
keep a copy that can drift from the program.

Usage: docs_tables.py [--check] [--shmcount build/shmcount] [DOC ...]

Every table lives between two marker lines in a Markdown file:

    <!-- shmcount --list columns -->
    ...the table, rewritten...
    <!-- end -->

With --check nothing is written: the exit status is 1 when a table is out of date (the test of
the docs runs this), naming the file and the list.
"""

import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DOCS = os.path.join(os.path.dirname(HERE), "docs")
MARKER = re.compile(r"^<!-- shmcount --list (\w+) -->\n(.*?)^<!-- end -->\n", re.S | re.M)


def listing(shmcount, what):
    """`shmcount --list WHAT` as a header and rows of cells."""
    out = subprocess.run([shmcount, "--list", what], capture_output=True, text=True, check=True)
    rows = [line.split("\t") for line in out.stdout.splitlines() if line]
    return rows[0], rows[1:]


def cell(text, first):
    """A Markdown table cell: names in code, pipes escaped."""
    text = text.replace("|", "\\|")
    return f"`{text}`" if first and text else text


def table(shmcount, what):
    """The Markdown table of one list."""
    header, rows = listing(shmcount, what)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        row = row + [""] * (len(header) - len(row))
        lines.append("| " + " | ".join(cell(c, i == 0) for i, c in enumerate(row)) + " |")
    return "\n".join(lines) + "\n"


def rewrite(text, shmcount):
    """The document with every marked table regenerated."""
    return MARKER.sub(lambda m: f"<!-- shmcount --list {m.group(1)} -->\n"
                                f"{table(shmcount, m.group(1))}<!-- end -->\n", text)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("docs", nargs="*", help="Markdown files (default: every docs/*.md)")
    ap.add_argument("--check", action="store_true", help="write nothing; exit 1 when out of date")
    ap.add_argument("--shmcount", default=os.path.join(os.path.dirname(HERE), "build", "shmcount"))
    args = ap.parse_args(argv)
    paths = args.docs or sorted(os.path.join(DOCS, f) for f in os.listdir(DOCS)
                                if f.endswith(".md"))
    stale = []
    for path in paths:
        with open(path) as f:
            text = f.read()
        new = rewrite(text, args.shmcount)
        if new == text:
            continue
        if args.check:
            stale.append(path)
        else:
            with open(path, "w") as f:
                f.write(new)
            print(f"docs_tables: rewrote the tables of {path}")
    for path in stale:
        print(f"docs_tables: {path} is out of date: run scripts/docs_tables.py", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

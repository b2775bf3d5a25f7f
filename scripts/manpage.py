#!/usr/bin/python3
"""Writes the manual page of one of shmcount's tools from what its --help prints, so the page and
the help cannot drift apart (shmcount's own page comes from its option tables: shmcount_man).

Usage: manpage.py NAME SUMMARY VERSION OUT -- COMMAND...
  NAME     the installed tool (shmcount-sweep); SUMMARY one line for NAME's section
  VERSION  shmcount's version (the build's, from CITATION.cff), in the page's header
  OUT      the page to write (man/NAME.1)
  COMMAND  how to run the tool with --help appended
"""

import subprocess
import sys


def roff(line):
    """One line of text for roff: backslashes escaped, a leading control character guarded."""
    line = line.replace("\\", "\\e")
    return "\\&" + line if line.startswith((".", "'")) else line


def page(name, summary, version, help_text):
    out = [f'.TH {name.upper()} 1 "" "shmcount {version}" "User Commands"', ".SH NAME",
           f"{name} \\- {roff(summary)}", ".SH DESCRIPTION",
           f"What \\fB{name} \\-\\-help\\fR prints:", ".PP", ".nf"]
    out += [roff(line) for line in help_text.rstrip("\n").split("\n")]
    out += [".fi", '.SH "SEE ALSO"',
            "\\fBshmcount\\fR(1), \\fBshmcount-sweep\\fR(1), \\fBshmcount-plots\\fR(1), "
            "\\fBshmcount-compare\\fR(1), \\fBshmcount-calibrate\\fR(1), \\fBshmcount-seed\\fR(1), "
            "\\fBshmcount-latency-set\\fR(1), \\fBshmcount-study\\fR(1)"]
    return "\n".join(out) + "\n"


def main(argv):
    if len(argv) < 6 or argv[4] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    name, summary, version, out_path, command = argv[0], argv[1], argv[2], argv[3], argv[5:]
    env = {"PATH": "/usr/bin:/bin", "SHMCOUNT_TOOL": name, "LC_ALL": "C.UTF-8"}
    result = subprocess.run(command + ["--help"], capture_output=True, text=True, env=env)
    if result.returncode != 0 or not result.stdout.strip():
        print(f"manpage: {' '.join(command)} --help failed: {result.stderr.strip()}",
              file=sys.stderr)
        return 1
    with open(out_path, "w") as f:
        f.write(page(name, summary, version, result.stdout))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

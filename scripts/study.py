#!/usr/bin/python3
"""A first study that fits the machine at hand: picks the axes that can differ here, runs them as
one sweep, then makes the plots and REPORT.md.

Usage: PROG [NAME=value ...]     (or the same settings as environment variables)
       PROG --help

It reads the machine as shmcount's planner sees it (`shmcount --plan`, `--domains`) and keeps
  - the rank counts 1, 2, the cores and the PUs (those that fit: at most 16 per PU);
  - --pin strategies (core, compact, scatter) that plan to different PUs at those rank counts;
    strategies that plan alike are left out, and so is the axis when all of them do;
  - SMT, where a core has several PUs: core (siblings last) against compact (siblings first), at
    as many ranks as cores;
  - where the counts live (--counts private padded packed shared, with the histogram kernel):
    sharing that writes, which differs on any machine with two cores;
  - the sharing mechanisms --share sysv and window (MPI's shared window), those this shmcount
    lists;
  - page policies (--mempolicy default interleave, --touch leader ranks) only with several NUMA
    nodes; with one it says so, and names the NUMA guest (scripts/numa_vm.py) where it runs here.
It prints what it keeps, what it leaves out and why, then runs the sweep (scripts/sweep.py) and
the plots (scripts/plots.py) into plots/<set>/.

Settings of the study (all others are the sweep's, passed on; an axis you set is kept as set):
  PLAN_ONLY=1     print the choice and the sweep's settings; run nothing
  TOPOLOGY=T      choose for an hwloc XML file, synthetic string or shipped name instead of this
                  machine (implies PLAN_ONLY=1: a run only binds on this machine)
  ROUNDS          the sweep's; by default the rounds the family of comparisons needs before
                  any verdict can be beyond the noise, plus 3 (at least 10: the effects it
                  picks are large, and 10 rounds tell 20% apart here)
  REPS [3], BENCH [0], SIZES [2000000], NAME [study-{host}-{hash}]: the sweep's, with the
                  study's defaults
Exit status: the sweep's when it fails, the plots' when they fail, 2 for bad settings.
"""

import csv
import io
import os
import re
import shlex
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from analysis import decide  # noqa: E402
from sweeping import binary, settings  # noqa: E402
from sweeping.binary import BinaryError  # noqa: E402
from sweeping.settings import SettingError  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
# Strategies that plan PUs without an argument, in the order a tie keeps the first.
PIN_CANDIDATES = ("core", "compact", "scatter")
COUNTS = ("private", "padded", "packed", "shared")
# The mechanisms compared: the System V segment against MPI's own shared window. A POSIX file
# maps the same shmem pages as a System V segment, and private shares nothing.
SHARES = ("sysv", "window")
SHARES_LEFT_OUT = {"posix": "it maps the same shmem pages as sysv",
                   "private": "each rank gets its own copy: nothing is shared"}
# The study's defaults for settings of the sweep (any of them given wins). ROUNDS is the most of
# MIN_ROUNDS and what the family of comparisons needs (family_rounds).
DEFAULTS = {"REPS": "3", "BENCH": "0", "NAME": "study-{host}-{hash}"}
MIN_ROUNDS = 10
# Rounds beyond the fewest with which the paired test can reach Holm's threshold at all: with
# them, a round or two against the others still leaves a large effect beyond the noise.
SPARE_ROUNDS = 3
# 10x shmcount's default array: a unit of the histogram kernel lasts about a millisecond here,
# well past the ranks' start skew at the barrier (at the default, 0.1 ms, 2-rank intervals
# spanned 0.05x to 2.9x in a study under load).
SIZE = "2000000"
OWN = ("PLAN_ONLY", "TOPOLOGY", "THRESHOLD")
# Axis settings the study chooses; one given by the user is kept as given.
CHOSEN = ("RANKS", "PINS", "KERNELS", "COUNTS", "SHARES", "MEMPOLICIES", "TOUCHES", "SIZES")


def tool(script, installed):
    """How the user calls a script of the study: its installed name when the study is."""
    return installed if os.environ.get("SHMCOUNT_TOOL") else script


def say(text):
    print(f"study: {text}", flush=True)


class Machine:
    """The machine the study chooses for: its usable PUs, cores, NUMA nodes and packages, as
    shmcount's planner sees them (this machine, or --topology T)."""

    def __init__(self, shmcount, topology=None):
        self.shmcount = shmcount
        self.topology = topology
        self.extra = ("--topology", topology) if topology else ()
        if topology:
            first = binary.ask(shmcount, "--domains", *self.extra).splitlines()[0]
            found = re.search(r"(\d+) PUs?\)", first)
            if not found:
                raise BinaryError(f"--domains --topology {topology}: no PU count in '{first}'")
            self.pus = int(found.group(1))
            self.name = f"topology {topology}"
        else:
            self.pus = len(os.sched_getaffinity(0))
            self.name = "this machine"
        rows = self.rows(self.pus, "compact")
        self.cores = len({r["core"] for r in rows})
        self.numa = len({r["numa"] for r in rows if r["numa"] != "-"}) or 1
        self.packages = len({r["package"] for r in rows if r["package"] != "-"}) or 1
        self.axis_values = {}
        for line in binary.ask(shmcount, "--list", "axes").splitlines()[1:]:
            fields = line.split("\t")
            if len(fields) >= 4:
                self.axis_values[fields[0]] = fields[3].split()

    def values(self, axis):
        """The values `shmcount --list axes` gives the axis."""
        return self.axis_values.get(axis, [])

    def rows(self, ranks, pin):
        text = binary.ask(self.shmcount, "--plan", "--ranks", str(ranks), "--pin", pin,
                          "--format", "csv", *self.extra)
        return list(csv.DictReader(io.StringIO(text)))

    def plan(self, ranks, pin):
        """The logical PU of each rank, in rank order."""
        rows = sorted(self.rows(ranks, pin), key=lambda r: int(r["rank"]))
        return tuple(r["pu_logical"] for r in rows)

    @property
    def summary(self):
        def n(k, word):
            return f"{k} {word}" + ("s" if k != 1 else "")
        return (f"{n(self.packages, 'package')}, {n(self.numa, 'NUMA node')}, "
                f"{n(self.cores, 'core')}, {n(self.pus, 'PU')}")


def rank_counts(m):
    """1, 2, the cores and the PUs, as far as they go."""
    return sorted({r for r in (1, 2, m.cores, m.pus) if r <= m.pus})


def choose(m):
    """(sweep settings {NAME: value}, lines saying what was kept and what left out, and why)."""
    chosen, lines = {}, []
    ranks = rank_counts(m)
    chosen["RANKS"] = " ".join(map(str, ranks))
    lines.append(f"rank counts {chosen['RANKS']}: 1 rank, 2, the {m.cores} core(s) and the "
                 f"{m.pus} PU(s) of {m.name} ({m.summary})")
    multi = [r for r in ranks if r > 1]
    plans = {s: tuple(m.plan(r, s) for r in multi) for s in PIN_CANDIDATES}
    kept, alike = [], []
    for s in PIN_CANDIDATES:
        same = next((k for k in kept if plans[k] == plans[s]), None)
        if same:
            alike.append((s, same))
        else:
            kept.append(s)
    at = ", ".join(map(str, multi)) or "1"
    for s, same in alike:
        lines.append(f"left out --pin {s}: it plans every rank on the PU --pin {same} does at "
                     f"{at} ranks here")
    if len(kept) > 1:
        chosen["PINS"] = " ".join(kept)
        lines.append(f"--pin {' / '.join(kept)}: they place the ranks on different PUs at {at} "
                     "ranks")
    else:
        chosen["PINS"] = kept[0]
        lines.append(f"left out the --pin axis (--pin {kept[0]} only): every strategy plans "
                     f"alike on {m.summary} (at {at} ranks); placement cannot differ here")
    if m.pus > m.cores:
        smt = "core" in kept and "compact" in kept
        lines.append(f"SMT: {m.pus // m.cores} PUs per core: --pin core (one rank per core) "
                     f"against compact (siblings first) at {m.cores} ranks"
                     + ("" if smt else " plan alike here, so SMT is not compared"))
    else:
        lines.append("left out SMT: one PU per core")
    counts = [v for v in COUNTS if v in m.values("counts")]
    if m.cores >= 2 and len(counts) > 1:
        chosen["KERNELS"] = "histogram"
        chosen["COUNTS"] = " ".join(counts)
        chosen["SIZES"] = SIZE
        lines.append(f"--counts {' / '.join(counts)} (kernel histogram): where the counts live "
                     "decides how often written cache lines move between cores (false sharing "
                     "packed, true sharing shared)")
    else:
        lines.append("left out --counts: with one core no two ranks write at once")
    shares = [v for v in SHARES if v in m.values("share")]
    if len(shares) > 1:
        chosen["SHARES"] = " ".join(shares)
        lines.append(f"--share {' / '.join(shares)}: a System V segment against MPI's own "
                     "shared window")
    for v in m.values("share"):
        if v in SHARES_LEFT_OUT:
            lines.append(f"left out --share {v}: {SHARES_LEFT_OUT[v]}")
    if m.numa > 1:
        chosen["MEMPOLICIES"] = "default interleave"
        chosen["TOUCHES"] = "leader ranks"
        lines.append(f"--mempolicy default / interleave, --touch leader / ranks: {m.numa} NUMA "
                     "nodes, so where the pages land can differ")
    else:
        guest = ("; to study where pages land on several nodes here, use the multi-NUMA guest "
                 f"({tool('scripts/numa_vm.py', 'shmcount-numa-vm')} --topology two-packages -- "
                 f"{tool('scripts/study.py', 'shmcount-study')} PLAN_ONLY=1 shows what it would "
                 "pick there; its times are emulated, docs/numa-guest.md)"
                 if numa_guest_available() else
                 "; the NUMA guest (scripts/numa_vm.py, docs/numa-guest.md) would emulate "
                 "several nodes, but needs qemu-system-x86 and a kernel in /boot")
        lines.append("left out --mempolicy and --touch: one NUMA node, every page lands on it"
                     + guest)
    return chosen, lines


def family_size(chosen):
    """How many comparisons REPORT.md makes of these settings: per varied axis, every two of its
    values at every rank count and every combination of the other axes' values."""
    varied = [len(v.split()) for k, v in chosen.items() if k != "RANKS" and len(v.split()) > 1]
    total = 0
    for i, k in enumerate(varied):
        others = 1
        for j, other in enumerate(varied):
            if j != i:
                others *= other
        total += k * (k - 1) // 2 * others
    return total * len(chosen["RANKS"].split())


def family_rounds(chosen):
    """(rounds, the line saying why): enough for the paired test to reach Holm's threshold over
    the family, with SPARE_ROUNDS to spare, and at least MIN_ROUNDS."""
    family = family_size(chosen)
    need = decide.rounds_for_family(family) if family else 2
    rounds = max(MIN_ROUNDS, (need or MIN_ROUNDS) + SPARE_ROUNDS)
    return rounds, (f"ROUNDS={rounds}: {family} comparisons in one family, so the paired test "
                    f"needs {need} rounds before any of them can be beyond the noise (Holm), "
                    f"and {SPARE_ROUNDS} to spare")


def numa_guest_available():
    """Whether scripts/numa_vm.py can boot its guest here (QEMU and a kernel with modules)."""
    try:
        from numavm import guest
        guest.find_qemu()
        guest.default_kernel()
        return True
    except Exception:  # GuestError, or the package missing in an installed tree
        return False


def main(argv):
    if "-h" in argv or "--help" in argv:
        print(__doc__.strip().replace("PROG", os.environ.get("SHMCOUNT_TOOL") or
                                      "scripts/study.py"))
        return 0
    try:
        raw, _ = settings.gather(argv, os.environ)
        plan_only = settings.flag("PLAN_ONLY", raw.get("PLAN_ONLY") or "0")
        topology = raw.get("TOPOLOGY") or None
        _, shmcount = settings.binary_of(raw)
        m = Machine(shmcount, topology)
        chosen, lines = choose(m)
    except (SettingError, BinaryError) as e:
        print(f"study: {e}", file=sys.stderr)
        return 2
    rounds, why = family_rounds({**chosen, **{k: raw[k] for k in chosen if raw.get(k)}})
    if not raw.get("ROUNDS"):
        chosen["ROUNDS"] = str(rounds)
        lines.append(why)
    for line in lines:
        say(line)
    sweep_args = []
    for name, value in chosen.items():
        if raw.get(name):
            say(f"{name}={raw[name]} as given (the study would take {value})")
        else:
            sweep_args.append(f"{name}={value}")
    sweep_args += [f"{k}={v}" for k, v in DEFAULTS.items() if not raw.get(k)]
    sweep_args += [a for a in argv if a.partition("=")[0] not in OWN]
    say(f"the sweep: {tool('scripts/sweep.py', 'shmcount-sweep')} " + shlex.join(sweep_args))
    if plan_only or topology:
        say("plan only: nothing was run" + (" (TOPOLOGY= plans for another machine)"
                                              if topology else ""))
        return 0
    env = {k: v for k, v in os.environ.items() if k not in OWN}
    env["SHMCOUNT_STUDY"] = "1"  # the sweep leaves out its 'next: make plots' line
    sweep = [sys.executable, os.path.join(HERE, "sweep.py")]
    done = subprocess.run(sweep + ["--print-set"] + sweep_args, env=env, text=True,
                          stdout=subprocess.PIPE)
    if done.returncode != 0:
        return done.returncode
    set_dir = done.stdout.strip()
    status = subprocess.run(sweep + sweep_args, env=env).returncode
    if status != 0 or raw.get("DRY_RUN") == "1":
        return status
    plots = [sys.executable, os.path.join(HERE, "plots.py"), "--results", set_dir,
             "--shmcount", shmcount]
    if raw.get("THRESHOLD"):
        plots += ["--threshold", raw["THRESHOLD"]]
    status = subprocess.run(plots, env=env).returncode
    if status == 0:
        say(f"read {os.path.join('plots', os.path.basename(set_dir), 'REPORT.md')}: its "
            "verdicts open it")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

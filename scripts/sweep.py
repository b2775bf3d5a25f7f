#!/usr/bin/python3
"""Runs a matrix of shmcount jobs into one result set, in interleaved rounds.

Usage: PROG [NAME=value ...]     (or the same settings as environment variables)
       PROG --print-set [NAME=value ...]   print the result set's folder and exit
       PROG --help

A point is one rank count and one value of every axis (`shmcount --list axes`). Every round runs
every point once, in an order of its own drawn from SEED, so a burst of background load lands on
whichever points run then, not on all of one strategy. Before anything runs, every point is
checked with `shmcount --plan` at its rank count; strategies that plan exactly alike (the same PU
for every rank) are measured once (duplicates.csv); the reference point (shmcount's defaults at
1 rank) runs in every round. The same settings give the same NAME and orders, so running the
sweep again resumes it: finished runs are kept, failed and unfinished ones run again.

Exit status: 0 when every run succeeded, 1 when any failed (each is recorded and the sweep goes
on), 2 for bad settings (nothing created), a result set another sweep holds, or a NAME whose
folder the sweep did not make (a symbolic link, a folder of other files), 130 when stopped
by Ctrl-C or SIGTERM (the run in progress is discarded and marked pending).
docs/sweeps.md explains everything, with examples.
"""

import os
import shlex
import socket
import sys
import textwrap
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sweeping import binary, launcher, matrix, runner, settings  # noqa: E402
from sweeping.binary import BinaryError  # noqa: E402
from sweeping.resultset import ResultSet, Run, SetError  # noqa: E402
from sweeping.runner import count, say  # noqa: E402
from sweeping.settings import SettingError  # noqa: E402

# Failed runs listed one by one at the end; the manifest has them all.
FAILURES_LISTED = 10


def usage(shmcount):
    """The docstring, the sweep's own settings, and the axes of the binary when it is there."""
    lines = [__doc__.strip().replace("PROG", settings.program_name()), "", "Settings:"]
    for name, (default, what) in settings.OWN.items():
        lines += textwrap.wrap(f"{what} [{default}]", 100, initial_indent=f"  {name:<16} ",
                               subsequent_indent=" " * 19, break_on_hyphens=False)
    try:
        _, axes = binary.list_axes(shmcount)
    except BinaryError as e:
        return "\n".join(lines + ["", f"(the axes: {e})"])
    lines += [""] + textwrap.wrap(f"Axes of {shmcount} (one setting each, its values separated "
                                  "by spaces; the singular names it too):", 100)
    lines.append(f"  {'setting':<16} {'option':<13} default values")
    for a in axes:
        default = " ".join(settings.SWEEP_DEFAULTS.get(a.name, (a.default,)))
        lines.append(f"  {a.setting:<16} {a.option:<13} {default}")
        for alias in settings.AXIS_ALIASES.get(a.name, ()):
            lines.append(f"  {alias:<16} the same as {a.setting}")
    return "\n".join(lines)


class Plan:
    """Everything the sweep decided before running anything."""

    def __init__(self, argv):
        raw, given = settings.gather(argv, os.environ)
        mpi, self.shmcount = settings.binary_of(raw)
        self.axes_text, self.axes = binary.list_axes(self.shmcount)
        settings.check_names(given, os.environ, settings.known_names(self.axes))
        self.pus = len(os.sched_getaffinity(0))
        s = self.settings = settings.parse(raw, self.axes, self.pus, mpi, self.shmcount,
                                           binary.list_limits(self.shmcount))
        family, evidence = binary.mpi_family(self.shmcount)
        if mpi != "auto" and family and family != mpi:
            raise SettingError(f"MPI={mpi}, but {self.shmcount} is built with "
                               f"{binary.FAMILY_NAMES[family]} ({evidence})")
        self.launch = launcher.resolve(s.launcher, self.shmcount, family, evidence)
        self.text = matrix.settings_text(s, self.axes, self.launch.text, family)
        digest = matrix.digest(self.text)
        self.seed = s.seed if s.seed is not None else int(digest, 16)
        if s.seed is None:
            self.text += f"SEED={self.seed}\n"
        if os.path.exists(s.results_root) and not os.path.isdir(s.results_root):
            raise SettingError(f"RESULTS_ROOT: {s.results_root} is not a folder")
        self.rset = ResultSet(s.results_root, settings.fill_name(s.name, socket.gethostname(),
                                                                  digest))

    def check(self):
        """Plans every point, finds the duplicates and draws the rounds' orders."""
        s = self.settings
        self.rset.check_folder()
        self.points = matrix.build_points(self.axes, s)
        self.plans = binary.plan_all(self.shmcount, [(p.ranks, p.args) for p in self.points],
                                     s.reps, s.warmup)
        self.machine_text = binary.machine_csv(self.shmcount, self.pus)
        self.cores = binary.cores_of(self.machine_text)
        self.duplicates = matrix.find_duplicates(self.points, self.plans, self.axes)
        skipped = set() if s.keep_duplicates else {d.point for d in self.duplicates}
        self.measured = [p for p in self.points if p not in skipped]
        orders = matrix.round_orders(len(self.measured), s.rounds, self.seed)
        self.runs = [Run(self.measured[i], r, j) for r, order in enumerate(orders, 1)
                     for j, i in enumerate(order, 1)]
        self.rset.check_settings(self.text)
        self.rset.check_machine(self.machine_text)

    def describe(self):
        """What the sweep says before it runs: the matrix, the duplicates, the reference."""
        s = self.settings
        say(f"{count(len(self.measured), 'point')} x {count(s.rounds, 'round')} = "
            f"{count(len(self.runs), 'run')} of {count(s.reps, 'repetition')}, seed {self.seed}, "
            f"under {self.launch.text} ({self.launch.version}), into {self.rset.path}")
        for line in matrix.duplicate_lines(self.duplicates, self.axes):
            if s.keep_duplicates:
                say(f"{line}: both measured (KEEP_DUPLICATES=1: an A/A comparison)")
            else:
                say(f"{line}: measured once (duplicates.csv; KEEP_DUPLICATES=1 measures both)")
        reference = next((p for p in self.measured if p.reference != "no"), None)
        if reference and reference.reference == "yes":
            say(f"reference: {reference.name} (shmcount's defaults at 1 rank), in every round")
        elif reference:
            say(f"reference: {reference.name} added (shmcount's defaults at 1 rank), in every "
                "round, to measure drift")


def dry_run(plan, stopper):
    """Lists the command of every run still to run (an earlier sweep of the same settings may
    have done some) and estimates their time from one probe run; creates nothing."""
    s = plan.settings
    todo = [run for run in plan.runs if plan.rset.status(run) != "done"]
    if len(todo) < len(plan.runs):
        say(f"dry run: {len(plan.runs) - len(todo)} of {count(len(plan.runs), 'run')} done "
            f"earlier in {plan.rset.path} (kept); {len(todo)} to run")
    if not todo:
        return 0
    for run in todo:
        argv = runner.run_command(plan.launch, (plan.cores, plan.pus), plan.shmcount, run.point,
                                  s, plan.rset.file(run.base + ".csv"))
        print(f"round {run.round} [{run.order}] {shlex.join(argv)}")
    try:
        startup, unit = runner.probe(plan.launch, plan.shmcount, s, stopper)
    except RuntimeError as e:
        say(f"dry run: no estimate: {e}")
        return 0
    if stopper.requested:
        return runner.INTERRUPTED
    total = runner.estimate([r.point for r in todo], plan.pus, startup, unit, s)
    say(f"dry run: {count(len(todo), 'run')}, about {runner.duration(total)} (a probe run of the "
        f"reference took {startup:.2f} s to start and {1000 * unit:.2f} ms per unit of its "
        "kernel; points doing more work per unit take longer); nothing was created")
    return 0


def main(argv):
    if "-h" in argv or "--help" in argv:
        try:
            _, shmcount = settings.binary_of(settings.gather([], os.environ)[0])
        except SettingError as e:
            shmcount = str(e)
        print(usage(shmcount))
        return 0
    print_set = "--print-set" in argv
    argv = [a for a in argv if a != "--print-set"]
    started = time.monotonic()
    stopper = runner.Stopper()
    try:
        plan = Plan(argv)
        if print_set:
            print(plan.rset.path)
            return 0
        plan.check()
    except (SettingError, BinaryError, SetError) as e:
        if stopper.requested:
            return runner.INTERRUPTED
        print(f"sweep: {e}", file=sys.stderr)
        return 2
    if stopper.requested:
        return runner.INTERRUPTED
    if plan.settings.dry_run:
        plan.describe()
        return dry_run(plan, stopper)
    try:
        plan.rset.open(plan.text, plan.machine_text)
    except SetError as e:
        print(f"sweep: {e}", file=sys.stderr)
        return 2
    try:
        return measure(plan, stopper, started)
    except OSError as e:  # A full disk, a folder removed under the sweep.
        kept = (f"the runs finished so far are kept in {plan.rset.path}"
                if os.path.isdir(plan.rset.path) else f"{plan.rset.path} is gone")
        print(f"sweep: {e.filename or 'writing the result set'}: {e.strerror}; {kept}",
              file=sys.stderr)
        return 1


def measure(plan, stopper, started):
    """Runs the sweep into its opened result set; the exit status."""
    plan.describe()
    plan.rset.write_text("axes.tsv", plan.axes_text)
    plan.rset.write_duplicates([] if plan.settings.keep_duplicates else plan.duplicates,
                               plan.axes)
    sweep = runner.Sweep(plan.rset, plan.runs, plan.axes, plan.shmcount, plan.launch,
                         (plan.cores, plan.pus), plan.settings, stopper)
    if sweep.run() == runner.INTERRUPTED:
        return runner.INTERRUPTED
    if plan.settings.bench and runner.run_bench(plan.settings.bench_bin, plan.rset,
                                                stopper) == runner.INTERRUPTED:
        say("interrupted during the microbenchmarks; the runs are all kept")
        return runner.INTERRUPTED
    for line in sweep.efficiency(started):
        say(line)
    say(f"result set {plan.rset.path} ({count(len(plan.measured), 'point')}, "
        f"{count(plan.settings.rounds, 'round')})")
    if sweep.failed:
        print(f"sweep: {count(len(sweep.failed), 'run')} failed (see the .log beside each CSV):",
              file=sys.stderr)
        for line in sweep.failed[:FAILURES_LISTED]:
            print(f"  {line}", file=sys.stderr)
        if len(sweep.failed) > FAILURES_LISTED:
            print(f"  and {len(sweep.failed) - FAILURES_LISTED} more (status failed in "
                  f"{plan.rset.file('manifest.csv')})", file=sys.stderr)
        return 1
    if os.environ.get("SHMCOUNT_STUDY"):
        pass  # make study makes the plots itself, next
    elif os.environ.get("SHMCOUNT_TOOL"):
        print(f"next: shmcount-plots --results {shlex.quote(plan.rset.path)}")
    else:
        print(f"next: make plots RESULTS={shlex.quote(plan.rset.path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Running the sweep's runs: one launch each, in order, with progress, a clean stop on Ctrl-C or
SIGTERM, and at the end what share of the time the kernels had.

A launch runs in a process group of its own, so a signal reaches the sweep alone; the sweep then
stops the launch (SIGTERM to the launcher, which ends its ranks; SIGKILL to the launcher and
every process under it if it has not ended 15 s later, or at a second signal), discards what the
run left but its log, marks it pending and exits 130. A signal the sweep was started with
ignored (nohup's SIGHUP, SIGINT of a job started with & by a script) stays ignored.
"""

import csv
import math
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

# Seconds an interrupted launcher gets to end its ranks before its process group is killed.
KILL_AFTER_S = 15
# Timed repetitions of a dry run's probe: enough for the time of one unit of its kernel.
PROBE_REPS = 3
INTERRUPTED = 130


def count(n, word):
    """'1 run', '2 runs'."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def duration(seconds):
    """'40 s', '12 min', '3.5 h'."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def say(*parts):
    """One line of the sweep's progress on stdout, shown at once."""
    print("sweep:", *parts, flush=True)


def descendants(pid):
    """Every process under `pid` (its children, theirs...), read from /proc: the ranks a local
    launcher started, which Open MPI puts in process groups of their own."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        below = children.get(todo.pop(), [])
        found += below
        todo += below
    return found


class Stopper:
    """Catches SIGINT, SIGTERM and SIGHUP for the whole sweep (those not ignored when it
    started): the first one stops the launch in progress (if any) and asks the sweep to stop; a
    second one kills the launch at once."""

    def __init__(self):
        self.signum = None
        self.child = None
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            if signal.getsignal(s) != signal.SIG_IGN:
                signal.signal(s, self.handle)

    @property
    def requested(self):
        return self.signum is not None

    def handle(self, signum, _frame):
        first = self.signum is None
        self.signum = signum
        child = self.child
        if child is None or child.poll() is not None:
            return
        if first:
            child.send_signal(signal.SIGTERM)
            timer = threading.Timer(KILL_AFTER_S, self.kill, (child,))
            timer.daemon = True
            timer.start()
        else:
            self.kill(child)

    @staticmethod
    def kill(child):
        """SIGKILL to the launcher, its process group and every process under it."""
        if child.poll() is not None:
            return
        below = descendants(child.pid)
        for send, target in [(os.killpg, child.pid)] + [(os.kill, pid) for pid in below]:
            try:
                send(target, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def run(self, argv, log_path, env):
        """Runs argv to its end, output into log_path; its exit status (negative: a signal)."""
        with open(log_path, "w") as log:
            try:
                child = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, env=env, process_group=0)
            except OSError as e:
                log.write(f"sweep: cannot start {argv[0]}: {e.strerror}\n")
                return 127
            self.child = child
            try:
                return child.wait()
            finally:
                self.child = None


def run_environment():
    """The environment of every launch: leave to oversubscribe only where the sweep gives it
    (per point, as a flag), and Open MPI's leave to run as root when the sweep runs as root."""
    env = dict(os.environ)
    env.pop("OMPI_MCA_rmaps_base_oversubscribe", None)
    if os.geteuid() == 0:
        env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    return env


def run_command(launch, machine, shmcount, point, settings, output):
    """The whole command line of one run of `point` on a machine of (cores, PUs), its CSV at
    `output`."""
    cores, pus = machine
    return (launch.command(point.ranks, cores, pus)
            + [shmcount, *point.args, "--reps", str(settings.reps), "--warmup",
               str(settings.warmup), "--output", output])


def timed_seconds(csv_path):
    """(parallel, sequential): seconds of timed kernel in a run's CSV, summed over repetitions.

    A repetition's parallel time is its makespan on each node (last end minus first start; the
    nodes run at once, so the longest counts); its sequential time is the baseline's."""
    spans, sequential = {}, {}
    with open(csv_path, newline="") as f:
        for row in csv.DictReader(f):
            key = (row["rep"], row["node"])
            start, length = int(row["start_ns"]), int(row["time_ns"])
            if row["phase"] == "parallel":
                first, last = spans.get(key, (start, start + length))
                spans[key] = (min(first, start), max(last, start + length))
            elif row["phase"] == "sequential":
                sequential[key] = max(sequential.get(key, 0), length)

    def per_rep(values):
        reps = {}
        for (rep, _node), v in values.items():
            reps[rep] = max(reps.get(rep, 0), v)
        return sum(reps.values()) / 1e9

    return per_rep({k: b - a for k, (a, b) in spans.items()}), per_rep(sequential)


class Sweep:
    """The runs of one result set, run in order; statuses kept in the set as they change."""

    def __init__(self, rset, runs, axes, shmcount, launch, machine, settings, stopper):
        self.rset, self.runs, self.axes = rset, runs, axes
        self.shmcount, self.launch = shmcount, launch
        self.cores, self.pus = machine  # this machine's cores and usable PUs
        self.settings, self.stopper = settings, stopper
        self.env = run_environment()
        self.statuses = {run: rset.status(run) for run in runs}
        self.failed = []
        self.ran = []  # (run, seconds of its launch) of the runs done by this sweep
        self.launched = 0.0  # seconds in launches, failed ones too
        self.loop = (0.0, 0.0)  # monotonic times the first run started and the last one ended

    def write_manifest(self):
        self.rset.write_manifest(self.runs, self.statuses, self.axes)

    def run(self):
        """Runs every run not done yet; INTERRUPTED when stopped, else None."""
        self.write_manifest()
        todo = [r for r in self.runs if self.statuses[r] != "done"]
        if len(todo) < len(self.runs):
            say(f"resuming: {len(self.runs) - len(todo)} of {count(len(self.runs), 'run')} done "
                f"earlier (kept), {len(todo)} to run")
        loop_start = time.monotonic()
        for k, run in enumerate(self.runs, 1):
            if self.statuses[run] == "done":
                continue
            if self.stopper.requested:
                return self.interrupted(None)
            self.rset.prepare(run)
            argv = run_command(self.launch, (self.cores, self.pus), self.shmcount, run.point,
                               self.settings, self.rset.file(run.base + ".csv"))
            t0 = time.monotonic()
            rc = self.stopper.run(argv, self.rset.file(run.base + ".log"), self.env)
            seconds = time.monotonic() - t0
            if self.stopper.requested:
                return self.interrupted(run)
            status = "done" if rc == 0 else "failed"
            self.rset.record(run, status, seconds)
            self.statuses[run] = status
            self.write_manifest()
            label = (f"[{k}/{len(self.runs)}] round {run.round}: {run.point.name} "
                     f"({run.point.label})")
            if status == "done":
                self.ran.append((run, seconds))
            else:
                self.failed.append(f"{label}: exit {rc}, see {self.rset.file(run.base + '.log')}")
            self.launched += seconds
            done_now = len(self.ran) + len(self.failed)
            left = self.launched / done_now * (len(todo) - done_now)
            self.loop = (loop_start, time.monotonic())
            print(f"{label}: {status}{'' if rc == 0 else f' (exit {rc})'} in {seconds:.2f}s; "
                  f"elapsed {self.loop[1] - loop_start:.0f}s, about {left:.0f}s left", flush=True)
        return None

    def interrupted(self, run):
        """The stopped run's files discarded (its log kept), the manifest saying pending."""
        if run is not None:
            self.rset.discard(run)
            self.statuses[run] = None
        self.write_manifest()
        say(f"interrupted; the finished runs are kept in {self.rset.path}; run the same sweep "
            "again to resume")
        return INTERRUPTED

    def efficiency(self, started):
        """Where the sweep's time went, from `started` (monotonic) to now: the efficiency (the
        share of the wall time in timed parallel kernels: the runs' makespans), the baselines,
        the launches, and the sweep's own time per run and before the first one."""
        if not self.ran:
            return []
        parallel = sequential = done = 0.0
        for run, seconds in self.ran:
            p, s = timed_seconds(self.rset.file(run.base + ".csv"))
            parallel, sequential, done = parallel + p, sequential + s, done + seconds
        wall = time.monotonic() - started
        n, launches = len(self.ran), len(self.ran) + len(self.failed)
        kernels = parallel + sequential
        own = max(self.loop[1] - self.loop[0] - self.launched, 0.0) / launches
        return [
            f"efficiency: {100 * parallel / wall:.0f}% of the sweep's {wall:.1f} s in timed "
            f"kernels (parallel makespans {parallel:.2f} s; with the sequential baselines "
            f"{kernels:.2f} s, {100 * kernels / wall:.0f}%)",
            f"per run ({count(n, 'run')} done now): {done / n:.3f} s launched, of which "
            f"{kernels / n:.3f} s timed kernels and {(done - kernels) / n:.3f} s start-up, "
            f"warm-up, set-up and exit; the sweep's own {own:.3f} s, and "
            f"{self.loop[0] - started:.2f} s before the first run (checks and plans)"]


def run_bench(bench_bin, rset, stopper):
    """bench.json: the kernels' microbenchmarks, when built and not there yet."""
    if os.path.exists(rset.file("bench.json")):
        return None
    if not (os.path.isfile(bench_bin) and os.access(bench_bin, os.X_OK)):
        print(f"sweep: {bench_bin} not built; no bench.json", file=sys.stderr)
        return None
    say("kernel microbenchmarks (bench.json) ...")
    tmp = rset.file("bench.json.tmp")
    rc = stopper.run([bench_bin, "--benchmark_filter=Size/", "--benchmark_repetitions=3",
                      "--benchmark_min_time=0.05", "--benchmark_display_aggregates_only=true",
                      f"--benchmark_out={tmp}", "--benchmark_out_format=json"],
                     rset.file("bench.log"), dict(os.environ))
    if stopper.requested:
        if os.path.exists(tmp):
            os.remove(tmp)
        return INTERRUPTED
    if rc == 0:
        os.replace(tmp, rset.file("bench.json"))
        os.remove(rset.file("bench.log"))
    else:
        print(f"sweep: the microbenchmarks failed (exit {rc}, see {rset.file('bench.log')}); "
              "no bench.json", file=sys.stderr)
    return None


def probe(launch, shmcount, settings, stopper):
    """(start-up seconds, seconds per unit of the kernel) of one run of the reference (shmcount's
    defaults at 1 rank) through the launcher, into a temporary folder that is removed; what a
    dry run's estimate stands on. Raises RuntimeError when the probe run fails."""
    reps, warmup = min(settings.reps, PROBE_REPS), min(settings.warmup, 1)
    with tempfile.TemporaryDirectory(prefix="shmcount-sweep-probe-") as tmp:
        csv_path = os.path.join(tmp, "probe.csv")
        argv = launch.command(1, 1, 1) + [shmcount, "--reps", str(reps), "--warmup",
                                          str(warmup), "--output", csv_path]
        t0 = time.monotonic()
        rc = stopper.run(argv, os.path.join(tmp, "probe.log"), run_environment())
        wall = time.monotonic() - t0
        if rc != 0:
            with open(os.path.join(tmp, "probe.log"), errors="replace") as f:
                last = (f.read().strip().splitlines() or ["no output"])[-1]
            raise RuntimeError(f"the probe run failed (exit {rc}: {last})")
        parallel, sequential = timed_seconds(csv_path)
    unit = (parallel + sequential) / (2 * reps)
    startup = max(wall - (reps + warmup) * 2 * unit, 0.0)
    return startup, unit


def estimate(points_runs, pus, startup, unit, settings):
    """Seconds the runs should take: each run's start-up, then warm-ups and repetitions of
    ceil(ranks / PUs) units in parallel and `ranks` units in the sequential baseline."""
    reps = settings.reps + settings.warmup
    return sum(startup + reps * (math.ceil(p.ranks / pus) + p.ranks) * unit for p in points_runs)

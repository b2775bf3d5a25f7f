"""The result set's folder as the sweep keeps it: created and locked, its settings checked, one
status file per run, and manifest.csv and duplicates.csv written through analysis/manifest.py
(the schema the loader reads).

A run's files are points/<point>/r<round>.{csv,json,log,status}; its status file holds its status
(done or failed) and, on a second line, the seconds the launcher took. A run counts as done only
when its CSV is there too. The lock (sweep.lock, flock) is held while a sweep writes into the
set: a second sweep into the same set is refused, so no sweep ever rewrites another's statuses.
"""

import fcntl
import os
from dataclasses import dataclass

from analysis import manifest

LOCK = "sweep.lock"
MATRIX = "matrix.txt"


class SetError(Exception):
    """The result set cannot be used: the message says why and what to do."""


@dataclass(frozen=True)
class Run:
    """One launch of a point in one round."""

    point: object  # a matrix.Point
    round: int
    order: int  # its place in the round, from 1

    @property
    def base(self):
        """Its files' path inside the set, without the extension."""
        return os.path.join("points", self.point.name, f"r{self.round}")


class ResultSet:
    """results/<NAME>/: opened read-only by a dry run, created and locked by a sweep."""

    def __init__(self, root, name):
        self.path = os.path.join(root, name)
        self.lock_fd = None

    def file(self, *parts):
        return os.path.join(self.path, *parts)

    def check_settings(self, text):
        """Refuses a set that holds a sweep with other settings (resuming needs the same ones)."""
        try:
            with open(self.file(MATRIX)) as f:
                earlier = f.read()
        except FileNotFoundError:
            return
        except OSError as e:
            raise SetError(f"{self.file(MATRIX)}: cannot read it ({e.strerror})")
        if earlier != text:
            raise SetError(f"{self.path} holds a sweep with other settings ({MATRIX}); give "
                           "another NAME, or the same settings to resume it")

    def check_machine(self, text):
        """Refuses to resume a set measured on a machine whose PUs differ from this one's."""
        try:
            with open(self.file("machine.csv")) as f:
                earlier = f.read()
        except FileNotFoundError:
            return
        if earlier != text:
            raise SetError(f"{self.path} was measured on a machine whose PUs differ from this "
                           "one's (machine.csv); give another NAME")

    def open(self, settings_text, machine_text):
        """Creates the folder (and RESULTS_ROOT) if needed and takes the lock; then checks the
        settings again under it. Raises SetError when another sweep holds the lock."""
        try:
            os.makedirs(self.file("points"), exist_ok=True)
            fd = os.open(self.file(LOCK), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        except OSError as e:
            raise SetError(f"cannot create {self.path} ({e.strerror})")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise SetError(f"another sweep (pid {holder}) is running into {self.path}; wait for "
                           "it to end, or stop it (Ctrl-C) and run this one again")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self.lock_fd = fd
        self.check_settings(settings_text)
        self.check_machine(machine_text)
        self.write_text(MATRIX, settings_text)
        self.write_text("machine.csv", machine_text)

    def write_text(self, name, text):
        """A file of the set, replaced whole (a temporary file, then a rename)."""
        tmp = self.file(f"{name}.tmp")
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, self.file(name))

    def status(self, run):
        """The status a run left ('done' only with its CSV; None when it never finished)."""
        try:
            with open(self.file(run.base + ".status")) as f:
                status = f.readline().strip()
        except FileNotFoundError:
            return None
        if status == "done" and not os.path.isfile(self.file(run.base + ".csv")):
            return None
        return status if status in manifest.STATUSES else None

    def prepare(self, run):
        """Removes what an earlier try of the run left, so it runs again from scratch."""
        os.makedirs(self.file("points", run.point.name), exist_ok=True)
        for ext in (".csv", ".json", ".status"):
            try:
                os.remove(self.file(run.base + ext))
            except FileNotFoundError:
                pass

    def record(self, run, status, seconds):
        with open(self.file(run.base + ".status"), "w") as f:
            f.write(f"{status}\n{seconds:.3f}\n")

    def discard(self, run):
        """What an interrupted run left, but its log."""
        for ext in (".csv", ".json", ".status"):
            try:
                os.remove(self.file(run.base + ext))
            except FileNotFoundError:
                pass

    def write_manifest(self, runs, statuses, axes):
        """manifest.csv: one line per run in the order they run, with each one's status."""
        names = [a.name for a in axes]
        rows = []
        for run in runs:
            p = run.point
            row = {"round": run.round, "order": run.order, "point": p.name, "ranks": p.ranks,
                   "copy": p.copy, "reference": p.reference,
                   "status": statuses.get(run) or "pending", "csv": run.base + ".csv"}
            row.update(zip(names, p.values))
            rows.append(row)
        manifest.write_table(self.file(manifest.MANIFEST), manifest.manifest_header(names), rows)

    def write_duplicates(self, duplicates, axes):
        """duplicates.csv: the points not run, each with the point run instead and the plan;
        removed when there are none."""
        path = self.file(manifest.DUPLICATES)
        if not duplicates:
            if os.path.exists(path):
                os.remove(path)
            return
        names = [a.name for a in axes]
        rows = []
        for d in duplicates:
            row = {"point": d.point.name, "ranks": d.point.ranks, "copy": d.point.copy,
                   "same_as": d.same_as.name, "plan": " ".join(d.plan)}
            row.update(zip(names, d.point.values))
            rows.append(row)
        manifest.write_table(path, manifest.duplicates_header(names), rows)

"""The result set's folder as the sweep keeps it: created and locked, its settings checked, one
status file per run, and manifest.csv and duplicates.csv written through analysis/manifest.py
(the schema the loader reads).

A run's files are points/<point>/r<round>.{csv,json,log,status}; its status file holds its status
(done or failed) and, on a second line, the seconds the launcher took. A run counts as done only
when its CSV is there too. The lock (sweep.lock, flock) is held while a sweep writes into the
set: a second sweep into the same set is refused, so no sweep ever rewrites another's statuses.

A sweep writes only into a folder it made: a new or empty one, one holding a sweep's settings
(matrix.txt: the same settings resume it, others are refused), or one a sweep left before it
wrote them (sweep.lock, an empty points/). Never through a symbolic link (the set's folder, its
points/ or a point's folder), never into a folder that holds anything else.
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

    def check_folder(self):
        """Refuses a folder the sweep did not make (see the module's docstring); creates
        nothing. Checked before the points are planned and again before the folder is opened."""
        if os.path.islink(self.path):
            raise SetError(f"{self.path} is a symbolic link (to {os.readlink(self.path)}): a "
                           "sweep writes only into a folder it made, never through a link; give "
                           "another NAME, or name the folder itself (RESULTS_ROOT=its parent "
                           "NAME=its name)")
        if not os.path.lexists(self.path):
            return
        if not os.path.isdir(self.path):
            raise SetError(f"{self.path} is not a folder: give another NAME")
        try:
            entries = set(os.listdir(self.path))
            points = self.file("points")
            if os.path.islink(points):
                raise SetError(f"{points} is a symbolic link (to {os.readlink(points)}): a sweep "
                               "writes only into folders it made; give another NAME")
            inside = os.listdir(points) if os.path.isdir(points) else []
            for name in sorted(inside):
                if os.path.islink(os.path.join(points, name)):
                    link = os.path.join(points, name)
                    raise SetError(f"{link} is a symbolic link (to {os.readlink(link)}): a sweep "
                                   "writes only into folders it made; give another NAME")
        except OSError as e:
            raise SetError(f"{self.path}: cannot read it ({e.strerror}); give another NAME")
        if MATRIX in entries and os.path.isfile(self.file(MATRIX)):
            return  # a sweep's set: check_settings says whether these settings resume it
        started = {LOCK, "points", f"{MATRIX}.tmp"}  # what open() makes before matrix.txt
        if entries <= started and not inside:
            return
        raise SetError(f"{self.path} is a folder no sweep made (no {MATRIX} in it, and it holds "
                       f"{', '.join(sorted(entries - started)[:3] or ['points/...'])}): a sweep "
                       "writes only into a new folder or a sweep's own; give another NAME, or "
                       "remove it yourself")

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
        settings again under it. Raises SetError when another sweep holds the lock, or the
        folder is not one the sweep may write into (check_folder)."""
        self.check_folder()
        try:
            os.makedirs(self.path, exist_ok=True)
            fd = os.open(self.file(LOCK), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW,
                         0o666)
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
        self.check_folder()  # again under the lock: nothing changed it since
        try:
            os.makedirs(self.file("points"), exist_ok=True)
        except OSError as e:
            raise SetError(f"cannot create {self.file('points')} ({e.strerror})")
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

"""Reading shmcount's output: a single run (CSV + run context JSON) or a result set of a sweep.

What a run's columns are is known from its own run context (`columns`), and, when a shmcount
binary is given, from `shmcount --list columns`; nothing here keeps a copy of the schema. A result
set's own files follow manifest.py. A point's identity is its run context's `config`, less the keys
that only say how many samples were taken, plus its replicate number (the pseudo-axis `copy`).

Nothing is taken on trust: checks.py proves every CSV and manifest before anything is computed,
and a run whose counts were wrong is kept apart, never merged into its point.
"""

import csv
import io
import json
import os
import re
import subprocess
from dataclasses import dataclass, field

from . import manifest as schema
from .checks import InputError, check_context, check_manifest, check_rows
from .latency_checks import check_latency_context, check_latency_rows, is_latency

# Config keys that say how long a point was measured, not what was measured (a latency map's
# samples, rounds and their order's seed too).
SAMPLING_KEYS = ("reps", "warmup", "samples", "rounds", "order_seed")
# What a result set measured: counting runs, or latency maps (shmcount --latency).
COUNTING, LATENCY = "counting", "latency"
# Manifest columns every result set has; older sets lack `reference` and the pseudo-axes.
MANIFEST_KEYS = ("round", "order", "point", "ranks", "status", "csv")


@dataclass(frozen=True)
class Table:
    """A CSV file as read: its header, its rows (dicts), the line each row ends on, and whether
    the file ends with a newline (a file cut while written does not)."""

    header: list
    rows: list
    lines: list
    ends_with_newline: bool


@dataclass
class Run:
    """One shmcount job: its records (CSV rows as dicts) and its run context."""

    csv_path: str
    rows: list
    context: dict
    round: int = 1

    @property
    def config(self):
        return self.context["config"]

    @property
    def wrong(self):
        """Records whose counts were wrong (ok = 0): such a run's times are not a result."""
        return sum(r["ok"] != "1" for r in self.rows)

    @property
    def disturbance(self):
        """The run context's summary.disturbance, or None where this shmcount did not record
        it."""
        return self.context["summary"].get("disturbance")


@dataclass
class Point:
    """A configuration measured by one or more runs (a sweep's rounds), merged in the analysis."""

    name: str
    axes: dict  # axis name -> value as given to shmcount, and the pseudo-axes (empty: lone run)
    runs: list
    reference: str = "no"  # manifest.REFERENCE_VALUES: also the set's reference point?

    @property
    def config(self):
        return self.runs[0].config

    @property
    def ranks(self):
        return int(self.config["ranks"])

    @property
    def copy(self):
        """Which replicate of its configuration the point is ('1' unless the sweep made copies)."""
        return self.axes.get("copy", "1")

    @property
    def identity(self):
        return identity(self.config) + (("copy", self.copy),)


@dataclass
class ResultSet:
    """Points of one sweep (or the one point of a lone run) and what describes the machine."""

    path: str
    name: str
    kind: str  # "set" or "run"
    points: list
    axes: list = field(default_factory=list)  # axes whose value differs between points, in order
    flags: dict = field(default_factory=dict)  # axis -> shmcount option, where known
    failed: list = field(default_factory=list)  # (point name, round) of runs that failed
    machine: list = None  # rows of machine.csv: every PU of the machine
    bench: dict = None  # Google Benchmark JSON of the kernels
    settings: dict = field(default_factory=dict)  # matrix.txt
    reference: Point = None  # the point measured in every round to see drift (None: none)
    duplicates: list = field(default_factory=list)  # rows of duplicates.csv: points not run
    wrong: list = field(default_factory=list)  # Runs whose counts were wrong, left out
    mode: str = COUNTING  # or LATENCY: every run of the set is a latency map

    @property
    def context(self):
        """The run context of the first run: the machine and build the set was measured on."""
        return self.points[0].runs[0].context

    @property
    def rank_counts(self):
        return sorted({p.ranks for p in self.points})

    def values(self, axis):
        """The values of one axis in this set, numbers in numeric order, names alphabetically."""
        vals = {p.axes[axis] for p in self.points}
        numeric = all(v.isdigit() for v in vals)
        return sorted(vals, key=lambda v: (int(v) if numeric else 0, v))


# Config keys shmcount added after its first result sets, with the value every run had before
# (the shipped reference sets predate `counts` and `baseline`): an older run's config is read as
# if it had them, so sets of either format compare point by point.
ADDED_CONFIG_KEYS = {"counts": "private", "baseline": True}


def run_version(run):
    """The shmcount version a run's context names ('unknown' when it names none)."""
    version = run.context.get("version")
    return "unknown" if version is None else str(version)


def versions(result_set):
    """{shmcount version: [(point name, round)]} over every run the set read: its points, the
    reference added to see drift, the runs that counted wrong; the most runs first (then by
    name)."""
    runs = [(p.name, run) for p in result_set.points for run in p.runs]
    reference = result_set.reference
    if reference is not None and all(reference is not p for p in result_set.points):
        runs += [(reference.name, run) for run in reference.runs]
    runs += [(p.name, run) for p, run in result_set.wrong]
    out = {}
    for name, run in runs:
        out.setdefault(run_version(run), []).append((name, run.round))
    return dict(sorted(out.items(), key=lambda item: (-len(item[1]), item[0])))


def identity(config):
    """What a point measures: its config without the sampling keys, comparable and hashable."""
    config = {**ADDED_CONFIG_KEYS, **config}
    return tuple(sorted((k, json.dumps(v)) for k, v in config.items() if k not in SAMPLING_KEYS))


def known_columns(shmcount, what="columns"):
    """Column names from `shmcount --list columns` (or `latency-columns`): the first field of
    each line after the header."""
    try:
        out = subprocess.run([shmcount, "--list", what], capture_output=True, text=True,
                             check=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        raise InputError(f"{shmcount} --list {what} failed ({e})")
    return [line.split("\t")[0] for line in out.splitlines()[1:] if line]


@dataclass
class KnownColumns:
    """The columns a shmcount binary writes, of counting runs and of latency maps, each asked
    for once and only when a run of that kind is read."""

    shmcount: str
    _asked: dict = field(default_factory=dict)

    def of(self, what):
        if what not in self._asked:
            self._asked[what] = known_columns(self.shmcount, what)
        return self._asked[what]


def read_table(path, allow_empty=False):
    """A CSV file as a Table; refuses an unreadable one, and an empty one unless allowed."""
    try:
        with open(path, newline="") as f:
            text = f.read()
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror})")
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: not a CSV file of UTF-8 text ({e.reason} at byte {e.start})")
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        rows, lines = [], []
        for row in reader:
            rows.append(row)
            lines.append(reader.line_num)
        header = reader.fieldnames or []
    except csv.Error as e:
        raise InputError(f"{path}: line {reader.line_num}: not a CSV file ({e})")
    if not rows and not allow_empty:
        raise InputError(f"{path}: no rows")
    return Table(header, rows, lines, text.endswith("\n"))


def read_json(path, what):
    """A JSON file's content; refuses a missing or malformed one, naming it as `what`."""
    try:
        with open(path) as f:
            return json.load(f)
    except OSError as e:
        raise InputError(f"{path}: missing or unreadable {what} ({e.strerror})")
    except ValueError as e:
        raise InputError(f"{path}: {what} is not JSON ({e})")


def read_run(csv_path, columns=None, round_=1):
    """One run: the CSV and the run context beside it (same name, .json); a counting run or a
    latency map, as its run context says.

    The CSV's header must be exactly the run context's `columns`; with `columns` (what a shmcount
    binary lists: a list, or KnownColumns for either kind), every column must be one that binary
    knows.
    """
    if not csv_path.endswith(".csv"):
        raise InputError(f"{csv_path}: not a CSV file of shmcount (*.csv)")
    context = read_json(csv_path[:-4] + ".json", "run context")
    latency = is_latency(context)
    if latency:
        check_latency_context(csv_path[:-4] + ".json", context)
    else:
        check_context(csv_path[:-4] + ".json", context)
    if isinstance(columns, KnownColumns):
        columns = columns.of("latency-columns" if latency else "columns")
    table = read_table(csv_path)
    header, rows = table.header, table.rows
    declared = context["columns"]
    missing = [c for c in declared if c not in header]
    unknown = [c for c in header if c not in declared]
    if missing:
        raise InputError(f"{csv_path}: missing column(s) {', '.join(missing)} "
                         "(the run context lists them)")
    if unknown:
        raise InputError(f"{csv_path}: unknown column(s) {', '.join(unknown)} "
                         "(not in the run context's columns)")
    if columns is not None:
        foreign = [c for c in declared if c not in columns]
        if foreign:
            raise InputError(f"{csv_path}: column(s) {', '.join(foreign)} are not written by "
                             "this shmcount (--list " +
                             ("latency-columns" if latency else "columns") + ")")
    (check_latency_rows if latency else check_rows)(csv_path, table, context)
    return Run(csv_path, rows, context, round_)


def mode_of(runs, where):
    """COUNTING or LATENCY: what every one of `runs` is; a mix is refused, naming `where`."""
    modes = {LATENCY if is_latency(run.context) else COUNTING for run in runs}
    if len(modes) > 1:
        raise InputError(f"{where}: mixes latency maps (shmcount --latency) and counting runs; "
                         "a result set holds one kind")
    return modes.pop() if modes else COUNTING


def read_axes(path):
    """axes.tsv (`shmcount --list axes` when the sweep ran): axis -> option."""
    if not os.path.isfile(path):
        return {}
    with open(path) as f:
        lines = f.read().splitlines()[1:]
    return {line.split("\t")[0]: line.split("\t")[1] for line in lines if "\t" in line}


def read_settings(path):
    """matrix.txt (NAME=value lines) as a dict; empty when there is none."""
    if not os.path.isfile(path):
        return {}
    with open(path) as f:
        return dict(line.split("=", 1) for line in f.read().splitlines() if "=" in line)


def load_set(set_dir, columns=None):
    """A result set of the sweep: every finished run, grouped by point, rounds merged.

    Refuses an unfinished sweep, a point whose rounds ran different configurations, and two
    points that are the same configuration (and copy). The reference point added only to see
    drift (`reference=added`) is kept apart from the points.
    """
    manifest_path = os.path.join(set_dir, schema.MANIFEST)
    if not os.path.isfile(manifest_path):
        raise InputError(f"{manifest_path}: missing; is {set_dir} a result set of the sweep?")
    table = read_table(manifest_path)
    header, manifest = table.header, table.rows
    absent = [k for k in MANIFEST_KEYS if k not in header]
    if absent:
        raise InputError(f"{manifest_path}: no column(s) {', '.join(absent)} "
                         "(made by an older sweep? run the sweep again)")
    check_manifest(manifest_path, table, set_dir)
    axis_names = [c for c in schema.axes_of(header) if c not in MANIFEST_KEYS]
    pending = [m for m in manifest if m["status"] == "pending"]
    if pending:
        raise InputError(f"{manifest_path}: the sweep is unfinished ({len(pending)} of "
                         f"{len(manifest)} runs pending); run the same sweep again to finish it")
    points, failed, wrong, configs = {}, [], [], {}
    for m in manifest:
        if m["status"] != "done":
            failed.append((m["point"], int(m["round"])))
            continue
        run = read_run(os.path.join(set_dir, m["csv"]), columns, int(m["round"]))
        if run.context["config"]["ranks"] != int(m["ranks"]):
            raise InputError(f"{run.csv_path}: ran {run.config['ranks']} rank(s), the manifest "
                             f"says {m['ranks']}")
        first = configs.setdefault(m["point"], run)
        if identity(run.config) != identity(first.config):
            raise InputError(f"{run.csv_path}: its config differs from round "
                             f"{first.round}'s of point {m['point']}")
        point = points.setdefault(m["point"], Point(m["point"], {a: m[a] for a in axis_names}, [],
                                                    m.get("reference") or "no"))
        if run.wrong:
            wrong.append((point, run))  # counted wrong: reported, never a result
            continue
        point.runs.append(run)
    points = {name: p for name, p in points.items() if p.runs}
    if not points:
        raise InputError(f"{manifest_path}: no finished point to plot" +
                         (" (every run that finished counted wrong)" if wrong else ""))
    seen = {}
    for p in points.values():
        if p.identity in seen:
            raise InputError(f"{manifest_path}: points {seen[p.identity]} and {p.name} ran the "
                             "same configuration")
        seen[p.identity] = p.name
    references = [p for p in points.values() if p.reference != "no"]
    if len(references) > 1:
        raise InputError(f"{manifest_path}: {len(references)} reference points "
                         f"({', '.join(p.name for p in references)}); a set has one")
    measured = [p for p in points.values() if p.reference != "added"]
    if not measured:
        raise InputError(f"{manifest_path}: no finished point to plot besides the reference")
    varied = [a for a in axis_names if len({p.axes[a] for p in measured}) > 1]
    machine_path = os.path.join(set_dir, "machine.csv")
    machine = read_table(machine_path).rows if os.path.isfile(machine_path) else None
    bench_path = os.path.join(set_dir, "bench.json")
    bench = read_json(bench_path, "bench.json") if os.path.isfile(bench_path) else None
    duplicates_path = os.path.join(set_dir, schema.DUPLICATES)
    duplicates = (read_table(duplicates_path, allow_empty=True).rows
                  if os.path.isfile(duplicates_path) else [])
    return ResultSet(set_dir, os.path.basename(os.path.normpath(set_dir)), "set",
                     sorted(measured, key=lambda p: p.name), varied,
                     read_axes(os.path.join(set_dir, "axes.tsv")), failed, machine, bench,
                     read_settings(os.path.join(set_dir, "matrix.txt")),
                     references[0] if references else None, duplicates, wrong,
                     mode_of([run for p in points.values() for run in p.runs] +
                             [run for _, run in wrong], manifest_path))


def load(path, shmcount=None):
    """A result set (a folder with manifest.csv) or a lone run (its CSV), checked.

    With `shmcount` (a binary), columns are also checked against `shmcount --list columns`.
    """
    columns = KnownColumns(shmcount) if shmcount else None
    if os.path.isdir(path):
        return load_set(path, columns)
    if not os.path.exists(path):
        raise InputError(f"{path}: no such result set or run")
    run = read_run(path, columns)
    mode = mode_of([run], path)
    if run.wrong:
        what = ("sample(s) whose handoff broke" if mode == LATENCY else "record(s) counted wrong")
        raise InputError(f"{path}: {run.wrong} {what} (ok = 0; shmcount exited 3): the run's "
                         "times are not a result, so nothing is made of them")
    name = os.path.basename(path)[:-4]
    if re.fullmatch(r"r\d+", name):  # A round of a sweep's point: named after the point too.
        name = f"{os.path.basename(os.path.dirname(os.path.abspath(path)))}-{name}"
    return ResultSet(path, name, "run", [Point(name, {}, [run])], mode=mode)


def require_counting(result_set, tool):
    """Refuses a latency map where only counting runs can be judged (compare, calibrate)."""
    if result_set.mode == LATENCY:
        raise InputError(f"{result_set.path}: a latency map (shmcount --latency); {tool} judges "
                         "counting runs: draw the map with make plots")


def newest_result_set(root="results"):
    """The result set under `root` whose manifest changed last."""
    sets = [os.path.join(root, d) for d in os.listdir(root)
            if os.path.isfile(os.path.join(root, d, "manifest.csv"))] if os.path.isdir(root) else []
    if not sets:
        raise InputError(f"no result set under {root}/ (a folder with manifest.csv): "
                         "run make sweep first, or give RESULTS=path")
    return max(sets, key=lambda d: os.path.getmtime(os.path.join(d, "manifest.csv")))

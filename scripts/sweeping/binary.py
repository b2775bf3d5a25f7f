"""What the sweep asks the shmcount binary: its axes, its plans, and which MPI it was built with.

Nothing here keeps a copy of what shmcount knows: the axes come from `shmcount --list axes`, every
point is checked by `shmcount --plan` (shmcount's own parser and planner), and the MPI family is
read from the binary itself.
"""

import csv
import io
import os
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

# Seconds any question to the binary may take before the sweep gives up on it.
TIMEOUT_S = 60


class BinaryError(Exception):
    """The binary is missing, failed, or refused a point: the message says which and why."""


@dataclass(frozen=True)
class Axis:
    """One axis of `shmcount --list axes`: a name, the option that sets it, shmcount's default."""

    name: str
    option: str
    default: str

    @property
    def setting(self):
        """The sweep's setting for the axis: its name in capitals, plural as in English
        (kernel -> KERNELS, touch -> TOUCHES, mempolicy -> MEMPOLICIES, pages -> PAGES)."""
        n = self.name.upper()
        if n.endswith("S"):
            return n
        if n.endswith(("CH", "SH", "X")):
            return n + "ES"
        if n.endswith("Y") and len(n) > 1 and n[-2] not in "AEIOU":
            return n[:-1] + "IES"
        return n + "S"

    @property
    def singular(self):
        """The other name of the same setting (SHARE for SHARES); the setting itself if none."""
        return self.name.upper()


def ask(binary, *args):
    """stdout of `binary args...`; BinaryError with its first line of stderr when it fails."""
    try:
        done = subprocess.run([binary, *args], capture_output=True, text=True, errors="replace",
                              timeout=TIMEOUT_S, stdin=subprocess.DEVNULL)
    except OSError as e:
        raise BinaryError(f"{binary}: cannot run it ({e.strerror})")
    except subprocess.TimeoutExpired:
        raise BinaryError(f"{binary} {' '.join(args)}: no answer in {TIMEOUT_S} s")
    if done.returncode != 0:
        message = (done.stderr.strip() or done.stdout.strip() or f"exit {done.returncode}")
        raise BinaryError(message.splitlines()[0].removeprefix("shmcount: "))
    return done.stdout


def list_axes(binary):
    """(the text of `--list axes`, its axes in order); refuses a binary that lists none."""
    text = ask(binary, "--list", "axes")
    axes = []
    for line in text.splitlines()[1:]:
        fields = line.split("\t")
        if len(fields) >= 3 and fields[0]:
            axes.append(Axis(fields[0], fields[1], fields[2]))
    if not axes:
        raise BinaryError(f"{binary} --list axes listed no axis")
    return text, axes


def list_limits(binary):
    """{option: largest value} from `--list limits`: shmcount's own bounds (--reps, --warmup...),
    which the sweep checks its settings against instead of keeping a copy."""
    limits = {}
    for line in ask(binary, "--list", "limits").splitlines()[1:]:
        fields = line.split("\t")
        if len(fields) >= 2 and fields[1].isdigit():
            limits[fields[0]] = int(fields[1])
    if "--reps" not in limits or "--warmup" not in limits:
        raise BinaryError(f"{binary} --list limits does not give --reps and --warmup")
    return limits


def plan(binary, ranks, args, reps, warmup):
    """The plan shmcount makes for `ranks` ranks with these options: the logical PU of each rank
    in rank order ('-' where it plans none). BinaryError with shmcount's message when it refuses
    them (an unknown value, a list too short for the ranks, a value out of range)."""
    text = ask(binary, "--plan", "--ranks", str(ranks), *args, "--reps", str(reps),
               "--warmup", str(warmup), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    if len(rows) != ranks or any("pu_logical" not in r for r in rows):
        raise BinaryError(f"--plan --ranks {ranks} printed no plan of {ranks} rank(s)")
    return tuple(r["pu_logical"] for r in sorted(rows, key=lambda r: int(r["rank"])))


def plan_all(binary, queries, reps, warmup):
    """{(ranks, args): plan} for every (ranks, args) of `queries`, asked a few at a time.

    Raises BinaryError naming the rank count and options of the first query shmcount refused.
    """
    queries = list(dict.fromkeys(queries))

    def one(query):
        ranks, args = query
        try:
            return plan(binary, ranks, args, reps, warmup)
        except BinaryError as e:
            options = " ".join(args) or "shmcount's defaults"
            raise BinaryError(f"{e} (checked with shmcount --plan at {ranks} rank(s), {options})")

    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
        return dict(zip(queries, pool.map(one, queries)))


def machine_csv(binary, pus):
    """Every usable PU of this machine, one row each (`--plan --pin compact` at one rank per PU):
    what machine.csv holds and where the sweep counts the cores."""
    return ask(binary, "--plan", "--ranks", str(pus), "--pin", "compact", "--format", "csv")


def cores_of(machine_text):
    """The number of distinct cores in machine.csv's text."""
    return len({row["core"] for row in csv.DictReader(io.StringIO(machine_text))})


# The MPI families the sweep tells apart, as `--version` texts and shared libraries name them.
FAMILY_NAMES = {"openmpi": "Open MPI", "mpich": "MPICH"}
VERSION_PATTERNS = {"openmpi": re.compile(r"Open MPI|OpenRTE"), "mpich": re.compile(r"MPICH|HYDRA")}
LIBRARY_PATTERNS = {"openmpi": re.compile(r"\blibmpi\.so\.40\b"),
                    "mpich": re.compile(r"\blibmpich\.so\.")}


def family_in(text, patterns=VERSION_PATTERNS):
    """The family a text names (openmpi, mpich), or None."""
    found = [family for family, pattern in patterns.items() if pattern.search(text)]
    return found[0] if len(found) == 1 else None


def mpi_family(binary):
    """(family, evidence) of the MPI library the binary was built with: what its --version says
    when it names one, else the MPI library it loads (ldd). (None, why) when neither tells."""
    try:
        version = ask(binary, "--version")
    except BinaryError:
        version = ""
    family = family_in(version)
    if family:
        return family, f"its --version: {version.strip().splitlines()[0]}"
    try:
        libraries = subprocess.run(["ldd", binary], capture_output=True, text=True,
                                   errors="replace", timeout=TIMEOUT_S).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None, "ldd could not read it"
    family = family_in(libraries, LIBRARY_PATTERNS)
    if family:
        library = next(line.split()[0] for line in libraries.splitlines()
                       if LIBRARY_PATTERNS[family].search(line))
        return family, f"it loads {library}"
    return None, "it loads neither Open MPI's libmpi.so.40 nor MPICH's libmpich"

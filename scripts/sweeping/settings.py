"""The sweep's settings: which it takes, where they come from, and the checks every value passes
before anything is created.

A setting is a NAME=value argument or a variable of the environment (the argument wins; an empty
value means the default). The sweep knows every setting it takes: its own (`OWN`) and one per
axis of the binary (`shmcount --list axes`), under its plural and its singular name. An unknown
NAME=value argument is refused; the environment holds unrelated variables, so there only an
upper-case name very close to a known one (ROUND, RANK, DRYRUN) is refused, with the name meant.
"""

import difflib
import os
import re
from dataclasses import dataclass

# The defaults: with the run as the unit, rounds are what buy power. Measured with make calibrate
# on the 2-vCPU development VM (docs/analysis.md): the per-round spread of a ratio between two
# copies of one point was 0.14 to 0.23 (log): 40 rounds of 3 repetitions found a 10% difference
# 73% to 87% of the time in three sets, 50 rounds 92%; 10 rounds find about 20% differences.
DEFAULT_ROUNDS = "50"
DEFAULT_REPS = "3"

# Settings of the sweep itself: name -> (default, as --help shows it; what it sets).
OWN = {
    "RANKS": ("1 2 4 ... up to 2 x the PUs", "rank counts"),
    "ROUNDS": (DEFAULT_ROUNDS, "rounds: every point once per round, in an order of the round's own"),
    "REPS": (DEFAULT_REPS, "timed repetitions of each run"),
    "WARMUP": ("1", "untimed repetitions before them"),
    "COPIES": ("1", "measure every point K times, as K points told apart by the axis `copy`"),
    "REFERENCE": ("1", "1: also run shmcount's defaults at 1 rank in every round (drift)"),
    "KEEP_DUPLICATES": ("0", "1: also run strategies that plan exactly like another one"),
    "SEED": ("from the settings' hash", "seed of the rounds' orders"),
    "BENCH": ("1", "1: also run the kernel microbenchmarks into bench.json"),
    "DRY_RUN": ("0", "1: list the runs and estimate their time; create nothing"),
    "MPI": ("auto", "auto, openmpi or mpich: which build and launcher (mpich: "
                    "build-mpich/shmcount under mpiexec.mpich)"),
    "LAUNCHER": ("mpirun (mpiexec.mpich for MPI=mpich)",
                 "mpirun, mpiexec.mpich, srun, or a template with {np}"),
    "SHMCOUNT": ("build/shmcount (build-mpich/ for MPI=mpich)", "the binary"),
    "BENCH_BIN": ("bench/shmcount_bench beside the binary", "the microbenchmarks"),
    "NAME": ("sweep-{host}-{hash}", "the result set's folder; {host} and {hash} (of the "
                                    "settings) are filled in"),
    "RESULTS_ROOT": ("results", "where result sets go"),
}
# Variables of the environment that belong to the tools around the sweep, never settings.
FOREIGN_PREFIXES = ("SHMCOUNT_",)
# How close an environment variable's name must be to a setting's to be taken for a typo of it
# (difflib's ratio: ROUND/ROUNDS 0.91, RANK/RANKS 0.89; PAGER/PAGES, an unrelated variable, 0.80).
ENV_CUTOFF = 0.85
# Limits of the numbers: beyond them a setting is refused, saying what is allowed.
MAX_ROUNDS = 1000
MAX_COPIES = 100
MAX_SEED = 2**63 - 1
MAX_RANKS_PER_PU = 16  # a sweep's ranks run on this machine: 16 per PU is already extreme
MPI_CHOICES = ("auto", "openmpi", "mpich")
# The launcher each MPI setting means when LAUNCHER is not given.
DEFAULT_LAUNCHER = {"auto": "mpirun", "openmpi": "mpiexec.openmpi", "mpich": "mpiexec.mpich"}
# Other names of an axis's setting: the name the idea has where users also meet it. --pin's CSV
# column and JSON config key are `strategy` (kept for existing readers), so STRATEGIES and
# STRATEGY name the PINS axis too (docs/output.md, "One name per idea").
AXIS_ALIASES = {"pin": ("STRATEGIES", "STRATEGY")}
# The sweep's own default for an axis, where it differs from shmcount's single default.
SWEEP_DEFAULTS = {"pin": ("none", "compact", "core", "scatter")}
NAME_PATTERN = re.compile(r"[A-Za-z0-9_+][A-Za-z0-9._+-]{0,199}")


# The variables of the make command line (the Makefile's sweep target sets it): make exports
# them to the sweep's environment, where they would otherwise read as the user's own.
MAKE_COMMAND_LINE = "SWEEP_MAKE_COMMAND_LINE"


class SettingError(Exception):
    """A setting the sweep refuses: the message says which, what was wrong and what is allowed."""


def suggestion(name, known, braces=False):
    """'; did you mean X?' for the known name closest to `name`, or ''."""
    close = difflib.get_close_matches(name.upper() if not braces else name, known, n=1,
                                      cutoff=0.6)
    if not close:
        return ""
    return f"; did you mean {{{close[0]}}}?" if braces else f"; did you mean {close[0]}?"


def known_names(axes):
    """Every setting name the sweep takes with these axes."""
    return (set(OWN) | {a.setting for a in axes} | {a.singular for a in axes}
            | {alias for a in axes for alias in AXIS_ALIASES.get(a.name, ())})


def gather(argv, environ):
    """(settings, names given as arguments): NAME=value arguments over the environment."""
    values = dict(environ)
    given = []
    for arg in argv:
        name, eq, value = arg.partition("=")
        if not eq or not name:
            raise SettingError(f"'{arg}' is not a setting: settings are NAME=value (see --help)")
        values[name] = value
        given.append(name)
    return values, given


def check_names(given, environ, known):
    """Refuses an argument that is no setting, and an environment variable that looks like a
    typo of one (ROUND=2 from `make sweep ROUND=2` reaches the sweep that way)."""
    for name in given:
        if name not in known:
            raise SettingError(f"unknown setting {name}{suggestion(name, sorted(known))} "
                               f"({program_name()} --help lists them)")
    for name in environ:
        if (name in known or not re.fullmatch(r"[A-Z][A-Z0-9_]*", name)
                or name.startswith(FOREIGN_PREFIXES)):
            continue
        close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=ENV_CUTOFF)
        if close and name in environ.get(MAKE_COMMAND_LINE, "").split():
            raise SettingError(f"unknown setting {name} (on the make command line); did you "
                               f"mean {close[0]}?")
        if close:
            raise SettingError(f"unknown setting {name} (in the environment); did you mean "
                               f"{close[0]}? Unset {name} to go on")


def whole(name, text, low, high):
    """`text` as a whole number from low to high, written plainly (no sign, no leading zero)."""
    if not re.fullmatch(r"0|[1-9][0-9]{0,18}", text) or not low <= int(text) <= high:
        raise SettingError(f"{name}: '{text}' is not a whole number from {low} to {high}")
    return int(text)


def flag(name, text):
    """0 or 1 as a bool."""
    if text not in ("0", "1"):
        raise SettingError(f"{name}: '{text}' is neither 0 nor 1")
    return text == "1"


def words(name, text):
    """The words of a list setting; refuses a repeated word and one that looks like an option."""
    out = text.split()
    for w in out:
        if w.startswith("-") or not w.isprintable():
            raise SettingError(f"{name}: '{w}' is not a value (values are words such as "
                               "core or 20000; options are the sweep's to give)")
        if out.count(w) > 1:
            raise SettingError(f"{name} lists '{w}' twice")
    return tuple(out)


@dataclass(frozen=True)
class Settings:
    """Every setting, checked; the axis values in the order given."""

    ranks: tuple
    values: dict  # axis name -> its values
    rounds: int
    reps: int
    warmup: int
    copies: int
    reference: bool
    keep_duplicates: bool
    seed: int  # None: taken from the settings' hash
    bench: bool
    dry_run: bool
    mpi: str
    launcher: str
    shmcount: str
    bench_bin: str
    name: str  # may hold {host} and {hash}
    results_root: str


def program_name():
    """How the user called the sweep: the installed tool's name, or scripts/sweep.py."""
    return os.environ.get("SHMCOUNT_TOOL") or "scripts/sweep.py"


def repo_root():
    """The checkout this script lives in (scripts/sweeping/ -> the root)."""
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def binary_of(raw):
    """(MPI setting, the binary's path): SHMCOUNT, or the build folder MPI names."""
    mpi = raw.get("MPI") or "auto"
    if mpi not in MPI_CHOICES:
        raise SettingError(f"MPI: '{mpi}' is not one of {', '.join(MPI_CHOICES)}")
    build = "build" if mpi == "auto" else f"build-{mpi}"
    shmcount = raw.get("SHMCOUNT") or os.path.join(repo_root(), build, "shmcount")
    if not (os.path.isfile(shmcount) and os.access(shmcount, os.X_OK)):
        hint = f"make MPI={mpi}" if mpi != "auto" else "make"
        raise SettingError(f"{shmcount} not found or not executable; run {hint} first "
                           "(or give SHMCOUNT=path)")
    return mpi, shmcount


def parse(raw, axes, pus, mpi, shmcount, limits):
    """Settings from the raw values; SettingError for the first value out of bounds. `limits` is
    shmcount's own largest values by option (binary.list_limits): REPS and WARMUP stay in them."""
    def get(name, default):
        return raw.get(name) or default

    max_ranks = MAX_RANKS_PER_PU * pus
    default_ranks = " ".join(str(1 << i) for i in range(64) if 1 << i <= 2 * pus)
    ranks = words("RANKS", get("RANKS", default_ranks))
    if not ranks:
        raise SettingError("RANKS must name at least one rank count")
    for r in ranks:
        if not re.fullmatch(r"[1-9][0-9]{0,18}", r) or int(r) > max_ranks:
            raise SettingError(f"RANKS: '{r}' is not a rank count from 1 to {max_ranks} "
                               f"({MAX_RANKS_PER_PU} per PU of the {pus} this machine has)")
    values = {}
    for axis in axes:
        plural, singular = axis.setting, axis.singular
        names = list(dict.fromkeys((singular, plural) + AXIS_ALIASES.get(axis.name, ())))
        given_names = [n for n in names if raw.get(n)]
        if len(given_names) > 1:
            raise SettingError(f"{given_names[0]} and {given_names[1]} name the same axis; give "
                               "one of them")
        text = raw.get(given_names[0]) if given_names else None
        default = SWEEP_DEFAULTS.get(axis.name, (axis.default,) if axis.default else ())
        vals = words(plural, text) if text else default
        if not vals:
            raise SettingError(f"{plural}: shmcount gives no default for {axis.option}; "
                               f"set {plural}")
        values[axis.name] = vals
    seed_text = raw.get("SEED")
    name = get("NAME", "sweep-{host}-{hash}")
    check_name(name)
    return Settings(
        ranks=tuple(int(r) for r in ranks), values=values,
        rounds=whole("ROUNDS", get("ROUNDS", DEFAULT_ROUNDS), 1, MAX_ROUNDS),
        reps=whole("REPS", get("REPS", DEFAULT_REPS), 1, limits["--reps"]),
        warmup=whole("WARMUP", get("WARMUP", "1"), 0, limits["--warmup"]),
        copies=whole("COPIES", get("COPIES", "1"), 1, MAX_COPIES),
        reference=flag("REFERENCE", get("REFERENCE", "1")),
        keep_duplicates=flag("KEEP_DUPLICATES", get("KEEP_DUPLICATES", "0")),
        seed=whole("SEED", seed_text, 0, MAX_SEED) if seed_text else None,
        bench=flag("BENCH", get("BENCH", "1")),
        dry_run=flag("DRY_RUN", get("DRY_RUN", "0")),
        mpi=mpi, launcher=get("LAUNCHER", DEFAULT_LAUNCHER[mpi]), shmcount=shmcount,
        bench_bin=get("BENCH_BIN", os.path.join(os.path.dirname(shmcount), "bench",
                                                "shmcount_bench")),
        name=name, results_root=get("RESULTS_ROOT", "results"))


def check_name(name):
    """NAME stays one folder inside RESULTS_ROOT: letters, digits, '.', '_', '+', '-' (no '/',
    no leading '.', so neither '.' nor '..'), once {host} and {hash} are filled in."""
    filled = name.replace("{host}", "h").replace("{hash}", "0")
    if not NAME_PATTERN.fullmatch(filled) or ".." in filled:
        raise SettingError(f"NAME: '{name}' is not a folder name the sweep makes: letters, "
                           "digits, '.', '_', '+' and '-', at most 200, not starting with '.' or "
                           "'-', no '/' or '..' ({host} and {hash} are filled in)")


def fill_name(name, host, digest):
    """NAME with {host} (this machine's short name, made safe) and {hash} filled in."""
    safe_host = re.sub(r"[^A-Za-z0-9_.+-]", "_", host.split(".")[0]) or "host"
    return name.replace("{host}", safe_host).replace("{hash}", digest)

"""How a run starts: the launcher named by LAUNCHER, its family, and the command for N ranks.

LAUNCHER is one of two things:
- a launcher, with or without options of its own (`mpirun`, `mpiexec.mpich`, `srun`,
  `mpirun --mca btl self,vader`): the sweep adds the rank count and, where ranks outnumber the
  cores, the family's leave to oversubscribe (`oversubscribe_flags`): Open MPI `-np N
  --oversubscribe`, MPICH's Hydra `-np N` (it needs none), Slurm's srun `-n N --overcommit
  --cpus-per-task=P`; for srun also `--mpi=pmix` (an Open MPI build) or `--mpi=pmi2` (an MPICH
  build) unless LAUNCHER gives `--mpi` itself;
- a template, any command with placeholders (`srun --mpi=pmix -n {np}`): `{np}` (required)
  becomes the rank count, a word `{oversubscribe}` the family's leave to oversubscribe where ranks
  outnumber the cores (nothing elsewhere); nothing else is added.
Either way the binary and its options follow. The family (openmpi, mpich, slurm) is the
launcher program's own word (`--version`; srun by its name); a binary built with one MPI is
refused under another MPI's launcher, since every rank would start alone.
"""

import os
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass

from sweeping.binary import FAMILY_NAMES, family_in
from sweeping.settings import SettingError, suggestion

PLACEHOLDERS = ("np", "oversubscribe")
# Per family: the option that gives the rank count.
RANK_OPTION = {"openmpi": "-np", "mpich": "-np", "slurm": "-n"}
# srun's PMI plugin for each MPI family of the binary (Debian's Open MPI 4.1 talks PMIx only,
# Debian's MPICH 4.0 PMI-2).
SRUN_PLUGIN = {"openmpi": "pmix", "mpich": "pmi2"}


def oversubscribe_flags(family, pus):
    """What lets a family's launcher start more ranks than cores on a machine of `pus` PUs.

    Open MPI counts one slot per core: --oversubscribe. Hydra sets no limit. srun needs
    --overcommit, and --cpus-per-task=PUs with it: --overcommit alone allocates one CPU, so every
    rank would share it (measured in the test Slurm: 4 ranks, all on PU 0), where mpirun gives
    the ranks the whole machine."""
    return {"openmpi": ["--oversubscribe"],
            "slurm": ["--overcommit", f"--cpus-per-task={pus}"]}.get(family, [])


@dataclass(frozen=True)
class Launcher:
    """A resolved LAUNCHER: its words, the program's family and how it names itself."""

    words: tuple
    family: str  # openmpi, mpich, slurm or other
    version: str  # the program's first line of --version (or its name), for messages
    template: bool
    binary_family: str = None  # the MPI of the binary it starts, when known

    @property
    def text(self):
        return shlex.join(self.words)

    def command(self, ranks, cores, pus):
        """The launcher's words for `ranks` ranks on a machine of `cores` cores and `pus` PUs."""
        flags = oversubscribe_flags(self.family, pus) if ranks > cores else []
        if self.template:
            out = []
            for word in self.words:
                if word == "{oversubscribe}":
                    out += flags
                else:
                    out.append(word.replace("{np}", str(ranks)))
            return out
        out = [*self.words, RANK_OPTION[self.family], str(ranks), *flags]
        plugin = SRUN_PLUGIN.get(self.binary_family)
        if self.family == "slurm" and plugin and not any(w.startswith("--mpi") for w in self.words):
            out.append(f"--mpi={plugin}")
        return out


def family_of(program):
    """(family, how it names itself) of a launcher program: srun by its name (it reads Slurm's
    configuration even for --version), the others by what their --version prints when it
    succeeds (a wrapper that fails on --version is of no known family)."""
    if os.path.basename(program) == "srun":
        return "slurm", "Slurm's srun"
    try:
        done = subprocess.run([program, "--version"], capture_output=True, text=True,
                              errors="replace", timeout=20, stdin=subprocess.DEVNULL)
        text = done.stdout + done.stderr if done.returncode == 0 else ""
    except (OSError, subprocess.TimeoutExpired):
        text = ""
    first = next((line.strip() for line in text.splitlines() if line.strip()), program)
    hydra = re.search(r"HYDRA build details:\s*Version:\s*(\S+)", text)
    if hydra:  # Hydra's first line says only "HYDRA build details:".
        first = f"MPICH's Hydra {hydra.group(1)}"
    return family_in(text) or "other", first


def check_template(text, words):
    """The placeholders of LAUNCHER's words (empty: not a template), checked."""
    names = [m for w in words for m in re.findall(r"\{([^{}]*)\}", w)]
    for name in names:
        if name not in PLACEHOLDERS:
            raise SettingError(f"LAUNCHER: unknown placeholder {{{name}}}"
                               f"{suggestion(name, PLACEHOLDERS, braces=True)}; the placeholders "
                               "are {np} (the rank count) and {oversubscribe}")
    if names and "np" not in names:
        raise SettingError(f"LAUNCHER: the template '{text}' has no {{np}}; every run needs its "
                           "rank count, e.g. 'srun --mpi=pmix -n {np}'")
    if "oversubscribe" in names and "{oversubscribe}" not in words:
        raise SettingError("LAUNCHER: {oversubscribe} must be a word of its own")
    return names


def resolve(text, binary, binary_family, evidence):
    """The Launcher for LAUNCHER's text; SettingError for a missing program, a bad template, an
    unknown family without a template, or a launcher of another MPI than the binary's."""
    try:
        words = tuple(shlex.split(text))
    except ValueError as e:
        raise SettingError(f"LAUNCHER: cannot split '{text}' into words ({e})")
    if not words:
        raise SettingError("LAUNCHER: empty; give mpirun, mpiexec.mpich, srun or a template "
                           "such as 'srun --mpi=pmix -n {np}'")
    names = check_template(text, words)
    program = shutil.which(words[0])
    if program is None:
        raise SettingError(f"LAUNCHER: '{words[0]}' is not a program on PATH ('{text}')")
    family, version = family_of(program)
    if family == "other" and not names:
        raise SettingError(f"LAUNCHER: '{words[0]}' ({version}) is neither Open MPI's, MPICH's "
                           "nor Slurm's, so the sweep cannot tell how to give it a rank count; "
                           f"give a template, e.g. LAUNCHER='{words[0]} -n {{np}}'")
    if family == "other" and "oversubscribe" in names:
        raise SettingError(f"LAUNCHER: {{oversubscribe}} needs a launcher of Open MPI, MPICH or "
                           f"Slurm; '{words[0]}' is {version}")
    if family in FAMILY_NAMES and binary_family in FAMILY_NAMES and family != binary_family:
        hint = ("LAUNCHER=mpiexec.mpich, or MPI=mpich for build-mpich/shmcount"
                if binary_family == "mpich" else "its mpirun; on Debian LAUNCHER=mpiexec.openmpi")
        raise SettingError(
            f"{binary} is built with {FAMILY_NAMES[binary_family]} ({evidence}), but LAUNCHER "
            f"'{text}' starts {FAMILY_NAMES[family]} jobs ({version}): every rank would start "
            f"alone. Run it under {FAMILY_NAMES[binary_family]}'s launcher ({hint}), or sweep a "
            f"binary built with {FAMILY_NAMES[family]}")
    return Launcher(words, family, version, bool(names), binary_family)

# Helpers for whole-program tests: real mpirun, real segments, real files.
# Environment (set by ctest): SHMCOUNT (the binary), MPIEXEC, SHMCOUNT_SOURCE_DIR, SHMCOUNT_PYTHON
# (the Python CMake found: cmake/python.cmake).
set -u

: "${SHMCOUNT:?set SHMCOUNT to the shmcount binary}"
: "${MPIEXEC:=mpirun}"
: "${SHMCOUNT_PYTHON:=/usr/bin/python3}"
export SHMCOUNT_PYTHON
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
# Quiet and quick on a small shared machine: no busy-polling while ranks wait.
export OMPI_MCA_mpi_yield_when_idle=1
# The MPI the launcher belongs to, openmpi or mpich (ctest says; else asked): which launcher
# options a script may use.
if [ -z "${SHMCOUNT_MPI:-}" ]; then
  case "$("$MPIEXEC" --version 2>&1)" in
    *"Open MPI"* | *OpenRTE*) SHMCOUNT_MPI=openmpi ;;
    *HYDRA* | *MPICH*) SHMCOUNT_MPI=mpich ;;
    *) SHMCOUNT_MPI=other ;;
  esac
fi

failures=0
# A failed check says what failed and shows what the last job printed (job.out, job.err), so a
# failure in CI can be understood from its log alone.
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
  local f
  for f in job.out job.err; do
    [ -s "$f" ] || continue
    echo "  --- last lines of $f (the last job's output) ---" >&2
    tail -n 15 "$f" | sed 's/^/  | /' >&2
  done
}
pass() { echo "ok: $*"; }
check() {  # check DESCRIPTION COMMAND...: passes when COMMAND succeeds.
  local what=$1; shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}
finish() {
  if [ "$failures" -ne 0 ]; then echo "$failures check(s) failed" >&2; exit 1; fi
  echo "all checks passed"; exit 0
}

# Re-runs the calling script in fresh IPC and mount namespaces with a private /dev/shm, so its
# segments and shared-memory files are its own: a leak is visible in `ipcs -m` and /dev/shm here,
# and what Open MPI leaves behind when a test kills ranks goes with the namespace. Exits 77
# (ctest: skipped) where that is not allowed. ISOLATE_PIDS=1 adds a PID namespace whose first
# process is the script: when it ends, however it ends, the kernel kills every process it left.
isolate() {
  if [ -z "${SHMCOUNT_ISOLATED:-}" ]; then
    if ! unshare --ipc --mount true 2>/dev/null; then
      echo "skipped: needs root for unshare --ipc --mount"; exit 77
    fi
    local pids=()
    [ -n "${ISOLATE_PIDS:-}" ] && pids=(--pid --fork --kill-child --mount-proc)
    SHMCOUNT_ISOLATED=1 exec unshare --ipc --mount "${pids[@]}" --propagation private \
      bash "$0" "$@"
  fi
  mount -t tmpfs -o mode=1777,size=4g shmcount-test-shm /dev/shm ||
    { echo "FAIL: cannot mount a private /dev/shm" >&2; exit 1; }
}
# Files in this namespace's /dev/shm (empty when none).
shm_files() { find /dev/shm -mindepth 1 -maxdepth 1 2>/dev/null; }

cleanup_workdir() {
  cd /
  umount -q "$WORK"/* 2>/dev/null
  rm -rf "$WORK"
}
# A fresh working folder, removed at exit.
workdir() {
  WORK=$(mktemp -d /tmp/shmcount-test.XXXXXX)
  trap 'cleanup_workdir' EXIT
  cd "$WORK" || exit 1
}

# Segments in this IPC namespace, one line each (empty when none).
segments() { ipcs -m | awk 'NR > 3 && $1 ~ /^0x/'; }
no_segments() { [ -z "$(segments)" ]; }
# Segments of BYTES bytes: shmcount's array among the MPI library's own (MPICH's UCX transport
# keeps segments of its own, mode 660, while a job runs).
segments_of_size() { segments | awk -v bytes="$1" '$5 == bytes'; }

# job NP ARGS...: runs shmcount under mpirun; output in job.out, job.err, status in $rc.
job() {
  local np=$1; shift
  timeout 120 "$MPIEXEC" -np "$np" "$SHMCOUNT" "$@" >job.out 2>job.err
  rc=$?
}

# csv_column FILE NAME: the values of one column (no header).
csv_column() {
  "$SHMCOUNT_PYTHON" -c 'import csv, sys
for row in csv.DictReader(open(sys.argv[1])): print(row[sys.argv[2]])' "$1" "$2"
}
# csv_where FILE COLUMN FILTER_COLUMN VALUE: COLUMN of the rows whose FILTER_COLUMN is VALUE.
csv_where() {
  "$SHMCOUNT_PYTHON" -c 'import csv, sys
for row in csv.DictReader(open(sys.argv[1])):
    if row[sys.argv[3]] == sys.argv[4]: print(row[sys.argv[2]])' "$@"
}
csv_rows() { echo $(($(wc -l <"$1") - 1)); }
# Lines of stderr that are shmcount's own messages.
messages() { grep -c '^shmcount:' job.err; }

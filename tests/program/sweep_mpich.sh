# The sweep with MPI=mpich: the MPICH build (build-mpich/shmcount) under mpiexec.mpich, every
# rank in one job (no singletons), no oversubscription flag (Hydra needs none); a binary of one
# MPI under the other MPI's launcher is refused before anything is created, both ways round.
# Skipped, saying why, without MPICH or its build. Environment: SHMCOUNT (the Open MPI build),
# SHMCOUNT_MPICH (the MPICH build), SHMCOUNT_SOURCE_DIR.
source "$(dirname "$0")/lib.sh"
command -v mpiexec.mpich >/dev/null ||
  { echo "skipped: no mpiexec.mpich (apt-get install mpich libmpich-dev; scripts/setup.sh does)"; exit 77; }
[ -x "${SHMCOUNT_MPICH:-}" ] ||
  { echo "skipped: no MPICH build at ${SHMCOUNT_MPICH:-(SHMCOUNT_MPICH unset)} (see mpich_build)"; exit 77; }
ISOLATE_PIDS=1 isolate "$@"
workdir
sweep=("$SHMCOUNT_PYTHON" "$SHMCOUNT_SOURCE_DIR/scripts/sweep.py")
export RESULTS_ROOT="$WORK/results" BENCH=0 REPS=2 SIZES=20000
cores=$("$SHMCOUNT_MPICH" --plan --ranks "$(nproc)" --pin compact --format csv |
        csv_column /dev/stdin core | sort -u | wc -l)

# An mpiexec.mpich that logs its arguments, then runs the real one.
mkdir bin
cat >bin/mpiexec.mpich <<EOF
#!/bin/bash
[ "\$1" = --version ] || echo "\$*" >>"$WORK/mpiexec.log"
exec $(command -v mpiexec.mpich) "\$@"
EOF
chmod +x bin/mpiexec.mpich
export PATH="$WORK/bin:$PATH"

SHMCOUNT=$SHMCOUNT_MPICH "${sweep[@]}" MPI=mpich NAME=mpich RANKS="1 $((cores + 1))" PINS=core \
  ROUNDS=2 REFERENCE=0 >sweep.out 2>&1
status=$?
if [ $status -eq 0 ]; then pass "MPI=mpich: the sweep exits 0"; else
  fail "MPI=mpich: the sweep exits $status:"; cat sweep.out >&2; fi
m=results/mpich/manifest.csv
check "MPI=mpich: 4 runs, all done" [ "$(csv_column $m status | sort | uniq -c | tr -s ' ')" = " 4 done" ]
check "MPI=mpich: every run went through mpiexec.mpich, -np N and no oversubscription flag" \
  "$SHMCOUNT_PYTHON" - mpiexec.log "$((cores + 1))" <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 4, lines
assert sorted(l.split()[1] for l in lines) == sorted(["1", "1", sys.argv[2], sys.argv[2]]), lines
assert all(l.startswith("-np ") and "--oversubscribe" not in l for l in lines), lines
PY
check "MPI=mpich: the run contexts name MPICH" \
  [ "$(grep -l '"mpi_library": "MPICH' results/mpich/points/*/r*.json | wc -l)" -eq 4 ]
check "MPI=mpich: $((cores + 1)) ranks in one job, not singletons (ranks 0..$cores in its CSV)" \
  [ "$(csv_where results/mpich/points/np$((cores + 1))/r1.csv rank phase parallel | sort -un |
       tr '\n' ' ')" = "$(seq -s ' ' 0 "$cores") " ]
check "MPI=mpich: matrix.txt says MPI=mpich and the launcher" \
  bash -c "grep -qx 'MPI=mpich' results/mpich/matrix.txt && grep -qx 'LAUNCHER=mpiexec.mpich' results/mpich/matrix.txt"

# MPI=mpich alone names the source tree's build-mpich/shmcount (what make MPI=mpich builds).
env -u SHMCOUNT "${sweep[@]}" MPI=mpich RANKS=1 PINS=core ROUNDS=1 DRY_RUN=1 >dry.out 2>&1
status=$?
default=$SHMCOUNT_SOURCE_DIR/build-mpich/shmcount
if [ -x "$default" ]; then
  check "MPI=mpich alone: $default under mpiexec.mpich (exit $status)" \
    bash -c "[ $status -eq 0 ] && grep -q '^round 1 \[1\] mpiexec.mpich -np 1 $default ' dry.out"
else
  check "MPI=mpich alone, no build-mpich/ in the source tree: refused, saying to make it" \
    bash -c "[ $status -eq 2 ] && grep -q 'build-mpich/shmcount not found.*run make MPI=mpich' dry.out"
fi

# refused DESCRIPTION PATTERN SETTINGS...: exit 2, PATTERN in the message, nothing created.
refused() {
  local what=$1 pattern=$2; shift 2
  RESULTS_ROOT="$WORK/fresh" "${sweep[@]}" NAME=bad RANKS=2 PINS=core "$@" >bad.out 2>&1
  local status=$?
  if [ $status -ne 2 ]; then fail "$what: exit $status:"; cat bad.out >&2; rm -rf fresh; return; fi
  if ! grep -q -- "$pattern" bad.out; then fail "$what: no '$pattern' in:"; cat bad.out >&2; return; fi
  if [ -e fresh ]; then fail "$what: created $WORK/fresh"; rm -rf fresh; return; fi
  pass "$what"
}
: >mpiexec.log
refused "the MPICH build under Open MPI's mpirun" \
  "is built with MPICH (.*), but LAUNCHER 'mpirun' starts Open MPI jobs" \
  SHMCOUNT="$SHMCOUNT_MPICH" LAUNCHER=mpirun
refused "the Open MPI build under mpiexec.mpich" \
  "is built with Open MPI (.*), but LAUNCHER 'mpiexec.mpich' starts MPICH jobs" \
  SHMCOUNT="$SHMCOUNT" LAUNCHER=mpiexec.mpich
refused "MPI=mpich with the Open MPI build" "MPI=mpich, but .* is built with Open MPI" \
  MPI=mpich SHMCOUNT="$SHMCOUNT"
refused "a template of Open MPI's mpirun for the MPICH build" "starts Open MPI jobs" \
  SHMCOUNT="$SHMCOUNT_MPICH" LAUNCHER='mpirun -np {np}'
check "nothing was launched for the refused sweeps" [ ! -s mpiexec.log ]
check "no segment left" no_segments
finish

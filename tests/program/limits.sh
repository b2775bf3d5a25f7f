# Limits that bite after the checks, or that the MPI library trips over: no run hangs, none dies
# without a word. A /dev/shm too small for a window is refused before the library is asked; a
# tmpfs that fills up after the shared memory exists kills no POSIX run (its pages are taken at
# once) and ends a window's run with one message at its first touch (SIGBUS); RLIMIT_FSIZE gives
# "File too large", not SIGXFSZ; a full stdout is an error, not exit 0. Nothing is left behind.
source "$(dirname "$0")/lib.sh"
isolate "$@"
workdir
mkdir out

if [ "$SHMCOUNT_MPI" = mpich ]; then
  # MPICH's UCX takes ~4 MiB of /dev/shm per rank in MPI_Init, as files: a tiny /dev/shm or a
  # small ulimit -f fails MPI_Init itself, before shmcount runs (docs/cluster.md). That failure
  # still ends the job, non-zero, leaving nothing; the checks below are shmcount's own, so they
  # keep UCX out of /dev/shm.
  mount -t tmpfs -o size=784k shmcount-test-tiny-shm /dev/shm
  job 2 --share window --reps 1 --output out/tiny.csv
  check "MPICH's UCX refusing a tiny /dev/shm in MPI_Init: the job ends, non-zero (got $rc)" \
    bash -c "[ $rc -ne 0 ] && [ $rc -ne 124 ]"
  check "... nothing left" bash -c "[ -z \"\$(ls -A out)\" ] && [ -z \"\$(find /dev/shm -mindepth 1)\" ]"
  umount /dev/shm
  export UCX_TLS=^posix
fi

# A /dev/shm a few KiB short of what the window needs with what the MPI library adds: refused,
# exit 2, before MPI_Win_allocate_shared is called (Open MPI 4.1 waits forever otherwise).
mount -t tmpfs -o size=784k shmcount-test-tiny-shm /dev/shm
job 2 --share window --reps 1 --output out/tiny.csv
check "window in a /dev/shm too small for it: exit 2 (got $rc)" [ "$rc" -eq 2 ]
check "... one message saying what needs the room" \
  bash -c "[ $(messages) -eq 1 ] && grep -q 'the window (the array and what the MPI library adds to it) needs' job.err"
check "... nothing left" bash -c "[ -z \"\$(ls -A out)\" ] && [ -z \"\$(find /dev/shm -mindepth 1)\" ]"
umount /dev/shm

# stalled_job NAME PHASE ARGS...: starts a job whose rank 0 stalls at PHASE; sets job_pid (the
# launcher) and rank_pid (the stalled rank).
stalled_job() {
  local name=$1 phase=$2
  shift 2
  : >"$name.err"
  SHMCOUNT_FAULT="stall:$phase@0" timeout 120 "$MPIEXEC" -np 2 "$SHMCOUNT" "$@" \
    >"$name.out" 2>"$name.err" &
  job_pid=$!
  rank_pid=$(await_stall "$name.err" $job_pid "$phase")
}
fill_shm() { dd if=/dev/zero of=/dev/shm/filler bs=64k >/dev/null 2>&1; }

# A tmpfs that fills up once the array's memory exists, before anything touched it.
mount -t tmpfs -o size=64m shmcount-test-small-shm /dev/shm
stalled_job posix allocated --share posix --size 4000000 --reps 1 --output out/posix.csv
check "posix: rank 0 stalled with its memory allocated" [ -n "$rank_pid" ]
fill_shm
kill -USR1 "$rank_pid"
wait $job_pid
status=$?
# Pages are taken by their first writer (where its node and the policy put them), so a tmpfs
# filled between allocation and first touch is one message before any write, not a SIGBUS.
check "posix: the first touch on a full tmpfs ends the run, exit 1 (got $status)" [ $status -eq 1 ]
check "posix: with one message saying why" \
  bash -c "[ \$(grep '^shmcount:' posix.err | grep -vc 'fault injection') -eq 1 ] && grep -q 'no room for the pages of the array' posix.err"
rm -f /dev/shm/filler
check "posix: nothing left in /dev/shm, no result file" \
  bash -c "[ -z \"\$(find /dev/shm -mindepth 1)\" ] && [ ! -e out/posix.csv ]"
stalled_job window allocated --share window --size 4000000 --reps 1 --output out/window.csv
check "window: rank 0 stalled with the window allocated" [ -n "$rank_pid" ]
fill_shm
kill -USR1 "$rank_pid"
wait $job_pid
status=$?
check "window: the first touch on a full tmpfs ends the run, exit 1 (got $status)" [ $status -eq 1 ]
check "window: with one message saying why" \
  bash -c "[ \$(grep '^shmcount:' window.err | grep -vc 'fault injection') -eq 1 ] && grep -q 'no room for the pages of the array' window.err"
rm -f /dev/shm/filler
check "window: nothing left in /dev/shm, no result file" \
  bash -c "[ -z \"\$(find /dev/shm -mindepth 1)\" ] && [ ! -e out/window.csv ]"
umount /dev/shm

# RLIMIT_FSIZE on the ranks (after mpirun started, whose own files it would break): the result
# files and a POSIX file larger than it allow are refused with EFBIG, exit 1, nothing left.
limited() { timeout 120 "$MPIEXEC" -np 2 bash -c "ulimit -f 300; exec $SHMCOUNT $*" >job.out 2>job.err; rc=$?; }
limited --reps 5000 --size 1000 --values 10 --no-baseline --output out/big.csv
check "results larger than ulimit -f: exit 1 (got $rc)" [ "$rc" -eq 1 ]
check "... one message: File too large" \
  bash -c "[ $(messages) -eq 1 ] && grep -q \"writing 'out/big.csv' failed: File too large (EFBIG\" job.err"
check "... no result file left" [ ! -e out/big.csv ]
limited --share posix --reps 1 --output out/posix-big.csv
check "a POSIX array larger than ulimit -f: exit 1, File too large (got $rc)" \
  bash -c "[ $rc -eq 1 ] && grep -q 'ftruncate(800000) failed: File too large' job.err"

# A full stdout (a singleton run, whose stdout is its own): the summary is lost, so exit 1.
"$SHMCOUNT" --reps 2 --output out/full.csv >/dev/full 2>job.err
status=$?
check "the summary to a full stdout: exit 1 (got $status)" [ $status -eq 1 ]
check "... one message, naming what was written anyway" \
  bash -c "[ $(messages) -eq 1 ] && grep -q 'writing the summary to standard output failed: No space left on device.*the results are written' job.err"
"$SHMCOUNT" --help >/dev/full 2>job.err
check "--help to a full stdout: exit 1" [ $? -eq 1 ]
check "no segment left" no_segments
finish

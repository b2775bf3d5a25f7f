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
  bash -c "[ $(messages) -eq 1 ] && grep -q 'the window needs .*: the array .* and what the MPI library adds' job.err"
check "... nothing left" bash -c "[ -z \"\$(ls -A out)\" ] && [ -z \"\$(find /dev/shm -mindepth 1)\" ]"
umount /dev/shm

# Every "too big" names what is too big (the array, the count tables, or both, with their sizes)
# and the option that fixes it: issue 28's 64 MiB /dev/shm refused the count tables of
# --counts padded --values 16777216 as "the array needs 384 MiB ... use a smaller --size".
# too_big DESCRIPTION NP 'WANTED'... -- ARGS...: exit 2, one message holding each WANTED (a grep
# -E pattern; one starting with ! must not match), nothing left.
too_big() {
  local what=$1 np=$2 patterns=()
  shift 2
  while [ "$1" != -- ]; do patterns+=("$1"); shift; done
  shift
  rm -rf out && mkdir out
  job "$np" "$@" --reps 1 --output out/big.csv
  [ "$rc" -eq 2 ] || { fail "$what: exit $rc, not 2: $(cat job.err)"; return; }
  [ "$(messages)" -eq 1 ] || { fail "$what: $(messages) messages: $(cat job.err)"; return; }
  for p in "${patterns[@]}"; do
    if [ "${p:0:1}" = '!' ]; then
      ! grep -qE -- "${p:1}" job.err || { fail "$what: '${p:1}' in $(cat job.err)"; return; }
    else
      grep -qE -- "$p" job.err || { fail "$what: no '$p' in $(cat job.err)"; return; }
    fi
  done
  [ -z "$(ls -A out)" ] || { fail "$what: left $(ls -A out)"; return; }
  no_segments || { fail "$what: segment left: $(segments)"; return; }
  [ -z "$(shm_files)" ] || { fail "$what: left in /dev/shm: $(shm_files)"; return; }
  pass "$what"
}
tables='the count tables 256.0 MiB \(--counts padded: 16777216 values x 2 ranks\)'
by_counts='use a smaller --values,? (or )?--counts private'
mount -t tmpfs -o size=64m shmcount-test-small-shm /dev/shm
too_big "posix, the count tables too big for /dev/shm: named, with --values and --counts" 2 \
  "/dev/shm has [0-9.]+ MiB free, and the shared memory needs 256.0 MiB: $tables and the array 4 KiB \(--size 1000\)" \
  "$by_counts" '!smaller --size' -- --share posix --counts padded --values 16777216 --size 1000
too_big "posix, the array too big for /dev/shm: named, with --size" 2 \
  "the array \(--size 30000000\) needs 114.4 MiB; use a smaller --size, --share sysv, or a larger /dev/shm" \
  '!count tables|--values' -- --share posix --size 30000000
too_big "posix, both too big for /dev/shm: both named, both options" 2 \
  "$tables and the array 76.3 MiB \(--size 20000000\)" \
  "use a smaller --size and a smaller --values \(or --counts private\)" \
  -- --share posix --counts padded --values 16777216 --size 20000000
too_big "posix, one shared table too big: named, with --values and --counts" 2 \
  "the count table 128.0 MiB \(--counts shared: 16777216 values\)" "$by_counts" '!smaller --size' \
  -- --share posix --counts shared --values 16777216 --size 1000
too_big "window, the count tables too big for /dev/shm: named, with --values and --counts" 2 \
  "the window needs 256.1 MiB: $tables, what the MPI library adds" "$by_counts" '!smaller --size' \
  -- --share window --counts padded --values 16777216 --size 1000
umount /dev/shm

# System V: kernel.shmmax and kernel.shmall (this IPC namespace's own) name the part too.
sysctl -q -w kernel.shmmax=100000000
too_big "sysv, the count tables above kernel.shmmax: named, with --values and --counts" 2 \
  "kernel.shmmax is 100000000 bytes, and the segment needs 256.0 MiB: $tables" "$by_counts" \
  '!smaller --size' -- --share sysv --counts padded --values 16777216 --size 1000
too_big "sysv, the array above kernel.shmmax: named, with --size" 2 \
  "kernel.shmmax is 100000000 bytes, and the array \(--size 30000000\) needs 114.4 MiB: use a smaller --size" \
  '!count tables|--values' -- --share sysv --size 30000000
sysctl -q -w kernel.shmmax=18446744073692774399
shmall=$(sysctl -n kernel.shmall)
sysctl -q -w kernel.shmall=20000
too_big "sysv, the count tables above kernel.shmall: named, with --values and --counts" 2 \
  "kernel.shmall \(20000 pages, 78.1 MiB for all segments\) leaves [0-9.]+ [KM]iB with [0-9]+ segment" \
  "the segment needs 256.0 MiB: $tables" "$by_counts" '!smaller --size' \
  -- --share sysv --counts padded --values 16777216 --size 1000
sysctl -q -w kernel.shmall="$shmall"

# A rank whose address space (ulimit -v) cannot map the window: the part named, the options.
timeout 120 "$MPIEXEC" -np 2 bash -c "ulimit -v 400000; exec $SHMCOUNT --share window --counts \
  padded --values 16777216 --size 1000 --reps 1 --output out/as.csv" >job.out 2>job.err
rc=$?
check "ulimit -v too small for the window's count tables: exit 2, one message naming them (got $rc)" \
  bash -c "[ $rc -eq 2 ] && [ \$(grep -c '^shmcount:' job.err) -eq 1 ] &&
    grep -qE 'ulimit -v: 400000 KiB.*the window needs 256.0 MiB: $tables.*$by_counts' job.err"

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
  bash -c "[ \$(grep '^shmcount:' posix.err | grep -vc 'fault injection') -eq 1 ] && grep -q 'no room for the pages of the array, 15.3 MiB .*; use a smaller --size or another --share' posix.err"
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
  bash -c "[ \$(grep '^shmcount:' window.err | grep -vc 'fault injection') -eq 1 ] && grep -q 'no room for the pages of the array, 15.3 MiB .*; use a smaller --size or another --share' window.err"
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

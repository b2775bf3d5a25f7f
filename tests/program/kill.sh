# Kill anything, leak nothing: SIGKILL one rank at each phase, or signal mpirun, with every
# sharing mechanism; the job ends in bounded time, no segment is left in this IPC namespace, no
# file in this mount namespace's /dev/shm (only Open MPI's own vader files of killed ranks), no
# temporary file, and earlier results are byte-identical.
source "$(dirname "$0")/lib.sh"
isolate "$@"
workdir
mkdir out
echo "earlier" >out/old.csv
before=$(sha256sum out/old.csv)

# Files of shmcount's own in /dev/shm: POSIX arrays, and the backing files of MPI windows.
shm_left() { shm_files | grep -v '/vader_segment\.'; }

# kill_at PHASE RANK SIGNAL TARGET [SHARE]: stall RANK at PHASE, then send SIGNAL to the rank or
# mpirun.
kill_at() {
  local phase=$1 rank=$2 sig=$3 target=$4 share=${5:-sysv}
  local what="--share $share: kill -$sig $target with rank $rank stalled at $phase"
  : >job.err  # Not the last job's stall message: its rank is gone.
  SHMCOUNT_FAULT="stall:$phase@$rank" timeout 120 "$MPIEXEC" -np 3 "$SHMCOUNT" --reps 2 \
    --share "$share" --output out/new.csv >job.out 2>job.err &
  local launcher=$!  # timeout's; the launcher (mpirun) is its child.
  # The handshake: the stalled rank's line "stalling at PHASE (pid N)", read as it is written
  # (tail -f), however long the job takes to start under load; only a job that ends without it
  # (tail --pid) ends the wait. tail goes when the job does.
  local pid
  pid=$(sed -n "s/.*stalling at $phase (pid \([0-9]*\)).*/\1/p;T;q" \
    < <(tail -n +1 -f --pid="$launcher" job.err))
  [ -n "$pid" ] || { fail "$what: rank never stalled: $(cat job.err)"; kill -9 $launcher; return; }
  if [ "$phase" != start ] && [ "$share" = sysv ]; then
    # After attaching, the segment exists, is private and already marked for removal (found
    # by its size, 200000 int32, among the MPI library's own).
    local seg; seg=$(segments_of_size 800000)
    [ -n "$seg" ] || { fail "$what: no segment while running"; }
    echo "$seg" | awk '{ exit !($4 == "600" && $NF == "dest") }' ||
      fail "$what: segment not 600 and marked dest: $seg"
  fi
  if [ "$phase" != start ]; then
    # Every mechanism's name is gone before any kernel runs: nothing a kill could leave.
    [ -z "$(shm_left)" ] || fail "$what: a file in /dev/shm while running: $(shm_left)"
  fi
  local started=$SECONDS
  # The signal goes to mpirun alone: a signal to timeout would reach the whole process group.
  if [ "$target" = rank ]; then
    kill "-$sig" "$pid"
  else
    kill "-$sig" $(ps -o pid= --ppid $launcher)
  fi
  wait $launcher
  local status=$?
  if [ "$status" -eq 0 ]; then
    # MPICH's Hydra exits 0 after SIGINT or SIGTERM now and then (6 in 140 tries here, sent to
    # mpiexec.mpich alone too): it sums the exit codes its proxies reported, and a proxy that has
    # not reported yet counts as 0. That is the launcher's status, not shmcount's: under MPICH it
    # is noted, and what shmcount promises (the job ends, nothing is left) is still checked.
    if [ "$SHMCOUNT_MPI" = mpich ] && [ "$target" = mpirun ]; then
      echo "note: $what: mpiexec.mpich exited 0 (Hydra's race, see README)"
    else
      fail "$what: job exited 0"
      return
    fi
  fi
  # mpirun may return before its ranks are gone; they must all be gone, and have detached, soon.
  wait_for 120 '' no_segments
  local took=$((SECONDS - started))
  [ "$took" -lt 60 ] || { fail "$what: took ${took}s to end"; return; }
  no_segments || { fail "$what: segment left after ${took}s: $(segments)"; return; }
  [ -z "$(shm_left)" ] || { fail "$what: left in /dev/shm: $(shm_left)"; return; }
  [ "$(ls -A out | tr '\n' ' ')" = "old.csv " ] || { fail "$what: left $(ls -A out)"; return; }
  [ "$(sha256sum out/old.csv)" = "$before" ] || { fail "$what: earlier result changed"; return; }
  pass "$what (ended in ${took}s)"
}

kill_at start 1 9 rank
kill_at attached 0 9 rank
kill_at attached 2 9 rank
kill_at kernel 1 9 rank
kill_at kernel 0 9 rank
kill_at gather 2 9 rank
kill_at write 0 9 rank
kill_at kernel 1 INT mpirun
kill_at kernel 1 TERM mpirun
for share in posix window private; do
  kill_at start 1 9 rank "$share"
  kill_at attached 0 9 rank "$share"
  kill_at attached 2 9 rank "$share"
  kill_at kernel 1 9 rank "$share"
  kill_at gather 0 9 rank "$share"
done
finish

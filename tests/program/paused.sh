# A paused rank does not silently skew a result: a repetition far outside the others is flagged
# in the summary and the run context, and --time-limit ends an overdue job with one message,
# nothing written and no shared memory left, even when a rank is stopped for real (SIGSTOP).
source "$(dirname "$0")/lib.sh"
isolate "$@"
workdir
mkdir out

# background_job NP FAULT ARGS...: shmcount with a fault, in the background; waits until the
# faulted rank stalls and sets $stalled to its pid.
background_job() {
  local np=$1 fault=$2; shift 2
  : >job.err  # Not the last job's stall message: its rank is gone.
  SHMCOUNT_FAULT=$fault timeout 120 "$MPIEXEC" -np "$np" "$SHMCOUNT" "$@" >job.out 2>job.err &
  launcher=$!
  stalled=""
  for _ in $(seq 300); do
    stalled=$(sed -n 's/.*stalling at [a-z]* (pid \([0-9]*\)).*/\1/p' job.err | head -1)
    [ -n "$stalled" ] && return 0
    sleep 0.1
  done
  return 1
}

# 1. Rank 1 paused 2 s inside the first timed repetition: the job succeeds and says so.
background_job 2 stall:timed@1 --reps 6 --output out/paused.csv || fail "rank never stalled"
sleep 2
kill -USR1 "$stalled"
wait $launcher
check "a paused repetition still exits 0" [ $? -eq 0 ]
check "the summary flags repetition 0 as far outside the others" \
  grep -q 'warning: parallel repetition 0 took .* far outside the others' job.out
check "the run context lists it as an outlier" "$SHMCOUNT_PYTHON" -c '
import json, sys
o = json.load(open("out/paused.json"))["summary"]["outliers"]
assert [x["rep"] for x in o if x["phase"] == "parallel"] == [0], o
assert o[0]["ms"] > 1500, o' 
check "the other repetitions are not flagged" [ "$(grep -c 'far outside' job.out)" -eq 1 ]

# expect_ended WHAT STARTED PATTERN: the job ended with exit 1 (the time limit's status, under
# either MPI's launcher) within bounds, one message with PATTERN, nothing written, no segment.
expect_ended() {
  local what=$1 started=$2 pattern=$3
  wait $launcher
  local status=$? took=$((SECONDS - started))
  [ "$status" -eq 1 ] || { fail "$what: exit $status, not 1"; return; }
  [ "$took" -lt 30 ] || { fail "$what: took ${took}s"; return; }
  [ "$(messages_other_than_stall)" -eq 1 ] || { fail "$what: messages: $(cat job.err)"; return; }
  grep -q -- "$pattern" job.err || { fail "$what: no '$pattern' in $(cat job.err)"; return; }
  for _ in $(seq 50); do no_segments && break; sleep 0.2; done
  no_segments || { fail "$what: segment left: $(segments)"; return; }
  [ -z "$(ls -A out | grep -v '^paused\.')" ] || { fail "$what: left $(ls -A out)"; return; }
  pass "$what (ended in ${took}s)"
}
messages_other_than_stall() { grep '^shmcount:' job.err | grep -vc 'fault injection'; }

# 2. --time-limit ends a job whose rank 1 never finishes its repetition.
started=$SECONDS
background_job 2 stall:timed@1 --reps 3 --time-limit 2 --output out/limited.csv ||
  fail "rank never stalled"
expect_ended "--time-limit 2 with a rank stuck in the kernel" "$started" \
  "^shmcount: --time-limit 2 s passed during the parallel phase"

# 3. A rank stopped for real (SIGSTOP) before its first repetition.
started=$SECONDS
background_job 3 stall:kernel@1 --reps 3 --time-limit 3 --output out/stopped.csv ||
  fail "rank never stalled"
kill -STOP "$stalled"
kill -USR1 "$stalled"  # Pending while it is stopped.
expect_ended "--time-limit 3 with rank 1 stopped by SIGSTOP" "$started" \
  "^shmcount: --time-limit 3 s passed"

# 4. Rank 0 itself stopped: the next rank ends the job and says so.
started=$SECONDS
background_job 2 stall:kernel@0 --reps 3 --time-limit 2 --output out/stopped0.csv ||
  fail "rank never stalled"
kill -STOP "$stalled"
expect_ended "--time-limit 2 with rank 0 stopped by SIGSTOP" "$started" \
  "^shmcount: rank 1 (rank 0 did not answer: stopped?): --time-limit 2 s passed"
finish

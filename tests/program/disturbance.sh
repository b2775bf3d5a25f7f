# Disturbance is measured, not guessed: a rank that shares its PU with a busy process outside the
# job waits for the CPU and is flagged in the CSV, the summary and the run context; the ranks of a
# run too short for anything to interrupt are not.
source "$(dirname "$0")/lib.sh"
isolate "$@"
workdir
[ "$(nproc)" -ge 2 ] || { echo "skipped: needs 2 PUs (rank 1 alone on its PU)"; exit 77; }

# Rank 1's PU under --pin core, as the plan gives it.
pu=$("$SHMCOUNT" --plan --ranks 2 --pin core --format csv | csv_where /dev/stdin pu_os rank 1)
taskset -c "$pu" bash -c 'while :; do :; done' &
busy=$!
trap 'kill $busy 2>/dev/null; cleanup_workdir' EXIT
# A repetition of about 50-100 ms (ten times the default array): far longer than the scheduler's
# slice and than the credit a rank that slept in the barrier gets on waking, so sharing the PU with
# a spinning process costs it a large share of every repetition. With the default size (7-10 ms)
# a woken rank often ran a whole repetition before the spinner got its turn (7 of 10 flagged once
# on a fresh clone).
job 2 --pin core --size 2000000 --reps 10 --no-baseline --output busy.csv
kill $busy; wait $busy 2>/dev/null
check "a run beside a busy process exits 0 ($(cat job.err))" [ "$rc" -eq 0 ]
flagged=$("$SHMCOUNT_PYTHON" - busy.csv <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["rank"] == "1"]
print(sum(r["disturbed"] == "1" and int(r["off_cpu_ns"] or 0) + int(r["run_delay_ns"] or 0) > 0
          for r in rows))
PY
)
check "rank 1, on the busy PU, is flagged in most repetitions ($flagged of 10)" [ "$flagged" -ge 8 ]
check "rank 1 shows involuntary switches" \
  [ "$(csv_where busy.csv ctx_switches rank 1 | awk '{ s += $1 } END { print s + 0 }')" -gt 0 ]
check "the summary counts the disturbed repetitions" \
  grep -Eq '^disturbance: ([89]|10) of 10 parallel repetition' job.out
check "the run context has the disturbance block" "$SHMCOUNT_PYTHON" - busy.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["summary"]["disturbance"]
assert d["disturbed_reps"] >= 8 and d["reps"] == 10, d
assert d["usable_pus"] >= 2 and d["load_limit"] >= 3 and isinstance(d["run_disturbed"], bool), d
PY

# A kernel of a few microseconds: almost never interrupted, so almost never flagged.
job 2 --pin core --size 64 --values 4 --reps 200 --no-baseline --output quiet.csv
check "a short run exits 0 ($(cat job.err))" [ "$rc" -eq 0 ]
quiet=$(csv_column quiet.csv disturbed | grep -c '^1$')
check "microsecond kernels: at most 5% of 400 records flagged ($quiet)" [ "$quiet" -le 20 ]
check "no segment left" no_segments
finish

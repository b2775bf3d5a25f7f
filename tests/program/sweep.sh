# A small sweep in rounds: every point once per round, each round in its own seeded order
# (manifest.csv), one CSV per point and round, rounds merged by make plots; a rerun or a stopped
# sweep resumes; a failed run is recorded and the sweep goes on; --oversubscribe only where ranks
# outnumber cores; bad settings are refused before anything runs.
source "$(dirname "$0")/lib.sh"
isolate "$@"
workdir
sweep="$SHMCOUNT_SOURCE_DIR/scripts/sweep.sh"
export RESULTS_ROOT="$WORK/results" BENCH=0 REPS=2 SIZES=20000
cores=$("$SHMCOUNT" --plan --ranks "$(nproc)" --pin compact --format csv | csv_column /dev/stdin core |
        sort -u | wc -l)

# An mpirun that logs its arguments and the oversubscribe variable, then runs the real one.
mkdir bin
cat >bin/mpirun <<EOF
#!/bin/bash
echo "\$* | env=\${OMPI_MCA_rmaps_base_oversubscribe:-unset}" >>"$WORK/mpirun.log"
exec $(command -v "$MPIEXEC") "\$@"
EOF
chmod +x bin/mpirun

PATH="$WORK/bin:$PATH" RANKS="1 $((cores + 1))" PINS="core none" ROUNDS=2 SEED=7 \
  bash "$sweep" >sweep.out 2>&1
check "a 4-point sweep in 2 rounds exits 0" [ $? -eq 0 ]
set_dir=$(ls -d results/sweep-*)
m="$set_dir/manifest.csv"
check "one folder, named after the settings" [ "$(ls results | wc -l)" -eq 1 ]
check "manifest lists 8 runs, all done" \
  [ "$(csv_column "$m" status | sort | uniq -c | tr -s ' ')" = " 8 done" ]
check "manifest has round, order and every axis shmcount lists" /usr/bin/python3 - "$m" "$SHMCOUNT" <<'PY'
import csv, subprocess, sys
header = next(csv.reader(open(sys.argv[1])))
axes = [l.split("\t")[0] for l in
        subprocess.run([sys.argv[2], "--list", "axes"], capture_output=True, text=True).stdout.splitlines()[1:]]
assert header[:4] == ["round", "order", "point", "ranks"], header
assert header[4:-2] == axes, (header, axes)
PY
check "every round runs every point once, in another order" /usr/bin/python3 - "$m" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
rounds = {}
for r in rows:
    rounds.setdefault(r["round"], []).append(r)
assert sorted(rounds) == ["1", "2"], rounds.keys()
orders = []
for rd, rs in sorted(rounds.items()):
    assert [int(r["order"]) for r in rs] == list(range(1, 5)), rd
    assert sorted(r["point"] for r in rs) == sorted(set(r["point"] for r in rows)), rd
    orders.append([r["point"] for r in rs])
assert orders[0] != orders[1], orders
PY
check "the seed is recorded" grep -qx 'SEED=7' "$set_dir/matrix.txt"
check "each point has one CSV and run context per round" \
  [ "$(ls "$set_dir"/points/*/r[12].csv "$set_dir"/points/*/r[12].json | wc -l)" -eq 16 ]
check "progress shows runs done/total and time left" grep -q '^\[8/8\] .*about [0-9]*s left' sweep.out
check "machine description and axes saved" [ -s "$set_dir/machine.csv" ] && [ -s "$set_dir/axes.tsv" ]
check "--oversubscribe only for more ranks than the $cores core(s)" /usr/bin/python3 - mpirun.log "$cores" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 8, lines
for line in lines:
    np_ = int(re.search(r"-np (\d+)", line).group(1))
    assert ("--oversubscribe" in line) == (np_ > int(sys.argv[2])), line
    assert line.endswith("env=unset"), line
PY
check "axes at their default are not passed" bash -c "! grep -q -- '--kernel\|--size 200000' mpirun.log"
check "an axis with a non-default value is passed" grep -q -- '--size 20000 ' mpirun.log

/usr/bin/python3 "$SHMCOUNT_SOURCE_DIR/scripts/plots.py" --results "$set_dir" --out plots \
  >plots.out 2>&1
check "plots takes each point's rounds as its runs: 2 runs of 2 repetitions" \
  grep -q '^| core | 1 | 2 | 2 | ' plots/REPORT.md

# Resume: the same settings find the same folder; finished runs are kept.
before=$(stat -c %Y "$set_dir/points/core-np1/r1.csv")
rm "$set_dir/points/none-np1/r2.status"   # As if the sweep had been stopped there.
RANKS="1 $((cores + 1))" PINS="core none" ROUNDS=2 SEED=7 bash "$sweep" >sweep.out 2>&1
check "rerun exits 0" [ $? -eq 0 ]
check "rerun skips 7 finished runs" [ "$(grep -c 'done earlier, skipped' sweep.out)" -eq 7 ]
check "rerun runs the unfinished one" grep -q '^\[[0-9]/8\] round 2: none-np1 .*: done in' sweep.out
check "finished runs untouched" [ "$(stat -c %Y "$set_dir/points/core-np1/r1.csv")" = "$before" ]

# Stopped while a run is on: that run is cleaned up, the next start resumes.
RANKS=1 PINS=core ROUNDS=3 REPS=200 NAME=stop bash "$sweep" >stop.out 2>&1 &
sweep_pid=$!
for _ in $(seq 300); do [ -e results/stop/points/np1/r1.log ] && break; sleep 0.1; done
kill -TERM "$sweep_pid"
wait "$sweep_pid"
check "a stopped sweep exits 130" [ $? -eq 130 ]
check "it says how to resume" grep -q 'run the sweep again to resume' stop.out
check "the run it stopped in is pending, no CSV" \
  bash -c "grep -q ',pending,' results/stop/manifest.csv && [ ! -e results/stop/points/np1/r1.csv ]"
RANKS=1 PINS=core ROUNDS=3 REPS=2 NAME=stop bash "$sweep" >stop.out 2>&1
check "other settings under the same NAME are refused" [ $? -eq 2 ]

NAME=fail RANKS="1 2" PINS=list:0 ROUNDS=1 bash "$sweep" >sweep.out 2>&1
check "a failed run makes the sweep exit 1" [ $? -eq 1 ]
check "the failed run is recorded" \
  [ "$(csv_where results/fail/manifest.csv status point np2)" = failed ]
check "the failure is reported at the end" grep -q '1 run failed' sweep.out

# The memory axes come from shmcount like any other; a singular name works too.
NAME=mem RANKS=2 PINS=core SHARE="sysv private" TOUCHES=leader ROUNDS=1 REPS=1 BENCH=0 \
  bash "$sweep" >sweep.out 2>&1
check "a sweep over --share exits 0" [ $? -eq 0 ]
check "the manifest has a share column with both mechanisms" \
  [ "$(csv_column results/mem/manifest.csv share | sort -u | tr '\n' ' ')" = "private sysv " ]
check "each point ran with its mechanism" \
  [ "$(for f in results/mem/points/*/r1.csv; do csv_column "$f" share | sort -u; done | sort | tr '\n' ' ')" = "private sysv " ]

# refused DESCRIPTION PATTERN SETTINGS...: exit 2, PATTERN in the message, nothing created.
refused() {
  local what=$1 pattern=$2; shift 2
  env NAME=bad "$@" bash "$sweep" >sweep.out 2>&1
  local status=$?
  [ $status -eq 2 ] || { fail "$what: exit $status"; return; }
  grep -q -- "$pattern" sweep.out || { fail "$what: $(cat sweep.out)"; return; }
  [ ! -e results/bad ] || { fail "$what: created results/bad"; return; }
  pass "$what"
}
refused "unknown strategy" "unknown strategy" PINS="core bogus"
refused "unknown kernel" "turbo" KERNELS=turbo
refused "bad size, by shmcount's parser" "--size '0'" SIZES="0 20000"
refused "an axis given twice" "SIZE and SIZES name the same axis" SIZE=1000 SIZES=2000
refused "a value twice" "PINS lists 'core' twice" PINS="core none core"
refused "no rounds" "ROUNDS: '0'" ROUNDS=0
refused "bad rank count" "RANKS: 'two'" RANKS="1 two"
check "no segment left" no_segments
finish

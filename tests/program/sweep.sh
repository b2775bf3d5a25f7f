# The sweep (scripts/sweep.py) under Open MPI's mpirun: every point once per round, each round in
# its own seeded order (manifest.csv), one CSV per point and round; a rerun or a stopped sweep
# resumes; a failed run is recorded and the sweep goes on; --oversubscribe only where ranks
# outnumber cores; the reference point in every round; strategies that plan alike measured once
# (duplicates.csv) unless KEEP_DUPLICATES=1; COPIES; launcher templates; DRY_RUN lists exactly
# the runs and creates nothing; a second sweep into a set is locked out; bad settings and typos
# are refused before anything is created, and so is a NAME whose folder no sweep made.
source "$(dirname "$0")/lib.sh"
ISOLATE_PIDS=1 isolate "$@"
workdir
sweep=("$SHMCOUNT_PYTHON" "$SHMCOUNT_SOURCE_DIR/scripts/sweep.py")
export SHMCOUNT RESULTS_ROOT="$WORK/results" BENCH=0 REPS=2 SIZES=20000
# The dry run's probe makes its temporary folder under TMPDIR: here, inside the test's folder.
mkdir tmp
export TMPDIR="$WORK/tmp"
cores=$("$SHMCOUNT" --plan --ranks "$(nproc)" --pin compact --format csv | csv_column /dev/stdin core |
        sort -u | wc -l)

# fields FILE COLUMN...: each row's values of those columns joined by ':', a line per row.
fields() {
  "$SHMCOUNT_PYTHON" -c 'import csv, sys
for r in csv.DictReader(open(sys.argv[1])): print(":".join(r[c] for c in sys.argv[2:]))' "$@"
}
# ran DESCRIPTION OUT COMMAND...: passes when COMMAND exits 0; else prints OUT, what it printed.
ran() {
  local what=$1 out=$2; shift 2
  "$@" >"$out" 2>&1
  local status=$?
  if [ $status -eq 0 ]; then pass "$what"; else fail "$what: exit $status:"; cat "$out" >&2; fi
}
# has DESCRIPTION FILE PATTERN: passes when FILE has a line matching PATTERN; else prints FILE.
has() {
  if grep -q -- "$3" "$2"; then pass "$1"; else fail "$1: no '$3' in $2:"; cat "$2" >&2; fi
}

# An mpirun that logs its arguments and the oversubscribe variable, then runs the real one.
mkdir bin
cat >bin/mpirun <<EOF
#!/bin/bash
[ "\$1" = --version ] || echo "\$* | env=\${OMPI_MCA_rmaps_base_oversubscribe:-unset}" >>"$WORK/mpirun.log"
exec $(command -v "$MPIEXEC") "\$@"
EOF
chmod +x bin/mpirun
export PATH="$WORK/bin:$PATH"

# 1. Four points in two rounds, and the reference added (SIZES=20000 is not shmcount's default).
first=(RANKS="1 $((cores + 1))" PINS="core none" ROUNDS=2 SEED=7)
ran "a 4-point sweep in 2 rounds exits 0" sweep.out "${sweep[@]}" "${first[@]}"
set_dir=$(ls -d results/sweep-*)
m="$set_dir/manifest.csv"
check "one folder, named after the settings" [ "$(ls results | wc -l)" -eq 1 ]
check "manifest lists 10 runs (4 points and the reference, 2 rounds), all done" \
  [ "$(csv_column "$m" status | sort | uniq -c | tr -s ' ')" = " 10 done" ]
check "manifest: round, order, point, ranks, every axis shmcount lists, copy, reference, status, csv" \
  "$SHMCOUNT_PYTHON" - "$m" "$SHMCOUNT" <<'PY'
import csv, subprocess, sys
header = next(csv.reader(open(sys.argv[1])))
axes = [l.split("\t")[0] for l in
        subprocess.run([sys.argv[2], "--list", "axes"], capture_output=True, text=True).stdout.splitlines()[1:]]
assert header == ["round", "order", "point", "ranks"] + axes + ["copy", "reference", "status", "csv"], header
PY
check "every round runs every point once, in another order" "$SHMCOUNT_PYTHON" - "$m" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
rounds = {}
for r in rows:
    rounds.setdefault(r["round"], []).append(r)
assert sorted(rounds) == ["1", "2"], rounds.keys()
orders = []
for rd, rs in sorted(rounds.items()):
    assert [int(r["order"]) for r in rs] == list(range(1, 6)), rd
    assert sorted(r["point"] for r in rs) == sorted(set(r["point"] for r in rows)), rd
    orders.append([r["point"] for r in rs])
assert orders[0] != orders[1], orders
PY
added=$(fields "$m" point reference | grep -c '^reference-np1:added$')
others=$(fields "$m" point reference | grep -v '^reference-np1:' | grep -c ':no$')
check "the reference is added as reference-np1 (reference=added) in both rounds ($added), the others are no ($others)" \
  bash -c "[ $added -eq 2 ] && [ $others -eq 8 ]"
check "COPIES=1 writes copy=1 everywhere" [ "$(csv_column "$m" copy | sort -u)" = 1 ]
check "the seed is recorded" grep -qx 'SEED=7' "$set_dir/matrix.txt"
check "each point has one CSV and run context per round" \
  [ "$(ls "$set_dir"/points/*/r[12].csv "$set_dir"/points/*/r[12].json | wc -l)" -eq 20 ]
has "progress shows runs done/total and time left" sweep.out '^\[10/10\] .*about [0-9]*s left'
has "the sweep says the reference is added" sweep.out 'reference: reference-np1 added'
has "the end says the share of time in timed kernels" sweep.out \
  '^sweep: efficiency: [0-9]*% of the sweep.s [0-9.]* s in timed kernels (parallel makespans'
check "... whose makespans are the runs' own (summed from their CSVs here)" \
  "$SHMCOUNT_PYTHON" - sweep.out "$set_dir" <<'PY'
import csv, glob, re, sys
said = float(re.search(r"parallel makespans ([0-9.]+) s", open(sys.argv[1]).read()).group(1))
total = 0
for path in glob.glob(sys.argv[2] + "/points/*/r*.csv"):
    reps = {}
    for r in csv.DictReader(open(path)):
        if r["phase"] == "parallel":
            a, b = int(r["start_ns"]), int(r["start_ns"]) + int(r["time_ns"])
            lo, hi = reps.get(r["rep"], (a, b))
            reps[r["rep"]] = (min(lo, a), max(hi, b))
    total += sum(b - a for a, b in reps.values()) / 1e9
assert total > 0 and abs(said - total) <= 0.006, (said, total)
PY
has "the end says the per-run overhead" sweep.out \
  '^sweep: per run (10 runs done now): .* the sweep.s own [0-9.]* s, and [0-9.]* s before the first'
check "machine description and axes saved" bash -c "[ -s $set_dir/machine.csv ] && [ -s $set_dir/axes.tsv ]"
check "--oversubscribe only for more ranks than the $cores core(s); no leave by the environment" \
  "$SHMCOUNT_PYTHON" - mpirun.log "$cores" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 10, lines
for line in lines:
    np_ = int(re.search(r"-np (\d+)", line).group(1))
    assert ("--oversubscribe" in line) == (np_ > int(sys.argv[2])), line
    assert line.endswith("env=unset"), line
PY
check "axes at their default are not passed" bash -c "! grep -q -- '--kernel\|--size 200000' mpirun.log"
check "an axis with a non-default value is passed" grep -q -- '--size 20000 ' mpirun.log
check "the reference runs with shmcount's defaults: no axis option" \
  [ "$(grep -c -- '^-np 1 [^ ]*shmcount --reps 2 --warmup 1 --output .*reference-np1/r[12].csv' mpirun.log)" -eq 2 ]
ran "plots read the set" plots.out \
  "$SHMCOUNT_PYTHON" "$SHMCOUNT_SOURCE_DIR/scripts/plots.py" --results "$set_dir" --out plots
check "plots wrote a report" [ -s plots/REPORT.md ]

# 2. DRY_RUN: the same settings list exactly the commands the sweep ran, in order, and estimate
# their time; nothing is created (not even RESULTS_ROOT), nothing is left.
RESULTS_ROOT="$WORK/dry" "${sweep[@]}" "${first[@]}" DRY_RUN=1 >dry.out 2>&1
check "a dry run exits 0" [ $? -eq 0 ]
check "it lists the runs the sweep ran, the same commands in the same order" "$SHMCOUNT_PYTHON" - \
  dry.out mpirun.log "$WORK" <<'PY'
import re, sys
listed = [re.sub(r"^round \d+ \[\d+\] mpirun ", "", l).replace("/dry/", "/results/")
          for l in open(sys.argv[1]).read().splitlines() if l.startswith("round ")]
logged = [l.split(" | ")[0] for l in open(sys.argv[2]).read().splitlines()[:10]]
assert listed == logged, (listed, logged)
PY
has "it estimates the time from a probe run" dry.out '^sweep: dry run: 10 runs, about [0-9]* s (a probe run'
check "a dry run creates nothing" [ ! -e dry ]
check "its probe leaves no folder in TMPDIR" [ -z "$(ls -A tmp)" ]

# 3. Resume: the same settings find the same folder; finished runs are kept.
before=$(stat -c %Y "$set_dir/points/core-np1/r1.csv")
rm "$set_dir/points/none-np1/r2.status"   # As if the sweep had been stopped there.
ran "a dry run of a set begun earlier exits 0" dry.out "${sweep[@]}" "${first[@]}" DRY_RUN=1
has "... saying what was done" dry.out '^sweep: dry run: 9 of 10 runs done earlier in .* (kept); 1 to run'
check "... and listing only the run still to run" \
  bash -c "[ \$(grep -c '^round ' dry.out) -eq 1 ] && grep -q '^round 2 \[[0-9]*\] .*none-np1/r2.csv' dry.out"
ran "rerun exits 0" sweep.out "${sweep[@]}" "${first[@]}"
has "rerun keeps 9 finished runs" sweep.out '^sweep: resuming: 9 of 10 runs done earlier (kept), 1 to run'
has "rerun runs the unfinished one" sweep.out '^\[[0-9]*/10\] round 2: none-np1 .*: done in'
check "rerun runs nothing else" [ "$(grep -c ': done in' sweep.out)" -eq 1 ]
check "finished runs untouched" [ "$(stat -c %Y "$set_dir/points/core-np1/r1.csv")" = "$before" ]

# 4. Stopped while a run is on (SIGTERM, then SIGINT as Ctrl-C sends it): the launch is ended, not
# waited for; its files but its log are removed and it is pending; the next start resumes.
long=(RANKS=1 PINS=core SIZES=2000000 ROUNDS=3 REPS=500 REFERENCE=0)
# run_on SET: a rank of SET's first run is up (its command line names the run's CSV; the sweep's
# own shmcount --plan questions do not), so the sweep is waiting on its launcher.
run_on() { pgrep -f "^[^ ]*/shmcount .*--output [^ ]*/$1/points/np1/r1\.csv" >/dev/null; }
# (set -m: the sweep runs as a job of its own, so SIGINT is not ignored as in a script's & job.)
for sig in TERM INT; do
  rm -rf results/stop
  set -m
  "${sweep[@]}" "${long[@]}" NAME=stop >stop.out 2>&1 &
  sweep_pid=$!
  set +m
  # The run is on once its ranks are (this test has a PID namespace of its own).
  wait_for 120 "$sweep_pid" run_on stop ||
    fail "SIG$sig: the sweep's first run never started: $(cat stop.out)"
  t0=$(date +%s)
  kill -$sig "$sweep_pid"
  wait "$sweep_pid"
  status=$?
  check "SIG$sig: a stopped sweep exits 130 (exit $status)" [ $status -eq 130 ]
  check "SIG$sig: it stopped the run in progress (in $(($(date +%s) - t0)) s) instead of finishing it" \
    bash -c "[ $(($(date +%s) - t0)) -lt 10 ] && ! grep -q '^results:' results/stop/points/np1/r1.log"
  has "SIG$sig: it says how to resume" stop.out 'run the same sweep again to resume'
  statuses=$(csv_column results/stop/manifest.csv status | sort -u)
  check "SIG$sig: the run it stopped in is pending ($statuses), without CSV or JSON, its log kept" \
    bash -c "[ '$statuses' = pending ] && [ ! -e results/stop/points/np1/r1.csv ] &&
             [ ! -e results/stop/points/np1/r1.json ] && [ -e results/stop/points/np1/r1.log ]"
  check "SIG$sig: no rank left running" [ -z "$(pgrep -x shmcount)" ]
done
# A launcher that ignores SIGTERM: a second signal kills it and every process under it at once.
# It notes each SIGTERM in stubborn.signals (the handshake: the sweep passed the first on) and
# goes on waiting for its job.
cat >bin/stubborn <<STUBBORN
#!/bin/bash
trap 'echo TERM >>"$WORK/stubborn.signals"' TERM
n=\$1; shift
mpirun -np "\$n" "\$@" &
job=\$!
while :; do
  wait \$job
  status=\$?
  kill -0 \$job 2>/dev/null || exit \$status
done
STUBBORN
chmod +x bin/stubborn
set -m
"${sweep[@]}" "${long[@]}" NAME=stubborn LAUNCHER='stubborn {np}' >stubborn.out 2>&1 &
sweep_pid=$!
set +m
wait_for 120 "$sweep_pid" run_on stubborn ||
  fail "the stubborn sweep's first run never started: $(cat stubborn.out)"
kill -TERM "$sweep_pid"
wait_for 120 "$sweep_pid" test -s stubborn.signals
check "a launcher that ignores SIGTERM is passed the signal and waited for" \
  bash -c "[ -s stubborn.signals ] && kill -0 $sweep_pid"
t0=$(date +%s)
kill -TERM "$sweep_pid"
wait "$sweep_pid"
status=$?
elapsed=$(($(date +%s) - t0))
check "... a second signal ends it at once: exit 130 (exit $status, in $elapsed s)" \
  bash -c "[ $status -eq 130 ] && [ $elapsed -lt 10 ]"
# (pgrep matches at most 15 characters of a name, so one pgrep per name.)
started_left() { local name; for name in mpirun shmcount stubborn; do pgrep -l -x "$name"; done; }
check "... and kills what it started: no launcher or rank left ($(started_left))" \
  [ -z "$(started_left)" ]
# A signal ignored when the sweep started (nohup's SIGHUP) stays ignored.
(trap '' HUP; exec "${sweep[@]}" "${long[@]}" REPS=20 NAME=nohup >nohup.out 2>&1) &
sweep_pid=$!
wait_for 120 "$sweep_pid" run_on nohup
kill -HUP "$sweep_pid"
hup=$?
# Ignored: the sweep sent SIGHUP during its first run finishes all three rounds.
wait "$sweep_pid"
status=$?
statuses=$(csv_column results/nohup/manifest.csv status 2>/dev/null | sort -u | tr '\n' ' ')
check "SIGHUP ignored at the start (nohup) is still ignored: sent in round 1 (kill: $hup), the sweep finished (exit $status, runs $statuses)" \
  bash -c "[ $hup -eq 0 ] && [ $status -eq 0 ] && ! grep -q interrupted nohup.out &&
           [ '$statuses' = 'done ' ]"
# The result set removed under a running sweep: one message, exit 1, no traceback.
"${sweep[@]}" "${long[@]}" REPS=20 NAME=removed >removed.out 2>&1 &
sweep_pid=$!
wait_for 120 "$sweep_pid" test -e results/removed/points/np1/r1.log
rm -rf results/removed
wait "$sweep_pid"
status=$?
check "a result set removed under the sweep: exit 1 (exit $status), one message, no traceback" \
  bash -c "[ $status -eq 1 ] && grep -q '^sweep: .*No such file or directory; .*results/removed is gone' removed.out &&
           ! grep -q Traceback removed.out"
"${sweep[@]}" "${long[@]}" REPS=3 NAME=stop >stop.out 2>&1
check "other settings under the same NAME are refused (exit 2)" [ $? -eq 2 ]
has "... saying so" stop.out 'holds a sweep with other settings'

# 5. The lock: a second sweep into a set while the first runs is refused, and leaves it alone.
rm -rf results/stop
set -m
"${sweep[@]}" "${long[@]}" NAME=stop >lock1.out 2>&1 &
sweep_pid=$!
set +m
wait_for 120 "$sweep_pid" test -e results/stop/points/np1/r1.log
manifest_before=$(md5sum <results/stop/manifest.csv)
launches_before=$(wc -l <mpirun.log)
timeout 20 "${sweep[@]}" "${long[@]}" NAME=stop >lock2.out 2>&1
status=$?
check "a second sweep into a locked set exits 2 (exit $status)" [ $status -eq 2 ]
has "... naming the sweep that holds it" lock2.out "another sweep (pid $sweep_pid) is running into"
check "... and launches nothing, leaving the set's manifest alone" \
  bash -c "[ '$manifest_before' = \"\$(md5sum <results/stop/manifest.csv)\" ] &&
           [ $launches_before -eq \$(wc -l <mpirun.log) ]"
kill -TERM "$sweep_pid"
wait "$sweep_pid"

# 6. A failed run is recorded and the sweep goes on (rank 1's shmat fails: every 2-rank run).
SHMCOUNT_FAULT=shmat:EACCES@1 "${sweep[@]}" NAME=fail RANKS="1 2" PINS=core ROUNDS=1 >fail.out 2>&1
check "a failed run makes the sweep exit 1" [ $? -eq 1 ]
check "the failed run is recorded" [ "$(csv_where results/fail/manifest.csv status point np2)" = failed ]
check "the sweep went on: the others are done" \
  [ "$(csv_column results/fail/manifest.csv status | sort | tr '\n' ' ')" = "done done failed " ]
has "the failure is reported at the end" fail.out '^sweep: 1 run failed'
check "its log is kept" grep -q 'shmat' results/fail/points/np2/r1.log

# 7. The memory axes come from shmcount like any other; a singular name works too.
ran "a sweep over --share exits 0" sweep.out \
  "${sweep[@]}" NAME=mem RANKS=2 PINS=core SHARE="sysv private" TOUCHES=leader ROUNDS=1 REPS=1
check "the manifest has a share column with both mechanisms" \
  [ "$(csv_column results/mem/manifest.csv share | sort -u | tr '\n' ' ')" = "private sysv " ]
check "each point ran with its mechanism" \
  [ "$(for f in results/mem/points/*-np2/r1.csv; do csv_column "$f" share | sort -u; done | sort | tr '\n' ' ')" = "private sysv " ]

# 8. Strategies that plan alike: measured once, listed in duplicates.csv, said before running;
# the matrix's own point of shmcount's defaults is the reference (reference=yes). What plans
# alike here is asked of shmcount directly.
: >mpirun.log
pins="scatter core compact none launcher"
ran "a sweep over five strategies exits 0" dups.out \
  "${sweep[@]}" NAME=dups RANKS="1 2" PINS="$pins" SIZES=200000 ROUNDS=1 REPS=1
expected=$(for r in 1 2; do
  core=$("$SHMCOUNT" --plan --ranks $r --pin core --format csv)
  for s in scatter compact; do
    [ "$("$SHMCOUNT" --plan --ranks $r --pin $s --format csv)" = "$core" ] && echo "$s-np$r core-np$r"
  done
done | sort)
got=$(fields results/dups/duplicates.csv point same_as 2>/dev/null | tr ':' ' ' | sort)
check "duplicates.csv lists what plans like --pin core (here: $(echo $expected | tr '\n' ' '))" \
  [ "$got" = "$expected" ]
check "... never --pin none or launcher (they plan no PU)" \
  bash -c "! grep -q '^\(none\|launcher\)-\|,\(none\|launcher\)-np' results/dups/duplicates.csv 2>/dev/null"
measured=$(csv_column results/dups/manifest.csv point | sort | tr '\n' ' ')
check "the manifest holds the others, not the duplicates ($measured)" "$SHMCOUNT_PYTHON" - \
  "$measured" "$expected" <<'PY'
import sys
measured, dups = sys.argv[1].split(), [l.split()[0] for l in sys.argv[2].splitlines()]
assert not set(dups) & set(measured), (dups, measured)
assert len(measured) + len(dups) == 10, (dups, measured)
PY
if [ -n "$expected" ]; then
  has "the sweep says which strategy plans as which" dups.out \
    "^sweep: --pin [a-z]* plans as --pin core at .*: measured once"
  for dup in $(echo "$expected" | cut -d- -f1 | sort -u); do
    check "no run of --pin $dup was launched" bash -c "! grep -q -- '--pin $dup ' mpirun.log"
  done
else
  echo "note: no strategy plans like --pin core on this machine: nothing to find"
fi
check "the duplicates.csv columns are manifest.py's" "$SHMCOUNT_PYTHON" - \
  "$SHMCOUNT_SOURCE_DIR/scripts" results/dups <<'PY'
import csv, os, sys
sys.path.insert(0, sys.argv[1])
from analysis import manifest
path = os.path.join(sys.argv[2], "duplicates.csv")
if os.path.exists(path):
    header = next(csv.reader(open(path)))
    axes = [l.split("\t")[0] for l in open(os.path.join(sys.argv[2], "axes.tsv")).read().splitlines()[1:]]
    assert header == manifest.duplicates_header(axes), header
PY
references=$(fields results/dups/manifest.csv point reference | grep -v ':no$' | sort -u | tr '\n' ' ')
check "shmcount's defaults at 1 rank are the matrix's core-np1, reference=yes, nothing added" \
  [ "$references" = "core-np1:yes " ]
ran "KEEP_DUPLICATES=1 exits 0" keep.out \
  "${sweep[@]}" NAME=keep RANKS="1 2" PINS="$pins" SIZES=200000 ROUNDS=1 REPS=1 KEEP_DUPLICATES=1
check "KEEP_DUPLICATES=1 runs all 10 points and writes no duplicates.csv" \
  bash -c "[ \$(grep -c ',done,' results/keep/manifest.csv) -eq 10 ] && [ ! -e results/keep/duplicates.csv ]"
[ -z "$expected" ] || has "... saying that it measures both" keep.out 'both measured (KEEP_DUPLICATES=1'
ran "REFERENCE=0 exits 0" noref.out "${sweep[@]}" NAME=noref RANKS=1 PINS=none ROUNDS=2 REPS=1 REFERENCE=0
check "REFERENCE=0: no reference point" \
  [ "$(csv_column results/noref/manifest.csv reference | sort -u)" = no ]

# 9. COPIES=2: every point twice, told apart by the copy column and the names; copies of one point
# are never duplicates of each other.
ran "COPIES=2 exits 0" copies.out "${sweep[@]}" NAME=copies RANKS=1 PINS="core scatter" ROUNDS=2 REPS=1 \
  REFERENCE=0 COPIES=2
copies=$(fields results/copies/manifest.csv point copy round pin | grep ':core$' | sort | tr '\n' ' ')
check "COPIES=2: np1-copy1 and -copy2 of --pin core, each in both rounds" [ "$copies" = \
  "core-np1-copy1:1:1:core core-np1-copy1:1:2:core core-np1-copy2:2:1:core core-np1-copy2:2:2:core " ]

# 10. Launchers: a template with both placeholders, a launcher with options of its own, and a
# program of no known family (a template is then the way).
: >mpirun.log
ran "LAUNCHER='mpirun -np {np} {oversubscribe}' exits 0" tmpl.out "${sweep[@]}" NAME=tmpl \
  LAUNCHER='mpirun -np {np} {oversubscribe}' RANKS="1 $((cores + 1))" PINS=core ROUNDS=1 REPS=1 REFERENCE=0
check "the template's {np} and {oversubscribe} were filled in" "$SHMCOUNT_PYTHON" - mpirun.log "$cores" <<'PY'
import sys
lines = sorted(l.split(" | ")[0].split(" ")[:3] for l in open(sys.argv[1]).read().splitlines())
over = str(int(sys.argv[2]) + 1)
assert lines == [["-np", "1", lines[0][2]], ["-np", over, "--oversubscribe"]], lines
assert lines[0][2].endswith("shmcount"), lines
PY
: >mpirun.log
ran "LAUNCHER='mpirun --mca btl self,vader' exits 0" opts.out "${sweep[@]}" NAME=opts \
  LAUNCHER='mpirun --mca btl self,vader' RANKS=1 PINS=core ROUNDS=1 REPS=1 REFERENCE=0
check "the launcher's options come first, then the rank count" grep -q '^--mca btl self,vader -np 1 ' mpirun.log
cat >bin/mylaunch <<EOF
#!/bin/bash
echo "mylaunch \$*" >>"$WORK/mylaunch.log"
n=\$1; shift
exec mpirun -np "\$n" "\$@"
EOF
chmod +x bin/mylaunch
ran "LAUNCHER='mylaunch {np}' (no known family, a template) exits 0" my.out "${sweep[@]}" NAME=my \
  LAUNCHER='mylaunch {np}' RANKS=1 PINS=core ROUNDS=2 REPS=1 REFERENCE=0
check "every run went through it" [ "$(grep -c '^mylaunch 1 ' mylaunch.log)" -eq 2 ]

# 11. Refused before anything is created: exit 2, the message, not even RESULTS_ROOT made.
# refused DESCRIPTION PATTERN SETTINGS...: the settings as NAME=value arguments.
refused() {
  local what=$1 pattern=$2; shift 2
  RESULTS_ROOT="$WORK/fresh" "${sweep[@]}" NAME=bad "$@" >bad.out 2>&1
  local status=$?
  if [ $status -ne 2 ]; then fail "$what: exit $status:"; cat bad.out >&2; rm -rf fresh; return; fi
  if ! grep -q -- "$pattern" bad.out; then fail "$what: no '$pattern' in:"; cat bad.out >&2; return; fi
  if [ -e fresh ]; then fail "$what: created $WORK/fresh"; rm -rf fresh; return; fi
  pass "$what"
}
# refused_env DESCRIPTION PATTERN VARIABLES...: the same, the settings in the environment.
refused_env() {
  local what=$1 pattern=$2; shift 2
  env RESULTS_ROOT="$WORK/fresh" NAME=bad "$@" "${sweep[@]}" >bad.out 2>&1
  local status=$?
  if [ $status -ne 2 ]; then fail "$what: exit $status:"; cat bad.out >&2; rm -rf fresh; return; fi
  if ! grep -q -- "$pattern" bad.out; then fail "$what: no '$pattern' in:"; cat bad.out >&2; return; fi
  if [ -e fresh ]; then fail "$what: created $WORK/fresh"; rm -rf fresh; return; fi
  pass "$what"
}
refused "a typo in an argument, with the name meant" "unknown setting ROUND; did you mean ROUNDS?" ROUND=2
refused "a lower-case name" "unknown setting ranks; did you mean RANKS?" ranks=2
refused "an argument that is no setting" "is not a setting: settings are NAME=value" core
refused_env "a typo in the environment (make sweep RANK=2)" \
  "unknown setting RANK (in the environment); did you mean RANKS?" RANK=2
refused_env "a typo of an axis in the environment" "did you mean KERNELS?" KERNELSS=blocked
refused_env "a typo on the make command line says so (make sweep ROUND=2)" \
  "unknown setting ROUND (on the make command line); did you mean ROUNDS?" ROUND=2 \
  SWEEP_MAKE_COMMAND_LINE="DRY_RUN ROUND"
refused "a strategy's typo, with the name meant" "did you mean scatter?" PINS=scater
RESULTS_ROOT="$WORK/fresh" PAGER=less HISTSIZE=1000 SHMCOUNT_MPI=openmpi MAKEFLAGS=-j2 \
  "${sweep[@]}" RANKS=1 PINS=core ROUNDS=1 DRY_RUN=1 >env.out 2>&1
check "unrelated variables of the environment (PAGER, HISTSIZE, SHMCOUNT_*, MAKEFLAGS) are left alone" \
  [ $? -eq 0 ]
refused "unknown strategy" "unknown strategy" PINS="core bogus"
refused "unknown kernel" "turbo" KERNELS=turbo
refused "bad size, by shmcount's parser" "--size '0'" SIZES="0 20000"
refused "a value that looks like an option" "'--output' is not a value" SIZES="--output"
refused "an axis given twice" "SIZE and SIZES name the same axis" SIZE=1000 SIZES=2000
refused "the pin axis under its alias and its name" "PIN and STRATEGY name the same axis" PIN=core STRATEGY=none
refused "a value twice" "PINS lists 'core' twice" PINS="core none core"
refused "no rounds" "ROUNDS: '0' is not a whole number from 1 to" ROUNDS=0
refused "bad rank count" "RANKS: 'two' is not a rank count from 1 to" RANKS="1 two"
refused "a huge rank count, saying what is allowed" "RANKS: '99999999999999999999' is not a rank count from 1 to [0-9]* ([0-9]* per PU" \
  RANKS=99999999999999999999
refused "a rank count past this machine's limit, before shmcount's" \
  "RANKS: '100000' is not a rank count from 1 to [0-9]* ([0-9]* per PU" RANKS=100000
refused "a rank count with a leading zero" "RANKS: '010'" RANKS=010
refused "a seed out of range" "SEED: '-1'" SEED=-1
refused "COPIES out of range" "COPIES: '0'" COPIES=0
refused "DRY_RUN neither 0 nor 1" "DRY_RUN: 'yes' is neither 0 nor 1" DRY_RUN=yes
refused "a NAME leaving RESULTS_ROOT" "NAME: '../x' is not a folder name" NAME=../x
refused "a NAME with a /" "NAME: 'a/b' is not a folder name" NAME=a/b
refused "--plan at every rank count: list:0,1 for 4 ranks" \
  "names 2 PU(s) but the node has 4 ranks.*at 4 rank(s), --pin list:0,1" PINS=list:0,1 RANKS="1 4"
refused "a launcher not on PATH" "LAUNCHER: 'mpirn' is not a program on PATH" LAUNCHER=mpirn
refused "an unknown placeholder, with the one meant" "unknown placeholder {n}; did you mean {np}?" \
  LAUNCHER='mpirun -np {n}'
refused "a template without {np}" "has no {np}" LAUNCHER='mylaunch {oversubscribe}'
refused "a launcher of no known family without a template" "give a template" LAUNCHER=mylaunch
refused "MPI neither auto, openmpi nor mpich" "MPI: 'intel' is not one of" MPI=intel
refused "MPI=mpich with an Open MPI binary" "MPI=mpich, but .* is built with Open MPI" MPI=mpich \
  SHMCOUNT="$SHMCOUNT"
if command -v mpiexec.mpich >/dev/null; then
  refused "an Open MPI binary under MPICH's launcher, before anything runs" \
    "is built with Open MPI (.*), but LAUNCHER 'mpiexec.mpich' starts MPICH jobs" \
    LAUNCHER=mpiexec.mpich
else
  echo "note: no mpiexec.mpich here: the MPI mismatch is tested by sweep_mpich where MPICH is"
fi
# 12. A NAME whose folder the sweep did not make (issue 28): a symbolic link (to a folder, to
# another sweep's set) or a folder of other files is refused, exit 2, nothing written into it or
# into what a link points to; a real run and a dry run alike, before any point is planned.
mkdir -p roots/plain elsewhere
echo mine >roots/plain/notes.txt
ln -s "$WORK/elsewhere" roots/linked
ln -s "$WORK/$set_dir" roots/toset
stamp() { find "$WORK/$set_dir" -printf '%p %s %T@\n' | sort; }
before=$(stamp)
for case in "linked:is a symbolic link (to $WORK/elsewhere)" "toset:is a symbolic link" \
            "plain:is a folder no sweep made (no matrix.txt in it, and it holds notes.txt)"; do
  name=${case%%:*} pattern=${case#*:}
  for dry in 0 1; do
    RESULTS_ROOT="$WORK/roots" "${sweep[@]}" NAME="$name" RANKS=1 PINS=core ROUNDS=1 \
      DRY_RUN=$dry >folder.out 2>&1
    status=$?
    if [ $status -eq 2 ] && grep -qF -- "sweep: $WORK/roots/$name $pattern" folder.out; then
      pass "NAME=$name (DRY_RUN=$dry) refused: $pattern"
    else
      fail "NAME=$name (DRY_RUN=$dry): exit $status:"; cat folder.out >&2
    fi
  done
done
untouched() {
  [ -z "$(ls -A elsewhere)" ] && [ "$(ls -A roots/plain)" = notes.txt ] &&
    [ "$(ls roots | tr '\n' ' ')" = "linked plain toset " ]
}
check "nothing written through the links or into the plain folder" untouched
check "the linked set is untouched" [ "$(stamp)" = "$before" ]

check "no segment left" no_segments
check "no rank left running" [ -z "$(pgrep -x shmcount)" ]
finish

# Kernels of one's own (--kernel plugin:PATH[:SYMBOL], include/shmcount/kernel.h): the example
# plugin is timed, verified and recorded like a built-in kernel under every --counts mode, the
# run context names the file and its SHA-256; a plugin that will not load, lacks the symbol,
# speaks another interface version (exit 2), crashes (exit 1) or counts wrong (exit 3) gets one
# message, and nothing is left behind.
# Arguments: the example plugin, then bad plugins 1-5 (tests/data/plugins/bad_plugins.c: another
# ABI, no shmcount_kernel, a crash on rank 1, a miscount, and one symbol for each other way:
# data for a function, exit/_exit/abort/a damaged heap on rank 1, figures that are not figures,
# a fork, threads, a blocked signal mask, a moved CPU affinity), then 6: a constructor that
# crashes (on every rank, or on rank $CTOR_CRASH_RANK).
source "$(dirname "$0")/lib.sh"
isolate "$@"
example=$1 bad_abi=$2 no_symbol=$3 crash=$4 miscount=$5 many=$6 ctor=$7
workdir
mkdir out

for counts in private shared packed padded; do
  for n in 1 2; do
    job "$n" --kernel "plugin:$example" --counts "$counts" --reps 2 --output "out/$counts-$n.csv"
    check "the example plugin, --counts $counts, $n rank(s): exit 0" [ "$rc" -eq 0 ]
  done
done
check "the CSV names the plugin as given" \
  [ "$(csv_column out/shared-2.csv kernel | sort -u)" = "plugin:$example" ]
check "every count verified" [ -z "$(csv_column out/shared-2.csv ok | grep -v '^1$')" ]
check "the run context records its path, SHA-256 and own name" "$SHMCOUNT_PYTHON" - out/shared-2.json \
  "$example" "$(sha256sum "$example" | cut -d' ' -f1)" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))["kernel_plugin"]
assert p["path"] == sys.argv[2] and p["sha256"] == sys.argv[3], p
assert p["name"] == "unrolled" and p["symbol"] == "shmcount_kernel", p
PY
check "the summary counts one update per value" grep -q '1000 count updates per unit' job.out

job 2 --kernel "plugin:$example:shmcount_sum" --reps 2 --output out/sum.csv
check "a plugin that checks itself (shmcount_sum): exit 0" [ "$rc" -eq 0 ]
check "its own name is recorded" grep -q '"name": "sum"' out/sum.json

# Swept and reported like a built-in kernel (Open MPI's sweep; the MPICH one is sweep_mpich's).
if [ "$SHMCOUNT_MPI" = openmpi ]; then
  RESULTS_ROOT="$WORK/results" "$SHMCOUNT_PYTHON" "$SHMCOUNT_SOURCE_DIR/scripts/sweep.py" \
    NAME=plugin RANKS="1 2" KERNELS="naive plugin:$example" PINS=core ROUNDS=2 REPS=2 BENCH=0 \
    REFERENCE=0 SHMCOUNT="$SHMCOUNT" >sweep.out 2>&1
  check "a sweep over naive and the plugin runs every point ($(tail -n 2 sweep.out | tr '\n' ' '))" \
    bash -c "[ \$(grep -c ',done,' results/plugin/manifest.csv) -eq 8 ]"
  "$SHMCOUNT_PYTHON" "$SHMCOUNT_SOURCE_DIR/scripts/plots.py" --results results/plugin \
    --out plugin-plots --shmcount "$SHMCOUNT" >plots.out 2>&1
  check "its report compares the plugin with naive at each rank count" \
    bash -c "[ \$(grep -c '^| [12] ranks\? | .*--kernel plugin:' plugin-plots/REPORT.md) -eq 2 ]"
fi

# refused DESCRIPTION STATUS PATTERN KERNEL: one message, that status, nothing left.
refused() {
  local what=$1 want=$2 pattern=$3 kernel=$4
  rm -rf out && mkdir out
  job 2 --kernel "$kernel" --reps 2 --output out/r.csv
  [ "$rc" -eq "$want" ] || { fail "$what: exit $rc, not $want: $(cat job.err)"; return; }
  [ "$(messages)" -eq 1 ] || { fail "$what: $(messages) messages: $(cat job.err)"; return; }
  grep -q -- "$pattern" job.err || { fail "$what: no '$pattern' in $(cat job.err)"; return; }
  if [ "$want" -ne 3 ]; then
    [ -z "$(ls -A out)" ] || { fail "$what: left $(ls -A out)"; return; }
  fi
  no_segments || { fail "$what: segment left: $(segments)"; return; }
  [ -z "$(shm_files)" ] || { fail "$what: left in /dev/shm: $(shm_files)"; return; }
  pass "$what"
}
echo "not a shared object" >not-a-plugin.so
refused "a missing file" 2 "cannot read ./missing.so: No such file or directory" plugin:missing.so
refused "a file that is not a shared object" 2 "cannot load it" plugin:not-a-plugin.so
refused "a plugin without the symbol" 2 "has no function 'shmcount_kernel'" "plugin:$no_symbol"
refused "a symbol it does not have" 2 "has no function 'nope'" "plugin:$example:nope"
refused "another interface version" 2 "built against interface version 2" "plugin:$bad_abi"
refused "a plugin that crashes on rank 1" 1 "rank 1: the plugin kernel crash .* crashed" \
  "plugin:$crash"
# The crashed rank ends the job with MPI_Abort, so the job's status is 1 whatever the other
# ranks were doing; after a plain _exit(1), MPICH's Hydra reported 9 in 5 of 30 tries (the OR of
# the statuses, one rank killed by it). A few more tries here make that race show.
statuses=""
for _ in $(seq 8); do
  job 2 --kernel "plugin:$crash" --reps 2 --output out/crash.csv
  statuses+="$rc "
done
check "... and every try of it exits 1 (got $statuses)" [ "$statuses" = "1 1 1 1 1 1 1 1 " ]
refused "a plugin that counts wrong" 3 "wrong count on rank 1" "plugin:$miscount"

# Files that are not plugins: refused at once, without reading them (a FIFO would block, /dev/zero
# never ends, a folder is no stream, a huge file would be read whole on every rank).
mkfifo fifo.so
mkdir folder.so
truncate -s 1G huge.so
head -c 300000 /dev/urandom >noise.so
refused "a FIFO" 2 "fifo.so is a FIFO; a plugin is a regular file" plugin:fifo.so
refused "/dev/zero" 2 "/dev/zero is a character device" plugin:/dev/zero
refused "a folder" 2 "folder.so is a folder" plugin:folder.so
refused "a 1 GiB file" 2 "huge.so is 1024 MiB; a plugin kernel is a shared object of at most" \
  plugin:huge.so
refused "a file of noise" 2 "noise.so is not an ELF file" plugin:noise.so

# A symbol that is not a function, a description that is not one: a message, not SIGSEGV.
refused "a symbol that is data" 2 "its 'an_int' is data (an object), not a function" \
  "plugin:$many:an_int"
refused "a describing function that crashes" 2 "crashes_describing() crashed (SIGSEGV)" \
  "plugin:$many:crashes_describing"
refused "a description at an address that is not memory" 2 "points_nowhere() crashed (SIGSEGV)" \
  "plugin:$many:points_nowhere"
refused "a name at an address that is not memory" 2 "name_nowhere() crashed (SIGSEGV)" \
  "plugin:$many:name_nowhere"
refused "a count function that is data" 2 "its kernel's count does not point to code" \
  "plugin:$many:count_is_data"
# ... also where no run follows: --plan, --latency (which refuses --kernel, after loading it).
for mode in "--plan --ranks 2" "--latency" "--plan --latency"; do
  # shellcheck disable=SC2086
  timeout 60 "$SHMCOUNT" $mode --kernel "plugin:$many:an_int" >alone.out 2>alone.err
  rc=$?
  check "a symbol that is data under $mode: exit 2 and one message, not a crash (exit $rc)" \
    bash -c "[ $rc -eq 2 ] && [ \$(grep -c '^shmcount:' alone.err) -eq 1 ] &&
      grep -q 'is data (an object), not a function' alone.err"
done

# Figures that are not figures: refused before the run, so no CSV holds -9223372036854775808.
for case in "work_minus_infinity:work_per_unit(200000, 1000) returned -inf" \
    "work_nan:work_per_unit(200000, 1000) returned nan" \
    "work_zero:work_per_unit(200000, 1000) returned 0;" \
    "work_too_many:returned 1e+300; it must be a finite number > 0 of at most 9e18" \
    "updates_negative:updates_per_unit(200000, 1000) returned -201001" \
    "updates_nan:updates_per_unit(200000, 1000) returned nan"; do
  refused "a plugin whose ${case%%:*}" 2 "${case#*:}" "plugin:$many:${case%%:*}"
done

# A kernel that ends its process on rank 1, any way: one line naming the plugin, exit 1, no
# results, nothing left (under MPICH an exit(0) ended the job 0 with no message).
refused "a kernel that calls exit(0)" 1 \
  "rank 1: the plugin kernel calls_exit ($many) called exit() in its code" "plugin:$many:calls_exit"
refused "a kernel that calls _exit(7)" 1 \
  "rank 1: the plugin kernel calls__exit ($many) called _exit(7) in its code" \
  "plugin:$many:calls__exit"
refused "a kernel that calls abort()" 1 \
  "rank 1: the plugin kernel calls_abort ($many) crashed (SIGABRT: abort(), or a damaged heap)" \
  "plugin:$many:calls_abort"
refused "a kernel that damages the heap" 1 \
  "rank 1: the plugin kernel damages_heap ($many) crashed (SIGABRT" "plugin:$many:damages_heap"

# A library whose constructor crashes: one line naming it, exit 2 on every rank, nothing left,
# whether it crashes on every rank or on one; --plan and a singleton alike.
refused "a constructor that crashes on every rank" 2 \
  "plugin:$ctor': it crashed while being loaded (SIGSEGV, in a constructor of its own?)" \
  "plugin:$ctor"
export CTOR_CRASH_RANK=1  # The launchers pass the environment on to the ranks.
rm -rf out && mkdir out
job 2 --kernel "plugin:$ctor" --reps 2 --output out/r.csv
check "a constructor that crashes on rank 1 only: exit 2, one line naming the plugin (got $rc)" \
  bash -c "[ $rc -eq 2 ] && [ \$(grep -c '^shmcount:' job.err) -eq 1 ] &&
    grep -q 'rank 1 on .*plugin:$ctor.: it crashed while being loaded (SIGSEGV' job.err &&
    [ -z \"\$(ls -A out)\" ]"
unset CTOR_CRASH_RANK
for mode in "--plan --ranks 2" ""; do
  # shellcheck disable=SC2086
  timeout 60 "$SHMCOUNT" $mode --kernel "plugin:$ctor" --reps 2 --output out/alone.csv \
    >alone.out 2>alone.err
  rc=$?
  check "a constructor that crashes, ${mode:-a singleton run}: exit 2, one line (exit $rc)" \
    bash -c "[ $rc -eq 2 ] && [ \$(grep -c '^shmcount:' alone.err) -eq 1 ] &&
      grep -q 'it crashed while being loaded' alone.err && [ ! -e out/alone.csv ]"
done

# A kernel that forks on rank 1: the child is never a rank. Back in shmcount, ending with
# exit(0), or crashing, it ends alone (no MPI call, no handler of shmcount's or MPI's, no abort
# of the job); the kernel waits for it, and the run ends 0 with every count verified. (Before,
# a child that came back ran on as a second rank 1 and the job hung; one that called exit(0)
# said the kernel had, one that crashed said the kernel had.)
for symbol in forks_and_returns forks_and_exits forks_and_crashes; do
  rm -rf out && mkdir out
  job 2 --kernel "plugin:$many:$symbol" --reps 3 --output out/fork.csv
  check "a kernel that forks ($symbol): exit 0, no message, every count verified (exit $rc)" \
    bash -c "[ $rc -eq 0 ] && [ \$(grep -c '^shmcount:' job.err) -eq 0 ] && [ -s out/fork.csv ] &&
      [ -z \"\$(csv_column out/fork.csv ok | grep -v '^1$')\" ]"
  check "... and no process of it is left" bash -c "! pgrep -f '[s]hmcount.*:$symbol' >/dev/null"
done

# Threads of its own, joined before it returns: a kernel like any other.
job 2 --kernel "plugin:$many:spawns_threads" --reps 3 --output out/threads.csv
check "a kernel that counts with 4 threads of its own: exit 0, every count verified (exit $rc)" \
  bash -c "[ $rc -eq 0 ] && [ -z \"\$(csv_column out/threads.csv ok | grep -v '^1$')\" ]"

# A thread of its own that calls exit(0) on rank 1, in the kernel or after it returned: the job
# ends 1 with the plugin's line, never 0 without results.
refused "a kernel whose own thread calls exit(0)" 1 \
  "rank 1: the plugin kernel thread_calls_exit ($many) called exit(0\?)" \
  "plugin:$many:thread_calls_exit"

# A kernel that blocks every signal: shmcount's mask is restored after each call, so a crash in a
# later call is still one line (it was SIGSEGV's default: exit 139, no word), and --time-limit
# still ends a run.
refused "a kernel that blocks every signal, then crashes on rank 1" 1 \
  "rank 1: the plugin kernel blocks_signals_and_crashes ($many) crashed (SIGSEGV) in its code" \
  "plugin:$many:blocks_signals_and_crashes"
job 2 --kernel "plugin:$many:blocks_signals" --reps 3 --output out/blocks.csv
check "a kernel that blocks every signal and counts right: exit 0 (exit $rc)" [ "$rc" -eq 0 ]
rm -rf out && mkdir out
# Rank 0 stalls (pause()) after its warm-up call blocked every signal in its thread: SIGALRM
# must still end the job (the MPI library's own threads may take it too, so this holds with or
# without the restored mask under Open MPI; it must never hang).
SHMCOUNT_FAULT="stall:kernel@0" job 2 --kernel "plugin:$many:blocks_signals" --reps 3 \
  --time-limit 3 --output out/limit.csv
check "... and rank 0 stalled after it: --time-limit still ends the job, exit 1 (exit $rc)" \
  bash -c "[ $rc -eq 1 ] && grep -q -- '--time-limit 3 s passed' job.err && [ -z \"\$(ls -A out)\" ]"

# A kernel that moves rank 0 to another CPU: shmcount records where it measured, not where it
# bound (the cpuset and PU read back after each repetition, placed_ok 0), and the summary warns.
if [ "$(nproc)" -ge 2 ]; then
  job 2 --kernel "plugin:$many:changes_affinity" --reps 3 --output out/moved.csv
  check "a kernel that changes its CPU affinity: exit 0 (exit $rc)" [ "$rc" -eq 0 ]
  check "... rank 0's records say it ran off its planned PU, on the CPU it moved to" \
    "$SHMCOUNT_PYTHON" - out/moved.csv <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["rank"] == "0"]
assert rows and all(r["placed_ok"] == "0" for r in rows), [(r["placed_ok"], r["pu_os"]) for r in rows]
assert all(r["pu_os"] == r["cpuset"] != r["planned_pu"] for r in rows), rows[0]
PY
  check "... and the summary warns" grep -q 'record(s) ran elsewhere than planned' job.out
fi

# A sweep given a data symbol: its pre-check refuses it in one line before any run.
if [ "$SHMCOUNT_MPI" = openmpi ]; then
  RESULTS_ROOT="$WORK/results" timeout 120 "$SHMCOUNT_PYTHON" \
    "$SHMCOUNT_SOURCE_DIR/scripts/sweep.py" NAME=data RANKS="1 2" \
    KERNELS="naive plugin:$many:an_int" PINS=core ROUNDS=2 REPS=2 BENCH=0 REFERENCE=0 \
    SHMCOUNT="$SHMCOUNT" >sweep.out 2>sweep.err
  rc=$?
  check "a sweep of a data symbol: refused before any run, exit 2, one line (exit $rc)" \
    bash -c "[ $rc -eq 2 ] && [ \$(cat sweep.out sweep.err | grep -c .) -eq 1 ] &&
      grep -q \"its 'an_int' is data (an object), not a function\" sweep.err &&
      [ ! -e results/data ]"
fi

# A plugin others may write runs, with a warning (once, from rank 0).
cp "$example" open.so
chmod 0777 open.so
job 2 --kernel plugin:open.so --reps 2 --output out/open.csv
check "a world-writable plugin runs (exit $rc)" [ "$rc" -eq 0 ]
check "... with one warning naming its mode" bash -c \
  "[ \$(grep -c 'warning: .*open.so is writable by anyone (mode 0777)' job.err) -eq 1 ]"
chmod 0644 open.so
job 2 --kernel plugin:open.so --reps 2 --output out/closed.csv
check "... and none once it is not" bash -c "! grep -q 'writable by' job.err"
check "no segment left" no_segments
finish

# Kernels of one's own (--kernel plugin:PATH[:SYMBOL], include/shmcount/kernel.h): the example
# plugin is timed, verified and recorded like a built-in kernel under every --counts mode, the
# run context names the file and its SHA-256; a plugin that will not load, lacks the symbol,
# speaks another interface version (exit 2), crashes (exit 1) or counts wrong (exit 3) gets one
# message, and nothing is left behind.
# Arguments: the example plugin, then bad plugins 1-5 (tests/data/plugins/bad_plugins.c: another
# ABI, no shmcount_kernel, a crash on rank 1, a miscount, and one symbol for each other way:
# data for a function, exit/_exit/abort/a damaged heap on rank 1, figures that are not figures).
source "$(dirname "$0")/lib.sh"
isolate "$@"
example=$1 bad_abi=$2 no_symbol=$3 crash=$4 miscount=$5 many=$6
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

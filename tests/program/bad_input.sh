# Bad input: one clear message, exit status 2 on the whole job, nothing left behind, and earlier
# results untouched. Everything that would make writing the results fail is refused in set-up,
# before any segment exists or any kernel runs.
source "$(dirname "$0")/lib.sh"
isolate "$@"
workdir
mkdir -p out ro
mount -t tmpfs -o ro,size=1m tmpfs ro
echo "earlier,result" >out/old.csv
before=$(sha256sum out/old.csv)

# expect_refused DESCRIPTION PATTERN ARGS...: PATTERN must be in the one message (3 ranks, or NP).
# RESULTS_OK=1 allows a results/ the case set up itself.
expect_refused() {
  local what=$1 pattern=$2; shift 2
  job "${NP:-3}" "$@"
  if [ "$rc" -ne 2 ]; then fail "$what: exit $rc, want 2: $(cat job.err)"; return; fi
  [ "$(messages)" -eq 1 ] || { fail "$what: $(messages) messages, want 1"; cat job.err >&2; return; }
  grep -q -- "$pattern" job.err || { fail "$what: no '$pattern' in: $(cat job.err)"; return; }
  grep -q 'MPI_ABORT' job.err && { fail "$what: MPI_Abort banner"; return; }
  grep -q 'verification:' job.out && { fail "$what: the benchmark ran before the refusal"; return; }
  [ "$(ls -A out | tr '\n' ' ')" = "old.csv " ] || { fail "$what: left $(ls -A out)"; return; }
  [ -n "${RESULTS_OK:-}" ] || [ ! -e results ] || { fail "$what: created results/"; return; }
  no_segments || { fail "$what: segment left: $(segments)"; return; }
  [ -z "$(shm_files | grep -v vader_segment)" ] || { fail "$what: left $(shm_files)"; return; }
  pass "$what"
}

expect_refused "unknown option" "unknown option '--bogus'" --bogus
expect_refused "missing value" "--reps needs a value" --reps
expect_refused "non-numeric size" "--size 'lots': expected a whole number" --size lots
expect_refused "zero size" "--size '0'" --size 0
expect_refused "negative size" "--size '-1'" --size -1
expect_refused "overflowing size" "expected a whole number" --size 99999999999999999999999
expect_refused "size past the limit" "from 1 to" --size 17179869185
expect_refused "size past the machine's memory" "more than 80%" --size 17179869184
expect_refused "zero values" "--values '0'" --values 0
expect_refused "too many values" "--values '99999999'" --values 99999999
expect_refused "zero reps" "--reps '0'" --reps 0
NP=24 expect_refused "more records than one gather carries" "use at most --reps" --reps 1000000
expect_refused "unknown kernel" "unknown kernel; use one of naive" --kernel turbo
expect_refused "unknown list" "unknown list (did you mean noise?); use one of columns" --list nose
expect_refused "unknown pattern" "unknown pattern; use one of seed, random" --pattern zigzag
expect_refused "seed without random" "--seed only works with --pattern random" --seed 4
expect_refused "unknown strategy" "unknown strategy" --pin wherever
expect_refused "list with junk" "'x' is not a logical PU" --pin list:0,x
expect_refused "list with duplicates" "listed twice" --pin list:0,0,1
expect_refused "list reversed" "reversed" --pin list:1-0
expect_refused "list out of range" "PU L#64 is not on this node" --pin list:0,1,64
expect_refused "list too short" "names 2 PU(s) but the node has 3 ranks" --pin list:0,1
expect_refused "topology without --plan" "only works with --plan" --topology "pack:2 pu:2"
expect_refused "zero time limit" "--time-limit '0'" --time-limit 0
expect_refused "very long argument" "expected a whole number" --reps "$(printf '9%.0s' $(seq 5000))"
expect_refused "very long unknown option" "unknown option" "--$(printf 'x%.0s' $(seq 5000))"
expect_refused "control characters shown escaped" "unknown kernel" --kernel $'\e[31mred'
check "no raw escape character reached the terminal" [ -z "$(grep -c $'\e' job.err | grep -v '^0$')" ]

# Output paths: refused before the run, with what is wrong.
expect_refused "output in a missing folder" "does not exist" --output out/missing/r.csv
expect_refused "output in a read-only folder" "read-only file system" --output ro/r.csv
expect_refused "output that exists" "never overwrites" --output out/old.csv
expect_refused "empty output" "the path is empty" --output ""
mkdir links && ln -s /nonexistent/j links/r.json
expect_refused "dangling symlink at the JSON path" "symbolic link to '/nonexistent/j'" \
  --output links/r.csv
expect_refused "file name longer than the file system allows" "longer than the 255 bytes" \
  --output "out/$(printf 'a%.0s' $(seq 300)).csv"
expect_refused "path longer than PATH_MAX" "longer than PATH_MAX" \
  --output "out/$(printf 'a/%.0s' $(seq 2100))r.csv"
expect_refused "output in /proc" "cannot create the result files in '/proc'" --output /proc/r.csv
expect_refused "output in /sys" "cannot create the result files in '/sys'" --output /sys/r.csv
expect_refused "output folder that is a file" "is a file, not a folder" --output out/old.csv/r.csv

# The default folder, results/: a real folder of this user that others cannot write into.
echo x >results
RESULTS_OK=1 expect_refused "results/ is a file" "'results' is a file, not a folder"
rm results
ln -s "$WORK/nowhere" results
RESULTS_OK=1 expect_refused "results/ is a dangling symlink" "'results' is a symbolic link to"
chown -h nobody results
RESULTS_OK=1 expect_refused "results/ is another user's symlink" "owned by another user"
rm results
mkdir results && chmod 0777 results
RESULTS_OK=1 expect_refused "results/ writable by others" "writable by other users (mode 0777)"
chmod 0755 results
mount -t tmpfs -o ro,size=1m tmpfs results
RESULTS_OK=1 expect_refused "results/ not writable" "cannot create the result files in 'results'"
umount results && rmdir results
# refused_in FOLDER DESCRIPTION PATTERN [COMMAND [LAUNCHER...]]: a run started in FOLDER (after
# COMMAND, under mpirun -np 3 or LAUNCHER) is refused with PATTERN.
refused_in() {
  local folder=$1 what=$2 pattern=$3 first=${4:-true}
  shift 4 2>/dev/null || shift $#
  local launcher=("$@")
  [ ${#launcher[@]} -gt 0 ] || launcher=("$MPIEXEC" -np 3)
  (cd "$folder" && $first && timeout 120 "${launcher[@]}" "$SHMCOUNT" >"$WORK/job.out" 2>"$WORK/job.err")
  rc=$?
  if [ "$rc" -ne 2 ]; then fail "$what: exit $rc, want 2: $(cat job.err)"; return; fi
  [ "$(messages)" -eq 1 ] || { fail "$what: $(messages) messages, want 1"; return; }
  grep -q -- "$pattern" job.err || { fail "$what: no '$pattern' in: $(cat job.err)"; return; }
  no_segments || { fail "$what: segment left: $(segments)"; return; }
  pass "$what"
}
refused_in ro "results/ cannot be created (read-only working folder)" "cannot create 'results'"
# mpirun itself cannot start in a deleted folder; a process started there (srun, or by hand) can.
mkdir gone
refused_in gone "deleted working folder" "the current folder no longer exists" "rmdir ../gone" \
  env

# Binding on a topology that is not this machine would be a lie, even when hwloc is told it is.
HWLOC_XMLFILE="$SHMCOUNT_SOURCE_DIR/tests/data/topologies/dual-2p16c32t-intel.xml" \
  HWLOC_THISSYSTEM=1 expect_refused "foreign XML topology passed off as this machine" \
  "HWLOC_XMLFILE is set: hwloc would describe another machine"
HWLOC_SYNTHETIC="pack:2 numa:1 core:1 pu:1" HWLOC_THISSYSTEM=1 \
  expect_refused "synthetic topology passed off as this machine" "HWLOC_SYNTHETIC is set"

# Kernel limits, for real: lower them in this IPC namespace (the message names the sysctl).
# MPICH's UCX transport would need System V segments of its own to start: it uses POSIX ones here.
export UCX_TLS=^sysv
sysctl -q -w kernel.shmmax=100000
expect_refused "size above SHMMAX" "kernel.shmmax is 100000" --size 200000
sysctl -q -w kernel.shmmax=18446744073692774399
sysctl -q -w kernel.shmmni=0
expect_refused "no segment ids left (SHMMNI)" "not disk space" --size 1000
sysctl -q -w kernel.shmmni=4096
unset UCX_TLS

# Without a launcher, the one process prints its message, whatever stale launcher variables say.
SLURM_PROCID=1 PMI_RANK=3 "$SHMCOUNT" --kernel turbo >job.out 2>job.err
rc=$?
check "singleton with stale SLURM_PROCID=1: exit 2" [ "$rc" -eq 2 ]
check "singleton with stale SLURM_PROCID=1: its message" [ "$(messages)" -eq 1 ]

check "earlier result untouched" [ "$(sha256sum out/old.csv)" = "$before" ]
finish

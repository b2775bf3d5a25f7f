# A real Slurm on this machine: munged, slurmctld and slurmd from Debian's packages, one node
# declaring this machine's CPUs (slurmd -C), everything (configuration, state, spool, logs,
# sockets, pid files, the munge key) under this test's folder, on free ports, inside this test's
# IPC and mount namespaces; stopped and removed at exit, whatever happens. Then shmcount runs as
# users run it there: mpirun inside salloc, srun --mpi=pmix, srun with a CPU binding and on an
# allocation restricted by another job; each run verified, ranks kept to the CPUs Slurm gave.
# Skipped (77), saying why, where Slurm cannot start: not root, packages missing, a daemon that
# exits at once.
source "$(dirname "$0")/lib.sh"
skip() { echo "skipped: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root to run Slurm's and munge's daemons"
for tool in munged slurmctld slurmd salloc srun sinfo squeue scancel setpriv; do
  command -v $tool >/dev/null ||
    skip "no $tool (apt-get install slurm-wlm munge; scripts/setup.sh installs them)"
done
# Its own PID namespace: daemons, steps and ranks all end with the test, even on SIGKILL; and its
# own /tmp, so not even its folder outlives it.
ISOLATE_PIDS=1 isolate "$@"
# The binaries may themselves live under /tmp (a clone in /tmp): the private /tmp would hide them
# from the test and from Slurm's steps. Copies travel through this namespace's own /dev/shm into
# the test's folder, and run from there; so does the sweep (scripts/).
cp "$SHMCOUNT" /dev/shm/shmcount || { echo "FAIL: cannot copy $SHMCOUNT" >&2; exit 1; }
cp -r "$SHMCOUNT_SOURCE_DIR/scripts" /dev/shm/scripts ||
  { echo "FAIL: cannot copy $SHMCOUNT_SOURCE_DIR/scripts" >&2; exit 1; }
if [ -x "${SHMCOUNT_MPICH:-}" ]; then
  cp "$SHMCOUNT_MPICH" /dev/shm/shmcount-mpich || { echo "FAIL: cannot copy $SHMCOUNT_MPICH" >&2; exit 1; }
fi
mount -t tmpfs -o mode=1777,size=256m shmcount-slurm-tmp /tmp ||
  { echo "FAIL: cannot mount a private /tmp" >&2; exit 1; }
trap 'exit 143' TERM INT  # So that the EXIT trap below stops Slurm.
workdir
chmod 755 "$WORK"  # munged wants every folder above its socket searchable by all.
mkdir -m 755 bin && mv /dev/shm/shmcount bin/ ||
  { echo "FAIL: cannot move the binary into $WORK/bin" >&2; exit 1; }
SHMCOUNT=$WORK/bin/shmcount
mv /dev/shm/scripts scripts || { echo "FAIL: cannot move the scripts into $WORK" >&2; exit 1; }
if [ -e /dev/shm/shmcount-mpich ]; then
  mv /dev/shm/shmcount-mpich bin/ ||
    { echo "FAIL: cannot move the MPICH binary into $WORK/bin" >&2; exit 1; }
  SHMCOUNT_MPICH=$WORK/bin/shmcount-mpich
fi
pus=$(nproc)
[ "$pus" -ge 2 ] || skip "needs 2 CPUs for the binding runs, this machine has $pus"

# Files Debian's packages would use by default: the test must leave them as they are.
system_dirs=(/etc/slurm /var/lib/slurm /var/log/slurm /var/spool/slurmd /run/slurm /run/munge
             /var/log/munge /var/lib/munge /etc/munge)
system_files() { ls -la --time-style=+%s "${system_dirs[@]}" 2>/dev/null; }
system_before=$(system_files)

S=$WORK/slurm
mkdir -p "$S/state" "$S/spool" "$S/log" "$S/munge"
chmod 755 "$S" "$S/munge"
export SLURM_CONF=$S/slurm.conf

# Daemons run in the foreground as this script's children (pids in $daemons, started first);
# SIGKILL reaches them if the script dies (ctest's timeout), so none outlives the test.
daemons=()
daemon() {
  setpriv --pdeathsig KILL -- "$@" >>"$S/log/daemons.out" 2>&1 &
  daemons=($! "${daemons[@]}")
}
stop_slurm() {
  [ ${#daemons[@]} -gt 0 ] || return 0
  timeout 10 scancel --user root 2>/dev/null
  for _ in $(seq 50); do [ -z "$(timeout 5 squeue -h 2>/dev/null)" ] && break; sleep 0.2; done
  for pid in "${daemons[@]}"; do  # slurmd, slurmctld, then munged
    kill "$pid" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  daemons=()
}
trap 'stop_slurm; cleanup_workdir' EXIT

# Slurm's, munge's, Open MPI's and shmcount's processes in this test's IPC namespace.
leftovers() {
  pgrep -l --ns $$ --nslist ipc |
    grep -E ' (munged|slurm[a-z]*|shmcount|mpirun|orterun|orted|srun|salloc)$'
}

# Two free ports on the loopback interface, one per daemon: other Slurms may run beside this one.
read -r ctld_port slurmd_port < <("$SHMCOUNT_PYTHON" -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])')

# This machine as slurmd sees it: its first line is the node's NodeName=... CPUs=... line.
node_line=$(slurmd -C | head -1)
node=$(sed -n 's/^NodeName=\([^ ]*\).*/\1/p' <<<"$node_line")
[ -n "$node" ] || skip "slurmd -C printed no node line: $node_line"
cat >"$SLURM_CONF" <<EOF
ClusterName=shmcount
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$S/munge/socket
CredType=cred/munge
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/slurmctld.pid
SlurmdPidFile=$S/slurmd.pid
SlurmctldLogFile=$S/log/slurmctld.log
SlurmdLogFile=$S/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/affinity
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
MailProg=/bin/true
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
$node_line NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=5 State=UP
EOF

dd if=/dev/urandom of="$S/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$S/munge/munge.key"
daemon munged --foreground --socket="$S/munge/socket" --key-file="$S/munge/munge.key" \
  --pid-file="$S/munge/munged.pid" --log-file="$S/munge/munged.log" \
  --seed-file="$S/munge/munged.seed" --num-threads=4
for _ in $(seq 50); do [ -S "$S/munge/socket" ] && break; sleep 0.1; done
[ -S "$S/munge/socket" ] || skip "munged did not start here: $(tail -3 "$S/log/daemons.out")"
daemon slurmctld -D -i -f "$SLURM_CONF"
daemon slurmd -D -f "$SLURM_CONF" -N "$node"
state=""
for _ in $(seq 150); do
  state=$(sinfo -h -n "$node" -o %T 2>/dev/null)
  [ "$state" = idle ] && break
  for pid in "${daemons[@]}"; do
    kill -0 "$pid" 2>/dev/null ||
      skip "a daemon exited at once here: $(tail -5 "$S/log/daemons.out")"
  done
  sleep 0.2
done
if [ "$state" != idle ]; then
  fail "node $node is '$state', not idle, after 30 s: $(tail -5 "$S/log/slurmctld.log")"
  finish
fi
pass "Slurm is up: $node_line, ports $ctld_port and $slurmd_port"

# verified NAME RANKS: the run's CSV (NAME.csv) has RANKS x 3 parallel rows and 3 sequential ones,
# every row verified, ranks 0..RANKS-1.
verified() {
  local name=$1 n=$2
  [ -s "$name.csv" ] || { fail "$name: no CSV: $(tail -5 "$name.err")"; return 1; }
  check "$name: $n x 3 parallel + 3 sequential rows" [ "$(csv_rows "$name.csv")" -eq $((n * 3 + 3)) ]
  check "$name: every row verified (ok = 1)" [ -z "$(csv_column "$name.csv" ok | grep -v '^1$')" ]
  check "$name: ranks 0-$((n - 1)) each have parallel rows" \
    [ "$(csv_where "$name.csv" rank phase parallel | sort -un | tr '\n' ' ')" = "$(seq -s ' ' 0 $((n - 1))) " ]
  check "$name: every rank ran where planned (placed_ok = 1)" \
    [ -z "$(csv_where "$name.csv" placed_ok phase parallel | grep -v '^1$')" ]
}
# where NAME: "rank:cpuset:pu_os" of each rank in the last repetition.
where() {
  "$SHMCOUNT_PYTHON" -c 'import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["phase"] == "parallel" and r["rep"] == "2"]
print(" ".join(r["rank"] + ":" + r["cpuset"] + ":" + r["pu_os"] for r in sorted(rows, key=lambda r: int(r["rank"]))))' "$1.csv"
}
# show NAME: the summary's available line and where the ranks ran, for the log.
show() {
  echo "  $1: $(grep -m1 'available:' "$1.out" | sed 's/^ *//'); rank:cpuset:pu_os $(where "$1")"
}
# shmcount ARGS for every run: 3 repetitions, and the CSV named after the run.
runargs() { echo --reps 3 --warmup 1 --output "$1.csv"; }
# exited_0 NAME DESCRIPTION: the run NAME (status in $rc) exited 0; else what it printed last.
exited_0() {
  if [ "$rc" -eq 0 ]; then pass "$2: exit 0"; else fail "$2: exit $rc: $(tail -5 "$1.err")"; fi
}

# 1. mpirun inside salloc. 4 tasks on a 2-CPU node: --overcommit lets them share CPUs (without
# it the job pends for ever: 4 tasks want 4 CPUs) and --exclusive gives the job the whole node
# (--overcommit alone allocates one CPU). mpirun takes its 4 slots from the allocation, so Open MPI
# needs no --oversubscribe of its own (the leave lib.sh gives is taken away here).
unset OMPI_MCA_rmaps_base_oversubscribe
timeout 90 salloc -n 4 --overcommit --exclusive "$MPIEXEC" "$SHMCOUNT" $(runargs salloc) \
  >salloc.out 2>salloc.err
rc=$?
exited_0 salloc "salloc -n 4 --overcommit --exclusive mpirun"
verified salloc 4 && show salloc
check "salloc + mpirun: the run context names Open MPI's mpirun as the launcher" \
  grep -q '"launcher": "Open MPI'\''s mpirun' salloc.json
check "salloc + mpirun: the node's PUs are available" \
  grep -q "available: PUs 0-$((pus - 1)) (of 0-$((pus - 1)))" salloc.out
timeout 90 salloc -n 2 "$MPIEXEC" -np 4 "$SHMCOUNT" --reps 1 --output no-slots.csv >no-slots.out 2>&1
rc=$?
check "salloc -n 2, mpirun -np 4: refused: mpirun keeps to the allocation's 2 slots" \
  bash -c "[ $rc -ne 0 ] && grep -q 'not enough slots' no-slots.out && [ ! -e no-slots.csv ]"
export OMPI_MCA_rmaps_base_oversubscribe=1

# 2. srun starts the ranks itself: Debian's Open MPI 4.1 talks PMIx only (components ext3x,
# isolated, flux; no s1/s2), which Slurm's pmix plugin serves. Slurm binds each task to a CPU of
# its own (its default with task/affinity): together, the node.
timeout 90 srun --mpi=pmix -n 2 "$SHMCOUNT" $(runargs pmix) >pmix.out 2>pmix.err
rc=$?
exited_0 pmix "srun --mpi=pmix -n 2"
verified pmix 2 && show pmix
check "srun --mpi=pmix: the run context names srun as the launcher" \
  grep -q '"launcher": "Slurm'\''s srun' pmix.json
check "srun --mpi=pmix: Slurm's bindings span the node: PUs 0-$((pus - 1)) available" \
  grep -q "available: PUs 0-$((pus - 1)) (of 0-$((pus - 1)))" pmix.out
# The same inside an allocation, 4 tasks sharing the node's CPUs.
timeout 90 salloc -n 4 --overcommit --exclusive srun --mpi=pmix "$SHMCOUNT" $(runargs srun4) \
  >srun4.out 2>srun4.err
rc=$?
exited_0 srun4 "salloc -n 4 --overcommit --exclusive srun --mpi=pmix"
verified srun4 4 && show srun4
timeout 90 srun --mpi=pmi2 -n 2 "$SHMCOUNT" --reps 1 --output pmi2.csv >pmi2.out 2>&1
rc=$?
check "srun --mpi=pmi2 with Open MPI: refused before MPI_Init, exit 2, one message saying why" \
  bash -c "[ $rc -eq 2 ] && [ \$(grep -c '^shmcount:' pmi2.out) -eq 1 ] &&
    grep -q 'built with Open MPI, which cannot join its job through PMI-2 (srun --mpi=pmi2)' pmi2.out &&
    [ ! -e pmi2.csv ]"

# 3. srun --cpu-bind: both tasks of a 2-CPU step bound to CPU 1; shmcount plans inside that (both
# ranks on PU 1, sharing it); it does not spread them over the node.
timeout 90 srun --mpi=pmix -n 2 --cpu-bind=map_cpu:1,1 "$SHMCOUNT" --pin core \
  $(runargs mapcpu) >mapcpu.out 2>mapcpu.err
rc=$?
exited_0 mapcpu "srun --cpu-bind=map_cpu:1,1"
verified mapcpu 2 && show mapcpu
check "--cpu-bind=map_cpu:1,1: the summary says PU 1 was available" \
  grep -q "available: PUs 1 (of 0-$((pus - 1)))" mapcpu.out
check "--cpu-bind=map_cpu:1,1: both ranks bound to CPU 1 (cpuset)" \
  [ "$(csv_column mapcpu.csv cpuset | sort -u)" = 1 ]
check "--cpu-bind=map_cpu:1,1: both ranks ran on CPU 1 (pu_os)" \
  [ "$(csv_where mapcpu.csv pu_os phase parallel | sort -u)" = 1 ]
timeout 90 srun --mpi=pmix -n 2 --cpu-bind=map_cpu:1,1 "$SHMCOUNT" --pin launcher \
  $(runargs launcher) >launcher.out 2>launcher.err
rc=$?
exited_0 launcher "srun --cpu-bind=map_cpu:1,1, --pin launcher"
verified launcher 2 && show launcher
check "--cpu-bind=map_cpu:1,1 --pin launcher: both ranks kept on CPU 1" \
  [ "$(csv_column launcher.csv cpuset | sort -u)" = 1 ]

# 4. A restricted allocation: another job holds a CPU, so this step gets the other one, and Slurm
# binds its tasks there (its default binding, mask_cpu). shmcount keeps to it.
timeout 30 salloc --no-shell -n 1 >holder.out 2>&1
holder=$(sed -n 's/.*Granted job allocation \([0-9]*\).*/\1/p' holder.out)
held=$(timeout 10 scontrol show job -d "${holder:-0}" | sed -n 's/.* CPU_IDs=\([0-9]*\) .*/\1/p')
check "another job holds one CPU (job ${holder:-none}, CPU ${held:-none})" [ -n "$held" ]
free_cpu=$((held == 0 ? 1 : 0))  # The lowest CPU it does not hold.
timeout 90 srun --mpi=pmix -n 2 --overcommit "$SHMCOUNT" --pin core $(runargs rest) \
  >rest.out 2>rest.err
rc=$?
exited_0 rest "srun -n 2 --overcommit beside it"
verified rest 2 && show rest
check "one free CPU: both ranks bound to CPU $free_cpu and nowhere else (cpuset)" \
  [ "$(csv_column rest.csv cpuset | sort -u)" = "$free_cpu" ]
check "one free CPU: both ranks ran on CPU $free_cpu (pu_os)" \
  [ "$(csv_where rest.csv pu_os phase parallel | sort -u)" = "$free_cpu" ]
check "one free CPU: the summary says only PU $free_cpu was available" \
  grep -q "available: PUs $free_cpu (of 0-$((pus - 1)))" rest.out
[ -n "$holder" ] && timeout 10 scancel "$holder"

# 5. MPICH, when mpich_build built it: srun --mpi=pmi2 (MPICH 4.0 talks PMI-1/PMI-2, not PMIx).
if [ -x "${SHMCOUNT_MPICH:-}" ]; then
  timeout 90 srun --mpi=pmi2 -n 2 "$SHMCOUNT_MPICH" $(runargs mpich) >mpich.out 2>mpich.err
  rc=$?
  exited_0 mpich "MPICH: srun --mpi=pmi2 -n 2"
  verified mpich 2 && show mpich
  check "MPICH: the run context names MPICH" grep -q '"mpi_library": "MPICH' mpich.json
  # MPICH sets no binding variable of its own under srun: Slurm's are all shmcount sees.
  timeout 90 srun --mpi=pmi2 -n 2 --cpu-bind=map_cpu:1,1 "$SHMCOUNT_MPICH" --pin core \
    $(runargs mpich-mapcpu) >mpich-mapcpu.out 2>mpich-mapcpu.err
  rc=$?
  exited_0 mpich-mapcpu "MPICH: srun --mpi=pmi2 --cpu-bind=map_cpu:1,1"
  verified mpich-mapcpu 2 && show mpich-mapcpu
  check "MPICH, --cpu-bind=map_cpu:1,1: the summary says PU 1 was available" \
    grep -q "available: PUs 1 (of 0-$((pus - 1)))" mpich-mapcpu.out
  check "MPICH, --cpu-bind=map_cpu:1,1: both ranks bound to CPU 1 (cpuset)" \
    [ "$(csv_column mpich-mapcpu.csv cpuset | sort -u)" = 1 ]
else
  echo "note: no MPICH build (${SHMCOUNT_MPICH:-SHMCOUNT_MPICH not set}): srun --mpi=pmi2 not run"
fi

# 6. A sweep through srun: LAUNCHER=srun adds -n N and --mpi=pmix (Open MPI) or --mpi=pmi2
# (MPICH); where ranks outnumber the cores, --overcommit and --cpus-per-task=PUs, so that the
# ranks get the whole node as under mpirun (--overcommit alone allocates one CPU). A template
# runs as written.
sweep() {  # sweep NAME SETTINGS...: the sweep into results/NAME; its output in NAME.out.
  local name=$1; shift
  timeout 200 "$SHMCOUNT_PYTHON" scripts/sweep.py RESULTS_ROOT=results NAME="$name" BENCH=0 \
    REFERENCE=0 ROUNDS=1 REPS=2 PINS=core SIZES=20000 "$@" >"$name.out" 2>&1
  rc=$?
}
# swept NAME RUNS DESCRIPTION: the sweep exited 0 and ran RUNS runs, all done.
swept() {
  local statuses
  statuses=$(csv_column "results/$1/manifest.csv" status 2>/dev/null | sort | uniq -c | tr -s ' ')
  if [ "$rc" -eq 0 ] && [ "$statuses" = " $2 done" ]; then pass "$3: $2 runs done"; else
    fail "$3: exit $rc, statuses '$statuses':"; tail -20 "$1.out" >&2; fi
}
over=$((pus + 1))
sweep srun LAUNCHER=srun RANKS="1 $over"
swept srun 2 "sweep, LAUNCHER=srun"
check "LAUNCHER=srun: the run contexts name srun as the launcher" \
  [ "$(grep -l '"launcher": "Slurm'\''s srun' results/srun/points/*/r1.json | wc -l)" -eq 2 ]
check "LAUNCHER=srun, $over ranks on $pus PUs: the ranks had the whole node (not one CPU)" \
  grep -q "available: PUs 0-$((pus - 1)) (of 0-$((pus - 1)))" "results/srun/points/np$over/r1.log"
check "LAUNCHER=srun, $over ranks: ranks 0-$pus in one job" \
  [ "$(csv_where "results/srun/points/np$over/r1.csv" rank phase parallel | sort -un | tr '\n' ' ')" = \
    "$(seq -s ' ' 0 "$pus") " ]
sweep template LAUNCHER='srun --mpi=pmix -n {np} {oversubscribe}' RANKS="2 $over"
swept template 2 "sweep, LAUNCHER='srun --mpi=pmix -n {np} {oversubscribe}'"
check "the template's run of $over ranks had the whole node too" \
  grep -q "available: PUs 0-$((pus - 1)) (of 0-$((pus - 1)))" "results/template/points/np$over/r1.log"
if [ -x "${SHMCOUNT_MPICH:-}" ]; then
  SHMCOUNT=$SHMCOUNT_MPICH sweep mpich-srun LAUNCHER=srun RANKS="1 2"
  swept mpich-srun 2 "sweep of the MPICH build, LAUNCHER=srun (--mpi=pmi2)"
  check "MPICH under srun: the run contexts name MPICH" \
    [ "$(grep -l '"mpi_library": "MPICH' results/mpich-srun/points/*/r1.json | wc -l)" -eq 2 ]
  check "MPICH under srun: 2 ranks in one job" \
    [ "$(csv_where results/mpich-srun/points/np2/r1.csv rank phase parallel | sort -un | tr '\n' ' ')" = "0 1 " ]
else
  echo "note: no MPICH build: the sweep of it under srun not run"
fi

# Nothing left: no job, no daemon, no process of the test's, no segment, no shared-memory file;
# no file in the places Debian's Slurm and munge use.
check "no job left in the queue" [ -z "$(timeout 10 squeue -h)" ]
stop_slurm
check "no daemon or rank left: $(leftovers | head -3)" [ -z "$(leftovers)" ]
check "no segment left" no_segments
check "no file left in /dev/shm: $(shm_files | head -3)" [ -z "$(shm_files)" ]
check "nothing written where Debian's Slurm and munge keep their files" \
  [ "$(system_files)" = "$system_before" ]
finish

# Several simulated nodes on this machine through Open MPI's real rsh launch path: each "node"
# is a daemon in its own UTS and IPC namespaces (tests/multinode/rsh-agent), on a loopback address.
# Usage: [SHARE=sysv|posix|window|private] multinode.sh RANKS_PER_NODE... (e.g. 2 1, or 3 2 1)
source "$(dirname "$0")/lib.sh"
isolate "$@"
workdir
agent="$SHMCOUNT_SOURCE_DIR/tests/multinode/rsh-agent"
hosts=""
total=0
i=2
for n in "$@"; do
  hosts+="${hosts:+,}127.0.0.$i:$n"
  total=$((total + n))
  i=$((i + 1))
done
nodes=$#
mpi_nodes() {  # mpi_nodes ARGS...: shmcount on the simulated nodes, in the background.
  : >job.err  # Not the last job's stall message: its rank is gone.
  timeout 120 "$MPIEXEC" --host "$hosts" -np "$total" --mca plm_rsh_agent "$agent" \
    --mca btl self,vader,tcp --mca btl_tcp_if_include lo --mca oob_tcp_if_include lo \
    "$SHMCOUNT" --share "${SHARE:-sysv}" "$@" >job.out 2>job.err &
  launcher=$!
}
# Whatever happens, nothing of this job outlives the test.
trap 'kill -9 $launcher ${holders[*]:-} 2>/dev/null; pkill -9 -f "$WORK" 2>/dev/null; cleanup_workdir' EXIT
# The IPC namespaces of this job's ranks, one per line (pid of one rank in each).
rank_namespaces() {
  for pid in $(pgrep -f "^$SHMCOUNT .*$WORK"); do
    echo "$(readlink "/proc/$pid/ns/ipc" 2>/dev/null) $pid"
  done | grep -v "^$(readlink /proc/self/ns/ipc) " | sort -u -k1,1
}
wait_for_stall() {
  for _ in $(seq 300); do
    stalled=$(sed -n 's/.*stalling at [a-z]* (pid \([0-9]*\)).*/\1/p' job.err | head -1)
    [ -n "$stalled" ] && return 0
    sleep 0.1
  done
  return 1
}

# 1. A normal run, held in the kernel phase to look inside every node.
SHMCOUNT_FAULT=stall:kernel@0 mpi_nodes --reps 2 --output "$WORK/run.csv"
wait_for_stall || { fail "rank 0 never reached the kernel: $(cat job.err)"; finish; }
sleep 1  # Let every rank attach.
namespaces=$(rank_namespaces)
check "one IPC namespace per node ($nodes)" [ "$(echo "$namespaces" | wc -l)" -eq "$nodes" ]
holders=()
while read -r ns pid; do
  seg=$(nsenter -t "$pid" --ipc ipcs -m | awk 'NR > 3 && $1 ~ /^0x/')
  [ "${SHARE:-sysv}" = sysv ] || { check "node namespace $ns: no System V segment" [ -z "$seg" ]; continue; }
  check "node namespace $ns: exactly one segment, mode 600, marked dest" \
    bash -c "[ \$(echo '$seg' | grep -c .) -eq 1 ] && echo '$seg' | awk '{ exit !(\$4 == \"600\" && \$NF == \"dest\") }'"
  # Keep the namespace alive after the job, to see that its segment is really gone.
  nsenter -t "$pid" --ipc sleep 120 &
  holders+=($!)
done <<<"$namespaces"
check "no segment in the launcher's namespace" no_segments
# One shared region per node, whatever the mechanism: the distinct shared mappings of the array
# across the job's ranks (System V segments, POSIX files, MPI windows' backing files).
case "${SHARE:-sysv}" in
  sysv) region='SYSV' ;; posix) region='/shmcount-' ;; window) region='/osc_sm\.' ;; *) region='' ;;
esac
if [ -n "$region" ]; then
  # Open MPI backs a window with a shared file only where the node has several ranks.
  want=$nodes
  if [ "${SHARE:-sysv}" = window ]; then want=0; for n in "$@"; do [ "$n" -gt 1 ] && want=$((want + 1)); done; fi
  regions=$(for pid in $(pgrep -f "^$SHMCOUNT .*$WORK"); do
              grep -E "$region" "/proc/$pid/maps" | awk '{ print $4, $5 }'
            done | sort -u | wc -l)
  check "one shared region per node ($regions, want $want)" [ "$regions" -eq "$want" ]
fi
kill -USR1 "$stalled"
wait $launcher
check "multi-node run exits 0" [ $? -eq 0 ]
for h in "${holders[@]}"; do
  check "segment gone from node namespace (holder $h)" \
    [ -z "$(nsenter -t "$h" --ipc ipcs -m | awk 'NR > 3 && $1 ~ /^0x/')" ]
  kill "$h" 2>/dev/null
done
reps=2
i=2
node=0
for n in "$@"; do
  check "node $node (127.0.0.$i) has $n ranks x $reps parallel rows" \
    [ "$(csv_where run.csv host phase parallel | grep -cx "node-127-0-0-$i")" -eq $((n * reps)) ]
  check "node $node has its index in the node column" \
    [ "$(csv_where run.csv node host "node-127-0-0-$i" | sort -u)" = "$node" ]
  check "node $node ran its own sequential baseline of $n units" \
    [ "$(csv_where run.csv units host "node-127-0-0-$i" | sort -u | tail -1)" = "$n" ]
  i=$((i + 1)); node=$((node + 1))
done
check "every row verified on every node" [ -z "$(csv_column run.csv ok | grep -v '^1$')" ]
check "run context lists every node, and each node's figures" [ "$(/usr/bin/python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))
print(len(c["nodes"]), len(c["summary"]["nodes"]))' run.json)" = "$nodes $nodes" ]
check "summary has per-node lines" grep -q "^ *$((nodes - 1))  node-127-0-0-$((nodes + 1)) " job.out
check "summary shows a placement map per node" \
  [ "$(grep -c '^node [0-9]* (node-127-0-0-[0-9]*): [0-9]* package' job.out)" -eq "$nodes" ]

# 2. A whole node fails mid-run: its daemon and ranks are killed. The job ends non-zero in
# bounded time and no node keeps a segment.
SHMCOUNT_FAULT=stall:kernel@0 mpi_nodes --reps 2 --output "$WORK/killed.csv"
wait_for_stall || { fail "rank 0 never reached the kernel"; finish; }
sleep 1
namespaces=$(rank_namespaces)
holders=()
while read -r ns pid; do
  nsenter -t "$pid" --ipc sleep 120 &
  holders+=($!)
done <<<"$namespaces"
victim_ns=$(echo "$namespaces" | tail -1 | cut -d' ' -f1)
started=$SECONDS
for pid in $(pgrep -f "orted|$WORK"); do
  [ "$(readlink "/proc/$pid/ns/ipc" 2>/dev/null)" = "$victim_ns" ] && kill -9 "$pid" 2>/dev/null
done
wait $launcher
status=$?
took=$((SECONDS - started))
check "job with a dead node exits non-zero" [ "$status" -ne 0 ]
check "job with a dead node ends within 60 s (took ${took}s)" [ "$took" -lt 60 ]
for _ in $(seq 50); do pgrep -f "^$SHMCOUNT .*$WORK" >/dev/null || break; sleep 0.2; done
for h in "${holders[@]}"; do
  check "no segment left on node (holder $h)" \
    [ -z "$(nsenter -t "$h" --ipc ipcs -m | awk 'NR > 3 && $1 ~ /^0x/')" ]
  kill "$h" 2>/dev/null
done
check "no results file from the failed job" [ ! -e killed.csv ]
finish

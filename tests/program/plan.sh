# --plan: no job, no segment; golden outputs on hwloc XML fixtures; clear errors.
source "$(dirname "$0")/lib.sh"
isolate "$@"
workdir
data="$SHMCOUNT_SOURCE_DIR/tests/data"
topo="$data/topologies"

# golden NAME ARGS...: shmcount ARGS must print data/golden/NAME exactly, and nothing on stderr.
# Output goes to $WORK: the source tree stays clean.
golden() {
  local name=$1; shift
  "$SHMCOUNT" "$@" >"$WORK/plan.out" 2>"$WORK/plan.err"
  local status=$?
  if [ $status -ne 0 ]; then fail "$name: exit $status: $(cat "$WORK/plan.err")"; return; fi
  if [ -s "$WORK/plan.err" ]; then fail "$name: stderr: $(cat "$WORK/plan.err")"; return; fi
  if [ -n "${UPDATE_GOLDEN:-}" ]; then cp "$WORK/plan.out" "$data/golden/$name"; fi
  if diff -u "$data/golden/$name" "$WORK/plan.out" >&2; then pass "$name"; else fail "$name differs"; fi
}
cd "$topo" || exit 1  # Golden files name the topology as given: keep the paths short.
golden dual-scatter-4.txt --plan --ranks 4 --pin scatter --topology dual-2p16c32t-intel.xml
golden laptop-compact-4.txt --plan --ranks 4 --pin compact --topology laptop-1p4c8t-intel.xml
golden laptop-core-10.txt --plan --ranks 10 --pin core --topology laptop-1p4c8t-intel.xml
golden epyc-scatter-8.csv --plan --ranks 8 --pin scatter --format csv \
  --topology epyc-2p8numa64c128t-amd.xml
golden synthetic-list.csv --plan --ranks 3 --pin list:5,0-1 --format csv \
  --topology "pack:2 core:2 pu:2"
golden device-none-4.txt --plan --ranks 4 --pin none --topology device-16core-flat.xml
# Scatter on real machines' shapes (tests/data/topologies/README.md).
golden itanium-scatter-4.txt --plan --ranks 4 --pin scatter \
  --topology itanium-2n4p8c-numa-holds-packages.xml
golden ibm-scatter-4.txt --plan --ranks 4 --pin scatter \
  --topology ibm-x3950-4n16p96c-numa-holds-packages.xml
golden ibm-scatter-32.csv --plan --ranks 32 --pin scatter --format csv \
  --topology ibm-x3950-4n16p96c-numa-holds-packages.xml
golden xeon-shared-l2-scatter-4.txt --plan --ranks 4 --pin scatter \
  --topology xeon-2p4l2-8c-shared-l2.xml
golden raptorlake-scatter-8.txt --plan --ranks 8 --pin scatter --topology raptorlake-1p6p8e-hybrid.xml
golden raptorlake-core-16.csv --plan --ranks 16 --pin core --format csv \
  --topology raptorlake-1p6p8e-hybrid.xml
golden haswell-cod-scatter-4.txt --plan --ranks 4 --pin scatter \
  --topology haswell-2p4n28c-cod-groups.xml
golden haswell-disallowed-scatter-6.txt --plan --ranks 6 --pin scatter \
  --topology haswell-2p4n28c-cod-disallowed.xml
golden haswell-disallowed-compact-8.csv --plan --ranks 8 --pin compact --format csv \
  --topology haswell-2p4n28c-cod-disallowed.xml
golden knl-scatter-2.txt --plan --ranks 2 --pin scatter \
  --topology knl-reduced-2tiles-shared-l2-mcdram.xml
golden power8-scatter-4.txt --plan --ranks 4 --pin scatter --topology power8-2p8c16t-smt-subset.xml
golden ibm-list-numa.csv --plan --ranks 5 --pin list:numa:1,3 --format csv \
  --topology ibm-x3950-4n16p96c-numa-holds-packages.xml
golden haswell-disallowed-domains.txt --domains --topology haswell-2p4n28c-cod-disallowed.xml
golden xeon-shared-l2-domains.txt --domains --topology xeon-2p4l2-8c-shared-l2.xml
cd "$WORK" || exit 1

# plan_error DESCRIPTION PATTERN ARGS...
plan_error() {
  local what=$1 pattern=$2; shift 2
  "$SHMCOUNT" --plan "$@" >plan.out 2>plan.err
  local status=$?
  if [ $status -ne 2 ]; then fail "$what: exit $status, want 2"; return; fi
  if grep -q -- "$pattern" plan.err; then pass "$what"; else fail "$what: $(cat plan.err)"; fi
}
plan_error "--plan without --ranks" "--plan needs --ranks" --pin core
plan_error "--ranks 0" "--ranks '0'" --ranks 0
plan_error "bad synthetic topology" "neither a readable file, a topology shipped with shmcount" \
  --ranks 2 --topology "pack:lots"
plan_error "topology file that is not XML" "not a readable hwloc XML" --ranks 2 --topology /etc/hostname
plan_error "list PU outside the topology" "PU L#9 is not on this node" \
  --ranks 2 --pin list:0,9 --topology "pack:1 core:4 pu:2"
plan_error "list of an unknown object type" "unknown object type 'socket'" \
  --ranks 2 --pin list:socket:0 --topology "pack:1 core:4 pu:2"
plan_error "list of an object the node lacks" "core 9 does not exist on this node (cores 0-3)" \
  --ranks 2 --pin list:core:9 --topology "pack:1 core:4 pu:2"

# Outside mpirun, this machine's plan uses only the PUs this process may run on.
if [ "$(nproc --all)" -ge 2 ]; then
  taskset -c 1 "$SHMCOUNT" --plan --ranks 2 --format csv >plan.out 2>plan.err
  check "taskset -c 1: both ranks planned on P#1" \
    [ "$(cut -d, -f3 plan.out | tail -n +2 | tr '\n' ' ')" = "1 1 " ]
  taskset -c 1 "$SHMCOUNT" --plan --ranks 2 >plan.out 2>plan.err
  check "taskset -c 1: the plan says what was available" grep -q "available: PUs 1 (of 0-" plan.out
  check "taskset -c 1: the ranks are flagged as sharing" grep -q "2 rank(s) share a PU" plan.out
  taskset -c 1 "$SHMCOUNT" --domains >plan.out 2>plan.err
  check "--domains marks PUs outside the binding" grep -q "^node: 0(0)\* 1(1)" plan.out
fi

# Under mpirun, each node prints its plan, once, from rank 0; nothing runs.
job 3 --plan --pin compact
check "--plan under mpirun exits 0" [ "$rc" -eq 0 ]
check "--plan under mpirun prints the node's plan once" [ "$(grep -c '^Plan for 3 rank' job.out)" -eq 1 ]
check "--plan ran no kernel" [ -z "$(grep -i verification job.out)" ]
check "--plan leaves no file" [ "$(ls -A | tr '\n' ' ')" = "job.err job.out plan.err plan.out " ]
check "--plan leaves no segment" no_segments
finish

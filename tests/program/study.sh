# make study's choice (scripts/study.py) follows the topology, planned only (TOPOLOGY=, as
# shmcount --plan --topology reads it; PLAN_ONLY=1 for this machine): one package of two cores
# drops the --pin axis and says why; two packages keep core against scatter; SMT keeps compact;
# several NUMA nodes add the page policies, one names the NUMA guest; nothing is run or created.
source "$(dirname "$0")/lib.sh"
workdir
export SHMCOUNT RESULTS_ROOT="$WORK/results"
# The dry run's probe makes its temporary folder under TMPDIR: here, inside the test's folder.
mkdir tmp
export TMPDIR="$WORK/tmp"
study=("/usr/bin/python3" "$SHMCOUNT_SOURCE_DIR/scripts/study.py")
topologies="$SHMCOUNT_SOURCE_DIR/tests/data/topologies"

# choice NAME TOPOLOGY: the study's lines for TOPOLOGY in NAME.out; its status in $rc.
choice() {
  "${study[@]}" TOPOLOGY="$2" >"$1.out" 2>&1
  rc=$?
}
has() { grep -q -- "$2" "$1.out" || { echo "  (no '$2' in $1.out:)" >&2; sed 's/^/  | /' "$1.out" >&2; return 1; }; }
lacks() { ! grep -q -- "$2" "$1.out"; }
# sweeps NAME TEXT: the sweep NAME's study would run has TEXT in its settings.
sweeps() { grep '^study: the sweep: ' "$1.out" | grep -q -- "$2"; }

choice flat "pack:1 core:2 pu:1"
check "1 package x 2 cores: plans only (exit $rc)" [ "$rc" -eq 0 ]
check "... leaves out the --pin axis, saying why" \
  has flat "left out the --pin axis (--pin core only): every strategy plans alike on 1 package, 1 NUMA node, 2 cores, 2 PUs"
check "... names each strategy it dropped and the one it plans like" \
  bash -c "grep -q 'left out --pin compact: it plans every rank on the PU --pin core does' flat.out &&
           grep -q 'left out --pin scatter: it plans every rank on the PU --pin core does' flat.out"
check "... sweeps --pin core alone" sweeps flat " PINS=core "
check "... no SMT to compare" has flat "left out SMT: one PU per core"
check "... rank counts 1 and 2" sweeps flat "'RANKS=1 2'"
check "... keeps the counts patterns (sharing that writes differs on two cores)" \
  sweeps flat "'COUNTS=private padded packed shared'"
check "... one NUMA node: no page policies, and names the NUMA guest" \
  bash -c "grep -q 'left out --mempolicy and --touch: one NUMA node' flat.out &&
           grep -q 'numa_vm.py' flat.out && ! grep -q MEMPOLICIES flat.out"
check "... and ran nothing" bash -c "grep -q 'plan only: nothing was run' flat.out && [ ! -e '$WORK/results' ]"

choice packages "pack:2 core:2 pu:1"
check "2 packages x 2 cores: keeps core against scatter" \
  sweeps packages "'PINS=core scatter'"
check "... drops compact, which plans like core there" \
  has packages "left out --pin compact: it plans every rank on the PU --pin core does at 2, 4 ranks"
check "... rank counts 1, 2 and the 4 cores" \
  sweeps packages "'RANKS=1 2 4'"

choice smt "$topologies/laptop-1p4c8t-intel.xml"
check "1 package x 4 cores x 2 threads: keeps core, compact and scatter" \
  sweeps smt "'PINS=core compact scatter'"
check "... compares SMT at 4 ranks" \
  has smt "SMT: 2 PUs per core: --pin core (one rank per core) against compact (siblings first) at 4 ranks"
check "... rank counts 1 2 4 8" sweeps smt "'RANKS=1 2 4 8'"

choice numa "$topologies/dual-2p16c32t-intel.xml"
check "2 NUMA nodes: page policies and first touch join" \
  sweeps numa "'MEMPOLICIES=default interleave' 'TOUCHES=leader ranks'"
check "... without naming the guest" lacks numa "numa_vm.py"

# An axis the user sets is kept as set, and said so.
"${study[@]}" TOPOLOGY="pack:2 core:2 pu:1" PINS=compact >given.out 2>&1
check "PINS given: kept as given, said so" \
  bash -c "grep -q 'PINS=compact as given (the study would take core scatter)' given.out &&
           grep '^study: the sweep: ' given.out | grep -q ' PINS=compact$'"

# This machine, plan only: the sweep it would run is one the sweep accepts (DRY_RUN lists it).
"${study[@]}" PLAN_ONLY=1 >here.out 2>&1
check "this machine, PLAN_ONLY=1: exit 0, nothing run" \
  bash -c "[ $? -eq 0 ] && grep -q 'plan only: nothing was run' here.out && [ ! -e '$WORK/results' ]"
"${study[@]}" DRY_RUN=1 >dry.out 2>&1
check "DRY_RUN=1: the sweep plans every chosen point and creates nothing (exit $?)" \
  bash -c "grep -q '^sweep: dry run: .*nothing was created' dry.out && [ ! -e '$WORK/results' ]"

# A bad topology: one message, exit 2.
"${study[@]}" TOPOLOGY=/nonexistent.xml >bad.out 2>&1
rc=$?
check "a topology hwloc cannot read: exit 2 (exit $rc), one message" \
  bash -c "[ $rc -eq 2 ] && [ \$(grep -c '^study: ' bad.out) -eq 1 ]"
finish

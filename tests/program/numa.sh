#!/usr/bin/env bash
# numa.sh SUITE TOPOLOGY [HUGEPAGES]: the NUMA tier. Boots a throwaway multi-NUMA guest
# (scripts/numa_vm.py: QEMU, this machine's kernel and files) of TOPOLOGY and runs
# tests/numa/numa_checks.py SUITE in it against this build's shmcount, with the observer kernel
# (tests/numa/observer.c: the kernel's own numa_maps and CPU of each rank) built here.
# Skips (77) with one line where the guest cannot run (no QEMU, no kernel in /boot).
set -u
source "$(dirname "$0")/lib.sh"
suite=$1 topology=$2 hugepages=${3:-0}
src=${SHMCOUNT_SOURCE_DIR:?}
work=$(mktemp -d /tmp/shmcount-numa-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
cc -O2 -fPIC -shared -I"$src/include" "$src/tests/numa/observer.c" -o libobserver.so ||
  { echo "FAIL: cannot build the observer kernel"; exit 1; }
export OBSERVER=$work/libobserver.so SHMCOUNT MPIEXEC SHMCOUNT_MPI
"$SHMCOUNT_PYTHON" "$src/scripts/numa_vm.py" --topology "$topology" --hugepages "$hugepages" \
  --timeout 840 -- /usr/bin/python3 "$src/tests/numa/numa_checks.py" "$suite" 2>guest.err
status=$?
grep -v '^numa_vm: the guest cannot run here' guest.err >&2
if [ "$status" -eq 125 ]; then
  echo "skipped: $(grep -m1 'the guest cannot run here' guest.err | sed 's/^numa_vm: //')"
  exit 77
fi
if [ "$status" -ne 0 ]; then
  for f in out/*.err; do [ -f "$f" ] && { echo "--- $f"; tail -n 5 "$f"; }; done | tail -n 60
fi
exit "$status"

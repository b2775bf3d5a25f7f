# shmcount under likwid-mpirun (likwid 5.2.2, Open MPI): likwid-mpirun -pin starts each rank
# under `likwid-pin -c PART`, PART its share of the expression ('_' between ranks), with
# mpirun's own binding off. With --pin launcher shmcount keeps that binding and reports it: the
# PU each rank ran on and its binding (CSV pu_os and cpuset, read back) are the PU likwid-pin
# -c PART -p names first, and the run context says likwid-pin pinned the ranks. Plain mpirun
# with --pin likwid:EXPR puts the ranks on the same PUs.
source "$(dirname "$0")/lib.sh"
command -v likwid-mpirun >/dev/null ||
  { echo "skipped: likwid-mpirun is not installed (scripts/setup.sh installs likwid)"; exit 77; }
[ "$SHMCOUNT_MPI" = openmpi ] ||
  { echo "skipped: likwid-mpirun -mpi openmpi needs Open MPI's mpirun, this build is $SHMCOUNT_MPI"; exit 77; }
[ "$(nproc)" -ge 2 ] || { echo "skipped: needs 2 PUs, this machine has $(nproc)"; exit 77; }
isolate "$@"
workdir
# likwid-mpirun runs the first mpiexec/mpirun on PATH: the one this build's tests use.
PATH="$(dirname "$(command -v "$MPIEXEC")"):$PATH"
runs=0

# column CSV NAME: NAME of each record of rep 0, in rank order, joined with commas.
column() {
  /usr/bin/python3 -c 'import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["rep"] == "0"]
print(",".join(r[sys.argv[2]] for r in sorted(rows, key=lambda r: int(r["rank"]))))' "$1" "$2"
}
launcher_note() {
  /usr/bin/python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["nodes"][0]["noise"]["launcher"])' "$1"
}
# first_pu PART: the PU likwid-pin -c PART pins a process to (the first it lists).
first_pu() { likwid-pin -c "$1" -p 2>/dev/null | cut -d, -f1; }

# under_likwid RANKS EXPR: likwid-mpirun -np RANKS -pin EXPR shmcount --pin launcher; each rank
# ran on, and was bound to, the first PU of its part of EXPR.
under_likwid() {
  local n=$1 expr=$2 want="" part
  for part in $(echo "$expr" | tr _ ' '); do want="$want${want:+,}$(first_pu "$part")"; done
  runs=$((runs + 1))
  local out=likwid-$runs.csv
  timeout 120 likwid-mpirun -mpi openmpi -np "$n" -pin "$expr" "$SHMCOUNT" --pin launcher \
    --reps 1 --values 4 --no-baseline --output "$out" >job.out 2>job.err
  rc=$?
  if [ "$rc" -ne 0 ]; then
    fail "likwid-mpirun -np $n -pin $expr shmcount --pin launcher: exit $rc"
    return
  fi
  check "likwid-mpirun -np $n -pin $expr: $(echo "$want" | tr , '\n' | grep -c .) rank(s) ran" \
    [ "$(column "$out" rank | tr , '\n' | grep -c .)" -eq "$(echo "$want" | tr , '\n' | grep -c .)" ]
  check "likwid-mpirun -np $n -pin $expr: ranks ran on $want (read back), as likwid-pin -c puts them" \
    [ "$(column "$out" pu_os)" = "$want" ]
  check "likwid-mpirun -np $n -pin $expr: each rank bound to that one PU (cpuset $want)" \
    [ "$(column "$out" cpuset)" = "$want" ]
  check "likwid-mpirun -np $n -pin $expr: the run context names likwid-pin" \
    grep -q 'pinned by likwid-pin' <<<"$(launcher_note "${out%.csv}.json")"
  # The same expression as --pin likwid: under plain mpirun: the same PUs.
  if [ "$(echo "$expr" | tr _ '\n' | grep -c .)" -eq "$n" ]; then
    job "$n" --pin "likwid:$expr" --reps 1 --values 4 --no-baseline --output "plain-$runs.csv"
    [ "$rc" -eq 0 ] || { fail "mpirun -np $n --pin likwid:$expr: exit $rc"; return; }
    check "mpirun -np $n --pin likwid:$expr ran ranks on $want too" \
      [ "$(column "plain-$runs.csv" pu_os)" = "$want" ]
  fi
}

under_likwid 2 S0:1_S0:0
under_likwid 2 N:0_N:1
under_likwid 2 E:N:1:1:1:1_E:N:1
under_likwid 2 M0:0_C0:1
# A part naming 2 PUs is one rank of 2 threads for likwid-mpirun: -np 2 -pin S0:0-1 starts one
# rank, pinned to S0:0 (its threads would take the rest); docs/pinning.md says so.
under_likwid 2 S0:0-1
check "no segment left" no_segments
finish

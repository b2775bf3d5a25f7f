# shmcount's likwid: placements held against likwid-pin 5.2.2 itself, on this machine: for each
# expression, the PUs `likwid-pin -c EXPR -p` prints, the PUs `shmcount --plan` plans, the PUs
# the ranks of a real run ran on (read back, CSV column pu_os) and, given the likwid_threads
# program ($1), the PUs likwid-pin really pins a program's threads to, agree in order. What
# likwid-pin refuses, shmcount refuses (exit 2, one message, no file); where shmcount refuses on
# purpose what likwid-pin takes, or takes what it refuses, docs/pinning.md says so and why.
source "$(dirname "$0")/lib.sh"
command -v likwid-pin >/dev/null ||
  { echo "skipped: likwid-pin is not installed (scripts/setup.sh installs likwid)"; exit 77; }
[ "$(nproc)" -ge 2 ] || { echo "skipped: needs 2 PUs, this machine has $(nproc)"; exit 77; }
threads=${1:+$(realpath "$1")}
isolate "$@"
workdir
runs=0

# likwid EXPR: the OS ids likwid-pin places threads on, one line "0,1"; status likwid-pin's.
likwid() { likwid-pin -c "$1" -p 2>likwid.err; }
# The pu_os column of a CSV, in rank order (rep 0 for a run), joined with commas.
planned_os() { csv_column "$1" pu_os | paste -sd, -; }
ran_os() {
  "$SHMCOUNT_PYTHON" -c 'import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["rep"] == "0"]
print(",".join(r["pu_os"] for r in sorted(rows, key=lambda r: int(r["rank"]))))' "$1"
}
# pinned_threads EXPR N: the PU of each of N threads of likwid_threads under likwid-pin -c EXPR
# (each thread bound to exactly one PU), in thread order.
pinned_threads() {
  likwid-pin -q -c "$1" "$threads" "$2" 2>/dev/null | sort -n |
    awk 'NF != 2 { print "unbound"; next } { print $2 }' | paste -sd, -
}

# agree EXPR [RANKS]: shmcount places RANKS ranks (default: as many as likwid-pin lists PUs)
# where likwid-pin places as many threads.
agree() {
  local expr=$1 want n
  want=$(likwid "$expr") || { fail "likwid-pin refuses -c $expr: $(cat likwid.err)"; return; }
  n=${2:-$(echo "$want" | tr , '\n' | grep -c .)}
  if [ -n "${2:-}" ]; then  # More threads than PUs named: likwid-pin wraps round-robin.
    want=$(echo "$want" | tr , '\n' | awk -v n="$n" '{ p[NR - 1] = $1 } END {
      for (i = 0; i < n; ++i) printf "%s%s", (i ? "," : ""), p[i % NR]; print "" }')
  fi
  if [ -n "$threads" ]; then
    check "likwid-pin -c $expr pins $n threads to $want" \
      [ "$(pinned_threads "$expr" "$n")" = "$want" ]
  fi
  "$SHMCOUNT" --plan --ranks "$n" --pin "likwid:$expr" --format csv >plan.csv 2>job.err
  check "--plan --ranks $n --pin likwid:$expr: exit 0" [ $? -eq 0 ]
  check "--plan --ranks $n --pin likwid:$expr plans $want, as likwid-pin -c $expr -p" \
    [ "$(planned_os plan.csv)" = "$want" ]
  runs=$((runs + 1))
  local out=run-$runs.csv
  job "$n" --pin "likwid:$expr" --reps 1 --values 4 --no-baseline --output "$out"
  [ "$rc" -eq 0 ] || { fail "mpirun -np $n --pin likwid:$expr: exit $rc: $(cat job.err)"; return; }
  check "mpirun -np $n --pin likwid:$expr: ranks ran on $want (read back)" \
    [ "$(ran_os "$out")" = "$want" ]
  check "mpirun -np $n --pin likwid:$expr: every rank where planned" \
    [ -z "$(csv_column "$out" placed_ok | grep -v '^1$')" ]
}
# refused EXPR: shmcount refuses it with exit 2 and one message, in --plan and under mpirun,
# leaving no file.
refused() {
  local expr=$1
  "$SHMCOUNT" --plan --ranks 2 --pin "likwid:$expr" >job.out 2>job.err
  check "--plan --pin likwid:$expr: refused with exit 2" [ $? -eq 2 ]
  check "--plan --pin likwid:$expr: one message" [ "$(messages)" -eq 1 ]
  job 2 --pin "likwid:$expr" --reps 1 --values 4 --no-baseline --output refused.csv
  check "mpirun -np 2 --pin likwid:$expr: exit 2" [ "$rc" -eq 2 ]
  check "mpirun -np 2 --pin likwid:$expr: one message" [ "$(messages)" -eq 1 ]
  check "mpirun -np 2 --pin likwid:$expr: no file left" \
    [ -z "$(find . -maxdepth 1 -name 'refused*' | grep .)" ]
}

# Expressions valid on any node with 2 PUs in package 0: OS ids, every domain, ranges both
# ways, '@' joins, bare domains, the E: form (chunk, stride, offset; a count past the domain
# starts again), L:, the scatter and balanced policies (with and without a count).
for expr in 0,1 1,0 1-0 N:0-1 N:1-0 N:1 S0:0-1 S0:1-0 M0:1 M0:0-1 C0:0-1 D0:0-1 D0:1 \
  M0:0@C0:1 S0:1@N:0 N S0 M0 C0 D0 E:N E:S0 E:N:2 E:N:3 E:S0:2:1:1 E:N:1:1:2 \
  E:N:2:1:2 E:N:4:2:2 E:N:1:1:1:1 E:N:2:1:1:1 E:N:2:2:2:0 E:S0:1@E:S0:1:1:1:1 L:N:1 \
  L:S0:1-0 L:M0:0 L:C0:0-1 L:D0:0 N:scatter S:scatter M:scatter C:scatter D:scatter \
  S0:scatter S:scatter:1 M:scatter:2 S:balanced S:balanced:1 M:balanced:2; do
  agree "$expr"
done
# More ranks than the expression names: likwid-pin 5.2.2 wraps threads round-robin (its manual
# says extra threads go to the first PU: 4 threads of N:1-0 would be 1,0,1,1); so does shmcount.
agree N:1-0 4
agree M0:0@C0:1 3

# What likwid-pin refuses, shmcount refuses.
for expr in L:0-1 L:0,2,4 N: E:N:0 X:0 "N:0-$(nproc)" 5000 S9:0 E:N:2:1 E:N:1:1:1:1:1 E:X \
  X:scatter scatter E:N:2:0:1; do
  if likwid "$expr" >/dev/null; then
    fail "likwid-pin takes -c $expr, printing $(likwid "$expr"): this test expects a refusal"
  else
    pass "likwid-pin refuses -c $expr: $(grep -v '^Failed' likwid.err | head -n 1)"
  fi
  refused "$expr"
done
# Refused on purpose where likwid-pin takes them (docs/pinning.md): a PU named twice (likwid-pin
# puts two threads on it), an index past the domain (likwid-pin wraps N:2 to N:0 on 2 PUs), OS
# ids not on the node (likwid-pin drops them), a non-numeric index (likwid-pin takes N:a as N:0,
# S:scatter:x as S:scatter), an E: offset at or past the domain's end (likwid-pin reads past its
# list), a stride below the chunk or zero (PUs twice), cbalanced (undocumented).
for expr in N:0,0 N:0-1@N:0-1 "N:$(nproc)" "0-$(nproc)" N:a S:scatter:x "E:N:1:1:1:$(nproc)" \
  E:N:2:1:0 E:N:2:2:1 S:cbalanced; do
  if likwid "$expr" >/dev/null; then
    pass "likwid-pin takes -c $expr ($(likwid "$expr"))"
  else
    fail "likwid-pin refuses -c $expr now: docs/pinning.md says it takes it"
  fi
  refused "$expr"
done
# '_' joins terms as likwid-mpirun's -pin does; likwid-pin refuses it, shmcount takes it as '@'.
check "likwid-pin refuses -c S0:0_S0:1 ('_' is likwid-mpirun's)" \
  bash -c '! likwid-pin -c S0:0_S0:1 -p >/dev/null 2>&1'
"$SHMCOUNT" --plan --ranks 2 --pin likwid:S0:1_S0:0 --format csv >plan.csv 2>job.err
check "--pin likwid:S0:1_S0:0 plans as S0:1@S0:0: $(likwid S0:1@S0:0)" \
  [ "$(planned_os plan.csv)" = "$(likwid S0:1@S0:0)" ]

# docs/pinning.md's table of equivalents, line by line: 2 ranks of `mpirun MAPPING shmcount
# --pin launcher` (Open MPI's binding, read back) and of `shmcount --pin STRATEGY` run on the PUs
# likwid-pin -c EXPR lists.
# equivalent EXPR STRATEGY MPIRUN_OPTION...
equivalent() {
  local expr=$1 strategy=$2 want; shift 2
  want=$(likwid "$expr") || { fail "likwid-pin refuses -c $expr: $(cat likwid.err)"; return; }
  runs=$((runs + 1))
  timeout 120 "$MPIEXEC" -np 2 "$@" "$SHMCOUNT" --pin launcher --reps 1 --values 4 \
    --no-baseline --output "launcher-$runs.csv" >job.out 2>job.err
  rc=$?
  if [ "$rc" -eq 0 ]; then
    check "mpirun $* (--pin launcher) ran ranks on $want, as likwid-pin -c $expr" \
      [ "$(ran_os "launcher-$runs.csv")" = "$want" ]
  else
    fail "mpirun -np 2 $* --pin launcher: exit $rc"
  fi
  job 2 --pin "$strategy" --reps 1 --values 4 --no-baseline --output "strategy-$runs.csv"
  if [ "$rc" -eq 0 ]; then
    check "--pin $strategy ran ranks on $want, as likwid-pin -c $expr" \
      [ "$(ran_os "strategy-$runs.csv")" = "$want" ]
  else
    fail "mpirun -np 2 --pin $strategy: exit $rc"
  fi
}
if [ "$SHMCOUNT_MPI" = openmpi ]; then
  # Each rank bound to one PU, so where it ran is decided: a core's other threads would not be.
  equivalent N:0-1 core --map-by core --bind-to hwthread
  equivalent E:N:2 compact --map-by hwthread --bind-to hwthread
  # list: and a rankfile's slots (with --use-hwthread-cpus) name logical PUs, likwid-pin OS ids.
  printf 'rank 0=localhost slot=1\nrank 1=localhost slot=0\n' >rankfile
  os_of() { hwloc-calc --physical-output -I pu "pu:$1"; }
  equivalent "$(os_of 1),$(os_of 0)" list:1,0 --use-hwthread-cpus --rankfile rankfile
fi

check "no segment left" no_segments
finish

# Real binding on this machine, checked through the read-back columns of the CSV, for 1, 2 and
# 4 ranks (oversubscribed here) under each strategy.
source "$(dirname "$0")/lib.sh"
isolate "$@"
workdir
pus=$(nproc)

for pin in core compact scatter list:1,0 none launcher; do
  for n in 1 2 4; do
    [ "$pin" = list:1,0 ] && [ "$pus" -lt 2 ] && continue
    [ "$pin" = list:1,0 ] && [ "$n" -eq 4 ] && continue  # A list names one PU per rank.
    out="${pin//[:,]/_}-$n.csv"
    job "$n" --pin "$pin" --reps 2 --no-baseline --output "$out"
    [ "$rc" -eq 0 ] || { fail "--pin $pin with $n ranks: exit $rc: $(cat job.err)"; continue; }
    bad=$(csv_column "$out" placed_ok | grep -vc '^1$')
    check "--pin $pin, $n ranks: every rank ran where planned" [ "$bad" -eq 0 ]
    check "--pin $pin, $n ranks: read-back recorded a PU for every row" \
      [ -z "$(csv_column "$out" pu_os | grep -v '^[0-9]')" ]
    if [ "$pin" = none ] || [ "$pin" = launcher ]; then
      check "--pin $pin plans no PU" [ -z "$(csv_column "$out" planned_pu | grep .)" ]
    fi
  done
done

# Where each rank ran, as "rank:pu_logical" pairs of the last repetition.
placement() {
  "$SHMCOUNT_PYTHON" -c 'import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    if r["rep"] == "1": print(r["rank"] + ":" + r["pu_logical"] + ":" + r["planned_pu"])' "$1" |
    sort | tr '\n' ' '
}
if [ "$pus" -ge 2 ]; then
  check "--pin core, 2 ranks: rank 0 on PU 0, rank 1 on PU 1" \
    [ "$(placement core-2.csv)" = "0:0:0 1:1:1 " ]
  check "--pin list:1,0: rank 0 on PU 1, rank 1 on PU 0" \
    [ "$(placement list_1_0-2.csv)" = "0:1:1 1:0:0 " ]
  check "--pin core, 4 ranks: round-robin over 2 PUs" \
    [ "$(placement core-4.csv)" = "0:0:0 1:1:1 2:0:0 3:1:1 " ]
  check "--pin core, 4 ranks on 2 PUs: flagged oversubscribed" \
    [ -z "$(csv_column core-4.csv oversubscribed | grep -v '^1$')" ]
  check "--pin core, 2 ranks on 2 PUs: not oversubscribed" \
    [ -z "$(csv_column core-2.csv oversubscribed | grep -v '^0$')" ]
fi
# Plans stay inside the launcher's CPUs: taskset on mpirun; and inside the binding the user asked
# the launcher for: Open MPI's --cpu-set 1, MPICH's -bind-to user:1,1 (both ranks on PU 1).
if [ "$SHMCOUNT_MPI" = mpich ]; then bind_pu1=(-bind-to user:1,1); else bind_pu1=(--cpu-set 1); fi
if [ "$pus" -ge 2 ]; then
  taskset -c 1 timeout 120 "$MPIEXEC" -np 1 "$SHMCOUNT" --reps 2 --no-baseline \
    --output taskset.csv >job.out 2>job.err
  check "taskset -c 1 mpirun -np 1: exit 0" [ $? -eq 0 ]
  check "taskset -c 1 mpirun -np 1: the rank ran on PU 1 as planned" \
    [ "$(placement taskset.csv)" = "0:1:1 " ]
  check "taskset -c 1 mpirun -np 1: its cpuset is 1" [ "$(csv_column taskset.csv cpuset | sort -u)" = 1 ]
  check "taskset -c 1 mpirun -np 1: the summary says PU 1 of 0-1 was available" \
    grep -q "available: PUs 1 (of 0-$((pus - 1)))" job.out
  for pin in core none; do
    timeout 120 "$MPIEXEC" -np 2 "${bind_pu1[@]}" "$SHMCOUNT" --pin $pin --reps 2 --no-baseline \
      --output "cpuset-$pin.csv" >job.out 2>job.err
    check "${bind_pu1[*]}, --pin $pin: exit 0" [ $? -eq 0 ]
    check "${bind_pu1[*]}, --pin $pin: both ranks ran on PU 1" \
      [ "$(csv_column "cpuset-$pin.csv" pu_logical | sort -u)" = 1 ]
    check "${bind_pu1[*]}, --pin $pin: both bound to PU 1 only" \
      [ "$(csv_column "cpuset-$pin.csv" cpuset | sort -u)" = 1 ]
  done
  check "${bind_pu1[*]}, --pin none: the summary shows the binding" grep -q '\[\./B\]' job.out
  check "${bind_pu1[*]}: the summary says PU 1 was available" grep -q 'available: PUs 1 (of' job.out
  check "${bind_pu1[*]}, --pin core: flagged as sharing the PU" \
    [ "$(csv_column cpuset-core.csv oversubscribed | sort -u)" = 1 ]
  job 2 --pin none --reps 2 --no-baseline --output none-whole.csv
  check "unrestricted --pin none: each rank may use the whole node" \
    [ "$(csv_column none-whole.csv cpuset | sort -u)" = "0-$((pus - 1))" ]
  check "unrestricted --pin none: the summary shows [B/B]" grep -q '\[B/B\]' job.out
  check "unrestricted --pin core: cpusets 0 and 1" \
    [ "$(csv_column core-2.csv cpuset | sort -u | tr '\n' ' ')" = "0 1 " ]
  check "--plan under taskset plans inside it" \
    bash -c "taskset -c 1 '$MPIEXEC' -np 2 '$SHMCOUNT' --plan --format csv | grep -c '^[01],1,1,'" 
fi

job 2 --pin core --reps 1 --no-baseline --output summary.csv
check "summary prints a placement map" grep -q 'PUs by package and NUMA node' job.out
check "summary prints one line per rank with its PU" grep -Eq '^ +1 +1 +1 +1 ' job.out
check "no segment left" no_segments
finish

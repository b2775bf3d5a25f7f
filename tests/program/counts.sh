# Where the counts live (--counts private, shared, packed, padded): every mode verified at 1, 2
# and 4 ranks under every mechanism that shares memory, and refused with private copies; a
# shared table holds the node's ranks' counts; kill -9 during a shared-counts kernel leaves
# nothing.
source "$(dirname "$0")/lib.sh"
isolate "$@"
workdir
mkdir out

for share in sysv posix window; do
  for counts in private shared packed padded; do
    for n in 1 2 4; do
      out="out/$share-$counts-$n.csv"
      job "$n" --share "$share" --counts "$counts" --kernel histogram --size 20000 --values 100 \
        --reps 2 --output "$out"
      check "--share $share --counts $counts, $n rank(s): exit 0 ($(head -c 200 job.err))" \
        [ "$rc" -eq 0 ]
      check "--share $share --counts $counts, $n rank(s): every count right" \
        [ -n "$(csv_column "$out" ok)" ] && [ -z "$(csv_column "$out" ok | grep -v '^1$')" ]
    done
  done
done
check "the CSV records the mode" [ "$(csv_column out/sysv-packed-2.csv counts | sort -u)" = packed ]
job 2 --counts packed --kernel histogram --size 20000 --values 100 --reps 2 --output out/summary.csv
check "the summary names the mode and its updates" \
  grep -q '^counts: --counts packed, .*20000 count updates per unit' job.out
check "the multi-pass kernels under shared counts: exit 0" \
  bash -c "$MPIEXEC -np 2 $SHMCOUNT --counts shared --reps 2 --output out/naive.csv >/dev/null 2>&1"
for counts in private shared; do
  job 2 --share private --counts "$counts" --reps 1 --output "out/private-$counts.csv"
  if [ "$counts" = private ]; then
    check "private copies with private counts: exit 0" [ "$rc" -eq 0 ]
  else
    check "--share private --counts shared is refused (exit 2)" [ "$rc" -eq 2 ]
    check "... saying why" grep -q "gives every rank its own: use --share sysv, posix or window" job.err
  fi
done

# kill -9 of a rank inside a shared-counts kernel: nothing is left.
: >job.err
SHMCOUNT_FAULT=stall:timed@1 timeout 60 "$MPIEXEC" -np 2 "$SHMCOUNT" --counts shared \
  --kernel histogram --reps 3 --output out/killed.csv >job.out 2>job.err &
launcher=$!
pid=$(await_stall job.err $launcher timed)
check "the stalled rank is found (pid '$pid')" [ -n "$pid" ]
[ -n "$pid" ] && kill -9 "$pid"
wait $launcher
check "the job ends non-zero after kill -9" [ $? -ne 0 ]
check "no segment left after kill -9" no_segments
check "nothing in /dev/shm after kill -9" [ -z "$(shm_files)" ]
check "no result file after kill -9" [ ! -e out/killed.csv ]
finish

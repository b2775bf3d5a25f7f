# Every kernel runs end to end under mpirun, verifies its counts and reports its rate, on the
# seed's data and on random data.
source "$(dirname "$0")/lib.sh"
isolate "$@"
workdir
for kernel in naive scalar blocked histogram; do
  for data in "--pattern seed" "--pattern random --seed 11"; do
    job 2 --kernel "$kernel" $data --size 20000 --values 100 --reps 2 --output "$kernel.csv"
    rm -f "$kernel.csv" "$kernel.json"
    what="--kernel $kernel $data"
    check "$what exits 0" [ "$rc" -eq 0 ]
    check "$what verifies" grep -q 'verification: all counts right' job.out
    if [ "$kernel" = histogram ]; then
      check "$what reports element visits/s" grep -q 'element visits/s per rank' job.out
    else
      check "$what reports compares/s" grep -q 'compares; median .*compares/s per rank' job.out
    fi
  done
done
check "no segment left" no_segments
finish

# A whole run with N ranks: every (phase, rank, rep) row, verified counts, the summary table, the
# run context, and no segment left. Usage: run_ranks.sh N
source "$(dirname "$0")/lib.sh"
isolate "$@"
workdir
n=$1
reps=3

job "$n" --reps $reps --warmup 1 --output run.csv
check "exit 0 with $n ranks" [ "$rc" -eq 0 ]
check "CSV has $n x $reps parallel + $reps sequential rows" \
  [ "$(csv_rows run.csv)" -eq $((n * reps + reps)) ]
check "every row verified" [ -z "$(csv_column run.csv ok | grep -v '^1$')" ]
check "every one of the $n ranks has parallel rows" \
  [ "$(csv_where run.csv rank phase parallel | sort -u | wc -l)" -eq "$n" ]
check "every rank has exactly $reps parallel rows" \
  [ "$(csv_where run.csv rank phase parallel | sort | uniq -c | awk '{ print $1 }' | sort -u)" = "$reps" ]
check "sequential rows do all $n units" \
  [ "$(csv_where run.csv units phase sequential | sort -u)" = "$n" ]
check "summary shows the seed-style table" grep -q 'ranks  sequential ms  parallel ms  speedup' job.out
check "summary shows the makespan's spread" grep -q 'parallel: makespan' job.out
check "summary shows each rank's own time (t_min, t_avg, t_max)" grep -q 't_max' job.out
check "summary says verification passed" grep -q 'verification: all counts right' job.out
check "run context written beside the CSV" [ -s run.json ]
for key in host cpu_model topology mpi_library hwloc_version compiler build_flags revision \
           utc_time command_line; do
  check "run context has $key" grep -q "\"$key\": \"[^\"]" run.json
done
check "no temporary file left" [ "$(ls -A | sort | tr '\n' ' ')" = "job.err job.out run.csv run.json " ]
check "no segment left" no_segments
check "exactly one summary (rank 0 only)" [ "$(grep -c '^verification:' job.out)" -eq 1 ]
finish

# A small sweep: every point one mpirun into one result set; a rerun resumes; a failed point is
# recorded and the sweep goes on; bad settings are refused before anything runs.
source "$(dirname "$0")/lib.sh"
isolate "$@"
workdir
sweep="$SHMCOUNT_SOURCE_DIR/scripts/sweep.sh"
export RESULTS_ROOT="$WORK/results" BENCH=0 REPS=2

NAME=two RANKS="1 2" PINS=core bash "$sweep" >sweep.out 2>&1
check "two-point sweep exits 0" [ $? -eq 0 ]
check "manifest lists both points done" \
  [ "$(csv_column results/two/manifest.csv status | tr '\n' ' ')" = "done done " ]
check "each point has its CSV and run context" \
  [ "$(ls results/two/points/*.csv results/two/points/*.json | wc -l)" -eq 4 ]
check "progress shows points done/total and time left" grep -q '^\[2/2\] .*about [0-9]*s left' sweep.out
check "machine description saved" [ -s results/two/machine.csv ]

before=$(stat -c %Y results/two/points/naive-core-np1.csv)
rm results/two/points/naive-core-np2.status   # As if the sweep had been stopped there.
NAME=two RANKS="1 2" PINS=core bash "$sweep" >sweep.out 2>&1
check "rerun skips the finished point" grep -q '^\[1/2\] .*done earlier, skipped' sweep.out
check "rerun runs the unfinished point" grep -q '^\[2/2\] .*: done in' sweep.out
check "finished point untouched" [ "$(stat -c %Y results/two/points/naive-core-np1.csv)" = "$before" ]

NAME=fail RANKS="1 2" PINS=list:0 bash "$sweep" >sweep.out 2>&1
check "a failed point makes the sweep exit 1" [ $? -eq 1 ]
check "the failed point is recorded" \
  [ "$(csv_column results/fail/manifest.csv status | tr '\n' ' ')" = "done failed " ]
check "the failure is reported at the end" grep -q '1 point(s) failed' sweep.out

NAME=bad PINS="core bogus" bash "$sweep" >sweep.out 2>&1
check "unknown strategy refused with exit 2" [ $? -eq 2 ]
check "the message names it" grep -q "unknown strategy" sweep.out
NAME=bad KERNELS=turbo bash "$sweep" >sweep.out 2>&1
check "unknown kernel refused with exit 2" [ $? -eq 2 ]
check "nothing ran for bad settings" [ ! -e results/bad ]
check "no segment left" no_segments
finish

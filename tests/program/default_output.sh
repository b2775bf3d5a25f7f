# Without --output, results go to a new pair of files under results/, never overwriting.
source "$(dirname "$0")/lib.sh"
isolate "$@"
workdir
job 2 --reps 1 --no-baseline
check "first run succeeds" [ "$rc" -eq 0 ]
job 2 --reps 1 --no-baseline
check "second run succeeds" [ "$rc" -eq 0 ]
check "two CSVs under results/" [ "$(ls results/*.csv | wc -l)" -eq 2 ]
check "two run contexts under results/" [ "$(ls results/*.json | wc -l)" -eq 2 ]
csv=$(ls results/*.csv | head -1)
check "no-baseline run has no sequential rows" [ -z "$(grep ',sequential,' "$csv")" ]
check "summary names the files" grep -q "^results: results/shmcount-" job.out
check "no segment left" no_segments
finish

# A refused command line reaches the user every time: exactly one "shmcount:" message and exit
# status 2, however the ranks are timed. Before, a rank that exited first made mpirun end the job
# before rank 0's message was out (3 of 40 runs showed none). Repeated enough to catch a 1-in-10
# loss many times over.
source "$(dirname "$0")/lib.sh"
isolate "$@"
workdir

# repeat_refusal TIMES DESCRIPTION ARGS...: every run shows one message and exits 2.
repeat_refusal() {
  local times=$1 what=$2; shift 2
  local lost=0 i
  for i in $(seq "$times"); do
    job 3 "$@"
    if [ "$rc" -ne 2 ] || [ "$(messages)" -ne 1 ]; then
      lost=$((lost + 1))
      echo "run $i: exit $rc, $(messages) message(s): $(head -c 300 job.err)" >&2
    fi
  done
  check "$what: one message and exit 2 in each of $times runs at np=3 ($lost lost)" [ "$lost" -eq 0 ]
}
repeat_refusal 45 "bad option (refused before MPI starts)" --kernel nosuch
# Rank 0 a second late to speak: no rank may leave before its message is out.
SHMCOUNT_FAULT=slow:refusal@0 repeat_refusal 5 "bad option, rank 0 slow to speak" --kernel nosuch
repeat_refusal 6 "output folder refused in set-up" --output /proc/r.csv
repeat_refusal 4 "--ranks under mpirun" --plan --ranks 2
check "no segment left" no_segments
finish

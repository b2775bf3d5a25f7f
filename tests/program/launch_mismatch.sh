# A binary of one MPI library under another's launcher is refused before anything is created:
# one message naming the launcher, this build's MPI and what to run instead, exit 2 on every rank,
# no result file, no segment. (Otherwise every rank starts alone, as a one-rank job of its own.)
# Needs both builds: SHMCOUNT (Open MPI, under mpirun) and SHMCOUNT_MPICH (under mpiexec.mpich).
source "$(dirname "$0")/lib.sh"
isolate "$@"
workdir
: "${SHMCOUNT_MPICH:?set SHMCOUNT_MPICH to the MPICH build of shmcount}"
[ -x "$SHMCOUNT_MPICH" ] && command -v mpiexec.mpich >/dev/null ||
  { echo "skipped: no MPICH build ($SHMCOUNT_MPICH) or no mpiexec.mpich"; exit 77; }
mkdir out

refused() {  # refused DESCRIPTION PATTERN COMMAND...
  local what=$1 pattern=$2
  shift 2
  timeout 60 "$@" --reps 1 --output out/r.csv >job.out 2>job.err
  rc=$?
  check "$what: exit 2 (got $rc)" [ "$rc" -eq 2 ]
  check "$what: one message" [ "$(messages)" -eq 1 ]
  check "$what: it names both and the way out" grep -q -- "$pattern" job.err
  check "$what: no result file" [ -z "$(ls -A out)" ]
  check "$what: no segment" no_segments
}
refused "the MPICH build under Open MPI's mpirun" \
  "Open MPI's mpirun started this process (OMPI_COMM_WORLD_SIZE=2) but shmcount is built with MPICH.*mpiexec.mpich" \
  mpirun -np 2 "$SHMCOUNT_MPICH"
refused "the Open MPI build under mpiexec.mpich" \
  "MPICH's mpiexec (Hydra) started this process (PMI_SIZE=2) but shmcount is built with Open MPI.*mpirun" \
  mpiexec.mpich -np 2 "$SHMCOUNT"
# A launcher that says 3 ranks while MPI sees 1 (here srun's variables without srun): caught once
# MPI has started.
refused "3 ranks said, 1 seen" "srun started 3 ranks (SLURM_STEP_NUM_TASKS=3) but MPI sees 1" \
  env SLURM_STEP_ID=0 SLURM_STEP_NUM_TASKS=3 "$SHMCOUNT"
# A one-task step (an interactive srun --pty shell) is not a job: --plan --ranks plans there.
SLURM_STEP_ID=0 SLURM_STEP_NUM_TASKS=1 "$SHMCOUNT" --plan --ranks 2 >job.out 2>job.err
check "--plan --ranks in a one-task Slurm step plans (exit $?)" grep -q '^Plan for 2 rank' job.out
finish

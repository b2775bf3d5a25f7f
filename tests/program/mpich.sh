# Runs one whole-program test under MPICH (mpiexec.mpich, the shmcount that mpich_build.sh
# built). Usage: mpich.sh SCRIPT ARGS...
set -u
: "${SHMCOUNT:?set SHMCOUNT to the MPICH build of shmcount}"
if [ ! -x "$SHMCOUNT" ]; then
  echo "skipped: no MPICH build at $SHMCOUNT (mpich_build was skipped or failed; see its output)"
  exit 77
fi
script=$1
shift
exec bash "$(dirname "$0")/$script" "$@"

# Result files: whole or not at all, modes that follow the umask, and no kill that leaves a state
# blocking the next run without saying what to remove. Also without O_TMPFILE (as on NFS), forced
# with SHMCOUNT_FAULT=tmpfile:EOPNOTSUPP: hidden temporaries, removed on every failure path.
source "$(dirname "$0")/lib.sh"
isolate "$@"
workdir
mkdir out

mode_of() { stat -c %a "$1"; }
no_temporaries() { [ -z "$(ls -A out | grep '^\.shmcount-')" ]; }
nothing_named() { [ -z "$(ls -A out | grep "$1")" ] && no_temporaries; }

for tmpfile in yes no; do
  fault=""
  [ $tmpfile = no ] && fault=tmpfile:EOPNOTSUPP@0
  for mask in 077 022; do
    want=$(printf '%o' $((0666 & ~8#$mask)))
    (umask $mask && SHMCOUNT_FAULT=$fault job 2 --reps 1 --output "out/m$mask-$tmpfile.csv")
    check "O_TMPFILE $tmpfile, umask $mask: files $want" \
      [ "$(mode_of "out/m$mask-$tmpfile.csv") $(mode_of "out/m$mask-$tmpfile.json")" = "$want $want" ]
  done
done
check "no temporary left by successful runs" no_temporaries

# A failure after the files were created (a kernel limit too low, found when the segment is made):
# nothing named, no hidden temporary, on both paths.
sysctl -q -w kernel.shmmax=100000
export UCX_TLS=^sysv  # MPICH's UCX transport would need System V segments of its own to start.
for fault in "" tmpfile:EOPNOTSUPP@0; do
  SHMCOUNT_FAULT=$fault job 3 --size 200000 --output out/failed.csv
  check "failed run (fault '${fault:-none}'): exit 2" [ "$rc" -eq 2 ]
  check "failed run (fault '${fault:-none}'): no file and no temporary" nothing_named failed
done
sysctl -q -w kernel.shmmax=18446744073692774399
unset UCX_TLS

# kill_rank0_at PHASE NAME: stall rank 0 at PHASE while it writes out/NAME.csv, and kill it.
kill_rank0_at() {
  local phase=$1 name=$2
  : >job.err  # Not the last job's stall message: its rank is gone.
  SHMCOUNT_FAULT="stall:$phase@0" timeout 120 "$MPIEXEC" -np 2 "$SHMCOUNT" --reps 1 \
    --output "out/$name.csv" >job.out 2>job.err &
  local launcher=$! pid=""
  for _ in $(seq 300); do
    pid=$(sed -n "s/.*stalling at $phase (pid \([0-9]*\)).*/\1/p" job.err | head -1)
    [ -n "$pid" ] && break
    sleep 0.1
  done
  [ -n "$pid" ] || { fail "rank 0 never stalled at $phase"; kill -9 $launcher; return; }
  kill -9 "$pid"
  wait $launcher
}

# The one window: killed between naming the CSV and naming the JSON. The rerun is refused with
# exactly what to remove, and once it is removed the rerun succeeds.
kill_rank0_at link lone
check "killed between the links: the CSV is there, the JSON is not" \
  bash -c '[ -f out/lone.csv ] && [ ! -e out/lone.json ]'
job 2 --reps 1 --output out/lone.csv
check "the rerun exits 2" [ "$rc" -eq 2 ]
check "the rerun says which file to remove" \
  grep -q "'out/lone.csv' already exists, without 'out/lone.json' (if a run was killed while naming its files, this is its incomplete pair).*remove 'out/lone.csv'" job.err
rm out/lone.csv
job 2 --reps 1 --output out/lone.csv
check "after removing it the rerun succeeds" [ "$rc" -eq 0 -a -f out/lone.json ]

# Killed while writing: with O_TMPFILE nothing at all is left.
kill_rank0_at write half
check "killed while writing (O_TMPFILE): nothing left" nothing_named half
check "no segment left" no_segments
finish

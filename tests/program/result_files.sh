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
  local launcher=$! pid
  pid=$(await_stall job.err $launcher "$phase")
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
# Two runs share the default folder results/: the first creates it and then fails while the
# second's files, still unnamed, sit in it. The failing run must leave the folder to the other,
# which then writes its results there. (The first fails for want of room in a small /dev/shm.)
mkdir shared && cd shared || exit 1
mount -t tmpfs -o size=48m shmcount-test-small-shm /dev/shm
: >first.err
SHMCOUNT_FAULT=stall:start@0 timeout 120 "$MPIEXEC" -np 2 "$SHMCOUNT" --share posix \
  --size 20000000 --reps 1 >first.out 2>first.err &
first=$!
first_pid=$(await_stall first.err $first start)
check "the first run created results/ and stalled" [ -d results ] && [ -n "$first_pid" ]
: >second.err
SHMCOUNT_FAULT=stall:kernel@0 timeout 120 "$MPIEXEC" -np 2 "$SHMCOUNT" --reps 1 \
  >second.out 2>second.err &
second=$!
second_pid=$(await_stall second.err $second kernel)
check "the second run prepared its files in results/ and stalled" [ -n "$second_pid" ]
kill -USR1 "$first_pid"
wait $first
check "the first run fails (no room in /dev/shm for its array)" [ $? -ne 0 ]
check "... saying why" grep -q 'has .* free' first.err
check "the failing run left results/ to the other" [ -d results ]
kill -USR1 "$second_pid"
wait $second
check "the second run then finishes" [ $? -eq 0 ]
check "its results are there, named" [ "$(ls results/*.csv results/*.json 2>/dev/null | wc -l)" -eq 2 ]
cd .. && umount /dev/shm
# Alone, a failing run that created results/ removes it again.
(cd shared && rm -rf results && SHMCOUNT_FAULT=shmget:ENOSPC@0 "$MPIEXEC" -np 2 "$SHMCOUNT" \
  --reps 1 >/dev/null 2>&1)
check "a failing run alone removes the results/ it created" [ ! -e shared/results ]
check "no segment left" no_segments
finish

# Hostile and friendly neighbours: another user cannot attach a live segment; concurrent jobs of
# one user do not collide; 100 runs back to back leak nothing; a full disk keeps earlier results.
source "$(dirname "$0")/lib.sh"
isolate "$@"
workdir
mkdir out

# 1. Private: while a job holds its segment, user nobody cannot attach it, not even read-only.
SHMCOUNT_FAULT=stall:kernel@0 timeout 120 "$MPIEXEC" -np 2 "$SHMCOUNT" --reps 1 \
  --output out/private.csv >job.out 2>job.err &
launcher=$!
for _ in $(seq 200); do grep -q 'stalling at kernel' job.err && break; sleep 0.1; done
pid=$(sed -n 's/.*stalling at kernel (pid \([0-9]*\)).*/\1/p' job.err)
id=$(segments_of_size 800000 | awk '{ print $2 }' | head -1)  # 200000 int32: shmcount's array
check "the live segment is listed with perms 600" \
  [ "$(ipcs -m | awk -v id="$id" '$2 == id { print $4 }')" = 600 ]
attach_as_nobody=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$SHMCOUNT_PYTHON" -c '
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
SHM_RDONLY = 0o10000
addr = libc.shmat(int(sys.argv[1]), None, SHM_RDONLY)
print("attached" if addr not in (None, ctypes.c_void_p(-1).value) else
      "EACCES" if ctypes.get_errno() == 13 else "errno %d" % ctypes.get_errno())' "$id")
check "user nobody cannot attach it, even read-only (got: $attach_as_nobody)" [ "$attach_as_nobody" = EACCES ]
kill -USR1 "$pid"
wait $launcher
check "the job then finishes" [ $? -eq 0 ]

# 1b. The same for POSIX shared memory: its name is gone before any kernel runs, the file is
# 0600, and user nobody cannot open it through the process either.
: >job.err  # Not the last job's stall message: its rank is gone.
SHMCOUNT_FAULT=stall:kernel@0 timeout 120 "$MPIEXEC" -np 2 "$SHMCOUNT" --share posix --reps 1 \
  --output out/private-posix.csv >job.out 2>job.err &
launcher=$!
for _ in $(seq 200); do grep -q 'stalling at kernel' job.err && break; sleep 0.1; done
pid=$(sed -n 's/.*stalling at kernel (pid \([0-9]*\)).*/\1/p' job.err)
range=$(awk '/\/dev\/shm\/shmcount-.*\(deleted\)/ { print $1; exit }' "/proc/$pid/maps")
check "the POSIX array is mapped and its name already unlinked" \
  bash -c "[ -n '$range' ] && [ -z \"\$(ls /dev/shm | grep shmcount-)\" ]"
check "the POSIX array's file is mode 600" [ "$(stat -L -c %a "/proc/$pid/map_files/$range")" = 600 ]
open_as_nobody=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$SHMCOUNT_PYTHON" -c '
import os, sys
try:
    os.open(sys.argv[1], os.O_RDONLY); print("opened")
except OSError as e: print("refused")' "/proc/$pid/map_files/$range")
check "user nobody cannot open it through the process (got: $open_as_nobody)" \
  [ "$open_as_nobody" = refused ]
kill -USR1 "$pid"
wait $launcher
check "the POSIX job then finishes" [ $? -eq 0 ]

# 2. Concurrent jobs of one user, different sizes, each verify their own data.
pids=()
for size in 1000 50000 200000; do
  timeout 120 "$MPIEXEC" -np 2 "$SHMCOUNT" --size $size --values 97 --reps 3 \
    --output "out/concurrent-$size.csv" >"c-$size.out" 2>&1 &
  pids+=($!)
done
for i in 0 1 2; do wait "${pids[$i]}"; check "concurrent job $i exits 0" [ $? -eq 0 ]; done
for size in 1000 50000 200000; do
  check "concurrent job with --size $size wrote its own size" \
    [ "$(csv_column "out/concurrent-$size.csv" size | sort -u)" = "$size" ]
  check "concurrent job with --size $size verified every count" \
    [ -z "$(csv_column "out/concurrent-$size.csv" ok | grep -v '^1$')" ]
done
check "no segment after concurrent jobs" no_segments

# 3. Endurance: 100 runs back to back leave nothing and do not grow the shell's resources.
fds_before=$(ls /proc/$$/fd | wc -l)
for i in $(seq 100); do
  timeout 120 "$MPIEXEC" -np 2 "$SHMCOUNT" --size 1000 --reps 1 --warmup 0 --no-baseline \
    --output "out/e$i.csv" >endurance.log 2>&1
  status=$?
  if [ $status -ne 0 ]; then
    fail "endurance run $i failed (exit $status): $(tail -n 20 endurance.log)"
    break
  fi
done
check "100 runs: 100 result files" [ "$(ls out/e*.csv | wc -l)" -eq 100 ]
check "100 runs: no segment left" no_segments
check "100 runs: no open file gained by the launching shell" \
  [ "$(ls /proc/$$/fd | wc -l)" -eq "$fds_before" ]
check "100 runs: no process left behind" [ -z "$(pgrep -f "$SHMCOUNT .*out/e")" ]

# 4. A long run's memory is its records and nothing more: every raw time is kept (a Record, a CSV
# row and a gathered copy, well under 2 KiB per repetition), so the peak grows no faster.
rss() { /usr/bin/time -f %M "$SHMCOUNT" --size 1000 --values 10 --reps "$1" --warmup 0 \
          --output "out/rss-$1.csv" 2>&1 >/dev/null | tail -1; }
short=$(rss 20)
long=$(rss 2000)
check "memory per repetition under 2 KiB (${short} KiB for 20 reps, ${long} KiB for 2000)" \
  [ $(( (long - short) * 1024 / 1980 )) -lt 2048 ]

# 5. A full disk at write time: one clear error, earlier results intact, nothing half-written.
mkdir full
mount -t tmpfs -o size=64k tmpfs full
echo "earlier" >full/old.csv
head -c 40000 /dev/zero >full/filler
job 2 --reps 200 --output full/new.csv
check "full disk: the job fails" [ "$rc" -ne 0 ]
check "full disk: one message naming the problem" grep -q 'No space left on device' job.err
check "full disk: earlier file intact" [ "$(cat full/old.csv)" = earlier ]
check "full disk: nothing new, not even a temporary" [ "$(ls -A full | tr '\n' ' ')" = "filler old.csv " ]
check "no segment left" no_segments
finish

# Injected system-call failures on a chosen rank and a wrong count: one clear message, a non-zero
# exit everywhere, nothing left behind.
source "$(dirname "$0")/lib.sh"
isolate "$@"
workdir
mkdir out

inject() {  # inject FAULT PATTERN
  local fault=$1 pattern=$2
  SHMCOUNT_FAULT=$fault job 3 --reps 1 --output out/r.csv
  local what="SHMCOUNT_FAULT=$fault"
  [ "$rc" -ne 0 ] || { fail "$what: exit 0"; return; }
  [ "$(messages)" -eq 1 ] || { fail "$what: $(messages) messages: $(cat job.err)"; return; }
  grep -q -- "$pattern" job.err || { fail "$what: no '$pattern' in $(cat job.err)"; return; }
  [ -z "$(ls -A out)" ] || { fail "$what: left $(ls -A out)"; return; }
  no_segments || { fail "$what: segment left: $(segments)"; return; }
  pass "$what"
}
inject shmget:ENOSPC@0 "shmget(IPC_PRIVATE, 800000, IPC_CREAT|IPC_EXCL|0600) failed.*kernel.shmmni"
inject shmget:EINVAL@0 "kernel.shmmax"
inject shmget:ENOMEM@0 "not enough memory"
inject shmget:EPERM@0 "EPERM"
inject shmat:EACCES@2 "rank 2 on .*shmat(.*EACCES"
inject shmat:EIDRM@1 "rank 1 on .*no longer exists"
inject shmat:ENOMEM@0 "shmat(.*ENOMEM"
inject shmctl:EPERM@0 "shmctl(.*IPC_RMID) failed.*EPERM"

# A wrong count is an error naming rank, value and counts; the results are still written.
SHMCOUNT_FAULT=miscount@1 job 2 --reps 2 --output out/wrong.csv
check "wrong count exits 3" [ "$rc" -eq 3 ]
check "wrong count names rank, value and counts" \
  grep -q "wrong count on rank 1 (parallel rep 0): value 0 counted 201 times, expected 200" job.err
check "wrong count reported once" [ "$(messages)" -eq 1 ]
check "rows of the wrong rank are marked ok=0" \
  [ "$(csv_where out/wrong.csv ok rank 1 | sort -u)" = 0 ]
check "summary flags the wrong records" grep -q 'records WRONG' job.out
check "no segment left" no_segments
finish

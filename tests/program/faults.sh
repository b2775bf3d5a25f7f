# Injected system-call failures on a chosen rank, at every call site `shmcount --list faults`
# names, and a wrong count: one clear message, the documented exit everywhere (1: a failure at run
# time; 2 where the environment must change: a kernel limit, an output folder that cannot be
# written), nothing left behind (no result file, no segment, nothing in /dev/shm).
source "$(dirname "$0")/lib.sh"
isolate "$@"
workdir
mkdir out

covered=" "
inject() {  # [WANT=STATUS] inject FAULT PATTERN [OPTIONS...]; WANT defaults to 1
  local fault=$1 pattern=$2 want=${WANT:-1}
  shift 2
  covered+="${fault%%:*} "
  SHMCOUNT_FAULT=$fault job 3 --reps 1 --output out/r.csv "$@"
  local what="SHMCOUNT_FAULT=$fault${*:+ with $*}"
  [ "$rc" -eq "$want" ] || { fail "$what: exit $rc, not $want"; return; }
  [ "$(messages)" -eq 1 ] || { fail "$what: $(messages) messages: $(cat job.err)"; return; }
  grep -q -- "$pattern" job.err || { fail "$what: no '$pattern' in $(cat job.err)"; return; }
  [ -z "$(ls -A out)" ] || { fail "$what: left $(ls -A out)"; return; }
  no_segments || { fail "$what: segment left: $(segments)"; return; }
  [ -z "$(shm_files)" ] || { fail "$what: left in /dev/shm: $(shm_files)"; return; }
  pass "$what"
}
WANT=2 inject shmget:ENOSPC@0 "shmget(IPC_PRIVATE, 800000, IPC_CREAT|IPC_EXCL|0600) failed.*kernel.shmmni"
WANT=2 inject shmget:EINVAL@0 "kernel.shmmax"
inject shmget:ENOMEM@0 "not enough memory"
inject shmget:EPERM@0 "EPERM"
inject shmat:EACCES@2 "rank 2 on .*shmat(.*EACCES"
inject shmat:EIDRM@1 "rank 1 on .*no longer exists"
inject shmat:ENOMEM@0 "shmat(.*ENOMEM"
inject shmctl:EPERM@0 "shmctl(.*IPC_RMID) failed.*EPERM"
# POSIX memory: the leader creates and sizes the file, every rank maps it, the others open it
# through the leader's descriptor.
inject shm_open:EACCES@0 "shm_open(/shmcount-.*EACCES.*no permission to create files in /dev/shm" \
  --share posix
inject shm_open:EACCES@2 "rank 2 on .*open(/proc/[0-9]*/fd/[0-9]*, O_RDWR) failed.*leader's shared memory" \
  --share posix
inject ftruncate:ENOSPC@0 "ftruncate(800000) failed.*ENOSPC" --share posix
inject mmap:ENOMEM@0 "mmap(800000 bytes, MAP_SHARED) failed.*ENOMEM" --share posix
inject mmap:ENOMEM@1 "rank 1 on .*mmap(800000 bytes, MAP_SHARED) failed" --share posix
# A private copy per rank.
inject mmap:ENOMEM@2 "rank 2 on .*mmap(800000 bytes, MAP_PRIVATE|MAP_ANONYMOUS) failed.*ENOMEM" \
  --share private
# Page advice and the memory policy, for a shared array and for private copies.
inject madvise:EINVAL@1 "rank 1 on .*madvise(.*MADV_HUGEPAGE) failed.*EINVAL" --pages thp
inject mbind:EPERM@0 "hwloc_set_area_membind(.*interleave over NUMA node.*EPERM" \
  --mempolicy interleave
inject mbind:EINVAL@2 "rank 2 on .*hwloc_set_area_membind(.*EINVAL" --share private \
  --mempolicy interleave
# An MPI window the library fails to allocate on one rank, while the others wait inside the
# collective call: that rank says why and ends the job (no rank hangs), leader or not.
inject win_allocate:ENOMEM@1 "rank 1 on .*MPI_Win_allocate_shared(800000 bytes) failed on this rank" \
  --share window
inject win_allocate:ENOMEM@0 "MPI_Win_allocate_shared(800000 bytes) failed on this rank" \
  --share window
# The result files: a failure other than "not supported" is one message before the run.
WANT=2 inject tmpfile:EACCES@0 "EACCES"

# Every call the fault suite can make fail has its case above.
for call in $("$SHMCOUNT" --list faults | tail -n +2 | cut -f1); do
  check "fault point $call is exercised here" grep -q " $call " <<<"$covered"
done

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

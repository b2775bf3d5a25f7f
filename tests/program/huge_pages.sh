# Huge pages for real: reserve a few (vm.nr_hugepages, restored afterwards), run System V, POSIX
# (on a hugetlbfs mounted in this test's mount namespace) and private copies with --pages huge,
# and read back that 2 MiB pages were obtained; with none reserved, every mechanism is refused
# with a message naming vm.nr_hugepages, exit 2, nothing left.
source "$(dirname "$0")/lib.sh"
isolate "$@"
workdir
[ -w /proc/sys/vm/nr_hugepages ] || { echo "skipped: vm.nr_hugepages is not writable here"; exit 77; }
huge_kib=$(awk '/^Hugepagesize:/ { print $2 }' /proc/meminfo)
[ -n "$huge_kib" ] || { echo "skipped: this kernel has no huge pages"; exit 77; }
saved=$(cat /proc/sys/vm/nr_hugepages)
trap 'echo "$saved" >/proc/sys/vm/nr_hugepages; cleanup_workdir' EXIT

# 1. None reserved (beyond what others hold): refused before any kernel runs.
echo 0 >/proc/sys/vm/nr_hugepages
if [ "$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo)" -eq 0 ]; then
  for share in sysv private; do
    job 2 --share "$share" --pages huge --reps 1 --output none.csv
    check "--share $share --pages huge with none reserved: exit 2, one message naming vm.nr_hugepages" \
      bash -c "[ $rc -eq 2 ] && [ \$(grep -c '^shmcount:' job.err) -eq 1 ] && grep -q 'vm.nr_hugepages' job.err"
    if [ "$share" = private ]; then
      check "--share private --pages huge with none reserved: the message counts every rank's copy" \
        grep -q "per rank, 2 for the node's 2 private copies" job.err
    fi
    check "--share $share --pages huge with none reserved: nothing left" \
      bash -c "[ ! -e none.csv ] && [ -z \"\$(ipcs -m | awk 'NR > 3 && \$1 ~ /^0x/')\" ]"
  done
fi

# 2. A few reserved: 2 ranks x 1 page for private copies, 1 page for shared arrays.
echo 8 >/proc/sys/vm/nr_hugepages
free=$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo)
[ "$free" -ge 4 ] || { echo "skipped: only $free huge page(s) could be reserved (memory fragmented)"; exit 77; }
mkdir -p /dev/hugepages
mount -t hugetlbfs none /dev/hugepages
for share in sysv posix private; do
  job 2 --share "$share" --pages huge --reps 2 --output "$share.csv"
  [ "$rc" -eq 0 ] || { fail "--share $share --pages huge: exit $rc: $(cat job.err)"; continue; }
  check "--share $share --pages huge: counts verified" \
    [ -z "$(csv_column "$share.csv" ok | grep -v '^1$')" ]
  check "--share $share --pages huge: $huge_kib KiB pages read back" \
    [ "$(csv_column "$share.csv" page_size | sort -u)" = $((huge_kib * 1024)) ]
  if [ "$share" = private ]; then want=$huge_kib; else want=$((huge_kib / 2)); fi
  check "--share $share --pages huge: array PSS per rank $want KiB (hugetlb counted)" \
    [ "$(csv_column "$share.csv" array_pss_kib | sort -u)" = "$want" ]
  check "--share $share --pages huge: the summary says the size was rounded up" \
    grep -q "rounded up to $((huge_kib * 1024)) (whole $huge_kib KiB huge pages)" job.out
done
check "every huge page is free again" \
  [ "$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo)" -eq "$free" ]
check "no segment left" no_segments
check "nothing left on hugetlbfs" [ -z "$(ls -A /dev/hugepages)" ]
umount /dev/hugepages
finish

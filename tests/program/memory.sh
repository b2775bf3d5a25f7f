# Every sharing mechanism: counts verified at 1, 2 and 4 ranks; the array's footprint read back
# (PSS of a shared array about size / ranks per rank, of a private copy about size); pages read
# back (this machine has one NUMA node: all local); the page size obtained; first touch by the
# ranks; transparent huge pages advised, with a note when the kernel forbids them; bad values
# refused like any other option; nothing left behind.
source "$(dirname "$0")/lib.sh"
isolate "$@"
workdir
size=1000000            # 3906.25 KiB of int32
size_kib=3906
shm_before=$(shm_files)

for share in $("$SHMCOUNT" --list axes | awk -F'\t' '$1 == "share" { print $4 }'); do
  for n in 1 2 4; do
    out="$share-$n.csv"
    job "$n" --share "$share" --size $size --values 100 --reps 2 --output "$out"
    [ "$rc" -eq 0 ] || { fail "--share $share, $n rank(s): exit $rc: $(cat job.err)"; continue; }
    check "--share $share, $n rank(s): every count verified" \
      [ -z "$(csv_column "$out" ok | grep -v '^1$')" ]
    check "--share $share, $n rank(s): the share column says $share" \
      [ "$(csv_column "$out" share | sort -u)" = "$share" ]
    check "--share $share, $n rank(s): pages read back, all local" \
      [ "$(csv_where "$out" array_local_pct phase parallel | sort -u)" = "100.0" ]
    check "--share $share, $n rank(s): small pages obtained" \
      [ "$(csv_column "$out" page_size | sort -u)" = "$(getconf PAGESIZE)" ]
    # PSS of the array per rank: size / n when shared (pages counted once across the ranks),
    # size when private. Within 10%: PSS is in whole pages, and Open MPI maps a little more.
    if [ "$share" = private ]; then want=$size_kib; else want=$((size_kib / n)); fi
    check "--share $share, $n rank(s): array PSS per rank about $want KiB" "$SHMCOUNT_PYTHON" -c '
import csv, sys
want = float(sys.argv[2])
for row in csv.DictReader(open(sys.argv[1])):
    got = float(row["array_pss_kib"])
    assert abs(got - want) <= 0.1 * want, (row["rank"], got, want)' "$out" "$want"
    check "--share $share, $n rank(s): the summary gives memory and pages" \
      grep -q 'pages (read back with move_pages): 100.0% on NUMA 0' job.out
  done
done
check "the summary sums the array's memory over the ranks" \
  grep -q 'array memory: 15.3 MiB (4 rank(s), sum of PSS)' job.out   # private: 4 x 3.8 MiB

# With private copies each rank writes its own, whoever --touch names; the summary says so.
job 2 --share private --touch leader --reps 1 --output own.csv
check "--share private --touch leader: exit 0, and a note that each rank wrote its own copy" \
  bash -c "[ $rc -eq 0 ] && grep -q 'note: --touch leader: with private copies each rank wrote its own' job.out"

# Each rank writes its own slice first: the same array, verified.
job 3 --share posix --touch ranks --pattern random --seed 3 --size 100003 --reps 1 --output t.csv
check "--touch ranks: exit 0" [ "$rc" -eq 0 ]
check "--touch ranks: every count verified (slices make the same array)" \
  [ -z "$(csv_column t.csv ok | grep -v '^1$')" ]
check "--touch ranks: recorded" [ "$(csv_column t.csv touch | sort -u)" = ranks ]

# A memory policy on this machine's only NUMA node; planning on other machines is unit-tested.
job 2 --mempolicy bind:0 --reps 1 --output bind.csv
check "--mempolicy bind:0: exit 0, pages on node 0" \
  [ "$rc" -eq 0 -a "$(csv_column bind.csv array_local_pct | sort -u)" = "100.0" ]
job 2 --mempolicy interleave --share private --reps 1 --output il.csv
check "--mempolicy interleave with private copies: exit 0" [ "$rc" -eq 0 ]

# Transparent huge pages: advised; when the kernel forbids them for shared memory, the summary
# says so and the page size read back is the small one.
job 2 --share sysv --pages thp --reps 1 --output thp.csv
check "--pages thp: exit 0" [ "$rc" -eq 0 ]
if [ "$(sed 's/.*\[\(.*\)\].*/\1/' /sys/kernel/mm/transparent_hugepage/shmem_enabled)" = never ]; then
  check "--pages thp with shmem_enabled never: the summary warns" \
    grep -q "note: --pages thp: transparent huge pages for shared memory are 'never'" job.out
  check "--pages thp with shmem_enabled never: small pages read back" \
    [ "$(csv_column thp.csv page_size | sort -u)" = "$(getconf PAGESIZE)" ]
fi

# Bad values of the new options: one message, exit 2, nothing left.
refused() {
  local what=$1 pattern=$2; shift 2
  job 3 "$@" --output never.csv
  if [ "$rc" -eq 2 ] && [ "$(messages)" -eq 1 ] && grep -q -- "$pattern" job.err && [ ! -e never.csv ]; then
    pass "$what"
  else
    fail "$what: exit $rc, $(messages) message(s): $(cat job.err)"
  fi
}
refused "unknown mechanism" "unknown mechanism; use one of sysv, posix, window, private" --share mmap
refused "unknown page kind" "unknown page kind; use one of small, huge, thp" --pages giant
refused "unknown toucher" "unknown toucher; use one of leader, ranks" --touch everyone
refused "unknown policy" "use default, interleave" --mempolicy spread
refused "bind without nodes" "bind needs NUMA nodes" --mempolicy bind
refused "a NUMA node this machine lacks" "this node has no NUMA node 7" --mempolicy bind:7
refused "huge pages in an MPI window" "offers no huge-page option" --share window --pages huge
refused "a /dev/shm too small for the array" "/dev/shm has .* free" --share posix --size 4000000000
refused "a /dev/shm too small for the MPI window" "/dev/shm has .* free" --share window --size 4000000000

check "no segment left" no_segments
check "no file left in /dev/shm (other than Open MPI's own)" \
  [ -z "$(shm_files | grep -v vader_segment)" ]
finish

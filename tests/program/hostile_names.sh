# Any byte in a host name, the command line or a path gives a CSV that Python's csv module reads
# row for row, a run context that json.loads accepts, and terminal output without control
# characters. Host names with such bytes are set for real in a private UTS namespace; the MPI
# library itself refuses some (a newline; '[' with ','), so the name below is one it accepts.
source "$(dirname "$0")/lib.sh"
isolate "$@"
workdir
host=$'h\x1f\x1f"\r\x1b(0\\\xff\'q,x'
name=$'o\x1f\xff,"\n\x1b.csv'

# check_files CSV ROWS: the CSV parses into ROWS rows of every column, the JSON parses, and both
# carry the host name (non-UTF-8 bytes written as \xNN).
check_files() {
  "$SHMCOUNT_PYTHON" - "$1" "$2" <<'PY'
import csv, json, sys
path, rows_wanted = sys.argv[1], int(sys.argv[2])
with open(path, encoding="utf-8", newline="") as f:
    reader = csv.reader(f)
    header = next(reader)
    rows = list(reader)
assert len(rows) == rows_wanted, (len(rows), rows_wanted)
assert all(len(r) == len(header) for r in rows), "a row with the wrong number of fields"
host = rows[0][header.index("host")]
assert host == 'h\x1f\x1f"\r\x1b(0\\\\xff\'q,x', repr(host)
assert all(r[header.index("ok")] == "1" for r in rows)
ctx = json.load(open(path[:-4] + ".json", encoding="utf-8"))
assert ctx["host"] == host, repr(ctx["host"])
assert ctx["columns"] == header
assert "\x1f" in ctx["command_line"], repr(ctx["command_line"])
PY
}

# 1. A singleton run on a host with that name, writing a file with that name.
unshare --uts bash -c '"$SHMCOUNT_PYTHON" -c "import ctypes, sys
n = sys.argv[1].encode(\"utf-8\", \"surrogateescape\")
sys.exit(ctypes.CDLL(None, use_errno=True).sethostname(n, len(n)))" "$1" &&
  timeout 120 "$2" --reps 2 --output "$3" >job.out 2>job.err' _ "$host" "$SHMCOUNT" "$name"
rc=$?
check "singleton on a hostile host name exits 0" [ "$rc" -eq 0 ]
check "its CSV reads row for row and its JSON parses" check_files "$name" 4
check "its summary shows no control character" \
  [ -z "$(LC_ALL=C grep -n $'[\x01-\x08\x0b-\x1f\x7f]' job.out)" ]
check "its summary shows the host name escaped" grep -qF 'h\x1f\x1f"\r\e(0\\\xff' job.out

# 2. Three ranks under mpirun, a hostile output name and command line.
rm -f -- "$name" "${name%.csv}.json"
job 3 --reps 2 --pin none --output "$name"
check "3 ranks with a hostile output name exit 0" [ "$rc" -eq 0 ]
check "the CSV has 3 x 2 + 2 rows that parse" "$SHMCOUNT_PYTHON" -c '
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8", newline="")))
assert len(rows) == 8 and all(r["ok"] == "1" for r in rows), len(rows)
json.load(open(sys.argv[1][:-4] + ".json", encoding="utf-8"))' "$name"
check "the summary names the file escaped" grep -qF 'results: o\x1f\xff,"\n\e.csv' job.out
finish

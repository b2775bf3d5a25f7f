# The latency map (--latency) under a real launcher: one pair measured with a finite latency, the
# result files whole and described by their run context, nothing left behind with every sharing
# mechanism (no segment, nothing in /dev/shm; the segment marked for removal while it runs, and a
# kill -9 leaves nothing), a broken handoff found (exit 3, its samples written with ok = 0), and
# every refusal one message with exit 2 and nothing created. --plan --latency on XML topologies.
source "$(dirname "$0")/lib.sh"
isolate "$@"
workdir
mkdir out
data="$SHMCOUNT_SOURCE_DIR/tests/data/topologies"
# Files of shmcount's own in /dev/shm (the MPI library's own files of killed ranks aside).
shm_left() { shm_files | grep -v '/vader_segment\.'; }
# One shmcount message, matching PATTERN.
one_message() { [ "$(messages)" -eq 1 ] && grep -q -- "$1" job.err; }

# Small counts throughout: on a busy machine every handoff waits until both ranks have a CPU at
# once, and a map of the default 300 x 1000 round trips can then take minutes.
small=(--samples 60 --round-trips 200)
# A real map of one pair (L#0 and L#1, there on any machine of 2 PUs or more).
job 2 --latency --pairs 0:1 "${small[@]}" --output out/map.csv
check "a map of one pair exits 0" [ "$rc" -eq 0 ]
check "the CSV has a row per sample: 60" [ "$(csv_rows out/map.csv)" -eq 60 ]
"$SHMCOUNT_PYTHON" - out/map.csv out/map.json <<'EOF' || fail "the map's CSV and run context"
import csv, json, math, sys
rows = list(csv.DictReader(open(sys.argv[1])))
ctx = json.load(open(sys.argv[2]))
assert ctx["mode"] == "latency", ctx["mode"]
assert list(rows[0]) == ctx["columns"], (list(rows[0]), ctx["columns"])
assert ctx["config"] == {"ranks": 2, "share": "sysv", "pairs": "0:1", "samples": 60,
                         "round_trips": 200, "rounds": 3, "order_seed": 1}, ctx["config"]
assert {r["pair"] for r in rows} == {"0"} and {(r["a_logical"], r["b_logical"]) for r in rows} == {("0", "1")}
assert {r["ok"] for r in rows} == {"1"} and {r["placed_ok"] for r in rows} == {"1"}
# Both directions, every round, each sample once.
assert sorted(int(r["sample"]) for r in rows) == list(range(60))
assert {(r["round"], r["direction"]) for r in rows} == {(str(k), d) for k in range(3) for d in ("ab", "ba")}
ns = [float(r["one_way_ns"]) for r in rows]
assert all(0 < x < 1e6 for x in ns), (min(ns), max(ns))
pair = ctx["latency"]["pairs"][0]
assert math.isfinite(pair["median_ns"]) and pair["low_ns"] <= pair["median_ns"] <= pair["high_ns"]
assert pair["relation"] == rows[0]["relation"] == ctx["latency"]["relations"][0]["relation"]
assert ctx["summary"]["wrong"] == 0 and ctx["summary"]["visits"] == 3
print(f"ok: one pair, {pair['median_ns']:.1f} ns one way [{pair['low_ns']:.1f}, {pair['high_ns']:.1f}]")
EOF
check "the summary gives the relation's median with its interval" \
  grep -qE '^one-way latency per relation .*: [a-zA-Z0-9 ]+ [0-9.]+ ns \[[0-9.]+, [0-9.]+\]' job.out
check "the summary draws the matrix" grep -q '^matrix (median one-way ns' job.out
check "the summary holds the map against hwloc's tree" grep -q "^measured structure against hwloc's tree" job.out
check "the summary says every handoff was verified" grep -q '^verification: every handoff of all 60 samples' job.out
check "the CSV's columns are what --list latency-columns says" \
  [ "$(head -1 out/map.csv)" = "$("$SHMCOUNT" --list latency-columns | tail -n +2 | cut -f1 | paste -sd,)" ]
check "no segment left" no_segments
check "nothing left in /dev/shm" [ -z "$(shm_left)" ]

# make plots on the real map: its heatmap and latency per relation, REPORT.md with the structure
# against hwloc's tree and the relation's figures from the run context, pairs.csv.
"$SHMCOUNT_PYTHON" "$SHMCOUNT_SOURCE_DIR/scripts/plots.py" --results out/map.csv --out plots \
  --shmcount "$SHMCOUNT" >plots.out 2>plots.err
check "plots draws the real map" \
  grep -q '^plots: wrote 2 plots (PNG + SVG), REPORT.md and pairs.csv' plots.out
for fig in latency-heatmap latency-relations; do
  check "$fig.png is a PNG and $fig.svg an SVG" \
    bash -c "[ \"\$(head -c 8 plots/$fig.png | od -An -tx1 | tr -d ' ')\" = 89504e470d0a1a0a ] &&
             grep -q '<svg' plots/$fig.svg"
  check "REPORT.md shows $fig" grep -q "($fig.png)" plots/REPORT.md
done
check "REPORT.md gives the relation with the run context's median and interval" \
  "$SHMCOUNT_PYTHON" - out/map.json plots/REPORT.md <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["latency"]["relations"][0]
ns = lambda x: f"{x:.1f}" if x < 100 else f"{x:.0f}"
line = (f"| {r['label']} | 1 | {ns(r['median_ns'])} [{ns(r['low_ns'])}, {ns(r['high_ns'])}] | "
        f"{ns(r['min_ns'])} |")
assert line in open(sys.argv[2]).read(), line
EOF
check "REPORT.md opens with the structure against the tree" \
  bash -c "sed -n 3p plots/REPORT.md | grep -qx \"## Measured structure against hwloc's tree\""
check "pairs.csv has the pair" [ "$(csv_rows plots/pairs.csv)" -eq 1 ]
"$SHMCOUNT_PYTHON" "$SHMCOUNT_SOURCE_DIR/scripts/compare.py" out/map.csv out/map.csv >job.out 2>job.err
check "compare refuses a latency map (exit 2), pointing to make plots" \
  bash -c "[ $? -eq 2 ] && grep -q 'a latency map (shmcount --latency); compare judges' job.err"

# Repeated maps as a result set (scripts/latency_set.sh), which make plots reads with the run as
# the unit; bad arguments and an existing set are refused, leaving nothing new.
set_tool="$SHMCOUNT_SOURCE_DIR/scripts/latency_set.sh"
MPIRUN="$MPIEXEC" bash "$set_tool" --runs 2 --name maps -- --pairs 0:1 --samples 6 \
  --round-trips 100 --rounds 1 >set.out 2>set.err
check "latency_set makes a set of 2 maps" \
  bash -c "[ $? -eq 0 ] && [ \"\$(cut -d, -f7 results/maps/manifest.csv | tail -n +2 | sort -u)\" = done ]"
"$SHMCOUNT_PYTHON" "$SHMCOUNT_SOURCE_DIR/scripts/plots.py" --results results/maps --out set-plots \
  --shmcount "$SHMCOUNT" >plots.out 2>plots.err
check "plots reads the set with the run as the unit" \
  grep -q '^- 2 runs of one configuration (the run is the unit' set-plots/REPORT.md
MPIRUN="$MPIEXEC" bash "$set_tool" --runs 2 --name maps >set.out 2>set.err
check "latency_set refuses an existing set" \
  bash -c "[ $? -eq 2 ] && grep -q 'results/maps exists; results are never overwritten' set.err"
MPIRUN="$MPIEXEC" bash "$set_tool" --runs 1 --name bad -- --kernel blocked >set.out 2>set.err
check "latency_set refuses options shmcount refuses, creating nothing" \
  bash -c "[ $? -eq 2 ] && grep -q 'is an option of counting runs' set.err && [ ! -e results/bad ]"
rm -rf results

# The default pairs: every pair of the PUs this job may use.
job 2 --latency --samples 6 --round-trips 100 --rounds 1 --output out/all.csv
pus=$(nproc)
check "--pairs all measures every pair of the $pus PUs" \
  [ "$(csv_column out/all.csv pair | sort -u | wc -l)" -eq $((pus * (pus - 1) / 2)) ]

# Every mechanism that shares memory; nothing left in /dev/shm or as a segment.
for share in posix window; do
  job 2 --latency --share "$share" --samples 6 --round-trips 100 --rounds 1 --pairs 0:1 \
    --output "out/$share.csv"
  check "--share $share: a map exits 0" [ "$rc" -eq 0 ]
  check "--share $share: the CSV says the mechanism" [ "$(csv_column "out/$share.csv" share | sort -u)" = "$share" ]
  check "--share $share: nothing left in /dev/shm" [ -z "$(shm_left)" ]
done
check "no segment left by any mechanism" no_segments

# While it runs the segment is already marked for removal; kill -9 of a rank leaves nothing.
: >job.err
SHMCOUNT_FAULT=stall:attached@1 timeout 60 "$MPIEXEC" -np 2 "$SHMCOUNT" --latency --pairs 0:1 \
  "${small[@]}" --output out/killed.csv >job.out 2>job.err &
launcher=$!
pid=$(await_stall job.err $launcher attached)
if [ -n "$pid" ]; then
  seg=$(segments_of_size 256)
  check "the line's segment (256 bytes) is private and marked for removal while the map runs" \
    awk '{ exit !($4 == "600" && $NF == "dest") }' <<<"$seg"
  kill -9 "$pid"
  wait "$launcher"
  status=$?
  check "kill -9 of a rank ends the map with a non-zero exit" [ "$status" -ne 0 ]
  check "kill -9: no segment left" no_segments
  check "kill -9: no result file" [ ! -e out/killed.csv -a ! -e out/killed.json ]
else
  fail "rank 1 never stalled: $(cat job.err)"
  kill -9 "$launcher"
fi

# A broken handoff: found, one message, exit 3, the samples before it written with ok = 0.
SHMCOUNT_FAULT=handoff@1 job 2 --latency --pairs 0:1 "${small[@]}" --output out/broken.csv
check "a broken handoff exits 3" [ "$rc" -eq 3 ]
check "a broken handoff is one message saying so" \
  one_message '^shmcount: latency map: pair 0:1, round 0: rank [01] found that the line held .*: a broken handoff'

check "the samples of the broken visit are written, ok = 0" \
  [ "$(csv_column out/broken.csv ok | sort -u)" = 0 ]
check "the summary says measuring stopped" grep -q '^verification: a handoff broke, so measuring stopped' job.out
"$SHMCOUNT_PYTHON" "$SHMCOUNT_SOURCE_DIR/scripts/plots.py" --results out/broken.csv --out broken \
  >plots.out 2>plots.err
check "plots refuses the broken map (exit 2), saying why" \
  bash -c "[ $? -eq 2 ] && grep -q 'whose handoff broke (ok = 0; shmcount exited 3)' plots.err &&
           [ ! -e broken ]"
check "a broken handoff leaves no segment" no_segments

# Refusals: one message, exit 2, nothing created (no results/, no segment).
refused() {  # refused DESCRIPTION PATTERN NP ARGS...
  local what=$1 pattern=$2 np=$3
  shift 3
  rm -rf results
  job "$np" "$@"
  if [ "$rc" -ne 2 ] || [ "$(messages)" -ne 1 ] || ! grep -q -- "$pattern" job.err; then
    fail "$what: exit $rc, $(messages) message(s): $(head -c 400 job.err)"
  elif [ -e results ] || ! no_segments; then
    fail "$what: left results/ or a segment"
  else
    pass "$what"
  fi
}
refused "3 ranks" "needs exactly 2 ranks on one node.* this job has 3 rank(s)" 3 --latency
refused "1 rank" "needs exactly 2 ranks on one node.* this job has 1 rank(s)" 1 --latency
refused "a counting option" "--kernel is an option of counting runs" 2 --latency --kernel blocked
refused "private memory" "--share private: the two ranks must share the bounced line" 2 \
  --latency --share private
refused "a PU the machine lacks" "PU L#4095 does not exist" 2 --latency --pairs 0:4095
refused "an output that exists" "already exist" 2 --latency --pairs 0:1 "${small[@]}" \
  --output out/map.csv
HWLOC_XMLFILE="$data/dual-2p16c32t-intel.xml" refused "a foreign topology" "HWLOC_XMLFILE is set" \
  2 --latency
# A job held to PU 0 cannot bind to PU 1: the pair is never measured elsewhere.
refused_bound() {
  rm -rf results
  taskset -c 0 timeout 120 "$MPIEXEC" -np 2 "$SHMCOUNT" --latency --pairs 0:1 >job.out 2>job.err
  rc=$?
  [ "$rc" -eq 2 ] && [ "$(messages)" -eq 1 ] && ! [ -e results ] &&
    grep -q 'gives no pair of PUs this job may use (PUs 0 (of ' job.err
}
check "a job held to PU 0 refuses the pair 0:1 instead of measuring elsewhere" refused_bound

# --plan --latency: the pairs of any machine, without a job.
"$SHMCOUNT" --plan --latency --pairs cores --topology "$data/dual-2p16c32t-intel.xml" >job.out 2>job.err
check "--plan --latency --pairs cores on 2x8 cores with SMT: 121 pairs" \
  grep -q 'pairs by relation in hwloc.s tree: 1 SMT siblings, 56 same L3, 64 other package' job.out
check "--plan --latency says the cost" grep -q '^cost: 121 pair(s) x 300 sample(s) x 1000 round trip(s)' job.out
"$SHMCOUNT" --plan --latency --pairs domains --format csv --topology "$data/epyc-2p8numa64c128t-amd.xml" \
  >job.out 2>job.err
check "--plan --latency --format csv: its header" \
  [ "$(head -1 job.out)" = "pair,a_logical,b_logical,a_os,b_os,relation,usable" ]
check "--plan --latency --pairs domains on 2 x 4 NUMA x 2 L3: 152 pairs" [ "$(csv_rows job.out)" -eq 152 ]
job 2 --plan --latency
check "--plan --latency under a launcher is refused" [ "$rc" -eq 2 -a "$(messages)" -eq 1 ]
finish

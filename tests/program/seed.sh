# `make seed` (scripts/seed.sh), small: the article's table beside this machine's, one row per
# rank count with both columns and the ratio to the article, oversubscribed rows marked, progress
# on stderr, every point kept; the parallel column is the makespan of each repetition from the CSV
# (last end minus first start per node), not the slowest rank's own time.
source "$(dirname "$0")/lib.sh"
isolate "$@"
workdir
seed="$SHMCOUNT_SOURCE_DIR/scripts/seed.sh"
table="$SHMCOUNT_SOURCE_DIR/scripts/seed_table.py"
pus=$(nproc)
over=$((pus + 1))

RESULTS_ROOT="$WORK/results" RANKS="1 2 $over" REPS=2 WARMUP=0 bash "$seed" >seed.out 2>seed.err
check "seed.sh exits 0" [ $? -eq 0 ]
dir=$(ls -d results/seed-* 2>/dev/null)
check "one result folder results/seed-<time>/" [ "$(echo "$dir" | wc -w)" -eq 1 ]
check "progress on stderr, one line per point (2 kernels x 3 rank counts)" \
  [ "$(grep -c '^seed: \[[1-6]/6\] .*: done in' seed.err)" -eq 6 ]
check "no progress on stdout" [ "$(grep -c '^seed: \[' seed.out)" -eq 0 ]
check "every point kept: CSV, run context and log" \
  [ "$(ls "$dir"/*-np*.csv "$dir"/*-np*.json "$dir"/*-np*.log | wc -l)" -eq 18 ]
check "the table is saved" cmp -s seed.out "$dir/table.txt"
check "the header names the kernels: scalar and the default (naive)" \
  grep -qE '^ +article \(ms\) +scalar \(ms, ratio to article\) +naive \(ms, ratio to article\)' seed.out
# Rows: ranks, article seq and par, then per kernel: seq, ratio, par, ratio.
check "row 1: article figures, both columns and ratios for both kernels" \
  grep -qE '^ +1  +398 +430( +[0-9.]+){8}$' seed.out
check "row 2: article figures, both columns and ratios for both kernels" \
  grep -qE '^ +2  +782 +394( +[0-9.]+){8}$' seed.out
check "row $over: marked oversubscribed; not in the article, so parallel only, no ratio" \
  grep -qE "^ +$over\* +- +- +- +[0-9.]+ +- +[0-9.]+$" seed.out
check "the mark is explained" grep -q "^\* more ranks than the $pus PUs" seed.out
check "the parallel column is the makespan of each repetition, median over repetitions" \
  "$SHMCOUNT_PYTHON" - "$dir" <<'PY'
import csv, statistics, sys
d = sys.argv[1]
table = {(r["kernel"], r["ranks"]): r for r in csv.DictReader(open(f"{d}/table.csv"))}
for (kernel, ranks), row in table.items():
    rows = [r for r in csv.DictReader(open(f"{d}/{kernel}-np{ranks}.csv")) if r["phase"] == "parallel"]
    spans = []
    for rep in sorted({r["rep"] for r in rows}):
        mine = [r for r in rows if r["rep"] == rep]
        end = max(int(r["start_ns"]) + int(r["time_ns"]) for r in mine)
        spans.append((end - min(int(r["start_ns"]) for r in mine)) / 1e6)
    assert row["parallel_makespan_ms_median"] == f"{statistics.median(spans):.3f}", (kernel, ranks, row, spans)
PY

# The table itself, on points whose ranks start 10 ms apart: the makespan (30 ms), not the slowest
# rank's own time (20 ms), and sequential times added over nodes.
mkdir fixture
cat >fixture/naive-np2.csv <<'CSV'
phase,node,rank,rep,start_ns,time_ns
parallel,0,0,0,1000000000,20000000
parallel,0,1,0,1010000000,20000000
parallel,0,0,1,2000000000,20000000
parallel,0,1,1,2010000000,20000000
sequential,0,0,0,3000000000,40000000
sequential,0,0,1,4000000000,40000000
CSV
"$SHMCOUNT_PYTHON" "$table" fixture "$SHMCOUNT_SOURCE_DIR/scripts/seed_article.csv" 4 naive >fixture.out
check "fixture: parallel = makespan 30 ms, sequential 40 ms, ratios to the article" \
  grep -qE '^ +2  +782 +394 +40\.0 +0\.051 +30\.0 +0\.076$' fixture.out
finish

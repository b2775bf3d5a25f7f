# `make bench`'s script runs the microbenchmarks and prints one line per benchmark and one per
# kernel-reference pair; its JSON is Google Benchmark's, with every path this CPU supports, the
# references, the rates and counters the README promises, and no counter that cannot vary.
# Usage: bench_smoke.sh BENCH_BINARY
source "$(dirname "$0")/lib.sh"
workdir
BENCH_REPS=2 BENCH_MIN_TIME=0.01 "$SHMCOUNT_SOURCE_DIR/scripts/bench.sh" "$1" \
  --benchmark_filter='Seed/|Ref/|Size/.*/1024/' >bench.out 2>bench.err
check "bench.sh exits 0" [ $? -eq 0 ]
json=$(ls results/bench-*.json 2>/dev/null)
check "one JSON file under results/" [ "$(echo "$json" | wc -w)" -eq 1 ]
check "JSON has every kernel path, the references, their rates and counters" \
  "$SHMCOUNT_PYTHON" - "$json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
ctx, runs = doc["context"], doc["benchmarks"]
names = {b["run_name"] for b in runs}
for k in ("naive", "scalar", "blocked", "histogram"):
    isa = ctx["dispatched/" + k]
    assert f"Seed/{k}/{isa}/real_time" in names, (k, isa)
    assert f"Seed/{k}/portable/real_time" in names, k
    assert f"Size/{k}/1024/32/real_time" in names, k
assert "Ref/naive32/portable/real_time" in names
assert float(ctx["core_clock_mhz"]) > 100, ctx["core_clock_mhz"]
assert float(ctx["compare_limit_per_cycle"]) in (8, 16, 32), ctx["compare_limit_per_cycle"]
pairs = [p.split("=") for p in ctx["pairs"].split(",")]
assert pairs and all(k + "/real_time" in names and r + "/real_time" in names for k, r in pairs), pairs
multi_pass = ("naive", "scalar", "blocked", "naive32", "blocked_intrinsics")
for b in runs:
    assert not b.get("error_occurred"), b
    if b.get("aggregate_name") in ("cv", "stddev"):
        continue
    for c in ("items_per_second", "bytes_per_second"):
        assert b.get(c, 0) > 0, (b["name"], c)
    counters = {"cmp_per_cycle", "limit_fraction"} & set(b)
    assert counters == ({"cmp_per_cycle", "limit_fraction"}
                        if b["run_name"].split("/")[1] in multi_pass else set()), (b["name"], counters)
# Every user counter varies with the measured time: none is a constant in disguise.
allowed = {"cmp_per_cycle", "limit_fraction"}
standard = {"name", "family_index", "per_family_instance_index", "run_name", "run_type",
            "repetitions", "repetition_index", "threads", "iterations", "real_time", "cpu_time",
            "time_unit", "items_per_second", "bytes_per_second", "label", "aggregate_name",
            "aggregate_unit", "error_occurred", "error_message"}
for b in runs:
    assert set(b) <= standard | allowed, (b["name"], set(b) - standard - allowed)
assert any(b.get("aggregate_name") == "median" for b in runs)
PY
lines=$(grep -cE '^(Seed|Ref|Size)/' bench.out)
expected=$("$SHMCOUNT_PYTHON" -c 'import json, sys
print(len({b["run_name"] for b in json.load(open(sys.argv[1]))["benchmarks"]}))' "$json")
check "one line per benchmark ($lines of $expected)" [ "$lines" -eq "$expected" ]
check "a ratio line for the naive pair" grep -qE '^  Seed/naive/portable / Ref/naive32/portable +[0-9.]+ +\[' bench.out
check "the console output is kept, not shown" [ -s "${json%.json}.log" ]
finish

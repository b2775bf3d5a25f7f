# The microbenchmark binary runs every kernel and writes valid Google Benchmark JSON with the
# counters the README promises. Usage: bench_smoke.sh BENCH_BINARY
source "$(dirname "$0")/lib.sh"
workdir
"$1" --benchmark_filter='Seed/|Size/.*/1024/' --benchmark_min_time=0.01 \
  --benchmark_repetitions=2 --benchmark_out=bench.json --benchmark_out_format=json >bench.out 2>&1
check "benchmark exits 0" [ $? -eq 0 ]
check "JSON has every kernel with its counters and no error" /usr/bin/python3 - <<'PY'
import json, sys
runs = json.load(open("bench.json"))["benchmarks"]
names = {b["run_name"] for b in runs}
for k in ("naive", "scalar", "blocked", "histogram"):
    assert f"Seed/{k}/real_time" in names, k
    assert f"Size/{k}/1024/32/real_time" in names, k
for b in runs:
    assert not b.get("error_occurred"), b
    for c in ("compares/s", "elements/s", "bytes/s", "cmp/cycle", "x_limit"):
        assert c in b, (b["name"], c)
assert any(b.get("aggregate_name") == "median" for b in runs)
PY
finish

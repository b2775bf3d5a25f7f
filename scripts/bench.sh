#!/usr/bin/env bash
# Runs the kernel microbenchmarks and prints one line per benchmark (scripts/bench_summary.py):
# BENCH_REPS repetitions (default 9) of each, interleaved in random order so that a burst of load
# hits every benchmark alike, BENCH_MIN_TIME seconds (default 0.1) per repetition. Writes Google
# Benchmark's JSON (the format compare.py reads) and its console output under results/.
# SHMCOUNT_PYTHON (default /usr/bin/python3) is the Python 3 that summarises them.
# Usage: scripts/bench.sh BENCH_BINARY [benchmark flags], e.g.
#   scripts/bench.sh build/bench/shmcount_bench --benchmark_filter='Seed/|Ref/'
set -euo pipefail
binary=${1:?usage: scripts/bench.sh BENCH_BINARY [benchmark flags]}
shift
: "${SHMCOUNT_PYTHON:=/usr/bin/python3}"
mkdir -p results
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out="results/bench-$stamp.json"
log="results/bench-$stamp.log"
command=("$binary" --benchmark_repetitions="${BENCH_REPS:-9}"
  --benchmark_enable_random_interleaving=true --benchmark_min_time="${BENCH_MIN_TIME:-0.1}"
  --benchmark_out="$out.tmp" --benchmark_out_format=json "$@")
echo "bench: ${command[*]} (console output: $log)" >&2
if ! "${command[@]}" >"$log" 2>&1; then
  tail -n 20 "$log" >&2
  exit 1
fi
mv -n "$out.tmp" "$out"
"$SHMCOUNT_PYTHON" "$(dirname "$0")/bench_summary.py" "$out"
echo "bench: wrote $out"

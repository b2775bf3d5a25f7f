#!/usr/bin/env bash
# Runs the kernel microbenchmarks with repetitions and writes Google Benchmark JSON under
# results/ (the format compare.py reads). Usage: scripts/bench.sh BENCH_BINARY [benchmark flags]
# BENCH_REPS (default 5) sets the repetitions; extra flags go to the benchmark, e.g.
#   scripts/bench.sh build/bench/shmcount_bench --benchmark_filter=Seed
set -euo pipefail
binary=${1:?usage: scripts/bench.sh BENCH_BINARY [benchmark flags]}
shift
mkdir -p results
out="results/bench-$(date -u +%Y%m%dT%H%M%SZ).json"
"$binary" --benchmark_repetitions="${BENCH_REPS:-5}" --benchmark_display_aggregates_only=true \
  --benchmark_out="$out.tmp" --benchmark_out_format=json "$@"
mv -n "$out.tmp" "$out"
echo "bench: wrote $out"

#!/usr/bin/env bash
# Builds the libFuzzer target with clang (ASan + UBSan) and runs it for a bounded time on the
# committed corpus. Usage: tests/fuzz/run.sh [SECONDS] (default 30). Exit 77 without clang.
set -uo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-30}
command -v clang++ >/dev/null || { echo "skipped: clang++ not installed"; exit 77; }
work=$(mktemp -d /tmp/shmcount-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
# Every source of the MPI-free libraries (cli, common, kernels, memory, placement), found rather
# than listed, so a new file in them cannot break this build.
sources=()
for dir in cli common kernels memory placement; do
  for file in "$src/$dir"/*.cpp; do
    [[ $file == */man_main.cpp ]] || sources+=("$file")
  done
done
# The version, as CMake reads it: the one 'version: "X.Y.Z"' line of CITATION.cff.
version=$(sed -n 's/^version: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' "$src/CITATION.cff")
[ -n "$version" ] || { echo "fuzz: CITATION.cff has no 'version: X.Y.Z' line"; exit 1; }
clang++ -std=c++20 -O1 -g -DSHMCOUNT_VERSION="\"$version\"" -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I"$src" -I"$src"/include $(pkg-config --cflags hwloc) \
  "$src"/tests/fuzz/options_fuzz.cpp "${sources[@]}" $(pkg-config --libs hwloc) -ldl \
  -o "$work/options_fuzz" ||
  { echo "fuzz: build failed"; exit 1; }
mkdir "$work/new"
# New inputs go to a scratch folder; the committed corpus is only read.
"$work/options_fuzz" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=1024 -max_len=4096 \
  -print_final_stats=1 "$work/new" "$src/tests/fuzz/corpus"

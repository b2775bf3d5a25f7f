#!/usr/bin/env bash
# Every C and C++ file git tracks is formatted as .clang-format says; lists the ones that are not
# (make format rewrites them). Exit 77 (skipped) without clang-format or outside a git checkout.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
command -v clang-format >/dev/null || { echo "skipped: clang-format not installed"; exit 77; }
files=$(git ls-files '*.cpp' '*.hpp' '*.c' '*.h' 2>/dev/null) || { echo "skipped: not a git checkout"; exit 77; }
bad=()
for f in $files; do
  clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -gt 0 ]; then
  echo "not formatted (make format fixes them): ${bad[*]}"
  exit 1
fi
echo "ok: $(echo "$files" | wc -w) files formatted as .clang-format says"

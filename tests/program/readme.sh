# The README and docs/ stay true: every link between them (and to figures) leads somewhere, the
# README stays short, the tables shmcount itself knows (columns, noise sources) are written from
# it, every CSV column and option is documented, every make target is in the README's command table.
source "$(dirname "$0")/lib.sh"
src=$SHMCOUNT_SOURCE_DIR
readme="$src/README.md"
check "README.md is at most about 300 lines ($(wc -l <"$readme"))" [ "$(wc -l <"$readme")" -le 310 ]
for doc in "$readme" "$src"/docs/*.md "$src/results/README.md" "$src"/results/*/README.md; do
  dir=$(dirname "$doc")
  for link in $(grep -o '](\([^)#]*\.\(md\|png\)\)\(#[^)]*\)\?)' "$doc" | sed 's/^](\([^)#]*\).*/\1/' | sort -u); do
    check "$(basename "$doc") links to an existing $link" [ -f "$dir/$link" ]
  done
done
check "docs/ tables written from shmcount --list are up to date" \
  "$SHMCOUNT_PYTHON" "$src/scripts/docs_tables.py" --check --shmcount "$SHMCOUNT"
workdir
"$MPIEXEC" -np 1 "$SHMCOUNT" --reps 1 --output h.csv >/dev/null 2>&1
header=$(head -1 h.csv)
check "a run wrote a CSV header" [ -n "$header" ]
for column in ${header//,/ }; do
  check "docs/output.md documents CSV column $column" grep -q "^| \`$column\` |" "$src/docs/output.md"
done
for target in $(sed -n 's/^\.PHONY: //p' "$src/Makefile"); do
  case "$target" in all | build | clean | format) continue ;; esac
  check "README's command table has make $target" grep -q "^| [^|]*\`make $target" "$readme"
done
for name in $("$SHMCOUNT" --list strategies | tail -n +2 | cut -f1); do
  check "docs/pinning.md documents --pin $name" grep -q "\`$name" "$src/docs/pinning.md"
done
for name in $("$SHMCOUNT" --list kernels | tail -n +2 | cut -f1); do
  check "docs/kernels.md documents --kernel $name" grep -qF "\`$name\`" "$src/docs/kernels.md"
done
finish

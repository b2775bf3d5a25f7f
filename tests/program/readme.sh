# README.md stays true: it documents every CSV column, option, kernel and strategy (an option may
# be documented in docs/ instead, as the latency map's are in docs/latency.md).
source "$(dirname "$0")/lib.sh"
readme="$SHMCOUNT_SOURCE_DIR/README.md"
workdir
"$MPIEXEC" -np 1 "$SHMCOUNT" --reps 1 --output h.csv >/dev/null 2>&1
header=$(head -1 h.csv)
check "a run wrote a CSV header" [ -n "$header" ]
for column in ${header//,/ }; do
  check "README documents CSV column $column" grep -q "^| \`$column\` |" "$readme"
done
for flag in $("$SHMCOUNT" --help | grep -o '^  --[a-z-]*'); do
  check "README or docs/ documents option $flag" \
    grep -q -- "\`$flag" "$readme" "$SHMCOUNT_SOURCE_DIR"/docs/*.md
done
for name in naive scalar blocked histogram core compact scatter none launcher; do
  check "README documents $name" grep -q "| \`$name\`" "$readme"
done
finish

# Adding a run parameter, a strategy, a kernel, a mechanism, a probe, a counts mode or a --list
# name is one table entry plus its own code: shmcount built with the entries of tests/extension/
# (-DSHMCOUNT_TEST_ENTRIES=ON) shows each in --help, --list, man shmcount, the docs' generated
# tables, the CSV and the run context, and a sweep over the new parameter runs and is reported,
# with no other edit anywhere. (A build of its own: a few minutes.)
source "$(dirname "$0")/lib.sh"
isolate "$@"
workdir
src=$SHMCOUNT_SOURCE_DIR
cmake -S "$src" -B ext -DCMAKE_BUILD_TYPE=Release -DSHMCOUNT_TEST_ENTRIES=ON \
  -DSHMCOUNT_BUILD_TESTS=OFF -DSHMCOUNT_BUILD_BENCH=OFF -DSHMCOUNT_WERROR=ON >build.log 2>&1 &&
  cmake --build ext -j "$(nproc)" --target shmcount shmcount_man_page >>build.log 2>&1
check "shmcount builds with the test entries ($(tail -n 3 build.log | tr '\n' ' '))" [ -x ext/shmcount ]
X=$WORK/ext/shmcount
listed() { "$X" --list "$1" | cut -f1 | grep -qx "$2"; }
check "the parameter is an axis with its default" bash -c "'$X' --list axes | grep -q '^tag	--tag	none'"
check "the strategy is listed" listed strategies reverse
check "the kernel is listed" listed kernels plain_histogram
check "the parameter and the probe are CSV columns" bash -c "'$X' --list columns | cut -f1 | grep -qx tag && '$X' --list columns | cut -f1 | grep -qx array_first_value"
check "--help shows the parameter, the mechanism and the strategy" \
  bash -c "'$X' --help | grep -q -- '--tag TEXT' && '$X' --help | grep -q private_twin && '$X' --help | grep -q reverse"
check "man shmcount shows them" \
  bash -c "man -l ext/man/shmcount.1 2>/dev/null | grep -q -- '--tag' && man -l ext/man/shmcount.1 2>/dev/null | grep -q plain_histogram"
# The counts mode and the list: one entry each, in --help, the man page, --list and the docs.
check "the counts mode is listed and is an axis value" \
  bash -c "'$X' --list counts | cut -f1 | grep -qx private_copy && '$X' --list axes | grep '^counts' | grep -qw private_copy"
check "the list is listed and prints its table" \
  bash -c "'$X' --list lists | cut -f1 | grep -qx test-entries && '$X' --list test-entries | grep -qx 'private_copy	counts kModes'"
check "--help shows the counts mode and the list" \
  bash -c "'$X' --help | grep -q '^  private_copy ' && '$X' --help | grep -q '^  test-entries '"
check "man shmcount shows the counts mode and the list" \
  bash -c "man -l ext/man/shmcount.1 2>/dev/null | grep -q private_copy && man -l ext/man/shmcount.1 2>/dev/null | grep -q test-entries"
cp -r "$src/docs" docs
"$SHMCOUNT_PYTHON" "$src/scripts/docs_tables.py" --shmcount "$X" docs/*.md >docs.out 2>&1
check "the docs' generated tables show the counts mode and the list ($(tail -n 2 docs.out | tr '\n' ' '))" \
  bash -c "grep -q '^| \`private_copy\` |' docs/memory.md && grep -q '^| \`test-entries\` |' docs/output.md"

"$MPIEXEC" -np 2 "$X" --tag hello --kernel plain_histogram --pin reverse --share private_twin \
  --counts private_copy --reps 2 --output run.csv >job.out 2>job.err
rc=$?
check "a run with every new entry exits 0" [ "$rc" -eq 0 ]
check "the CSV records each entry" "$SHMCOUNT_PYTHON" - run.csv <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert rows, "no rows"
for r in rows:
    assert (r["tag"], r["kernel"], r["strategy"], r["share"], r["counts"]) == \
        ("hello", "plain_histogram", "reverse", "private_twin", "private_copy"), r
    assert r["array_first_value"] == "0", r
PY
check "the run context's config has the parameter" grep -q '"tag": "hello"' run.json
check "the summary header shows it" grep -q -- '--tag hello' job.out

# A sweep over the new parameter, and its report.
SHMCOUNT="$X" RESULTS_ROOT="$WORK/results" NAME=ext RANKS=1 TAGS="alpha beta" \
  KERNELS=plain_histogram ROUNDS=2 REPS=2 BENCH=0 REFERENCE=0 \
  "$SHMCOUNT_PYTHON" "$src/scripts/sweep.py" >sweep.out 2>&1
check "a sweep over --tag runs ($(tail -n 2 sweep.out | tr '\n' ' '))" [ $? -eq 0 ]
check "its manifest has the new axis" bash -c "head -1 results/ext/manifest.csv | tr ',' '\n' | grep -qx tag"
"$SHMCOUNT_PYTHON" "$src/scripts/plots.py" --shmcount "$X" --results results/ext --out plots >plots.out 2>&1
check "make plots reports the pair over --tag ($(tail -n 2 plots.out | tr '\n' ' '))" \
  grep -q -- '--tag alpha' plots/REPORT.md
finish

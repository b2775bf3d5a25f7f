# make compare: two runs, or two result sets point by point, judged as make plots judges pairs
# (the run is the unit). Two real runs, even of very different sizes, are one run each: cannot
# tell, and not interleaved; a set against the same measurements is never beyond the noise;
# inputs that cannot be compared are refused with exit 2.
source "$(dirname "$0")/lib.sh"
isolate "$@"
workdir
fixture="$SHMCOUNT_SOURCE_DIR/tests/data/result-set"
compare() { "$SHMCOUNT_PYTHON" "$SHMCOUNT_SOURCE_DIR/scripts/compare.py" --shmcount "$SHMCOUNT" "$@"; }

# 9 repetitions each: 2,000 int32 (about 0.1 ms a unit) against 1,000,000 (500 times the work).
job 1 --size 2000 --reps 9 --output small.csv
check "small run" [ "$rc" -eq 0 ]
job 1 --size 1000000 --reps 9 --output big.csv
check "big run" [ "$rc" -eq 0 ]
compare small.csv big.csv >cmp.out 2>cmp.err
check "two runs: exit 0" [ $? -eq 0 ]
check "two runs: the config difference is named" grep -q '^A and B differ in: .*size 2000 -> 1000000' cmp.out
check "two runs: one run each, whatever the ratio" \
  grep -qE '^small / big +1 +1/1 .* - +- +- +one run each: cannot tell +same +[0-9-]+/[0-9-]+$' cmp.out
check "two runs: the ratio is still shown" grep -qE '^small / big +1 +1/1 +0\.[0-9]+ +[0-9.]+ +[0-9.]+ ' cmp.out
check "two runs: not interleaved, said" grep -q '^Not interleaved: A and B are two single runs' cmp.out
check "two runs: the summary counts it" \
  grep -q '^1 point compared: 0 slower and 0 faster in B beyond the noise, 0 the same within ±3%, 1 cannot tell\.$' cmp.out
(cd "$SHMCOUNT_SOURCE_DIR" && make -s compare A="$WORK/small.csv" B="$WORK/big.csv") >make.out 2>&1
check "make compare A=... B=... runs it" grep -q 'one run each: cannot tell' make.out

# The same measurements on both sides: ratio 1, never beyond the noise.
cp -r "$fixture" copy
compare "$fixture" copy >cmp.out 2>cmp.err
check "two sets: exit 0" [ $? -eq 0 ]
check "two sets: every point matched, ratio 1, never beyond the noise" "$SHMCOUNT_PYTHON" - cmp.out <<'PY'
import sys
rows = [l for l in open(sys.argv[1]) if l.startswith("--pin") and " 2/2 " in l]
assert len(rows) == 8, rows
for r in rows:
    assert " 1.000 [" in r and "beyond the noise" not in r, r
PY
check "two sets: the points are named by their axes" grep -qE -- '^--pin list:0,1, --size 400000 +2 ' cmp.out

# Points only one set has are listed, not compared.
sed -i '/"core-20000-np1"/d' copy/manifest.csv
compare "$fixture" copy >cmp.out 2>cmp.err
check "partly matching sets: exit 0" [ $? -eq 0 ]
check "partly matching sets: 7 compared" grep -q '^7 points compared' cmp.out
check "partly matching sets: the unmatched point is named" \
  grep -q '^only in A (not compared): core-20000-np1$' cmp.out

# refused DESCRIPTION PATTERN A B: exit 2 and PATTERN in the message.
refused() {
  local what=$1 pattern=$2; shift 2
  compare "$@" >cmp.out 2>cmp.err
  local status=$?
  [ $status -eq 2 ] || { fail "$what: exit $status"; return; }
  grep -q -- "$pattern" cmp.err || { fail "$what: $(cat cmp.err)"; return; }
  pass "$what"
}
refused "a run against a set" "A is a single run and B a result set" small.csv "$fixture"
refused "runs of different rank counts" "A ran 1 rank and B 2 ranks" \
  small.csv "$fixture/points/core-20000-np2/r1.csv"
refused "a missing input" "nowhere.csv: no such result set or run" small.csv nowhere.csv
RESULTS_ROOT="$WORK/results" NAME=other BENCH=0 RANKS=1 PINS=core SIZES=1000 ROUNDS=1 REPS=2 \
  REFERENCE=0 "$SHMCOUNT_PYTHON" "$SHMCOUNT_SOURCE_DIR/scripts/sweep.py" >sweep.out 2>&1
check "a set with other points" [ $? -eq 0 ]
refused "sets without a common point" "nothing to compare" "$fixture" results/other
(cd "$SHMCOUNT_SOURCE_DIR" && make -s compare A="$WORK/small.csv") >make.out 2>&1
check "make compare without B: exit 2" [ $? -eq 2 ]
check "make compare without B: usage" grep -q '^usage: make compare A=' make.out
check "no segment left" no_segments
finish

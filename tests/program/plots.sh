# make plots on the committed fixture result set (2 rounds): every figure that applies as valid
# PNG and SVG, a report whose numbers and verdicts are recomputed here from the CSVs, a single run
# plotted on its own, a folder that follows the umask, and clear refusals of bad input.
source "$(dirname "$0")/lib.sh"
workdir
fixture="$SHMCOUNT_SOURCE_DIR/tests/data/result-set"
plots="$SHMCOUNT_SOURCE_DIR/scripts/plots.py"

"$SHMCOUNT_PYTHON" "$plots" --results "$fixture" --out out --shmcount "$SHMCOUNT" >plots.out 2>plots.err
check "plots exits 0" [ $? -eq 0 ]
for fig in scaling-size-20000 scaling-size-400000 speedup-size-20000 speedup-size-400000 \
           placement-np2-size-20000 placement-np2-size-400000 rank-spread-np2-size-20000 \
           rank-spread-np2-size-400000 size kernels; do
  check "$fig.png is a PNG of sensible size" \
    bash -c "[ \"\$(head -c 8 out/$fig.png | od -An -tx1 | tr -d ' ')\" = 89504e470d0a1a0a ] &&
             [ \$(stat -c %s out/$fig.png) -gt 15000 ]"
  check "$fig.svg is an SVG" grep -q '<svg' "out/$fig.svg"
  check "REPORT.md embeds $fig" grep -q "($fig.png)" out/REPORT.md
done
check "REPORT.md names the machine" grep -q "^- host: " out/REPORT.md
check "caches in binary units, not raw bytes" \
  bash -c "grep -q 'caches: L1d 32 KiB, L2 1 MiB' out/REPORT.md && ! grep -q 'L1d:' out/REPORT.md"
check "no '1 ranks' or '1 rounds'" bash -c "! grep -qE '(^|[^0-9.])1 (rank|round|point|run)s' out/REPORT.md"
check "the rounds and their seed are stated" \
  grep -q '8 points x 2 rounds, .*own random order (seed 4229477637' out/REPORT.md
check "noise sources are listed" grep -q '^| `load_before` |' out/REPORT.md

# The report's numbers and verdicts, recomputed here from the fixture's CSVs: the run is the
# unit (a run's time is the median of its makespans, a point's the median of its runs' times).
check "points table: a point's time is the median of its runs' medians" "$SHMCOUNT_PYTHON" - "$fixture" out/REPORT.md <<'PY'
import collections, csv, glob, statistics, sys
fixture, report = sys.argv[1], open(sys.argv[2]).read()
def ms(x):
    return f"{x:.0f}" if x >= 100 else f"{x:.1f}" if x >= 10 else f"{x:.2f}" if x >= 1 else f"{x:.3g}"
for pin, folder in (("core", "core"), ("list:0,1", "list_0_1")):
    for size in (20000, 400000):
        for n in (1, 2):
            par, seq, every = [], [], []
            for path in sorted(glob.glob(f"{fixture}/points/{folder}-{size}-np{n}/r*.csv")):
                first, last, s = {}, collections.defaultdict(int), collections.defaultdict(int)
                for r in csv.DictReader(open(path)):
                    t, t0 = int(r["time_ns"]), int(r["start_ns"])
                    if r["phase"] == "parallel":
                        first[r["rep"]] = min(first.get(r["rep"], t0), t0)
                        last[r["rep"]] = max(last[r["rep"]], t0 + t)
                    else:
                        s[r["rep"]] += t
                spans = [(last[k] - first[k]) / 1e6 for k in first]
                every += spans
                par.append(statistics.median(spans))
                seq.append(statistics.median([v / 1e6 for v in s.values()]))
            assert len(par) == 2 and len(every) == 6, (pin, size, n, len(par))
            line = (f"| {pin} | {size} | {n} | 2 | 3 | {ms(statistics.median(seq))} | "
                    f"{ms(statistics.median(par))} ({ms(min(every))}..{ms(max(every))}) |")
            assert line in report, line
PY
check "verdicts first, with the unit and how many runs" bash -c \
  "sed -n 3p out/REPORT.md | grep -qx '## Verdicts' &&
   grep -q 'This set has 16 runs (2 runs per point, 3 repetitions each)' out/REPORT.md"
check "verdicts: 2 runs a point cannot tell --size 20000 from 400000 (17x), and says so" \
  grep -q '^0 of 4 pairs beyond the noise, 0 the same within ±3%, 4 cannot tell\.$' out/REPORT.md
check "verdicts: --pin core vs list:0,1 (same PUs) is never a placement effect" "$SHMCOUNT_PYTHON" - out/REPORT.md <<'PY'
import sys
rows = [l for l in open(sys.argv[1]) if "| --pin core | --pin list:0,1 |" in l]
assert len(rows) == 4, rows
for r in rows:
    assert "| same placement (every rank on the same PU in every repetition): not a placement " \
        "effect | same |" in r, r
PY
check "p-values of the sign-flip test over the rounds' ratios, Holm-adjusted" "$SHMCOUNT_PYTHON" - "$fixture" out/verdicts.csv <<'PY'
import collections, csv, glob, itertools, sys
import numpy as np
fixture = sys.argv[1]
rows = list(csv.DictReader(open(sys.argv[2])))
def run_medians(point):
    out = []
    for path in sorted(glob.glob(f"{fixture}/points/{point}/r*.csv")):
        span = collections.defaultdict(lambda: [float("inf"), 0])
        for r in csv.DictReader(open(path)):
            if r["phase"] == "parallel":
                s = span[r["rep"]]
                s[0] = min(s[0], int(r["start_ns"]))
                s[1] = max(s[1], int(r["start_ns"]) + int(r["time_ns"]))
        out.append(np.median([(e - b) / 1e6 for b, e in span.values()]))
    return np.array(out)
# The two points ran in the same two rounds (r1, r2): paired by round, d_r = log(b_r / a_r); the
# exact two-sided sign-flip p over all 2^2 flips; B / A the exp of d's Hodges-Lehmann centre.
a, b = run_medians("core-400000-np1"), run_medians("list_0_1-400000-np1")
d = np.log(b / a)
flips = [abs(sum(s * x for s, x in zip(signs, d))) for signs in itertools.product((1, -1), repeat=len(d))]
p_exact = sum(f >= abs(d.sum()) - 1e-9 for f in flips) / len(flips)
walsh = [(d[i] + d[j]) / 2 for i in range(len(d)) for j in range(i, len(d))]
row = next(r for r in rows if r["ranks"] == "1" and r["group"] == "--size 400000")
assert row["test"].startswith("paired by round"), row
assert abs(float(row["p"]) - p_exact) < 1e-12, (row, p_exact)
assert abs(float(row["ratio"]) - np.exp(np.median(walsh))) < 1e-9, row
p = sorted(float(r["p"]) for r in rows)
holm = np.minimum(1, np.maximum.accumulate([(len(p) - i) * x for i, x in enumerate(p)]))
assert sorted(float(r["p_adjusted"]) for r in rows) == sorted(holm), (p, holm)
PY

# One run alone: the figures that apply, the others left out with the reason.
"$SHMCOUNT_PYTHON" "$plots" --results "$fixture/points/core-20000-np2/r1.csv" --out single \
  >plots.out 2>plots.err
check "a single run can be plotted" [ $? -eq 0 ]
check "its report says it is one run" grep -q '^# shmcount run `core-20000-np2-r1`' single/REPORT.md
check "its per-rank figure is drawn" [ -s single/rank-spread-np2.png ]
check "figures that need a set are left out, with why" \
  grep -q '^- scaling: the set has one rank count' single/REPORT.md

# The output folder follows the umask, as mkdir does.
(umask 027; "$SHMCOUNT_PYTHON" "$plots" --results "$fixture/points/core-20000-np1/r1.csv" --out m027 >/dev/null 2>&1)
(umask 002; "$SHMCOUNT_PYTHON" "$plots" --results "$fixture/points/core-20000-np1/r1.csv" --out m002 >/dev/null 2>&1)
check "plots folder mode 750 under umask 027" [ "$(stat -c %a m027)" = 750 ]
check "plots folder mode 775 under umask 002" [ "$(stat -c %a m002)" = 775 ]

# refused DESCRIPTION PATTERN SETDIR [OPTIONS]: exit 2, PATTERN in the message, no output folder.
refused() {
  local what=$1 pattern=$2 set=$3; shift 3
  "$SHMCOUNT_PYTHON" "$plots" --results "$set" --out bad "$@" >plots.out 2>plots.err
  local status=$?
  [ $status -eq 2 ] || { fail "$what: exit $status"; return; }
  grep -q -- "$pattern" plots.err || { fail "$what: $(cat plots.err)"; return; }
  [ ! -e bad ] || { fail "$what: wrote an output folder"; return; }
  [ -z "$(ls -A | grep '^\.plots-')" ] || { fail "$what: left a temporary folder"; return; }
  pass "$what"
}
one=points/core-20000-np2/r1
refused "missing result set" "no such result set or run" nowhere
mkdir empty
refused "empty result set" "empty/manifest.csv: missing" empty
cp -r "$fixture" nocol
"$SHMCOUNT_PYTHON" -c 'import csv, sys
p = sys.argv[1]; rows = list(csv.DictReader(open(p)))
w = csv.DictWriter(open(p, "w", newline=""), [c for c in rows[0] if c != "time_ns"])
w.writeheader(); [w.writerow({k: v for k, v in r.items() if k != "time_ns"}) for r in rows]' \
  nocol/$one.csv
refused "CSV without a column" "$one.csv: missing column(s) time_ns" nocol
cp -r "$fixture" extracol
sed -i '1s/$/,mystery/; 2,$s/$/,1/' extracol/$one.csv
refused "CSV with a column its run context does not list" "$one.csv: unknown column(s) mystery" extracol
cp -r "$fixture" foreign
sed -i '1s/$/,mystery/; 2,$s/$/,1/' foreign/$one.csv
"$SHMCOUNT_PYTHON" -c 'import json, sys
p = sys.argv[1]; c = json.load(open(p)); c["columns"].append("mystery"); json.dump(c, open(p, "w"))' \
  foreign/$one.json
refused "a column this shmcount does not write" "mystery are not written by this shmcount" foreign \
  --shmcount "$SHMCOUNT"
"$SHMCOUNT_PYTHON" "$plots" --results foreign --out foreign-plots >/dev/null 2>&1
check "without a binary, the run context's columns are the reference" [ $? -eq 0 ]
cp -r "$fixture" half
sed -i '3s/,done,/,pending,/' half/manifest.csv
refused "half-finished result set" "unfinished (1 of 16 runs pending)" half
cp -r "$fixture" nojson
rm nojson/$one.json
refused "run without its run context" "$one.json: missing" nojson
cp -r "$fixture" oldjson
"$SHMCOUNT_PYTHON" -c 'import json, sys
p = sys.argv[1]; c = json.load(open(p)); del c["columns"]; json.dump(c, open(p, "w"))' oldjson/$one.json
refused "run context of an older shmcount" "no 'columns' in the run context" oldjson
cp -r "$fixture" tampered
"$SHMCOUNT_PYTHON" -c 'import csv, sys
p = sys.argv[1]; rows = list(csv.DictReader(open(p)))
for r in rows:
    if r["phase"] == "parallel": r["time_ns"] = str(int(r["time_ns"]) * 3)
w = csv.DictWriter(open(p, "w", newline=""), list(rows[0])); w.writeheader(); w.writerows(rows)' \
  tampered/$one.csv
refused "records that disagree with their summary" "the records give summary.parallel_ms.min" tampered
cp -r "$fixture" mixed
"$SHMCOUNT_PYTHON" -c 'import json, sys
p = sys.argv[1]; c = json.load(open(p)); c["config"]["values"] = 999; json.dump(c, open(p, "w"))' \
  mixed/points/core-20000-np2/r2.json
refused "rounds of one point with different configs" "differs from round 1's of point core-20000-np2" mixed
refused "placement rank count not in the set" "--placement-ranks 3: the set has \[1, 2\]" \
  "$fixture" --placement-ranks 3

# A refused run keeps the figures of an earlier good one.
"$SHMCOUNT_PYTHON" "$plots" --results "$fixture" --out keep >/dev/null 2>&1
before=$(sha256sum <keep/REPORT.md)
"$SHMCOUNT_PYTHON" "$plots" --results half --out keep >/dev/null 2>&1
check "a refused set leaves earlier figures untouched" [ "$(sha256sum <keep/REPORT.md)" = "$before" ]
finish

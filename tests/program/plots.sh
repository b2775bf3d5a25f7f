# make plots on the committed fixture result set: every figure as valid PNG and SVG, a report
# whose table matches the fixture's numbers, and clear refusals of bad result sets.
source "$(dirname "$0")/lib.sh"
workdir
fixture="$SHMCOUNT_SOURCE_DIR/tests/data/result-set"
plots="$SHMCOUNT_SOURCE_DIR/scripts/plots.py"

/usr/bin/python3 "$plots" --results "$fixture" --out out >plots.out 2>plots.err
check "plots exits 0" [ $? -eq 0 ]
for fig in scaling-naive speedup-naive placement-naive-np2 rank-spread-naive-np2 kernels; do
  check "$fig.png is a PNG of sensible size" \
    bash -c "[ \"\$(head -c 8 out/$fig.png | od -An -tx1 | tr -d ' ')\" = 89504e470d0a1a0a ] &&
             [ \$(stat -c %s out/$fig.png) -gt 15000 ]"
  check "$fig.svg is an SVG" grep -q '<svg' "out/$fig.svg"
  check "REPORT.md embeds $fig" grep -q "($fig.png)" out/REPORT.md
done
check "REPORT.md names the machine" grep -q "^- host: " out/REPORT.md

# The report's table, recomputed here from the fixture's CSVs.
check "report table matches the fixture's numbers" /usr/bin/python3 - "$fixture" out/REPORT.md <<'PY'
import csv, statistics, sys, collections
fixture, report = sys.argv[1], open(sys.argv[2]).read()
for pin in ("core", "none"):
    for n in (1, 2, 4):
        rows = list(csv.DictReader(open(f"{fixture}/points/naive-{pin}-np{n}.csv")))
        par, seq = collections.defaultdict(int), collections.defaultdict(int)
        for r in rows:
            t = int(r["time_ns"])
            if r["phase"] == "parallel":
                par[r["rep"]] = max(par[r["rep"]], t)
            else:
                seq[r["rep"]] += t
        p = statistics.median(par.values()) / 1e6
        s = statistics.median(seq.values()) / 1e6
        line = f"| {s:.2f} | {p:.2f} | {s / p:.2f}x | {100 * s / p / n:.0f}% |"
        assert line in report, (pin, n, line)
PY

# refused DESCRIPTION PATTERN SETDIR: exit 2, PATTERN in the message, no output folder.
refused() {
  local what=$1 pattern=$2 set=$3
  /usr/bin/python3 "$plots" --results "$set" --out bad >plots.out 2>plots.err
  local status=$?
  [ $status -eq 2 ] || { fail "$what: exit $status"; return; }
  grep -q -- "$pattern" plots.err || { fail "$what: $(cat plots.err)"; return; }
  [ ! -e bad ] || { fail "$what: wrote an output folder"; return; }
  [ -z "$(ls -A | grep '^\.plots-')" ] || { fail "$what: left a temporary folder"; return; }
  pass "$what"
}
refused "missing result set" "no such result set" nowhere
mkdir empty
refused "empty result set" "empty/manifest.csv: missing" empty
cp -r "$fixture" nocol
/usr/bin/python3 -c 'import csv, sys
p = sys.argv[1]; rows = list(csv.DictReader(open(p)))
w = csv.DictWriter(open(p, "w", newline=""), [c for c in rows[0] if c != "time_ns"])
w.writeheader(); [w.writerow({k: v for k, v in r.items() if k != "time_ns"}) for r in rows]' \
  nocol/points/naive-core-np2.csv
refused "CSV without a column" "naive-core-np2.csv: missing column(s) time_ns" nocol
cp -r "$fixture" extracol
sed -i '1s/$/,mystery/; 2,$s/$/,1/' extracol/points/naive-none-np1.csv
refused "CSV with an unknown column" "naive-none-np1.csv: unknown column(s) mystery" extracol
cp -r "$fixture" half
sed -i '3s/,done,/,pending,/' half/manifest.csv
refused "half-finished result set" "unfinished (1 of 6 points pending)" half
cp -r "$fixture" nojson
rm nojson/points/naive-core-np4.json
refused "point without its run context" "naive-core-np4.json: missing" nojson

# A failed run keeps the figures of an earlier good one.
/usr/bin/python3 "$plots" --results "$fixture" --out keep >/dev/null 2>&1
before=$(cat keep/REPORT.md | sha256sum)
/usr/bin/python3 "$plots" --results half --out keep >/dev/null 2>&1
check "a refused set leaves earlier figures untouched" [ "$(sha256sum <keep/REPORT.md)" = "$before" ]
finish

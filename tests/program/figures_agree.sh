# One run, its figures in three places: the summary shmcount prints, the run context (.json) and
# the analysis' report (scripts/analysis: its point figures and REPORT.md) give the same makespan,
# spreads, rates, speedups and the same faster-than-ideal verdict, because they format one record
# (report/figures.hpp) instead of computing their own. 3 ranks on this machine's PUs, oversubscribed
# where they are fewer. Then the report follows the run context's verdict when it is flipped: it
# reads the flag, it does not apply a rule of its own.
source "$(dirname "$0")/lib.sh"
isolate "$@"
workdir

job 3 --reps 4 --warmup 1 --size 100000 --output run.csv
check "exit 0 with 3 ranks" [ "$rc" -eq 0 ]
check "no segment left" no_segments
/usr/bin/python3 "$SHMCOUNT_SOURCE_DIR/scripts/plots.py" --results run.csv --out report \
  >plots.out 2>&1
check "the report of the run was made" [ -s report/REPORT.md ]

check "summary, run context and report agree on every figure" \
  env PYTHONPATH="$SHMCOUNT_SOURCE_DIR/scripts" PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 - <<'PY'
import json, math, re, sys

import numpy as np

from analysis import stats
from analysis.load import load

text = open("job.out").read()
s = json.load(open("run.json"))["summary"]
bad = []


def same(what, a, b, abs_tol=0.0, rel_tol=1e-5):
    if not math.isclose(a, b, abs_tol=abs_tol, rel_tol=rel_tol):
        bad.append(f"{what}: {a!r} against {b!r}")


# The summary's table row and spread lines: ms with 3 decimals, cv with 1 decimal of percent,
# against the run context's 6 significant digits (so 0.5 of the last decimal shown, and a little).
MS = 1.1e-3
row = re.search(r"^ +3 +([\d.]+) +([\d.]+) +([\d.]+)x +(\d+)%(.*)$", text, re.M)
if not row:
    sys.exit("no table row for 3 ranks in the summary:\n" + text)
same("summary sequential median", float(row[1]), s["sequential_ms"]["median"], MS)
same("summary makespan median", float(row[2]), s["parallel_ms"]["median"], MS)
same("summary speedup", float(row[3]), s["speedup"], 5.1e-3)
same("summary efficiency %", float(row[4]), 100 * s["efficiency"], 0.51)
spreads = {"sequential: 1 process, all units": s["sequential_ms"],
           "parallel: makespan": s["parallel_ms"],
           "each rank's own time: t_min": s["rank_ms"]["t_min"],
           "t_avg": s["rank_ms"]["t_avg"], "t_max": s["rank_ms"]["t_max"],
           "one rank's unit (all ranks, reps)": s["unit_ms"]}
for label, spread in spreads.items():
    m = re.search(r"^ +" + re.escape(label) + r" +([\d.]+) +([\d.]+) +([\d.]+) +([\d.]+)%$",
                  text, re.M)
    if not m:
        bad.append(f"no spread line '{label}' in the summary")
        continue
    for i, key in enumerate(("min", "median", "max"), 1):
        same(f"summary {label} {key}", float(m[i]), spread[key], MS)
    same(f"summary {label} cv", float(m[4]), 100 * spread["cv"], 0.051)
ideal = re.search(r"unit\(s\) of the sequential unit time = ([\d.]+) ms", text)
same("summary ideal", float(ideal[1]) if ideal else -1, s["ideal_ms"], MS)

# Rates: "12.90 Gcompares/s per rank, 19.51 Gcompares/s for the job".
scale = {"G": 1e9, "M": 1e6, "": 1}
r = s["rates"]
per = re.search(r"= ([\d.]+) (G|M|)\S+/s per rank, ([\d.]+) (G|M|)\S+/s for the job", text)
cnt = re.search(r"count updates per unit, ([\d.]+) (G|M|)updates/s per rank, ([\d.]+) (G|M|)"
                r"updates/s for the job", text)
if not per or not cnt:
    bad.append("no rate lines in the summary")
else:
    same("summary work/s per rank", float(per[1]) * scale[per[2]], r["work_per_s_rank"], 0,
         1e-2)
    same("summary work/s for the job", float(per[3]) * scale[per[4]], r["work_per_s_job"], 0,
         1e-2)
    same("summary updates/s per rank", float(cnt[1]) * scale[cnt[2]], r["updates_per_s_rank"],
         1, 1e-2)
    same("summary updates/s for the job", float(cnt[3]) * scale[cnt[4]],
         r["updates_per_s_job"], 1, 1e-2)
# The rates are what the spreads give: one unit per median unit time, every rank's per makespan.
same("work/s per rank", r["work_per_s_rank"], r["work_per_unit"] / (s["unit_ms"]["median"] / 1e3))
same("work/s for the job", r["work_per_s_job"],
     3 * r["work_per_unit"] / (s["parallel_ms"]["median"] / 1e3))
nodes = s["nodes"]
if len(nodes) != 1:
    bad.append(f"run context has {len(nodes)} node figures, not 1")
else:
    same("node 0's speedup", nodes[0]["speedup"], s["speedup"])
    same("node 0's makespan", nodes[0]["parallel_ms"]["median"], s["parallel_ms"]["median"])

# One verdict: the summary warns exactly when the run context says so.
flag = s["faster_than_ideal"]
if flag != ("warning: faster than perfect scaling" in text):
    bad.append(f"summary's warning and the run context's faster_than_ideal ({flag}) differ")
if flag != ("faster than ideal: see below" in row[5]):
    bad.append("summary's table row and the run context's faster_than_ideal differ")

# The analysis: its point figures from the records, the same as the run context's.
point = load("run.csv").points[0]
p = stats.summarize(point)
same("analysis makespan median", p.time, s["parallel_ms"]["median"])
same("analysis makespan min", float(p.parallel.min()), s["parallel_ms"]["min"])
same("analysis makespan max", float(p.parallel.max()), s["parallel_ms"]["max"])
same("analysis makespan cv", stats.cv(p.parallel), s["parallel_ms"]["cv"], 1e-6)
same("analysis sequential median", float(np.median(p.sequential)), s["sequential_ms"]["median"])
same("analysis speedup", p.speedup.estimate, s["speedup"])
same("analysis efficiency", p.efficiency.estimate, s["efficiency"])
same("analysis ideal", p.ideal_ms, s["ideal_ms"])
if p.faster_than_ideal != int(flag):
    bad.append(f"analysis says {p.faster_than_ideal} run(s) faster than ideal, run context {flag}")
# The analysis' own copy of the rule (for runs of an older shmcount) gives the same verdict and
# figures from the records alone.
run = p.runs[0]
mine = stats.scaling(run.parallel, run.sequential, run.ideal_ms)
same("the rule's ratio from the records", mine["ideal_ratio"], s["ideal_ratio"])
same("the rule's noise from the records", mine["noise"], s["noise"], 1e-6)
if mine["faster_than_ideal"] != flag:
    bad.append(f"the analysis' rule says {mine['faster_than_ideal']}, shmcount's {flag}")

# REPORT.md's points row: sequential, makespan (min..max), speedup, and the note.
report = open("report/REPORT.md").read()
cells = None
for line in report.splitlines():
    parts = [c.strip() for c in line.strip("|").split("|")]
    if len(parts) == 12 and parts[0] == "3" and parts[1] == "1":
        cells = parts
if not cells:
    bad.append("no points row for 3 ranks in REPORT.md")
else:
    m = re.fullmatch(r"([\d.]+) \(([\d.]+)\.\.([\d.]+)\)", cells[4])
    for i, key in enumerate(("median", "min", "max"), 1):
        same(f"report makespan {key}", float(m[i]), s["parallel_ms"][key], 0, 6e-3)
    same("report sequential", float(cells[3]), s["sequential_ms"]["median"], 0, 6e-3)
    same("report speedup", float(cells[7].rstrip("x")), s["speedup"], 0, 6e-3)
    if flag != ("faster than perfect scaling in 1 of 1 run" in cells[11]):
        bad.append(f"report's note '{cells[11]}' and faster_than_ideal ({flag}) differ")
print(f"makespan {s['parallel_ms']['median']} ms, ideal {s['ideal_ms']} ms, ratio "
      f"{s['ideal_ratio']}, noise {s['noise']}, faster_than_ideal {flag}")
if bad:
    sys.exit("\n".join(bad))
PY

# The report reads each run's verdict from its run context: flipped there, the note follows.
/usr/bin/python3 - run.json <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["summary"]["faster_than_ideal"] = not c["summary"]["faster_than_ideal"]
json.dump(c, open(sys.argv[1], "w"))
PY
/usr/bin/python3 "$SHMCOUNT_SOURCE_DIR/scripts/plots.py" --results run.csv --out flipped \
  >plots.out 2>&1
if grep -q '"faster_than_ideal": true' run.json; then
  check "flipped to true: the report notes it" grep -q "faster than perfect scaling in 1 of 1 run" \
    flipped/REPORT.md
else
  check "flipped to false: the report has no note" \
    bash -c '! grep -q "faster than perfect scaling" flipped/REPORT.md'
fi
finish

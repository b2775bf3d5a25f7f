"""Latency maps written by the tests themselves, on machines and with latencies they choose, in
the files' real form.

Every map is a copy of a real one (tests/data/latency-run: `mpirun -np 2 shmcount --latency
--samples 60 --round-trips 200` on the 2-vCPU VM): its run context's keys and provenance, its
CSV columns. The PUs, pairs, samples and findings are replaced, and each pair's figures are
recomputed from the samples written, so the loader's checks hold.
"""

import copy as copying
import csv
import json
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SOURCE, "scripts"))

from analysis import manifest as schema  # noqa: E402

FIXTURE = os.path.join(SOURCE, "tests", "data", "latency-run", "map")
LABELS = {"smt": "SMT siblings", "l2": "same L2", "l3": "same L3", "numa": "same NUMA node",
          "package": "same package", "other": "other package"}


def template():
    """The real map's run context and CSV rows."""
    with open(FIXTURE + ".json") as f:
        context = json.load(f)
    with open(FIXTURE + ".csv", newline="") as f:
        rows = list(csv.DictReader(f))
    return context, rows


def flat_pus(n):
    """n PUs, each its own core, all under one L3, NUMA node and package (a flat VM)."""
    return [{"logical": i, "os": i, "core": i, "l2": i, "l3": 0, "numa": 0, "package": 0}
            for i in range(n)]


def two_package_pus(cores, threads=2):
    """2 packages (an L3 and a NUMA node each) of `cores` cores with `threads` threads."""
    out = []
    for i in range(2 * cores * threads):
        core = i // threads
        package = core // cores
        out.append({"logical": i, "os": i, "core": core, "l2": core, "l3": package,
                    "numa": package, "package": package})
    return out


def relation(a, b):
    """The deepest level two PUs (run context entries) share, as shmcount names it."""
    for key, name in (("core", "smt"), ("l2", "l2"), ("l3", "l3"), ("numa", "numa"),
                      ("package", "package")):
        if a[key] == b[key]:
            return name
    return "other"


def write_map(path, pus, latency, findings=(), advice="", samples=6, rng=None, wrong=0,
              views=None):
    """A latency map at path (.csv and .json): every pair of `pus`, its samples' one-way latency
    latency(a, b, relation) ns (times a small spread drawn from `rng`), and the findings given
    (dicts with kind, a, b, text). With `wrong`, the map stopped at a broken handoff in the
    first pair: its first `wrong` samples are ok = 0. With `views`, (likwid-topology's
    disagreement, the view the map supports) as latency.structure's views and supports. Returns
    the CSV's path."""
    context, rows = template()
    context = copying.deepcopy(context)
    columns = context["columns"]
    base = rows[0]
    config = context["config"]
    config.update({"samples": samples, "rounds": 1})
    trips = config["round_trips"]
    out_rows, pairs = [], []
    index = 0
    for i, a in enumerate(pus):
        for b in pus[i + 1:]:
            rel = relation(a, b)
            values = []
            for k in range(samples):
                spread = 1 + (rng.normal(0, 0.02) if rng is not None else 0.001 * k)
                one_way = latency(a["logical"], b["logical"], rel) * spread
                time_ns = round(one_way * 2 * trips)
                broken = index == 0 and k < wrong
                if not broken:
                    values.append(time_ns / trips / 2)
                row = dict(base)
                row.update({"pair": str(index), "a_logical": str(a["logical"]),
                            "b_logical": str(b["logical"]), "a_os": str(a["os"]),
                            "b_os": str(b["os"]), "relation": rel, "round": "0",
                            "sample": str(k), "direction": "ab" if k % 2 == 0 else "ba",
                            "time_ns": str(time_ns), "one_way_ns": f"{time_ns / trips / 2:.3f}",
                            "ok": "0" if broken else "1", "placed_ok": "1", "disturbed": "0"})
                out_rows.append(row)
            pairs.append({"pair": index, "a": a["logical"], "b": b["logical"], "a_os": a["os"],
                          "b_os": b["os"], "relation": rel, "samples": len(values),
                          "median_ns": statistics.median(values), "low_ns": min(values),
                          "high_ns": max(values), "min_ns": min(values),
                          "median_ab_ns": statistics.median(values[0::2]),
                          "median_ba_ns": statistics.median(values[1::2])})
            index += 1
    relations = []
    for rel in LABELS:
        members = [p for p in pairs if p["relation"] == rel]
        if members:
            medians = [p["median_ns"] for p in members]
            relations.append({"relation": rel, "label": LABELS[rel], "pairs": len(members),
                              "median_ns": statistics.median(medians), "low_ns": min(medians),
                              "high_ns": max(medians),
                              "min_ns": min(p["min_ns"] for p in members)})
    context["pus"] = pus
    context["nodes"][0]["pus"] = len(pus)
    latency_block = context["latency"]
    latency_block["pairs"] = pairs
    latency_block["relations"] = relations
    latency_block["not_measured"] = []
    latency_block["structure"].update({"findings": list(findings), "advice": advice,
                                       "levels": []})
    if views:
        latency_block["structure"].update({"views": views[0], "supports": views[1]})
    context["summary"].update({"samples": len(out_rows), "wrong": wrong, "visits": len(pairs),
                               "disturbed_visits": 0,
                               "failure": "pair 0:1, round 0: a broken handoff" if wrong else ""})
    context["csv"] = os.path.basename(path)
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(out_rows)
    with open(path[:-4] + ".json", "w") as f:
        json.dump(context, f, indent=1)
    return path


def write_set(folder, maps, points=None):
    """A result set of latency maps: `maps` is a list of functions, each writing one run's map
    at the path it is given (write_map with its arguments bound), round after round of one point
    (or of the point named for each in `points`). Returns the folder."""
    manifest, rounds = [], {}
    for k, write in enumerate(maps):
        point = points[k] if points else "latency"
        rounds[point] = rounds.get(point, 0) + 1
        rel = f"points/{point}/r{rounds[point]}.csv"
        os.makedirs(os.path.join(folder, "points", point), exist_ok=True)
        write(os.path.join(folder, rel))
        manifest.append({"round": rounds[point], "order": k + 1, "point": point, "ranks": 2,
                         "copy": "1", "reference": "no", "status": "done", "csv": rel})
    schema.write_table(os.path.join(folder, schema.MANIFEST), schema.manifest_header([]),
                       manifest)
    return folder

#!/usr/bin/python3
"""The NUMA tier's checks, run inside the multi-NUMA guest (scripts/numa_vm.py).

Each check runs a real job, then holds shmcount's own account of where the pages and ranks
were (the CSV, the JSON run context, the summary) against the kernel's, read independently:
the observer kernel's /proc/self/numa_maps line and CPU (tests/numa/observer.c), move_pages
from outside the process is not possible after the job, so numa_maps stands for it; sysfs for
which NUMA node and package each CPU is on. Usage: numa_checks.py SUITE (memory, tiers,
placement, likwid). Environment: SHMCOUNT (the binary), MPIEXEC (mpirun or mpiexec.mpich), OBSERVER
(the observer plugin). Exit 0 when every check held, 1 otherwise; each failure is one line.
"""

import csv
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

SHMCOUNT = os.environ.get("SHMCOUNT", "shmcount")
MPIEXEC = os.environ.get("MPIEXEC", "mpirun")
OBSERVER = os.environ["OBSERVER"]
SMALL = ["--values", "4", "--reps", "1", "--warmup", "0", "--no-baseline"]

failures = []
checks = 0


def check(ok, what):
    global checks
    checks += 1
    if not ok:
        failures.append(what)
        print(f"FAIL: {what}", flush=True)


def read_int_list(path):
    out = []
    with open(path) as f:
        for part in f.read().strip().split(","):
            if part:
                lo, _, hi = part.partition("-")
                out.extend(range(int(lo), int(hi or lo) + 1))
    return out


def cpu_nodes():
    """OS CPU -> OS NUMA node, from sysfs."""
    where = {}
    for node in glob.glob("/sys/devices/system/node/node[0-9]*"):
        n = int(node.rsplit("node", 1)[1])
        for cpu in read_int_list(f"{node}/cpulist"):
            where[cpu] = n
    return where


def cpu_package(cpu):
    with open(f"/sys/devices/system/cpu/cpu{cpu}/topology/physical_package_id") as f:
        return int(f.read())


def cpu_core(cpu):
    return (cpu_package(cpu),
            int(open(f"/sys/devices/system/cpu/cpu{cpu}/topology/core_id").read()))


def logical_of_os_nodes():
    """OS NUMA node -> hwloc logical index, as shmcount --domains prints it."""
    text = subprocess.run([SHMCOUNT, "--domains"], capture_output=True, text=True).stdout
    mapping = {}
    for logical, os_index in re.findall(r"NUMA (\d+)\((\d+)\)", text):
        mapping[int(os_index)] = int(logical)
    if not mapping:  # One node: --domains lists no memory line.
        mapping[0] = 0
    return mapping


def job(name, ranks, args, expect_status=0):
    """Run shmcount on `ranks` ranks with the observer kernel; the rows, JSON, summary, ranks."""
    observe = tempfile.mkdtemp(prefix=f"observe-{name}-")
    env = dict(os.environ, NUMA_OBSERVE_DIR=observe)
    csv_path = f"out/{name}.csv"
    size = [] if "--size" in args else ["--size", "1048576"]
    command = [MPIEXEC, "-np", str(ranks), SHMCOUNT, "--kernel", f"plugin:{OBSERVER}", *SMALL,
               *size, "--output", csv_path, *args]
    p = subprocess.run(command, capture_output=True, text=True, env=env)
    with open(f"out/{name}.err", "w") as f:
        f.write(" ".join(command) + "\n" + p.stdout + p.stderr)
    check(p.returncode == expect_status,
          f"{name}: exit {p.returncode}, expected {expect_status} (out/{name}.err)")
    result = {"stdout": p.stdout, "stderr": p.stderr, "status": p.returncode, "rows": {},
              "observed": {}}
    if p.returncode == 0 and os.path.exists(csv_path):
        with open(csv_path) as f:
            for row in csv.DictReader(f):
                if row["phase"] == "parallel":
                    result["rows"].setdefault(int(row["rank"]), row)
        with open(csv_path[:-4] + ".json") as f:
            result["json"] = json.load(f)
        hypervisor = result["json"]["nodes"][0]["noise"]["hypervisor"]
        check(hypervisor.startswith("emulated (QEMU TCG"),
              f"{name}: the run context's hypervisor says '{hypervisor}', not emulated")
        for path in glob.glob(f"{observe}/rank.*"):
            rank = int(path.rsplit(".", 1)[1])
            info = {}
            with open(path) as f:
                for line in f:
                    key, _, value = line.partition(" ")
                    info[key] = value.strip()
            result["observed"][rank] = info
    shutil.rmtree(observe, ignore_errors=True)
    return result


def pages_by_node(text):
    """'0:195 1:0' -> {0: 195, 1: 0}."""
    return {int(k): int(v) for k, v in (p.split(":") for p in text.split())}


def numa_maps_by_os_node(line):
    return {int(n): int(c) for n, c in re.findall(r"\bN(\d+)=(\d+)", line)}


def consistent(name, r, logical_of):
    """The CSV, the observer, the JSON and the summary agree on where pages and ranks were;
    returns {rank: (os cpu, logical node of cpu, pages by logical node)}."""
    nodes = cpu_nodes()
    placed = {}
    for rank, row in sorted(r["rows"].items()):
        seen = r["observed"].get(rank)
        check(seen is not None, f"{name}: rank {rank}: the observer kernel wrote nothing")
        if seen is None:
            continue
        cpu = int(row["pu_os"])
        check(int(seen["cpu"]) == cpu,
              f"{name}: rank {rank}: CSV pu_os {cpu}, the kernel says CPU {seen['cpu']}")
        check(logical_of.get(nodes[cpu], -1) == int(row["numa"]),
              f"{name}: rank {rank}: CSV numa {row['numa']}, sysfs puts CPU {cpu} on OS node "
              f"{nodes[cpu]}")
        mine = pages_by_node(row["array_numa_pages"])
        kernel = {logical_of[n]: c for n, c in numa_maps_by_os_node(seen["numa_maps"]).items()}
        huge = "kernelpagesize_kB=2048" in seen["numa_maps"]
        scale = 512 if huge else 1
        # The window's mapping holds the MPI library's pages beside the array: up to 2 more.
        slack = 2 if "osc_" in seen["numa_maps"] or "/dev/shm/mpich" in seen["numa_maps"] else 0
        for node in set(mine) | set(kernel):
            check(0 <= kernel.get(node, 0) * scale - mine.get(node, 0) <= slack * scale,
                  f"{name}: rank {rank}: CSV has {mine.get(node, 0)} pages on NUMA {node}, "
                  f"numa_maps {kernel.get(node, 0)} x {scale} ({seen['numa_maps'][:120]})")
        total = sum(mine.values())
        local = 100.0 * mine.get(int(row["numa"]), 0) / total if total else 0.0
        check(abs(float(row["array_local_pct"]) - local) < 0.06,
              f"{name}: rank {rank}: array_local_pct {row['array_local_pct']}, pages say "
              f"{local:.1f}")
        placed[rank] = (cpu, int(row["numa"]), mine)
    if "json" not in r:
        return placed
    memory = r["json"]["nodes"][0]["memory"]
    for key in ("array_numa_pages", "array_local_pct"):
        check(memory[key] in r["stdout"],
              f"{name}: JSON {key} '{memory[key]}' is not in the summary")
    if placed:
        lows = [100.0 * p[2].get(p[1], 0) / max(1, sum(p[2].values())) for p in placed.values()]
        want = f"{min(lows):.1f}% to {max(lows):.1f}%"
        check(want in memory["array_local_pct"],
              f"{name}: JSON locality '{memory['array_local_pct']}', the CSV says {want}")
    return placed


def share_of(pages, node):
    total = sum(pages.values())
    return pages.get(node, 0) / total if total else 0.0


def memory_suite():
    logical_of = logical_of_os_nodes()
    nodes = sorted(logical_of.values())
    spread = ["--pin", "scatter"]
    for node in nodes:
        r = job(f"bind{node}", 2, spread + ["--mempolicy", f"bind:{node}"])
        for rank, (_, _, pages) in consistent(f"bind:{node}", r, logical_of).items():
            check(share_of(pages, node) == 1.0, f"bind:{node}: rank {rank} pages {pages}")
    everything = ",".join(map(str, nodes))
    r = job("bind-list", 2, spread + ["--mempolicy", f"bind:{everything}"])
    for rank, (_, _, pages) in consistent("bind:LIST", r, logical_of).items():
        check(sum(pages.get(n, 0) for n in nodes) == sum(pages.values()),
              f"bind:{everything}: rank {rank} pages {pages}")
    for policy in ("interleave", f"interleave:{everything}"):
        r = job(policy.replace(":", "-"), 2, spread + ["--mempolicy", policy])
        for rank, (_, _, pages) in consistent(policy, r, logical_of).items():
            counts = [pages.get(n, 0) for n in nodes]
            check(max(counts) - min(counts) <= 1, f"{policy}: rank {rank} pages {pages}")
    r = job("interleave-one", 2, spread + ["--mempolicy", f"interleave:{nodes[-1]}"])
    for rank, (_, _, pages) in consistent("interleave:one", r, logical_of).items():
        check(share_of(pages, nodes[-1]) == 1.0, f"interleave:{nodes[-1]}: rank {rank} {pages}")

    for share in ("sysv", "posix", "window"):
        r = job(f"{share}-leader", 2, spread + ["--share", share, "--touch", "leader"])
        placed = consistent(f"{share} --touch leader", r, logical_of)
        if 0 in placed:
            leader_node = placed[0][1]
            for rank, (_, _, pages) in placed.items():
                check(share_of(pages, leader_node) == 1.0,
                      f"{share} --touch leader: rank {rank} pages {pages}, leader on NUMA "
                      f"{leader_node}")
        r = job(f"{share}-ranks", 2, spread + ["--share", share, "--touch", "ranks"])
        placed = consistent(f"{share} --touch ranks", r, logical_of)
        for rank, (_, node, pages) in placed.items():
            # Each rank wrote its own half first: half the pages on each rank's node.
            check(abs(share_of(pages, node) - 0.5) < 0.02,
                  f"{share} --touch ranks: rank {rank} on NUMA {node}, pages {pages}")
    r = job("private", 2, spread + ["--share", "private"])
    for rank, (_, node, pages) in consistent("private", r, logical_of).items():
        check(share_of(pages, node) == 1.0, f"private: rank {rank} on NUMA {node} pages {pages}")

    huge = ["--pages", "huge", "--size", "4194304"]
    r = job("huge-bind", 2, spread + huge + ["--mempolicy", f"bind:{nodes[-1]}"])
    placed = consistent("huge bind", r, logical_of)
    for rank, (_, _, pages) in placed.items():
        check(share_of(pages, nodes[-1]) == 1.0, f"huge bind: rank {rank} pages {pages}")
    r = job("huge-ranks", 2, spread + huge + ["--touch", "ranks"])
    for rank, (_, node, pages) in consistent("huge --touch ranks", r, logical_of).items():
        check(abs(share_of(pages, node) - 0.5) < 0.02, f"huge ranks: rank {rank} pages {pages}")
    for rank, row in r["rows"].items():
        check(row["page_size"] == str(2 << 20), f"huge: rank {rank} page_size {row['page_size']}")


def nothing_left(name):
    ipcs = subprocess.run(["ipcs", "-m"], capture_output=True, text=True).stdout
    check(not re.search(r"^0x", ipcs, re.M), f"{name}: a System V segment is left: {ipcs}")
    check(not os.listdir("/dev/shm"), f"{name}: /dev/shm holds {os.listdir('/dev/shm')}")


def refused(name, args, pattern, ranks=2):
    r = job(name, ranks, args, expect_status=2)
    lines = [l for l in r["stderr"].splitlines() if l.startswith("shmcount:")]
    check(lines and re.search(pattern, lines[0]),
          f"{name}: message {lines[:1]} does not match '{pattern}'")
    check(not os.path.exists(f"out/{name}.csv"), f"{name}: a refused run left out/{name}.csv")
    nothing_left(name)


def tiers_suite():
    logical_of = logical_of_os_nodes()
    # memory-tiers: OS node 0 CPUs + memory, OS 1 CPUs only, OS 2 memory only.
    memoryless, memory_only = logical_of[1], logical_of[2]
    refused("bind-memoryless", ["--mempolicy", f"bind:{memoryless}"],
            rf"NUMA node {memoryless} \(OS 1\) has no memory.*may be used here: ")
    refused("interleave-memoryless", ["--mempolicy", f"interleave:0,{memoryless}"],
            rf"NUMA node {memoryless} \(OS 1\) has no memory")
    r = job("bind-memory-only", 4, ["--pin", "scatter", "--mempolicy", f"bind:{memory_only}"])
    for rank, (_, node, pages) in consistent("bind memory-only", r, logical_of).items():
        check(share_of(pages, memory_only) == 1.0, f"bind memory-only: rank {rank} {pages}")
    r = job("interleave-tiers", 2, ["--mempolicy", "interleave"])
    for rank, (_, _, pages) in consistent("interleave tiers", r, logical_of).items():
        check(abs(share_of(pages, 0) - 0.5) < 0.01 and pages.get(memoryless, 0) == 0,
              f"interleave tiers: rank {rank} {pages}")
    check("left out: NUMA node" in r["json"]["nodes"][0]["memory"]["policy"] if "json" in r
          else False, "interleave tiers: the policy does not say which node it left out")
    r = job("default-memoryless", 4, ["--pin", "scatter", "--touch", "ranks"])
    for rank, (_, node, pages) in consistent("memoryless ranks", r, logical_of).items():
        if node == memoryless:
            check(share_of(pages, memoryless) == 0.0, f"memoryless: rank {rank} {pages}")
    # A cgroup whose cpuset.mems is node 0 only: bind to another node is refused before the run.
    cg = "/sys/fs/cgroup/numa-tier"
    with open("/sys/fs/cgroup/cgroup.subtree_control", "w") as f:
        f.write("+cpuset")
    os.makedirs(cg, exist_ok=True)
    with open(f"{cg}/cpuset.mems", "w") as f:
        f.write("0")
    with open(f"{cg}/cgroup.procs", "w") as f:
        f.write(str(os.getpid()))
    refused("bind-outside-mems", ["--mempolicy", f"bind:{memory_only}"],
            rf"NUMA node {memory_only} \(OS 2\) is outside this process's cpuset.mems")
    r = job("interleave-restricted", 2, ["--mempolicy", "interleave"])
    for rank, (_, _, pages) in consistent("interleave restricted", r, logical_of).items():
        check(share_of(pages, 0) == 1.0, f"interleave restricted: rank {rank} {pages}")


def placement_suite():
    logical_of = logical_of_os_nodes()
    nodes = cpu_nodes()
    expect = {
        # strategy: (ranks, what must hold of the OS CPUs the ranks ran on)
        "core": (4, lambda cpus: len({cpu_core(c) for c in cpus}) == 4),
        "compact": (2, lambda cpus: len({cpu_core(c) for c in cpus}) == 1),
        "scatter": (4, lambda cpus: len({nodes[c] for c in cpus}) == 4
                    and [cpu_package(c) for c in cpus[:2]] in ([0, 1], [1, 0])),
        "list:numa:3,2,1,0": (4, lambda cpus: [logical_of[nodes[c]] for c in cpus] == [3, 2, 1, 0]),
        "list:package:1,0": (2, lambda cpus: [cpu_package(c) for c in cpus] == [1, 0]),
    }
    for strategy, (ranks, holds) in expect.items():
        name = strategy.replace(":", "-").replace(",", "")
        r = job(name, ranks, ["--pin", strategy])
        placed = consistent(strategy, r, logical_of)
        cpus = [placed[k][0] for k in sorted(placed)]
        check(len(cpus) == ranks and holds(cpus), f"--pin {strategy}: ranks ran on CPUs {cpus}")
        for rank, seen in r["observed"].items():
            check(seen["affinity"].split() == [str(placed[rank][0])] if rank in placed else False,
                  f"--pin {strategy}: rank {rank} affinity {seen['affinity']}")
    r = job("none", 2, ["--pin", "none"])
    for rank, seen in r["observed"].items():
        check(len(seen["affinity"].split()) == len(nodes),
              f"--pin none: rank {rank} affinity {seen['affinity']}")
    # The latency map's relations against sysfs: same core smt, other package "other".
    lat = "out/latency.csv"
    p = subprocess.run([MPIEXEC, "-np", "2", SHMCOUNT, "--latency", "--pairs", "cores",
                        "--samples", "2", "--round-trips", "4", "--rounds", "1", "--output", lat],
                       capture_output=True, text=True)
    check(p.returncode == 0, f"latency: exit {p.returncode}: {p.stderr[-300:]}")
    if p.returncode == 0:
        with open(lat) as f:
            pairs = {(int(r["a_os"]), int(r["b_os"])): r["relation"] for r in csv.DictReader(f)}
        check(len(pairs) >= 4, f"latency: only {len(pairs)} pairs")
        for (a, b), relation in pairs.items():
            if cpu_core(a) == cpu_core(b):
                want = {"smt"}
            elif cpu_package(a) != cpu_package(b):
                want = {"other"}
            elif nodes[a] == nodes[b]:
                want = {"l2", "l3", "numa"}
            else:
                want = {"l3", "package"}
            check(relation in want, f"latency: pair {a}-{b} relation {relation}, sysfs says {want}")


# --pin likwid:EXPR against likwid-pin itself in the guest. likwid-pin sorts a domain's raw list
# (likwid-pin -p) by each hardware thread's index in its core (likwid's Thread column) for the
# index and scatter forms; shmcount sorts by hwloc's (sysfs). A small model of likwid's rules
# (src/cpustring.c) fed likwid's own thread indices must give likwid-pin's lists, so the model is
# likwid's; fed sysfs's it must give shmcount's, read back from --plan and from real runs. Where
# the two numberings agree the lists are the same; the raw-order forms (E:, bare domains,
# balanced) must match likwid-pin exactly either way.
LIKWID_RAW = ["S0", "M1", "E:S0", "E:N:4:1:2", "E:N:4:1:2:1", "E:S1:2", "E:N:8:2:4",
              "E:N:4:2:4:2", "E:M2:2", "M:balanced:6", "S:balanced:4", "E:N:2@E:S1:2"]
LIKWID_SORTED = ["N:0-7", "N:0-3", "S0:0-3", "S1:0-1", "M1:0-1", "M2:1", "C1:0-1", "D1:0-3",
                 "L:N:0,2", "S0:0-1@S1:0-1", "N:3-0", "M0:0@M3:1", "S:scatter", "M:scatter",
                 "M:scatter:4", "C:scatter:2", "S1:scatter", "N:scatter"]
LIKWID_RUN = ["S0:0-3", "E:N:4:1:2:1", "M:scatter:4", "S:balanced:4"]


def likwid_pin(expr):
    p = subprocess.run(["likwid-pin", "-c", expr, "-p"], capture_output=True, text=True)
    return [int(c) for c in p.stdout.strip().split(",")] if p.returncode == 0 else None


def likwid_domains():
    """likwid-pin -p: {tag: raw list}, in its order."""
    text = subprocess.run(["likwid-pin", "-p"], capture_output=True, text=True).stdout
    return {tag: [int(c) for c in cpus.split(",")]
            for tag, cpus in re.findall(r"Domain (\w+):\s*\n\s*([\d,]+)", text)}


def likwid_threads():
    """likwid-topology's Thread column: {OS CPU: index of the thread in its core}."""
    text = subprocess.run(["likwid-topology"], capture_output=True, text=True).stdout
    return {int(a): int(b) for a, b in re.findall(r"^(\d+)\s+(\d+)\s+\d+\s+\d+", text, re.M)}


def sysfs_threads():
    """Each CPU's index among its core's siblings (sysfs), as hwloc numbers them."""
    out = {}
    for cpu in cpu_nodes():
        siblings = read_int_list(
            f"/sys/devices/system/cpu/cpu{cpu}/topology/thread_siblings_list")
        out[cpu] = sorted(siblings).index(cpu)
    return out


def model(expr, domains, thread):
    """likwid-pin's list for a sorted-order form, given each CPU's thread index."""
    def ordered(raw):
        return [c for k in range(max(thread.values()) + 1) for c in raw if thread[c] == k]
    out = []
    for term in expr.split("@"):
        parts = term.split(":")
        if parts[0] == "L":
            parts = parts[1:]
        if len(parts) >= 2 and parts[1] == "scatter":
            lists = [ordered(raw) for tag, raw in domains.items() if tag.startswith(parts[0])]
            want = int(parts[2]) if len(parts) == 3 else len(thread)
            picked = [d[k] for k in range(max(map(len, lists))) for d in lists if k < len(d)]
            out += picked[:want]
            continue
        raw = domains[parts[0]]
        for item in parts[1].split(","):
            a, _, b = item.partition("-")
            a, b = int(a), int(b or a)
            for i in (range(a, b + 1) if a <= b else range(a, b - 1, -1)):
                out.append(ordered(raw)[i])
    return out


def planned(expr, ranks):
    p = subprocess.run([SHMCOUNT, "--plan", "--ranks", str(ranks), "--pin", f"likwid:{expr}",
                        "--format", "csv"], capture_output=True, text=True)
    check(p.returncode == 0, f"--plan --pin likwid:{expr}: exit {p.returncode}: {p.stderr[-300:]}")
    return [int(r["pu_os"]) for r in csv.DictReader(p.stdout.splitlines())]


def likwid_suite():
    domains = likwid_domains()
    check(len(domains) > 4, f"likwid-pin -p lists domains {sorted(domains)}")
    lk, hw = likwid_threads(), sysfs_threads()
    check(set(lk) == set(hw), f"likwid-topology lists CPUs {sorted(lk)}, sysfs {sorted(hw)}")
    differ = sorted(c for c in hw if lk.get(c) != hw[c])
    print(f"likwid: thread numbering differs from sysfs on CPUs {differ or 'none'}", flush=True)
    # shmcount --domains says so, one line, when they differ.
    text = subprocess.run([SHMCOUNT, "--domains"], capture_output=True, text=True).stdout
    said = "likwid-topology disagrees with hwloc: SMT numbering" in text
    check(said == bool(differ), f"--domains names the SMT numbering: {said}, differs: {differ}")
    # likwid's C<i> (last-level cache) domains from its cpuid reading, shmcount's from hwloc's
    # L3s (--domains: "L3 0: 0(0) 1(1) ..."): the same where they agree, and said where not.
    l3 = {f"C{i}": [int(c) for c in re.findall(r"\((\d+)\)", pus)]
          for i, pus in re.findall(r"^L3 (\d+): (.*)$", text, re.M)}
    likwid_c = {tag: raw for tag, raw in domains.items() if tag.startswith("C")}
    said = "likwid-topology disagrees with hwloc: last-level cache" in text
    check(said == (len(l3) != len(likwid_c)),
          f"--domains names the last-level cache groups: {said}; likwid {likwid_c}, hwloc {l3}")
    print(f"likwid: C domains {likwid_c}, hwloc's L3s {l3}", flush=True)
    hw_domains = {tag: raw for tag, raw in domains.items() if not tag.startswith("C")}
    hw_domains.update(l3)
    for expr in LIKWID_RAW:
        want = likwid_pin(expr)
        check(want is not None, f"likwid-pin refuses -c {expr}")
        if want:
            got = planned(expr, len(want))
            check(got == want, f"--pin likwid:{expr} plans {got}, likwid-pin -c {expr} -p {want}")
    for expr in LIKWID_SORTED:
        want = likwid_pin(expr)
        check(want is not None, f"likwid-pin refuses -c {expr}")
        if not want:
            continue
        check(model(expr, domains, lk) == want,
              f"the model of likwid-pin gives {model(expr, domains, lk)} for {expr}, "
              f"likwid-pin {want}")
        got = planned(expr, len(want))
        ours = model(expr, hw_domains, hw)
        check(got == ours, f"--pin likwid:{expr} plans {got}, likwid's rules with hwloc's SMT "
              f"numbering and L3s give {ours} (likwid-pin: {want})")
        if not differ and len(l3) == len(likwid_c):
            check(got == want, f"--pin likwid:{expr} plans {got}, likwid-pin {want}")
    logical_of = logical_of_os_nodes()
    for expr in LIKWID_RUN:
        ranks = len(likwid_pin(expr) or [])
        if not ranks:
            continue
        want = planned(expr, ranks)
        name = "likwid-" + re.sub(r"[^A-Za-z0-9]", "-", expr)
        r = job(name, ranks, ["--pin", f"likwid:{expr}"])
        placed = consistent(name, r, logical_of)
        got = [placed[k][0] for k in sorted(placed)]
        check(got == want, f"mpirun -np {ranks} --pin likwid:{expr}: ranks ran on {got}, "
              f"planned {want}")
        for rank, seen in r["observed"].items():
            check(rank in placed and seen["affinity"].split() == [str(placed[rank][0])],
                  f"--pin likwid:{expr}: rank {rank} affinity {seen['affinity']}")


SUITES = {"memory": memory_suite, "tiers": tiers_suite, "placement": placement_suite,
          "likwid": likwid_suite}


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in SUITES:
        print(f"usage: numa_checks.py {'|'.join(SUITES)}", file=sys.stderr)
        return 2
    os.makedirs("out", exist_ok=True)
    SUITES[sys.argv[1]]()
    nothing_left(sys.argv[1])
    print(f"numa {sys.argv[1]}: {checks - len(failures)} of {checks} checks held", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

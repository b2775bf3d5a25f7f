"""Guest topologies: presets by name, or a spec of packages, cores, threads and NUMA nodes.

A spec is space-separated key=value fields:
  packages=P cores=C threads=T    CPUs per package and SMT threads per core (default 2 2 1)
  nodes=N                         NUMA nodes (default: one per package)
  cpus=0-1/2-3/                   each node's CPUs, '/'-separated; empty = a memory-only node
                                  (default: the CPUs split evenly over the nodes)
  mem=384/0/256                   each node's memory in MiB; 0 = a node with CPUs and no memory
                                  (default: 384 MiB each)
  distances=10,20/20,10           the distance matrix, rows '/'-separated (default: 10 on the
                                  diagonal, 20 elsewhere)
"""

from dataclasses import dataclass, field

class TopologyError(ValueError):
    """A topology spec or preset name that is wrong: the message says what is allowed."""


@dataclass
class Node:
    cpus: list  # guest CPU numbers
    mem_mib: int


@dataclass
class Topology:
    name: str
    packages: int
    cores: int
    threads: int
    nodes: list = field(default_factory=list)
    distances: list = field(default_factory=list)  # rows of ints
    description: str = ""

    @property
    def cpus(self):
        return self.packages * self.cores * self.threads

    def summary(self):
        parts = []
        for i, node in enumerate(self.nodes):
            cpus = "CPUs " + _ranges(node.cpus) if node.cpus else "no CPUs"
            mem = f"{node.mem_mib} MiB" if node.mem_mib else "no memory"
            parts.append(f"node {i}: {cpus}, {mem}")
        return (f"{self.packages} package(s) x {self.cores} core(s) x {self.threads} thread(s), "
                f"{len(self.nodes)} NUMA node(s) ({'; '.join(parts)})")


PRESETS = {
    "two-packages": ("packages=2 cores=2 threads=1 nodes=2 distances=10,20/20,10",
                     "2 packages x 2 cores, one NUMA node each (distance 20)"),
    "four-nodes-smt": ("packages=2 cores=2 threads=2 nodes=4 "
                       "distances=10,16,28,28/16,10,28,28/28,28,10,16/28,28,16,10",
                       "2 packages x 2 cores x 2 threads, a NUMA node per core, asymmetric "
                       "distances (16 inside a package, 28 across)"),
    "memory-tiers": ("packages=2 cores=2 threads=1 nodes=3 cpus=0-1/2-3/ mem=384/0/256 "
                     "distances=10,20,17/20,10,28/17,28,10",
                     "2 packages x 2 cores: node 0 CPUs and memory, node 1 CPUs without memory, "
                     "node 2 memory without CPUs (a CXL-like tier)"),
    "one-node": ("packages=1 cores=2 threads=1 nodes=1", "1 package x 2 cores, one NUMA node"),
}

_KEYS = ("packages", "cores", "threads", "nodes", "cpus", "mem", "distances")


def _ranges(cpus):
    out, i = [], 0
    while i < len(cpus):
        j = i
        while j + 1 < len(cpus) and cpus[j + 1] == cpus[j] + 1:
            j += 1
        out.append(str(cpus[i]) if i == j else f"{cpus[i]}-{cpus[j]}")
        i = j + 1
    return ",".join(out)


def _int(key, text, low, high):
    try:
        value = int(text)
    except ValueError:
        raise TopologyError(f"{key}={text}: not a whole number") from None
    if not low <= value <= high:
        raise TopologyError(f"{key}={value}: allowed {low} to {high}")
    return value


def _cpu_list(text, limit):
    cpus = []
    for part in filter(None, text.split(",")):
        lo, _, hi = part.partition("-")
        a = _int("cpus", lo, 0, limit - 1)
        b = _int("cpus", hi, a, limit - 1) if hi else a
        cpus.extend(range(a, b + 1))
    return cpus


def parse(spec, name="custom"):
    """A Topology from a spec string (see the module's text); TopologyError if it is wrong."""
    fields = {}
    for item in spec.split():
        key, sep, value = item.partition("=")
        if not sep or key not in _KEYS:
            raise TopologyError(f"'{item}': expected key=value with a key of {', '.join(_KEYS)}")
        if key in fields:
            raise TopologyError(f"'{key}' given twice")
        fields[key] = value
    packages = _int("packages", fields.get("packages", "2"), 1, 8)
    cores = _int("cores", fields.get("cores", "2"), 1, 16)
    threads = _int("threads", fields.get("threads", "1"), 1, 4)
    ncpus = packages * cores * threads
    if ncpus > 16:
        raise TopologyError(f"{ncpus} CPUs: at most 16 (an emulated CPU is slow)")
    nnodes = _int("nodes", fields.get("nodes", str(packages)), 1, 8)

    if "cpus" in fields:
        lists = fields["cpus"].split("/")
        if len(lists) != nnodes:
            raise TopologyError(f"cpus={fields['cpus']}: {len(lists)} node(s) for nodes={nnodes}")
        node_cpus = [_cpu_list(text, ncpus) for text in lists]
    else:
        if ncpus % nnodes:
            raise TopologyError(f"{ncpus} CPUs do not split evenly over {nnodes} nodes: give cpus=")
        per = ncpus // nnodes
        node_cpus = [list(range(i * per, (i + 1) * per)) for i in range(nnodes)]
    every = sorted(c for cpus in node_cpus for c in cpus)
    if every != list(range(ncpus)):
        raise TopologyError(f"cpus=: every CPU 0-{ncpus - 1} must be on exactly one node")

    if "mem" in fields:
        sizes = fields["mem"].split("/")
        if len(sizes) != nnodes:
            raise TopologyError(f"mem={fields['mem']}: {len(sizes)} size(s) for nodes={nnodes}")
        mems = [_int("mem", s, 0, 4096) for s in sizes]
    else:
        mems = [384] * nnodes
    for i, mem in enumerate(mems):
        if 0 < mem < 64:
            raise TopologyError(f"mem: node {i} has {mem} MiB; at least 64 (or 0: no memory)")
        if not mem and not node_cpus[i]:
            raise TopologyError(f"node {i} has neither CPUs nor memory")
    if not mems[0]:
        raise TopologyError("node 0 must have memory (the kernel boots from it)")

    if "distances" in fields:
        rows = fields["distances"].split("/")
        matrix = [[_int("distances", v, 10, 255) for v in row.split(",")] for row in rows]
        if len(matrix) != nnodes or any(len(row) != nnodes for row in matrix):
            raise TopologyError(f"distances: a {nnodes}x{nnodes} matrix, rows separated by '/'")
        for i in range(nnodes):
            if matrix[i][i] != 10:
                raise TopologyError(f"distances: node {i} to itself must be 10")
            for j in range(nnodes):
                if i != j and matrix[i][j] <= 10:
                    raise TopologyError(f"distances: node {i} to {j} must be more than 10")
    else:
        matrix = [[10 if i == j else 20 for j in range(nnodes)] for i in range(nnodes)]
    return Topology(name, packages, cores, threads, [Node(c, m) for c, m in zip(node_cpus, mems)],
                    matrix)


def build(name_or_spec):
    """A preset by name, or a spec; TopologyError names the presets when neither fits."""
    if name_or_spec in PRESETS:
        spec, description = PRESETS[name_or_spec]
        topology = parse(spec, name_or_spec)
        topology.description = description
        return topology
    if "=" not in name_or_spec:
        raise TopologyError(f"no topology '{name_or_spec}': use one of "
                            f"{', '.join(PRESETS)} or a spec such as 'packages=2 cores=2 nodes=2'")
    return parse(name_or_spec)


def qemu_args(topology):
    """QEMU's -smp, -m, -object and -numa arguments for the topology."""
    mem_total = sum(n.mem_mib for n in topology.nodes)
    args = ["-smp", f"cpus={topology.cpus},sockets={topology.packages},cores={topology.cores},"
            f"threads={topology.threads}", "-m", f"{mem_total}M"]
    for i, node in enumerate(topology.nodes):
        numa = f"node,nodeid={i}"
        if node.mem_mib:
            args += ["-object", f"memory-backend-ram,id=mem{i},size={node.mem_mib}M"]
            numa += f",memdev=mem{i}"
        for cpu_range in _ranges(node.cpus).split(",") if node.cpus else []:
            numa += f",cpus={cpu_range}"
        args += ["-numa", numa]
    n = len(topology.nodes)
    for i in range(n):
        for j in range(n):
            if i != j:
                args += ["-numa", f"dist,src={i},dst={j},val={topology.distances[i][j]}"]
    return args


__all__ = ["Topology", "TopologyError", "PRESETS", "build", "parse", "qemu_args"]

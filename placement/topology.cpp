#include "topology.hpp"

#include <sched.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <memory>

#include "common/error.hpp"

namespace shmcount {
namespace {

// Owns an hwloc_topology_t until it is loaded and handed to a Topology.
struct TopologyDeleter {
  void operator()(hwloc_topology* t) const { hwloc_topology_destroy(t); }
};
using TopologyPtr = std::unique_ptr<hwloc_topology, TopologyDeleter>;

TopologyPtr make_topology() {
  hwloc_topology_t t = nullptr;
  if (hwloc_topology_init(&t) != 0) throw Error(describe_errno("hwloc_topology_init()", errno));
  return TopologyPtr(t);
}

int logical_of(hwloc_obj_t obj) { return obj ? static_cast<int>(obj->logical_index) : -1; }

std::string plural(int n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

const PuInfo* MachineView::find_logical(int logical) const {
  for (const auto& pu : pus) {
    if (pu.pu_logical == logical) return &pu;
  }
  return nullptr;
}

const PuInfo* MachineView::find_os(int os) const {
  for (const auto& pu : pus) {
    if (pu.pu_os == os) return &pu;
  }
  return nullptr;
}

Topology Topology::this_system() {
  TopologyPtr t = make_topology();
  if (hwloc_topology_load(t.get()) != 0) {
    throw Error(describe_errno("hwloc_topology_load() of this machine", errno));
  }
  return Topology(t.release());
}

Topology Topology::from_spec(const std::string& spec) {
  TopologyPtr t = make_topology();
  struct stat st {};
  const bool is_file = ::stat(spec.c_str(), &st) == 0 && S_ISREG(st.st_mode);
  if (is_file) {
    if (hwloc_topology_set_xml(t.get(), spec.c_str()) != 0) {
      throw UsageError("--topology " + spec + ": not a readable hwloc XML file (make one with " +
                       "'lstopo-no-graphics --of xml FILE')");
    }
  } else if (hwloc_topology_set_synthetic(t.get(), spec.c_str()) != 0) {
    throw UsageError("--topology '" + spec +
                     "': neither a readable file nor a valid hwloc synthetic description "
                     "(e.g. \"pack:2 numa:1 core:8 pu:2\")");
  }
  if (hwloc_topology_load(t.get()) != 0) {
    throw UsageError("--topology " + spec + ": " + describe_errno("hwloc_topology_load()", errno));
  }
  return Topology(t.release());
}

Topology::Topology(Topology&& other) noexcept : topo_(other.topo_) { other.topo_ = nullptr; }

Topology::~Topology() {
  if (topo_) hwloc_topology_destroy(topo_);
}

void Topology::restrict_to_os(const std::vector<int>& os_indices) {
  hwloc_bitmap_t set = hwloc_bitmap_alloc();
  for (int os : os_indices) hwloc_bitmap_set(set, static_cast<unsigned>(os));
  hwloc_bitmap_and(set, set, hwloc_topology_get_topology_cpuset(topo_));
  const bool empty = hwloc_bitmap_iszero(set);
  const int rc = empty ? -1 : hwloc_topology_restrict(topo_, set, 0);
  hwloc_bitmap_free(set);
  if (empty) throw Error("restriction keeps no PU of the topology");
  if (rc != 0) throw Error(describe_errno("hwloc_topology_restrict()", errno));
}

bool Topology::is_this_system() const { return hwloc_topology_is_thissystem(topo_) != 0; }

std::string Topology::differs_from_os() const {
  // The kernel's online CPUs, and the CPUs this process may run on.
  hwloc_bitmap_t online = hwloc_bitmap_alloc();
  std::ifstream in("/sys/devices/system/cpu/online");
  std::string list;
  const bool have_online =
      std::getline(in, list) && hwloc_bitmap_list_sscanf(online, list.c_str()) == 0;
  hwloc_bitmap_t affinity = hwloc_bitmap_alloc();
  cpu_set_t mask;
  CPU_ZERO(&mask);
  if (sched_getaffinity(0, sizeof mask, &mask) == 0) {
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
      if (CPU_ISSET(cpu, &mask)) hwloc_bitmap_set(affinity, static_cast<unsigned>(cpu));
    }
  }
  hwloc_const_cpuset_t described = hwloc_topology_get_topology_cpuset(topo_);
  std::string why;
  char* text = nullptr;
  hwloc_bitmap_list_asprintf(&text, described);
  const std::string described_text = text ? text : "?";
  std::free(text);
  if (have_online && !hwloc_bitmap_isequal(online, described)) {
    why = "hwloc describes PUs " + described_text + " but the kernel reports CPUs " + list +
          " online";
  } else if (!hwloc_bitmap_iszero(affinity) && !hwloc_bitmap_isincluded(affinity, described)) {
    hwloc_bitmap_list_asprintf(&text, affinity);
    why = "this process may run on CPUs " + std::string(text ? text : "?") +
          ", which hwloc's PUs " + described_text + " do not cover";
    std::free(text);
  }
  hwloc_bitmap_free(online);
  hwloc_bitmap_free(affinity);
  return why;
}

MachineView Topology::view() const {
  MachineView v;
  const int npus = hwloc_get_nbobjs_by_type(topo_, HWLOC_OBJ_PU);
  const int nnuma = hwloc_get_nbobjs_by_type(topo_, HWLOC_OBJ_NUMANODE);
  for (int i = 0; i < npus; ++i) {
    hwloc_obj_t pu = hwloc_get_obj_by_type(topo_, HWLOC_OBJ_PU, static_cast<unsigned>(i));
    PuInfo info;
    info.pu_logical = logical_of(pu);
    info.pu_os = static_cast<int>(pu->os_index);
    info.core = logical_of(hwloc_get_ancestor_obj_by_type(topo_, HWLOC_OBJ_CORE, pu));
    info.package = logical_of(hwloc_get_ancestor_obj_by_type(topo_, HWLOC_OBJ_PACKAGE, pu));
    hwloc_obj_t cache = hwloc_get_ancestor_obj_by_type(topo_, HWLOC_OBJ_L3CACHE, pu);
    info.cache = logical_of(cache);
    // NUMA nodes hang beside the CPU tree in hwloc 2: find the one whose cpuset holds the PU.
    for (int n = 0; n < nnuma; ++n) {
      hwloc_obj_t node = hwloc_get_obj_by_type(topo_, HWLOC_OBJ_NUMANODE, static_cast<unsigned>(n));
      if (node->cpuset && hwloc_bitmap_isset(node->cpuset, pu->os_index)) {
        info.numa = logical_of(node);
        break;
      }
    }
    if (info.core < 0) info.core = info.pu_logical;  // No core objects: each PU is its own core.
    for (const auto& earlier : v.pus) info.smt += earlier.core == info.core ? 1 : 0;
    v.pus.push_back(info);
  }
  v.packages = std::max(1, hwloc_get_nbobjs_by_type(topo_, HWLOC_OBJ_PACKAGE));
  v.numa_nodes = std::max(1, nnuma);
  v.cores = hwloc_get_nbobjs_by_type(topo_, HWLOC_OBJ_CORE);
  if (v.cores <= 0) v.cores = npus;
  v.summary = plural(v.packages, "package", "packages") + ", " +
              plural(v.numa_nodes, "NUMA node", "NUMA nodes") + ", " +
              plural(v.cores, "core", "cores") + ", " + plural(npus, "PU", "PUs");
  hwloc_obj_t pkg = hwloc_get_obj_by_type(topo_, HWLOC_OBJ_PACKAGE, 0);
  const char* model = pkg ? hwloc_obj_get_info_by_name(pkg, "CPUModel") : nullptr;
  v.cpu_model = model ? model : "unknown";
  while (!v.cpu_model.empty() && v.cpu_model.back() == ' ') v.cpu_model.pop_back();
  hwloc_obj_t first = hwloc_get_obj_by_type(topo_, HWLOC_OBJ_PU, 0);
  for (hwloc_obj_t o = first ? first->parent : nullptr; o; o = o->parent) {
    if (!hwloc_obj_type_is_dcache(o->type)) continue;
    if (!v.caches.empty()) v.caches += ' ';
    v.caches += "L" + std::to_string(o->attr->cache.depth) +
                (o->attr->cache.type == HWLOC_OBJ_CACHE_DATA ? "d" : "") + ":" +
                std::to_string(o->attr->cache.size);
  }
  return v;
}

}  // namespace shmcount

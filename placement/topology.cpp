#include "topology.hpp"

#include <dirent.h>
#include <limits.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <set>

#include "common/error.hpp"

namespace shmcount {
namespace {

// Owns an hwloc_topology_t until it is loaded and handed to a Topology.
struct TopologyDeleter {
  void operator()(hwloc_topology* t) const { hwloc_topology_destroy(t); }
};
using TopologyPtr = std::unique_ptr<hwloc_topology, TopologyDeleter>;

// A topology that keeps cgroup-disallowed PUs, so a view can say what the machine has.
TopologyPtr make_topology() {
  hwloc_topology_t t = nullptr;
  if (hwloc_topology_init(&t) != 0) throw Error(describe_errno("hwloc_topology_init()", errno));
  TopologyPtr owned(t);
  if (hwloc_topology_set_flags(t, HWLOC_TOPOLOGY_FLAG_INCLUDE_DISALLOWED) != 0) {
    throw Error(describe_errno("hwloc_topology_set_flags(INCLUDE_DISALLOWED)", errno));
  }
  return owned;
}

int logical_of(hwloc_obj_t obj) { return obj ? static_cast<int>(obj->logical_index) : -1; }

std::string plural(int n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

int count_distinct(const std::vector<PuInfo>& pus, int PuInfo::*field) {
  std::set<int> seen;
  for (const auto& pu : pus) {
    if (pu.*field >= 0) seen.insert(pu.*field);
  }
  return static_cast<int>(seen.size());
}

// The levels of Level's comment, with the hwloc depth of each (kNumaDepth for the NUMA level).
constexpr int kNumaDepth = -1;
std::vector<std::pair<Level, int>> planning_levels(hwloc_topology_t t) {
  const int pu_depth = hwloc_get_type_depth(t, HWLOC_OBJ_PU);
  // NUMA nodes count as a level below the highest level they hang from (0: the machine).
  int numa_parent_depth = -1;
  const int nnuma = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_NUMANODE);
  for (int n = 0; n < nnuma; ++n) {
    hwloc_obj_t node = hwloc_get_obj_by_type(t, HWLOC_OBJ_NUMANODE, static_cast<unsigned>(n));
    if (hwloc_bitmap_iszero(node->cpuset)) continue;
    hwloc_obj_t parent = node->parent;
    while (parent && parent->type == HWLOC_OBJ_MEMCACHE) parent = parent->parent;
    const int depth = parent ? parent->depth : 0;
    if (numa_parent_depth < 0 || depth < numa_parent_depth) numa_parent_depth = depth;
  }
  std::vector<std::pair<Level, int>> levels;
  auto add_numa = [&] {
    levels.push_back({Level{"NUMANode", HWLOC_OBJ_NUMANODE, nnuma}, kNumaDepth});
  };
  if (numa_parent_depth == 0) add_numa();
  for (int depth = 1; depth < pu_depth; ++depth) {
    hwloc_obj_t first = hwloc_get_obj_by_depth(t, depth, 0);
    char name[64];
    hwloc_obj_type_snprintf(name, sizeof name, first, 0);
    const int count = static_cast<int>(hwloc_get_nbobjs_by_depth(t, depth));
    levels.push_back({Level{name, first->type, count}, depth});
    if (depth == numa_parent_depth) add_numa();
  }
  return levels;
}

}  // namespace

std::string bitmap_list(hwloc_const_bitmap_t set) {
  char* text = nullptr;
  hwloc_bitmap_list_asprintf(&text, set);
  std::string out = text ? text : "";
  std::free(text);
  return out;
}

CpuSet::CpuSet() : set_(hwloc_bitmap_alloc()) {}

CpuSet CpuSet::parse_list(std::string_view list) {
  CpuSet out;
  const std::string text(list);
  // hwloc also reads "-3" and "3-" (open ranges): only whole lists of digits are taken.
  const bool digits_at_ends = !text.empty() &&
                              std::isdigit(static_cast<unsigned char>(text.front())) &&
                              std::isdigit(static_cast<unsigned char>(text.back()));
  if (!digits_at_ends || text.find_first_not_of("0123456789,-") != std::string::npos ||
      hwloc_bitmap_list_sscanf(out.set_, text.c_str()) != 0 || hwloc_bitmap_weight(out.set_) < 0) {
    throw Error("'" + text.substr(0, 60) +
                "' is not a list of PU OS indices (hwloc list syntax, e.g. 0-3,8)");
  }
  return out;
}

CpuSet::CpuSet(CpuSet&& other) noexcept : set_(other.set_) { other.set_ = nullptr; }

CpuSet& CpuSet::operator=(CpuSet&& other) noexcept {
  if (this != &other) {
    if (set_) hwloc_bitmap_free(set_);
    set_ = other.set_;
    other.set_ = nullptr;
  }
  return *this;
}

CpuSet::~CpuSet() {
  if (set_) hwloc_bitmap_free(set_);
}

std::string CpuSet::list() const { return bitmap_list(set_); }

void CpuSet::unite(hwloc_const_cpuset_t other) { hwloc_bitmap_or(set_, set_, other); }

bool CpuSet::empty() const { return hwloc_bitmap_iszero(set_); }

CpuSet union_of_lists(std::span<const std::string> lists) {
  CpuSet all;
  for (const auto& list : lists) all.unite(CpuSet::parse_list(list).get());
  return all;
}

std::string MachineView::availability() const {
  return "PUs " + usable_list + " (of " + machine_list + ")";
}

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

int MachineView::level_of(hwloc_obj_type_t type) const {
  for (std::size_t i = 0; i < levels.size(); ++i) {
    if (levels[i].type == type) return static_cast<int>(i);
  }
  return -1;
}

Topology Topology::this_system() {
  TopologyPtr t = make_topology();
  if (hwloc_topology_load(t.get()) != 0) {
    throw Error(describe_errno("hwloc_topology_load() of this machine", errno));
  }
  return Topology(t.release());
}

std::vector<std::pair<std::string, std::string>> bundled_topologies() {
  // Installed: <prefix>/share/shmcount/topologies beside <prefix>/bin/shmcount; in a build tree,
  // the source tree's tests/data/topologies.
  std::vector<std::string> folders;
  char exe[PATH_MAX] = {};
  const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    std::string bin(exe, static_cast<std::size_t>(n));
    bin = bin.substr(0, bin.rfind('/'));
    folders.push_back(bin + "/../share/shmcount/topologies");
  }
#ifdef SHMCOUNT_SOURCE_TOPOLOGIES
  folders.push_back(SHMCOUNT_SOURCE_TOPOLOGIES);
#endif
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& folder : folders) {
    DIR* dir = ::opendir(folder.c_str());
    if (!dir) continue;
    while (const dirent* entry = ::readdir(dir)) {
      const std::string name = entry->d_name;
      if (name.size() > 4 && name.compare(name.size() - 4, 4, ".xml") == 0) {
        out.emplace_back(name.substr(0, name.size() - 4), folder + "/" + name);
      }
    }
    ::closedir(dir);
    if (!out.empty()) break;  // The first folder that has them.
  }
  std::sort(out.begin(), out.end());
  return out;
}

Topology Topology::from_spec(const std::string& given) {
  TopologyPtr t = make_topology();
  struct stat st {};
  std::string spec = given;
  bool is_file = ::stat(spec.c_str(), &st) == 0 && S_ISREG(st.st_mode);
  if (!is_file) {
    // A topology shipped with shmcount, by name (with or without .xml).
    const std::string name = spec.size() > 4 && spec.compare(spec.size() - 4, 4, ".xml") == 0
                                 ? spec.substr(0, spec.size() - 4)
                                 : spec;
    for (const auto& [bundled, path] : bundled_topologies()) {
      if (bundled == name) {
        spec = path;
        is_file = true;
      }
    }
  }
  if (is_file) {
    if (hwloc_topology_set_xml(t.get(), spec.c_str()) != 0) {
      throw UsageError("--topology " + spec + ": not a readable hwloc XML file (make one with " +
                       "'lstopo-no-graphics --of xml FILE')");
    }
  } else if (hwloc_topology_set_synthetic(t.get(), spec.c_str()) != 0) {
    throw UsageError("--topology '" + spec +
                     "': neither a readable file, a topology shipped with shmcount (shmcount "
                     "--list topologies), nor a valid hwloc synthetic description (e.g. "
                     "\"pack:2 numa:1 core:8 pu:2\")");
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
  CpuSet set;
  for (int os : os_indices) hwloc_bitmap_set(set.get(), static_cast<unsigned>(os));
  hwloc_bitmap_and(set.get(), set.get(), hwloc_topology_get_topology_cpuset(topo_));
  if (set.empty()) throw Error("restriction keeps no PU of the topology");
  if (hwloc_topology_restrict(topo_, set.get(), 0) != 0) {
    throw Error(describe_errno("hwloc_topology_restrict()", errno));
  }
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
  const std::string described_text = bitmap_list(described);
  // NUMA nodes too: a synthetic machine can copy the PUs and still invent packages and nodes.
  hwloc_bitmap_t nodes_online = hwloc_bitmap_alloc();
  std::ifstream node_file("/sys/devices/system/node/online");
  std::string node_list;
  const bool have_nodes = std::getline(node_file, node_list) &&
                          hwloc_bitmap_list_sscanf(nodes_online, node_list.c_str()) == 0;
  hwloc_const_nodeset_t described_nodes = hwloc_topology_get_topology_nodeset(topo_);
  if (have_online && !hwloc_bitmap_isequal(online, described)) {
    why = "hwloc describes PUs " + described_text + " but the kernel reports CPUs " + list +
          " online";
  } else if (!hwloc_bitmap_iszero(affinity) && !hwloc_bitmap_isincluded(affinity, described)) {
    why = "this process may run on CPUs " + bitmap_list(affinity) + ", which hwloc's PUs " +
          described_text + " do not cover";
  } else if (have_nodes && !hwloc_bitmap_isequal(nodes_online, described_nodes)) {
    why = "hwloc describes NUMA nodes " + bitmap_list(described_nodes) +
          " but the kernel reports nodes " + node_list + " online";
  }
  hwloc_bitmap_free(nodes_online);
  hwloc_bitmap_free(online);
  hwloc_bitmap_free(affinity);
  return why;
}

MachineView Topology::view() const { return view(hwloc_topology_get_allowed_cpuset(topo_)); }

MachineView Topology::view(hwloc_const_cpuset_t available) const {
  CpuSet usable;
  hwloc_bitmap_and(usable.get(), available, hwloc_topology_get_allowed_cpuset(topo_));
  if (usable.empty()) {
    throw UsageError("none of the available PUs (" + bitmap_list(available) +
                     ") is allowed on this machine (allowed: " +
                     bitmap_list(hwloc_topology_get_allowed_cpuset(topo_)) + ")");
  }
  MachineView v;
  const auto levels = planning_levels(topo_);
  for (const auto& level : levels) v.levels.push_back(level.first);
  const int npus = hwloc_get_nbobjs_by_type(topo_, HWLOC_OBJ_PU);
  const int nnuma = hwloc_get_nbobjs_by_type(topo_, HWLOC_OBJ_NUMANODE);
  for (int i = 0; i < npus; ++i) {
    hwloc_obj_t pu = hwloc_get_obj_by_type(topo_, HWLOC_OBJ_PU, static_cast<unsigned>(i));
    PuInfo info;
    info.pu_logical = logical_of(pu);
    info.pu_os = static_cast<int>(pu->os_index);
    info.usable = hwloc_bitmap_isset(usable.get(), pu->os_index) != 0;
    info.core = logical_of(hwloc_get_ancestor_obj_by_type(topo_, HWLOC_OBJ_CORE, pu));
    info.package = logical_of(hwloc_get_ancestor_obj_by_type(topo_, HWLOC_OBJ_PACKAGE, pu));
    info.cache = logical_of(hwloc_get_ancestor_obj_by_type(topo_, HWLOC_OBJ_L3CACHE, pu));
    // NUMA nodes hang beside the CPU tree in hwloc 2: find the first whose cpuset holds the PU.
    for (int n = 0; n < nnuma; ++n) {
      hwloc_obj_t node = hwloc_get_obj_by_type(topo_, HWLOC_OBJ_NUMANODE, static_cast<unsigned>(n));
      if (node->cpuset && hwloc_bitmap_isset(node->cpuset, pu->os_index)) {
        info.numa = logical_of(node);
        break;
      }
    }
    for (const auto& [level, depth] : levels) {
      if (depth == kNumaDepth) {
        info.path.push_back(info.numa);
        continue;
      }
      // hwloc returns a shallower ancestor where the PU has no object at this depth (a level
      // that covers only part of the machine): that is "none here", not that ancestor's index.
      hwloc_obj_t above = hwloc_get_ancestor_obj_by_depth(topo_, static_cast<unsigned>(depth), pu);
      info.path.push_back(above && above->depth == depth ? logical_of(above) : -1);
    }
    if (info.core < 0) info.core = info.pu_logical;  // No core objects: each PU is its own core.
    if (info.usable) {
      for (const auto& earlier : v.pus) info.smt += earlier.core == info.core ? 1 : 0;
      v.pus.push_back(info);
    }
    v.all_pus.push_back(info);
  }
  bool sizes_known = false;
  for (int n = 0; n < nnuma; ++n) {
    hwloc_obj_t node = hwloc_get_obj_by_type(topo_, HWLOC_OBJ_NUMANODE, static_cast<unsigned>(n));
    NumaNodeInfo info;
    info.logical = n;
    info.os = static_cast<int>(node->os_index);
    info.bytes = node->attr->numanode.local_memory;
    info.allowed = hwloc_bitmap_isset(hwloc_topology_get_allowed_nodeset(topo_), node->os_index);
    sizes_known = sizes_known || info.bytes > 0;
    v.numa_nodes.push_back(info);
  }
  for (auto& node : v.numa_nodes) node.sizes_known = sizes_known;
  v.usable_list = usable.list();
  v.machine_list = bitmap_list(hwloc_topology_get_topology_cpuset(topo_));
  v.summary = plural(std::max(1, count_distinct(v.pus, &PuInfo::package)), "package", "packages") +
              ", " +
              plural(std::max(1, count_distinct(v.pus, &PuInfo::numa)), "NUMA node", "NUMA nodes") +
              ", " + plural(count_distinct(v.pus, &PuInfo::core), "core", "cores") + ", " +
              plural(static_cast<int>(v.pus.size()), "PU", "PUs");
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

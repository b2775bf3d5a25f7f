// The machine as placement sees it: hwloc loaded from this system, an XML file or a synthetic
// description, flattened into the PUs that ranks may use and the levels of objects above them.
#pragma once

#include <hwloc.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shmcount {

// An hwloc bitmap (cpuset or nodeset) as an hwloc list string of its indices: "0-3,8", "" when
// empty. The one place shmcount writes a bitmap as text.
std::string bitmap_list(hwloc_const_bitmap_t set);

// Move-only owner of an hwloc cpuset.
class CpuSet {
 public:
  CpuSet();
  // The PUs of an hwloc list string of OS indices ("0-3,8"). Throws Error naming the text when it
  // is not one.
  static CpuSet parse_list(std::string_view list);

  CpuSet(CpuSet&& other) noexcept;
  CpuSet& operator=(CpuSet&& other) noexcept;
  CpuSet(const CpuSet&) = delete;
  CpuSet& operator=(const CpuSet&) = delete;
  ~CpuSet();

  // This set as an hwloc list string ("0-3,8"; "" when empty).
  std::string list() const;
  void unite(hwloc_const_cpuset_t other);
  bool empty() const;
  hwloc_cpuset_t get() const { return set_; }

 private:
  hwloc_cpuset_t set_;
};

// The union of hwloc list strings, e.g. the starting bindings of a node's ranks. Throws Error for
// a string that is not a list.
CpuSet union_of_lists(std::span<const std::string> lists);

// A level of the machine that placement tells objects apart at, top first: every depth of normal
// objects from the first below the machine down to the cores (Group, Package, Die, caches, Core),
// plus one level for NUMA nodes right below the level that hwloc attaches them to.
struct Level {
  std::string name;  // hwloc's type name: "Package", "NUMANode", "L3", "L1i", "Core", "Group0"...
  hwloc_obj_type_t type = HWLOC_OBJ_MACHINE;
  int objects = 0;  // How many objects the machine has at this level, usable PUs or not.
};

// One processing unit (hardware thread) and the objects above it, all as hwloc logical indices
// (L#) except pu_os (the kernel's P#). -1 where the topology has no such object.
struct PuInfo {
  int pu_logical = -1;
  int pu_os = -1;
  int core = -1;
  int smt = 0;     // Index of this PU among its core's usable PUs.
  int cache = -1;  // The L3 (or widest shared cache) above the core.
  int numa = -1;   // The first NUMA node whose PUs include this one.
  int package = -1;
  // The logical index of the object holding this PU at each of MachineView::levels, -1 where it
  // has none at that level.
  std::vector<int> path;
  bool usable = false;  // Allowed by the OS (cgroups) and in the available set.
};

// One NUMA node's memory as the machine reports it (hwloc logical and OS index).
struct NumaNodeInfo {
  int logical = -1;
  int os = -1;
  std::uint64_t bytes = 0;   // Local memory; 0 for a node without memory (or not known).
  bool sizes_known = false;  // The topology reports memory sizes (a synthetic one may not).
  bool allowed = true;       // In this process's cpuset.mems.
};

// The PUs ranks may use, in logical order, and what the machine has in total.
struct MachineView {
  std::vector<PuInfo> pus;      // Usable PUs only: these are planned on.
  std::vector<PuInfo> all_pus;  // Every PU the topology has (disallowed ones too), logical order.
  std::vector<Level> levels;    // Top first; see Level.
  std::vector<NumaNodeInfo> numa_nodes;  // Every NUMA node, logical order, memory-only ones too.
  std::string summary;  // Of the usable PUs, e.g. "2 packages, 2 NUMA nodes, 16 cores, 32 PUs"
  std::string cpu_model;
  // Data caches above the first PU, innermost first, as "L1d:49152 L2:1048576 L3:33554432".
  std::string caches;
  std::string usable_list;   // OS indices of the usable PUs, hwloc list syntax ("1").
  std::string machine_list;  // OS indices of every PU the topology has ("0-1").

  // True when some PU of the machine is not usable (cgroup or available set).
  bool restricted() const { return pus.size() != all_pus.size(); }
  // "PUs 1 (of 0-1)": the usable PUs and the machine's, as OS indices.
  std::string availability() const;
  // The usable PU with logical index `logical`, or nullptr when it is not usable or not there.
  const PuInfo* find_logical(int logical) const;
  const PuInfo* find_os(int os) const;
  // The index into `levels` of the first level of objects of `type`, or -1.
  int level_of(hwloc_obj_type_t type) const;
};

// The hwloc XML topologies shipped with shmcount (real machines and a few shapes), as (name,
// path), sorted: installed in <prefix>/share/shmcount/topologies, in a build tree the source
// tree's tests/data/topologies. --topology takes their names.
std::vector<std::pair<std::string, std::string>> bundled_topologies();

// Move-only owner of an hwloc topology. Loaded with the PUs that cgroups disallow (so a view can
// say what the machine has in total); views never plan on those.
class Topology {
 public:
  // This machine, as the kernel reports it.
  static Topology this_system();
  // An hwloc XML file if `spec` names a readable file, else a shipped topology of that name
  // (bundled_topologies()), else an hwloc synthetic description. Throws Error when it is none.
  static Topology from_spec(const std::string& spec);

  Topology(Topology&& other) noexcept;
  Topology& operator=(Topology&&) = delete;
  Topology(const Topology&) = delete;
  ~Topology();

  // Keeps only the PUs with the given OS indices, as if the machine had no others. Throws Error
  // when none of them exists.
  void restrict_to_os(const std::vector<int>& os_indices);

  // True when hwloc says the topology is the machine this process runs on, so binding is real.
  // HWLOC_THISSYSTEM=1 makes hwloc say so of any XML file: check differs_from_os() too.
  bool is_this_system() const;
  // Empty when the PUs hwloc describes are the CPUs the kernel reports online and cover this
  // process's affinity; otherwise what differs, for a message.
  std::string differs_from_os() const;

  // The machine with every allowed PU usable.
  MachineView view() const;
  // The machine with the allowed PUs of `available` usable: a pure function of the topology and
  // the set (e.g. the union of a node's ranks' starting bindings). Throws Error when `available`
  // holds no allowed PU.
  MachineView view(hwloc_const_cpuset_t available) const;

  hwloc_topology_t get() const { return topo_; }

 private:
  explicit Topology(hwloc_topology_t topo) : topo_(topo) {}
  hwloc_topology_t topo_;
};

}  // namespace shmcount

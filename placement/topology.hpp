// The machine as placement sees it: hwloc loaded from this system, an XML file or a synthetic
// description, flattened into the PUs that this process is allowed to use.
#pragma once

#include <hwloc.h>

#include <string>
#include <vector>

namespace shmcount {

// One allowed processing unit (hardware thread) and the objects above it, all as hwloc logical
// indices (L#) except pu_os (the kernel's P#). -1 where the topology has no such object.
struct PuInfo {
  int pu_logical = -1;
  int pu_os = -1;
  int core = -1;
  int smt = 0;     // Index of this PU among its core's allowed PUs.
  int cache = -1;  // The L3 (or widest shared cache) above the core.
  int numa = -1;
  int package = -1;
};

// The allowed PUs in logical order and counts of what holds them.
struct MachineView {
  std::vector<PuInfo> pus;
  int packages = 0;
  int numa_nodes = 0;
  int cores = 0;
  std::string summary;  // e.g. "2 packages, 2 NUMA nodes, 16 cores, 32 PUs"
  std::string cpu_model;
  // Data caches above the first PU, innermost first, as "L1d:49152 L2:1048576 L3:33554432".
  std::string caches;

  // The PU with logical index `logical`, or nullptr when it is not allowed or does not exist.
  const PuInfo* find_logical(int logical) const;
  const PuInfo* find_os(int os) const;
};

// Move-only owner of an hwloc topology.
class Topology {
 public:
  // This machine, as the kernel reports it (cgroup-restricted PUs left out).
  static Topology this_system();
  // An hwloc XML file if `spec` names a readable file, else an hwloc synthetic description.
  // Throws Error when it is neither.
  static Topology from_spec(const std::string& spec);

  Topology(Topology&& other) noexcept;
  Topology& operator=(Topology&&) = delete;
  Topology(const Topology&) = delete;
  ~Topology();

  // Keeps only the PUs with the given OS indices, as a cgroup cpuset would (for tests and
  // --topology planning). Throws Error when none of them exists.
  void restrict_to_os(const std::vector<int>& os_indices);

  // True when hwloc says the topology is the machine this process runs on, so binding is real.
  // HWLOC_THISSYSTEM=1 makes hwloc say so of any XML file: check differs_from_os() too.
  bool is_this_system() const;
  // Empty when the PUs hwloc describes are the CPUs the kernel reports online and cover this
  // process's affinity; otherwise what differs, for a message.
  std::string differs_from_os() const;

  MachineView view() const;
  hwloc_topology_t get() const { return topo_; }

 private:
  explicit Topology(hwloc_topology_t topo) : topo_(topo) {}
  hwloc_topology_t topo_;
};

}  // namespace shmcount

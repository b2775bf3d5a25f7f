// Pages of the array: huge page sizes and where they come from, transparent huge pages, the
// memory policy (planned as a pure function of the topology, then applied with hwloc), and what
// the kernel reports back: the NUMA node of every page (move_pages) and the footprint (smaps).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "memory/request.hpp"
#include "placement/topology.hpp"

namespace shmcount {

// The default huge page size (/proc/meminfo Hugepagesize), in bytes; 0 when there is none.
std::size_t huge_page_size();
// Huge pages reserved and free (vm.nr_hugepages, HugePages_Free).
std::size_t huge_pages_free();
// A mount point of hugetlbfs, or "" when none is mounted.
std::string hugetlbfs_mount();
// `bytes` rounded up to a whole multiple of `unit` (unit > 0).
std::size_t round_up(std::size_t bytes, std::size_t unit);

// The transparent huge page setting that decides madvise(MADV_HUGEPAGE) for this memory:
// shmem_enabled for shared memory, enabled for private memory ("never", "advise", ...).
std::string thp_setting(bool shared_memory);
// Whether that setting lets madvise(MADV_HUGEPAGE) give huge pages.
bool thp_allows_advice(bool shared_memory);
// madvise(MADV_HUGEPAGE). Throws Error with the call and errno.
void advise_huge_pages(void* data, std::size_t bytes);

// A memory policy resolved on a topology: the OS indices of its NUMA nodes, and a description.
struct PolicyPlan {
  PolicyKind kind = PolicyKind::kDefault;
  std::string os_nodes;  // hwloc list syntax of OS indices; empty for the default policy.
  std::string description;
};
// Why the memory of NUMA node `logical` cannot be used here ("NUMA node 2 (OS 1) has no memory
// (a node of PUs only)", "... is outside this process's cpuset.mems ..."), or "" when it can.
std::string numa_memory_refusal(const Topology& topo, int logical);
// The logical NUMA nodes whose memory may be used here, in hwloc list syntax ("0-1").
std::string usable_numa_nodes(const Topology& topo);
// Pure: which NUMA nodes `policy` names on `topo`. Throws UsageError for a node it lacks or
// whose memory cannot be used; plain interleave takes every node whose memory can.
PolicyPlan plan_mempolicy(const Topology& topo, const MemPolicy& policy);
// Sets the plan on [data, data + bytes) before anything touches it (hwloc_set_area_membind).
// Throws Error with the call and errno.
void apply_mempolicy(const Topology& topo, void* data, std::size_t bytes, const PolicyPlan& plan);

// Where the pages of [data, data + bytes) are: pages per NUMA node (logical index) and pages
// not present or not known. Counted in the system's base pages.
struct PageCounts {
  std::vector<long> by_numa;  // Indexed by logical NUMA node.
  long absent = 0;
  bool known = true;  // False where the kernel does not say (no NUMA support: ENOSYS).
  long total() const;
};
PageCounts count_pages(const Topology& topo, const void* data, std::size_t bytes);

// What /proc/self/smaps says of the mapping that holds `data` (kB as the kernel writes them).
struct MappingInfo {
  bool found = false;
  long rss_kib = 0;
  long pss_kib = 0;
  long kernel_page_kib = 0;  // KernelPageSize: 4 for small pages, 2048 for 2 MiB huge pages.
  long thp_kib = 0;          // AnonHugePages + ShmemPmdMapped + FilePmdMapped.
  // Reserved huge pages (hugetlb), which smaps leaves out of Rss and Pss.
  long shared_hugetlb_kib = 0;
  long private_hugetlb_kib = 0;
};
MappingInfo read_mapping(const void* data);
// Proportional set size of this whole process (/proc/self/smaps_rollup), in kB; -1 if unknown.
long process_pss_kib();

}  // namespace shmcount

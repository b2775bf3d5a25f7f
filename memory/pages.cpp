#include "pages.hpp"

#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/error.hpp"
#include "common/fault.hpp"

namespace shmcount {
namespace {

// A "Key:   value kB" line of /proc/meminfo or smaps.
long kib_of(const std::string& line) { return std::atol(line.c_str() + line.find(':') + 1); }

long meminfo(const char* key) {
  std::ifstream in("/proc/meminfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(key, 0) == 0 && line[std::strlen(key)] == ':') return kib_of(line);
  }
  return -1;
}

std::string first_line(const char* path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

struct Bitmap {
  hwloc_bitmap_t set = hwloc_bitmap_alloc();
  ~Bitmap() { hwloc_bitmap_free(set); }
  std::string list() const { return bitmap_list(set); }
};

}  // namespace

std::size_t huge_page_size() {
  const long kib = meminfo("Hugepagesize");
  return kib > 0 ? static_cast<std::size_t>(kib) * 1024 : 0;
}

std::size_t huge_pages_free() {
  const long pages = meminfo("HugePages_Free");
  return pages > 0 ? static_cast<std::size_t>(pages) : 0;
}

std::string hugetlbfs_mount() {
  std::ifstream in("/proc/mounts");
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string device, point, type;
    fields >> device >> point >> type;
    if (type == "hugetlbfs") return point;
  }
  return "";
}

std::size_t round_up(std::size_t bytes, std::size_t unit) {
  return (bytes + unit - 1) / unit * unit;
}

std::string thp_setting(bool shared_memory) {
  const std::string line =
      first_line(shared_memory ? "/sys/kernel/mm/transparent_hugepage/shmem_enabled"
                               : "/sys/kernel/mm/transparent_hugepage/enabled");
  const auto open = line.find('['), close = line.find(']');
  if (open == std::string::npos || close == std::string::npos) return "not available";
  return line.substr(open + 1, close - open - 1);
}

bool thp_allows_advice(bool shared_memory) {
  const std::string setting = thp_setting(shared_memory);
  return setting == "always" || setting == "madvise" || setting == "advise" ||
         setting == "within_size" || setting == "force";
}

void advise_huge_pages(void* data, std::size_t bytes) {
  if (inject_call_fault("madvise") || ::madvise(data, bytes, MADV_HUGEPAGE) != 0) {
    throw Error(
        describe_errno("madvise(" + std::to_string(bytes) + " bytes, MADV_HUGEPAGE)", errno) +
        ": this kernel has no transparent huge pages; use --pages small or huge");
  }
}

namespace {

// True when the topology knows how much memory its NUMA nodes have (a real machine or its XML;
// hwloc's synthetic topologies may leave every size 0).
bool knows_node_memory(hwloc_topology_t t) {
  for (hwloc_obj_t n = hwloc_get_next_obj_by_type(t, HWLOC_OBJ_NUMANODE, nullptr); n;
       n = hwloc_get_next_obj_by_type(t, HWLOC_OBJ_NUMANODE, n)) {
    if (n->attr->numanode.local_memory > 0) return true;
  }
  return false;
}

}  // namespace

std::string numa_memory_refusal(const Topology& topo, int logical) {
  hwloc_topology_t t = topo.get();
  hwloc_obj_t node = hwloc_get_obj_by_type(t, HWLOC_OBJ_NUMANODE, static_cast<unsigned>(logical));
  if (!node) return "no such NUMA node";
  const std::string name =
      "NUMA node " + std::to_string(logical) + " (OS " + std::to_string(node->os_index) + ")";
  if (knows_node_memory(t) && node->attr->numanode.local_memory == 0) {
    return name + " has no memory (" +
           (node->cpuset && !hwloc_bitmap_iszero(node->cpuset) ? "a node of PUs only"
                                                               : "an empty node") +
           ")";
  }
  if (!hwloc_bitmap_isset(hwloc_topology_get_allowed_nodeset(t), node->os_index)) {
    Bitmap allowed;
    hwloc_bitmap_copy(allowed.set, hwloc_topology_get_allowed_nodeset(t));
    return name + " is outside this process's cpuset.mems (allowed: OS " + allowed.list() + ")";
  }
  return "";
}

std::string usable_numa_nodes(const Topology& topo) {
  Bitmap usable;
  const int count = hwloc_get_nbobjs_by_type(topo.get(), HWLOC_OBJ_NUMANODE);
  for (int logical = 0; logical < count; ++logical) {
    if (numa_memory_refusal(topo, logical).empty()) {
      hwloc_bitmap_set(usable.set, static_cast<unsigned>(logical));
    }
  }
  return usable.list();
}

PolicyPlan plan_mempolicy(const Topology& topo, const MemPolicy& policy) {
  PolicyPlan plan;
  plan.kind = policy.kind;
  if (policy.kind == PolicyKind::kDefault) {
    plan.description =
        "default (first touch: each page on the NUMA node of the CPU that writes it first)";
    return plan;
  }
  hwloc_topology_t t = topo.get();
  const int numa_nodes = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_NUMANODE);
  const std::string usable = usable_numa_nodes(topo);
  Bitmap wanted;
  std::string left_out;  // Plain interleave: the nodes whose memory cannot be used, and why.
  if (policy.nodes.empty()) {
    for (int logical = 0; logical < numa_nodes; ++logical) {
      const std::string why = numa_memory_refusal(topo, logical);
      if (why.empty()) {
        hwloc_bitmap_set(wanted.set, static_cast<unsigned>(logical));
      } else {
        left_out += (left_out.empty() ? "" : "; ") + why;
      }
    }
  } else {
    for (int node : policy.nodes) hwloc_bitmap_set(wanted.set, static_cast<unsigned>(node));
  }
  Bitmap os;
  for (int logical = hwloc_bitmap_first(wanted.set); logical >= 0;
       logical = hwloc_bitmap_next(wanted.set, logical)) {
    hwloc_obj_t node = hwloc_get_obj_by_type(t, HWLOC_OBJ_NUMANODE, static_cast<unsigned>(logical));
    if (!node) {
      throw UsageError("--mempolicy " + policy.text + ": this node has no NUMA node " +
                       std::to_string(logical) + "; it has " + std::to_string(numa_nodes) +
                       " (logical 0-" + std::to_string(numa_nodes - 1) + ", see --domains)");
    }
    const std::string why = numa_memory_refusal(topo, logical);
    if (!why.empty()) {
      throw UsageError("--mempolicy " + policy.text + ": " + why +
                       "; nodes whose memory may be used here: " +
                       (usable.empty() ? "none" : usable) + " (see --domains)");
    }
    hwloc_bitmap_set(os.set, node->os_index);
  }
  if (hwloc_bitmap_iszero(wanted.set)) {
    throw UsageError("--mempolicy " + policy.text + ": no NUMA node's memory may be used here (" +
                     left_out + ")");
  }
  plan.os_nodes = os.list();
  plan.description = std::string(policy.kind == PolicyKind::kBind ? "bind to" : "interleave over") +
                     " NUMA node(s) " + wanted.list() + " (OS " + plan.os_nodes + ")";
  if (!left_out.empty()) plan.description += "; left out: " + left_out;
  return plan;
}

void apply_mempolicy(const Topology& topo, void* data, std::size_t bytes, const PolicyPlan& plan) {
  if (plan.kind == PolicyKind::kDefault) return;
  Bitmap nodes;
  hwloc_bitmap_list_sscanf(nodes.set, plan.os_nodes.c_str());
  // hwloc takes OS indices in a nodeset: translate through the NUMA objects' os_index.
  Bitmap nodeset;
  for (int os = hwloc_bitmap_first(nodes.set); os >= 0; os = hwloc_bitmap_next(nodes.set, os)) {
    hwloc_bitmap_set(nodeset.set, static_cast<unsigned>(os));
  }
  const hwloc_membind_policy_t how =
      plan.kind == PolicyKind::kBind ? HWLOC_MEMBIND_BIND : HWLOC_MEMBIND_INTERLEAVE;
  if (inject_call_fault("mbind") ||
      hwloc_set_area_membind(topo.get(), data, bytes, nodeset.set, how,
                             HWLOC_MEMBIND_BYNODESET | HWLOC_MEMBIND_STRICT) != 0) {
    throw Error(describe_errno("hwloc_set_area_membind(" + std::to_string(bytes) + " bytes, " +
                                   plan.description + ")",
                               errno) +
                ": the kernel refused the policy (no NUMA support, or nodes outside this "
                "cgroup's cpuset.mems)");
  }
}

long PageCounts::total() const {
  long sum = absent;
  for (long n : by_numa) sum += n;
  return sum;
}

PageCounts count_pages(const Topology& topo, const void* data, std::size_t bytes) {
  hwloc_topology_t t = topo.get();
  PageCounts counts;
  counts.by_numa.assign(
      static_cast<std::size_t>(std::max(1, hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_NUMANODE))), 0);
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const auto first = reinterpret_cast<std::uintptr_t>(data) / page * page;
  const std::size_t pages =
      (reinterpret_cast<std::uintptr_t>(data) + bytes - first + page - 1) / page;
  constexpr std::size_t kBatch = 4096;
  std::vector<void*> addresses(kBatch);
  std::vector<int> status(kBatch);
  for (std::size_t done = 0; done < pages; done += kBatch) {
    const std::size_t n = std::min(kBatch, pages - done);
    for (std::size_t i = 0; i < n; ++i)
      addresses[i] = reinterpret_cast<void*>(first + (done + i) * page);
    // move_pages with no target nodes only reports where each page is (move_pages(2)).
    if (::syscall(SYS_move_pages, 0, n, addresses.data(), nullptr, status.data(), 0) != 0) {
      counts.known = false;
      return counts;
    }
    for (std::size_t i = 0; i < n; ++i) {
      hwloc_obj_t node =
          status[i] >= 0 ? hwloc_get_numanode_obj_by_os_index(t, static_cast<unsigned>(status[i]))
                         : nullptr;
      if (node && node->logical_index < counts.by_numa.size()) {
        ++counts.by_numa[node->logical_index];
      } else {
        ++counts.absent;
      }
    }
  }
  return counts;
}

MappingInfo read_mapping(const void* data) {
  MappingInfo info;
  const auto address = reinterpret_cast<std::uintptr_t>(data);
  std::ifstream in("/proc/self/smaps");
  bool inside = false;
  for (std::string line; std::getline(in, line);) {
    std::uintmax_t start = 0, end = 0;
    if (std::sscanf(line.c_str(), "%" SCNxMAX "-%" SCNxMAX " ", &start, &end) == 2 &&
        line.find(' ') > line.find('-')) {
      if (inside) break;  // The next mapping begins.
      inside = start <= address && address < end;
      info.found = info.found || inside;
      continue;
    }
    if (!inside) continue;
    const std::string key = line.substr(0, line.find(':'));
    if (key == "Rss") info.rss_kib = kib_of(line);
    if (key == "Pss") info.pss_kib = kib_of(line);
    if (key == "KernelPageSize") info.kernel_page_kib = kib_of(line);
    if (key == "AnonHugePages" || key == "ShmemPmdMapped" || key == "FilePmdMapped") {
      info.thp_kib += kib_of(line);
    }
    if (key == "Shared_Hugetlb") info.shared_hugetlb_kib = kib_of(line);
    if (key == "Private_Hugetlb") info.private_hugetlb_kib = kib_of(line);
  }
  return info;
}

long process_pss_kib() {
  std::ifstream in("/proc/self/smaps_rollup");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("Pss:", 0) == 0) return kib_of(line);
  }
  return -1;
}

}  // namespace shmcount

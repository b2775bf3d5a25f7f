#include "probes.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <vector>

namespace shmcount {
namespace {

std::string size_text(double bytes) {
  char buf[32];
  if (bytes >= (1 << 30)) {
    std::snprintf(buf, sizeof buf, "%.1f GiB", bytes / (1 << 30));
  } else if (bytes >= (1 << 20)) {
    std::snprintf(buf, sizeof buf, "%.1f MiB", bytes / (1 << 20));
  } else {
    std::snprintf(buf, sizeof buf, "%.0f KiB", bytes / 1024);
  }
  return buf;
}

std::vector<double> numbers(std::span<const std::string> values) {
  std::vector<double> out;
  for (const auto& v : values) {
    if (!v.empty()) out.push_back(std::atof(v.c_str()));
  }
  return out;
}

// The size of the pages backing the array: the kernel's page size for the mapping, or the PMD
// size when transparent huge pages back most of it.
std::string take_page_size(const ProbeContext& c) {
  const MappingInfo m = read_mapping(c.data);
  if (!m.found) return "";
  if (m.thp_kib > 0 && 2 * m.thp_kib >= m.rss_kib) {
    std::ifstream in("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size");
    long bytes = 0;
    if (in >> bytes) return std::to_string(bytes);
  }
  return std::to_string(m.kernel_page_kib * 1024);
}

std::string summarize_page_size(std::span<const std::string> values) {
  std::set<double> sizes;
  for (double v : numbers(values)) sizes.insert(v);
  if (sizes.empty()) return "";
  std::string out = "page size obtained (read back from smaps): ";
  bool first = true;
  for (double s : sizes) {
    out += (first ? "" : ", ") + size_text(s);
    first = false;
  }
  return out;
}

// Pages of the array per NUMA node, "0:195 1:0" (logical NUMA index: base pages).
std::string take_numa_pages(const ProbeContext& c) {
  const PageCounts& p = c.pages();
  if (!p.known) return "";
  std::string out;
  for (std::size_t n = 0; n < p.by_numa.size(); ++n) {
    out += (out.empty() ? "" : " ") + std::to_string(n) + ":" + std::to_string(p.by_numa[n]);
  }
  if (p.absent) out += " absent:" + std::to_string(p.absent);
  return out;
}

std::string summarize_numa_pages(std::span<const std::string> values) {
  std::map<std::string, double> sum;
  double total = 0;
  for (const auto& v : values) {
    std::istringstream in(v);
    for (std::string item; in >> item;) {
      const auto colon = item.find(':');
      const double n = std::atof(item.c_str() + colon + 1);
      sum[item.substr(0, colon)] += n;
      total += n;
    }
  }
  if (total == 0) return "";
  std::string out = "pages (read back with move_pages):";
  for (const auto& [where, n] : sum) {
    if (n == 0) continue;
    char buf[64];
    std::snprintf(buf, sizeof buf, " %.1f%% %s", 100 * n / total,
                  where == "absent" ? "not present" : ("on NUMA " + where).c_str());
    out += buf;
  }
  return out;
}

std::string take_local_pct(const ProbeContext& c) {
  const PageCounts& p = c.pages();
  if (!p.known || c.numa < 0 || p.total() == 0) return "";
  const long local = static_cast<std::size_t>(c.numa) < p.by_numa.size()
                         ? p.by_numa[static_cast<std::size_t>(c.numa)]
                         : 0;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f",
                100.0 * static_cast<double>(local) / static_cast<double>(p.total()));
  return buf;
}

std::string summarize_local_pct(std::span<const std::string> values) {
  const auto xs = numbers(values);
  if (xs.empty()) return "";
  char buf[128];
  std::snprintf(buf, sizeof buf, "pages local to the NUMA node each rank ran on: %.1f%% to %.1f%%",
                *std::min_element(xs.begin(), xs.end()), *std::max_element(xs.begin(), xs.end()));
  return buf;
}

// smaps gives reserved huge pages no PSS: a shared one counts whole in every process that maps
// it, so its share is divided among the ranks that map the array.
std::string take_array_pss(const ProbeContext& c) {
  const MappingInfo m = read_mapping(c.data);
  if (!m.found) return "";
  const long hugetlb = m.private_hugetlb_kib + m.shared_hugetlb_kib / std::max(1, c.sharers);
  return std::to_string(m.pss_kib + hugetlb);
}

std::string summarize_sum(const char* what, std::span<const std::string> values) {
  const auto xs = numbers(values);
  if (xs.empty()) return "";
  double sum = 0;
  for (double x : xs) sum += x;
  return std::string(what) + size_text(sum * 1024) + " (" + std::to_string(xs.size()) +
         " rank(s), sum of PSS)";
}

std::string take_pss(const ProbeContext&) {
  const long kib = process_pss_kib();
  return kib >= 0 ? std::to_string(kib) : "";
}

constexpr std::array kProbes{
    Probe{"page_size", "bytes per page backing the array, read back (smaps; THP counts as huge)",
          take_page_size, summarize_page_size},
    Probe{"array_numa_pages",
          "the array's base pages per NUMA node as this rank maps them (\"0:195 1:0\"), read "
          "back with move_pages",
          take_numa_pages, summarize_numa_pages},
    Probe{"array_local_pct",
          "percentage of the array's pages on the NUMA node of the PU the rank ran on",
          take_local_pct, summarize_local_pct},
    Probe{"array_pss_kib",
          "PSS of the array's mapping in the rank (KiB): about size / ranks when shared, size "
          "when private (reserved huge pages, which smaps leaves out of PSS, divided among the "
          "ranks that map them)",
          take_array_pss,
          [](std::span<const std::string> v) { return summarize_sum("array memory: ", v); }},
    Probe{"pss_kib", "PSS of the whole rank process (KiB)", take_pss,
          [](std::span<const std::string> v) { return summarize_sum("ranks' memory: ", v); }},
#ifdef SHMCOUNT_TEST_ENTRIES
#include "tests/extension/probe_entry.inc"
#endif
};

}  // namespace

const PageCounts& ProbeContext::pages() const {
  if (!pages_) pages_ = count_pages(*topo, data, bytes);
  return *pages_;
}

std::span<const Probe> probe_table() { return kProbes; }

}  // namespace shmcount

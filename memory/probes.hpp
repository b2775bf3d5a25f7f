// Measurements that ride on a run, one table entry each: a name (the CSV column), what it tells,
// how one rank takes it, and how a node's values sum up in the summary. The runner takes every
// entry once per rank after the parallel phase (when every rank has mapped every page) and the
// sinks show them without knowing their names: adding one is adding an entry.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "memory/pages.hpp"
#include "placement/topology.hpp"

namespace shmcount {

// What a probe may look at on one rank.
struct ProbeContext {
  const Topology* topo = nullptr;
  const void* data = nullptr;  // The array as this rank maps it.
  std::size_t bytes = 0;
  int numa = -1;    // Logical NUMA node of the PU the rank ran on; -1 unknown.
  int sharers = 1;  // Ranks that map this array (the node's ranks when shared, else 1).
  // Where the array's pages are, counted once for every probe that needs it.
  const PageCounts& pages() const;

 private:
  mutable std::optional<PageCounts> pages_;
};

struct Probe {
  std::string_view column;
  std::string_view description;
  // The rank's value as text ("" when it cannot be known here).
  std::string (*take)(const ProbeContext& context);
  // One line for the node in the summary from its ranks' values ("" for none).
  std::string (*summarize)(std::span<const std::string> node_values);
};

std::span<const Probe> probe_table();

}  // namespace shmcount

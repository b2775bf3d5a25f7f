// The flat record the runner produces: one per (phase, rank, repetition). Sinks (CSV, summary,
// run context) only ever see records and the run's fixed description, never the runner.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/options.hpp"
#include "common/wire.hpp"
#include "placement/disturbance.hpp"

namespace shmcount {

enum class Phase : std::int32_t { kParallel = 0, kSequential = 1 };

// Trivially copyable: records travel to rank 0 as bytes (records_to_bytes).
struct Record {
  Phase phase = Phase::kParallel;
  std::int32_t rank = 0;        // World rank.
  std::int32_t node = 0;        // Node index (0 = the node of world rank 0).
  std::int32_t local_rank = 0;  // Rank within the node.
  std::int64_t rep = 0;
  std::int64_t units = 1;     // Kernel calls timed: 1 in parallel, the node's ranks sequentially.
  std::int64_t time_ns = 0;   // Kernel time of this repetition, all units.
  std::int64_t start_ns = 0;  // CLOCK_MONOTONIC at the start (comparable within a node).
  std::int32_t ok = 1;        // Every count was right.
  // First wrong count, when !ok.
  std::int64_t bad_value = -1;
  std::int64_t bad_count = 0;
  std::int64_t expected_count = 0;
  // Placement: logical indices except pu_os; -1 when unknown or not planned.
  std::int32_t planned_pu = -1;
  std::int32_t pu_logical = -1;
  std::int32_t pu_os = -1;
  std::int32_t core = -1;
  std::int32_t numa = -1;
  std::int32_t package = -1;
  std::int32_t placed_ok = 1;
  std::int32_t oversubscribed = 0;
  std::int32_t rebound = 0;  // shmcount replaced a binding the launcher had given.
  // What took the PU from the rank during the timed kernel (placement/disturbance.hpp), in the
  // table's order; -1 where the kernel does not report it.
  DisturbanceCounts disturbance = kUnknownDisturbance;
  std::int32_t disturbed = 0;  // is_disturbed() of the above.
};

// What one rank is for the whole run, beside its per-repetition records.
struct RankInfo {
  int rank = 0;
  std::string cpuset;  // The binding in force while it ran (OS indices, hwloc list syntax).
  std::string mask;    // The same as a picture of its node, e.g. "[B/.][./.]".
  std::vector<std::string> probes;  // Its value of every probe (memory/probes.hpp), in order.
};

// What one node is: gathered from its leader.
struct NodeInfo {
  int index = 0;
  std::string host;
  std::string cpu_model;
  std::string topology;  // hwloc summary, e.g. "1 package, 1 NUMA node, 2 cores, 2 PUs".
  std::string caches;    // e.g. "L1d:49152 L2:1048576 L3:33554432" (bytes).
  int ranks = 0;
  int pus = 0;
  std::string placement_map;   // The node's PUs with the ranks that last ran on each.
  std::string available;       // PUs the ranks could use, e.g. "PUs 1 (of 0-1)".
  std::string available_from;  // "the whole node", "the ranks' starting bindings", ...
  // What drives noise on the node (runners/noise.hpp), as (name, reading) pairs.
  std::vector<std::pair<std::string, std::string>> noise;
  std::vector<std::string> memory_notes;  // What the memory did not do as asked, and why.
  std::size_t mapped_bytes = 0;           // The array's allocation (rounded to huge pages).
  std::string policy;                     // The memory policy, resolved on the node.
};

// Everything fixed for a run, shared by every record.
struct RunInfo {
  std::string run_id;
  int ranks = 0;
  int node_count = 1;
  Options options;           // The run's parameters as parsed (cli/params.hpp prints them).
  std::string algorithm;     // The kernel's: "multi-pass" or "histogram".
  double work_per_unit = 0;  // Compares (or element visits) in one kernel call.
  std::vector<NodeInfo> nodes;
  std::vector<RankInfo> rank_info;  // Indexed by world rank.

  // The rank's description, or an empty one when it is not known.
  const RankInfo& info_of(int rank) const {
    static const RankInfo none;
    return static_cast<std::size_t>(rank) < rank_info.size() ? rank_info[rank] : none;
  }
};

// How the structs that cross ranks travel: next to them, so a field added to one is added here
// (the round trips are tested in report_test). Strings are length-prefixed (common/wire.hpp).
void write_node(WireWriter& w, const NodeInfo& node);
NodeInfo read_node(WireReader& r);
void write_rank(WireWriter& w, const RankInfo& rank);
RankInfo read_rank(WireReader& r);
// Records are trivially copyable: they travel as their bytes. Throws Error when `bytes` is not a
// whole number of records.
std::string records_to_bytes(std::span<const Record> records);
std::vector<Record> records_from_bytes(std::string_view bytes);

}  // namespace shmcount

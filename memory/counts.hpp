// Where the ranks' counts live while they count (--counts), one table entry per mode: the rank's
// own private memory (the article's case), one table for the node in shared memory that every
// rank adds into atomically (true sharing), or each rank's own table in shared memory, either
// interleaved with its neighbours' so that they share cache lines (false sharing) or on cache
// lines of its own (padded). The shared modes live in the memory of the --share mechanism, after
// the array, under the same lifecycle and privacy rules.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "kernels/kernels.hpp"

namespace shmcount {

// Bytes per cache line pair: adjacent-line prefetch pairs 64-byte lines on Intel (folly's
// hardware_destructive_interference_size), so a rank's own counters start on their own 128.
inline constexpr std::size_t kLinePair = 128;

struct CountsMode {
  std::string_view name;
  std::string_view description;
  bool in_shared_memory;  // The counts live in the node's shared memory (after the array).
  bool one_table;         // Every rank of the node adds into one table (atomically).
  // Bytes of shared memory the node's `ranks` need for counts of `values` values (0: none).
  std::size_t (*bytes)(std::size_t values, int ranks);
  // The table rank `local_rank` adds into: in the shared memory at `shared` (in_shared_memory),
  // else in `own` (the rank's private counts, values long).
  CountTable (*table)(std::uint64_t* shared, std::span<std::uint64_t> own, std::size_t values,
                      int ranks, int local_rank);
};

// Every mode, the default (private, the article's) first.
std::span<const CountsMode> counts_table();
const CountsMode* find_counts_mode(std::string_view name);

}  // namespace shmcount

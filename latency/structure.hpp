// The machine's structure as latencies show it, held against hwloc's tree. Pairs of PUs whose
// one-way latencies lie together form a measured level; each relation of hwloc's tree (SMT
// siblings, same L2, ...) has a home level, where most of its pairs answer. A pair that answers
// in another level than its relation's home, clearly (its interval outside the home's range), is
// a finding: "PUs 0 and 8 answer in 11 ns, like SMT siblings, but hwloc shows separate cores".
// Pure: tested on synthetic matrices.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "placement/pairs.hpp"

namespace shmcount {

// Two latencies are in different levels when the slower is at least this many times the faster
// and no pair lies between them. Real machines step by 2x to 10x between levels (SMT 4-10 ns,
// one core complex 16-23 ns, across dies 84-110 ns); noise between runs is tens of percent.
inline constexpr double kLevelGap = 1.5;

// One measured pair, as the detector sees it: its PUs (logical), hwloc's relation and its
// one-way latency (median with its interval).
struct PairLatency {
  int a = -1, b = -1;
  Relation relation = Relation::kOther;
  double median_ns = 0, low_ns = 0, high_ns = 0;
};

// Pairs whose medians lie together: no gap of kLevelGap between any two neighbours.
struct LatencyLevel {
  double low_ns = 0, high_ns = 0;  // The fastest and slowest pair median in it.
  double typical_ns = 0;           // The median of its pairs' medians.
  int pairs = 0;
  std::vector<Relation> home_of;  // Relations whose pairs mostly answer here, closest first.
};

struct StructureFinding {
  enum class Kind { kCloser, kFarther };
  Kind kind = Kind::kCloser;
  int a = -1, b = -1;
  Relation relation = Relation::kOther;  // hwloc's.
  double median_ns = 0;
  int level = 0;     // Index into StructureReport::levels where the pair answers.
  std::string like;  // "like SMT siblings"
  std::string text;  // The whole sentence, for the summary, the JSON and the report.
};

struct StructureReport {
  std::vector<LatencyLevel> levels;  // Fastest first.
  std::vector<StructureFinding> findings;
  // PUs joined by pairs that answered closer than hwloc shows (groups of two or more, each in
  // logical order), and a --pin list with one PU of each group and every other measured PU, so
  // that no two ranks share what the measurement found shared. Empty without such a finding.
  std::vector<std::vector<int>> closer_groups;
  std::string pin_list;  // "list:0-7"
  std::string advice;    // What to do with it, in a sentence.
};

// Groups the pairs into levels and compares each pair with its relation's home level.
StructureReport compare_with_tree(std::span<const PairLatency> pairs);

// The median of `xs` (the mean of the middle two when their number is even); xs not empty.
double median_of(std::vector<double> xs);

}  // namespace shmcount

// A latency map's samples and every figure derived from them, computed once
// (compute_latency_figures) for every sink: the summary, the run context. Per pair: the one-way
// latency (a sample's time / round trips / 2), its median with a 95% interval and its minimum;
// per relation of hwloc's tree: the median over its pairs with an interval; and the measured
// structure against the tree (structure.hpp).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "latency/structure.hpp"
#include "placement/pairs.hpp"

namespace shmcount {

// One timed sample: N round trips of the line between the two PUs of a pair. Trivially copyable:
// samples travel to rank 0 as bytes.
struct LatencySample {
  std::int32_t pair = 0;       // Index into the run's pairs.
  std::int32_t round = 0;      // From 0.
  std::int32_t sample = 0;     // Within the pair, from 0, over all rounds.
  std::int32_t direction = 0;  // 0: the rank on PU a started and timed it; 1: the rank on PU b.
  std::int64_t time_ns = 0;    // All round trips of the sample, CLOCK_MONOTONIC.
  std::int32_t ok = 1;         // Every handoff held the value expected.
  std::int32_t placed_ok = 1;  // Both ranks were read back on their PUs before and after.
  std::int32_t disturbed = 0;  // Either rank lost its PU during the pair's visit of the round.
};

std::string samples_to_bytes(std::span<const LatencySample> samples);
// Throws Error when `bytes` is not a whole number of samples.
std::vector<LatencySample> samples_from_bytes(std::string_view bytes);

// Resamples of every bootstrap interval here (seeded per pair, so a run's figures reproduce).
inline constexpr int kBootstrapResamples = 1000;

struct PairFigures {
  std::size_t pair = 0;            // Index into the run's pairs.
  std::size_t samples = 0;         // Those used: handoffs right and both ranks on their PUs.
  double median_ns = 0;            // One way.
  double low_ns = 0, high_ns = 0;  // 95% interval of the median: rounds, then samples resampled.
  double min_ns = 0;
  double median_ab_ns = 0, median_ba_ns = 0;  // Per direction (who started the samples).
};

struct RelationFigures {
  Relation relation = Relation::kOther;
  int pairs = 0;
  double median_ns = 0;  // Over its pairs' medians.
  // 95% interval: its pairs resampled (each pair one value, its median); one pair: its own.
  double low_ns = 0, high_ns = 0;
  double min_ns = 0;
};

struct LatencyFigures {
  std::vector<PairFigures> pairs;          // Pairs with samples, in the run's pair order.
  std::vector<RelationFigures> relations;  // Relations measured, closest first.
  StructureReport structure;
  std::size_t samples = 0;    // Every sample recorded.
  std::size_t wrong = 0;      // Samples whose handoff broke (ok = 0).
  std::size_t off_place = 0;  // Samples taken with a rank off its PU (placed_ok = 0).
  std::size_t disturbed = 0;  // Samples in a disturbed visit.
};

// The figures of `samples` (any order) of `round_trips` each over the run's `pairs`.
LatencyFigures compute_latency_figures(std::span<const PuPair> pairs,
                                       std::span<const LatencySample> samples,
                                       std::uint64_t round_trips);

// A sample's one-way latency: its time / round trips / 2.
double one_way_ns(const LatencySample& sample, std::uint64_t round_trips);

}  // namespace shmcount

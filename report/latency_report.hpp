// The sinks of a latency map (--latency): its CSV (long form, one row per sample, with a schema
// declared once here), the header and summary rank 0 prints, and the run context JSON. Like the
// counting run's sinks they see only the run's description, its samples and their figures.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cli/options.hpp"
#include "latency/figures.hpp"
#include "placement/pairs.hpp"
#include "report/context.hpp"
#include "report/record.hpp"

namespace shmcount {

// Everything fixed for a latency map, shared by every sample.
struct LatencyRunInfo {
  std::string run_id;
  Options options;
  NodeInfo node;              // The one node the two ranks ran on.
  MachineView machine;        // Its PUs, with the objects above them (the run context's "pus").
  std::vector<PuPair> pairs;  // The plan; pairs that could not be bound are flagged with why.
  std::string line;           // Where the bounced line lives, for the run context.
  std::size_t visits = 0;     // Visits of a pair in a round that were measured.
  std::size_t disturbed_visits = 0;
  std::string failure;  // Why measuring stopped (a broken handoff), or empty.
};

struct LatencyColumn {
  std::string_view name;
  std::string_view description;
  std::string (*value)(const LatencyRunInfo& run, const LatencySample& sample);
};
// The CSV's columns, in order (--list latency-columns).
std::span<const LatencyColumn> latency_csv_schema();

std::string format_latency_csv(const LatencyRunInfo& run, std::span<const LatencySample> samples);

// What rank 0 prints before set-up: the map about to be measured.
std::string format_latency_header(const LatencyRunInfo& run);

// The summary: per relation and per pair (a matrix up to 16 PUs), the structure against hwloc's
// tree, verification, placement and disturbance, and the files.
std::string format_latency_summary(const LatencyRunInfo& run, const LatencyFigures& figures,
                                   const std::string& csv_path, const std::string& json_path);

// The run context: the counting run's provenance and machine keys, "mode": "latency", the
// config (the latency parameters and --share), the figures and the columns.
std::string format_latency_context_json(const LatencyRunInfo& run, const Provenance& provenance,
                                        const LatencyFigures& figures, const std::string& csv_name);

// Most PUs the summary draws as a matrix.
inline constexpr std::size_t kMatrixPus = 16;

}  // namespace shmcount

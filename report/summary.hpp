// The human summary rank 0 prints: the article's table generalised, with spread and placement.
#pragma once

#include <string>
#include <vector>

#include "report/record.hpp"

namespace shmcount {

// A repetition far outside the others of its phase: more than 3x the median and more than 10
// median absolute deviations above it (among at least 3 repetitions). A rank that was paused
// (SIGSTOP, a debugger, swapping) or starved shows this way.
struct Outlier {
  Phase phase = Phase::kParallel;
  std::int64_t rep = 0;
  double ms = 0;
  double median_ms = 0;
};

// Figures derived from the records, shared by the summary and the run context.
struct RunFigures {
  std::vector<double> parallel_ms;    // Per repetition: the slowest rank's time.
  std::vector<double> sequential_ms;  // Per repetition: all nodes' sequential times added.
  std::vector<double> unit_ms;        // Every parallel record: one rank's unit.
  double speedup = 0;                 // Median sequential / median parallel; 0 without baseline.
  double efficiency = 0;              // speedup / ranks.
  int wrong_counts = 0;               // Records that failed verification.
  int off_plan = 0;                   // Records whose rank ran elsewhere than planned.
  int oversubscribed_ranks = 0;
  int rebound_ranks = 0;
  std::vector<Outlier> outliers;
};

// The repetitions of `per_rep` (indexed by repetition) far outside the others, as Outlier says.
std::vector<Outlier> find_outliers(Phase phase, const std::vector<double>& per_rep);

RunFigures compute_figures(const RunInfo& run, const std::vector<Record>& records);

std::string format_summary(const RunInfo& run, const std::vector<Record>& records,
                           const std::string& csv_path, const std::string& json_path);

}  // namespace shmcount

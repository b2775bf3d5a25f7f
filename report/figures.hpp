// Every figure derived from a run's records, computed once (compute_figures) into one value that
// every sink takes: the summary, the run context. No sink computes a figure of its own.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "report/record.hpp"
#include "report/stats.hpp"

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

// A node's load average (1 minute) before set-up and after the timed phases, against what the
// run itself puts there: a load above max(usable PUs, the node's ranks) + 1 means something
// else wanted the node's CPUs while the run measured.
struct LoadCheck {
  int node = 0;
  double before = -1;  // -1: not read.
  double after = -1;
  int usable_pus = 0;
  double limit = 0;
  bool over = false;
};

// One node's own figures, for the per-node table and the memory block.
struct NodeFigures {
  int index = 0;
  Spread parallel_ms;    // Makespans of its ranks, per repetition.
  Spread sequential_ms;  // Its leader doing all its units, per repetition (n 0: no baseline).
  double speedup = 0;    // Its median sequential / its median makespan; 0 without baseline.
  // What each probe sums up to on the node: (probe column, summary line).
  std::vector<std::pair<std::string, std::string>> memory_lines;
};

// How much work the run did per second: the kernel's own work (compares, element visits, a
// plugin's unit) and count updates, per rank (one unit / the median unit time) and for the job
// (every rank's unit / the median makespan).
struct Rates {
  std::string work_unit;  // "compares", "element visits", a plugin kernel's work_unit.
  double work_per_unit = 0;
  double work_per_s_rank = 0;
  double work_per_s_job = 0;
  double updates_per_unit = 0;
  double updates_per_s_rank = 0;
  double updates_per_s_job = 0;
};

// Faster than perfect scaling, the one rule (docs/measuring.md; the analysis reads this flag from
// the run context, and applies the same rule, stats.faster_than_ideal, only to runs of an older
// shmcount): with a baseline, the median makespan lies below the ideal parallel time by more than
// the measured spread, median < ideal * (1 - noise), where noise is the larger coefficient of
// variation of the makespans and of the sequential times. With N ranks on at least N PUs the ideal
// is the sequential time / N, so this is an efficiency above 1 by more than the noise; with more
// ranks than PUs the efficiency stays low while the makespan can still beat the ideal.
bool faster_than_ideal(double median_ms, double ideal_ms, double noise);

struct RunFigures {
  // Per repetition: the makespan, last rank's end minus first rank's start on each node (one
  // CLOCK_MONOTONIC per node), the largest over nodes. The job's parallel time.
  std::vector<double> parallel_ms;
  // Per repetition, each rank's own kernel time: the fastest, the mean and the slowest rank
  // (IMB's t_min, t_avg, t_max). The slowest can leave out time a rank waited for a core.
  std::vector<double> t_min_ms, t_avg_ms, t_max_ms;
  std::vector<double> sequential_ms;  // Per repetition: all nodes' sequential times added.
  std::vector<double> unit_ms;        // Every parallel record: one rank's unit.
  // Their spreads, computed here once: what the summary, the run context and the analysis show.
  Spread parallel, t_min, t_avg, t_max, sequential, unit;
  Spread start_skew_us;   // Per (node, repetition): last start minus first start.
  double speedup = 0;     // Median sequential / median parallel; 0 without baseline.
  double efficiency = 0;  // speedup / ranks.
  // The parallel time perfect scaling would give: on each node, ceil(ranks / usable PUs) units
  // of one unit's sequential time (median); the largest over nodes. 0 without baseline.
  double ideal_ms = 0;
  int units_per_pu = 0;  // ceil(ranks / PUs) on the node that sets ideal_ms.
  // The median makespan / ideal_ms (0 without baseline), the noise the rule allows (the larger cv
  // of parallel and sequential), and the rule's verdict (faster_than_ideal above).
  double ideal_ratio = 0;
  double noise = 0;
  bool faster_than_ideal = false;
  bool ideal_within_range = false;  // The ideal lies within min..max of the makespans.
  Rates rates;
  int wrong_counts = 0;  // Records that failed verification.
  int off_plan = 0;      // Records whose rank ran elsewhere than planned.
  int oversubscribed_ranks = 0;
  int rebound_ranks = 0;
  std::vector<Outlier> outliers;
  // Disturbance (placement/disturbance.hpp): repetitions with a disturbed record, the record that
  // lost most, the load on each node, and whether the run as a whole is to be read as disturbed
  // (a node's load above its limit, or a quarter of the parallel repetitions disturbed), with why.
  int disturbed_reps = 0;
  int disturbed_sequential = 0;
  std::optional<Record> most_disturbed;
  std::vector<LoadCheck> load;
  bool run_disturbed = false;
  std::string disturbed_why;
  std::vector<NodeFigures> nodes;  // In run.nodes order.
};

RunFigures compute_figures(const RunInfo& run, const std::vector<Record>& records);

// Per repetition, the makespan of the parallel records of `node` (-1: every node, the largest).
std::vector<double> makespan_per_rep(const std::vector<Record>& records, int node = -1);

// The repetitions of `per_rep` (indexed by repetition) far outside the others, as Outlier says.
std::vector<Outlier> find_outliers(Phase phase, const std::vector<double>& per_rep);

// Time a record lost to waiting for a CPU and to steal, ns (what the summary ranks records by).
std::int64_t lost_ns(const Record& r);

// A node's LoadCheck from its noise readings (load_before, load_after), for counting runs and
// latency maps alike.
LoadCheck load_check(const NodeInfo& node);

}  // namespace shmcount

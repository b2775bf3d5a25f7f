#include "summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "common/text.hpp"
#include "report/stats.hpp"

namespace shmcount {
namespace {

constexpr double kNsPerMs = 1e6;

std::string fmt(const char* format, double a) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, a);
  return buf;
}

std::string spread_line(const std::string& label, const Spread& s) {
  char buf[200];
  std::snprintf(buf, sizeof buf, "  %-34s %10.3f %10.3f %10.3f %7.1f%%\n", label.c_str(), s.min,
                s.median, s.max, 100 * s.cv);
  return buf;
}

// Per repetition, the slowest time among `records` of `phase` (optionally one node only).
std::vector<double> slowest_per_rep(const std::vector<Record>& records, Phase phase,
                                    int node = -1) {
  std::map<std::int64_t, double> by_rep;
  for (const auto& r : records) {
    if (r.phase != phase || (node >= 0 && r.node != node)) continue;
    double& slot = by_rep[r.rep];
    slot = std::max(slot, static_cast<double>(r.time_ns) / kNsPerMs);
  }
  std::vector<double> out;
  for (const auto& [rep, ms] : by_rep) out.push_back(ms);
  return out;
}

// Per repetition, the sum over nodes of the sequential times: one process doing every unit.
std::vector<double> sequential_per_rep(const std::vector<Record>& records) {
  std::map<std::int64_t, double> by_rep;
  for (const auto& r : records) {
    if (r.phase == Phase::kSequential) by_rep[r.rep] += static_cast<double>(r.time_ns) / kNsPerMs;
  }
  std::vector<double> out;
  for (const auto& [rep, ms] : by_rep) out.push_back(ms);
  return out;
}

// Per (node, repetition): last start minus first start, in microseconds.
std::vector<double> start_skew_us(const std::vector<Record>& records) {
  std::map<std::pair<int, std::int64_t>, std::pair<std::int64_t, std::int64_t>> range;
  for (const auto& r : records) {
    if (r.phase != Phase::kParallel) continue;
    auto [it, fresh] = range.try_emplace({r.node, r.rep}, r.start_ns, r.start_ns);
    it->second.first = std::min(it->second.first, r.start_ns);
    it->second.second = std::max(it->second.second, r.start_ns);
  }
  std::vector<double> out;
  for (const auto& [key, lh] : range)
    out.push_back(static_cast<double>(lh.second - lh.first) / 1e3);
  return out;
}

std::string rate(double per_second) {
  if (per_second >= 1e9) return fmt("%.2f G", per_second / 1e9);
  if (per_second >= 1e6) return fmt("%.2f M", per_second / 1e6);
  return fmt("%.0f ", per_second);
}

}  // namespace

std::vector<Outlier> find_outliers(Phase phase, const std::vector<double>& per_rep) {
  std::vector<Outlier> out;
  if (per_rep.size() < 3) return out;
  const double median = spread_of(per_rep).median;
  std::vector<double> deviations;
  for (double x : per_rep) deviations.push_back(std::abs(x - median));
  const double mad = spread_of(deviations).median;
  for (std::size_t rep = 0; rep < per_rep.size(); ++rep) {
    const double x = per_rep[rep];
    if (x > 3 * median && x - median > 10 * mad) {
      out.push_back(Outlier{phase, static_cast<std::int64_t>(rep), x, median});
    }
  }
  return out;
}

RunFigures compute_figures(const RunInfo& run, const std::vector<Record>& records) {
  RunFigures f;
  f.parallel_ms = slowest_per_rep(records, Phase::kParallel);
  f.sequential_ms = sequential_per_rep(records);
  std::set<int> over, rebound;
  for (const auto& r : records) {
    if (r.phase == Phase::kParallel) f.unit_ms.push_back(static_cast<double>(r.time_ns) / kNsPerMs);
    f.wrong_counts += r.ok ? 0 : 1;
    f.off_plan += r.placed_ok ? 0 : 1;
    if (r.oversubscribed) over.insert(r.rank);
    if (r.rebound) rebound.insert(r.rank);
  }
  f.oversubscribed_ranks = static_cast<int>(over.size());
  f.rebound_ranks = static_cast<int>(rebound.size());
  f.outliers = find_outliers(Phase::kParallel, f.parallel_ms);
  for (const auto& o : find_outliers(Phase::kSequential, f.sequential_ms)) f.outliers.push_back(o);
  const Spread par = spread_of(f.parallel_ms);
  const Spread seq = spread_of(f.sequential_ms);
  if (seq.n > 0 && par.median > 0) {
    f.speedup = seq.median / par.median;
    f.efficiency = f.speedup / run.ranks;
  }
  return f;
}

std::string format_summary(const RunInfo& run, const std::vector<Record>& records,
                           const std::string& csv_path, const std::string& json_path) {
  const RunFigures f = compute_figures(run, records);
  const Spread par = spread_of(f.parallel_ms);
  const Spread seq = spread_of(f.sequential_ms);
  const Spread unit = spread_of(f.unit_ms);
  std::ostringstream out;

  out << "shmcount: " << run.ranks << " rank(s) on " << run.nodes.size() << " node(s), kernel "
      << run.kernel << " (" << run.algorithm << "), " << run.size << " int32 x " << run.values
      << " values (" << run.pattern << " data), --pin " << run.strategy << "\n";
  out << "times per repetition over " << run.reps << " timed repetition(s) after " << run.warmup
      << " warm-up(s); parallel = the slowest rank\n\n";

  out << "  ranks  sequential ms  parallel ms  speedup  efficiency\n";
  char row[200];
  if (seq.n) {
    std::snprintf(row, sizeof row, "  %5d  %13.3f  %11.3f  %6.2fx  %9.0f%%\n", run.ranks,
                  seq.median, par.median, f.speedup, 100 * f.efficiency);
  } else {
    std::snprintf(row, sizeof row, "  %5d  %13s  %11.3f  %7s  %10s\n", run.ranks, "-", par.median,
                  "-", "-");
  }
  out << row << "\n";

  std::snprintf(row, sizeof row, "  %-34s %10s %10s %10s %8s\n", "spread (ms)", "min", "median",
                "max", "cv");
  out << row;
  if (seq.n) out << spread_line("sequential: 1 process, all units", seq);
  out << spread_line("parallel: slowest rank", par);
  out << spread_line("one rank's unit (all ranks, reps)", unit);
  if (seq.n && par.n) {
    const bool overlap = seq.min / run.ranks <= par.max && par.min <= seq.max / run.ranks;
    if (run.ranks > 1 && overlap) {
      out << "  note: ideal-speedup parallel time (" << fmt("%.3f", seq.median / run.ranks)
          << " ms) lies within the spread of the parallel times\n";
    }
  }

  const double work = run.work_per_unit;
  const double unit_s = unit.median / 1e3;
  const char* what = run.algorithm == "histogram" ? "element visits" : "compares";
  out << "\nper unit: " << rate(work) << what << "; median " << fmt("%.3f", unit.median)
      << " ms = " << rate(work / unit_s) << what << "/s per rank, "
      << rate(work * run.ranks / (par.median / 1e3)) << what << "/s for the job\n";
  const Spread skew = spread_of(start_skew_us(records));
  out << "start skew (last minus first start in a repetition): median " << fmt("%.1f", skew.median)
      << " us, max " << fmt("%.1f", skew.max) << " us\n";

  if (run.nodes.size() > 1) {
    out << "\n  node  host                  ranks  sequential ms  parallel ms  speedup\n";
    for (const auto& node : run.nodes) {
      const Spread np = spread_of(slowest_per_rep(records, Phase::kParallel, node.index));
      const Spread ns = spread_of(slowest_per_rep(records, Phase::kSequential, node.index));
      std::snprintf(row, sizeof row, "  %4d  %-20s  %5d  %13.3f  %11.3f  %6.2fx\n", node.index,
                    printable(node.host).c_str(), node.ranks, ns.median, np.median,
                    np.median > 0 && ns.n ? ns.median / np.median : 0.0);
      out << row;
    }
    std::set<std::string> shapes;
    for (const auto& node : run.nodes) shapes.insert(node.cpu_model + " / " + node.topology);
    if (shapes.size() > 1) out << "  note: the nodes differ (CPU model or topology)\n";
  }

  out << "\nplacement (last timed repetition):\n";
  for (const auto& node : run.nodes) {
    out << "node " << node.index << " (" << printable(node.host) << "): " << node.topology << "\n";
    out << "  available: " << node.available << ", from " << node.available_from << "\n";
    out << "  rank  local  planned  ran on PU L#  P#  core  NUMA  package  bound to\n";
    for (const auto& r : records) {
      if (r.phase != Phase::kParallel || r.node != node.index ||
          r.rep != static_cast<std::int64_t>(run.reps) - 1) {
        continue;
      }
      auto cell = [](int v) { return v < 0 ? std::string("-") : std::to_string(v); };
      std::snprintf(row, sizeof row, "  %4d  %5d  %7s  %12s  %2s  %4s  %4s  %7s  %s%s%s\n", r.rank,
                    r.local_rank, cell(r.planned_pu).c_str(), cell(r.pu_logical).c_str(),
                    cell(r.pu_os).c_str(), cell(r.core).c_str(), cell(r.numa).c_str(),
                    cell(r.package).c_str(), run.info_of(r.rank).mask.c_str(),
                    r.placed_ok ? "" : "  NOT AS PLANNED",
                    r.oversubscribed ? "  (shares its PU)" : "");
      out << row;
    }
    out << node.placement_map;
  }
  if (f.off_plan) {
    out << "warning: " << f.off_plan
        << " record(s) ran elsewhere than planned (see placed_ok in the CSV)\n";
  }
  if (f.rebound_ranks) {
    out << "note: the launcher had bound " << f.rebound_ranks
        << " rank(s); shmcount rebound them as --pin " << run.strategy
        << " says (--pin launcher keeps the launcher's binding)\n";
  }
  if (f.oversubscribed_ranks) {
    out << "warning: " << f.oversubscribed_ranks
        << " rank(s) shared a PU (oversubscribed): times include waiting for the PU\n";
  }

  for (const auto& o : f.outliers) {
    out << "warning: " << (o.phase == Phase::kParallel ? "parallel" : "sequential")
        << " repetition " << o.rep << " took " << fmt("%.3f", o.ms) << " ms, "
        << fmt("%.0f", o.ms / o.median_ms) << "x the median (" << fmt("%.3f", o.median_ms)
        << " ms): far outside the others; a rank was paused or starved (SIGSTOP, a debugger, "
           "swapping?). It is kept in the CSV and widens the spread: consider running again\n";
  }

  const std::size_t checked = records.size();
  if (f.wrong_counts) {
    out << "\nverification: " << f.wrong_counts << " of " << checked << " repetitions WRONG\n";
  } else {
    out << "\nverification: all counts right in " << checked << " timed repetition(s)\n";
  }
  if (!csv_path.empty()) {
    out << "results: " << printable(csv_path) << "  (context: " << printable(json_path) << ")\n";
  }
  return out.str();
}

}  // namespace shmcount

#include "summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>

#include "common/text.hpp"
#include "memory/probes.hpp"
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

// Per repetition, the values of `of` over the records `keep` selects, reduced by `combine`.
template <class Keep, class Of, class Combine>
std::vector<double> per_rep(const std::vector<Record>& records, Keep keep, Of of, Combine combine) {
  std::map<std::int64_t, std::vector<double>> by_rep;
  for (const auto& r : records) {
    if (keep(r)) by_rep[r.rep].push_back(of(r));
  }
  std::vector<double> out;
  for (const auto& [rep, xs] : by_rep) out.push_back(combine(xs));
  return out;
}

double ms_of(const Record& r) { return static_cast<double>(r.time_ns) / kNsPerMs; }
double max_of(const std::vector<double>& xs) { return *std::max_element(xs.begin(), xs.end()); }
double min_of(const std::vector<double>& xs) { return *std::min_element(xs.begin(), xs.end()); }
double mean_of(const std::vector<double>& xs) {
  double sum = 0;
  for (double x : xs) sum += x;
  return sum / static_cast<double>(xs.size());
}

// Per repetition, the slowest sequential time of `node`.
std::vector<double> sequential_of_node(const std::vector<Record>& records, int node) {
  return per_rep(
      records, [&](const Record& r) { return r.phase == Phase::kSequential && r.node == node; },
      ms_of, max_of);
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

// The first number of a load reading ("1.23 0.98 0.50"), or -1.
double one_minute_load(const NodeInfo& node, const std::string& name) {
  for (const auto& [key, value] : node.noise) {
    if (key != name) continue;
    char* end = nullptr;
    const double load = std::strtod(value.c_str(), &end);
    return end == value.c_str() ? -1 : load;
  }
  return -1;
}

void note_disturbance(const RunInfo& run, const std::vector<Record>& records, RunFigures& f) {
  std::set<std::int64_t> parallel, sequential;
  for (const auto& r : records) {
    if (!r.disturbed) continue;
    (r.phase == Phase::kParallel ? parallel : sequential).insert(r.rep);
  }
  f.disturbed_reps = static_cast<int>(parallel.size());
  f.disturbed_sequential = static_cast<int>(sequential.size());
  std::string why;
  for (const auto& node : run.nodes) {
    LoadCheck c;
    c.node = node.index;
    c.before = one_minute_load(node, "load_before");
    c.after = one_minute_load(node, "load_after");
    c.usable_pus = node.pus;
    c.limit = std::max(node.pus, node.ranks) + 1.0;
    c.over = std::max(c.before, c.after) > c.limit;
    if (c.over) {
      why += (why.empty() ? "" : "; ") + std::string("load ") + fmt("%.2f", c.before) +
             " before, " + fmt("%.2f", c.after) + " after on node " + std::to_string(node.index) +
             "'s " + std::to_string(node.pus) + " usable PU(s), above " + fmt("%.0f", c.limit);
    }
    f.load.push_back(c);
  }
  if (f.disturbed_reps > 0 && 4 * static_cast<std::uint64_t>(f.disturbed_reps) >= run.reps) {
    why += (why.empty() ? "" : "; ") + std::to_string(f.disturbed_reps) + " of " +
           std::to_string(run.reps) + " parallel repetitions disturbed";
  }
  f.run_disturbed = !why.empty();
  f.disturbed_why = why;
}

// What disturbed the run: repetitions, the record that lost most, each node's load.
std::string disturbance_lines(const RunInfo& run, const std::vector<Record>& records,
                              const RunFigures& f) {
  std::ostringstream out;
  const Record* worst = nullptr;
  auto lost = [](const Record& r) {
    return std::max<std::int64_t>(r.disturbance[kRunDelayNs], 0) +
           std::max<std::int64_t>(r.disturbance[kStealNs], 0);
  };
  for (const auto& r : records) {
    if (r.disturbed && (!worst || lost(r) > lost(*worst))) worst = &r;
  }
  out << "disturbance: ";
  if (!worst) {
    out << "none (no repetition lost over " << fmt("%.0f", 100 * kLostShare)
        << "% of its time waiting for a CPU or to steal, no major fault, no pinned rank "
           "moved)\n";
  } else {
    out << f.disturbed_reps << " of " << run.reps << " parallel repetition(s)";
    if (f.disturbed_sequential) out << " and " << f.disturbed_sequential << " sequential";
    out << " disturbed (CSV column disturbed); most: rank " << worst->rank << ", "
        << (worst->phase == Phase::kParallel ? "parallel" : "sequential") << " repetition "
        << worst->rep << ": " << fmt("%.3f", static_cast<double>(lost(*worst)) / kNsPerMs)
        << " ms waiting for a CPU or stolen of " << fmt("%.3f", ms_of(*worst)) << " ms, "
        << std::max<std::int64_t>(worst->disturbance[kInvoluntarySwitches], 0)
        << " involuntary switch(es)\n";
  }
  for (const auto& c : f.load) {
    out << "load (1 min) on node " << c.node << ": " << fmt("%.2f", c.before) << " before, "
        << fmt("%.2f", c.after) << " after, " << c.usable_pus << " usable PU(s)"
        << (c.over ? "; above " + fmt("%.0f", c.limit) + ": something else wanted the CPUs" : "")
        << "\n";
  }
  if (f.run_disturbed) {
    out << "warning: this run is disturbed (" << f.disturbed_why
        << "): its times carry other work; run it again on a quieter machine, or let the "
           "analysis leave it out\n";
  }
  return out.str();
}

}  // namespace

std::vector<double> makespan_per_rep(const std::vector<Record>& records, int node) {
  // (node, rep) -> first start, last end: starts compare only within a node.
  std::map<std::pair<std::int64_t, int>, std::pair<std::int64_t, std::int64_t>> span;
  for (const auto& r : records) {
    if (r.phase != Phase::kParallel || (node >= 0 && r.node != node)) continue;
    const std::int64_t end = r.start_ns + r.time_ns;
    auto [it, fresh] = span.try_emplace({r.rep, r.node}, r.start_ns, end);
    it->second.first = std::min(it->second.first, r.start_ns);
    it->second.second = std::max(it->second.second, end);
  }
  std::map<std::int64_t, double> by_rep;
  for (const auto& [key, first_last] : span) {
    const double ms = static_cast<double>(first_last.second - first_last.first) / kNsPerMs;
    by_rep[key.first] = std::max(by_rep[key.first], ms);
  }
  std::vector<double> out;
  for (const auto& [rep, ms] : by_rep) out.push_back(ms);
  return out;
}

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
  f.parallel_ms = makespan_per_rep(records);
  auto parallel = [](const Record& r) { return r.phase == Phase::kParallel; };
  f.t_min_ms = per_rep(records, parallel, ms_of, min_of);
  f.t_avg_ms = per_rep(records, parallel, ms_of, mean_of);
  f.t_max_ms = per_rep(records, parallel, ms_of, max_of);
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
  note_disturbance(run, records, f);
  const Spread par = spread_of(f.parallel_ms);
  const Spread seq = spread_of(f.sequential_ms);
  if (seq.n > 0 && par.median > 0) {
    f.speedup = seq.median / par.median;
    f.efficiency = f.speedup / run.ranks;
  }
  for (const auto& node : run.nodes) {
    const Spread node_seq = spread_of(sequential_of_node(records, node.index));
    if (node_seq.n == 0 || node.ranks == 0 || node.pus == 0) continue;
    const int units = (node.ranks + node.pus - 1) / node.pus;
    const double ideal = units * node_seq.median / node.ranks;
    if (ideal > f.ideal_ms) {
      f.ideal_ms = ideal;
      f.units_per_pu = units;
    }
  }
  return f;
}

std::vector<std::pair<std::string, std::string>> node_memory_lines(
    const RunInfo& run, const NodeInfo& node, const std::vector<Record>& records) {
  std::set<int> ranks;
  for (const auto& r : records) {
    if (r.node == node.index && r.phase == Phase::kParallel) ranks.insert(r.rank);
  }
  std::vector<std::pair<std::string, std::string>> out;
  const auto probes = probe_table();
  for (std::size_t p = 0; p < probes.size(); ++p) {
    std::vector<std::string> values;
    for (int rank : ranks) {
      const auto& info = run.info_of(rank);
      if (p < info.probes.size()) values.push_back(info.probes[p]);
    }
    std::string line = probes[p].summarize(values);
    if (!line.empty()) out.emplace_back(std::string(probes[p].column), std::move(line));
  }
  return out;
}

std::string format_header(const RunInfo& run) {
  std::ostringstream out;
  out << "shmcount: " << run.ranks << " rank(s) on " << run.node_count << " node(s), kernel "
      << run.kernel << " (" << run.algorithm << "), " << run.size << " int32 x " << run.values
      << " values (" << run.pattern << " data), --pin " << run.strategy << ", " << run.reps
      << " repetition(s) after " << run.warmup << " warm-up(s)\n"
      << "memory: --share " << run.share << ", --pages " << run.pages << ", touch " << run.touch
      << ", --mempolicy " << run.mempolicy << "\n";
  return out.str();
}

std::string format_summary(const RunInfo& run, const std::vector<Record>& records,
                           const std::string& csv_path, const std::string& json_path) {
  const RunFigures f = compute_figures(run, records);
  const Spread par = spread_of(f.parallel_ms);
  const Spread seq = spread_of(f.sequential_ms);
  const Spread unit = spread_of(f.unit_ms);
  std::ostringstream out;

  out << "times per repetition: parallel = makespan, the first rank's start to the last rank's "
         "end\n\n";

  out << "  ranks  sequential ms  parallel ms  speedup  efficiency\n";
  char row[200];
  if (seq.n) {
    std::snprintf(row, sizeof row, "  %5d  %13.3f  %11.3f  %6.2fx  %9.0f%%%s\n", run.ranks,
                  seq.median, par.median, f.speedup, 100 * f.efficiency,
                  f.efficiency > 1 ? "  above 100%: see below" : "");
  } else {
    std::snprintf(row, sizeof row, "  %5d  %13s  %11.3f  %7s  %10s\n", run.ranks, "-", par.median,
                  "-", "-");
  }
  out << row << "\n";

  std::snprintf(row, sizeof row, "  %-34s %10s %10s %10s %8s\n", "spread (ms)", "min", "median",
                "max", "cv");
  out << row;
  if (seq.n) out << spread_line("sequential: 1 process, all units", seq);
  out << spread_line("parallel: makespan", par);
  out << spread_line("each rank's own time: t_min", spread_of(f.t_min_ms));
  out << spread_line("                      t_avg", spread_of(f.t_avg_ms));
  out << spread_line("                      t_max", spread_of(f.t_max_ms));
  out << spread_line("one rank's unit (all ranks, reps)", unit);
  if (f.ideal_ms > 0) {
    out << "  ideal parallel time: ceil(ranks / available PUs) = " << f.units_per_pu
        << " unit(s) of the sequential unit time = " << fmt("%.3f", f.ideal_ms) << " ms";
    if (par.min <= f.ideal_ms && f.ideal_ms <= par.max) {
      out << ";\n  it lies within min..max of the makespans: as fast as these PUs allow, within "
             "the noise";
    }
    out << "\n";
  }
  if (f.efficiency > 1 || (f.ideal_ms > 0 && par.median < 0.9 * f.ideal_ms)) {
    out << "  warning: faster than perfect scaling (efficiency " << fmt("%.0f", 100 * f.efficiency)
        << "%, median makespan below the ideal): not a real speedup; the sequential baseline "
           "was slowed (noise, frequency) or the units differ\n";
  }

  const double work = run.work_per_unit;
  const double unit_s = unit.median / 1e3;
  const char* what = run.algorithm == "histogram" ? "element visits" : "compares";
  out << "\nper unit: " << rate(work) << what << "; median " << fmt("%.3f", unit.median)
      << " ms = " << rate(work / unit_s) << what << "/s per rank, "
      << rate(work * run.ranks / (par.median / 1e3)) << what << "/s for the job (by makespan)\n";
  const Spread skew = spread_of(start_skew_us(records));
  out << "start skew (last minus first start in a repetition): median " << fmt("%.1f", skew.median)
      << " us, max " << fmt("%.1f", skew.max) << " us\n";

  out << disturbance_lines(run, records, f);

  if (run.nodes.size() > 1) {
    out << "\n  node  host                  ranks  sequential ms  parallel ms  speedup\n";
    for (const auto& node : run.nodes) {
      const Spread np = spread_of(makespan_per_rep(records, node.index));
      const Spread ns = spread_of(sequential_of_node(records, node.index));
      std::snprintf(row, sizeof row, "  %4d  %-20s  %5d  %13.3f  %11.3f  %6.2fx\n", node.index,
                    printable(node.host).c_str(), node.ranks, ns.median, np.median,
                    np.median > 0 && ns.n ? ns.median / np.median : 0.0);
      out << row;
    }
    std::set<std::string> shapes;
    for (const auto& node : run.nodes) shapes.insert(node.cpu_model + " / " + node.topology);
    if (shapes.size() > 1) out << "  note: the nodes differ (CPU model or topology)\n";
  }

  out << "\nmemory (--share " << run.share << ", --pages " << run.pages << ", touch " << run.touch
      << ", --mempolicy " << run.mempolicy << "):\n";
  for (const auto& node : run.nodes) {
    out << "node " << node.index << " (" << printable(node.host)
        << "): " << fmt("%.0f", static_cast<double>(node.mapped_bytes)) << " bytes allocated"
        << (run.share == "private" ? " per rank" : "") << "; policy " << node.policy << "\n";
    for (const auto& [column, line] : node_memory_lines(run, node, records)) {
      out << "  " << line << "\n";
    }
    for (const auto& note : node.memory_notes) out << "  note: " << note << "\n";
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
    out << "\nverification: " << f.wrong_counts << " of " << checked
        << " records WRONG (one per rank and repetition, and per node sequentially)\n";
  } else {
    out << "\nverification: all counts right in " << checked << " records (" << run.reps
        << " repetition(s) x " << run.ranks << " rank(s)"
        << (checked > run.reps * static_cast<std::uint64_t>(run.ranks)
                ? ", and the sequential baseline per node"
                : "")
        << ")\n";
  }
  if (!csv_path.empty()) {
    out << "results: " << printable(csv_path) << "  (context: " << printable(json_path) << ")\n";
  }
  return out.str();
}

}  // namespace shmcount

#include "summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>

#include "cli/params.hpp"
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

std::string rate(double per_second) {
  if (per_second >= 1e9) return fmt("%.2f G", per_second / 1e9);
  if (per_second >= 1e6) return fmt("%.2f M", per_second / 1e6);
  return fmt("%.0f ", per_second);
}

// What disturbed the run: repetitions, the record that lost most, each node's load.
std::string disturbance_lines(const RunInfo& run, const RunFigures& f) {
  std::ostringstream out;
  out << "disturbance: ";
  if (!f.most_disturbed) {
    out << "none (no repetition lost over " << fmt("%.0f", 100 * kLostShare)
        << "% of its time waiting for a CPU or to steal, no major fault, no pinned rank "
           "moved)\n";
  } else {
    const Record& worst = *f.most_disturbed;
    out << f.disturbed_reps << " of " << run.options.reps << " parallel repetition(s)";
    if (f.disturbed_sequential) out << " and " << f.disturbed_sequential << " sequential";
    out << " disturbed (CSV column disturbed); most: rank " << worst.rank << ", "
        << (worst.phase == Phase::kParallel ? "parallel" : "sequential") << " repetition "
        << worst.rep << ": " << fmt("%.3f", static_cast<double>(lost_ns(worst)) / kNsPerMs)
        << " ms waiting for a CPU or stolen of "
        << fmt("%.3f", static_cast<double>(worst.time_ns) / kNsPerMs) << " ms, "
        << std::max<std::int64_t>(worst.disturbance[kInvoluntarySwitches], 0)
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

std::string format_header(const RunInfo& run) {
  const Options& o = run.options;
  std::ostringstream out;
  out << "shmcount: " << run.ranks << " rank(s) on " << run.node_count << " node(s), kernel "
      << o.kernel->name << " (" << run.algorithm << "), " << o.reps << " repetition(s) after "
      << o.warmup << " warm-up(s)" << (o.baseline ? "" : ", no sequential baseline") << "\n"
      << "  run: " << group_options(ParamGroup::kRun, o) << "\n"
      << "  placement: " << group_options(ParamGroup::kPlacement, o) << "\n"
      << "  memory: " << group_options(ParamGroup::kMemory, o) << "\n";
  return out.str();
}

std::string format_summary(const RunInfo& run, const std::vector<Record>& records,
                           const RunFigures& f, const std::string& csv_path,
                           const std::string& json_path) {
  const Spread& par = f.parallel;
  const Spread& seq = f.sequential;
  const Spread& unit = f.unit;
  std::ostringstream out;

  out << "times per repetition: parallel = makespan, the first rank's start to the last rank's "
         "end\n\n";

  out << "  ranks  sequential ms  parallel ms  speedup  efficiency\n";
  char row[200];
  if (seq.n) {
    std::snprintf(row, sizeof row, "  %5d  %13.3f  %11.3f  %6.2fx  %9.0f%%%s\n", run.ranks,
                  seq.median, par.median, f.speedup, 100 * f.efficiency,
                  f.faster_than_ideal ? "  faster than ideal: see below" : "");
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
  out << spread_line("each rank's own time: t_min", f.t_min);
  out << spread_line("                      t_avg", f.t_avg);
  out << spread_line("                      t_max", f.t_max);
  out << spread_line("one rank's unit (all ranks, reps)", unit);
  if (f.ideal_ms > 0) {
    out << "  ideal parallel time: ceil(ranks / available PUs) = " << f.units_per_pu
        << " unit(s) of the sequential unit time = " << fmt("%.3f", f.ideal_ms) << " ms";
    if (f.ideal_within_range) {
      out << ";\n  it lies within min..max of the makespans: as fast as these PUs allow, within "
             "the noise";
    }
    out << "\n";
  }
  if (f.faster_than_ideal) {
    out << "  warning: faster than perfect scaling (median makespan " << fmt("%.3f", par.median)
        << " ms, " << fmt("%.0f", 100 * f.ideal_ratio) << "% of the ideal, below it by more than "
        << "the spread of " << fmt("%.1f", 100 * f.noise) << "%";
    // The efficiency only where it is above 100%: with more ranks than PUs it stays low even
    // when the makespan beats the ideal.
    if (f.efficiency > 1) out << "; efficiency " << fmt("%.0f", 100 * f.efficiency) << "%";
    out << "): not a real speedup; the sequential baseline was slowed (noise, frequency) or the "
           "units differ\n";
  }

  const Rates& rates = f.rates;
  const std::string& what = rates.work_unit;
  out << "\nper unit: " << rate(rates.work_per_unit) << what << "; median "
      << fmt("%.3f", unit.median) << " ms = " << rate(rates.work_per_s_rank) << what
      << "/s per rank, " << rate(rates.work_per_s_job) << what << "/s for the job (by makespan)\n";
  const Options& o = run.options;
  out << "counts: --counts " << o.counts->name << ", " << o.counts->description << "; "
      << rate(rates.updates_per_unit) << "count updates per unit, "
      << rate(rates.updates_per_s_rank) << "updates/s per rank, " << rate(rates.updates_per_s_job)
      << "updates/s for the job\n";
  const Spread& skew = f.start_skew_us;
  out << "start skew (last minus first start in a repetition): median " << fmt("%.1f", skew.median)
      << " us, max " << fmt("%.1f", skew.max) << " us\n";

  out << disturbance_lines(run, f);

  if (run.nodes.size() > 1) {
    out << "\n  node  host                  ranks  sequential ms  parallel ms  speedup\n";
    for (std::size_t i = 0; i < run.nodes.size(); ++i) {
      const NodeInfo& node = run.nodes[i];
      const NodeFigures& nf = f.nodes[i];
      std::snprintf(row, sizeof row, "  %4d  %-20s  %5d  %13.3f  %11.3f  %6.2fx\n", node.index,
                    printable(node.host).c_str(), node.ranks, nf.sequential_ms.median,
                    nf.parallel_ms.median, nf.speedup);
      out << row;
    }
    std::set<std::string> shapes;
    for (const auto& node : run.nodes) shapes.insert(node.cpu_model + " / " + node.topology);
    if (shapes.size() > 1) out << "  note: the nodes differ (CPU model or topology)\n";
  }

  out << "\nmemory (" << group_options(ParamGroup::kMemory, run.options) << "):\n";
  for (std::size_t i = 0; i < run.nodes.size(); ++i) {
    const NodeInfo& node = run.nodes[i];
    out << "node " << node.index << " (" << printable(node.host)
        << "): " << fmt("%.0f", static_cast<double>(node.mapped_bytes)) << " bytes allocated"
        << (run.options.share->shared ? "" : " per rank") << "; policy " << node.policy << "\n";
    for (const auto& [column, line] : f.nodes[i].memory_lines) {
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
          r.rep != static_cast<std::int64_t>(run.options.reps) - 1) {
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
        << " rank(s); shmcount rebound them as --pin " << run.options.pin.text
        << " says (--pin launcher keeps the launcher's binding)\n";
  }
  if (f.oversubscribed_ranks) {
    out << "warning: " << f.oversubscribed_ranks
        << " rank(s) shared a PU (oversubscribed): times include waiting for the PU\n";
  }

  for (const auto& x : f.outliers) {
    out << "warning: " << (x.phase == Phase::kParallel ? "parallel" : "sequential")
        << " repetition " << x.rep << " took " << fmt("%.3f", x.ms) << " ms, "
        << fmt("%.0f", x.ms / x.median_ms) << "x the median (" << fmt("%.3f", x.median_ms)
        << " ms): far outside the others; a rank was paused or starved (SIGSTOP, a debugger, "
           "swapping?). It is kept in the CSV and widens the spread: consider running again\n";
  }

  const std::size_t checked = records.size();
  if (f.wrong_counts) {
    out << "\nverification: " << f.wrong_counts << " of " << checked
        << " records WRONG (one per rank and repetition, and per node sequentially)\n";
  } else {
    out << "\nverification: all counts right in " << checked << " records (" << run.options.reps
        << " repetition(s) x " << run.ranks << " rank(s)"
        << (checked > run.options.reps * static_cast<std::uint64_t>(run.ranks)
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

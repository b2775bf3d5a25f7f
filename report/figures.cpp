#include "figures.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>

#include "kernels/kernels.hpp"
#include "memory/probes.hpp"

namespace shmcount {
namespace {

constexpr double kNsPerMs = 1e6;

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
    if (r.phase == Phase::kSequential) by_rep[r.rep] += ms_of(r);
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

std::string two_decimals(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", x);
  return buf;
}

void note_disturbance(const RunInfo& run, const std::vector<Record>& records, RunFigures& f) {
  std::set<std::int64_t> parallel, sequential;
  for (const auto& r : records) {
    if (!r.disturbed) continue;
    (r.phase == Phase::kParallel ? parallel : sequential).insert(r.rep);
    if (!f.most_disturbed || lost_ns(r) > lost_ns(*f.most_disturbed)) f.most_disturbed = r;
  }
  f.disturbed_reps = static_cast<int>(parallel.size());
  f.disturbed_sequential = static_cast<int>(sequential.size());
  std::string why;
  for (const auto& node : run.nodes) {
    const LoadCheck c = load_check(node);
    if (c.over) {
      why += (why.empty() ? "" : "; ") + std::string("load ") + two_decimals(c.before) +
             " before, " + two_decimals(c.after) + " after on node " + std::to_string(node.index) +
             "'s " + std::to_string(node.pus) + " usable PU(s), above " +
             std::to_string(static_cast<int>(c.limit));
    }
    f.load.push_back(c);
  }
  if (f.disturbed_reps > 0 &&
      4 * static_cast<std::uint64_t>(f.disturbed_reps) >= run.options.reps) {
    why += (why.empty() ? "" : "; ") + std::to_string(f.disturbed_reps) + " of " +
           std::to_string(run.options.reps) + " parallel repetitions disturbed";
  }
  f.run_disturbed = !why.empty();
  f.disturbed_why = why;
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

}  // namespace

std::int64_t lost_ns(const Record& r) {
  return std::max<std::int64_t>(r.disturbance[kRunDelayNs], 0) +
         std::max<std::int64_t>(r.disturbance[kStealNs], 0);
}

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
  f.start_skew_us = spread_of(start_skew_us(records));
  std::set<int> over, rebound;
  for (const auto& r : records) {
    if (r.phase == Phase::kParallel) f.unit_ms.push_back(ms_of(r));
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
  f.parallel = spread_of(f.parallel_ms);
  f.t_min = spread_of(f.t_min_ms);
  f.t_avg = spread_of(f.t_avg_ms);
  f.t_max = spread_of(f.t_max_ms);
  f.sequential = spread_of(f.sequential_ms);
  f.unit = spread_of(f.unit_ms);
  const Spread& par = f.parallel;
  const Spread& seq = f.sequential;
  if (seq.n > 0 && par.median > 0) {
    f.speedup = seq.median / par.median;
    f.efficiency = f.speedup / run.ranks;
  }
  for (const auto& node : run.nodes) {
    NodeFigures nf;
    nf.index = node.index;
    nf.parallel_ms = spread_of(makespan_per_rep(records, node.index));
    nf.sequential_ms = spread_of(sequential_of_node(records, node.index));
    if (nf.sequential_ms.n && nf.parallel_ms.median > 0) {
      nf.speedup = nf.sequential_ms.median / nf.parallel_ms.median;
    }
    nf.memory_lines = node_memory_lines(run, node, records);
    f.nodes.push_back(nf);
    if (nf.sequential_ms.n == 0 || node.ranks == 0 || node.pus == 0) continue;
    const int units = (node.ranks + node.pus - 1) / node.pus;
    const double ideal = units * nf.sequential_ms.median / node.ranks;
    if (ideal > f.ideal_ms) {
      f.ideal_ms = ideal;
      f.units_per_pu = units;
    }
  }
  if (f.ideal_ms > 0) {
    f.ideal_ratio = par.median / f.ideal_ms;
    f.noise = std::max(par.cv, seq.cv);
    f.faster_than_ideal = faster_than_ideal(par.median, f.ideal_ms, f.noise);
    f.ideal_within_range = par.min <= f.ideal_ms && f.ideal_ms <= par.max;
  }
  Rates& r = f.rates;
  const Options& o = run.options;
  r.work_unit = std::string(work_unit_name(*o.kernel));
  r.work_per_unit = run.work_per_unit;
  r.updates_per_unit = updates_per_unit(*o.kernel, o.data.size, o.data.values);
  if (f.unit.median > 0) {
    r.work_per_s_rank = r.work_per_unit / (f.unit.median / 1e3);
    r.updates_per_s_rank = r.updates_per_unit / (f.unit.median / 1e3);
  }
  if (par.median > 0) {
    r.work_per_s_job = r.work_per_unit * run.ranks / (par.median / 1e3);
    r.updates_per_s_job = r.updates_per_unit * run.ranks / (par.median / 1e3);
  }
  return f;
}

bool faster_than_ideal(double median_ms, double ideal_ms, double noise) {
  return ideal_ms > 0 && median_ms < ideal_ms * (1 - noise);
}

LoadCheck load_check(const NodeInfo& node) {
  LoadCheck c;
  c.node = node.index;
  c.before = one_minute_load(node, "load_before");
  c.after = one_minute_load(node, "load_after");
  c.usable_pus = node.pus;
  c.limit = std::max(node.pus, node.ranks) + 1.0;
  c.over = std::max(c.before, c.after) > c.limit;
  return c;
}

}  // namespace shmcount

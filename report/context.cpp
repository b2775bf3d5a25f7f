#include "context.hpp"

#include <cstdio>
#include <sstream>

#include "cli/params.hpp"
#include "common/json.hpp"
#include "common/text.hpp"
#include "report/csv.hpp"
#include "report/stats.hpp"

namespace shmcount {
namespace {

std::string noise_json(const std::vector<std::pair<std::string, std::string>>& noise) {
  std::string out = "{";
  for (const auto& [name, value] : noise) {
    out += (out.size() > 1 ? ", " : "") + json_string(name) + ": " + json_string(value);
  }
  return out + "}";
}

std::string memory_json(const NodeInfo& n, const NodeFigures& figures) {
  std::string out = "{\"mapped_bytes\": " + std::to_string(n.mapped_bytes) +
                    ", \"policy\": " + json_string(n.policy) + ", \"notes\": [";
  for (std::size_t i = 0; i < n.memory_notes.size(); ++i) {
    out += (i ? ", " : "") + json_string(n.memory_notes[i]);
  }
  out += "]";
  for (const auto& [column, line] : figures.memory_lines) {
    out += ", " + json_string(column) + ": " + json_string(line);
  }
  return out + "}";
}

std::string spread_json(const Spread& s) {
  return "{\"n\": " + std::to_string(s.n) + ", \"min\": " + json_number(s.min) +
         ", \"median\": " + json_number(s.median) + ", \"max\": " + json_number(s.max) +
         ", \"cv\": " + json_number(s.cv) + "}";
}

std::string rates_json(const Rates& r) {
  return "{\"work_unit\": " + json_string(r.work_unit) +
         ", \"work_per_unit\": " + json_number(r.work_per_unit) +
         ", \"work_per_s_rank\": " + json_number(r.work_per_s_rank) +
         ", \"work_per_s_job\": " + json_number(r.work_per_s_job) +
         ", \"updates_per_unit\": " + json_number(r.updates_per_unit) +
         ", \"updates_per_s_rank\": " + json_number(r.updates_per_s_rank) +
         ", \"updates_per_s_job\": " + json_number(r.updates_per_s_job) + "}";
}

}  // namespace

std::string provenance_json_lines(const Provenance& p) {
  std::ostringstream o;
  o << "  \"mpi_library\": " << json_string(p.mpi_library) << ",\n";
  o << "  \"mpi_library_details\": " << json_string(p.mpi_library_details) << ",\n";
  o << "  \"hwloc_version\": " << json_string(p.hwloc_version) << ",\n";
  o << "  \"compiler\": " << json_string(p.compiler) << ",\n";
  o << "  \"build_flags\": " << json_string(p.build_flags) << ",\n";
  o << "  \"revision\": " << json_string(p.revision) << ",\n";
  return o.str();
}

std::string format_context_json(const RunInfo& run, const Provenance& p, const RunFigures& f,
                                const std::string& csv_name) {
  std::ostringstream o;
  o << "{\n";
  o << "  \"tool\": \"shmcount\",\n";
  o << "  \"mode\": \"counting\",\n";  // A latency map's says "latency" (latency_report.cpp).
  o << "  \"version\": " << json_string(p.shmcount_version) << ",\n";
  o << "  \"run_id\": " << json_string(run.run_id) << ",\n";
  o << "  \"csv\": " << json_string(csv_name) << ",\n";
  o << "  \"utc_time\": " << json_string(p.utc_time) << ",\n";
  o << "  \"command_line\": " << json_string(p.command_line) << ",\n";
  o << "  \"host\": " << json_string(run.nodes.empty() ? "" : run.nodes.front().host) << ",\n";
  o << "  \"cpu_model\": " << json_string(run.nodes.empty() ? "" : run.nodes.front().cpu_model)
    << ",\n";
  o << "  \"topology\": " << json_string(run.nodes.empty() ? "" : run.nodes.front().topology)
    << ",\n";
  o << "  \"caches\": " << json_string(run.nodes.empty() ? "" : run.nodes.front().caches) << ",\n";
  o << "  \"noise\": "
    << noise_json(run.nodes.empty() ? decltype(NodeInfo::noise){} : run.nodes.front().noise)
    << ",\n";
  o << "  \"nodes\": [\n";
  for (std::size_t i = 0; i < run.nodes.size(); ++i) {
    const auto& n = run.nodes[i];
    o << "    {\"index\": " << n.index << ", \"host\": " << json_string(n.host)
      << ", \"cpu_model\": " << json_string(n.cpu_model)
      << ", \"topology\": " << json_string(n.topology) << ", \"caches\": " << json_string(n.caches)
      << ", \"pus\": " << n.pus << ", \"ranks\": " << n.ranks
      << ", \"available\": " << json_string(n.available)
      << ", \"available_from\": " << json_string(n.available_from)
      << ", \"noise\": " << noise_json(n.noise) << ", \"memory\": " << memory_json(n, f.nodes[i])
      << "}" << (i + 1 < run.nodes.size() ? "," : "") << "\n";
  }
  o << "  ],\n";
  o << provenance_json_lines(p);
  // Every run parameter under its key (cli/params.hpp), then what the kernel makes of them.
  o << "  \"config\": {\"ranks\": " << run.ranks;
  for (const auto& param : param_table()) {
    if (!belongs_to(param, run.options)) continue;  // A latency map's parameters: not here.
    o << ", " << json_string(param.key) << ": " << json_value(param, run.options, json_string);
  }
  o << ", \"algorithm\": " << json_string(run.algorithm)
    << ", \"work_per_unit\": " << json_number(run.work_per_unit) << "},\n";
  // A kernel of the user's own: which file exactly, and what it says it is.
  o << "  \"kernel_plugin\": ";
  if (const PluginInfo* plugin = run.options.kernel->plugin) {
    o << "{\"path\": " << json_string(plugin->path)
      << ", \"symbol\": " << json_string(plugin->symbol)
      << ", \"sha256\": " << json_string(plugin->sha256)
      << ", \"name\": " << json_string(plugin->name)
      << ", \"description\": " << json_string(plugin->description)
      << ", \"work_unit\": " << json_string(plugin->work_unit) << "},\n";
  } else {
    o << "null,\n";
  }
  o << "  \"summary\": {\n";
  o << "    \"parallel_ms\": " << spread_json(f.parallel) << ",\n";
  o << "    \"rank_ms\": {\"t_min\": " << spread_json(f.t_min)
    << ", \"t_avg\": " << spread_json(f.t_avg) << ", \"t_max\": " << spread_json(f.t_max) << "},\n";
  o << "    \"sequential_ms\": " << spread_json(f.sequential) << ",\n";
  o << "    \"unit_ms\": " << spread_json(f.unit) << ",\n";
  o << "    \"speedup\": " << json_number(f.speedup)
    << ", \"efficiency\": " << json_number(f.efficiency)
    << ", \"ideal_ms\": " << json_number(f.ideal_ms) << ", \"units_per_pu\": " << f.units_per_pu
    << ", \"ideal_ratio\": " << json_number(f.ideal_ratio)
    << ", \"noise\": " << json_number(f.noise)
    << ", \"faster_than_ideal\": " << json_bool(f.faster_than_ideal) << ",\n";
  o << "    \"rates\": " << rates_json(f.rates) << ",\n";
  o << "    \"nodes\": [";
  for (std::size_t i = 0; i < f.nodes.size(); ++i) {
    const NodeFigures& nf = f.nodes[i];
    o << (i ? ", " : "") << "{\"index\": " << nf.index
      << ", \"parallel_ms\": " << spread_json(nf.parallel_ms)
      << ", \"sequential_ms\": " << spread_json(nf.sequential_ms)
      << ", \"speedup\": " << json_number(nf.speedup) << "}";
  }
  o << "],\n";
  o << "    \"wrong_counts\": " << f.wrong_counts << ", \"off_plan\": " << f.off_plan
    << ", \"oversubscribed_ranks\": " << f.oversubscribed_ranks
    << ", \"rebound_ranks\": " << f.rebound_ranks << ",\n";
  o << "    \"disturbance\": {\"disturbed_reps\": " << f.disturbed_reps
    << ", \"disturbed_sequential_reps\": " << f.disturbed_sequential
    << ", \"reps\": " << run.options.reps;
  if (!f.load.empty()) {
    // Node 0's load, and the worst node's limit check, as the analysis reads them.
    const LoadCheck& c = f.load.front();
    o << ", \"load_before\": " << json_number(c.before)
      << ", \"load_after\": " << json_number(c.after) << ", \"usable_pus\": " << c.usable_pus
      << ", \"load_limit\": " << json_number(c.limit);
  }
  o << ", \"nodes_over_load\": [";
  bool first_over = true;
  for (const auto& c : f.load) {
    if (!c.over) continue;
    o << (first_over ? "" : ", ") << c.node;
    first_over = false;
  }
  o << "], \"run_disturbed\": " << (f.run_disturbed ? "true" : "false")
    << ", \"why\": " << json_string(f.disturbed_why) << "},\n";
  o << "    \"outliers\": [";
  for (std::size_t i = 0; i < f.outliers.size(); ++i) {
    const auto& x = f.outliers[i];
    o << (i ? ", " : "") << "{\"phase\": \""
      << (x.phase == Phase::kParallel ? "parallel" : "sequential") << "\", \"rep\": " << x.rep
      << ", \"ms\": " << json_number(x.ms) << ", \"median_ms\": " << json_number(x.median_ms)
      << "}";
  }
  o << "]\n";
  o << "  },\n";
  o << "  \"columns\": [";
  bool first = true;
  for (const auto& column : csv_schema()) {
    o << (first ? "" : ", ") << json_string(std::string(column.name));
    first = false;
  }
  o << "]\n}\n";
  return o.str();
}

}  // namespace shmcount

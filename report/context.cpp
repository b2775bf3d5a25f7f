#include "context.hpp"

#include <cstdio>
#include <sstream>

#include "cli/params.hpp"
#include "common/text.hpp"
#include "report/csv.hpp"
#include "report/stats.hpp"

namespace shmcount {
namespace {

std::string q(const std::string& text) { return "\"" + json_escape(text) + "\""; }

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string noise_json(const std::vector<std::pair<std::string, std::string>>& noise) {
  std::string out = "{";
  for (const auto& [name, value] : noise) {
    out += (out.size() > 1 ? ", " : "") + q(name) + ": " + q(value);
  }
  return out + "}";
}

std::string memory_json(const NodeInfo& n, const NodeFigures& figures) {
  std::string out = "{\"mapped_bytes\": " + std::to_string(n.mapped_bytes) +
                    ", \"policy\": " + q(n.policy) + ", \"notes\": [";
  for (std::size_t i = 0; i < n.memory_notes.size(); ++i) {
    out += (i ? ", " : "") + q(n.memory_notes[i]);
  }
  out += "]";
  for (const auto& [column, line] : figures.memory_lines) {
    out += ", " + q(column) + ": " + q(line);
  }
  return out + "}";
}

std::string spread_json(const std::vector<double>& samples) {
  const Spread s = spread_of(samples);
  return "{\"n\": " + std::to_string(s.n) + ", \"min\": " + num(s.min) +
         ", \"median\": " + num(s.median) + ", \"max\": " + num(s.max) + ", \"cv\": " + num(s.cv) +
         "}";
}

}  // namespace

std::string json_escape(const std::string& raw) {
  std::string out;
  for (unsigned char c : utf8_or_escaped(raw)) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

std::string provenance_json_lines(const Provenance& p) {
  std::ostringstream o;
  o << "  \"mpi_library\": " << q(p.mpi_library) << ",\n";
  o << "  \"mpi_library_details\": " << q(p.mpi_library_details) << ",\n";
  o << "  \"hwloc_version\": " << q(p.hwloc_version) << ",\n";
  o << "  \"compiler\": " << q(p.compiler) << ",\n";
  o << "  \"build_flags\": " << q(p.build_flags) << ",\n";
  o << "  \"revision\": " << q(p.revision) << ",\n";
  return o.str();
}

std::string json_text(std::string_view text) { return q(std::string(text)); }

std::string format_context_json(const RunInfo& run, const Provenance& p, const RunFigures& f,
                                const std::string& csv_name) {
  std::ostringstream o;
  o << "{\n";
  o << "  \"tool\": \"shmcount\",\n";
  o << "  \"mode\": \"counting\",\n";  // A latency map's says "latency" (latency_report.cpp).
  o << "  \"version\": " << q(p.shmcount_version) << ",\n";
  o << "  \"run_id\": " << q(run.run_id) << ",\n";
  o << "  \"csv\": " << q(csv_name) << ",\n";
  o << "  \"utc_time\": " << q(p.utc_time) << ",\n";
  o << "  \"command_line\": " << q(p.command_line) << ",\n";
  o << "  \"host\": " << q(run.nodes.empty() ? "" : run.nodes.front().host) << ",\n";
  o << "  \"cpu_model\": " << q(run.nodes.empty() ? "" : run.nodes.front().cpu_model) << ",\n";
  o << "  \"topology\": " << q(run.nodes.empty() ? "" : run.nodes.front().topology) << ",\n";
  o << "  \"caches\": " << q(run.nodes.empty() ? "" : run.nodes.front().caches) << ",\n";
  o << "  \"noise\": "
    << noise_json(run.nodes.empty() ? decltype(NodeInfo::noise){} : run.nodes.front().noise)
    << ",\n";
  o << "  \"nodes\": [\n";
  for (std::size_t i = 0; i < run.nodes.size(); ++i) {
    const auto& n = run.nodes[i];
    o << "    {\"index\": " << n.index << ", \"host\": " << q(n.host)
      << ", \"cpu_model\": " << q(n.cpu_model) << ", \"topology\": " << q(n.topology)
      << ", \"caches\": " << q(n.caches) << ", \"pus\": " << n.pus << ", \"ranks\": " << n.ranks
      << ", \"available\": " << q(n.available) << ", \"available_from\": " << q(n.available_from)
      << ", \"noise\": " << noise_json(n.noise) << ", \"memory\": " << memory_json(n, f.nodes[i])
      << "}" << (i + 1 < run.nodes.size() ? "," : "") << "\n";
  }
  o << "  ],\n";
  o << provenance_json_lines(p);
  // Every run parameter under its key (cli/params.hpp), then what the kernel makes of them.
  o << "  \"config\": {\"ranks\": " << run.ranks;
  for (const auto& param : param_table()) {
    if (!belongs_to(param, run.options)) continue;  // A latency map's parameters: not here.
    o << ", " << q(std::string(param.key)) << ": " << json_value(param, run.options, json_text);
  }
  o << ", \"algorithm\": " << q(run.algorithm) << ", \"work_per_unit\": " << num(run.work_per_unit)
    << "},\n";
  // A kernel of the user's own: which file exactly, and what it says it is.
  o << "  \"kernel_plugin\": ";
  if (const PluginInfo* plugin = run.options.kernel->plugin) {
    o << "{\"path\": " << q(plugin->path) << ", \"symbol\": " << q(plugin->symbol)
      << ", \"sha256\": " << q(plugin->sha256) << ", \"name\": " << q(plugin->name)
      << ", \"description\": " << q(plugin->description)
      << ", \"work_unit\": " << q(plugin->work_unit) << "},\n";
  } else {
    o << "null,\n";
  }
  o << "  \"summary\": {\n";
  o << "    \"parallel_ms\": " << spread_json(f.parallel_ms) << ",\n";
  o << "    \"rank_ms\": {\"t_min\": " << spread_json(f.t_min_ms)
    << ", \"t_avg\": " << spread_json(f.t_avg_ms) << ", \"t_max\": " << spread_json(f.t_max_ms)
    << "},\n";
  o << "    \"sequential_ms\": " << spread_json(f.sequential_ms) << ",\n";
  o << "    \"unit_ms\": " << spread_json(f.unit_ms) << ",\n";
  o << "    \"speedup\": " << num(f.speedup) << ", \"efficiency\": " << num(f.efficiency)
    << ", \"ideal_ms\": " << num(f.ideal_ms) << ", \"units_per_pu\": " << f.units_per_pu
    << ", \"above_ideal\": " << (f.efficiency > 1 ? "true" : "false") << ",\n";
  o << "    \"wrong_counts\": " << f.wrong_counts << ", \"off_plan\": " << f.off_plan
    << ", \"oversubscribed_ranks\": " << f.oversubscribed_ranks
    << ", \"rebound_ranks\": " << f.rebound_ranks << ",\n";
  o << "    \"disturbance\": {\"disturbed_reps\": " << f.disturbed_reps
    << ", \"disturbed_sequential_reps\": " << f.disturbed_sequential
    << ", \"reps\": " << run.options.reps;
  if (!f.load.empty()) {
    // Node 0's load, and the worst node's limit check, as the analysis reads them.
    const LoadCheck& c = f.load.front();
    o << ", \"load_before\": " << num(c.before) << ", \"load_after\": " << num(c.after)
      << ", \"usable_pus\": " << c.usable_pus << ", \"load_limit\": " << num(c.limit);
  }
  o << ", \"nodes_over_load\": [";
  bool first_over = true;
  for (const auto& c : f.load) {
    if (!c.over) continue;
    o << (first_over ? "" : ", ") << c.node;
    first_over = false;
  }
  o << "], \"run_disturbed\": " << (f.run_disturbed ? "true" : "false")
    << ", \"why\": " << q(f.disturbed_why) << "},\n";
  o << "    \"outliers\": [";
  for (std::size_t i = 0; i < f.outliers.size(); ++i) {
    const auto& x = f.outliers[i];
    o << (i ? ", " : "") << "{\"phase\": \""
      << (x.phase == Phase::kParallel ? "parallel" : "sequential") << "\", \"rep\": " << x.rep
      << ", \"ms\": " << num(x.ms) << ", \"median_ms\": " << num(x.median_ms) << "}";
  }
  o << "]\n";
  o << "  },\n";
  o << "  \"columns\": [";
  bool first = true;
  for (const auto& column : csv_schema()) {
    o << (first ? "" : ", ") << q(std::string(column.name));
    first = false;
  }
  o << "]\n}\n";
  return o.str();
}

}  // namespace shmcount

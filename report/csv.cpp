#include "csv.hpp"

#include <array>

#include "cli/params.hpp"
#include "common/text.hpp"
#include "memory/probes.hpp"

namespace shmcount {
namespace {

using std::to_string;

std::string optional_int(std::int64_t v) { return v < 0 ? "" : to_string(v); }

const NodeInfo* node_of(const RunInfo& run, const Record& r) {
  return static_cast<std::size_t>(r.node) < run.nodes.size() ? &run.nodes[r.node] : nullptr;
}

// The columns before the parameters' (cli/params.hpp).
constexpr std::array kHead{
    CsvColumn{"run_id", "identifies the run; the same in the JSON run context",
              [](const RunInfo& run, const Record&) { return csv_field(run.run_id); }},
    CsvColumn{"phase", "parallel (all ranks at once) or sequential (one process, all units)",
              [](const RunInfo&, const Record& r) {
                return std::string(r.phase == Phase::kParallel ? "parallel" : "sequential");
              }},
    CsvColumn{"ranks", "ranks in the job",
              [](const RunInfo& run, const Record&) { return to_string(run.ranks); }},
    CsvColumn{"nodes", "nodes in the job",
              [](const RunInfo& run, const Record&) { return to_string(run.nodes.size()); }},
    CsvColumn{"node", "node index (0 = rank 0's node)",
              [](const RunInfo&, const Record& r) { return to_string(r.node); }},
    CsvColumn{"host", "the node's host name",
              [](const RunInfo& run, const Record& r) {
                const NodeInfo* n = node_of(run, r);
                return n ? csv_field(n->host) : std::string();
              }},
    CsvColumn{"rank", "world rank that ran the kernel",
              [](const RunInfo&, const Record& r) { return to_string(r.rank); }},
    CsvColumn{"local_rank", "rank within its node",
              [](const RunInfo&, const Record& r) { return to_string(r.local_rank); }},
    CsvColumn{"rep", "timed repetition, from 0 (warm-ups are not recorded)",
              [](const RunInfo&, const Record& r) { return to_string(r.rep); }},
};

// The columns after the parameters'.
constexpr std::array kTail{
    CsvColumn{"algorithm", "multi-pass or histogram (never compare rates across the two)",
              [](const RunInfo& run, const Record&) { return csv_field(run.algorithm); }},
    CsvColumn{"units", "kernel calls in time_ns: 1 in parallel, the node's ranks in sequential",
              [](const RunInfo&, const Record& r) { return to_string(r.units); }},
    CsvColumn{"work_per_unit", "compares (multi-pass) or element visits (histogram) per unit",
              [](const RunInfo& run, const Record&) {
                return to_string(static_cast<long long>(run.work_per_unit));
              }},
    CsvColumn{"time_ns", "kernel time of the repetition (all its units), CLOCK_MONOTONIC",
              [](const RunInfo&, const Record& r) { return to_string(r.time_ns); }},
    CsvColumn{"start_ns", "CLOCK_MONOTONIC at the start; comparable between ranks of one node",
              [](const RunInfo&, const Record& r) { return to_string(r.start_ns); }},
    CsvColumn{"ok", "1 when every count was verified right",
              [](const RunInfo&, const Record& r) { return to_string(r.ok); }},
    CsvColumn{"planned_pu", "logical PU the plan gave the rank (empty: none planned)",
              [](const RunInfo&, const Record& r) { return optional_int(r.planned_pu); }},
    CsvColumn{"pu_logical", "logical PU the rank's main thread last ran on (read back)",
              [](const RunInfo&, const Record& r) { return optional_int(r.pu_logical); }},
    CsvColumn{"pu_os", "OS index (P#) of that PU",
              [](const RunInfo&, const Record& r) { return optional_int(r.pu_os); }},
    CsvColumn{"core", "logical core of that PU",
              [](const RunInfo&, const Record& r) { return optional_int(r.core); }},
    CsvColumn{"numa", "logical NUMA node of that PU",
              [](const RunInfo&, const Record& r) { return optional_int(r.numa); }},
    CsvColumn{"package", "logical package of that PU",
              [](const RunInfo&, const Record& r) { return optional_int(r.package); }},
    CsvColumn{
        "cpuset", "the binding in force while the rank ran: OS indices, hwloc list syntax",
        [](const RunInfo& run, const Record& r) { return csv_field(run.info_of(r.rank).cpuset); }},
    CsvColumn{"placed_ok", "1 when the rank ran on its planned PU (or, unplanned, in its cpuset)",
              [](const RunInfo&, const Record& r) { return to_string(r.placed_ok); }},
    CsvColumn{"oversubscribed", "1 when the rank shared its PU with another rank of the plan",
              [](const RunInfo&, const Record& r) { return to_string(r.oversubscribed); }},
};

}  // namespace

std::span<const CsvColumn> csv_schema() {
  static const std::vector<CsvColumn> schema = [] {
    std::vector<CsvColumn> all(kHead.begin(), kHead.end());
    for (const auto& param : param_table()) {
      if (!param.column || !(param.runs & kCountingRuns)) continue;
      CsvColumn column{param.key, param.description, nullptr};
      column.param = &param;
      all.push_back(column);
    }
    all.insert(all.end(), kTail.begin(), kTail.end());
    int index = 0;
    for (const auto& counter : disturbance_counters()) {
      all.push_back(CsvColumn{counter.column, counter.description, nullptr, -1, index++});
    }
    all.push_back(
        CsvColumn{"disturbed",
                  "1 when something took the PU from the rank in this repetition: "
                  "waiting for a CPU or steal over 1% of its time (rank alone on its "
                  "PU), a major fault, or a pinned rank migrated",
                  [](const RunInfo&, const Record& r) { return to_string(r.disturbed); }});
    index = 0;
    for (const auto& probe : probe_table()) {
      all.push_back(CsvColumn{probe.column, probe.description, nullptr, index++});
    }
    return all;
  }();
  return schema;
}

std::string describe(const CsvColumn& column) {
  if (!column.param) return std::string(column.description);
  return std::string(column.param->flag) + ": " + std::string(column.param->description);
}

std::string format_csv(const RunInfo& run, const std::vector<Record>& records) {
  std::string out;
  const auto schema = csv_schema();
  for (const auto& column : schema) {
    if (!out.empty()) out += ',';
    out += column.name;
  }
  out += '\n';
  for (const auto& r : records) {
    bool first = true;
    for (const auto& column : schema) {
      if (!first) out += ',';
      first = false;
      if (column.value) {
        out += column.value(run, r);
      } else if (column.param) {
        out += csv_field(column.param->print(run.options));
      } else if (column.counter >= 0) {
        out += optional_int(r.disturbance[static_cast<std::size_t>(column.counter)]);
      } else {
        const auto& probes = run.info_of(r.rank).probes;
        const auto index = static_cast<std::size_t>(column.probe);
        out += index < probes.size() ? csv_field(probes[index]) : std::string();
      }
    }
    out += '\n';
  }
  return out;
}

}  // namespace shmcount

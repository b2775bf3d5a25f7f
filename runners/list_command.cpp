// --list: what scripts read from shmcount instead of keeping their own copies (column names,
// kernels, strategies, sweep axes), tab-separated with a header line.
#include <string>

#include "cli/options.hpp"
#include "common/error.hpp"
#include "common/fault.hpp"
#include "placement/plan.hpp"
#include "placement/topology.hpp"
#include "report/csv.hpp"
#include "report/latency_report.hpp"
#include "runners/commands.hpp"
#include "runners/noise.hpp"

namespace shmcount {

std::string list_text(const std::string& what) {
  std::string out;
  auto row = [&](std::initializer_list<std::string_view> cells) {
    bool first = true;
    for (auto cell : cells) {
      out += (first ? "" : "\t") + std::string(cell);
      first = false;
    }
    out += '\n';
  };
  if (what == "columns") {
    row({"name", "description"});
    for (const auto& c : csv_schema()) row({c.name, describe(c)});
  } else if (what == "latency-columns") {
    row({"name", "description"});
    for (const auto& c : latency_csv_schema()) row({c.name, c.description});
  } else if (what == "kernels") {
    row({"name", "algorithm", "description"});
    for (const auto& k : kernel_table()) row({k.name, k.algorithm, k.description});
    row({"plugin:PATH[:SYMBOL]", "its own",
         "a kernel of your own: a shared object with the C interface of shmcount/kernel.h "
         "(SYMBOL defaults to shmcount_kernel)"});
  } else if (what == "strategies") {
    row({"name", "description"});
    for (const auto& s : strategy_table()) row({s.name, s.description});
  } else if (what == "noise") {
    row({"name", "when", "description"});
    for (const auto& n : noise_sources()) {
      row({n.name, n.when == NoiseWhen::kBefore ? "before" : "after", n.description});
    }
  } else if (what == "topologies") {
    row({"name", "machine", "file"});
    for (const auto& [name, path] : bundled_topologies()) {
      std::string shape;
      try {
        shape = Topology::from_spec(path).view().summary;
      } catch (const Error& e) {
        shape = std::string("unreadable: ") + e.what();
      }
      row({name, shape, path});
    }
  } else if (what == "faults") {
    row({"call", "where"});
    for (const auto& f : fault_calls()) row({f.name, f.where});
  } else if (what == "axes") {
    row({"axis", "option", "default", "values"});
    for (const auto& a : run_axes()) row({a.name, a.flag, a.default_value, a.choices});
  }
  return out;
}

}  // namespace shmcount

#include <unistd.h>

#include <cstdio>
#include <optional>

#include "common/text.hpp"
#include "placement/binding.hpp"
#include "placement/plan.hpp"
#include "placement/topology.hpp"
#include "runners/commands.hpp"
#include "runners/launcher.hpp"

namespace shmcount {
namespace {

// Whether the ranks' starting bindings are a choice to plan within (see available_pus()).
bool bindings_chosen() { return !under_launcher() || launcher_binding_requested(); }

std::string this_host() {
  char name[256] = {};
  ::gethostname(name, sizeof name - 1);
  return name;
}

Topology load(const Options& o) {
  return o.topology.empty() ? Topology::this_system() : Topology::from_spec(o.topology);
}

// This machine with what this process may run on usable (so `taskset -c 1 shmcount --plan` plans
// on PU 1), or --topology with its allowed PUs usable.
MachineView view_for(const Options& o, const Topology& topo) {
  if (!o.topology.empty()) return topo.view();
  const CpuSet start = CpuSet::parse_list(starting_binding(topo));
  return topo.view(start.get());
}

std::string label_of(const Options& o) {
  return o.topology.empty() ? this_host() : "topology " + o.topology;
}

std::string render(const Options& o, const MachineView& view, int ranks, const std::string& label,
                   bool csv_header) {
  const auto plan = plan_placement(view, ranks, o.pin);
  return o.format == PlanFormat::kCsv ? format_plan_csv(view, plan, csv_header)
                                      : format_plan_table(view, plan, o.pin, label);
}

}  // namespace

void print_plan(const Options& o) {
  const Topology topo = load(o);
  const std::string text =
      render(o, view_for(o, topo), static_cast<int>(o.plan_ranks), label_of(o), true);
  std::fputs(text.c_str(), stdout);
}

std::string domains_text(const Options& o) {
  const Topology topo = load(o);
  return format_domains(view_for(o, topo), label_of(o));
}

void print_plan_per_node(const Options& o, const MpiJob& job) {
  // Planned as a run would: over the PUs the node's ranks may use (available_pus()).
  std::optional<Topology> topo;
  std::string starting, launcher;
  job.all_or_none([&] {
    topo.emplace(load(o));
    if (o.topology.empty()) {
      starting = starting_binding(*topo);
      launcher = launcher_cpus(*topo);
    }
  });
  const auto node_bindings = job.node_allgather_strings(starting);
  const auto node_launchers = job.node_allgather_strings(launcher);
  std::string mine;
  job.all_or_none([&] {
    if (!job.is_leader()) return;
    const std::string label =
        "node " + std::to_string(job.node_index) + " (" + printable(job.host) + ")";
    if (!o.topology.empty()) {
      mine = render(o, topo->view(), job.node_size, label, job.node_index == 0);
      return;
    }
    const Availability available = available_pus(node_bindings, node_launchers, bindings_chosen());
    mine = render(o, topo->view(available.set.get()), job.node_size, label, job.node_index == 0);
  });
  for (const auto& text : job.gather_strings(mine)) std::fputs(text.c_str(), stdout);
}

}  // namespace shmcount

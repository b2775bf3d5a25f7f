// --plan and --domains: the plan a run would make, made by the same function (plan_node), for
// this machine, any hwloc topology, or every node of a job under mpirun. Nothing is bound.
#include <unistd.h>

#include <cstdio>
#include <optional>

#include "common/text.hpp"
#include "memory/pages.hpp"
#include "placement/binding.hpp"
#include "placement/likwid_view.hpp"
#include "placement/node_plan.hpp"
#include "placement/pairs.hpp"
#include "placement/plan.hpp"
#include "placement/topology.hpp"
#include "runners/commands.hpp"
#include "runners/launcher.hpp"

namespace shmcount {
namespace {

std::string this_host() {
  char name[256] = {};
  ::gethostname(name, sizeof name - 1);
  return name;
}

Topology load(const Options& o) {
  return o.topology.empty() ? Topology::this_system() : Topology::from_spec(o.topology);
}

// Outside a launcher: this process's binding is the node's (so `taskset -c 1 shmcount --plan`
// plans on PU 1); with --topology, none (every allowed PU).
NodeStart local_start(const Options& o, const Topology& topo) {
  NodeStart start;
  if (o.topology.empty()) start.bindings.push_back(starting_binding(topo));
  return start;
}

std::string label_of(const Options& o) {
  return o.topology.empty() ? this_host() : "topology " + o.topology;
}

std::string render(const Options& o, const NodePlan& plan, const std::string& label,
                   bool csv_header) {
  return o.format == PlanFormat::kCsv ? format_plan_csv(plan.view, plan.placements, csv_header)
                                      : format_plan_table(plan.view, plan.placements, o.pin, label);
}

}  // namespace

void print_plan(const Options& o) {
  const Topology topo = load(o);
  const NodePlan plan =
      plan_node(topo, local_start(o, topo), static_cast<int>(o.plan_ranks), o.pin);
  plan_mempolicy(topo, o.mempolicy);  // A NUMA node the machine lacks is refused here too.
  std::fputs(render(o, plan, label_of(o), true).c_str(), stdout);
}

std::string domains_text(const Options& o) {
  const Topology topo = load(o);
  const MachineView view = plan_node(topo, local_start(o, topo), 1, Strategy{}).view;
  std::string text = format_domains(view, label_of(o));
  // This machine only (not a --topology): where likwid-topology, if installed, sees it otherwise.
  if (o.topology.empty()) {
    const std::string likwid = run_likwid_topology();
    if (!likwid.empty()) {
      for (const std::string& line : likwid_disagreements(parse_likwid_topology(likwid), view))
        text += "likwid-topology disagrees with hwloc: " + line + "\n";
    }
  }
  return text;
}

std::string latency_plan_text(const Options& o) {
  const Topology topo = load(o);
  const NodeView node = node_view(topo, local_start(o, topo));
  const std::vector<PuPair> pairs = plan_pairs(node.view, o.latency.pairs);
  return o.format == PlanFormat::kCsv
             ? format_pair_plan_csv(pairs)
             : format_pair_plan(node.view, pairs, o.latency.pairs, label_of(o), o.latency.samples,
                                o.latency.round_trips);
}

void print_plan_per_node(const Options& o, const MpiJob& job) {
  // Planned as a run would: over the PUs the node's ranks may use.
  std::optional<Topology> topo;
  std::string starting, launcher;
  job.all_or_none([&] {
    topo.emplace(load(o));
    if (o.topology.empty()) {
      starting = starting_binding(*topo);
      launcher = launcher_cpus(*topo);
    }
  });
  NodeStart start{job.node_allgather_strings(starting), job.node_allgather_strings(launcher),
                  launch_bindings_chosen()};
  if (!o.topology.empty()) start = NodeStart{};
  std::string mine;
  job.all_or_none([&] {
    if (!job.is_leader()) return;
    const std::string label =
        "node " + std::to_string(job.node_index) + " (" + printable(job.host) + ")";
    mine = render(o, plan_node(*topo, start, job.node_size, o.pin), label, job.node_index == 0);
    plan_mempolicy(*topo, o.mempolicy);
  });
  for (const auto& text : job.gather_strings(mine)) std::fputs(text.c_str(), stdout);
}

}  // namespace shmcount

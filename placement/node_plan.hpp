// One node's plan, made the same way for a run and for --plan: the PUs the node's ranks may use
// (what hwloc allows, within what the launch restricted them to), and where each rank runs.
#pragma once

#include <string>
#include <vector>

#include "placement/plan.hpp"
#include "placement/topology.hpp"

namespace shmcount {

// How the node's ranks were started: each rank's binding when it started and the CPUs of the
// process that started it (binding.hpp: starting_binding, launcher_cpus), in local-rank order,
// and whether those bindings were chosen (by the user through the launcher, or a process
// started without one) rather than a launcher's default.
struct NodeStart {
  std::vector<std::string> bindings;
  std::vector<std::string> launchers;
  bool bindings_chosen = true;
};

// The node with the PUs its ranks may use marked usable, and why those are the ones.
struct NodeView {
  MachineView view;
  std::string available_from;  // "the whole node", "the ranks' starting bindings", ...
};
// Without bindings (a foreign topology, from --topology), every allowed PU is available. Throws
// Error when none of the available PUs is allowed.
NodeView node_view(const Topology& topo, const NodeStart& start);

struct NodePlan {
  MachineView view;            // The node, with the available PUs usable.
  std::string available_from;  // Why they are what they are: "the whole node", ...
  std::vector<Placement> placements;
};

// The plan for `ranks` local ranks with `strategy`. Without bindings (a foreign topology, from
// --topology), every allowed PU is available. Throws Error (UsageError for a strategy that does
// not fit the node).
NodePlan plan_node(const Topology& topo, const NodeStart& start, int ranks,
                   const Strategy& strategy);

}  // namespace shmcount

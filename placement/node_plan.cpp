#include "node_plan.hpp"

#include "placement/binding.hpp"

namespace shmcount {

NodeView node_view(const Topology& topo, const NodeStart& start) {
  NodeView out;
  if (start.bindings.empty()) {
    out.view = topo.view();
    out.available_from = "the whole node";
  } else {
    const Availability available =
        available_pus(start.bindings, start.launchers, start.bindings_chosen);
    out.view = topo.view(available.set.get());
    out.available_from = out.view.restricted() ? available.from : "the whole node";
  }
  return out;
}

NodePlan plan_node(const Topology& topo, const NodeStart& start, int ranks,
                   const Strategy& strategy) {
  NodeView node = node_view(topo, start);
  NodePlan out;
  out.view = std::move(node.view);
  out.available_from = std::move(node.available_from);
  out.placements = plan_placement(out.view, ranks, strategy);
  return out;
}

}  // namespace shmcount

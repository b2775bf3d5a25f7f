#include "node_plan.hpp"

#include "placement/binding.hpp"

namespace shmcount {

NodePlan plan_node(const Topology& topo, const NodeStart& start, int ranks,
                   const Strategy& strategy) {
  NodePlan out;
  if (start.bindings.empty()) {
    out.view = topo.view();
    out.available_from = "the whole node";
  } else {
    const Availability available =
        available_pus(start.bindings, start.launchers, start.bindings_chosen);
    out.view = topo.view(available.set.get());
    out.available_from = out.view.restricted() ? available.from : "the whole node";
  }
  out.placements = plan_placement(out.view, ranks, strategy);
  return out;
}

}  // namespace shmcount

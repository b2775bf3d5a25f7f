#include "binding.hpp"

#include <cerrno>
#include <memory>

#include "common/error.hpp"

namespace shmcount {
namespace {

struct BitmapDeleter {
  void operator()(hwloc_bitmap_s* b) const { hwloc_bitmap_free(b); }
};
using Bitmap = std::unique_ptr<hwloc_bitmap_s, BitmapDeleter>;

Bitmap make_bitmap() { return Bitmap(hwloc_bitmap_alloc()); }

std::string list_string(hwloc_const_bitmap_t set) {
  char* text = nullptr;
  hwloc_bitmap_list_asprintf(&text, set);
  std::string out = text ? text : "";
  std::free(text);
  return out;
}

}  // namespace

std::string starting_binding(const Topology& topo) {
  Bitmap set = make_bitmap();
  if (hwloc_get_cpubind(topo.get(), set.get(), HWLOC_CPUBIND_PROCESS) != 0) {
    throw Error(describe_errno("hwloc_get_cpubind(HWLOC_CPUBIND_PROCESS)", errno));
  }
  return list_string(set.get());
}

BindOutcome apply_placement(const Topology& topo, const Strategy& strategy,
                            const Placement& placement) {
  hwloc_topology_t t = topo.get();
  hwloc_const_cpuset_t allowed = hwloc_topology_get_allowed_cpuset(t);
  BindOutcome outcome;
  Bitmap current = make_bitmap();
  if (hwloc_get_cpubind(t, current.get(), HWLOC_CPUBIND_PROCESS) == 0) {
    hwloc_bitmap_and(current.get(), current.get(), allowed);
    outcome.launcher_had_bound = !hwloc_bitmap_isequal(current.get(), allowed);
  }
  if (strategy.kind == StrategyKind::kLauncher) return outcome;

  Bitmap target = make_bitmap();
  std::string what;
  if (strategy.kind == StrategyKind::kNone) {
    hwloc_bitmap_copy(target.get(), allowed);
    what = "every allowed PU (" + list_string(allowed) + ")";
  } else {
    hwloc_obj_t pu =
        hwloc_get_obj_by_type(t, HWLOC_OBJ_PU, static_cast<unsigned>(placement.planned_pu));
    if (!pu)
      throw Error("planned PU L#" + std::to_string(placement.planned_pu) + " does not exist");
    hwloc_bitmap_copy(target.get(), pu->cpuset);
    hwloc_bitmap_singlify(target.get());
    what = "PU L#" + std::to_string(placement.planned_pu) + " (P#" + std::to_string(pu->os_index) +
           ")";
  }
  if (hwloc_set_cpubind(t, target.get(), HWLOC_CPUBIND_PROCESS) != 0) {
    const int err = errno;
    throw Error(describe_errno("hwloc_set_cpubind(" + what + ", HWLOC_CPUBIND_PROCESS)", err) +
                "; the PU may be outside this job's cpuset (check taskset -p, cgroups)");
  }
  outcome.rebound = outcome.launcher_had_bound;
  return outcome;
}

WhereRan read_back(const Topology& topo, const MachineView& machine) {
  hwloc_topology_t t = topo.get();
  WhereRan where;
  Bitmap set = make_bitmap();
  if (hwloc_get_cpubind(t, set.get(), HWLOC_CPUBIND_THREAD) == 0)
    where.cpuset = list_string(set.get());
  Bitmap last = make_bitmap();
  if (hwloc_get_last_cpu_location(t, last.get(), HWLOC_CPUBIND_THREAD) == 0) {
    const int os = hwloc_bitmap_first(last.get());
    if (const PuInfo* pu = machine.find_os(os)) {
      where.pu = *pu;
    } else {
      where.pu.pu_os = os;  // A PU outside the allowed set: keep what is known.
    }
  }
  return where;
}

}  // namespace shmcount

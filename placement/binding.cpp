#include "binding.hpp"

#include <unistd.h>

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

}  // namespace

std::string starting_binding(const Topology& topo) {
  Bitmap set = make_bitmap();
  if (hwloc_get_cpubind(topo.get(), set.get(), HWLOC_CPUBIND_PROCESS) != 0) {
    throw Error(describe_errno("hwloc_get_cpubind(HWLOC_CPUBIND_PROCESS)", errno));
  }
  return bitmap_list(set.get());
}

std::string launcher_cpus(const Topology& topo) {
  Bitmap set = make_bitmap();
  if (hwloc_get_proc_cpubind(topo.get(), ::getppid(), set.get(), HWLOC_CPUBIND_PROCESS) != 0) {
    return "";
  }
  return bitmap_list(set.get());
}

Availability available_pus(std::span<const std::string> starting,
                           std::span<const std::string> launchers, bool bindings_chosen) {
  Availability out{union_of_lists(starting), "the ranks' starting bindings"};
  std::vector<std::string> known;
  for (const auto& list : launchers) {
    if (!list.empty()) known.push_back(list);
  }
  if (known.empty()) return out;
  CpuSet launcher = union_of_lists(known);
  // A default binding of the launcher is not a restriction; neither is one outside its own CPUs
  // (Open MPI binds to core 0 under `taskset -c 1 mpirun`): then the launcher's CPUs count.
  if (!bindings_chosen || !hwloc_bitmap_isincluded(out.set.get(), launcher.get())) {
    out.set = std::move(launcher);
    out.from = "the launcher's own CPUs (e.g. taskset on mpirun)";
  }
  return out;
}

BindOutcome apply_placement(const Topology& topo, const MachineView& view,
                            const std::string& starting, const Strategy& strategy,
                            const Placement& placement) {
  hwloc_topology_t t = topo.get();
  const CpuSet usable = CpuSet::parse_list(view.usable_list);
  BindOutcome outcome;
  CpuSet start = CpuSet::parse_list(starting);
  hwloc_bitmap_and(start.get(), start.get(), hwloc_topology_get_allowed_cpuset(t));
  outcome.launcher_had_bound = !hwloc_bitmap_isequal(start.get(), usable.get());
  if (strategy.info->bind == BindMode::kKeep) return outcome;

  Bitmap target = make_bitmap();
  std::string what;
  if (strategy.info->bind == BindMode::kAvailablePus) {
    hwloc_bitmap_copy(target.get(), usable.get());
    what = "every available PU (" + view.usable_list + ")";
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
    where.cpuset = bitmap_list(set.get());
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

// Applying a placement to this process and reading back where it really runs.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "placement/plan.hpp"
#include "placement/topology.hpp"

namespace shmcount {

struct BindOutcome {
  bool launcher_had_bound = false;  // The process started bound to less than the available PUs.
  bool rebound = false;             // ...and shmcount replaced that binding.
};

// This process's binding as it stands, before apply_placement changes it: at start, what the
// launcher gave (taskset, mpirun --cpu-set, a Slurm cpuset), as an hwloc list string of OS indices
// ("0-3,8"). Throws Error naming the call when the OS does not say.
std::string starting_binding(const Topology& topo);

// The CPUs of the process that started this one (mpirun, orted, hydra's proxy, slurmstepd) as an
// hwloc list string: what `taskset` on the launcher allowed. Empty when the OS does not say.
std::string launcher_cpus(const Topology& topo);

// The PUs a node's ranks may use, from the bindings they started with (`starting`) and the CPUs
// of the processes that started them (`launchers`; empty entries unknown). When the starting
// bindings were chosen (by the user through the launcher, or a process started without one),
// their union, as long as it lies within the launchers' CPUs; otherwise the launchers' CPUs,
// since a launcher's default binding (Open MPI binds each of 2 ranks to a core) is no
// restriction, and Open MPI even binds outside its own CPUs under `taskset -c 1 mpirun`. `from`
// says which, for the summary.
struct Availability {
  CpuSet set;
  std::string from;
};
Availability available_pus(std::span<const std::string> starting,
                           std::span<const std::string> launchers, bool bindings_chosen);

// Binds the whole process (Open MPI's helper threads too) as planned: to one PU, to every PU of
// `view` (the available ones) for "none", or not at all for "launcher". `starting` is this
// process's starting_binding(). Throws Error naming the PU and errno when the OS refuses; never
// falls back silently.
BindOutcome apply_placement(const Topology& topo, const MachineView& view,
                            const std::string& starting, const Strategy& strategy,
                            const Placement& placement);

// Where the calling thread is allowed to run and where it last ran.
struct WhereRan {
  std::string cpuset;  // The binding in force, as a list of OS indices ("0-3,8").
  PuInfo pu;           // The PU it last ran on (logical indices, pu_os).
};

WhereRan read_back(const Topology& topo, const MachineView& machine);

}  // namespace shmcount

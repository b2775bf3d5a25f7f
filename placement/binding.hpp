// Applying a placement to this process and reading back where it really runs.
#pragma once

#include <string>

#include "placement/plan.hpp"
#include "placement/topology.hpp"

namespace shmcount {

struct BindOutcome {
  bool launcher_had_bound = false;  // The process was bound to less than every allowed PU.
  bool rebound = false;             // ...and shmcount replaced that binding.
};

// This process's binding as it stands, before apply_placement changes it: at start, what the
// launcher gave (taskset, mpirun --cpu-set, a Slurm cpuset), as an hwloc list string of OS indices
// ("0-3,8"). Throws Error naming the call when the OS does not say.
std::string starting_binding(const Topology& topo);

// Binds the whole process (Open MPI's helper threads too) as planned: to one PU, to every allowed
// PU for "none", or not at all for "launcher". Throws Error naming the PU and errno when the OS
// refuses; never falls back silently.
BindOutcome apply_placement(const Topology& topo, const Strategy& strategy,
                            const Placement& placement);

// Where the calling thread is allowed to run and where it last ran.
struct WhereRan {
  std::string cpuset;  // The binding in force, as a list of OS indices ("0-3,8").
  PuInfo pu;           // The PU it last ran on (logical indices, pu_os).
};

WhereRan read_back(const Topology& topo, const MachineView& machine);

}  // namespace shmcount

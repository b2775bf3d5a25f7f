// What shmcount can tell about the launcher that started it (mpirun, mpiexec, srun) from its
// environment, before and after MPI starts.
#pragma once

#include <string>

namespace shmcount {

// Whether a launcher started this process (Open MPI, PMIx, PMI or a Slurm step variables).
bool under_launcher();

// What the environment says about the launcher that started this process, before MPI starts.
struct LaunchEnv {
  std::string launcher;  // "Open MPI's mpirun", "MPICH's mpiexec (Hydra)", "Slurm's srun", or "".
  int size = 0;          // Ranks it started (0: it does not say).
  std::string evidence;  // The variables that tell, e.g. "OMPI_COMM_WORLD_SIZE=2".
  bool pmix = false;     // It offers PMIx (Open MPI's mpirun, srun --mpi=pmix).
  bool pmi = false;      // It offers PMI-1/PMI-2 (Hydra, srun --mpi=pmi2).
};
LaunchEnv launch_env();

// Before MPI_Init: settings shmcount chooses for the MPI library where the user has not. Open MPI's
// default selection of a point-to-point layer probes the fabrics (UCX, libfabric) for about 0.2 s
// at every start; a job whose ranks are all on one node needs none of them (its few messages go
// through shared memory, outside the timed region), so shmcount asks for ob1 there
// (OMPI_MCA_pml=ob1) unless OMPI_MCA_pml is set. Multi-node jobs keep Open MPI's choice.
void choose_mpi_settings();
// What choose_mpi_settings() set ("OMPI_MCA_pml=ob1 (set by shmcount: ...)"), or "".
std::string mpi_settings_chosen();

// The MPI library shmcount was built with: "Open MPI" or "MPICH" (from mpi.h), or "MPI".
const char* built_mpi_family();
// The same with the version of mpi.h: "Open MPI 4.1.4", "MPICH 4.0.2".
std::string built_mpi_version();

// Empty when this build can join the job `env` describes; otherwise one message naming the
// launcher, this build's MPI and what to run instead. `mpi_size` is MPI_COMM_WORLD's size once
// MPI started (0 before): a launcher that started N ranks while MPI sees 1 means each rank
// started alone, as a singleton of another MPI library.
std::string launch_mismatch(const LaunchEnv& env, int mpi_size);

// The launcher's rank variable, for the few things decided before MPI_Init (only rank 0 prints
// --help). A process no launcher started is rank 0, whatever stale variables it inherited.
int launcher_rank();

// Whether the launcher bound the ranks as the user or the allocation asked (mpirun --bind-to,
// --cpu-set, --map-by, a rankfile; MPICH mpiexec -bind-to; srun's binding, its default one being
// the step's CPUs), so that the bindings the ranks start with are a choice to plan within, not a
// launcher's default (Open MPI's one core per rank).
bool launcher_binding_requested();

// Whether the ranks' starting bindings are a choice to plan within (placement/node_plan.hpp): a
// process no launcher started, or a launcher that bound as the user asked.
bool launch_bindings_chosen();

// Whether what this process writes to stderr ends on a terminal: its own stderr is one, or, under
// a launcher that forwards the ranks' output through a pipe (mpirun does), the launcher's is.
bool stderr_reaches_terminal();

// The launcher's variables that say how it bound the ranks ("OMPI_MCA_hwloc_base_binding_policy=
// core SLURM_CPU_BIND_TYPE=cores"), for the run context; empty when none is set.
std::string launcher_binding_variables();

}  // namespace shmcount

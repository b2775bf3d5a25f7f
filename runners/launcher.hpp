// What shmcount can tell about the launcher that started it (mpirun, mpiexec, srun) from its
// environment, before and after MPI starts.
#pragma once

#include <initializer_list>
#include <map>
#include <string>
#include <utility>

namespace shmcount {

// Where the launcher's variables are read: the process's environment, or (unit tests) a map.
class Environment {
 public:
  virtual ~Environment() = default;
  // The variable's value, or nullptr when it is not set.
  virtual const char* get(const char* name) const = 0;
};
// getenv(3).
const Environment& process_environment();
// Variables given as a map: what a launcher would have set, without a launcher.
class MapEnvironment : public Environment {
 public:
  MapEnvironment() = default;
  MapEnvironment(std::initializer_list<std::pair<const std::string, std::string>> variables)
      : variables_(variables) {}
  const char* get(const char* name) const override {
    const auto it = variables_.find(name);
    return it == variables_.end() ? nullptr : it->second.c_str();
  }

 private:
  std::map<std::string, std::string> variables_;
};

// Whether a launcher started this process (Open MPI, PMIx, PMI or a Slurm step variables).
bool under_launcher(const Environment& env = process_environment());

// What the environment says about the launcher that started this process, before MPI starts.
struct LaunchEnv {
  std::string launcher;  // "Open MPI's mpirun", "MPICH's mpiexec (Hydra)", "Slurm's srun", or "".
  int size = 0;          // Ranks it started (0: it does not say).
  std::string evidence;  // The variables that tell, e.g. "OMPI_COMM_WORLD_SIZE=2".
  bool pmix = false;     // It offers PMIx (Open MPI's mpirun, srun --mpi=pmix).
  bool pmi = false;      // It offers PMI-1/PMI-2 (Hydra, srun --mpi=pmi2).
};
LaunchEnv launch_env(const Environment& env = process_environment());

// Before MPI_Init: settings shmcount chooses for the MPI library where the user has not. Open MPI's
// default selection of a point-to-point layer probes the fabrics (UCX, libfabric) for about 0.2 s
// at every start; a job whose ranks are all on one node needs none of them (its few messages go
// through shared memory, outside the timed region), so shmcount asks for ob1 there
// (OMPI_MCA_pml=ob1) unless OMPI_MCA_pml is set. Multi-node jobs keep Open MPI's choice.
void choose_mpi_settings();
// The OMPI_MCA_pml value choose_mpi_settings() sets for a job of `env` ("ob1"), or "": none.
std::string pml_to_choose(const Environment& env);
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
int launcher_rank(const Environment& env = process_environment());

// Whether the launcher bound the ranks as the user or the allocation asked (mpirun --bind-to,
// --cpu-set, --map-by, a rankfile; MPICH mpiexec -bind-to; srun's binding, its default one being
// the step's CPUs), so that the bindings the ranks start with are a choice to plan within, not a
// launcher's default (Open MPI's one core per rank).
bool launcher_binding_requested(const Environment& env = process_environment());

// Whether the ranks' starting bindings are a choice to plan within (placement/node_plan.hpp): a
// process no launcher started, or a launcher that bound as the user asked.
bool launch_bindings_chosen(const Environment& env = process_environment());

// Whether what this process writes to stderr ends on a terminal: its own stderr is one, or, under
// a launcher that forwards the ranks' output through a pipe (mpirun does), the launcher's is.
bool stderr_reaches_terminal();

// The launcher's variables that say how it bound the ranks ("OMPI_MCA_hwloc_base_binding_policy=
// core SLURM_CPU_BIND_TYPE=cores"), for the run context; empty when none is set.
std::string launcher_binding_variables(const Environment& env = process_environment());

}  // namespace shmcount

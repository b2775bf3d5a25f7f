#include "launcher.hpp"

#include <cstdlib>
#include <cstring>

namespace shmcount {
namespace {

// Variables through which a launcher carries a binding the user asked for.
constexpr const char* kBindingVariables[] = {
    "OMPI_MCA_hwloc_base_binding_policy",  // mpirun --bind-to
    "OMPI_MCA_hwloc_base_cpu_set",         // mpirun --cpu-set
    "OMPI_MCA_rmaps_base_mapping_policy",  // mpirun --map-by
    "OMPI_MCA_rmaps_rank_file_path",       // mpirun --rankfile
    "SLURM_CPU_BIND_TYPE",                 // srun --cpu-bind
    "SLURM_CPU_BIND_LIST",
    "SLURM_CPU_BIND",
    "HYDRA_BINDING",  // MPICH's mpiexec -bind-to (environment form)
    "MPIR_CVAR_BIND_TO",
};

}  // namespace

bool under_launcher() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", "SLURM_STEP_ID"}) {
    if (std::getenv(name)) return true;
  }
  return false;
}

int launcher_rank() {
  if (!under_launcher()) return 0;
  for (const char* name : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID"}) {
    if (const char* value = std::getenv(name)) return std::atoi(value);
  }
  return 0;
}

bool launcher_binding_requested() {
  for (const char* name : kBindingVariables) {
    const char* value = std::getenv(name);
    if (!value || !*value) continue;
    // srun --cpu-bind=none (or Slurm's "none" default) asks for no binding.
    if (std::strncmp(name, "SLURM_CPU_BIND", 14) == 0 && std::strstr(value, "none")) continue;
    return true;
  }
  return false;
}

std::string launcher_binding_variables() {
  std::string out;
  for (const char* name : kBindingVariables) {
    if (const char* value = std::getenv(name)) {
      if (!out.empty()) out += ' ';
      out += std::string(name) + "=" + value;
    }
  }
  return out;
}

}  // namespace shmcount

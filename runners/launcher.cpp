#include "launcher.hpp"

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string_view>

namespace shmcount {
namespace {

// Variables through which a launcher carries a binding the user asked for.
constexpr const char* kBindingVariables[] = {
    "OMPI_MCA_hwloc_base_binding_policy",  // mpirun --bind-to
    "OMPI_MCA_hwloc_base_cpu_set",         // mpirun --cpu-set
    "OMPI_MCA_rmaps_base_mapping_policy",  // mpirun --map-by
    "OMPI_MCA_rmaps_rank_file_path",       // mpirun --rankfile
    // srun sets these in every task's environment: the binding it applied, the user's --cpu-bind
    // or, with TaskPlugin=task/affinity, its own default (mask_cpu of the step's CPUs), which is
    // the allocation; --cpu-bind=none gives "quiet,none" and an empty list.
    "SLURM_CPU_BIND_TYPE",
    "SLURM_CPU_BIND_LIST",
    "SLURM_CPU_BIND",
    // MPICH's mpiexec (Hydra) binds nothing by default; it sets this in the ranks' environment
    // when the user gave -bind-to (or HYDRA_BINDING) other than none.
    "HYDRA_USER_PROVIDED_BINDING",
    "HYDRA_BINDING",  // mpiexec -bind-to, environment form
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
    // srun --cpu-bind=none ("quiet,none"), HYDRA_BINDING=none: no binding asked for.
    if ((std::strncmp(name, "SLURM_CPU_BIND", 14) == 0 ||
         std::strcmp(name, "HYDRA_BINDING") == 0) &&
        std::strstr(value, "none"))
      continue;
    return true;
  }
  return false;
}

bool launch_bindings_chosen() { return !under_launcher() || launcher_binding_requested(); }

bool stderr_reaches_terminal() {
  if (::isatty(STDERR_FILENO)) return true;
  if (!under_launcher()) return false;
  char target[256] = {};
  const std::string link = "/proc/" + std::to_string(::getppid()) + "/fd/2";
  const ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
  if (n <= 0) return false;
  const std::string_view path(target, static_cast<std::size_t>(n));
  return path.starts_with("/dev/pts/") || path.starts_with("/dev/tty");
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

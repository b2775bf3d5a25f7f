#include "launcher.hpp"

#include <mpi.h>
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

class ProcessEnvironment : public Environment {
 public:
  const char* get(const char* name) const override { return std::getenv(name); }
};

}  // namespace

const Environment& process_environment() {
  static const ProcessEnvironment environment;
  return environment;
}

bool under_launcher(const Environment& vars) {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", "SLURM_STEP_ID"}) {
    if (vars.get(name)) return true;
  }
  return false;
}

LaunchEnv launch_env(const Environment& vars) {
  auto env_int = [&](const char* name) {
    const char* value = vars.get(name);
    return value ? std::atoi(value) : 0;
  };
  auto has_env = [&](const char* name) { return vars.get(name) != nullptr; };
  LaunchEnv env;
  env.pmix = has_env("PMIX_RANK");
  env.pmi = has_env("PMI_FD") || has_env("PMI_PORT") || has_env("PMI_SIZE");
  auto note = [&](const char* name) {
    if (const char* value = vars.get(name)) {
      env.evidence += (env.evidence.empty() ? "" : " ") + std::string(name) + "=" + value;
    }
  };
  if (has_env("OMPI_COMM_WORLD_SIZE")) {
    env.launcher = "Open MPI's mpirun";
    env.size = env_int("OMPI_COMM_WORLD_SIZE");
    note("OMPI_COMM_WORLD_SIZE");
  } else if (has_env("SLURM_STEP_ID") &&
             (has_env("SLURM_STEP_NUM_TASKS") || has_env("SLURM_NTASKS"))) {
    env.launcher = "Slurm's srun";
    env.size =
        has_env("SLURM_STEP_NUM_TASKS") ? env_int("SLURM_STEP_NUM_TASKS") : env_int("SLURM_NTASKS");
    note(has_env("SLURM_STEP_NUM_TASKS") ? "SLURM_STEP_NUM_TASKS" : "SLURM_NTASKS");
    note("SLURM_MPI_TYPE");
  } else if (has_env("PMI_SIZE") || has_env("HYDI_CONTROL_FD")) {
    env.launcher = "MPICH's mpiexec (Hydra)";
    env.size = env_int("PMI_SIZE");
    note("PMI_SIZE");
  } else if (has_env("PMIX_RANK")) {
    env.launcher = "a PMIx launcher";
    note("PMIX_RANK");
  }
  return env;
}

const char* built_mpi_family() {
#if defined(OMPI_MAJOR_VERSION)
  return "Open MPI";
#elif defined(MPICH_VERSION)
  return "MPICH";
#else
  return "MPI";
#endif
}

std::string built_mpi_version() {
#if defined(OMPI_MAJOR_VERSION)
  return "Open MPI " + std::to_string(OMPI_MAJOR_VERSION) + "." +
         std::to_string(OMPI_MINOR_VERSION) + "." + std::to_string(OMPI_RELEASE_VERSION);
#elif defined(MPICH_VERSION)
  return std::string("MPICH ") + MPICH_VERSION;
#else
  return "an MPI library";
#endif
}

std::string launch_mismatch(const LaunchEnv& env, int mpi_size) {
  if (env.launcher.empty()) return "";
  const std::string family = built_mpi_family();
  const bool open_mpi = family == "Open MPI";
  const std::string fix =
      open_mpi ? "run it with Open MPI's mpirun (or srun --mpi=pmix), or use a shmcount built with "
                 "the launcher's MPI (make MPI=mpich: build-mpich/shmcount under mpiexec.mpich)"
               : "run it with mpiexec.mpich (or srun --mpi=pmi2), or use a shmcount built with "
                 "Open MPI (make: build/shmcount under mpirun)";
  // Before MPI starts: a launcher that offers only what this MPI cannot speak. Open MPI 4.1
  // joins a job through PMIx; MPICH as Debian builds it through PMI.
  if (mpi_size == 0) {
    const bool cannot_join = open_mpi
                                 ? (!env.pmix && env.pmi && env.launcher != "Open MPI's mpirun")
                                 : (env.launcher == "Open MPI's mpirun" && !env.pmi);
    if (!cannot_join) return "";
    return env.launcher + " started this process (" + env.evidence +
           ") but shmcount is built with " + family + ", which cannot join its job" +
           (env.launcher == "Slurm's srun" && open_mpi ? " through PMI-2 (srun --mpi=pmi2)" : "") +
           ": " + fix;
  }
  if (env.size > 1 && mpi_size == 1) {
    return env.launcher + " started " + std::to_string(env.size) + " ranks (" + env.evidence +
           ") but MPI sees 1: each rank started alone, because shmcount is built with " + family +
           " and the launcher belongs to another MPI library; " + fix;
  }
  return "";
}

namespace {
std::string g_settings_chosen;
}  // namespace

std::string pml_to_choose(const Environment& vars) {
  if (std::string(built_mpi_family()) != "Open MPI" || vars.get("OMPI_MCA_pml")) return "";
  const char* size = vars.get("OMPI_COMM_WORLD_SIZE");
  const char* local = vars.get("OMPI_COMM_WORLD_LOCAL_SIZE");
  // Outside mpirun (a singleton, srun) the ranks of the node are not known to be all of them.
  if (!size || !local || std::string(size) != local) return "";
  return "ob1";
}

void choose_mpi_settings() {
  const std::string pml = pml_to_choose(process_environment());
  if (pml.empty()) return;
  ::setenv("OMPI_MCA_pml", pml.c_str(), 0);
  g_settings_chosen = "OMPI_MCA_pml=" + pml + " (set by shmcount: every rank on one node)";
}

std::string mpi_settings_chosen() { return g_settings_chosen; }

int launcher_rank(const Environment& vars) {
  if (!under_launcher(vars)) return 0;
  for (const char* name : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID"}) {
    if (const char* value = vars.get(name)) return std::atoi(value);
  }
  return 0;
}

bool launcher_binding_requested(const Environment& vars) {
  for (const char* name : kBindingVariables) {
    const char* value = vars.get(name);
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

bool launch_bindings_chosen(const Environment& vars) {
  return !under_launcher(vars) || launcher_binding_requested(vars);
}

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

std::string launcher_binding_variables(const Environment& vars) {
  std::string out;
  for (const char* name : kBindingVariables) {
    if (const char* value = vars.get(name)) {
      if (!out.empty()) out += ' ';
      out += std::string(name) + "=" + value;
    }
  }
  return out;
}

}  // namespace shmcount

// shmcount's entry point: parse options before MPI starts, dispatch, and turn every failure into
// one message and a non-zero exit on every rank (2: bad input, 1: failure, 3: wrong counts).
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string_view>
#include <vector>

#include "cli/options.hpp"
#include "common/error.hpp"
#include "common/fault.hpp"
#include "runners/commands.hpp"
#include "runners/mpi_job.hpp"

namespace {

// The launcher's rank variable, read before MPI_Init so only one rank prints usage errors.
int launcher_rank() {
  for (const char* name : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID"}) {
    if (const char* value = std::getenv(name)) return std::atoi(value);
  }
  return 0;
}

bool under_launcher() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", "SLURM_STEP_ID"}) {
    if (std::getenv(name)) return true;
  }
  return false;
}

int usage_error(const std::string& message) {
  if (launcher_rank() == 0) {
    std::fprintf(stderr, "shmcount: %s\n(see shmcount --help)\n", message.c_str());
  }
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace shmcount;
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  Options options;
  try {
    options = parse_options(args);
    set_process_fault(FaultPlan::from_environment(), launcher_rank());
  } catch (const Error& e) {
    return usage_error(e.what());
  }
  const bool launched = under_launcher();
  switch (options.action) {
    case Action::kHelp:
      if (launcher_rank() == 0) std::fputs(help_text().c_str(), stdout);
      return 0;
    case Action::kVersion:
      if (launcher_rank() == 0) std::printf("shmcount %s\n", std::string(kShmcountVersion).c_str());
      return 0;
    case Action::kPlan:
      if (launched && options.plan_ranks != 0) {
        return usage_error("--ranks does not work under mpirun: the launcher's ranks are planned");
      }
      if (!launched) {
        if (options.plan_ranks == 0) return usage_error("--plan needs --ranks N outside mpirun");
        try {
          print_plan(options);
          return 0;
        } catch (const Error& e) {
          return usage_error(e.what());
        }
      }
      break;
    case Action::kDomains:
      try {
        if (launcher_rank() == 0) print_domains(options);
        return 0;
      } catch (const Error& e) {
        return usage_error(e.what());
      }
    case Action::kRun:
      break;
  }
  int exit_code = 0;
  {
    MpiJob job(&argc, &argv);
    try {
      if (options.action == Action::kPlan) {
        print_plan_per_node(options, job);
      } else {
        run_benchmark(options, job);
      }
    } catch (const JobFailed& failed) {
      exit_code = failed.exit_code;
    } catch (const std::exception& e) {
      // Not reached through all_or_none, so other ranks may wait forever: end the job.
      report_error(job.world_rank, job.host, std::string("unexpected failure: ") + e.what());
      MPI_Abort(MPI_COMM_WORLD, 1);
    }
  }
  return exit_code;
}

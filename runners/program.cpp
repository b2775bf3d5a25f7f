// The program behind shmcount's main(): parse options before MPI starts, dispatch, and turn every
// failure into one message and the same non-zero exit on every rank (2: fix the command line or
// environment, 1: failure, 3: wrong counts).
#include "runners/program.hpp"

#include <sys/resource.h>
#include <time.h>

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <new>
#include <optional>
#include <string_view>
#include <vector>

#include "cli/options.hpp"
#include "common/error.hpp"
#include "common/fault.hpp"
#include "common/text.hpp"
#include "memory/need.hpp"
#include "runners/commands.hpp"
#include "runners/launcher.hpp"
#include "runners/mpi_job.hpp"

namespace {

using shmcount::launcher_rank;
using shmcount::under_launcher;

// A refused command line. Outside a launcher the one process prints it. Under a launcher every
// rank starts MPI and agrees: rank 0 prints, and no rank exits before it has (a rank that exits
// first makes the launcher end the job, and rank 0's message could be lost with it).
// SHMCOUNT_FAULT, when it asks for a slow refusal (read apart from the options, which may be bad).
shmcount::FaultPlan slow_fault;

// A binary of one MPI library under another's launcher: its ranks cannot reach each other, so
// there is nobody to agree with. The launcher's rank 0 says why; the others wait a moment (so
// that the launcher does not end the job before the message is out) and exit alike.
int refuse_mismatch(const std::string& message) {
  if (launcher_rank() == 0) {
    std::fprintf(stderr, "shmcount: %s\n", shmcount::printable(message).c_str());
    std::fflush(stderr);
  } else {
    const timespec wait{1, 0};
    nanosleep(&wait, nullptr);
  }
  return shmcount::kExitUsage;
}

int refuse(const std::string& message, int* argc, char*** argv) {
  const std::string text = message + " (see shmcount --help)";
  if (!shmcount::under_launcher()) {
    std::fprintf(stderr, "shmcount: %s\n", shmcount::printable(text).c_str());
    return shmcount::kExitUsage;
  }
  // Ranks of another MPI library's launcher cannot agree with each other: one speaks for all.
  const shmcount::LaunchEnv env = shmcount::launch_env();
  if (!shmcount::launch_mismatch(env, 0).empty()) return refuse_mismatch(text);
  shmcount::MpiJob job(argc, argv);
  if (!shmcount::launch_mismatch(env, job.world_size).empty()) return refuse_mismatch(text);
  try {
    // The fault suite makes one rank slow to speak: the others must wait for its message.
    shmcount::set_process_fault(slow_fault, job.world_rank);
    shmcount::maybe_slow("refusal");
    job.all_or_none([&] { throw shmcount::UsageError(text); });
  } catch (const shmcount::JobFailed& failed) {
    return failed.exit_code;
  }
  return shmcount::kExitUsage;
}

// A rank that ran out of memory (std::bad_alloc) where no check before the run saw it coming: what
// it holds, what limits it, and the options that make it smaller.
std::string out_of_memory_text(const shmcount::Options& o) {
  rlimit limit{};
  const bool limited = ::getrlimit(RLIMIT_AS, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY;
  const double array = static_cast<double>(o.data.size) * sizeof(std::int32_t);
  const double table = static_cast<double>(o.data.values) * sizeof(std::uint64_t);
  return "out of memory (std::bad_alloc): besides the array (" + shmcount::human_bytes(array) +
         ": --size " + std::to_string(o.data.size) + ") each rank holds count tables of its own (" +
         shmcount::human_bytes(table) + " each: --values " + std::to_string(o.data.values) +
         "), and " +
         (limited ? "this rank's address space is limited (ulimit -v " +
                        std::to_string(limit.rlim_cur >> 10) + " KiB)"
                  : std::string("the node's memory is spent")) +
         ": use a smaller --values or --size" + (limited ? ", or raise ulimit -v" : "");
}

}  // namespace

namespace {

int run_program(int argc, char** argv) {
  using namespace shmcount;
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  Options options;
  FaultPlan fault;
  try {
    if (const FaultPlan f = FaultPlan::from_environment(); f.what == "slow") slow_fault = f;
  } catch (const Error&) {
  }
  try {
    options = parse_options(args);
    fault = FaultPlan::from_environment();
  } catch (const Error& e) {
    return refuse(e.what(), &argc, &argv);
  }
  const bool launched = under_launcher();
  if (options.kernel && options.kernel->plugin && !options.kernel->plugin->warning.empty() &&
      launcher_rank() == 0 && options.action != Action::kHelp &&
      options.action != Action::kVersion) {
    std::fprintf(stderr, "shmcount: warning: %s\n",
                 printable(options.kernel->plugin->warning).c_str());
  }
  switch (options.action) {
    case Action::kHelp:
      if (launcher_rank() == 0) std::fputs(help_text(list_table()).c_str(), stdout);
      return 0;
    case Action::kVersion:
      if (launcher_rank() == 0) {
        std::printf("shmcount %s, built with %s\n", std::string(kShmcountVersion).c_str(),
                    shmcount::built_mpi_version().c_str());
      }
      return 0;
    case Action::kPlan: {
      // --plan --ranks N without a job: outside a launcher, or under a launcher of one task (an
      // interactive srun --pty shell is not a job to plan for).
      const bool alone = !launched || shmcount::launch_env().size <= 1;
      if (alone && options.plan_ranks != 0) {
        try {
          print_plan(options);
          return 0;
        } catch (const Error& e) {
          std::fprintf(stderr, "shmcount: %s\n", printable(e.what()).c_str());
          return e.exit_code();
        }
      }
      if (launched && options.plan_ranks != 0) {
        return refuse("--ranks does not work under mpirun: the launcher's ranks are planned", &argc,
                      &argv);
      }
      if (!launched) return refuse("--plan needs --ranks N outside mpirun", &argc, &argv);
      break;
    }
    case Action::kLatencyPlan:
      // Planned for this machine (this process's binding) or --topology; no job to plan for.
      if (launched && shmcount::launch_env().size > 1) {
        return refuse(
            "--plan --latency prints the pairs without a job: run it without mpirun (for this "
            "machine, or --topology XML)",
            &argc, &argv);
      }
      try {
        std::fputs(latency_plan_text(options).c_str(), stdout);
        return 0;
      } catch (const Error& e) {
        std::fprintf(stderr, "shmcount: %s\n", printable(e.what()).c_str());
        return e.exit_code();
      }
    case Action::kDomains:
      // A local command: every rank looks, only rank 0 prints; a refusal (every rank refuses
      // alike) reaches the user the same way as any other.
      try {
        const std::string text = domains_text(options);
        if (launcher_rank() == 0) std::fputs(text.c_str(), stdout);
        return 0;
      } catch (const Error& e) {
        return refuse(e.what(), &argc, &argv);
      }
    case Action::kList:
      // Every rank looks the list up, so an unknown name is refused on every rank alike.
      try {
        const std::string text = list_text(options.list_what);
        if (launcher_rank() == 0) std::fputs(text.c_str(), stdout);
        return 0;
      } catch (const Error& e) {
        return refuse(e.what(), &argc, &argv);
      }
    case Action::kRun:
    case Action::kLatency:
      break;
  }
  // A binary of one MPI under another's launcher is refused before anything is created: before
  // MPI starts where the environment already tells, else as soon as MPI says how many ranks it
  // sees.
  const LaunchEnv env = shmcount::launch_env();
  if (const std::string why = shmcount::launch_mismatch(env, 0); !why.empty()) {
    return refuse_mismatch(why);
  }
  int exit_code = 0;
  {
    MpiJob job(&argc, &argv);
    if (const std::string why = shmcount::launch_mismatch(env, job.world_size); !why.empty()) {
      return refuse_mismatch(why);
    }
    set_process_fault(fault, job.world_rank);
    try {
      // A rank that refused its command line (a plugin whose constructor crashed on that rank
      // alone, a file that only some nodes can read) waits in all_or_none (refuse above): the
      // ranks that accepted it meet it there first, so the refusal reaches every rank instead
      // of two different collective calls (MPICH: "Message truncated", exit 14).
      job.all_or_none([] {});
      if (options.action == Action::kPlan) {
        print_plan_per_node(options, job);
      } else if (options.action == Action::kLatency) {
        run_latency(options, job);
      } else {
        run_benchmark(options, job);
      }
    } catch (const JobFailed& failed) {
      exit_code = failed.exit_code;
    } catch (const std::bad_alloc&) {
      // A rank's own memory (a count table of --values per rank, outside the checks before the
      // run) did not fit under its limits: say what is big and what makes it smaller.
      report_error(job.world_rank, job.host, out_of_memory_text(options));
      MPI_Abort(MPI_COMM_WORLD, kExitFailure);
    } catch (const std::exception& e) {
      // Not reached through all_or_none, so other ranks may wait forever: end the job.
      report_error(job.world_rank, job.host, std::string("unexpected failure: ") + e.what());
      MPI_Abort(MPI_COMM_WORLD, kExitFailure);
    }
  }
  return exit_code;
}

}  // namespace

// What a command printed must have reached its reader: a full disk or a closed pipe on stdout is
// a failure, not exit 0. A file larger than RLIMIT_FSIZE allows is an error write() reports
// (EFBIG), not a SIGXFSZ that kills the process without a word.
int shmcount::program_main(int argc, char** argv) {
  std::signal(SIGXFSZ, SIG_IGN);
  int status = run_program(argc, argv);
  // A run that failed has said why already (writing its summary is checked where it is written).
  if (status == 0 && (std::fflush(stdout) != 0 || std::ferror(stdout))) {
    std::fprintf(stderr, "shmcount: %s\n",
                 shmcount::describe_errno("writing to standard output", errno).c_str());
    status = shmcount::kExitFailure;
  }
  return status;
}

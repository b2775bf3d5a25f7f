#include "fault.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string_view>
#include <utility>

#include "common/error.hpp"
#include "common/parse.hpp"

namespace shmcount {
namespace {

constexpr std::array<std::pair<std::string_view, int>, 9> kErrnos{{
    {"ENOSPC", ENOSPC},
    {"EINVAL", EINVAL},
    {"ENOMEM", ENOMEM},
    {"EACCES", EACCES},
    {"EPERM", EPERM},
    {"EIDRM", EIDRM},
    {"EEXIST", EEXIST},
    {"ENFILE", ENFILE},
    {"EOPNOTSUPP", EOPNOTSUPP},
}};

constexpr std::array kCalls{
    FaultCall{"shmget", "memory/sysv.cpp: the node leader creates the System V segment"},
    FaultCall{"shmat", "memory/sysv.cpp: a rank attaches the segment"},
    FaultCall{"shmctl", "memory/sysv.cpp: the leader marks the segment for removal (IPC_RMID)"},
    FaultCall{"shm_open",
              "memory/posix.cpp: the leader creates the POSIX file; another rank opens it through "
              "the leader's descriptor"},
    FaultCall{"ftruncate", "memory/posix.cpp: the leader sizes the POSIX file"},
    FaultCall{"mmap",
              "memory/posix.cpp: a rank maps the POSIX file; memory/mechanisms.cpp: a rank maps "
              "its private copy"},
    FaultCall{"madvise", "memory/pages.cpp: MADV_HUGEPAGE for --pages thp"},
    FaultCall{"mbind", "memory/pages.cpp: the --mempolicy of the array (hwloc_set_area_membind)"},
    FaultCall{"win_allocate",
              "runners/mpi_job.cpp: MPI_Win_allocate_shared on one rank (the others then wait "
              "in the collective call)"},
    FaultCall{"tmpfile", "report/output_files.cpp: the unnamed O_TMPFILE result files"},
};

FaultPlan g_fault;
bool g_armed = false;  // This process is the target and the call fault has not fired yet.

}  // namespace

FaultPlan FaultPlan::from_environment() {
  FaultPlan f;
  const char* env = std::getenv("SHMCOUNT_FAULT");
  if (!env || !*env) return f;
  const std::string_view text(env);
  const auto at = text.rfind('@');
  const auto rank = at == std::string_view::npos ? std::nullopt : parse_u64(text.substr(at + 1));
  if (!rank || *rank > 1'000'000) {
    throw Error("SHMCOUNT_FAULT='" + std::string(text) + "': expected WHAT[:ARG]@RANK");
  }
  const std::string_view head = text.substr(0, at);
  const auto colon = head.find(':');
  f.what = std::string(head.substr(0, colon));
  f.arg = colon == std::string_view::npos ? "" : std::string(head.substr(colon + 1));
  f.rank = static_cast<int>(*rank);
  const bool is_call = std::any_of(kCalls.begin(), kCalls.end(),
                                   [&](const FaultCall& c) { return c.name == f.what; });
  if (is_call) {
    for (const auto& [name, value] : kErrnos) {
      if (name == f.arg) f.err = value;
    }
    if (f.err == 0) throw Error("SHMCOUNT_FAULT: unknown errno '" + f.arg + "'");
  } else if (f.what != "stall" && f.what != "miscount" && f.what != "slow" && f.what != "handoff") {
    throw Error("SHMCOUNT_FAULT: unknown fault '" + f.what + "'");
  }
  return f;
}

std::span<const FaultCall> fault_calls() { return kCalls; }

const FaultPlan& process_fault() { return g_fault; }

void set_process_fault(const FaultPlan& fault, int world_rank) {
  g_fault = fault;
  g_armed = fault.targets(world_rank);
}

bool inject_call_fault(const char* call) {
  if (!g_armed || g_fault.what != call) return false;
  g_armed = false;
  errno = g_fault.err;
  return true;
}

void maybe_slow(const char* phase) {
  if (!g_armed || g_fault.what != "slow" || g_fault.arg != phase) return;
  g_armed = false;
  const timespec second{1, 0};
  ::nanosleep(&second, nullptr);
}

void maybe_stall(const char* phase) {
  if (!g_armed || g_fault.what != "stall" || g_fault.arg != phase) return;
  g_armed = false;
  // SIGUSR1 resumes the run, so a test can look at a live job and then let it finish.
  static volatile std::sig_atomic_t resumed = 0;
  resumed = 0;
  struct sigaction action {};
  action.sa_handler = [](int) { resumed = 1; };
  ::sigaction(SIGUSR1, &action, nullptr);
  std::fprintf(stderr, "shmcount: fault injection: stalling at %s (pid %d)\n", phase,
               static_cast<int>(::getpid()));
  std::fflush(stderr);
  while (!resumed) ::pause();
}

}  // namespace shmcount

// How one rank ends the whole job from inside a signal handler (a plugin kernel that crashed, a
// tmpfs that filled up under the first touch, --time-limit): its message, then the job ends with
// exit status 1, whichever launcher started it.
//
// The runner installs an ender that calls MPI_Abort (set_job_ender): the launcher then reports the
// abort's status. A plain _exit(1) on one rank is not enough under MPICH: Hydra kills the other
// ranks and reports the bitwise OR of every rank's status, so the job ended 1 or 9 (SIGKILL) as
// the race fell. MPI_Abort is not async-signal-safe; the process is lost anyway, and should the
// abort fault again or hang, a second signal or a 10 s alarm ends the rank with _exit(status).
// Code without MPI (unit tests, the fuzz target) has no ender: the rank just exits.
#pragma once

#include <time.h>
#include <unistd.h>

#include <csignal>
#include <string_view>

namespace shmcount {

using JobEnder = void (*)(int status);

namespace detail {
inline JobEnder g_job_ender = nullptr;
inline volatile std::sig_atomic_t g_ending = 0;
}  // namespace detail

inline void set_job_ender(JobEnder ender) { detail::g_job_ender = ender; }

// Only for signal handlers. write(2), sigaction(2), alarm(2), nanosleep(2) and _exit(2) are
// async-signal-safe.
[[noreturn]] inline void end_job_from_signal(std::string_view message, int status) {
  if (detail::g_ending) ::_exit(status);  // A fault or a time limit while ending: go now.
  detail::g_ending = 1;
  const ssize_t written = ::write(STDERR_FILENO, message.data(), message.size());
  (void)written;
  struct sigaction give_up {};
  give_up.sa_handler = [](int) { ::_exit(1); };
  ::sigaction(SIGALRM, &give_up, nullptr);
  ::alarm(10);
  if (detail::g_job_ender) {
    // The abort tears the job down at once; under MPICH the line above was lost once in about 40
    // runs (the proxy had not forwarded it yet). A tenth of a second lets the launcher read it.
    const timespec pause{0, 100'000'000};
    ::nanosleep(&pause, nullptr);
    detail::g_job_ender(status);
  }
  ::_exit(status);
}

// The flags of a handler that may call end_job_from_signal: SA_NODEFER lets a fault inside the
// ending reach the handler again, which then exits at once.
inline constexpr int kEndingHandlerFlags = SA_NODEFER;

}  // namespace shmcount

// --time-limit's watchdog (runners/watchdog.cpp): when each rank's timer fires, the message it
// writes, and, in a child process, a real timer that ends the process with that message, or
// silently when the handler runs late (the process was stopped: another rank has spoken).
#include "runners/watchdog.hpp"

#include <gtest/gtest.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <string>

#include "common/error.hpp"
#include "runners/run_phase.hpp"

namespace shmcount {
namespace {

TEST(Watchdog, RankZeroFiresAtTheLimitTheOthersLaterInRankOrder) {
  EXPECT_EQ(watchdog::delay_ms(0), 0);
  EXPECT_EQ(watchdog::delay_ms(1), 3200);
  EXPECT_EQ(watchdog::delay_ms(2), 3400);
  for (int rank = 1; rank < 50; ++rank) {
    EXPECT_LT(watchdog::delay_ms(rank), watchdog::delay_ms(rank + 1)) << rank;
  }
  // From rank 50 on, alike: the wait stays bounded however large the job.
  EXPECT_EQ(watchdog::delay_ms(50), 13000);
  EXPECT_EQ(watchdog::delay_ms(51), 13000);
  EXPECT_EQ(watchdog::delay_ms(100000), 13000);
}

std::string message(int rank, long seconds, PhaseNow now, std::size_t size = 512) {
  std::string buffer(size + 8, '#');
  const std::size_t n = watchdog::format_message(buffer.data(), size, rank, seconds, now);
  EXPECT_LT(n, size);
  EXPECT_EQ(buffer.substr(size), "########") << "written past the buffer";
  return buffer.substr(0, n);
}

TEST(Watchdog, RankZerosMessageNamesTheLimitAndThePhase) {
  EXPECT_EQ(message(0, 30, {RunPhase::kParallel, 4, 10}),
            "shmcount: --time-limit 30 s passed during the parallel phase (repetition 5 of 10); "
            "the job was ended: no results were written and no shared memory is left. A rank was "
            "paused or starved, or the run needs a larger --time-limit\n");
  EXPECT_EQ(message(0, 7, {RunPhase::kShare, 0, 0})
                .rfind("shmcount: --time-limit 7 s passed during the sharing the array; ", 0),
            0u);
}

TEST(Watchdog, AnotherRanksMessageSaysRankZeroDidNotAnswer) {
  EXPECT_EQ(
      message(12, 5, {RunPhase::kSequential, 0, 3})
          .rfind("shmcount: rank 12 (rank 0 did not answer: stopped?): --time-limit 5 s passed "
                 "during the sequential phase (repetition 1 of 3);",
                 0),
      0u);
}

TEST(Watchdog, AMessageNeverOverrunsItsBuffer) {
  const std::string cut = message(3, 123456789, {RunPhase::kWarmUp, 0, 0}, 20);
  EXPECT_EQ(cut, std::string("shmcount: rank 3 (r"));
  EXPECT_EQ(message(0, 1, {}, 1), "");
}

TEST(Watchdog, ArmingSetsTheRanksTimerAndDisarmingClearsIt) {
  arm_time_limit(5, 2);  // 5 s, then rank 2's 3.4 s.
  itimerval armed{};
  ASSERT_EQ(::getitimer(ITIMER_REAL, &armed), 0);
  disarm_time_limit();
  itimerval off{};
  ASSERT_EQ(::getitimer(ITIMER_REAL, &off), 0);
  const long armed_ms = armed.it_value.tv_sec * 1000 + armed.it_value.tv_usec / 1000;
  EXPECT_LE(armed_ms, 8400);
  EXPECT_GT(armed_ms, 7400);  // It counts down from 8.4 s: read at once, not seconds later.
  EXPECT_EQ(off.it_value.tv_sec, 0);
  EXPECT_EQ(off.it_value.tv_usec, 0);
  // 0: no limit, no timer.
  arm_time_limit(0, 0);
  ASSERT_EQ(::getitimer(ITIMER_REAL, &off), 0);
  EXPECT_EQ(off.it_value.tv_sec, 0);
  EXPECT_EQ(off.it_value.tv_usec, 0);
}

struct Ended {
  int status = -1;  // The exit status, or -1 when the child did not exit.
  std::string stderr_text;
};

// Runs `body` in a child whose stderr is a pipe; waits for it (30 s at most, then kills it).
template <typename Body>
Ended in_child(Body body) {
  // The parent's guard below interrupts its read (no SA_RESTART) and must not end it.
  struct sigaction guard {};
  guard.sa_handler = [](int) {};
  sigemptyset(&guard.sa_mask);
  ::sigaction(SIGALRM, &guard, nullptr);
  int fds[2];
  if (::pipe(fds) != 0) return {};
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    ::dup2(fds[1], STDERR_FILENO);
    body();
    ::_exit(99);  // The body returned: the watchdog did not end the process.
  }
  ::close(fds[1]);
  Ended ended;
  char buffer[1024];
  ssize_t n;
  // Read to the end: the child's exit closes the pipe. A child that hangs is killed by a timer.
  alarm(30);
  while ((n = ::read(fds[0], buffer, sizeof buffer)) > 0) {
    ended.stderr_text.append(buffer, static_cast<std::size_t>(n));
  }
  alarm(0);
  ::signal(SIGALRM, SIG_DFL);
  ::close(fds[0]);
  int status = 0;
  if (::waitpid(pid, &status, WNOHANG) == 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  if (WIFEXITED(status)) ended.status = WEXITSTATUS(status);
  return ended;
}

// Blocks until a signal ends the process (the watchdog's).
void wait_for_the_watchdog() {
  for (int i = 0; i < 60; ++i) ::pause();
}

TEST(Watchdog, TheTimerEndsTheProcessWithOneMessage) {
  const Ended ended = in_child([] {
    note_phase(RunPhase::kParallel, 1, 3);
    arm_time_limit(1, 0);
    wait_for_the_watchdog();
  });
  EXPECT_EQ(ended.status, kExitFailure);
  EXPECT_EQ(ended.stderr_text.rfind(
                "shmcount: --time-limit 1 s passed during the parallel phase (repetition 2 of 3); "
                "the job was ended",
                0),
            0u)
      << ended.stderr_text;
}

std::int64_t g_fake_now = 0;
std::int64_t fake_clock() { return g_fake_now; }

TEST(Watchdog, AHandlerThatRunsLateEndsTheProcessSilently) {
  const Ended ended = in_child([] {
    watchdog::set_clock(fake_clock);
    g_fake_now = 0;
    arm_time_limit(1, 0);
    // The process "was stopped" past the next rank's slot (1 s + 3.2 s): rank 1 has spoken.
    g_fake_now = 5'000'000'000;
    wait_for_the_watchdog();
  });
  EXPECT_EQ(ended.status, kExitFailure);
  EXPECT_EQ(ended.stderr_text, "");
}

}  // namespace
}  // namespace shmcount

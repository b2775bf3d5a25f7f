#include "watchdog.hpp"

#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>

#include "common/error.hpp"
#include "common/fatal_signal.hpp"
#include "runners/run_phase.hpp"

namespace shmcount {
namespace {

// Read by the signal handler: only lock-free atomics and fixed buffers.
volatile std::sig_atomic_t g_rank = 0;
volatile std::sig_atomic_t g_seconds = 0;
// CLOCK_MONOTONIC (ns) when the next rank's timer fires. A handler that runs later than that ran
// late because its process was stopped: the next rank has spoken (or will), so it stays silent.
// Written once, before the timer is armed.
std::int64_t g_next_slot_ns = 0;

std::int64_t monotonic_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

watchdog::Clock g_clock = monotonic_ns;

std::int64_t now_ns() { return g_clock(); }

using watchdog::delay_ms;

// Async-signal-safe decimal formatting.
char* append_number(char* out, const char* end, long value) {
  char digits[24];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value > 0 && n < 23);
  while (n > 0 && out < end) *out++ = digits[--n];
  return out;
}

char* append_text(char* out, const char* end, const char* text) {
  while (*text && out < end) *out++ = *text++;
  return out;
}

void on_time_limit(int) {
  if (now_ns() > g_next_slot_ns) ::_exit(kExitFailure);
  char message[512];
  const std::size_t n =
      watchdog::format_message(message, sizeof message, g_rank, g_seconds, phase_now());
  end_job_from_signal(std::string_view(message, n), kExitFailure);
}

}  // namespace

namespace watchdog {

void set_clock(Clock clock) { g_clock = clock ? clock : monotonic_ns; }

// When rank r's timer fires, after the limit: rank 0 at once, the others 3 s later and 0.2 s
// apart, so a rank speaks only when every lower rank has been silent.
long delay_ms(int world_rank) {
  return world_rank == 0 ? 0 : 3000 + 200L * std::min(world_rank, 50);
}

std::size_t format_message(char* out, std::size_t size, int world_rank, long seconds,
                           const PhaseNow& now) {
  if (size == 0) return 0;
  char* p = out;
  const char* end = out + size - 1;
  p = append_text(p, end, "shmcount: ");
  if (world_rank != 0) {
    p = append_text(p, end, "rank ");
    p = append_number(p, end, world_rank);
    p = append_text(p, end, " (rank 0 did not answer: stopped?): ");
  }
  p = append_text(p, end, "--time-limit ");
  p = append_number(p, end, seconds);
  p = append_text(p, end, " s passed during the ");
  p = append_text(p, end, phase_name(now.phase));
  if (now.reps > 0) {
    p = append_text(p, end, " (repetition ");
    p = append_number(p, end, now.rep + 1);
    p = append_text(p, end, " of ");
    p = append_number(p, end, now.reps);
    p = append_text(p, end, ")");
  }
  p = append_text(p, end,
                  "; the job was ended: no results were written and no shared memory is left. "
                  "A rank was paused or starved, or the run needs a larger --time-limit\n");
  return static_cast<std::size_t>(p - out);
}

}  // namespace watchdog

void arm_time_limit(std::uint64_t seconds, int world_rank) {
  if (seconds == 0) return;
  g_rank = world_rank;
  g_seconds = static_cast<std::sig_atomic_t>(seconds);
  struct sigaction action {};
  action.sa_handler = on_time_limit;
  sigemptyset(&action.sa_mask);
  action.sa_flags = kEndingHandlerFlags;
  ::sigaction(SIGALRM, &action, nullptr);
  const long delay = delay_ms(world_rank);
  g_next_slot_ns = now_ns() + static_cast<std::int64_t>(seconds) * 1'000'000'000 +
                   static_cast<std::int64_t>(delay_ms(world_rank + 1)) * 1'000'000;
  itimerval timer{};
  timer.it_value.tv_sec = static_cast<time_t>(seconds) + delay / 1000;
  timer.it_value.tv_usec = (delay % 1000) * 1000;
  ::setitimer(ITIMER_REAL, &timer, nullptr);
}

void disarm_time_limit() {
  itimerval off{};
  ::setitimer(ITIMER_REAL, &off, nullptr);
}

}  // namespace shmcount

// --time-limit: a job that runs past its limit ends with one message, nothing written and no
// shared memory left (every region is already marked for removal, result files are unnamed).
//
// Every rank arms a timer. When it fires on world rank 0, rank 0 prints the message and exits;
// the launcher then ends the other ranks (even stopped ones: SIGKILL reaches them). The other
// ranks' timers fire a few seconds later, staggered by rank, so that a job whose rank 0 is
// itself stopped still ends, with a message from the lowest rank that can run. A rank whose
// timer is handled late (it was stopped, and the launcher woke it to end it) exits silently.
#pragma once

#include <cstddef>
#include <cstdint>

#include "runners/run_phase.hpp"

namespace shmcount {

// Arms the timer (seconds > 0); no effect for 0.
void arm_time_limit(std::uint64_t seconds, int world_rank);
// Disarms it: the rest of the run (writing the results) is not limited.
void disarm_time_limit();

// The parts of the watchdog a unit test drives (tests/unit/watchdog_test.cpp).
namespace watchdog {
// CLOCK_MONOTONIC in ns; a test replaces it (nullptr: the real one again) to make a handler late.
using Clock = std::int64_t (*)();
void set_clock(Clock clock);
// How long after the limit rank `world_rank`'s timer fires (ms): rank 0 at once, the others 3 s
// later and 0.2 s apart (rank 50 and above alike).
long delay_ms(int world_rank);
// The message the handler writes, into out[0, size), async-signal-safe; its length.
std::size_t format_message(char* out, std::size_t size, int world_rank, long seconds,
                           const PhaseNow& now);
}  // namespace watchdog

}  // namespace shmcount

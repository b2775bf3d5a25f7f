// Where a run is, for whoever reports on it while it runs (the --time-limit watchdog, progress).
// Every function here is async-signal-safe and cheap: the timed loop notes each repetition.
#pragma once

#include <cstdint>

namespace shmcount {

enum class RunPhase : int {
  kSetUp,
  kShare,
  kWarmUp,
  kParallel,
  kSequential,
  kGather,
  kWrite,
  kPairs,  // A latency map: its rep is the visit of a pair in a round, of how many.
};

struct PhaseNow {
  RunPhase phase = RunPhase::kSetUp;
  long rep = 0;   // From 0.
  long reps = 0;  // 0 when the phase has no repetitions.
};

// Notes the phase and the repetition (from 0) of how many.
void note_phase(RunPhase phase, std::uint64_t rep = 0, std::uint64_t reps = 0);
PhaseNow phase_now();
// "set-up", "sharing the array", "warm-up", "parallel phase", ...
const char* phase_name(RunPhase phase);

}  // namespace shmcount

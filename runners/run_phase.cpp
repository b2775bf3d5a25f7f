#include "run_phase.hpp"

#include <algorithm>
#include <atomic>

namespace shmcount {
namespace {

// Lock-free atomics: safe to read from a signal handler and from the progress thread.
std::atomic<int> g_phase{0};
std::atomic<long> g_rep{0};
std::atomic<long> g_reps{0};
static_assert(std::atomic<int>::is_always_lock_free && std::atomic<long>::is_always_lock_free);

constexpr const char* kPhaseNames[] = {"set-up",
                                       "sharing the array",
                                       "warm-up",
                                       "parallel phase",
                                       "sequential phase",
                                       "gathering the records",
                                       "writing the results",
                                       "measuring pairs"};

}  // namespace

void note_phase(RunPhase phase, std::uint64_t rep, std::uint64_t reps) {
  g_rep.store(static_cast<long>(rep), std::memory_order_relaxed);
  g_reps.store(static_cast<long>(reps), std::memory_order_relaxed);
  g_phase.store(static_cast<int>(phase), std::memory_order_relaxed);
}

PhaseNow phase_now() {
  return PhaseNow{static_cast<RunPhase>(g_phase.load(std::memory_order_relaxed)),
                  g_rep.load(std::memory_order_relaxed), g_reps.load(std::memory_order_relaxed)};
}

const char* phase_name(RunPhase phase) {
  return kPhaseNames[std::clamp(static_cast<int>(phase), 0, 7)];
}

}  // namespace shmcount

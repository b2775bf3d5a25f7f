// One cache line bounced between two agents (two ranks, or two threads in a test), the way
// core-to-core latency is measured (nviennot/core-to-core-latency, rigtorp/c2clat): one agent
// starts a sample and times it, the other answers, and the line goes back and forth a fixed
// number of round trips. Every turn checks that the line holds the value the other agent must
// have written, so a broken handoff is an error, not a fast time. No MPI, no hwloc: the runner
// binds the agents and says who starts each sample.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/wire.hpp"

namespace shmcount {

// Adjacent-line prefetch moves 64-byte lines in pairs on Intel: the bounced line owns a whole
// 128-byte pair, so nothing else shares what moves between the agents.
inline constexpr std::size_t kLinePairBytes = 128;

// The bounced line: one counter, alone on its line pair. Both agents start with the same value;
// each store adds one, the starter writing odd steps and the answerer even ones.
struct alignas(kLinePairBytes) BounceLine {
  std::atomic<std::uint64_t> value{0};
};
static_assert(sizeof(BounceLine) == kLinePairBytes);
static_assert(std::atomic<std::uint64_t>::is_always_lock_free);

// What an agent does in a bounce: start every sample (its first store begins the round trips,
// and it times them) or answer the other agent's stores.
enum class Turn { kStarts, kAnswers };

struct BounceSettings {
  std::uint64_t round_trips = 1000;  // Per sample.
  std::uint64_t first_value = 0;     // The line's value before the first sample.
  // Waiting this long for the other agent's turn ends the bounce as stalled (a stopped or dead
  // partner, or a protocol that lost a turn): checked only while waiting, every 65536 polls.
  std::int64_t stall_ns = 10'000'000'000;
  // Fault injection (SHMCOUNT_FAULT=handoff@RANK): this agent's first store in this sample skips
  // one step, as a handoff that lost a turn would; the other agent must find it. -1: none.
  std::int64_t break_in_sample = -1;
};

struct BounceOutcome {
  // Per sample, for the agent that starts: its time for all the sample's round trips
  // (CLOCK_MONOTONIC, ns); -1 for a sample that did not finish, and for the agent that answers.
  std::vector<std::int64_t> ns;
  bool ok = true;
  std::size_t failed_sample = 0;  // Where it broke, when !ok.
  // What broke, as a clause after "found": "that the line held 6003 in round trip 0, where ...".
  std::string why;
  std::uint64_t last_value = 0;  // The line's value this agent saw or wrote last.
};

// The value the line holds after `samples` samples of `round_trips` from `first`.
constexpr std::uint64_t value_after(std::uint64_t first, std::size_t samples,
                                    std::uint64_t round_trips) {
  return first + 2 * round_trips * samples;
}

// Bounces `line` for `samples` samples, this agent taking `turn` in every one (the other agent
// calls it at the same time with the other turn and the same settings, the fault aside). One
// agent starts every sample of a call: an agent that answered the last store cannot start the
// next sample before the other has seen that store, so a change of roles needs a barrier between
// two calls. On a broken handoff or a stall the agent that finds it writes a value no turn can
// have, so that the other agent stops too, and both return !ok.
BounceOutcome bounce(BounceLine& line, Turn turn, std::size_t samples,
                     const BounceSettings& settings);

// What each agent says after a visit of a pair, sent to the other: whether the line held what
// it must, whether it stayed on its PU, whether it was disturbed, and why it broke.
struct VisitReport {
  int ok = 1, placed = 1, disturbed = 0;
  std::string why;
};
void write_visit(WireWriter& w, const VisitReport& v);
VisitReport read_visit(WireReader& r);

}  // namespace shmcount

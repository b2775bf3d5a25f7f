#include "pingpong.hpp"

#include <time.h>

namespace shmcount {
namespace {

// A value no turn can write: the agent that finds the handoff broken stores it to stop the other.
constexpr std::uint64_t kStop = ~std::uint64_t{0};
constexpr std::uint64_t kPollsPerClockCheck = 1 << 16;

std::int64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// Waits until the line no longer holds `mine` (the value this agent wrote or last saw) and
// returns what it holds then; kStop once `stall_ns` passed without a change.
std::uint64_t wait_for_change(const BounceLine& line, std::uint64_t mine, std::int64_t stall_ns) {
  std::uint64_t polls = 0;
  std::int64_t waiting_since = 0;
  for (;;) {
    const std::uint64_t got = line.value.load(std::memory_order_acquire);
    if (got != mine) return got;
    if (++polls % kPollsPerClockCheck != 0) continue;
    const std::int64_t t = now_ns();
    if (waiting_since == 0) {
      waiting_since = t;
    } else if (t - waiting_since > stall_ns) {
      return kStop;
    }
  }
}

std::string broken(std::uint64_t round_trip, std::uint64_t expected, std::uint64_t got,
                   bool stalled) {
  if (stalled) {
    return "no answer from the other rank in round trip " + std::to_string(round_trip) +
           " for over the stall limit: it is stopped, starved or lost a turn";
  }
  if (got == kStop) return "the other rank found the handoff broken and stopped";
  return "that the line held " + std::to_string(got) + " in round trip " +
         std::to_string(round_trip) + ", where the other rank's turn leaves " +
         std::to_string(expected) + ": a broken handoff";
}

}  // namespace

BounceOutcome bounce(BounceLine& line, Turn turn, std::size_t samples,
                     const BounceSettings& settings) {
  BounceOutcome out;
  out.ns.assign(samples, -1);
  std::uint64_t value = settings.first_value;  // What the line holds between samples.
  std::uint64_t held = value;  // What this agent last wrote or saw: it waits for a change of it.
  std::uint64_t skew = 0;      // 1 for the first store of the sample the fault breaks.
  auto fail = [&](std::size_t sample, std::uint64_t round_trip, std::uint64_t expected,
                  std::uint64_t got) {
    // A stall leaves the line as this agent knew it; the other agent's stop replaces it.
    const bool stalled = got == kStop && line.value.load(std::memory_order_acquire) == held;
    out.ok = false;
    out.failed_sample = sample;
    out.why = broken(round_trip, expected, got, stalled);
    if (got != kStop || stalled) line.value.store(kStop, std::memory_order_release);
    out.last_value = got;
  };
  for (std::size_t k = 0; k < samples; ++k) {
    if (static_cast<std::int64_t>(k) == settings.break_in_sample) skew = 1;
    if (turn == Turn::kStarts) {
      const std::int64_t t0 = now_ns();
      for (std::uint64_t i = 0; i < settings.round_trips; ++i) {
        held = value + 1 + skew;
        skew = 0;
        line.value.store(held, std::memory_order_release);
        const std::uint64_t got = wait_for_change(line, held, settings.stall_ns);
        if (got != value + 2) {
          fail(k, i, value + 2, got);
          return out;
        }
        value += 2;
        held = value;
      }
      out.ns[k] = now_ns() - t0;
    } else {
      for (std::uint64_t i = 0; i < settings.round_trips; ++i) {
        const std::uint64_t got = wait_for_change(line, held, settings.stall_ns);
        if (got != value + 1) {
          fail(k, i, value + 1, got);
          return out;
        }
        value += 2;
        held = value + skew;
        skew = 0;
        line.value.store(held, std::memory_order_release);
      }
    }
  }
  out.last_value = value;
  return out;
}

void write_visit(WireWriter& w, const VisitReport& v) {
  w.put(v.ok).put(v.placed).put(v.disturbed).put_string(v.why);
}

VisitReport read_visit(WireReader& r) {
  VisitReport v;
  v.ok = r.get<int>();
  v.placed = r.get<int>();
  v.disturbed = r.get<int>();
  v.why = r.get_string();
  return v;
}

}  // namespace shmcount

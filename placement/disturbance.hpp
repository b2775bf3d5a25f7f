// What took a rank's PU from it while it counted: per repetition, the scheduler's and the
// hypervisor's counts for the rank's thread (involuntary switches, migrations, time waiting for a
// CPU, page faults, steal time of its PU), one table entry each. The runner reads them around
// every timed kernel; the CSV has a column per entry, so adding a counter is adding an entry.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace shmcount {

// A snapshot of this thread's counters (and its PU's steal time), in table order; -1 where the
// kernel does not report one.
inline constexpr std::size_t kDisturbanceCounters = 7;
using DisturbanceCounts = std::array<std::int64_t, kDisturbanceCounters>;
// Every counter unknown.
inline constexpr DisturbanceCounts kUnknownDisturbance = [] {
  DisturbanceCounts unknown{};
  unknown.fill(-1);
  return unknown;
}();

struct DisturbanceReading {
  DisturbanceCounts values = kUnknownDisturbance;
  int cpu = -1;  // The CPU the thread was on (the steal time is that CPU's).
};

struct DisturbanceCounter {
  std::string_view column;
  std::string_view description;
};

// Every counter, in the order of a reading.
std::span<const DisturbanceCounter> disturbance_counters();

// Takes a snapshot (getrusage and a few small /proc reads, no allocation beyond a buffer): one
// right before a timed kernel (kBefore: the thread's CPU clock and run-queue time read last) and
// one right after it (kAfter: read first), so that the time they account for is the kernel's,
// not the readings'.
enum class Reading { kBefore, kAfter };
DisturbanceReading read_disturbance(Reading when);

// What happened between two readings around `time_ns` of timed work: after minus before per
// counter (the CPU time turned into the time left out of it); -1 where either is unknown (and for
// steal time when the thread changed CPU in between).
DisturbanceCounts disturbance_delta(const DisturbanceReading& before,
                                    const DisturbanceReading& after, std::int64_t time_ns);

// Whether a repetition of `time_ns` with these deltas was disturbed: the rank lost more than
// kLostShare of its time without its CPU (wall time without CPU time: waiting in the run queue
// and, with paravirtual accounting, steal; where CPU time is not known, run-queue delay, else any
// involuntary switch) or to the hypervisor (steal beyond the one clock tick /proc/stat cannot
// resolve), took a major page fault, or, pinned, was moved to another CPU. A rank that shares its
// PU with another rank of the plan (oversubscribed) waits by design: only steal and major faults
// count for it.
inline constexpr double kLostShare = 0.01;
bool is_disturbed(std::span<const std::int64_t> delta, std::int64_t time_ns, bool oversubscribed,
                  bool pinned);

// Indices into a reading, for the rule above and for tests.
enum DisturbanceIndex : std::size_t {
  kInvoluntarySwitches = 0,
  kMigrations = 1,
  kRunDelayNs = 2,
  kStealNs = 3,
  kMinorFaults = 4,
  kMajorFaults = 5,
  kOffCpuNs = 6,  // Read as the thread's CPU time; a delta holds the wall time it leaves out.
};

}  // namespace shmcount

#include "disturbance.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

namespace shmcount {
namespace {

constexpr std::array<DisturbanceCounter, kDisturbanceCounters> kCounters{{
    {"ctx_switches",
     "involuntary context switches of the rank's thread during the timed kernel (getrusage "
     "RUSAGE_THREAD)"},
    {"migrations",
     "CPU migrations of the rank's thread during the timed kernel (/proc/thread-self/sched; "
     "else 1 when it ended on another CPU)"},
    {"run_delay_ns",
     "ns the thread was runnable but waiting for a CPU during the timed kernel "
     "(/proc/thread-self/schedstat; empty: not reported)"},
    {"steal_ns",
     "steal time of the rank's PU during the timed kernel, from /proc/stat (counted in clock "
     "ticks, so within one tick, 10 ms; empty: not reported, or the thread changed CPU)"},
    {"minor_faults", "minor page faults of the thread during the timed kernel"},
    {"major_faults", "major page faults (the thread waited for I/O) during the timed kernel"},
    {"off_cpu_ns",
     "ns of the timed kernel the thread did not get CPU time for: its wall time minus its CPU "
     "time (CLOCK_THREAD_CPUTIME_ID), so waiting for a CPU and, where the kernel accounts steal "
     "apart (paravirtual time accounting), time the hypervisor took"},
}};

// Reads a small /proc file into `buf`; returns its length, or -1.
long read_small(const char* path, char* buf, std::size_t size) {
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  std::size_t used = 0;
  while (used + 1 < size) {
    const ssize_t n = ::read(fd, buf + used, size - 1 - used);
    if (n <= 0) break;
    used += static_cast<std::size_t>(n);
  }
  ::close(fd);
  buf[used] = '\0';
  return static_cast<long>(used);
}

// The second field of /proc/thread-self/schedstat: ns spent runnable, waiting for a CPU.
std::int64_t run_delay_ns() {
  char buf[128];
  if (read_small("/proc/thread-self/schedstat", buf, sizeof buf) <= 0) return -1;
  char* end = nullptr;
  std::strtoll(buf, &end, 10);
  if (end == buf) return -1;
  const char* second = end;
  const long long delay = std::strtoll(second, &end, 10);
  return end == second ? -1 : delay;
}

// se.nr_migrations of /proc/thread-self/sched (kernels built with scheduler debugging).
std::int64_t migrations_so_far() {
  char buf[8192];
  if (read_small("/proc/thread-self/sched", buf, sizeof buf) <= 0) return -1;
  const char* line = std::strstr(buf, "se.nr_migrations");
  if (!line) return -1;
  const char* colon = std::strchr(line, ':');
  if (!colon) return -1;
  return std::strtoll(colon + 1, nullptr, 10);
}

// Steal time of `cpu` in ns: the eighth number of its line in /proc/stat, in clock ticks.
std::int64_t steal_ns_of(int cpu) {
  if (cpu < 0) return -1;
  // /proc/stat grows with the CPUs (about 100 bytes each): one buffer, kept.
  thread_local std::string buf(1 << 16, '\0');
  const int fd = ::open("/proc/stat", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  std::size_t used = 0;
  for (;;) {
    if (used + 1 >= buf.size()) buf.resize(buf.size() * 2);
    const ssize_t n = ::read(fd, buf.data() + used, buf.size() - 1 - used);
    if (n <= 0) break;
    used += static_cast<std::size_t>(n);
  }
  ::close(fd);
  buf[used] = '\0';
  const std::string key = "\ncpu" + std::to_string(cpu) + " ";
  const char* line = std::strstr(buf.c_str(), key.c_str());
  if (!line) return -1;
  const char* p = line + key.size();
  long long field = 0;
  for (int i = 0; i < 8; ++i) {
    char* end = nullptr;
    field = std::strtoll(p, &end, 10);
    if (end == p) return -1;
    p = end;
  }
  static const long ticks = ::sysconf(_SC_CLK_TCK);
  return ticks > 0 ? field * (1'000'000'000LL / ticks) : -1;
}

}  // namespace

std::span<const DisturbanceCounter> disturbance_counters() { return kCounters; }

DisturbanceReading read_disturbance(Reading when) {
  DisturbanceReading r;
  r.values.fill(-1);
  // The clocks of the thread's own time bracket the kernel as tightly as they can.
  auto clocks = [&r] {
    r.values[kRunDelayNs] = run_delay_ns();
    timespec cpu{};
    if (::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu) == 0) {
      r.values[kOffCpuNs] = static_cast<std::int64_t>(cpu.tv_sec) * 1'000'000'000 + cpu.tv_nsec;
    }
  };
  if (when == Reading::kAfter) clocks();
  r.cpu = ::sched_getcpu();
  rusage usage{};
  if (::getrusage(RUSAGE_THREAD, &usage) == 0) {
    r.values[kInvoluntarySwitches] = usage.ru_nivcsw;
    r.values[kMinorFaults] = usage.ru_minflt;
    r.values[kMajorFaults] = usage.ru_majflt;
  }
  r.values[kMigrations] = migrations_so_far();
  r.values[kStealNs] = steal_ns_of(r.cpu);
  if (when == Reading::kBefore) clocks();
  return r;
}

DisturbanceCounts disturbance_delta(const DisturbanceReading& before,
                                    const DisturbanceReading& after, std::int64_t time_ns) {
  DisturbanceCounts d{};
  for (std::size_t i = 0; i < kDisturbanceCounters; ++i) {
    d[i] = before.values[i] < 0 || after.values[i] < 0 ? -1 : after.values[i] - before.values[i];
  }
  if (d[kOffCpuNs] >= 0) d[kOffCpuNs] = std::max<std::int64_t>(time_ns - d[kOffCpuNs], 0);
  if (before.cpu != after.cpu) {
    d[kStealNs] = -1;                            // Two CPUs' clocks: no steal time of one PU.
    if (d[kMigrations] < 0) d[kMigrations] = 1;  // At least one, where the kernel does not say.
  } else if (d[kMigrations] < 0 && before.cpu >= 0) {
    d[kMigrations] = 0;
  }
  return d;
}

bool is_disturbed(std::span<const std::int64_t> d, std::int64_t time_ns, bool oversubscribed,
                  bool pinned) {
  const double limit = kLostShare * static_cast<double>(time_ns);
  // /proc/stat counts steal in clock ticks: a delta of one tick may be a few microseconds that
  // crossed a tick boundary, so only what lies beyond one tick is surely lost.
  static const long ticks = ::sysconf(_SC_CLK_TCK);
  const std::int64_t tick_ns = ticks > 0 ? 1'000'000'000LL / ticks : 0;
  std::int64_t lost = d[kStealNs] > tick_ns ? d[kStealNs] - tick_ns : 0;
  if (!oversubscribed) {
    // Wall time without CPU time is what the kernel lost, measured around it alone; the
    // run-queue delay (read a little further out) stands in where the CPU clock is missing.
    if (d[kOffCpuNs] >= 0) {
      lost = std::max(lost, d[kOffCpuNs]);
    } else if (d[kRunDelayNs] >= 0) {
      lost += d[kRunDelayNs];
    } else if (d[kInvoluntarySwitches] > 0) {
      return true;  // No accounting of the time: any preemption counts.
    }
  }
  if (static_cast<double>(lost) > limit) return true;
  if (d[kMajorFaults] > 0) return true;
  return pinned && d[kMigrations] > 0;
}

}  // namespace shmcount

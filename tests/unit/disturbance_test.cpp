// What took a rank's PU from it: the rule that flags a repetition, and real readings of this
// thread's counters.
#include "placement/disturbance.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <thread>

namespace shmcount {
namespace {

DisturbanceCounts quiet() {
  DisturbanceCounts d{};  // Every counter reported, all zero.
  return d;
}

TEST(Disturbance, OneColumnEachWithADescription) {
  ASSERT_EQ(disturbance_counters().size(), kDisturbanceCounters);
  for (const auto& c : disturbance_counters()) {
    EXPECT_FALSE(c.column.empty());
    EXPECT_FALSE(c.description.empty()) << c.column;
  }
}

TEST(Disturbance, AQuietRepetitionIsNotDisturbed) {
  EXPECT_FALSE(is_disturbed(quiet(), 10'000'000, false, true));
  EXPECT_FALSE(is_disturbed(kUnknownDisturbance, 10'000'000, false, true));
}

TEST(Disturbance, WaitingForACpuOverOnePercentIsDisturbed) {
  DisturbanceCounts d = quiet();
  d[kOffCpuNs] = -1;        // The run-queue delay stands in where the CPU clock is missing.
  d[kRunDelayNs] = 90'000;  // 0.9% of 10 ms: below the limit.
  EXPECT_FALSE(is_disturbed(d, 10'000'000, false, true));
  d[kRunDelayNs] = 110'000;
  EXPECT_TRUE(is_disturbed(d, 10'000'000, false, true));
  // A rank that shares its PU with another rank of the plan waits by design.
  EXPECT_FALSE(is_disturbed(d, 10'000'000, true, true));
}

TEST(Disturbance, OffCpuTimeIsWhatTheKernelLost) {
  DisturbanceCounts d = quiet();
  d[kOffCpuNs] = 200'000;
  EXPECT_TRUE(is_disturbed(d, 10'000'000, false, true));
  EXPECT_FALSE(is_disturbed(d, 10'000'000, true, true));
  // Run-queue time read around the readings too does not count where CPU time is known.
  d[kOffCpuNs] = 0;
  d[kRunDelayNs] = 200'000;
  EXPECT_FALSE(is_disturbed(d, 10'000'000, false, true));
}

TEST(Disturbance, WithoutAnyTimeAccountingAnyPreemptionCounts) {
  DisturbanceCounts d = kUnknownDisturbance;
  d[kInvoluntarySwitches] = 1;
  EXPECT_TRUE(is_disturbed(d, 10'000'000, false, true));
  d[kInvoluntarySwitches] = 0;
  EXPECT_FALSE(is_disturbed(d, 10'000'000, false, true));
}

TEST(Disturbance, OneTickOfStealIsBelowWhatProcStatResolves) {
  const long tick_ns = 1'000'000'000L / ::sysconf(_SC_CLK_TCK);
  DisturbanceCounts d = quiet();
  d[kStealNs] = tick_ns;
  EXPECT_FALSE(is_disturbed(d, 10'000'000, false, true));
  d[kStealNs] = 3 * tick_ns;
  EXPECT_TRUE(is_disturbed(d, 10'000'000, false, true));
  EXPECT_TRUE(is_disturbed(d, 10'000'000, true, true)) << "steal counts for oversubscribed ranks";
}

TEST(Disturbance, MajorFaultsAndMigrationsOfAPinnedRank) {
  DisturbanceCounts d = quiet();
  d[kMajorFaults] = 1;
  EXPECT_TRUE(is_disturbed(d, 10'000'000, true, false));
  d = quiet();
  d[kMigrations] = 1;
  EXPECT_TRUE(is_disturbed(d, 10'000'000, false, true));
  EXPECT_FALSE(is_disturbed(d, 10'000'000, false, false)) << "an unpinned rank may move";
}

TEST(Disturbance, ASleepIsTimeWithoutCpu) {
  const DisturbanceReading before = read_disturbance(Reading::kBefore);
  const auto t0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const auto wall =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  const DisturbanceCounts d = disturbance_delta(before, read_disturbance(Reading::kAfter), wall);
  ASSERT_GE(d[kOffCpuNs], 0) << "CLOCK_THREAD_CPUTIME_ID is always there on Linux";
  EXPECT_GT(d[kOffCpuNs], 15'000'000);
  EXPECT_GE(d[kInvoluntarySwitches], 0);
  EXPECT_EQ(d[kMajorFaults], 0);
}

}  // namespace
}  // namespace shmcount

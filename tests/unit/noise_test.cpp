// The noise sources (runners/noise.cpp) read from a fabricated machine: a folder with the /proc
// and /sys files each source reads, a launcher's environment and a CPUID signature.
#include "runners/noise.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "runners/launcher.hpp"

namespace shmcount {
namespace {

namespace fs = std::filesystem;

// A machine's /proc and /sys, as files under a temporary folder.
class FakeMachine : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "shmcount-noise-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
  }
  void TearDown() override { fs::remove_all(root_); }

  void write(const std::string& path, const std::string& text) {
    const fs::path file = root_ + path;
    fs::create_directories(file.parent_path());
    std::ofstream(file) << text;
  }

  NoiseContext context() const {
    NoiseContext c;
    c.used_pus = pus_;
    c.kernel_isa = "avx2";
    c.root = root_;
    c.environment = &env_;
    c.cpuid_signature = signature_;
    return c;
  }

  // One source's reading on this machine.
  std::string read(std::string_view name) const {
    for (const auto& source : noise_sources()) {
      if (source.name == name) return source.read(context());
    }
    ADD_FAILURE() << "no noise source " << name;
    return "";
  }

  std::string root_;
  std::vector<int> pus_;
  MapEnvironment env_;
  std::string signature_;
};

TEST_F(FakeMachine, EverySourceHasAUniqueNameAndADescription) {
  std::set<std::string_view> names;
  for (const auto& source : noise_sources()) {
    EXPECT_TRUE(names.insert(source.name).second) << source.name;
    EXPECT_FALSE(source.description.empty()) << source.name;
    EXPECT_NE(source.read, nullptr) << source.name;
  }
}

TEST_F(FakeMachine, LoadAverageIsTheFirstThreeFieldsOfProcLoadavg) {
  write("/proc/loadavg", "0.52 0.58 0.59 1/123 4567\n");
  EXPECT_EQ(read("load_before"), "0.52 0.58 0.59");
  EXPECT_EQ(read("load_after"), "0.52 0.58 0.59");
}

TEST_F(FakeMachine, LoadAverageWithoutProcLoadavgIsNotExposed) {
  EXPECT_EQ(read("load_before"), "not exposed (no /proc/loadavg)");
}

TEST_F(FakeMachine, ReadNoiseTakesTheSourcesOfOneMomentInTableOrder) {
  write("/proc/loadavg", "1.00 2.00 3.00 2/99 100\n");
  const auto before = read_noise(NoiseWhen::kBefore, context());
  ASSERT_EQ(before.size(), 1u);
  EXPECT_EQ(before[0].first, "load_before");
  EXPECT_EQ(before[0].second, "1.00 2.00 3.00");
  const auto after = read_noise(NoiseWhen::kAfter, context());
  ASSERT_FALSE(after.empty());
  EXPECT_EQ(after.front().first, "load_after");
  std::size_t i = 0;
  for (const auto& source : noise_sources()) {
    if (source.when != NoiseWhen::kAfter) continue;
    ASSERT_LT(i, after.size());
    EXPECT_EQ(after[i++].first, source.name);
  }
  EXPECT_EQ(i, after.size());
}

TEST_F(FakeMachine, ClockOfEachUsedPuFromCpufreqElseCpuinfo) {
  write("/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq", "2400000\n");
  write("/proc/cpuinfo",
        "processor\t: 0\ncpu MHz\t\t: 1000.000\nflags\t\t: fpu\n\n"
        "processor\t: 1\ncpu MHz\t\t: 2095.078\nflags\t\t: fpu\n\n");
  pus_ = {5, 1, 0, 1};  // Each PU once, in order; PU 5 has neither.
  EXPECT_EQ(read("cpu_mhz"), "cpu0=2400 cpu1=2095.078 cpu5=?");
  pus_ = {};
  EXPECT_EQ(read("cpu_mhz"), "not exposed (no cpufreq and no cpu MHz)");
}

TEST_F(FakeMachine, GovernorOfTheFirstUsedPu) {
  write("/sys/devices/system/cpu/cpu3/cpufreq/scaling_governor", "performance\n");
  write("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "powersave\n");
  pus_ = {3, 0};
  EXPECT_EQ(read("governor"), "performance");
  pus_ = {};
  EXPECT_EQ(read("governor"), "powersave");
  pus_ = {7};
  EXPECT_EQ(read("governor"), "not exposed (no cpufreq: often a virtual machine)");
}

TEST_F(FakeMachine, BoostFromCpufreqOrIntelPstate) {
  EXPECT_EQ(read("boost"), "not exposed (no cpufreq boost or intel_pstate)");
  write("/sys/devices/system/cpu/intel_pstate/no_turbo", "1\n");
  EXPECT_EQ(read("boost"), "off (intel_pstate no_turbo)");
  write("/sys/devices/system/cpu/intel_pstate/no_turbo", "0\n");
  EXPECT_EQ(read("boost"), "on (intel_pstate)");
  write("/sys/devices/system/cpu/cpufreq/boost", "0\n");  // The generic file wins.
  EXPECT_EQ(read("boost"), "off");
  write("/sys/devices/system/cpu/cpufreq/boost", "1\n");
  EXPECT_EQ(read("boost"), "on");
}

TEST_F(FakeMachine, TransparentHugePagesAreTheBracketedChoice) {
  write("/sys/kernel/mm/transparent_hugepage/enabled", "always [madvise] never\n");
  write("/sys/kernel/mm/transparent_hugepage/shmem_enabled",
        "always within_size advise [never] deny force\n");
  EXPECT_EQ(read("thp_enabled"), "madvise");
  EXPECT_EQ(read("thp_shmem_enabled"), "never");
  fs::remove_all(root_ + "/sys/kernel/mm");
  EXPECT_EQ(read("thp_enabled"), "not exposed (no transparent huge pages)");
}

TEST_F(FakeMachine, NumaBalancingAndSmt) {
  write("/proc/sys/kernel/numa_balancing", "1\n");
  write("/sys/devices/system/cpu/smt/active", "0\n");
  EXPECT_EQ(read("numa_balancing"), "1");
  EXPECT_EQ(read("smt_active"), "no");
  write("/sys/devices/system/cpu/smt/active", "1\n");
  EXPECT_EQ(read("smt_active"), "yes");
  fs::remove_all(root_ + "/proc");
  EXPECT_EQ(read("numa_balancing"), "not exposed (kernel without NUMA)");
}

TEST_F(FakeMachine, VectorIsaIsTheKernelsDispatch) { EXPECT_EQ(read("vector_isa"), "avx2"); }

TEST_F(FakeMachine, LauncherAndItsBindingFromTheEnvironment) {
  EXPECT_EQ(read("launcher"), "none (a singleton); binding the launcher's default");
  env_ =
      MapEnvironment{{"OMPI_COMM_WORLD_SIZE", "2"}, {"OMPI_MCA_hwloc_base_binding_policy", "core"}};
  EXPECT_EQ(read("launcher")
                .rfind("Open MPI's mpirun; binding OMPI_MCA_hwloc_base_binding_policy=core", 0),
            0u)
      << read("launcher");
  env_ = MapEnvironment{{"SLURM_STEP_ID", "0"}, {"SLURM_NTASKS", "2"}};
  EXPECT_EQ(read("launcher").rfind("Slurm's srun; binding the launcher's default", 0), 0u)
      << read("launcher");
}

TEST_F(FakeMachine, HypervisorEmulatedUnderQemuTcg) {
  signature_ = "TCGTCGTCGTCG";
  EXPECT_EQ(read("hypervisor").rfind("emulated (QEMU TCG, cpuid signature TCGTCGTCGTCG)", 0), 0u)
      << read("hypervisor");
}

TEST_F(FakeMachine, HypervisorFromSysOrTheCpuidFlag) {
  signature_ = "KVMKVMKVM";
  EXPECT_EQ(read("hypervisor"), "not exposed (no cpuid flags)");
  write("/proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu sse2 avx2\n");
  EXPECT_EQ(read("hypervisor"), "no");
  write("/proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu hypervisor avx2\n");
  EXPECT_EQ(read("hypervisor"), "yes (cpuid hypervisor flag)");
  write("/sys/class/dmi/id/sys_vendor", "QEMU\n");
  EXPECT_EQ(read("hypervisor"), "yes (cpuid hypervisor flag, QEMU)");
  // The flag as the last word of the line counts too.
  write("/proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu hypervisor\n");
  EXPECT_EQ(read("hypervisor"), "yes (cpuid hypervisor flag, QEMU)");
  write("/sys/hypervisor/type", "xen\n");
  EXPECT_EQ(read("hypervisor"), "yes (xen)");
}

}  // namespace
}  // namespace shmcount

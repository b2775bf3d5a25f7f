#include "noise.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include <sys/utsname.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "placement/likwid_view.hpp"
#include "runners/launcher.hpp"

namespace shmcount {
namespace {

// The first line of a file of the machine (under context.root), or "" when it cannot be read.
std::string first_line(const NoiseContext& context, const std::string& path) {
  std::ifstream in(std::string(context.root) + path);
  std::string line;
  std::getline(in, line);
  return line;
}

std::string or_not_exposed(const std::string& value, const char* why) {
  return value.empty() ? std::string("not exposed (") + why + ")" : value;
}

// "always [madvise] never" -> "madvise".
std::string bracketed(const std::string& line) {
  const auto open = line.find('['), close = line.find(']');
  if (open == std::string::npos || close == std::string::npos || close < open) return line;
  return line.substr(open + 1, close - open - 1);
}

std::string load_average(const NoiseContext& context) {
  std::istringstream in(first_line(context, "/proc/loadavg"));
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return or_not_exposed(one.empty() ? "" : one + " " + five + " " + fifteen, "no /proc/loadavg");
}

// MHz of each used PU: cpufreq's current frequency where the kernel has cpufreq, else
// /proc/cpuinfo's "cpu MHz" (what a VM shows).
std::string cpu_mhz(const NoiseContext& context) {
  const std::span<const int> used_pus = context.used_pus;
  std::map<int, std::string> from_cpuinfo;
  {
    std::ifstream in(std::string(context.root) + "/proc/cpuinfo");
    int processor = -1;
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("processor", 0) == 0)
        processor = std::atoi(line.substr(line.find(':') + 1).c_str());
      if (line.rfind("cpu MHz", 0) == 0 && processor >= 0) {
        from_cpuinfo[processor] = line.substr(line.find(':') + 2);
      }
    }
  }
  std::string out;
  for (int pu : std::set<int>(used_pus.begin(), used_pus.end())) {
    std::string mhz;
    const std::string khz = first_line(
        context, "/sys/devices/system/cpu/cpu" + std::to_string(pu) + "/cpufreq/scaling_cur_freq");
    if (!khz.empty()) {
      mhz = std::to_string(std::atol(khz.c_str()) / 1000);
    } else if (from_cpuinfo.count(pu)) {
      mhz = from_cpuinfo[pu];
    } else {
      mhz = "?";
    }
    out += (out.empty() ? "" : " ") + ("cpu" + std::to_string(pu) + "=" + mhz);
  }
  return or_not_exposed(out, "no cpufreq and no cpu MHz");
}

std::string governor(const NoiseContext& context) {
  const std::span<const int> used_pus = context.used_pus;
  const int pu = used_pus.empty() ? 0 : used_pus.front();
  return or_not_exposed(first_line(context, "/sys/devices/system/cpu/cpu" + std::to_string(pu) +
                                                "/cpufreq/scaling_governor"),
                        "no cpufreq: often a virtual machine");
}

std::string boost(const NoiseContext& context) {
  const std::string generic = first_line(context, "/sys/devices/system/cpu/cpufreq/boost");
  if (!generic.empty()) return generic == "1" ? "on" : "off";
  const std::string no_turbo = first_line(context, "/sys/devices/system/cpu/intel_pstate/no_turbo");
  if (!no_turbo.empty())
    return no_turbo == "1" ? "off (intel_pstate no_turbo)" : "on (intel_pstate)";
  return "not exposed (no cpufreq boost or intel_pstate)";
}

std::string thp_enabled(const NoiseContext& context) {
  return or_not_exposed(
      bracketed(first_line(context, "/sys/kernel/mm/transparent_hugepage/enabled")),
      "no transparent huge pages");
}

std::string thp_shmem(const NoiseContext& context) {
  return or_not_exposed(
      bracketed(first_line(context, "/sys/kernel/mm/transparent_hugepage/shmem_enabled")),
      "no transparent huge pages for shared memory");
}

std::string numa_balancing(const NoiseContext& context) {
  return or_not_exposed(first_line(context, "/proc/sys/kernel/numa_balancing"),
                        "kernel without NUMA");
}

std::string smt_active(const NoiseContext& context) {
  const std::string active = first_line(context, "/sys/devices/system/cpu/smt/active");
  if (active.empty()) return "not exposed (no /sys/devices/system/cpu/smt)";
  return active == "1" ? "yes" : "no";
}

std::string vector_isa(const NoiseContext& context) { return std::string(context.kernel_isa); }

std::string launcher(const NoiseContext& context) {
  const Environment& vars = context.environment ? *context.environment : process_environment();
  const LaunchEnv env = launch_env(vars);
  const std::string who = env.launcher.empty() ? "none (a singleton)" : env.launcher;
  const std::string variables = launcher_binding_variables(vars);
  const std::string tuned = mpi_settings_chosen();
  // likwid-pin (alone, or once per rank under likwid-mpirun -pin) pins the process to the first
  // PU of its list before exec and leaves the list in LIKWID_HWTHREADS (likwid-pin.lua).
  const char* likwid = std::getenv("LIKWID_HWTHREADS");
  const std::string pinned =
      likwid && *likwid ? std::string("; pinned by likwid-pin (reporting rank: LIKWID_HWTHREADS=") +
                              likwid + ", the process on the first)"
                        : "";
  return who + "; binding " + (variables.empty() ? "the launcher's default" : variables) + pinned +
         (tuned.empty() ? "" : "; " + tuned);
}

// Where likwid-topology (when installed) and hwloc disagree about the machine, each difference.
std::string topology_views(const NoiseContext& context) {
  const std::string text = run_likwid_topology();
  if (text.empty()) return "not exposed (no likwid-topology, or it failed)";
  const LikwidView likwid = parse_likwid_topology(text);
  if (likwid.empty()) return "not exposed (likwid-topology printed nothing it knows)";
  if (!context.view) return "not exposed (no hwloc view here)";
  const std::vector<std::string> differ = likwid_disagreements(likwid, *context.view);
  if (differ.empty())
    return "likwid-topology agrees with hwloc (sockets, cores, SMT, caches, NUMA)";
  std::string out;
  for (const std::string& d : differ) out += (out.empty() ? "" : "; ") + d;
  return "likwid-topology disagrees with hwloc: " + out;
}

std::string kernel_version(const NoiseContext&) {
  utsname u{};
  if (::uname(&u) != 0) return "not exposed (uname failed)";
  return std::string(u.sysname) + " " + u.release + " " + u.machine;
}

// The hypervisor's CPUID signature (leaf 0x40000000: "KVMKVMKVM", "TCGTCGTCGTCG", ...), or "".
std::string hypervisor_signature() {
#if defined(__x86_64__) || defined(__i386__)
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  __cpuid(0x40000000u, eax, ebx, ecx, edx);
  char text[13] = {};
  std::memcpy(text, &ebx, 4);
  std::memcpy(text + 4, &ecx, 4);
  std::memcpy(text + 8, &edx, 4);
  std::string out;
  for (char c : text) {
    if (c >= 0x21 && c < 0x7f) out += c;
  }
  return out;
#else
  return "";
#endif
}

std::string hypervisor(const NoiseContext& context) {
  const std::string signature =
      context.cpuid_signature ? std::string(*context.cpuid_signature) : hypervisor_signature();
  // QEMU without KVM emulates every instruction: times are an emulator's, not a machine's.
  if (signature.rfind("TCGTCG", 0) == 0) {
    return "emulated (QEMU TCG, cpuid signature " + signature +
           "): times are an emulator's, not a machine's";
  }
  const std::string type = first_line(context, "/sys/hypervisor/type");
  if (!type.empty()) return "yes (" + type + ")";
  std::ifstream in(std::string(context.root) + "/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("flags", 0) == 0) {
      const bool flag = (line + " ").find(" hypervisor ") != std::string::npos;
      const std::string vendor = first_line(context, "/sys/class/dmi/id/sys_vendor");
      return flag ? "yes (cpuid hypervisor flag" + (vendor.empty() ? "" : ", " + vendor) + ")"
                  : "no";
    }
  }
  return "not exposed (no cpuid flags)";
}

constexpr std::array kSources{
    NoiseSource{"load_before", "load average (1, 5, 15 min) before set-up", NoiseWhen::kBefore,
                load_average},
    NoiseSource{"load_after", "load average (1, 5, 15 min) after the timed phases",
                NoiseWhen::kAfter, load_average},
    NoiseSource{"cpu_mhz", "clock of each PU the ranks ran on, right after the timed phases (MHz)",
                NoiseWhen::kAfter, cpu_mhz},
    NoiseSource{"governor", "cpufreq governor", NoiseWhen::kAfter, governor},
    NoiseSource{"boost", "turbo / boost, where the kernel shows it", NoiseWhen::kAfter, boost},
    NoiseSource{"thp_enabled", "transparent huge pages for private memory", NoiseWhen::kAfter,
                thp_enabled},
    NoiseSource{"thp_shmem_enabled", "transparent huge pages for shared memory", NoiseWhen::kAfter,
                thp_shmem},
    NoiseSource{"numa_balancing", "automatic NUMA balancing (kernel.numa_balancing)",
                NoiseWhen::kAfter, numa_balancing},
    NoiseSource{"smt_active", "simultaneous multithreading active", NoiseWhen::kAfter, smt_active},
    NoiseSource{"vector_isa", "the vector ISA the kernels dispatched to", NoiseWhen::kAfter,
                vector_isa},
    NoiseSource{"launcher", "the launcher and how it bound the ranks (its variables)",
                NoiseWhen::kAfter, launcher},
    NoiseSource{"topology_views",
                "where likwid-topology (if installed) and hwloc disagree about sockets, cores, "
                "SMT threads, caches or NUMA domains, one clause each",
                NoiseWhen::kAfter, topology_views},
    NoiseSource{"kernel_version", "operating system kernel", NoiseWhen::kAfter, kernel_version},
    NoiseSource{"hypervisor",
                "whether the node runs under a hypervisor; \"emulated\" under QEMU's TCG (the "
                "NUMA guest): its times are not a machine's",
                NoiseWhen::kAfter, hypervisor},
};

}  // namespace

std::span<const NoiseSource> noise_sources() { return kSources; }

std::vector<std::pair<std::string, std::string>> read_noise(NoiseWhen when,
                                                            const NoiseContext& context) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& source : kSources) {
    if (source.when == when) out.emplace_back(source.name, source.read(context));
  }
  return out;
}

}  // namespace shmcount

// What drives noise, recorded with every run so that two runs that differ can be explained from
// their files (Google Benchmark's `context`, measuring.md). Each source is one entry of a table:
// a name, what it tells, when it is read, and how; the run context and README list them all.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "placement/topology.hpp"

namespace shmcount {

class Environment;

enum class NoiseWhen { kBefore, kAfter };  // Before set-up, or once the timed phases are over.

// What a reading may need to know about the run.
struct NoiseContext {
  std::span<const int> used_pus;      // OS indices of the PUs this node's ranks ran on.
  std::string_view kernel_isa;        // The vector ISA the kernel dispatched to.
  const MachineView* view = nullptr;  // The node as hwloc sees it, where known.
  // Where the machine is read (unit tests fabricate one): the folder /proc and /sys are under
  // ("" = this machine's), the launcher's variables (nullptr = the process's environment) and
  // the hypervisor's CPUID signature (nullopt = ask the CPU).
  std::string_view root = "";
  const Environment* environment = nullptr;
  std::optional<std::string_view> cpuid_signature = std::nullopt;
};

struct NoiseSource {
  std::string_view name;
  std::string_view description;
  NoiseWhen when;
  // The reading on this node; "not exposed" (and why) where the machine does not say.
  std::string (*read)(const NoiseContext& context);
};

std::span<const NoiseSource> noise_sources();

// Reads every source taken at `when`, as (name, value) pairs in table order.
std::vector<std::pair<std::string, std::string>> read_noise(NoiseWhen when,
                                                            const NoiseContext& context);

}  // namespace shmcount

// likwid-topology's view of the machine beside hwloc's: the two tools read it differently
// (likwid mostly from cpuid, hwloc from the kernel's sysfs), so where they disagree about
// sockets, cores, SMT threads, caches or NUMA domains a user is told, one line each.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "placement/topology.hpp"

namespace shmcount {

struct LikwidHwThread {
  int os = -1, thread = -1, core = -1, socket = -1;
};

// What likwid-topology's default (text) output says; -1 / empty where it said nothing.
struct LikwidView {
  int sockets = -1;
  int cores_per_socket = -1;
  int threads_per_core = -1;
  int numa_domains = -1;
  std::vector<std::pair<int, std::uint64_t>> caches;  // (level, bytes), as listed.
  std::vector<LikwidHwThread> hwthreads;              // Its HWThread table.
  bool empty() const { return sockets < 0 && caches.empty() && hwthreads.empty(); }
};

// Parses likwid-topology's text output (likwid 5.2: "Sockets:\t\t2", "Level:\t\t\t1" then
// "Size:\t\t\t32 kB" per cache, the HWThread table, "NUMA domains:\t\t4"); lines it does not
// know are passed over, so other versions' extra lines do no harm.
LikwidView parse_likwid_topology(std::string_view text);

// One line per disagreement between likwid's view and hwloc's (`machine`, every PU), e.g.
// "L1 cache: likwid-topology says 48 kB, hwloc L1d 32 KiB". Empty when they agree.
std::vector<std::string> likwid_disagreements(const LikwidView& likwid, const MachineView& machine);

// likwid-topology's output on this machine ("" when it is not installed or fails within 10 s).
std::string run_likwid_topology();

}  // namespace shmcount

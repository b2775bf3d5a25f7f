// Pinning strategies and the placement plan: a pure function of (machine, ranks, strategy), so it
// is tested on topologies CI cannot see. Binding is a separate step (binding.hpp).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "placement/topology.hpp"

namespace shmcount {

enum class StrategyKind { kNone, kLauncher, kCompact, kCore, kScatter, kList };

struct StrategyInfo {
  std::string_view name;  // As typed after --pin ("list" takes ":L0,L1,...").
  StrategyKind kind;
  std::string_view description;
  std::string_view openmpi;  // The closest mpirun option.
  std::string_view likwid;   // The closest likwid-pin expression.
};

// Every strategy, the default first.
std::span<const StrategyInfo> strategy_table();
std::string strategy_names();

// A parsed --pin value.
struct Strategy {
  StrategyKind kind = StrategyKind::kCore;
  std::vector<int> list;  // Logical PU indices, for kList.
  std::string text;       // As the user wrote it, for records.
};

// Parses a --pin value: a table name or "list:L0,L1,..." with ranges "A-B". Throws Error with
// what was wrong and what is allowed; checks syntax and duplicates, not the machine.
Strategy parse_strategy(std::string_view text);

// Where one local rank is to run.
struct Placement {
  int local_rank = 0;
  int planned_pu = -1;          // Logical PU index; -1 when the strategy plans none.
  bool oversubscribed = false;  // This rank shares its PU (or the node has more ranks than PUs).
};

// The placement of `ranks` local ranks on `machine`. Throws Error for a list naming a PU the
// machine does not have or allow, or with fewer entries than ranks.
std::vector<Placement> plan_placement(const MachineView& machine, int ranks,
                                      const Strategy& strategy);

// The plan as a table with a picture of the node's PUs, as --plan prints it.
std::string format_plan_table(const MachineView& machine, const std::vector<Placement>& plan,
                              const Strategy& strategy, const std::string& node_label);
// The plan as CSV: rank,pu_logical,pu_os,core,numa,package.
std::string format_plan_csv(const MachineView& machine, const std::vector<Placement>& plan,
                            bool header);

// A compact picture of the node: one line per NUMA node, cores in brackets, each PU showing the
// ranks on it ('.' for none). `ranks_on_pu(pu_logical)` gives the rank numbers to show.
std::string format_pu_map(const MachineView& machine,
                          const std::vector<std::vector<int>>& ranks_by_pu_index);

}  // namespace shmcount

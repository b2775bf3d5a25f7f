// Pinning strategies and the placement plan: a pure function of (machine, ranks, strategy), so it
// is tested on topologies CI cannot see. Binding is a separate step (binding.hpp).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "placement/topology.hpp"

namespace shmcount {

struct Strategy;

// How a rank binds once the plan is made.
enum class BindMode {
  kOnePu,         // To the one PU the plan gives it.
  kAvailablePus,  // To every available PU (the node's usable set): no pinning.
  kKeep,          // Not at all: whatever the launcher gave it stays.
};

// One pinning strategy: a name, what it promises, the closest options of the tools users know,
// how it orders the usable PUs and how a rank binds. Adding a strategy is one entry of the table
// in plan.cpp plus its order function.
struct StrategyInfo {
  std::string_view name;  // As typed after --pin.
  std::string_view description;
  std::string_view openmpi;  // The closest mpirun option.
  std::string_view likwid;   // The closest likwid-pin expression.
  // Indices into machine.pus in the order ranks take them (ranks past the end share PUs
  // round-robin); nullptr when the strategy plans no PU. Throws Error where the strategy cannot
  // place `ranks` ranks on this machine (a list naming a PU it lacks).
  std::vector<std::size_t> (*order)(const MachineView& machine, const Strategy& strategy,
                                    int ranks);
  BindMode bind;
  // For a strategy written NAME:ARGUMENT (list:0,2): reads the argument into the strategy, or
  // throws Error; nullptr when the strategy takes none. `text` is the whole --pin value.
  void (*parse_argument)(std::string_view argument, std::string_view text, Strategy& out);
  std::string_view argument_syntax;  // "L0,L1,..." for messages and --list; empty for none.
};

// Every strategy, the default first.
std::span<const StrategyInfo> strategy_table();
// "core, compact, scatter, list:L0,L1,..., none, launcher".
std::string strategy_names();
// The strategy as --pin takes it: "core", or "list:L0,L1,..." for one with an argument.
std::string strategy_usage(const StrategyInfo& info);

// An hwloc object type that a list can name instead of PUs, as in list:core:0-3.
struct ListObject {
  std::string_view name;  // As typed after "list:".
  hwloc_obj_type_t type;
  std::string_view label;  // In messages: "core", "NUMA node".
};

// Every object type a list can name.
std::span<const ListObject> list_object_table();

// A parsed --pin value.
struct Strategy {
  const StrategyInfo* info = &strategy_table().front();
  // For list: logical indices of PUs, or of objects of `objects` when that is set.
  std::vector<int> list;
  const ListObject* objects = nullptr;
  std::string text = "core";  // As the user wrote it, for records.

  bool plans_pus() const { return info->order != nullptr; }
};

// Parses a --pin value: a table name, "list:L0,L1,..." (logical PUs) or "list:TYPE:I0,I1,..."
// (objects), with ranges "A-B". Throws Error with what was wrong and what is allowed; checks
// syntax and duplicates, not the machine.
Strategy parse_strategy(std::string_view text);

// Where one local rank is to run.
struct Placement {
  int local_rank = 0;
  int planned_pu = -1;          // Logical PU index; -1 when the strategy plans none.
  bool oversubscribed = false;  // This rank shares its PU (or the node has more ranks than PUs).
};

// The placement of `ranks` local ranks on the usable PUs of `machine`, in the strategy's order
// (see each order function in plan.cpp):
// - core: the k-th usable thread of every core in logical core order, for k = 0, 1, ...
// - compact: usable PUs in logical order.
// - scatter: each next rank on the free PU that is in an object without a rank at the highest
//   possible level of machine.levels (then at the next level, and so on down to the core); ties
//   go to the PU whose objects hold the fewest ranks, level by level from the top, then to the
//   PU whose objects come first in a spread order of their siblings (16 siblings:
//   0 8 4 12 2 10 ...; 6: 0 3 2 5 1 4), then to the lowest logical index. So for every N, each
//   level holds ranks in as many objects as it can (min(N, its objects with usable PUs)), and no
//   core gets a second rank while a core is idle.
// - list of PUs: rank r on PU list[r]; list of objects: rank r on the first free usable PU of the
//   next listed object, cycling through the objects while any of them has a free PU.
// Past the end of the order, ranks share PUs round-robin and are flagged oversubscribed. A
// strategy that plans no PU (none, launcher) gives every rank planned_pu -1. Throws Error for a
// list naming a PU or object the machine does not have or let ranks use, or a PU list with fewer
// entries than ranks.
std::vector<Placement> plan_placement(const MachineView& machine, int ranks,
                                      const Strategy& strategy);

// The plan as a table with a picture of the node's PUs, as --plan prints it.
std::string format_plan_table(const MachineView& machine, const std::vector<Placement>& plan,
                              const Strategy& strategy, const std::string& node_label);
// The plan as CSV: rank,pu_logical,pu_os,core,numa,package.
std::string format_plan_csv(const MachineView& machine, const std::vector<Placement>& plan,
                            bool header);

// A binding as Open MPI's --report-bindings draws it: per package "[...]", cores separated by
// '/', one character per PU of the machine: 'B' when `cpuset_list` (OS indices, hwloc list syntax)
// holds it, '.' when not; e.g. "[B/.][./.]". Throws Error when the list is not one.
std::string format_binding_mask(const MachineView& machine, std::string_view cpuset_list);

// The node's domains as likwid-pin -p lists them: the node, then each package, NUMA node, L3, L2
// and core that has PUs, each with its PUs as "L#(P#)" in logical order; a PU ranks may not use
// (disallowed, or outside the available set) is marked '*'.
std::string format_domains(const MachineView& machine, const std::string& node_label);

// A compact picture of the node: one line per NUMA node, cores in brackets, each PU showing the
// ranks on it ('.' for none). `ranks_on_pu(pu_logical)` gives the rank numbers to show.
std::string format_pu_map(const MachineView& machine,
                          const std::vector<std::vector<int>>& ranks_by_pu_index);

}  // namespace shmcount

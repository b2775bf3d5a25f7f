#include "plan.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <sstream>

#include "common/error.hpp"
#include "common/parse.hpp"

namespace shmcount {
namespace {

constexpr std::array kStrategies{
    StrategyInfo{"core", StrategyKind::kCore,
                 "one rank per physical core in logical order; SMT siblings only once every core "
                 "has a rank",
                 "--map-by core --bind-to core", "-c N:0-{n-1} on first threads"},
    StrategyInfo{"compact", StrategyKind::kCompact,
                 "rank r on the r-th PU in logical order: a core's hardware threads fill first",
                 "--map-by hwthread --bind-to hwthread", "E:N:n (compact)"},
    StrategyInfo{"scatter", StrategyKind::kScatter,
                 "consecutive ranks as far apart as possible: packages, then NUMA nodes, then L3 "
                 "caches, then cores",
                 "--map-by ppr:1:package --rank-by span (approx.)", "S:scatter / E:S0:..@S1:..."},
    StrategyInfo{"list", StrategyKind::kList,
                 "list:L0,L1,... explicit logical PU indices by local rank; ranges A-B allowed",
                 "--cpu-set / rankfile", "-c L:0,2,4"},
    StrategyInfo{"none", StrategyKind::kNone,
                 "no pinning: each rank may run on every allowed PU (launcher binding undone)",
                 "--bind-to none", "(no likwid-pin)"},
    StrategyInfo{"launcher", StrategyKind::kLauncher,
                 "keep whatever binding mpirun or srun gave each rank, and record it",
                 "(mpirun's default binding)", "(likwid-mpirun's pinning)"},
};

// Logical PU indices a list may name: more than any node has.
constexpr std::uint64_t kMaxListPus = 1 << 16;

// Splits "list:..." entries; a range A-B expands in order. Throws Error on junk or duplicates.
std::vector<int> parse_pu_list(std::string_view body, std::string_view text) {
  const std::string what = "--pin '" + std::string(text) + "': ";
  if (body.empty()) throw UsageError(what + "the list is empty; write e.g. list:0,2,4-7");
  std::vector<int> pus;
  std::vector<bool> seen(kMaxListPus, false);  // Duplicates found in O(1), whatever the length.
  std::size_t pos = 0;
  while (pos <= body.size()) {
    const std::size_t comma = std::min(body.find(',', pos), body.size());
    const std::string_view item = body.substr(pos, comma - pos);
    const std::size_t dash = item.find('-');
    const auto first = parse_u64(item.substr(0, dash));
    const auto last = dash == std::string_view::npos ? first : parse_u64(item.substr(dash + 1));
    if (!first || !last || *first >= kMaxListPus || *last >= kMaxListPus) {
      throw UsageError(what + "'" + std::string(item) +
                       "' is not a logical PU index or range A-B (digits only, below " +
                       std::to_string(kMaxListPus) + ", e.g. 0,2,4-7)");
    }
    if (*last < *first) {
      throw UsageError(what + "range '" + std::string(item) + "' is reversed; write it as " +
                       std::to_string(*last) + "-" + std::to_string(*first));
    }
    for (auto pu = *first; pu <= *last; ++pu) {
      if (seen[pu]) {
        throw UsageError(what + "PU " + std::to_string(pu) +
                         " is listed twice; each rank needs its own PU");
      }
      seen[pu] = true;
      pus.push_back(static_cast<int>(pu));
    }
    pos = comma + 1;
  }
  return pus;
}

// A node of the package > NUMA > cache > core tree, for scatter.
struct TreeNode {
  int key = 0;
  int core = -1;  // Set on leaves.
  std::vector<TreeNode> kids;

  TreeNode& child(int k) {
    for (auto& kid : kids) {
      if (kid.key == k) return kid;
    }
    kids.push_back(TreeNode{k, -1, {}});
    return kids.back();
  }
};

// Leaves of `node` with siblings interleaved at every level: one from each child in turn.
std::vector<int> interleave(const TreeNode& node) {
  if (node.core >= 0) return {node.core};
  std::vector<std::vector<int>> lists;
  std::size_t longest = 0;
  for (const auto& kid : node.kids) {
    lists.push_back(interleave(kid));
    longest = std::max(longest, lists.back().size());
  }
  std::vector<int> out;
  for (std::size_t i = 0; i < longest; ++i) {
    for (const auto& list : lists) {
      if (i < list.size()) out.push_back(list[i]);
    }
  }
  return out;
}

// Cores (logical indices) in the order the strategy fills them.
std::vector<int> core_order(const MachineView& m, StrategyKind kind) {
  std::vector<int> cores;
  for (const auto& pu : m.pus) {
    if (std::find(cores.begin(), cores.end(), pu.core) == cores.end()) cores.push_back(pu.core);
  }
  if (kind != StrategyKind::kScatter) return cores;
  TreeNode root;
  for (int core : cores) {
    const auto& pu =
        *std::find_if(m.pus.begin(), m.pus.end(), [&](const PuInfo& p) { return p.core == core; });
    root.child(pu.package).child(pu.numa).child(pu.cache).child(core).core = core;
  }
  return interleave(root);
}

// Indices into m.pus in the order ranks take them.
std::vector<std::size_t> pu_order(const MachineView& m, const Strategy& s) {
  std::vector<std::size_t> order;
  if (s.kind == StrategyKind::kCompact) {
    for (std::size_t i = 0; i < m.pus.size(); ++i) order.push_back(i);
    return order;
  }
  // core and scatter: the k-th hardware thread of every core (in core order), for k = 0, 1, ...
  const std::vector<int> cores = core_order(m, s.kind);
  for (int k = 0; order.size() < m.pus.size(); ++k) {
    for (int core : cores) {
      for (std::size_t i = 0; i < m.pus.size(); ++i) {
        if (m.pus[i].core == core && m.pus[i].smt == k) order.push_back(i);
      }
    }
  }
  return order;
}

std::string cell(int value) { return value < 0 ? "-" : std::to_string(value); }

}  // namespace

std::span<const StrategyInfo> strategy_table() { return kStrategies; }

std::string strategy_names() {
  std::string out;
  for (const auto& s : kStrategies) {
    if (!out.empty()) out += ", ";
    out += s.kind == StrategyKind::kList ? "list:L0,L1,..." : std::string(s.name);
  }
  return out;
}

Strategy parse_strategy(std::string_view text) {
  Strategy s;
  s.text = std::string(text);
  constexpr std::string_view kListPrefix = "list:";
  if (text.substr(0, kListPrefix.size()) == kListPrefix) {
    s.kind = StrategyKind::kList;
    s.list = parse_pu_list(text.substr(kListPrefix.size()), text);
    return s;
  }
  for (const auto& info : kStrategies) {
    if (info.name == text && info.kind != StrategyKind::kList) {
      s.kind = info.kind;
      return s;
    }
  }
  throw UsageError("--pin '" + std::string(text) + "': unknown strategy; use one of " +
                   strategy_names());
}

std::vector<Placement> plan_placement(const MachineView& m, int ranks, const Strategy& s) {
  if (m.pus.empty()) throw UsageError("the machine has no allowed PU to place ranks on");
  std::vector<Placement> plan(static_cast<std::size_t>(ranks));
  for (int r = 0; r < ranks; ++r) plan[r].local_rank = r;
  const bool more_ranks_than_pus = static_cast<std::size_t>(ranks) > m.pus.size();

  if (s.kind == StrategyKind::kNone || s.kind == StrategyKind::kLauncher) {
    for (auto& p : plan) p.oversubscribed = more_ranks_than_pus;
    return plan;
  }
  std::vector<std::size_t> order;
  if (s.kind == StrategyKind::kList) {
    if (s.list.size() < static_cast<std::size_t>(ranks)) {
      throw UsageError("--pin " + s.text + " names " + std::to_string(s.list.size()) +
                       " PU(s) but the node has " + std::to_string(ranks) +
                       " ranks; give one logical PU per local rank");
    }
    for (int logical : s.list) {
      const PuInfo* pu = m.find_logical(logical);
      if (!pu) {
        throw UsageError("--pin " + s.text + ": PU L#" + std::to_string(logical) +
                         " is not on this node or not allowed; allowed logical PUs are 0-" +
                         std::to_string(m.pus.back().pu_logical) + " (see --plan or lstopo)");
      }
      order.push_back(static_cast<std::size_t>(pu - m.pus.data()));
    }
  } else {
    order = pu_order(m, s);
  }
  // Past the end of the order, ranks share PUs round-robin: oversubscription.
  std::vector<int> ranks_on(m.pus.size(), 0);
  for (auto& p : plan) {
    const std::size_t index = order[static_cast<std::size_t>(p.local_rank) % order.size()];
    p.planned_pu = m.pus[index].pu_logical;
    ++ranks_on[index];
  }
  for (auto& p : plan) {
    const PuInfo* pu = m.find_logical(p.planned_pu);
    p.oversubscribed = ranks_on[static_cast<std::size_t>(pu - m.pus.data())] > 1;
  }
  return plan;
}

std::string format_pu_map(const MachineView& m,
                          const std::vector<std::vector<int>>& ranks_by_pu_index) {
  // Group PU indices by (package, NUMA) then by core, keeping logical order.
  std::map<std::pair<int, int>, std::vector<std::vector<std::size_t>>> groups;
  for (std::size_t i = 0; i < m.pus.size(); ++i) {
    auto& cores = groups[{m.pus[i].package, m.pus[i].numa}];
    if (cores.empty() || m.pus[cores.back().front()].core != m.pus[i].core) cores.emplace_back();
    cores.back().push_back(i);
  }
  std::ostringstream out;
  for (const auto& [where, cores] : groups) {
    out << "  package " << cell(where.first) << " NUMA " << cell(where.second) << ": ";
    for (const auto& core : cores) {
      out << '[';
      for (std::size_t j = 0; j < core.size(); ++j) {
        if (j) out << ' ';
        const auto& ranks = ranks_by_pu_index[core[j]];
        if (ranks.empty()) out << '.';
        for (std::size_t k = 0; k < ranks.size(); ++k) out << (k ? "+" : "") << ranks[k];
      }
      out << ']';
    }
    out << '\n';
  }
  return out.str();
}

std::string format_plan_table(const MachineView& m, const std::vector<Placement>& plan,
                              const Strategy& s, const std::string& node_label) {
  std::ostringstream out;
  out << "Plan for " << plan.size() << " rank(s) on " << node_label << " (" << m.summary
      << "), --pin " << s.text << '\n';
  if (plan.empty() || plan.front().planned_pu < 0) {
    out << "  no PU is planned: ranks run where the "
        << (s.kind == StrategyKind::kNone ? "OS scheduler puts them" : "launcher bound them")
        << "; shmcount records where they ran\n";
    if (!plan.empty() && plan.front().oversubscribed) {
      out << "  warning: more ranks than PUs (" << m.pus.size() << "): oversubscribed\n";
    }
    return out.str();
  }
  out << "  rank  PU L#  PU P#  core  NUMA  package\n";
  std::vector<std::vector<int>> ranks_by_pu(m.pus.size());
  int shared = 0;
  for (const auto& p : plan) {
    const PuInfo* pu = m.find_logical(p.planned_pu);
    ranks_by_pu[static_cast<std::size_t>(pu - m.pus.data())].push_back(p.local_rank);
    char line[128];
    std::snprintf(line, sizeof line, "  %4d  %5d  %5d  %4s  %4s  %7s%s\n", p.local_rank,
                  pu->pu_logical, pu->pu_os, cell(pu->core).c_str(), cell(pu->numa).c_str(),
                  cell(pu->package).c_str(), p.oversubscribed ? "  (shares its PU)" : "");
    out << line;
    shared += p.oversubscribed ? 1 : 0;
  }
  out << "PUs by package and NUMA node, [core], rank numbers on each PU ('.' = free):\n"
      << format_pu_map(m, ranks_by_pu);
  if (shared > 0) {
    out << "warning: " << shared << " rank(s) share a PU: more ranks than the " << m.pus.size()
        << " allowed PUs (oversubscribed)\n";
  }
  return out.str();
}

std::string format_plan_csv(const MachineView& m, const std::vector<Placement>& plan, bool header) {
  std::ostringstream out;
  if (header) out << "rank,pu_logical,pu_os,core,numa,package\n";
  for (const auto& p : plan) {
    const PuInfo* pu = p.planned_pu >= 0 ? m.find_logical(p.planned_pu) : nullptr;
    const PuInfo none;
    const PuInfo& q = pu ? *pu : none;
    out << p.local_rank << ',' << cell(q.pu_logical) << ',' << cell(q.pu_os) << ',' << cell(q.core)
        << ',' << cell(q.numa) << ',' << cell(q.package) << '\n';
  }
  return out.str();
}

}  // namespace shmcount

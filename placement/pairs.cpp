#include "pairs.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "common/error.hpp"
#include "common/parse.hpp"

namespace shmcount {
namespace {

constexpr std::array kRelationTable{
    RelationInfo{Relation::kSmt, "smt", "SMT siblings"},
    RelationInfo{Relation::kL2, "l2", "same L2"},
    RelationInfo{Relation::kL3, "l3", "same L3"},
    RelationInfo{Relation::kNuma, "numa", "same NUMA node"},
    RelationInfo{Relation::kPackage, "package", "same package"},
    RelationInfo{Relation::kOther, "other", "other package"},
};
static_assert(kRelationTable.size() == kRelations);

// Logical indices a list may name: more than any node has (as --pin list).
constexpr std::uint64_t kMaxListPu = 1 << 16;

std::string what_of(std::string_view text) {
  return "--pairs '" + std::string(text.substr(0, 60)) + (text.size() > 60 ? "...'" : "'") + ": ";
}

int list_index(std::string_view item, std::string_view text) {
  const auto n = parse_u64(item);
  if (!n || *n >= kMaxListPu) {
    throw UsageError(what_of(text) + "'" + std::string(item.substr(0, 20)) +
                     "' is not a logical PU index (digits only, below " +
                     std::to_string(kMaxListPu) + "); use " + pair_mode_names());
  }
  return static_cast<int>(*n);
}

std::vector<std::string_view> split(std::string_view text, char by) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t end = std::min(text.find(by, pos), text.size());
    out.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

const PuInfo& pu_at(const MachineView& m, int logical) {
  return m.all_pus[static_cast<std::size_t>(logical)];
}

// A listed PU: it must exist on the machine.
const PuInfo& listed_pu(const MachineView& m, int logical, const PairSpec& spec) {
  if (logical < 0 || static_cast<std::size_t>(logical) >= m.all_pus.size() ||
      pu_at(m, logical).pu_logical != logical) {
    throw UsageError(what_of(spec.text) + "PU L#" + std::to_string(logical) +
                     " does not exist: this machine has PUs L#0-" +
                     std::to_string(m.all_pus.size() - 1) + " (" + m.summary + ")");
  }
  return pu_at(m, logical);
}

PuPair make_pair(const MachineView& m, const PuInfo& x, const PuInfo& y) {
  const PuInfo& a = x.pu_logical < y.pu_logical ? x : y;
  const PuInfo& b = x.pu_logical < y.pu_logical ? y : x;
  PuPair p;
  p.a = a.pu_logical;
  p.b = b.pu_logical;
  p.a_os = a.pu_os;
  p.b_os = b.pu_os;
  p.relation = relation_of(m, a, b);
  for (const PuInfo* pu : {&a, &b}) {
    if (pu->usable || !p.usable) continue;
    p.usable = false;
    p.why_not = "PU L#" + std::to_string(pu->pu_logical) + " (P#" + std::to_string(pu->pu_os) +
                ") is not one this job may use (" + m.availability() + ")";
  }
  return p;
}

// Every pair among `pus`, in their order.
void add_all_pairs(const MachineView& m, const std::vector<const PuInfo*>& pus,
                   std::vector<PuPair>& out) {
  for (std::size_t i = 0; i < pus.size(); ++i) {
    for (std::size_t j = i + 1; j < pus.size(); ++j) out.push_back(make_pair(m, *pus[i], *pus[j]));
  }
}

std::vector<PuPair> cores_pairs(const MachineView& m) {
  std::vector<const PuInfo*> firsts;
  for (const auto& pu : m.pus) {
    if (pu.smt == 0) firsts.push_back(&pu);
  }
  std::vector<PuPair> out;
  add_all_pairs(m, firsts, out);
  // The threads of the first core that has several: what SMT costs, once.
  for (const PuInfo* first : firsts) {
    std::vector<const PuInfo*> threads;
    for (const auto& pu : m.pus) {
      if (pu.core == first->core) threads.push_back(&pu);
    }
    if (threads.size() < 2) continue;
    add_all_pairs(m, threads, out);
    break;
  }
  return out;
}

std::vector<PuPair> domains_pairs(const MachineView& m) {
  // A domain is a package x NUMA node x L3, so it is the finer of the two where NUMA nodes and
  // L3s nest either way.
  std::map<std::tuple<int, int, int>, std::vector<const PuInfo*>> domains;
  std::vector<std::tuple<int, int, int>> order;
  for (const auto& pu : m.pus) {
    const auto key = std::make_tuple(pu.package, pu.numa, pu.cache);
    auto& members = domains[key];
    if (members.empty()) order.push_back(key);
    members.push_back(&pu);
  }
  std::vector<const PuInfo*> representatives;
  for (const auto& key : order) representatives.push_back(domains[key].front());
  std::vector<PuPair> out;
  add_all_pairs(m, representatives, out);
  // Inside each domain: its representative with the first PU of every relation found there.
  for (const auto& key : order) {
    const auto& members = domains[key];
    std::set<Relation> seen;
    for (std::size_t i = 1; i < members.size(); ++i) {
      const Relation r = relation_of(m, *members.front(), *members[i]);
      if (seen.insert(r).second) out.push_back(make_pair(m, *members.front(), *members[i]));
    }
  }
  return out;
}

}  // namespace

std::span<const RelationInfo> relation_table() { return kRelationTable; }

const RelationInfo& relation_info(Relation relation) {
  return kRelationTable[static_cast<std::size_t>(relation)];
}

const RelationInfo* find_relation(std::string_view key) {
  for (const auto& r : kRelationTable) {
    if (r.key == key) return &r;
  }
  return nullptr;
}

Relation relation_of(const MachineView& m, const PuInfo& a, const PuInfo& b) {
  if (a.core >= 0 && a.core == b.core) return Relation::kSmt;
  struct Candidate {
    hwloc_obj_type_t type;
    Relation relation;
  };
  constexpr std::array kShared{Candidate{HWLOC_OBJ_L2CACHE, Relation::kL2},
                               Candidate{HWLOC_OBJ_L3CACHE, Relation::kL3},
                               Candidate{HWLOC_OBJ_NUMANODE, Relation::kNuma},
                               Candidate{HWLOC_OBJ_PACKAGE, Relation::kPackage}};
  // A NUMA node tells PUs apart only where the machine has several (on a 2-socket machine with
  // one memory node, PUs of the two packages share "the" NUMA node: they are other packages).
  const bool several_numa = std::any_of(m.all_pus.begin(), m.all_pus.end(), [&](const PuInfo& pu) {
    return pu.numa != m.all_pus.front().numa;
  });
  int deepest = -1;
  Relation out = Relation::kOther;
  for (const auto& c : kShared) {
    if (c.relation == Relation::kNuma && !several_numa) continue;
    const int level = m.level_of(c.type);
    if (level < 0 || level <= deepest) continue;
    const auto l = static_cast<std::size_t>(level);
    if (l < a.path.size() && l < b.path.size() && a.path[l] >= 0 && a.path[l] == b.path[l]) {
      deepest = level;
      out = c.relation;
    }
  }
  return out;
}

std::string pair_mode_names() { return "all, cores, domains, L0,L1,... (PUs) or A:B,C:D,..."; }

PairSpec parse_pairs(std::string_view text) {
  PairSpec spec;
  spec.text = std::string(text);
  if (text == "all") return spec;
  if (text == "cores" || text == "domains") {
    spec.mode = text == "cores" ? PairMode::kCores : PairMode::kDomains;
    return spec;
  }
  if (text.empty() || text.find_first_not_of("0123456789,-:") != std::string_view::npos) {
    throw UsageError(what_of(text) + "use " + pair_mode_names() +
                     " (logical PU indices, as --domains lists them)");
  }
  const bool pair_list = text.find(':') != std::string_view::npos;
  spec.mode = pair_list ? PairMode::kPairList : PairMode::kPuList;
  std::set<std::pair<int, int>> seen_pairs;
  std::set<int> seen_pus;
  for (const auto item : split(text, ',')) {
    if (pair_list) {
      const auto ends = split(item, ':');
      if (ends.size() != 2) {
        throw UsageError(what_of(text) + "'" + std::string(item.substr(0, 20)) +
                         "' is not a pair A:B of logical PUs (a pair list is A:B,C:D,...)");
      }
      const int a = list_index(ends[0], text), b = list_index(ends[1], text);
      if (a == b) {
        throw UsageError(what_of(text) + "pair " + std::string(item) +
                         " is one PU twice; a pair is two PUs");
      }
      if (!seen_pairs.insert({std::min(a, b), std::max(a, b)}).second) {
        throw UsageError(what_of(text) + "the pair of PUs " + std::to_string(a) + " and " +
                         std::to_string(b) + " is listed twice; list each pair once");
      }
      spec.pairs.push_back({a, b});
      continue;
    }
    const auto range = split(item, '-');
    if (range.size() > 2) {
      throw UsageError(what_of(text) + "'" + std::string(item.substr(0, 20)) +
                       "' is not a PU or a range A-B");
    }
    const int first = list_index(range.front(), text), last = list_index(range.back(), text);
    if (last < first) {
      throw UsageError(what_of(text) + "range '" + std::string(item) + "' is reversed; write " +
                       std::to_string(last) + "-" + std::to_string(first));
    }
    for (int pu = first; pu <= last; ++pu) {
      if (!seen_pus.insert(pu).second) {
        throw UsageError(what_of(text) + "PU " + std::to_string(pu) +
                         " is listed twice; list each PU once");
      }
      spec.pus.push_back(pu);
    }
  }
  if (!pair_list && spec.pus.size() < 2) {
    throw UsageError(what_of(text) +
                     "a PU list needs at least two PUs (every pair among them is measured)");
  }
  return spec;
}

std::vector<PuPair> plan_pairs(const MachineView& m, const PairSpec& spec) {
  std::vector<PuPair> out;
  switch (spec.mode) {
    case PairMode::kAll: {
      std::vector<const PuInfo*> all;
      for (const auto& pu : m.pus) all.push_back(&pu);
      add_all_pairs(m, all, out);
      break;
    }
    case PairMode::kCores:
      out = cores_pairs(m);
      break;
    case PairMode::kDomains:
      out = domains_pairs(m);
      break;
    case PairMode::kPuList: {
      std::vector<const PuInfo*> listed;
      for (int pu : spec.pus) listed.push_back(&listed_pu(m, pu, spec));
      add_all_pairs(m, listed, out);
      break;
    }
    case PairMode::kPairList:
      for (const auto& [a, b] : spec.pairs) {
        out.push_back(make_pair(m, listed_pu(m, a, spec), listed_pu(m, b, spec)));
      }
      break;
  }
  std::sort(out.begin(), out.end(), [](const PuPair& x, const PuPair& y) {
    return std::tie(x.a, x.b) < std::tie(y.a, y.b);
  });
  return out;
}

PairCost pair_cost(const std::vector<PuPair>& pairs, std::uint64_t samples,
                   std::uint64_t round_trips) {
  PairCost cost;
  for (const auto& p : pairs) cost.pairs += p.usable ? 1 : 0;
  cost.round_trips = cost.pairs * samples * round_trips;
  return cost;
}

std::string duration_text(double seconds) {
  char buf[32];
  if (seconds < 10) {
    std::snprintf(buf, sizeof buf, "%.2g s", seconds);
  } else if (seconds < 120) {
    std::snprintf(buf, sizeof buf, "%.0f s", seconds);
  } else if (seconds < 7200) {
    std::snprintf(buf, sizeof buf, "%.0f min", seconds / 60);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f h", seconds / 3600);
  }
  return buf;
}

std::string cost_estimate(const PairCost& cost) {
  constexpr double kFastRoundTripNs = 8, kSlowRoundTripNs = 400;
  const auto trips = static_cast<double>(cost.round_trips);
  char count[32];
  std::snprintf(count, sizeof count, "%.3g", trips);
  return std::string(count) + " round trips: about " +
         duration_text(trips * kFastRoundTripNs / 1e9) +
         " at 8 ns per round trip (SMT siblings, 4 ns one way) to " +
         duration_text(trips * kSlowRoundTripNs / 1e9) +
         " at 400 ns (across sockets, 200 ns one way), plus binding each pair";
}

std::string format_pair_plan(const MachineView& m, const std::vector<PuPair>& pairs,
                             const PairSpec& spec, const std::string& node_label,
                             std::uint64_t samples, std::uint64_t round_trips) {
  std::ostringstream out;
  out << "Latency pairs on " << node_label << " (" << m.summary << "), --pairs " << spec.text
      << ": " << pairs.size() << " pair(s)\n";
  if (m.restricted()) out << "  available: " << m.availability() << '\n';
  out << "  pair  PU L#  PU L#  PU P#  PU P#  relation\n";
  std::array<int, kRelations> per_relation{};
  int flagged = 0;
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const PuPair& p = pairs[i];
    char line[160];
    std::snprintf(line, sizeof line, "  %4zu  %5d  %5d  %5d  %5d  %s%s\n", i, p.a, p.b, p.a_os,
                  p.b_os, std::string(relation_info(p.relation).label).c_str(),
                  p.usable ? "" : "  (not measured: see below)");
    out << line;
    ++per_relation[static_cast<std::size_t>(p.relation)];
    flagged += p.usable ? 0 : 1;
  }
  out << "pairs by relation in hwloc's tree:";
  const char* sep = " ";
  for (const auto& r : relation_table()) {
    const int n = per_relation[static_cast<std::size_t>(r.relation)];
    if (n == 0) continue;
    out << sep << n << ' ' << r.label;
    sep = ", ";
  }
  out << '\n';
  for (const auto& p : pairs) {
    if (!p.usable) out << "not measured: pair " << p.a << ":" << p.b << ": " << p.why_not << '\n';
  }
  const PairCost cost = pair_cost(pairs, samples, round_trips);
  out << "cost: " << cost.pairs << " pair(s) x " << samples << " sample(s) x " << round_trips
      << " round trip(s) = " << cost_estimate(cost) << '\n';
  if (flagged > 0) out << "warning: " << flagged << " pair(s) cannot be bound and are skipped\n";
  return out.str();
}

std::string format_pair_plan_csv(const std::vector<PuPair>& pairs) {
  std::ostringstream out;
  out << "pair,a_logical,b_logical,a_os,b_os,relation,usable\n";
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const PuPair& p = pairs[i];
    out << i << ',' << p.a << ',' << p.b << ',' << p.a_os << ',' << p.b_os << ','
        << relation_info(p.relation).key << ',' << (p.usable ? 1 : 0) << '\n';
  }
  return out.str();
}

}  // namespace shmcount

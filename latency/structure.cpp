#include "structure.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <numeric>
#include <set>

#include "common/text.hpp"

namespace shmcount {
namespace {

std::string ns_text(double ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, ns < 10 ? "%.1f" : "%.0f", ns);
  return buf;
}

// The relation's pairs as a noun: "SMT siblings", "PUs that share an L3".
std::string noun(Relation r) {
  switch (r) {
    case Relation::kSmt:
      return "SMT siblings";
    case Relation::kL2:
      return "PUs that share an L2";
    case Relation::kL3:
      return "PUs that share an L3";
    case Relation::kNuma:
      return "PUs of one NUMA node";
    case Relation::kPackage:
      return "PUs of one package";
    case Relation::kOther:
      break;
  }
  return "PUs of different packages";
}

// What hwloc's tree says of a pair of this relation.
std::string shows(Relation r) {
  switch (r) {
    case Relation::kSmt:
      return "threads of one core";
    case Relation::kL2:
      return "separate cores that share an L2";
    case Relation::kL3:
      return "separate cores that share an L3";
    case Relation::kNuma:
      return "separate cores of one NUMA node";
    case Relation::kPackage:
      return "separate cores of one package";
    case Relation::kOther:
      break;
  }
  return "PUs of different packages";
}

struct UnionFind {
  std::map<int, int> parent;
  int find(int x) {
    auto it = parent.try_emplace(x, x).first;
    if (it->second == x) return x;
    return it->second = find(it->second);
  }
  void join(int x, int y) { parent[find(x)] = find(y); }
};

}  // namespace

StructureReport compare_with_tree(std::span<const PairLatency> pairs) {
  StructureReport out;
  if (pairs.empty()) return out;
  std::vector<std::size_t> order(pairs.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](std::size_t x, std::size_t y) { return pairs[x].median_ns < pairs[y].median_ns; });
  // Levels: a new one wherever the next median is kLevelGap times the one before.
  std::vector<int> level_of(pairs.size(), 0);
  std::vector<std::vector<double>> medians(1);
  for (std::size_t i = 0; i < order.size(); ++i) {
    const double m = pairs[order[i]].median_ns;
    if (i > 0 && m >= kLevelGap * pairs[order[i - 1]].median_ns) medians.emplace_back();
    medians.back().push_back(m);
    level_of[order[i]] = static_cast<int>(medians.size()) - 1;
  }
  for (const auto& ms : medians) {
    LatencyLevel level;
    level.low_ns = ms.front();
    level.high_ns = ms.back();
    level.typical_ns = median_of(ms);
    level.pairs = static_cast<int>(ms.size());
    out.levels.push_back(level);
  }
  // Each relation's home: the level holding most of its pairs (a tie: the slower level, so that
  // pairs faster than their relation usually is are the ones reported).
  std::array<std::vector<int>, kRelations> per_level;
  for (auto& counts : per_level) counts.assign(out.levels.size(), 0);
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    ++per_level[static_cast<std::size_t>(pairs[i].relation)][static_cast<std::size_t>(level_of[i])];
  }
  std::array<int, kRelations> home{};
  home.fill(-1);
  for (std::size_t r = 0; r < per_level.size(); ++r) {
    for (std::size_t k = 0; k < out.levels.size(); ++k) {
      if (per_level[r][k] > 0 && (home[r] < 0 || per_level[r][k] >= per_level[r][home[r]])) {
        home[r] = static_cast<int>(k);
      }
    }
    if (home[r] >= 0) out.levels[home[r]].home_of.push_back(static_cast<Relation>(r));
  }
  int fastest_home = static_cast<int>(out.levels.size()), slowest_home = -1;
  for (int h : home) {
    if (h < 0) continue;
    fastest_home = std::min(fastest_home, h);
    slowest_home = std::max(slowest_home, h);
  }
  const bool tree_has_smt = home[static_cast<std::size_t>(Relation::kSmt)] >= 0;
  // How a level answers, in words; and whether that is what SMT siblings do.
  auto like = [&](int k, bool* smt_like) {
    const LatencyLevel& level = out.levels[static_cast<std::size_t>(k)];
    *smt_like = false;
    if (!level.home_of.empty()) {
      *smt_like = level.home_of.front() == Relation::kSmt;
      return "like " + noun(level.home_of.front());
    }
    if (k < fastest_home) {
      *smt_like = !tree_has_smt;
      return tree_has_smt ? std::string("faster than the SMT siblings hwloc shows")
                          : std::string("like SMT siblings");
    }
    if (k > slowest_home) return std::string("slower than any relation hwloc shows");
    int below = k, above = k;
    while (out.levels[static_cast<std::size_t>(below)].home_of.empty()) --below;
    while (out.levels[static_cast<std::size_t>(above)].home_of.empty()) ++above;
    return "between " + noun(out.levels[static_cast<std::size_t>(below)].home_of.front()) +
           " and " + noun(out.levels[static_cast<std::size_t>(above)].home_of.front());
  };
  UnionFind joined;
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const PairLatency& p = pairs[i];
    const int h = home[static_cast<std::size_t>(p.relation)], k = level_of[i];
    const LatencyLevel& at_home = out.levels[static_cast<std::size_t>(h)];
    // Clearly elsewhere: the pair's whole interval lies outside its home level's range.
    const bool closer = k < h && p.high_ns < at_home.low_ns;
    const bool farther = k > h && p.low_ns > at_home.high_ns;
    if (!closer && !farther) continue;
    StructureFinding f;
    f.kind = closer ? StructureFinding::Kind::kCloser : StructureFinding::Kind::kFarther;
    f.a = p.a;
    f.b = p.b;
    f.relation = p.relation;
    f.median_ns = p.median_ns;
    f.level = k;
    bool smt_like = false;
    f.like = like(k, &smt_like);
    const std::string head = "PUs " + std::to_string(p.a) + " and " + std::to_string(p.b) +
                             " answer in " + ns_text(p.median_ns) + " ns, " + f.like;
    if (closer) {
      f.text = head + ", but hwloc shows " + shows(p.relation) + ": " +
               (smt_like ? "the host may share a core between these vCPUs"
                         : "they may share a core or a cache that hwloc does not show");
      joined.join(p.a, p.b);
    } else {
      f.text = head + ", though hwloc shows " + shows(p.relation) +
               ": the host may run them farther apart than the tree says (another socket or "
               "core complex), or it was busy while they were measured";
    }
    out.findings.push_back(f);
  }
  std::sort(out.findings.begin(), out.findings.end(),
            [](const StructureFinding& x, const StructureFinding& y) {
              return std::make_pair(x.a, x.b) < std::make_pair(y.a, y.b);
            });
  // Groups of PUs the measurement found closer than the tree, and a list that keeps one of each.
  std::map<int, std::vector<int>> groups;
  for (const auto& [pu, parent] : joined.parent) groups[joined.find(pu)].push_back(pu);
  if (groups.empty()) return out;
  std::set<int> measured;
  for (const auto& p : pairs) measured.insert({p.a, p.b});
  std::set<int> taken_groups;
  std::vector<int> keep;
  for (int pu : measured) {
    if (joined.parent.count(pu) && !taken_groups.insert(joined.find(pu)).second) continue;
    keep.push_back(pu);
  }
  for (auto& [root, members] : groups) {
    std::sort(members.begin(), members.end());
    out.closer_groups.push_back(members);
  }
  std::sort(out.closer_groups.begin(), out.closer_groups.end());
  out.pin_list = "list:" + index_ranges(keep);
  out.advice = "to keep ranks off PUs that answered closer than hwloc shows, run with --pin " +
               out.pin_list + " (one PU of each such group, and every other PU measured: up to " +
               std::to_string(keep.size()) + " rank(s))";
  return out;
}

double median_of(std::vector<double> xs) {
  const std::size_t mid = xs.size() / 2;
  std::nth_element(xs.begin(), xs.begin() + static_cast<std::ptrdiff_t>(mid), xs.end());
  const double upper = xs[mid];
  if (xs.size() % 2) return upper;
  return (*std::max_element(xs.begin(), xs.begin() + static_cast<std::ptrdiff_t>(mid)) + upper) / 2;
}

}  // namespace shmcount

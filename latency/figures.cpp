#include "figures.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <type_traits>

#include "common/error.hpp"

namespace shmcount {
namespace {

static_assert(std::is_trivially_copyable_v<LatencySample>);

// The 2.5th and 97.5th percentiles of `xs` (sorted in place).
std::pair<double, double> interval_95(std::vector<double>& xs) {
  std::sort(xs.begin(), xs.end());
  auto at = [&](double q) {
    const double pos = q * static_cast<double>(xs.size() - 1);
    const auto lo = static_cast<std::size_t>(pos);
    const std::size_t hi = std::min(lo + 1, xs.size() - 1);
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - static_cast<double>(lo));
  };
  return {at(0.025), at(0.975)};
}

// The resamples' generator: SplitMix64, small and fast (a map of thousands of pairs draws hundreds
// of millions of indices), and the same on every platform (unlike the standard distributions).
class Draws {
 public:
  explicit Draws(std::uint64_t seed) : state_(seed) {}
  // An index below n, for n below 2^32 (multiply-shift of the high 32 bits: no division).
  std::size_t below(std::size_t n) {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    z ^= z >> 31;
    return static_cast<std::size_t>(((z >> 32) * n) >> 32);
  }

 private:
  std::uint64_t state_;
};

// The 95% interval of the median of samples grouped by round: each resample draws rounds with
// replacement, then samples with replacement within each drawn round (the round, one visit of
// the pair with its own binding, is what varies between visits). A resample is kept as how often
// it drew each value of the sorted pool, so its median is one pass over the counts, not a sort.
std::pair<double, double> two_level_interval(const std::vector<std::vector<double>>& rounds,
                                             std::uint64_t seed) {
  std::vector<std::pair<double, std::pair<std::size_t, std::size_t>>> order;
  for (std::size_t r = 0; r < rounds.size(); ++r) {
    for (std::size_t i = 0; i < rounds[r].size(); ++i) order.push_back({rounds[r][i], {r, i}});
  }
  std::sort(order.begin(), order.end());
  std::vector<double> pool(order.size());
  std::vector<std::vector<std::size_t>> rank(rounds.size());
  for (std::size_t r = 0; r < rounds.size(); ++r) rank[r].resize(rounds[r].size());
  for (std::size_t k = 0; k < order.size(); ++k) {
    pool[k] = order[k].first;
    rank[order[k].second.first][order[k].second.second] = k;
  }
  Draws rng(seed);
  std::vector<std::uint32_t> drawn(pool.size());
  std::vector<double> medians;
  medians.reserve(kBootstrapResamples);
  for (int b = 0; b < kBootstrapResamples; ++b) {
    std::fill(drawn.begin(), drawn.end(), 0);
    std::size_t total = 0;
    for (std::size_t r = 0; r < rounds.size(); ++r) {
      const auto& ranks = rank[rng.below(rounds.size())];
      for (std::size_t i = 0; i < ranks.size(); ++i) ++drawn[ranks[rng.below(ranks.size())]];
      total += ranks.size();
    }
    // The values at positions (total - 1) / 2 and total / 2 of the resample, sorted.
    const std::size_t low = (total - 1) / 2, high = total / 2;
    double at_low = 0, at_high = 0;
    std::size_t seen = 0;
    for (std::size_t k = 0; k < pool.size() && seen <= high; ++k) {
      if (drawn[k] == 0) continue;
      const std::size_t next = seen + drawn[k];
      if (seen <= low && low < next) at_low = pool[k];
      if (seen <= high && high < next) at_high = pool[k];
      seen = next;
    }
    medians.push_back((at_low + at_high) / 2);
  }
  return interval_95(medians);
}

// The 95% interval of the median of `values`, each drawn with replacement.
std::pair<double, double> one_level_interval(const std::vector<double>& values,
                                             std::uint64_t seed) {
  return two_level_interval({values}, seed);
}

constexpr std::uint64_t kSeed = 0x5348'4d43'4f55'4e54;  // "SHMCOUNT"

}  // namespace

std::string samples_to_bytes(std::span<const LatencySample> samples) {
  return std::string(reinterpret_cast<const char*>(samples.data()),
                     samples.size() * sizeof(LatencySample));
}

std::vector<LatencySample> samples_from_bytes(std::string_view bytes) {
  if (bytes.size() % sizeof(LatencySample) != 0) {
    throw Error("latency samples: " + std::to_string(bytes.size()) +
                " bytes is not a whole number of samples");
  }
  std::vector<LatencySample> out(bytes.size() / sizeof(LatencySample));
  if (!out.empty()) std::memcpy(out.data(), bytes.data(), bytes.size());
  return out;
}

double one_way_ns(const LatencySample& sample, std::uint64_t round_trips) {
  return static_cast<double>(sample.time_ns) / static_cast<double>(round_trips) / 2;
}

LatencyFigures compute_latency_figures(std::span<const PuPair> pairs,
                                       std::span<const LatencySample> samples,
                                       std::uint64_t round_trips) {
  LatencyFigures f;
  f.samples = samples.size();
  // Per pair: the usable samples by round, and by direction.
  std::map<std::size_t, std::map<int, std::vector<double>>> by_round;
  std::map<std::size_t, std::vector<double>> by_direction[2];
  for (const auto& s : samples) {
    f.wrong += s.ok ? 0 : 1;
    f.off_place += s.placed_ok ? 0 : 1;
    f.disturbed += s.disturbed ? 1 : 0;
    if (!s.ok || !s.placed_ok || s.pair < 0 || static_cast<std::size_t>(s.pair) >= pairs.size()) {
      continue;
    }
    const double ns = one_way_ns(s, round_trips);
    by_round[static_cast<std::size_t>(s.pair)][s.round].push_back(ns);
    by_direction[s.direction == 0 ? 0 : 1][static_cast<std::size_t>(s.pair)].push_back(ns);
  }
  std::vector<PairLatency> for_structure;
  std::map<Relation, std::vector<const PairFigures*>> per_relation;
  f.pairs.reserve(by_round.size());
  for (const auto& [pair, rounds] : by_round) {
    PairFigures p;
    p.pair = pair;
    std::vector<std::vector<double>> groups;
    std::vector<double> all;
    for (const auto& [round, values] : rounds) {
      groups.push_back(values);
      all.insert(all.end(), values.begin(), values.end());
    }
    p.samples = all.size();
    p.min_ns = *std::min_element(all.begin(), all.end());
    p.median_ns = median_of(all);
    std::tie(p.low_ns, p.high_ns) = two_level_interval(groups, kSeed ^ pair);
    for (int d = 0; d < 2; ++d) {
      const auto it = by_direction[d].find(pair);
      (d == 0 ? p.median_ab_ns : p.median_ba_ns) =
          it == by_direction[d].end() ? 0 : median_of(it->second);
    }
    f.pairs.push_back(p);
    const PuPair& pp = pairs[pair];
    for_structure.push_back(PairLatency{pp.a, pp.b, pp.relation, p.median_ns, p.low_ns, p.high_ns});
  }
  for (const auto& p : f.pairs) per_relation[pairs[p.pair].relation].push_back(&p);
  for (const auto& [relation, members] : per_relation) {
    RelationFigures r;
    r.relation = relation;
    r.pairs = static_cast<int>(members.size());
    std::vector<double> medians;
    r.min_ns = members.front()->min_ns;
    for (const PairFigures* p : members) {
      medians.push_back(p->median_ns);
      r.min_ns = std::min(r.min_ns, p->min_ns);
    }
    r.median_ns = median_of(medians);
    if (members.size() == 1) {
      r.low_ns = members.front()->low_ns;
      r.high_ns = members.front()->high_ns;
    } else {
      std::tie(r.low_ns, r.high_ns) =
          one_level_interval(medians, kSeed ^ (0x100 + static_cast<std::uint64_t>(relation)));
    }
    f.relations.push_back(r);
  }
  f.structure = compare_with_tree(for_structure);
  return f;
}

}  // namespace shmcount

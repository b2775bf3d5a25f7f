#include "dataset.hpp"

namespace shmcount {
namespace {

// splitmix64: tiny, fast and defined bit for bit on every platform (unlike std distributions).
struct SplitMix64 {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
};

__extension__ using Uint128 = unsigned __int128;

// Maps 64 random bits to [0, bound) by multiply-shift (Lemire); bias is below 2^-40 here.
std::int32_t below(std::uint64_t bits, std::uint64_t bound) {
  return static_cast<std::int32_t>((static_cast<Uint128>(bits) * bound) >> 64);
}

constexpr NamedValue<Pattern> kPatterns[] = {
    {"seed", Pattern::kSeed, "0..V-1 repeating, as in the article shmcount grew from"},
    {"random", Pattern::kRandom, "uniform in [0, V), reproducible from --seed"},
};

}  // namespace

std::span<const NamedValue<Pattern>> pattern_table() { return kPatterns; }

std::string_view pattern_name(Pattern pattern) { return name_of_value(kPatterns, pattern); }

Pattern parse_pattern(std::string_view text) {
  return entry_or_refuse(kPatterns, "--pattern", text, "pattern").value;
}

void fill(const DataSpec& spec, std::span<std::int32_t> data) {
  fill_range(spec, data, 0, data.size());
}

void fill_range(const DataSpec& spec, std::span<std::int32_t> data, std::size_t begin,
                std::size_t end) {
  if (spec.pattern == Pattern::kSeed) {
    std::uint64_t v = begin % spec.values;
    for (std::size_t i = begin; i < end; ++i) {
      data[i] = static_cast<std::int32_t>(v);
      if (++v == spec.values) v = 0;
    }
  } else {
    // splitmix64's state advances by a constant per number: element i starts at seed + i steps.
    SplitMix64 rng{spec.seed + begin * 0x9e3779b97f4a7c15ULL};
    for (std::size_t i = begin; i < end; ++i) data[i] = below(rng.next(), spec.values);
  }
}

std::vector<std::uint64_t> expected_counts(const DataSpec& spec) {
  std::vector<std::uint64_t> counts(spec.values, 0);
  if (spec.pattern == Pattern::kSeed) {
    const std::uint64_t full = spec.size / spec.values;
    const std::uint64_t rest = spec.size % spec.values;
    for (std::uint64_t v = 0; v < spec.values; ++v) counts[v] = full + (v < rest ? 1 : 0);
  } else {
    SplitMix64 rng{spec.seed};
    for (std::uint64_t i = 0; i < spec.size; ++i) ++counts[below(rng.next(), spec.values)];
  }
  return counts;
}

}  // namespace shmcount

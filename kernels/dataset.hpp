// The array every rank counts, and the counts it must give. Expected counts come from the
// generator itself, so verification never trusts a kernel.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace shmcount {

enum class Pattern {
  kSeed,    // 0, 1, ..., V-1, 0, 1, ... as in the article shmcount grew from.
  kRandom,  // Uniform in [0, V), reproducible from a 64-bit seed.
};

struct DataSpec {
  std::uint64_t size = 200'000;
  std::uint64_t values = 1'000;
  Pattern pattern = Pattern::kSeed;
  std::uint64_t seed = 1;
};

std::string_view pattern_name(Pattern pattern);
// Parses "seed" or "random"; returns false for anything else.
bool parse_pattern(std::string_view text, Pattern* out);

// Fills data (data.size() == spec.size) with the pattern.
void fill(const DataSpec& spec, std::span<std::int32_t> data);
// Fills only data[begin, end) with what fill() puts there, so that ranks can each write their
// own slice of one array (first touch) and together give the same array.
void fill_range(const DataSpec& spec, std::span<std::int32_t> data, std::size_t begin,
                std::size_t end);

// The counts of each value in [0, spec.values) that fill() produces, computed without the array.
std::vector<std::uint64_t> expected_counts(const DataSpec& spec);

}  // namespace shmcount

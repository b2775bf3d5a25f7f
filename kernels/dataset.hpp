// The array every rank counts, and the counts it must give. Expected counts come from the
// generator itself, so verification never trusts a kernel.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/table.hpp"

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

// The values of --pattern, one entry each: its name, what it is (--help, the man page, --list
// patterns), in the order help shows them.
std::span<const NamedValue<Pattern>> pattern_table();
std::string_view pattern_name(Pattern pattern);
// The pattern named `text` (as --pattern takes it); throws UsageError with what is allowed.
Pattern parse_pattern(std::string_view text);

// Fills data (data.size() == spec.size) with the pattern.
void fill(const DataSpec& spec, std::span<std::int32_t> data);
// Fills only data[begin, end) with what fill() puts there, so that ranks can each write their
// own slice of one array (first touch) and together give the same array.
void fill_range(const DataSpec& spec, std::span<std::int32_t> data, std::size_t begin,
                std::size_t end);

// The counts of each value in [0, spec.values) that fill() produces, computed without the array.
std::vector<std::uint64_t> expected_counts(const DataSpec& spec);

}  // namespace shmcount

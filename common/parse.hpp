// Strict parsing of what users type: digits only, the whole string, no overflow (never atoi);
// lists of indices with ranges, range-checked, the same parser for every list shmcount reads
// (--pin list:..., --mempolicy bind:..., interleave:...), in runs, --plan and the sweep's check.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace shmcount {

inline std::optional<std::uint64_t> parse_u64(std::string_view text) {
  if (text.empty() || text.front() < '0' || text.front() > '9') return std::nullopt;
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// The whole number an option was given: `value` parsed by parse_u64, from `min` to `max`; throws
// UsageError "FLAG 'value': expected a whole number from MIN to MAX" otherwise.
std::uint64_t parse_number(std::string_view value, std::string_view flag, std::uint64_t min,
                           std::uint64_t max);

// Indices a list may name: more than any machine has PUs or NUMA nodes.
inline constexpr std::uint64_t kMaxListIndex = 1 << 16;

// How a list is named in its messages.
struct ListWords {
  std::string_view what;     // The option and its value, "--pin 'list:0,0'": prefixes messages.
  std::string_view thing;    // One entry: "PU", "core", "NUMA node".
  std::string_view example;  // A valid list: "0,2,4-7".
  std::string_view twice;    // Why an entry may appear once: "each rank needs its own PU".
};

// "0,2,4-7" -> {0, 2, 4, 5, 6, 7}, in the order written. Every number is decimal as written
// ("010" is ten, never octal), below kMaxListIndex; a range A-B is not reversed; no entry comes
// twice; the list is not empty. Throws UsageError beginning with words.what.
std::vector<int> parse_index_list(std::string_view list, const ListWords& words);

}  // namespace shmcount

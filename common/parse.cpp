#include "parse.hpp"

#include <algorithm>
#include <string>

#include "common/error.hpp"
#include "common/table.hpp"

namespace shmcount {

std::uint64_t parse_number(std::string_view value, std::string_view flag, std::uint64_t min,
                           std::uint64_t max) {
  const auto n = parse_u64(value);
  if (!n || *n < min || *n > max) {
    throw UsageError(std::string(flag) + " " + shown(value) + ": expected a whole number from " +
                     std::to_string(min) + " to " + std::to_string(max));
  }
  return *n;
}

std::vector<int> parse_index_list(std::string_view body, const ListWords& words) {
  const std::string what = std::string(words.what) + ": ";
  const std::string thing(words.thing);
  if (body.empty()) {
    throw UsageError(what + "the list is empty; write e.g. " + std::string(words.example));
  }
  std::vector<int> indices;
  std::vector<bool> seen(kMaxListIndex, false);  // Duplicates found in O(1), whatever the length.
  std::size_t pos = 0;
  while (pos <= body.size()) {
    const std::size_t comma = std::min(body.find(',', pos), body.size());
    const std::string_view item = body.substr(pos, comma - pos);
    const std::size_t dash = item.find('-');
    const auto first = parse_u64(item.substr(0, dash));
    const auto last = dash == std::string_view::npos ? first : parse_u64(item.substr(dash + 1));
    if (!first || !last || *first >= kMaxListIndex || *last >= kMaxListIndex) {
      throw UsageError(what + shown(item) + " is not a " + thing +
                       " index or range A-B (decimal digits only, below " +
                       std::to_string(kMaxListIndex) + ", e.g. " + std::string(words.example) +
                       ")");
    }
    if (*last < *first) {
      throw UsageError(what + "range '" + std::string(item) + "' is reversed; write it as " +
                       std::to_string(*last) + "-" + std::to_string(*first));
    }
    for (auto i = *first; i <= *last; ++i) {
      if (seen[i]) {
        throw UsageError(what + thing + " " + std::to_string(i) + " is listed twice; " +
                         std::string(words.twice));
      }
      seen[i] = true;
      indices.push_back(static_cast<int>(i));
    }
    pos = comma + 1;
  }
  return indices;
}

}  // namespace shmcount

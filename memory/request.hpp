// What the array's memory should be: how it is shared, its pages, who touches it first and the
// memory policy. Parsed from the command line; every value has a name for records and messages.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/table.hpp"

namespace shmcount {

// --pages: the page size asked for. The size obtained is read back, never assumed.
enum class PageKind { kSmall, kHuge, kThp };
// --touch: who writes the array first, and so (first-touch) where its pages land.
enum class TouchKind { kLeader, kRanks };
// --mempolicy: where pages may land, set before the first touch.
enum class PolicyKind { kDefault, kInterleave, kBind };

struct MemPolicy {
  PolicyKind kind = PolicyKind::kDefault;
  std::vector<int> nodes;        // Logical NUMA indices as listed; empty: all.
  std::string text = "default";  // As the user wrote it.
};

// The values of --pages and --touch, one entry each: its name, what it is (--help, the man page,
// --list pages and --list touch), in the order help shows them.
std::span<const NamedValue<PageKind>> page_kind_table();
std::span<const NamedValue<TouchKind>> touch_table();

std::string_view page_kind_name(PageKind kind);
std::string_view touch_name(TouchKind kind);

// Parse one option value each; throw UsageError with what is allowed.
PageKind parse_pages(std::string_view text);
TouchKind parse_touch(std::string_view text);
// "default", "interleave", "interleave:LIST" or "bind:LIST" (logical NUMA nodes, e.g. bind:0).
MemPolicy parse_mempolicy(std::string_view text);

}  // namespace shmcount

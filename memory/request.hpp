// What the array's memory should be: how it is shared, its pages, who touches it first and the
// memory policy. Parsed from the command line; every value has a name for records and messages.
#pragma once

#include <string>
#include <string_view>
#include <vector>

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

std::string_view page_kind_name(PageKind kind);
std::string_view touch_name(TouchKind kind);
// Every value --pages and --touch take, space-separated.
std::string page_kind_names();
std::string touch_names();

// Parse one option value each; throw UsageError with what is allowed.
PageKind parse_pages(std::string_view text);
TouchKind parse_touch(std::string_view text);
// "default", "interleave", "interleave:LIST" or "bind:LIST" (logical NUMA nodes, e.g. bind:0).
MemPolicy parse_mempolicy(std::string_view text);

}  // namespace shmcount

#include "request.hpp"

#include "common/error.hpp"
#include "common/parse.hpp"

namespace shmcount {
namespace {

constexpr NamedValue<PageKind> kPageKinds[] = {
    {"small", PageKind::kSmall, "the system's base pages"},
    {"huge", PageKind::kHuge,
     "reserved huge pages (vm.nr_hugepages; not with every --share mechanism)"},
    {"thp", PageKind::kThp, "transparent huge pages, asked for by madvise(MADV_HUGEPAGE)"},
};

constexpr NamedValue<TouchKind> kTouchKinds[] = {
    {"leader", TouchKind::kLeader, "the node's leader writes the whole array"},
    {"ranks", TouchKind::kRanks, "each rank writes its own contiguous slice"},
};

}  // namespace

std::span<const NamedValue<PageKind>> page_kind_table() { return kPageKinds; }
std::span<const NamedValue<TouchKind>> touch_table() { return kTouchKinds; }

std::string_view page_kind_name(PageKind kind) { return name_of_value(kPageKinds, kind); }
std::string_view touch_name(TouchKind kind) { return name_of_value(kTouchKinds, kind); }

PageKind parse_pages(std::string_view text) {
  return entry_or_refuse(kPageKinds, "--pages", text, "page kind").value;
}

TouchKind parse_touch(std::string_view text) {
  return entry_or_refuse(kTouchKinds, "--touch", text, "toucher").value;
}

MemPolicy parse_mempolicy(std::string_view text) {
  MemPolicy p;
  p.text = std::string(text);
  const auto colon = text.find(':');
  const std::string_view head = text.substr(0, colon);
  const std::string_view list = colon == std::string_view::npos ? "" : text.substr(colon + 1);
  const bool has_list = colon != std::string_view::npos;
  if (head == "default" && !has_list) return p;
  if (head == "interleave" || head == "bind") {
    if (head == "bind" && !has_list) {
      throw UsageError("--mempolicy bind needs NUMA nodes: bind:N or bind:LIST (e.g. bind:0)");
    }
    p.kind = head == "bind" ? PolicyKind::kBind : PolicyKind::kInterleave;
    if (has_list) {
      const std::string what = "--mempolicy " + shown(text);
      p.nodes = parse_index_list(list, {what, "NUMA node", "0,2-3", "list each node once"});
    }
    return p;
  }
  throw UsageError("--mempolicy " + shown(text) +
                   ": use default, interleave, interleave:LIST or bind:LIST, LIST being logical "
                   "NUMA node numbers as --domains shows them (e.g. bind:0, interleave:0-3)");
}

}  // namespace shmcount

#include "request.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <vector>

#include "common/error.hpp"
#include "common/parse.hpp"

namespace shmcount {
namespace {

std::string shown(std::string_view text) {
  return "'" + std::string(text.substr(0, 40)) + (text.size() > 40 ? "...'" : "'");
}

}  // namespace

std::string_view page_kind_name(PageKind kind) {
  switch (kind) {
    case PageKind::kSmall:
      return "small";
    case PageKind::kHuge:
      return "huge";
    case PageKind::kThp:
      return "thp";
  }
  return "?";
}

std::string_view touch_name(TouchKind kind) {
  return kind == TouchKind::kLeader ? "leader" : "ranks";
}

constexpr PageKind kPageKinds[] = {PageKind::kSmall, PageKind::kHuge, PageKind::kThp};
constexpr TouchKind kTouchKinds[] = {TouchKind::kLeader, TouchKind::kRanks};

std::string page_kind_names() {
  std::string out;
  for (PageKind kind : kPageKinds)
    out += (out.empty() ? "" : " ") + std::string(page_kind_name(kind));
  return out;
}

std::string touch_names() {
  std::string out;
  for (TouchKind kind : kTouchKinds)
    out += (out.empty() ? "" : " ") + std::string(touch_name(kind));
  return out;
}

PageKind parse_pages(std::string_view text) {
  for (PageKind kind : kPageKinds) {
    if (text == page_kind_name(kind)) return kind;
  }
  throw UsageError("--pages " + shown(text) +
                   ": use small (the system's pages), huge (reserved huge pages) or thp "
                   "(transparent huge pages, by madvise)");
}

TouchKind parse_touch(std::string_view text) {
  for (TouchKind kind : kTouchKinds) {
    if (text == touch_name(kind)) return kind;
  }
  throw UsageError("--touch " + shown(text) +
                   ": use leader (the node leader fills the whole array) or ranks (each rank "
                   "fills its own contiguous slice)");
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

#include "request.hpp"

#include <cctype>

#include "common/error.hpp"

namespace shmcount {
namespace {

// A NUMA node list: digits, commas and ranges only (hwloc list syntax).
bool is_node_list(std::string_view text) {
  if (text.empty() || text.size() > 200) return false;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != ',' && c != '-') return false;
  }
  return std::isdigit(static_cast<unsigned char>(text.front())) &&
         std::isdigit(static_cast<unsigned char>(text.back()));
}

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

PageKind parse_pages(std::string_view text) {
  for (PageKind kind : {PageKind::kSmall, PageKind::kHuge, PageKind::kThp}) {
    if (text == page_kind_name(kind)) return kind;
  }
  throw UsageError("--pages " + shown(text) +
                   ": use small (the system's pages), huge (reserved huge pages) or thp "
                   "(transparent huge pages, by madvise)");
}

TouchKind parse_touch(std::string_view text) {
  if (text == "leader") return TouchKind::kLeader;
  if (text == "ranks") return TouchKind::kRanks;
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
  if ((head == "interleave" || head == "bind") && (!has_list || is_node_list(list))) {
    if (head == "bind" && !has_list) {
      throw UsageError("--mempolicy bind needs NUMA nodes: bind:N or bind:LIST (e.g. bind:0)");
    }
    p.kind = head == "bind" ? PolicyKind::kBind : PolicyKind::kInterleave;
    p.nodes = std::string(list);
    return p;
  }
  throw UsageError("--mempolicy " + shown(text) +
                   ": use default, interleave, interleave:LIST or bind:LIST, LIST being logical "
                   "NUMA node numbers as --domains shows them (e.g. bind:0, interleave:0-3)");
}

}  // namespace shmcount

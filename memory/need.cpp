#include "need.hpp"

#include <algorithm>
#include <cstdio>

namespace shmcount {
namespace {

struct Part {
  std::string name;    // "the array"
  double bytes;        // Its bytes.
  std::string option;  // "--size 1000" ("": none to name).
  int rank;            // 0 array, 1 counts, 2 other: which fixes belong to it.
};

std::vector<Part> parts_of(const SizeNeed& n) {
  std::vector<Part> parts;
  if (n.array_bytes > 0) {
    const std::string size = n.elements ? "--size " + std::to_string(n.elements) : "";
    if (n.copies > 1) {
      parts.push_back({"the array's " + std::to_string(n.copies) + " private copies",
                       static_cast<double>(n.array_bytes) * n.copies,
                       size + (size.empty() ? "" : ", ") + "--share private", 0});
    } else {
      parts.push_back({"the array", static_cast<double>(n.array_bytes), size, 0});
    }
  }
  if (n.counts_bytes > 0) {
    const std::string mode = "--counts " + std::string(n.counts_mode) + ": ";
    const std::string values = std::to_string(n.values) + " values";
    const std::string ranks = " x " + std::to_string(n.ranks) + " rank" + (n.ranks == 1 ? "" : "s");
    if (n.counts_mode == "private") {
      parts.push_back(
          {"the ranks' own counts", static_cast<double>(n.counts_bytes), mode + values + ranks, 1});
    } else if (n.counts_mode == "shared") {
      parts.push_back({"the count table", static_cast<double>(n.counts_bytes), mode + values, 1});
    } else {
      parts.push_back(
          {"the count tables", static_cast<double>(n.counts_bytes), mode + values + ranks, 1});
    }
  }
  if (n.other_bytes > 0) parts.push_back({n.other_what, static_cast<double>(n.other_bytes), "", 2});
  std::stable_sort(parts.begin(), parts.end(),
                   [](const Part& a, const Part& b) { return a.bytes > b.bytes; });
  return parts;
}

std::string plural_verb(const std::string& name) {
  // "the count tables need", "the array's 2 private copies need", "the array needs".
  const bool plural =
      name.ends_with("tables") || name.ends_with("copies") || name.ends_with("counts");
  return plural ? " need " : " needs ";
}

}  // namespace

std::string human_bytes(double bytes) {
  char buf[32];
  if (bytes < 10.0 * (1 << 20)) {
    std::snprintf(buf, sizeof buf, "%.0f KiB", bytes / 1024);
  } else if (bytes < 10.0 * (1 << 30)) {
    std::snprintf(buf, sizeof buf, "%.1f MiB", bytes / (1 << 20));
  } else {
    std::snprintf(buf, sizeof buf, "%.1f GiB", bytes / (1 << 30));
  }
  return buf;
}

std::size_t SizeNeed::total() const {
  return array_bytes * static_cast<std::size_t>(std::max(copies, 1)) + counts_bytes + other_bytes;
}

std::string SizeNeed::needs(std::string_view container, std::size_t shown) const {
  const double whole = static_cast<double>(shown ? shown : total());
  const std::vector<Part> parts = parts_of(*this);
  if (parts.size() == 1) {
    const Part& p = parts.front();
    return p.name + (p.option.empty() ? "" : " (" + p.option + ")") + plural_verb(p.name) +
           human_bytes(whole);
  }
  std::string out = std::string(container) + " needs " + human_bytes(whole) + ":";
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const Part& p = parts[i];
    out += i == 0 ? " " : i + 1 == parts.size() ? " and " : ", ";
    out += p.name + " " + human_bytes(p.bytes) + (p.option.empty() ? "" : " (" + p.option + ")");
  }
  return out;
}

std::vector<std::string> SizeNeed::array_fixes() const {
  std::vector<std::string> out{"a smaller --size"};
  if (copies > 1) out.push_back("a shared --share (sysv, posix or window: one copy for the node)");
  return out;
}

std::vector<std::string> SizeNeed::counts_fixes() const {
  std::vector<std::string> out{"a smaller --values"};
  if (counts_mode != "private")
    out.push_back("--counts private (the counts in each rank's own memory)");
  return out;
}

std::vector<std::string> SizeNeed::fixes(double room) const {
  if (counts_bytes == 0) return array_fixes();
  const double array = static_cast<double>(array_bytes) * std::max(copies, 1);
  const double counts = static_cast<double>(counts_bytes);
  const double other = static_cast<double>(other_bytes);
  bool by_array = true, by_counts = true;  // Which part made smaller could make it fit.
  if (room > 0) {
    by_counts = array + other <= room;
    by_array = counts + other + 4096 <= room;  // The smallest array still takes a page.
  }
  if (!by_array && !by_counts) {
    return {std::string("a smaller --size and a smaller --values") +
            (counts_mode == "private" ? "" : " (or --counts private)")};
  }
  if (!by_array) return counts_fixes();
  if (!by_counts) return array_fixes();
  return counts >= array ? plus(counts_fixes(), array_fixes())
                         : plus(array_fixes(), counts_fixes());
}

std::vector<std::string> plus(std::vector<std::string> list, const std::vector<std::string>& more) {
  list.insert(list.end(), more.begin(), more.end());
  return list;
}

std::string use(const std::vector<std::string>& alternatives) {
  std::string out;
  for (std::size_t i = 0; i < alternatives.size(); ++i) {
    if (i > 0)
      out += alternatives.size() == 2 ? " or " : i + 1 == alternatives.size() ? ", or " : ", ";
    out += alternatives[i];
  }
  return out.empty() ? out : "use " + out;
}

std::string memory_refusal(const SizeNeed& need, double memory) {
  const double bytes = static_cast<double>(need.total());
  if (bytes <= 0.8 * memory) return "";
  return "this node has " + human_bytes(memory) + " of memory, and " + need.needs("the run") +
         ", more than 80% of it; " + use(need.fixes(0.8 * memory));
}

}  // namespace shmcount

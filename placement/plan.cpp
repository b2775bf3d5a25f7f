#include "plan.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <map>
#include <sstream>

#include "common/error.hpp"
#include "common/parse.hpp"
#include "common/table.hpp"
#include "common/text.hpp"

namespace shmcount {
namespace {

constexpr std::array kListObjects{
    ListObject{"core", HWLOC_OBJ_CORE, "core"},
    ListObject{"l1", HWLOC_OBJ_L1CACHE, "L1 cache"},
    ListObject{"l2", HWLOC_OBJ_L2CACHE, "L2 cache"},
    ListObject{"l3", HWLOC_OBJ_L3CACHE, "L3 cache"},
    ListObject{"numa", HWLOC_OBJ_NUMANODE, "NUMA node"},
    ListObject{"die", HWLOC_OBJ_DIE, "die"},
    ListObject{"package", HWLOC_OBJ_PACKAGE, "package"},
};

// Cores (logical indices) in logical order.
std::vector<int> core_order(const MachineView& m) {
  std::vector<int> cores;
  for (const auto& pu : m.pus) {
    if (std::find(cores.begin(), cores.end(), pu.core) == cores.end()) cores.push_back(pu.core);
  }
  return cores;
}

// The order in which to take n siblings so that each prefix is spread over them: the binary van
// der Corput sequence scaled to n and rounded to the nearest sibling. For a power of two every
// prefix of a power-of-two length is evenly spaced, as hwloc_distrib spaces ranks (16 siblings:
// 0 8 4 12 2 10 ...); other counts come close (6: 0 3 2 5 1 4; 5: 0 3 1 4 2), but since every
// plan is a prefix of the next, not always on hwloc_distrib's choice (12 siblings, 3 ranks:
// 0 6 3, where hwloc_distrib takes 0 4 8). Returns each sibling's position in that order.
std::vector<int> spread_positions(int n) {
  int bits = 1;  // One more than a power of two >= n needs: the scaled points are 1/2 apart.
  while ((1 << (bits - 1)) < n) ++bits;
  std::vector<int> position(static_cast<std::size_t>(n), -1);
  int next = 0;
  for (unsigned j = 0; j < (1u << bits); ++j) {
    unsigned reversed = 0;
    for (int b = 0; b < bits; ++b) reversed |= ((j >> b) & 1u) << (bits - 1 - b);
    // round(reversed * n / 2^bits), the last point rounding up to n kept on the last sibling.
    const std::uint64_t scaled = std::uint64_t{reversed} * static_cast<unsigned>(n);
    const auto child =
        std::min(static_cast<std::size_t>(n - 1),
                 static_cast<std::size_t>((2 * scaled + (1u << bits)) >> (bits + 1)));
    if (position[child] < 0) position[child] = next++;
  }
  for (auto& p : position) {
    if (p < 0) p = next++;  // None is left out (the points are 1/2 apart); kept for safety.
  }
  return position;
}

// For every usable PU and level, the position of its object among the objects of the same parent
// (the same path above) in spread_positions order; 0 where it has no object at that level.
std::vector<std::vector<int>> spread_keys(const MachineView& m) {
  const std::size_t nlevels = m.levels.size();
  std::vector<std::vector<int>> keys(m.pus.size(), std::vector<int>(nlevels, 0));
  for (std::size_t l = 0; l < nlevels; ++l) {
    // The distinct objects at level l under each parent path, in logical order of their PUs.
    std::map<std::vector<int>, std::vector<int>> children;
    for (const auto& pu : m.pus) {
      if (pu.path[l] < 0) continue;
      auto& list =
          children[std::vector<int>(pu.path.begin(), pu.path.begin() + static_cast<long>(l))];
      // PUs come in logical order, so an object's PUs mostly follow one another: check the last.
      if ((list.empty() || list.back() != pu.path[l]) &&
          std::find(list.begin(), list.end(), pu.path[l]) == list.end()) {
        list.push_back(pu.path[l]);
      }
    }
    std::vector<int> position(static_cast<std::size_t>(m.levels[l].objects), 0);
    for (const auto& [parent, list] : children) {
      const std::vector<int> spread = spread_positions(static_cast<int>(list.size()));
      for (std::size_t k = 0; k < list.size(); ++k) {
        position[static_cast<std::size_t>(list[k])] = spread[k];
      }
    }
    for (std::size_t i = 0; i < m.pus.size(); ++i) {
      if (m.pus[i].path[l] >= 0) keys[i][l] = position[static_cast<std::size_t>(m.pus[i].path[l])];
    }
  }
  return keys;
}

// Scatter (see plan_placement): the next PU is the free one whose path is best by (a) being in
// an object without a rank at the highest level where candidates differ, then (b) being in the
// object with fewer ranks at the highest level where they differ, then (c) coming first in the
// spread order of its siblings (spread_keys), level by level from the top, then (d) logical order.
std::vector<std::size_t> scatter_order(const MachineView& m) {
  const std::size_t nlevels = m.levels.size();
  std::vector<std::vector<int>> ranks_in(nlevels);
  for (std::size_t l = 0; l < nlevels; ++l) {
    ranks_in[l].assign(static_cast<std::size_t>(m.levels[l].objects), 0);
  }
  const auto keys = spread_keys(m);
  auto load = [&](const PuInfo& pu, std::size_t l) {
    return pu.path[l] < 0 ? -1 : ranks_in[l][static_cast<std::size_t>(pu.path[l])];
  };
  auto better = [&](std::size_t ia, std::size_t ib) {
    const PuInfo &a = m.pus[ia], &b = m.pus[ib];
    for (std::size_t l = 0; l < nlevels; ++l) {
      const bool new_a = load(a, l) == 0, new_b = load(b, l) == 0;
      if (new_a != new_b) return new_a;
    }
    for (std::size_t l = 0; l < nlevels; ++l) {
      if (load(a, l) != load(b, l)) return load(a, l) < load(b, l);
    }
    return keys[ia] < keys[ib];
  };
  std::vector<bool> taken(m.pus.size(), false);
  std::vector<std::size_t> order;
  while (order.size() < m.pus.size()) {
    std::size_t best = m.pus.size();
    for (std::size_t i = 0; i < m.pus.size(); ++i) {
      if (!taken[i] && (best == m.pus.size() || better(i, best))) best = i;
    }
    taken[best] = true;
    order.push_back(best);
    for (std::size_t l = 0; l < nlevels; ++l) {
      if (m.pus[best].path[l] >= 0) ++ranks_in[l][static_cast<std::size_t>(m.pus[best].path[l])];
    }
  }
  return order;
}

// Object lists (see plan_placement). Throws Error for a type the node lacks, an index it does not
// have, or an object with no usable PU.
std::vector<std::size_t> object_list_order(const MachineView& m, const Strategy& s) {
  const std::string what = "--pin " + s.text + ": ";
  const std::string label(s.objects->label);
  const int level = m.level_of(s.objects->type);
  if (level < 0) {
    std::string kinds;
    for (const auto& o : kListObjects) {
      if (m.level_of(o.type) >= 0) kinds += (kinds.empty() ? "" : ", ") + std::string(o.name);
    }
    throw UsageError(what + "this node has no " + label + " objects; it has " + kinds +
                     " (see shmcount --domains)");
  }
  const auto l = static_cast<std::size_t>(level);
  std::vector<std::vector<std::size_t>> members;
  for (int index : s.list) {
    if (index >= m.levels[l].objects) {
      throw UsageError(what + label + " " + std::to_string(index) +
                       " does not exist on this node (" + label + "s 0-" +
                       std::to_string(m.levels[l].objects - 1) + ")");
    }
    members.emplace_back();
    for (std::size_t i = 0; i < m.pus.size(); ++i) {
      if (m.pus[i].path[l] == index) members.back().push_back(i);
    }
    if (members.back().empty()) {
      throw UsageError(what + label + " " + std::to_string(index) +
                       " has no PU that ranks may use here (usable: " + m.availability() + ")");
    }
  }
  std::vector<std::size_t> order;
  std::vector<std::size_t> next(members.size(), 0);
  for (bool progress = true; progress;) {
    progress = false;
    for (std::size_t o = 0; o < members.size(); ++o) {
      if (next[o] < members[o].size()) {
        order.push_back(members[o][next[o]++]);
        progress = true;
      }
    }
  }
  return order;
}

// compact: usable PUs in logical order.
std::vector<std::size_t> compact_order(const MachineView& m, const Strategy&, int) {
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < m.pus.size(); ++i) order.push_back(i);
  return order;
}

// core: the k-th hardware thread of every core (in core order), for k = 0, 1, ...
std::vector<std::size_t> core_first_order(const MachineView& m, const Strategy&, int) {
  std::vector<std::size_t> order;
  const std::vector<int> cores = core_order(m);
  for (int k = 0; order.size() < m.pus.size(); ++k) {
    for (int core : cores) {
      for (std::size_t i = 0; i < m.pus.size(); ++i) {
        if (m.pus[i].core == core && m.pus[i].smt == k) order.push_back(i);
      }
    }
  }
  return order;
}

std::vector<std::size_t> scatter(const MachineView& m, const Strategy&, int) {
  return scatter_order(m);
}

// list: the listed PUs, one per rank, or the listed objects' PUs taken in turn.
std::vector<std::size_t> list_order(const MachineView& m, const Strategy& s, int ranks) {
  if (s.objects) return object_list_order(m, s);
  if (s.list.size() < static_cast<std::size_t>(ranks)) {
    throw UsageError("--pin " + s.text + " names " + std::to_string(s.list.size()) +
                     " PU(s) but the node has " + std::to_string(ranks) +
                     " ranks; give one logical PU per local rank");
  }
  std::vector<std::size_t> order;
  for (int logical : s.list) {
    const PuInfo* pu = m.find_logical(logical);
    if (!pu) {
      std::vector<int> usable;
      for (const auto& other : m.pus) usable.push_back(other.pu_logical);
      throw UsageError("--pin " + s.text + ": PU L#" + std::to_string(logical) +
                       " is not on this node or not allowed; allowed logical PUs are " +
                       index_ranges(usable) + " (see shmcount --domains)");
    }
    order.push_back(static_cast<std::size_t>(pu - m.pus.data()));
  }
  return order;
}

// list's argument: "L0,L1,..." (logical PUs) or "TYPE:I0,I1,..." (objects), ranges "A-B".
void parse_list_argument(std::string_view body, std::string_view text, Strategy& s) {
  if (!body.empty() && std::isalpha(static_cast<unsigned char>(body.front()))) {
    const std::string_view name = body.substr(0, body.find(':'));
    s.objects = find_entry(kListObjects, name);
    if (!s.objects) {
      throw unknown_name("--pin " + shown(text), "object type " + shown(name), name,
                         entry_names(kListObjects),
                         " (e.g. list:core:0-3), or list:L0,L1,... for logical PUs");
    }
    if (name.size() == body.size()) {
      throw UsageError("--pin " + shown(text) + ": no " + std::string(name) +
                       " indices after the type; write list:" + std::string(name) +
                       ":I0,I1,... (e.g. list:core:0-3)");
    }
    body = body.substr(name.size() + 1);
  }
  const std::string what = "--pin '" + std::string(text) + "'";
  const std::string thing = s.objects ? std::string(s.objects->name) : "logical PU";
  s.list = parse_index_list(
      body,
      {what, thing, "0,2,4-7", s.objects ? "list each object once" : "each rank needs its own PU"});
}

// likwid:EXPR, likwid-pin's -c syntax (likwid 5.2.2, src/cpustring.c). Terms joined by '@'
// (likwid-pin) or '_' (likwid-mpirun's -pin; one thread per rank here), each one of
//   I0,I1-I2,...        OS (physical) PU ids, likwid's default numbering
//   DOM:I0,... L:DOM:I0,...  indices into a domain: N, S<i> (package), M<i> (NUMA), C<i>
//                       (last-level cache), D<i> (die); cores first, SMT threads last
//   DOM                 the whole domain in likwid's raw order (as E:DOM)
//   E:DOM[:count[:chunk:stride[:offset]]]  likwid's expression form on the raw list: `chunk`
//                       PUs in a row every `stride`, from index `offset`; count defaults to all
//   K:scatter[:count]   round-robin over every domain whose name begins with K (S, M, C, D, N,
//                       or S1 for S1, S10-S19, as likwid matches), cores first in each
//   K:balanced[:count]  count split evenly over those domains, the first ones of each raw list
// A domain's raw list has each core's threads side by side (logical order); its sorted list has
// the first thread of each core, then the second threads, and so on. More ranks than PUs named:
// ranks wrap round-robin, as likwid-pin wraps threads (flagged oversubscribed).
struct LikwidTerm {
  // 'P' physical ids, 'D' domain indices, 'E' expression, 'S' scatter, 'B' balanced.
  char kind = 'P';
  std::string domain;     // "N", "S0", ...; for 'S' and 'B' the prefix ("S", "M1").
  std::string text;       // The term as written.
  std::vector<int> list;  // For 'P' and 'D'.
  int count = 0, chunk = 1, stride = 1, offset = 0;  // count 0: every PU.
};

std::string likwid_refusal(std::string_view text, const std::string& why) {
  return "--pin '" + std::string(text) + "': " + why +
         "; likwid: takes OS ids (0,2,4-7), DOM:0-3 or L:DOM:0-3 with DOM one of N, S<i>, M<i>, "
         "C<i>, D<i>, DOM, E:DOM[:count[:chunk:stride[:offset]]], S:scatter[:count], "
         "S:balanced[:count] (S, M, C, D or N), terms joined by '@' or '_'";
}

// A refusal of the expression as written (while the options are parsed: the program adds
// " (see shmcount --help)" to those).
[[noreturn]] void likwid_refuse(std::string_view text, const std::string& why) {
  throw UsageError(likwid_refusal(text, why));
}

// A refusal of what the expression names on this node's PUs (a PU named twice, a domain it
// lacks), found when the plan is made, after the options: it ends as likwid_refuse's do once the
// program has added its pointer to --help.
[[noreturn]] void likwid_refuse_on_node(std::string_view text, const std::string& why) {
  throw UsageError(likwid_refusal(text, why) + " (see shmcount --help)");
}

int likwid_number(std::string_view s, std::string_view text, std::string_view what) {
  if (s.empty() || s.size() > 6 || !std::all_of(s.begin(), s.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c));
      })) {
    likwid_refuse(text, std::string(what) + " '" + std::string(s) + "' is not a number");
  }
  return std::stoi(std::string(s));
}

bool likwid_is_domain(std::string_view d) {
  if (d == "N") return true;
  return d.size() >= 2 && d.size() <= 7 &&
         std::string_view("SMCD").find(d[0]) != std::string_view::npos &&
         std::all_of(d.begin() + 1, d.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

void likwid_check_domain(std::string_view d, std::string_view text) {
  if (!likwid_is_domain(d)) likwid_refuse(text, "unsupported domain '" + std::string(d) + "'");
}

// likwid's index list: "0,2,4-7", a range may run down ("3-0" is 3,2,1,0, as likwid-pin takes it).
std::vector<int> likwid_list(std::string_view list, std::string_view text) {
  std::vector<int> out;
  std::size_t p = 0;
  while (p <= list.size()) {
    const std::size_t q = std::min(list.find(',', p), list.size());
    const std::string_view entry = list.substr(p, q - p);
    p = q + 1;
    const std::size_t dash = entry.find('-');
    const int a = likwid_number(entry.substr(0, dash), text, "index");
    const int b =
        dash == std::string_view::npos ? a : likwid_number(entry.substr(dash + 1), text, "index");
    for (int i = a;; i += a <= b ? 1 : -1) {
      if (std::find(out.begin(), out.end(), i) != out.end()) {
        likwid_refuse(text, "index " + std::to_string(i) + " is listed twice");
      }
      out.push_back(i);
      if (i == b) break;
    }
  }
  return out;
}

std::vector<LikwidTerm> parse_likwid_terms(std::string_view body, std::string_view text) {
  if (body.empty()) likwid_refuse(text, "empty expression");
  std::vector<LikwidTerm> terms;
  std::size_t start = 0;
  while (start <= body.size()) {
    const std::size_t end = std::min(body.find_first_of("@_", start), body.size());
    const std::string_view t = body.substr(start, end - start);
    start = end + 1;
    if (t.empty()) likwid_refuse(text, "an empty term between '@' or '_'");
    std::vector<std::string_view> parts;
    for (std::size_t p = 0; p <= t.size();) {
      const std::size_t q = std::min(t.find(':', p), t.size());
      parts.push_back(t.substr(p, q - p));
      p = q + 1;
    }
    const std::string form = "'" + std::string(t) + "'";
    LikwidTerm term;
    term.text = std::string(t);
    // likwid takes every term with "scatter" or "balanced" in it as a policy (cpustring.c).
    const bool policy =
        t.find("scatter") != std::string_view::npos || t.find("balanced") != std::string_view::npos;
    if (policy) {
      if (parts.size() < 2 || parts.size() > 3 ||
          (parts[1] != "scatter" && parts[1] != "balanced" && parts[1] != "cbalanced")) {
        likwid_refuse(text, "unsupported form " + form +
                                " (the policy forms are K:scatter[:count] and K:balanced[:count])");
      }
      if (parts[1] == "cbalanced") {
        likwid_refuse(text, "unsupported form " + form +
                                " (cbalanced is undocumented in likwid-pin 5.2.2 and not "
                                "supported; K:balanced or K:scatter are)");
      }
      // K is a domain kind, or a domain name matched as a prefix (likwid's substring match).
      if (!(parts[0] == "S" || parts[0] == "M" || parts[0] == "C" || parts[0] == "D" ||
            likwid_is_domain(parts[0]))) {
        likwid_refuse(text, "unsupported domain '" + std::string(parts[0]) + "' in " + form +
                                " (K:" + std::string(parts[1]) + " takes N, S, M, C or D)");
      }
      term.kind = parts[1] == "scatter" ? 'S' : 'B';
      term.domain = std::string(parts[0]);
      if (parts.size() == 3) {
        term.count = likwid_number(parts[2], text, "count");
        if (term.count == 0) likwid_refuse(text, form + " needs a count >= 1");
      }
      terms.push_back(std::move(term));
      continue;
    }
    // L:DOM:list is DOM:list: indices inside a domain are logical already (likwid-pin refuses
    // L:list without a domain, and so does this).
    if (parts.size() == 3 && parts[0] == "L") parts.erase(parts.begin());
    if (parts[0] == "E") {
      if (parts.size() < 2 || parts.size() == 4 || parts.size() > 6) {
        likwid_refuse(text, "unsupported form " + form +
                                ": E: takes E:DOM, E:DOM:count, E:DOM:count:chunk:stride or "
                                "E:DOM:count:chunk:stride:offset");
      }
      term.kind = 'E';
      term.domain = std::string(parts[1]);
      likwid_check_domain(parts[1], text);
      if (parts.size() >= 3) term.count = likwid_number(parts[2], text, "count");
      if (parts.size() >= 5) {
        term.chunk = likwid_number(parts[3], text, "chunk");
        term.stride = likwid_number(parts[4], text, "stride");
      }
      if (parts.size() == 6) term.offset = likwid_number(parts[5], text, "offset");
      if ((parts.size() >= 3 && term.count == 0) || term.chunk == 0 || term.stride < term.chunk) {
        likwid_refuse(text, form + ": E: needs count >= 1, chunk >= 1 and stride >= chunk");
      }
    } else if (parts.size() == 1) {
      if (likwid_is_domain(parts[0])) {
        term.kind = 'E';  // A bare domain: likwid-pin takes it as E:DOM.
        term.domain = std::string(parts[0]);
      } else if (!parts[0].empty() && !std::isdigit(static_cast<unsigned char>(parts[0][0]))) {
        likwid_refuse(text, "unsupported form " + form);
      } else {
        term.list = likwid_list(parts[0], text);
      }
    } else if (parts.size() == 2) {
      term.kind = 'D';
      if (parts[0] == "L")
        likwid_refuse(text, "L: needs a domain, as in L:N:0-3 (likwid-pin refuses L:0-3 too)");
      term.domain = std::string(parts[0]);
      likwid_check_domain(term.domain, text);
      if (parts[1].empty() || !std::isdigit(static_cast<unsigned char>(parts[1][0]))) {
        likwid_refuse(text, "unsupported form " + form);
      }
      term.list = likwid_list(parts[1], text);
    } else {
      likwid_refuse(text, "unsupported form " + form);
    }
    terms.push_back(std::move(term));
  }
  return terms;
}

// Indices into m.pus of a domain's usable PUs in likwid's sorted order (cores first, SMT threads
// last); empty when the domain has none.
std::vector<std::size_t> likwid_members(const MachineView& m, char kind, int index) {
  const int die_level = m.level_of(HWLOC_OBJ_DIE);
  int max_smt = 0;
  for (const auto& pu : m.pus) max_smt = std::max(max_smt, pu.smt);
  std::vector<std::size_t> order;
  for (int k = 0; k <= max_smt; ++k) {
    std::vector<std::size_t> tier;
    for (std::size_t i = 0; i < m.pus.size(); ++i) {
      const PuInfo& pu = m.pus[i];
      if (pu.smt != k) continue;
      bool in = false;
      switch (kind) {
        case 'N':
          in = true;
          break;
        case 'S':
          in = pu.package == index;
          break;
        case 'M':
          in = pu.numa == index;
          break;
        case 'C':
          in = pu.cache == index;
          break;
        case 'D':
          // Without dies in hwloc's tree, likwid still lists D0..: one per package.
          in = die_level < 0 ? pu.package == index
                             : pu.path[static_cast<std::size_t>(die_level)] == index;
          break;
      }
      if (in) tier.push_back(i);
    }
    std::stable_sort(tier.begin(), tier.end(),
                     [&](std::size_t a, std::size_t b) { return m.pus[a].core < m.pus[b].core; });
    order.insert(order.end(), tier.begin(), tier.end());
  }
  return order;
}

std::vector<std::size_t> likwid_domain(const MachineView& m, const std::string& d,
                                       std::string_view text) {
  std::vector<std::size_t> order = likwid_members(m, d[0], d == "N" ? 0 : std::stoi(d.substr(1)));
  if (order.empty()) {
    likwid_refuse_on_node(
        text, "domain " + d + " has no usable PU on this node (see shmcount --domains)");
  }
  return order;
}

// The domains a policy term spreads over, in likwid's order (N, then S0, S1, ...), each as its
// sorted list: every domain of the kind whose name begins with the prefix and has a usable PU.
std::vector<std::vector<std::size_t>> likwid_domains_of(const MachineView& m, const LikwidTerm& t,
                                                        std::string_view text) {
  std::vector<std::vector<std::size_t>> out;
  const char kind = t.domain[0];
  if (kind == 'N') {
    out.push_back(likwid_members(m, 'N', 0));
    return out;
  }
  int last = -1;
  const int die_level = m.level_of(HWLOC_OBJ_DIE);
  for (const PuInfo& pu : m.pus) {
    const int i = kind == 'S'     ? pu.package
                  : kind == 'M'   ? pu.numa
                  : kind == 'C'   ? pu.cache
                  : die_level < 0 ? pu.package
                                  : pu.path[static_cast<std::size_t>(die_level)];
    last = std::max(last, i);
  }
  for (int i = 0; i <= last; ++i) {
    const std::string tag = std::string(1, kind) + std::to_string(i);
    if (tag.compare(0, t.domain.size(), t.domain) != 0) continue;
    std::vector<std::size_t> d = likwid_members(m, kind, i);
    if (!d.empty()) out.push_back(std::move(d));
  }
  if (out.empty()) {
    likwid_refuse_on_node(text, "'" + t.text + "': no domain " + t.domain +
                                    "... has a usable PU on this node (see shmcount --domains)");
  }
  return out;
}

// "S0:5 but S0 has 2 PUs (0-1)".
std::string likwid_past(const std::string& what, const std::string& d, std::size_t n) {
  return what + " but " + d + " has " + std::to_string(n) + (n == 1 ? " PU (0)" : " PUs (0-") +
         (n == 1 ? "" : std::to_string(n - 1) + ")");
}

std::vector<std::size_t> likwid_order(const MachineView& m, const Strategy& s, int) {
  const std::string_view body = std::string_view(s.text).substr(std::string_view("likwid:").size());
  std::vector<std::size_t> order;
  auto add = [&](std::size_t i) {
    if (std::find(order.begin(), order.end(), i) != order.end()) {
      likwid_refuse_on_node(s.text, "PU L#" + std::to_string(m.pus[i].pu_logical) + " (P#" +
                                        std::to_string(m.pus[i].pu_os) + ") is named twice");
    }
    order.push_back(i);
  };
  for (const LikwidTerm& t : parse_likwid_terms(body, s.text)) {
    if (t.kind == 'P') {
      for (int os : t.list) {
        const PuInfo* pu = m.find_os(os);
        if (!pu) {
          likwid_refuse_on_node(s.text,
                                "PU P#" + std::to_string(os) +
                                    " is not on this node or not allowed; allowed OS ids are " +
                                    m.usable_list);
        }
        add(static_cast<std::size_t>(pu - m.pus.data()));
      }
      continue;
    }
    if (t.kind == 'S' || t.kind == 'B') {
      const auto doms = likwid_domains_of(m, t, s.text);
      std::size_t most = 0;
      for (const auto& d : doms) most = std::max(most, d.size());
      std::vector<std::size_t> picked;
      if (t.kind == 'S') {
        // Scatter: the k-th PU of every domain in turn (sorted lists); likwid-pin lists every
        // hardware thread unless given a count. A domain shorter than the others is passed over
        // once spent (likwid 5.2.2 reads past its list there).
        const std::size_t want = t.count ? static_cast<std::size_t>(t.count) : m.pus.size();
        for (std::size_t k = 0; k < most && picked.size() < want; ++k) {
          for (const auto& d : doms) {
            if (k < d.size() && picked.size() < want) picked.push_back(d[k]);
          }
        }
      } else {
        // Balanced: count (default: the longest domain times their number) split evenly, the
        // remainder to the first domains; each domain gives the first ones of its raw list.
        const std::size_t want = t.count ? static_cast<std::size_t>(t.count) : most * doms.size();
        const std::size_t per = want / doms.size();
        std::size_t extra = want % doms.size();
        for (const auto& d : doms) {
          std::vector<std::size_t> raw = d;
          std::sort(raw.begin(), raw.end());
          const std::size_t n = per + (extra > 0 ? 1 : 0);
          if (extra > 0) --extra;
          for (std::size_t k = 0; k < n && k < raw.size(); ++k) picked.push_back(raw[k]);
        }
      }
      for (std::size_t i : picked) add(i);
      continue;
    }
    const std::vector<std::size_t> dom = likwid_domain(m, t.domain, s.text);
    if (t.kind == 'D') {
      for (int i : t.list) {
        if (static_cast<std::size_t>(i) >= dom.size()) {
          likwid_refuse_on_node(
              s.text, likwid_past(t.domain + ":" + std::to_string(i), t.domain, dom.size()));
        }
        add(dom[static_cast<std::size_t>(i)]);
      }
      continue;
    }
    // E:DOM:count:chunk:stride:offset: chunks of `chunk` PUs at multiples of `stride` from
    // `offset`. likwid walks the domain's raw list here (each core's threads side by side:
    // logical order), not the sorted one the index forms use (cpustring.c,
    // cpustr_to_cpulist_expression): on SMT-2, E:N:4:1:2 is the first thread of cores 0-3, as
    // likwid-pin's manual says. Past the list's end likwid starts again from `offset`: the same
    // PUs again, which the ranks' round-robin wrap gives here. A chunk is cut at the list's end
    // (likwid 5.2.2 reads past it when offset > 0).
    std::vector<std::size_t> raw = dom;
    std::sort(raw.begin(), raw.end());
    const std::size_t off = static_cast<std::size_t>(t.offset);
    if (off >= raw.size()) {
      likwid_refuse_on_node(
          s.text, likwid_past("'" + t.text + "' starts at offset " + std::to_string(off), t.domain,
                              raw.size()));
    }
    const std::size_t want = t.count ? static_cast<std::size_t>(t.count) : raw.size();
    std::vector<std::size_t> picked;
    for (std::size_t base = off; base < raw.size() && picked.size() < want;
         base += static_cast<std::size_t>(t.stride)) {
      for (int c = 0; c < t.chunk && picked.size() < want; ++c) {
        if (base + static_cast<std::size_t>(c) < raw.size()) {
          picked.push_back(raw[base + static_cast<std::size_t>(c)]);
        }
      }
    }
    for (std::size_t i : picked) add(i);
  }
  return order;
}

void parse_likwid_argument(std::string_view body, std::string_view text, Strategy&) {
  parse_likwid_terms(body, text);
}

constexpr std::array kStrategies{
    StrategyInfo{"core",
                 "one rank per physical core in logical order; SMT siblings only once every core "
                 "has a rank",
                 "--map-by core --bind-to core", "-c N:0-{n-1} on first threads", core_first_order,
                 BindMode::kOnePu, nullptr, ""},
    StrategyInfo{"compact",
                 "rank r on the r-th PU in logical order: a core's hardware threads fill first",
                 "--map-by hwthread --bind-to hwthread", "E:N:n (compact)", compact_order,
                 BindMode::kOnePu, nullptr, ""},
    StrategyInfo{"scatter",
                 "each rank in objects without a rank at the highest level possible, level by "
                 "level from the top of hwloc's tree (groups, packages, NUMA nodes, caches, cores)",
                 "--map-by ppr:1:package --rank-by span (approx.)", "S:scatter / E:S0:..@S1:...",
                 scatter, BindMode::kOnePu, nullptr, ""},
    StrategyInfo{"list",
                 "list:L0,L1,... logical PU by local rank, or list:TYPE:I0,I1,... objects (core, "
                 "l1, l2, l3, numa, die, package) taken in turn; ranges A-B allowed",
                 "--cpu-set / rankfile", "-c L:0,2,4", list_order, BindMode::kOnePu,
                 parse_list_argument, "L0,L1,..."},
    StrategyInfo{"likwid",
                 "likwid:EXPR likwid-pin's -c expression: OS ids, L:, N/S<i>/M<i>/C<i>/D<i> "
                 "domains (cores first, SMT last), E:DOM[:count[:chunk:stride[:offset]]], "
                 "K:scatter, K:balanced, '@'- or '_'-joined",
                 "(rankfile)", "-c EXPR", likwid_order, BindMode::kOnePu, parse_likwid_argument,
                 "EXPR"},
    StrategyInfo{
        "none", "no pinning: each rank may run on every allowed PU (launcher binding undone)",
        "--bind-to none", "(no likwid-pin)", nullptr, BindMode::kAvailablePus, nullptr, ""},
    StrategyInfo{"launcher", "keep whatever binding mpirun or srun gave each rank, and record it",
                 "(mpirun's default binding)", "(likwid-mpirun's pinning)", nullptr,
                 BindMode::kKeep, nullptr, ""},
#ifdef SHMCOUNT_TEST_ENTRIES
#include "tests/extension/strategy_entry.inc"
#endif
};

std::string cell(int value) { return value < 0 ? "-" : std::to_string(value); }

}  // namespace

std::span<const StrategyInfo> strategy_table() { return kStrategies; }

std::span<const ListObject> list_object_table() { return kListObjects; }

std::string strategy_usage(const StrategyInfo& info) {
  return info.parse_argument ? std::string(info.name) + ":" + std::string(info.argument_syntax)
                             : std::string(info.name);
}

std::string strategy_names() { return names_text(entry_names(kStrategies, strategy_usage)); }

Strategy parse_strategy(std::string_view text) {
  Strategy s;
  s.text = std::string(text);
  const auto colon = text.find(':');
  const std::string_view name = text.substr(0, colon);
  if (const StrategyInfo* found = find_entry(kStrategies, name)) {
    const StrategyInfo& info = *found;
    const bool has_argument = colon != std::string_view::npos;
    if (has_argument != (info.parse_argument != nullptr)) {
      throw UsageError("--pin '" + std::string(text) + "': " +
                       (has_argument ? std::string(name) + " takes no argument"
                                     : "write " + strategy_usage(info)) +
                       "; use one of " + strategy_names());
    }
    s.info = &info;
    if (has_argument) info.parse_argument(text.substr(colon + 1), text, s);
    return s;
  }
  throw unknown_name("--pin " + shown(text), "strategy", name,
                     entry_names(kStrategies, strategy_usage));
}

std::vector<Placement> plan_placement(const MachineView& m, int ranks, const Strategy& s) {
  if (m.pus.empty()) throw UsageError("the machine has no allowed PU to place ranks on");
  std::vector<Placement> plan(static_cast<std::size_t>(ranks));
  for (int r = 0; r < ranks; ++r) plan[r].local_rank = r;
  if (!s.plans_pus()) {
    for (auto& p : plan) p.oversubscribed = static_cast<std::size_t>(ranks) > m.pus.size();
    return plan;
  }
  const std::vector<std::size_t> order = s.info->order(m, s, ranks);
  // Past the end of the order, ranks share PUs round-robin: oversubscription.
  std::vector<int> ranks_on(m.pus.size(), 0);
  for (auto& p : plan) {
    const std::size_t index = order[static_cast<std::size_t>(p.local_rank) % order.size()];
    p.planned_pu = m.pus[index].pu_logical;
    ++ranks_on[index];
  }
  for (auto& p : plan) {
    const PuInfo* pu = m.find_logical(p.planned_pu);
    p.oversubscribed = ranks_on[static_cast<std::size_t>(pu - m.pus.data())] > 1;
  }
  return plan;
}

std::string format_binding_mask(const MachineView& m, std::string_view cpuset_list) {
  const CpuSet bound = CpuSet::parse_list(cpuset_list);
  // Packages in logical order, then cores, then PUs: all_pus is in logical (tree) order.
  std::string out;
  int package = -2, core = -2;
  for (const auto& pu : m.all_pus) {
    if (pu.package != package) {
      if (!out.empty()) out += ']';
      out += '[';
      package = pu.package;
    } else if (pu.core != core) {
      out += '/';
    }
    core = pu.core;
    out += hwloc_bitmap_isset(bound.get(), static_cast<unsigned>(pu.pu_os)) ? 'B' : '.';
  }
  return out + ']';
}

std::string format_domains(const MachineView& m, const std::string& node_label) {
  struct Domain {
    hwloc_obj_type_t type;
    const char* name;
  };
  constexpr std::array kDomains{Domain{HWLOC_OBJ_PACKAGE, "package"},
                                Domain{HWLOC_OBJ_NUMANODE, "NUMA"}, Domain{HWLOC_OBJ_L3CACHE, "L3"},
                                Domain{HWLOC_OBJ_L2CACHE, "L2"}, Domain{HWLOC_OBJ_CORE, "core"}};
  auto pu_list = [](const std::vector<const PuInfo*>& pus) {
    std::string out;
    for (const PuInfo* pu : pus) {
      out += " " + std::to_string(pu->pu_logical) + "(" + std::to_string(pu->pu_os) + ")" +
             (pu->usable ? "" : "*");
    }
    return out;
  };
  std::ostringstream out;
  out << "Domains of " << node_label << " (" << m.summary << ")\n";
  if (m.restricted()) out << "  available: " << m.availability() << '\n';
  out << "PUs as L#(P#); * = not usable here (disallowed, or outside this process's binding)\n";
  std::vector<const PuInfo*> all;
  for (const auto& pu : m.all_pus) all.push_back(&pu);
  out << "node:" << pu_list(all) << '\n';
  for (const auto& domain : kDomains) {
    const int level = m.level_of(domain.type);
    if (level < 0) continue;
    const auto l = static_cast<std::size_t>(level);
    for (int index = 0; index < m.levels[l].objects; ++index) {
      std::vector<const PuInfo*> pus;
      for (const auto& pu : m.all_pus) {
        if (pu.path[l] == index) pus.push_back(&pu);
      }
      if (!pus.empty()) out << domain.name << ' ' << index << ':' << pu_list(pus) << '\n';
    }
  }
  // Memory per NUMA node, the nodes without PUs too: where --mempolicy can put pages.
  if (m.numa_nodes.size() > 1 || (m.numa_nodes.size() == 1 && !m.numa_nodes[0].allowed)) {
    out << "memory (logical NUMA node (OS index), * = its memory may not be used here):";
    const char* separator = " ";
    for (const auto& node : m.numa_nodes) {
      out << separator << "NUMA " << node.logical << '(' << node.os << ") ";
      if (!node.sizes_known) {
        out << "size not known";
      } else if (node.bytes == 0) {
        out << "no memory";
      } else {
        out << (node.bytes >> 20) << " MiB";
      }
      if (!node.allowed || (node.sizes_known && node.bytes == 0)) out << '*';
      separator = "; ";
    }
    out << '\n';
  }
  return out.str();
}

std::string format_pu_map(const MachineView& m,
                          const std::vector<std::vector<int>>& ranks_by_pu_index) {
  // Group PU indices by (package, NUMA) then by core, keeping logical order.
  std::map<std::pair<int, int>, std::vector<std::vector<std::size_t>>> groups;
  for (std::size_t i = 0; i < m.pus.size(); ++i) {
    auto& cores = groups[{m.pus[i].package, m.pus[i].numa}];
    if (cores.empty() || m.pus[cores.back().front()].core != m.pus[i].core) cores.emplace_back();
    cores.back().push_back(i);
  }
  std::ostringstream out;
  for (const auto& [where, cores] : groups) {
    out << "  package " << cell(where.first) << " NUMA " << cell(where.second) << ": ";
    for (const auto& core : cores) {
      out << '[';
      for (std::size_t j = 0; j < core.size(); ++j) {
        if (j) out << ' ';
        const auto& ranks = ranks_by_pu_index[core[j]];
        if (ranks.empty()) out << '.';
        for (std::size_t k = 0; k < ranks.size(); ++k) out << (k ? "+" : "") << ranks[k];
      }
      out << ']';
    }
    out << '\n';
  }
  return out.str();
}

std::string format_plan_table(const MachineView& m, const std::vector<Placement>& plan,
                              const Strategy& s, const std::string& node_label) {
  std::ostringstream out;
  out << "Plan for " << plan.size() << " rank(s) on " << node_label << " (" << m.summary
      << "), --pin " << s.text << '\n';
  if (m.restricted()) out << "  available: " << m.availability() << '\n';
  if (plan.empty() || plan.front().planned_pu < 0) {
    out << "  no PU is planned: ranks run where the "
        << (s.info->bind == BindMode::kAvailablePus ? "OS scheduler puts them"
                                                    : "launcher bound them")
        << "; shmcount records where they ran\n";
    if (!plan.empty() && plan.front().oversubscribed) {
      out << "  warning: more ranks than PUs (" << m.pus.size() << "): oversubscribed\n";
    }
    return out.str();
  }
  out << "  rank  PU L#  PU P#  core  NUMA  package\n";
  std::vector<std::vector<int>> ranks_by_pu(m.pus.size());
  int shared = 0;
  for (const auto& p : plan) {
    const PuInfo* pu = m.find_logical(p.planned_pu);
    ranks_by_pu[static_cast<std::size_t>(pu - m.pus.data())].push_back(p.local_rank);
    char line[128];
    std::snprintf(line, sizeof line, "  %4d  %5d  %5d  %4s  %4s  %7s%s\n", p.local_rank,
                  pu->pu_logical, pu->pu_os, cell(pu->core).c_str(), cell(pu->numa).c_str(),
                  cell(pu->package).c_str(), p.oversubscribed ? "  (shares its PU)" : "");
    out << line;
    shared += p.oversubscribed ? 1 : 0;
  }
  out << "PUs by package and NUMA node, [core], rank numbers on each PU ('.' = free):\n"
      << format_pu_map(m, ranks_by_pu);
  if (shared > 0) {
    out << "warning: " << shared << " rank(s) share a PU: more ranks than the " << m.pus.size()
        << " allowed PUs (oversubscribed)\n";
  }
  return out.str();
}

std::string format_plan_csv(const MachineView& m, const std::vector<Placement>& plan, bool header) {
  std::ostringstream out;
  if (header) out << "rank,pu_logical,pu_os,core,numa,package\n";
  for (const auto& p : plan) {
    const PuInfo* pu = p.planned_pu >= 0 ? m.find_logical(p.planned_pu) : nullptr;
    const PuInfo none;
    const PuInfo& q = pu ? *pu : none;
    out << p.local_rank << ',' << cell(q.pu_logical) << ',' << cell(q.pu_os) << ',' << cell(q.core)
        << ',' << cell(q.numa) << ',' << cell(q.package) << '\n';
  }
  return out.str();
}

}  // namespace shmcount

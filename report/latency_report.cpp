#include "latency_report.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>

#include "cli/params.hpp"
#include "common/json.hpp"
#include "common/text.hpp"

namespace shmcount {
namespace {

using std::to_string;

std::string fixed(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// Latencies as the summary writes them: "7.1", "24", "131".
std::string ns(double v) { return fixed(v < 100 ? "%.1f" : "%.0f", v); }

const PuPair& pair_of(const LatencyRunInfo& run, const LatencySample& s) {
  static const PuPair none;
  return s.pair >= 0 && static_cast<std::size_t>(s.pair) < run.pairs.size() ? run.pairs[s.pair]
                                                                            : none;
}

constexpr std::array kColumns{
    LatencyColumn{
        "run_id", "identifies the run; the same in the JSON run context",
        [](const LatencyRunInfo& run, const LatencySample&) { return csv_field(run.run_id); }},
    LatencyColumn{
        "host", "the node's host name",
        [](const LatencyRunInfo& run, const LatencySample&) { return csv_field(run.node.host); }},
    LatencyColumn{"share", "--share: how the two ranks share the bounced line",
                  [](const LatencyRunInfo& run, const LatencySample&) {
                    return std::string(run.options.share->name);
                  }},
    LatencyColumn{"pair", "the pair's index in the plan (latency.pairs[].pair in the run context)",
                  [](const LatencyRunInfo&, const LatencySample& s) { return to_string(s.pair); }},
    LatencyColumn{"a_logical", "the pair's first PU, logical index (L#)",
                  [](const LatencyRunInfo& run, const LatencySample& s) {
                    return to_string(pair_of(run, s).a);
                  }},
    LatencyColumn{"b_logical", "the pair's second PU, logical index (L#)",
                  [](const LatencyRunInfo& run, const LatencySample& s) {
                    return to_string(pair_of(run, s).b);
                  }},
    LatencyColumn{"a_os", "OS index (P#) of the first PU",
                  [](const LatencyRunInfo& run, const LatencySample& s) {
                    return to_string(pair_of(run, s).a_os);
                  }},
    LatencyColumn{"b_os", "OS index (P#) of the second PU",
                  [](const LatencyRunInfo& run, const LatencySample& s) {
                    return to_string(pair_of(run, s).b_os);
                  }},
    LatencyColumn{"relation",
                  "the deepest level of hwloc's tree the two PUs share: smt, l2, l3, numa, "
                  "package or other",
                  [](const LatencyRunInfo& run, const LatencySample& s) {
                    return std::string(relation_info(pair_of(run, s).relation).key);
                  }},
    LatencyColumn{"direction",
                  "ab: the rank on the first PU started and timed the sample; ba: the rank on "
                  "the second",
                  [](const LatencyRunInfo&, const LatencySample& s) {
                    return std::string(s.direction == 0 ? "ab" : "ba");
                  }},
    LatencyColumn{"round", "the round, from 0 (each round visits every pair once)",
                  [](const LatencyRunInfo&, const LatencySample& s) { return to_string(s.round); }},
    LatencyColumn{
        "sample", "the sample of the pair, from 0 (over all rounds)",
        [](const LatencyRunInfo&, const LatencySample& s) { return to_string(s.sample); }},
    LatencyColumn{"round_trips", "round trips of the line in the sample",
                  [](const LatencyRunInfo& run, const LatencySample&) {
                    return to_string(run.options.latency.round_trips);
                  }},
    LatencyColumn{
        "time_ns", "the sample's time for all its round trips, CLOCK_MONOTONIC",
        [](const LatencyRunInfo&, const LatencySample& s) { return to_string(s.time_ns); }},
    LatencyColumn{"one_way_ns", "time_ns / round_trips / 2: the one-way latency",
                  [](const LatencyRunInfo& run, const LatencySample& s) {
                    return fixed("%.3f", one_way_ns(s, run.options.latency.round_trips));
                  }},
    LatencyColumn{"ok", "1 when every handoff of the sample held the value expected",
                  [](const LatencyRunInfo&, const LatencySample& s) { return to_string(s.ok); }},
    LatencyColumn{
        "placed_ok", "1 when both ranks were read back on their PUs before and after the visit",
        [](const LatencyRunInfo&, const LatencySample& s) { return to_string(s.placed_ok); }},
    LatencyColumn{
        "disturbed",
        "1 when either rank lost its PU during the pair's visit in this round "
        "(waiting for a CPU or steal over 1% of the visit, a major fault, a migration)",
        [](const LatencyRunInfo&, const LatencySample& s) { return to_string(s.disturbed); }},
};

std::string interval(double low, double high) { return "[" + ns(low) + ", " + ns(high) + "]"; }

std::string plural(std::size_t n, const char* one, const char* many) {
  return to_string(n) + " " + (n == 1 ? one : many);
}

std::string matrix_lines(const LatencyRunInfo& run, const LatencyFigures& f) {
  std::set<int> pus;
  std::map<std::pair<int, int>, double> at;
  for (const auto& p : f.pairs) {
    const PuPair& pp = run.pairs[p.pair];
    pus.insert({pp.a, pp.b});
    at[{pp.a, pp.b}] = at[{pp.b, pp.a}] = p.median_ns;
  }
  std::ostringstream out;
  if (pus.size() > kMatrixPus) {
    out << "matrix: " << pus.size() << " PUs, over " << kMatrixPus
        << ": see the CSV, the run context or make plots\n";
    return out.str();
  }
  out << "matrix (median one-way ns; PUs L#; '.' = not measured):\n      ";
  for (int b : pus) out << fixed("%6.0f", b);
  out << '\n';
  for (int a : pus) {
    out << fixed("  %4.0f", a);
    for (int b : pus) {
      const auto it = at.find({a, b});
      out << (a == b           ? std::string("     -")
              : it == at.end() ? std::string("     .")
                               : fixed("%6.1f", it->second));
    }
    out << '\n';
  }
  return out.str();
}

// Where likwid-topology saw the machine otherwise than hwloc: the node's topology_views line,
// or empty where the two agree (or likwid-topology was not asked).
std::string views_disagreement(const LatencyRunInfo& run) {
  for (const auto& [name, value] : run.node.noise) {
    if (name == "topology_views" && value.rfind("likwid-topology disagrees", 0) == 0) return value;
  }
  return "";
}

// Which view the map supports where the two disagree (empty where they do not): hwloc's where
// every pair answered at its relation's level. The summary and the run context say the same.
std::string views_verdict(const LatencyRunInfo& run, const LatencyFigures& f) {
  if (views_disagreement(run).empty()) return "";
  return f.structure.findings.empty()
             ? "hwloc's view: every pair answered at its hwloc relation's level"
             : "neither view alone: some pairs answered off their hwloc relation's level "
               "(findings above); likwid's may fit them";
}

std::string views_line(const LatencyRunInfo& run, const LatencyFigures& f) {
  const std::string verdict = views_verdict(run, f);
  if (verdict.empty()) return "";
  return "  " + views_disagreement(run) + "\n  the map supports " + verdict + "\n";
}

std::string structure_lines(const LatencyFigures& f) {
  const StructureReport& s = f.structure;
  std::ostringstream out;
  out << "measured structure against hwloc's tree (a level: pair medians with no gap of "
      << fixed("%.1f", kLevelGap) << "x between neighbours):\n";
  for (std::size_t k = 0; k < s.levels.size(); ++k) {
    const LatencyLevel& l = s.levels[k];
    out << "  level " << k << ": " << ns(l.low_ns) << "-" << ns(l.high_ns) << " ns (typical "
        << ns(l.typical_ns) << "), " << plural(static_cast<std::size_t>(l.pairs), "pair", "pairs");
    if (!l.home_of.empty()) {
      out << "; where";
      const char* sep = " ";
      for (Relation r : l.home_of) {
        out << sep << relation_info(r).label;
        sep = ", ";
      }
      out << " answer";
    }
    out << '\n';
  }
  if (s.findings.empty()) {
    out << "  no finding: every pair answers in the level of its relation in hwloc's tree";
    if (f.pairs.size() < 3)
      out << " (with " << plural(f.pairs.size(), "pair", "pairs") << " there is little to group)";
    out << '\n';
    return out.str();
  }
  out << "  " << plural(s.findings.size(), "finding", "findings") << " (PUs as L#):\n";
  for (const auto& finding : s.findings) out << "  - " << finding.text << '\n';
  if (!s.advice.empty()) out << "  what to do: " << s.advice << '\n';
  return out.str();
}

}  // namespace

std::span<const LatencyColumn> latency_csv_schema() { return kColumns; }

std::string format_latency_csv(const LatencyRunInfo& run, std::span<const LatencySample> samples) {
  std::string out;
  for (const auto& c : kColumns) out += (out.empty() ? "" : ",") + std::string(c.name);
  out += '\n';
  for (const auto& s : samples) {
    bool first = true;
    for (const auto& c : kColumns) {
      if (!first) out += ',';
      first = false;
      out += c.value(run, s);
    }
    out += '\n';
  }
  return out;
}

std::string format_latency_header(const LatencyRunInfo& run) {
  const Options& o = run.options;
  return "shmcount: latency map, 2 ranks on 1 node: one cache line bounced between the PUs of "
         "every pair, one-way latency = round trip / 2\n  latency: " +
         group_options(ParamGroup::kLatency, o) +
         "\n  memory: " + group_options(ParamGroup::kMemory, o) + "\n";
}

std::string format_latency_summary(const LatencyRunInfo& run, const LatencyFigures& f,
                                   const std::string& csv_path, const std::string& json_path) {
  const LatencyOptions& lo = run.options.latency;
  std::ostringstream out;
  out << "\none-way latency per relation in hwloc's tree (median of its pairs' medians [95% "
         "interval], ns):";
  const char* sep = " ";
  for (const auto& r : f.relations) {
    out << sep << relation_info(r.relation).label << " " << ns(r.median_ns) << " ns "
        << interval(r.low_ns, r.high_ns);
    sep = ", ";
  }
  if (f.relations.empty()) out << " none measured";
  out << "\n\n  relation          pairs  median ns  95% interval      min ns\n";
  for (const auto& r : f.relations) {
    char row[160];
    std::snprintf(row, sizeof row, "  %-16s %5d  %9.1f  %-16s  %6.1f\n",
                  std::string(relation_info(r.relation).label).c_str(), r.pairs, r.median_ns,
                  interval(r.low_ns, r.high_ns).c_str(), r.min_ns);
    out << row;
  }
  out << '\n';
  if (f.pairs.size() <= 2 * kMatrixPus) {
    out << "per pair (PUs L#, P#): median [95% interval] min, ns; ab / ba: medians when the "
           "first / second PU started\n";
    for (const auto& p : f.pairs) {
      const PuPair& pp = run.pairs[p.pair];
      out << "  " << pp.a << ":" << pp.b << " (P#" << pp.a_os << ":" << pp.b_os << ") "
          << relation_info(pp.relation).label << ": " << ns(p.median_ns) << " "
          << interval(p.low_ns, p.high_ns) << " min " << ns(p.min_ns) << ", ab "
          << ns(p.median_ab_ns) << " / ba " << ns(p.median_ba_ns) << " (" << p.samples
          << " samples)\n";
    }
  } else {
    out << "per pair: " << f.pairs.size()
        << " pairs: in the run context (latency.pairs) and the CSV\n";
  }
  out << matrix_lines(run, f) << '\n' << structure_lines(f) << views_line(run, f) << '\n';

  for (const auto& p : run.pairs) {
    if (!p.usable) out << "not measured: pair " << p.a << ":" << p.b << ": " << p.why_not << '\n';
  }
  const std::size_t good = f.samples - f.wrong;
  if (!run.failure.empty()) {
    out << "verification: a handoff broke, so measuring stopped: " << run.failure << "; " << f.wrong
        << " sample(s) of the visit it broke in are written with ok = 0, " << good
        << " right before it\n";
  } else if (f.wrong == 0) {
    out << "verification: every handoff of all " << f.samples << " samples held the value "
        << "expected (" << lo.round_trips << " round trips each, checked at every turn, and the "
        << "line's value after each visit)\n";
  } else {
    out << "verification: " << f.wrong << " sample(s) WRONG (ok = 0): a handoff broke; " << good
        << " right\n";
  }
  if (f.off_place == 0) {
    out << "placement: both ranks were read back on their PUs before and after every visit\n";
  } else {
    out << "placement: " << f.off_place
        << " sample(s) with a rank off its PU (placed_ok = 0), left out of the figures\n";
  }
  const LoadCheck load = load_check(run.node);
  out << "disturbance: " << run.disturbed_visits << " of " << run.visits
      << " visit(s) disturbed (CSV column disturbed); load (1 min) " << fixed("%.2f", load.before)
      << " before, " << fixed("%.2f", load.after) << " after, " << run.node.pus << " usable PU(s)";
  if (load.over)
    out << "; above " << fixed("%.0f", load.limit) << ": something else wanted the CPUs";
  out << '\n';
  out << "results: " << printable(csv_path) << "  (context: " << printable(json_path) << ")\n";
  return out.str();
}

std::string format_latency_context_json(const LatencyRunInfo& run, const Provenance& p,
                                        const LatencyFigures& f, const std::string& csv_name) {
  const NodeInfo& n = run.node;
  std::ostringstream o;
  auto noise = [&] {
    std::string out = "{";
    for (const auto& [name, value] : n.noise) {
      out += (out.size() > 1 ? ", " : "") + json_string(name) + ": " + json_string(value);
    }
    return out + "}";
  };
  o << "{\n";
  o << "  \"tool\": \"shmcount\",\n";
  o << "  \"mode\": \"latency\",\n";
  o << "  \"version\": " << json_string(p.shmcount_version) << ",\n";
  o << "  \"run_id\": " << json_string(run.run_id) << ",\n";
  o << "  \"csv\": " << json_string(csv_name) << ",\n";
  o << "  \"utc_time\": " << json_string(p.utc_time) << ",\n";
  o << "  \"command_line\": " << json_string(p.command_line) << ",\n";
  o << "  \"host\": " << json_string(n.host) << ",\n";
  o << "  \"cpu_model\": " << json_string(n.cpu_model) << ",\n";
  o << "  \"topology\": " << json_string(n.topology) << ",\n";
  o << "  \"caches\": " << json_string(n.caches) << ",\n";
  o << "  \"noise\": " << noise() << ",\n";
  o << "  \"nodes\": [\n    {\"index\": " << n.index << ", \"host\": " << json_string(n.host)
    << ", \"cpu_model\": " << json_string(n.cpu_model)
    << ", \"topology\": " << json_string(n.topology) << ", \"caches\": " << json_string(n.caches)
    << ", \"pus\": " << n.pus << ", \"ranks\": " << n.ranks
    << ", \"available\": " << json_string(n.available)
    << ", \"available_from\": " << json_string(n.available_from) << ", \"noise\": " << noise()
    << "}\n  ],\n";
  o << provenance_json_lines(p);
  // The latency map's parameters and --share, under their keys (cli/params.hpp).
  o << "  \"config\": {\"ranks\": 2";
  for (const auto& param : param_table()) {
    if (!belongs_to(param, run.options)) continue;
    const std::string value = param.print(run.options);
    o << ", " << json_string(param.key) << ": "
      << (param.type == ParamType::kText ? json_string(value) : value);
  }
  o << "},\n";
  o << "  \"line\": " << json_string(run.line) << ",\n";
  // The PUs the map could use, in hwloc's (logical) order, with the objects above each: what the
  // heatmap draws its boundaries from. -1 where the machine has no such object.
  const int l2 = run.machine.level_of(HWLOC_OBJ_L2CACHE);
  o << "  \"pus\": [";
  for (std::size_t i = 0; i < run.machine.pus.size(); ++i) {
    const PuInfo& pu = run.machine.pus[i];
    const int l2_index = l2 >= 0 && static_cast<std::size_t>(l2) < pu.path.size()
                             ? pu.path[static_cast<std::size_t>(l2)]
                             : -1;
    o << (i ? ",\n    " : "\n    ") << "{\"logical\": " << pu.pu_logical << ", \"os\": " << pu.pu_os
      << ", \"core\": " << pu.core << ", \"l2\": " << l2_index << ", \"l3\": " << pu.cache
      << ", \"numa\": " << pu.numa << ", \"package\": " << pu.package << "}";
  }
  o << "],\n";
  o << "  \"latency\": {\n    \"unit\": \"ns, one way: a sample's time / round trips / 2\",\n";
  o << "    \"pairs\": [";
  for (std::size_t i = 0; i < f.pairs.size(); ++i) {
    const PairFigures& x = f.pairs[i];
    const PuPair& pp = run.pairs[x.pair];
    o << (i ? ",\n      " : "\n      ") << "{\"pair\": " << x.pair << ", \"a\": " << pp.a
      << ", \"b\": " << pp.b << ", \"a_os\": " << pp.a_os << ", \"b_os\": " << pp.b_os
      << ", \"relation\": " << json_string(relation_info(pp.relation).key)
      << ", \"samples\": " << x.samples << ", \"median_ns\": " << json_number(x.median_ns)
      << ", \"low_ns\": " << json_number(x.low_ns) << ", \"high_ns\": " << json_number(x.high_ns)
      << ", \"min_ns\": " << json_number(x.min_ns)
      << ", \"median_ab_ns\": " << json_number(x.median_ab_ns)
      << ", \"median_ba_ns\": " << json_number(x.median_ba_ns) << "}";
  }
  o << "],\n    \"not_measured\": [";
  bool first = true;
  for (std::size_t i = 0; i < run.pairs.size(); ++i) {
    const PuPair& pp = run.pairs[i];
    if (pp.usable) continue;
    o << (first ? "" : ", ") << "{\"pair\": " << i << ", \"a\": " << pp.a << ", \"b\": " << pp.b
      << ", \"why\": " << json_string(pp.why_not) << "}";
    first = false;
  }
  o << "],\n    \"relations\": [";
  for (std::size_t i = 0; i < f.relations.size(); ++i) {
    const RelationFigures& r = f.relations[i];
    o << (i ? ", " : "") << "{\"relation\": " << json_string(relation_info(r.relation).key)
      << ", \"label\": " << json_string(relation_info(r.relation).label)
      << ", \"pairs\": " << r.pairs << ", \"median_ns\": " << json_number(r.median_ns)
      << ", \"low_ns\": " << json_number(r.low_ns) << ", \"high_ns\": " << json_number(r.high_ns)
      << ", \"min_ns\": " << json_number(r.min_ns) << "}";
  }
  const StructureReport& s = f.structure;
  o << "],\n    \"structure\": {\"level_gap\": " << json_number(kLevelGap) << ", \"levels\": [";
  for (std::size_t k = 0; k < s.levels.size(); ++k) {
    const LatencyLevel& l = s.levels[k];
    o << (k ? ", " : "") << "{\"low_ns\": " << json_number(l.low_ns)
      << ", \"high_ns\": " << json_number(l.high_ns)
      << ", \"typical_ns\": " << json_number(l.typical_ns) << ", \"pairs\": " << l.pairs
      << ", \"home_of\": [";
    for (std::size_t j = 0; j < l.home_of.size(); ++j) {
      o << (j ? ", " : "") << json_string(relation_info(l.home_of[j]).key);
    }
    o << "]}";
  }
  o << "], \"findings\": [";
  for (std::size_t i = 0; i < s.findings.size(); ++i) {
    const StructureFinding& x = s.findings[i];
    o << (i ? ",\n      " : "\n      ") << "{\"kind\": "
      << json_string(std::string(x.kind == StructureFinding::Kind::kCloser ? "closer" : "farther"))
      << ", \"a\": " << x.a << ", \"b\": " << x.b
      << ", \"relation\": " << json_string(relation_info(x.relation).key)
      << ", \"median_ns\": " << json_number(x.median_ns) << ", \"level\": " << x.level
      << ", \"like\": " << json_string(x.like) << ", \"text\": " << json_string(x.text) << "}";
  }
  o << "], \"closer_groups\": [";
  for (std::size_t i = 0; i < s.closer_groups.size(); ++i) {
    o << (i ? ", " : "") << "[";
    for (std::size_t j = 0; j < s.closer_groups[i].size(); ++j) {
      o << (j ? ", " : "") << s.closer_groups[i][j];
    }
    o << "]";
  }
  o << "], \"pin\": " << json_string(s.pin_list) << ", \"advice\": " << json_string(s.advice)
    << ",\n      \"views\": " << json_string(views_disagreement(run))
    << ", \"supports\": " << json_string(views_verdict(run, f)) << "}\n  },\n";
  const LoadCheck load = load_check(run.node);
  o << "  \"summary\": {\"samples\": " << f.samples << ", \"wrong\": " << f.wrong
    << ", \"off_place\": " << f.off_place << ", \"disturbed_samples\": " << f.disturbed
    << ", \"visits\": " << run.visits << ", \"disturbed_visits\": " << run.disturbed_visits
    << ", \"failure\": " << json_string(run.failure)
    << ",\n    \"disturbance\": {\"load_before\": " << json_number(load.before)
    << ", \"load_after\": " << json_number(load.after) << ", \"usable_pus\": " << load.usable_pus
    << ", \"load_limit\": " << json_number(load.limit)
    << ", \"over_load\": " << (load.over ? "true" : "false") << "}},\n";
  o << "  \"columns\": [";
  for (std::size_t i = 0; i < kColumns.size(); ++i)
    o << (i ? ", " : "") << json_string(kColumns[i].name);
  o << "]\n}\n";
  return o.str();
}

}  // namespace shmcount

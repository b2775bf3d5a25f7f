// The pairs of PUs a latency run measures, and how hwloc's tree relates the two PUs of a pair:
// a pure function of the machine (MachineView) and --pairs, so it is tested on topologies CI
// cannot see and --plan --latency prints it for any machine.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "placement/topology.hpp"

namespace shmcount {

// The deepest level of hwloc's tree that two PUs share, closest first.
enum class Relation : int { kSmt = 0, kL2, kL3, kNuma, kPackage, kOther };
inline constexpr int kRelations = 6;

struct RelationInfo {
  Relation relation;
  std::string_view key;    // CSV and JSON: "smt", "l2", "l3", "numa", "package", "other".
  std::string_view label;  // The summary: "SMT siblings", "same L3", "other package".
};
// Every relation, closest first.
std::span<const RelationInfo> relation_table();
const RelationInfo& relation_info(Relation relation);
// The relation whose key is `key`, or nullptr.
const RelationInfo* find_relation(std::string_view key);

// How two PUs of `machine` (entries of machine.all_pus) relate: the deepest of core (SMT
// siblings), L2, L3, NUMA node and package that holds both, by the depth of machine.levels; other
// when none does.
Relation relation_of(const MachineView& machine, const PuInfo& a, const PuInfo& b);

// A parsed --pairs value.
enum class PairMode {
  kAll,      // Every pair of usable PUs.
  kCores,    // One PU per core (its first usable thread), plus the threads of one core.
  kDomains,  // One PU per domain (package x NUMA node x L3), plus a sample inside each domain.
  kPuList,   // Every pair among the listed logical PUs: "0,4,8-11".
  kPairList  // Exactly the listed pairs of logical PUs: "0:8,1:9".
};
struct PairSpec {
  PairMode mode = PairMode::kAll;
  std::vector<int> pus;                    // kPuList: logical PUs, in the order given.
  std::vector<std::pair<int, int>> pairs;  // kPairList: as given.
  std::string text = "all";                // As the user wrote it.
};

// Parses --pairs: all, cores, domains, a PU list (L0,L1,... with ranges A-B: every pair among
// them) or a pair list (A:B,C:D,...). Throws UsageError with what is allowed; checks syntax and
// duplicates, not the machine.
PairSpec parse_pairs(std::string_view text);
// "all cores domains L0,L1,... A:B,C:D,..." for --help and messages.
std::string pair_mode_names();

// One pair to measure: its PUs as logical and OS indices (a before b in logical order) and their
// relation. A pair whose PUs this job may not use (outside the available set, or disallowed) is
// kept, flagged with why, and never measured: binding elsewhere would measure other PUs.
struct PuPair {
  int a = -1, b = -1;        // Logical indices (L#).
  int a_os = -1, b_os = -1;  // OS indices (P#).
  Relation relation = Relation::kOther;
  bool usable = true;
  std::string why_not;  // When !usable.
};

// The pairs --pairs gives on `machine`, in logical order of (a, b). all, cores and domains use
// usable PUs only; a list naming a PU the machine does not have, a pair of one PU twice or the
// same pair twice is a UsageError that says what the machine has; a listed PU that exists but may
// not be used gives flagged pairs.
std::vector<PuPair> plan_pairs(const MachineView& machine, const PairSpec& spec);

// How long measuring takes, from the counts alone: `round_trips` per sample, `samples` per pair.
struct PairCost {
  std::uint64_t pairs = 0;
  std::uint64_t round_trips = 0;  // All of them: pairs x samples x round trips per sample.
};
PairCost pair_cost(const std::vector<PuPair>& pairs, std::uint64_t samples,
                   std::uint64_t round_trips);
// "0.7 s", "12 min", "3.1 h".
std::string duration_text(double seconds);
// The estimate before anything is measured: at the anchors' one-way latencies (4 ns for SMT
// siblings to 200 ns across sockets: round trips of 8 to 400 ns), plus binding.
std::string cost_estimate(const PairCost& cost);

// The pairs as --plan --latency prints them: a header, one line per pair (logical and OS
// indices, relation), a count per relation and the cost estimate.
std::string format_pair_plan(const MachineView& machine, const std::vector<PuPair>& pairs,
                             const PairSpec& spec, const std::string& node_label,
                             std::uint64_t samples, std::uint64_t round_trips);
// The same as CSV: pair,a_logical,b_logical,a_os,b_os,relation,usable.
std::string format_pair_plan_csv(const std::vector<PuPair>& pairs);

}  // namespace shmcount

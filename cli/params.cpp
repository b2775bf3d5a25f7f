#include "params.hpp"

#include <array>

#include "common/error.hpp"
#include "common/parse.hpp"
#include "common/table.hpp"
#include "kernels/plugin.hpp"
#include "placement/pairs.hpp"

namespace shmcount {
namespace {

// Names of a table, space-separated: the values --list axes gives (a script splits them).
template <class Table, class NameOf>
std::string names_of(const Table& table, NameOf name_of) {
  return joined(entry_names(table, name_of), " ");
}
template <class Table>
std::string names_of(const Table& table) {
  return joined(entry_names(table), " ");
}

std::string text(std::string_view v) { return std::string(v); }
std::string number_text(std::uint64_t v) { return std::to_string(v); }

constexpr std::array kParams{
    Param{"kernel", "--kernel", "NAME", ParamType::kText, "kernel", ParamGroup::kRun,
          "counting kernel, or plugin:PATH[:SYMBOL] for a shared object of yours", true, true,
          [] { return names_of(kernel_table()) + " plugin:PATH"; },
          [](Options& o, std::string_view v) {
            o.kernel = is_plugin_spec(v)
                           ? load_plugin_kernel(v)
                           : &entry_or_refuse(kernel_table(), "--kernel", v, "kernel",
                                              ", or plugin:PATH for your own (shmcount/kernel.h)");
          },
          [](const Options& o) { return text(o.kernel->name); }, nullptr},
    Param{"pin", "--pin", "STRATEGY", ParamType::kText, "strategy", ParamGroup::kPlacement,
          "where ranks run: a pinning strategy", true, true,
          [] {
            return names_of(strategy_table(),
                            [](const StrategyInfo& s) { return strategy_usage(s); });
          },
          [](Options& o, std::string_view v) { o.pin = parse_strategy(v); },
          [](const Options& o) { return o.pin.text; }, nullptr},
    Param{"share", "--share", "HOW", ParamType::kText, "share", ParamGroup::kMemory,
          "how the node's ranks share the array: a mechanism", true, true,
          [] { return names_of(mechanism_table()); },
          [](Options& o, std::string_view v) {
            o.share = &entry_or_refuse(mechanism_table(), "--share", v, "mechanism");
          },
          [](const Options& o) { return text(o.share->name); }, nullptr, kBothRuns},
    Param{"pages", "--pages", "KIND", ParamType::kText, "pages", ParamGroup::kMemory,
          "the pages asked for, a page kind (shmcount --list pages); the page size obtained is "
          "read back",
          true, true, [] { return names_of(page_kind_table()); },
          [](Options& o, std::string_view v) { o.pages = parse_pages(v); },
          [](const Options& o) { return text(page_kind_name(o.pages)); }, nullptr},
    Param{"touch", "--touch", "WHO", ParamType::kText, "touch", ParamGroup::kMemory,
          "who writes the array first, so where its pages land (shmcount --list touch)", true, true,
          [] { return names_of(touch_table()); },
          [](Options& o, std::string_view v) { o.touch = parse_touch(v); },
          [](const Options& o) { return text(touch_name(o.touch)); }, nullptr},
    Param{"mempolicy", "--mempolicy", "P", ParamType::kText, "mempolicy", ParamGroup::kMemory,
          "default, interleave[:LIST] or bind:LIST (logical NUMA nodes), set before the first "
          "touch",
          true, true, [] { return std::string("default interleave interleave:LIST bind:LIST"); },
          [](Options& o, std::string_view v) { o.mempolicy = parse_mempolicy(v); },
          [](const Options& o) { return o.mempolicy.text; }, nullptr},
    Param{"counts", "--counts", "WHERE", ParamType::kText, "counts", ParamGroup::kMemory,
          "where the ranks' counts live while they count (shmcount --list counts)", true, true,
          [] { return names_of(counts_table()); },
          [](Options& o, std::string_view v) {
            o.counts = &entry_or_refuse(counts_table(), "--counts", v, "counts mode");
          },
          [](const Options& o) { return text(o.counts->name); }, nullptr},
    Param{"size", "--size", "N", ParamType::kNumber, "size", ParamGroup::kRun,
          "int32 elements in the shared array (one per node)", true, true,
          [] { return std::string(); },
          [](Options& o, std::string_view v) {
            o.data.size = parse_number(v, "--size", 1, kMaxSize);
          },
          [](const Options& o) { return number_text(o.data.size); }, nullptr},
    Param{"values", "--values", "V", ParamType::kNumber, "values", ParamGroup::kRun,
          "count each value 0..V-1 (the data holds them)", true, true, [] { return std::string(); },
          [](Options& o, std::string_view v) {
            o.data.values = parse_number(v, "--values", 1, kMaxValues);
          },
          [](const Options& o) { return number_text(o.data.values); }, nullptr},
    Param{"pattern", "--pattern", "P", ParamType::kText, "pattern", ParamGroup::kRun,
          "the data the array holds, a pattern (shmcount --list patterns)", true, true,
          [] { return names_of(pattern_table()); },
          [](Options& o, std::string_view v) { o.data.pattern = parse_pattern(v); },
          [](const Options& o) { return text(pattern_name(o.data.pattern)); }, nullptr},
    Param{"seed", "--seed", "S", ParamType::kNumber, "seed", ParamGroup::kRun,
          "random generator seed (with --pattern random)", false, false,
          [] { return std::string(); },
          [](Options& o, std::string_view v) {
            o.data.seed = parse_number(v, "--seed", 0, UINT64_MAX);
          },
          [](const Options& o) { return number_text(o.data.seed); },
          [](const Options& o) { return o.data.pattern == Pattern::kRandom; }},
    Param{"reps", "--reps", "R", ParamType::kNumber, "reps", ParamGroup::kRun,
          "timed repetitions (all recorded)", false, false, [] { return std::string(); },
          [](Options& o, std::string_view v) { o.reps = parse_number(v, "--reps", 1, kMaxReps); },
          [](const Options& o) { return number_text(o.reps); }, nullptr},
    Param{
        "warmup", "--warmup", "W", ParamType::kNumber, "warmup", ParamGroup::kRun,
        "untimed repetitions before the timed ones", false, false, [] { return std::string(); },
        [](Options& o, std::string_view v) { o.warmup = parse_number(v, "--warmup", 0, kMaxReps); },
        [](const Options& o) { return number_text(o.warmup); }, nullptr},
    Param{"baseline", "--no-baseline", "", ParamType::kFlag, "baseline", ParamGroup::kRun,
          "skip the sequential baseline (one process doing every rank's unit, on by default)",
          false, false, [] { return std::string(); },
          [](Options& o, std::string_view) { o.baseline = false; },
          [](const Options& o) { return std::string(o.baseline ? "true" : "false"); }, nullptr},
    // The latency map's (--latency), after every counting parameter.
    Param{"pairs", "--pairs", "WHICH", ParamType::kText, "pairs", ParamGroup::kLatency,
          "pairs of PUs to measure: all, cores (one PU per core, and the threads of one core), "
          "domains (one PU per L3 / NUMA node / package, and a sample inside each), a list of "
          "logical PUs (every pair among them) or of pairs A:B",
          false, false, [] { return std::string("all cores domains L0,L1,... A:B,C:D,..."); },
          [](Options& o, std::string_view v) { o.latency.pairs = parse_pairs(v); },
          [](const Options& o) { return o.latency.pairs.text; }, nullptr, kLatencyRuns},
    Param{"samples", "--samples", "S", ParamType::kNumber, "samples", ParamGroup::kLatency,
          "timed samples per pair, both directions together (half with each PU starting), "
          "spread over the rounds",
          false, false, [] { return std::string(); },
          [](Options& o, std::string_view v) {
            o.latency.samples = parse_number(v, "--samples", 2, kMaxSamples);
          },
          [](const Options& o) { return number_text(o.latency.samples); }, nullptr, kLatencyRuns},
    Param{"round_trips", "--round-trips", "N", ParamType::kNumber, "round_trips",
          ParamGroup::kLatency, "round trips of the cache line in one sample", false, false,
          [] { return std::string(); },
          [](Options& o, std::string_view v) {
            o.latency.round_trips = parse_number(v, "--round-trips", 1, kMaxRoundTrips);
          },
          [](const Options& o) { return number_text(o.latency.round_trips); }, nullptr,
          kLatencyRuns},
    Param{"rounds", "--rounds", "R", ParamType::kNumber, "rounds", ParamGroup::kLatency,
          "rounds: each visits every pair once, in a fresh random order, and takes its share of "
          "the samples",
          false, false, [] { return std::string(); },
          [](Options& o, std::string_view v) {
            o.latency.rounds = parse_number(v, "--rounds", 1, kMaxRounds);
          },
          [](const Options& o) { return number_text(o.latency.rounds); }, nullptr, kLatencyRuns},
    Param{"order_seed", "--order-seed", "S", ParamType::kNumber, "order_seed", ParamGroup::kLatency,
          "seed of the rounds' random orders of the pairs", false, false,
          [] { return std::string(); },
          [](Options& o, std::string_view v) {
            o.latency.order_seed = parse_number(v, "--order-seed", 0, UINT64_MAX);
          },
          [](const Options& o) { return number_text(o.latency.order_seed); }, nullptr,
          kLatencyRuns},
#ifdef SHMCOUNT_TEST_ENTRIES
#include "tests/extension/param_entry.inc"
#endif
};

}  // namespace

std::span<const Param> param_table() { return kParams; }

const Param* find_param(std::string_view flag) {
  return find_entry(kParams, flag, [](const Param& p) { return p.flag; });
}

bool is_latency(const Options& o) {
  return o.action == Action::kLatency || o.action == Action::kLatencyPlan;
}

bool belongs_to(const Param& param, const Options& o) {
  return (param.runs & (is_latency(o) ? kLatencyRuns : kCountingRuns)) != 0;
}

std::string default_text(const Param& param) {
  static const Options defaults;  // One value, not a temporary per call (and GCC 12 is happy).
  return param.print(defaults);
}

std::string as_option(const Param& param, const Options& o) {
  if (!belongs_to(param, o) || (param.applies && !param.applies(o))) return "";
  const std::string value = param.print(o);
  if (param.type == ParamType::kFlag) {
    return value == default_text(param) ? "" : std::string(param.flag);
  }
  return std::string(param.flag) + " " + value;
}

std::string group_options(ParamGroup group, const Options& o) {
  std::string out;
  for (const auto& p : kParams) {
    if (p.group != group) continue;
    const std::string option = as_option(p, o);
    if (!option.empty()) out += (out.empty() ? "" : " ") + option;
  }
  return out;
}

std::string json_value(const Param& param, const Options& o,
                       std::string (*quote)(std::string_view)) {
  const std::string value = param.print(o);
  return param.type == ParamType::kText ? quote(value) : value;
}

}  // namespace shmcount

// --list: what scripts read from shmcount instead of keeping their own copies (column names,
// kernels, strategies, sweep axes), tab-separated with a header line. One entry per list: its
// name, what it is, and the table it prints; --help, the man page and --list lists show the
// entries, so a list is added (or renamed) in this table alone.
#include <string>

#include "cli/options.hpp"
#include "common/error.hpp"
#include "common/fault.hpp"
#include "common/table.hpp"
#include "placement/plan.hpp"
#include "placement/topology.hpp"
#include "report/csv.hpp"
#include "report/latency_report.hpp"
#include "runners/commands.hpp"
#include "runners/noise.hpp"

namespace shmcount {
namespace {

using Row = std::vector<std::string>;

// A table of `entries` with a name and a description.
template <class Entries>
ListTable names_and_descriptions(const Entries& entries) {
  ListTable t{{"name", "description"}, {}};
  for (const auto& e : entries)
    t.rows.push_back(Row{std::string(e.name), std::string(e.description)});
  return t;
}

std::span<const Listing> lists();

const Listing kLists[] = {
    {"columns", "the CSV columns, with what each holds",
     [] {
       ListTable t{{"name", "description"}, {}};
       for (const auto& c : csv_schema()) t.rows.push_back(Row{std::string(c.name), describe(c)});
       return t;
     }},
    {"latency-columns", "the CSV columns of a latency map (--latency)",
     [] { return names_and_descriptions(latency_csv_schema()); }},
    {"kernels", "the counting kernels",
     [] {
       ListTable t{{"name", "algorithm", "description"}, {}};
       for (const auto& k : kernel_table()) {
         t.rows.push_back(
             Row{std::string(k.name), std::string(k.algorithm), std::string(k.description)});
       }
       t.rows.push_back(Row{"plugin:PATH[:SYMBOL]", "its own",
                            "a kernel of your own: a shared object with the C interface of "
                            "shmcount/kernel.h (SYMBOL defaults to shmcount_kernel)"});
       return t;
     }},
    {"strategies", "the --pin strategies", [] { return names_and_descriptions(strategy_table()); }},
    {"mechanisms", "the --share mechanisms",
     [] { return names_and_descriptions(mechanism_table()); }},
    {"counts", "where the ranks' counts live (--counts)",
     [] {
       ListTable t{{"name", "memory", "description"}, {}};
       for (const auto& c : counts_table()) {
         t.rows.push_back(Row{std::string(c.name), c.in_shared_memory ? "shared" : "private",
                              std::string(c.description)});
       }
       return t;
     }},
    {"pages", "the page kinds --pages asks for",
     [] { return names_and_descriptions(page_kind_table()); }},
    {"touch", "who writes the array first (--touch)",
     [] { return names_and_descriptions(touch_table()); }},
    {"patterns", "the data --pattern fills the array with",
     [] { return names_and_descriptions(pattern_table()); }},
    {"formats", "the output formats of --plan (--format)",
     [] { return names_and_descriptions(format_table()); }},
    {"axes", "the options a sweep can vary, with defaults and values",
     [] {
       ListTable t{{"axis", "option", "default", "values"}, {}};
       for (const auto& a : run_axes()) {
         t.rows.push_back(
             Row{std::string(a.name), std::string(a.flag), a.default_value, a.choices});
       }
       return t;
     }},
    {"limits", "the largest value each number option takes (what the sweep checks against)",
     [] {
       ListTable t{{"option", "max"}, {}};
       for (const auto& [flag, max] :
            std::initializer_list<std::pair<std::string_view, std::uint64_t>>{
                {"--size", kMaxSize},
                {"--values", kMaxValues},
                {"--reps", kMaxReps},
                {"--warmup", kMaxReps},
                {"--ranks", kMaxPlanRanks},
                {"--time-limit", kMaxTimeLimit},
                {"--samples", kMaxSamples},
                {"--round-trips", kMaxRoundTrips},
                {"--rounds", kMaxRounds}}) {
         t.rows.push_back(Row{std::string(flag), std::to_string(max)});
       }
       return t;
     }},
    {"noise", "what is recorded about noise with every run",
     [] {
       ListTable t{{"name", "when", "description"}, {}};
       for (const auto& n : noise_sources()) {
         t.rows.push_back(Row{std::string(n.name),
                              n.when == NoiseWhen::kBefore ? "before" : "after",
                              std::string(n.description)});
       }
       return t;
     }},
    {"topologies", "the hwloc topologies shipped with shmcount, for --topology NAME",
     [] {
       ListTable t{{"name", "machine", "file"}, {}};
       for (const auto& [name, path] : bundled_topologies()) {
         std::string shape;
         try {
           shape = Topology::from_spec(path).view().summary;
         } catch (const Error& e) {
           shape = std::string("unreadable: ") + e.what();
         }
         t.rows.push_back(Row{name, shape, path});
       }
       return t;
     }},
    {"faults", "the calls SHMCOUNT_FAULT can make fail, for fault-injection tests",
     [] {
       ListTable t{{"call", "where"}, {}};
       for (const auto& f : fault_calls())
         t.rows.push_back(Row{std::string(f.name), std::string(f.where)});
       return t;
     }},
    {"lists", "what --list lists (this table)", [] { return names_and_descriptions(lists()); }},
#ifdef SHMCOUNT_TEST_ENTRIES
#include "tests/extension/list_entry.inc"
#endif
};

std::span<const Listing> lists() { return kLists; }

}  // namespace

std::span<const Listing> list_table() { return kLists; }

std::string list_text(const std::string& what) {
  const ListTable table = entry_or_refuse(kLists, "--list", what, "list").table();
  std::string out;
  auto line = [&](const Row& cells) {
    out += joined(cells, "\t");
    out += '\n';
  };
  line(table.header);
  for (const auto& row : table.rows) line(row);
  return out;
}

}  // namespace shmcount

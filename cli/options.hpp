// Command-line options: parsed once, before MPI starts, into one immutable value. The run's
// parameters come from one table (cli/params.hpp), the other options from a second one in
// options.cpp; both drive the parser and --help, so they cannot drift apart.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kernels/dataset.hpp"
#include "kernels/kernels.hpp"
#include "memory/counts.hpp"
#include "memory/mechanisms.hpp"
#include "memory/request.hpp"
#include "placement/pairs.hpp"
#include "placement/plan.hpp"

namespace shmcount {

// The version, from the build (CMakeLists.txt reads it from CITATION.cff).
#ifndef SHMCOUNT_VERSION
#error "SHMCOUNT_VERSION comes from the build: link the cli library"
#endif
inline constexpr std::string_view kShmcountVersion = SHMCOUNT_VERSION;

// What shmcount does: a counting run, a latency map (--latency), the pairs such a map would
// measure (--plan --latency), or one of the commands that start no job.
enum class Action { kRun, kLatency, kPlan, kLatencyPlan, kDomains, kList, kHelp, kVersion };
enum class PlanFormat { kTable, kCsv };

// The latency map's parameters (--latency; cli/params.cpp): which pairs of PUs, how many samples
// of how many round trips each, spread over how many rounds, in an order from which seed.
struct LatencyOptions {
  PairSpec pairs;
  std::uint64_t samples = 300;       // Per pair, both directions together (nviennot's 300).
  std::uint64_t round_trips = 1000;  // Per sample (nviennot's 1000).
  std::uint64_t rounds = 3;          // Each round visits every pair once, in a fresh order.
  std::uint64_t order_seed = 1;      // Seed of the rounds' orders.
};

struct Options {
  Action action = Action::kRun;
  DataSpec data;
  const KernelInfo* kernel = &kernel_table().front();
  std::uint64_t reps = 10;
  std::uint64_t warmup = 1;
  bool baseline = true;
  Strategy pin = parse_strategy("core");
  const Mechanism* share = &mechanism_table().front();
  PageKind pages = PageKind::kSmall;
  TouchKind touch = TouchKind::kLeader;
  MemPolicy mempolicy;
  const CountsMode* counts = &counts_table().front();
  LatencyOptions latency;
#ifdef SHMCOUNT_TEST_ENTRIES
  std::string tag = "none";  // --tag: the extension test's parameter (tests/extension).
#endif
  std::string output;              // CSV path; empty: a new file under results/.
  std::uint64_t time_limit_s = 0;  // 0: none.
  bool progress = false;           // Progress on stderr even when it is not a terminal.
  bool quiet = false;              // Print only errors.
  // --plan only.
  std::uint64_t plan_ranks = 0;
  std::string topology;  // --plan and --domains.
  PlanFormat format = PlanFormat::kTable;
  std::string list_what;     // --list: what to list.
  std::string command_line;  // The full command line, for the run context.
};

// A parameter a sweep may vary (cli/params.hpp): its name in a sweep, its flag, its default (as
// printed, so that parsing it gives the default back), and the values it takes (space-separated;
// empty for numbers).
struct Axis {
  std::string_view name;
  std::string_view flag;
  std::string default_value;
  std::string choices;
};
std::vector<Axis> run_axes();

// What --list prints: a header line and rows of cells, tab-separated.
struct ListTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

// One thing --list lists: its name, what it is (--help, the man page, --list lists) and the table
// it prints. Every listing is one entry of list_table() (runners/list_command.cpp), so a name
// cannot be listed without what it prints.
struct Listing {
  std::string_view name;
  std::string_view description;
  ListTable (*table)();
};

// Limits of the values options accept (also printed by --help).
inline constexpr std::uint64_t kMaxSize = 1ULL << 34;    // Elements: 64 GiB of int32.
inline constexpr std::uint64_t kMaxValues = 1ULL << 24;  // Count arrays stay small per rank.
inline constexpr std::uint64_t kMaxReps = 1'000'000;
inline constexpr std::uint64_t kMaxPlanRanks = 1 << 16;
inline constexpr std::uint64_t kMaxTimeLimit = 10'000'000;  // Seconds (115 days).
inline constexpr std::uint64_t kMaxSamples = 1'000'000;
inline constexpr std::uint64_t kMaxRoundTrips = 10'000'000;
inline constexpr std::uint64_t kMaxRounds = 1000;

// The values of --format, one entry each: its name, what it is (--help, the man page, --list
// formats).
std::span<const NamedValue<PlanFormat>> format_table();

// Parses argv[1..]. Throws Error with one clear message (what was wrong, what is allowed).
Options parse_options(std::span<const std::string_view> args);

// --help text: usage, every option with its default, the tables (`lists`: what --list lists),
// then examples.
std::string help_text(std::span<const Listing> lists);

// The manual page (roff, man(7)) from the same tables as --help: every run parameter, option,
// kernel, strategy, mechanism, counts mode and list, the exit statuses and the examples. The
// build writes it to man/shmcount.1 (shmcount_man).
std::string man_page(std::span<const Listing> lists);

}  // namespace shmcount

// The option parser: defaults, every option, and one clear message for each kind of bad input.
#include "cli/options.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli/params.hpp"
#include "common/error.hpp"
#include "common/table.hpp"
#include "memory/counts.hpp"

namespace shmcount {
namespace {

Options parse(std::vector<std::string_view> args) { return parse_options(args); }

// The message of the Error that parsing `args` throws; fails the test when none is thrown.
std::string error_of(std::vector<std::string_view> args) {
  try {
    parse_options(args);
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

TEST(Options, DefaultsAreTheArticlesExperiment) {
  const Options o = parse({});
  EXPECT_EQ(o.action, Action::kRun);
  EXPECT_EQ(o.data.size, 200'000u);
  EXPECT_EQ(o.data.values, 1'000u);
  EXPECT_EQ(o.data.pattern, Pattern::kSeed);
  EXPECT_EQ(o.kernel->name, "naive");
  EXPECT_EQ(o.reps, 10u);
  EXPECT_EQ(o.warmup, 1u);
  EXPECT_TRUE(o.baseline);
  EXPECT_EQ(o.pin.info->name, "core");
  EXPECT_TRUE(o.output.empty());
}

TEST(Options, EveryOptionSetsItsField) {
  const Options o = parse({"--size", "1000", "--values=10", "--kernel", "blocked", "--pattern",
                           "random", "--seed", "9", "--reps", "3", "--warmup", "0", "--no-baseline",
                           "--pin", "list:1,0", "--output", "x.csv"});
  EXPECT_EQ(o.data.size, 1000u);
  EXPECT_EQ(o.data.values, 10u);
  EXPECT_EQ(o.kernel->name, "blocked");
  EXPECT_EQ(o.data.pattern, Pattern::kRandom);
  EXPECT_EQ(o.data.seed, 9u);
  EXPECT_EQ(o.reps, 3u);
  EXPECT_EQ(o.warmup, 0u);
  EXPECT_FALSE(o.baseline);
  EXPECT_EQ(o.pin.info->name, "list");
  EXPECT_EQ(o.pin.list, (std::vector<int>{1, 0}));
  EXPECT_EQ(o.output, "x.csv");
  EXPECT_EQ(o.command_line,
            "shmcount --size 1000 --values=10 --kernel blocked --pattern random --seed 9 --reps 3 "
            "--warmup 0 --no-baseline --pin list:1,0 --output x.csv");
}

TEST(Options, PlanOptions) {
  const Options o = parse({"--plan", "--ranks", "4", "--topology", "pack:2 core:2 pu:2", "--format",
                           "csv", "--pin", "scatter"});
  EXPECT_EQ(o.action, Action::kPlan);
  EXPECT_EQ(o.plan_ranks, 4u);
  EXPECT_EQ(o.topology, "pack:2 core:2 pu:2");
  EXPECT_EQ(o.format, PlanFormat::kCsv);
}

TEST(Options, DomainsTakeATopology) {
  EXPECT_EQ(parse({"--domains"}).action, Action::kDomains);
  const Options o = parse({"--domains", "--topology", "pack:2 core:2 pu:2"});
  EXPECT_EQ(o.action, Action::kDomains);
  EXPECT_EQ(o.topology, "pack:2 core:2 pu:2");
}

TEST(Options, HelpAndVersionWinOverEverything) {
  EXPECT_EQ(parse({"--help", "--bogus"}).action, Action::kHelp);
  EXPECT_EQ(parse({"-h"}).action, Action::kHelp);
  EXPECT_EQ(parse({"--version"}).action, Action::kVersion);
}

TEST(Options, BadValuesSayWhatIsAllowed) {
  EXPECT_NE(error_of({"--size", "0"}).find("from 1 to"), std::string::npos);
  EXPECT_NE(error_of({"--size", "-5"}).find("--size '-5'"), std::string::npos);
  EXPECT_NE(error_of({"--size", "12abc"}).find("whole number"), std::string::npos);
  EXPECT_NE(error_of({"--size", "99999999999999999999999"}).find("whole number"),
            std::string::npos);
  EXPECT_NE(error_of({"--size", ""}).find("whole number"), std::string::npos);
  EXPECT_NE(error_of({"--values", "0"}).find("--values"), std::string::npos);
  EXPECT_NE(error_of({"--values", "16777217"}).find("16777216"), std::string::npos);
  EXPECT_NE(error_of({"--reps", "0"}).find("--reps"), std::string::npos);
  EXPECT_NE(error_of({"--kernel", "fast"}).find("naive, scalar, blocked, histogram"),
            std::string::npos);
  EXPECT_NE(error_of({"--pattern", "zigzag"}).find("unknown pattern; use one of seed, random"),
            std::string::npos);
  EXPECT_NE(error_of({"--pin", "everywhere"}).find("unknown strategy"), std::string::npos);
  EXPECT_NE(error_of({"--pin", "scater"}).find("(did you mean scatter?)"), std::string::npos);
  EXPECT_EQ(error_of({"--pin", "everywhere"}).find("did you mean"), std::string::npos);
  EXPECT_NE(error_of({"--format", "xml", "--plan"}).find("unknown format; use one of table, csv"),
            std::string::npos);
  EXPECT_NE(error_of({"--output", ""}).find("empty"), std::string::npos);
}

// Every table refuses an unknown name in the same words, with the nearest name when one is near.
TEST(Options, EveryTableRefusesInOneWay) {
  for (const auto& [flag, value, kind, near] :
       std::vector<std::array<std::string_view, 4>>{{"--kernel", "histogam", "kernel", "histogram"},
                                                    {"--share", "posx", "mechanism", "posix"},
                                                    {"--counts", "paded", "counts mode", "padded"},
                                                    {"--pages", "thq", "page kind", "thp"},
                                                    {"--touch", "rank", "toucher", "ranks"},
                                                    {"--pattern", "randon", "pattern", "random"},
                                                    {"--format", "cvs", "format", "csv"},
                                                    {"--pin", "scater", "strategy", "scatter"}}) {
    const std::string message = error_of({flag, value});
    const std::string expected = std::string(flag) + " '" + std::string(value) + "': unknown " +
                                 std::string(kind) + " (did you mean " + std::string(near) +
                                 "?); use one of ";
    EXPECT_EQ(message.substr(0, expected.size()), expected) << message;
  }
  const std::vector<std::string> names = entry_names(counts_table());
  EXPECT_EQ(names_text(names), "private, shared, packed, padded");
  EXPECT_EQ(find_entry(counts_table(), "packed"), &counts_table()[2]);
  EXPECT_EQ(find_entry(counts_table(), "Packed"), nullptr);
  EXPECT_EQ(shown(std::string(50, 'x')), "'" + std::string(40, 'x') + "...'");
}

TEST(Options, MissingValuesUnknownOptionsAndRepeats) {
  EXPECT_NE(error_of({"--size"}).find("needs a value"), std::string::npos);
  EXPECT_NE(error_of({"--sizes", "3"}).find("unknown option '--sizes'"), std::string::npos);
  EXPECT_NE(error_of({"extra"}).find("unknown option 'extra'"), std::string::npos);
  EXPECT_NE(error_of({"--sizes", "3"}).find("did you mean --size?"), std::string::npos);
  EXPECT_NE(error_of({"--output-dir", "x"}).find("did you mean --output?"), std::string::npos);
  EXPECT_EQ(error_of({"--bogus"}).find("did you mean"), std::string::npos);
  EXPECT_NE(error_of({"--reps", "2", "--reps", "3"}).find("given twice"), std::string::npos);
  EXPECT_NE(error_of({"--no-baseline=1"}).find("takes no value"), std::string::npos);
}

TEST(Options, ConflictsAreRefused) {
  EXPECT_NE(error_of({"--seed", "3"}).find("--pattern random"), std::string::npos);
  EXPECT_NE(error_of({"--topology", "pack:2 pu:2"}).find("only works with --plan"),
            std::string::npos);
  EXPECT_NE(error_of({"--ranks", "2"}).find("only works with --plan"), std::string::npos);
  EXPECT_NE(error_of({"--format", "csv"}).find("only works with --plan"), std::string::npos);
  EXPECT_NE(error_of({"--domains", "--ranks", "2"}).find("--ranks only works with --plan"),
            std::string::npos);
  EXPECT_NE(error_of({"--plan", "--domains"}).find("give one of them"), std::string::npos);
}

TEST(Options, VeryLongArgumentsAreCutInMessages) {
  const std::string huge(100'000, '7');
  EXPECT_LT(error_of({"--size", huge}).size(), 200u);
  const std::string junk(100'000, 'x');
  EXPECT_LT(error_of({junk}).size(), 200u);
}

TEST(Options, HelpListsEveryOptionKernelStrategyAndExamples) {
  const std::string help = help_text({});
  for (const char* flag : {"--size", "--values", "--kernel", "--pattern", "--seed", "--reps",
                           "--warmup", "--no-baseline", "--pin", "--output", "--plan", "--domains",
                           "--ranks", "--topology", "--format", "--help", "--version"}) {
    EXPECT_NE(help.find(flag), std::string::npos) << flag;
  }
  for (const auto& k : kernel_table()) EXPECT_NE(help.find(k.name), std::string::npos);
  for (const auto& s : strategy_table()) EXPECT_NE(help.find(s.name), std::string::npos);
  EXPECT_NE(help.find("Examples:"), std::string::npos);
  EXPECT_NE(help.find("[200000]"), std::string::npos);
}

TEST(Latency, IsAnActionOfItsOwnWithItsParameters) {
  const Options o = parse({"--latency"});
  EXPECT_EQ(o.action, Action::kLatency);
  EXPECT_EQ(o.latency.pairs.mode, PairMode::kAll);
  EXPECT_EQ(o.latency.samples, 300u);
  EXPECT_EQ(o.latency.round_trips, 1000u);
  EXPECT_EQ(o.latency.rounds, 3u);
  const Options set = parse({"--latency", "--pairs", "0:8,1:9", "--samples", "40", "--round-trips",
                             "200", "--rounds", "2", "--order-seed", "9", "--share", "posix"});
  EXPECT_EQ(set.latency.pairs.mode, PairMode::kPairList);
  EXPECT_EQ(set.latency.samples, 40u);
  EXPECT_EQ(set.latency.round_trips, 200u);
  EXPECT_EQ(set.latency.rounds, 2u);
  EXPECT_EQ(set.latency.order_seed, 9u);
  EXPECT_EQ(set.share->name, "posix");
  EXPECT_EQ(group_options(ParamGroup::kLatency, set),
            "--pairs 0:8,1:9 --samples 40 --round-trips 200 --rounds 2 --order-seed 9");
  // The memory group of a map is --share alone: the counting run's memory options are not its.
  EXPECT_EQ(group_options(ParamGroup::kMemory, set), "--share posix");
  // --plan with --latency, in either order, prints the pairs.
  EXPECT_EQ(parse({"--plan", "--latency"}).action, Action::kLatencyPlan);
  EXPECT_EQ(parse({"--latency", "--plan", "--topology", "pack:2 core:2"}).action,
            Action::kLatencyPlan);
  EXPECT_EQ(parse({"--plan", "--latency", "--format", "csv"}).format, PlanFormat::kCsv);
}

TEST(Latency, TheOtherKindOfRunsOptionsAreRefused) {
  EXPECT_NE(error_of({"--latency", "--kernel", "blocked"})
                .find("--kernel is an option of counting runs: --latency bounces one cache line"),
            std::string::npos);
  for (const char* flag : {"--size", "--reps", "--pin", "--pages", "--counts", "--warmup"}) {
    const std::string value = std::string(flag) == "--pin"      ? "core"
                              : std::string(flag) == "--pages"  ? "small"
                              : std::string(flag) == "--counts" ? "private"
                                                                : "5";
    EXPECT_NE(error_of({"--latency", flag, value}).find("is an option of counting runs"),
              std::string::npos)
        << flag;
  }
  EXPECT_NE(error_of({"--latency", "--no-baseline"}).find("is an option of counting runs"),
            std::string::npos);
  EXPECT_EQ(error_of({"--pairs", "all"}), "--pairs only works with --latency");
  EXPECT_EQ(error_of({"--samples", "10"}), "--samples only works with --latency");
  EXPECT_NE(error_of({"--latency", "--share", "private"})
                .find("the two ranks must share the bounced line; use --share sysv, posix or "
                      "window"),
            std::string::npos);
  EXPECT_NE(error_of({"--latency", "--samples", "5", "--rounds", "3"})
                .find("use --samples 6 or more, or fewer rounds"),
            std::string::npos);
  EXPECT_NE(error_of({"--latency", "--plan", "--ranks", "2"}).find("the map always runs 2 ranks"),
            std::string::npos);
  EXPECT_NE(error_of({"--latency", "--domains"}).find("is a command of its own"),
            std::string::npos);
  EXPECT_NE(error_of({"--list", "columns", "--latency"}).find("is a command of its own"),
            std::string::npos);
  EXPECT_NE(error_of({"--latency", "--topology", "pack:2"}).find("only works with --plan"),
            std::string::npos);
  EXPECT_NE(error_of({"--latency", "--pairs", "0,0"}).find("listed twice"), std::string::npos);
  EXPECT_NE(error_of({"--latency", "--round-trips", "0"}).find("from 1 to 10000000"),
            std::string::npos);
}

TEST(Latency, HelpListsTheMapsParametersInTheirOwnSection) {
  const std::string help = help_text({});
  const auto section = help.find("The latency map (mpirun -np 2 shmcount --latency");
  ASSERT_NE(section, std::string::npos);
  for (const char* flag : {"--pairs", "--samples", "--round-trips", "--rounds", "--order-seed"}) {
    EXPECT_NE(help.find("\n  " + std::string(flag) + " ", section), std::string::npos) << flag;
  }
  EXPECT_NE(help.find("--latency "), std::string::npos);
}

// Every parameter of the table, printed with no option given, parses back to the same value: the
// default that --help, --list axes and the man page show is the one a run gets.
TEST(Params, EveryPrintedDefaultParsesBackToTheDefault) {
  const Options none = parse({});
  for (const auto& p : param_table()) {
    const std::string text = p.print(none);
    EXPECT_EQ(text, default_text(p)) << p.flag;
    std::vector<std::string_view> args{p.flag};
    if (p.type != ParamType::kFlag) {
      args.push_back(text);
    } else {
      continue;  // A flag turns its default off: it has no printed value to give.
    }
    // --seed only works with --pattern random; give it a context where it applies.
    if (p.applies && !p.applies(none)) args.insert(args.end(), {"--pattern", "random"});
    // The latency map's parameters work with --latency only.
    if (!(p.runs & kCountingRuns)) args.push_back("--latency");
    const Options o = parse(args);
    EXPECT_EQ(p.print(o), text) << p.flag;
  }
}

// --list axes is the table's axes, with the defaults a run really gets.
TEST(Params, AxesAreTheTablesWithTheRealDefaults) {
  const Options none = parse({});
  std::vector<std::string_view> from_table;
  for (const auto& p : param_table()) {
    if (p.axis) from_table.push_back(p.name);
  }
  const auto axes = run_axes();
  ASSERT_EQ(axes.size(), from_table.size());
  for (std::size_t i = 0; i < axes.size(); ++i) {
    EXPECT_EQ(axes[i].name, from_table[i]);
    const Param* p = find_param(axes[i].flag);
    ASSERT_NE(p, nullptr) << axes[i].flag;
    EXPECT_EQ(axes[i].default_value, p->print(none));
    // Every listed choice that is a plain name parses (LIST, L0,..., PATH are placeholders).
    std::istringstream choices(axes[i].choices);
    for (std::string choice; choices >> choice;) {
      if (std::any_of(choice.begin(), choice.end(), [](char c) { return std::isupper(c); }))
        continue;
      EXPECT_NO_THROW(parse({axes[i].flag, choice})) << axes[i].flag << " " << choice;
    }
  }
}

// Each parameter is set by its own flag and printed back as given.
TEST(Params, EachFlagSetsWhatItPrints) {
  const std::vector<std::pair<const char*, const char*>> given{
      {"--kernel", "blocked"}, {"--size", "1234"},    {"--values", "7"},
      {"--pattern", "random"}, {"--seed", "99"},      {"--reps", "4"},
      {"--warmup", "0"},       {"--pin", "list:1,0"}, {"--share", "posix"},
      {"--pages", "thp"},      {"--touch", "ranks"},  {"--mempolicy", "interleave:0"}};
  std::vector<std::string_view> args;
  for (const auto& [flag, value] : given) args.insert(args.end(), {flag, value});
  args.push_back("--no-baseline");
  const Options o = parse(args);
  for (const auto& [flag, value] : given) EXPECT_EQ(find_param(flag)->print(o), value) << flag;
  EXPECT_EQ(find_param("--no-baseline")->print(o), "false");
  EXPECT_EQ(as_option(*find_param("--no-baseline"), o), "--no-baseline");
  EXPECT_EQ(as_option(*find_param("--no-baseline"), parse({})), "");
  EXPECT_EQ(as_option(*find_param("--seed"), parse({})), "") << "no seed without random data";
  EXPECT_EQ(group_options(ParamGroup::kMemory, parse({})),
            "--share sysv --pages small --touch leader --mempolicy default --counts private");
}

TEST(Params, FlagsAndKeysAreUnique) {
  std::set<std::string_view> flags, keys, names;
  for (const auto& p : param_table()) {
    EXPECT_TRUE(flags.insert(p.flag).second) << p.flag;
    EXPECT_TRUE(keys.insert(p.key).second) << p.key;
    EXPECT_TRUE(names.insert(p.name).second) << p.name;
    EXPECT_FALSE(p.description.empty()) << p.flag;
    EXPECT_EQ(p.metavar.empty(), p.type == ParamType::kFlag) << p.flag;
  }
}

}  // namespace
}  // namespace shmcount

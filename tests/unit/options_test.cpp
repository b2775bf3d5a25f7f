// The option parser: defaults, every option, and one clear message for each kind of bad input.
#include "cli/options.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/error.hpp"

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
  EXPECT_EQ(o.pin.kind, StrategyKind::kCore);
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
  EXPECT_EQ(o.pin.kind, StrategyKind::kList);
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
  EXPECT_NE(error_of({"--pattern", "zigzag"}).find("seed or random"), std::string::npos);
  EXPECT_NE(error_of({"--pin", "everywhere"}).find("unknown strategy"), std::string::npos);
  EXPECT_NE(error_of({"--format", "xml", "--plan"}).find("table or csv"), std::string::npos);
  EXPECT_NE(error_of({"--output", ""}).find("empty"), std::string::npos);
}

TEST(Options, MissingValuesUnknownOptionsAndRepeats) {
  EXPECT_NE(error_of({"--size"}).find("needs a value"), std::string::npos);
  EXPECT_NE(error_of({"--sizes", "3"}).find("unknown option '--sizes'"), std::string::npos);
  EXPECT_NE(error_of({"extra"}).find("unknown option 'extra'"), std::string::npos);
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
  const std::string help = help_text();
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

}  // namespace
}  // namespace shmcount

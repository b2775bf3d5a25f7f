#include "options.hpp"

#include <algorithm>
#include <array>
#include <set>
#include <sstream>

#include "cli/params.hpp"
#include "common/error.hpp"
#include "common/parse.hpp"

namespace shmcount {
namespace {

using Setter = void (*)(Options&, std::string_view value, std::string_view flag);

struct OptionSpec {
  std::string_view flag;
  std::string_view metavar;  // Empty for a flag without a value.
  std::string_view default_text;
  std::string_view help;
  Setter set;
};

std::uint64_t number(std::string_view value, std::string_view flag, std::uint64_t min,
                     std::uint64_t max) {
  const auto n = parse_u64(value);
  if (!n || *n < min || *n > max) {
    throw UsageError(std::string(flag) + " '" + std::string(value.substr(0, 40)) +
                     (value.size() > 40 ? "...'" : "'") + ": expected a whole number from " +
                     std::to_string(min) + " to " + std::to_string(max));
  }
  return *n;
}

constexpr std::array kOptions{
    OptionSpec{"--output", "PATH", "results/shmcount-<run id>.csv",
               "CSV file to create (never overwritten); the run context goes to PATH's .json",
               [](Options& o, std::string_view v, std::string_view f) {
                 if (v.empty()) throw UsageError(std::string(f) + ": the path is empty");
                 o.output = std::string(v);
               }},
    OptionSpec{"--time-limit", "SECONDS", "none",
               "end the job, with one message and nothing left, if it runs longer (a rank "
               "paused by SIGSTOP, a debugger or swapping)",
               [](Options& o, std::string_view v, std::string_view f) {
                 o.time_limit_s = number(v, f, 1, kMaxTimeLimit);
               }},
    OptionSpec{"--progress", "", "on a terminal",
               "show progress on stderr (phase, repetition, elapsed) once a run takes 2 s, even "
               "when stderr is not a terminal",
               [](Options& o, std::string_view, std::string_view) { o.progress = true; }},
    OptionSpec{"--quiet", "", "", "print only errors: no header, progress or summary",
               [](Options& o, std::string_view, std::string_view) { o.quiet = true; }},
    OptionSpec{"--plan", "", "off",
               "print the placement plan (with --latency: the pairs) and exit: no job, no "
               "segment, no kernel",
               [](Options& o, std::string_view, std::string_view) {
                 o.action = o.action == Action::kLatency ? Action::kLatencyPlan : Action::kPlan;
               }},
    OptionSpec{"--latency", "", "off",
               "measure the core-to-core latency map instead of counting: 2 ranks on one node "
               "bounce one cache line for every pair of PUs (its options above)",
               [](Options& o, std::string_view, std::string_view) {
                 o.action = o.action == Action::kPlan ? Action::kLatencyPlan : Action::kLatency;
               }},
    OptionSpec{"--domains", "", "off",
               "print the node's domains (packages, NUMA nodes, L3, L2, cores) with their PUs, "
               "marking those ranks may not use, and exit",
               [](Options& o, std::string_view, std::string_view) { o.action = Action::kDomains; }},
    OptionSpec{"--list", "WHAT", "-",
               "print WHAT (below) tab-separated with a header line, and exit: what scripts "
               "read instead of keeping copies",
               [](Options& o, std::string_view v, std::string_view f) {
                 for (const auto& [name, help] : kListables) {
                   if (v == name) {
                     o.action = Action::kList;
                     o.list_what = std::string(v);
                     return;
                   }
                 }
                 std::string names;
                 for (const auto& [name, help] : kListables) {
                   names += (names.empty() ? "" : ", ") + std::string(name);
                 }
                 throw UsageError(std::string(f) + " '" + std::string(v.substr(0, 40)) +
                                  "': use one of " + names);
               }},
    OptionSpec{"--ranks", "N", "-", "ranks to plan for (with --plan, outside mpirun)",
               [](Options& o, std::string_view v, std::string_view f) {
                 o.plan_ranks = number(v, f, 1, kMaxPlanRanks);
               }},
    OptionSpec{"--topology", "XML|SYN", "this machine",
               "plan for, or list the domains of, an hwloc XML file or synthetic string (with "
               "--plan or --domains)",
               [](Options& o, std::string_view v, std::string_view f) {
                 if (v.empty()) throw UsageError(std::string(f) + ": the topology is empty");
                 o.topology = std::string(v);
               }},
    OptionSpec{"--format", "F", "table", "--plan output: table or csv",
               [](Options& o, std::string_view v, std::string_view f) {
                 if (v == "table") {
                   o.format = PlanFormat::kTable;
                 } else if (v == "csv") {
                   o.format = PlanFormat::kCsv;
                 } else {
                   throw UsageError(std::string(f) + " '" + std::string(v) + "': use table or csv");
                 }
               }},
    OptionSpec{"--help", "", "", "print this help and exit",
               [](Options& o, std::string_view, std::string_view) { o.action = Action::kHelp; }},
    OptionSpec{"--version", "", "", "print the version and exit",
               [](Options& o, std::string_view, std::string_view) { o.action = Action::kVersion; }},
};

const OptionSpec* find_option(std::string_view flag) {
  for (const auto& spec : kOptions) {
    if (spec.flag == flag) return &spec;
  }
  return nullptr;
}

// The options of the other kind of run are refused: a latency map has none of the counting, and
// a counting run none of the map's parameters.
void check_run_kind(const Options& o, const std::set<std::string_view>& given) {
  const bool latency = given.count("--latency") > 0;
  for (std::string_view flag : {"--domains", "--list", "--ranks"}) {
    if (!latency || !given.count(flag)) continue;
    throw UsageError(std::string(flag) + (flag == "--ranks"
                                              ? " does not apply to --latency: the map always "
                                                "runs 2 ranks, one on each PU of a pair"
                                              : " is a command of its own; give it without "
                                                "--latency"));
  }
  std::string latency_flags;
  for (const auto& p : param_table()) {
    if (p.runs & kLatencyRuns) {
      latency_flags += (latency_flags.empty() ? "" : ", ") + std::string(p.flag);
    }
  }
  for (const auto& p : param_table()) {
    if (!given.count(p.flag) || belongs_to(p, o)) continue;
    if (latency) {
      throw UsageError(std::string(p.flag) +
                       " is an option of counting runs: --latency bounces one cache line "
                       "between two PUs and counts nothing; its options are " +
                       latency_flags);
    }
    throw UsageError(std::string(p.flag) + " only works with --latency");
  }
  if (!latency) return;
  if (!o.share->shared) {
    throw UsageError("--latency --share " + std::string(o.share->name) +
                     ": the two ranks must share the bounced line; use --share sysv, posix or "
                     "window");
  }
  if (o.latency.samples < 2 * o.latency.rounds) {
    throw UsageError("--samples " + std::to_string(o.latency.samples) + " with --rounds " +
                     std::to_string(o.latency.rounds) +
                     ": every round takes at least one sample in each direction of every pair; "
                     "use --samples " +
                     std::to_string(2 * o.latency.rounds) + " or more, or fewer rounds");
  }
}

// Options that only make sense together, checked once every option is known.
void check_combinations(const Options& o, const std::set<std::string_view>& given) {
  const bool plan = o.action == Action::kPlan || o.action == Action::kLatencyPlan;
  int commands = 0;
  for (std::string_view flag : {"--plan", "--domains", "--list"})
    commands += given.count(flag) ? 1 : 0;
  if (commands > 1) {
    throw UsageError("--plan, --domains and --list are separate commands; give one of them");
  }
  check_run_kind(o, given);
  for (std::string_view flag : {"--ranks", "--format"}) {
    if (given.count(flag) && !plan) throw UsageError(std::string(flag) + " only works with --plan");
  }
  if (given.count("--topology") && !plan && o.action != Action::kDomains) {
    throw UsageError(
        "--topology only works with --plan or --domains (binding on a foreign topology would be "
        "a lie)");
  }
  if (o.quiet && o.progress) throw UsageError("--quiet and --progress contradict each other");
  if (o.pages == PageKind::kHuge && !o.share->huge_pages) {
    throw UsageError("--share " + std::string(o.share->name) +
                     " --pages huge: " + std::string(o.share->no_huge_pages_why));
  }

  if (o.counts->in_shared_memory && !o.share->shared) {
    throw UsageError("--counts " + std::string(o.counts->name) +
                     " puts the counts in memory the node's ranks share, and --share " +
                     std::string(o.share->name) +
                     " gives every rank its own: use --share sysv, posix or window, or --counts "
                     "private");
  }
  if (given.count("--seed") && o.data.pattern != Pattern::kRandom) {
    throw UsageError(
        "--seed only works with --pattern random (the seed pattern has no randomness)");
  }
}

std::string quote_arg(std::string_view arg) {
  if (!arg.empty() && arg.find_first_of(" \t\n'\"\\$`") == std::string_view::npos) {
    return std::string(arg);
  }
  std::string out = "'";
  for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Appends `text` to `out` wrapped at 100 columns, continuation lines indented by `indent`.
void append_wrapped(std::ostringstream& out, const std::string& first, const std::string& text,
                    std::size_t indent) {
  constexpr std::size_t kWidth = 100;
  std::string line = first;
  std::istringstream words(text);
  std::string word;
  bool empty = true;
  while (words >> word) {
    if (!empty && line.size() + 1 + word.size() > kWidth) {
      out << line << '\n';
      line = std::string(indent, ' ');
      empty = true;
    }
    if (!empty) line += ' ';
    line += word;
    empty = false;
  }
  out << line << '\n';
}

}  // namespace

std::vector<Axis> run_axes() {
  std::vector<Axis> out;
  for (const auto& p : param_table()) {
    if (p.axis) out.push_back(Axis{p.name, p.flag, default_text(p), p.choices()});
  }
  return out;
}

Options parse_options(std::span<const std::string_view> args) {
  Options o;
  std::set<std::string_view> given;
  o.command_line = "shmcount";
  for (auto arg : args) o.command_line += " " + quote_arg(arg);

  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    std::string_view value;
    bool has_inline_value = false;
    if (const auto eq = arg.find('='); arg.substr(0, 2) == "--" && eq != std::string_view::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_inline_value = true;
    }
    if (arg == "-h") arg = "--help";
    const Param* param = find_param(arg);
    const OptionSpec* spec = param ? nullptr : find_option(arg);
    if (!param && !spec) {
      throw UsageError("unknown option '" + std::string(arg.substr(0, 60)) +
                       "'; see shmcount --help for the options");
    }
    const std::string_view flag = param ? param->flag : spec->flag;
    const std::string_view metavar = param ? param->metavar : spec->metavar;
    if (given.count(flag) && flag != "--help" && flag != "--version") {
      throw UsageError(std::string(flag) + " is given twice; give it once");
    }
    given.insert(flag);
    if (metavar.empty()) {
      if (has_inline_value) throw UsageError(std::string(flag) + " takes no value");
    } else if (!has_inline_value) {
      if (i + 1 >= args.size()) {
        throw UsageError(std::string(flag) + " needs a value (" + std::string(metavar) + ")");
      }
      value = args[++i];
    }
    if (param) {
      param->parse(o, value);
    } else {
      spec->set(o, value, spec->flag);
    }
    if (o.action == Action::kHelp || o.action == Action::kVersion) return o;
  }
  check_combinations(o, given);
  return o;
}

std::string help_text() {
  std::ostringstream out;
  out << "shmcount " << kShmcountVersion
      << ": how fast do processes that share one array go, and where should they run?\n\n"
         "Usage: mpirun [-np N] shmcount [options]\n"
         "       shmcount --plan --ranks N [--pin S] [--topology XML|SYN] [--format csv]\n"
         "       shmcount --domains [--topology XML|SYN]\n"
         "       mpirun -np 2 shmcount --latency [--pairs P] [--samples S] [--round-trips N]\n"
         "       shmcount --plan --latency [--pairs P] [--topology XML|SYN] [--format csv]\n\n"
         "The ranks of each node share one array of int32 (System V by default: 0600, removed\n"
         "before any kernel runs), pin themselves, count every value 0..V-1 with the kernel,\n"
         "verify the counts, and send their times to rank 0, which prints a summary and writes a\n"
         "CSV and a JSON run context.\n\nWhat to run (recorded with every result):\n";
  auto entry = [&](std::string_view flag, std::string_view metavar, std::string help,
                   const std::string& default_value) {
    std::string left = "  " + std::string(flag);
    if (!metavar.empty()) left += " " + std::string(metavar);
    left.resize(std::max<std::size_t>(left.size() + 1, 22), ' ');
    if (!default_value.empty()) help += " [" + default_value + "]";
    append_wrapped(out, left, help, 22);
  };
  for (const auto& p : param_table()) {
    if (!(p.runs & kCountingRuns)) continue;
    entry(p.flag, p.metavar, std::string(p.description),
          p.type == ParamType::kFlag ? "" : default_text(p));
  }
  out << "\nThe latency map (mpirun -np 2 shmcount --latency [options]; --share as above):\n";
  for (const auto& p : param_table()) {
    if (p.runs == kLatencyRuns)
      entry(p.flag, p.metavar, std::string(p.description), default_text(p));
  }
  out << "\nOutput and other commands:\n";
  for (const auto& spec : kOptions) {
    entry(spec.flag, spec.metavar, std::string(spec.help), std::string(spec.default_text));
  }
  out << "\nLists (--list):\n";
  for (const auto& [name, what] : kListables) {
    std::string left = "  " + std::string(name);
    left.resize(std::max<std::size_t>(left.size() + 1, 14), ' ');
    append_wrapped(out, left, std::string(what), 14);
  }
  out << "\nKernels (--kernel):\n";
  for (const auto& k : kernel_table()) {
    std::string name = "  " + std::string(k.name);
    name.resize(12, ' ');
    append_wrapped(out, name, std::string(k.description), 12);
  }
  out << "\nMechanisms (--share):\n";
  for (const auto& m : mechanism_table()) {
    std::string name = "  " + std::string(m.name);
    name.resize(12, ' ');
    append_wrapped(out, name, std::string(m.description), 12);
  }
  out << "\nStrategies (--pin):\n";
  for (const auto& s : strategy_table()) {
    std::string name = "  " + std::string(s.name);
    name.resize(12, ' ');
    append_wrapped(out, name, std::string(s.description), 12);
  }
  out << "\nExamples:\n"
         "  mpirun -np 8 --oversubscribe shmcount            the article's experiment, 8 ranks\n"
         "  mpirun -np 4 shmcount --pin scatter --reps 20    spread ranks over the machine\n"
         "  mpirun -np 2 shmcount --kernel blocked --no-baseline\n"
         "  mpirun -np 4 shmcount --pattern random --seed 7 --size 1000000 --values 256\n"
         "  mpirun -np 4 shmcount --share posix --touch ranks --size 50000000 --kernel histogram\n"
         "  mpirun -np 4 shmcount --share private --pages huge    (after sysctl vm.nr_hugepages)\n"
         "  shmcount --plan --ranks 4 --pin scatter --topology \"pack:2 core:8 pu:2\"\n"
         "  shmcount --plan --ranks 4 --pin list:core:1,0 --topology \"pack:1 core:4 pu:2\"\n"
         "  shmcount --plan --ranks 4 --pin list:numa:1,3\n"
         "  shmcount --domains --topology tests/data/topologies/dual-2p16c32t-intel.xml\n"
         "  mpirun -np 2 shmcount --latency                   the latency map of every PU pair\n"
         "  mpirun -np 2 shmcount --latency --pairs cores --samples 100\n"
         "  shmcount --plan --latency --pairs domains --topology \"pack:2 l3:4 core:8 pu:2\"\n"
         "\nAs root, Open MPI needs OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1.\n"
         "More ranks than cores needs mpirun --oversubscribe.\n";
  return out.str();
}

}  // namespace shmcount

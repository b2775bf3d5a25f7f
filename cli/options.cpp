#include "options.hpp"

#include <algorithm>
#include <array>
#include <set>
#include <sstream>

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
    OptionSpec{"--size", "N", "200000", "int32 elements in the shared array (one per node)",
               [](Options& o, std::string_view v, std::string_view f) {
                 o.data.size = number(v, f, 1, kMaxSize);
               }},
    OptionSpec{"--values", "V", "1000", "count each value 0..V-1 (the data holds them)",
               [](Options& o, std::string_view v, std::string_view f) {
                 o.data.values = number(v, f, 1, kMaxValues);
               }},
    OptionSpec{"--kernel", "NAME", "naive", "counting kernel (table below)",
               [](Options& o, std::string_view v, std::string_view f) {
                 o.kernel = find_kernel(v);
                 if (!o.kernel) {
                   throw UsageError(std::string(f) + " '" + std::string(v) +
                                    "': unknown kernel; use one of " + kernel_names());
                 }
               }},
    OptionSpec{"--pattern", "P", "seed",
               "data: seed (0..V-1 repeating, as in the article) or random (uniform)",
               [](Options& o, std::string_view v, std::string_view f) {
                 if (!parse_pattern(v, &o.data.pattern)) {
                   throw UsageError(std::string(f) + " '" + std::string(v) +
                                    "': unknown pattern; use seed or random");
                 }
               }},
    OptionSpec{"--seed", "S", "1", "random generator seed (with --pattern random)",
               [](Options& o, std::string_view v, std::string_view f) {
                 o.data.seed = number(v, f, 0, UINT64_MAX);
               }},
    OptionSpec{"--reps", "R", "10", "timed repetitions (all recorded)",
               [](Options& o, std::string_view v, std::string_view f) {
                 o.reps = number(v, f, 1, kMaxReps);
               }},
    OptionSpec{"--warmup", "W", "1", "untimed repetitions before the timed ones",
               [](Options& o, std::string_view v, std::string_view f) {
                 o.warmup = number(v, f, 0, kMaxReps);
               }},
    OptionSpec{"--no-baseline", "", "",
               "skip the sequential baseline (one process doing every rank's unit, on by default)",
               [](Options& o, std::string_view, std::string_view) { o.baseline = false; }},
    OptionSpec{"--pin", "STRATEGY", "core", "where ranks run (strategies below)",
               [](Options& o, std::string_view v, std::string_view) { o.pin = parse_strategy(v); }},
    OptionSpec{"--share", "HOW", "sysv", "how the node's ranks share the array (mechanisms below)",
               [](Options& o, std::string_view v, std::string_view f) {
                 o.share = find_mechanism(v);
                 if (!o.share) {
                   throw UsageError(std::string(f) + " '" + std::string(v.substr(0, 40)) +
                                    "': unknown mechanism; use one of " + mechanism_names());
                 }
               }},
    OptionSpec{"--pages", "KIND", "small",
               "small, huge (reserved huge pages: vm.nr_hugepages) or thp (madvise "
               "MADV_HUGEPAGE); the page size obtained is read back",
               [](Options& o, std::string_view v, std::string_view) { o.pages = parse_pages(v); }},
    OptionSpec{"--touch", "WHO", "leader",
               "who writes the array first, so where its pages land: leader (all of it) or "
               "ranks (each its own contiguous slice)",
               [](Options& o, std::string_view v, std::string_view) { o.touch = parse_touch(v); }},
    OptionSpec{
        "--mempolicy", "P", "default",
        "default, interleave[:LIST] or bind:LIST (logical NUMA nodes), set before the "
        "first touch",
        [](Options& o, std::string_view v, std::string_view) { o.mempolicy = parse_mempolicy(v); }},
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
               "print the placement plan and exit: no job, no segment, no kernel",
               [](Options& o, std::string_view, std::string_view) { o.action = Action::kPlan; }},
    OptionSpec{"--domains", "", "off",
               "print the node's domains (packages, NUMA nodes, L3, L2, cores) with their PUs, "
               "marking those ranks may not use, and exit",
               [](Options& o, std::string_view, std::string_view) { o.action = Action::kDomains; }},
    OptionSpec{"--list", "WHAT", "-",
               "print WHAT (columns, kernels, strategies, axes, noise) tab-separated with a "
               "header line, and exit: what scripts read instead of keeping copies",
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

// The options a sweep varies, by the name a sweep gives the axis.
struct AxisSpec {
  std::string_view name;
  std::string_view flag;
  std::string (*choices)();  // nullptr for numbers.
};
constexpr std::array kAxes{
    AxisSpec{"kernel", "--kernel",
             [] {
               std::string out;
               for (const auto& k : kernel_table())
                 out += (out.empty() ? "" : " ") + std::string(k.name);
               return out;
             }},
    AxisSpec{"pin", "--pin",
             [] {
               std::string out;
               for (const auto& st : strategy_table()) {
                 out += (out.empty() ? "" : " ") + (st.kind == StrategyKind::kList
                                                        ? std::string("list:...")
                                                        : std::string(st.name));
               }
               return out;
             }},
    AxisSpec{"share", "--share",
             [] {
               std::string out;
               for (const auto& m : mechanism_table())
                 out += (out.empty() ? "" : " ") + std::string(m.name);
               return out;
             }},
    AxisSpec{"pages", "--pages", [] { return std::string("small huge thp"); }},
    AxisSpec{"touch", "--touch", [] { return std::string("leader ranks"); }},
    AxisSpec{"mempolicy", "--mempolicy",
             [] { return std::string("default interleave interleave:LIST bind:LIST"); }},
    AxisSpec{"size", "--size", nullptr},
    AxisSpec{"values", "--values", nullptr},
    AxisSpec{"pattern", "--pattern", [] { return std::string("seed random"); }},
};

// Options that only make sense together, checked once every option is known.
void check_combinations(const Options& o, const std::set<std::string_view>& given) {
  const bool plan = o.action == Action::kPlan;
  int commands = 0;
  for (std::string_view flag : {"--plan", "--domains", "--list"})
    commands += given.count(flag) ? 1 : 0;
  if (commands > 1) {
    throw UsageError("--plan, --domains and --list are separate commands; give one of them");
  }
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
  for (const auto& axis : kAxes) {
    out.push_back(Axis{axis.name, axis.flag, find_option(axis.flag)->default_text,
                       axis.choices ? axis.choices() : std::string()});
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
    const OptionSpec* spec = find_option(arg);
    if (!spec) {
      throw UsageError("unknown option '" + std::string(arg.substr(0, 60)) +
                       "'; see shmcount --help for the options");
    }
    if (given.count(spec->flag) && spec->flag != "--help" && spec->flag != "--version") {
      throw UsageError(std::string(spec->flag) + " is given twice; give it once");
    }
    given.insert(spec->flag);
    if (spec->metavar.empty()) {
      if (has_inline_value) throw UsageError(std::string(spec->flag) + " takes no value");
    } else if (!has_inline_value) {
      if (i + 1 >= args.size()) {
        throw UsageError(std::string(spec->flag) + " needs a value (" + std::string(spec->metavar) +
                         ")");
      }
      value = args[++i];
    }
    spec->set(o, value, spec->flag);
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
         "       shmcount --domains [--topology XML|SYN]\n\n"
         "The ranks of each node share one array of int32 (System V by default: 0600, removed\n"
         "before any kernel runs), pin themselves, count every value 0..V-1 with the kernel,\n"
         "verify the counts, and send their times to rank 0, which prints a summary and writes a\n"
         "CSV and a JSON run context.\n\nOptions:\n";
  for (const auto& spec : kOptions) {
    std::string left = "  " + std::string(spec.flag);
    if (!spec.metavar.empty()) left += " " + std::string(spec.metavar);
    left.resize(std::max<std::size_t>(left.size() + 1, 22), ' ');
    std::string help(spec.help);
    if (!spec.default_text.empty()) help += " [" + std::string(spec.default_text) + "]";
    append_wrapped(out, left, help, 22);
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
         "\nAs root, Open MPI needs OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1.\n"
         "More ranks than cores needs mpirun --oversubscribe.\n";
  return out.str();
}

}  // namespace shmcount

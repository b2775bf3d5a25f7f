#include "options.hpp"

#include <algorithm>
#include <array>
#include <set>
#include <sstream>
#include <vector>

#include "cli/params.hpp"
#include "common/error.hpp"
#include "common/parse.hpp"
#include "common/table.hpp"
#include "common/text.hpp"
#include "kernels/plugin.hpp"

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

constexpr NamedValue<PlanFormat> kFormats[] = {
    {"table", PlanFormat::kTable, "for people: a table of ranks (or pairs) and their PUs"},
    {"csv", PlanFormat::kCsv, "for scripts: one CSV row per rank (or pair), with a header line"},
};

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
                 o.time_limit_s = parse_number(v, f, 1, kMaxTimeLimit);
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
                 // The name is looked up in list_table() when the list is printed.
                 if (v.empty()) throw UsageError(std::string(f) + ": the name is empty");
                 o.action = Action::kList;
                 o.list_what = std::string(v);
               }},
    OptionSpec{"--ranks", "N", "-", "ranks to plan for (with --plan, outside mpirun)",
               [](Options& o, std::string_view v, std::string_view f) {
                 o.plan_ranks = parse_number(v, f, 1, kMaxPlanRanks);
               }},
    OptionSpec{"--topology", "XML|SYN", "this machine",
               "plan for, or list the domains of, an hwloc XML file or synthetic string (with "
               "--plan or --domains)",
               [](Options& o, std::string_view v, std::string_view f) {
                 if (v.empty()) throw UsageError(std::string(f) + ": the topology is empty");
                 o.topology = std::string(v);
               }},
    OptionSpec{"--format", "F", "table", "--plan's output, a format (shmcount --list formats)",
               [](Options& o, std::string_view v, std::string_view f) {
                 o.format = entry_or_refuse(kFormats, f, v, "format").value;
               }},
    OptionSpec{"--help", "", "", "print this help and exit",
               [](Options& o, std::string_view, std::string_view) { o.action = Action::kHelp; }},
    OptionSpec{"--version", "", "", "print the version and exit",
               [](Options& o, std::string_view, std::string_view) { o.action = Action::kVersion; }},
};

}  // namespace

std::span<const NamedValue<PlanFormat>> format_table() { return kFormats; }

namespace {

const OptionSpec* find_option(std::string_view flag) {
  return find_entry(kOptions, flag, [](const OptionSpec& spec) { return spec.flag; });
}

// The option an unknown one was probably meant to be: the nearest flag within two edits, or one
// the word starts with (--output-dir: --output); empty when none is near.
std::string nearest_flag(std::string_view word) {
  std::string best;
  std::size_t best_distance = 3;
  auto consider = [&](std::string_view flag) {
    std::size_t distance = edit_distance(word, flag);
    if (flag.size() >= 6 && word.substr(0, flag.size()) == flag)
      distance = std::min<std::size_t>(distance, 2);
    if (distance < best_distance) {
      best_distance = distance;
      best = flag;
    }
  };
  for (const auto& p : param_table()) consider(p.flag);
  for (const auto& spec : kOptions) consider(spec.flag);
  return best;
}

// What --help and the man page show as examples: a command and what it does.
// Each one runs as typed on a machine of 2 PUs (tests/program/examples.sh pastes every one):
// more ranks than that say --oversubscribe.
constexpr std::pair<std::string_view, std::string_view> kExamples[] = {
    {"mpirun -np 8 --oversubscribe shmcount",
     "the article's experiment: 8 ranks, one array (--oversubscribe: more ranks than PUs)"},
    {"mpirun -np 2 shmcount --pin scatter --reps 20", "spread the ranks over the machine"},
    {"mpirun -np 2 shmcount --kernel blocked --no-baseline", "another kernel, no sequential run"},
    {"mpirun -np 2 shmcount --pattern random --seed 7 --size 1000000 --values 256",
     "random data, a larger array"},
    {"mpirun -np 2 shmcount --share posix --touch ranks --size 10000000 --kernel histogram",
     "POSIX memory, each rank touching its own slice first"},
    {"mpirun -np 2 shmcount --kernel histogram --counts shared --pin compact",
     "every rank adding into one table of counts in the shared memory (true sharing)"},
    {"mpirun -np 2 shmcount --kernel plugin:./libmykernel.so",
     "a kernel of your own (shmcount/kernel.h)"},
    {"mpirun -np 2 shmcount --share private --pages thp",
     "private copies on transparent huge pages (--pages huge: reserved ones, vm.nr_hugepages)"},
    {"shmcount --plan --ranks 4 --pin scatter --topology \"pack:2 core:8 pu:2\"",
     "a plan for a synthetic machine, nothing run"},
    {"shmcount --plan --ranks 8 --pin list:numa:1,3 --topology epyc-2p8numa64c128t-amd",
     "a plan on NUMA nodes of a shipped topology (shmcount --list topologies)"},
    {"shmcount --domains --topology dual-2p16c32t-intel", "the domains ranks can be listed on"},
    {"mpirun -np 2 shmcount --latency", "the core-to-core latency map of every PU pair"},
    {"mpirun -np 2 shmcount --latency --pairs cores --samples 100",
     "one PU per core and the siblings of one core, fewer samples"},
    {"shmcount --plan --latency --pairs domains --topology \"pack:2 l3:4 core:8 pu:2\"",
     "the pairs a map would measure on another machine, and its cost"},
};

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
  check_plugin_figures(*o.kernel, o.data.size, o.data.values);
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
      const std::string nearest = nearest_flag(arg.substr(0, 60));
      throw UsageError("unknown option '" + std::string(arg.substr(0, 60)) + "'" +
                       (nearest.empty() ? std::string() : "; did you mean " + nearest + "?"));
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

std::string help_text(std::span<const Listing> lists) {
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
  // A table of names and what each is: the names' column as wide as the longest name needs.
  auto named_table = [&](std::string_view title, const auto& rows, auto name_of, auto what_of) {
    out << title;
    std::size_t width = 0;
    for (const auto& row : rows) width = std::max(width, name_of(row).size());
    for (const auto& row : rows) {
      std::string left = "  " + std::string(name_of(row));
      left.resize(width + 4, ' ');
      append_wrapped(out, left, std::string(what_of(row)), width + 4);
    }
  };
  auto name = [](const auto& e) { return std::string_view(e.name); };
  auto description = [](const auto& e) { return std::string_view(e.description); };
  named_table("\nLists (--list):\n", lists, name, description);
  named_table("\nKernels (--kernel):\n", kernel_table(), name, description);
  named_table("\nMechanisms (--share):\n", mechanism_table(), name, description);
  named_table("\nStrategies (--pin):\n", strategy_table(), name, description);
  named_table("\nCounts (--counts):\n", counts_table(), name, description);
  named_table("\nPages (--pages):\n", page_kind_table(), name, description);
  named_table("\nFirst touch (--touch):\n", touch_table(), name, description);
  named_table("\nPatterns (--pattern):\n", pattern_table(), name, description);
  named_table("\nFormats (--format):\n", format_table(), name, description);
  out << "\nExamples:\n";
  for (const auto& [command, what] : kExamples) {
    append_wrapped(out, "  " + std::string(command), "", 4);
    append_wrapped(out, "      " + std::string(what), "", 6);
  }
  out << "\nAs root, Open MPI needs OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1.\n"
         "More ranks than cores needs mpirun --oversubscribe. See man shmcount.\n";
  return out.str();
}

}  // namespace shmcount

namespace shmcount {
namespace {

// Text for roff: backslashes escaped, hyphens as minus signs (options copy-paste right), a line
// that would start with a control character guarded.
std::string roff(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else {
      out += c;
    }
  }
  if (!out.empty() && (out.front() == '.' || out.front() == '\'')) out = "\\&" + out;
  return out;
}

void item(std::ostringstream& out, const std::string& tag, std::string_view text) {
  out << ".TP\n" << tag << "\n" << roff(text) << "\n";
}

}  // namespace

std::string man_page(std::span<const Listing> lists) {
  std::ostringstream out;
  out << ".TH SHMCOUNT 1 \"\" \"shmcount " << kShmcountVersion << "\" \"User Commands\"\n"
      << ".SH NAME\nshmcount \\- how fast processes that share one array go, and where they "
         "should run\n"
      << ".SH SYNOPSIS\n.B mpirun\n[\\fB\\-np\\fR \\fIN\\fR] \\fBshmcount\\fR "
         "[\\fIoptions\\fR]\n.br\n\\fBshmcount \\-\\-plan \\-\\-ranks\\fR \\fIN\\fR "
         "[\\fIoptions\\fR]\n.br\n\\fBshmcount \\-\\-domains\\fR [\\fB\\-\\-topology\\fR "
         "\\fIXML|SYN|NAME\\fR]\n.br\n\\fBshmcount \\-\\-list\\fR \\fIWHAT\\fR\n"
      << ".SH DESCRIPTION\n"
      << roff(
             "The ranks of each node share one array of int32 (System V shared memory by default, "
             "mode 0600, marked for removal before any kernel runs, so that even kill -9 leaks "
             "nothing), pin themselves with hwloc by a strategy, count every value 0..V-1 with a "
             "counting kernel, verify the counts, and send every timing to rank 0, which prints "
             "a summary and writes a CSV (one row per phase, rank and repetition) and a JSON run "
             "context. The parallel time of a repetition is its makespan, the first rank's start "
             "to the last rank's end; the sequential baseline is one process doing every rank's "
             "unit. Records per repetition say where each rank ran (read back) and what "
             "disturbed it.")
      << "\n.SH \"RUN PARAMETERS\"\n"
      << roff(
             "Recorded with every result: a CSV column and a key of the run context's config "
             "each, and the axes a sweep varies (shmcount --list axes).")
      << "\n";
  for (const auto& p : param_table()) {
    std::string tag = "\\fB" + roff(p.flag) + "\\fR";
    if (!p.metavar.empty()) tag += " \\fI" + roff(p.metavar) + "\\fR";
    std::string text(p.description);
    if (p.type != ParamType::kFlag) text += " [default: " + default_text(p) + "]";
    const std::string choices = p.choices();
    if (!choices.empty()) text += " Values: " + choices + ".";
    item(out, tag, text);
  }
  out << ".SH \"OTHER OPTIONS\"\n";
  for (const auto& spec : kOptions) {
    std::string tag = "\\fB" + roff(spec.flag) + "\\fR";
    if (!spec.metavar.empty()) tag += " \\fI" + roff(spec.metavar) + "\\fR";
    std::string text(spec.help);
    if (!spec.default_text.empty() && spec.default_text != "-") {
      text += " [default: " + std::string(spec.default_text) + "]";
    }
    item(out, tag, text);
  }
  out << ".SH KERNELS\n";
  for (const auto& k : kernel_table()) {
    item(out, "\\fB" + roff(k.name) + "\\fR",
         std::string(k.algorithm) + ": " + std::string(k.description));
  }
  item(out, "\\fBplugin:\\fR\\fIPATH\\fR[\\fB:\\fR\\fISYMBOL\\fR]",
       "a kernel of your own in a shared object, through the C interface of "
       "<shmcount/kernel.h> (installed with shmcount; an example in share/shmcount/examples). "
       "It is loaded only if it is a regular ELF file of at most 256 MiB (with a warning when "
       "others may write it), its symbol called only if it is a function in an executable "
       "segment, its figures used only if finite and positive. Whatever way it ends its process "
       "(exit, _exit, abort, any fatal signal, a damaged heap, from a thread of its own too), "
       "the job ends with one line per rank naming it, exit 1; a child it forks is never a "
       "rank");
  out << ".SH STRATEGIES\n";
  for (const auto& st : strategy_table()) {
    item(out, "\\fB" + roff(strategy_usage(st)) + "\\fR",
         std::string(st.description) + " (Open MPI: " + std::string(st.openmpi) +
             "; likwid-pin: " + std::string(st.likwid) + ")");
  }
  out << ".SH \"SHARING MECHANISMS\"\n";
  for (const auto& m : mechanism_table()) item(out, "\\fB" + roff(m.name) + "\\fR", m.description);
  out << ".SH COUNTS\n";
  for (const auto& c : counts_table()) item(out, "\\fB" + roff(c.name) + "\\fR", c.description);
  out << ".SH PAGES\n";
  for (const auto& p : page_kind_table()) item(out, "\\fB" + roff(p.name) + "\\fR", p.description);
  out << ".SH \"FIRST TOUCH\"\n";
  for (const auto& t : touch_table()) item(out, "\\fB" + roff(t.name) + "\\fR", t.description);
  out << ".SH PATTERNS\n";
  for (const auto& p : pattern_table()) item(out, "\\fB" + roff(p.name) + "\\fR", p.description);
  out << ".SH FORMATS\n";
  for (const auto& f : format_table()) item(out, "\\fB" + roff(f.name) + "\\fR", f.description);
  out << ".SH LISTS\n";
  for (const auto& l : lists) item(out, "\\fB" + roff(l.name) + "\\fR", l.description);
  out << ".SH \"EXIT STATUS\"\n";
  item(out, "\\fB0\\fR", "the run succeeded and every count was right");
  item(out, "\\fB1\\fR",
       "a failure at run time: a system call failed, a disk filled up, --time-limit passed, a "
       "plugin kernel ended its process (exit, _exit, abort, any fatal signal)");
  item(out, "\\fB2\\fR",
       "fix the command line or the environment: a bad option, an output path that cannot be "
       "written, a kernel limit or /dev/shm too small (the message names what is too big, the "
       "array or the count tables, and the option that fixes it), a plugin that is no kernel, "
       "a binary of one MPI under another's launcher");
  item(out, "\\fB3\\fR", "a kernel counted wrong (the records are still written, with ok = 0)");
  out << ".PP\n" << roff("Every rank of the job exits with the same status.") << "\n";
  out << ".SH ENVIRONMENT\n";
  item(out, "\\fBOMPI_ALLOW_RUN_AS_ROOT\\fR, \\fBOMPI_ALLOW_RUN_AS_ROOT_CONFIRM\\fR",
       "Open MPI refuses root unless both are 1.");
  item(out, "\\fBOMPI_MCA_pml\\fR",
       "when unset and every rank is on one node, shmcount sets ob1: Open MPI's default "
       "selection probes UCX and libfabric for about 0.2 s at every start.");
  item(out, "\\fBHWLOC_XMLFILE\\fR, \\fBHWLOC_SYNTHETIC\\fR, \\fBHWLOC_FSROOT\\fR",
       "refused by a run: binding on another machine's topology would be a lie (use --plan "
       "--topology).");
  item(out, "\\fBSHMCOUNT_FAULT\\fR",
       "fault injection for test suites: CALL:ERRNO@RANK (shmcount --list faults), "
       "stall:PHASE@RANK, miscount@RANK.");
  out << ".SH FILES\n";
  item(out, "\\fIresults/shmcount-<run id>.csv\\fR, \\fI.json\\fR",
       "the records and the run context of a run without --output; never overwritten, written "
       "whole or not at all.");
  item(out, "\\fI<prefix>/share/shmcount/topologies/\\fR",
       "hwloc topologies of real machines, for --topology NAME (shmcount --list topologies).");
  item(out, "\\fI<prefix>/include/shmcount/kernel.h\\fR", "the C interface of plugin kernels.");
  out << ".SH EXAMPLES\n";
  for (const auto& [command, what] : kExamples) {
    // A text line, not .B: a macro's arguments lose their quotes ("pack:2 core:8 pu:2").
    out << ".TP\n\\fB" << roff(command) << "\\fR\n" << roff(what) << "\n";
  }
  out << ".SH \"SEE ALSO\"\n"
      << "\\fBshmcount-sweep\\fR(1), \\fBshmcount-plots\\fR(1), \\fBshmcount-compare\\fR(1), "
         "\\fBshmcount-calibrate\\fR(1), \\fBshmcount-seed\\fR(1), "
         "\\fBshmcount-latency-set\\fR(1), \\fBshmcount-study\\fR(1), "
         "\\fBmpirun\\fR(1), "
         "\\fBsrun\\fR(1), \\fBhwloc-bind\\fR(1), \\fBlstopo\\fR(1), \\fBnumactl\\fR(8), "
         "\\fBlikwid-pin\\fR(1)\n";
  return out.str();
}

}  // namespace shmcount

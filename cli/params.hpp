// The run's parameters, one table entry each: the option that sets it, what it is, its values,
// how it is parsed and printed, and where it shows (CSV column, JSON config key, the header line).
// Options, --help, --list axes, the man page, the CSV, the JSON config and the summary header all
// come from this table, so a parameter is named, defaulted and described once. Adding one is one
// entry in params.cpp plus its field in Options.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "cli/options.hpp"

namespace shmcount {

enum class ParamType {
  kNumber,  // A whole number (JSON number).
  kText,    // A name or expression (JSON string).
  kFlag,    // An option without a value that turns something off (JSON true/false).
};

// Where the summary header shows a parameter.
enum class ParamGroup { kRun, kPlacement, kMemory, kLatency };

// The runs a parameter belongs to: counting runs, latency maps (--latency), or both. A run's JSON
// config holds the parameters of its kind only, and the other kind's are refused on its command
// line.
enum ParamRuns : unsigned { kCountingRuns = 1, kLatencyRuns = 2, kBothRuns = 3 };

struct Param {
  std::string_view name;     // As a sweep and a manifest call it: "size", "pin".
  std::string_view flag;     // "--size".
  std::string_view metavar;  // "N"; empty for a flag.
  ParamType type;
  std::string_view key;  // CSV column and JSON config key ("strategy" for --pin).
  ParamGroup group;
  std::string_view description;  // One line: --help, --list axes, the man page.
  bool axis;                     // A sweep may vary it.
  bool column;                   // It has a CSV column (every parameter is in the JSON config).
  // The values it takes, space-separated ("" for a number); for --help and --list axes.
  std::string (*choices)();
  // Sets the parameter in `o` from the text given after the flag (empty for a flag); throws
  // UsageError with what is allowed.
  void (*parse)(Options& o, std::string_view value);
  // The value in `o` as text that parse() reads back to the same value ("true"/"false" for a
  // flag): the CSV cell, the JSON config value, the header, the default shown by --help.
  std::string (*print)(const Options& o);
  // Whether the parameter means anything for `o` (--seed only with --pattern random); nullptr:
  // always. The header leaves out what does not apply.
  bool (*applies)(const Options& o);
  unsigned runs = kCountingRuns;  // ParamRuns.
};

// Whether the run `o` describes (a counting run or a latency map) has `param`.
bool belongs_to(const Param& param, const Options& o);
// Whether `o` is a latency map or the plan of one.
bool is_latency(const Options& o);

// Every parameter, in the order the header, the CSV and the JSON config show them.
std::span<const Param> param_table();
// The parameter set by `flag`, or nullptr.
const Param* find_param(std::string_view flag);

// The parameter's value with no option given, as print() writes it.
std::string default_text(const Param& param);
// The parameter as the header writes it: "--size 200000"; a flag only when set ("--no-baseline"),
// nothing when at its default or when it does not apply.
std::string as_option(const Param& param, const Options& o);
// Every parameter of `group` as the header writes it, space-separated.
std::string group_options(ParamGroup group, const Options& o);
// The JSON config value: a number or true/false as it is, text quoted and escaped by `quote`.
std::string json_value(const Param& param, const Options& o,
                       std::string (*quote)(std::string_view));

}  // namespace shmcount

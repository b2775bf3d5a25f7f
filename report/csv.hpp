// The CSV sink: long form, one row per record, with a schema declared once here.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cli/params.hpp"
#include "report/record.hpp"

namespace shmcount {

struct CsvColumn {
  std::string_view name;
  std::string_view description;                         // What README.md says about the column.
  std::string (*value)(const RunInfo&, const Record&);  // nullptr for the columns below.
  int probe = -1;    // Index into probe_table(): the rank's value of that measurement.
  int counter = -1;  // Index into disturbance_counters(): the record's value of that counter.
  const Param* param = nullptr;  // A run parameter (cli/params.hpp): its value, printed.
};

// The record's identity, then one column per run parameter that has one (cli/params.hpp), then
// the record's times and placement, one per disturbance counter (placement/disturbance.hpp) and
// `disturbed`, then one per probe (memory/probes.hpp), in order.
std::span<const CsvColumn> csv_schema();

// What the column holds, for --list columns and the docs: a parameter's column is "--flag: its
// description".
std::string describe(const CsvColumn& column);

// Header plus one row per record, in the order given.
std::string format_csv(const RunInfo& run, const std::vector<Record>& records);

}  // namespace shmcount

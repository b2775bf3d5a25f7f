// The CSV sink: long form, one row per record, with a schema declared once here.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "report/record.hpp"

namespace shmcount {

struct CsvColumn {
  std::string_view name;
  std::string_view description;                         // What README.md says about the column.
  std::string (*value)(const RunInfo&, const Record&);  // nullptr for the columns below.
  int probe = -1;    // Index into probe_table(): the rank's value of that measurement.
  int counter = -1;  // Index into disturbance_counters(): the record's value of that counter.
};

// The fixed columns, then one per disturbance counter (placement/disturbance.hpp) and
// `disturbed`, then one per probe (memory/probes.hpp), in order.
std::span<const CsvColumn> csv_schema();

// Header plus one row per record, in the order given.
std::string format_csv(const RunInfo& run, const std::vector<Record>& records);

}  // namespace shmcount

// The human summary rank 0 prints: the article's table generalised, with spread and placement.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "report/figures.hpp"
#include "report/record.hpp"

namespace shmcount {

// The line rank 0 prints before set-up: what is about to run.
std::string format_header(const RunInfo& run);

// The summary from the records and their figures (compute_figures of the same records).
std::string format_summary(const RunInfo& run, const std::vector<Record>& records,
                           const RunFigures& figures, const std::string& csv_path,
                           const std::string& json_path);

}  // namespace shmcount

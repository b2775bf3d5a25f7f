// The run context (JSON) written beside every CSV: what ran, where, built how, and when.
#pragma once

#include <string>
#include <vector>

#include "common/json.hpp"
#include "report/figures.hpp"
#include "report/record.hpp"

namespace shmcount {

struct Provenance {
  std::string shmcount_version;
  std::string mpi_library;          // One line: "Open MPI v4.1.4, ...", "MPICH Version: 4.0".
  std::string mpi_library_details;  // MPI_Get_library_version() whole.
  std::string hwloc_version;
  std::string compiler;
  std::string build_flags;
  std::string revision;
  std::string utc_time;
  std::string command_line;
};

// The build's lines of a run context ("mpi_library" to "revision"), each "  \"key\": value,\n":
// the same in a counting run's and a latency map's.
std::string provenance_json_lines(const Provenance& p);

// The run context of `run`, with its figures (compute_figures of its records).
std::string format_context_json(const RunInfo& run, const Provenance& provenance,
                                const RunFigures& figures, const std::string& csv_name);

}  // namespace shmcount

#include "provenance.hpp"

#include <hwloc.h>
#include <mpi.h>

#include <ctime>

#include "cli/options.hpp"
#include "shmcount_build_info.hpp"

namespace shmcount {

Provenance collect_provenance(const std::string& command_line) {
  Provenance p;
  p.shmcount_version = std::string(kShmcountVersion);
  char mpi[MPI_MAX_LIBRARY_VERSION_STRING] = {};
  int length = 0;
  MPI_Get_library_version(mpi, &length);
  p.mpi_library_details = std::string(mpi, static_cast<std::size_t>(length));
  while (!p.mpi_library_details.empty() &&
         (p.mpi_library_details.back() == '\n' || p.mpi_library_details.back() == '\0')) {
    p.mpi_library_details.pop_back();
  }
  // One line for reports: MPICH's text runs over several (version, date, device, configure).
  const std::string first = p.mpi_library_details.substr(0, p.mpi_library_details.find('\n'));
  for (char c : first) {
    const bool space = c == ' ' || c == '\t';
    if (space && (p.mpi_library.empty() || p.mpi_library.back() == ' ')) continue;
    p.mpi_library += space ? ' ' : c;
  }
  while (!p.mpi_library.empty() && p.mpi_library.back() == ' ') p.mpi_library.pop_back();
  const unsigned api = hwloc_get_api_version();
  p.hwloc_version = std::string(HWLOC_VERSION) + " (runtime API " + std::to_string(api >> 16) +
                    "." + std::to_string((api >> 8) & 0xff) + "." + std::to_string(api & 0xff) +
                    ")";
  p.compiler = std::string(build_info::kCompiler);
  p.build_flags = std::string(build_info::kFlags);
  p.revision = std::string(build_info::kRevision);
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &utc);
  p.utc_time = stamp;
  p.command_line = command_line;
  return p;
}

}  // namespace shmcount

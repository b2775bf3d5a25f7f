#include "run_common.hpp"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>

#include "common/error.hpp"

namespace shmcount {

std::string new_run_id() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "-%06x", std::random_device{}() & 0xffffff);
  return std::string(stamp) + suffix;
}

std::string json_path_for(const std::string& csv) {
  const std::string ext = ".csv";
  if (csv.size() > ext.size() && csv.compare(csv.size() - ext.size(), ext.size(), ext) == 0) {
    return csv.substr(0, csv.size() - ext.size()) + ".json";
  }
  return csv + ".json";
}

Topology this_machine() {
  for (const char* name : {"HWLOC_XMLFILE", "HWLOC_SYNTHETIC", "HWLOC_FSROOT"}) {
    if (const char* value = std::getenv(name); value && *value) {
      throw UsageError(std::string(name) +
                       " is set: hwloc would describe another machine than "
                       "this one, and binding there would be a lie; unset it, or use --plan "
                       "--topology to plan for that machine");
    }
  }
  Topology topo = Topology::this_system();
  if (!topo.is_this_system()) {
    throw UsageError(
        "hwloc is not reading this machine (is HWLOC_XMLFILE or HWLOC_SYNTHETIC set?); "
        "binding there would be a lie: unset it, or use --plan --topology");
  }
  if (const std::string why = topo.differs_from_os(); !why.empty()) {
    throw UsageError("hwloc's topology is not this machine: " + why +
                     " (HWLOC_XMLFILE with HWLOC_THISSYSTEM=1?); binding there would be a lie: "
                     "unset them, or use --plan --topology");
  }
  return topo;
}

}  // namespace shmcount

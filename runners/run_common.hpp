// What every kind of run shares in set-up: a run id, the result files' names, and this machine's
// topology, refused when hwloc would describe another machine (binding there would be a lie).
#pragma once

#include <string>

#include "placement/topology.hpp"

namespace shmcount {

// The folder results go to when --output does not say.
inline constexpr const char* kResultsFolder = "results";

// A run id that sorts by time and never repeats: UTC time plus random bits.
std::string new_run_id();

// The run context's path beside a CSV: PATH.csv -> PATH.json, any other name gets ".json".
std::string json_path_for(const std::string& csv);

// This machine as hwloc reads it. Throws UsageError when HWLOC_XMLFILE, HWLOC_SYNTHETIC or
// HWLOC_FSROOT is set, or the topology hwloc loaded is not this machine's.
Topology this_machine();

}  // namespace shmcount

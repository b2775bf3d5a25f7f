// Where a result came from: library versions, compiler, flags, revision, time, command line.
#pragma once

#include <string>

#include "report/context.hpp"

namespace shmcount {

Provenance collect_provenance(const std::string& command_line);

}  // namespace shmcount

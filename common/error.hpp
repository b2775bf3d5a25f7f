// The one error type of shmcount. Whatever fails throws it; main() catches it in one place, one
// rank prints "shmcount: <what>" and every rank exits non-zero.
#pragma once

#include <cstring>
#include <stdexcept>
#include <string>

namespace shmcount {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "call(args) failed: strerror (ENAME)" for a failed system call.
inline std::string describe_errno(const std::string& call, int err) {
  const char* name = strerrorname_np(err);
  return call + " failed: " + std::strerror(err) + " (" + (name ? name : "errno") + " " +
         std::to_string(err) + ")";
}

}  // namespace shmcount

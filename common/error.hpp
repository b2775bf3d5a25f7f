// The error types of shmcount. Whatever fails throws one; main() catches it in one place, one
// rank prints "shmcount: <what>" and every rank exits with the error's status.
#pragma once

#include <cstring>
#include <stdexcept>
#include <string>

namespace shmcount {

// Exit statuses, as README.md documents them.
inline constexpr int kExitFailure = 1;      // Something failed at run time.
inline constexpr int kExitUsage = 2;        // Fixed by changing the command line or environment.
inline constexpr int kExitWrongCounts = 3;  // A kernel counted wrong.

// A failure at run time (exit status 1).
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  virtual int exit_code() const { return kExitFailure; }
};

// Something the user fixes by changing the command line or the environment: a bad option, an
// output path that cannot be written, a kernel limit too low for the size asked (exit status 2).
class UsageError : public Error {
 public:
  using Error::Error;
  int exit_code() const override { return kExitUsage; }
};

// "call(args) failed: strerror (ENAME)" for a failed system call.
inline std::string describe_errno(const std::string& call, int err) {
  const char* name = strerrorname_np(err);
  return call + " failed: " + std::strerror(err) + " (" + (name ? name : "errno") + " " +
         std::to_string(err) + ")";
}

}  // namespace shmcount

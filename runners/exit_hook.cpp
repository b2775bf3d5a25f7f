// The program's own _exit() and _Exit(), exported so that a plugin kernel's calls reach them
// (CMakeLists.txt: --export-dynamic-symbol): a plugin that ends its process with _exit(7) ends
// the job with the plugin's line and status 1 (kernels/plugin.hpp), not silently. Everything else
// ends the process as the C library's would: exit_group(2). The C library's exit() reaches its
// own _exit directly, not this one.
#include <sys/syscall.h>
#include <unistd.h>

#include "kernels/plugin.hpp"

namespace {

[[noreturn]] void end_process(int status) {
  shmcount::plugin_process_ending(status);
  for (;;) ::syscall(SYS_exit_group, status);
}

}  // namespace

extern "C" {
[[noreturn]] void _exit(int status) noexcept { end_process(status); }
[[noreturn]] void _Exit(int status) noexcept { end_process(status); }
}

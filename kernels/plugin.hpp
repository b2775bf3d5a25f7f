// Kernels of the user's own, loaded from a shared object: --kernel plugin:PATH[:SYMBOL] (the C
// interface is include/shmcount/kernel.h). A loaded kernel is a KernelInfo like the built-in
// ones, so it is timed, placed, verified, swept and reported the same way.
#pragma once

#include <string_view>

#include "kernels/kernels.hpp"

namespace shmcount {

inline constexpr std::string_view kPluginPrefix = "plugin:";

// Whether a --kernel value names a plugin ("plugin:...").
bool is_plugin_spec(std::string_view text);

// Loads the kernel `spec` names (plugin:PATH or plugin:PATH:SYMBOL; a PATH without a '/' is in
// the current folder), checks its interface version and records the file's SHA-256. Throws
// UsageError (exit 2) when the file cannot be read or loaded, lacks the symbol, describes no
// kernel, or was built against another interface version. The kernel lives for the process;
// loading the same spec again returns it.
const KernelInfo* load_plugin_kernel(std::string_view spec);

// The message a crash inside a plugin's code prints ("the plugin kernel ... crashed"), so that a
// signal handler can write it without allocating; empty when no plugin is loaded.
const char* plugin_crash_message();

}  // namespace shmcount

// Kernels of the user's own, loaded from a shared object: --kernel plugin:PATH[:SYMBOL] (the C
// interface is include/shmcount/kernel.h). A loaded kernel is a KernelInfo like the built-in
// ones, so it is timed, placed, verified, swept and reported the same way.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
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

// Checks the figures the plugin gives for a run of `size` elements and `values` values
// (work_per_unit, updates_per_unit): finite, positive, at most 9e18. Throws UsageError naming the
// figure and what it returned; nothing for a built-in kernel.
void check_plugin_figures(const KernelInfo& kernel, std::uint64_t size, std::uint64_t values);

// From here on, a plugin kernel that ends its process any way shmcount can see (a fatal signal,
// abort(), a heap it damaged, exit(), quick_exit(), _exit()) ends the job with one line,
// "shmcount: rank N: the plugin kernel NAME (PATH) ...", prepared now in memory of shmcount's
// own, and status 1 (through end_job_from_signal). Nothing when no plugin is loaded.
void arm_plugin_crash_handlers(int world_rank);

// The plugin's own verify(), marked as plugin code for the handlers above.
int plugin_verify(const KernelInfo& kernel, std::span<const std::int32_t> data,
                  const CountTable& counts, char* why, std::size_t why_size);

// Called by the program's _exit() before it ends the process: when plugin code is running, ends
// the job with the plugin's line instead (a plugin that called _exit). Returns otherwise.
void plugin_process_ending(int status);

}  // namespace shmcount

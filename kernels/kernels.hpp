// The counting kernels: one explicit table, no MPI or hwloc dependency.
//
// Every kernel fills counts[v] with the number of elements equal to v, for v in [0, counts.size()).
// Elements outside that range are not counted by any kernel.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace shmcount {

using KernelFn = void (*)(std::span<const std::int32_t> data, std::span<std::uint64_t> counts);

// How much work a kernel does per array element, so every rate is derived from the table.
enum class WorkModel {
  kComparePerValue,  // Multi-pass: each element is compared with each of the V values.
  kOnePerElement,    // Single pass: each element is looked at once (a different algorithm).
};

struct KernelInfo {
  std::string_view name;
  KernelFn fn;
  WorkModel work;
  std::string_view algorithm;    // "multi-pass" or "histogram": never compare across the two.
  std::string_view description;  // One line for --help and the README.
};

// All kernels, the default first.
std::span<const KernelInfo> kernel_table();

// The kernel named `name`, or nullptr.
const KernelInfo* find_kernel(std::string_view name);

// Comma-separated kernel names, for messages and help.
std::string kernel_names();

// Work units (compares for multi-pass kernels, element visits for the histogram) of one pass of
// `kernel` over `size` elements with `values` values.
double work_per_unit(const KernelInfo& kernel, std::uint64_t size, std::uint64_t values);

// The kernels themselves, exported for tests and microbenchmarks.
void count_naive(std::span<const std::int32_t> data, std::span<std::uint64_t> counts);
void count_scalar(std::span<const std::int32_t> data, std::span<std::uint64_t> counts);
void count_blocked(std::span<const std::int32_t> data, std::span<std::uint64_t> counts);
void count_histogram(std::span<const std::int32_t> data, std::span<std::uint64_t> counts);

}  // namespace shmcount

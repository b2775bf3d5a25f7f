// The counting kernels: one explicit table, no MPI or hwloc dependency.
//
// Every kernel fills counts[v] with the number of elements equal to v, for v in [0, counts.size()).
// Elements outside that range are not counted by any kernel.
//
// A kernel may be built for several instruction sets (its paths). Its `fn` runs the widest path
// this CPU supports, chosen once at run time, so one portable binary (no -march=native) measures
// what the core can do; every path stays callable on its own for tests and microbenchmarks.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "shmcount/kernel.h"

namespace shmcount {

// A kernel's counts for the rank's own use: counts[v] for v < counts.size(), overwritten.
using KernelFn = void (*)(std::span<const std::int32_t> data, std::span<std::uint64_t> counts);

// Where a kernel adds its counts (the C interface's shmcount_counts, include/shmcount/kernel.h):
// the count of v at base[v * stride], added atomically when other ranks add into the same
// counters. --counts decides which (memory/counts.hpp); the rank's own vector by default.
class CountTable {
 public:
  CountTable() = default;
  explicit CountTable(std::span<std::uint64_t> own) : c_{own.data(), own.size(), 1, 0} {}
  CountTable(std::uint64_t* base, std::size_t values, std::size_t stride, bool atomic)
      : c_{base, values, stride, atomic ? 1 : 0} {}

  std::size_t values() const { return c_.values; }
  std::size_t stride() const { return c_.stride; }
  bool atomic() const { return c_.atomic != 0; }
  void add(std::size_t v, std::uint64_t n) const { shmcount_add(&c_, v, n); }
  std::uint64_t get(std::size_t v) const { return shmcount_get(&c_, v); }
  // Sets every counter of the table to 0.
  void zero() const;
  const shmcount_counts& c_counts() const { return c_; }

 private:
  shmcount_counts c_{nullptr, 0, 1, 0};
};

// One unit of a kernel, adding into `counts`: what the runner times.
using TableFn = void (*)(std::span<const std::int32_t> data, const CountTable& counts);

// How much work a kernel does per array element, so every rate is derived from the table.
enum class WorkModel {
  kComparePerValue,  // Multi-pass: each element is compared with each of the V values.
  kOnePerElement,    // Single pass: each element is looked at once (a different algorithm).
};

// Instruction sets a path can be built for, widest first.
enum class Isa {
  kAvx512,    // x86-64 with AVX-512F: 16 int32 lanes.
  kAvx2,      // x86-64 with AVX2: 8 int32 lanes.
  kPortable,  // The compiler's baseline for the target (SSE2 on x86-64): 4 int32 lanes.
};

// "avx512", "avx2" or "portable".
std::string_view isa_name(Isa isa);

// True when this CPU and its operating system can run code built for `isa`.
bool cpu_supports(Isa isa);

// Int32 lanes in one vector register of `isa`.
int isa_lanes(Isa isa);

// The widest instruction set this CPU supports among those a path can be built for.
Isa widest_isa();

// One build of a kernel.
struct KernelPath {
  Isa isa;
  KernelFn fn;
};

// How many count updates (adds into the table) a kernel makes per unit: the multi-pass kernels
// one per value (each pass's count, added once), the histogram one per element.
enum class UpdateModel { kOnePerValue, kOnePerElement };

// What a kernel loaded from a shared object (--kernel plugin:PATH) says about itself.
struct PluginInfo {
  std::string path;    // As given.
  std::string symbol;  // The function that described it.
  std::string sha256;  // Of the file, as loaded.
  std::string name;    // Its own name and description.
  std::string description;
  std::string work_unit;  // "element visits", ...
  std::string warning;    // What rank 0 says before it runs (a file others may write), or "".
  const shmcount_kernel* kernel = nullptr;
};

struct KernelInfo {
  std::string_view name;
  KernelFn fn;  // Runs dispatched_path(*this).fn.
  WorkModel work;
  std::string_view algorithm;         // "multi-pass" or "histogram": never compare across the two.
  std::string_view description;       // One line for --help and the README.
  std::span<const KernelPath> paths;  // Widest first; the last is always Isa::kPortable.
  // One unit adding into a count table: the multi-pass kernels count privately (fn) and add
  // each value's count once; the histogram adds at every element.
  TableFn count_into = nullptr;
  UpdateModel updates = UpdateModel::kOnePerValue;
  const PluginInfo* plugin = nullptr;  // Set for a kernel loaded from a shared object.
};

// All kernels, the default first.
std::span<const KernelInfo> kernel_table();

// The kernel named `name`, or nullptr.
const KernelInfo* find_kernel(std::string_view name);

// The path `kernel.fn` runs on this CPU: the first of its paths the CPU supports.
const KernelPath& dispatched_path(const KernelInfo& kernel);

// isa_name() of dispatched_path(kernel), for run records.
std::string_view kernel_isa(const KernelInfo& kernel);

// Work units (compares for multi-pass kernels, element visits for the histogram) of one pass of
// `kernel` over `size` elements with `values` values.
double work_per_unit(const KernelInfo& kernel, std::uint64_t size, std::uint64_t values);
// What a work unit is called: "compares", "element visits", or a plugin's own word.
std::string_view work_unit_name(const KernelInfo& kernel);
// Count updates one unit makes (adds into the count table).
double updates_per_unit(const KernelInfo& kernel, std::uint64_t size, std::uint64_t values);

}  // namespace shmcount

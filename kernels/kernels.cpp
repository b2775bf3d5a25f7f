#include "kernels.hpp"

#include <algorithm>
#include <array>

// Runtime dispatch to the widest vector unit the CPU has, so a portable binary (no -march=native)
// still measures what the core can do. Only GCC on x86-64 ELF supports target_clones.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__ELF__)
#define SHMCOUNT_SIMD_CLONES __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#else
#define SHMCOUNT_SIMD_CLONES
#endif

namespace shmcount {
namespace {

constexpr std::array kKernels{
    KernelInfo{"naive", count_naive, WorkModel::kComparePerValue, "multi-pass",
               "the seed's algorithm: one pass over the array per value; the compiler may "
               "vectorise it"},
    KernelInfo{"scalar", count_scalar, WorkModel::kComparePerValue, "multi-pass",
               "the same passes with a branch per element and vectorisation disabled, like the "
               "seed's JavaScript loop"},
    KernelInfo{"blocked", count_blocked, WorkModel::kComparePerValue, "multi-pass",
               "the same compares, 8 values per pass over an L1-sized block, 32-bit counters "
               "in registers"},
    KernelInfo{"histogram", count_histogram, WorkModel::kOnePerElement, "histogram",
               "a different algorithm: one pass, counts[a[i]]++ (what an efficient program does)"},
};

// Elements per block of the blocked kernel: 16 KiB stays in any L1d, and a 32-bit lane counter
// can never overflow within a block.
constexpr std::size_t kBlock = 4096;

// Counts G consecutive values [v0, v0 + G) over `block`, adding to counts. Each element is
// loaded once and compared with all G values; the G reductions vectorise into G registers.
template <int G>
inline void count_group(std::span<const std::int32_t> block, std::int32_t v0,
                        std::uint64_t* counts) {
  std::uint32_t acc[G] = {};
  for (const std::int32_t x : block) {
    for (int g = 0; g < G; ++g) acc[g] += static_cast<std::uint32_t>(x == v0 + g);
  }
  for (int g = 0; g < G; ++g) counts[g] += acc[g];
}

}  // namespace

std::span<const KernelInfo> kernel_table() { return kKernels; }

const KernelInfo* find_kernel(std::string_view name) {
  for (const auto& k : kKernels) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

std::string kernel_names() {
  std::string out;
  for (const auto& k : kKernels) {
    if (!out.empty()) out += ", ";
    out += k.name;
  }
  return out;
}

double work_per_unit(const KernelInfo& kernel, std::uint64_t size, std::uint64_t values) {
  const double n = static_cast<double>(size);
  return kernel.work == WorkModel::kComparePerValue ? n * static_cast<double>(values) : n;
}

SHMCOUNT_SIMD_CLONES
void count_naive(std::span<const std::int32_t> data, std::span<std::uint64_t> counts) {
  for (std::size_t v = 0; v < counts.size(); ++v) {
    const auto value = static_cast<std::int32_t>(v);
    std::uint64_t c = 0;
    for (const std::int32_t x : data) c += (x == value);
    counts[v] = c;
  }
}

#if defined(__clang__)
void count_scalar(std::span<const std::int32_t> data, std::span<std::uint64_t> counts) {
  for (std::size_t v = 0; v < counts.size(); ++v) {
    const auto value = static_cast<std::int32_t>(v);
    std::uint64_t c = 0;
#pragma clang loop vectorize(disable) interleave(disable)
    for (const std::int32_t x : data) {
      if (x == value) ++c;
    }
    counts[v] = c;
  }
}
#else
__attribute__((optimize("no-tree-vectorize", "no-unroll-loops"))) void count_scalar(
    std::span<const std::int32_t> data, std::span<std::uint64_t> counts) {
  for (std::size_t v = 0; v < counts.size(); ++v) {
    const auto value = static_cast<std::int32_t>(v);
    std::uint64_t c = 0;
    for (const std::int32_t x : data) {
      if (x == value) ++c;
    }
    counts[v] = c;
  }
}
#endif

SHMCOUNT_SIMD_CLONES
void count_blocked(std::span<const std::int32_t> data, std::span<std::uint64_t> counts) {
  std::fill(counts.begin(), counts.end(), 0);
  const std::size_t values = counts.size();
  for (std::size_t begin = 0; begin < data.size(); begin += kBlock) {
    const auto block = data.subspan(begin, std::min(kBlock, data.size() - begin));
    std::size_t v = 0;
    for (; v + 8 <= values; v += 8) count_group<8>(block, static_cast<std::int32_t>(v), &counts[v]);
    for (; v + 4 <= values; v += 4) count_group<4>(block, static_cast<std::int32_t>(v), &counts[v]);
    for (; v < values; ++v) count_group<1>(block, static_cast<std::int32_t>(v), &counts[v]);
  }
}

void count_histogram(std::span<const std::int32_t> data, std::span<std::uint64_t> counts) {
  std::fill(counts.begin(), counts.end(), 0);
  const std::size_t values = counts.size();
  for (const std::int32_t x : data) {
    // One unsigned compare rejects both negatives and values >= V.
    const auto index = static_cast<std::size_t>(static_cast<std::uint32_t>(x));
    if (index < values) ++counts[index];
  }
}

}  // namespace shmcount

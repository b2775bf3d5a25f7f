#include "kernels.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <limits>
#include <vector>

#include "common/table.hpp"

// The x86-64 paths use intrinsics in functions built for their instruction set with
// __attribute__((target)), chosen at run time with __builtin_cpu_supports (GCC and clang).
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SHMCOUNT_X86_PATHS 1
#include <immintrin.h>
#else
#define SHMCOUNT_X86_PATHS 0
#endif

namespace shmcount {
namespace {

using Data = std::span<const std::int32_t>;
using Counts = std::span<std::uint64_t>;

// Elements the naive kernel counts in 32-bit counters before adding them to the 64-bit count:
// below 2^32, so not even a single counter could overflow, and a multiple of every path's step
// (up to 4 accumulators of 16 lanes).
constexpr std::size_t kNaiveFlush = std::numeric_limits<std::uint32_t>::max() - 63;

// Elements per block of the blocked kernel: 16 KiB stays in any L1d while every group of values
// passes over it, and its 32-bit lane counters, added to the counts after each block, stay tiny.
constexpr std::size_t kBlock = 4096;

// Values compared per pass over a block: each element is loaded once for all of them.
constexpr int kGroup = 8;

// Elements of p[0, n) equal to value, n < 2^32, visited from the start or, kBackward, from the
// end. Sixteen partial counters that the compiler keeps in vector lanes, so that several vector
// additions are in flight at once.
template <bool kBackward>
std::uint64_t count_value_portable(const std::int32_t* p, std::size_t n, std::int32_t value) {
  constexpr std::size_t kParts = 16;
  const std::size_t steps = n - n % kParts;
  const std::int32_t* run = kBackward ? p + (n - steps) : p;
  std::uint32_t part[kParts] = {};
  for (std::size_t k = 0; k < steps; k += kParts) {
    const std::int32_t* q = run + (kBackward ? steps - kParts - k : k);
    for (std::size_t j = 0; j < kParts; ++j) part[j] += static_cast<std::uint32_t>(q[j] == value);
  }
  const std::int32_t* rest = kBackward ? p : p + steps;
  std::uint64_t count = 0;
  for (std::size_t i = 0; i < n - steps; ++i) count += static_cast<std::uint64_t>(rest[i] == value);
  for (const std::uint32_t c : part) count += c;
  return count;
}

// Adds to counts[g] the elements of p[0, n) equal to v0 + g, g < G, n < 2^32. Each element is
// loaded once and compared with all G values; the G reductions vectorise into G registers.
template <int G>
void count_group_portable(const std::int32_t* p, std::size_t n, std::int32_t v0,
                          std::uint64_t* counts) {
  std::uint32_t acc[G] = {};
  for (std::size_t i = 0; i < n; ++i) {
    for (int g = 0; g < G; ++g) acc[g] += static_cast<std::uint32_t>(p[i] == v0 + g);
  }
  for (int g = 0; g < G; ++g) counts[g] += acc[g];
}

#if SHMCOUNT_X86_PATHS

// The vector loops below leave their 32-bit lane counters in memory and add them up there: GCC
// 12 then keeps the counters in registers without copies inside the loops, and its AVX-512
// extract and widen intrinsics would trip -Wuninitialized (GCC bug 105593).
template <std::size_t N>
std::uint64_t sum_lanes(const std::uint32_t (&lanes)[N]) {
  std::uint64_t sum = 0;
  for (const std::uint32_t lane : lanes) sum += lane;
  return sum;
}

// As count_value_portable, for n a multiple of 8: compare, then subtract the all-ones result.
template <bool kBackward>
[[gnu::target("avx2")]] std::uint64_t count_value_avx2(const std::int32_t* p, std::size_t n,
                                                       std::int32_t value) {
  constexpr int kAcc = 4;
  constexpr std::size_t kStep = 8 * kAcc;
  const std::size_t steps = n - n % kStep;
  const std::int32_t* run = kBackward ? p + (n - steps) : p;
  const __m256i v = _mm256_set1_epi32(value);
  __m256i acc[kAcc];
#pragma GCC unroll 4
  for (int a = 0; a < kAcc; ++a) acc[a] = _mm256_setzero_si256();
  for (std::size_t k = 0; k < steps; k += kStep) {
    const std::int32_t* q = run + (kBackward ? steps - kStep - k : k);
#pragma GCC unroll 4
    for (int a = 0; a < kAcc; ++a) {
      const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q + 8 * a));
      acc[a] = _mm256_sub_epi32(acc[a], _mm256_cmpeq_epi32(x, v));
    }
  }
  const std::int32_t* rest = kBackward ? p : p + steps;
  for (std::size_t i = 0; i < n - steps; i += 8) {
    const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(rest + i));
    acc[0] = _mm256_sub_epi32(acc[0], _mm256_cmpeq_epi32(x, v));
  }
  alignas(32) std::uint32_t lanes[kAcc * 8];
#pragma GCC unroll 4
  for (int a = 0; a < kAcc; ++a) {
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes + 8 * a), acc[a]);
  }
  return sum_lanes(lanes);
}

// As count_group_portable, for n a multiple of 8.
[[gnu::target("avx2")]] void count_group_avx2(const std::int32_t* p, std::size_t n, std::int32_t v0,
                                              std::uint64_t* counts) {
  __m256i value[kGroup];
  __m256i acc[kGroup];
#pragma GCC unroll 16
  for (int g = 0; g < kGroup; ++g) {
    value[g] = _mm256_set1_epi32(v0 + g);
    acc[g] = _mm256_setzero_si256();
  }
  for (std::size_t i = 0; i < n; i += 8) {
    const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i));
#pragma GCC unroll 16
    for (int g = 0; g < kGroup; ++g)
      acc[g] = _mm256_sub_epi32(acc[g], _mm256_cmpeq_epi32(x, value[g]));
  }
  alignas(32) std::uint32_t lanes[kGroup][8];
#pragma GCC unroll 16
  for (int g = 0; g < kGroup; ++g) _mm256_store_si256(reinterpret_cast<__m256i*>(lanes[g]), acc[g]);
  for (int g = 0; g < kGroup; ++g) counts[g] += sum_lanes(lanes[g]);
}

// As count_value_portable, for n a multiple of 16: compare into a mask register, then subtract
// -1 in the lanes it selects (one instruction each).
template <bool kBackward>
[[gnu::target("avx512f")]] std::uint64_t count_value_avx512(const std::int32_t* p, std::size_t n,
                                                            std::int32_t value) {
  constexpr int kAcc = 4;
  constexpr std::size_t kStep = 16 * kAcc;
  const std::size_t steps = n - n % kStep;
  const std::int32_t* run = kBackward ? p + (n - steps) : p;
  const __m512i v = _mm512_set1_epi32(value);
  const __m512i minus_one = _mm512_set1_epi32(-1);
  __m512i acc[kAcc];
#pragma GCC unroll 4
  for (int a = 0; a < kAcc; ++a) acc[a] = _mm512_setzero_si512();
  for (std::size_t k = 0; k < steps; k += kStep) {
    const std::int32_t* q = run + (kBackward ? steps - kStep - k : k);
#pragma GCC unroll 4
    for (int a = 0; a < kAcc; ++a) {
      const __mmask16 hit = _mm512_cmpeq_epi32_mask(_mm512_loadu_si512(q + 16 * a), v);
      acc[a] = _mm512_mask_sub_epi32(acc[a], hit, acc[a], minus_one);
    }
  }
  const std::int32_t* rest = kBackward ? p : p + steps;
  for (std::size_t i = 0; i < n - steps; i += 16) {
    const __mmask16 hit = _mm512_cmpeq_epi32_mask(_mm512_loadu_si512(rest + i), v);
    acc[0] = _mm512_mask_sub_epi32(acc[0], hit, acc[0], minus_one);
  }
  alignas(64) std::uint32_t lanes[kAcc * 16];
#pragma GCC unroll 4
  for (int a = 0; a < kAcc; ++a) _mm512_store_si512(lanes + 16 * a, acc[a]);
  return sum_lanes(lanes);
}

// As count_group_portable, for n a multiple of 16, with masked subtracts.
[[gnu::target("avx512f")]] void count_group_avx512(const std::int32_t* p, std::size_t n,
                                                   std::int32_t v0, std::uint64_t* counts) {
  const __m512i minus_one = _mm512_set1_epi32(-1);
  __m512i value[kGroup];
  __m512i acc[kGroup];
#pragma GCC unroll 16
  for (int g = 0; g < kGroup; ++g) {
    value[g] = _mm512_set1_epi32(v0 + g);
    acc[g] = _mm512_setzero_si512();
  }
  for (std::size_t i = 0; i < n; i += 16) {
    const __m512i x = _mm512_loadu_si512(p + i);
#pragma GCC unroll 16
    for (int g = 0; g < kGroup; ++g) {
      const __mmask16 hit = _mm512_cmpeq_epi32_mask(x, value[g]);
      acc[g] = _mm512_mask_sub_epi32(acc[g], hit, acc[g], minus_one);
    }
  }
  alignas(64) std::uint32_t lanes[kGroup][16];
#pragma GCC unroll 16
  for (int g = 0; g < kGroup; ++g) _mm512_store_si512(lanes[g], acc[g]);
  for (int g = 0; g < kGroup; ++g) counts[g] += sum_lanes(lanes[g]);
}

#endif  // SHMCOUNT_X86_PATHS

// Counts one value in a run of whole vectors (see naive_with).
using CountValueFn = std::uint64_t (*)(const std::int32_t*, std::size_t, std::int32_t);

// The naive kernel over one path's inner loops, which count one value in a run of whole vectors
// of kLanes elements (kLanes = 1: any run), forward or backward. Passes alternate direction, so
// each pass starts on the elements the previous one left in L1: still one whole pass per value.
template <std::size_t kLanes, CountValueFn kForward, CountValueFn kBackward>
void naive_with(Data data, Counts counts) {
  const std::int32_t* p = data.data();
  const std::size_t whole = data.size() - data.size() % kLanes;
  const std::size_t chunks = (whole + kNaiveFlush - 1) / kNaiveFlush;
  for (std::size_t v = 0; v < counts.size(); ++v) {
    const auto value = static_cast<std::int32_t>(v);
    const bool backward = v % 2 == 1;
    std::uint64_t count = 0;
    for (std::size_t c = 0; c < chunks; ++c) {
      const std::size_t begin = (backward ? chunks - 1 - c : c) * kNaiveFlush;
      const std::size_t n = std::min(kNaiveFlush, whole - begin);
      count += (backward ? kBackward : kForward)(p + begin, n, value);
    }
    for (std::size_t i = whole; i < data.size(); ++i) {
      count += static_cast<std::uint64_t>(p[i] == value);
    }
    counts[v] = count;
  }
}

// The blocked kernel over one path's inner loops (whole vectors of kLanes elements): groups of
// kGroup values per pass over each block, then the values left one at a time.
template <std::size_t kLanes,
          void (*kCountGroup)(const std::int32_t*, std::size_t, std::int32_t, std::uint64_t*),
          CountValueFn kCountValue>
void blocked_with(Data data, Counts counts) {
  std::fill(counts.begin(), counts.end(), 0);
  const std::size_t values = counts.size();
  const std::size_t whole = data.size() - data.size() % kLanes;
  for (std::size_t begin = 0; begin < whole; begin += kBlock) {
    const std::int32_t* block = data.data() + begin;
    const std::size_t n = std::min(kBlock, whole - begin);
    std::size_t v = 0;
    for (; v + kGroup <= values; v += kGroup) {
      kCountGroup(block, n, static_cast<std::int32_t>(v), &counts[v]);
    }
    for (; v < values; ++v) counts[v] += kCountValue(block, n, static_cast<std::int32_t>(v));
  }
  // Fewer than kLanes elements are left: each is looked at once.
  for (const std::int32_t x : data.subspan(whole)) {
    const auto index = static_cast<std::size_t>(static_cast<std::uint32_t>(x));
    if (index < values) ++counts[index];
  }
}

void naive_portable(Data data, Counts counts) {
  naive_with<1, count_value_portable<false>, count_value_portable<true>>(data, counts);
}

void blocked_portable(Data data, Counts counts) {
  blocked_with<1, count_group_portable<kGroup>, count_value_portable<false>>(data, counts);
}

#if SHMCOUNT_X86_PATHS
void naive_avx2(Data data, Counts counts) {
  naive_with<8, count_value_avx2<false>, count_value_avx2<true>>(data, counts);
}
void naive_avx512(Data data, Counts counts) {
  naive_with<16, count_value_avx512<false>, count_value_avx512<true>>(data, counts);
}
void blocked_avx2(Data data, Counts counts) {
  blocked_with<8, count_group_avx2, count_value_avx2<false>>(data, counts);
}
void blocked_avx512(Data data, Counts counts) {
  blocked_with<16, count_group_avx512, count_value_avx512<false>>(data, counts);
}
#endif

#if defined(__clang__)
void scalar_portable(Data data, Counts counts) {
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
__attribute__((optimize("no-tree-vectorize", "no-unroll-loops"))) void scalar_portable(
    Data data, Counts counts) {
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

// The histogram adding straight into a count table: one update per element, atomic where the
// table is shared, strided where ranks' counters interleave.
template <bool kAtomic, bool kUnitStride>
void histogram_into(Data data, const CountTable& table) {
  const shmcount_counts& c = table.c_counts();
  const std::size_t values = c.values;
  const std::size_t stride = kUnitStride ? 1 : c.stride;
  for (const std::int32_t x : data) {
    const auto index = static_cast<std::size_t>(static_cast<std::uint32_t>(x));
    if (index >= values) continue;
    std::uint64_t* cell = c.base + index * stride;
    if constexpr (kAtomic) {
      __atomic_fetch_add(cell, 1, __ATOMIC_RELAXED);
    } else {
      ++*cell;
    }
  }
}

void histogram_table(Data data, const CountTable& table) {
  if (table.atomic()) {
    histogram_into<true, false>(data, table);
  } else if (table.stride() == 1) {
    histogram_into<false, true>(data, table);
  } else {
    histogram_into<false, false>(data, table);
  }
}

void histogram_portable(Data data, Counts counts) {
  std::fill(counts.begin(), counts.end(), 0);
  const std::size_t values = counts.size();
  for (const std::int32_t x : data) {
    // One unsigned compare rejects both negatives and values >= V.
    const auto index = static_cast<std::size_t>(static_cast<std::uint32_t>(x));
    if (index < values) ++counts[index];
  }
}

#if SHMCOUNT_X86_PATHS
constexpr std::array kNaivePaths{KernelPath{Isa::kAvx512, naive_avx512},
                                 KernelPath{Isa::kAvx2, naive_avx2},
                                 KernelPath{Isa::kPortable, naive_portable}};
constexpr std::array kBlockedPaths{KernelPath{Isa::kAvx512, blocked_avx512},
                                   KernelPath{Isa::kAvx2, blocked_avx2},
                                   KernelPath{Isa::kPortable, blocked_portable}};
#else
constexpr std::array kNaivePaths{KernelPath{Isa::kPortable, naive_portable}};
constexpr std::array kBlockedPaths{KernelPath{Isa::kPortable, blocked_portable}};
#endif
constexpr std::array kScalarPaths{KernelPath{Isa::kPortable, scalar_portable}};
constexpr std::array kHistogramPaths{KernelPath{Isa::kPortable, histogram_portable}};

const KernelPath& first_supported(std::span<const KernelPath> paths) {
  for (const auto& path : paths) {
    if (cpu_supports(path.isa)) return path;
  }
  return paths.back();
}

// Runs the first of kPaths this CPU supports, found on the first call.
template <const auto& kPaths>
void dispatch(Data data, Counts counts) {
  static const KernelFn fn = first_supported(kPaths).fn;
  fn(data, counts);
}

#ifdef SHMCOUNT_TEST_ENTRIES
#include "tests/extension/kernel_code.inc"
#endif

// A multi-pass kernel adding into a count table: it counts every value privately (its passes
// keep their counts in registers), then adds each value's count once: one update per value.
template <const auto& kPaths>
void publish(Data data, const CountTable& table) {
  thread_local std::vector<std::uint64_t> counts;
  counts.assign(table.values(), 0);
  dispatch<kPaths>(data, counts);
  for (std::size_t v = 0; v < counts.size(); ++v) table.add(v, counts[v]);
}

constexpr std::array kKernels{
    KernelInfo{"naive", dispatch<kNaivePaths>, WorkModel::kComparePerValue, "multi-pass",
               "the seed's algorithm: one pass over the array per value, counted in 32-bit "
               "vector lanes",
               kNaivePaths, publish<kNaivePaths>, UpdateModel::kOnePerValue},
    KernelInfo{"scalar", dispatch<kScalarPaths>, WorkModel::kComparePerValue, "multi-pass",
               "the same passes with a branch per element and vectorisation disabled, like the "
               "seed's JavaScript loop",
               kScalarPaths, publish<kScalarPaths>, UpdateModel::kOnePerValue},
    KernelInfo{"blocked", dispatch<kBlockedPaths>, WorkModel::kComparePerValue, "multi-pass",
               "the same compares, 8 values per pass over an L1-sized block, 32-bit counters "
               "in registers",
               kBlockedPaths, publish<kBlockedPaths>, UpdateModel::kOnePerValue},
    KernelInfo{"histogram", dispatch<kHistogramPaths>, WorkModel::kOnePerElement, "histogram",
               "a different algorithm: one pass, counts[a[i]]++ (what an efficient program does)",
               kHistogramPaths, histogram_table, UpdateModel::kOnePerElement},
#ifdef SHMCOUNT_TEST_ENTRIES
#include "tests/extension/kernel_entry.inc"
#endif
};

}  // namespace

std::string_view isa_name(Isa isa) {
  switch (isa) {
    case Isa::kAvx512:
      return "avx512";
    case Isa::kAvx2:
      return "avx2";
    case Isa::kPortable:
      break;
  }
  return "portable";
}

bool cpu_supports(Isa isa) {
#if SHMCOUNT_X86_PATHS
  // These builtins also check that the OS saves the vector registers (XGETBV).
  __builtin_cpu_init();
  switch (isa) {
    case Isa::kAvx512:
      return __builtin_cpu_supports("avx512f");
    case Isa::kAvx2:
      return __builtin_cpu_supports("avx2");
    case Isa::kPortable:
      break;
  }
  return true;
#else
  return isa == Isa::kPortable;
#endif
}

int isa_lanes(Isa isa) {
  switch (isa) {
    case Isa::kAvx512:
      return 16;
    case Isa::kAvx2:
      return 8;
    case Isa::kPortable:
      break;
  }
  return 4;
}

Isa widest_isa() {
  for (const Isa isa : {Isa::kAvx512, Isa::kAvx2}) {
    if (cpu_supports(isa)) return isa;
  }
  return Isa::kPortable;
}

std::span<const KernelInfo> kernel_table() { return kKernels; }

const KernelInfo* find_kernel(std::string_view name) { return find_entry(kKernels, name); }

const KernelPath& dispatched_path(const KernelInfo& kernel) {
  return first_supported(kernel.paths);
}

std::string_view kernel_isa(const KernelInfo& kernel) {
  return isa_name(dispatched_path(kernel).isa);
}

double work_per_unit(const KernelInfo& kernel, std::uint64_t size, std::uint64_t values) {
  if (kernel.plugin && kernel.plugin->kernel->work_per_unit) {
    return kernel.plugin->kernel->work_per_unit(size, values);
  }
  const double n = static_cast<double>(size);
  return kernel.work == WorkModel::kComparePerValue ? n * static_cast<double>(values) : n;
}

std::string_view work_unit_name(const KernelInfo& kernel) {
  if (kernel.plugin) return kernel.plugin->work_unit;
  return kernel.work == WorkModel::kComparePerValue ? "compares" : "element visits";
}

double updates_per_unit(const KernelInfo& kernel, std::uint64_t size, std::uint64_t values) {
  if (kernel.plugin && kernel.plugin->kernel->updates_per_unit) {
    return kernel.plugin->kernel->updates_per_unit(size, values);
  }
  return static_cast<double>(kernel.updates == UpdateModel::kOnePerValue ? values : size);
}

void CountTable::zero() const {
  for (std::size_t v = 0; v < c_.values; ++v) c_.base[v * c_.stride] = 0;
}

}  // namespace shmcount

#include "bench/references.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SHMCOUNT_X86_REFERENCES 1
#include <immintrin.h>
#else
#define SHMCOUNT_X86_REFERENCES 0
#endif

namespace shmcount {
namespace {

using Data = std::span<const std::int32_t>;
using Counts = std::span<std::uint64_t>;

// The naive loop with a 32-bit counter, added to the 64-bit count every 2^32 - 1 elements, before
// it could overflow. The compiler vectorises it for the instruction set of the function it is
// inlined into.
[[gnu::always_inline]] inline void naive32(Data data, Counts counts) {
  constexpr std::size_t kFlush = std::numeric_limits<std::uint32_t>::max();
  for (std::size_t v = 0; v < counts.size(); ++v) {
    const auto value = static_cast<std::int32_t>(v);
    std::uint64_t count = 0;
    for (std::size_t begin = 0; begin < data.size(); begin += kFlush) {
      const std::size_t end = std::min(data.size(), begin + kFlush);
      std::uint32_t c = 0;
      for (std::size_t i = begin; i < end; ++i) c += static_cast<std::uint32_t>(data[i] == value);
      count += c;
    }
    counts[v] = count;
  }
}

void naive32_portable(Data data, Counts counts) { naive32(data, counts); }

#if SHMCOUNT_X86_REFERENCES
[[gnu::target("avx2")]] void naive32_avx2(Data data, Counts counts) { naive32(data, counts); }
[[gnu::target("avx512f")]] void naive32_avx512(Data data, Counts counts) { naive32(data, counts); }

// Hand-vectorised blocking as first written to find the limit: 8 values per pass over chunks of
// 2048 int32, 32-bit lane counters added to the counts after each chunk; elements after the last
// whole vector and values after the last group of 8 are counted one by one.
constexpr std::size_t kChunk = 2048;
constexpr int kValues = 8;

void count_rest(Data chunk, std::size_t whole, std::size_t v, Counts counts) {
  for (std::size_t i = whole; i < chunk.size(); ++i) {
    for (std::size_t u = 0; u < v; ++u)
      counts[u] += static_cast<std::uint64_t>(chunk[i] == static_cast<std::int32_t>(u));
  }
  for (; v < counts.size(); ++v) {
    for (const std::int32_t x : chunk)
      counts[v] += static_cast<std::uint64_t>(x == static_cast<std::int32_t>(v));
  }
}

// Adds to counts[g] the elements of p[0, n) equal to v0 + g, g < 8, for n a multiple of 8.
[[gnu::target("avx2")]] void count8_avx2(const std::int32_t* p, std::size_t n, std::int32_t v0,
                                         std::uint64_t* counts) {
  __m256i value[kValues];
  __m256i acc[kValues];
#pragma GCC unroll 8
  for (int g = 0; g < kValues; ++g) {
    value[g] = _mm256_set1_epi32(v0 + g);
    acc[g] = _mm256_setzero_si256();
  }
  for (std::size_t i = 0; i < n; i += 8) {
    const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i));
#pragma GCC unroll 8
    for (int g = 0; g < kValues; ++g)
      acc[g] = _mm256_sub_epi32(acc[g], _mm256_cmpeq_epi32(x, value[g]));
  }
  alignas(32) std::uint32_t lanes[kValues][8];
#pragma GCC unroll 8
  for (int g = 0; g < kValues; ++g)
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes[g]), acc[g]);
  for (int g = 0; g < kValues; ++g) {
    for (const std::uint32_t lane : lanes[g]) counts[g] += lane;
  }
}

// As count8_avx2, for n a multiple of 16, with masked subtracts.
[[gnu::target("avx512f")]] void count8_avx512(const std::int32_t* p, std::size_t n, std::int32_t v0,
                                              std::uint64_t* counts) {
  const __m512i minus_one = _mm512_set1_epi32(-1);
  __m512i value[kValues];
  __m512i acc[kValues];
#pragma GCC unroll 8
  for (int g = 0; g < kValues; ++g) {
    value[g] = _mm512_set1_epi32(v0 + g);
    acc[g] = _mm512_setzero_si512();
  }
  for (std::size_t i = 0; i < n; i += 16) {
    const __m512i x = _mm512_loadu_si512(p + i);
#pragma GCC unroll 8
    for (int g = 0; g < kValues; ++g) {
      acc[g] =
          _mm512_mask_sub_epi32(acc[g], _mm512_cmpeq_epi32_mask(x, value[g]), acc[g], minus_one);
    }
  }
  alignas(64) std::uint32_t lanes[kValues][16];
#pragma GCC unroll 8
  for (int g = 0; g < kValues; ++g) _mm512_store_si512(lanes[g], acc[g]);
  for (int g = 0; g < kValues; ++g) {
    for (const std::uint32_t lane : lanes[g]) counts[g] += lane;
  }
}

template <std::size_t kLanes,
          void (*kCount8)(const std::int32_t*, std::size_t, std::int32_t, std::uint64_t*)>
void blocked_intrinsics(Data data, Counts counts) {
  std::fill(counts.begin(), counts.end(), 0);
  for (std::size_t begin = 0; begin < data.size(); begin += kChunk) {
    const Data chunk = data.subspan(begin, std::min(kChunk, data.size() - begin));
    const std::size_t whole = chunk.size() - chunk.size() % kLanes;
    std::size_t v = 0;
    for (; v + kValues <= counts.size(); v += kValues) {
      kCount8(chunk.data(), whole, static_cast<std::int32_t>(v), &counts[v]);
    }
    count_rest(chunk, whole, v, counts);
  }
}

void blocked_intrinsics_avx2(Data data, Counts counts) {
  blocked_intrinsics<8, count8_avx2>(data, counts);
}
void blocked_intrinsics_avx512(Data data, Counts counts) {
  blocked_intrinsics<16, count8_avx512>(data, counts);
}
#endif  // SHMCOUNT_X86_REFERENCES

constexpr std::string_view kNaive32 =
    "the naive loop with a 32-bit counter, flushed before it could overflow; compiler-vectorised";
constexpr std::string_view kBlockedIntrinsics =
    "hand-vectorised blocking: 8 values per pass over 2048-int32 chunks";

constexpr std::array kReferences {
#if SHMCOUNT_X86_REFERENCES
  Reference{"naive32", Isa::kAvx512, naive32_avx512, "naive", kNaive32},
      Reference{"naive32", Isa::kAvx2, naive32_avx2, "naive", kNaive32},
#endif
      Reference{"naive32", Isa::kPortable, naive32_portable, "naive", kNaive32},
#if SHMCOUNT_X86_REFERENCES
      Reference{"blocked_intrinsics", Isa::kAvx512, blocked_intrinsics_avx512, "blocked",
                kBlockedIntrinsics},
      Reference{"blocked_intrinsics", Isa::kAvx2, blocked_intrinsics_avx2, "blocked",
                kBlockedIntrinsics},
#endif
};

}  // namespace

std::span<const Reference> reference_table() { return kReferences; }

}  // namespace shmcount

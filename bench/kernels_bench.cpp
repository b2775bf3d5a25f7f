// Microbenchmarks of every counting kernel (Google Benchmark).
//
//   Seed/<kernel>            the article's unit: 200,000 int32, 1,000 values
//   Size/<kernel>/<n>/<V>    n from 2^10 (L1) to 2^26 (DRAM) int32 and the seed's 200,000
//
// Counters: elements/s and bytes/s (array elements and bytes counted per second), compares/s
// (work per second: compares for multi-pass kernels, element visits for the histogram),
// cmp/cycle (per cycle of the nominal clock) and x_limit: cmp/cycle as a multiple of one vector
// compare-and-count per cycle (16 lanes with AVX-512, 8 with AVX2, 4 otherwise).
#include <benchmark/benchmark.h>

#include <chrono>
#include <string>
#include <vector>

#include "kernels/dataset.hpp"
#include "kernels/kernels.hpp"

namespace {

using shmcount::DataSpec;
using shmcount::KernelInfo;

double vector_lanes() {
#if defined(__x86_64__) && defined(__GNUC__)
  if (__builtin_cpu_supports("avx512bw")) return 16;
  if (__builtin_cpu_supports("avx2")) return 8;
#endif
  return 4;
}

void run_kernel(benchmark::State& state, const KernelInfo& kernel, std::uint64_t size,
                std::uint64_t values) {
  DataSpec spec{size, values, shmcount::Pattern::kSeed, 1};
  std::vector<std::int32_t> data(size);
  shmcount::fill(spec, data);
  const auto expected = shmcount::expected_counts(spec);
  std::vector<std::uint64_t> counts(values);
  const auto begin = std::chrono::steady_clock::now();
  for (auto _ : state) {
    kernel.fn(data, counts);
    benchmark::DoNotOptimize(counts.data());
    benchmark::ClobberMemory();
  }
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - begin;
  if (counts != expected) state.SkipWithError("wrong counts");
  const double calls = static_cast<double>(state.iterations());
  const double work = shmcount::work_per_unit(kernel, size, values);
  using benchmark::Counter;
  state.counters["elements/s"] = Counter(calls * static_cast<double>(size), Counter::kIsRate);
  state.counters["bytes/s"] =
      Counter(calls * static_cast<double>(size) * 4, Counter::kIsRate, Counter::kIs1024);
  state.counters["compares/s"] = Counter(calls * work, Counter::kIsRate);
  // Per cycle of the nominal clock Google Benchmark reports (turbo makes more cycles happen).
  const double cycles = elapsed.count() * benchmark::CPUInfo::Get().cycles_per_second;
  state.counters["cmp/cycle"] = calls * work / cycles;
  state.counters["x_limit"] = calls * work / cycles / vector_lanes();
  state.counters["values"] = static_cast<double>(values);
  state.SetLabel(std::string(kernel.algorithm));
}

void register_all() {
  for (const auto& kernel : shmcount::kernel_table()) {
    benchmark::RegisterBenchmark(
        ("Seed/" + std::string(kernel.name)).c_str(),
        [&kernel](benchmark::State& s) { run_kernel(s, kernel, 200'000, 1'000); })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  // The size sweep uses 32 values so that DRAM-sized arrays stay affordable for every kernel.
  constexpr std::int64_t kValues = 32;
  for (const auto& kernel : shmcount::kernel_table()) {
    auto* b = benchmark::RegisterBenchmark(
        ("Size/" + std::string(kernel.name)).c_str(), [&kernel](benchmark::State& s) {
          run_kernel(s, kernel, static_cast<std::uint64_t>(s.range(0)),
                     static_cast<std::uint64_t>(s.range(1)));
        });
    for (std::int64_t n = 1 << 10; n <= (1 << 26); n *= 4) {
      b->Args({n, kValues});
      if (n == (1 << 16)) b->Args({200'000, kValues});
    }
    b->Unit(benchmark::kMicrosecond)->UseRealTime();
  }
}

}  // namespace

int main(int argc, char** argv) {
  register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::AddCustomContext("vector_lanes_per_cycle", std::to_string(vector_lanes()));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

// Microbenchmarks of every counting kernel and of the references they are held to (Google
// Benchmark).
//
//   Seed/<kernel>/<isa>     the article's unit (200,000 int32, 1,000 values), every path of every
//                           kernel that this CPU supports
//   Ref/<reference>/<isa>   the same unit with a reference (bench/references.hpp)
//   Size/<kernel>/<n>/<V>   the dispatched path, n from 2^10 (L1) to 2^26 (DRAM) int32 and the
//                           seed's 200,000, V = 32 values
//
// Rates: items_per_second is work per second (compares for multi-pass kernels, element visits for
// the histogram), bytes_per_second the array bytes counted per second. Multi-pass benchmarks add
// cmp_per_cycle, compares per core cycle, with the core clock measured at start-up by timing a
// chain of dependent register additions (context: core_clock_mhz), and limit_fraction,
// cmp_per_cycle over the two-compare-port limit: two vector compares per cycle of the widest
// instruction set this CPU supports (context: compare_limit_per_cycle).
//
// The context names the path each kernel dispatches to (dispatched/<kernel>) and the pairs of a
// kernel path and its reference (pairs), which scripts/bench_summary.py compares.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "bench/references.hpp"
#include "kernels/dataset.hpp"
#include "kernels/kernels.hpp"

namespace {

using shmcount::DataSpec;
using shmcount::KernelFn;
using shmcount::WorkModel;

// The core clock in Hz. A chain of dependent register-to-register additions retires one addition
// per cycle on x86-64 and AArch64 cores, so timing a million of them counts cycles; the best of 100
// trials leaves out interruptions, which can only make a trial slower. 0 on other CPUs.
double measure_core_hz() {
#if defined(__x86_64__) || defined(__aarch64__)
  constexpr int kTrials = 100;
  constexpr long kLoops = 100'000;  // 10 additions each.
  const std::uint64_t one = 1;
  double best = 0;
  for (int t = 0; t < kTrials; ++t) {
    std::uint64_t x = 0;
    const auto begin = std::chrono::steady_clock::now();
    for (long i = 0; i < kLoops; ++i) {
#if defined(__x86_64__)
      asm volatile(
          "add %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\t"
          "add %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\tadd %1, %0"
          : "+r"(x)
          : "r"(one));
#else
      asm volatile(
          "add %0, %0, %1\n\tadd %0, %0, %1\n\tadd %0, %0, %1\n\tadd %0, %0, %1\n\t"
          "add %0, %0, %1\n\tadd %0, %0, %1\n\tadd %0, %0, %1\n\tadd %0, %0, %1\n\t"
          "add %0, %0, %1\n\tadd %0, %0, %1"
          : "+r"(x)
          : "r"(one));
#endif
    }
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - begin;
    best = std::max(best, static_cast<double>(kLoops) * 10 / elapsed.count());
  }
  return best;
#else
  return 0;
#endif
}

struct Machine {
  double core_hz;
  double compare_limit;  // Compares per cycle at two vector compares per cycle.
};

void run_kernel(benchmark::State& state, KernelFn fn, WorkModel work, const Machine& machine,
                std::uint64_t size, std::uint64_t values) {
  DataSpec spec{size, values, shmcount::Pattern::kSeed, 1};
  std::vector<std::int32_t> data(size);
  shmcount::fill(spec, data);
  const auto expected = shmcount::expected_counts(spec);
  std::vector<std::uint64_t> counts(values);
  for (auto _ : state) {
    fn(data, counts);
    benchmark::DoNotOptimize(counts.data());
    benchmark::ClobberMemory();
  }
  if (counts != expected) state.SkipWithError("wrong counts");
  const auto calls = static_cast<std::int64_t>(state.iterations());
  const double per_call = work == WorkModel::kComparePerValue
                              ? static_cast<double>(size) * static_cast<double>(values)
                              : static_cast<double>(size);
  state.SetItemsProcessed(static_cast<std::int64_t>(per_call) * calls);
  state.SetBytesProcessed(static_cast<std::int64_t>(size * sizeof(std::int32_t)) * calls);
  // The algorithm, so that readers never put the histogram's visits beside compares.
  state.SetLabel(work == WorkModel::kComparePerValue ? "multi-pass" : "histogram");
  if (work == WorkModel::kComparePerValue && machine.core_hz > 0) {
    using benchmark::Counter;
    // Rates: Google Benchmark divides by the measured (real) time.
    const double per_cycle = per_call * static_cast<double>(calls) / machine.core_hz;
    state.counters["cmp_per_cycle"] = Counter(per_cycle, Counter::kIsRate);
    state.counters["limit_fraction"] = Counter(per_cycle / machine.compare_limit, Counter::kIsRate);
  }
}

void register_all(const Machine& machine) {
  std::string pairs;
  for (const auto& kernel : shmcount::kernel_table()) {
    benchmark::AddCustomContext("dispatched/" + std::string(kernel.name),
                                std::string(shmcount::kernel_isa(kernel)));
    for (const auto& path : kernel.paths) {
      if (!shmcount::cpu_supports(path.isa)) continue;
      const auto name =
          "Seed/" + std::string(kernel.name) + "/" + std::string(shmcount::isa_name(path.isa));
      benchmark::RegisterBenchmark(name.c_str(),
                                   [&kernel, &path, &machine](benchmark::State& s) {
                                     run_kernel(s, path.fn, kernel.work, machine, 200'000, 1'000);
                                   })
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
    }
  }
  for (const auto& ref : shmcount::reference_table()) {
    if (!shmcount::cpu_supports(ref.isa)) continue;
    const std::string isa(shmcount::isa_name(ref.isa));
    const auto name = "Ref/" + std::string(ref.name) + "/" + isa;
    benchmark::RegisterBenchmark(name.c_str(),
                                 [&ref, &machine](benchmark::State& s) {
                                   run_kernel(s, ref.fn, WorkModel::kComparePerValue, machine,
                                              200'000, 1'000);
                                 })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    if (!pairs.empty()) pairs += ",";
    pairs += "Seed/" + std::string(ref.kernel) + "/" + isa + "=" + name;
  }
  benchmark::AddCustomContext("pairs", pairs);
  // The size sweep uses 32 values so that DRAM-sized arrays stay affordable for every kernel.
  constexpr std::int64_t kValues = 32;
  for (const auto& kernel : shmcount::kernel_table()) {
    auto* b = benchmark::RegisterBenchmark(
        ("Size/" + std::string(kernel.name)).c_str(), [&kernel, &machine](benchmark::State& s) {
          run_kernel(s, kernel.fn, kernel.work, machine, static_cast<std::uint64_t>(s.range(0)),
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
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  const shmcount::Isa widest = shmcount::widest_isa();
  const Machine machine{measure_core_hz(), 2.0 * shmcount::isa_lanes(widest)};
  benchmark::AddCustomContext("core_clock_mhz", std::to_string(machine.core_hz / 1e6));
  benchmark::AddCustomContext("core_clock_method",
                              "best of 100 timed chains of 10^6 dependent register additions");
  benchmark::AddCustomContext("widest_isa", std::string(shmcount::isa_name(widest)));
  benchmark::AddCustomContext("compare_limit_per_cycle", std::to_string(machine.compare_limit));
  register_all(machine);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

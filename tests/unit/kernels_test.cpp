// Every kernel, on every path this CPU can run (not only the one it dispatches to), agrees with a
// plain reference on the edges where kernels usually break: sizes around vector widths and
// blocks, value counts around group sizes, elements outside [0, V), and counts too large for
// 16-bit or 32-bit counters.
#include "kernels/kernels.hpp"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "kernels/dataset.hpp"

namespace shmcount {
namespace {

std::vector<std::uint64_t> reference_counts(std::span<const std::int32_t> data,
                                            std::size_t values) {
  std::vector<std::uint64_t> counts(values, 0);
  for (std::int32_t x : data) {
    if (x >= 0 && static_cast<std::size_t>(x) < values) ++counts[static_cast<std::size_t>(x)];
  }
  return counts;
}

// Random data in [lo, hi], so values outside [0, V) appear when lo < 0 or hi >= V.
std::vector<std::int32_t> random_data(std::size_t n, std::int32_t lo, std::int32_t hi,
                                      unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<std::int32_t> dist(lo, hi);
  std::vector<std::int32_t> data(n);
  for (auto& x : data) x = dist(rng);
  return data;
}

// A kernel path under test, named for messages.
struct Runnable {
  std::string name;
  KernelFn fn;
};

// Every path of every kernel that this CPU supports, and each kernel's dispatching fn.
std::vector<Runnable> runnable_paths() {
  std::vector<Runnable> out;
  for (const auto& kernel : kernel_table()) {
    out.push_back({std::string(kernel.name) + " (dispatched)", kernel.fn});
    for (const auto& path : kernel.paths) {
      if (cpu_supports(path.isa)) {
        out.push_back({std::string(kernel.name) + "/" + std::string(isa_name(path.isa)), path.fn});
      }
    }
  }
  return out;
}

void expect_all_paths_match(std::span<const std::int32_t> data, std::size_t values) {
  const auto expected = reference_counts(data, values);
  for (const auto& path : runnable_paths()) {
    std::vector<std::uint64_t> counts(values, 12345);  // Garbage in: kernels must overwrite.
    path.fn(data, counts);
    EXPECT_EQ(counts, expected) << path.name << " with " << data.size()
                                << " elements, V=" << values;
  }
}

// Every kernel adds into a count table as --counts lays it out: the rank's own counters, its
// counters interleaved with other ranks' (stride), or one table with atomic adds. Adds, never
// overwrites, and never touches another rank's counters.
TEST(Kernels, AddIntoEveryTableLayout) {
  const auto data = random_data(20'011, -3, 110, 5);  // Some outside [0, 97) too.
  const auto expected = reference_counts(data, 97);
  for (const auto& kernel : kernel_table()) {
    ASSERT_NE(kernel.count_into, nullptr) << kernel.name;
    for (const bool atomic : {false, true}) {
      for (const std::size_t stride : {1u, 3u}) {
        // Rank 1 of 3 when strided: counters at 1, 4, 7, ...; the others must stay untouched.
        std::vector<std::uint64_t> cells(97 * stride, 7);
        const std::size_t offset = stride == 1 ? 0 : 1;
        const CountTable table(cells.data() + offset, 97, stride, atomic);
        kernel.count_into(data, table);
        kernel.count_into(data, table);
        for (std::size_t i = 0; i < cells.size(); ++i) {
          const bool mine = i % stride == offset;
          const std::uint64_t want = mine ? 7 + 2 * expected[i / stride] : 7;
          ASSERT_EQ(cells[i], want)
              << kernel.name << " stride " << stride << " atomic " << atomic << " cell " << i;
        }
      }
    }
  }
}

TEST(Kernels, UpdatesPerUnitFollowTheWorkModel) {
  for (const auto& kernel : kernel_table()) {
    const double updates = updates_per_unit(kernel, 200'000, 1'000);
    EXPECT_EQ(updates, kernel.updates == UpdateModel::kOnePerValue ? 1'000 : 200'000)
        << kernel.name;
  }
  EXPECT_EQ(updates_per_unit(*find_kernel("histogram"), 200'000, 1'000), 200'000);
  EXPECT_EQ(updates_per_unit(*find_kernel("naive"), 200'000, 1'000), 1'000);
}

TEST(Kernels, PathsThisCpuCannotRunAreNamed) {
  std::string missing;
  for (const auto& kernel : kernel_table()) {
    for (const auto& path : kernel.paths) {
      if (!cpu_supports(path.isa)) {
        missing += " " + std::string(kernel.name) + "/" + std::string(isa_name(path.isa));
      }
    }
  }
  if (!missing.empty()) GTEST_SKIP() << "not tested: this CPU cannot run" << missing;
}

TEST(Kernels, AgreeWithReferenceOnAwkwardSizesAndValueCounts) {
  // 0, 1, odd sizes, sizes around every vector width (4, 8, 16 lanes, up to 4 accumulators) and
  // around the blocked kernel's 4096-element blocks, and a large odd size.
  const std::size_t sizes[] = {0,    1,    2,    3,    7,    8,    9,     15,    16,     17,
                               31,   32,   33,   63,   64,   65,   127,   128,   129,    255,
                               4095, 4096, 4097, 8191, 8192, 8193, 12289, 65537, 200'003};
  // One value, around the groups of 8 and 4, and the article's 1,000.
  const std::size_t value_counts[] = {1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 1'000};
  for (const std::size_t n : sizes) {
    for (const std::size_t values : value_counts) {
      if (n * values > 50'000'000) continue;  // Keeps the test quick; 200,003 x 17 still runs.
      const auto v = static_cast<std::int32_t>(values);
      // Out-of-range elements on both sides, with every value in [0, V) likely present.
      expect_all_paths_match(random_data(n, -3, v + 3, static_cast<unsigned>(n * 7919 + values)),
                             values);
    }
  }
}

TEST(Kernels, IgnoreNegativeAndOutOfRangeElements) {
  expect_all_paths_match(random_data(5'000, -40, 60, 1), 21);
  const std::vector<std::int32_t> extremes{INT32_MIN, -1, 0, 5, INT32_MAX, 4, -2, 5, 6, 7};
  expect_all_paths_match(extremes, 6);
  // Elements congruent to a counted value modulo 2^8, 2^16 and 2^31 must not count as it.
  std::vector<std::int32_t> aliases;
  for (int i = 0; i < 4096; ++i) {
    for (const std::int32_t x : {3 + 256, 3 + 65536, 3 + INT32_MIN, 3 - 256, 3})
      aliases.push_back(x);
  }
  expect_all_paths_match(aliases, 8);
}

TEST(Kernels, CountPastWhatA16BitLaneCounterHolds) {
  // Every element equal: each of up to 64 parallel lane counters sees more than 65,535 of them.
  const std::size_t n = std::size_t{65'536} * 64 + 17;
  for (const std::int32_t value : {0, 1, 7}) {
    expect_all_paths_match(std::vector<std::int32_t>(n, value), 9);
  }
}

// n int32 elements all equal to `value`, using almost no memory: one 2 MiB in-memory file of them,
// mapped again and again side by side.
class RepeatedElements {
 public:
  RepeatedElements(std::size_t n, std::int32_t value) : bytes_(n * sizeof(std::int32_t)) {
    constexpr std::size_t kTile = std::size_t{2} << 20;
    const int fd = memfd_create("shmcount-kernels-test", 0);
    if (fd < 0) return;
    const std::vector<std::int32_t> tile(kTile / sizeof(std::int32_t), value);
    const bool filled = ftruncate(fd, kTile) == 0 &&
                        pwrite(fd, tile.data(), kTile, 0) == static_cast<ssize_t>(kTile);
    void* base = filled ? mmap(nullptr, bytes_, PROT_NONE,
                               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
                        : MAP_FAILED;
    if (base != MAP_FAILED) {
      base_ = static_cast<char*>(base);
      bool mapped = true;
      for (std::size_t at = 0; at < bytes_ && mapped; at += kTile) {
        mapped = mmap(base_ + at, std::min(kTile, bytes_ - at), PROT_READ, MAP_SHARED | MAP_FIXED,
                      fd, 0) != MAP_FAILED;
      }
      if (!mapped) {
        munmap(base_, bytes_);
        base_ = nullptr;
      }
    }
    close(fd);
  }
  ~RepeatedElements() {
    if (base_) munmap(base_, bytes_);
  }
  RepeatedElements(const RepeatedElements&) = delete;
  RepeatedElements& operator=(const RepeatedElements&) = delete;

  bool ok() const { return base_ != nullptr; }
  std::span<const std::int32_t> data() const {
    return {reinterpret_cast<const std::int32_t*>(base_), bytes_ / sizeof(std::int32_t)};
  }

 private:
  std::size_t bytes_;
  char* base_ = nullptr;
};

// 2^32 + 5 equal elements: a count, or a sum of lane counters, kept or flushed in 32 bits would
// wrap. Every path counts zeros with V = 1; the naive paths also count ones with V = 2, the pass
// for value 1 running backward over the array (passes alternate direction).
TEST(Kernels, CountPastWhatA32BitCountHolds) {
  const std::size_t n = (std::size_t{1} << 32) + 5;
  for (const std::int32_t value : {0, 1}) {
    const RepeatedElements elements(n, value);
    if (!elements.ok()) GTEST_SKIP() << "cannot map 16 GiB of repeated pages: errno " << errno;
    for (const auto& path : runnable_paths()) {
      if (path.name.find("(dispatched)") != std::string::npos) continue;  // A path runs below.
      if (value == 1 && path.name.rfind("naive/", 0) != 0) continue;
      std::vector<std::uint64_t> counts(static_cast<std::size_t>(value) + 1, 12345);
      path.fn(elements.data(), counts);
      std::vector<std::uint64_t> expected(counts.size(), 0);
      expected[static_cast<std::size_t>(value)] = n;
      EXPECT_EQ(counts, expected) << path.name << ", every element " << value;
    }
  }
}

TEST(Kernels, CountTheSeedDataAndRandomDataAsTheGeneratorExpects) {
  for (const auto pattern : {Pattern::kSeed, Pattern::kRandom}) {
    DataSpec spec{200'000, 1'000, pattern, 42};
    std::vector<std::int32_t> data(spec.size);
    fill(spec, data);
    const auto expected = expected_counts(spec);
    EXPECT_EQ(reference_counts(data, spec.values), expected);
    expect_all_paths_match(data, spec.values);
  }
}

TEST(KernelTable, NamesAreUniqueAndFindable) {
  for (const auto& kernel : kernel_table()) {
    EXPECT_EQ(find_kernel(kernel.name), &kernel);
    EXPECT_FALSE(kernel.description.empty());
  }
  EXPECT_EQ(find_kernel("nope"), nullptr);
  EXPECT_EQ(kernel_table().front().name, "naive");  // The default.
}

TEST(KernelTable, PathsRunWidestFirstAndEndPortable) {
  for (const auto& kernel : kernel_table()) {
    ASSERT_FALSE(kernel.paths.empty()) << kernel.name;
    EXPECT_EQ(kernel.paths.back().isa, Isa::kPortable) << kernel.name;
    for (std::size_t i = 1; i < kernel.paths.size(); ++i) {
      EXPECT_LT(kernel.paths[i - 1].isa, kernel.paths[i].isa) << kernel.name;
    }
  }
  EXPECT_TRUE(cpu_supports(Isa::kPortable));
}

TEST(KernelTable, DispatchedPathIsTheWidestTheCpuSupports) {
  for (const auto& kernel : kernel_table()) {
    const KernelPath& chosen = dispatched_path(kernel);
    EXPECT_TRUE(cpu_supports(chosen.isa)) << kernel.name;
    for (const auto& path : kernel.paths) {
      if (&path == &chosen) break;
      EXPECT_FALSE(cpu_supports(path.isa)) << kernel.name << " skips " << isa_name(path.isa);
    }
    EXPECT_EQ(kernel_isa(kernel), isa_name(chosen.isa));
  }
  EXPECT_TRUE(cpu_supports(widest_isa()));
  EXPECT_EQ(isa_name(dispatched_path(*find_kernel("blocked")).isa), isa_name(widest_isa()));
}

TEST(KernelTable, WorkPerUnitFollowsTheAlgorithm) {
  EXPECT_DOUBLE_EQ(work_per_unit(*find_kernel("naive"), 200'000, 1'000), 2e8);
  EXPECT_DOUBLE_EQ(work_per_unit(*find_kernel("blocked"), 200'000, 1'000), 2e8);
  EXPECT_DOUBLE_EQ(work_per_unit(*find_kernel("histogram"), 200'000, 1'000), 2e5);
  EXPECT_EQ(find_kernel("histogram")->algorithm, "histogram");
}

TEST(KernelTable, IsaNamesAndLanes) {
  EXPECT_EQ(isa_name(Isa::kAvx512), "avx512");
  EXPECT_EQ(isa_name(Isa::kAvx2), "avx2");
  EXPECT_EQ(isa_name(Isa::kPortable), "portable");
  EXPECT_EQ(isa_lanes(Isa::kAvx512), 16);
  EXPECT_EQ(isa_lanes(Isa::kAvx2), 8);
  EXPECT_EQ(isa_lanes(Isa::kPortable), 4);
}

}  // namespace
}  // namespace shmcount

// Every kernel agrees with a plain reference, on the edges where kernels usually break.
#include "kernels/kernels.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "kernels/dataset.hpp"

namespace shmcount {
namespace {

std::vector<std::uint64_t> reference_counts(const std::vector<std::int32_t>& data,
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

void expect_all_kernels_match(const std::vector<std::int32_t>& data, std::size_t values) {
  const auto expected = reference_counts(data, values);
  for (const auto& kernel : kernel_table()) {
    std::vector<std::uint64_t> counts(values, 12345);  // Garbage in: kernels must overwrite.
    kernel.fn(data, counts);
    EXPECT_EQ(counts, expected) << kernel.name << " with " << data.size()
                                << " elements, V=" << values;
  }
}

TEST(Kernels, AgreeWithReferenceOnAwkwardSizes) {
  // 0, 1, and sizes off every vector width and the blocked kernel's 4096-element block.
  for (std::size_t n : {0, 1, 2, 7, 15, 16, 17, 31, 33, 63, 65, 4095, 4096, 4097, 10'007}) {
    expect_all_kernels_match(random_data(n, 0, 12, static_cast<unsigned>(n)), 13);
  }
}

TEST(Kernels, IgnoreValuesOutsideTheRange) {
  expect_all_kernels_match(random_data(5'000, -40, 60, 1), 21);
  const std::vector<std::int32_t> extremes{INT32_MIN, -1, 0, 5, INT32_MAX, 4, -2, 5};
  expect_all_kernels_match(extremes, 6);
}

TEST(Kernels, AgreeWithOneValueAndWithManyValues) {
  expect_all_kernels_match(random_data(3'001, 0, 0, 2), 1);
  expect_all_kernels_match(random_data(3'001, -1, 1, 3), 1);
  // V not a multiple of the blocked kernel's group of 8 or 4.
  for (std::size_t values : {2, 3, 4, 5, 8, 9, 12, 13, 1'000, 4'099}) {
    expect_all_kernels_match(random_data(2'500, 0, static_cast<std::int32_t>(values), 4), values);
  }
}

TEST(Kernels, CountTheSeedDataAndRandomDataAsTheGeneratorExpects) {
  for (const auto pattern : {Pattern::kSeed, Pattern::kRandom}) {
    DataSpec spec{200'000, 1'000, pattern, 42};
    std::vector<std::int32_t> data(spec.size);
    fill(spec, data);
    const auto expected = expected_counts(spec);
    EXPECT_EQ(reference_counts(data, spec.values), expected);
    expect_all_kernels_match(data, spec.values);
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

TEST(KernelTable, WorkPerUnitFollowsTheAlgorithm) {
  EXPECT_DOUBLE_EQ(work_per_unit(*find_kernel("naive"), 200'000, 1'000), 2e8);
  EXPECT_DOUBLE_EQ(work_per_unit(*find_kernel("blocked"), 200'000, 1'000), 2e8);
  EXPECT_DOUBLE_EQ(work_per_unit(*find_kernel("histogram"), 200'000, 1'000), 2e5);
  EXPECT_EQ(find_kernel("histogram")->algorithm, "histogram");
}

}  // namespace
}  // namespace shmcount

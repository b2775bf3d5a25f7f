// The generator is the oracle: its patterns and expected counts must be exactly right.
#include "kernels/dataset.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace shmcount {
namespace {

TEST(Dataset, SeedPatternRepeatsZeroToVMinusOne) {
  DataSpec spec{10, 4, Pattern::kSeed, 1};
  std::vector<std::int32_t> data(spec.size);
  fill(spec, data);
  EXPECT_EQ(data, (std::vector<std::int32_t>{0, 1, 2, 3, 0, 1, 2, 3, 0, 1}));
  EXPECT_EQ(expected_counts(spec), (std::vector<std::uint64_t>{3, 3, 2, 2}));
}

TEST(Dataset, ArticleDataHoldsEachValue200Times) {
  const auto counts = expected_counts(DataSpec{});
  ASSERT_EQ(counts.size(), 1000u);
  for (auto c : counts) EXPECT_EQ(c, 200u);
}

TEST(Dataset, RandomPatternIsReproducibleInRangeAndSeedDependent) {
  DataSpec spec{50'000, 97, Pattern::kRandom, 7};
  std::vector<std::int32_t> a(spec.size), b(spec.size);
  fill(spec, a);
  fill(spec, b);
  EXPECT_EQ(a, b);
  for (auto x : a) ASSERT_TRUE(x >= 0 && x < 97);
  std::vector<std::uint64_t> counted(spec.values, 0);
  for (auto x : a) ++counted[static_cast<std::size_t>(x)];
  EXPECT_EQ(expected_counts(spec), counted);
  spec.seed = 8;
  fill(spec, b);
  EXPECT_NE(a, b);
}

TEST(Dataset, PatternNamesRoundTrip) {
  for (const auto& entry : pattern_table()) {
    EXPECT_EQ(parse_pattern(entry.name), entry.value);
    EXPECT_EQ(pattern_name(entry.value), entry.name);
    EXPECT_FALSE(entry.description.empty());
  }
  EXPECT_EQ(pattern_name(parse_pattern("random")), "random");
  EXPECT_THROW(parse_pattern("Random"), UsageError);
  EXPECT_THROW(parse_pattern(""), UsageError);
}

TEST(Dataset, SlicesFilledApartMakeTheSameArray) {
  for (const Pattern pattern : {Pattern::kSeed, Pattern::kRandom}) {
    const DataSpec spec{10007, 97, pattern, 5};
    std::vector<std::int32_t> whole(spec.size), sliced(spec.size, -1);
    fill(spec, whole);
    // Slices of awkward sizes, filled out of order, as ranks touching their own part would.
    const std::size_t cuts[] = {0, 1, 333, 5000, 9999, spec.size};
    for (int i = 4; i >= 0; --i) fill_range(spec, sliced, cuts[i], cuts[i + 1]);
    EXPECT_EQ(sliced, whole) << pattern_name(pattern);
  }
}

}  // namespace
}  // namespace shmcount

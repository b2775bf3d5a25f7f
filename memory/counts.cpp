#include "counts.hpp"

#include <array>

#include "common/table.hpp"

namespace shmcount {
namespace {

std::size_t round_up(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }

// A rank's own padded table: its counters, rounded up to whole line pairs.
std::size_t padded_table_bytes(std::size_t values) {
  return round_up(values * sizeof(std::uint64_t), kLinePair);
}

constexpr std::array kModes{
    CountsMode{"private",
               "each rank counts into its own private memory (the article's case: only reading "
               "is shared)",
               false, false, [](std::size_t, int) -> std::size_t { return 0; },
               [](std::uint64_t*, std::span<std::uint64_t> own, std::size_t values, int, int) {
                 return CountTable(own.data(), values, 1, false);
               }},
    CountsMode{"shared",
               "one table of counts per node in the shared memory, every rank adding into it "
               "with atomic read-modify-write (true sharing)",
               true, true, [](std::size_t values, int) { return values * sizeof(std::uint64_t); },
               [](std::uint64_t* shared, std::span<std::uint64_t>, std::size_t values, int, int) {
                 return CountTable(shared, values, 1, true);
               }},
    CountsMode{"packed",
               "each rank its own counts in the shared memory, interleaved with its neighbours' "
               "so that they share cache lines (false sharing), plain stores",
               true, false,
               [](std::size_t values, int ranks) {
                 return values * static_cast<std::size_t>(ranks) * sizeof(std::uint64_t);
               },
               [](std::uint64_t* shared, std::span<std::uint64_t>, std::size_t values, int ranks,
                  int local_rank) {
                 return CountTable(shared + local_rank, values, static_cast<std::size_t>(ranks),
                                   false);
               }},
    CountsMode{"padded",
               "each rank its own counts in the shared memory, each table on its own 128-byte "
               "boundary, so no cache line is written by two ranks",
               true, false,
               [](std::size_t values, int ranks) {
                 return padded_table_bytes(values) * static_cast<std::size_t>(ranks);
               },
               [](std::uint64_t* shared, std::span<std::uint64_t>, std::size_t values, int,
                  int local_rank) {
                 const std::size_t words = padded_table_bytes(values) / sizeof(std::uint64_t);
                 return CountTable(shared + words * static_cast<std::size_t>(local_rank), values, 1,
                                   false);
               }},
#ifdef SHMCOUNT_TEST_ENTRIES
#include "tests/extension/counts_entry.inc"
#endif
};

}  // namespace

std::span<const CountsMode> counts_table() { return kModes; }

const CountsMode* find_counts_mode(std::string_view name) { return find_entry(kModes, name); }

}  // namespace shmcount

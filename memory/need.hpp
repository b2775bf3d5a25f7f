// What the memory of a run is made of, by part, so that a refusal for want of room (a small
// /dev/shm, kernel.shmmax or shmall, huge pages, the address space, the node's memory) names what
// is too big (the array, the count tables, or both, with their sizes) and the option that makes
// that part smaller (--size for the array; --values or --counts private for the count tables).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace shmcount {

struct SizeNeed {
  std::uint64_t elements = 0;    // --size (0: not known, the part is named without it).
  std::size_t array_bytes = 0;   // The array's bytes, once (a private copy: per rank).
  int copies = 1;                // Copies of the array (--share private: one per rank).
  std::size_t counts_bytes = 0;  // The count tables in this memory (0: none).
  // --counts, when counts_bytes > 0: "private" for the ranks' own tables (in their own memory).
  std::string_view counts_mode;
  std::size_t values = 0;       // --values, when counts_bytes > 0.
  int ranks = 1;                // The tables' ranks (the node's), when counts_bytes > 0.
  std::size_t other_bytes = 0;  // Something else in the same room, e.g. the MPI library's part.
  std::string other_what;       // What it is ("the MPI library"), when other_bytes > 0.

  std::size_t total() const;
  // "the array (--size 200000) needs 781 KiB", or for several parts, the largest first, "the
  // shared memory needs 256.0 MiB: the count tables 256.0 MiB (--counts padded: 16777216 values x
  // 2 ranks) and the array 4 KiB (--size 1000)"; `total` shown (0: total()), `container` naming
  // the whole.
  std::string needs(std::string_view container = "the shared memory", std::size_t total = 0) const;
  // The options that make it fit in `room` bytes (0 or less: not known, every part's): each an
  // alternative ("a smaller --values", "--counts private", "a smaller --size"), the largest part's
  // first; one item naming both when neither part alone can make it fit.
  std::vector<std::string> fixes(double room = 0) const;
  std::vector<std::string> array_fixes() const;
  std::vector<std::string> counts_fixes() const;
};

// "use A", "use A or B", "use A, B, or C" (empty: "").
std::string use(const std::vector<std::string>& alternatives);
// `list` with `more` after it.
std::vector<std::string> plus(std::vector<std::string> list, const std::vector<std::string>& more);

// "781 KiB", "256.0 MiB", "12.0 GiB".
std::string human_bytes(double bytes);

// Pure: the refusal when `need` is more than 80% of this node's `memory` bytes, else "".
std::string memory_refusal(const SizeNeed& need, double memory);

}  // namespace shmcount

// SHA-256 (FIPS 180-4), for recording exactly which file a run loaded (a plugin kernel).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace shmcount {

// A digest fed in pieces, so that a file is hashed without holding it in memory.
class Sha256 {
 public:
  void update(std::string_view bytes);
  // The digest of everything fed, as 64 lowercase hex digits (call once).
  std::string hex();

 private:
  std::array<std::uint32_t, 8> h_{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::array<unsigned char, 64> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t length_ = 0;
};

// The digest of `bytes` as 64 lowercase hex digits.
std::string sha256_hex(std::string_view bytes);

// The digest of the file at `path`; throws Error naming the file when it cannot be read.
std::string sha256_of_file(const std::string& path);

// The digest of what is left to read from `fd` (read in 64 KiB pieces); `path` names it in errors.
std::string sha256_of_fd(int fd, const std::string& path);

}  // namespace shmcount

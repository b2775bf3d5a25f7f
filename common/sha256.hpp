// SHA-256 (FIPS 180-4), for recording exactly which file a run loaded (a plugin kernel).
#pragma once

#include <string>
#include <string_view>

namespace shmcount {

// The digest of `bytes` as 64 lowercase hex digits.
std::string sha256_hex(std::string_view bytes);

// The digest of the file at `path`; throws Error naming the file when it cannot be read.
std::string sha256_of_file(const std::string& path);

}  // namespace shmcount

// A framing for values that travel between ranks as bytes: every string is length-prefixed, so
// no byte inside one (a separator, a newline, anything) can shift the fields after it.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

#include "common/error.hpp"

namespace shmcount {

class WireWriter {
 public:
  template <class T>
  requires std::is_trivially_copyable_v<T> WireWriter& put(const T& value) {
    bytes_.append(reinterpret_cast<const char*>(&value), sizeof value);
    return *this;
  }
  WireWriter& put_string(std::string_view text) {
    put(static_cast<std::uint64_t>(text.size()));
    bytes_.append(text);
    return *this;
  }
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

// Reads what a WireWriter wrote, in the same order. Throws Error when the bytes end early.
class WireReader {
 public:
  explicit WireReader(std::string_view bytes) : bytes_(bytes) {}

  template <class T>
  requires std::is_trivially_copyable_v<T> T get() {
    T value;
    std::memcpy(&value, take(sizeof value).data(), sizeof value);
    return value;
  }
  std::string get_string() { return std::string(take(get<std::uint64_t>())); }
  bool done() const { return pos_ == bytes_.size(); }

 private:
  std::string_view take(std::size_t n) {
    if (n > bytes_.size() - pos_) throw Error("internal: a message between ranks is truncated");
    const std::string_view part = bytes_.substr(pos_, n);
    pos_ += n;
    return part;
  }
  std::string_view bytes_;
  std::size_t pos_ = 0;
};

}  // namespace shmcount

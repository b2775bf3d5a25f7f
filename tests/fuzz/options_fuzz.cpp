// libFuzzer target over the option parser and the --pin strategy/list parser: any input must end
// in a parsed value or an Error with a message, never a crash, hang or other exception.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cli/options.hpp"
#include "common/error.hpp"
#include "placement/plan.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  // The whole input as one --pin value.
  try {
    shmcount::parse_strategy(input);
  } catch (const shmcount::Error& e) {
    if (std::string_view(e.what()).empty()) __builtin_trap();
  }
  // The input split at newlines as a command line.
  std::vector<std::string_view> args;
  for (std::size_t begin = 0; begin <= input.size();) {
    const std::size_t end = std::min(input.find('\n', begin), input.size());
    args.emplace_back(input.data() + begin, end - begin);
    begin = end + 1;
  }
  try {
    shmcount::parse_options(args);
  } catch (const shmcount::Error& e) {
    if (std::string_view(e.what()).empty()) __builtin_trap();
  }
  return 0;
}

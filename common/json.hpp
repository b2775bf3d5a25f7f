// The one JSON writer's pieces: a string and a number as JSON text. Every JSON shmcount writes
// (the run context of a counting run and of a latency map) is built from these.
#pragma once

#include <string>
#include <string_view>

namespace shmcount {

// A JSON string's content: valid UTF-8 kept (non-ASCII as it is), any other byte as the four
// characters "\xNN" (utf8_or_escaped), then quotes, backslashes and control characters escaped
// ("\n", "\t" by name, the rest as "\u00NN").
std::string json_escape(std::string_view text);

// `text` as a JSON string, quotes included.
std::string json_string(std::string_view text);

// `v` as a JSON number with six significant digits ("%.6g"); a value that is not finite (inf,
// nan) as null, which every reader takes, never a bare inf or nan, which none does.
std::string json_number(double v);

// `v` as JSON true or false.
inline const char* json_bool(bool v) { return v ? "true" : "false"; }

}  // namespace shmcount

// Text from outside shmcount (host names, CPU models, paths, the command line) may hold any byte.
// These functions make it safe for each place it goes: valid UTF-8 for CSV and JSON, no control
// characters on a terminal.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace shmcount {

// `text` with every byte that is not part of valid UTF-8 written as the four characters "\xNN";
// valid UTF-8 (including control characters) is kept as it is.
std::string utf8_or_escaped(std::string_view text);

// `text` for a terminal: control characters (below 0x20, and 0x7f) and bytes that are not valid
// UTF-8 written as "\xNN" ("\n", "\r", "\t" and "\e" by name, C1 controls as "\u0080"), and a
// backslash doubled, so no byte can move the cursor or change colours and every escape is one.
std::string printable(std::string_view text);

// A CSV field: `text` as utf8_or_escaped() makes it, quoted when it holds a comma, quote, CR or
// LF (RFC 4180), so any host name, path or model string reads back as one field.
std::string csv_field(std::string_view text);

// Sorted numbers as hwloc list ranges: {0, 1, 2, 5} -> "0-2,5".
std::string index_ranges(const std::vector<int>& sorted);

// Edit distance between two short words (insertions, deletions, substitutions).
std::size_t edit_distance(std::string_view a, std::string_view b);

// " (did you mean NAME?)" for the name nearest `word` within two edits (scater: scatter), or
// empty when none is that near.
std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& names);

}  // namespace shmcount

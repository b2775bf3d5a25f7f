// The tables of shmcount (kernels, strategies, mechanisms, counts modes, page kinds, parameters,
// lists...) are arrays of entries with a `name`. These are the one way to look an entry up by
// name, to list the names, and to refuse a name that is none of them, so that every option says
// the same thing in the same words: "--share 'mmap': unknown mechanism; use one of sysv, posix".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "common/text.hpp"

namespace shmcount {

// The value as messages quote it: 'value', cut at `max` characters ("...'" then).
inline std::string shown(std::string_view value, std::size_t max = 40) {
  return "'" + std::string(value.substr(0, max)) + (value.size() > max ? "...'" : "'");
}

// The entry of `table` whose name() is `name`, or nullptr. `name_of` gives an entry's name
// (by default its `name` member).
template <class Table, class NameOf>
auto find_entry(const Table& table, std::string_view name, NameOf name_of)
    -> decltype(&*std::begin(table)) {
  for (const auto& entry : table) {
    if (std::string_view(name_of(entry)) == name) return &entry;
  }
  return nullptr;
}
template <class Table>
auto find_entry(const Table& table, std::string_view name) {
  return find_entry(table, name, [](const auto& e) { return std::string_view(e.name); });
}

// The names of `table`, in its order.
template <class Table, class NameOf>
std::vector<std::string> entry_names(const Table& table, NameOf name_of) {
  std::vector<std::string> out;
  for (const auto& entry : table) out.emplace_back(name_of(entry));
  return out;
}
template <class Table>
std::vector<std::string> entry_names(const Table& table) {
  return entry_names(table, [](const auto& e) { return std::string_view(e.name); });
}

// Names joined with `separator`: ", " in messages and help (names_text), " " where a script
// splits them (--list axes values).
std::string joined(const std::vector<std::string>& names, std::string_view separator);
inline std::string names_text(const std::vector<std::string>& names) { return joined(names, ", "); }

// An entry of a table of an option's values: the name typed, the value it means, what it is
// (for --help, the man page and --list).
template <class Value>
struct NamedValue {
  std::string_view name;
  Value value;
  std::string_view description;
};

// The name of `value` in `table` ("?" when none has it).
template <class Table, class Value>
std::string_view name_of_value(const Table& table, Value value) {
  for (const auto& entry : table) {
    if (entry.value == value) return entry.name;
  }
  return "?";
}

// The one refusal of a name no entry has: "WHAT: unknown KIND (did you mean NEAR?); use one of
// A, B, C" then `more` (", or plugin:PATH ..."). `what` is the option and its value as typed,
// "--share 'mmap'"; `word` is the name looked up.
UsageError unknown_name(std::string_view what, std::string_view kind, std::string_view word,
                        const std::vector<std::string>& names, std::string_view more = "");

// find_entry(), refusing with unknown_name() when there is none: `flag` and `value` as typed.
template <class Table>
const auto& entry_or_refuse(const Table& table, std::string_view flag, std::string_view value,
                            std::string_view kind, std::string_view more = "") {
  const auto* entry = find_entry(table, value);
  if (!entry) {
    throw unknown_name(std::string(flag) + " " + shown(value), kind, value, entry_names(table),
                       more);
  }
  return *entry;
}

}  // namespace shmcount

#include "json.hpp"

#include <cmath>
#include <cstdio>

#include "common/text.hpp"

namespace shmcount {

std::string json_escape(std::string_view raw) {
  std::string out;
  for (unsigned char c : utf8_or_escaped(raw)) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

std::string json_string(std::string_view text) { return "\"" + json_escape(text) + "\""; }

std::string json_number(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace shmcount

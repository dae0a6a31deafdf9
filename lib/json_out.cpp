#include "json_out.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace outcomes {

void append_json_string(std::string& out, std::string_view text) {
  // Printable ASCII other than '"' and '\\' is written as it is by JSON's rules, and nearly
  // every field is such text: copy it without building a json value.
  const bool plain = std::all_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u < 0x80 && c != '"' && c != '\\';
  });
  if (plain) {
    out += '"';
    out += text;
    out += '"';
    return;
  }
  out += nlohmann::json(std::string(text))
             .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace outcomes

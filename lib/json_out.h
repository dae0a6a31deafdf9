// The one fast JSON string writer for the whole-store outputs (assess json/jsonl, export
// jsonl), which write JSON text straight into a buffer instead of building json values.
#pragma once
#include <string>
#include <string_view>

namespace outcomes {

// Appends `text` as a JSON string exactly as nlohmann::json's dump writes it (UTF-8 kept,
// control characters escaped, invalid UTF-8 replaced by U+FFFD).
void append_json_string(std::string& out, std::string_view text);

}  // namespace outcomes

// The one way a YAML file of the workspace (a framework, its local wording, outcomes.yaml)
// is read: its bytes are checked before yaml-cpp sees them and its keys after, so that
// what yaml-cpp tolerates (a second document, text swallowed by an unclosed quote) is
// refused instead of silently dropping settings.
#pragma once
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace outcomes {

// A problem of a YAML file's text, 1-based (line 0: the whole file).
struct YamlProblem {
  std::size_t line = 0;
  std::size_t column = 0;
  std::string message;
};

// The bytes of the YAML file at `path`, read up to one byte over text::kMaxYamlBytes (so a
// huge file is refused without being read whole); nullopt with `error` set ("no such file",
// "cannot be read") when it cannot be read.
std::optional<std::string> read_yaml_file(const std::filesystem::path& path, std::string& error);

// The one document of `text`. Problems (the node is then null): the text is over
// text::kMaxYamlBytes, not UTF-8, or holds control characters other than tab and line
// breaks; a second document follows (an empty one is ignored); or a key written at
// the start of a line was not read as a key of the top-level mapping. Throws
// YAML::ParserException on a syntax error yaml-cpp reports itself.
YAML::Node load_yaml_document(std::string_view text, std::vector<YamlProblem>& problems);

// For a syntax error at 1-based `error_line` of `text`: when a line at or up to three lines
// before it is indented out of step with the lines above it (deeper than a line that opens
// no block, or back to a column no enclosing line starts at), a hint naming that line and
// the columns that would line up, starting with "; "; else "".
std::string indentation_hint(std::string_view text, std::size_t error_line);

}  // namespace outcomes

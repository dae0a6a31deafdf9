#include "yaml_source.h"

#include <fmt/format.h>

#include <cctype>
#include <fstream>
#include <set>

#include "text.h"

namespace outcomes {
namespace {

// The key a line starts with ("name" of "name: value" at column 1), or "" when it does not
// start with a plain key.
std::string_view line_key(std::string_view line) {
  std::size_t n = 0;
  while (n < line.size() && (std::isalnum(static_cast<unsigned char>(line[n])) ||
                             line[n] == '_' || line[n] == '-'))
    ++n;
  if (n == 0 || line[0] == '-' || n >= line.size() || line[n] != ':') return {};
  if (n + 1 < line.size() && line[n + 1] != ' ' && line[n + 1] != '\t' && line[n + 1] != '\r')
    return {};
  return line.substr(0, n);
}

}  // namespace

std::optional<std::string> read_yaml_file(const std::filesystem::path& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    error = std::filesystem::exists(path, ec) ? "cannot be read" : "no such file";
    return std::nullopt;
  }
  std::string bytes(text::kMaxYamlBytes + 1, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (in.bad()) {
    error = "cannot be read";
    return std::nullopt;
  }
  bytes.resize(static_cast<std::size_t>(in.gcount()));
  return bytes;
}

YAML::Node load_yaml_document(std::string_view text, std::vector<YamlProblem>& problems) {
  if (text.size() > text::kMaxYamlBytes) {
    problems.push_back({0, 0,
                        fmt::format("the file is over {} bytes (the limit of a YAML file)",
                                    text::kMaxYamlBytes)});
    return {};
  }
  if (auto fault = text::find_text_fault(text, text::Controls::LineBreaks)) {
    auto at = text::position_of(text, fault->offset);
    problems.push_back({at.line, at.column,
                        text::describe_fault(text, *fault) +
                            "; expected UTF-8 text without control characters"});
    return {};
  }
  std::vector<YAML::Node> documents = YAML::LoadAll(std::string(text));
  if (documents.empty()) return {};
  for (std::size_t d = 1; d < documents.size(); ++d) {
    if (documents[d].IsNull()) continue;  // a trailing '---' or '...' holds nothing
    const YAML::Mark mark = documents[d].Mark();
    problems.push_back({mark.line >= 0 ? static_cast<std::size_t>(mark.line) + 1 : 0,
                        mark.column >= 0 ? static_cast<std::size_t>(mark.column) + 1 : 0,
                        "a second YAML document; expected one document per file (remove the "
                        "'---' or '...' line before it)"});
    return {};
  }
  YAML::Node root = documents.front();
  if (!root.IsMap()) return root;
  std::set<std::string> keys;
  for (const auto& kv : root) {
    const YAML::Node key = kv.first;  // a copy: kv.first is a temporary proxy
    if (key.IsScalar()) keys.insert(key.Scalar());
  }
  std::size_t line_number = 0;
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    ++line_number;
    std::string_view key = line_key(text.substr(begin, end - begin));
    if (!key.empty() && !keys.count(std::string(key)))
      problems.push_back(
          {line_number, 1,
           fmt::format("'{}' was not read as a key: the text before it swallows it (an unclosed "
                       "quote?)",
                       key)});
    begin = end + 1;
  }
  if (!problems.empty()) return {};
  return root;
}

}  // namespace outcomes

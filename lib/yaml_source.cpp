#include "yaml_source.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/eventhandler.h>

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

// Notes where a YAML document starts and whether it holds anything but an empty node: used
// to find a second document without building it.
class DocumentProbe final : public YAML::EventHandler {
 public:
  bool has_content() const { return content_; }
  const YAML::Mark& mark() const { return mark_; }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { note(mark, false); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { note(mark, true); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string&) override {
    note(mark, true);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    note(mark, true);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    note(mark, true);
  }
  void OnMapEnd() override {}

 private:
  void note(const YAML::Mark& mark, bool content) {
    if (!seen_) mark_ = mark;
    seen_ = true;
    content_ = content_ || content;
  }
  bool seen_ = false, content_ = false;
  YAML::Mark mark_;
};

// True when some line starts with "---" or "...". A document marker must start its line,
// so text without one holds a single document and need not be parsed a second time to look
// for another (a line break here is CR or LF, so that no marker is missed either way).
bool has_document_marker(std::string_view text) {
  std::size_t at = 0;
  while (at < text.size()) {
    const std::string_view line = text.substr(at);
    if (line.starts_with("---") || line.starts_with("...")) return true;
    at = text.find_first_of("\r\n", at);
    if (at == std::string_view::npos) break;
    ++at;
  }
  return false;
}

// The start of a second document holding something, if the text has one. Only the first
// two documents are read: yaml-cpp's LoadAll can loop for ever on some malformed text
// (e.g. "!,"), reading the same empty document again and again.
std::optional<YAML::Mark> second_document(const std::string& text) {
  if (!has_document_marker(text)) return std::nullopt;
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentProbe first, second;
  if (!parser.HandleNextDocument(first) || !parser.HandleNextDocument(second) ||
      !second.has_content())
    return std::nullopt;
  return second.mark();
}

}  // namespace

std::optional<std::string> read_yaml_file(const std::filesystem::path& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    error = std::filesystem::exists(path, ec) ? "cannot be read" : "no such file";
    return std::nullopt;
  }
  // Read a block at a time up to one byte past the limit (so that a file over it is seen to
  // be): a buffer of the whole limit, zeroed for every file, cost more than the parsing of a
  // framework, and a command loads every framework of the workspace before its first step.
  std::string bytes;
  std::array<char, 1 << 16> block;
  while (bytes.size() <= text::kMaxYamlBytes) {
    const std::size_t want = std::min(block.size(), text::kMaxYamlBytes + 1 - bytes.size());
    in.read(block.data(), static_cast<std::streamsize>(want));
    bytes.append(block.data(), static_cast<std::size_t>(in.gcount()));
    if (!in) break;  // the end of the file, or a failure (below)
  }
  if (in.bad()) {
    error = "cannot be read";
    return std::nullopt;
  }
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
  const std::string whole(text);
  YAML::Node root = YAML::Load(whole);
  // A trailing '---' or '...' with nothing after it is not a second document.
  if (auto mark = second_document(whole)) {
    problems.push_back({mark->line >= 0 ? static_cast<std::size_t>(mark->line) + 1 : 0,
                        mark->column >= 0 ? static_cast<std::size_t>(mark->column) + 1 : 0,
                        "a second YAML document; expected one document per file (remove the "
                        "'---' or '...' line before it)"});
    return {};
  }
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

std::string indentation_hint(std::string_view text, std::size_t error_line) {
  // The block levels open above each line (their columns, innermost last), as YAML's block
  // structure nests them; lines inside block scalars, flow collections and quoted scalars
  // that span lines are not structure and are passed over.
  std::vector<std::size_t> levels;
  std::size_t line_number = 0, begin = 0;
  std::size_t prev_indent = 0;
  bool prev_opens = true;         // the previous line ends with ':' (a block follows)
  std::size_t item_column = 0;    // the content column of a previous "- " line, or 0
  std::size_t scalar_above = std::string::npos;  // a block scalar's key column
  int open_flow = 0;
  bool open_quote = false;
  std::size_t found_line = 0, found_indent = 0;
  std::vector<std::size_t> found_levels;
  while (begin < text.size() && line_number < error_line) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    ++line_number;
    std::string_view line = text.substr(begin, end - begin);
    begin = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::size_t indent = line.find_first_not_of(' ');
    if (indent == std::string_view::npos || line[indent] == '#') continue;
    if (scalar_above != std::string::npos) {
      if (indent > scalar_above) continue;
      scalar_above = std::string::npos;
    }
    const bool continuation = open_flow > 0 || open_quote;
    std::string_view body = line.substr(indent);
    if (auto hash = body.find(" #"); hash != std::string_view::npos) body = body.substr(0, hash);
    while (!body.empty() && body.back() == ' ') body.remove_suffix(1);
    for (char ch : body) {
      if (ch == '"') open_quote = !open_quote;
      if (open_quote) continue;
      if (ch == '[' || ch == '{') ++open_flow;
      if ((ch == ']' || ch == '}') && open_flow > 0) --open_flow;
    }
    if (continuation) continue;

    bool fits = false;
    if (line_number == 1 || (prev_opens && indent > prev_indent) ||
        (prev_opens && indent == prev_indent && body.starts_with('-')) ||
        (item_column > 0 && indent == item_column))
      fits = true;
    while (!levels.empty() && levels.back() > indent) levels.pop_back();
    if (!levels.empty() && levels.back() == indent) fits = true;
    if (!fits && line_number + 3 >= error_line) {
      found_line = line_number;
      found_indent = indent;
      found_levels = levels;
      if (item_column > 0) found_levels.push_back(item_column);
    }
    if (levels.empty() || levels.back() < indent) levels.push_back(indent);
    prev_indent = indent;
    prev_opens = body.ends_with(':');
    item_column = 0;
    if (body.starts_with("- ")) {
      item_column = indent + 2 + body.substr(2).find_first_not_of(' ');
      levels.push_back(item_column);
      prev_opens = prev_opens || body.ends_with(':');
    }
    if (body.ends_with('|') || body.ends_with('>') || body.ends_with("|-") ||
        body.ends_with(">-"))
      scalar_above = indent;
  }
  if (found_line == 0) return "";
  std::sort(found_levels.begin(), found_levels.end());
  found_levels.erase(std::unique(found_levels.begin(), found_levels.end()), found_levels.end());
  std::vector<std::size_t> columns;
  for (auto c : found_levels) columns.push_back(c + 1);
  return fmt::format(
      "; line {} is indented to column {}, out of step with the lines above it{}: YAML nests "
      "by indentation, so check that it lines up with the keys it belongs with",
      found_line, found_indent + 1,
      columns.empty() ? "" : fmt::format(" (which start at column {})", fmt::join(columns, ", ")));
}

}  // namespace outcomes

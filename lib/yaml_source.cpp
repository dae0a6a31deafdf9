#include "yaml_source.h"

#include <fmt/format.h>

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

// The start of a second document holding something, if the text has one. Only the first
// two documents are read: yaml-cpp's LoadAll can loop for ever on some malformed text
// (e.g. "!,"), reading the same empty document again and again.
std::optional<YAML::Mark> second_document(const std::string& text) {
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

}  // namespace outcomes

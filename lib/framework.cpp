#include "framework.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <ostream>
#include <set>
#include <sstream>

#include "error.h"
#include "framework_cache.h"
#include "hash.h"
#include "suggest.h"
#include "text.h"
#include "yaml_source.h"

namespace outcomes {

// ---------------------------------------------------------------------------------------
// Names of the enumerations, as written in framework files.

std::string_view to_string(MeasureType type) {
  switch (type) {
    case MeasureType::Status:
      return "status";
    case MeasureType::Scale:
      return "scale";
    case MeasureType::Milestone:
      return "milestone";
    case MeasureType::Signal:
      return "signal";
    case MeasureType::Goal:
      return "goal";
  }
  return "status";
}

std::string_view to_string(Nature nature) {
  return nature == Nature::Hard ? "hard" : "soft";
}

std::string_view to_string(StatusMeaning meaning) {
  switch (meaning) {
    case StatusMeaning::Achieved:
      return "achieved";
    case StatusMeaning::Partial:
      return "partial";
    case StatusMeaning::NotAchieved:
      return "not_achieved";
    case StatusMeaning::NotRelevant:
      return "not_relevant";
  }
  return "achieved";
}

std::string_view to_string(ScoreRule rule) {
  switch (rule) {
    case ScoreRule::None:
      return "none";
    case ScoreRule::Sum:
      return "sum";
    case ScoreRule::WeightedSum:
      return "weighted_sum";
  }
  return "none";
}

std::string_view to_string(Direction direction) {
  return direction == Direction::HigherIsBetter ? "higher_is_better" : "lower_is_better";
}

std::string_view to_string(MissingRule rule) {
  return rule == MissingRule::Incomplete ? "incomplete" : "prorate";
}

// ---------------------------------------------------------------------------------------
// Model helpers.

bool Measure::allows(int value) const {
  if (!values.empty()) return std::find(values.begin(), values.end(), value) != values.end();
  return value >= min && value <= max;
}

int Measure::lowest() const {
  return values.empty() ? min : *std::min_element(values.begin(), values.end());
}

int Measure::highest() const {
  return values.empty() ? max : *std::max_element(values.begin(), values.end());
}

std::string Measure::allowed_text() const {
  if (values.empty()) return fmt::format("{}..{}", min, max);
  return fmt::format("one of {}", fmt::join(values, ", "));
}

const Band* Scoring::band_for(double score) const {
  const Band* found = nullptr;
  for (const auto& band : bands)
    if (score >= band.min && score <= band.max)
      found = &band;  // the later band wins a shared boundary
  return found;
}

const Measure* Framework::find_measure(std::string_view id) const {
  for (const auto& m : measures)
    if (m.id == id) return &m;
  return nullptr;
}

const StatusDef* Framework::find_status(std::string_view id) const {
  for (const auto& s : statuses)
    if (s.id == id) return &s;
  return nullptr;
}

std::vector<const Measure*> Framework::items() const {
  std::vector<const Measure*> out;
  for (const auto& m : measures)
    if (m.type == MeasureType::Scale) out.push_back(&m);
  return out;
}

std::string Framework::status_for(StatusMeaning meaning) const {
  for (const auto& s : statuses)
    if (s.means == meaning) return s.id;
  return "";
}

std::string to_string(const Diagnostic& d) {
  std::string out = d.file;
  if (d.line > 0) {
    out += fmt::format(":{}", d.line);
    if (d.column > 0) out += fmt::format(":{}", d.column);
  }
  if (!d.key.empty()) out += (out.empty() ? "" : ": ") + d.key;
  if (!out.empty()) out += ": ";
  return out + d.message;
}

namespace {

// ---------------------------------------------------------------------------------------
// Reading YAML with diagnostics.

const std::vector<std::string> kTopKeys{"id",       "name",    "version",     "source",
                                        "licence",  "notice",  "description", "rules",
                                        "statuses", "scoring", "goal_scale",  "domains"};
const std::vector<std::string> kStatusKeys{"id", "name", "means"};
const std::vector<std::string> kScoringKeys{
    "total",        "conversion",     "direction",          "bands", "reliability",
    "reference_sd", "minimum_change", "minimum_interval",   "sem",   "norms",
    "population",   "missing",        "prorate_max_missing"};
const std::vector<std::string> kBandKeys{"id", "name", "min", "max"};
const std::vector<std::string> kReliabilityKeys{"value", "kind", "source"};
const std::vector<std::string> kNormsKeys{"functional", "dysfunctional"};
const std::vector<std::string> kNormGroupKeys{"mean", "sd"};
const std::vector<std::string> kGoalScaleKeys{"min", "max", "baseline", "rho", "levels"};
const std::vector<std::string> kDomainKeys{"id", "name", "description", "measures"};
const std::vector<std::string> kMeasureKeys{"id",         "name",       "type",  "nature",
                                            "definition", "indicators", "min",   "max",
                                            "values",     "weight",     "label", "sustain"};
const std::vector<std::string> kLocalKeys{"labels", "anchors"};

const std::vector<std::string> kMeasureTypes{"status", "scale", "milestone", "signal", "goal"};
const std::vector<std::string> kNatures{"hard", "soft"};
const std::vector<std::string> kMeanings{"achieved", "partial", "not_achieved", "not_relevant"};
const std::vector<std::string> kTotals{"sum", "weighted_sum", "none"};
const std::vector<std::string> kDirections{"higher_is_better", "lower_is_better"};
const std::vector<std::string> kReliabilityKinds{"test_retest", "alpha"};
const std::vector<std::string> kMissingRules{"incomplete", "prorate"};

std::string join(const std::vector<std::string>& words, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += separator;
    out += words[i];
  }
  return out;
}

// A short description of what a node holds, for "got …" in messages.
std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return "'" + node.Scalar() + "'";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    default:
      return "nothing";
  }
}

// Collects diagnostics for one file.
struct Reporter {
  std::string file;
  std::vector<Diagnostic> problems;

  void add(const YAML::Mark& mark, std::string key, std::string message) {
    Diagnostic d;
    d.file = file;
    if (mark.line >= 0) {
      d.line = mark.line + 1;
      d.column = mark.column + 1;
    }
    d.key = std::move(key);
    d.message = std::move(message);
    problems.push_back(std::move(d));
  }
};

// The one document of `text`, its problems (syntax errors included) reported; nullopt
// when there are any.
std::optional<YAML::Node> load_document(std::string_view text, Reporter& rep) {
  std::vector<YamlProblem> problems;
  YAML::Node root;
  try {
    root = load_yaml_document(text, problems);
  } catch (const YAML::ParserException& e) {
    rep.add(e.mark, "", "YAML syntax error: " + e.msg +
                            indentation_hint(text, static_cast<std::size_t>(e.mark.line + 1)));
    return std::nullopt;
  }
  for (auto& p : problems) {
    YAML::Mark mark = YAML::Mark::null_mark();
    if (p.line > 0) {
      mark.line = static_cast<int>(p.line) - 1;
      mark.column = p.column > 0 ? static_cast<int>(p.column) - 1 : 0;
    }
    rep.add(mark, "", std::move(p.message));
  }
  if (!problems.empty()) return std::nullopt;
  return root;
}

// A value in a mapping, with where it is: null values report at their key, because
// yaml-cpp places an empty value at the start of the next line.
struct Field {
  std::string path;
  YAML::Node node;
  YAML::Mark mark;
};

std::string child_path(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string index_path(const std::string& path, std::size_t index) {
  return fmt::format("{}[{}]", path, index);
}

YAML::Mark mark_of(const YAML::Node& node, const YAML::Mark& fallback) {
  if (!node.IsDefined() || node.IsNull() || node.Mark().line < 0) return fallback;
  return node.Mark();
}

// The fields of one mapping: unknown and duplicate keys are reported when it is read.
class MapReader {
 public:
  MapReader(Reporter& rep, const Field& field, const std::vector<std::string>& allowed,
            std::string_view what)
      : rep_(rep), path_(field.path), mark_(field.mark) {
    if (!field.node.IsMap()) {
      rep_.add(field.mark, path_, fmt::format("expected {}, got {}", what, describe(field.node)));
      return;
    }
    is_map_ = true;
    for (auto it = field.node.begin(); it != field.node.end(); ++it) {
      const YAML::Node key = it->first;  // a copy: it-> yields a temporary proxy
      if (!key.IsScalar()) {
        rep_.add(key.Mark(), path_, fmt::format("expected a text key, got {}", describe(key)));
        continue;
      }
      const std::string name = key.Scalar();
      const std::string path = child_path(path_, name);
      if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
        rep_.add(key.Mark(), path,
                 fmt::format("unknown key '{}'{}; expected one of: {}", name,
                             did_you_mean(name, allowed), join(allowed, ", ")));
        continue;
      }
      auto seen = std::find_if(fields_.begin(), fields_.end(),
                               [&](const auto& f) { return f.first == name; });
      if (seen != fields_.end()) {
        rep_.add(key.Mark(), path,
                 fmt::format("duplicate key '{}' (first given at line {})", name,
                             seen->second.mark.line + 1));
        continue;
      }
      fields_.emplace_back(name, Field{path, it->second, mark_of(it->second, key.Mark())});
    }
  }

  bool is_map() const { return is_map_; }
  const YAML::Mark& mark() const { return mark_; }
  const std::string& path() const { return path_; }

  // The field named `key`, or nullptr when absent.
  const Field* get(std::string_view key) const {
    for (const auto& f : fields_)
      if (f.first == key) return &f.second;
    return nullptr;
  }

  // The field named `key`; reports it missing when absent (unless the map itself was bad).
  const Field* require(std::string_view key, std::string_view expected) const {
    const Field* f = get(key);
    if (f == nullptr && is_map_)
      rep_.add(mark_, child_path(path_, key),
               fmt::format("missing required key '{}'; expected {}", key, expected));
    return f;
  }

  // The entries in file order, for mappings with free keys (conversion, labels, …).
  const std::vector<std::pair<std::string, Field>>& fields() const { return fields_; }

 private:
  Reporter& rep_;
  std::string path_;
  YAML::Mark mark_;
  bool is_map_ = false;
  std::vector<std::pair<std::string, Field>> fields_;
};

// Every entry of a mapping whose keys are free (ids or numbers), with duplicates reported.
std::vector<std::pair<YAML::Node, Field>> free_map(Reporter& rep, const Field& field,
                                                   std::string_view what) {
  std::vector<std::pair<YAML::Node, Field>> out;
  if (!field.node.IsMap()) {
    rep.add(field.mark, field.path, fmt::format("expected {}, got {}", what, describe(field.node)));
    return out;
  }
  std::map<std::string, int> seen;
  for (auto it = field.node.begin(); it != field.node.end(); ++it) {
    const YAML::Node key = it->first;  // a copy: it-> yields a temporary proxy
    if (!key.IsScalar()) {
      rep.add(key.Mark(), field.path, fmt::format("expected a text key, got {}", describe(key)));
      continue;
    }
    const std::string path = child_path(field.path, key.Scalar());
    auto [pos, fresh] = seen.emplace(key.Scalar(), key.Mark().line + 1);
    if (!fresh) {
      rep.add(
          key.Mark(), path,
          fmt::format("duplicate key '{}' (first given at line {})", key.Scalar(), pos->second));
      continue;
    }
    out.emplace_back(key, Field{path, it->second, mark_of(it->second, key.Mark())});
  }
  return out;
}

std::optional<long long> parse_integer_text(const std::string& text) {
  if (text.empty()) return std::nullopt;
  std::size_t i = (text[0] == '-' || text[0] == '+') ? 1 : 0;
  if (i == text.size()) return std::nullopt;
  for (std::size_t j = i; j < text.size(); ++j)
    if (text[j] < '0' || text[j] > '9') return std::nullopt;
  if (text.size() - i > 12) return std::nullopt;
  return std::stoll(text);
}

std::optional<double> parse_number_text(const std::string& text) {
  if (text.empty()) return std::nullopt;
  const char* begin = text.c_str();
  char* end = nullptr;
  errno = 0;
  double value = std::strtod(begin, &end);
  if (end != begin + text.size() || errno != 0 || !std::isfinite(value)) return std::nullopt;
  // strtod also takes hex floats and "inf"; only plain decimals are numbers here.
  for (char c : text)
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+' ||
          c == 'e' || c == 'E'))
      return std::nullopt;
  return value;
}

// Typed readers: each reports what it found and what was expected, and returns nullopt.

std::optional<std::string> read_text(Reporter& rep, const Field& f, bool allow_empty = false) {
  if (f.node.IsScalar()) {
    if (f.node.Scalar().empty() && !allow_empty) {
      rep.add(f.mark, f.path, "empty value; expected a text");
      return std::nullopt;
    }
    // A YAML escape ("\e") gives control characters the raw bytes did not show.
    if (auto why = text::value_problem(f.node.Scalar(), text::Controls::LineBreaks)) {
      rep.add(f.mark, f.path, std::move(*why));
      return std::nullopt;
    }
    return f.node.Scalar();
  }
  if (f.node.IsNull() && allow_empty) return std::string();
  rep.add(f.mark, f.path, fmt::format("expected a text, got {}", describe(f.node)));
  return std::nullopt;
}

std::optional<int> read_int(Reporter& rep, const Field& f) {
  if (f.node.IsScalar()) {
    auto v = parse_integer_text(f.node.Scalar());
    if (v && *v >= std::numeric_limits<int>::min() / 2 && *v <= std::numeric_limits<int>::max() / 2)
      return static_cast<int>(*v);
  }
  rep.add(f.mark, f.path, fmt::format("expected a whole number, got {}", describe(f.node)));
  return std::nullopt;
}

std::optional<double> read_number(Reporter& rep, const Field& f) {
  if (f.node.IsScalar()) {
    if (auto v = parse_number_text(f.node.Scalar())) return v;
  }
  rep.add(f.mark, f.path, fmt::format("expected a number, got {}", describe(f.node)));
  return std::nullopt;
}

// A number that must be greater than zero.
std::optional<double> read_positive(Reporter& rep, const Field& f) {
  auto v = read_number(rep, f);
  if (v && *v <= 0) {
    rep.add(f.mark, f.path,
            fmt::format("{} is not allowed; expected a number greater than 0", f.node.Scalar()));
    return std::nullopt;
  }
  return v;
}

std::optional<std::string> read_choice(Reporter& rep, const Field& f,
                                       const std::vector<std::string>& choices,
                                       std::string_view what) {
  if (!f.node.IsScalar() || f.node.Scalar().empty()) {
    rep.add(f.mark, f.path,
            fmt::format("expected {}, got {}", join(choices, "|"), describe(f.node)));
    return std::nullopt;
  }
  const std::string& v = f.node.Scalar();
  if (std::find(choices.begin(), choices.end(), v) != choices.end()) return v;
  rep.add(f.mark, f.path,
          fmt::format("unknown {} '{}'{}; expected {}", what, v, did_you_mean(v, choices),
                      join(choices, "|")));
  return std::nullopt;
}

bool valid_id(std::string_view id) {
  if (id.empty()) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

std::optional<std::string> read_id(Reporter& rep, const Field& f) {
  auto text = read_text(rep, f);
  if (!text) return std::nullopt;
  if (!valid_id(*text)) {
    rep.add(
        f.mark, f.path,
        fmt::format("invalid id '{}'; expected lowercase letters, digits, '_' or '-' only", *text));
    return std::nullopt;
  }
  return text;
}

std::optional<std::vector<std::string>> read_text_list(Reporter& rep, const Field& f) {
  if (f.node.IsNull()) return std::vector<std::string>{};
  if (!f.node.IsSequence()) {
    rep.add(f.mark, f.path, fmt::format("expected a list of texts, got {}", describe(f.node)));
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (std::size_t i = 0; i < f.node.size(); ++i) {
    Field item{index_path(f.path, i), f.node[i], mark_of(f.node[i], f.mark)};
    if (auto t = read_text(rep, item))
      out.push_back(*t);
    else
      ok = false;
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<Duration> read_duration(Reporter& rep, const Field& f) {
  if (f.node.IsScalar()) {
    if (auto d = parse_duration(f.node.Scalar())) return d;
  }
  std::string hint;
  if (f.node.IsScalar()) {
    const std::string& text = f.node.Scalar();
    const std::string count = text.substr(0, text.find(' '));
    // Suggest a unit only when the count is right: "6 monts" → "6 months".
    if (auto n = parse_integer_text(count); n && *n > kMaxDurationCount) {
      hint = fmt::format(" ({} is more than {})", *n, kMaxDurationCount);
    } else if (n && *n > 0) {
      std::vector<std::string> candidates;
      for (const char* unit : {"days", "weeks", "months", "day", "week", "month"})
        candidates.push_back(count + " " + unit);
      hint = did_you_mean(text, candidates);
    }
  }
  rep.add(f.mark, f.path,
          fmt::format("invalid duration {}; expected \"N days|N weeks|N months\" with N > 0{}",
                      describe(f.node), hint));
  return std::nullopt;
}

// A list field: reports a non-list and returns its elements as fields.
std::optional<std::vector<Field>> read_list(Reporter& rep, const Field& f, std::string_view what,
                                            bool must_be_non_empty) {
  if (!f.node.IsSequence()) {
    rep.add(f.mark, f.path, fmt::format("expected a list of {}, got {}", what, describe(f.node)));
    return std::nullopt;
  }
  if (must_be_non_empty && f.node.size() == 0) {
    rep.add(f.mark, f.path, fmt::format("empty list; expected at least one of {}", what));
    return std::nullopt;
  }
  std::vector<Field> out;
  for (std::size_t i = 0; i < f.node.size(); ++i)
    out.push_back(Field{index_path(f.path, i), f.node[i], mark_of(f.node[i], f.mark)});
  return out;
}

// "3, 5..7, 9" for a sorted list of whole numbers.
std::string format_ranges(const std::vector<long long>& sorted) {
  std::vector<std::string> parts;
  for (std::size_t i = 0; i < sorted.size();) {
    std::size_t j = i;
    while (j + 1 < sorted.size() && sorted[j + 1] == sorted[j] + 1) ++j;
    parts.push_back(j == i ? fmt::format("{}", sorted[i])
                           : fmt::format("{}..{}", sorted[i], sorted[j]));
    i = j + 1;
  }
  return join(parts, ", ");
}


// ---------------------------------------------------------------------------------------
// The framework parser.

struct BandSource {
  YAML::Mark mark;  // the band's mapping
  YAML::Mark min_mark;
  YAML::Mark max_mark;
  std::string path;
  bool valid = false;
};

class FrameworkParser {
 public:
  FrameworkParser(Reporter& rep, Framework& fw) : rep_(rep), fw_(fw) {}

  void parse(const YAML::Node& root) {
    Field top{"", root, mark_of(root, YAML::Mark())};
    if (!root.IsDefined() || root.IsNull()) {
      rep_.add(YAML::Mark(), "",
               "empty file; expected a mapping with id, name, version, source, licence and "
               "domains");
      return;
    }
    MapReader map(rep_, top, kTopKeys,
                  "a mapping with id, name, version, source, licence and domains");
    if (!map.is_map()) return;
    top_mark_ = map.mark();

    if (auto f = map.require("id", "the framework id ([a-z0-9_-]+)"))
      if (auto v = read_id(rep_, *f)) fw_.id = *v;
    read_required_text(map, "name", fw_.name);
    read_required_text(map, "version", fw_.version);
    read_required_text(map, "source", fw_.source);
    read_required_text(map, "licence", fw_.licence);
    if (auto f = map.get("notice"))
      if (auto v = read_text(rep_, *f, true)) fw_.notice = *v;
    if (auto f = map.get("description"))
      if (auto v = read_text(rep_, *f, true)) fw_.description = *v;
    if (auto f = map.get("rules"))
      if (auto v = read_text_list(rep_, *f)) fw_.rules = *v;

    if (auto f = map.get("statuses"))
      parse_statuses(*f);
    else
      fw_.statuses = default_statuses();

    if (auto f = map.require("domains", "a list of domains, each with id, name and measures"))
      parse_domains(*f);

    if (auto f = map.get("goal_scale")) parse_goal_scale(*f);
    if (auto f = map.get("scoring")) parse_scoring(*f);
    check_cross_rules();
  }

 private:
  static std::vector<StatusDef> default_statuses() {
    return {{"achieved", "Achieved", StatusMeaning::Achieved},
            {"partial", "Partially achieved", StatusMeaning::Partial},
            {"not_achieved", "Not achieved", StatusMeaning::NotAchieved},
            {"not_relevant", "Not relevant", StatusMeaning::NotRelevant}};
  }

  void read_required_text(const MapReader& map, std::string_view key, std::string& out) {
    if (auto f = map.require(key, "a text"))
      if (auto v = read_text(rep_, *f)) out = *v;
  }

  void parse_statuses(const Field& field) {
    auto items = read_list(rep_, field, "statuses", true);
    if (!items) {
      statuses_valid_ = false;
      return;
    }
    std::map<std::string, int> seen;
    for (const auto& item : *items) {
      MapReader map(rep_, item, kStatusKeys, "a status mapping with id, name and means");
      if (!map.is_map()) {
        statuses_valid_ = false;
        continue;
      }
      StatusDef s;
      bool ok = true;
      if (auto f = map.require("id", "the status id ([a-z0-9_-]+)")) {
        if (auto v = read_id(rep_, *f)) {
          s.id = *v;
          auto [pos, fresh] = seen.emplace(s.id, f->mark.line + 1);
          if (!fresh) {
            rep_.add(f->mark, f->path,
                     fmt::format("duplicate status id '{}' (first given at line {})", s.id,
                                 pos->second));
            ok = false;
          }
        } else {
          ok = false;
        }
      } else {
        ok = false;
      }
      if (auto f = map.get("name")) {
        if (auto v = read_text(rep_, *f)) s.name = *v;
      } else {
        s.name = s.id;
      }
      if (auto f = map.require("means", join(kMeanings, "|"))) {
        if (auto v = read_choice(rep_, *f, kMeanings, "meaning"))
          s.means = static_cast<StatusMeaning>(std::find(kMeanings.begin(), kMeanings.end(), *v) -
                                               kMeanings.begin());
        else
          ok = false;
      } else {
        ok = false;
      }
      if (ok)
        fw_.statuses.push_back(s);
      else
        statuses_valid_ = false;
    }
    if (!statuses_valid_) return;
    // Deriving a status from needs yields the achieved, partial and not-achieved ids.
    std::vector<std::string> lacking;
    for (auto meaning :
         {StatusMeaning::Achieved, StatusMeaning::Partial, StatusMeaning::NotAchieved})
      if (fw_.status_for(meaning).empty()) lacking.emplace_back(to_string(meaning));
    if (!lacking.empty())
      rep_.add(field.mark, field.path,
               fmt::format("no status means {}; a status set needs one status meaning each of "
                           "achieved, partial and not_achieved (used when deriving statuses "
                           "from needs)",
                           join(lacking, ", ")));
  }

  void parse_domains(const Field& field) {
    auto items = read_list(rep_, field, "domains", true);
    if (!items) return;
    std::map<std::string, int> domain_seen;
    for (const auto& item : *items) {
      MapReader map(rep_, item, kDomainKeys, "a domain mapping with id, name and measures");
      if (!map.is_map()) continue;
      Domain d;
      if (auto f = map.require("id", "the domain id ([a-z0-9_-]+)")) {
        if (auto v = read_id(rep_, *f)) {
          d.id = *v;
          auto [pos, fresh] = domain_seen.emplace(d.id, f->mark.line + 1);
          if (!fresh)
            rep_.add(f->mark, f->path,
                     fmt::format("duplicate domain id '{}' (first given at line {})", d.id,
                                 pos->second));
        }
      }
      read_required_text(map, "name", d.name);
      if (auto f = map.get("description"))
        if (auto v = read_text(rep_, *f, true)) d.description = *v;
      if (auto f = map.require("measures", "a list of measures")) {
        if (auto measures = read_list(rep_, *f, "measures", true))
          for (const auto& m : *measures) parse_measure(m, d);
      }
      fw_.domains.push_back(std::move(d));
    }
  }

  void parse_measure(const Field& field, Domain& domain) {
    MapReader map(rep_, field, kMeasureKeys, "a measure mapping with id, name, type and nature");
    if (!map.is_map()) return;
    Measure m;
    m.domain = domain.id;
    bool ok = true;
    if (auto f = map.require("id", "the measure id ([a-z0-9_-]+), unique in the framework")) {
      if (auto v = read_id(rep_, *f)) {
        m.id = *v;
        auto [pos, fresh] = measure_seen_.emplace(m.id, f->mark.line + 1);
        if (!fresh) {
          rep_.add(f->mark, f->path,
                   fmt::format("duplicate measure id '{}' (first given at line {}); measure ids "
                               "must be unique across all domains",
                               m.id, pos->second));
          ok = false;
        }
      } else {
        ok = false;
      }
    } else {
      ok = false;
    }
    read_required_text(map, "name", m.name);
    std::optional<MeasureType> type;
    if (auto f = map.require("type", join(kMeasureTypes, "|"))) {
      if (auto v = read_choice(rep_, *f, kMeasureTypes, "measure type"))
        type = static_cast<MeasureType>(std::find(kMeasureTypes.begin(), kMeasureTypes.end(), *v) -
                                        kMeasureTypes.begin());
    }
    if (type) m.type = *type;
    if (auto f = map.require("nature", "hard|soft (soft = relational)")) {
      if (auto v = read_choice(rep_, *f, kNatures, "nature"))
        m.nature = *v == "hard" ? Nature::Hard : Nature::Soft;
    }
    if (auto f = map.get("definition"))
      if (auto v = read_text(rep_, *f, true)) m.definition = *v;
    if (auto f = map.get("indicators"))
      if (auto v = read_text_list(rep_, *f)) m.indicators = *v;
    if (auto f = map.get("label"))
      if (auto v = read_text(rep_, *f, true)) m.label = *v;

    // Keys that only one type of measure takes.
    if (type) {
      for (const char* key : {"min", "max", "values", "weight"}) {
        const Field* f = map.get(key);
        if (f != nullptr && *type != MeasureType::Scale)
          rep_.add(f->mark, f->path,
                   fmt::format("'{}' applies only to scale measures; this measure's type is {}",
                               key, to_string(*type)));
      }
      if (const Field* f = map.get("sustain"); f != nullptr && *type != MeasureType::Milestone)
        rep_.add(f->mark, f->path,
                 fmt::format("'sustain' applies only to milestone measures; this measure's type "
                             "is {}",
                             to_string(*type)));
    }

    if (type == MeasureType::Scale) {
      if (!parse_item_range(map, m)) items_valid_ = false;
      if (auto f = map.get("weight")) {
        if (auto v = read_positive(rep_, *f))
          m.weight = *v;
        else
          items_valid_ = false;
      }
      if (first_scale_mark_.line < 0) first_scale_mark_ = map.mark();
    } else if (type == MeasureType::Milestone) {
      if (auto f = map.get("sustain"))
        if (auto v = read_duration(rep_, *f)) m.sustain = v;
    } else if (type == MeasureType::Goal) {
      if (first_goal_mark_.line < 0) {
        first_goal_mark_ = map.mark();
        first_goal_path_ = map.path();
      }
      has_goal_ = true;
    }
    if (!type) type_unknown_ = true;

    if (ok) {
      domain.measures.push_back(m.id);
      fw_.measures.push_back(std::move(m));
    } else if (type == MeasureType::Scale) {
      items_valid_ = false;
    }
  }

  // min/max or values of a scale item; false when they are unusable.
  bool parse_item_range(const MapReader& map, Measure& m) {
    const Field* fmin = map.get("min");
    const Field* fmax = map.get("max");
    const Field* fvalues = map.get("values");
    if (fvalues != nullptr && (fmin != nullptr || fmax != nullptr)) {
      rep_.add(fvalues->mark, fvalues->path, "give either min and max, or values, not both");
      return false;
    }
    if (fvalues != nullptr) {
      if (!fvalues->node.IsSequence()) {
        rep_.add(fvalues->mark, fvalues->path,
                 fmt::format("expected a list of whole numbers, got {}", describe(fvalues->node)));
        return false;
      }
      if (fvalues->node.size() == 0) {
        rep_.add(fvalues->mark, fvalues->path,
                 "empty list; expected the allowed whole-number values of this item");
        return false;
      }
      bool ok = true;
      for (std::size_t i = 0; i < fvalues->node.size(); ++i) {
        Field item{index_path(fvalues->path, i), fvalues->node[i],
                   mark_of(fvalues->node[i], fvalues->mark)};
        auto v = read_int(rep_, item);
        if (!v) {
          ok = false;
          continue;
        }
        if (std::find(m.values.begin(), m.values.end(), *v) != m.values.end()) {
          rep_.add(item.mark, item.path,
                   fmt::format("duplicate value {}; each allowed value is listed once", *v));
          ok = false;
          continue;
        }
        m.values.push_back(*v);
      }
      if (!ok) return false;
      m.min = m.lowest();
      m.max = m.highest();
      return true;
    }
    if (fmin == nullptr && fmax == nullptr) {
      rep_.add(map.mark(), child_path(map.path(), "min"),
               "missing required key 'min'; a scale measure needs min and max (whole numbers), "
               "or values");
      return false;
    }
    if (fmin == nullptr || fmax == nullptr) {
      const char* missing = fmin == nullptr ? "min" : "max";
      rep_.add(map.mark(), child_path(map.path(), missing),
               fmt::format("missing required key '{}'; a scale measure needs both min and max",
                           missing));
      if (fmin != nullptr) read_int(rep_, *fmin);
      if (fmax != nullptr) read_int(rep_, *fmax);
      return false;
    }
    auto lo = read_int(rep_, *fmin);
    auto hi = read_int(rep_, *fmax);
    if (!lo || !hi) return false;
    if (*lo > *hi) {
      rep_.add(fmin->mark, fmin->path,
               fmt::format("min {} is greater than max {}; expected min <= max", *lo, *hi));
      return false;
    }
    m.min = *lo;
    m.max = *hi;
    return true;
  }

  void parse_goal_scale(const Field& field) {
    goal_scale_mark_ = field.mark;
    goal_scale_path_ = field.path;
    MapReader map(rep_, field, kGoalScaleKeys, "a mapping with min, max, baseline and rho");
    if (!map.is_map()) {
      fw_.goal_scale = GoalScale{};
      return;
    }
    GoalScale g;
    const Field* fmin = map.get("min");
    const Field* fmax = map.get("max");
    const Field* fbase = map.get("baseline");
    bool range_ok = true;
    if (fmin != nullptr) {
      if (auto v = read_int(rep_, *fmin))
        g.min = *v;
      else
        range_ok = false;
    }
    if (fmax != nullptr) {
      if (auto v = read_int(rep_, *fmax))
        g.max = *v;
      else
        range_ok = false;
    }
    if (range_ok && g.min >= g.max) {
      const Field* at = fmin ? fmin : fmax;
      rep_.add(at ? at->mark : map.mark(), at ? at->path : child_path(map.path(), "min"),
               fmt::format("min {} is not below max {}; expected min < max (e.g. -2 and 2)", g.min,
                           g.max));
      range_ok = false;
    }
    if (fbase) {
      if (auto v = read_int(rep_, *fbase)) {
        g.baseline = *v;
        if (range_ok && (g.baseline < g.min || g.baseline > g.max))
          rep_.add(fbase->mark, fbase->path,
                   fmt::format("baseline {} is outside the scale; expected {}..{}", g.baseline,
                               g.min, g.max));
      }
    } else if (range_ok && (g.baseline < g.min || g.baseline > g.max)) {
      rep_.add(map.mark(), child_path(map.path(), "baseline"),
               fmt::format("the default baseline -1 is outside the scale {}..{}; give baseline",
                           g.min, g.max));
    }
    if (auto f = map.get("rho")) {
      if (auto v = read_number(rep_, *f)) {
        if (*v < 0 || *v >= 1)
          rep_.add(f->mark, f->path,
                   fmt::format("{} is outside [0, 1); expected the inter-goal correlation, "
                               "conventionally 0.3",
                               f->node.Scalar()));
        else
          g.rho = *v;
      }
    }
    if (auto f = map.get("levels")) {
      for (auto& [key, value] : free_map(rep_, *f, "a mapping of attainment level to label")) {
        auto level = parse_integer_text(key.Scalar());
        if (!level) {
          rep_.add(key.Mark(), value.path,
                   fmt::format("expected a whole-number attainment level, got '{}'", key.Scalar()));
          continue;
        }
        if (range_ok && (*level < g.min || *level > g.max)) {
          rep_.add(
              key.Mark(), value.path,
              fmt::format("level {} is outside the scale; expected {}..{}", *level, g.min, g.max));
          continue;
        }
        if (auto text = read_text(rep_, value)) g.levels[static_cast<int>(*level)] = *text;
      }
    }
    fw_.goal_scale = g;
  }

  void parse_scoring(const Field& field) {
    scoring_present_ = true;
    scoring_mark_ = field.mark;
    MapReader map(rep_, field, kScoringKeys, "a scoring mapping");
    if (!map.is_map()) {
      scoring_bad_ = true;
      return;
    }
    Scoring& s = fw_.scoring;
    if (auto f = map.get("total")) {
      total_field_ = *f;
      if (auto v = read_choice(rep_, *f, kTotals, "total rule"))
        s.total = *v == "sum"            ? ScoreRule::Sum
                  : *v == "weighted_sum" ? ScoreRule::WeightedSum
                                         : ScoreRule::None;
    }
    if (auto f = map.get("conversion")) {
      conversion_field_ = *f;
      for (auto& [key, value] : free_map(rep_, *f, "a mapping of raw total to reported score")) {
        auto raw = parse_integer_text(key.Scalar());
        if (!raw || *raw < std::numeric_limits<int>::min() / 2 ||
            *raw > std::numeric_limits<int>::max() / 2) {
          rep_.add(key.Mark(), value.path,
                   fmt::format("expected a whole-number raw total, got '{}'", key.Scalar()));
          conversion_valid_ = false;
          continue;
        }
        if (auto score = read_number(rep_, value)) {
          s.conversion[static_cast<int>(*raw)] = *score;
          conversion_marks_[static_cast<int>(*raw)] = key.Mark();
        } else {
          conversion_valid_ = false;
        }
      }
    }
    if (auto f = map.get("direction")) {
      direction_given_ = true;
      if (auto v = read_choice(rep_, *f, kDirections, "direction"))
        s.direction =
            *v == "higher_is_better" ? Direction::HigherIsBetter : Direction::LowerIsBetter;
    }
    if (auto f = map.get("bands")) parse_bands(*f);
    if (auto f = map.get("reliability")) {
      MapReader rel(rep_, *f, kReliabilityKeys, "a mapping with value, kind and source");
      if (rel.is_map()) {
        Reliability r;
        bool ok = true;
        if (auto fv = rel.require("value", "a number between 0 and 1, exclusive")) {
          if (auto v = read_number(rep_, *fv)) {
            if (*v <= 0 || *v >= 1) {
              rep_.add(fv->mark, fv->path,
                       fmt::format("{} is outside (0, 1); expected a reliability coefficient "
                                   "between 0 and 1, exclusive",
                                   fv->node.Scalar()));
              ok = false;
            } else {
              r.value = *v;
            }
          } else {
            ok = false;
          }
        } else {
          ok = false;
        }
        if (auto fk = rel.require("kind", join(kReliabilityKinds, "|"))) {
          if (auto v = read_choice(rep_, *fk, kReliabilityKinds, "reliability kind"))
            r.kind = *v;
          else
            ok = false;
        } else {
          ok = false;
        }
        if (auto fs = rel.get("source"))
          if (auto v = read_text(rep_, *fs, true)) r.source = *v;
        if (ok) s.reliability = r;
      }
    }
    if (auto f = map.get("reference_sd"))
      if (auto v = read_positive(rep_, *f)) s.reference_sd = v;
    if (auto f = map.get("minimum_change"))
      if (auto v = read_positive(rep_, *f)) s.minimum_change = v;
    if (auto f = map.get("sem"))
      if (auto v = read_positive(rep_, *f)) s.sem = v;
    if (auto f = map.get("minimum_interval"))
      if (auto v = read_duration(rep_, *f)) s.minimum_interval = v;
    if (auto f = map.get("norms")) {
      MapReader norms(rep_, *f, kNormsKeys, "a mapping with functional and dysfunctional");
      if (norms.is_map()) {
        Norms n;
        bool ok = true;
        for (auto [key, group] : {std::pair{"functional", &n.functional},
                                  std::pair{"dysfunctional", &n.dysfunctional}}) {
          const Field* fg = norms.require(key, "a mapping with mean and sd");
          if (fg == nullptr) {
            ok = false;
            continue;
          }
          MapReader g(rep_, *fg, kNormGroupKeys, "a mapping with mean and sd");
          if (!g.is_map()) {
            ok = false;
            continue;
          }
          auto mean = g.require("mean", "a number");
          auto sd = g.require("sd", "a number greater than 0");
          auto mean_value = mean ? read_number(rep_, *mean) : std::nullopt;
          auto sd_value = sd ? read_positive(rep_, *sd) : std::nullopt;
          if (mean_value && sd_value) {
            group->mean = *mean_value;
            group->sd = *sd_value;
          } else {
            ok = false;
          }
        }
        if (ok) s.norms = n;
      }
    }
    if (auto f = map.get("population"))
      if (auto v = read_text_list(rep_, *f)) s.population = *v;
    if (auto f = map.get("missing")) {
      if (auto v = read_choice(rep_, *f, kMissingRules, "missing-item rule"))
        s.missing = *v == "prorate" ? MissingRule::Prorate : MissingRule::Incomplete;
    }
    if (auto f = map.get("prorate_max_missing")) prorate_field_ = *f;
  }

  void parse_bands(const Field& field) {
    bands_field_ = field;
    auto items = read_list(rep_, field, "bands", true);
    if (!items) {
      bands_valid_ = false;
      return;
    }
    std::map<std::string, int> seen;
    for (const auto& item : *items) {
      MapReader map(rep_, item, kBandKeys, "a band mapping with id, name, min and max");
      BandSource src;
      src.mark = item.mark;
      src.path = item.path;
      if (!map.is_map()) {
        bands_valid_ = false;
        continue;
      }
      Band b;
      bool ok = true;
      if (auto f = map.require("id", "the band id ([a-z0-9_-]+)")) {
        if (auto v = read_id(rep_, *f)) {
          b.id = *v;
          auto [pos, fresh] = seen.emplace(b.id, f->mark.line + 1);
          if (!fresh) {
            rep_.add(
                f->mark, f->path,
                fmt::format("duplicate band id '{}' (first given at line {})", b.id, pos->second));
            ok = false;
          }
        } else {
          ok = false;
        }
      } else {
        ok = false;
      }
      if (auto f = map.require("name", "a text")) {
        if (auto v = read_text(rep_, *f))
          b.name = *v;
        else
          ok = false;
      } else {
        ok = false;
      }
      const Field* fmin = map.require("min", "a number (the band's lowest score)");
      const Field* fmax = map.require("max", "a number (the band's highest score)");
      std::optional<double> lo, hi;
      if (fmin) {
        lo = read_number(rep_, *fmin);
        src.min_mark = fmin->mark;
      }
      if (fmax) {
        hi = read_number(rep_, *fmax);
        src.max_mark = fmax->mark;
      }
      if (!lo || !hi) {
        ok = false;
      } else if (*lo > *hi) {
        rep_.add(fmin->mark, fmin->path,
                 fmt::format("min {} is greater than max {}; expected min <= max",
                             fmin->node.Scalar(), fmax->node.Scalar()));
        ok = false;
      } else {
        b.min = *lo;
        b.max = *hi;
      }
      src.valid = ok;
      if (!ok) bands_valid_ = false;
      fw_.scoring.bands.push_back(b);
      band_sources_.push_back(src);
    }
  }

  // Rules that relate parts of the file to each other.
  void check_cross_rules() {
    const auto items = fw_.items();
    const bool has_scale = !items.empty() || !items_valid_;
    Scoring& s = fw_.scoring;

    if (has_goal_ && !fw_.goal_scale)
      rep_.add(first_goal_mark_, first_goal_path_,
               "a goal measure needs a top-level goal_scale (e.g. goal_scale: {min: -2, max: 2, "
               "baseline: -1, rho: 0.3})");
    if (fw_.goal_scale && !has_goal_ && !type_unknown_)
      rep_.add(goal_scale_mark_, goal_scale_path_,
               "goal_scale is given but no measure has type goal");

    if (scoring_bad_) return;
    if (total_field_ && s.total != ScoreRule::None && !has_scale)
      rep_.add(total_field_->mark, total_field_->path,
               fmt::format("total '{}' needs scale measures, but the framework has none",
                           to_string(s.total)));
    if (has_scale && !direction_given_) {
      if (scoring_present_)
        rep_.add(scoring_mark_, "scoring.direction",
                 "missing required key 'direction'; the framework has scale measures, so "
                 "expected higher_is_better|lower_is_better");
      else
        rep_.add(first_scale_mark_.line >= 0 ? first_scale_mark_ : top_mark_, "scoring.direction",
                 "missing; the framework has scale measures, so a scoring section with "
                 "direction: higher_is_better|lower_is_better is required");
    }
    if (prorate_field_) {
      if (auto v = read_int(rep_, *prorate_field_)) {
        if (s.missing != MissingRule::Prorate)
          rep_.add(prorate_field_->mark, prorate_field_->path,
                   "applies only with missing: prorate");
        else if (*v < 1 || (items_valid_ && *v >= static_cast<int>(items.size())))
          rep_.add(prorate_field_->mark, prorate_field_->path,
                   fmt::format("{} is not allowed; expected 1..{} (fewer than the {} items)", *v,
                               std::max<int>(1, static_cast<int>(items.size()) - 1), items.size()));
        else
          s.prorate_max_missing = *v;
      }
    }
    if (conversion_field_) check_conversion(items);
    if (bands_field_) check_bands(items);
  }

  void check_conversion(const std::vector<const Measure*>& items) {
    const Field& f = *conversion_field_;
    Scoring& s = fw_.scoring;
    if (s.total == ScoreRule::None) {
      rep_.add(f.mark, f.path,
               "a conversion table needs total: sum or weighted_sum (it converts the raw total)");
      return;
    }
    if (!items_valid_ || items.empty()) return;
    if (s.conversion.empty() && conversion_valid_) {
      rep_.add(f.mark, f.path, "empty conversion table; expected raw total: score pairs");
      return;
    }
    // Every achievable raw total: a subset-sum over each item's allowed values.
    long long offset_count = 0;
    std::vector<std::pair<long long, std::vector<long long>>> offsets;  // (base, offsets)
    long long span = 0;
    for (const Measure* m : items) {
      const double w = s.total == ScoreRule::WeightedSum ? m->weight : 1.0;
      if (w != std::floor(w)) {
        rep_.add(f.mark, f.path,
                 fmt::format("a conversion table needs whole-number weights; item '{}' has "
                             "weight {}",
                             m->id, text::number_as_written(w)));
        return;
      }
      const auto wi = static_cast<long long>(w);
      std::vector<long long> offs;
      const int lo = m->lowest();
      if (m->values.empty()) {
        for (long long v = lo; v <= m->max; ++v) offs.push_back((v - lo) * wi);
      } else {
        for (int v : m->values) offs.push_back((v - lo) * wi);
      }
      span += (m->highest() - lo) * wi;
      offset_count += static_cast<long long>(offs.size());
      offsets.emplace_back(lo * wi, std::move(offs));
    }
    if (span > 1'000'000 || span * offset_count > 50'000'000) {
      rep_.add(
          f.mark, f.path,
          fmt::format("the raw total spans {} values, too many for a conversion table", span + 1));
      return;
    }
    std::vector<char> reach(static_cast<std::size_t>(span) + 1, 0);
    reach[0] = 1;
    long long base = 0;
    long long width = 0;
    for (const auto& [item_base, offs] : offsets) {
      base += item_base;
      const long long item_width = *std::max_element(offs.begin(), offs.end());
      std::vector<char> next(reach.size(), 0);
      for (long long t = 0; t <= width; ++t)
        if (reach[static_cast<std::size_t>(t)])
          for (long long o : offs) next[static_cast<std::size_t>(t + o)] = 1;
      reach.swap(next);
      width += item_width;
    }
    std::vector<long long> missing;
    for (long long t = 0; t <= width; ++t)
      if (reach[static_cast<std::size_t>(t)] && !s.conversion.count(static_cast<int>(t + base)))
        missing.push_back(t + base);
    for (const auto& [raw, score] : s.conversion) {
      const long long t = raw - base;
      if (t < 0 || t > width || !reach[static_cast<std::size_t>(t)]) {
        rep_.add(
            conversion_marks_[raw], child_path(f.path, std::to_string(raw)),
            fmt::format("raw total {} cannot be reached; reachable totals are {}..{}{}", raw, base,
                        base + width, t >= 0 && t <= width ? " (but not this one)" : ""));
        conversion_valid_ = false;
      }
    }
    if (!missing.empty()) {
      rep_.add(
          f.mark, f.path,
          fmt::format("does not cover reachable raw total{} {}; expected a score for every "
                      "raw total {}..{}",
                      missing.size() == 1 ? "" : "s", format_ranges(missing), base, base + width));
      conversion_valid_ = false;
    }
  }

  void check_bands(const std::vector<const Measure*>& items) {
    const Field& f = *bands_field_;
    Scoring& s = fw_.scoring;
    if (items.empty() && items_valid_) {
      rep_.add(f.mark, f.path, "bands need scale measures, but the framework has none");
      return;
    }
    if (!items_valid_ || !bands_valid_) return;
    // The range of the score the bands classify.
    double lo = 0;
    double hi = 0;
    bool whole = true;
    if (s.total == ScoreRule::None) {
      lo = items.front()->lowest();
      hi = items.front()->highest();
      for (const Measure* m : items) {
        lo = std::min<double>(lo, m->lowest());
        hi = std::max<double>(hi, m->highest());
      }
    } else if (!s.conversion.empty()) {
      if (!conversion_valid_) return;
      whole = false;
      lo = std::numeric_limits<double>::infinity();
      hi = -lo;
      for (const auto& [raw, score] : s.conversion) {
        lo = std::min(lo, score);
        hi = std::max(hi, score);
      }
    } else {
      for (const Measure* m : items) {
        const double w = s.total == ScoreRule::WeightedSum ? m->weight : 1.0;
        if (w != std::floor(w)) whole = false;
        lo += w * m->lowest();
        hi += w * m->highest();
      }
    }
    const std::string rule =
        whole ? "scores are whole numbers, so bands are inclusive whole-number ranges and each "
                "band starts 1 above the previous band's max"
              : "scores are fractional, so each band starts exactly at the previous band's max";
    const auto& bands = s.bands;
    for (std::size_t i = 0; i < bands.size(); ++i) {
      const Band& b = bands[i];
      const BandSource& src = band_sources_[i];
      if (whole && (b.min != std::floor(b.min) || b.max != std::floor(b.max))) {
        const bool min_bad = b.min != std::floor(b.min);
        rep_.add(min_bad ? src.min_mark : src.max_mark,
                 child_path(src.path, min_bad ? "min" : "max"),
                 fmt::format("{} is not a whole number; {}", text::number_as_written(min_bad ? b.min : b.max),
                             rule));
        return;
      }
    }
    const std::string range = fmt::format("{}..{}", text::number_as_written(lo), text::number_as_written(hi));
    if (bands.front().min != lo)
      rep_.add(band_sources_.front().min_mark, child_path(band_sources_.front().path, "min"),
               fmt::format("the first band starts at {} but scores start at {}; bands must cover "
                           "the score range {}",
                           text::number_as_written(bands.front().min), text::number_as_written(lo), range));
    for (std::size_t i = 1; i < bands.size(); ++i) {
      const Band& prev = bands[i - 1];
      const Band& b = bands[i];
      const double expected = whole ? prev.max + 1 : prev.max;
      if (b.min == expected) continue;
      const BandSource& src = band_sources_[i];
      if (b.min < expected)
        rep_.add(src.min_mark, child_path(src.path, "min"),
                 fmt::format("band '{}' (min {}) overlaps band '{}' (max {}); expected min {} "
                             "({}; list bands from lowest to highest)",
                             b.id, text::number_as_written(b.min), prev.id, text::number_as_written(prev.max),
                             text::number_as_written(expected), rule));
      else
        rep_.add(src.min_mark, child_path(src.path, "min"),
                 fmt::format("gap between band '{}' (max {}) and band '{}' (min {}); expected "
                             "min {} ({})",
                             prev.id, text::number_as_written(prev.max), b.id, text::number_as_written(b.min),
                             text::number_as_written(expected), rule));
    }
    if (bands.back().max != hi)
      rep_.add(band_sources_.back().max_mark, child_path(band_sources_.back().path, "max"),
               fmt::format("the last band ends at {} but scores end at {}; bands must cover the "
                           "score range {}",
                           text::number_as_written(bands.back().max), text::number_as_written(hi), range));
  }

  Reporter& rep_;
  Framework& fw_;
  YAML::Mark top_mark_;
  std::map<std::string, int> measure_seen_;
  bool items_valid_ = true;
  bool statuses_valid_ = true;
  bool type_unknown_ = false;
  bool has_goal_ = false;
  YAML::Mark first_goal_mark_ = YAML::Mark::null_mark();
  std::string first_goal_path_;
  YAML::Mark first_scale_mark_ = YAML::Mark::null_mark();
  YAML::Mark goal_scale_mark_;
  std::string goal_scale_path_;
  bool scoring_present_ = false;
  bool scoring_bad_ = false;
  YAML::Mark scoring_mark_;
  bool direction_given_ = false;
  std::optional<Field> total_field_;
  std::optional<Field> conversion_field_;
  bool conversion_valid_ = true;
  std::map<int, YAML::Mark> conversion_marks_;
  std::optional<Field> bands_field_;
  bool bands_valid_ = true;
  std::vector<BandSource> band_sources_;
  std::optional<Field> prorate_field_;
};

void sort_problems(std::vector<Diagnostic>& problems) {
  std::stable_sort(problems.begin(), problems.end(), [](const Diagnostic& a, const Diagnostic& b) {
    auto key = [](const Diagnostic& d) {
      return std::tuple(d.line == 0 ? 1 : 0, d.line, d.column);
    };
    return key(a) < key(b);
  });
}

// Applies a local wording file's labels and anchors to `fw`.
void apply_local_wording(Framework& fw, const std::string& text, Reporter& rep) {
  auto document = load_document(text, rep);
  if (!document) return;
  const YAML::Node& root = *document;
  if (!root.IsDefined() || root.IsNull()) return;  // an empty local file changes nothing
  MapReader map(rep, Field{"", root, mark_of(root, YAML::Mark())}, kLocalKeys,
                "a mapping with labels and/or anchors");
  if (!map.is_map()) return;
  std::vector<std::string> ids;
  for (const auto& m : fw.measures) ids.push_back(m.id);
  auto find = [&](const YAML::Node& key, const Field& value) -> Measure* {
    for (auto& m : fw.measures)
      if (m.id == key.Scalar()) return &m;
    rep.add(key.Mark(), value.path,
            fmt::format("unknown measure '{}' in framework '{}'{}", key.Scalar(), fw.id,
                        did_you_mean(key.Scalar(), ids)));
    return nullptr;
  };
  if (auto f = map.get("labels")) {
    for (auto& [key, value] : free_map(rep, *f, "a mapping of measure id to label")) {
      Measure* m = find(key, value);
      if (m == nullptr) continue;
      if (auto t = read_text(rep, value)) m->label = *t;
    }
  }
  if (auto f = map.get("anchors")) {
    for (auto& [key, value] : free_map(rep, *f, "a mapping of scale item id to anchors")) {
      Measure* m = find(key, value);
      if (m == nullptr) continue;
      if (m->type != MeasureType::Scale) {
        rep.add(key.Mark(), value.path,
                fmt::format("anchors apply only to scale items; '{}' is a {} measure", m->id,
                            to_string(m->type)));
        continue;
      }
      std::map<int, std::string> anchors;
      for (auto& [vkey, vtext] : free_map(rep, value, "a mapping of item value to anchor text")) {
        auto v = parse_integer_text(vkey.Scalar());
        if (!v || !m->allows(static_cast<int>(*v))) {
          rep.add(vkey.Mark(), vtext.path,
                  fmt::format("'{}' is not an allowed value of item '{}'; expected {}",
                              vkey.Scalar(), m->id, m->allowed_text()));
          continue;
        }
        if (auto t = read_text(rep, vtext)) anchors[static_cast<int>(*v)] = *t;
      }
      m->anchors = std::move(anchors);
    }
  }
}

// parse_framework, given the SHA-256 of `text` (its content hash) already worked out.
FrameworkLoad parse_hashed(std::string_view text, const std::string& file,
                           std::string content_hash) {
  FrameworkLoad load;
  Reporter rep{file, {}};
  auto root = load_document(text, rep);
  if (!root) {
    load.problems = std::move(rep.problems);
    return load;
  }
  Framework fw;
  FrameworkParser parser(rep, fw);
  parser.parse(*root);
  sort_problems(rep.problems);
  load.problems = std::move(rep.problems);
  if (load.problems.empty()) {
    fw.content_hash = std::move(content_hash);
    LegacyFnv1a64 legacy;
    legacy.update(text);
    fw.legacy_content_hash = legacy.hex();
    load.framework = std::move(fw);
  }
  return load;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Public entry points.

FrameworkLoad parse_framework(std::string_view text, const std::string& file) {
  return parse_hashed(text, file, sha256_hex(text));
}

FrameworkLoad load_framework(const std::filesystem::path& path) {
  std::string error;
  auto bytes = read_yaml_file(path, error);
  if (!bytes) {
    FrameworkLoad load;
    load.problems.push_back(Diagnostic{path.string(), 0, 0, "", error});
    return load;
  }
  // The local wording file beside it (NAME.local.yaml), when there is one; a wording file
  // itself has none.
  const std::string stem = path.stem().string();
  const bool is_wording = stem.size() > 6 && stem.ends_with(".local");
  const auto local = path.parent_path() / (stem + ".local.yaml");
  std::error_code ec;
  const bool has_local = !is_wording && std::filesystem::exists(local, ec);
  std::optional<std::string> local_bytes;
  std::string local_error;
  if (has_local) local_bytes = read_yaml_file(local, local_error);

  // The file's SHA-256, worked out once: the framework's content hash, and what names its
  // bytes in the cache's key.
  std::string content_hash = sha256_hex(*bytes);
  // A framework parsed before from these very bytes, by this very program.
  const std::filesystem::path kept_file =
      has_local && !local_bytes ? std::filesystem::path()
                                : framework_cache::file_for(content_hash, local_bytes);
  FrameworkLoad load;
  if (auto kept = framework_cache::find(kept_file)) {
    load.framework = std::move(*kept);
    load.framework->path = path;
    return load;
  }

  load = parse_hashed(*bytes, path.string(), std::move(content_hash));
  if (!load.framework) return load;
  load.framework->path = path;
  if (has_local) {
    Reporter rep{local.string(), {}};
    if (!local_bytes)
      rep.problems.push_back(Diagnostic{local.string(), 0, 0, "", local_error});
    else
      apply_local_wording(*load.framework, *local_bytes, rep);
    sort_problems(rep.problems);
    for (auto& p : rep.problems) load.problems.push_back(std::move(p));
    if (!load.problems.empty()) load.framework.reset();
  }
  if (load.ok()) framework_cache::keep(kept_file, *load.framework);
  return load;
}

Framework load_framework_or_throw(const std::filesystem::path& path) {
  FrameworkLoad load = load_framework(path);
  if (load.ok()) return std::move(*load.framework);
  std::vector<std::string> lines;
  for (const auto& p : load.problems) lines.push_back(to_string(p));
  std::string summary = fmt::format("framework file {} is invalid ({} problem{})", path.string(),
                                    lines.size(), lines.size() == 1 ? "" : "s");
  throw InvalidInput(std::move(summary), std::move(lines));
}

bool recorded_under(const Framework& framework, std::string_view recorded_hash) {
  return recorded_hash == (is_legacy_digest(recorded_hash) ? framework.legacy_content_hash
                                                            : framework.content_hash);
}

}  // namespace outcomes

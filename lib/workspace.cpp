#include "workspace.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <openssl/rand.h>
#include <yaml-cpp/yaml.h>

#include "error.h"
#include "hash.h"
#include "pg_module.h"
#include "store.h"
#include "suggest.h"
#include "text.h"
#include "yaml_source.h"

namespace outcomes {
namespace fs = std::filesystem;

const AttributeDef* Settings::find_attribute(std::string_view id) const {
  for (const auto& a : attributes)
    if (a.id == id) return &a;
  return nullptr;
}

const ExitReason* Settings::find_exit_reason(std::string_view id) const {
  for (const auto& r : exit_reasons)
    if (r.id == id) return &r;
  return nullptr;
}

const Framework* Workspace::find_framework(std::string_view id) const {
  for (const auto& f : frameworks)
    if (f.id == id) return &f;
  return nullptr;
}

Settings default_settings(const std::string& service_name) {
  Settings s;
  s.service_name = service_name;
  s.attributes = {
      {"gender", "Gender", {"woman", "man", "non_binary", "other", "prefer_not_to_say"}},
      {"ethnicity",
       "Ethnicity",
       {"asian", "black", "mixed", "white", "other", "prefer_not_to_say"}},
      {"age_band", "Age band", {"18-24", "25-34", "35-44", "45-54", "55-64", "65+"}},
      {"disability", "Disability", {"yes", "no", "prefer_not_to_say"}},
  };
  // The Fulfilling Lives Common Data Framework destination codes.
  s.exit_reasons = {
      {"moved_to_other_support", "Moved to other support"},
      {"no_longer_requires_support", "No longer requires support"},
      {"disengaged", "Disengaged"},
      {"prison", "Prison"},
      {"hospital", "Hospital"},
      {"deceased", "Deceased"},
      {"moved_out_of_area", "Moved out of area"},
      {"excluded", "Excluded"},
      {"other", "Other"},
      {"unknown", "Unknown"},
  };
  return s;
}

namespace {

std::string quoted(const std::string& text) {
  YAML::Emitter e;
  e << YAML::DoubleQuoted << text;
  return e.c_str();
}

bool valid_id(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '+';
  });
}

// Collects settings problems with their YAML positions.
struct SettingsReader {
  std::string file;
  std::vector<std::string> problems;

  void problem(const YAML::Node& node, const std::string& key, const std::string& message) {
    auto mark = node.Mark();
    if (mark.is_null())
      problems.push_back(fmt::format("{}: {}: {}", file, key, message));
    else
      problems.push_back(
          fmt::format("{}:{}:{}: {}: {}", file, mark.line + 1, mark.column + 1, key, message));
  }

  std::optional<int> positive_int(const YAML::Node& node, const std::string& key, int lowest) {
    try {
      int v = node.as<int>();
      if (v >= lowest) return v;
    } catch (const YAML::Exception&) {
    }
    problem(node, key, fmt::format("'{}' is not a whole number of at least {}", YAML::Dump(node), lowest));
    return std::nullopt;
  }

  std::string text(const YAML::Node& node, const std::string& key) {
    if (!node.IsScalar() || node.Scalar().empty()) {
      problem(node, key, "expected a non-empty text");
      return {};
    }
    // A YAML escape ("\e") gives control characters the raw bytes did not show.
    if (auto why = text::value_problem(node.Scalar(), text::Controls::None)) {
      problem(node, key, *why);
      return {};
    }
    return node.Scalar();
  }

  std::string id(const YAML::Node& node, const std::string& key) {
    std::string value = text(node, key);
    if (!value.empty() && !valid_id(value))
      problem(node, key,
              fmt::format("'{}' is not a valid id; expected lower-case letters, digits, '_', '-' "
                          "or '+'",
                          value));
    return value;
  }
};

// The suppression threshold protects people in small groups, so it is read back from the
// raw text: every line that sets it must be a top-level key, and the value on that line
// must be the value the parser gave.
void check_threshold_read_back(std::string_view text, const YAML::Node& root,
                               std::vector<YamlProblem>& problems) {
  constexpr std::string_view kKey = "small_number_threshold";
  std::size_t line_number = 0, begin = 0;
  bool top_level_seen = false;
  while (begin < text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    ++line_number;
    const std::string_view line = text.substr(begin, end - begin);
    begin = end + 1;
    const std::size_t at = line.find_first_not_of(" \t");
    if (at == std::string_view::npos || line.substr(at, kKey.size()) != kKey) continue;
    std::string_view rest = text::trim(line.substr(at + kKey.size()));
    if (rest.empty() || rest.front() != ':') continue;
    if (at == 0 && top_level_seen) continue;  // a duplicate key, which the reader reports
    top_level_seen = top_level_seen || at == 0;
    rest = text::trim(rest.substr(0, rest.find(" #")).substr(1));
    if (rest.size() >= 2 && (rest.front() == '"' || rest.front() == '\'') &&
        rest.back() == rest.front())
      rest = rest.substr(1, rest.size() - 2);
    const YAML::Node parsed = root.IsMap() ? root[std::string(kKey)] : YAML::Node();
    if (at != 0 || !parsed || !parsed.IsScalar() || parsed.Scalar() != rest)
      problems.push_back(
          {line_number, at + 1,
           fmt::format("{} was not read as written on this line; expected it at the start of "
                       "a line as '{}: N' (it sets the suppression of small numbers)",
                       kKey, kKey)});
  }
}

}  // namespace

Settings load_settings(const fs::path& file) {
  SettingsReader r{file.string(), {}};
  std::string error;
  const auto bytes = read_yaml_file(file, error);
  if (!bytes) throw Error(fmt::format("cannot read {}", file.string()));
  YAML::Node root;
  std::vector<YamlProblem> problems;
  try {
    root = load_yaml_document(*bytes, problems);
  } catch (const YAML::ParserException& e) {
    throw InvalidInput(fmt::format("{} is not valid YAML", file.string()),
                       {fmt::format("{}:{}:{}: {}{}", file.string(), e.mark.line + 1,
                                    e.mark.column + 1, e.msg,
                                    indentation_hint(*bytes, static_cast<std::size_t>(
                                                                 e.mark.line + 1)))});
  }
  if (problems.empty()) check_threshold_read_back(*bytes, root, problems);
  if (!problems.empty()) {
    std::vector<std::string> lines;
    for (const auto& p : problems)
      lines.push_back(p.line == 0 ? fmt::format("{}: {}", file.string(), p.message)
                                  : fmt::format("{}:{}:{}: {}", file.string(), p.line,
                                                p.column, p.message));
    throw InvalidInput(fmt::format("{} is not valid YAML; nothing was read from it", file.string()),
                       std::move(lines));
  }
  if (!root.IsMap())
    throw InvalidInput(fmt::format("{} must be a mapping of settings", file.string()));

  Settings s;
  static const std::vector<std::string> known = {"service",      "small_number_threshold",
                                                 "review_interval_days", "stories_per_report",
                                                 "attributes",   "exit_reasons",
                                                 "timezone",     "store",
                                                 "service_id"};
  std::map<std::string, int> first_line;
  for (const auto& kv : root) {
    auto key = kv.first.Scalar();
    if (auto [it, fresh] = first_line.emplace(key, kv.first.Mark().line + 1); !fresh)
      r.problem(kv.first, key,
                fmt::format("duplicate key '{}' (first given at line {})", key, it->second));
    if (std::find(known.begin(), known.end(), key) == known.end())
      r.problem(kv.first, key,
                fmt::format("unknown setting '{}'{}", key, did_you_mean(key, known)));
  }
  if (root["service"])
    s.service_name = r.text(root["service"], "service");
  else
    r.problem(root, "service", "missing: the service's name");
  if (root["small_number_threshold"])
    if (auto v = r.positive_int(root["small_number_threshold"], "small_number_threshold", 1))
      s.small_number_threshold = *v;
  if (root["review_interval_days"])
    if (auto v = r.positive_int(root["review_interval_days"], "review_interval_days", 1))
      s.review_interval_days = *v;
  if (root["stories_per_report"])
    if (auto v = r.positive_int(root["stories_per_report"], "stories_per_report", 0))
      s.stories_per_report = *v;

  if (root["timezone"]) {
    s.timezone = r.text(root["timezone"], "timezone");
    if (!s.timezone.empty() && !is_known_time_zone(s.timezone))
      r.problem(root["timezone"], "timezone",
                fmt::format("'{}' is not a time zone this system knows; give a name such as "
                            "Europe/London (see /usr/share/zoneinfo), or leave the setting out "
                            "to use the system's",
                            s.timezone));
  }

  if (root["store"]) {
    s.store = r.text(root["store"], "store");
    if (auto why = store_value_problem(s.store)) r.problem(root["store"], "store", *why);
  }
  if (root["service_id"]) {
    s.service_id = r.text(root["service_id"], "service_id");
    if (auto why = service_id_problem(s.service_id))
      r.problem(root["service_id"], "service_id", *why);
  } else if (is_postgres_store(s.store)) {
    r.problem(root, "service_id",
              "missing: a store on PostgreSQL needs the service's id, which names its schema "
              "(e.g. service_id: " +
                  service_id_from_name(s.service_name) + ")");
  }

  if (auto attrs = root["attributes"]) {
    if (!attrs.IsMap()) {
      r.problem(attrs, "attributes", "expected a mapping of attribute id to {name, values}");
    } else {
      for (const auto& kv : attrs) {
        std::string key = "attributes." + kv.first.Scalar();
        AttributeDef a;
        a.id = r.id(kv.first, key);
        const auto& body = kv.second;
        if (!body.IsMap()) {
          r.problem(body, key, "expected {name: …, values: […]}");
          continue;
        }
        a.name = body["name"] ? r.text(body["name"], key + ".name") : a.id;
        auto values = body["values"];
        if (!values || !values.IsSequence() || values.size() == 0) {
          r.problem(values ? values : body, key + ".values", "expected a non-empty list of values");
          continue;
        }
        std::set<std::string> seen;
        for (const auto& v : values) {
          std::string value = r.text(v, key + ".values");
          if (!seen.insert(value).second)
            r.problem(v, key + ".values", fmt::format("'{}' is listed twice", value));
          a.values.push_back(value);
        }
        if (s.find_attribute(a.id))
          r.problem(kv.first, key, fmt::format("attribute '{}' is declared twice", a.id));
        s.attributes.push_back(std::move(a));
      }
    }
  }

  if (auto reasons = root["exit_reasons"]) {
    if (!reasons.IsSequence() || reasons.size() == 0) {
      r.problem(reasons, "exit_reasons", "expected a non-empty list of {id, name}");
    } else {
      for (size_t i = 0; i < reasons.size(); ++i) {
        const auto& node = reasons[i];
        std::string key = fmt::format("exit_reasons[{}]", i);
        ExitReason reason;
        if (node.IsScalar()) {
          reason.id = r.id(node, key);
          reason.name = reason.id;
        } else if (node.IsMap() && node["id"]) {
          reason.id = r.id(node["id"], key + ".id");
          reason.name = node["name"] ? r.text(node["name"], key + ".name") : reason.id;
        } else {
          r.problem(node, key, "expected an id or {id, name}");
          continue;
        }
        if (s.find_exit_reason(reason.id))
          r.problem(node, key, fmt::format("exit reason '{}' is listed twice", reason.id));
        s.exit_reasons.push_back(std::move(reason));
      }
    }
  } else {
    s.exit_reasons = default_settings("").exit_reasons;
  }

  if (!r.problems.empty())
    throw InvalidInput(fmt::format("{} problem{} in {}", r.problems.size(),
                                   r.problems.size() == 1 ? "" : "s", file.string()),
                       r.problems);
  return s;
}

std::string store_settings_yaml(const Settings& s) {
  if (!is_postgres_store(s.store)) return "";
  return "# Where the journey store is: a PostgreSQL server, where this service's data is\n"
         "# the schema named by service_id. Never put a password here: libpq reads it from\n"
         "# ~/.pgpass, PGPASSFILE or a service file (PGSERVICE).\n"
         "store: " +
         quoted(s.store) + "\nservice_id: " + s.service_id + "\n\n";
}

std::string with_store_settings(const std::string& yaml, const Settings& target) {
  std::vector<std::string> lines;
  for (size_t at = 0; at < yaml.size();) {
    const size_t end = yaml.find('\n', at);
    lines.push_back(yaml.substr(at, end == std::string::npos ? std::string::npos : end + 1 - at));
    at = end == std::string::npos ? yaml.size() : end + 1;
  }
  std::vector<std::string> block;  // store_settings_yaml of a PostgreSQL store, line by line
  {
    Settings pg;
    pg.store = "postgresql://";
    const std::string text = store_settings_yaml(pg);
    for (size_t at = 0; at < text.size();) {
      const size_t end = text.find('\n', at);
      block.push_back(text.substr(at, end + 1 - at));
      at = end + 1;
    }
  }
  const size_t comment_lines = 3;  // the block's comment, before its store: line
  std::string out;
  std::optional<size_t> place;  // where the store's lines were, in `out`
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (line.starts_with("store:") || line.starts_with("service_id:")) {
      if (!place) place = out.size();
      // The blank line the block ends with goes with it.
      if (line.starts_with("service_id:") && i + 1 < lines.size() && lines[i + 1] == "\n") ++i;
      continue;
    }
    // The comment settings_to_yaml writes above the store's lines goes with them.
    bool comment = i + comment_lines < lines.size() &&
                   lines[i + comment_lines].starts_with("store:");
    for (size_t k = 0; comment && k < comment_lines; ++k) comment = lines[i + k] == block[k];
    if (comment) {
      place = out.size();
      i += comment_lines - 1;
      continue;
    }
    out += line;
  }
  const std::string wanted = store_settings_yaml(target);
  if (wanted.empty()) return out;
  if (!place) {
    // Where settings_to_yaml puts it: before the attributes, else at the end.
    const size_t attributes = out.starts_with("attributes:") ? 0 : out.find("\nattributes:");
    if (attributes == std::string::npos) {
      if (!out.empty() && out.back() != '\n') out += '\n';
      return out + "\n" + wanted.substr(0, wanted.size() - 1);
    }
    // Past the comment lines right above the attributes.
    size_t at = attributes == 0 ? 0 : attributes + 1;
    while (at >= 2) {
      const size_t start = out.rfind('\n', at - 2);
      const size_t line = start == std::string::npos ? 0 : start + 1;
      if (out.compare(line, 1, "#") != 0) break;
      at = line;
    }
    place = at;
  }
  return out.insert(*place, wanted);
}

std::string settings_to_yaml(const Settings& s) {
  std::ostringstream out;
  out << "# Settings of this outcomes workspace. Edit freely; `outcomes` checks this file\n"
         "# every time it runs and reports any mistake with its line and column.\n\n";
  out << "# The service's name, shown at the top of reports.\n";
  out << "service: " << quoted(s.service_name) << "\n\n";
  out << "# Counts from 1 to this number minus one are shown as \"<N\" in reports, so that\n"
         "# nobody can be identified from a small group.\n";
  out << "small_number_threshold: " << s.small_number_threshold << "\n\n";
  out << "# A person whose last assessment is older than this many days is flagged as\n"
         "# overdue for review in the report's data-quality section.\n";
  out << "review_interval_days: " << s.review_interval_days << "\n\n";
  out << "# How many shareable stories (notes) a report may quote.\n";
  out << "stories_per_report: " << s.stories_per_report << "\n\n";
  out << "# The time zone whose date is \"today\" (entries may not be dated after it).\n"
         "# Left out, the system's zone is used.\n";
  out << (s.timezone.empty() ? "# timezone: Europe/London" : "timezone: " + quoted(s.timezone))
      << "\n\n";
  out << store_settings_yaml(s);
  out << "# Equality attributes recorded with `outcomes record attribute PERSON --measure ID\n"
         "# --status VALUE`, used for breakdowns in reports. Add, rename or remove values\n"
         "# as your service needs.\n";
  out << "attributes:\n";
  for (const auto& a : s.attributes) {
    out << "  " << a.id << ":\n    name: " << quoted(a.name) << "\n    values: [";
    for (size_t i = 0; i < a.values.size(); ++i) out << (i ? ", " : "") << quoted(a.values[i]);
    out << "]\n";
  }
  out << "\n# Why support ended: the status of an `exit` entry must be one of these ids.\n";
  out << "exit_reasons:\n";
  for (const auto& r : s.exit_reasons)
    out << "  - {id: " << r.id << ", name: " << quoted(r.name) << "}\n";
  return out.str();
}

fs::path find_workspace(const WorkspaceSearch& search) {
  auto is_workspace = [](const fs::path& dir) {
    std::error_code ec;
    return fs::is_regular_file(dir / "outcomes.yaml", ec);
  };
  auto given = [&](const fs::path& dir, const char* how) {
    if (!is_workspace(dir))
      throw Error(fmt::format("{} ({}) is not an outcomes workspace: it has no outcomes.yaml; "
                              "create one with 'outcomes init {}'",
                              dir.string(), how, dir.string()));
    return fs::absolute(dir).lexically_normal();
  };
  if (search.explicit_dir) return given(*search.explicit_dir, "given with --workspace");
  if (search.env_dir) return given(*search.env_dir, "from OUTCOMES_WORKSPACE");
  fs::path dir = fs::absolute(search.start).lexically_normal();
  while (true) {
    if (is_workspace(dir)) return dir;
    if (!dir.has_parent_path() || dir.parent_path() == dir) break;
    dir = dir.parent_path();
  }
  throw Error(fmt::format(
      "no outcomes workspace found in {} or any folder above it; create one with "
      "'outcomes init DIR', or point to one with --workspace DIR or OUTCOMES_WORKSPACE",
      fs::absolute(search.start).lexically_normal().string()));
}

namespace {

bool is_framework_file(const fs::path& p) {
  auto name = p.filename().string();
  return p.extension() == ".yaml" && !name.ends_with(".local.yaml");
}

// Loads each file, in the order given. Parsing the YAML is most of a short command's time
// (a journey, a single record), and the files do not depend on each other, so they are
// parsed on as many threads as there are cores.
std::vector<FrameworkLoad> load_each(const std::vector<fs::path>& files) {
  std::vector<FrameworkLoad> loads(files.size());
  std::vector<std::exception_ptr> errors(files.size());
  std::atomic<std::size_t> next = 0;
  auto work = [&] {
    for (std::size_t i; (i = next++) < files.size();) {
      try {
        loads[i] = load_framework(files[i]);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    }
  };
  const std::size_t helpers =
      std::min<std::size_t>(std::max(1u, std::thread::hardware_concurrency()), files.size());
  std::vector<std::thread> threads;
  for (std::size_t t = 1; t < helpers; ++t) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);  // the first file's error, as one thread would give
  return loads;
}

// Loads every framework file of a folder; all problems of all files are reported together,
// or with `skipped` given, the files with problems are left out and their problems listed there.
std::vector<Framework> load_framework_dir(const fs::path& dir,
                                          std::vector<std::string>* skipped = nullptr) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file() && is_framework_file(e.path())) files.push_back(e.path());
  if (ec) throw Error(fmt::format("cannot read the folder {}: {}", dir.string(), ec.message()));
  std::sort(files.begin(), files.end());

  std::vector<Framework> frameworks;
  std::vector<std::string> problems;
  for (auto& load : load_each(files)) {
    for (const auto& d : load.problems) problems.push_back(to_string(d));
    if (load.ok()) frameworks.push_back(std::move(*load.framework));
  }
  std::sort(frameworks.begin(), frameworks.end(),
            [](const Framework& a, const Framework& b) { return a.id < b.id; });
  for (size_t i = 1; i < frameworks.size(); ++i)
    if (frameworks[i].id == frameworks[i - 1].id)
      problems.push_back(fmt::format("{}: id: framework id '{}' is also used by {}",
                                     frameworks[i].path.string(), frameworks[i].id,
                                     frameworks[i - 1].path.string()));
  if (skipped) {
    // Two files with one id: neither can be trusted to be the one meant.
    std::set<std::string> twice;
    for (size_t i = 1; i < frameworks.size(); ++i)
      if (frameworks[i].id == frameworks[i - 1].id) twice.insert(frameworks[i].id);
    std::erase_if(frameworks, [&](const Framework& f) { return twice.count(f.id) > 0; });
    *skipped = std::move(problems);
    return frameworks;
  }
  if (!problems.empty())
    throw InvalidInput(fmt::format("{} problem{} in the frameworks of {}; run 'outcomes "
                                   "frameworks validate' after fixing them",
                                   problems.size(), problems.size() == 1 ? "" : "s",
                                   dir.string()),
                       problems);
  return frameworks;
}

}  // namespace

Workspace open_workspace(const fs::path& root, BrokenFrameworks broken) {
  Workspace ws;
  ws.root = root;
  ws.settings = load_settings(ws.settings_path());
  std::error_code ec;
  if (fs::is_directory(ws.frameworks_dir(), ec))
    ws.frameworks = load_framework_dir(
        ws.frameworks_dir(),
        broken == BrokenFrameworks::Skip ? &ws.skipped_framework_problems : nullptr);
  return ws;
}

fs::path shipped_frameworks_dir() {
  if (const char* env = std::getenv("OUTCOMES_SHARE"); env && *env) return env;
  std::error_code ec;
  fs::path installed = fs::path(OUTCOMES_SHARE_DIR) / "frameworks";
  if (fs::is_directory(installed, ec)) return installed;
  return OUTCOMES_SOURCE_FRAMEWORKS;
}

std::vector<Framework> load_shipped_frameworks(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw Error(fmt::format("the shipped frameworks folder {} does not exist; set "
                            "OUTCOMES_SHARE to the folder holding the framework YAML files",
                            dir.string()));
  return load_framework_dir(dir);
}

namespace {

// The pieces of a workspace, in the order init moves them into place: outcomes.yaml, which
// makes a folder a workspace, comes last.
constexpr const char* kWorkspacePieces[] = {"frameworks", "outcomes.db", "outcomes.yaml"};

// Finishes an init that was stopped while it moved the pieces from `staging` into `dir`
// (the marker file was written before the first move): moves the rest and removes
// `staging`. Returns the frameworks the workspace now holds.
std::vector<std::string> finish_interrupted_init(const fs::path& dir, const fs::path& staging) {
  std::error_code ec;
  for (const char* name : kWorkspacePieces) {
    if (!fs::exists(staging / name, ec)) continue;
    if (fs::exists(dir / name, ec))
      throw Error(fmt::format("{} holds both {} and {}; an interrupted init left them and "
                              "cannot tell which to keep; nothing was changed",
                              dir.string(), (dir / name).string(), (staging / name).string()));
    fs::rename(staging / name, dir / name, ec);
    if (ec) throw Error(fmt::format("cannot finish the workspace in {}: {}", dir.string(), ec.message()));
  }
  fs::remove_all(staging, ec);
  std::vector<std::string> ids;
  for (const auto& f : load_framework_dir(dir / "frameworks")) ids.push_back(f.id);
  return ids;
}

}  // namespace

std::vector<std::string> init_workspace(const InitOptions& options) {
  const fs::path& dir = options.dir;
  std::error_code ec;
  const fs::path staging = dir / ".outcomes-init";
  const fs::path moving = staging / "moving";
  if (!fs::exists(dir / "outcomes.yaml", ec) && fs::exists(moving, ec))
    return finish_interrupted_init(dir, staging);
  for (const char* name : {"outcomes.yaml", "outcomes.db", "frameworks"})
    if (fs::exists(dir / name, ec))
      throw Error(fmt::format("{} already holds a workspace ({} exists); nothing was changed",
                              dir.string(), name));

  // Validate everything before writing anything.
  auto shipped = load_shipped_frameworks(options.shipped_dir);
  std::vector<const Framework*> chosen;
  if (options.framework_ids.empty()) {
    for (const auto& f : shipped) chosen.push_back(&f);
  } else {
    std::vector<std::string> ids;
    for (const auto& f : shipped) ids.push_back(f.id);
    for (const auto& id : options.framework_ids) {
      auto it = std::find_if(shipped.begin(), shipped.end(),
                             [&](const Framework& f) { return f.id == id; });
      if (it == shipped.end())
        throw UsageError(fmt::format("--framework: no shipped framework '{}'{}; shipped: {}", id,
                                     did_you_mean(id, ids), fmt::join(ids, ", ")));
      if (std::find(chosen.begin(), chosen.end(), &*it) == chosen.end()) chosen.push_back(&*it);
    }
  }
  std::string name = options.service_name;
  if (name.empty()) name = fs::absolute(dir).lexically_normal().filename().string();
  if (name.empty()) name = "My service";
  if (auto why = text::value_problem(name, text::Controls::None))
    throw InvalidInput(fmt::format("{}: {}; nothing was created",
                                   options.service_name.empty() ? "the folder's name" : "--name",
                                   *why));

  Settings settings = default_settings(name);
  if (options.store != kSqliteStore) {
    if (auto why = store_value_problem(options.store))
      throw UsageError(fmt::format("--store: {}; nothing was created", *why));
    settings.store = options.store;
    settings.service_id =
        options.service_id.empty() ? service_id_from_name(name) : options.service_id;
    if (auto why = service_id_problem(settings.service_id))
      throw UsageError(fmt::format("--service-id: {}; nothing was created", *why));
  } else if (!options.service_id.empty()) {
    throw UsageError("--service-id names a schema on PostgreSQL; give it with --store");
  }

  // Build in a hidden staging folder inside DIR, then move the pieces into place. Stopped
  // while building, init leaves only the staging folder, which the next init replaces;
  // stopped while moving (after the marker file is written), the next init finishes the
  // moves. Either way no folder is ever a half-made workspace. A store on PostgreSQL lives
  // outside the folder: before making it, init writes a random claim into the staging
  // folder and marks the schema with it as it is made, so that the next init can tell the
  // schema a stopped init made here (and drops it if it holds nothing) from any other.
  fs::create_directories(dir, ec);
  if (ec) throw Error(fmt::format("cannot create {}: {}", dir.string(), ec.message()));
  const fs::path claim_file = staging / "store-claim";
  if (is_postgres_store(settings.store) && fs::exists(claim_file, ec)) {
    std::string left;
    std::getline(std::ifstream(claim_file), left);
    if (!left.empty() &&
        pg_backend().discard_unused_claimed(settings.store, settings.service_id, left) &&
        options.on_cleared)
      options.on_cleared(fmt::format(
          "the empty schema {} on PostgreSQL, made by an init here that was stopped before "
          "it finished",
          settings.service_id));
  }
  fs::remove_all(staging, ec);
  fs::create_directory(staging, ec);
  if (ec) throw Error(fmt::format("cannot write in {}: {}", dir.string(), ec.message()));
  std::vector<std::string> copied;
  // The store, from when it is made until the marker says the pieces are being moved: a
  // failure in between removes it rather than leave a store no workspace names. When it
  // cannot be removed, the staging folder stays with its claim, for the next init to clear.
  std::unique_ptr<JourneyStore> made;
  auto clean_up = [&] {
    if (made) {
      try {
        made->discard_created();
      } catch (...) {
        made.reset();
        return;  // the failure that stopped init is the one to report
      }
      made.reset();
    }
    fs::remove_all(staging, ec);
  };
  try {
    std::string claim;
    if (is_postgres_store(settings.store)) {
      Sha256Digest random{};
      if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1)
        throw Error("cannot make the new store's claim: no random bytes");
      claim = to_hex(random);
      std::ofstream out(claim_file);
      out << claim << '\n';
      if (!out.flush()) throw Error(fmt::format("cannot write {}", claim_file.string()));
    }
    fs::create_directory(staging / "frameworks");
    for (const auto* f : chosen) {
      fs::copy_file(f->path, staging / "frameworks" / f->path.filename());
      copied.push_back(f->id);
    }
    {
      std::ofstream out(staging / "outcomes.yaml");
      out << settings_to_yaml(settings);
      if (!out.flush()) throw Error("cannot write outcomes.yaml");
    }
    made = create_store(staging, settings, claim);
    {
      std::ofstream marker(moving);
      if (!marker.flush()) throw Error(fmt::format("cannot write {}", moving.string()));
    }
    made.reset();
    for (const char* piece : kWorkspacePieces)  // no outcomes.db with a store on PostgreSQL
      if (fs::exists(staging / piece)) fs::rename(staging / piece, dir / piece);
    fs::remove_all(staging);
  } catch (const fs::filesystem_error& e) {
    clean_up();
    throw Error(fmt::format("cannot create the workspace in {}: {}", dir.string(), e.what()));
  } catch (...) {
    clean_up();
    throw;
  }
  return copied;
}

}  // namespace outcomes

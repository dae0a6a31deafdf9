#include "framework_cache.h"

#include <sys/stat.h>

#include <chrono>
#include <concepts>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include "hash.h"
#include "output.h"

namespace outcomes::framework_cache {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Bumped whenever the JSON below changes shape (the program's own file changes with every
// build anyway; this keeps two builds of one file apart in a test).
constexpr std::string_view kFormat = "outcomes framework cache 1";
constexpr auto kUnusedFor = std::chrono::hours(24 * 30);

// --- Framework <-> JSON. Each struct is written as an object of its fields; the names
// are this file's own (nothing outside the cache reads them).

// `S` is `T` or `const T`: each struct's `fields` below serves the writer (const) and the
// reader alike.
template <typename S, typename T>
concept either_const = std::same_as<std::remove_const_t<S>, T>;

// Each struct's fields, named once: `visit(name, field)` for every one. Writing and reading
// both go through these, so a field cannot be written and not read.
template <either_const<Duration> S, typename Visit>
void fields(S& d, Visit&& visit) {
  visit("count", d.count);
  visit("unit", d.unit);
}

template <either_const<StatusDef> S, typename Visit>
void fields(S& s, Visit&& visit) {
  visit("id", s.id);
  visit("name", s.name);
  visit("means", s.means);
}

template <either_const<Band> S, typename Visit>
void fields(S& b, Visit&& visit) {
  visit("id", b.id);
  visit("name", b.name);
  visit("min", b.min);
  visit("max", b.max);
}

template <either_const<Reliability> S, typename Visit>
void fields(S& r, Visit&& visit) {
  visit("value", r.value);
  visit("kind", r.kind);
  visit("source", r.source);
}

template <either_const<NormGroup> S, typename Visit>
void fields(S& g, Visit&& visit) {
  visit("mean", g.mean);
  visit("sd", g.sd);
}

template <either_const<Norms> S, typename Visit>
void fields(S& n, Visit&& visit) {
  visit("functional", n.functional);
  visit("dysfunctional", n.dysfunctional);
}

template <either_const<Scoring> S, typename Visit>
void fields(S& s, Visit&& visit) {
  visit("total", s.total);
  visit("conversion", s.conversion);
  visit("direction", s.direction);
  visit("bands", s.bands);
  visit("reliability", s.reliability);
  visit("reference_sd", s.reference_sd);
  visit("minimum_change", s.minimum_change);
  visit("minimum_interval", s.minimum_interval);
  visit("sem", s.sem);
  visit("norms", s.norms);
  visit("population", s.population);
  visit("missing", s.missing);
  visit("prorate_max_missing", s.prorate_max_missing);
}

template <either_const<GoalScale> S, typename Visit>
void fields(S& g, Visit&& visit) {
  visit("min", g.min);
  visit("max", g.max);
  visit("baseline", g.baseline);
  visit("rho", g.rho);
  visit("levels", g.levels);
}

template <either_const<Measure> S, typename Visit>
void fields(S& m, Visit&& visit) {
  visit("id", m.id);
  visit("name", m.name);
  visit("domain", m.domain);
  visit("type", m.type);
  visit("nature", m.nature);
  visit("definition", m.definition);
  visit("indicators", m.indicators);
  visit("min", m.min);
  visit("max", m.max);
  visit("values", m.values);
  visit("weight", m.weight);
  visit("label", m.label);
  visit("anchors", m.anchors);
  visit("sustain", m.sustain);
}

template <either_const<Domain> S, typename Visit>
void fields(S& d, Visit&& visit) {
  visit("id", d.id);
  visit("name", d.name);
  visit("description", d.description);
  visit("measures", d.measures);
}

// Every field but `path`, which is where this copy was loaded from, not what it says.
template <either_const<Framework> S, typename Visit>
void fields(S& f, Visit&& visit) {
  visit("id", f.id);
  visit("name", f.name);
  visit("version", f.version);
  visit("content_hash", f.content_hash);
  visit("legacy_content_hash", f.legacy_content_hash);
  visit("source", f.source);
  visit("licence", f.licence);
  visit("notice", f.notice);
  visit("description", f.description);
  visit("rules", f.rules);
  visit("statuses", f.statuses);
  visit("scoring", f.scoring);
  visit("goal_scale", f.goal_scale);
  visit("domains", f.domains);
  visit("measures", f.measures);
}

// A visitor that does nothing, to ask whether a type has `fields`.
struct AnyField {
  template <typename T>
  void operator()(const char*, T&) const {}
};
template <typename T>
concept has_fields = requires(T& value) { fields(value, AnyField{}); };

// The values inside the structs, and the structs themselves through their fields; declared
// first so that each template below finds every other.
json put(const std::string& s);
json put(int v);
json put(double v);
void take(const json& j, std::string& s);
void take(const json& j, int& v);
void take(const json& j, double& v);
template <typename E>
  requires std::is_enum_v<E>
json put(E e);
template <typename E>
  requires std::is_enum_v<E>
void take(const json& j, E& e);
template <typename T>
json put(const std::vector<T>& items);
template <typename T>
void take(const json& j, std::vector<T>& items);
template <typename T>
json put(const std::map<int, T>& map);
template <typename T>
void take(const json& j, std::map<int, T>& map);
template <typename T>
json put(const std::optional<T>& value);
template <typename T>
void take(const json& j, std::optional<T>& value);
template <has_fields T>
json put(const T& value);
template <has_fields T>
void take(const json& j, T& value);

json put(const std::string& s) { return s; }
json put(int v) { return v; }
json put(double v) { return v; }
void take(const json& j, std::string& s) { s = j.get<std::string>(); }
void take(const json& j, int& v) { v = j.get<int>(); }
void take(const json& j, double& v) { v = j.get<double>(); }

template <typename E>
  requires std::is_enum_v<E>
json put(E e) {
  return static_cast<int>(e);
}
template <typename E>
  requires std::is_enum_v<E>
void take(const json& j, E& e) {
  e = static_cast<E>(j.get<int>());
}

template <typename T>
json put(const std::vector<T>& items) {
  json out = json::array();
  for (const auto& item : items) out.push_back(put(item));
  return out;
}
template <typename T>
void take(const json& j, std::vector<T>& items) {
  items.clear();
  for (const auto& item : j) take(item, items.emplace_back());
}

// Maps keyed by a number: an array of [key, value] pairs (JSON keys are text).
template <typename T>
json put(const std::map<int, T>& map) {
  json out = json::array();
  for (const auto& [key, value] : map) out.push_back(json::array({key, put(value)}));
  return out;
}
template <typename T>
void take(const json& j, std::map<int, T>& map) {
  map.clear();
  for (const auto& pair : j) take(pair.at(1), map[pair.at(0).get<int>()]);
}

template <typename T>
json put(const std::optional<T>& value) {
  return value ? put(*value) : json(nullptr);
}
template <typename T>
void take(const json& j, std::optional<T>& value) {
  if (j.is_null()) {
    value.reset();
    return;
  }
  T read;
  take(j, read);
  value = std::move(read);
}

// A struct: an object holding each of its fields.
template <has_fields T>
json put(const T& value) {
  json out = json::object();
  fields(value, [&](const char* name, const auto& field) { out[name] = put(field); });
  return out;
}
// A field missing from the object throws, which makes the whole text no framework.
template <has_fields T>
void take(const json& j, T& value) {
  fields(value, [&](const char* name, auto& field) { take(j.at(name), field); });
}

// --- Where, and under what name.

// The cache's frameworks folder, or empty when the cache is off.
fs::path folder() {
  fs::path base;
  if (const char* set = std::getenv("OUTCOMES_CACHE")) {
    const std::string_view value = set;
    if (value.empty() || value == "off") return {};
    base = value;
  } else if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg == '/') {
    base = fs::path(xdg) / "outcomes";
  } else if (const char* home = std::getenv("HOME"); home && *home == '/') {
    base = fs::path(home) / ".cache" / "outcomes";
  } else {
    return {};
  }
  return base / "frameworks";
}

// This program's own file, as the file system knows it: a rebuild or another install gives
// other values. Empty when it cannot be known. Worked out once a process: /proc/self/exe
// stays the file this process was started from, even when another is installed in its place.
const std::string& own_file_identity() {
  static const std::string identity = [] {
    struct stat st {};
    if (::stat("/proc/self/exe", &st) != 0) return std::string();
    return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" +
           std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
           std::to_string(st.st_mtim.tv_nsec);
  }();
  return identity;
}

// Removes the kept frameworks not written for kUnusedFor (a file is written again when it
// is missed, so one still in use comes back at the next load).
void remove_stale(const fs::path& dir) {
  std::error_code ec;
  const auto now = fs::file_time_type::clock::now();
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() != ".json") continue;
    std::error_code file_ec;
    const auto written = fs::last_write_time(it->path(), file_ec);
    if (!file_ec && now - written > kUnusedFor) fs::remove(it->path(), file_ec);
  }
}

}  // namespace

std::string to_text(const Framework& framework) { return put(framework).dump(); }

std::optional<Framework> from_text(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return std::nullopt;
  try {
    Framework framework;
    take(j, framework);
    return framework;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

fs::path file_for(std::string_view content_hash, const std::optional<std::string>& local_wording) {
  const fs::path dir = folder();
  if (dir.empty()) return {};
  const std::string& program = own_file_identity();
  if (program.empty()) return {};
  // Each part with its length before it, so that no two inputs give the same stream.
  Sha256 key;
  auto add = [&](std::string_view part) {
    key.update(std::to_string(part.size()));
    key.update(":");
    key.update(part);
  };
  add(kFormat);
  add(OUTCOMES_VERSION);
  add(program);
  add(content_hash);
  add(local_wording ? "local wording" : "no local wording");
  if (local_wording) add(*local_wording);
  return dir / (key.hex() + ".json");
}

std::optional<Framework> find(const fs::path& file) {
  if (file.empty()) return std::nullopt;
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return std::nullopt;
  return from_text(text);
}

void keep(const fs::path& file, const Framework& framework) {
  if (file.empty()) return;
  const fs::path dir = file.parent_path();
  try {
    std::error_code ec;
    if (fs::create_directories(dir, ec); ec) return;
    fs::permissions(dir, fs::perms::owner_all, ec);
    const std::string text = to_text(framework);
    write_output(file, [&](std::ostream& out) { out << text; });
    remove_stale(dir);
  } catch (...) {
    // A cache that cannot be written only costs the next command a parse.
  }
}

}  // namespace outcomes::framework_cache

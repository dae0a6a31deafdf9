#include "framework_cache.h"

#include <sys/stat.h>

#include <chrono>
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

// The structs' own, declared first so that the templates below find them.
json put(const Duration& d);
json put(const StatusDef& s);
json put(const Band& b);
json put(const Reliability& r);
json put(const NormGroup& g);
json put(const Norms& n);
json put(const Scoring& s);
json put(const GoalScale& g);
json put(const Measure& m);
json put(const Domain& d);
void take(const json& j, Duration& d);
void take(const json& j, StatusDef& s);
void take(const json& j, Band& b);
void take(const json& j, Reliability& r);
void take(const json& j, NormGroup& g);
void take(const json& j, Norms& n);
void take(const json& j, Scoring& s);
void take(const json& j, GoalScale& g);
void take(const json& j, Measure& m);
void take(const json& j, Domain& d);

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

json put(const Duration& d) { return json{{"count", d.count}, {"unit", put(d.unit)}}; }
void take(const json& j, Duration& d) {
  take(j.at("count"), d.count);
  take(j.at("unit"), d.unit);
}

json put(const StatusDef& s) { return json{{"id", s.id}, {"name", s.name}, {"means", put(s.means)}}; }
void take(const json& j, StatusDef& s) {
  take(j.at("id"), s.id);
  take(j.at("name"), s.name);
  take(j.at("means"), s.means);
}

json put(const Band& b) { return json{{"id", b.id}, {"name", b.name}, {"min", b.min}, {"max", b.max}}; }
void take(const json& j, Band& b) {
  take(j.at("id"), b.id);
  take(j.at("name"), b.name);
  take(j.at("min"), b.min);
  take(j.at("max"), b.max);
}

json put(const Reliability& r) {
  return json{{"value", r.value}, {"kind", r.kind}, {"source", r.source}};
}
void take(const json& j, Reliability& r) {
  take(j.at("value"), r.value);
  take(j.at("kind"), r.kind);
  take(j.at("source"), r.source);
}

json put(const NormGroup& g) { return json{{"mean", g.mean}, {"sd", g.sd}}; }
void take(const json& j, NormGroup& g) {
  take(j.at("mean"), g.mean);
  take(j.at("sd"), g.sd);
}

json put(const Norms& n) {
  return json{{"functional", put(n.functional)}, {"dysfunctional", put(n.dysfunctional)}};
}
void take(const json& j, Norms& n) {
  take(j.at("functional"), n.functional);
  take(j.at("dysfunctional"), n.dysfunctional);
}

json put(const Scoring& s) {
  return json{{"total", put(s.total)},
              {"conversion", put(s.conversion)},
              {"direction", put(s.direction)},
              {"bands", put(s.bands)},
              {"reliability", put(s.reliability)},
              {"reference_sd", put(s.reference_sd)},
              {"minimum_change", put(s.minimum_change)},
              {"minimum_interval", put(s.minimum_interval)},
              {"sem", put(s.sem)},
              {"norms", put(s.norms)},
              {"population", put(s.population)},
              {"missing", put(s.missing)},
              {"prorate_max_missing", s.prorate_max_missing}};
}
void take(const json& j, Scoring& s) {
  take(j.at("total"), s.total);
  take(j.at("conversion"), s.conversion);
  take(j.at("direction"), s.direction);
  take(j.at("bands"), s.bands);
  take(j.at("reliability"), s.reliability);
  take(j.at("reference_sd"), s.reference_sd);
  take(j.at("minimum_change"), s.minimum_change);
  take(j.at("minimum_interval"), s.minimum_interval);
  take(j.at("sem"), s.sem);
  take(j.at("norms"), s.norms);
  take(j.at("population"), s.population);
  take(j.at("missing"), s.missing);
  take(j.at("prorate_max_missing"), s.prorate_max_missing);
}

json put(const GoalScale& g) {
  return json{{"min", g.min},
              {"max", g.max},
              {"baseline", g.baseline},
              {"rho", g.rho},
              {"levels", put(g.levels)}};
}
void take(const json& j, GoalScale& g) {
  take(j.at("min"), g.min);
  take(j.at("max"), g.max);
  take(j.at("baseline"), g.baseline);
  take(j.at("rho"), g.rho);
  take(j.at("levels"), g.levels);
}

json put(const Measure& m) {
  return json{{"id", m.id},
              {"name", m.name},
              {"domain", m.domain},
              {"type", put(m.type)},
              {"nature", put(m.nature)},
              {"definition", m.definition},
              {"indicators", put(m.indicators)},
              {"min", m.min},
              {"max", m.max},
              {"values", put(m.values)},
              {"weight", m.weight},
              {"label", m.label},
              {"anchors", put(m.anchors)},
              {"sustain", put(m.sustain)}};
}
void take(const json& j, Measure& m) {
  take(j.at("id"), m.id);
  take(j.at("name"), m.name);
  take(j.at("domain"), m.domain);
  take(j.at("type"), m.type);
  take(j.at("nature"), m.nature);
  take(j.at("definition"), m.definition);
  take(j.at("indicators"), m.indicators);
  take(j.at("min"), m.min);
  take(j.at("max"), m.max);
  take(j.at("values"), m.values);
  take(j.at("weight"), m.weight);
  take(j.at("label"), m.label);
  take(j.at("anchors"), m.anchors);
  take(j.at("sustain"), m.sustain);
}

json put(const Domain& d) {
  return json{{"id", d.id},
              {"name", d.name},
              {"description", d.description},
              {"measures", put(d.measures)}};
}
void take(const json& j, Domain& d) {
  take(j.at("id"), d.id);
  take(j.at("name"), d.name);
  take(j.at("description"), d.description);
  take(j.at("measures"), d.measures);
}

json put(const Framework& f) {
  return json{{"id", f.id},
              {"name", f.name},
              {"version", f.version},
              {"content_hash", f.content_hash},
              {"legacy_content_hash", f.legacy_content_hash},
              {"source", f.source},
              {"licence", f.licence},
              {"notice", f.notice},
              {"description", f.description},
              {"rules", put(f.rules)},
              {"statuses", put(f.statuses)},
              {"scoring", put(f.scoring)},
              {"goal_scale", put(f.goal_scale)},
              {"domains", put(f.domains)},
              {"measures", put(f.measures)}};
}
void take(const json& j, Framework& f) {
  take(j.at("id"), f.id);
  take(j.at("name"), f.name);
  take(j.at("version"), f.version);
  take(j.at("content_hash"), f.content_hash);
  take(j.at("legacy_content_hash"), f.legacy_content_hash);
  take(j.at("source"), f.source);
  take(j.at("licence"), f.licence);
  take(j.at("notice"), f.notice);
  take(j.at("description"), f.description);
  take(j.at("rules"), f.rules);
  take(j.at("statuses"), f.statuses);
  take(j.at("scoring"), f.scoring);
  take(j.at("goal_scale"), f.goal_scale);
  take(j.at("domains"), f.domains);
  take(j.at("measures"), f.measures);
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
// other values. Empty when it cannot be known.
std::string own_file_identity() {
  struct stat st {};
  if (::stat("/proc/self/exe", &st) != 0) return {};
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" +
         std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec);
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

std::string key_for(std::string_view yaml, const std::optional<std::string>& local_wording) {
  if (folder().empty()) return {};
  const std::string program = own_file_identity();
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
  add(yaml);
  add(local_wording ? "local wording" : "no local wording");
  if (local_wording) add(*local_wording);
  return key.hex();
}

std::optional<Framework> find(const std::string& key) {
  if (key.empty()) return std::nullopt;
  const fs::path dir = folder();
  if (dir.empty()) return std::nullopt;
  std::ifstream in(dir / (key + ".json"), std::ios::binary);
  if (!in) return std::nullopt;
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return std::nullopt;
  return from_text(text);
}

void keep(const std::string& key, const Framework& framework) {
  if (key.empty()) return;
  const fs::path dir = folder();
  if (dir.empty()) return;
  try {
    std::error_code ec;
    if (fs::create_directories(dir, ec); ec) return;
    fs::permissions(dir, fs::perms::owner_all, ec);
    const std::string text = to_text(framework);
    write_output(dir / (key + ".json"), [&](std::ostream& out) { out << text; });
    remove_stale(dir);
  } catch (...) {
    // A cache that cannot be written only costs the next command a parse.
  }
}

}  // namespace outcomes::framework_cache

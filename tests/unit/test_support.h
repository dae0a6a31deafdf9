// Helpers shared by the unit tests.
#pragma once
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "date.h"
#include "entry.h"
#include "error.h"
#include "framework.h"
#include "workspace.h"

namespace outcomes::testing {

// A fresh, uniquely named folder under the system temporary folder, removed afterwards.
struct TempDir {
  std::filesystem::path path;
  // `label` goes into the folder's name, to tell leftovers apart.
  explicit TempDir(const std::string& label = "test") {
    static std::atomic<int> counter{0};
    auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    path = std::filesystem::temp_directory_path() /
           ("outcomes-" + label + "-" + std::to_string(::getpid()) + "-" + std::to_string(stamp) +
            "-" + std::to_string(counter++));
    std::filesystem::create_directories(path);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::filesystem::path operator/(const std::string& name) const { return path / name; }
};

// Sets an environment variable for the life of the object, then puts back what was there
// (or unsets it).
struct EnvSetting {
  std::string name;
  std::optional<std::string> before;
  EnvSetting(std::string variable, const std::string& value) : name(std::move(variable)) {
    if (const char* was = std::getenv(name.c_str())) before = was;
    ::setenv(name.c_str(), value.c_str(), 1);
  }
  EnvSetting(const EnvSetting&) = delete;
  EnvSetting& operator=(const EnvSetting&) = delete;
  ~EnvSetting() {
    if (before)
      ::setenv(name.c_str(), before->c_str(), 1);
    else
      ::unsetenv(name.c_str());
  }
};

// The whole content of a file ("" when it cannot be read).
inline std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The date written "YYYY-MM-DD" in a test.
inline Date day(const char* text) {
  return *parse_date(text);
}

// A new entry of `kind` for `person` on `date`, with a status when given and nothing else.
inline NewEntry make(const std::string& person, const char* date, EntryKind kind,
                     const std::string& status = "") {
  NewEntry e;
  e.person = person;
  e.date = day(date);
  e.kind = kind;
  e.status = status;
  return e;
}

// A scale framework with every optional part: notice, description, rules, every scoring
// key, a domain description, and items by range and by allowed set.
inline constexpr const char* kFullScoringFramework =
    "id: full\nname: Full\nversion: '2'\nsource: test\nlicence: test\nnotice: a notice\n"
    "description: about\nrules: [one rule]\n"
    "scoring:\n"
    "  total: sum\n"
    "  direction: lower_is_better\n"
    "  bands: [{id: low, name: Low, min: 0, max: 3}, {id: high, name: High, min: 4, max: 6}]\n"
    "  reliability: {value: 0.83, kind: test_retest, source: Paper}\n"
    "  reference_sd: 8.9\n"
    "  minimum_change: 3\n"
    "  minimum_interval: 4 weeks\n"
    "  sem: 1.03\n"
    "  norms: {functional: {mean: 52.5, sd: 8.5}, dysfunctional: {mean: 40, sd: 9}}\n"
    "  population: [one line]\n"
    "  missing: prorate\n"
    "  prorate_max_missing: 1\n"
    "domains:\n  - id: d\n    name: D\n    description: a domain\n    measures:\n"
    "      - {id: a, name: A, type: scale, nature: soft, min: 0, max: 4}\n"
    "      - {id: b, name: B, type: scale, nature: hard, values: [0, 2]}\n";

// A framework from YAML text; the test fails, listing every problem, when it does not load.
inline Framework framework_from(const std::string& yaml) {
  auto load = parse_framework(yaml, "test.yaml");
  if (!load.ok()) {
    for (const auto& p : load.problems) MESSAGE(to_string(p));
    FAIL("framework did not parse");
  }
  return *load.framework;
}

// A framework shipped in frameworks/.
inline Framework shipped(const std::string& id) {
  return load_framework_or_throw(std::filesystem::path(OUTCOMES_FRAMEWORKS_DIR) / (id + ".yaml"));
}

// Builds one person's entries in recording order, as the store returns them.
struct Log {
  std::vector<Entry> entries;
  int64_t next = 1;

  Entry& add(const char* date, EntryKind kind, const std::string& framework = "",
             const std::string& measure = "", std::optional<int> value = std::nullopt,
             const std::string& status = "", const std::string& text = "") {
    Entry e;
    e.person = "P001";
    e.date = day(date);
    e.kind = kind;
    e.framework = framework;
    e.measure = measure;
    e.value = value;
    e.status = status;
    e.text = text;
    e.id = e.seq = next++;
    entries.push_back(e);
    return entries.back();
  }
  // One assessment occasion: item values in the order of `items`.
  void occasion(const char* date, const std::string& framework,
                const std::vector<std::string>& items, const std::vector<int>& values) {
    for (size_t i = 0; i < items.size(); ++i)
      add(date, EntryKind::Assessment, framework, items[i], values[i]);
  }
  // The entries sorted by date then seq, as the store hands them over.
  std::vector<Entry> ordered() const {
    auto list = entries;
    std::stable_sort(list.begin(), list.end(), [](const Entry& a, const Entry& b) {
      return a.date != b.date ? a.date < b.date : a.seq < b.seq;
    });
    return list;
  }
};

// The message of the outcomes::Error that `f` throws, or "(no error)".
inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace outcomes::testing

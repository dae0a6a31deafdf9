// Helpers shared by the unit tests.
#pragma once
#include <doctest/doctest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>

#include "date.h"
#include "entry.h"
#include "framework.h"

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

// A framework from YAML text; the test fails, listing every problem, when it does not load.
inline Framework framework_from(const std::string& yaml) {
  auto load = parse_framework(yaml, "test.yaml");
  if (!load.ok()) {
    for (const auto& p : load.problems) MESSAGE(to_string(p));
    FAIL("framework did not parse");
  }
  return *load.framework;
}

}  // namespace outcomes::testing

#include "framework_cache.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "hash.h"
#include "test_support.h"

using namespace outcomes;
using outcomes::testing::read_file;
using outcomes::testing::TempDir;
namespace fs = std::filesystem;

namespace {

// The cache at `value` for one test (the suite runs with it "off").
testing::EnvSetting cache_at(const std::string& value) { return {"OUTCOMES_CACHE", value}; }

std::vector<fs::path> kept_files(const fs::path& cache) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(cache / "frameworks", ec)) files.push_back(e.path());
  return files;
}

const char* kDemo =
    "id: demo\nname: Demo\nversion: '1'\nsource: test\nlicence: test\n"
    "scoring: {total: sum, direction: higher_is_better, conversion: {0: 0, 1: 10, 2: 20}}\n"
    "domains:\n  - id: d\n    name: D\n    measures:\n"
    "      - {id: a, name: A, type: scale, nature: soft, min: 0, max: 2}\n";

}  // namespace

TEST_CASE("every shipped framework comes back from the cache's JSON exactly as parsed") {
  int frameworks = 0;
  bool conversion = false, goal_scale = false, sustain = false;
  for (const auto& e : fs::directory_iterator(OUTCOMES_FRAMEWORKS_DIR)) {
    if (e.path().extension() != ".yaml" || e.path().stem().string().ends_with(".local"))
      continue;
    auto load = parse_framework(read_file(e.path()), e.path().string());
    REQUIRE(load.ok());
    const Framework& parsed = *load.framework;
    auto back = framework_cache::from_text(framework_cache::to_text(parsed));
    REQUIRE(back.has_value());
    CHECK_MESSAGE(*back == parsed, e.path().filename().string());
    ++frameworks;
    conversion = conversion || !parsed.scoring.conversion.empty();
    goal_scale = goal_scale || parsed.goal_scale.has_value();
    for (const auto& m : parsed.measures) sustain = sustain || m.sustain.has_value();
  }
  CHECK(frameworks >= 8);
  // The shipped set reaches the optional parts, so the round trip above covers them.
  CHECK(conversion);
  CHECK(goal_scale);
  CHECK(sustain);
}

TEST_CASE("a framework with every optional scoring part comes back exactly") {
  const Framework parsed = testing::framework_from(testing::kFullScoringFramework);
  REQUIRE(parsed.scoring.norms.has_value());
  REQUIRE(parsed.scoring.sem.has_value());
  auto back = framework_cache::from_text(framework_cache::to_text(parsed));
  REQUIRE(back.has_value());
  CHECK(*back == parsed);
  // And a change anywhere is seen by the comparison the round trips rely on.
  Framework changed = parsed;
  changed.scoring.norms->dysfunctional.sd = 9.5;
  CHECK_FALSE(changed == parsed);
}

TEST_CASE("text that is not a kept framework is no framework") {
  CHECK_FALSE(framework_cache::from_text("").has_value());
  CHECK_FALSE(framework_cache::from_text("not json").has_value());
  CHECK_FALSE(framework_cache::from_text("{}").has_value());
  auto whole = nlohmann::json::parse(
      framework_cache::to_text(testing::framework_from(kDemo)));
  whole["scoring"].erase("bands");
  CHECK_FALSE(framework_cache::from_text(whole.dump()).has_value());
}

TEST_CASE("load_framework keeps a sound framework and uses it until a byte changes") {
  TempDir dir("framework-cache");
  const fs::path cache = dir / "cache";
  const fs::path file = dir / "demo.yaml";
  std::ofstream(file) << kDemo;
  auto at = cache_at(cache.string());

  auto first = load_framework(file);
  REQUIRE(first.ok());
  // The file's SHA-256, worked out once for the key and the framework, is still its own.
  CHECK(first.framework->content_hash == sha256_hex(kDemo));
  auto kept = kept_files(cache);
  REQUIRE(kept.size() == 1);
  CHECK((fs::status(cache / "frameworks").permissions() & fs::perms::all) == fs::perms::owner_all);

  // The kept copy is what the next load gives: changed by hand, the change shows.
  auto json = nlohmann::json::parse(read_file(kept[0]));
  json["name"] = "Kept copy";
  std::ofstream(kept[0]) << json.dump();
  auto second = load_framework(file);
  REQUIRE(second.ok());
  CHECK(second.framework->name == "Kept copy");
  CHECK(second.framework->path == file);
  CHECK(second.framework->content_hash == first.framework->content_hash);

  // One more byte in the file: a new key, a fresh parse, a second kept file.
  std::ofstream(file, std::ios::app) << "# edited\n";
  auto edited = load_framework(file);
  REQUIRE(edited.ok());
  CHECK(edited.framework->name == "Demo");
  CHECK(edited.framework->content_hash != first.framework->content_hash);
  CHECK(kept_files(cache).size() == 2);

  // A kept file that cannot be read back is a miss, and is written again.
  std::ofstream(file, std::ios::trunc) << kDemo;
  std::ofstream(kept[0], std::ios::trunc) << "{ broken";
  auto again = load_framework(file);
  REQUIRE(again.ok());
  CHECK(again.framework->name == "Demo");
  CHECK(framework_cache::from_text(read_file(kept[0])).has_value());

  // Turned off, nothing is read or written.
  std::ofstream(kept[0], std::ios::trunc) << json.dump();
  auto off = cache_at("off");
  auto uncached = load_framework(file);
  REQUIRE(uncached.ok());
  CHECK(uncached.framework->name == "Demo");
  CHECK(uncached.framework->content_hash == first.framework->content_hash);
}

TEST_CASE("a framework with problems is never kept, and its local wording is part of the key") {
  TempDir dir("framework-cache");
  const fs::path cache = dir / "cache";
  auto at = cache_at(cache.string());

  std::ofstream(dir / "bad.yaml") << "id: bad\nname: [\n";
  CHECK_FALSE(load_framework(dir / "bad.yaml").ok());
  CHECK(kept_files(cache).empty());

  std::ofstream(dir / "demo.yaml") << kDemo;
  std::ofstream(dir / "demo.local.yaml") << "anchors: {a: {0: never, 2: always}}\n";
  auto with_wording = load_framework(dir / "demo.yaml");
  REQUIRE(with_wording.ok());
  CHECK(with_wording.framework->find_measure("a")->anchors.at(2) == "always");
  CHECK(kept_files(cache).size() == 1);

  std::ofstream(dir / "demo.local.yaml") << "anchors: {a: {0: never, 2: every day}}\n";
  auto reworded = load_framework(dir / "demo.yaml");
  REQUIRE(reworded.ok());
  CHECK(reworded.framework->find_measure("a")->anchors.at(2) == "every day");

  // A wording file with a problem fails the load, as without a cache, and keeps nothing.
  std::ofstream(dir / "demo.local.yaml") << "anchors: {a: {3: too high}}\n";
  CHECK_FALSE(load_framework(dir / "demo.yaml").ok());
  CHECK(kept_files(cache).size() == 2);

  fs::remove(dir / "demo.local.yaml");
  auto plain = load_framework(dir / "demo.yaml");
  REQUIRE(plain.ok());
  CHECK(plain.framework->find_measure("a")->anchors.empty());
  CHECK(kept_files(cache).size() == 3);
}

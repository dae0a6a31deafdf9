#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "error.h"
#include "workspace.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace outcomes;

namespace {
using outcomes::testing::TempDir;

void write(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

std::vector<std::string> problems_of(const fs::path& file) {
  try {
    load_settings(file);
  } catch (const InvalidInput& e) {
    return e.problems();
  }
  return {};
}
}  // namespace

TEST_CASE("find_workspace prefers --workspace, then OUTCOMES_WORKSPACE, then searches upward") {
  TempDir t;
  write(t.path / "a/outcomes.yaml", "service: A\n");
  write(t.path / "b/outcomes.yaml", "service: B\n");
  fs::create_directories(t.path / "a/deep/er");

  WorkspaceSearch s;
  s.start = t.path / "a/deep/er";
  CHECK(find_workspace(s) == fs::absolute(t.path / "a"));
  s.env_dir = t.path / "b";
  CHECK(find_workspace(s) == fs::absolute(t.path / "b"));
  s.explicit_dir = t.path / "a";
  CHECK(find_workspace(s) == fs::absolute(t.path / "a"));
}

TEST_CASE("find_workspace says where it looked when there is none") {
  TempDir t;
  WorkspaceSearch s;
  s.start = t.path;
  try {
    find_workspace(s);
    FAIL("expected an error");
  } catch (const Error& e) {
    std::string what = e.what();
    CHECK(what.find("no outcomes workspace found in " + t.path.string()) != std::string::npos);
    CHECK(what.find("outcomes init") != std::string::npos);
  }
  s.explicit_dir = t.path / "nowhere";
  CHECK_THROWS_WITH_AS(find_workspace(s), doctest::Contains("given with --workspace"), Error);
}

TEST_CASE("settings written by default_settings load back unchanged") {
  TempDir t;
  auto s = default_settings("Bridges: \"north\" team");
  write(t.path / "outcomes.yaml", settings_to_yaml(s));
  auto back = load_settings(t.path / "outcomes.yaml");
  CHECK(back.service_name == s.service_name);
  CHECK(back.small_number_threshold == 5);
  CHECK(back.review_interval_days == 90);
  REQUIRE(back.attributes.size() == 4);
  CHECK(back.attributes[2].id == "age_band");
  CHECK(back.attributes[2].values == s.attributes[2].values);
  REQUIRE(back.exit_reasons.size() == 10);
  CHECK(back.exit_reasons[2].id == "disengaged");
  CHECK(back.find_exit_reason("deceased") != nullptr);
  CHECK(back.find_exit_reason("died") == nullptr);
}

TEST_CASE("settings name a PostgreSQL store with its service id, and never a password") {
  TempDir t;
  auto s = default_settings("Bridges");
  s.store = "postgresql://db.example.org/partnership";
  s.service_id = "bridges";
  write(t.path / "outcomes.yaml", settings_to_yaml(s));
  auto back = load_settings(t.path / "outcomes.yaml");
  CHECK(back.store == s.store);
  CHECK(back.service_id == "bridges");
  CHECK(load_settings(t.path / "outcomes.yaml").attributes.size() == 4);

  write(t.path / "plain.yaml", "service: A\n");
  CHECK(load_settings(t.path / "plain.yaml").store == "sqlite");
  write(t.path / "sqlite.yaml", "service: A\nstore: sqlite\n");
  CHECK(load_settings(t.path / "sqlite.yaml").store == "sqlite");

  write(t.path / "password.yaml",
        "service: A\nstore: postgresql://ann:secret@db/outcomes\nservice_id: a\n");
  auto password = problems_of(t.path / "password.yaml");
  REQUIRE(password.size() == 1);
  CHECK(password[0].find(":2:8: store: holds a password") != std::string::npos);
  CHECK(password[0].find("secret") == std::string::npos);
  CHECK(password[0].find(".pgpass") != std::string::npos);
  write(t.path / "query.yaml",
        "service: A\nstore: postgres:///outcomes?password=x\nservice_id: a\n");
  CHECK(problems_of(t.path / "query.yaml").size() == 1);

  write(t.path / "missing.yaml", "service: Bridges North\nstore: postgresql:///outcomes\n");
  auto missing = problems_of(t.path / "missing.yaml");
  REQUIRE(missing.size() == 1);
  CHECK(missing[0].find("service_id: missing") != std::string::npos);
  CHECK(missing[0].find("service_id: bridges_north") != std::string::npos);

  write(t.path / "bad.yaml",
        "service: A\nstore: mysql://db/x\nservice_id: Pg_Catalog\n");
  auto bad = problems_of(t.path / "bad.yaml");
  REQUIRE(bad.size() == 2);
  CHECK(bad[0].find("'mysql://db/x' is not a store") != std::string::npos);
  CHECK(bad[1].find("'Pg_Catalog' is not a service id") != std::string::npos);
}

TEST_CASE("service ids: what a schema may be named, and one made from a service's name") {
  CHECK_FALSE(service_id_problem("bridges_2"));
  CHECK(service_id_problem(""));
  CHECK(service_id_problem("2bridges"));
  CHECK(service_id_problem("bridges-north"));
  CHECK(service_id_problem("pg_temp"));
  CHECK(service_id_problem("public"));
  CHECK(service_id_problem(std::string(64, 'a')));
  CHECK_FALSE(service_id_problem(std::string(63, 'a')));

  CHECK(service_id_from_name("Bridges (North) – Team 2") == "bridges_north_team_2");
  CHECK(service_id_from_name("42nd Street") == "s_42nd_street");
  CHECK(service_id_from_name("PG_stat") == "service");
  CHECK(service_id_from_name("!!!") == "service");
  CHECK(service_id_from_name(std::string(80, 'x')).size() == 63);
}

TEST_CASE("load_settings reports every problem with line, column and a suggestion") {
  TempDir t;
  write(t.path / "outcomes.yaml",
        "service: X\n"
        "small_number_treshold: 5\n"
        "review_interval_days: soon\n"
        "attributes:\n"
        "  gender:\n"
        "    values: [woman, woman]\n"
        "exit_reasons:\n"
        "  - {id: Moved Away}\n");
  auto problems = problems_of(t.path / "outcomes.yaml");
  INFO(problems[0], "\n", problems[1], "\n", problems[2], "\n", problems[3]);
  REQUIRE(problems.size() == 4);
  CHECK(problems[0].find(":2:1: small_number_treshold: unknown setting") != std::string::npos);
  CHECK(problems[0].find("did you mean 'small_number_threshold'?") != std::string::npos);
  CHECK(problems[1].find(":3:23: review_interval_days: 'soon' is not a whole number") !=
        std::string::npos);
  CHECK(problems[2].find(":6:21: attributes.gender.values: 'woman' is listed twice") !=
        std::string::npos);
  CHECK(problems[3].find(":8:10: exit_reasons[0].id: 'Moved Away' is not a valid id") !=
        std::string::npos);
}

TEST_CASE("load_settings requires the service name and rejects broken YAML") {
  TempDir t;
  write(t.path / "outcomes.yaml", "small_number_threshold: 3\n");
  auto problems = problems_of(t.path / "outcomes.yaml");
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].find("service: missing") != std::string::npos);

  write(t.path / "outcomes.yaml", "service: [unclosed\n");
  CHECK_THROWS_AS(load_settings(t.path / "outcomes.yaml"), InvalidInput);
}

namespace {
InitOptions init_options(const fs::path& dir, std::vector<std::string> ids) {
  InitOptions options;
  options.dir = dir;
  options.service_name = "Test service";
  options.framework_ids = std::move(ids);
  options.shipped_dir = OUTCOMES_FRAMEWORKS_DIR;
  return options;
}
}  // namespace

TEST_CASE("init finishes a workspace whose pieces an interrupted init was moving") {
  TempDir dir;
  auto ws = dir / "ws";
  REQUIRE(init_workspace(init_options(ws, {"ndt"})) == std::vector<std::string>{"ndt"});
  // As if init was stopped after moving frameworks/ and outcomes.db into place.
  fs::create_directory(ws / ".outcomes-init");
  fs::rename(ws / "outcomes.yaml", ws / ".outcomes-init" / "outcomes.yaml");
  std::ofstream(ws / ".outcomes-init" / "moving");
  // The next init (whatever it is asked for) finishes that one.
  CHECK(init_workspace(init_options(ws, {"goals"})) == std::vector<std::string>{"ndt"});
  CHECK(fs::is_regular_file(ws / "outcomes.yaml"));
  CHECK_FALSE(fs::exists(ws / ".outcomes-init"));
  CHECK(open_workspace(ws).settings.service_name == "Test service");
  // Finished, it is a workspace like any other: init refuses it.
  CHECK_THROWS_WITH_AS(init_workspace(init_options(ws, {})),
                       doctest::Contains("already holds a workspace"), Error);
}

TEST_CASE("init stopped while building leaves only its staging folder, replaced next time") {
  TempDir dir;
  auto ws = dir / "ws";
  write(ws / ".outcomes-init" / "outcomes.yaml", "half written");
  write(ws / ".outcomes-init" / "frameworks" / "ndt.yaml", "half");
  CHECK(init_workspace(init_options(ws, {"goals"})) == std::vector<std::string>{"goals"});
  CHECK_FALSE(fs::exists(ws / ".outcomes-init"));
  CHECK(fs::exists(ws / "frameworks" / "goals.yaml"));
  CHECK_FALSE(fs::exists(ws / "frameworks" / "ndt.yaml"));
}

TEST_CASE("init refuses to finish when a piece is both moved and still staged") {
  TempDir dir;
  auto ws = dir / "ws";
  init_workspace(init_options(ws, {"ndt"}));
  fs::create_directory(ws / ".outcomes-init");
  fs::rename(ws / "outcomes.yaml", ws / ".outcomes-init" / "outcomes.yaml");
  write(ws / ".outcomes-init" / "outcomes.db", "another store");
  std::ofstream(ws / ".outcomes-init" / "moving");
  CHECK_THROWS_WITH_AS(init_workspace(init_options(ws, {})),
                       doctest::Contains("cannot tell which to keep"), Error);
  CHECK(fs::exists(ws / ".outcomes-init" / "outcomes.db"));
  CHECK(fs::exists(ws / "outcomes.db"));
}

TEST_CASE("load_settings refuses settings yaml-cpp would drop or misread") {
  TempDir t;
  const auto file = t.path / "outcomes.yaml";
  // An unclosed quote swallows the threshold after it: refused, never the default.
  write(file, "service: \"Harbour\nsmall_number_threshold: 10\n");
  auto problems = problems_of(file);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0] == file.string() +
                           ":2:1: 'small_number_threshold' was not read as a key: the text "
                           "before it swallows it (an unclosed quote?)");

  write(file, "service: Harbour\nsmall_number_threshold: 10\n---\nsmall_number_threshold: 1\n");
  problems = problems_of(file);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].find(":4:1: a second YAML document") != std::string::npos);

  write(file, "service: Harbour\nsmall_number_threshold: 10\nsmall_number_threshold: 1\n");
  problems = problems_of(file);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].find(":3:1: small_number_threshold: duplicate key 'small_number_threshold' "
                         "(first given at line 2)") != std::string::npos);

  write(file, "service: Harbour\nsmall_number_threshold: &t 10\n");
  problems = problems_of(file);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].find(":2:1: small_number_threshold was not read as written") !=
        std::string::npos);

  // Indented in a block text, it is no setting at all but part of the service's name.
  write(file, "service: |\n  Harbour\n  small_number_threshold: 10\n");
  problems = problems_of(file);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].find(":3:3: small_number_threshold was not read as written") !=
        std::string::npos);

  write(file, "service: Harbour\x1b]0;x\x07\n");
  problems = problems_of(file);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].find(":1:17: a control character (\\x1b at byte 17)") != std::string::npos);

  write(file, "service: Harbour\nsmall_number_threshold: '7'  # seven\n");
  CHECK(load_settings(file).small_number_threshold == 7);
}

#include <SQLiteCpp/SQLiteCpp.h>
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "error.h"
#include "framework.h"
#include "hash.h"
#include "record.h"
#include "store.h"
#include "test_support.h"
#include "text.h"

using namespace outcomes;
namespace fs = std::filesystem;

namespace {

using outcomes::testing::TempDir;

const char* const kScaleYaml = R"(id: t
name: Test scale
version: "2"
source: test
licence: test
scoring:
  total: sum
  direction: lower_is_better
domains:
  - id: d
    name: D
    measures:
      - {id: calm, name: Calm, type: scale, nature: soft, min: 0, max: 4}
      - {id: risk, name: Risk, type: scale, nature: soft, values: [0, 2, 4]}
      - {id: housing, name: Housing, type: status, nature: hard}
      - {id: job, name: Job, type: milestone, nature: hard, sustain: 6 months}
      - {id: phoned, name: Phoned, type: signal, nature: soft}
)";

const char* const kGoalsYaml = R"(id: g
name: Goals
version: "1"
source: test
licence: test
goal_scale: {min: -2, max: 2, baseline: -1, rho: 0.3}
domains:
  - id: goals
    name: Goals
    measures:
      - {id: goal, name: Goal, type: goal, nature: soft}
)";

Framework framework(const char* yaml, const char* file) {
  auto load = parse_framework(yaml, file);
  for (const auto& p : load.problems) INFO(to_string(p));
  REQUIRE(load.ok());
  return *load.framework;
}

const char* const kHeader = "person,date,kind,framework,measure,value,status,text,by,ref\n";

// A workspace with the two test frameworks and an empty store; today is 2026-11-15.
struct Fixture {
  TempDir dir;
  Workspace ws;
  std::unique_ptr<JourneyStore> owned_store;
  JourneyStore& store;
  Date today = *parse_date("2026-11-15");

  Fixture() : owned_store(create_store(dir.path / "outcomes.db")), store(*owned_store) {
    ws.root = dir.path;
    ws.settings = default_settings("Test");
    ws.frameworks.push_back(framework(kGoalsYaml, "g.yaml"));
    ws.frameworks.push_back(framework(kScaleYaml, "t.yaml"));
  }

  fs::path write(const std::string& name, const std::string& text) {
    auto path = dir.path / name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  ImportResult import(const std::string& text, const std::string& name = "entries.csv",
                      bool dry_run = false) {
    ImportOptions o;
    o.file = write(name, text);
    o.source = name;
    o.format = input_format_for(name);
    o.today = today;
    o.recorded_at = "2026-11-15T00:00:00Z";
    o.dry_run = dry_run;
    return import_entries(ws, store, o);
  }

  ImportResult import_wide(const std::string& text, const std::string& fw = "t") {
    ImportOptions o;
    o.file = write("wide.csv", text);
    o.source = "wide.csv";
    o.wide = true;
    o.framework = fw;
    o.today = today;
    o.recorded_at = "2026-11-15T00:00:00Z";
    return import_entries(ws, store, o);
  }

  // The problems of an import that must fail; checks nothing was written.
  std::vector<std::string> problems(const std::string& text,
                                    const std::string& name = "entries.csv") {
    auto before = store.entry_count();
    try {
      import(text, name);
    } catch (const InvalidInput& e) {
      CHECK(store.entry_count() == before);
      auto list = e.problems();
      list.push_back(e.what());
      return list;
    }
    FAIL("the import was expected to fail");
    return {};
  }

  std::vector<Entry> all() { return store.entries(EntryQuery{}); }
};

// The single problem of a failing import (plus its summary).
std::string only_problem(Fixture& f, const std::string& rows) {
  auto list = f.problems(std::string(kHeader) + rows);
  REQUIRE(list.size() == 2);
  return list[0];
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

const std::string kEnrol = "P1,2026-01-05,enrol,,,,,,,\n";

}  // namespace

TEST_CASE("import_entries writes every row with its framework version") {
  Fixture f;
  auto r = f.import(std::string(kHeader) + kEnrol +
                    "P1,2026-02-01,assessment,t,calm,3,,,anna,a1\n"
                    "P1,2026-02-01,assessment,t,risk,4,,,anna,a2\n"
                    "P1,2026-02-03,contact,,,,self_initiated,\"came in, \"\"at last\"\"\",anna,\n");
  CHECK(r.rows == 4);
  CHECK(r.added == 4);
  CHECK(r.skipped == 0);
  CHECK(r.batch > 0);
  auto entries = f.all();
  REQUIRE(entries.size() == 4);
  CHECK(entries[1].kind == EntryKind::Assessment);
  CHECK(entries[1].framework == "t");
  CHECK(entries[1].framework_version == "2");
  CHECK(entries[1].framework_hash == f.ws.find_framework("t")->content_hash);
  CHECK(entries[1].value == 3);
  CHECK(entries[1].by == "anna");
  CHECK(entries[1].ref == "a1");
  CHECK(entries[1].batch == r.batch);
  CHECK(entries[3].text == "came in, \"at last\"");
  CHECK(entries[0].framework.empty());
  CHECK(import_summary("entries.csv", r) == "entries.csv: 4 rows added");
}

TEST_CASE("import_entries takes columns in any order and leaves out optional ones") {
  Fixture f;
  auto r = f.import(
      "kind,date,person,status\n"
      "enrol,2026-01-05,P1,\n"
      "contact,2026-01-06,P1,attended\n");
  CHECK(r.added == 2);
  auto entries = f.all();
  REQUIRE(entries.size() == 2);
  CHECK(entries[1].status == "attended");
  CHECK(entries[1].date == *parse_date("2026-01-06"));
}

TEST_CASE("import_entries reads CRLF, a byte order mark and a last line without a line break") {
  Fixture f;
  auto r = f.import(
      "\xEF\xBB\xBFperson,date,kind,status\r\nP1,2026-01-05,enrol,\r\n"
      "P1,2026-01-06,contact,missed");
  CHECK(r.added == 2);
  CHECK(f.all().back().status == "missed");
}

TEST_CASE("import_entries rejects unknown, repeated and missing header columns") {
  Fixture f;
  try {
    f.import("person,dat,kind,status,status\nP1,2026-01-05,enrol,,\n");
    FAIL("expected InvalidInput");
  } catch (const InvalidInput& e) {
    REQUIRE(e.problems().size() == 3);
    CHECK(e.problems()[0] ==
          "entries.csv:1:2: header: 'dat' is not a column of the entries CSV; expected person, "
          "date, kind, framework, measure, value, status, text, by or ref (did you mean 'date'?)");
    CHECK(e.problems()[1] ==
          "entries.csv:1:5: header: column 'status' appears twice (also column 4)");
    CHECK(e.problems()[2] ==
          "entries.csv:1: header: the column 'date' is missing; every entry needs a person, a "
          "date and a kind");
  }
  CHECK(f.store.entry_count() == 0);
}

TEST_CASE("row problems name file, line, column, the value and what was expected") {
  Fixture f;
  CHECK(only_problem(f, "P1,2026-02-30,enrol,,,,,,,\n") ==
        "entries.csv:2:2: date: '2026-02-30' is not a date; expected YYYY-MM-DD");
  CHECK(only_problem(f, "P1,2026-11-16,enrol,,,,,,,\n") ==
        "entries.csv:2:2: date: '2026-11-16' is after today (2026-11-15); expected a date on or "
        "before today");
  CHECK(only_problem(f, "John Smith,2026-01-05,enrol,,,,,,,\n") ==
        "entries.csv:2:1: person: 'John Smith' is not a person reference; expected 1-64 letters, "
        "digits, '-', '_' or '.' (a pseudonym, never a name)");
  CHECK(only_problem(f, ",2026-01-05,enrol,,,,,,,\n") ==
        "entries.csv:2:1: person: missing; expected the person's reference (a pseudonym such as "
        "P017)");
  CHECK(only_problem(f, "P1,2026-01-05,enroll,,,,,,,\n") ==
        "entries.csv:2:3: kind: 'enroll' is not an entry kind; expected enrol, exit, contact, "
        "assessment, status, need, milestone, signal, goal, note or attribute (did you mean "
        "'enrol'?)");
}

TEST_CASE("row problems for frameworks, measures and values") {
  Fixture f;
  CHECK(only_problem(f, kEnrol + "P1,2026-02-01,assessment,tt,calm,1,,,,\n") ==
        "entries.csv:3:4: framework: 'tt' is not a framework of this workspace; expected g or t "
        "(did you mean 't'?)");
  CHECK(only_problem(f, kEnrol + "P1,2026-02-01,assessment,g,goal,1,,,,\n") ==
        "entries.csv:3:4: framework: 'g' has no scale items; expected a framework with items for "
        "an 'assessment' entry");
  CHECK(only_problem(f, kEnrol + "P1,2026-02-01,assessment,t,clam,1,,,,\n") ==
        "entries.csv:3:5: measure: 'clam' is not a scale item of 't'; expected calm or risk (did "
        "you mean 'calm'?)");
  CHECK(only_problem(f, kEnrol + "P1,2026-02-01,assessment,t,housing,1,,,,\n") ==
        "entries.csv:3:5: measure: 'housing' is a status measure of 't', not a scale item; "
        "expected calm or risk");
  CHECK(only_problem(f, kEnrol + "P1,2026-02-01,assessment,t,calm,5,,,,\n") ==
        "entries.csv:3:6: value: '5' is not a score of item 'calm'; expected a whole number from "
        "0 to 4");
  CHECK(only_problem(f, kEnrol + "P1,2026-02-01,assessment,t,risk,3,,,,\n") ==
        "entries.csv:3:6: value: '3' is not a score of item 'risk'; expected one of 0, 2 or 4");
  CHECK(only_problem(f, kEnrol + "P1,2026-02-01,assessment,t,calm,2.5,,,,\n") ==
        "entries.csv:3:6: value: '2.5' is not a score of item 'calm'; expected a whole number "
        "from 0 to 4");
  CHECK(only_problem(f, kEnrol + "P1,2026-02-01,assessment,t,calm,,,,,\n") ==
        "entries.csv:3:6: value: missing; a 'assessment' entry needs a score");
  CHECK(only_problem(f, kEnrol + "P1,2026-02-01,status,t,housing,,done,,,\n") ==
        "entries.csv:3:7: status: 'done' is not a status of 't'; expected achieved, partial, "
        "not_achieved or not_relevant");
  CHECK(only_problem(f, kEnrol + "P1,2026-02-01,signal,t,phone,,,,,\n") ==
        "entries.csv:3:5: measure: 'phone' is not a signal of 't'; expected phoned (did you mean "
        "'phoned'?)");
  CHECK(only_problem(f, kEnrol + "P1,2026-02-01,milestone,t,job,,begin,,,\n") ==
        "entries.csv:3:7: status: 'begin' is not a milestone event; expected start or end");
}

TEST_CASE("row problems for contacts, exits, notes, attributes and unused columns") {
  Fixture f;
  CHECK(only_problem(f, kEnrol + "P1,2026-02-01,contact,,,,atended,,,\n") ==
        "entries.csv:3:7: status: 'atended' is not a contact type; expected attended, missed, "
        "self_initiated or outreach (did you mean 'attended'?)");
  CHECK(only_problem(f, kEnrol + "P1,2026-02-01,contact,,,,,,,\n") ==
        "entries.csv:3:7: status: missing; a 'contact' entry needs the contact type");
  CHECK(contains(only_problem(f, kEnrol + "P1,2026-02-01,exit,,,,jail,,,\n"),
                 "entries.csv:3:7: status: 'jail' is not an exit reason of this workspace "
                 "(outcomes.yaml); expected moved_to_other_support,"));
  CHECK(only_problem(f, kEnrol + "P1,2026-02-01,note,,,,shareable,,,\n") ==
        "entries.csv:3:8: text: missing; a 'note' entry needs the story");
  CHECK(only_problem(f, kEnrol + "P1,2026-02-01,note,,,,public,hello,,\n") ==
        "entries.csv:3:7: status: 'public' is not a note's consent; expected shareable or "
        "private");
  CHECK(contains(only_problem(f, kEnrol + "P1,2026-02-01,attribute,,gendr,,man,,,\n"),
                 "(did you mean 'gender'?)"));
  CHECK(only_problem(f, kEnrol + "P1,2026-02-01,attribute,,gender,,male,,,\n") ==
        "entries.csv:3:7: status: 'male' is not a value of attribute 'gender'; expected woman, "
        "man, non_binary, other or prefer_not_to_say (did you mean 'man'?)");
  CHECK(only_problem(f, kEnrol + "P1,2026-02-01,contact,t,,,attended,,,\n") ==
        "entries.csv:3:4: framework: 't' is not used by a 'contact' entry; expected it empty");
}

TEST_CASE("row problems for needs and goals") {
  Fixture f;
  CHECK(only_problem(f, kEnrol + "P1,2026-02-01,need,t,housing,,open,,,\n") ==
        "entries.csv:3:8: text: missing; a 'need' entry needs the need, in words (a 'met' names "
        "the open need it closes)");
  CHECK(only_problem(f, kEnrol + "P1,2026-02-01,goal,g,g1,,set,,,\n") ==
        "entries.csv:3:8: text: missing; a 'goal' entry needs the goal in the person's own words");
  CHECK(only_problem(f, kEnrol + "P1,2026-02-01,goal,g,g1,3,set,My flat,,\n") ==
        "entries.csv:3:6: value: '3' is not a goal attainment; expected a whole number from -2 "
        "to 2");
  CHECK(only_problem(f, kEnrol + "P1,2026-02-01,goal,t,g1,,set,My flat,,\n") ==
        "entries.csv:3:4: framework: 't' is not a goal framework (it has no goal_scale); "
        "expected a framework of person-led goals");
  CHECK(only_problem(f, kEnrol + "P1,2026-02-01,goal,g,g1,,set,My flat,,\n"
                                 "P1,2026-03-01,goal,g,g1,,review,,,\n") ==
        "entries.csv:4:6: value: missing; a goal 'review' needs the attainment reached");
}

TEST_CASE("a goal set without a value takes the baseline of the goal scale") {
  Fixture f;
  f.import(std::string(kHeader) + kEnrol + "P1,2026-02-01,goal,g,g1,,set,My own flat,,\n" +
           "P1,2026-03-01,goal,g,g1,1,close,,,\n");
  auto entries = f.all();
  REQUIRE(entries.size() == 3);
  CHECK(entries[1].value == -1);
  CHECK(entries[2].value == 1);
}

TEST_CASE("timeline rules: enrolment, episodes") {
  Fixture f;
  CHECK(only_problem(f, "P1,2026-01-05,contact,,,,attended,,,\nP1,2026-01-06,enrol,,,,,,,\n") ==
        "entries.csv:2:2: date: P1 has no enrolment on or before 2026-01-05; expected an 'enrol' "
        "entry first (one in the same file counts)");
  CHECK(only_problem(f, kEnrol + "P1,2026-02-01,enrol,,,,,,,\n") ==
        "entries.csv:3:3: kind: 'enrol' while an episode is open (enrolled on 2026-01-05); "
        "expected an 'exit' first");
  CHECK(only_problem(
            f, kEnrol + "P1,2026-02-01,exit,,,,prison,,,\nP1,2026-03-01,exit,,,,prison,,,\n") ==
        "entries.csv:4:3: kind: 'exit' with no open episode (the last one ended on 2026-02-01); "
        "expected an 'enrol' before it");
}

TEST_CASE("timeline rules hold whatever the order of rows in the file") {
  Fixture f;
  auto r = f.import(std::string(kHeader) + "P1,2026-03-01,enrol,,,,,,,\n" +
                    "P1,2026-02-01,exit,,,,prison,,,\n" + "P1,2026-01-05,enrol,,,,,,,\n" +
                    "P1,2026-01-05,contact,,,,attended,,,\n");
  CHECK(r.added == 4);
}

TEST_CASE("timeline rules: needs, milestones, goals and occasions") {
  Fixture f;
  CHECK(only_problem(f, kEnrol + "P1,2026-02-01,need,t,housing,,open,Rent arrears,,\n"
                                 "P1,2026-03-01,need,t,housing,,met,rent arrears,,\n") ==
        "entries.csv:4:8: text: 'rent arrears' is not an open need of t/housing; expected the "
        "text of an open need (open: 'Rent arrears') (did you mean 'Rent arrears'?)");
  CHECK(only_problem(f, kEnrol + "P1,2026-02-01,need,t,housing,,open,Rent arrears,,\n"
                                 "P1,2026-03-01,need,t,housing,,open, Rent arrears ,,\n") ==
        "entries.csv:4:8: text: need 'Rent arrears' of t/housing is already open (opened on "
        "2026-02-01); expected it to be met before it is opened again");
  CHECK(only_problem(f, kEnrol + "P1,2026-02-01,milestone,t,job,,start,,,\n"
                                 "P1,2026-03-01,milestone,t,job,,start,,,\n") ==
        "entries.csv:4:7: status: milestone t/job is already running (started on 2026-02-01); "
        "expected an 'end' before a new 'start'");
  CHECK(only_problem(f, kEnrol + "P1,2026-02-01,milestone,t,job,,end,,,\n") ==
        "entries.csv:3:7: status: milestone t/job is not running; expected a 'start' before an "
        "'end'");
  CHECK(only_problem(f, kEnrol + "P1,2026-02-01,goal,g,g1,,set,Flat,,\n"
                                 "P1,2026-02-02,goal,g,g1,,set,Flat,,\n") ==
        "entries.csv:4:5: measure: goal 'g1' is already open (set on 2026-02-01); expected it to "
        "be closed before it is set again");
  CHECK(only_problem(f, kEnrol + "P1,2026-02-01,goal,g,g1,,set,Flat,,\n"
                                 "P1,2026-03-01,goal,g,g2,0,review,,,\n") ==
        "entries.csv:4:5: measure: goal 'g2' is not open; expected a 'set' before a 'review' "
        "(did you mean 'g1'?)");
  CHECK(only_problem(f, kEnrol + "P1,2026-02-01,assessment,t,calm,1,,,,\n"
                                 "P1,2026-02-01,assessment,t,calm,2,,,,\n") ==
        "entries.csv:4:5: measure: a second score for item 't/calm' on 2026-02-01; an occasion "
        "holds one score per item (to change a score, correct the first entry with 'outcomes "
        "record --correct')");
}

TEST_CASE("a need closed by its trimmed text, and reopened after it was met") {
  Fixture f;
  auto r = f.import(std::string(kHeader) + kEnrol +
                    "P1,2026-02-01,need,t,housing,,open,Rent arrears,,\n"
                    "P1,2026-03-01,need,t,housing,,met,  Rent arrears ,,\n"
                    "P1,2026-04-01,need,t,housing,,open,Rent arrears,,\n"
                    "P1,2026-04-01,milestone,t,job,,start,,,\n"
                    "P1,2026-05-01,milestone,t,job,,end,,,\n"
                    "P1,2026-05-02,milestone,t,job,,start,,,\n");
  CHECK(r.added == 7);
}

TEST_CASE("timeline rules merge the store's entries with the file") {
  Fixture f;
  f.import(std::string(kHeader) + kEnrol + "P1,2026-02-01,need,t,housing,,open,Debt,,\n",
           "one.csv");
  // The enrolment and the open need are already stored.
  auto r = f.import(std::string(kHeader) + "P1,2026-03-01,need,t,housing,,met,Debt,,\n", "two.csv");
  CHECK(r.added == 1);
  auto list = f.problems(std::string(kHeader) +
                             "P1,2026-04-01,need,t,housing,,met,Debt,,\n"
                             "P2,2026-04-01,contact,,,,missed,,,\n",
                         "three.csv");
  REQUIRE(list.size() == 3);
  CHECK(list[0] ==
        "three.csv:2:8: text: 'Debt' is not an open need of t/housing; expected the "
        "text of an open need (none is open)");
  CHECK(contains(list[1], "three.csv:3:2: date: P2 has no enrolment on or before 2026-04-01"));
  CHECK(list[2] == "2 problems in three.csv; nothing was written");
  // An earlier enrolment in a new file makes the stored one an enrol within an episode.
  auto clash = f.problems(std::string(kHeader) + "P1,2026-01-01,enrol,,,,,,,\n", "four.csv");
  REQUIRE(clash.size() == 2);
  CHECK(contains(clash[0],
                 "four.csv: stored entry 1 (P1 2026-01-05 enrol) no longer fits: "
                 "'enrol' while an episode is open (enrolled on 2026-01-01)"));
}

TEST_CASE("re-importing the same file is skipped whole; stored refs are skipped row by row") {
  Fixture f;
  std::string text = std::string(kHeader) + "P1,2026-01-05,enrol,,,,,,,r1\n" +
                     "P1,2026-01-06,contact,,,,attended,,,r2\n";
  auto first = f.import(text);
  CHECK(first.added == 2);
  auto again = f.import(text);
  REQUIRE(again.already_imported.has_value());
  CHECK(again.already_imported->id == first.batch);
  CHECK(again.added == 0);
  CHECK(f.store.entry_count() == 2);
  CHECK(contains(import_summary("entries.csv", again), "entries.csv: already imported (batch"));

  auto more = f.import(text + "P1,2026-01-07,contact,,,,missed,,,r3\n", "more.csv");
  CHECK(more.rows == 3);
  CHECK(more.added == 1);
  CHECK(more.skipped == 2);
  CHECK(import_summary("more.csv", more) ==
        "more.csv: 1 row added, 2 skipped (ref already stored)");
  CHECK(f.store.entry_count() == 3);
}

namespace {

// Gives batch `id` the digest `legacy`, as the schema migration leaves a batch imported
// before digests were SHA-256.
void make_legacy_batch(Fixture& f, std::int64_t id, const std::string& legacy) {
  SQLite::Database db((f.dir.path / "outcomes.db").string(), SQLite::OPEN_READWRITE);
  SQLite::Statement update(db, "UPDATE batches SET content_hash = ? WHERE id = ?");
  update.bind(1, legacy);
  update.bind(2, id);
  REQUIRE(update.exec() == 1);
}

std::string legacy_digest(const std::string& text) {
  LegacyFnv1a64 digest;
  digest.update(text);
  return digest.hex();
}

}  // namespace

TEST_CASE("a file imported under a legacy digest is known by it, when its row count agrees") {
  Fixture f;
  // No refs: only the file's digest keeps a second import from writing every row again.
  const std::string text = std::string(kHeader) + kEnrol + "P1,2026-01-06,contact,,,,attended,,,\n";
  auto first = f.import(text);
  REQUIRE(first.added == 2);
  make_legacy_batch(f, first.batch, legacy_digest(text));
  REQUIRE(f.store.has_legacy_batches());
  auto again = f.import(text);
  REQUIRE(again.already_imported.has_value());
  CHECK(again.already_imported->id == first.batch);
  CHECK(again.added == 0);
  CHECK(f.store.entry_count() == 2);

  // Another file, whose legacy digest is made to equal the stored one, holds another
  // number of rows: it may be the old file with rows added or removed, so it is neither
  // skipped nor imported (its rows without refs would be stored twice): nothing is written.
  const std::string other = std::string(kHeader) + "P1,2026-01-07,contact,,,,missed,,,\n";
  make_legacy_batch(f, first.batch, legacy_digest(other));
  CHECK_THROWS_AS(f.import(other, "other.csv"), InvalidInput);
  CHECK(f.store.entry_count() == 2);
  // Once the legacy batch no longer matches, the file imports and is known by its SHA-256.
  make_legacy_batch(f, first.batch, legacy_digest(text));
  auto imported = f.import(other, "other.csv");
  CHECK(imported.added == 1);
  auto repeat = f.import(other, "other.csv");
  REQUIRE(repeat.already_imported.has_value());
  CHECK(repeat.already_imported->id == imported.batch);
  CHECK(repeat.already_imported->content_hash == sha256_hex(other));
  CHECK(f.store.entry_count() == 3);
}

TEST_CASE("the same ref twice in one file is a problem") {
  Fixture f;
  auto list = f.problems(std::string(kHeader) + "P1,2026-01-05,enrol,,,,,,,r1\n" +
                         "P1,2026-01-06,contact,,,,attended,,,r1\n");
  REQUIRE(list.size() == 2);
  CHECK(list[0] ==
        "entries.csv:3:10: ref: repeats the ref of line 2; expected each ref to name "
        "one entry");
}

TEST_CASE("a file of several write chunks is stored whole, or not at all") {
  // More rows than one chunk of the writing thread (32,768), for 3 people, in date order.
  Fixture f;
  std::string enrolments, contacts;
  for (const char* p : {"P3", "P1", "P2"})
    enrolments += fmt::format("{},2026-01-05,enrol,,,,,,,\n", p);
  const int days = 11000;
  for (int d = 0; d < days; ++d) {
    auto date = format_date(Date{make_date(2026, 1, 6).days + d % 300});
    for (const char* p : {"P3", "P1", "P2"})
      contacts += fmt::format("{},{},contact,,,,attended,,,{}-{}\n", p, date, p, d);
  }
  const std::string text = std::string(kHeader) + enrolments + contacts;
  const std::size_t rows = 3 + 3 * days;
  // A problem in the last row (a repeated ref) leaves the store as it was.
  auto list = f.problems(text + "P1,2026-02-01,contact,,,,missed,,,P1-7\n", "bad.csv");
  REQUIRE(list.size() == 2);
  CHECK(contains(list[0], fmt::format("bad.csv:{}:10: ref: repeats the ref of line", rows + 2)));
  CHECK(f.store.entry_count() == 0);

  auto r = f.import(text, "good.csv");
  CHECK(r.added == rows);
  auto entries = f.all();
  REQUIRE(entries.size() == rows);
  // Within a person and date, entries keep the file's order.
  std::map<std::string, int> last;
  for (const auto& e : entries) {
    if (e.kind != EntryKind::Contact) continue;
    int d = std::stoi(e.ref.substr(3));
    auto [it, first] = last.try_emplace(e.person + format_date(e.date), d);
    if (!first) {
      CHECK(d > it->second);
      it->second = d;
    }
  }
  CHECK(last.size() == 3 * 300);
  // A second import: stored refs are skipped (read through a second connection while
  // the write is open), and the new row's timeline is checked against the stored one.
  auto again =
      f.import(std::string(kHeader) + contacts + "P2,2026-10-01,exit,,,,prison,,,\n", "again.csv");
  CHECK(again.added == 1);
  CHECK(again.skipped == rows - 3);
  CHECK(f.store.entry_count() == static_cast<std::int64_t>(rows + 1));
  auto twice = f.problems(std::string(kHeader) + "P2,2026-10-02,exit,,,,prison,,,\n", "twice.csv");
  CHECK(contains(twice[0], "twice.csv:2"));
}

TEST_CASE("a dry run checks and writes nothing") {
  Fixture f;
  auto r = f.import(std::string(kHeader) + kEnrol, "entries.csv", true);
  CHECK(r.dry_run);
  CHECK(r.added == 1);
  CHECK(f.store.entry_count() == 0);
  CHECK(import_summary("entries.csv", r) ==
        "entries.csv: 1 row valid, 1 row would be added; nothing written (dry run)");
  // Not recorded as a batch either: the real import still runs.
  CHECK(f.import(std::string(kHeader) + kEnrol).added == 1);
}

TEST_CASE("listing stops at the limit and counts the rest") {
  Fixture f;
  std::string text = kHeader;
  for (int i = 0; i < 60; ++i) text += "P1,2026-01-xx,enrol,,,,,,,\n";
  auto list = f.problems(text);
  REQUIRE(list.size() == 52);
  CHECK(list[0] == "entries.csv:2:2: date: '2026-01-xx' is not a date; expected YYYY-MM-DD");
  CHECK(list[49] == "entries.csv:51:2: date: '2026-01-xx' is not a date; expected YYYY-MM-DD");
  CHECK(list[50] == "… and 10 more problems");
  CHECK(list[51] == "60 problems in entries.csv; nothing was written");
}

TEST_CASE("malformed CSV and ragged rows are reported with their line") {
  Fixture f;
  auto list =
      f.problems(std::string(kHeader) + kEnrol + "P1,2026-01-06,note,,,,private,say \"hi\",,\n" +
                 "P1,2026-01-06,contact,,,,attended\n");
  REQUIRE(list.size() == 3);
  CHECK(list[0] ==
        "entries.csv:3:8: malformed CSV: a quote inside an unquoted field; quote the "
        "whole field and double the quotes inside it");
  CHECK(list[1] == "entries.csv:4: the row has 7 fields; expected 10 as in the header");
}

TEST_CASE("JSONL rows take numbers or strings and report bad keys and bad JSON") {
  Fixture f;
  auto r = f.import(
      "{\"person\":\"P1\",\"date\":\"2026-01-05\",\"kind\":\"enrol\"}\n"
      "\n"
      "{\"person\":\"P1\",\"date\":\"2026-02-01\",\"kind\":\"assessment\",\"framework\":\"t\","
      "\"measure\":\"calm\",\"value\":2}\r\n"
      "{\"person\":\"P1\",\"date\":\"2026-02-01\",\"kind\":\"assessment\",\"framework\":\"t\","
      "\"measure\":\"risk\",\"value\":\"4\",\"by\":null}\n",
      "entries.jsonl");
  CHECK(r.added == 3);
  auto entries = f.all();
  CHECK(entries[1].value == 2);
  CHECK(entries[2].value == 4);

  auto list = f.problems(
      "{\"person\":\"P1\",\"date\":\"2026-03-01\",\"kind\":\"contact\",\"satus\":\"missed\"}\n"
      "{\"person\":\"P1\",\"date\":\"2026-03-01\",\"kind\":\"contact\",\"status\":[1]}\n"
      "{\"person\":\"P1\",\n"
      "[1,2]\n"
      "{\"person\":\"P1\",\"date\":\"2026-03-01\",\"kind\":\"assessment\",\"framework\":\"t\","
      "\"measure\":\"calm\",\"value\":9}\n",
      "bad.jsonl");
  REQUIRE(list.size() == 6);
  CHECK(list[0] ==
        "bad.jsonl:1: satus: not a key of an entry; expected person, date, kind, "
        "framework, measure, value, status, text, by or ref (did you mean 'status'?)");
  CHECK(list[1] == "bad.jsonl:2: status: expected a string, got array");
  CHECK(contains(list[2], "bad.jsonl:3: invalid JSON: "));
  CHECK(list[3] ==
        "bad.jsonl:4: expected a JSON object {\"person\": …, \"date\": …, \"kind\": …}, "
        "got array");
  CHECK(list[4] ==
        "bad.jsonl:5: value: '9' is not a score of item 'calm'; expected a whole "
        "number from 0 to 4");
}

TEST_CASE("a wide file makes one assessment entry per filled cell") {
  Fixture f;
  f.import(std::string(kHeader) + kEnrol + "P2,2026-01-05,enrol,,,,,,,\n", "enrol.csv");
  auto r = f.import_wide("person,date,calm,risk,by\nP1,2026-02-01,3,4,anna\nP2,2026-02-01,,2,\n");
  CHECK(r.rows == 3);
  CHECK(r.added == 3);
  auto entries = f.all();
  REQUIRE(entries.size() == 5);
  CHECK(entries[1].kind == EntryKind::Assessment);
  CHECK(entries[1].measure == "calm");
  CHECK(entries[1].value == 3);
  CHECK(entries[1].by == "anna");
  CHECK(entries[2].measure == "risk");
  CHECK(entries[4].person == "P2");
  CHECK(entries[4].measure == "risk");
}

TEST_CASE("a wide file reports unknown item columns and bad cells at their column") {
  Fixture f;
  try {
    f.import_wide("person,date,calm,rsik\nP1,2026-02-01,3,4\n");
    FAIL("expected InvalidInput");
  } catch (const InvalidInput& e) {
    REQUIRE(e.problems().size() == 1);
    CHECK(e.problems()[0] ==
          "wide.csv:1:4: header: 'rsik' is not an item of 't'; expected person, date, by, ref or "
          "the items calm or risk (did you mean 'risk'?)");
  }
  f.import(std::string(kHeader) + kEnrol, "enrol.csv");
  try {
    f.import_wide("person,date,calm,risk\nP1,2026-02-01,3,5\n");
    FAIL("expected InvalidInput");
  } catch (const InvalidInput& e) {
    REQUIRE(e.problems().size() == 1);
    CHECK(e.problems()[0] ==
          "wide.csv:2:4: risk: '5' is not a score of item 'risk'; expected "
          "one of 0, 2 or 4");
  }
  CHECK_THROWS_AS(f.import_wide("person,date,goal\n", "g"), UsageError);
  CHECK_THROWS_AS(f.import_wide("person,date,calm\n", "nope"), UsageError);
}

namespace {
EntryInput input(std::initializer_list<std::pair<Field, std::string>> fields) {
  EntryInput e;
  for (const auto& [f, v] : fields) e.fields[static_cast<int>(f)] = v;
  return e;
}
}  // namespace

TEST_CASE("record_entries writes one occasion from several items, or nothing") {
  Fixture f;
  RecordOptions o{f.today, "2026-11-15T00:00:00Z"};
  auto enrol = record_entries(
      f.ws, f.store,
      {input({{Field::Person, "P1"}, {Field::Date, "2026-01-05"}, {Field::Kind, "enrol"}})}, o);
  CHECK(enrol.ids == std::vector<std::int64_t>{1});
  auto base = input({{Field::Person, "P1"},
                     {Field::Date, "2026-02-01"},
                     {Field::Kind, "assessment"},
                     {Field::Framework, "t"}});
  auto a = base, b = base;
  a.fields[static_cast<int>(Field::Measure)] = "calm";
  a.fields[static_cast<int>(Field::Value)] = "1";
  b.fields[static_cast<int>(Field::Measure)] = "risk";
  b.fields[static_cast<int>(Field::Value)] = "7";
  b.labels[static_cast<int>(Field::Value)] = "risk=7";
  try {
    record_entries(f.ws, f.store, {a, b}, o);
    FAIL("expected InvalidInput");
  } catch (const InvalidInput& e) {
    REQUIRE(e.problems().size() == 1);
    CHECK(e.problems()[0] ==
          "risk=7: '7' is not a score of item 'risk'; expected one of 0, 2 or 4");
    CHECK(std::string(e.what()) == "1 problem in these entries; nothing was written");
  }
  CHECK(f.store.entry_count() == 1);
  b.fields[static_cast<int>(Field::Value)] = "2";
  auto occasion = record_entries(f.ws, f.store, {a, b}, o);
  CHECK(occasion.ids == std::vector<std::int64_t>{2, 3});
}

TEST_CASE("record_entries skips an entry whose ref is stored") {
  Fixture f;
  RecordOptions o{f.today, "2026-11-15T00:00:00Z"};
  auto e = input({{Field::Person, "P1"},
                  {Field::Date, "2026-01-05"},
                  {Field::Kind, "enrol"},
                  {Field::Ref, "x1"}});
  CHECK(record_entries(f.ws, f.store, {e}, o).ids.size() == 1);
  auto again = record_entries(f.ws, f.store, {e}, o);
  CHECK(again.skipped);
  CHECK(again.ids.empty());
  CHECK(f.store.entry_count() == 1);
}

TEST_CASE("a correction supersedes the old entry and copies the fields not given") {
  Fixture f;
  f.import(std::string(kHeader) + kEnrol + "P1,2026-02-01,assessment,t,calm,3,,,anna,\n" +
           "P1,2026-02-01,assessment,t,risk,2,,,anna,\n");
  RecordOptions o{f.today, "2026-11-16T00:00:00Z"};
  CorrectionInput c;
  c.entry = 2;
  c.reason = "typed 3 for 1";
  c.fields[static_cast<int>(Field::Value)] = "1";
  auto id = record_correction(f.ws, f.store, c, o);
  CHECK(id == 4);
  auto e = *f.store.entry(id);
  CHECK(e.supersedes == 2);
  CHECK(e.reason == "typed 3 for 1");
  CHECK(e.value == 1);
  CHECK(e.measure == "calm");
  CHECK(e.by == "anna");
  CHECK(e.date == *parse_date("2026-02-01"));
  CHECK(f.store.entry(2)->superseded);
  // The current timeline has one score per item.
  auto current = f.all();
  REQUIRE(current.size() == 3);
  CHECK(current[1].id == 4);

  // The old version cannot be corrected again.
  CHECK_THROWS_WITH_AS(record_correction(f.ws, f.store, c, o),
                       "--correct: entry 2 was already corrected by entry 4; correct the current "
                       "version instead",
                       UsageError);
  c.entry = 99;
  CHECK_THROWS_AS(record_correction(f.ws, f.store, c, o), UsageError);
  c.entry = 4;
  c.reason = " ";
  CHECK_THROWS_AS(record_correction(f.ws, f.store, c, o), UsageError);
}

TEST_CASE("a correction is checked against the corrected timeline") {
  Fixture f;
  f.import(std::string(kHeader) + kEnrol + "P1,2026-02-01,contact,,,,attended,,,\n");
  RecordOptions o{f.today, "2026-11-16T00:00:00Z"};
  CorrectionInput c;
  c.entry = 1;
  c.reason = "enrolled later";
  c.fields[static_cast<int>(Field::Date)] = "2026-03-01";
  c.labels[static_cast<int>(Field::Date)] = "--date";
  try {
    record_correction(f.ws, f.store, c, o);
    FAIL("expected InvalidInput");
  } catch (const InvalidInput& e) {
    REQUIRE(e.problems().size() == 1);
    CHECK(e.problems()[0] ==
          "stored entry 2 (P1 2026-02-01 contact) no longer fits: P1 has no "
          "enrolment on or before 2026-02-01; expected an 'enrol' entry first (one in the same "
          "file counts)");
  }
  CHECK(f.store.entry_count() == 2);
  c.fields[static_cast<int>(Field::Date)] = "2026-01-31";
  CHECK(record_correction(f.ws, f.store, c, o) == 3);

  // Moving the enrolment to another person leaves P1's contact without one.
  CorrectionInput move;
  move.entry = 3;
  move.reason = "wrong person";
  move.fields[static_cast<int>(Field::Person)] = "P2";
  CHECK_THROWS_AS(record_correction(f.ws, f.store, move, o), InvalidInput);
}

TEST_CASE("ContentDigest fed in pieces is the SHA-256 of the whole") {
  std::string text = "person,date,kind\nP1,2026-01-05,enrol\n";
  ContentDigest d;
  d.update(text.substr(0, 7));
  d.update(text.substr(7));
  CHECK(d.hex() == sha256_hex(text));
  CHECK(ContentDigest().hex() ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("valid_person_ref and input_format_for") {
  CHECK(valid_person_ref("P017"));
  CHECK(valid_person_ref("case-12_a.b"));
  CHECK_FALSE(valid_person_ref(""));
  CHECK_FALSE(valid_person_ref("P 17"));
  CHECK_FALSE(valid_person_ref(std::string(65, 'x')));
  CHECK(valid_person_ref(std::string(64, 'x')));
  CHECK(input_format_for("a/b.jsonl") == InputFormat::Jsonl);
  CHECK(input_format_for("b.NDJSON") == InputFormat::Jsonl);
  CHECK(input_format_for("b.csv") == InputFormat::Csv);
  CHECK(input_format_for("b") == InputFormat::Csv);
}

TEST_CASE("bytes that are not clean UTF-8 are refused with their place, escaped") {
  Fixture f;
  CHECK(only_problem(f, std::string("P\0" "1,2026-01-05,enrol,,,,,,,\n", 28)) ==
        "entries.csv:2:1: person: a control character (\\x00 at byte 2); expected UTF-8 text "
        "without control characters");
  // A file that is not UTF-8 is refused whole, at its first bad byte, before any row.
  auto latin1 = f.problems(std::string(kHeader) + "P1,2026-01-05,enrol,,,,,Zo\xeb,,\n");
  REQUIRE(latin1.size() == 1);
  CHECK(contains(latin1[0], "entries.csv: line 2, column 27: byte \\xeb is not UTF-8"));
  CHECK(only_problem(f, "P1,2026-01-05,enrol,,,,,\x1b[2J,,\n") ==
        "entries.csv:2:8: text: a control character (\\x1b at byte 1); expected UTF-8 text "
        "without control characters other than tab and line breaks");
  CHECK(only_problem(f, "P1,2026-01-05,enrol,,,,,,an\tna,\n") ==
        "entries.csv:2:9: by: a control character (\\x09 at byte 3); expected UTF-8 text "
        "without control characters");
  CHECK(contains(only_problem(f, "P1,2026-01-05,enrol,,,,,," + std::string(70000, 'a') + ",\n"),
                 "entries.csv:2:9: by: 70000 bytes long; expected at most 65536 bytes"));
  CHECK(contains(only_problem(f, "P1,2026-01-05,enrol,,,,,,,r\xc2\x85\n"), "(\\xc2\\x85 at"));
  // Tab and line breaks stay allowed in the text, and Unicode anywhere.
  f.import(std::string(kHeader) + "P1,2026-01-05,enrol,,,,,\"line\tone\r\nline two\",Zoë,\n");
  CHECK(f.all().at(0).text == "line\tone\r\nline two");
  CHECK(f.all().at(0).by == "Zoë");

  auto header = f.problems("person,date,kind,t\x01xt\n");
  CHECK(header.back() == "entries.csv:1:4: header: a control character (\\x01 at byte 2); "
                         "expected UTF-8 text without control characters");
}

TEST_CASE("JSONL: numbers, repeated keys and out-of-range numbers are refused by place") {
  Fixture f;
  auto list = f.problems(
      "{\"person\":17,\"date\":\"2026-01-05\",\"kind\":\"enrol\"}\n"
      "{\"person\":\"P1\",\"person\":\"P2\",\"date\":\"2026-01-05\",\"kind\":\"enrol\"}\n"
      "{\"person\":\"P1\",\"date\":\"2026-02-01\",\"kind\":\"assessment\",\"framework\":\"t\","
      "\"measure\":\"calm\",\"value\":1e309}\n"
      "{\"person\":\"P1\",\"date\":\"2026-02-01\",\"kind\":\"assessment\",\"framework\":\"t\","
      "\"measure\":\"calm\",\"value\":99999999999999999999999}\n"
      "{\"person\":\"P\\u0000\",\"date\":\"2026-01-05\",\"kind\":\"enrol\"}\n"
      "{\"person\":\"P1\",\"date\":\"2026-01-05\",\"kind\":\"enrol\",\"te\\u001bxt\":1}\n",
      "bad.jsonl");
  REQUIRE(list.size() == 7);
  CHECK(list[0] == "bad.jsonl:1: person: expected a string, got the number 17; write it in quotes");
  CHECK(list[1] == "bad.jsonl:2: person: given twice in one object; expected each key at most once");
  CHECK(list[2] == "bad.jsonl:3:97: value: the number 1e309 is out of range");
  CHECK(list[3] == "bad.jsonl:4: value: '99999999999999999999999' is not a score of item 'calm'; "
                   "expected a whole number from 0 to 4");
  CHECK(list[4] == "bad.jsonl:5: person: a control character (\\x00 at byte 2); expected UTF-8 "
                   "text without control characters");
  CHECK(contains(list[5], "bad.jsonl:6: te\\x1bxt: not a key of an entry"));
  CHECK(f.store.entry_count() == 0);
}

TEST_CASE("JSONL: a line over the row limit is refused without holding it") {
  Fixture f;
  auto list = f.problems("{\"person\":\"" + std::string(text::kMaxRowBytes, 'a') +
                             "\"}\n{\"person\":\"P1\",\"date\":\"2026-01-05\",\"kind\":\"enrol\"}\n",
                         "big.jsonl");
  REQUIRE(list.size() == 2);
  CHECK(list[0] == "big.jsonl:1: the line is longer than 1048576 bytes (the limit of one row)");
}

TEST_CASE("flags and the correction reason are checked like file fields") {
  Fixture f;
  RecordOptions o{f.today, "2026-11-15T00:00:00Z"};
  auto e = input({{Field::Person, "P1"}, {Field::Date, "2026-01-05"}, {Field::Kind, "enrol"},
                  {Field::Ref, "r\x07"}});
  e.labels[static_cast<int>(Field::Ref)] = "--ref";
  try {
    record_entries(f.ws, f.store, {e}, o);
    FAIL("expected InvalidInput");
  } catch (const InvalidInput& err) {
    REQUIRE(err.problems().size() == 1);
    CHECK(err.problems()[0] == "--ref: a control character (\\x07 at byte 2); expected UTF-8 "
                               "text without control characters");
  }
  CHECK(f.store.entry_count() == 0);
  e.fields[static_cast<int>(Field::Ref)] = "r1";
  record_entries(f.ws, f.store, {e}, o);
  CorrectionInput c;
  c.entry = 1;
  c.reason = "typo\x1b";
  c.fields[static_cast<int>(Field::By)] = "anna";
  CHECK_THROWS_WITH_AS(record_correction(f.ws, f.store, c, o),
                       "--reason: a control character (\\x1b at byte 5); expected UTF-8 text "
                       "without control characters other than tab and line breaks",
                       InvalidInput);
  CHECK(f.store.entry_count() == 1);
}

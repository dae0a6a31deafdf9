#include "forget.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <doctest/doctest.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "assess.h"
#include "assess_render.h"
#include "error.h"
#include "journey.h"
#include "record.h"
#include "store_sqlite.h"
#include "test_support.h"

using namespace outcomes;
namespace fs = std::filesystem;

namespace {

using outcomes::testing::error_of;
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
      - {id: risk, name: Risk, type: scale, nature: soft, min: 0, max: 4}
)";

// Two people with notes, needs, scores, an attribute only P017 has, and a file import.
const char* const kRows =
    "person,date,kind,framework,measure,value,status,text,by,ref\n"
    "P017,2026-01-05,enrol,,,,,Zebra referral,amira,r1\n"
    "P017,2026-01-05,attribute,,borough,,quokkaville,,amira,r2\n"
    "P017,2026-01-06,note,,,,private,Platypus secret,amira,r3\n"
    "P017,2026-01-07,assessment,t,calm,3,,,amira,r4\n"
    "P017,2026-01-07,assessment,t,risk,3,,,amira,r5\n"
    "P018,2026-01-05,enrol,,,,,Walrus referral,dan,r6\n"
    "P018,2026-01-06,note,,,,shareable,Narwhal visit,dan,r7\n"
    "P018,2026-01-07,assessment,t,calm,4,,,dan,r8\n"
    "P018,2026-01-07,assessment,t,risk,4,,,dan,r9\n"
    "P018,2026-06-07,assessment,t,calm,1,,,dan,r10\n"
    "P018,2026-06-07,assessment,t,risk,0,,,dan,r11\n";

struct Fixture {
  TempDir dir{"forget"};
  Workspace ws;
  fs::path db = dir.path / "outcomes.db";
  std::unique_ptr<JourneyStore> store = create_store(db);
  Date today = *parse_date("2026-11-15");

  Fixture() {
    ws.root = dir.path;
    ws.settings = default_settings("Test");
    ws.settings.attributes.push_back({"borough", "Borough", {"quokkaville", "walrusham"}});
    auto load = parse_framework(kScaleYaml, "t.yaml");
    REQUIRE(load.ok());
    ws.frameworks.push_back(*load.framework);
  }

  ImportResult import(const std::string& text, const std::string& name = "entries.csv") {
    const auto path = dir.path / name;
    std::ofstream(path, std::ios::binary) << text;
    ImportOptions o;
    o.file = path;
    o.source = name;
    o.format = input_format_for(name);
    o.today = today;
    o.recorded_at = "2026-11-15T00:00:00Z";
    return import_entries(ws, *store, o);
  }

  std::vector<int64_t> record(const std::string& person, const std::string& kind,
                              const std::string& status, const std::string& text) {
    EntryInput e;
    e.fields[static_cast<size_t>(Field::Person)] = person;
    e.fields[static_cast<size_t>(Field::Kind)] = kind;
    e.fields[static_cast<size_t>(Field::Date)] = "2026-02-01";
    e.fields[static_cast<size_t>(Field::Status)] = status;
    e.fields[static_cast<size_t>(Field::Text)] = text;
    return record_entries(ws, *store, {e}, RecordOptions{today, "2026-11-15T01:00:00Z"}).ids;
  }

  int64_t correct(int64_t id, Field field, const std::string& value) {
    CorrectionInput c;
    c.entry = id;
    c.reason = "Kiwi reason";
    c.fields[static_cast<size_t>(field)] = value;
    return record_correction(ws, *store, c, RecordOptions{today, "2026-11-15T02:00:00Z"});
  }

  ForgetResult forget(const std::string& person, bool dry_run = false,
                      const std::string& reason = "asked by letter") {
    ForgetOptions o;
    o.person = person;
    o.reason = reason;
    o.by = "js";
    o.erased_at = "2026-11-15T03:00:00Z";
    o.dry_run = dry_run;
    return forget_person(*store, o);
  }

  // The raw bytes of the store and the files SQLite keeps beside it.
  std::string bytes() const {
    std::string all;
    for (const char* suffix : {"", "-wal", "-shm"})
      all += outcomes::testing::read_file(db.string() + suffix);
    return all;
  }

  std::string assess_csv(const std::string& person) {
    AssessOptions o;
    o.as_of = today;
    o.people = std::vector<std::string>{person};
    auto result = assess_store(*store, ws.frameworks, o);
    std::vector<const Framework*> fws;
    for (const auto& f : ws.frameworks) fws.push_back(&f);
    std::ostringstream out;
    render_assessments_csv(result.assessments, fws, out);
    return out.str();
  }

  int64_t count(const std::string& sql) {
    SQLite::Database raw(db.string());
    return raw.execAndGet(sql).getInt64();
  }
};

EntryQuery only(const std::string& person) {
  EntryQuery q;
  q.people = std::vector<std::string>{person};
  return q;
}

bool passes(const JourneyStore& store) {
  for (const auto& check : store.check_store())
    if (!check.problems.empty()) {
      for (const auto& p : check.problems) MESSAGE(check.name << ": " << p);
      return false;
    }
  return true;
}

}  // namespace

TEST_CASE("forget erases exactly the person's entries and leaves others as they were") {
  Fixture f;
  f.import(kRows);
  f.record("P017", "note", "shareable", "Axolotl note");
  const auto others_before = f.assess_csv("P018");
  const auto total = f.store->entry_count();
  const auto p18 = f.store->entries(only("P018"));

  auto result = f.forget("P017");
  CHECK(result.plan.entries == 6);
  CHECK(result.plan.by_kind[static_cast<size_t>(EntryKind::Note)] == 2);
  CHECK(forget_summary(result) == "forgot P017: 6 entries erased (reason recorded)");
  CHECK(f.store->entry_count() == total - 6);
  CHECK(f.store->people() == std::vector<std::string>{"P018"});
  CHECK(f.store->entries(only("P018")).size() == p18.size());
  CHECK(f.assess_csv("P018") == others_before);
  CHECK(f.assess_csv("P017").find("P017") == std::string::npos);

  // Nothing of the person in the files: the reference, their texts, a term only they used.
  const std::string bytes = f.bytes();
  for (const char* gone : {"P017", "Zebra", "Platypus", "Axolotl", "quokkaville"})
    CHECK_MESSAGE(bytes.find(gone) == std::string::npos, gone);
  for (const char* kept : {"P018", "Walrus", "Narwhal"})
    CHECK_MESSAGE(bytes.find(kept) != std::string::npos, kept);
  CHECK(fs::file_size(f.db.string() + "-wal") == 0);

  // The guards stand and the store checks out; the batch counts only the rows left.
  CHECK(passes(*f.store));
  CHECK(f.count("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE "
                "'entries_no_%'") == 2);
  CHECK(f.count("SELECT \"rows\" FROM batches") == 6);
  CHECK(f.count("SELECT length(content_hash) FROM batches") == 0);
  CHECK_THROWS(f.count("DELETE FROM entries WHERE id = 6 RETURNING 1"));
}

TEST_CASE("the erasure is recorded with its count and a keyed digest, never the reference") {
  Fixture f;
  f.import(kRows);
  f.forget("P017");
  auto records = f.store->erasures();
  REQUIRE(records.size() == 1);
  CHECK(records[0].entries == 5);
  CHECK(records[0].by == "js");
  CHECK(records[0].reason == "asked by letter");
  CHECK(records[0].erased_at == "2026-11-15T03:00:00Z");
  const auto secret = *f.store->setting("pseudonym_secret");
  CHECK(records[0].person_digest == erasure_digest(secret, "P017"));
  CHECK(records[0].person_digest != hmac_sha256_hex(secret, "person:P017"));  // not a pseudonym
  ErasedPeople erased(*f.store);
  CHECK(erased.erased_on("P017") == std::optional<std::string>("2026-11-15"));
  CHECK_FALSE(erased.erased_on("P018"));
  // The record itself is append-only.
  CHECK_THROWS(f.count("DELETE FROM erasures RETURNING 1"));
}

TEST_CASE("an erased person cannot be recorded again, nor shown") {
  Fixture f;
  f.import(kRows);
  f.forget("P017");
  const auto before = f.store->entry_count();
  try {
    f.import(kRows, "again.csv");
    FAIL("the import should be refused");
  } catch (const InvalidInput& e) {
    REQUIRE(e.problems().size() == 5);
    CHECK(e.problems()[0].find("again.csv:2:1: person: the entries of 'P017' were erased on "
                               "2026-11-15") == 0);
  }
  CHECK(f.store->entry_count() == before);
  CHECK_THROWS_AS(f.record("P017", "note", "private", "back again"), InvalidInput);
  CHECK(f.store->entry_count() == before);
  // Someone else is still recorded.
  CHECK(f.record("P018", "note", "private", "still here").size() == 1);
  JourneyOptions o;
  o.as_of = f.today;
  CHECK(error_of([&] { load_journey(*f.store, f.ws, "P017", o); }) ==
        "the entries of 'P017' were erased on 2026-11-15 ('outcomes forget'); nothing of "
        "theirs is kept");
  CHECK(error_of([&] { load_journey(*f.store, f.ws, "P071", o); })
            .find("did you mean 'P018'") != std::string::npos);
}

TEST_CASE("corrections: every version naming the person goes, others' later versions stay") {
  Fixture f;
  f.import(kRows);
  // A note of P017 corrected, then moved to P018: P018 keeps the current version.
  const auto note = f.record("P017", "note", "private", "Heron note")[0];
  const auto fixed = f.correct(note, Field::Text, "Heron note, corrected");
  const auto moved = f.correct(fixed, Field::Person, "P018");
  // A note of P018 moved onto P017: every version goes.
  const auto other = f.record("P018", "note", "private", "Ibis note")[0];
  const auto onto = f.correct(other, Field::Person, "P017");

  auto plan = f.store->erasure_plan("P017");
  CHECK(plan.entries == 5 + 2 + 2);
  f.forget("P017");
  CHECK_FALSE(f.store->entry(note));
  CHECK_FALSE(f.store->entry(fixed));
  CHECK_FALSE(f.store->entry(other));
  CHECK_FALSE(f.store->entry(onto));
  auto kept = f.store->entry(moved);
  REQUIRE(kept);
  CHECK(kept->person == "P018");
  CHECK(kept->supersedes == 0);
  CHECK_FALSE(kept->superseded);
  CHECK(passes(*f.store));
  const std::string bytes = f.bytes();
  CHECK(bytes.find("Ibis") == std::string::npos);
  CHECK(bytes.find("Heron note, corrected") != std::string::npos);  // P018's now
}

TEST_CASE("a dry run tells what would go and changes nothing") {
  Fixture f;
  f.import(kRows);
  const auto before = f.bytes();
  auto result = f.forget("P017", /*dry_run=*/true);
  CHECK(result.dry_run);
  CHECK(result.plan.entries == 5);
  CHECK(result.plan.by_kind[static_cast<size_t>(EntryKind::Assessment)] == 2);
  CHECK(format_date(*result.plan.first) == "2026-01-05");
  CHECK(format_date(*result.plan.last) == "2026-01-07");
  CHECK(result.plan.writes == 1);
  CHECK(result.plan.batches == 1);
  CHECK(f.store->entry_count() == 11);
  CHECK(f.store->erasures().empty());
  CHECK(f.bytes().find("Platypus") != std::string::npos);
  std::ostringstream out;
  render_forget_plan(out, result);
  CHECK(out.str() ==
        "would forget P017: 5 entries\n"
        "  enrol      1\n"
        "  assessment 2\n"
        "  note       1\n"
        "  attribute  1\n"
        "dated 2026-01-05 to 2026-01-07\n"
        "recorded in 1 write; 1 import batch touched\n"
        "nothing was changed (dry run)\n");
}

TEST_CASE("forget refuses an unknown person, a missing reason and a reason naming the person") {
  Fixture f;
  f.import(kRows);
  CHECK(error_of([&] { f.forget("P071"); }) ==
        "no person 'P071' in the journey store (did you mean 'P017'?); nothing was erased");
  CHECK_THROWS_AS(f.forget("P017", false, "  "), UsageError);
  CHECK_THROWS_AS(f.forget("P017", false, "p017 asked"), UsageError);
  CHECK_THROWS_AS(f.forget("P017", false, "bad \x1b text"), InvalidInput);
  CHECK(f.store->entry_count() == 11);
  CHECK(f.store->erasures().empty());
  // Forgetting again finds nothing left and says when it went.
  f.forget("P017");
  auto again = f.forget("P017");
  CHECK(again.erased_before == "2026-11-15");
  CHECK(f.store->erasures().size() == 1);
}

TEST_CASE("a batch that held only the person's rows, and their writes, go with them") {
  Fixture f;
  f.import(kRows);
  f.import(
      "person,date,kind,framework,measure,value,status,text,by,ref\n"
      "P017,2026-03-01,note,,,,private,Only theirs,amira,\n",
      "P017-notes.csv");
  CHECK(f.count("SELECT count(*) FROM batches") == 2);
  CHECK(f.count("SELECT count(*) FROM writes") == 2);
  f.forget("P017");
  CHECK(f.count("SELECT count(*) FROM batches") == 1);
  CHECK(f.count("SELECT count(*) FROM writes") == 1);
  CHECK(passes(*f.store));
  // New writes after the erasure reuse no log row and check out.
  f.record("P018", "note", "private", "after");
  CHECK(passes(*f.store));
}

TEST_CASE("a store of schema 3 is migrated: entries kept, the record of erasures made") {
  TempDir dir("forget-migrate");
  auto file = dir / "outcomes.db";
  {
    SQLite::Database db(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("PRAGMA journal_mode = WAL");
    auto steps = store_detail::migrations();
    steps.resize(3);
    REQUIRE(store_detail::migrate(db, steps, file.string()) == 3);
    db.exec(R"sql(
INSERT INTO people (id, ref) VALUES (1, 'P1'), (2, 'P2');
INSERT INTO entries (id, person, day, kind, text, recorded_at, seq)
  VALUES (1, 1, 20000, 9, 'first', 't', 1), (2, 2, 20000, 9, 'second', 't', 2);
INSERT INTO writes (first_id, recorded_at) VALUES (1, 't');
)sql");
  }
  auto store = open_store(file);
  CHECK(store->entry_count() == 2);
  CHECK(store->erasures().empty());
  CHECK(passes(*store));
  ForgetOptions o;
  o.person = "P1";
  o.reason = "asked";
  o.erased_at = "2026-11-15T00:00:00Z";
  CHECK(forget_person(*store, o).plan.entries == 1);
  CHECK(store->people() == std::vector<std::string>{"P2"});
  CHECK(passes(*store));
}

TEST_CASE("a reader holding the store stops the scrub: the erasure stands, forgetting again ends it") {
  Fixture f;
  f.import(kRows);
  f.store.reset();
  SqliteOptions options;
  options.wait.limit = std::chrono::milliseconds(0);
  auto store = SqliteStore::open(f.db, false, options);
  ForgetOptions o;
  o.person = "P017";
  o.reason = "asked";
  o.erased_at = "2026-11-15T03:00:00Z";
  {
    SQLite::Database reader(f.db.string(), SQLite::OPEN_READONLY);
    reader.exec("BEGIN");
    CHECK(reader.execAndGet("SELECT count(*) FROM entries").getInt() == 11);
    const auto message = error_of([&] { forget_person(store, o); });
    CHECK(message.find("forgot P017: 5 entries erased (reason recorded); but ") == 0);
    CHECK(message.find("erased data may remain in the store's files until 'outcomes forget "
                       "P017 --reason …' is run again") != std::string::npos);
    CHECK(store.entry_count() == 6);
    reader.exec("COMMIT");
  }
  CHECK(forget_person(store, o).erased_before == "2026-11-15");
  CHECK(f.bytes().find("Platypus") == std::string::npos);
  CHECK(store.erasures().size() == 1);
}

TEST_CASE("after an erasure the store's checks still find real damage") {
  Fixture f;
  f.import(kRows);
  f.forget("P017");
  REQUIRE(passes(*f.store));
  {
    SQLite::Database raw(f.db.string(), SQLite::OPEN_READWRITE);
    raw.exec("UPDATE batches SET \"rows\" = \"rows\" + 1; DROP TRIGGER erasures_no_delete;");
  }
  const auto checks = f.store->check_store();
  REQUIRE(checks.size() == 5);
  CHECK(checks[2].problems == std::vector<std::string>{
                                  "the trigger erasures_no_delete is missing: erasure records "
                                  "could be deleted"});
  CHECK(checks[4].problems ==
        std::vector<std::string>{"batch 1 records 7 rows but 6 entries belong to it"});
}

#include <SQLiteCpp/SQLiteCpp.h>
#include <doctest/doctest.h>

#include <sstream>
#include <string>

#include "error.h"
#include "store_sqlite.h"
#include "test_support.h"
#include "verify.h"

using namespace outcomes;
using outcomes::testing::make;
using outcomes::testing::TempDir;

namespace {

const std::string kWhen = "2026-11-15T10:00:00Z";

// A store with P1's enrolment and a contact imported as batch 1, and a correction.
void fill(JourneyStore& store) {
  auto tx = store.begin();
  ImportBatch batch;
  batch.source = "in.csv";
  batch.imported_at = kWhen;
  const int64_t id = tx->add_batch(batch);
  tx->append(make("P1", "2026-01-05", EntryKind::Enrol), kWhen, id);
  tx->append(make("P1", "2026-01-08", EntryKind::Contact, "attended"), kWhen, id);
  tx->complete_batch(id, 2, "digest");
  NewEntry fix = make("P1", "2026-01-08", EntryKind::Contact, "missed");
  fix.supersedes = 2;
  fix.reason = "was missed";
  tx->append(fix, kWhen);
  tx->commit();
}

std::string rendered(const Verification& v) {
  std::ostringstream out;
  render_verification(out, v);
  return out.str();
}

// Runs SQL on the store file with foreign keys off, as a damaging hand would.
void damage(const std::filesystem::path& file, const std::string& sql) {
  SQLite::Database db(file.string(), SQLite::OPEN_READWRITE);
  db.exec("PRAGMA foreign_keys = OFF");
  db.exec(sql);
}

}  // namespace

TEST_CASE("a sound store passes every check") {
  TempDir dir;
  auto store = create_store(dir / "outcomes.db");
  fill(*store);
  const Verification v = verify_store(*store, {});
  CHECK_FALSE(v.damaged());
  CHECK_FALSE(v.misfit());
  CHECK(v.exit_code() == kExitOk);
  CHECK(rendered(v) ==
        "integrity: ok (the file is intact)\n"
        "schema: ok (version 5)\n"
        "append-only: ok (entries cannot be updated or deleted)\n"
        "references: ok\n"
        "batches: ok\n"
        "frameworks: ok (0 entries checked)\n");
}

TEST_CASE("a dropped trigger, orphans and a wrong batch count make the store damaged") {
  TempDir dir;
  const auto file = dir / "outcomes.db";
  fill(*create_store(file));
  damage(file,
         "DROP TRIGGER entries_no_delete;"
         "INSERT INTO entries (id, person, day, kind, measure, status, batch, recorded_at, "
         "supersedes, seq) VALUES (9, 7, 20000, 2, 40, 41, 5, '', 8, 9);"
         "INSERT INTO entries (id, person, day, kind, recorded_at, supersedes, seq) "
         "VALUES (10, 1, 20000, 2, '', 1, 10), (11, 1, 20000, 99, '', 1, 11);"
         "UPDATE batches SET \"rows\" = 3");
  auto store = open_store(file, true);
  const Verification v = verify_store(*store, {});
  CHECK(v.damaged());
  CHECK(v.exit_code() == kExitFailure);
  const std::string text = rendered(v);
  for (const char* line :
       {"append-only: problem: the trigger entries_no_delete is missing: entries could be deleted\n",
        "references: problem: entry 9 names person 7, which is not stored\n",
        "references: problem: entry 9 names measure 40, which is not stored\n",
        "references: problem: entry 9 names status 41, which is not stored\n",
        "references: problem: entry 9 names batch 5, which is not stored\n",
        "references: problem: entry 9 corrects entry 8, which is not stored\n",
        "references: problem: entry 1 is corrected by 2 entries; a correction replaces the "
        "current version only\n",
        "references: problem: entry 11 has unknown kind 99\n",
        "batches: problem: batch 1 records 3 rows but 2 entries belong to it\n"})
    CHECK_MESSAGE(text.find(line) != std::string::npos, text);
  CHECK(text.find("integrity: ok") != std::string::npos);
}

TEST_CASE("a trigger that no longer aborts is a problem, and so is a foreign schema") {
  TempDir dir;
  const auto file = dir / "outcomes.db";
  fill(*create_store(file));
  // Opened first: a store of another version would not open at all.
  auto store = SqliteStore::open(file, true);
  damage(file,
         "DROP TRIGGER entries_no_update;"
         "CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries BEGIN SELECT 1; END;"
         "PRAGMA user_version = 2");
  auto checks = store.check_store();
  REQUIRE(checks.size() == 5);
  CHECK(checks[1].problems ==
        std::vector<std::string>{"schema version 2, but this version of outcomes writes version 5"});
  CHECK(checks[2].problems ==
        std::vector<std::string>{"the trigger entries_no_update no longer refuses every UPDATE of entries"});
}

TEST_CASE("a check lists ten problems and counts the rest") {
  TempDir dir;
  const auto file = dir / "outcomes.db";
  fill(*create_store(file));
  std::string sql;
  for (int i = 0; i < 12; ++i)
    sql += "INSERT INTO entries (id, person, day, kind, recorded_at, seq) VALUES (" +
           std::to_string(20 + i) + ", 50, 20000, 2, '', 1);";
  damage(file, sql);
  auto checks = open_store(file, true)->check_store();
  REQUIRE(checks[3].name == "references");
  REQUIRE(checks[3].problems.size() == 11);
  CHECK(checks[3].problems.back() == "… and 2 more problems of this kind");
}

TEST_CASE("data that no longer fits a framework, in a sound store, exits 3") {
  TempDir dir;
  auto store = create_store(dir / "outcomes.db");
  auto tx = store->begin();
  NewEntry e = make("P1", "2026-01-05", EntryKind::Assessment);
  e.framework = "gone";
  e.framework_version = "1";
  e.framework_hash = "h";
  e.measure = "mood";
  e.value = 2;
  tx->append(e, kWhen);
  tx->commit();
  const Verification v = verify_store(*store, {});
  CHECK_FALSE(v.damaged());
  CHECK(v.misfit());
  CHECK(v.exit_code() == kExitInvalidData);
  CHECK(rendered(v).find("frameworks: problem: 1 entry of gone: framework_missing (see "
                         "'outcomes frameworks check')\n") != std::string::npos);
}

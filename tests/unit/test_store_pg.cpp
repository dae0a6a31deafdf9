// The PostgreSQL store's contract, against a server named by OUTCOMES_TEST_PG (a libpq
// connection string; tests/pg/cluster.sh starts a throw-away one for ctest). Without it, or
// when the server cannot be reached, the whole test exits 77: ctest reports it skipped.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "error.h"
#include "store_pg.h"
#include "store_contract.h"
#include "store_sqlite.h"
#include "pg_test_server.h"
#include "test_support.h"

using namespace outcomes;

namespace {

using outcomes::testing::day;
using outcomes::testing::error_of;
using outcomes::testing::first_value;
using outcomes::testing::run_sql;
using outcomes::testing::TempDir;
using outcomes::testing::TestSchema;

const std::string& server() { return outcomes::testing::pg_server(); }
const bool kServerChecked = !server().empty();

using outcomes::testing::make;
using outcomes::testing::contract::describe;
using outcomes::testing::contract::item;
using outcomes::testing::contract::kWhen;
using outcomes::testing::contract::query;

// PostgreSQL stores, each in a schema of its own, dropped when the test case ends.
class PgMaker : public outcomes::testing::contract::StoreMaker {
 public:
  std::unique_ptr<JourneyStore> create(const std::string& name) override {
    schemas_.push_back(std::make_unique<TestSchema>());
    names_.push_back(name);
    return std::make_unique<PgStore>(PgStore::create(server(), schemas_.back()->name));
  }
  std::unique_ptr<JourneyStore> open(const std::string& name, bool read_only) override {
    for (size_t i = 0; i < names_.size(); ++i)
      if (names_[i] == name)
        return std::make_unique<PgStore>(PgStore::open(server(), schemas_[i]->name, read_only));
    FAIL("no store " << name);
    return nullptr;
  }

 private:
  std::vector<std::unique_ptr<TestSchema>> schemas_;
  std::vector<std::string> names_;
};

}  // namespace

OUTCOMES_STORE_CONTRACT(PgMaker)

TEST_CASE("create makes a store in its own schema; open finds it; both refuse what is not one") {
  TestSchema schema;
  {
    auto store = PgStore::create(server(), schema.name);
    CHECK(store.entry_count() == 0);
    CHECK(store.people().empty());
    CHECK(store.name().find(schema.name) != std::string::npos);
    auto secret = store.setting("pseudonym_secret");
    REQUIRE(secret.has_value());
    CHECK(secret->size() == 64);
    CHECK(secret->find_first_not_of("0123456789abcdef") == std::string::npos);
  }
  CHECK(error_of([&] { PgStore::create(server(), schema.name); }).find("already there") !=
        std::string::npos);
  auto store = PgStore::open(server(), schema.name);
  CHECK(store.entry_count() == 0);
  CHECK(PgStore::schema_version() == 2);

  TestSchema missing;
  CHECK(error_of([&] { PgStore::open(server(), missing.name); }).find("no journey store") !=
        std::string::npos);
  TestSchema other;
  REQUIRE(run_sql(fmt::format("CREATE SCHEMA \"{}\"; CREATE TABLE \"{}\".t (x int)", other.name,
                              other.name)) == "");
  CHECK(error_of([&] { PgStore::open(server(), other.name); }).find("not an outcomes store") !=
        std::string::npos);

  // A store newer than the code is refused, naming both versions.
  TestSchema newer;
  PgStore::create(server(), newer.name);
  REQUIRE(run_sql(fmt::format("UPDATE \"{}\".store_version SET version = 99", newer.name)) == "");
  const auto message = error_of([&] { PgStore::open(server(), newer.name); });
  CHECK(message.find("schema version 99, newer than this version of outcomes knows (2)") !=
        std::string::npos);
}

TEST_CASE("a connection string holding a password is refused, pointing to .pgpass") {
  for (const std::string& conninfo :
       {std::string("host=/tmp user=outcomes password=secret dbname=x"),
        std::string("postgresql://outcomes:secret@localhost/x")}) {
    CAPTURE(conninfo);
    const auto message = error_of([&] { PgStore::open(conninfo, "s"); });
    CHECK(message.find("holds a password") != std::string::npos);
    CHECK(message.find("~/.pgpass") != std::string::npos);
    CHECK(message.find("secret") == std::string::npos);
  }
  CHECK(error_of([&] { store_detail::check_pg_conninfo("host=/tmp dbname=x"); }) == "(no error)");
  CHECK(error_of([&] { store_detail::check_pg_conninfo("postgresql://u@h/x"); }) == "(no error)");
  CHECK(error_of([&] { store_detail::check_pg_conninfo("nonsense"); }).find("cannot be read") !=
        std::string::npos);
}

TEST_CASE("the database refuses UPDATE, DELETE and TRUNCATE of entries and erasures") {
  TestSchema schema;
  auto store = PgStore::create(server(), schema.name);
  {
    auto tx = store.begin();
    tx->append(make("P1", "2026-01-01", EntryKind::Note), kWhen);
    tx->erase_person("nobody", {"2026-11-15T10:00:00Z", "officer", "asked", 0, "digest"});
    tx->commit();
  }
  const std::string s = "\"" + schema.name + "\"";
  for (const std::string& sql : {"UPDATE " + s + ".entries SET day = 0",
                                 "DELETE FROM " + s + ".entries", "TRUNCATE " + s + ".entries"}) {
    CAPTURE(sql);
    CHECK(run_sql(sql).find("entries are append-only: record a correction instead") !=
          std::string::npos);
  }
  for (const std::string& sql : {"UPDATE " + s + ".erasures SET reason = ''",
                                 "DELETE FROM " + s + ".erasures", "TRUNCATE " + s + ".erasures"}) {
    CAPTURE(sql);
    CHECK(run_sql(sql).find("the record of erasures is append-only") != std::string::npos);
  }
  CHECK(store.entry_count() == 1);
  CHECK(store.erasures().size() == 1);
}

TEST_CASE("append_all copies many entries in one go, as append would store them") {
  TestSchema bulk_schema, single_schema;
  auto bulk = PgStore::create(server(), bulk_schema.name);
  auto single = PgStore::create(server(), single_schema.name);
  std::vector<NewEntry> rows;
  // References and terms that SQL array literals and COPY must carry as they are.
  const std::vector<std::string> odd = {"P\"q", "a\\b", "x,y", "{}", "NULL", "tab\there"};
  for (int i = 0; i < 250; ++i) {
    NewEntry e = i % 3 == 0 ? item(fmt::format("P{:03}", i % 17), "2026-03-01", "q1", i % 5)
                            : make(fmt::format("P{:03}", i % 17), "2026-03-02", EntryKind::Note,
                                   "shareable");
    if (i % 17 < 6) e.person = odd[static_cast<size_t>(i % 17)];
    if (i % 3 == 0 && i % 2 == 0) e.measure = odd[static_cast<size_t>(i % 6)];
    e.text = i % 4 == 0 ? fmt::format("line {}\twith tab\nnew line \\N back\\slash \r", i) : "";
    e.by = i % 2 ? "worker" : "";
    e.ref = i % 5 == 0 ? fmt::format("ref-{}", i) : "";
    rows.push_back(e);
  }
  std::vector<const NewEntry*> pointers;
  for (const auto& e : rows) pointers.push_back(&e);
  {
    auto tx = bulk.begin(true);
    const int64_t batch = tx->add_batch({0, "rows.csv", "", kWhen, "me", 0});
    tx->append_all(pointers, kWhen, batch);
    tx->complete_batch(batch, 250, "file-hash");
    tx->commit();
  }
  {
    auto tx = single.begin();
    const int64_t batch = tx->add_batch({0, "rows.csv", "", kWhen, "me", 0});
    for (const auto& e : rows) tx->append(e, kWhen, batch);
    tx->complete_batch(batch, 250, "file-hash");
    tx->commit();
  }
  CHECK(bulk.entry_count() == 250);
  CHECK(describe(bulk.entries({})) == describe(single.entries({})));
  CHECK(bulk.people() == single.people());
  CHECK(bulk.people().size() == 17);
  auto batch = bulk.batch_with_hash("file-hash");
  REQUIRE(batch.has_value());
  CHECK(batch->rows == 250);
  CHECK(batch->source == "rows.csv");

  // All or nothing: a ref already stored fails the whole bulk write, in plain words.
  NewEntry clash = make("P999", "2026-03-03", EntryKind::Note);
  clash.ref = "ref-5";
  NewEntry fresh = make("P998", "2026-03-03", EntryKind::Note);
  {
    auto tx = bulk.begin(true);
    try {
      tx->append_all({&fresh, &clash}, kWhen);
      FAIL("a clash of refs was not refused");
    } catch (const InvalidInput& e) {
      CHECK(std::string(e.what()) ==
            "a ref of these entries is already stored; nothing was written");
    }
  }
  CHECK(bulk.entry_count() == 250);
  CHECK(bulk.people().size() == 17);
  // People already stored and new ones in one bulk write.
  {
    auto tx = bulk.begin(true);
    NewEntry known = make(odd[0], "2026-03-04", EntryKind::Note, "shareable");
    tx->append_all({&known, &fresh}, kWhen);
    tx->commit();
  }
  CHECK(bulk.people().size() == 18);
  CHECK(bulk.entries(query([&](EntryQuery& q) { q.people = std::vector<std::string>{odd[0]}; }))
            .back()
            .id == 251);
  auto tx = bulk.begin();
  NewEntry correction = fresh;
  correction.supersedes = 1;
  CHECK(error_of([&] { tx->append_all({&correction}, kWhen); }).find("correction") !=
        std::string::npos);
}

TEST_CASE("a single append of a ref already stored is refused in plain words") {
  TestSchema schema;
  auto store = PgStore::create(server(), schema.name);
  NewEntry e = make("P1", "2026-01-01", EntryKind::Note);
  e.ref = "r1";
  {
    auto tx = store.begin();
    tx->append(e, kWhen);
    tx->commit();
  }
  auto tx = store.begin();
  try {
    tx->append(e, kWhen);
    FAIL("a stored ref was not refused");
  } catch (const InvalidInput& error) {
    CHECK(std::string(error.what()) == "ref 'r1' is already stored; nothing was written");
  }
}

TEST_CASE("every EntryQuery filter reads what the SQLite store reads, in the same order") {
  TestSchema schema;
  TempDir dir;
  auto pg = PgStore::create(server(), schema.name);
  auto lite = SqliteStore::create(dir / "outcomes.db");
  const std::vector<std::string> people = {"P3", "P1", "p2", "P10", "Ö"};
  const char* dates[] = {"2026-01-05", "2026-02-10", "2026-03-15", "2026-04-20"};
  const char* times[] = {"2026-09-01T10:00:00Z", "2026-10-01T10:00:00Z", "2026-11-01T10:00:00Z"};
  std::vector<NewEntry> all;
  int n = 0;
  for (const auto& person : people)
    for (const char* date : dates)
      for (int k = 0; k < kEntryKindCount; ++k) {
        NewEntry e = make(person, date, static_cast<EntryKind>(k), k == 2 ? "attended" : "");
        e.text = fmt::format("text {}", n);
        e.by = "w";
        e.ref = fmt::format("r{}", n);
        if (k == 3) e = item(person, date, "q", n % 4);
        ++n;
        all.push_back(e);
      }
  for (JourneyStore* store : {static_cast<JourneyStore*>(&pg), static_cast<JourneyStore*>(&lite)}) {
    // Three writes at three times, and a correction in the last.
    for (size_t w = 0; w < 3; ++w) {
      auto tx = store->begin();
      for (size_t i = w; i < all.size(); i += 3) tx->append(all[i], times[w]);
      if (w == 2) {
        NewEntry fix = all[0];
        fix.supersedes = 1;
        fix.reason = "wrong";
        fix.ref = "";
        tx->append(fix, times[w]);
      }
      tx->commit();
    }
  }
  std::vector<EntryQuery> queries;
  queries.push_back({});
  queries.push_back(query([](EntryQuery& q) { q.include_superseded = true; }));
  queries.push_back(query([](EntryQuery& q) {
    q.people = std::vector<std::string>{"P10", "Ö", "nobody", "P10"};
  }));
  queries.push_back(query([](EntryQuery& q) { q.people = std::vector<std::string>{}; }));
  queries.push_back(query([](EntryQuery& q) { q.from = day("2026-02-10"); }));
  queries.push_back(query([](EntryQuery& q) { q.to = day("2026-02-10"); }));
  queries.push_back(query([](EntryQuery& q) {
    q.from = day("2026-02-01");
    q.to = day("2026-03-31");
  }));
  queries.push_back(query([](EntryQuery& q) {
    q.kinds = std::vector<EntryKind>{EntryKind::Enrol, EntryKind::Exit, EntryKind::Attribute};
  }));
  queries.push_back(query([](EntryQuery& q) {
    q.from = day("2026-02-01");
    q.to = day("2026-03-31");
    q.kinds = std::vector<EntryKind>{EntryKind::Contact, EntryKind::Note};
  }));
  queries.push_back(query([](EntryQuery& q) { q.kinds = std::vector<EntryKind>{}; }));
  queries.push_back(
      query([](EntryQuery& q) { q.text_kinds = std::vector<EntryKind>{EntryKind::Note}; }));
  queries.push_back(query([](EntryQuery& q) { q.text_kinds = std::vector<EntryKind>{}; }));
  EntryQuery recent;
  recent.recent_kinds = {EntryKind::Contact, EntryKind::Note};
  recent.kinds_from = day("2026-03-01");
  queries.push_back(recent);
  recent.people = std::vector<std::string>{"P1", "p2"};
  queries.push_back(recent);
  queries.push_back(
      query([](EntryQuery& q) { q.recorded_from = std::string("2026-10-01T00:00:00Z"); }));
  queries.push_back(
      query([](EntryQuery& q) { q.recorded_to = std::string("2026-10-01T10:00:00Z"); }));
  queries.push_back(query([](EntryQuery& q) {
    q.people = std::vector<std::string>{"P3"};
    q.include_superseded = true;
    q.recorded_from = std::string("2026-10-01T00:00:00Z");
    q.recorded_to = std::string("2026-10-31T00:00:00Z");
  }));
  for (size_t q = 0; q < queries.size(); ++q) {
    CAPTURE(q);
    const auto want = describe(lite.entries(queries[q]));
    CHECK(describe(pg.entries(queries[q])) == want);
  }
  // The filters select something (the comparison above would pass on two empty reads).
  CHECK(pg.entries(query([](EntryQuery& q) { q.kinds = std::vector<EntryKind>{EntryKind::Exit}; }))
            .size() == 20);
  CHECK(pg.entries(
              query([](EntryQuery& q) { q.recorded_from = std::string("2026-11-01T00:00:00Z"); }))
            .size() == 74);
  CHECK(pg.people() == lite.people());
  CHECK(pg.entry_count() == lite.entry_count());
  for (int64_t id : {1, 2, 221, 300})
    CHECK((pg.entry(id) ? describe(*pg.entry(id)) : "-") ==
          (lite.entry(id) ? describe(*lite.entry(id)) : "-"));
}

TEST_CASE("two stores in one database stay apart") {
  TestSchema a, b;
  auto one = PgStore::create(server(), a.name);
  auto two = PgStore::create(server(), b.name);
  NewEntry e = make("P1", "2026-01-01", EntryKind::Note);
  e.ref = "same-ref";
  for (PgStore* store : {&one, &two}) {
    auto tx = store->begin();
    tx->append(e, kWhen);
    tx->commit();
  }
  {
    auto tx = one.begin();
    tx->append(make("P2", "2026-01-01", EntryKind::Note), kWhen);
    tx->commit();
  }
  CHECK(one.entry_count() == 2);
  CHECK(two.entry_count() == 1);
  CHECK(two.people() == std::vector<std::string>{"P1"});
  // A write to one store does not wait for a write to the other.
  auto held = one.begin();
  PgOptions quick;
  quick.wait.limit = std::chrono::milliseconds(200);
  auto other = PgStore::open(server(), b.name, false, quick);
  auto tx = other.begin();
  tx->append(make("P3", "2026-01-01", EntryKind::Note), kWhen);
  tx->commit();
  CHECK(other.entry_count() == 2);
}

TEST_CASE("writes from two connections queue: a check-then-append lands exactly once") {
  TestSchema schema;
  PgStore::create(server(), schema.name);
  constexpr int kRefs = 40;
  std::atomic<int> appended{0};
  auto writer = [&] {
    auto store = PgStore::open(server(), schema.name);
    for (int i = 0; i < kRefs; ++i) {
      NewEntry e = make(fmt::format("P{}", i % 7), "2026-01-01", EntryKind::Note);
      e.ref = fmt::format("ref-{}", i);
      auto tx = store.begin();
      if (store.has_ref(e.ref)) continue;  // the check sees what the other writer committed
      tx->append(e, kWhen);
      tx->commit();
      ++appended;
    }
  };
  std::thread first(writer), second(writer);
  first.join();
  second.join();
  auto store = PgStore::open(server(), schema.name);
  CHECK(appended == kRefs);
  CHECK(store.entry_count() == kRefs);
  std::set<int64_t> ids;
  for (const auto& e : store.entries({})) ids.insert(e.id);
  CHECK(ids.size() == kRefs);
  CHECK(*ids.rbegin() == kRefs);  // ids consecutive: no write took another's
}

TEST_CASE("a write waits for another connection's write, saying so, then goes ahead or gives up") {
  TestSchema schema;
  auto holder = PgStore::create(server(), schema.name);
  std::vector<bool> told;
  PgOptions patient;
  patient.wait.limit = std::chrono::seconds(30);
  patient.wait.on_wait = [&](std::chrono::milliseconds, bool done) { told.push_back(done); };
  auto waiter = PgStore::open(server(), schema.name, false, patient);
  auto held = holder.begin();
  held->append(make("P1", "2026-01-01", EntryKind::Note), kWhen);
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    held->commit();
  });
  {
    auto tx = waiter.begin();
    CHECK(tx->append(make("P2", "2026-01-01", EntryKind::Note), kWhen) == 2);
    tx->commit();
  }
  release.join();
  REQUIRE(told.size() >= 2);
  CHECK_FALSE(told.front());
  CHECK(told.back());

  PgOptions quick;
  quick.wait.limit = std::chrono::milliseconds(300);
  auto impatient = PgStore::open(server(), schema.name, false, quick);
  auto again = holder.begin();
  const auto message = error_of([&] { impatient.begin(); });
  CHECK(message.find("the store is busy") != std::string::npos);
  again.reset();
  CHECK(impatient.entry_count() == 2);
}

TEST_CASE("a read can read again from the store while it visits entries") {
  TestSchema schema;
  PgOptions small;
  small.fetch_rows = 3;
  PgStore::create(server(), schema.name);
  auto store = PgStore::open(server(), schema.name, false, small);
  {
    auto tx = store.begin();
    for (int i = 0; i < 10; ++i)
      tx->append(make(fmt::format("P{}", i), "2026-01-01", EntryKind::Note), kWhen);
    tx->commit();
  }
  std::vector<int64_t> seen;
  store.for_each_entry({}, [&](const Entry& e) {
    seen.push_back(e.id);
    CHECK(store.entry(e.id)->person == e.person);
  });
  CHECK(seen.size() == 10);
}

TEST_CASE("erasing a person removes their entries and what only they used; the guards stay") {
  TestSchema schema;
  auto store = PgStore::create(server(), schema.name);
  {
    auto tx = store.begin();
    const int64_t batch = tx->add_batch({0, "x.csv", "file", kWhen, "me", 3});
    tx->append(item("Gone", "2026-01-01", "only-theirs", 1), kWhen, batch);
    tx->append(item("Gone", "2026-02-01", "shared", 2), kWhen, batch);
    tx->append(item("Stays", "2026-01-01", "shared", 3), kWhen, batch);
    tx->commit();
  }
  NewEntry moved = item("Stays", "2026-03-01", "shared", 1);
  moved.supersedes = 2;  // a fact corrected away from the erased person survives unlinked
  moved.reason = "wrong person";
  {
    auto tx = store.begin();
    tx->append(moved, "2026-11-16T10:00:00Z");
    tx->commit();
  }
  auto plan = store.erasure_plan("Gone");
  CHECK(plan.entries == 2);
  CHECK(plan.by_kind[static_cast<size_t>(EntryKind::Assessment)] == 2);
  CHECK(plan.first == day("2026-01-01"));
  CHECK(plan.last == day("2026-02-01"));
  CHECK(plan.writes == 1);
  CHECK(plan.batches == 1);
  CHECK(store.erasure_plan("nobody").entries == 0);
  {
    auto tx = store.begin();
    auto done = tx->erase_person("Gone", {"2026-11-17T10:00:00Z", "officer", "asked", 0, "dg"});
    CHECK(done.entries == 2);
    tx->commit();
  }
  CHECK(store.people() == std::vector<std::string>{"Stays"});
  auto left = store.entries({});
  REQUIRE(left.size() == 2);
  CHECK(left[1].id == 4);
  CHECK(left[1].supersedes == 0);
  auto records = store.erasures();
  REQUIRE(records.size() == 1);
  CHECK(records[0].entries == 2);
  CHECK(records[0].person_digest == "dg");
  CHECK_FALSE(store.batch_with_hash("file").has_value());  // its digest went
  CHECK(first_value(fmt::format("SELECT count(*) FROM \"{}\".terms WHERE text = 'only-theirs'",
                                schema.name)) == "0");
  CHECK(first_value(fmt::format("SELECT count(*) FROM \"{}\".terms WHERE text = 'shared'",
                                schema.name)) == "1");
  CHECK(run_sql(fmt::format("DELETE FROM \"{}\".entries", schema.name)).find("append-only") !=
        std::string::npos);
  // New writes after an erasure get fresh ids for people and terms.
  {
    auto tx = store.begin();
    tx->append(item("Gone", "2026-05-01", "only-theirs", 1), kWhen);
    tx->commit();
  }
  CHECK(store.entries(query([](EntryQuery& q) { q.people = std::vector<std::string>{"Gone"}; }))
            .size() == 1);
}

TEST_CASE("scrub rewrites the store's tables; backup says it is not supported yet") {
  TestSchema schema;
  auto store = PgStore::create(server(), schema.name);
  {
    auto tx = store.begin();
    tx->append(make("P1", "2026-01-01", EntryKind::Note), kWhen);
    tx->commit();
  }
  store.scrub();
  CHECK(store.entry_count() == 1);
  TempDir dir;
  CHECK(error_of([&] { store.backup_to(dir / "copy.db"); }).find("pg_dump") != std::string::npos);
}

TEST_CASE("check_store passes a sound store and names damage: guards off or gone, counts wrong") {
  TestSchema schema;
  auto store = PgStore::create(server(), schema.name);
  {
    auto tx = store.begin();
    const int64_t batch = tx->add_batch({0, "x.csv", "file", kWhen, "me", 2});
    tx->append(make("P1", "2026-01-01", EntryKind::Note), kWhen, batch);
    tx->append(make("P2", "2026-01-01", EntryKind::Note), kWhen, batch);
    tx->erase_person("P2", {kWhen, "officer", "asked", 0, "dg"});
    tx->commit();
  }
  auto checks = store.check_store();
  std::vector<std::string> names;
  for (const auto& check : checks) {
    names.push_back(check.name);
    CAPTURE(check.name);
    CHECK(check.problems.empty());
  }
  CHECK(names ==
        std::vector<std::string>{"integrity", "schema", "append-only", "references", "batches"});
  CHECK(checks[1].detail == "PostgreSQL schema version 2");

  const std::string s = "\"" + schema.name + "\"";
  REQUIRE(run_sql("ALTER TABLE " + s + ".entries DISABLE TRIGGER entries_no_update") == "");
  REQUIRE(run_sql("DROP TRIGGER erasures_no_truncate ON " + s + ".erasures") == "");
  REQUIRE(run_sql("ALTER TABLE " + s +
                  ".batches ALTER COLUMN \"rows\" SET DEFAULT 0; "
                  "INSERT INTO " +
                  s + ".batches VALUES (7, 'y.csv', '', '', '', 3)") == "");
  // References are checked by the store, not declared: a row written past it is reported.
  REQUIRE(run_sql("INSERT INTO " + s +
                  ".entries (id, person, day, kind, recorded_at, seq) "
                  "VALUES (9, 99, 0, 9, '', 9)") == "");
  checks = store.check_store();
  REQUIRE(checks.size() == 5);
  CHECK(checks[3].problems ==
        std::vector<std::string>{"entry 9 names person 99, which is not stored"});
  CHECK(checks[2].problems ==
        std::vector<std::string>{
            "the trigger entries_no_update no longer refuses every UPDATE of entries",
            "the trigger erasures_no_truncate is missing: erasure records could be truncated"});
  CHECK(checks[4].problems ==
        std::vector<std::string>{"batch 7 records 3 rows but 0 entries belong to it"});
}

TEST_CASE("a schema name that needs quoting is used as it is, never spliced into SQL") {
  TestSchema schema("Odd \"Name\"; DROP TABLE x; --");
  {
    auto store = PgStore::create(server(), schema.name);
    auto tx = store.begin();
    tx->append(make("P1", "2026-01-01", EntryKind::Note), kWhen);
    tx->commit();
  }
  auto store = PgStore::open(server(), schema.name);
  CHECK(store.entries({}).size() == 1);
  for (const auto& check : store.check_store()) {
    CAPTURE(check.name);
    CHECK(check.problems.empty());
  }
  CHECK(first_value("SELECT count(*) FROM " + schema.quoted() + ".entries") == "1");
}

TEST_CASE("a write naming rows that are not stored is refused at commit, nothing written") {
  TestSchema schema;
  auto store = PgStore::create(server(), schema.name);
  {
    auto tx = store.begin();
    tx->append(make("P1", "2026-01-01", EntryKind::Note), kWhen);
    tx->commit();
  }
  auto tx = store.begin();
  tx->append(make("P1", "2026-01-02", EntryKind::Note), kWhen);
  // The person's row goes behind the write's back (only a hand-made change can do this).
  REQUIRE(run_sql("DELETE FROM \"" + schema.name + "\".people") == "");
  const auto message = error_of([&] { tx->commit(); });
  CHECK(message.find(": 1 of the entries being written name rows that are not stored; nothing "
                     "was written") != std::string::npos);
  tx.reset();
  CHECK(store.entry_count() == 1);
}

TEST_CASE("a version-1 store gains the index on when entries were recorded; nothing else moves") {
  TestSchema schema;
  const std::string s = schema.quoted();
  std::vector<std::string> entries_before;
  {
    auto store = PgStore::create(server(), schema.name);
    auto tx = store.begin();
    tx->append(make("P1", "2026-01-01", EntryKind::Note), kWhen);
    tx->append(make("P2", "2026-01-02", EntryKind::Note), kWhen);
    tx->commit();
    auto later = store.begin();
    later->append(make("P1", "2026-01-03", EntryKind::Note), "2026-11-16T09:00:00Z");
    later->commit();
    entries_before = describe(store.entries(query([](EntryQuery& q) {
      q.include_superseded = true;
    })));
  }
  // A store as version 1 made it: the steps since undone, its version put back to 1.
  REQUIRE(run_sql("DROP INDEX " + s + ".entries_by_recorded_at; UPDATE " + s +
                  ".store_version SET version = 1") == "");
  const auto indexes = [&] {
    return first_value("SELECT count(*) FROM pg_catalog.pg_indexes WHERE schemaname = '" +
                       schema.name + "' AND indexname = 'entries_by_recorded_at'");
  };
  REQUIRE(indexes() == "0");
  const auto log = [&] {
    return first_value("SELECT string_agg(first_id || '@' || recorded_at, ',' ORDER BY first_id) "
                       "FROM " + s + ".writes");
  };
  const std::string log_before = log();
  CHECK(log_before == "1@2026-11-15T10:00:00Z,3@2026-11-16T09:00:00Z");
  // Opening it to read refuses and changes nothing; opening it to write upgrades it.
  CHECK(error_of([&] { PgStore::open(server(), schema.name, true); }).find("schema version 1 and needs upgrading") !=
        std::string::npos);
  CHECK(first_value("SELECT version FROM " + s + ".store_version") == "1");
  auto store = PgStore::open(server(), schema.name);
  CHECK(first_value("SELECT version FROM " + s + ".store_version") ==
        std::to_string(PgStore::schema_version()));
  CHECK(indexes() == "1");
  CHECK(describe(store.entries(query([](EntryQuery& q) { q.include_superseded = true; }))) ==
        entries_before);
  CHECK(log() == log_before);
  const auto recorded = store.entries(query([](EntryQuery& q) {
    q.recorded_from = "2026-11-16T00:00:00Z";
  }));
  REQUIRE(recorded.size() == 1);
  CHECK(recorded[0].id == 3);
  CHECK(recorded[0].recorded_at == "2026-11-16T09:00:00Z");
  for (const auto& check : store.check_store()) {
    CAPTURE(check.name);
    CHECK(check.problems.empty());
  }
}

TEST_CASE("a database not in UTF8 is refused, naming its encoding; the connection speaks UTF8") {
  const std::string database = fmt::format("latin_{}", ::getpid());
  REQUIRE(run_sql(fmt::format("CREATE DATABASE {} ENCODING 'LATIN1' TEMPLATE template0 "
                              "LC_COLLATE 'C' LC_CTYPE 'C'",
                              database)) == "");
  struct Drop {
    std::string database;
    ~Drop() { run_sql(fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", database)); }
  } drop{database};
  const std::string latin = server() + " dbname=" + database;
  const auto created = error_of([&] { PgStore::create(latin, "svc"); });
  CHECK(created.find("the database " + database + " has the encoding LATIN1, but a journey "
                     "store needs UTF8") != std::string::npos);
  CHECK(created.find("createdb -E UTF8") != std::string::npos);
  // Nothing was made there; a schema made by hand is not opened either.
  PGconn* conn = PQconnectdb(latin.c_str());
  REQUIRE(PQstatus(conn) == CONNECTION_OK);
  PGresult* r = PQexec(conn, "SELECT count(*) FROM pg_catalog.pg_namespace WHERE nspname = 'svc'");
  CHECK(std::string(PQgetvalue(r, 0, 0)) == "0");
  PQclear(r);
  PQclear(PQexec(conn, "CREATE SCHEMA svc"));
  PQfinish(conn);
  CHECK(error_of([&] { PgStore::open(latin, "svc"); }).find("has the encoding LATIN1") !=
        std::string::npos);

  // A client asking for another encoding still writes and reads UTF-8.
  TestSchema schema;
  const std::string note = "Zo\xc3\xab \xe2\x80\x94 \xe5\xa5\xbd";
  {
    auto store = PgStore::create(server() + " client_encoding=LATIN1", schema.name);
    auto tx = store.begin();
    auto e = make("P1", "2026-01-01", EntryKind::Note);
    e.text = note;
    tx->append(e, kWhen);
    tx->commit();
    REQUIRE(store.entries({}).size() == 1);
    CHECK(store.entries({})[0].text == note);
  }
  CHECK(first_value("SELECT text FROM " + schema.quoted() + ".entries") == note);
}

TEST_CASE("a store created with a claim is dropped by that claim only while it holds nothing") {
  const std::string claim(64, 'a');
  const std::string other(64, 'b');
  const auto exists = [](const TestSchema& schema) {
    return first_value("SELECT count(*) FROM pg_catalog.pg_namespace WHERE nspname = '" +
                       schema.name + "'") == "1";
  };
  {
    // Unused, and claimed with the claim given: dropped.
    TestSchema schema;
    PgStore::create(server(), schema.name, {}, claim);
    CHECK_FALSE(PgStore::discard_unused_claimed(server(), schema.name, other));
    CHECK(exists(schema));
    CHECK(PgStore::discard_unused_claimed(server(), schema.name, claim));
    CHECK_FALSE(exists(schema));
    // Nothing there: nothing to do.
    CHECK_FALSE(PgStore::discard_unused_claimed(server(), schema.name, claim));
  }
  {
    // Made without a claim (any workspace's store once its init finished): never dropped.
    TestSchema schema;
    PgStore::create(server(), schema.name);
    CHECK_FALSE(PgStore::discard_unused_claimed(server(), schema.name, claim));
    CHECK(exists(schema));
  }
  {
    // Claimed, but something was recorded since: kept, and said so.
    TestSchema schema;
    auto store = PgStore::create(server(), schema.name, {}, claim);
    auto tx = store.begin();
    tx->append(make("P1", "2026-01-01", EntryKind::Note), kWhen);
    tx->commit();
    CHECK(error_of([&] { PgStore::discard_unused_claimed(server(), schema.name, claim); })
              .find("but it now holds records; it was kept") != std::string::npos);
    CHECK(exists(schema));
    CHECK(store.entry_count() == 1);
  }
  {
    // Claimed and empty, but someone keeps a table of their own in the schema: kept.
    TestSchema schema;
    PgStore::create(server(), schema.name, {}, claim);
    REQUIRE(run_sql("CREATE TABLE " + schema.quoted() + ".mine (x int)") == "");
    CHECK(error_of([&] { PgStore::discard_unused_claimed(server(), schema.name, claim); })
              .find("objects the store did not make; it was kept") != std::string::npos);
    CHECK(exists(schema));
  }
  {
    // A claim is only ever hex digits: nothing else reaches the SQL.
    TestSchema schema;
    CHECK(error_of([&] { PgStore::create(server(), schema.name, {}, "x'; DROP TABLE y; --"); })
              .find("hex digits") != std::string::npos);
    CHECK_FALSE(exists(schema));
  }
}

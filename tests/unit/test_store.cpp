#include <SQLiteCpp/SQLiteCpp.h>
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "error.h"
#include "store_contract.h"
#include "store_sqlite.h"
#include "test_support.h"

using namespace outcomes;
namespace fs = std::filesystem;

namespace {

using outcomes::testing::day;
using outcomes::testing::TempDir;
using outcomes::testing::error_of;
using outcomes::testing::contract::ids;
using outcomes::testing::contract::item;
using outcomes::testing::contract::kWhen;

NewEntry contact(const std::string& person, const char* date, const std::string& status) {
  NewEntry e;
  e.person = person;
  e.date = day(date);
  e.kind = EntryKind::Contact;
  e.status = status;
  return e;
}

// Options reading the whole store in passes of `rows` entries.
SqliteOptions passes_of(int64_t rows) {
  SqliteOptions options;
  options.rows_per_pass = rows;
  return options;
}

// SQLite stores, each a file in a folder of the test's own.
class SqliteMaker : public outcomes::testing::contract::StoreMaker {
 public:
  std::unique_ptr<JourneyStore> create(const std::string& name) override {
    return std::make_unique<SqliteStore>(SqliteStore::create(dir_ / (name + ".db")));
  }
  std::unique_ptr<JourneyStore> open(const std::string& name, bool read_only) override {
    return std::make_unique<SqliteStore>(SqliteStore::open(dir_ / (name + ".db"), read_only));
  }

 private:
  TempDir dir_;
};

}  // namespace

OUTCOMES_STORE_CONTRACT(SqliteMaker)

TEST_CASE("create makes an owner-only store at the current schema version") {
  TempDir dir;
  auto file = dir / "outcomes.db";
  {
    auto store = SqliteStore::create(file);
    CHECK(store.entry_count() == 0);
    CHECK(store.people().empty());
    auto tx = store.begin();
    tx->append(contact("P1", "2026-01-01", "attended"), kWhen);
    tx->commit();
  }
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  for (const char* suffix : {"-wal", "-shm"}) {
    auto side = file.string() + suffix;
    if (::stat(side.c_str(), &st) == 0) CHECK((st.st_mode & 0077) == 0);
  }
  SQLite::Database db(file.string());
  CHECK(db.execAndGet("PRAGMA user_version").getInt() == 5);
  CHECK(SqliteStore::schema_version() == 5);
  CHECK(db.execAndGet("PRAGMA journal_mode").getString() == "wal");
  CHECK(db.execAndGet("PRAGMA page_size").getInt() == 16384);
}

TEST_CASE("create refuses an existing file and leaves it untouched") {
  TempDir dir;
  auto file = dir / "outcomes.db";
  { std::ofstream(file) << "precious"; }
  CHECK(error_of([&] { SqliteStore::create(file); }).find("already there") != std::string::npos);
  std::ifstream in(file);
  std::string text;
  std::getline(in, text);
  CHECK(text == "precious");
}

TEST_CASE("open reports missing files, non-databases and foreign databases by name") {
  TempDir dir;
  auto missing = dir / "none.db";
  auto message = error_of([&] { SqliteStore::open(missing); });
  CHECK(message.find(missing.string()) != std::string::npos);
  CHECK(message.find("no journey store") != std::string::npos);

  auto text = dir / "text.db";
  { std::ofstream(text) << "this is not a database, just some text that is long enough\n"; }
  message = error_of([&] { SqliteStore::open(text); });
  CHECK(message.find(text.string() + ": not an outcomes store") == 0);

  auto other = dir / "other.db";
  {
    SQLite::Database db(other.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("CREATE TABLE t (x); PRAGMA user_version = 1;");
  }
  message = error_of([&] { SqliteStore::open(other); });
  CHECK(message.find(other.string() + ": not an outcomes store") == 0);

  CHECK(error_of([&] { SqliteStore::open(dir.path); }).find("not an outcomes store") !=
        std::string::npos);
}

TEST_CASE("open refuses a file that is not a store before writing anything to it") {
  TempDir dir;
  auto check_untouched = [&](const fs::path& file, const char* says) {
    const std::string before = outcomes::testing::read_file(file);
    for (bool read_only : {false, true}) {
      CAPTURE(read_only);
      auto message = error_of([&] { SqliteStore::open(file, read_only); });
      CHECK(message == file.string() + ": not an outcomes store (" + says + ")");
      CHECK(outcomes::testing::read_file(file) == before);
      CHECK_FALSE(fs::exists(file.string() + "-wal"));
      CHECK_FALSE(fs::exists(file.string() + "-shm"));
      CHECK_FALSE(fs::exists(file.string() + "-journal"));
    }
  };
  auto empty = dir / "empty.db";
  { std::ofstream touch(empty); }
  check_untouched(empty, "the file is empty");
  CHECK(fs::file_size(empty) == 0);

  auto text = dir / "notes.db";
  { std::ofstream(text) << "P1,2026-01-05,enrol\n"; }
  check_untouched(text, "the file is not an SQLite database");

  // A foreign database in rollback-journal mode: journal_mode=WAL would rewrite its header.
  auto foreign = dir / "foreign.db";
  {
    SQLite::Database db(foreign.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("CREATE TABLE t (x); INSERT INTO t VALUES (1); PRAGMA user_version = 3;");
  }
  check_untouched(foreign, "an SQLite database made by something else");

  // One carrying the store's application_id but no schema version is not a store either.
  auto half = dir / "half.db";
  {
    SQLite::Database db(half.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("PRAGMA application_id = 1869968483; CREATE TABLE t (x);");
  }
  check_untouched(half, "an SQLite database made by something else");
}

TEST_CASE("open reads a store whose header is still only in its -wal file") {
  TempDir dir;
  auto file = dir / "outcomes.db";
  auto writer = SqliteStore::create(file);  // kept open: nothing is checkpointed yet
  {
    auto tx = writer.begin();
    tx->append(outcomes::testing::make("P1", "2026-01-05", EntryKind::Enrol), "2026-01-05T00:00:00Z");
    tx->commit();
  }
  REQUIRE(fs::file_size(file.string() + "-wal") > 0);
  auto reader = SqliteStore::open(file, true);
  CHECK(reader.entry_count() == 1);
}

TEST_CASE("a read-only open of a store in a folder it cannot write needs no -shm file") {
  if (::geteuid() == 0) {
    MESSAGE("SKIP: running as root, for whom a read-only folder is writable");
    return;
  }
  TempDir dir;
  auto folder = dir / "ro";
  fs::create_directory(folder);
  auto file = folder / "outcomes.db";
  {
    auto store = SqliteStore::create(file);
    auto tx = store.begin();
    tx->append(outcomes::testing::make("P1", "2026-01-05", EntryKind::Enrol), "2026-01-05T00:00:00Z");
    tx->commit();
  }
  REQUIRE_FALSE(fs::exists(file.string() + "-shm"));
  fs::permissions(folder, fs::perms::owner_read | fs::perms::owner_exec);
  fs::permissions(file, fs::perms::owner_read);
  {
    auto store = SqliteStore::open(file, true);
    CHECK(store.entry_count() == 1);
  }
  CHECK_FALSE(fs::exists(file.string() + "-shm"));
  fs::permissions(folder, fs::perms::owner_all);
}

TEST_CASE("the database refuses UPDATE and DELETE of entries") {
  TempDir dir;
  auto file = dir / "outcomes.db";
  {
    auto store = SqliteStore::create(file);
    auto tx = store.begin();
    tx->append(contact("P1", "2026-01-01", "attended"), kWhen);
    tx->commit();
  }
  SQLite::Database db(file.string(), SQLite::OPEN_READWRITE);
  CHECK_THROWS_WITH_AS(db.exec("UPDATE entries SET day = 0"), doctest::Contains("append-only"),
                       SQLite::Exception);
  CHECK_THROWS_WITH_AS(db.exec("DELETE FROM entries"), doctest::Contains("append-only"),
                       SQLite::Exception);
  CHECK(db.execAndGet("SELECT COUNT(*) FROM entries").getInt() == 1);
}

TEST_CASE("a write waits for another connection's write, saying so, then goes ahead") {
  TempDir dir;
  auto file = dir / "outcomes.db";
  auto first = SqliteStore::create(file);
  std::vector<std::pair<long long, bool>> told;
  SqliteOptions options;
  options.wait.limit = std::chrono::seconds(30);
  options.wait.on_wait = [&](std::chrono::milliseconds waited, bool done) {
    told.emplace_back(waited.count(), done);
  };
  auto second = SqliteStore::open(file, false, options);
  auto holding = first.begin();
  holding->append(contact("P1", "2026-01-01", "attended"), kWhen);
  // The first write commits after 1.5 s, from another thread (each connection is used by
  // one thread at a time).
  std::thread finisher([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    holding->commit();
  });
  const auto started = std::chrono::steady_clock::now();
  auto waiting = second.begin();
  const auto waited = std::chrono::steady_clock::now() - started;
  finisher.join();
  waiting->append(contact("P2", "2026-01-02", "attended"), kWhen);
  waiting->commit();
  CHECK(waited >= std::chrono::milliseconds(1400));
  REQUIRE(told.size() >= 2);
  CHECK(told.front().first >= 1000);
  CHECK_FALSE(told.front().second);
  CHECK(told.back().second);  // told once more when the wait ended
  CHECK(second.entry_count() == 2);
}

TEST_CASE("a write that waits longer than its limit fails with a plain message") {
  TempDir dir;
  auto file = dir / "outcomes.db";
  auto first = SqliteStore::create(file);
  SqliteOptions options;
  options.wait.limit = std::chrono::milliseconds(300);
  auto second = SqliteStore::open(file, false, options);
  auto holding = first.begin();
  const std::string message = error_of([&] { second.begin(); });
  CHECK(message.find("the store is busy") != std::string::npos);
  CHECK(message.find("OUTCOMES_WAIT") != std::string::npos);
  holding->commit();
  CHECK_NOTHROW(second.begin()->commit());
}

TEST_CASE("a ref stored by another write since the check is refused in plain words") {
  TempDir dir;
  auto file = dir / "outcomes.db";
  auto first = SqliteStore::create(file);
  auto second = SqliteStore::open(file);
  auto e = contact("P1", "2026-01-01", "attended");
  e.ref = "R1";
  {
    auto tx = first.begin();
    tx->append(e, kWhen);
    tx->commit();
  }
  auto tx = second.begin();
  try {
    tx->append(e, kWhen);
    FAIL("the second entry with ref R1 was stored");
  } catch (const InvalidInput& error) {
    CHECK(std::string(error.what()) == "ref 'R1' is already stored; nothing was written");
  }
}

// The POSIX locks this process holds on `file`, as the kernel lists them in /proc/locks.
int locks_held_on(const fs::path& file) {
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  std::ifstream locks("/proc/locks");
  const std::string pid = std::to_string(::getpid());
  const std::string inode = ":" + std::to_string(st.st_ino);
  int held = 0;
  for (std::string line; std::getline(locks, line);) {
    std::istringstream fields(line);
    std::string id, kind, mode, access, owner, where;
    fields >> id >> kind >> mode >> access >> owner >> where;
    if (kind == "POSIX" && owner == pid && where.size() > inode.size() &&
        where.compare(where.size() - inode.size(), inode.size(), inode) == 0)
      ++held;
  }
  return held;
}

TEST_CASE("a reader opened during a write keeps the writer's locks on the store") {
  // SQLite holds POSIX locks on the store file; a descriptor of the file opened and closed
  // outside SQLite in the same process drops them all. Another process closing its
  // connection could then take itself for the last one and checkpoint and remove the log
  // of writes under the write in progress.
  TempDir dir;
  auto file = dir / "outcomes.db";
  SqliteStore::create(file);
  auto store = SqliteStore::open(file);
  auto tx = store.begin();
  tx->append(contact("P1", "2026-01-02", "attended"), kWhen);
  const int before = locks_held_on(file);
  REQUIRE(before > 0);
  auto reader = store.open_reader();
  CHECK(reader->entry_count() == 0);
  CHECK(locks_held_on(file) >= before);
  tx->commit();
}

TEST_CASE("framework_versions counts entries per framework version") {
  TempDir dir;
  auto store = SqliteStore::create(dir / "outcomes.db");
  {
    auto tx = store.begin();
    tx->append(item("P1", "2026-01-01", "housing", 2, "h1"), kWhen);
    tx->append(item("P1", "2026-01-01", "risk", 2, "h1"), kWhen);
    tx->append(item("P2", "2026-02-01", "housing", 2, "h2"), kWhen);
    NewEntry s;
    s.person = "P2";
    s.date = day("2026-02-01");
    s.kind = EntryKind::Status;
    s.framework = "core";
    s.framework_version = "1";
    s.framework_hash = "x";
    s.measure = "income";
    s.status = "achieved";
    tx->append(s, kWhen);
    tx->append(contact("P2", "2026-02-01", "attended"), kWhen);
    tx->commit();
  }
  auto versions = store.framework_versions();
  REQUIRE(versions.size() == 3);
  CHECK(versions[0].id == "core");
  CHECK(versions[0].entries == 1);
  CHECK(versions[1].id == "ndt");
  CHECK(versions[1].content_hash == "h1");
  CHECK(versions[1].version == "2008");
  CHECK(versions[1].entries == 2);
  CHECK(versions[2].id == "ndt");
  CHECK(versions[2].content_hash == "h2");
  CHECK(versions[2].entries == 1);
}

TEST_CASE("a store newer than the code is refused; an old one is migrated") {
  TempDir dir;
  auto file = dir / "outcomes.db";
  { SqliteStore::create(file); }
  {
    SQLite::Database db(file.string(), SQLite::OPEN_READWRITE);
    db.exec("PRAGMA user_version = 6");
  }
  auto message = error_of([&] { SqliteStore::open(file); });
  CHECK(message.find(file.string()) == 0);
  CHECK(message.find("schema version 6, newer than this version of outcomes knows (5)") !=
        std::string::npos);
}

TEST_CASE("the migration runner applies only the missing steps, all or nothing") {
  TempDir dir;
  auto file = dir / "outcomes.db";
  { SqliteStore::create(file); }
  SQLite::Database db(file.string(), SQLite::OPEN_READWRITE);
  auto steps = store_detail::migrations();
  REQUIRE(steps.size() == 5);
  CHECK(store_detail::migrate(db, steps, file.string()) == 5);  // nothing to do

  int runs = 0;
  auto with_six = steps;
  with_six.push_back([&](SQLite::Database& d) {
    ++runs;
    d.exec("CREATE TABLE occasions (id INTEGER PRIMARY KEY)");
  });
  CHECK(store_detail::migrate(db, with_six, file.string()) == 6);
  CHECK(runs == 1);
  CHECK(db.execAndGet("PRAGMA user_version").getInt() == 6);
  CHECK(db.tableExists("occasions"));
  CHECK(store_detail::migrate(db, with_six, file.string()) == 6);
  CHECK(runs == 1);

  auto failing = with_six;
  failing.push_back([](SQLite::Database& d) {
    d.exec("CREATE TABLE half_done (x)");
    d.exec("THIS IS NOT SQL");
  });
  CHECK_THROWS_AS(store_detail::migrate(db, failing, file.string()), SQLite::Exception);
  CHECK(db.execAndGet("PRAGMA user_version").getInt() == 6);
  CHECK_FALSE(db.tableExists("half_done"));

  CHECK(error_of([&] {
          store_detail::migrate(db, steps, file.string());
        }).find("newer than this version") != std::string::npos);

  // A store at version 0 of our own making is migrated from the start.
  SQLite::Database fresh((dir / "fresh.db").string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  CHECK(store_detail::migrate(fresh, steps, "fresh.db") == 5);
  CHECK(fresh.tableExists("entries"));
}

TEST_CASE("a whole-store read in several passes matches reading person by person") {
  TempDir dir;
  auto store = SqliteStore::create(dir / "outcomes.db");
  // 9 people, 120 entries in shuffled dates, a few with texts and corrections.
  std::vector<std::string> refs = {"P9", "P10", "p1", "P1", "Z", "a", "P2", "x.y", "P_3"};
  {
    auto tx = store.begin();
    for (int i = 0; i < 120; ++i) {
      auto e = item(refs[static_cast<size_t>(i * 7 % 9)], "2026-01-01", i % 2 ? "housing" : "risk",
                    i % 5, i % 3 ? "h1" : "h2");
      e.date = Date{e.date.days + (i * 37) % 50};
      if (i % 4 == 0) e.text = fmt::format("note {}", i);
      if (i % 6 == 0) e.by = fmt::format("w{}", i % 4);
      if (i % 10 == 0) e.ref = fmt::format("r{}", i);
      tx->append(e, i < 60 ? kWhen : "2026-11-16T00:00:00Z");
    }
    for (int64_t target : {5, 17, 60}) {
      auto fix = *store.entry(target);
      NewEntry c = fix;
      c.value = 4;
      c.supersedes = target;
      c.reason = "fix " + std::to_string(target);
      tx->append(c, kWhen);
    }
    tx->commit();
  }
  auto by_person = [&](bool audit) {
    EntryQuery q;
    q.people = store.people();
    q.include_superseded = audit;
    return store.entries(q);
  };
  auto same = [](const std::vector<Entry>& a, const std::vector<Entry>& b) {
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      CHECK(a[i].id == b[i].id);
      CHECK(a[i].person == b[i].person);
      CHECK(a[i].date == b[i].date);
      CHECK(a[i].seq == b[i].seq);
      CHECK(a[i].measure == b[i].measure);
      CHECK(a[i].value == b[i].value);
      CHECK(a[i].framework_hash == b[i].framework_hash);
      CHECK(a[i].text == b[i].text);
      CHECK(a[i].by == b[i].by);
      CHECK(a[i].ref == b[i].ref);
      CHECK(a[i].reason == b[i].reason);
      CHECK(a[i].recorded_at == b[i].recorded_at);
      CHECK(a[i].superseded == b[i].superseded);
    }
  };
  for (int64_t pass : {int64_t{1} << 20, int64_t{7}, int64_t{40}}) {
    const auto view = SqliteStore::open(store.file(), true, passes_of(pass));
    for (bool audit : {false, true}) {
      EntryQuery all;
      all.include_superseded = audit;
      auto whole = view.entries(all);
      CHECK(whole.size() == (audit ? 123u : 120u));
      same(whole, by_person(audit));
      for (size_t i = 1; i < whole.size(); ++i) {
        const auto& p = whole[i - 1];
        const auto& e = whole[i];
        bool ordered = p.person < e.person ||
                       (p.person == e.person &&
                        (p.date < e.date ||
                         (p.date == e.date && (p.seq < e.seq || (p.seq == e.seq && p.id < e.id)))));
        CHECK(ordered);
      }
    }
    // Entries recorded in a period (by the log of writes) and enrolments, exits and
    // attributes alone are read in passes too once they may be more than a pass holds.
    EntryQuery recorded;
    recorded.recorded_from = "2026-11-16T00:00:00Z";
    auto later = view.entries(recorded);
    CHECK(later.size() == 60u);
    EntryQuery later_of_each;
    later_of_each.people = store.people();
    later_of_each.recorded_from = recorded.recorded_from;
    same(later, store.entries(later_of_each));
  }
}

namespace {

using outcomes::testing::make;

std::vector<std::string> described(const std::vector<Entry>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries)
    out.push_back(e.person + " " + format_date(e.date) + " " + std::string(to_string(e.kind)));
  return out;
}

}  // namespace

TEST_CASE("a kinds filter returns only those kinds, in journey order, from any read path") {
  TempDir dir;
  auto store = SqliteStore::create(dir / "outcomes.db");
  {
    auto tx = store.begin();
    tx->append(make("P2", "2026-01-05", EntryKind::Enrol), kWhen);
    tx->append(make("P1", "2026-01-01", EntryKind::Enrol), kWhen);
    tx->append(contact("P1", "2026-01-02", "attended"), kWhen);
    NewEntry gender = make("P1", "2026-01-01", EntryKind::Attribute);
    gender.measure = "gender";
    gender.status = "woman";
    tx->append(gender, kWhen);
    tx->append(make("P1", "2026-03-01", EntryKind::Exit), kWhen);
    tx->append(contact("P2", "2026-02-02", "missed"), kWhen);
    tx->commit();
  }
  for (int64_t pass : {int64_t{1} << 20, int64_t{2}}) {
    const auto view = SqliteStore::open(store.file(), true, passes_of(pass));
    EntryQuery episodes;
    episodes.kinds = {EntryKind::Enrol, EntryKind::Exit, EntryKind::Attribute};
    std::vector<std::string> want = {"P1 2026-01-01 enrol", "P1 2026-01-01 attribute",
                                     "P1 2026-03-01 exit", "P2 2026-01-05 enrol"};
    CHECK(described(view.entries(episodes)) == want);
    episodes.people = std::vector<std::string>{"P2", "P1"};
    CHECK(described(view.entries(episodes)) == want);

    EntryQuery contacts;
    contacts.kinds = {EntryKind::Contact};
    contacts.to = day("2026-02-01");
    CHECK(described(view.entries(contacts)) == std::vector<std::string>{"P1 2026-01-02 contact"});
    contacts.kinds = std::vector<EntryKind>{};
    CHECK(view.entries(contacts).empty());
  }
}

TEST_CASE("entries recorded in a period are found through the log of writes") {
  TempDir dir;
  auto store = SqliteStore::create(dir / "outcomes.db");
  const char* when[] = {"2026-09-30T23:59:59Z", "2026-10-01T00:00:00Z", "2026-10-31T12:00:00Z",
                        "2026-11-01T00:00:00Z"};
  for (int w = 0; w < 4; ++w) {
    auto tx = store.begin();
    if (w == 0) tx->append(make("P1", "2026-01-01", EntryKind::Enrol), when[w]);
    tx->append(contact("P1", w == 2 ? "2026-08-01" : "2026-09-01", "attended"), when[w]);
    tx->append(contact("P2", "2026-09-02", "missed"), when[w]);
    tx->commit();
  }
  {
    // A write that rolls back leaves no trace in the log.
    auto tx = store.begin();
    tx->append(contact("P1", "2026-09-03", "attended"), "2026-10-15T00:00:00Z");
  }
  EntryQuery october;
  october.recorded_from = "2026-10-01T00:00:00Z";
  october.recorded_to = "2026-10-31T23:59:59Z";
  auto got = store.entries(october);
  REQUIRE(got.size() == 4);
  std::vector<std::string> stamps;
  for (const auto& e : got) stamps.push_back(e.person + " " + e.recorded_at);
  CHECK(stamps == std::vector<std::string>{"P1 2026-10-31T12:00:00Z", "P1 2026-10-01T00:00:00Z",
                                           "P2 2026-10-01T00:00:00Z", "P2 2026-10-31T12:00:00Z"});
  CHECK(format_date(got[0].date) == "2026-08-01");  // journey order within a person
  october.to = day("2026-08-31");
  CHECK(store.entries(october).size() == 1);
  october.to.reset();
  october.people = std::vector<std::string>{"P2"};
  CHECK(store.entries(october).size() == 2);
  EntryQuery december;
  december.recorded_from = "2026-12-01T00:00:00Z";
  CHECK(store.entries(december).empty());
}

TEST_CASE("a bulk write skips foreign key checks only while it lasts") {
  TempDir dir;
  auto file = dir / "outcomes.db";
  auto store = SqliteStore::create(file);
  int64_t batch = 0;
  {
    auto tx = store.begin(true);
    batch = tx->add_batch(ImportBatch{0, "a.csv", "", kWhen, "ana", 0});
    tx->append(contact("P1", "2026-01-02", "attended"), kWhen, batch);
    tx->complete_batch(batch, 1, "abc");
    tx->commit();
  }
  auto imported = store.batch_with_hash("abc");
  REQUIRE(imported.has_value());
  CHECK(imported->rows == 1);
  {
    auto tx = store.begin(true);
    tx->append(contact("P1", "2026-01-03", "attended"), kWhen);
  }  // rolled back
  CHECK(store.entry_count() == 1);
  // Foreign keys are enforced again for ordinary writes on the same connection.
  {
    auto tx = store.begin();
    CHECK_THROWS_AS(tx->append(contact("P1", "2026-01-04", "attended"), kWhen, batch + 5), Error);
  }
  CHECK(store.entry_count() == 1);
}

TEST_CASE("append-only triggers: the same SQL for entries and erasures, as stores hold it") {
  // Stores keep each trigger's text as it was created (sqlite_master): new stores must get the
  // text that earlier versions wrote.
  CHECK(store_detail::append_only_triggers("entries",
                                           "entries are append-only: record a correction instead") ==
        R"sql(
CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
BEGIN
  SELECT RAISE(ABORT, 'entries are append-only: record a correction instead');
END;
CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
BEGIN
  SELECT RAISE(ABORT, 'entries are append-only: record a correction instead');
END;
)sql");
  TempDir dir;
  const auto file = dir / "outcomes.db";
  SqliteStore::create(file);
  SQLite::Database db(file.string(), SQLite::OPEN_READWRITE);
  auto sql_of = [&](const char* trigger) {
    SQLite::Statement find(db, "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?");
    find.bind(1, trigger);
    REQUIRE(find.executeStep());
    return find.getColumn(0).getString();
  };
  CHECK(sql_of("entries_no_delete") ==
        "CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries\nBEGIN\n  SELECT RAISE(ABORT, "
        "'entries are append-only: record a correction instead');\nEND");
  CHECK(sql_of("erasures_no_update") ==
        "CREATE TRIGGER erasures_no_update BEFORE UPDATE ON erasures\nBEGIN\n  SELECT "
        "RAISE(ABORT, 'the record of erasures is append-only');\nEND");
  CHECK(sql_of("erasures_no_delete") ==
        "CREATE TRIGGER erasures_no_delete BEFORE DELETE ON erasures\nBEGIN\n  SELECT "
        "RAISE(ABORT, 'the record of erasures is append-only');\nEND");
  db.exec("INSERT INTO erasures (erased_at, \"by\", reason, entries, person_digest) VALUES "
          "('t', 'b', 'r', 0, 'd')");
  CHECK_THROWS_WITH(db.exec("DELETE FROM erasures"),
                    doctest::Contains("the record of erasures is append-only"));
}

TEST_CASE("a version 1 store is migrated: entries kept, writes logged, episode index made") {
  TempDir dir;
  auto file = dir / "outcomes.db";
  {
    SQLite::Database db(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    std::vector<store_detail::Migration> first = {store_detail::migrations()[0]};
    REQUIRE(store_detail::migrate(db, first, file.string()) == 1);
    db.exec("INSERT INTO people (id, ref) VALUES (1, 'P1'), (2, 'P2')");
    db.exec("INSERT INTO terms (id, text) VALUES (1, 'attended')");
    const char* rows[] = {"(1, 1, 20000, 0, NULL, 'a', 1)", "(2, 2, 20001, 0, NULL, 'a', 2)",
                          "(3, 1, 20002, 2, 1, 'b', 3)", "(4, 2, 20003, 2, 1, 'a', 4)"};
    for (const char* r : rows)
      db.exec(std::string("INSERT INTO entries (id, person, day, kind, status, recorded_at, seq) "
                          "VALUES ") +
              r);
  }
  auto store = SqliteStore::open(file);
  CHECK(store.entry_count() == 4);
  SQLite::Database db(file.string());
  CHECK(db.execAndGet("PRAGMA user_version").getInt() == 5);
  CHECK(
      db.execAndGet("SELECT group_concat(first_id || recorded_at, ' ') FROM writes").getString() ==
      "1a 3b 4a");
  CHECK(db.execAndGet("SELECT count(*) FROM sqlite_master WHERE name = 'entries_by_period'")
            .getInt() == 0);
  CHECK(db.execAndGet("SELECT count(*) FROM sqlite_master WHERE name = 'entries_by_episode'")
            .getInt() == 1);
  EntryQuery b;
  b.recorded_from = b.recorded_to = "b";
  auto got = store.entries(b);
  REQUIRE(got.size() == 1);
  CHECK(got[0].id == 3);
}

TEST_CASE("a version 2 store is migrated: FNV digests kept, marked as legacy") {
  TempDir dir;
  auto file = dir / "outcomes.db";
  {
    // The store as version 2 made it, filled with raw SQL.
    SQLite::Database db(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    std::vector<store_detail::Migration> old = {store_detail::migrations()[0],
                                                store_detail::migrations()[1]};
    REQUIRE(store_detail::migrate(db, old, file.string()) == 2);
    db.exec(R"sql(
INSERT INTO people (id, ref) VALUES (1, 'P1');
INSERT INTO frameworks_seen (id, framework, version, content_hash)
  VALUES (1, 'ndt', '2008', '85944171f73967e8'), (2, 'core', '1', 'not-a-digest');
INSERT INTO terms (id, text) VALUES (1, 'housing');
INSERT INTO batches (id, source, content_hash, imported_at, "by", "rows")
  VALUES (1, 'a.csv', 'af63dc4c8601ec8c', 't', 'ana', 1),
         (2, 'b.csv', 'AF63DC4C8601EC8C', 't', 'ana', 1);
INSERT INTO entries (id, person, day, kind, framework, measure, value, batch, recorded_at, seq)
  VALUES (1, 1, 20000, 3, 1, 1, 2, 1, 't', 1), (2, 1, 20001, 3, 2, 1, 3, 2, 't', 2);
INSERT INTO writes (first_id, recorded_at) VALUES (1, 't');
)sql");
    REQUIRE(db.execAndGet("PRAGMA user_version").getInt() == 2);
  }
  {
    auto store = SqliteStore::open(file);
    CHECK(store.has_legacy_batches());
    auto legacy = store.batch_with_hash("fnv1a64:af63dc4c8601ec8c");
    REQUIRE(legacy.has_value());
    CHECK(legacy->id == 1);
    CHECK(legacy->rows == 1);
    CHECK_FALSE(store.batch_with_hash("af63dc4c8601ec8c").has_value());
    // Only lowercase 16-digit values were FNV digests; anything else is left as it was.
    CHECK(store.batch_with_hash("AF63DC4C8601EC8C").has_value());
    auto all = store.entries(EntryQuery{});
    REQUIRE(all.size() == 2);
    CHECK(all[0].framework_hash == "fnv1a64:85944171f73967e8");
    CHECK(all[0].value == 2);
    CHECK(all[1].framework_hash == "not-a-digest");
    auto versions = store.framework_versions();
    REQUIRE(versions.size() == 2);
    CHECK(versions[1].content_hash == "fnv1a64:85944171f73967e8");
    CHECK(versions[1].entries == 1);
  }
  SQLite::Database db(file.string());
  CHECK(db.execAndGet("PRAGMA user_version").getInt() == 5);
  // Opening again migrates nothing twice.
  { auto again = SqliteStore::open(file); }
  CHECK(db.execAndGet("SELECT content_hash FROM batches WHERE id = 1").getString() ==
        "fnv1a64:af63dc4c8601ec8c");
}

TEST_CASE("a version 4 store is migrated: the report's indexes made, reads unchanged") {
  TempDir dir;
  auto file = dir / "outcomes.db";
  {
    SQLite::Database db(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    std::vector<store_detail::Migration> old(store_detail::migrations().begin(),
                                             store_detail::migrations().begin() + 4);
    REQUIRE(store_detail::migrate(db, old, file.string()) == 4);
    db.exec(R"sql(
INSERT INTO people (id, ref) VALUES (1, 'P1'), (2, 'P2');
INSERT INTO terms (id, text) VALUES (1, 'gender'), (2, 'woman'), (3, 'attended'), (4, 'private');
INSERT INTO entries (id, person, day, kind, measure, status, text, recorded_at, seq) VALUES
  (1, 1, 20000, 0, NULL, NULL, NULL, '', 1),
  (2, 1, 20000, 10, 1, 2, NULL, '', 2),
  (3, 1, 20001, 2, NULL, 3, NULL, '', 3),
  (4, 2, 20002, 9, NULL, 4, 'A note.', '', 4),
  (5, 2, 20003, 1, NULL, NULL, NULL, '', 5);
INSERT INTO writes (first_id, recorded_at) VALUES (1, '2026-11-02T09:00:00Z');
)sql");
  }
  auto store = SqliteStore::open(file);
  SQLite::Database db(file.string());
  CHECK(db.execAndGet("PRAGMA user_version").getInt() == 5);
  auto index_sql = [&](const char* name) {
    SQLite::Statement q(db, "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?");
    q.bind(1, name);
    return q.executeStep() ? q.getColumn(0).getString() : std::string();
  };
  CHECK(index_sql("entries_by_episode").find("supersedes") != std::string::npos);
  CHECK(index_sql("entries_by_outcome").find("WHERE kind NOT IN (2, 9)") != std::string::npos);
  CHECK(index_sql("entries_by_contact_day").find("WHERE kind IN (2, 9)") != std::string::npos);

  auto ids = [&](const EntryQuery& q) {
    std::string out;
    store.for_each_entry(q, [&](const Entry& e) {
      out += fmt::format("{}{}:{}:{}", out.empty() ? "" : " ", e.id, e.measure, e.status);
    });
    return out;
  };
  EntryQuery episodes;
  episodes.kinds = std::vector<EntryKind>{EntryKind::Enrol, EntryKind::Exit, EntryKind::Attribute};
  episodes.text_kinds = std::vector<EntryKind>{};
  CHECK(ids(episodes) == "1:: 2:gender:woman 5::");
  EntryQuery recent;
  recent.people = std::vector<std::string>{"P2", "P1"};
  recent.recent_kinds = {EntryKind::Contact, EntryKind::Note};
  recent.kinds_from = Date{20002};
  CHECK(ids(recent) == "1:: 2:gender:woman 4::private 5::");
  for (const auto& check : store.check_store()) CHECK_MESSAGE(check.problems.empty(), check.name);
}

TEST_CASE("a store of SHA-256 digests only has no legacy batches") {
  TempDir dir;
  auto store = SqliteStore::create(dir / "outcomes.db");
  CHECK_FALSE(store.has_legacy_batches());
  auto tx = store.begin();
  tx->add_batch({0, "a.csv", std::string(64, 'f'), "t", "ana", 1});
  tx->commit();
  CHECK_FALSE(store.has_legacy_batches());
}

TEST_CASE("one write stamped at two times logs both") {
  TempDir dir;
  auto store = SqliteStore::create(dir / "outcomes.db");
  {
    auto tx = store.begin();
    tx->append(contact("P1", "2026-01-02", "attended"), "2026-01-02T12:00:00Z");
    tx->append(contact("P1", "2026-01-03", "attended"), "2026-01-03T12:00:00Z");
    tx->append(contact("P2", "2026-01-03", "attended"), "2026-01-03T12:00:00Z");
    tx->commit();
  }
  EntryQuery third;
  third.recorded_from = "2026-01-03T00:00:00Z";
  CHECK(store.entries(third).size() == 2);
  third.recorded_to = "2026-01-02T23:00:00Z";
  CHECK(store.entries(third).empty());
}

TEST_CASE("append_all stores what append would, many rows a statement") {
  TempDir dir;
  auto one = SqliteStore::create(dir / "one.db");
  auto many = SqliteStore::create(dir / "many.db");
  std::vector<NewEntry> entries;
  for (int i = 0; i < 70; ++i) {  // two full groups of 32 and 6 rows one by one
    // (fmt::format, not "P" + std::to_string: GCC 12 warns falsely on that at -O2.)
    auto e = i % 3 == 0 ? item(fmt::format("P{}", i % 7), "2026-02-01", fmt::format("m{}", i), i)
                        : contact(fmt::format("P{}", i % 5), "2026-01-01", i % 2 ? "a" : "b");
    e.text = i % 4 ? "" : fmt::format("note {}", i);
    e.by = i % 6 ? "" : fmt::format("w{}", i % 4);
    e.ref = i % 5 ? "" : fmt::format("r{}", i);
    entries.push_back(e);
  }
  {
    auto tx = one.begin();
    for (const auto& e : entries) tx->append(e, kWhen, 0);
    tx->commit();
  }
  {
    auto tx = many.begin(true);
    std::vector<const NewEntry*> rows;
    for (const auto& e : entries) rows.push_back(&e);
    tx->append_all(rows, kWhen);
    tx->commit();
  }
  auto a = one.entries(EntryQuery{});
  auto b = many.entries(EntryQuery{});
  REQUIRE(a.size() == 70);
  REQUIRE(b.size() == 70);
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].id == b[i].id);
    CHECK(a[i].person == b[i].person);
    CHECK(a[i].measure == b[i].measure);
    CHECK(a[i].status == b[i].status);
    CHECK(a[i].value == b[i].value);
    CHECK(a[i].text == b[i].text);
    CHECK(a[i].seq == b[i].seq);
    CHECK(a[i].date == b[i].date);
    CHECK(a[i].kind == b[i].kind);
    CHECK(a[i].framework == b[i].framework);
    CHECK(a[i].by == b[i].by);
    CHECK(a[i].ref == b[i].ref);
    CHECK(a[i].recorded_at == b[i].recorded_at);
    CHECK(a[i].supersedes == b[i].supersedes);
    CHECK(a[i].reason == b[i].reason);
  }
  SQLite::Database x((dir / "one.db").string()), y((dir / "many.db").string());
  auto terms = [](SQLite::Database& db) {
    return db.execAndGet("SELECT group_concat(id || text, ',') FROM terms").getString();
  };
  CHECK(terms(x) == terms(y));

  NewEntry fix = contact("P1", "2026-01-02", "a");
  fix.supersedes = 1;
  std::vector<const NewEntry*> corrections(40, &fix);
  auto tx = many.begin(true);
  CHECK_THROWS_AS(tx->append_all(corrections, kWhen), Error);
}

TEST_CASE(
    "a bulk write that breaks a constraint fails, and rolling back leaves the store as it was") {
  TempDir dir;
  auto store = SqliteStore::create(dir / "outcomes.db");
  std::vector<NewEntry> entries;
  for (int i = 0; i < 64; ++i) {
    auto e = contact(fmt::format("P{}", i % 3), "2026-01-01", "attended");
    e.ref = fmt::format("r{}", i);
    entries.push_back(e);
  }
  {
    auto tx = store.begin(true);
    std::vector<const NewEntry*> rows;
    for (const auto& e : entries) rows.push_back(&e);
    tx->append_all(rows, kWhen);
    tx->commit();
  }
  // The same refs again, in a group of 32 rows: the unique ref index stops the statement
  // part-way, and none of the write may survive it.
  std::vector<NewEntry> again(40, contact("P9", "2026-01-02", "missed"));
  for (int i = 0; i < 40; ++i) again[static_cast<size_t>(i)].ref = fmt::format("x{}", i);
  again[20].ref = "r5";
  {
    auto tx = store.begin(true);
    std::vector<const NewEntry*> rows;
    for (const auto& e : again) rows.push_back(&e);
    CHECK_THROWS_AS(tx->append_all(rows, kWhen), Error);
  }
  CHECK(store.entries(EntryQuery{}).size() == 64);
  CHECK_FALSE(store.has_ref("x0"));
  // The store still takes writes afterwards.
  {
    auto tx = store.begin(true);
    std::vector<const NewEntry*> rows;
    for (const auto& e : again)
      if (e.ref != "r5") rows.push_back(&e);
    tx->append_all(rows, kWhen);
    tx->commit();
  }
  CHECK(store.entries(EntryQuery{}).size() == 64 + 39);
}

TEST_CASE("a bulk write as large as the store rebuilds the entries' indexes before it commits") {
  TempDir dir;
  SqliteOptions options;
  options.rebuild_indexes_after = 40;
  auto index_sql = [&] {
    SQLite::Database db((dir / "outcomes.db").string());
    return db
        .execAndGet("SELECT group_concat(name || ': ' || sql, char(10)) FROM (SELECT name, sql "
                    "FROM sqlite_master WHERE type = 'index' AND tbl_name = 'entries' AND sql "
                    "IS NOT NULL ORDER BY name)")
        .getString();
  };
  std::vector<NewEntry> entries;
  for (int i = 0; i < 96; ++i) {
    auto e = i % 4 == 0 ? item(fmt::format("P{}", i % 7), "2026-02-01", "m1", i % 5)
                        : contact(fmt::format("P{}", i % 5), "2026-01-01", "attended");
    e.ref = i % 3 ? "" : fmt::format("r{}", i);
    entries.push_back(e);
  }
  auto rows_of = [](const std::vector<NewEntry>& list, std::size_t from, std::size_t to) {
    std::vector<const NewEntry*> rows;
    for (std::size_t i = from; i < to; ++i) rows.push_back(&list[i]);
    return rows;
  };
  std::string before;
  {
    auto store = SqliteStore::create(dir / "outcomes.db", options);
    before = index_sql();
    REQUIRE(before.find("entries_by_journey") != std::string::npos);
    auto tx = store.begin(true);
    tx->append_all(rows_of(entries, 0, 32), kWhen);
    CHECK(index_sql() == before);  // below the size: the indexes stay
    tx->append_all(rows_of(entries, 32, 64), kWhen);
    tx->append_all(rows_of(entries, 64, 96), kWhen);
    tx->commit();
  }
  CHECK(index_sql() == before);
  auto store = SqliteStore::open(dir / "outcomes.db", false, options);
  for (const auto& check : store.check_store()) CHECK_MESSAGE(check.problems.empty(), check.name);
  const auto stored = store.entries(EntryQuery{});
  REQUIRE(stored.size() == 96);
  EntryQuery of_p3;
  of_p3.people = std::vector<std::string>{"P3"};
  auto journey = store.entries(of_p3);
  CHECK(journey.size() == static_cast<std::size_t>(std::count_if(
                              entries.begin(), entries.end(),
                              [](const NewEntry& e) { return e.person == "P3"; })));
  CHECK(store.has_ref("r0"));

  SUBCASE("a write rolled back after dropping them leaves them as they were") {
    std::vector<NewEntry> more(100, contact("Q1", "2026-03-01", "attended"));
    {
      auto tx = store.begin(true);
      tx->append_all(rows_of(more, 0, 100), kWhen);
    }
    CHECK(index_sql() == before);
    CHECK(store.entries(EntryQuery{}).size() == 96);
  }
  SUBCASE("a ref stored twice is refused when the unique index is built again") {
    std::vector<NewEntry> more(100, contact("Q1", "2026-03-01", "attended"));
    for (std::size_t i = 0; i < more.size(); ++i) more[i].ref = fmt::format("q{}", i);
    more[99].ref = "r3";
    auto tx = store.begin(true);
    tx->append_all(rows_of(more, 0, 99), kWhen);  // most have refs: the ref index goes too
    tx->append_all(rows_of(more, 99, 100), kWhen);
    auto message = error_of([&] { tx->commit(); });
    CHECK(message.find("a ref of these entries is already stored") != std::string::npos);
    tx.reset();
    CHECK(index_sql() == before);
    CHECK(store.entries(EntryQuery{}).size() == 96);
  }
}

TEST_CASE("an entry's recorded_at is read from the log of writes, not stored per row") {
  TempDir dir;
  auto file = dir / "outcomes.db";
  auto store = SqliteStore::create(file);
  int64_t id = 0;
  for (const char* when : {"2026-01-02T12:00:00Z", "2026-01-03T08:30:00Z"}) {
    auto tx = store.begin();
    tx->append(contact("P1", "2026-01-01", "attended"), when);
    id = tx->append(contact("P2", "2026-01-01", "missed"), when);
    tx->commit();
  }
  SQLite::Database db(file.string());
  CHECK(db.execAndGet("SELECT count(*) FROM entries WHERE recorded_at <> ''").getInt() == 0);
  CHECK(store.entry(id)->recorded_at == "2026-01-03T08:30:00Z");
  CHECK(store.entry(1)->recorded_at == "2026-01-02T12:00:00Z");
  for (bool by_people : {false, true}) {
    EntryQuery q;
    if (by_people) q.people = std::vector<std::string>{"P1", "P2"};
    std::vector<std::string> times;
    for (const auto& e : store.entries(q)) times.push_back(e.recorded_at);
    CHECK(times == std::vector<std::string>{"2026-01-02T12:00:00Z", "2026-01-03T08:30:00Z",
                                            "2026-01-02T12:00:00Z", "2026-01-03T08:30:00Z"});
  }
}

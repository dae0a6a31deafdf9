// Moving a workspace's store between SQLite and PostgreSQL (lib/store_migrate.h), against a
// server named by OUTCOMES_TEST_PG (tests/pg/cluster.sh starts one for ctest). Cases that need
// the server exit 77 (ctest: skipped) when there is none.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <libpq-fe.h>

#include <string>
#include <vector>

#include "error.h"
#include "forget.h"
#include "store.h"
#include "store_migrate.h"
#include "pg_test_server.h"
#include "store_contract.h"
#include "test_support.h"
#include "workspace.h"

using namespace outcomes;
namespace fs = std::filesystem;

namespace {

using outcomes::testing::error_of;
using outcomes::testing::first_value;
using outcomes::testing::make;
using outcomes::testing::read_file;
using outcomes::testing::TempDir;
using outcomes::testing::TestSchema;
using outcomes::testing::contract::item;

const std::string& server() { return outcomes::testing::pg_server(); }

// The test server as a postgresql:// URI (what outcomes.yaml takes): its socket folder and
// database, from the key=value string ctest gives.
std::string server_uri() {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(server().c_str(), &error);
  REQUIRE(options);
  std::string host, user, db;
  for (PQconninfoOption* o = options; o->keyword; ++o) {
    if (!o->val) continue;
    const std::string key = o->keyword;
    if (key == "host") host = o->val;
    if (key == "user") user = o->val;
    if (key == "dbname") db = o->val;
  }
  PQconninfoFree(options);
  return fmt::format("postgresql://{}@/{}?host={}", user, db, host);
}

bool schema_exists(const std::string& schema) {
  return first_value(fmt::format("SELECT 1 FROM pg_namespace WHERE nspname = '{}'", schema)) == "1";
}

// A workspace on SQLite whose store holds a bit of everything: single entries and an import
// batch written at different times, a correction, text with tabs and line breaks, a
// framework version no entry uses any more, and an erasure (which leaves gaps in the ids).
struct Fixture {
  TempDir dir{"migrate"};
  Settings settings = default_settings("Test Service");
  int64_t batch = 0;

  Fixture() {
    write_text(dir / "outcomes.yaml", settings_to_yaml(settings));
    auto store = create_store(dir.path, settings);
    {
      auto tx = store->begin();
      tx->append(make("P001", "2026-01-05", EntryKind::Enrol), "2026-01-05T09:00:00Z");
      NewEntry note = make("P001", "2026-01-06", EntryKind::Note, "shareable");
      note.text = "tab\there\nand a new line, \\ and a quote \"";
      note.ref = "note-1";
      tx->append(note, "2026-01-05T09:00:00Z");
      NewEntry other_version = item("P002", "2026-01-07", "q1", 3, "h2");
      other_version.framework_version = "2010";
      other_version.by = "amira";
      tx->append(other_version, "2026-01-05T09:00:00Z");
      tx->commit();
    }
    {
      auto tx = store->begin(true);
      ImportBatch b{0, "entries.csv", "abc123", "2026-02-01T10:00:00Z", "dan", 0};
      batch = tx->add_batch(b);
      std::vector<NewEntry> rows = {item("P003", "2026-01-10", "q1", 2),
                                    item("P003", "2026-02-10", "q1", 4),
                                    make("P004", "2026-01-11", EntryKind::Enrol)};
      rows[0].ref = "row-1";
      rows[0].by = rows[1].by = "amira";
      std::vector<const NewEntry*> all;
      for (const auto& r : rows) all.push_back(&r);
      tx->append_all(all, "2026-02-01T10:00:00Z", batch);
      tx->complete_batch(batch, 3, std::string(64, 'a'));
      tx->commit();
    }
    {
      auto tx = store->begin();
      NewEntry fix = item("P003", "2026-01-10", "q1", 1);
      fix.by = "amira";
      fix.supersedes = 4;
      fix.reason = "typed wrong";
      tx->append(fix, "2026-03-01T08:00:00Z");
      tx->append(make("P002", "2026-03-02", EntryKind::Exit, "moved_away"),
                 "2026-03-01T08:00:00Z");
      tx->commit();
    }
    ForgetOptions forget;
    forget.person = "P002";
    forget.reason = "asked";
    forget.by = "ruth";
    forget.erased_at = "2026-04-01T12:00:00Z";
    forget_person(*store, forget);
  }

  static void write_text(const fs::path& file, const std::string& text) {
    std::ofstream out(file, std::ios::binary);
    out << text;
  }

  std::unique_ptr<JourneyStore> open() const {
    return open_store(dir.path, load_settings(dir / "outcomes.yaml"));
  }

  MigrateResult migrate(const std::string& to, const std::string& service_id = "") {
    const Settings now = load_settings(dir / "outcomes.yaml");
    auto source = open_store(dir.path, now);
    MigrateOptions options;
    options.to = to;
    options.service_id = service_id;
    return migrate_store(dir.path, now, *source, options);
  }
};

std::string digest_of(const JourneyStore& store) {
  int64_t entries = 0;
  return store_digest(store, entries);
}

std::vector<std::string> every_entry(const JourneyStore& store) {
  EntryQuery q;
  q.include_superseded = true;
  std::vector<std::string> out;
  for (const Entry& e : store.entries(q))
    out.push_back(fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}", e.id,
                              e.person, e.date.days, static_cast<int>(e.kind), e.framework,
                              e.framework_version, e.framework_hash, e.measure,
                              e.value ? std::to_string(*e.value) : "-", e.status, e.text, e.by,
                              e.ref, e.supersedes, e.reason, e.seq, e.recorded_at, e.batch,
                              e.superseded));
  return out;
}

}  // namespace

TEST_CASE("the store's lines of outcomes.yaml are replaced, every other line kept") {
  Settings s = default_settings("Test Service");
  const std::string sqlite_yaml = settings_to_yaml(s);
  Settings pg = s;
  pg.store = "postgresql://db.example.org/outcomes";
  pg.service_id = "test_service";
  const std::string pg_yaml = settings_to_yaml(pg);
  // Both ways, the text is what init would have written.
  CHECK(with_store_settings(sqlite_yaml, pg) == pg_yaml);
  CHECK(with_store_settings(pg_yaml, s) == sqlite_yaml);
  // Another PostgreSQL place replaces the lines where they are.
  Settings other = pg;
  other.service_id = "elsewhere";
  CHECK(with_store_settings(pg_yaml, other) == settings_to_yaml(other));
  // A hand-written file without the usual comments keeps its own lines.
  const std::string plain = "service: X\nstore: sqlite\nsmall_number_threshold: 5\n";
  CHECK(with_store_settings(plain, s) == "service: X\nsmall_number_threshold: 5\n");
  CHECK(with_store_settings(plain, pg) ==
        "service: X\n" + store_settings_yaml(pg) + "small_number_threshold: 5\n");
}

TEST_CASE("a bad target is refused before anything is opened or written") {
  Settings s = default_settings("Test Service");
  auto refused = [&](const std::string& to, const std::string& id = "") {
    MigrateOptions o;
    o.to = to;
    o.service_id = id;
    try {
      check_migrate_options(s, o);
    } catch (const UsageError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK(refused("mysql://db/x").find("is not a store") != std::string::npos);
  CHECK(refused("postgresql://u:secret@db/x").find("holds a password") != std::string::npos);
  CHECK(refused("sqlite").find("already there") != std::string::npos);
  CHECK(refused("sqlite", "abc").find("--service-id") != std::string::npos);
  CHECK(refused("postgresql://db/x", "Bad-Id").find("not a service id") != std::string::npos);
  CHECK(refused("postgresql://db/x") == "accepted");
  s.store = "postgresql://db/x";
  s.service_id = "svc";
  CHECK(refused("postgresql://db/x").find("already there") != std::string::npos);
  CHECK(refused("postgresql://db/x", "other") == "accepted");
  CHECK(refused("sqlite") == "accepted");
}

TEST_CASE("SQLite to PostgreSQL and back: every entry and record comes through exactly") {
  Fixture f;
  TestSchema schema;
  const std::string uri = server_uri();
  const std::string yaml_before = read_file(f.dir / "outcomes.yaml");
  std::string digest, secret;
  std::vector<std::string> entries;
  StoreRecords records;
  {
    auto sqlite = f.open();
    digest = digest_of(*sqlite);
    entries = every_entry(*sqlite);
    records = sqlite->records();
    secret = *sqlite->setting("pseudonym_secret");
  }
  REQUIRE(entries.size() == 6);  // P002's two entries erased: ids 3 and 8
  CHECK(records.erasures.size() == 1);
  CHECK(records.framework_versions.size() == 2);  // h2 only P002 used: kept, with no entries

  const auto result = f.migrate(uri, schema.name);
  CHECK(result.entries == 6);
  CHECK(result.batches == 1);
  CHECK(result.erasures == 1);
  CHECK(result.digest == digest);
  CHECK(migrate_summary(result).find(f.dir.path.string() + "/outcomes.db") != std::string::npos);
  CHECK(result.not_marked.empty());
  // The workspace now names the new store; the old one is left in place, marked as moved:
  // it refuses writes, and holds what it held.
  const Settings now = load_settings(f.dir / "outcomes.yaml");
  CHECK(now.store == uri);
  CHECK(now.service_id == schema.name);
  CHECK(fs::exists(f.dir / "outcomes.db"));
  {
    auto old = open_store(f.dir.path, f.settings);
    CHECK(every_entry(*old) == entries);
    CHECK(old->setting("moved_to") == std::optional<std::string>(result.to));
    CHECK(error_of([&] { old->begin(); }).find("this store was moved to schema") !=
          std::string::npos);
  }
  {
    auto pg = f.open();
    CHECK(digest_of(*pg) == digest);
    CHECK(every_entry(*pg) == entries);
    CHECK(*pg->setting("pseudonym_secret") == secret);
    CHECK(pg->erasures().front().person_digest == records.erasures.front().person_digest);
    // A re-import of the same file is still known by its content hash.
    REQUIRE(pg->batch_with_hash(std::string(64, 'a')));
    CHECK(pg->batch_with_hash(std::string(64, 'a'))->id == f.batch);
    CHECK(pg->has_ref("row-1"));
    // The gap stays a gap; new writes carry on after the highest id, as in the old store.
    CHECK_FALSE(pg->entry(3));
    CHECK(pg->entry(4));
    auto tx = pg->begin();
    CHECK(tx->append(make("P009", "2026-05-01", EntryKind::Enrol), "2026-05-01T00:00:00Z") ==
          8);
  }

  // Back into a new SQLite file: the old one moved away first.
  fs::rename(f.dir / "outcomes.db", f.dir / "old.db");
  const auto back = f.migrate("sqlite");
  CHECK(back.digest == digest);
  CHECK(read_file(f.dir / "outcomes.yaml") == yaml_before);
  auto sqlite = f.open();
  CHECK(digest_of(*sqlite) == digest);
  CHECK(every_entry(*sqlite) == entries);
  CHECK(sqlite->check_store().size() > 0);
  for (const auto& check : sqlite->check_store()) CHECK_MESSAGE(check.problems.empty(), check.name);
  CHECK(schema_exists(schema.name));  // the PostgreSQL copy is left for the user to drop
  Settings pg_settings = f.settings;
  pg_settings.store = uri;
  pg_settings.service_id = schema.name;
  CHECK(error_of([&] { open_store(f.dir.path, pg_settings)->begin(); })
            .find("this store was moved to " + f.dir.path.string() + "/outcomes.db") !=
        std::string::npos);
}

TEST_CASE("a target that already holds a store is refused; nothing changes") {
  Fixture f;
  TestSchema schema;
  const std::string uri = server_uri();
  const std::string yaml = read_file(f.dir / "outcomes.yaml");
  {
    Settings theirs = f.settings;
    theirs.store = uri;
    theirs.service_id = schema.name;
    auto other = create_store(f.dir.path, theirs);
    auto tx = other->begin();
    tx->append(make("Q001", "2026-01-01", EntryKind::Enrol), "2026-01-01T00:00:00Z");
    tx->commit();
  }
  const std::string error = error_of([&] { f.migrate(uri, schema.name); });
  CHECK(error.find("already there") != std::string::npos);
  CHECK(read_file(f.dir / "outcomes.yaml") == yaml);
  CHECK(first_value(fmt::format("SELECT count(*) FROM \"{}\".entries", schema.name)) == "1");

  // Into SQLite while outcomes.db is there (here: the workspace on PostgreSQL, its old file
  // left beside it).
  TestSchema moved;
  f.migrate(uri, moved.name);
  const std::string yaml_pg = read_file(f.dir / "outcomes.yaml");
  CHECK(error_of([&] { f.migrate("sqlite"); }).find("a file is already there") !=
        std::string::npos);
  CHECK(read_file(f.dir / "outcomes.yaml") == yaml_pg);
}

TEST_CASE("restoring needs a new store; a store made for a copy can be discarded") {
  Fixture f;
  auto used = f.open();
  {
    auto tx = used->begin();
    CHECK(error_of([&] { tx->restore_records(StoreRecords{}); }).find("already holds records") !=
          std::string::npos);
    CHECK(error_of([&] { tx->restore_entries({}); }).find("must follow") != std::string::npos);
  }
  CHECK(error_of([&] { used->discard_created(); }).find("only a store just created") !=
        std::string::npos);
  CHECK(used->entry_count() == 6);

  TestSchema schema;
  Settings pg = f.settings;
  pg.store = server_uri();
  pg.service_id = schema.name;
  auto made = create_store(f.dir.path, pg);
  CHECK(schema_exists(schema.name));
  made->discard_created();
  CHECK_FALSE(schema_exists(schema.name));

  TempDir other("migrate-discard");
  auto file = create_store(other / "outcomes.db");
  file->discard_created();
  CHECK(fs::is_empty(other.path));
}

TEST_CASE("a copy whose entries do not all arrive is rolled back and removed") {
  // An entry naming a batch the store does not hold cannot be committed: the restore fails
  // as a whole, in both backends.
  TestSchema schema;
  Settings pg = default_settings("Test Service");
  pg.store = server_uri();
  pg.service_id = schema.name;
  TempDir dir("migrate-bad");
  for (const Settings& where : {default_settings("Test Service"), pg}) {
    auto store = create_store(dir.path, where);
    {
      auto tx = store->begin();
      tx->restore_records(StoreRecords{});
      Entry e;
      static_cast<NewEntry&>(e) = make("P001", "2026-01-01", EntryKind::Enrol);
      e.id = 5;
      e.seq = 5;
      e.batch = 42;
      e.recorded_at = "2026-01-01T00:00:00Z";
      CHECK_THROWS_AS(
          [&] {
            tx->restore_entries({e});
            tx->commit();
          }(),
          Error);
    }
    CHECK(store->entry_count() == 0);
    store->discard_created();
  }
  CHECK_FALSE(schema_exists(schema.name));
  CHECK(fs::is_empty(dir.path));
}

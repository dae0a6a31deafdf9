// The SQLite store's schema: each version's step, and the migration that applies them.
#include "store_errors.h"
#include "store_sqlite_impl.h"

namespace outcomes {

namespace {

// The first schema: people, frameworks seen, interned terms, batches, settings, entries.
void migrate_to_1(SQLite::Database& db) {
  db.exec(R"sql(
CREATE TABLE people (
  id INTEGER PRIMARY KEY,
  ref TEXT NOT NULL UNIQUE
);
CREATE TABLE frameworks_seen (
  id INTEGER PRIMARY KEY,
  framework TEXT NOT NULL,
  version TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  UNIQUE (framework, content_hash)
);
CREATE TABLE terms (
  id INTEGER PRIMARY KEY,
  text TEXT NOT NULL UNIQUE
);
CREATE TABLE batches (
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  imported_at TEXT NOT NULL,
  "by" TEXT NOT NULL,
  "rows" INTEGER NOT NULL
);
CREATE INDEX batches_by_hash ON batches (content_hash);
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE entries (
  id INTEGER PRIMARY KEY,
  person INTEGER NOT NULL REFERENCES people,
  day INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  framework INTEGER REFERENCES frameworks_seen,
  measure INTEGER REFERENCES terms,
  value INTEGER,
  status INTEGER REFERENCES terms,
  text TEXT,
  "by" TEXT,
  ref TEXT,
  batch INTEGER REFERENCES batches,
  recorded_at TEXT NOT NULL,
  supersedes INTEGER REFERENCES entries,
  reason TEXT,
  seq INTEGER NOT NULL
);
CREATE INDEX entries_by_journey ON entries (person, day, seq);
CREATE INDEX entries_by_period ON entries (day, person);
CREATE UNIQUE INDEX entries_by_ref ON entries (ref) WHERE ref IS NOT NULL;
CREATE INDEX entries_by_supersedes ON entries (supersedes) WHERE supersedes IS NOT NULL;
INSERT INTO settings (key, value) VALUES ('pseudonym_secret', lower(hex(randomblob(32))));
)sql");
  db.exec(kAppendOnlyTriggers);
  db.exec(fmt::format("PRAGMA application_id = {}", kApplicationId));
}

// Schema 2, for speed at scale: a file import writes without the (day, person) index,
// whose random inserts cost more than the rest of the write; enrolments, exits and
// attributes get a small index of their own (who is active in a period is read from it);
// and a log of writes (the first entry id of each write and when it was recorded) finds
// the entries recorded in a period without a scan. The log is also where an entry's
// recorded_at is read from: entries written since schema 2 leave their own column empty
// (a fifth of a row's bytes), those written before keep it, and the log agrees with them.
static_assert(static_cast<int>(EntryKind::Enrol) == 0 && static_cast<int>(EntryKind::Exit) == 1 &&
                  static_cast<int>(EntryKind::Attribute) == 10,
              "entries_by_episode names the kinds by number");
void migrate_to_2(SQLite::Database& db) {
  db.exec(R"sql(
DROP INDEX entries_by_period;
CREATE INDEX entries_by_episode ON entries (kind, person, day) WHERE kind < 2 OR kind = 10;
CREATE TABLE writes (
  first_id INTEGER PRIMARY KEY,
  recorded_at TEXT NOT NULL
);
INSERT INTO writes (first_id, recorded_at)
  SELECT e.id, e.recorded_at FROM entries AS e
  WHERE NOT EXISTS (SELECT 1 FROM entries AS p WHERE p.id = e.id - 1
                    AND p.recorded_at = e.recorded_at);
)sql");
}

// Schema 3: digests became SHA-256 (64 hex digits). The 64-bit FNV-1a digests stored
// before (16 hex digits: of imported files in batches, of framework files in
// frameworks_seen) are kept, marked with the legacy prefix, so that they are never taken for
// a SHA-256 and are compared only with the legacy digest of the same bytes.
void migrate_to_3(SQLite::Database& db) {
  static_assert(kLegacyDigestPrefix == "fnv1a64:", "the SQL below writes the prefix");
  db.exec(R"sql(
UPDATE batches SET content_hash = 'fnv1a64:' || content_hash
  WHERE length(content_hash) = 16 AND content_hash NOT GLOB '*[^0-9a-f]*';
UPDATE frameworks_seen SET content_hash = 'fnv1a64:' || content_hash
  WHERE length(content_hash) = 16 AND content_hash NOT GLOB '*[^0-9a-f]*';
)sql");
}

// Schema 4: the record of erasures (a person's entries removed at their request). A row
// says when, by whom, why and how many entries, and names the person only by a keyed
// digest of the reference (lib/forget.h). The record itself is never updated or deleted.
void migrate_to_4(SQLite::Database& db) {
  db.exec(R"sql(
CREATE TABLE erasures (
  id INTEGER PRIMARY KEY,
  erased_at TEXT NOT NULL,
  "by" TEXT NOT NULL,
  reason TEXT NOT NULL,
  entries INTEGER NOT NULL,
  person_digest TEXT NOT NULL
);
CREATE INDEX erasures_by_digest ON erasures (person_digest);
)sql");
  db.exec(store_detail::append_only_triggers("erasures", "the record of erasures is append-only"));
}

// Schema 5, for reports whose cost grows with the people active in the period rather than
// with the store's history: entries_by_episode also holds every column a read of enrolments,
// exits and attributes takes (no row of the table is read to find who is active), and
// entries_by_outcome orders each person's entries other than contacts and notes, so that a
// journey can be read without the contacts and notes of the years before a period; and
// entries_by_contact_day finds who has contacts or notes dated in a period without a search
// per person.
static_assert(static_cast<int>(EntryKind::Contact) == 2 && static_cast<int>(EntryKind::Note) == 9,
              "entries_by_outcome and entries_by_contact_day name the kinds by number");
void migrate_to_5(SQLite::Database& db) {
  db.exec(R"sql(
DROP INDEX entries_by_episode;
CREATE INDEX entries_by_episode ON entries
  (kind, person, day, seq, measure, status, framework, value, batch, supersedes)
  WHERE kind < 2 OR kind = 10;
CREATE INDEX entries_by_outcome ON entries (person, day, seq) WHERE kind NOT IN (2, 9);
CREATE INDEX entries_by_contact_day ON entries (day, person) WHERE kind IN (2, 9);
)sql");
}

}  // namespace

namespace store_detail {

std::string append_only_triggers(std::string_view table, std::string_view message) {
  return fmt::format(R"sql(
CREATE TRIGGER {0}_no_update BEFORE UPDATE ON {0}
BEGIN
  SELECT RAISE(ABORT, '{1}');
END;
CREATE TRIGGER {0}_no_delete BEFORE DELETE ON {0}
BEGIN
  SELECT RAISE(ABORT, '{1}');
END;
)sql",
                     table, message);
}

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> steps = {migrate_to_1, migrate_to_2, migrate_to_3,
                                               migrate_to_4, migrate_to_5};
  return steps;
}

int migrate(SQLite::Database& db, const std::vector<Migration>& steps, const std::string& file) {
  auto target = static_cast<int>(steps.size());
  auto newer_error = [&](int version) { return newer_store_error(file, version, target); };
  int version = db.execAndGet("PRAGMA user_version").getInt();
  if (version > target) throw newer_error(version);
  if (version == target) return version;
  db.exec("BEGIN IMMEDIATE");
  try {
    // Another process may have migrated between the check and the lock.
    version = db.execAndGet("PRAGMA user_version").getInt();
    if (version > target) throw newer_error(version);
    for (int v = version; v < target; ++v) {
      steps[static_cast<size_t>(v)](db);
      db.exec(fmt::format("PRAGMA user_version = {}", v + 1));
    }
    db.exec("COMMIT");
  } catch (...) {
    try {
      db.exec("ROLLBACK");
    } catch (...) {
      // The original error is what matters.
    }
    throw;
  }
  return target;
}

}  // namespace store_detail
}  // namespace outcomes

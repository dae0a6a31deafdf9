// The journey store in SQLite: integer-coded entries, append-only, versioned schema.
#include "store_sqlite.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <limits>
#include <optional>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "error.h"
#include "hash.h"

namespace outcomes {
namespace {

// PRAGMA application_id of an outcomes store ("outc"), telling it apart from other SQLite files.
constexpr int kApplicationId = 0x6f757463;

// The guards that make entries append-only. An erasure drops them and makes them again
// inside its own transaction, so no other write ever runs without them.
constexpr const char* kAppendOnlyTriggers = R"sql(
CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
BEGIN
  SELECT RAISE(ABORT, 'entries are append-only: record a correction instead');
END;
CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
BEGIN
  SELECT RAISE(ABORT, 'entries are append-only: record a correction instead');
END;
)sql";

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
CREATE TRIGGER erasures_no_update BEFORE UPDATE ON erasures
BEGIN
  SELECT RAISE(ABORT, 'the record of erasures is append-only');
END;
CREATE TRIGGER erasures_no_delete BEFORE DELETE ON erasures
BEGIN
  SELECT RAISE(ABORT, 'the record of erasures is append-only');
END;
)sql");
}

// Restores the process umask when it goes out of scope.
class UmaskGuard {
 public:
  explicit UmaskGuard(mode_t mask) : old_(::umask(mask)) {}
  ~UmaskGuard() { ::umask(old_); }
  UmaskGuard(const UmaskGuard&) = delete;
  UmaskGuard& operator=(const UmaskGuard&) = delete;

 private:
  mode_t old_;
};

// A store error as the user should read it, naming the file.
Error store_error(const std::string& file, int code, const std::string& message) {
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Error(fmt::format(
          "{}: the store is busy: another process has been writing to it for longer than "
          "this command waits (set by OUTCOMES_WAIT, in seconds); nothing was written. Try "
          "again when it has finished ({})",
          file, message));
    case SQLITE_NOTADB:
      return Error(
          fmt::format("{}: not an outcomes store (the file is not an SQLite database)", file));
    case SQLITE_CORRUPT:
      return Error(
          fmt::format("{}: the store is damaged ({}); restore it from a backup", file, message));
    case SQLITE_CANTOPEN:
      return Error(fmt::format("{}: cannot open the store ({})", file, message));
    case SQLITE_READONLY:
      return Error(fmt::format("{}: the store cannot be written ({})", file, message));
    case SQLITE_FULL:
      return Error(fmt::format("{}: the disk is full; nothing was written ({})", file, message));
    case SQLITE_IOERR:
      return Error(fmt::format("{}: input/output error on the store ({})", file, message));
    default:
      return Error(fmt::format("{}: store error: {}", file, message));
  }
}

Error store_error(const std::string& file, const SQLite::Exception& e) {
  return store_error(file, e.getErrorCode(), e.what());
}

// True when a write failed because an entry with the same external ref is stored: another
// process stored it since this write checked (the write lock makes that rare, not impossible
// for a caller that checked outside its write).
bool is_ref_clash(const SQLite::Exception& e) {
  return e.getExtendedErrorCode() == SQLITE_CONSTRAINT_UNIQUE &&
         std::strstr(e.what(), "entries.ref") != nullptr;
}

// A raw prepared statement for the hot read path (no per-column allocations).
class RawStatement {
 public:
  RawStatement(sqlite3* db, const char* sql) : db_(db) {
    int rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
    if (rc != SQLITE_OK) throw SQLite::Exception(db, rc);
  }
  ~RawStatement() { sqlite3_finalize(stmt_); }
  RawStatement(const RawStatement&) = delete;
  RawStatement& operator=(const RawStatement&) = delete;

  sqlite3_stmt* get() const { return stmt_; }
  void reset() { sqlite3_reset(stmt_); }
  void bind(int index, int64_t value) { check(sqlite3_bind_int64(stmt_, index, value)); }
  // NULL for 0 (an id that is not there).
  void bind_id(int index, int64_t value) {
    check(value != 0 ? sqlite3_bind_int64(stmt_, index, value) : sqlite3_bind_null(stmt_, index));
  }
  void bind(int index, const std::optional<int>& value) {
    check(value ? sqlite3_bind_int(stmt_, index, *value) : sqlite3_bind_null(stmt_, index));
  }
  // NULL for "". Text is not copied: it must stay put until the statement has run.
  void bind_text(int index, const std::string& text) {
    check(text.empty() ? sqlite3_bind_null(stmt_, index)
                       : sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                                           SQLITE_STATIC));
  }
  // True for a row, false when done.
  bool step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw SQLite::Exception(db_, rc);
  }
  int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }
  bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  void text(int column, std::string& out) const {
    const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    if (data)
      out.assign(data, static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
    else
      out.clear();
  }

 private:
  void check(int rc) const {
    if (rc != SQLITE_OK) throw SQLite::Exception(db_, rc);
  }
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

struct FrameworkRow {
  std::string id, version, hash;
};

std::string column_text(const SQLite::Column& column) {
  return column.isNull() ? std::string() : column.getString();
}

}  // namespace

namespace store_detail {

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> steps = {migrate_to_1, migrate_to_2, migrate_to_3,
                                               migrate_to_4};
  return steps;
}

int migrate(SQLite::Database& db, const std::vector<Migration>& steps, const std::string& file) {
  auto target = static_cast<int>(steps.size());
  auto newer_error = [&](int version) {
    return Error(fmt::format(
        "{}: the store has schema version {}, newer than this version of outcomes knows ({}); "
        "upgrade outcomes to use it",
        file, version, target));
  };
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

namespace {
// Turns off SQLite's memory statistics before its first use: they take a global mutex
// on every allocation, a tenth of a bulk import's time, and nothing here reads them.
const std::string& configured(const std::string& file) {
  static const bool once = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);  // SQLITE_MISUSE if already initialised
    return true;
  }();
  (void)once;
  return file;
}
}  // namespace

struct SqliteStore::Impl {
  // One connection per store object, used from one thread at a time: no SQLite mutex.
  // `uri`, when given, is what SQLite opens instead of the path (with query parameters).
  Impl(const std::filesystem::path& path, int flags, SqliteOptions options,
       const std::string& uri = {})
      : file(configured(path.string())),
        db(uri.empty() ? file : uri,
           flags | SQLite::OPEN_NOMUTEX | (uri.empty() ? 0 : SQLite::OPEN_URI)),
        read_only(!(flags & SQLite::OPEN_READWRITE)),
        options(options) {
    sqlite3_busy_handler(db.getHandle(), &Impl::on_busy, this);
  }

  std::string file;
  SQLite::Database db;
  bool read_only = false;
  SqliteOptions options;
  bool in_transaction = false;
  bool in_read = false;
  bool logged_write = false;  // this transaction has a row in the log of writes
  std::string logged_at;      // the recorded_at of that row
  int64_t next_id = 1;

  // Waiting for another process's write (SQLite calls on_busy while the store is locked).
  std::chrono::steady_clock::time_point wait_started;
  std::chrono::milliseconds wait_reported{0};  // last time on_wait was told; 0 = not yet

  // SQLite's busy handler: sleeps a little and asks SQLite to try again, until the wait
  // policy's limit has passed. `count` is 0 on the first call of each wait.
  static int on_busy(void* self, int count) {
    using namespace std::chrono;
    auto& s = *static_cast<Impl*>(self);
    const auto now = steady_clock::now();
    if (count == 0) s.wait_started = now;
    const auto waited = duration_cast<milliseconds>(now - s.wait_started);
    if (waited >= s.options.wait.limit) return 0;
    if (s.options.wait.on_wait && waited >= s.wait_reported + seconds(1) &&
        waited >= seconds(1)) {
      s.wait_reported = waited;
      s.options.wait.on_wait(waited, false);
    }
    // Short sleeps at first (a single record holds the store for milliseconds), then a
    // tenth of a second between tries.
    std::this_thread::sleep_for(milliseconds(std::min(100, 1 << std::min(count, 7))));
    return 1;
  }
  // Ends a wait that on_wait was told of: tells it the wait is over.
  void waited_done() {
    if (wait_reported.count() == 0) return;
    const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - wait_started);
    wait_reported = std::chrono::milliseconds(0);
    if (options.wait.on_wait) options.wait.on_wait(waited, true);
  }

  // Ids of people, terms and framework versions already in the store (valid across
  // transactions because nothing is ever deleted; cleared when a write rolls back).
  std::unordered_map<std::string, int64_t> person_ids;
  std::unordered_map<std::string, int64_t> term_ids;
  // Framework versions seen by this connection: few, so a list searched in order (a bulk
  // write sorted by person moves between them on almost every row).
  struct FrameworkSeen {
    std::string framework, hash;
    int64_t id;
  };
  std::vector<FrameworkSeen> framework_ids;

  std::unique_ptr<SQLite::Statement> find_person, add_person, find_term, add_term, find_framework,
      add_framework, seq_of, corrected_by, find_ref;
  // The INSERTs of entries, bound through SQLite's C interface (the hot loop of an import).
  std::unique_ptr<RawStatement> insert_entry, insert_many;
  RawStatement& raw_statement(std::unique_ptr<RawStatement>& slot, const char* sql) {
    if (!slot) slot = std::make_unique<RawStatement>(db.getHandle(), sql);
    slot->reset();
    return *slot;
  }

  SQLite::Statement& statement(std::unique_ptr<SQLite::Statement>& slot, const char* sql) {
    if (!slot) slot = std::make_unique<SQLite::Statement>(db, sql);
    slot->reset();
    return *slot;
  }

  void forget_new_ids() {
    person_ids.clear();
    term_ids.clear();
    framework_ids.clear();
    for (auto* slot : {&find_person, &add_person, &find_term, &add_term, &find_framework,
                       &add_framework, &seq_of, &corrected_by, &find_ref})
      if (*slot) (*slot)->tryReset();
    for (auto* slot : {&insert_entry, &insert_many})
      if (*slot) (*slot)->reset();
  }

  // The log of writes: a row for the first entry of each run of entries recorded at one
  // time (one row per write for the CLI, which stamps a whole write alike).
  void log_write(int64_t first_id, const std::string& recorded_at) {
    if (logged_write && recorded_at == logged_at) return;
    SQLite::Statement log(db, "INSERT INTO writes (first_id, recorded_at) VALUES (?, ?)");
    log.bind(1, first_id);
    log.bind(2, recorded_at);
    log.exec();
    logged_write = true;
    logged_at = recorded_at;
  }

  // The store ids of an entry's person, framework version, measure and status (0 where the
  // entry has none), added to their tables when new; always made in this order.
  struct EntryIds {
    int64_t person = 0, framework = 0, measure = 0, status = 0;
  };
  EntryIds ids_of(const NewEntry& entry) {
    EntryIds ids;
    ids.person = person_id(entry.person);
    ids.framework = entry.framework.empty() ? 0 : framework_id(entry);
    ids.measure = entry.measure.empty() ? 0 : term_id(entry.measure);
    ids.status = entry.status.empty() ? 0 : term_id(entry.status);
    return ids;
  }

  int64_t person_id(const std::string& ref) {
    if (auto it = person_ids.find(ref); it != person_ids.end()) return it->second;
    auto& find = statement(find_person, "SELECT id FROM people WHERE ref = ?");
    find.bindNoCopy(1, ref);
    int64_t id = 0;
    if (find.executeStep()) {
      id = find.getColumn(0).getInt64();
    } else {
      auto& add = statement(add_person, "INSERT INTO people (ref) VALUES (?)");
      add.bindNoCopy(1, ref);
      add.exec();
      id = db.getLastInsertRowid();
    }
    find.reset();
    person_ids.emplace(ref, id);
    return id;
  }

  int64_t term_id(const std::string& text) {
    if (auto it = term_ids.find(text); it != term_ids.end()) return it->second;
    auto& find = statement(find_term, "SELECT id FROM terms WHERE text = ?");
    find.bindNoCopy(1, text);
    int64_t id = 0;
    if (find.executeStep()) {
      id = find.getColumn(0).getInt64();
    } else {
      auto& add = statement(add_term, "INSERT INTO terms (text) VALUES (?)");
      add.bindNoCopy(1, text);
      add.exec();
      id = db.getLastInsertRowid();
    }
    find.reset();
    term_ids.emplace(text, id);
    return id;
  }

  int64_t framework_id(const NewEntry& entry) {
    for (const auto& seen : framework_ids)
      if (seen.framework == entry.framework && seen.hash == entry.framework_hash) return seen.id;
    auto& find = statement(
        find_framework, "SELECT id FROM frameworks_seen WHERE framework = ? AND content_hash = ?");
    find.bindNoCopy(1, entry.framework);
    find.bindNoCopy(2, entry.framework_hash);
    int64_t id = 0;
    if (find.executeStep()) {
      id = find.getColumn(0).getInt64();
    } else {
      auto& add = statement(
          add_framework,
          "INSERT INTO frameworks_seen (framework, version, content_hash) VALUES (?, ?, ?)");
      add.bindNoCopy(1, entry.framework);
      add.bindNoCopy(2, entry.framework_version);
      add.bindNoCopy(3, entry.framework_hash);
      add.exec();
      id = db.getLastInsertRowid();
    }
    find.reset();
    framework_ids.push_back({entry.framework, entry.framework_hash, id});
    return id;
  }

  // Runs `body`, turning SQLite failures into Errors naming the store file.
  template <class Body>
  decltype(auto) guard(Body&& body) const {
    try {
      return body();
    } catch (const SQLite::Exception& e) {
      throw store_error(file, e);
    }
  }

  // The terms by id (index = id; "" where none).
  std::vector<std::string> load_terms() {
    std::vector<std::string> terms(1);  // 0 = none
    SQLite::Statement query(db, "SELECT id, text FROM terms ORDER BY id");
    while (query.executeStep()) {
      auto id = static_cast<size_t>(query.getColumn(0).getInt64());
      if (id >= terms.size()) terms.resize(id + 1);
      terms[id] = query.getColumn(1).getString();
    }
    return terms;
  }

  std::vector<FrameworkRow> load_frameworks() {
    std::vector<FrameworkRow> rows(1);  // 0 = none
    SQLite::Statement query(db,
                            "SELECT id, framework, version, content_hash FROM frameworks_seen "
                            "ORDER BY id");
    while (query.executeStep()) {
      auto id = static_cast<size_t>(query.getColumn(0).getInt64());
      if (id >= rows.size()) rows.resize(id + 1);
      rows[id] = {query.getColumn(1).getString(), query.getColumn(2).getString(),
                  query.getColumn(3).getString()};
    }
    return rows;
  }

  std::unordered_set<int64_t> load_superseded() {
    std::unordered_set<int64_t> ids;
    SQLite::Statement query(db, "SELECT supersedes FROM entries WHERE supersedes IS NOT NULL");
    while (query.executeStep()) ids.insert(query.getColumn(0).getInt64());
    return ids;
  }

  // The log of writes, in id order: when each entry was recorded.
  struct WriteLog {
    std::vector<int64_t> first_ids;
    std::vector<std::string> times;
  };
  // The index in `log` of the write holding entry `id`. Every entry belongs to a write (the
  // log is built from the entries on migration and extended by every append since), so
  // an entry before the first write means a damaged store.
  size_t write_of(const WriteLog& log, int64_t id) const {
    auto it = std::upper_bound(log.first_ids.begin(), log.first_ids.end(), id);
    if (it == log.first_ids.begin())
      damaged(fmt::format("entry {} is missing from the log of writes", id));
    return static_cast<size_t>(it - log.first_ids.begin()) - 1;
  }
  WriteLog load_write_log() {
    WriteLog log;
    SQLite::Statement query(db, "SELECT first_id, recorded_at FROM writes ORDER BY first_id");
    while (query.executeStep()) {
      log.first_ids.push_back(query.getColumn(0).getInt64());
      log.times.push_back(query.getColumn(1).getString());
    }
    return log;
  }

  // The entries an erasure of one person removes, and what they leave behind.
  struct ErasureSet {
    int64_t person = 0;                 // people.id; 0 when the reference is not stored
    std::vector<int64_t> erased;        // ascending
    std::vector<int64_t> unlinked;      // surviving corrections of erased entries
    std::vector<int64_t> writes;        // first_id of each write holding erased entries
    std::vector<std::pair<int64_t, int64_t>> batches;  // batch id, entries erased from it
    std::vector<int64_t> terms;         // terms the erased entries name
    ErasurePlan plan;
  };
  // Every entry naming `ref`, and every earlier version of each (a fact corrected onto the
  // person from another reference was theirs all along). A later version under another
  // reference survives as that person's entry, no longer marked as a correction.
  ErasureSet erasure_set(const std::string& ref) {
    ErasureSet set;
    {
      SQLite::Statement find(db, "SELECT id FROM people WHERE ref = ?");
      find.bind(1, ref);
      if (!find.executeStep()) return set;
      set.person = find.getColumn(0).getInt64();
    }
    std::vector<int64_t> todo;
    {
      SQLite::Statement own(db, "SELECT id FROM entries WHERE person = ?");
      own.bind(1, set.person);
      while (own.executeStep()) todo.push_back(own.getColumn(0).getInt64());
    }
    std::unordered_set<int64_t> ids;
    SQLite::Statement row(db, "SELECT supersedes, kind, day, batch, measure, status FROM entries "
                              "WHERE id = ?");
    std::unordered_map<int64_t, int64_t> batch_rows;
    std::unordered_set<int64_t> terms;
    while (!todo.empty()) {
      const int64_t id = todo.back();
      todo.pop_back();
      if (!ids.insert(id).second) continue;
      row.reset();
      row.bind(1, id);
      if (!row.executeStep()) damaged(fmt::format("entry {} is corrected but not stored", id));
      if (!row.getColumn(0).isNull()) todo.push_back(row.getColumn(0).getInt64());
      const auto kind = row.getColumn(1).getInt64();
      if (kind < 0 || kind >= kEntryKindCount)
        damaged(fmt::format("entry {} has unknown kind {}", id, kind));
      ++set.plan.by_kind[static_cast<size_t>(kind)];
      const Date day{static_cast<int32_t>(row.getColumn(2).getInt64())};
      if (!set.plan.first || day < *set.plan.first) set.plan.first = day;
      if (!set.plan.last || *set.plan.last < day) set.plan.last = day;
      if (!row.getColumn(3).isNull()) ++batch_rows[row.getColumn(3).getInt64()];
      for (int c : {4, 5})
        if (!row.getColumn(c).isNull()) terms.insert(row.getColumn(c).getInt64());
    }
    set.erased.assign(ids.begin(), ids.end());
    std::sort(set.erased.begin(), set.erased.end());
    set.plan.entries = static_cast<int64_t>(set.erased.size());
    SQLite::Statement later(db, "SELECT id FROM entries WHERE supersedes = ?");
    for (int64_t id : set.erased) {
      later.reset();
      later.bind(1, id);
      while (later.executeStep())
        if (!ids.count(later.getColumn(0).getInt64()))
          set.unlinked.push_back(later.getColumn(0).getInt64());
    }
    const WriteLog log = load_write_log();
    for (int64_t id : set.erased) {
      const int64_t first = log.first_ids[write_of(log, id)];
      if (set.writes.empty() || set.writes.back() != first) set.writes.push_back(first);
    }
    set.plan.writes = static_cast<int64_t>(set.writes.size());
    set.batches.assign(batch_rows.begin(), batch_rows.end());
    std::sort(set.batches.begin(), set.batches.end());
    set.plan.batches = static_cast<int64_t>(set.batches.size());
    set.terms.assign(terms.begin(), terms.end());
    std::sort(set.terms.begin(), set.terms.end());
    return set;
  }

  // The number of erasures recorded when this connection last began a write: the ids it
  // keeps of people and terms hold only while none has been erased since.
  int64_t erasures_seen = -1;

  [[noreturn]] void damaged(const std::string& what) const {
    throw Error(fmt::format("{}: the store is damaged ({}); restore it from a backup", file, what));
  }
};

namespace {

// Reads one entry row (columns as in kEntryColumns) into `e` (person set by the caller).
constexpr const char* kEntryColumns =
    "id, day, kind, framework, measure, value, status, text, \"by\", ref, batch, recorded_at, "
    "supersedes, reason, seq";

// The framework and term ids of the row last read into an Entry: rows read one after
// another into the same Entry skip copying the strings that did not change.
struct LastIds {
  int64_t framework = -1, measure = -1, status = -1;  // -1: unknown; 0: none
};

void read_entry_row(const RawStatement& row, const std::vector<std::string>& terms,
                    const std::vector<FrameworkRow>& frameworks, const SqliteStore::Impl& impl,
                    Entry& e, LastIds* last = nullptr) {
  auto unchanged = [&](int64_t id, int64_t LastIds::*field) {
    if (!last) return false;
    if (last->*field == id) return true;
    last->*field = id;
    return false;
  };
  auto term = [&](int column, std::string& out, int64_t LastIds::*field) {
    const bool null = row.is_null(column);
    const auto id = null ? 0 : row.integer(column);
    if (!null && id <= 0) impl.damaged(fmt::format("entry {} names unknown term {}", e.id, id));
    if (unchanged(id, field)) return;
    if (null) {
      out.clear();
      return;
    }
    if (static_cast<size_t>(id) >= terms.size())
      impl.damaged(fmt::format("entry {} names unknown term {}", e.id, id));
    out = terms[static_cast<size_t>(id)];
  };
  e.id = row.integer(0);
  e.date = Date{static_cast<int32_t>(row.integer(1))};
  auto kind = row.integer(2);
  if (kind < 0 || kind >= kEntryKindCount)
    impl.damaged(fmt::format("entry {} has unknown kind {}", e.id, kind));
  e.kind = static_cast<EntryKind>(kind);
  const bool no_framework = row.is_null(3);
  const auto framework = no_framework ? 0 : row.integer(3);
  if (!no_framework && framework <= 0)
    impl.damaged(fmt::format("entry {} names unknown framework {}", e.id, framework));
  if (unchanged(framework, &LastIds::framework)) {
    // The same framework as the row before.
  } else if (no_framework) {
    e.framework.clear();
    e.framework_version.clear();
    e.framework_hash.clear();
  } else {
    if (static_cast<size_t>(framework) >= frameworks.size())
      impl.damaged(fmt::format("entry {} names unknown framework {}", e.id, framework));
    const auto& fw = frameworks[static_cast<size_t>(framework)];
    e.framework = fw.id;
    e.framework_version = fw.version;
    e.framework_hash = fw.hash;
  }
  term(4, e.measure, &LastIds::measure);
  if (row.is_null(5))
    e.value.reset();
  else
    e.value = static_cast<int>(row.integer(5));
  term(6, e.status, &LastIds::status);
  row.text(7, e.text);
  row.text(8, e.by);
  row.text(9, e.ref);
  e.batch = row.is_null(10) ? 0 : row.integer(10);
  // recorded_at (column 11) is the caller's: it comes from the log of writes.
  e.supersedes = row.is_null(12) ? 0 : row.integer(12);
  row.text(13, e.reason);
  e.seq = row.integer(14);
}

// What the first 100 bytes of a file (SQLite's database header) say it is.
enum class StoreHeader { Store, Empty, NotSqlite, OtherSqlite, Unsure };

std::uint32_t big_endian(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

// Reads the header without SQL, which would take an empty file for an empty database and
// would write to a foreign one (journal mode, schema) before its pragmas could be asked.
// user_version is at offset 60 and application_id at 68, both big-endian. A database in WAL
// mode (offset 18 holds 2) may have newer pages, its header among them, in its -wal file:
// then the header read here may be stale, and only SQLite can say (Unsure).
// The bytes are read through SQLite's own file layer, not open(2)/close(2): closing a
// descriptor of the file would drop every POSIX lock this process holds on it, those of
// a connection already open to the store among them (an import opens a reader while it
// writes), and another process could then take that connection for gone.
StoreHeader read_store_header(const std::string& file) {
  configured(file);  // before SQLite's first use
  sqlite3_vfs* vfs = sqlite3_vfs_find(nullptr);
  if (!vfs) throw Error(fmt::format("{}: cannot open the store: no SQLite file layer", file));
  std::vector<unsigned char> handle(static_cast<std::size_t>(vfs->szOsFile));
  auto* f = reinterpret_cast<sqlite3_file*>(handle.data());
  int flags = 0;
  if (vfs->xOpen(vfs, file.c_str(), f, SQLITE_OPEN_READONLY | SQLITE_OPEN_MAIN_DB, &flags) !=
      SQLITE_OK) {
    if (f->pMethods) f->pMethods->xClose(f);
    throw Error(fmt::format("{}: cannot open the store: {}", file, std::strerror(errno)));
  }
  sqlite3_int64 size = 0;
  const bool sized = f->pMethods->xFileSize(f, &size) == SQLITE_OK;
  unsigned char header[100] = {};
  // A short read fills the rest with zeros and says so; the size tells how much was there.
  const int rc = f->pMethods->xRead(f, header, sizeof header, 0);
  f->pMethods->xClose(f);
  if (!sized || (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ))
    throw Error(fmt::format("{}: cannot read the store", file));
  const std::size_t got = static_cast<std::size_t>(std::min<sqlite3_int64>(size, sizeof header));
  if (got == 0) return StoreHeader::Empty;
  static constexpr char kMagic[] = "SQLite format 3";  // with its NUL: 16 bytes
  if (got < sizeof header || std::memcmp(header, kMagic, sizeof kMagic) != 0)
    return StoreHeader::NotSqlite;
  if (big_endian(header + 68) == static_cast<std::uint32_t>(kApplicationId) &&
      big_endian(header + 60) != 0)
    return StoreHeader::Store;
  std::error_code ec;
  if (header[18] == 2 && std::filesystem::file_size(file + "-wal", ec) > 0 && !ec)
    return StoreHeader::Unsure;
  return StoreHeader::OtherSqlite;
}

Error not_a_store(const std::string& file, StoreHeader header) {
  switch (header) {
    case StoreHeader::Empty:
      return Error(fmt::format("{}: not an outcomes store (the file is empty)", file));
    case StoreHeader::NotSqlite:
      return Error(
          fmt::format("{}: not an outcomes store (the file is not an SQLite database)", file));
    default:
      return Error(fmt::format(
          "{}: not an outcomes store (an SQLite database made by something else)", file));
  }
}

// True when SQLite's connection holds an outcomes store (any schema version).
bool holds_store(SQLite::Database& db) {
  return db.execAndGet("PRAGMA user_version").getInt() != 0 &&
         db.execAndGet("PRAGMA application_id").getInt() == kApplicationId;
}

// A file: URI naming `file`, every byte outside the unreserved set percent-encoded.
std::string file_uri(const std::string& file) {
  std::string uri = "file:";
  for (unsigned char c : file) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~')
      uri += static_cast<char>(c);
    else
      uri += fmt::format("%{:02X}", c);
  }
  return uri;
}

// How a read-only connection opens `file`. A store in WAL mode is read through its -shm
// file, which SQLite makes beside it when missing; in a folder this process may not write
// (a read-only share, a copied backup), with no -wal file holding pages not yet copied
// into the store, the store is opened as immutable instead: read as it is, with no -shm.
// Returns "" for an ordinary open.
std::string read_only_uri(const std::string& file) {
  std::filesystem::path folder = std::filesystem::path(file).parent_path();
  if (folder.empty()) folder = ".";
  if (::access(folder.c_str(), W_OK) == 0) return {};
  std::error_code ec;
  if (std::filesystem::exists(file + "-shm", ec)) return {};
  const auto wal = std::filesystem::file_size(file + "-wal", ec);
  if (!ec && wal > 0)
    throw Error(fmt::format(
        "{}: the store's log ({}-wal) holds changes not yet in the store, and the folder "
        "cannot be written to read them; open it once where it can be written",
        file, file));
  return file_uri(file) + "?immutable=1";
}

void apply_pragmas(SQLite::Database& db, bool read_only) {
  db.exec("PRAGMA foreign_keys = ON");
  if (!read_only) {
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
  }
  // A larger page cache keeps the index pages of a big import in memory.
  db.exec("PRAGMA cache_size = -32768");
  db.exec("PRAGMA temp_store = MEMORY");
  // Reads map the file instead of copying pages through read(2).
  db.exec("PRAGMA mmap_size = 1073741824");
}

}  // namespace

SqliteStore::SqliteStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteStore::SqliteStore(SqliteStore&&) noexcept = default;
SqliteStore& SqliteStore::operator=(SqliteStore&&) noexcept = default;
SqliteStore::~SqliteStore() = default;

int SqliteStore::schema_version() {
  return static_cast<int>(store_detail::migrations().size());
}

SqliteStore SqliteStore::create(const std::filesystem::path& file, SqliteOptions options) {
  const std::string name = file.string();
  // Owner-only from the first byte: the file exists with mode 0600 before SQLite opens
  // it, and the umask covers the -wal and -shm files SQLite makes beside it.
  UmaskGuard umask_guard(077);
  int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST)
      throw Error(fmt::format("{}: a file is already there; refusing to replace it", name));
    throw Error(fmt::format("{}: cannot create the store: {}", name, std::strerror(errno)));
  }
  ::close(fd);
  try {
    auto impl = std::make_unique<Impl>(file, SQLite::OPEN_READWRITE, options);
    impl->guard([&] {
      // 16 KiB pages (set before anything is written): a bulk import spends a fifth less
      // time in SQLite than with 4 KiB pages, and a person's entries span fewer pages.
      impl->db.exec("PRAGMA page_size = 16384");
      apply_pragmas(impl->db, false);
      store_detail::migrate(impl->db, store_detail::migrations(), name);
    });
    return SqliteStore(std::move(impl));
  } catch (const SQLite::Exception& e) {
    std::error_code ignored;
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(name + suffix, ignored);
    throw store_error(name, e);
  } catch (...) {
    std::error_code ignored;
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(name + suffix, ignored);
    throw;
  }
}

SqliteStore SqliteStore::open(const std::filesystem::path& file, bool read_only,
                              SqliteOptions options) {
  const std::string name = file.string();
  std::error_code ec;
  if (!std::filesystem::exists(file, ec))
    throw Error(
        fmt::format("{}: no journey store here (a workspace's store is made by "
                    "'outcomes init')",
                    name));
  if (std::filesystem::is_directory(file, ec))
    throw Error(fmt::format("{}: not an outcomes store (it is a folder)", name));
  // Nothing is written to a file (not even the journal mode) until it is known to be
  // a store.
  StoreHeader header = read_store_header(name);
  if (header != StoreHeader::Store && header != StoreHeader::Unsure)
    throw not_a_store(name, header);
  UmaskGuard umask_guard(077);
  try {
    if (header == StoreHeader::Unsure) {
      Impl probe(file, SQLite::OPEN_READONLY, options);
      if (!holds_store(probe.db)) throw not_a_store(name, StoreHeader::OtherSqlite);
    }
    auto impl = std::make_unique<Impl>(
        file, read_only ? SQLite::OPEN_READONLY : SQLite::OPEN_READWRITE, options,
        read_only ? read_only_uri(name) : std::string());
    auto& db = impl->db;
    if (!holds_store(db)) throw not_a_store(name, StoreHeader::OtherSqlite);
    apply_pragmas(db, read_only);
    int version = db.execAndGet("PRAGMA user_version").getInt();
    if (version > schema_version())
      throw Error(fmt::format(
          "{}: the store has schema version {}, newer than this version of outcomes knows "
          "({}); upgrade outcomes to use it",
          name, version, schema_version()));
    if (version < schema_version()) {
      if (read_only)
        throw Error(
            fmt::format("{}: the store has schema version {} and needs upgrading to {}; "
                        "run a command that writes (e.g. 'outcomes record') first",
                        name, version, schema_version()));
      store_detail::migrate(db, store_detail::migrations(), name);
    }
    return SqliteStore(std::move(impl));
  } catch (const SQLite::Exception& e) {
    throw store_error(name, e);
  }
}

namespace {

constexpr int kRowsPerInsert = 32;

// The fields of one new entry that vary from entry to entry, as kEntryFields parameters.
constexpr int kEntryFields = 11;
constexpr const char* kInsertInto =
    "INTO entries (id, person, day, kind, framework, measure, value, status, text, \"by\", "
    "ref, batch, recorded_at, supersedes, reason, seq) VALUES ";

// Binds an entry's fields to parameters base+1 … base+kEntryFields.
void bind_fields(RawStatement& insert, int base, const NewEntry& entry, int64_t id,
                 const SqliteStore::Impl::EntryIds& ids) {
  insert.bind(base + 1, id);
  insert.bind(base + 2, ids.person);
  insert.bind(base + 3, entry.date.days);
  insert.bind(base + 4, static_cast<int64_t>(entry.kind));
  insert.bind_id(base + 5, ids.framework);
  insert.bind_id(base + 6, ids.measure);
  insert.bind(base + 7, entry.value);
  insert.bind_id(base + 8, ids.status);
  insert.bind_text(base + 9, entry.text);
  insert.bind_text(base + 10, entry.by);
  insert.bind_text(base + 11, entry.ref);
}

// INSERT of one entry: its fields, then batch, supersedes, reason and seq. recorded_at is
// left empty: the write's row in the log of writes holds it.
std::string insert_sql() {
  return fmt::format(
      "INSERT {}(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, '', ?13, ?14, ?15)",
      kInsertInto);
}

// INSERT of kRowsPerInsert bulk entries. A bulk entry is never a correction, so those
// columns are NULL; the batch is parameter 1, shared by every row; each row then has
// kEntryFields parameters, its id doubling as its seq.
// OR FAIL: a plain INSERT of many rows must be able to undo its own earlier rows when a
// later one breaks a constraint, so SQLite copies every page it first touches into a
// statement journal (a 16 KiB copy per page, per statement: a sixth of an import's
// time). A bulk write is all-or-nothing as a whole instead: any failure ends it and the
// caller rolls the whole transaction back, so the statement need not undo itself.
std::string bulk_insert_sql() {
  std::string sql = fmt::format("INSERT OR FAIL {}", kInsertInto);
  for (int r = 0; r < kRowsPerInsert; ++r) {
    const int b = 1 + r * kEntryFields;
    sql += fmt::format(
        "{}(?{}, ?{}, ?{}, ?{}, ?{}, ?{}, ?{}, ?{}, ?{}, ?{}, ?{}, ?1, '', NULL, NULL, ?{})",
        r == 0 ? "" : ", ", b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7, b + 8, b + 9, b + 10,
        b + 11, b + 1);
  }
  return sql;
}

}  // namespace

// --- writing

namespace {

// A write on one connection: BEGIN IMMEDIATE, then COMMIT or ROLLBACK.
class SqliteTransaction final : public StoreTransaction {
 public:
  // A bulk write (a file import) skips SQLite's per-row foreign key checks: every id it
  // writes comes from the store's own tables in the same transaction.
  SqliteTransaction(SqliteStore::Impl& store, bool bulk);
  ~SqliteTransaction() override;
  int64_t append(const NewEntry& entry, const std::string& recorded_at,
                 int64_t batch) override;
  void append_all(const std::vector<const NewEntry*>& entries, const std::string& recorded_at,
                  int64_t batch) override;
  int64_t add_batch(const ImportBatch& batch) override;
  void complete_batch(int64_t batch, int64_t rows, const std::string& content_hash) override;
  ErasurePlan erase_person(const std::string& person, ErasureRecord record) override;
  void commit() override;

 private:
  void finish();
  SqliteStore::Impl& s_;
  bool done_ = false;
  bool bulk_ = false;
};

SqliteTransaction::SqliteTransaction(SqliteStore::Impl& store, bool bulk)
    : s_(store), bulk_(bulk) {
  SqliteStore::Impl& s = s_;
  if (s.read_only) throw Error(fmt::format("{}: the store was opened read-only", s.file));
  if (s.in_transaction || s.in_read)
    throw Error(fmt::format("{}: a write is already in progress on this store", s.file));
  s.guard([&] {
    // The pragma is a no-op inside a transaction, so it is set before BEGIN.
    if (bulk_) s.db.exec("PRAGMA foreign_keys = OFF");
    try {
      s.db.exec("BEGIN IMMEDIATE");
      s.waited_done();
    } catch (...) {
      s.waited_done();
      if (bulk_) s.db.exec("PRAGMA foreign_keys = ON");
      throw;
    }
    try {
      s.next_id = s.db.execAndGet("SELECT COALESCE(MAX(id), 0) + 1 FROM entries").getInt64();
      // An erasure (by any process) removes people and terms: ids cached before it may
      // name nothing, or something else, now.
      const int64_t erasures = s.db.execAndGet("SELECT COUNT(*) FROM erasures").getInt64();
      if (erasures != s.erasures_seen) {
        s.forget_new_ids();
        s.erasures_seen = erasures;
      }
    } catch (...) {
      s.db.exec("ROLLBACK");
      if (bulk_) s.db.exec("PRAGMA foreign_keys = ON");
      throw;
    }
  });
  s.in_transaction = true;
  s.logged_write = false;
}

void SqliteTransaction::finish() {
  SqliteStore::Impl& s = s_;
  done_ = true;
  s.in_transaction = false;
  if (bulk_) {
    try {
      s.db.exec("PRAGMA foreign_keys = ON");
    } catch (...) {
      // Only reachable when the connection is unusable; the next open sets it again.
    }
  }
}

SqliteTransaction::~SqliteTransaction() {
  if (done_) return;
  SqliteStore::Impl& s = s_;
  s.forget_new_ids();
  try {
    s.db.exec("ROLLBACK");
  } catch (...) {
    // Nothing more can be done in a destructor; SQLite rolls back on close anyway.
  }
  finish();
}

int64_t SqliteTransaction::append(const NewEntry& entry, const std::string& recorded_at,
                                          int64_t batch) {
  SqliteStore::Impl& s = s_;
  if (done_) throw Error(fmt::format("{}: append after the write was committed", s.file));
  return s.guard([&]() -> int64_t {
    const int64_t id = s.next_id;
    int64_t seq = id;
    if (entry.supersedes != 0) {
      auto& find = s.statement(s.seq_of, "SELECT seq FROM entries WHERE id = ?");
      find.bind(1, entry.supersedes);
      if (!find.executeStep())
        throw Error(fmt::format("{}: entry {} does not exist, so it cannot be corrected", s.file,
                                entry.supersedes));
      seq = find.getColumn(0).getInt64();
      find.reset();
      auto& later = s.statement(s.corrected_by,
                                "SELECT id FROM entries WHERE supersedes = ? ORDER BY id LIMIT 1");
      later.bind(1, entry.supersedes);
      if (later.executeStep()) {
        auto by = later.getColumn(0).getInt64();
        later.reset();
        throw Error(fmt::format("{}: entry {} was already corrected by entry {}; correct that one",
                                s.file, entry.supersedes, by));
      }
      later.reset();
    }
    const auto ids = s.ids_of(entry);
    static const std::string sql = insert_sql();
    auto& insert = s.raw_statement(s.insert_entry, sql.c_str());
    bind_fields(insert, 0, entry, id, ids);
    insert.bind_id(12, batch);
    insert.bind_id(13, entry.supersedes);
    insert.bind_text(14, entry.reason);
    insert.bind(15, seq);
    try {
      insert.step();
    } catch (const SQLite::Exception& e) {
      insert.reset();
      if (is_ref_clash(e))
        throw InvalidInput(
            fmt::format("ref '{}' is already stored; nothing was written", entry.ref));
      throw;
    }
    insert.reset();
    s.log_write(id, recorded_at);
    s.next_id = id + 1;
    return id;
  });
}

void SqliteTransaction::append_all(const std::vector<const NewEntry*>& entries,
                                           const std::string& recorded_at, int64_t batch) {
  SqliteStore::Impl& s = s_;
  if (done_) throw Error(fmt::format("{}: append after the write was committed", s.file));
  for (const NewEntry* e : entries)
    if (e->supersedes != 0 || !e->reason.empty())
      throw Error(fmt::format("{}: a correction cannot be part of a bulk write", s.file));
  // Many rows a statement: each statement's fixed cost (opening a cursor on the table and
  // each index, ending the statement) is paid once for the group, not once a row. This is
  // the hot loop of an import, so it binds through SQLite's C interface directly.
  std::size_t i = 0;
  s.guard([&] {
    static const std::string sql = bulk_insert_sql();
    RawStatement& insert = s.raw_statement(s.insert_many, sql.c_str());
    insert.bind_id(1, batch);
    for (; i + kRowsPerInsert <= entries.size(); i += kRowsPerInsert) {
      // The entries of a sorted chunk lie far apart in memory; ask for the next group's
      // early, so its reads do not stall this one.
      if (i + 2 * kRowsPerInsert <= entries.size())
        for (int r = 0; r < kRowsPerInsert; ++r) {
          const char* next = reinterpret_cast<const char*>(entries[i + kRowsPerInsert + r]);
          for (std::size_t off = 0; off < sizeof(NewEntry); off += 64)
            __builtin_prefetch(next + off);
        }
      for (int r = 0; r < kRowsPerInsert; ++r) {
        const NewEntry& e = *entries[i + static_cast<std::size_t>(r)];
        bind_fields(insert, 1 + r * kEntryFields, e, s.next_id + r, s.ids_of(e));
      }
      try {
        insert.step();
      } catch (const SQLite::Exception& e) {
        insert.reset();
        if (is_ref_clash(e))
          throw InvalidInput("a ref of these entries is already stored; nothing was written");
        throw;
      }
      insert.reset();
      s.log_write(s.next_id, recorded_at);
      s.next_id += kRowsPerInsert;
    }
  });
  for (; i < entries.size(); ++i) append(*entries[i], recorded_at, batch);
}

int64_t SqliteTransaction::add_batch(const ImportBatch& batch) {
  SqliteStore::Impl& s = s_;
  if (done_) throw Error(fmt::format("{}: add_batch after the write was committed", s.file));
  return s.guard([&] {
    SQLite::Statement insert(s.db,
                             "INSERT INTO batches (source, content_hash, imported_at, \"by\", "
                             "\"rows\") VALUES (?, ?, ?, ?, ?)");
    insert.bind(1, batch.source);
    insert.bind(2, batch.content_hash);
    insert.bind(3, batch.imported_at);
    insert.bind(4, batch.by);
    insert.bind(5, batch.rows);
    insert.exec();
    return s.db.getLastInsertRowid();
  });
}

void SqliteTransaction::complete_batch(int64_t batch, int64_t rows,
                                               const std::string& content_hash) {
  SqliteStore::Impl& s = s_;
  if (done_) throw Error(fmt::format("{}: complete_batch after the write was committed", s.file));
  s.guard([&] {
    SQLite::Statement update(s.db,
                             "UPDATE batches SET \"rows\" = ?, content_hash = ? WHERE id = ?");
    update.bind(1, rows);
    update.bind(2, content_hash);
    update.bind(3, batch);
    update.exec();
  });
}

ErasurePlan SqliteTransaction::erase_person(const std::string& person, ErasureRecord record) {
  SqliteStore::Impl& s = s_;
  if (done_) throw Error(fmt::format("{}: erase_person after the write was committed", s.file));
  return s.guard([&] {
    // Deleted rows are overwritten with zeros, not just marked free.
    s.db.exec("PRAGMA secure_delete = ON");
    auto set = s.erasure_set(person);
    // The one write allowed past the append-only guards, inside this transaction only.
    s.db.exec("DROP TRIGGER entries_no_update; DROP TRIGGER entries_no_delete;");
    {
      SQLite::Statement unlink(s.db, "UPDATE entries SET supersedes = NULL WHERE id = ?");
      for (int64_t id : set.unlinked) {
        unlink.reset();
        unlink.bind(1, id);
        unlink.exec();
      }
      // Latest first: a correction goes before the entry it corrects.
      SQLite::Statement erase(s.db, "DELETE FROM entries WHERE id = ?");
      for (auto it = set.erased.rbegin(); it != set.erased.rend(); ++it) {
        erase.reset();
        erase.bind(1, *it);
        erase.exec();
      }
    }
    s.db.exec(kAppendOnlyTriggers);
    if (set.person != 0) {
      SQLite::Statement drop(s.db, "DELETE FROM people WHERE id = ?");
      drop.bind(1, set.person);
      drop.exec();
    }
    {
      SQLite::Statement unused(s.db,
                               "DELETE FROM terms WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM "
                               "entries WHERE measure = ?1) AND NOT EXISTS (SELECT 1 FROM "
                               "entries WHERE status = ?1)");
      for (int64_t id : set.terms) {
        unused.reset();
        unused.bind(1, id);
        unused.exec();
      }
    }
    {
      // A batch left with rows of others keeps them counted; its file's digest goes (it is
      // a fingerprint of the person's rows too), so an import of that file again is
      // checked row by row, and their rows refused, instead of being skipped as known.
      SQLite::Statement rows(s.db, "SELECT \"rows\" FROM batches WHERE id = ?");
      SQLite::Statement drop(s.db, "DELETE FROM batches WHERE id = ?");
      SQLite::Statement lower(s.db,
                              "UPDATE batches SET \"rows\" = \"rows\" - ?1, content_hash = '', "
                              "source = replace(source, ?2, '[erased]') WHERE id = ?3");
      for (const auto& [batch, erased] : set.batches) {
        rows.reset();
        rows.bind(1, batch);
        if (!rows.executeStep()) continue;
        const int64_t left = rows.getColumn(0).getInt64() - erased;
        rows.reset();
        if (left <= 0) {
          drop.reset();
          drop.bind(1, batch);
          drop.exec();
        } else {
          lower.reset();
          lower.bind(1, erased);
          lower.bind(2, person);
          lower.bind(3, batch);
          lower.exec();
        }
      }
    }
    {
      // A write of the log with no entry left would still say when something about the
      // person was recorded.
      SQLite::Statement empty(
          s.db,
          "DELETE FROM writes WHERE first_id = ?1 AND NOT EXISTS (SELECT 1 FROM entries WHERE "
          "id >= ?1 AND id < coalesce((SELECT min(first_id) FROM writes WHERE first_id > ?1), "
          "9223372036854775807))");
      for (int64_t first : set.writes) {
        empty.reset();
        empty.bind(1, first);
        empty.exec();
      }
    }
    record.entries = set.plan.entries;
    SQLite::Statement add(s.db,
                          "INSERT INTO erasures (erased_at, \"by\", reason, entries, person_digest) "
                          "VALUES (?, ?, ?, ?, ?)");
    add.bind(1, record.erased_at);
    add.bind(2, record.by);
    add.bind(3, record.reason);
    add.bind(4, record.entries);
    add.bind(5, record.person_digest);
    add.exec();
    // The ids this connection kept of people and terms may name rows gone now.
    s.forget_new_ids();
    s.erasures_seen = -1;
    return set.plan;
  });
}

void SqliteTransaction::commit() {
  SqliteStore::Impl& s = s_;
  if (done_) return;
  try {
    s.guard([&] { s.db.exec("COMMIT"); });
  } catch (...) {
    s.waited_done();
    throw;
  }
  s.waited_done();
  finish();
}

}  // namespace

std::unique_ptr<StoreTransaction> SqliteStore::begin(bool bulk) {
  return std::make_unique<SqliteTransaction>(*impl_, bulk);
}

const std::string& SqliteStore::file() const {
  return impl_->file;
}

std::unique_ptr<JourneyStore> SqliteStore::open_reader() const {
  return std::make_unique<SqliteStore>(open(impl_->file, true, impl_->options));
}

// --- reading

namespace {
// Marks a read in progress and, outside a write, holds one read transaction so a whole
// read sees one consistent snapshot.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(SqliteStore::Impl& s) : s_(s) {
    if (!s_.in_transaction && !s_.in_read) {
      s_.db.exec("BEGIN");
      own_ = true;
    }
    was_reading_ = s_.in_read;
    s_.in_read = true;
  }
  ~ReadSnapshot() {
    s_.in_read = was_reading_;
    if (own_) {
      try {
        s_.db.exec("COMMIT");
      } catch (...) {
        // A read transaction has nothing to lose.
      }
    }
  }
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;

 private:
  SqliteStore::Impl& s_;
  bool own_ = false;
  bool was_reading_ = false;
};
}  // namespace

namespace {

// One entry held compactly while a whole-store read is put into journey order.
struct PackedEntry {
  int64_t id = 0;
  int64_t seq = 0;
  int64_t supersedes = 0;
  int64_t batch = 0;
  uint64_t texts = 0;  // offset of text, ref and reason in the TextArena; 0 when all empty
  int32_t day = 0;
  int32_t value = 0;
  uint32_t rank = 0;  // the person's place in code point order of references
  uint32_t framework = 0;
  uint32_t measure = 0;
  uint32_t status = 0;
  uint32_t by = 0;           // index into the interned "by" values
  uint32_t recorded_at = 0;  // index into the log of writes
  uint8_t kind = 0;
  bool has_value = false;
  bool superseded = false;
};

// Length-prefixed strings appended in one buffer (offset 0 is reserved for "none").
class TextArena {
 public:
  TextArena() : bytes_(1, '\0') {}
  uint64_t add(const RawStatement& row, std::initializer_list<int> columns) {
    bool any = false;
    for (int c : columns) any = any || sqlite3_column_bytes(row.get(), c) > 0;
    if (!any) return 0;
    uint64_t offset = bytes_.size();
    for (int c : columns) {
      const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(row.get(), c));
      auto size = static_cast<uint32_t>(sqlite3_column_bytes(row.get(), c));
      bytes_.append(reinterpret_cast<const char*>(&size), sizeof size);
      if (size) bytes_.append(data, size);
    }
    return offset;
  }
  // Reads the strings at `offset` into `out` (all cleared when offset is 0).
  void get(uint64_t offset, std::initializer_list<std::string*> out) const {
    for (auto* s : out) {
      if (offset == 0) {
        s->clear();
        continue;
      }
      uint32_t size = 0;
      std::memcpy(&size, bytes_.data() + offset, sizeof size);
      offset += sizeof size;
      s->assign(bytes_.data() + offset, size);
      offset += size;
    }
  }
  void clear() { bytes_.resize(1); }

 private:
  std::string bytes_;
};

// Interns a repeated text column (who recorded, when) as small numbers.
class Interner {
 public:
  Interner() : values_(1) {}  // 0 = empty
  uint32_t add(const RawStatement& row, int column) {
    const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(row.get(), column));
    auto size = static_cast<size_t>(sqlite3_column_bytes(row.get(), column));
    if (!data || size == 0) return 0;
    std::string_view text(data, size);
    if (last_ && values_[last_] == text) return last_;
    auto it = ids_.find(std::string(text));
    if (it == ids_.end()) {
      it = ids_.emplace(std::string(text), static_cast<uint32_t>(values_.size())).first;
      values_.emplace_back(text);
    }
    last_ = it->second;
    return last_;
  }
  const std::string& operator[](uint32_t id) const { return values_[id]; }

 private:
  std::vector<std::string> values_;
  std::unordered_map<std::string, uint32_t> ids_;
  uint32_t last_ = 0;
};

}  // namespace

namespace {

// " AND kind IN (…)" for a kinds filter; "" without one.
std::string kinds_clause(const EntryQuery& query) {
  if (!query.kinds) return "";
  std::string in;
  for (EntryKind k : *query.kinds)
    in += fmt::format("{}{}", in.empty() ? "" : ", ", static_cast<int>(k));
  return in.empty() ? " AND 0" : fmt::format(" AND kind IN ({})", in);
}

// True when only enrolments, exits and attributes are asked for (entries_by_episode).
bool episode_kinds_only(const EntryQuery& query) {
  if (!query.kinds) return false;
  return std::all_of(query.kinds->begin(), query.kinds->end(), [](EntryKind k) {
    return k == EntryKind::Enrol || k == EntryKind::Exit || k == EntryKind::Attribute;
  });
}

// The id ranges [first, last] of the writes recorded in the query's recorded_at bounds
// (adjacent writes merged into one range).
std::vector<std::pair<int64_t, int64_t>> recorded_ranges(const SqliteStore::Impl::WriteLog& log,
                                                         const EntryQuery& query) {
  std::vector<std::pair<int64_t, int64_t>> ranges;
  bool open = false;
  for (size_t w = 0; w < log.first_ids.size(); ++w) {
    const int64_t first = log.first_ids[w];
    const std::string& at = log.times[w];
    if (open) ranges.back().second = first - 1;
    open = (!query.recorded_from || at >= *query.recorded_from) &&
           (!query.recorded_to || at <= *query.recorded_to);
    if (open) {
      if (!ranges.empty() && ranges.back().second == first - 1)
        ranges.back().second = std::numeric_limits<int64_t>::max();  // extends the last range
      else
        ranges.emplace_back(first, std::numeric_limits<int64_t>::max());
    }
  }
  return ranges;
}

}  // namespace

void SqliteStore::for_each_entry(const EntryQuery& query,
                                  const std::function<void(const Entry&)>& visit) const {
  Impl& s = *impl_;
  s.guard([&] {
    ReadSnapshot snapshot(s);
    const int64_t from = query.from ? query.from->days : std::numeric_limits<int32_t>::min();
    const int64_t to = query.to ? query.to->days : std::numeric_limits<int32_t>::max();
    const auto terms = s.load_terms();
    const auto frameworks = s.load_frameworks();
    const auto superseded = s.load_superseded();
    const auto log = s.load_write_log();
    Entry entry;

    if (query.people) {
      // Selected people: one indexed range read per person, in code point order.
      std::vector<std::string> refs = *query.people;
      std::sort(refs.begin(), refs.end());
      refs.erase(std::unique(refs.begin(), refs.end()), refs.end());
      SQLite::Statement find(s.db, "SELECT id FROM people WHERE ref = ?");
      RawStatement rows(s.db.getHandle(),
                        fmt::format("SELECT {} FROM entries WHERE person = ?1 AND day BETWEEN ?2 "
                                    "AND ?3{} ORDER BY day, seq, id",
                                    kEntryColumns, kinds_clause(query))
                            .c_str());
      std::vector<std::pair<int64_t, int64_t>> recorded;
      const bool by_recorded = query.recorded_from || query.recorded_to;
      if (by_recorded) recorded = recorded_ranges(log, query);
      auto recorded_in = [&](int64_t id) {
        auto it = std::upper_bound(recorded.begin(), recorded.end(), id,
                                   [](int64_t v, const auto& r) { return v < r.first; });
        return it != recorded.begin() && id <= std::prev(it)->second;
      };
      LastIds last;
      size_t last_write = std::string::npos;
      for (auto& ref : refs) {
        find.reset();
        find.bindNoCopy(1, ref);
        if (!find.executeStep()) continue;
        rows.reset();
        rows.bind(1, find.getColumn(0).getInt64());
        rows.bind(2, from);
        rows.bind(3, to);
        entry.person = ref;
        while (rows.step()) {
          const bool replaced = !superseded.empty() && superseded.count(rows.integer(0)) != 0;
          if (replaced && !query.include_superseded) continue;
          if (by_recorded && !recorded_in(rows.integer(0))) continue;
          read_entry_row(rows, terms, frameworks, s, entry, &last);
          if (auto w = s.write_of(log, entry.id); w != last_write) {
            entry.recorded_at = log.times[w];
            last_write = w;
          }
          entry.superseded = replaced;
          visit(entry);
        }
      }
      return;
    }

    // Everyone: read the table in storage order (sequential, several times faster than
    // one random row fetch per entry) and put each pass into journey order in memory.
    std::vector<std::string> refs;
    std::vector<uint32_t> rank_of;  // person id -> rank
    {
      SQLite::Statement all(s.db, "SELECT ref, id FROM people ORDER BY ref");
      while (all.executeStep()) {
        auto id = static_cast<size_t>(all.getColumn(1).getInt64());
        if (id >= rank_of.size()) rank_of.resize(id + 1, UINT32_MAX);
        rank_of[id] = static_cast<uint32_t>(refs.size());
        refs.push_back(all.getColumn(0).getString());
      }
    }
    if (refs.empty()) return;
    // Passes: consecutive ranges of ranks, each holding at most rows_per_pass entries.
    // Filters that select few entries read them through an index in one pass: entries
    // recorded in a period by id range (from the log of writes), and enrolments, exits
    // and attributes through entries_by_episode.
    const bool by_recorded = query.recorded_from || query.recorded_to;
    const bool by_episode = episode_kinds_only(query);
    std::vector<std::pair<int64_t, int64_t>> ranges = {
        {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()}};
    if (by_recorded) {
      ranges = recorded_ranges(log, query);
      if (ranges.empty()) return;
    }
    std::vector<uint32_t> pass_starts = {0};
    const int64_t max_id = s.db.execAndGet("SELECT COALESCE(MAX(id), 0) FROM entries").getInt64();
    if (max_id > s.options.rows_per_pass && !by_recorded && !by_episode) {
      std::vector<int64_t> counts(refs.size(), 0);
      SQLite::Statement count(s.db, "SELECT person, COUNT(*) FROM entries GROUP BY person");
      while (count.executeStep()) {
        auto id = static_cast<size_t>(count.getColumn(0).getInt64());
        if (id >= rank_of.size() || rank_of[id] == UINT32_MAX)
          s.damaged(fmt::format("entries name unknown person {}", id));
        counts[rank_of[id]] = count.getColumn(1).getInt64();
      }
      int64_t in_pass = 0;
      for (uint32_t r = 0; r < refs.size(); ++r) {
        if (in_pass > 0 && in_pass + counts[r] > s.options.rows_per_pass) {
          pass_starts.push_back(r);
          in_pass = 0;
        }
        in_pass += counts[r];
      }
    }
    pass_starts.push_back(static_cast<uint32_t>(refs.size()));

    std::string sql =
        "SELECT person, id, day, kind, framework, measure, value, status, text, "
        "\"by\", ref, batch, recorded_at, supersedes, reason, seq FROM entries "
        "WHERE day BETWEEN ?1 AND ?2";
    if (by_recorded) sql += " AND id BETWEEN ?3 AND ?4";
    if (by_episode) sql += " AND (kind < 2 OR kind = 10)";
    sql += kinds_clause(query);
    RawStatement rows(s.db.getHandle(), sql.c_str());
    std::vector<PackedEntry> packed;
    packed.reserve(static_cast<size_t>(std::min(max_id, s.options.rows_per_pass)));
    std::vector<uint32_t> order, starts;
    TextArena arena;
    Interner by;
    for (size_t pass = 0; pass + 1 < pass_starts.size(); ++pass) {
      const uint32_t lo = pass_starts[pass], hi = pass_starts[pass + 1];
      packed.clear();
      arena.clear();
      for (const auto& [first_id, last_id] : ranges) {
        rows.reset();
        rows.bind(1, from);
        rows.bind(2, to);
        if (by_recorded) {
          rows.bind(3, first_id);
          rows.bind(4, last_id);
        }
        while (rows.step()) {
          auto person = static_cast<size_t>(rows.integer(0));
          if (person >= rank_of.size() || rank_of[person] == UINT32_MAX)
            s.damaged(fmt::format("entry {} names unknown person {}", rows.integer(1), person));
          const uint32_t rank = rank_of[person];
          if (rank < lo || rank >= hi) continue;
          PackedEntry p;
          p.id = rows.integer(1);
          p.superseded = !superseded.empty() && superseded.count(p.id) != 0;
          if (p.superseded && !query.include_superseded) continue;
          p.rank = rank;
          p.day = static_cast<int32_t>(rows.integer(2));
          p.kind = static_cast<uint8_t>(std::clamp<int64_t>(rows.integer(3), 0, 255));
          p.framework = static_cast<uint32_t>(rows.integer(4));
          p.measure = static_cast<uint32_t>(rows.integer(5));
          p.has_value = !rows.is_null(6);
          p.value = static_cast<int32_t>(rows.integer(6));
          p.status = static_cast<uint32_t>(rows.integer(7));
          p.texts = arena.add(rows, {8, 10, 14});
          p.by = by.add(rows, 9);
          p.batch = rows.integer(11);
          p.recorded_at = static_cast<uint32_t>(s.write_of(log, p.id));
          p.supersedes = rows.integer(13);
          p.seq = rows.integer(15);
          packed.push_back(p);
        }
      }
      // Counting sort by person, then each person's entries by date and recording order.
      starts.assign(hi - lo + 1, 0);
      for (const auto& p : packed) ++starts[p.rank - lo + 1];
      for (size_t i = 1; i < starts.size(); ++i) starts[i] += starts[i - 1];
      order.assign(packed.size(), 0);
      {
        std::vector<uint32_t> next(starts.begin(), starts.end() - 1);
        for (uint32_t i = 0; i < packed.size(); ++i) order[next[packed[i].rank - lo]++] = i;
      }
      auto journey_less = [&](uint32_t a, uint32_t b) {
        const auto& x = packed[a];
        const auto& y = packed[b];
        if (x.day != y.day) return x.day < y.day;
        if (x.seq != y.seq) return x.seq < y.seq;
        return x.id < y.id;
      };
      for (uint32_t r = lo; r < hi; ++r) {
        auto first = order.begin() + starts[r - lo], last = order.begin() + starts[r - lo + 1];
        if (first == last) continue;
        if (!std::is_sorted(first, last, journey_less)) std::sort(first, last, journey_less);
        entry.person = refs[r];
        for (auto it = first; it != last; ++it) {
          const auto& p = packed[*it];
          entry.id = p.id;
          if (p.kind >= kEntryKindCount)
            s.damaged(fmt::format("entry {} has unknown kind {}", p.id, p.kind));
          entry.kind = static_cast<EntryKind>(p.kind);
          entry.date = Date{p.day};
          if (p.framework == 0) {
            entry.framework.clear();
            entry.framework_version.clear();
            entry.framework_hash.clear();
          } else {
            if (p.framework >= frameworks.size())
              s.damaged(fmt::format("entry {} names unknown framework {}", p.id, p.framework));
            const auto& fw = frameworks[p.framework];
            entry.framework = fw.id;
            entry.framework_version = fw.version;
            entry.framework_hash = fw.hash;
          }
          for (auto [term, out] :
               {std::pair{p.measure, &entry.measure}, {p.status, &entry.status}}) {
            if (term >= terms.size() || (term != 0 && terms[term].empty()))
              s.damaged(fmt::format("entry {} names unknown term {}", p.id, term));
            *out = terms[term];
          }
          if (p.has_value)
            entry.value = p.value;
          else
            entry.value.reset();
          arena.get(p.texts, {&entry.text, &entry.ref, &entry.reason});
          entry.by = by[p.by];
          entry.batch = p.batch;
          entry.recorded_at = log.times[p.recorded_at];
          entry.supersedes = p.supersedes;
          entry.seq = p.seq;
          entry.superseded = p.superseded;
          visit(entry);
        }
      }
    }
  });
}

std::optional<Entry> SqliteStore::entry(int64_t id) const {
  Impl& s = *impl_;
  return s.guard([&]() -> std::optional<Entry> {
    ReadSnapshot snapshot(s);
    RawStatement row(s.db.getHandle(),
                     fmt::format("SELECT {}, (SELECT ref FROM people WHERE people.id = person), "
                                 "EXISTS (SELECT 1 FROM entries AS c WHERE c.supersedes = "
                                 "entries.id) FROM entries WHERE id = ?1",
                                 kEntryColumns)
                         .c_str());
    row.bind(1, id);
    if (!row.step()) return std::nullopt;
    Entry e;
    read_entry_row(row, s.load_terms(), s.load_frameworks(), s, e);
    row.text(15, e.person);
    e.superseded = row.integer(16) != 0;
    RawStatement write(s.db.getHandle(),
                       "SELECT recorded_at FROM writes WHERE first_id <= ?1 ORDER BY first_id "
                       "DESC LIMIT 1");
    write.bind(1, id);
    if (!write.step()) s.damaged(fmt::format("entry {} is missing from the log of writes", id));
    write.text(0, e.recorded_at);
    return e;
  });
}

bool SqliteStore::has_ref(const std::string& ref) const {
  Impl& s = *impl_;
  if (ref.empty()) return false;
  return s.guard([&] {
    auto& find = s.statement(s.find_ref, "SELECT 1 FROM entries WHERE ref = ?");
    find.bindNoCopy(1, ref);
    bool found = find.executeStep();
    find.reset();
    return found;
  });
}

std::optional<ImportBatch> SqliteStore::batch_with_hash(const std::string& content_hash) const {
  Impl& s = *impl_;
  return s.guard([&]() -> std::optional<ImportBatch> {
    SQLite::Statement find(s.db,
                           "SELECT id, source, content_hash, imported_at, \"by\", \"rows\" FROM "
                           "batches WHERE content_hash = ? ORDER BY id LIMIT 1");
    find.bind(1, content_hash);
    if (!find.executeStep()) return std::nullopt;
    return ImportBatch{find.getColumn(0).getInt64(),  find.getColumn(1).getString(),
                       find.getColumn(2).getString(), find.getColumn(3).getString(),
                       find.getColumn(4).getString(), find.getColumn(5).getInt64()};
  });
}

bool SqliteStore::has_legacy_batches() const {
  Impl& s = *impl_;
  return s.guard([&] {
    // A range of the index on content_hash: every value that starts with the prefix.
    SQLite::Statement find(s.db,
                           "SELECT 1 FROM batches WHERE content_hash >= ? AND content_hash < ? "
                           "LIMIT 1");
    std::string after(kLegacyDigestPrefix);
    ++after.back();
    find.bind(1, std::string(kLegacyDigestPrefix));
    find.bind(2, after);
    return find.executeStep();
  });
}

std::vector<std::string> SqliteStore::people() const {
  Impl& s = *impl_;
  return s.guard([&] {
    std::vector<std::string> refs;
    SQLite::Statement all(s.db, "SELECT ref FROM people ORDER BY ref");
    while (all.executeStep()) refs.push_back(all.getColumn(0).getString());
    return refs;
  });
}

std::vector<FrameworkVersion> SqliteStore::framework_versions() const {
  Impl& s = *impl_;
  return s.guard([&] {
    ReadSnapshot snapshot(s);
    std::unordered_map<int64_t, int64_t> counts;
    SQLite::Statement count(s.db,
                            "SELECT framework, COUNT(*) FROM entries WHERE framework IS NOT NULL "
                            "GROUP BY framework");
    while (count.executeStep())
      counts[count.getColumn(0).getInt64()] = count.getColumn(1).getInt64();
    std::vector<FrameworkVersion> versions;
    SQLite::Statement all(s.db,
                          "SELECT id, framework, version, content_hash FROM frameworks_seen "
                          "ORDER BY framework, id");
    while (all.executeStep()) {
      auto id = all.getColumn(0).getInt64();
      versions.push_back({all.getColumn(1).getString(), all.getColumn(2).getString(),
                          all.getColumn(3).getString(), counts.count(id) ? counts[id] : 0});
    }
    return versions;
  });
}

int64_t SqliteStore::entry_count() const {
  Impl& s = *impl_;
  return s.guard([&] { return s.db.execAndGet("SELECT COUNT(*) FROM entries").getInt64(); });
}

ErasurePlan SqliteStore::erasure_plan(const std::string& person) const {
  Impl& s = *impl_;
  return s.guard([&] {
    ReadSnapshot snapshot(s);
    return s.erasure_set(person).plan;
  });
}

std::vector<ErasureRecord> SqliteStore::erasures() const {
  Impl& s = *impl_;
  return s.guard([&] {
    std::vector<ErasureRecord> records;
    SQLite::Statement all(s.db,
                          "SELECT erased_at, \"by\", reason, entries, person_digest FROM erasures "
                          "ORDER BY id");
    while (all.executeStep())
      records.push_back({all.getColumn(0).getString(), all.getColumn(1).getString(),
                         all.getColumn(2).getString(), all.getColumn(3).getInt64(),
                         all.getColumn(4).getString()});
    return records;
  });
}

std::optional<std::string> SqliteStore::setting(const std::string& key) const {
  Impl& s = *impl_;
  return s.guard([&]() -> std::optional<std::string> {
    SQLite::Statement find(s.db, "SELECT value FROM settings WHERE key = ?");
    find.bind(1, key);
    if (!find.executeStep()) return std::nullopt;
    return column_text(find.getColumn(0));
  });
}

// --- administration

namespace {

// An SQLite connection opened through the C interface, closed when it goes out of scope.
class RawConnection {
 public:
  RawConnection(const std::string& file, int flags) {
    int rc = sqlite3_open_v2(file.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
      std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
      sqlite3_close_v2(db_);
      db_ = nullptr;
      throw store_error(file, rc, message);
    }
  }
  ~RawConnection() { sqlite3_close_v2(db_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;
  sqlite3* get() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

// The rows of PRAGMA integrity_check other than its lone "ok" (at most `limit`).
std::vector<std::string> integrity_problems(sqlite3* db, int limit) {
  RawStatement check(db, fmt::format("PRAGMA integrity_check({})", limit).c_str());
  std::vector<std::string> problems;
  std::string row;
  while (check.step()) {
    check.text(0, row);
    if (row != "ok") problems.push_back(row);
  }
  return problems;
}

// At most this many problems are listed per check; the rest are counted.
constexpr std::size_t kProblemsListed = 10;

// Collects a check's problems, listing the first kProblemsListed.
class ProblemList {
 public:
  explicit ProblemList(StoreCheck& check) : check_(check) {}
  ~ProblemList() {
    if (more_ > 0)
      check_.problems.push_back(
          fmt::format("… and {} more problem{} of this kind", more_, more_ == 1 ? "" : "s"));
  }
  ProblemList(const ProblemList&) = delete;
  ProblemList& operator=(const ProblemList&) = delete;
  void add(std::string problem) {
    if (check_.problems.size() < kProblemsListed)
      check_.problems.push_back(std::move(problem));
    else
      ++more_;
  }

 private:
  StoreCheck& check_;
  std::size_t more_ = 0;
};

// Runs `sql`, whose rows are (entry id, missing id), adding "entry N names WHAT M, which is
// not stored", and noting the entry in `reported`.
void find_orphans(sqlite3* db, ProblemList& list, std::unordered_set<int64_t>& reported,
                  const char* what, const char* sql) {
  RawStatement rows(db, sql);
  while (rows.step()) {
    reported.insert(rows.integer(0));
    list.add(fmt::format("entry {} names {} {}, which is not stored", rows.integer(0), what,
                         rows.integer(1)));
  }
}

}  // namespace

void SqliteStore::backup_to(const std::filesystem::path& file) const {
  Impl& s = *impl_;
  const std::string name = file.string();
  if (s.in_transaction)
    throw Error(fmt::format("{}: cannot back up the store while this process writes to it", s.file));
  std::error_code ec;
  if (std::filesystem::exists(file, ec) && std::filesystem::file_size(file, ec) != 0)
    throw Error(fmt::format("{}: a file with content is already there; refusing to replace it",
                            name));
  // Files SQLite makes beside the copy (its rollback journal) are owner-only too.
  UmaskGuard umask_guard(077);
  int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    throw Error(fmt::format("{}: cannot create the backup: {}", name, std::strerror(errno)));
  const bool private_mode = ::fchmod(fd, 0600) == 0;
  ::close(fd);
  if (!private_mode)
    throw Error(fmt::format("{}: cannot make the backup owner-only: {}", name, std::strerror(errno)));

  RawConnection copy(name, SQLITE_OPEN_READWRITE);
  // Nobody else writes the new copy; a short wait covers only the system's own hiccups.
  constexpr int kCopyBusyTimeoutMs = 5000;
  sqlite3_busy_timeout(copy.get(), kCopyBusyTimeoutMs);
  sqlite3_backup* backup = sqlite3_backup_init(copy.get(), "main", s.db.getHandle(), "main");
  if (!backup)
    throw store_error(name, sqlite3_errcode(copy.get()), sqlite3_errmsg(copy.get()));
  // All pages in one step: the step reads the store in one read transaction, so the copy
  // is the store as last committed when it began, whatever is written meanwhile. A step
  // that finds the store locked (a writer checkpointing) is tried again for a while.
  int rc = SQLITE_OK;
  for (int attempt = 0; attempt < 50; ++attempt) {
    rc = sqlite3_backup_step(backup, -1);
    if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
    sqlite3_sleep(100);
  }
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) throw store_error(s.file, rc, sqlite3_errstr(rc));
  rc = sqlite3_errcode(copy.get());
  if (rc != SQLITE_OK) throw store_error(name, rc, sqlite3_errmsg(copy.get()));

  try {
    // The copy is one self-contained file (no -wal beside it); opening it read-write as a
    // workspace's store turns write-ahead logging back on.
    RawStatement journal(copy.get(), "PRAGMA journal_mode = DELETE");
    std::string mode;
    if (journal.step()) journal.text(0, mode);
    if (mode != "delete")
      throw Error(fmt::format("{}: cannot make the copy a single file (journal mode {})", name,
                              mode));
    const auto problems = integrity_problems(copy.get(), 10);
    if (!problems.empty())
      throw Error(fmt::format("{}: the copy failed its integrity check ({}); the store may be "
                              "damaged: run 'outcomes verify'",
                              name, problems.front()));
  } catch (const SQLite::Exception& e) {
    throw store_error(name, e);
  }
}

void SqliteStore::scrub() {
  Impl& s = *impl_;
  if (s.in_transaction || s.in_read)
    throw Error(fmt::format("{}: cannot scrub the store while this process uses it", s.file));
  s.guard([&] {
    // Zeroing deleted rows leaves copies in pages that rebalancing moved or freed, and in
    // the log of pages: every page is rebuilt, then the log is copied in and emptied.
    s.db.exec("PRAGMA secure_delete = ON");
    try {
      s.db.exec("VACUUM");
    } catch (...) {
      s.waited_done();
      throw;
    }
    SQLite::Statement checkpoint(s.db, "PRAGMA wal_checkpoint(TRUNCATE)");
    const bool busy = checkpoint.executeStep() && checkpoint.getColumn(0).getInt() != 0;
    checkpoint.reset();
    s.waited_done();
    s.db.exec("PRAGMA secure_delete = OFF");
    if (busy)
      throw Error(fmt::format(
          "{}: another process kept reading the store, so its log ({}-wal) could not be "
          "emptied",
          s.file, s.file));
  });
}

std::vector<StoreCheck> SqliteStore::check_store() const {
  Impl& s = *impl_;
  return s.guard([&] {
    ReadSnapshot snapshot(s);
    sqlite3* db = s.db.getHandle();
    std::vector<StoreCheck> checks;

    StoreCheck integrity{"integrity", {}, "the file is intact"};
    {
      ProblemList list(integrity);
      for (auto& problem : integrity_problems(db, 100)) list.add(std::move(problem));
    }
    checks.push_back(std::move(integrity));

    StoreCheck schema{"schema", {}, fmt::format("version {}", schema_version())};
    const auto version = s.db.execAndGet("PRAGMA user_version").getInt();
    if (version != schema_version())
      schema.problems.push_back(fmt::format("schema version {}, but this version of outcomes "
                                            "writes version {}",
                                            version, schema_version()));
    if (s.db.execAndGet("PRAGMA application_id").getInt() != kApplicationId)
      schema.problems.push_back("the file is not marked as an outcomes store (application_id)");
    checks.push_back(std::move(schema));

    // Entries are never updated or deleted: two triggers refuse it. Each must be there,
    // fire before its statement on entries, and abort it.
    StoreCheck append_only{"append-only", {}, "entries cannot be updated or deleted"};
    // The record of erasures is guarded the same way.
    for (const auto& [trigger, event, table] :
         {std::tuple{"entries_no_update", "UPDATE", "ENTRIES"},
          std::tuple{"entries_no_delete", "DELETE", "ENTRIES"},
          std::tuple{"erasures_no_update", "UPDATE", "ERASURES"},
          std::tuple{"erasures_no_delete", "DELETE", "ERASURES"}}) {
      const std::string rows = std::string(table) == "ENTRIES" ? "entries" : "erasure records";
      SQLite::Statement find(s.db,
                             "SELECT upper(replace(replace(sql, char(10), ' '), '  ', ' ')) "
                             "FROM sqlite_master WHERE type = 'trigger' AND name = ?");
      find.bind(1, trigger);
      if (!find.executeStep()) {
        append_only.problems.push_back(fmt::format(
            "the trigger {} is missing: {} could be {}d", trigger, rows,
            std::string(event) == "UPDATE" ? "update" : "delete"));
        continue;
      }
      const std::string sql = find.getColumn(0).getString();
      if (sql.find(fmt::format("BEFORE {} ON {}", event, table)) == std::string::npos ||
          sql.find("RAISE(ABORT") == std::string::npos)
        append_only.problems.push_back(
            fmt::format("the trigger {} no longer refuses every {} of {}", trigger, event, rows));
    }
    checks.push_back(std::move(append_only));

    StoreCheck references{"references", {}, ""};
    {
      ProblemList list(references);
      std::unordered_set<int64_t> reported;  // entries already named by a problem
      find_orphans(db, list, reported, "person",
                   "SELECT e.id, e.person FROM entries AS e WHERE NOT EXISTS "
                   "(SELECT 1 FROM people AS p WHERE p.id = e.person) ORDER BY e.id");
      find_orphans(db, list, reported, "framework version",
                   "SELECT e.id, e.framework FROM entries AS e WHERE e.framework IS NOT NULL "
                   "AND NOT EXISTS (SELECT 1 FROM frameworks_seen AS f WHERE f.id = e.framework) "
                   "ORDER BY e.id");
      find_orphans(db, list, reported, "measure",
                   "SELECT e.id, e.measure FROM entries AS e WHERE e.measure IS NOT NULL AND "
                   "NOT EXISTS (SELECT 1 FROM terms AS t WHERE t.id = e.measure) ORDER BY e.id");
      find_orphans(db, list, reported, "status",
                   "SELECT e.id, e.status FROM entries AS e WHERE e.status IS NOT NULL AND "
                   "NOT EXISTS (SELECT 1 FROM terms AS t WHERE t.id = e.status) ORDER BY e.id");
      find_orphans(db, list, reported, "batch",
                   "SELECT e.id, e.batch FROM entries AS e WHERE e.batch IS NOT NULL AND NOT "
                   "EXISTS (SELECT 1 FROM batches AS b WHERE b.id = e.batch) ORDER BY e.id");
      RawStatement corrections(
          db,
          "SELECT e.id, e.supersedes FROM entries AS e WHERE e.supersedes IS NOT NULL AND "
          "NOT EXISTS (SELECT 1 FROM entries AS o WHERE o.id = e.supersedes) ORDER BY e.id");
      while (corrections.step()) {
        reported.insert(corrections.integer(0));
        list.add(fmt::format("entry {} corrects entry {}, which is not stored",
                             corrections.integer(0), corrections.integer(1)));
      }
      // SQLite's own check of every declared reference, for what the queries above do not
      // name (a reference of another table).
      RawStatement foreign_keys(db, "PRAGMA foreign_key_check");
      std::string table, parent;
      while (foreign_keys.step()) {
        foreign_keys.text(0, table);
        foreign_keys.text(2, parent);
        if (table == "entries" && reported.count(foreign_keys.integer(1))) continue;
        list.add(fmt::format("{} row {} refers to a missing row of {}", table,
                             foreign_keys.integer(1), parent));
      }
      RawStatement twice(db,
                         "SELECT supersedes, COUNT(*) FROM entries WHERE supersedes IS NOT NULL "
                         "GROUP BY supersedes HAVING COUNT(*) > 1 ORDER BY supersedes");
      while (twice.step())
        list.add(fmt::format("entry {} is corrected by {} entries; a correction replaces the "
                             "current version only",
                             twice.integer(0), twice.integer(1)));
      RawStatement kinds(db, fmt::format("SELECT id, kind FROM entries WHERE kind < 0 OR kind "
                                         ">= {} ORDER BY id",
                                         kEntryKindCount)
                                 .c_str());
      while (kinds.step())
        list.add(fmt::format("entry {} has unknown kind {}", kinds.integer(0), kinds.integer(1)));
      RawStatement unlogged(db,
                            "SELECT id FROM entries WHERE id < (SELECT coalesce(min(first_id), "
                            "9223372036854775807) FROM writes) ORDER BY id");
      while (unlogged.step())
        list.add(fmt::format("entry {} is missing from the log of writes", unlogged.integer(0)));
    }
    checks.push_back(std::move(references));

    StoreCheck batches{"batches", {}, ""};
    {
      ProblemList list(batches);
      // One pass over the entries (there is no index by batch), then the batches.
      std::unordered_map<int64_t, int64_t> counts;
      RawStatement count(db,
                         "SELECT batch, COUNT(*) FROM entries WHERE batch IS NOT NULL GROUP BY "
                         "batch");
      while (count.step()) counts[count.integer(0)] = count.integer(1);
      RawStatement rows(db, "SELECT id, \"rows\" FROM batches ORDER BY id");
      while (rows.step()) {
        const int64_t recorded = rows.integer(1);
        const auto it = counts.find(rows.integer(0));
        const int64_t found = it == counts.end() ? 0 : it->second;
        if (recorded != found)
          list.add(fmt::format("batch {} records {} row{} but {} entr{} belong to it",
                               rows.integer(0), recorded, recorded == 1 ? "" : "s", found,
                               found == 1 ? "y" : "ies"));
      }
    }
    checks.push_back(std::move(batches));
    return checks;
  });
}

}  // namespace outcomes

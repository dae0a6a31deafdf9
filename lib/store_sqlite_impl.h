// The SQLite backend's internals, shared by its source files (store_sqlite.cpp: opening and
// creating; store_sqlite_schema.cpp: the schema and its migrations; store_sqlite_write.cpp:
// transactions and erasure; store_sqlite_read.cpp: reads and lookups; store_sqlite_check.cpp:
// backup, scrub and checks). Only those files include it.
#pragma once
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
#include <memory>
#include <optional>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "error.h"
#include "hash.h"
#include "store_erasure.h"
#include "store_sqlite.h"

namespace outcomes {


// PRAGMA application_id of an outcomes store ("outc"), telling it apart from other SQLite files.
inline constexpr int kApplicationId = 0x6f757463;

// The guards that make entries append-only. An erasure drops them and makes them again
// inside its own transaction, so no other write ever runs without them.
inline const std::string kAppendOnlyTriggers = store_detail::append_only_triggers(
    "entries", "entries are append-only: record a correction instead");


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


// Where SQLite sorts while it makes an index: in memory for everyday work, or, while an
// index over the whole store is made (a large bulk write, a migration), in temporary files,
// so that the index is not held in memory. Set outside a transaction only.
inline void sort_in_files(SQLite::Database& db, bool files) {
  db.exec(files ? "PRAGMA temp_store = FILE" : "PRAGMA temp_store = MEMORY");
}

// A store error as the user should read it, naming the file.
Error store_error(const std::string& file, int code, const std::string& message);
Error store_error(const std::string& file, const SQLite::Exception& e);

// True when a write failed because an entry with the same external ref is stored: another
// process stored it since this write checked (the write lock makes that rare, not impossible
// for a caller that checked outside its write).
bool is_ref_clash(const SQLite::Exception& e);

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

inline std::string column_text(const SQLite::Column& column) {
  return column.isNull() ? std::string() : column.getString();
}

// Turns off SQLite's memory statistics before its first use (see store_sqlite.cpp); returns
// `file`.
const std::string& configured(const std::string& file);

struct SqliteStore::Impl {
  // One connection per store object, used from one thread at a time: no SQLite mutex.
  // `uri`, when given, is what SQLite opens instead of the path (with query parameters).
  Impl(const std::filesystem::path& path, int flags, SqliteOptions options,
       const std::string& uri = {})
      : file(configured(path.string())),
        uri(uri),
        db(uri.empty() ? file : uri,
           flags | SQLite::OPEN_NOMUTEX | (uri.empty() ? 0 : SQLite::OPEN_URI)),
        read_only(!(flags & SQLite::OPEN_READWRITE)),
        options(options) {
    sqlite3_busy_handler(db.getHandle(), &Impl::on_busy, this);
  }

  std::string file;
  std::string uri;  // what `db` opened in place of `file` ("" for the file itself)
  SQLite::Database db;
  bool read_only = false;
  bool created = false;  // made by SqliteStore::create, not opened
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
  std::string last_person_ref;  // the last person_id answered (0: none)
  int64_t last_person_id = 0;
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
    last_person_id = 0;
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
    // A bulk write comes sorted by person: the last person is compared before hashing.
    if (last_person_id != 0 && ref == last_person_ref) return last_person_id;
    const int64_t id = find_person_id(ref);
    last_person_ref = ref;
    last_person_id = id;
    return id;
  }
  int64_t find_person_id(const std::string& ref) {
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

  // The highest entry id (0 when there are none), as this connection sees the store.
  int64_t last_entry_id() {
    return db.execAndGet("SELECT COALESCE(MAX(id), 0) FROM entries").getInt64();
  }

  // A second, read-only connection to the same store with the same settings, for reading
  // part of it on another thread (store_sqlite.cpp).
  std::unique_ptr<SQLite::Database> open_reader() const;

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

  // What erasing the person `ref` removes (collect_erasure, through this store's lookups).
  ErasureSet erasure_set(const std::string& ref) {
    struct Lookups {
      explicit Lookups(Impl& impl) : s(impl) {}
      Impl& s;
      SQLite::Statement find_row{s.db,
                                 "SELECT supersedes, kind, day, batch, measure, status FROM "
                                 "entries WHERE id = ?"};
      SQLite::Statement find_later{s.db, "SELECT id FROM entries WHERE supersedes = ?"};
      std::optional<WriteLog> log;

      std::optional<int64_t> person_id(const std::string& person) {
        SQLite::Statement find(s.db, "SELECT id FROM people WHERE ref = ?");
        find.bind(1, person);
        if (!find.executeStep()) return std::nullopt;
        return find.getColumn(0).getInt64();
      }
      std::vector<int64_t> entries_of(int64_t person) {
        std::vector<int64_t> ids;
        SQLite::Statement own(s.db, "SELECT id FROM entries WHERE person = ?");
        own.bind(1, person);
        while (own.executeStep()) ids.push_back(own.getColumn(0).getInt64());
        return ids;
      }
      std::optional<ErasureRow> row(int64_t id) {
        find_row.reset();
        find_row.bind(1, id);
        if (!find_row.executeStep()) return std::nullopt;
        auto id_at = [&](int c) {
          return find_row.getColumn(c).isNull() ? int64_t{0} : find_row.getColumn(c).getInt64();
        };
        return ErasureRow{id_at(0),
                          find_row.getColumn(1).getInt64(),
                          static_cast<int32_t>(find_row.getColumn(2).getInt64()),
                          id_at(3),
                          id_at(4),
                          id_at(5)};
      }
      std::vector<int64_t> corrections_of(int64_t id) {
        std::vector<int64_t> ids;
        find_later.reset();
        find_later.bind(1, id);
        while (find_later.executeStep()) ids.push_back(find_later.getColumn(0).getInt64());
        return ids;
      }
      int64_t write_of(int64_t id) {
        if (!log) log = s.load_write_log();
        return log->first_ids[s.write_of(*log, id)];
      }
      [[noreturn]] void damaged(const std::string& what) const { s.damaged(what); }
    };
    Lookups lookups(*this);
    return collect_erasure(ref, lookups);
  }

  // The number of erasures recorded when this connection last began a write: the ids it
  // keeps of people and terms hold only while none has been erased since.
  int64_t erasures_seen = -1;

  [[noreturn]] void damaged(const std::string& what) const {
    throw Error(fmt::format("{}: the store is damaged ({}); restore it from a backup", file, what));
  }
};

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

// Reads one entry row (columns as in kEntryColumns) into `e` (person set by the caller).
inline constexpr const char* kEntryColumns =
    "id, day, kind, framework, measure, value, status, text, \"by\", ref, batch, recorded_at, "
    "supersedes, reason, seq";

// The framework and term ids of the row last read into an Entry: rows read one after
// another into the same Entry skip copying the strings that did not change.
struct LastIds {
  int64_t framework = -1, measure = -1, status = -1;  // -1: unknown; 0: none
};

// Reads one entry row (columns as in kEntryColumns) into `e` (person set by the caller);
// with `last`, strings that did not change since the row before are not copied again.
void read_entry_row(const RawStatement& row, const std::vector<std::string>& terms,
                    const std::vector<FrameworkRow>& frameworks, const SqliteStore::Impl& impl,
                    Entry& e, LastIds* last = nullptr);

}  // namespace outcomes

// The SQLite store's administration: backup, scrub after an erasure, and its own checks.
#include "store_errors.h"
#include "store_problems.h"
#include "store_sqlite_impl.h"

namespace outcomes {

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

// Runs `sql`, whose rows are (entry id, missing id), adding "entry N names WHAT M, which is
// not stored", and noting the entry in `reported`.
void find_orphans(sqlite3* db, ProblemList& list, std::unordered_set<int64_t>& reported,
                  const char* what, const char* sql) {
  RawStatement rows(db, sql);
  while (rows.step()) {
    reported.insert(rows.integer(0));
    list.add(orphan_problem(rows.integer(0), what, rows.integer(1)));
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
        append_only.problems.push_back(missing_guard_problem(trigger, rows, event));
        continue;
      }
      const std::string sql = find.getColumn(0).getString();
      if (sql.find(fmt::format("BEFORE {} ON {}", event, table)) == std::string::npos ||
          sql.find("RAISE(ABORT") == std::string::npos)
        append_only.problems.push_back(weak_guard_problem(trigger, rows, event));
    }
    checks.push_back(std::move(append_only));

    StoreCheck references{"references", {}, ""};
    {
      ProblemList list(references);
      std::unordered_set<int64_t> reported;  // entries already named by a problem
      for (const auto& orphans : kOrphanQueries)
        find_orphans(db, list, reported, orphans.what, orphans.sql);
      RawStatement corrections(db, kLostCorrectionsSql);
      while (corrections.step()) {
        reported.insert(corrections.integer(0));
        list.add(lost_correction_problem(corrections.integer(0), corrections.integer(1)));
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
      RawStatement twice(db, kCorrectedTwiceSql);
      while (twice.step())
        list.add(corrected_twice_problem(twice.integer(0), twice.integer(1)));
      RawStatement kinds(db, unknown_kinds_sql().c_str());
      while (kinds.step()) list.add(unknown_kind_problem(kinds.integer(0), kinds.integer(1)));
      RawStatement unlogged(db, kUnloggedSql);
      while (unlogged.step())
        list.add(unlogged_problem(unlogged.integer(0)));
    }
    checks.push_back(std::move(references));

    StoreCheck batches{"batches", {}, ""};
    {
      ProblemList list(batches);
      // One pass over the entries (there is no index by batch), then the batches.
      std::unordered_map<int64_t, int64_t> counts;
      RawStatement count(db, kBatchEntriesSql);
      while (count.step()) counts[count.integer(0)] = count.integer(1);
      RawStatement rows(db, kBatchRowsSql);
      while (rows.step()) {
        const auto it = counts.find(rows.integer(0));
        std::string problem = batch_count_problem(rows.integer(0), rows.integer(1),
                                                  it == counts.end() ? 0 : it->second);
        if (!problem.empty()) list.add(std::move(problem));
      }
    }
    checks.push_back(std::move(batches));
    return checks;
  });
}

void SqliteStore::discard_created() {
  if (!impl_->created) throw discard_opened_store_error(impl_->file);
  const std::string file = impl_->file;
  impl_.reset();  // closes the connection before its files go
  std::error_code ignored;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"})
    std::filesystem::remove(file + suffix, ignored);
}

}  // namespace outcomes

// Writing to the SQLite store: transactions, bulk inserts and erasure.
#include "store_errors.h"
#include "store_sqlite_impl.h"

namespace outcomes {

namespace {

constexpr int kRowsPerInsert = 32;

// The condition of a partial index from its CREATE INDEX statement ("" for an index of
// every row): the text after its last WHERE.
std::string partial_index_condition(const std::string& sql) {
  std::string upper = sql;
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  for (auto at = upper.rfind("WHERE"); at != std::string::npos && at > 0;
       at = upper.rfind("WHERE", at - 1)) {
    const char before = upper[at - 1], after = at + 5 < upper.size() ? upper[at + 5] : ' ';
    if ((std::isspace(static_cast<unsigned char>(before)) || before == ')') &&
        std::isspace(static_cast<unsigned char>(after)))
      return sql.substr(at + 5);
  }
  return "";
}

// A bulk write found a ref the store already holds.
InvalidInput refs_already_stored() {
  return InvalidInput("a ref of these entries is already stored; nothing was written");
}

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
  void restore_records(const StoreRecords& records) override;
  void mark_moved(const std::string& where) override;
  void restore_entries(const std::vector<Entry>& entries) override;
  void commit() override;

 private:
  void finish();
  // Sets back what a bulk write changed on the connection (see the constructor).
  void after_bulk() {
    s_.db.exec("PRAGMA foreign_keys = ON");
    sort_in_files(s_.db, false);
  }
  void drop_indexes_when_large();
  void rebuild_indexes();
  SqliteStore::Impl& s_;
  bool done_ = false;
  bool bulk_ = false;
  int64_t stored_before_ = 0;  // the highest entry id when the write began
  int64_t bulk_appended_ = 0;
  bool indexes_judged_ = false;
  // The SQL of the entries' indexes this write dropped, to build them again before it
  // commits (a rollback brings the old ones back by itself).
  std::vector<std::string> dropped_indexes_;
  bool restoring_ = false;  // restore_records ran in this write
};

SqliteTransaction::SqliteTransaction(SqliteStore::Impl& store, bool bulk)
    : s_(store), bulk_(bulk) {
  SqliteStore::Impl& s = s_;
  if (s.read_only) throw Error(fmt::format("{}: the store was opened read-only", s.file));
  if (s.in_transaction || s.in_read)
    throw Error(fmt::format("{}: a write is already in progress on this store", s.file));
  s.guard([&] {
    // The pragmas cannot change inside a transaction, so they are set before BEGIN. The
    // sort that builds indexes again (below) spills to temporary files rather than hold a
    // whole index in memory.
    if (bulk_) {
      s.db.exec("PRAGMA foreign_keys = OFF");
      sort_in_files(s.db, true);
    }
    try {
      s.db.exec("BEGIN IMMEDIATE");
      s.waited_done();
    } catch (...) {
      s.waited_done();
      if (bulk_) after_bulk();
      throw;
    }
    try {
      s.next_id = s.last_entry_id() + 1;
      stored_before_ = s.next_id - 1;
      // An erasure (by any process) removes people and terms: ids cached before it may
      // name nothing, or something else, now.
      const int64_t erasures = s.db.execAndGet("SELECT COUNT(*) FROM erasures").getInt64();
      if (erasures != s.erasures_seen) {
        s.forget_new_ids();
        s.erasures_seen = erasures;
      }
      SQLite::Statement moved(s.db, "SELECT value FROM settings WHERE key = ?");
      moved.bind(1, kMovedToSetting);
      if (moved.executeStep()) throw store_moved_error(s.file, moved.getColumn(0).getString());
    } catch (...) {
      s.db.exec("ROLLBACK");
      if (bulk_) after_bulk();
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
      after_bulk();
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
          throw refs_already_stored();
        throw;
      }
      insert.reset();
      s.log_write(s.next_id, recorded_at);
      s.next_id += kRowsPerInsert;
    }
  });
  for (; i < entries.size(); ++i) append(*entries[i], recorded_at, batch);
  bulk_appended_ += static_cast<int64_t>(entries.size());
  drop_indexes_when_large();
}

// A large import writes its entries in the order of the file, so every chunk inserts into
// the (person, day, seq) index all over it; once that index outgrows SQLite's page cache,
// each insert moves pages out to the WAL and back. Sorting the whole index once at the end
// costs a fraction of that, so a bulk write that has grown as large as the store it writes
// to drops the indexes many of its rows enter and builds them again before it commits
// (building one reads the whole table, so an index few rows enter is kept). All of it is
// inside the transaction: a rollback, or a crash, leaves the indexes as they were, and
// nothing outside this write ever sees the store without them.
void SqliteTransaction::drop_indexes_when_large() {
  SqliteStore::Impl& s = s_;
  if (!bulk_ || indexes_judged_ ||
      bulk_appended_ < std::max(s.options.rebuild_indexes_after, stored_before_))
    return;
  indexes_judged_ = true;
  s.guard([&] {
    struct Index {
      std::string name, sql, where;
    };
    std::vector<Index> indexes;
    SQLite::Statement list(s.db,
                           "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
                           "tbl_name = 'entries' AND sql IS NOT NULL ORDER BY rowid");
    while (list.executeStep()) {
      Index index{list.getColumn(0).getString(), list.getColumn(1).getString(), ""};
      index.where = partial_index_condition(index.sql);
      indexes.push_back(std::move(index));
    }
    // How many of this write's rows each index took so far, in one read of those rows.
    std::string counts;
    for (const auto& index : indexes)
      counts += fmt::format("{}total(CASE WHEN {} THEN 1 END)", counts.empty() ? "" : ", ",
                            index.where.empty() ? "1" : index.where);
    std::vector<double> rows(indexes.size());
    {
      SQLite::Statement entered(s.db,
                                fmt::format("SELECT {} FROM entries WHERE id > ?", counts));
      entered.bind(1, stored_before_);
      if (!entered.executeStep()) return;
      for (std::size_t i = 0; i < indexes.size(); ++i)
        rows[i] = entered.getColumn(static_cast<int>(i)).getDouble();
    }  // (a table being read cannot lose an index)
    for (std::size_t i = 0; i < indexes.size(); ++i) {
      // Making an index reads the whole table; inserting into one larger than the page
      // cache moves a page out and back for each row. Past an eighth of the rows, the
      // read and one sort cost less.
      if (rows[i] * 8 < static_cast<double>(bulk_appended_)) continue;
      s.db.exec(fmt::format("DROP INDEX \"{}\"", indexes[i].name));
      dropped_indexes_.push_back(indexes[i].sql);
    }
  });
}

void SqliteTransaction::rebuild_indexes() {
  SqliteStore::Impl& s = s_;
  // SQLite names its temporary files for a moment before it unlinks them: owner-only.
  UmaskGuard owner_only(077);
  s.guard([&] {
    // Each index is a sort of the table's rows. With a helper thread and half the page
    // cache for it, SQLite made the journey index of 10M entries in 4.5 s at a peak of
    // 54 MB, against 6.6 s and 70 MB alone with the whole cache; both are set back after.
    const int64_t cache_size = s.db.execAndGet("PRAGMA cache_size").getInt64();
    s.db.exec(fmt::format("PRAGMA cache_size = {}", cache_size / 2));
    s.db.exec("PRAGMA threads = 1");
    auto set_back = [&] {
      s.db.exec("PRAGMA threads = 0");
      s.db.exec(fmt::format("PRAGMA cache_size = {}", cache_size));
    };
    for (const std::string& sql : dropped_indexes_) {
      try {
        s.db.exec(sql);
      } catch (const SQLite::Exception& e) {
        set_back();
        // Refs are checked before they are written; this is the store's own last word.
        if (is_ref_clash(e))
          throw refs_already_stored();
        throw;
      }
    }
    set_back();
  });
  dropped_indexes_.clear();
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

void SqliteTransaction::restore_records(const StoreRecords& records) {
  SqliteStore::Impl& s = s_;
  if (done_) throw Error(fmt::format("{}: a restore after the write was committed", s.file));
  s.guard([&] {
    const int64_t held =
        s.db.execAndGet(
                "SELECT (SELECT count(*) FROM entries) + (SELECT count(*) FROM batches) + "
                "(SELECT count(*) FROM writes) + (SELECT count(*) FROM erasures) + (SELECT "
                "count(*) FROM people) + (SELECT count(*) FROM terms) + (SELECT count(*) FROM "
                "frameworks_seen)")
            .getInt64();
    if (held != 0 || restoring_) throw restore_into_used_store_error(s.file);
    // Entries come in any order: a correction may come before what it corrects. The
    // references are checked at COMMIT instead (until the transaction ends).
    s.db.exec("PRAGMA defer_foreign_keys = ON");
    s.db.exec("DELETE FROM settings");
    SQLite::Statement setting(s.db, "INSERT INTO settings (key, value) VALUES (?, ?)");
    for (const auto& [key, value] : records.settings) {
      setting.reset();
      setting.bind(1, key);
      setting.bind(2, value);
      setting.exec();
    }
    SQLite::Statement batch(s.db,
                            "INSERT INTO batches (id, source, content_hash, imported_at, \"by\", "
                            "\"rows\") VALUES (?, ?, ?, ?, ?, ?)");
    for (const ImportBatch& b : records.batches) {
      batch.reset();
      batch.bind(1, b.id);
      batch.bind(2, b.source);
      batch.bind(3, b.content_hash);
      batch.bind(4, b.imported_at);
      batch.bind(5, b.by);
      batch.bind(6, b.rows);
      batch.exec();
    }
    SQLite::Statement write(s.db, "INSERT INTO writes (first_id, recorded_at) VALUES (?, ?)");
    for (const auto& w : records.writes) {
      write.reset();
      write.bind(1, w.first_id);
      write.bind(2, w.recorded_at);
      write.exec();
    }
    SQLite::Statement erasure(s.db,
                              "INSERT INTO erasures (erased_at, \"by\", reason, entries, "
                              "person_digest) VALUES (?, ?, ?, ?, ?)");
    for (const ErasureRecord& e : records.erasures) {
      erasure.reset();
      erasure.bind(1, e.erased_at);
      erasure.bind(2, e.by);
      erasure.bind(3, e.reason);
      erasure.bind(4, e.entries);
      erasure.bind(5, e.person_digest);
      erasure.exec();
    }
    // In their order, so that framework_versions() lists them as the source does (a version
    // no entry uses any more included).
    SQLite::Statement version(
        s.db, "INSERT INTO frameworks_seen (framework, version, content_hash) VALUES (?, ?, ?)");
    for (const FrameworkVersion& v : records.framework_versions) {
      version.reset();
      version.bind(1, v.id);
      version.bind(2, v.version);
      version.bind(3, v.content_hash);
      version.exec();
    }
  });
  s.forget_new_ids();
  restoring_ = true;
}

void SqliteTransaction::restore_entries(const std::vector<Entry>& entries) {
  SqliteStore::Impl& s = s_;
  if (done_) throw Error(fmt::format("{}: a restore after the write was committed", s.file));
  if (!restoring_) throw restore_out_of_order_error(s.file);
  s.guard([&] {
    static const std::string sql = insert_sql();
    for (const Entry& e : entries) {
      const auto ids = s.ids_of(e);
      auto& insert = s.raw_statement(s.insert_entry, sql.c_str());
      bind_fields(insert, 0, e, e.id, ids);
      insert.bind_id(12, e.batch);
      insert.bind_id(13, e.supersedes);
      insert.bind_text(14, e.reason);
      insert.bind(15, e.seq);
      insert.step();
      insert.reset();
      s.next_id = std::max(s.next_id, e.id + 1);
    }
  });
}

void SqliteTransaction::mark_moved(const std::string& where) {
  if (done_) throw Error(fmt::format("{}: mark_moved after the write was committed", s_.file));
  s_.guard([&] {
    SQLite::Statement mark(s_.db, "INSERT INTO settings (key, value) VALUES (?, ?)");
    mark.bind(1, kMovedToSetting);
    mark.bind(2, where);
    mark.exec();
  });
}

void SqliteTransaction::commit() {
  SqliteStore::Impl& s = s_;
  if (done_) return;
  try {
    rebuild_indexes();
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
}  // namespace outcomes

// Writing to the PostgreSQL store: transactions, the bulk path through COPY, and erasure.
#include <algorithm>
#include <unordered_set>

#include "store_errors.h"
#include "store_pg_impl.h"
#include "store_problems.h"

namespace outcomes {

namespace {

// The id a new row of `table` gets: one past the highest (the write lock keeps it free until
// the row is in), as SQLite gives; a sequence would leave gaps where writes rolled back.
int64_t next_row_id(const PgConnection& db, const char* table) {
  auto next = db.exec(fmt::format("SELECT COALESCE(MAX(id), 0) + 1 FROM {}", table));
  return pg_int(next.get(), 0, 0);
}

// Finds the id of the row of `table` whose `column` is `value`, adding the row when new.
int64_t intern(const PgConnection& db, const char* table, const char* column,
               const std::string& value) {
  auto found =
      db.exec(fmt::format("SELECT id FROM {} WHERE {} = $1", table, column), PgParams().add(value));
  if (PQntuples(found.get()) > 0) return pg_int(found.get(), 0, 0);
  const int64_t id = next_row_id(db, table);
  db.exec(fmt::format("INSERT INTO {} (id, {}) VALUES ($1, $2)", table, column),
          PgParams().add(id).add(value));
  return id;
}

// True when a write failed because an entry with the same external ref is stored.
bool is_ref_clash(const PgFailure& e) {
  return e.sqlstate == "23505" && e.constraint == "entries_by_ref";
}

// Appends `text` to COPY's text format: backslash, tab, newline and carriage return escaped.
void copy_text(std::string& out, const std::string& text) {
  for (char c : text) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
}

// One COPY field: a tab before every field but the first; \N for NULL.
void copy_field(std::string& out, bool first, const std::string* text) {
  if (!first) out += '\t';
  if (!text) {
    out += "\\N";
    return;
  }
  copy_text(out, *text);
}
void copy_int(std::string& out, int64_t value, bool null = false) {
  out += '\t';
  if (null)
    out += "\\N";
  else
    out += std::to_string(value);
}

// Appends one entry's row to COPY data (columns as kEntryInsertColumns); `batch` is its batch
// id as text (null for none), `reason` its correction reason (null for none).
inline void copy_entry_row(std::string& data, const NewEntry& e,
                           const PgStore::Impl::EntryIds& row, int64_t id,
                           const std::string* batch, const std::string& recorded_at,
                           int64_t supersedes, const std::string* reason, int64_t seq) {
  data += std::to_string(id);
  copy_int(data, row.person);
  copy_int(data, e.date.days);
  copy_int(data, static_cast<int>(e.kind));
  copy_int(data, row.framework, row.framework == 0);
  copy_int(data, row.measure, row.measure == 0);
  copy_int(data, e.value.value_or(0), !e.value);
  copy_int(data, row.status, row.status == 0);
  copy_field(data, false, e.text.empty() ? nullptr : &e.text);
  copy_field(data, false, e.by.empty() ? nullptr : &e.by);
  copy_field(data, false, e.ref.empty() ? nullptr : &e.ref);
  copy_field(data, false, batch);
  copy_field(data, false, &recorded_at);
  copy_int(data, supersedes, supersedes == 0);
  copy_field(data, false, reason);
  copy_int(data, seq);
  data += '\n';
}

constexpr const char* kEntryInsertColumns =
    "id, person, day, kind, framework, measure, value, status, text, \"by\", ref, batch, "
    "recorded_at, supersedes, reason, seq";

// A write on one connection: BEGIN, the store's write lock, then COMMIT or ROLLBACK.
class PgTransaction final : public StoreTransaction {
 public:
  PgTransaction(PgStore::Impl& store, bool bulk);
  ~PgTransaction() override;
  int64_t append(const NewEntry& entry, const std::string& recorded_at, int64_t batch) override;
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
  void check_open(const char* what) const {
    if (done_) throw Error(fmt::format("{}: {} after the write was committed", s_.name, what));
  }
  // Error unless every entry this write appended names stored rows (see the schema).
  void check_references() const;
  PgStore::Impl& s_;
  bool done_ = false;
  int64_t first_id_ = 0;  // the id of the first entry this write appends
  bool restoring_ = false;  // restore_records ran in this write
};

PgTransaction::PgTransaction(PgStore::Impl& store, bool /*bulk*/) : s_(store) {
  PgStore::Impl& s = s_;
  if (s.read_only) throw Error(fmt::format("{}: the store was opened read-only", s.name));
  if (s.in_transaction || s.in_read)
    throw Error(fmt::format("{}: a write is already in progress on this store", s.name));
  // Nothing is written before the lock is held, so the opening is safe to try again.
  s.guard([&] {
    retry_transient([&] {
      // READ COMMITTED: each statement sees what was committed before it, so once the lock is
      // held every read sees the previous writer's entries.
      s.db.exec("BEGIN ISOLATION LEVEL READ COMMITTED");
      try {
        pg_lock_for_write(s);
        s.next_id = next_row_id(s.db, "entries");
        first_id_ = s.next_id;
        // An erasure (by any process) removes people and terms: ids kept before it may name
        // nothing, or something else, now.
        // A store marked as moved (by `store migrate`) takes no more writes. Both are asked
        // in one statement: each is a round trip, made while holding the lock.
        auto state = s.db.exec(
            "SELECT (SELECT COUNT(*) FROM erasures), (SELECT value FROM settings WHERE key = $1)",
            PgParams().add(std::string(kMovedToSetting)));
        const int64_t erasures = pg_int(state.get(), 0, 0);
        if (erasures != s.erasures_seen) {
          s.forget_new_ids();
          s.erasures_seen = erasures;
        }
        if (!PQgetisnull(state.get(), 0, 1))
          throw store_moved_error(s.name, pg_text(state.get(), 0, 1));
      } catch (...) {
        try {
          s.db.exec("ROLLBACK");
        } catch (...) {
          // The original error is what matters.
        }
        throw;
      }
    });
  });
  s.in_transaction = true;
  s.logged_write = false;
}

PgTransaction::~PgTransaction() {
  if (done_) return;
  PgStore::Impl& s = s_;
  s.forget_new_ids();
  try {
    s.db.exec("ROLLBACK");
  } catch (...) {
    // The server rolls back by itself when the connection closes.
  }
  s.in_transaction = false;
}

int64_t PgTransaction::append(const NewEntry& entry, const std::string& recorded_at,
                              int64_t batch) {
  check_open("append");
  PgStore::Impl& s = s_;
  return s.guard([&]() -> int64_t {
    const int64_t id = s.next_id;
    int64_t seq = id;
    if (entry.supersedes != 0) {
      auto found =
          s.db.exec("SELECT seq FROM entries WHERE id = $1", PgParams().add(entry.supersedes));
      if (PQntuples(found.get()) == 0)
        throw Error(fmt::format("{}: entry {} does not exist, so it cannot be corrected", s.name,
                                entry.supersedes));
      seq = pg_int(found.get(), 0, 0);
      auto later = s.db.exec("SELECT id FROM entries WHERE supersedes = $1 ORDER BY id LIMIT 1",
                             PgParams().add(entry.supersedes));
      if (PQntuples(later.get()) > 0)
        throw Error(fmt::format("{}: entry {} was already corrected by entry {}; correct that one",
                                s.name, entry.supersedes, pg_int(later.get(), 0, 0)));
    }
    const auto ids = s.ids_of(entry);
    PgParams params;
    params.add(id).add(ids.person).add(entry.date.days).add(static_cast<int>(entry.kind));
    params.add_id(ids.framework).add_id(ids.measure).add(entry.value).add_id(ids.status);
    params.add_text(entry.text).add_text(entry.by).add_text(entry.ref).add_id(batch);
    params.add(recorded_at).add_id(entry.supersedes).add_text(entry.reason).add(seq);
    try {
      s.db.exec(fmt::format("INSERT INTO entries ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
                            "$9, $10, $11, $12, $13, $14, $15, $16)",
                            kEntryInsertColumns),
                params);
    } catch (const PgFailure& e) {
      if (is_ref_clash(e))
        throw InvalidInput(
            fmt::format("ref '{}' is already stored; nothing was written", entry.ref));
      throw;
    }
    s.log_write(id, recorded_at);
    s.next_id = id + 1;
    return id;
  });
}

void PgTransaction::append_all(const std::vector<const NewEntry*>& entries,
                               const std::string& recorded_at, int64_t batch) {
  check_open("append");
  PgStore::Impl& s = s_;
  for (const NewEntry* e : entries)
    if (e->supersedes != 0 || !e->reason.empty())
      throw Error(fmt::format("{}: a correction cannot be part of a bulk write", s.name));
  if (entries.empty()) return;
  s.guard([&] {
    // The ids of people, terms and frameworks first (they may need rows of their own), then
    // every entry in one COPY: the connection can run nothing else while a COPY is open.
    s.intern_all(entries);
    std::vector<PgStore::Impl::EntryIds> ids;
    ids.reserve(entries.size());
    for (const NewEntry* e : entries) ids.push_back(s.ids_of(*e));
    std::string data;
    data.reserve(entries.size() * 96);
    const std::string batch_text = batch != 0 ? std::to_string(batch) : std::string();
    int64_t id = s.next_id;
    // A bulk entry is never a correction (no supersedes, no reason); its id doubles as its seq.
    for (size_t i = 0; i < entries.size(); ++i, ++id)
      copy_entry_row(data, *entries[i], ids[i], id, batch != 0 ? &batch_text : nullptr,
                     recorded_at, 0, nullptr, id);
    try {
      s.db.copy_in(fmt::format("COPY entries ({}) FROM STDIN", kEntryInsertColumns), data);
    } catch (const PgFailure& e) {
      if (is_ref_clash(e))
        throw InvalidInput("a ref of these entries is already stored; nothing was written");
      throw;
    }
    s.log_write(s.next_id, recorded_at);
    s.next_id = id;
  });
}

int64_t PgTransaction::add_batch(const ImportBatch& batch) {
  check_open("add_batch");
  PgStore::Impl& s = s_;
  return s.guard([&] {
    const int64_t id = next_row_id(s.db, "batches");
    s.db.exec(
        "INSERT INTO batches (id, source, content_hash, imported_at, \"by\", \"rows\") VALUES "
        "($1, $2, $3, $4, $5, $6)",
        PgParams()
            .add(id)
            .add(batch.source)
            .add(batch.content_hash)
            .add(batch.imported_at)
            .add(batch.by)
            .add(batch.rows));
    return id;
  });
}

void PgTransaction::complete_batch(int64_t batch, int64_t rows, const std::string& content_hash) {
  check_open("complete_batch");
  PgStore::Impl& s = s_;
  s.guard([&] {
    s.db.exec("UPDATE batches SET \"rows\" = $1, content_hash = $2 WHERE id = $3",
              PgParams().add(rows).add(content_hash).add(batch));
  });
}

ErasurePlan PgTransaction::erase_person(const std::string& person, ErasureRecord record) {
  check_open("erase_person");
  PgStore::Impl& s = s_;
  return s.guard([&] {
    auto set = s.erasure_set(person);
    // The one write allowed past the append-only guards, inside this transaction only: the
    // guards are turned off and on again before it commits (ALTER TABLE is transactional, and
    // its lock lets readers go on reading meanwhile).
    s.db.exec_script(
        "ALTER TABLE entries DISABLE TRIGGER entries_no_update, DISABLE TRIGGER entries_no_delete");
    for (int64_t id : set.unlinked)
      s.db.exec("UPDATE entries SET supersedes = NULL WHERE id = $1", PgParams().add(id));
    // Latest first: a correction goes before the entry it corrects.
    for (auto it = set.erased.rbegin(); it != set.erased.rend(); ++it)
      s.db.exec("DELETE FROM entries WHERE id = $1", PgParams().add(*it));
    s.db.exec_script(
        "ALTER TABLE entries ENABLE TRIGGER entries_no_update, ENABLE TRIGGER entries_no_delete");
    if (set.person != 0) s.db.exec("DELETE FROM people WHERE id = $1", PgParams().add(set.person));
    for (int64_t id : set.terms)
      s.db.exec(
          "DELETE FROM terms WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM entries WHERE measure "
          "= $1) AND NOT EXISTS (SELECT 1 FROM entries WHERE status = $1)",
          PgParams().add(id));
    // A batch left with rows of others keeps them counted; its file's digest goes (it is a
    // fingerprint of the person's rows too), so an import of that file again is checked row
    // by row, and their rows refused, instead of being skipped as known.
    for (const auto& [batch, erased] : set.batches) {
      auto rows = s.db.exec("SELECT \"rows\" FROM batches WHERE id = $1", PgParams().add(batch));
      if (PQntuples(rows.get()) == 0) continue;
      const int64_t left = pg_int(rows.get(), 0, 0) - erased;
      if (left <= 0)
        s.db.exec("DELETE FROM batches WHERE id = $1", PgParams().add(batch));
      else
        s.db.exec(
            "UPDATE batches SET \"rows\" = \"rows\" - $1, content_hash = '', source = "
            "replace(source, $2, '[erased]') WHERE id = $3",
            PgParams().add(erased).add(person).add(batch));
    }
    // A write of the log with no entry left would still say when something about the
    // person was recorded.
    for (int64_t first : set.writes)
      s.db.exec(
          "DELETE FROM writes WHERE first_id = $1 AND NOT EXISTS (SELECT 1 FROM entries WHERE "
          "id >= $1 AND id < coalesce((SELECT min(first_id) FROM writes WHERE first_id > $1), "
          "9223372036854775807))",
          PgParams().add(first));
    record.entries = set.plan.entries;
    s.db.exec(
        "INSERT INTO erasures (id, erased_at, \"by\", reason, entries, person_digest) VALUES "
        "($1, $2, $3, $4, $5, $6)",
        PgParams()
            .add(next_row_id(s.db, "erasures"))
            .add(record.erased_at)
            .add(record.by)
            .add(record.reason)
            .add(record.entries)
            .add(record.person_digest));
    // The ids this connection kept of people and terms may name rows gone now.
    s.forget_new_ids();
    s.erasures_seen = -1;
    return set.plan;
  });
}

void PgTransaction::mark_moved(const std::string& where) {
  check_open("mark_moved");
  s_.guard([&] {
    s_.db.exec("INSERT INTO settings (key, value) VALUES ($1, $2)",
               PgParams().add(std::string(kMovedToSetting)).add(where));
  });
}

void PgTransaction::restore_records(const StoreRecords& records) {
  check_open("restore_records");
  PgStore::Impl& s = s_;
  s.guard([&] {
    auto held = s.db.exec(
        "SELECT (SELECT count(*) FROM entries) + (SELECT count(*) FROM batches) + (SELECT "
        "count(*) FROM writes) + (SELECT count(*) FROM erasures) + (SELECT count(*) FROM people) "
        "+ (SELECT count(*) FROM terms) + (SELECT count(*) FROM frameworks_seen)");
    if (pg_int(held.get(), 0, 0) != 0 || restoring_) throw restore_into_used_store_error(s.name);
    s.db.exec("DELETE FROM settings");
    for (const auto& [key, value] : records.settings)
      s.db.exec("INSERT INTO settings (key, value) VALUES ($1, $2)",
                PgParams().add(key).add(value));
    for (const ImportBatch& b : records.batches)
      s.db.exec(
          "INSERT INTO batches (id, source, content_hash, imported_at, \"by\", \"rows\") VALUES "
          "($1, $2, $3, $4, $5, $6)",
          PgParams().add(b.id).add(b.source).add(b.content_hash).add(b.imported_at).add(b.by).add(
              b.rows));
    for (const auto& w : records.writes)
      s.db.exec("INSERT INTO writes (first_id, recorded_at) VALUES ($1, $2)",
                PgParams().add(w.first_id).add(w.recorded_at));
    int64_t id = 0;
    for (const ErasureRecord& e : records.erasures)
      s.db.exec(
          "INSERT INTO erasures (id, erased_at, \"by\", reason, entries, person_digest) VALUES "
          "($1, $2, $3, $4, $5, $6)",
          PgParams().add(++id).add(e.erased_at).add(e.by).add(e.reason).add(e.entries).add(
              e.person_digest));
    // In their order, so that framework_versions() lists them as the source does (a version
    // no entry uses any more included).
    id = 0;
    for (const FrameworkVersion& v : records.framework_versions)
      s.db.exec(
          "INSERT INTO frameworks_seen (id, framework, version, content_hash) VALUES ($1, $2, "
          "$3, $4)",
          PgParams().add(++id).add(v.id).add(v.version).add(v.content_hash));
  });
  s.forget_new_ids();
  restoring_ = true;
}

void PgTransaction::restore_entries(const std::vector<Entry>& entries) {
  check_open("restore_entries");
  PgStore::Impl& s = s_;
  if (!restoring_) throw restore_out_of_order_error(s.name);
  if (entries.empty()) return;
  std::vector<const NewEntry*> all;
  all.reserve(entries.size());
  int64_t last = 0;
  for (const Entry& e : entries) {
    last = std::max(last, e.id);
    all.push_back(&e);
  }
  s.guard([&] {
    s.intern_all(all);
    std::string data;
    data.reserve(entries.size() * 128);
    for (const Entry& e : entries) {
      const std::string batch = e.batch != 0 ? std::to_string(e.batch) : std::string();
      copy_entry_row(data, e, s.ids_of(e), e.id, e.batch != 0 ? &batch : nullptr, e.recorded_at,
                     e.supersedes, e.reason.empty() ? nullptr : &e.reason, e.seq);
    }
    s.db.copy_in(fmt::format("COPY entries ({}) FROM STDIN", kEntryInsertColumns), data);
    s.next_id = std::max(s.next_id, last + 1);
  });
}

void PgTransaction::check_references() const {
  PgStore::Impl& s = s_;
  if (s.next_id == first_id_) return;
  // One query over the entries appended, with hash joins: far cheaper than the server's own
  // check of declared references, a lookup per reference per row.
  auto unstored = s.db.exec(
      "SELECT count(*) FROM entries AS e LEFT JOIN people AS p ON p.id = e.person "
      "LEFT JOIN frameworks_seen AS f ON f.id = e.framework "
      "LEFT JOIN terms AS m ON m.id = e.measure LEFT JOIN terms AS st ON st.id = e.status "
      "LEFT JOIN batches AS b ON b.id = e.batch LEFT JOIN entries AS o ON o.id = e.supersedes "
      "WHERE e.id >= $1 AND (p.id IS NULL OR (e.framework IS NOT NULL AND f.id IS NULL) OR "
      "(e.measure IS NOT NULL AND m.id IS NULL) OR (e.status IS NOT NULL AND st.id IS NULL) OR "
      "(e.batch IS NOT NULL AND b.id IS NULL) OR (e.supersedes IS NOT NULL AND o.id IS NULL))",
      PgParams().add(first_id_));
  if (const int64_t n = pg_int(unstored.get(), 0, 0); n != 0)
    throw Error(fmt::format(
        "{}: {} of the entries being written name rows that are not stored; nothing was written",
        s.name, n));
}

void PgTransaction::commit() {
  if (done_) return;
  PgStore::Impl& s = s_;
  s.guard([&] {
    check_references();
    s.db.exec("COMMIT");
  });
  done_ = true;
  s.in_transaction = false;
}

}  // namespace

PgStore::Impl::EntryIds PgStore::Impl::ids_of(const NewEntry& entry) {
  EntryIds ids;
  if (auto it = person_ids.find(entry.person); it != person_ids.end()) {
    ids.person = it->second;
  } else {
    ids.person = intern(db, "people", "ref", entry.person);
    person_ids.emplace(entry.person, ids.person);
  }
  if (!entry.framework.empty()) {
    std::string key = entry.framework + '\n' + entry.framework_hash;
    if (auto it = framework_ids.find(key); it != framework_ids.end()) {
      ids.framework = it->second;
    } else {
      auto found =
          db.exec("SELECT id FROM frameworks_seen WHERE framework = $1 AND content_hash = $2",
                  PgParams().add(entry.framework).add(entry.framework_hash));
      if (PQntuples(found.get()) > 0) {
        ids.framework = pg_int(found.get(), 0, 0);
      } else {
        ids.framework = next_row_id(db, "frameworks_seen");
        db.exec(
            "INSERT INTO frameworks_seen (id, framework, version, content_hash) VALUES ($1, "
            "$2, $3, $4)",
            PgParams()
                .add(ids.framework)
                .add(entry.framework)
                .add(entry.framework_version)
                .add(entry.framework_hash));
      }
      framework_ids.emplace(std::move(key), ids.framework);
    }
  }
  for (auto [text, out] : {std::pair{&entry.measure, &ids.measure}, {&entry.status, &ids.status}}) {
    if (text->empty()) continue;
    if (auto it = term_ids.find(*text); it != term_ids.end()) {
      *out = it->second;
    } else {
      *out = intern(db, "terms", "text", *text);
      term_ids.emplace(*text, *out);
    }
  }
  return ids;
}

namespace {

// Finds the ids of `values` (distinct, none in `ids`) in the column `column` of `table`, adds
// rows for those not stored, and puts every one in `ids`: two statements, however many.
void intern_many(const PgConnection& db, const char* table, const char* column,
                 const std::vector<std::string>& values,
                 std::unordered_map<std::string, int64_t>& ids) {
  if (values.empty()) return;
  const std::string array = pg_text_array(values);
  auto found =
      db.exec(fmt::format("SELECT {1}, id FROM {0} WHERE {1} = ANY($1::text[])", table, column),
              PgParams().add(array));
  for (int r = 0; r < PQntuples(found.get()); ++r)
    ids.emplace(pg_text(found.get(), r, 0), pg_int(found.get(), r, 1));
  std::vector<std::string> added;
  for (const auto& v : values)
    if (!ids.count(v)) added.push_back(v);
  if (added.empty()) return;
  const int64_t first = next_row_id(db, table);
  db.exec(fmt::format("INSERT INTO {} (id, {}) SELECT $1 + n - 1, v FROM "
                      "unnest($2::text[]) WITH ORDINALITY AS u(v, n)",
                      table, column),
          PgParams().add(first).add(pg_text_array(added)));
  for (size_t i = 0; i < added.size(); ++i) ids.emplace(added[i], first + static_cast<int64_t>(i));
}

}  // namespace

void PgStore::Impl::intern_all(const std::vector<const NewEntry*>& entries) {
  std::vector<std::string> people, terms;
  std::unordered_set<std::string_view> seen_people, seen_terms;
  for (const NewEntry* e : entries) {
    if (!person_ids.count(e->person) && seen_people.insert(e->person).second)
      people.push_back(e->person);
    for (const std::string* term : {&e->measure, &e->status})
      if (!term->empty() && !term_ids.count(*term) && seen_terms.insert(*term).second)
        terms.push_back(*term);
  }
  intern_many(db, "people", "ref", people, person_ids);
  intern_many(db, "terms", "text", terms, term_ids);
}

void PgStore::Impl::log_write(int64_t first_id, const std::string& recorded_at) {
  if (logged_write && recorded_at == logged_at) return;
  db.exec("INSERT INTO writes (first_id, recorded_at) VALUES ($1, $2)",
          PgParams().add(first_id).add(recorded_at));
  logged_write = true;
  logged_at = recorded_at;
}

ErasureSet PgStore::Impl::erasure_set(const std::string& ref) const {
  struct Lookups {
    const Impl& s;
    std::optional<int64_t> person_id(const std::string& person) {
      auto found = s.db.exec("SELECT id FROM people WHERE ref = $1", PgParams().add(person));
      if (PQntuples(found.get()) == 0) return std::nullopt;
      return pg_int(found.get(), 0, 0);
    }
    std::vector<int64_t> ids(const char* sql, int64_t key) {
      auto rows = s.db.exec(sql, PgParams().add(key));
      std::vector<int64_t> out;
      for (int r = 0; r < PQntuples(rows.get()); ++r) out.push_back(pg_int(rows.get(), r, 0));
      return out;
    }
    std::vector<int64_t> entries_of(int64_t person) {
      return ids("SELECT id FROM entries WHERE person = $1", person);
    }
    std::vector<int64_t> corrections_of(int64_t id) {
      return ids("SELECT id FROM entries WHERE supersedes = $1", id);
    }
    std::optional<ErasureRow> row(int64_t id) {
      auto found = s.db.exec(
          "SELECT supersedes, kind, day, batch, measure, status FROM entries WHERE id = $1",
          PgParams().add(id));
      const PGresult* r = found.get();
      if (PQntuples(r) == 0) return std::nullopt;
      return ErasureRow{pg_int(r, 0, 0), pg_int(r, 0, 1), static_cast<int32_t>(pg_int(r, 0, 2)),
                        pg_int(r, 0, 3), pg_int(r, 0, 4), pg_int(r, 0, 5)};
    }
    int64_t write_of(int64_t id) {
      auto write = s.db.exec(
          "SELECT first_id FROM writes WHERE first_id <= $1 ORDER BY first_id DESC LIMIT 1",
          PgParams().add(id));
      if (PQntuples(write.get()) == 0) damaged(unlogged_problem(id));
      return pg_int(write.get(), 0, 0);
    }
    [[noreturn]] void damaged(const std::string& what) const { s.damaged(what); }
  };
  Lookups lookups{*this};
  return collect_erasure(ref, lookups);
}

std::unique_ptr<StoreTransaction> PgStore::begin(bool bulk) {
  return std::make_unique<PgTransaction>(*impl_, bulk);
}

}  // namespace outcomes

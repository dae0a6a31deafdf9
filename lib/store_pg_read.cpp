// Reading the PostgreSQL store: ordered reads of entries, the lookups, and administration.
#include <cctype>
#include <unordered_set>

#include "hash.h"
#include "store_errors.h"
#include "store_pg_impl.h"
#include "store_problems.h"

namespace outcomes {

namespace {

// An SQL array literal of integers, e.g. "{2,9}", passed as a parameter.
std::string int_array(const std::vector<EntryKind>& kinds) {
  std::string out = "{";
  for (EntryKind k : kinds) {
    if (out.size() > 1) out += ',';
    out += std::to_string(static_cast<int>(k));
  }
  return out + "}";
}

// The columns and tables of a read of entries (read_row reads a row of them). With
// `text_kinds` (a parameter, "$N"), only what assessing journeys needs: free text only of
// those kinds, and no worker, ref or correction reason.
std::string entry_select(const std::string& text_kinds = {}) {
  const bool all = text_kinds.empty();
  return fmt::format(
      "SELECT e.id, p.ref, e.day, e.kind, f.framework, f.version, f.content_hash, m.text, "
      "e.value, st.text, {}, {}, {}, e.batch, e.recorded_at, e.supersedes, {}, e.seq, "
      "EXISTS (SELECT 1 FROM entries AS c WHERE c.supersedes = e.id) "
      "FROM entries AS e JOIN people AS p ON p.id = e.person "
      "LEFT JOIN frameworks_seen AS f ON f.id = e.framework "
      "LEFT JOIN terms AS m ON m.id = e.measure LEFT JOIN terms AS st ON st.id = e.status",
      all ? "e.text"
          : fmt::format("CASE WHEN e.kind = ANY({}::integer[]) THEN e.text END", text_kinds),
      all ? "e.\"by\"" : "NULL", all ? "e.ref" : "NULL", all ? "e.reason" : "NULL");
}

// Reads row `r` of an entry_select result into `e`.
void read_row(const PgStore::Impl& s, const PGresult* res, int r, Entry& e) {
  auto text = [&](int column, std::string& out) {
    out.assign(PQgetvalue(res, r, column), static_cast<size_t>(PQgetlength(res, r, column)));
  };
  e.id = pg_int(res, r, 0);
  text(1, e.person);
  e.date = Date{static_cast<int32_t>(pg_int(res, r, 2))};
  const int64_t kind = pg_int(res, r, 3);
  if (kind < 0 || kind >= kEntryKindCount)
    s.damaged(fmt::format("entry {} has unknown kind {}", e.id, kind));
  e.kind = static_cast<EntryKind>(kind);
  text(4, e.framework);
  text(5, e.framework_version);
  text(6, e.framework_hash);
  text(7, e.measure);
  if (pg_null(res, r, 8))
    e.value.reset();
  else
    e.value = static_cast<int>(pg_int(res, r, 8));
  text(9, e.status);
  text(10, e.text);
  text(11, e.by);
  text(12, e.ref);
  e.batch = pg_int(res, r, 13);
  text(14, e.recorded_at);
  e.supersedes = pg_int(res, r, 15);
  text(16, e.reason);
  e.seq = pg_int(res, r, 17);
  e.superseded = PQgetvalue(res, r, 18)[0] == 't';
}

// A cursor over a query's rows, fetched a slice at a time, so that a read of the whole store
// holds one slice in memory and `visit` may itself read from the store between slices.
class PgCursor {
 public:
  PgCursor(PgStore::Impl& s, const std::string& sql, const PgParams& params)
      : s_(s), name_(fmt::format("outcomes_read_{}", ++s.cursors)) {
    s_.db.exec(fmt::format("DECLARE {} NO SCROLL CURSOR FOR {}", name_, sql), params);
  }
  ~PgCursor() {
    try {
      s_.db.exec(fmt::format("CLOSE {}", name_));
    } catch (...) {
      // A transaction that failed closed it already.
    }
  }
  PgCursor(const PgCursor&) = delete;
  PgCursor& operator=(const PgCursor&) = delete;
  // The next slice of rows (none when done).
  PgResult fetch() {
    return s_.db.exec(fmt::format("FETCH FORWARD {} FROM {}", s_.options.fetch_rows, name_));
  }

 private:
  PgStore::Impl& s_;
  std::string name_;
};

}  // namespace

void PgStore::for_each_entry(const EntryQuery& query,
                             const std::function<void(const Entry&)>& visit) const {
  Impl& s = *impl_;
  s.guard([&] {
    PgReadSnapshot snapshot(s);
    PgParams params;
    auto param = [&](std::string value) {
      params.add(std::move(value));
      return fmt::format("${}", params.size());
    };
    const std::string text_kinds = query.text_kinds ? param(int_array(*query.text_kinds)) : "";
    std::string sql = entry_select(text_kinds) + " WHERE TRUE";
    if (query.from) sql += " AND e.day >= " + param(std::to_string(query.from->days));
    if (query.to) sql += " AND e.day <= " + param(std::to_string(query.to->days));
    if (query.people)
      sql += " AND p.ref = ANY(" + param(pg_text_array(*query.people)) + "::text[])";
    if (query.kinds) sql += " AND e.kind = ANY(" + param(int_array(*query.kinds)) + "::integer[])";
    if (query.kinds_from && !query.recent_kinds.empty()) {
      const std::string recent = param(int_array(query.recent_kinds));
      sql += fmt::format(" AND (e.kind <> ALL({}::integer[]) OR e.day >= {})", recent,
                         param(std::to_string(query.kinds_from->days)));
    }
    // An entry's recorded_at is its write's, as the log of writes holds it.
    if (query.recorded_from) sql += " AND e.recorded_at >= " + param(*query.recorded_from);
    if (query.recorded_to) sql += " AND e.recorded_at <= " + param(*query.recorded_to);
    if (!query.include_superseded)
      sql += " AND NOT EXISTS (SELECT 1 FROM entries AS c WHERE c.supersedes = e.id)";
    sql += " ORDER BY p.ref, e.day, e.seq, e.id";
    PgCursor cursor(s, sql, params);
    Entry entry;
    for (;;) {
      PgResult slice = cursor.fetch();
      const int rows = PQntuples(slice.get());
      if (rows == 0) break;
      for (int r = 0; r < rows; ++r) {
        read_row(s, slice.get(), r, entry);
        visit(entry);
      }
    }
  });
}

std::optional<Entry> PgStore::entry(int64_t id) const {
  Impl& s = *impl_;
  return s.guard([&]() -> std::optional<Entry> {
    auto row = s.db.exec(entry_select() + " WHERE e.id = $1", PgParams().add(id));
    if (PQntuples(row.get()) == 0) return std::nullopt;
    Entry e;
    read_row(s, row.get(), 0, e);
    return e;
  });
}

bool PgStore::has_ref(const std::string& ref) const {
  Impl& s = *impl_;
  if (ref.empty()) return false;
  return s.guard([&] {
    auto found = s.db.exec("SELECT 1 FROM entries WHERE ref = $1", PgParams().add(ref));
    return PQntuples(found.get()) > 0;
  });
}

std::vector<std::string> PgStore::existing_refs(const std::vector<std::string>& refs) const {
  Impl& s = *impl_;
  if (refs.empty()) return {};
  return s.guard([&] {
    // Each stored ref once, in the order first asked.
    auto found = s.db.exec(
        "SELECT asked.ref FROM unnest($1::text[]) WITH ORDINALITY AS asked(ref, n) "
        "WHERE asked.ref <> '' AND EXISTS (SELECT 1 FROM entries WHERE entries.ref = asked.ref) "
        "GROUP BY asked.ref ORDER BY min(asked.n)",
        PgParams().add(pg_text_array(refs)));
    std::vector<std::string> out;
    out.reserve(static_cast<std::size_t>(PQntuples(found.get())));
    for (int r = 0; r < PQntuples(found.get()); ++r) out.push_back(pg_text(found.get(), r, 0));
    return out;
  });
}

std::optional<ImportBatch> PgStore::batch_with_hash(const std::string& content_hash) const {
  Impl& s = *impl_;
  return s.guard([&]() -> std::optional<ImportBatch> {
    auto found = s.db.exec(
        "SELECT id, source, content_hash, imported_at, \"by\", \"rows\" FROM batches WHERE "
        "content_hash = $1 ORDER BY id LIMIT 1",
        PgParams().add(content_hash));
    const PGresult* r = found.get();
    if (PQntuples(r) == 0) return std::nullopt;
    return ImportBatch{pg_int(r, 0, 0),  pg_text(r, 0, 1), pg_text(r, 0, 2),
                       pg_text(r, 0, 3), pg_text(r, 0, 4), pg_int(r, 0, 5)};
  });
}

bool PgStore::has_legacy_batches() const {
  Impl& s = *impl_;
  return s.guard([&] {
    // A range of the index on content_hash: every value that starts with the prefix.
    std::string after(kLegacyDigestPrefix);
    ++after.back();
    auto found =
        s.db.exec("SELECT 1 FROM batches WHERE content_hash >= $1 AND content_hash < $2 LIMIT 1",
                  PgParams().add(std::string(kLegacyDigestPrefix)).add(after));
    return PQntuples(found.get()) > 0;
  });
}

std::vector<std::string> PgStore::people() const {
  Impl& s = *impl_;
  return s.guard([&] {
    auto all = s.db.exec("SELECT ref FROM people ORDER BY ref");
    std::vector<std::string> refs;
    for (int r = 0; r < PQntuples(all.get()); ++r) refs.push_back(pg_text(all.get(), r, 0));
    return refs;
  });
}

std::vector<FrameworkVersion> PgStore::framework_versions() const {
  Impl& s = *impl_;
  return s.guard([&] {
    auto all = s.db.exec(
        "SELECT f.framework, f.version, f.content_hash, (SELECT COUNT(*) FROM entries AS e "
        "WHERE e.framework = f.id) FROM frameworks_seen AS f ORDER BY f.framework, f.id");
    const PGresult* r = all.get();
    std::vector<FrameworkVersion> versions;
    for (int i = 0; i < PQntuples(r); ++i)
      versions.push_back({pg_text(r, i, 0), pg_text(r, i, 1), pg_text(r, i, 2), pg_int(r, i, 3)});
    return versions;
  });
}

int64_t PgStore::entry_count() const {
  Impl& s = *impl_;
  return s.guard([&] {
    auto count = s.db.exec("SELECT COUNT(*) FROM entries");
    return pg_int(count.get(), 0, 0);
  });
}

ErasurePlan PgStore::erasure_plan(const std::string& person) const {
  Impl& s = *impl_;
  return s.guard([&] {
    PgReadSnapshot snapshot(s);
    return s.erasure_set(person).plan;
  });
}

std::vector<ErasureRecord> PgStore::erasures() const {
  Impl& s = *impl_;
  return s.guard([&] {
    auto all = s.db.exec(
        "SELECT erased_at, \"by\", reason, entries, person_digest FROM erasures ORDER BY id");
    const PGresult* r = all.get();
    std::vector<ErasureRecord> records;
    for (int i = 0; i < PQntuples(r); ++i)
      records.push_back({pg_text(r, i, 0), pg_text(r, i, 1), pg_text(r, i, 2), pg_int(r, i, 3),
                         pg_text(r, i, 4)});
    return records;
  });
}

std::optional<std::string> PgStore::setting(const std::string& key) const {
  Impl& s = *impl_;
  return s.guard([&]() -> std::optional<std::string> {
    auto found = s.db.exec("SELECT value FROM settings WHERE key = $1", PgParams().add(key));
    if (PQntuples(found.get()) == 0) return std::nullopt;
    return pg_text(found.get(), 0, 0);
  });
}

StoreRecords PgStore::records() const {
  Impl& s = *impl_;
  return s.guard([&] {
    PgReadSnapshot snapshot(s);
    StoreRecords out;
    auto settings = s.db.exec("SELECT key, value FROM settings ORDER BY key");
    for (int i = 0; i < PQntuples(settings.get()); ++i)
      out.settings.emplace_back(pg_text(settings.get(), i, 0), pg_text(settings.get(), i, 1));
    auto batches = s.db.exec(
        "SELECT id, source, content_hash, imported_at, \"by\", \"rows\" FROM batches ORDER BY "
        "id");
    const PGresult* b = batches.get();
    for (int i = 0; i < PQntuples(b); ++i)
      out.batches.push_back({pg_int(b, i, 0), pg_text(b, i, 1), pg_text(b, i, 2),
                             pg_text(b, i, 3), pg_text(b, i, 4), pg_int(b, i, 5)});
    auto writes = s.db.exec("SELECT first_id, recorded_at FROM writes ORDER BY first_id");
    for (int i = 0; i < PQntuples(writes.get()); ++i)
      out.writes.push_back({pg_int(writes.get(), i, 0), pg_text(writes.get(), i, 1)});
    out.erasures = erasures();
    out.framework_versions = framework_versions();
    return out;
  });
}

// --- administration

void PgStore::backup_to(const std::filesystem::path& file) const {
  throw Error(fmt::format(
      "{}: backing up a PostgreSQL store to a file ({}) is not supported yet; use pg_dump "
      "--schema={} instead",
      impl_->name, file.string(), impl_->schema));
}

void PgStore::scrub() {
  Impl& s = *impl_;
  if (s.in_transaction || s.in_read)
    throw Error(fmt::format("{}: cannot scrub the store while this process uses it", s.name));
  s.guard([&] {
    // Deleted rows stay in the tables' files until they are rewritten; VACUUM FULL writes
    // each table anew (it cannot run inside a transaction).
    s.db.exec(
        "VACUUM (FULL) entries, people, terms, frameworks_seen, batches, writes, erasures, "
        "settings, store_version");
  });
}

std::vector<StoreCheck> PgStore::check_store() const {
  Impl& s = *impl_;
  return s.guard([&] {
    PgReadSnapshot snapshot(s);
    // Calls `row` for each row `sql` returns.
    auto each_row = [&](const std::string& sql, const auto& row) {
      auto result = s.db.exec(sql);
      for (int r = 0; r < PQntuples(result.get()); ++r) row(result.get(), r);
    };
    std::vector<StoreCheck> checks;

    // The server keeps its own files whole; what can be missing is a table of the store.
    StoreCheck integrity{"integrity", {}, "every table of the store is there"};
    {
      std::unordered_set<std::string> present;
      auto tables = s.db.exec("SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = $1",
                              PgParams().add(s.schema));
      for (int r = 0; r < PQntuples(tables.get()); ++r) present.insert(pg_text(tables.get(), r, 0));
      for (const char* table : kPgStoreTables)
        if (!present.count(table))
          integrity.problems.push_back(fmt::format("the table {} is missing", table));
    }
    const bool whole = integrity.problems.empty();
    checks.push_back(std::move(integrity));
    if (!whole) return checks;

    // Named as PostgreSQL's: its versions are counted apart from SQLite's, so the same
    // data shows another number in a store on SQLite.
    StoreCheck schema{"schema", {}, fmt::format("PostgreSQL schema version {}", schema_version())};
    auto version = s.db.exec("SELECT max(version) FROM store_version");
    if (pg_int(version.get(), 0, 0) != schema_version())
      schema.problems.push_back(fmt::format(
          "PostgreSQL schema version {}, but this version of outcomes writes PostgreSQL schema "
          "version {}",
          pg_int(version.get(), 0, 0), schema_version()));
    checks.push_back(std::move(schema));

    // Entries and the record of erasures are never updated, deleted or truncated: triggers
    // refuse it. Each must be there, enabled, fire before its statement on its table, and
    // call the function that refuses.
    StoreCheck append_only{"append-only", {}, "entries cannot be updated or deleted"};
    constexpr int kBefore = 2, kDelete = 8, kUpdate = 16, kTruncate = 32;  // pg_trigger.tgtype
    for (const auto& [table, rows] :
         {std::pair{"entries", "entries"}, std::pair{"erasures", "erasure records"}})
      for (const auto& [event, bit] : {std::pair{"UPDATE", kUpdate}, std::pair{"DELETE", kDelete},
                                       std::pair{"TRUNCATE", kTruncate}}) {
        std::string trigger = fmt::format("{}_no_{}", table, event);
        for (char& c : trigger) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        auto found = s.db.exec(
            "SELECT t.tgenabled, t.tgtype, p.proname, p.prosrc FROM pg_catalog.pg_trigger AS t "
            "JOIN pg_catalog.pg_class AS c ON c.oid = t.tgrelid "
            "JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace "
            "JOIN pg_catalog.pg_proc AS p ON p.oid = t.tgfoid "
            "WHERE n.nspname = $1 AND c.relname = $2 AND t.tgname = $3",
            PgParams().add(s.schema).add(std::string(table)).add(trigger));
        const PGresult* r = found.get();
        if (PQntuples(r) == 0) {
          append_only.problems.push_back(missing_guard_problem(trigger, rows, event));
          continue;
        }
        const std::string enabled = pg_text(r, 0, 0);
        const int64_t type = pg_int(r, 0, 1);
        if ((enabled != "O" && enabled != "A") || !(type & kBefore) || !(type & bit) ||
            pg_text(r, 0, 2) != "refuse_change" ||
            pg_text(r, 0, 3).find("RAISE EXCEPTION") == std::string::npos)
          append_only.problems.push_back(weak_guard_problem(trigger, rows, event));
      }
    checks.push_back(std::move(append_only));

    StoreCheck references{"references", {}, ""};
    {
      ProblemList list(references);
      for (const auto& orphans : kOrphanQueries)
        each_row(orphans.sql, [&](const PGresult* r, int i) {
          list.add(orphan_problem(pg_int(r, i, 0), orphans.what, pg_int(r, i, 1)));
        });
      each_row(kLostCorrectionsSql, [&](const PGresult* r, int i) {
        list.add(lost_correction_problem(pg_int(r, i, 0), pg_int(r, i, 1)));
      });
      each_row(kCorrectedTwiceSql, [&](const PGresult* r, int i) {
        list.add(corrected_twice_problem(pg_int(r, i, 0), pg_int(r, i, 1)));
      });
      each_row(unknown_kinds_sql(), [&](const PGresult* r, int i) {
        list.add(unknown_kind_problem(pg_int(r, i, 0), pg_int(r, i, 1)));
      });
      each_row(kUnloggedSql,
               [&](const PGresult* r, int i) { list.add(unlogged_problem(pg_int(r, i, 0))); });
    }
    checks.push_back(std::move(references));

    StoreCheck batches{"batches", {}, ""};
    {
      ProblemList list(batches);
      std::unordered_map<int64_t, int64_t> counts;
      each_row(kBatchEntriesSql,
               [&](const PGresult* r, int i) { counts[pg_int(r, i, 0)] = pg_int(r, i, 1); });
      each_row(kBatchRowsSql, [&](const PGresult* r, int i) {
        const auto it = counts.find(pg_int(r, i, 0));
        std::string problem = batch_count_problem(pg_int(r, i, 0), pg_int(r, i, 1),
                                                  it == counts.end() ? 0 : it->second);
        if (!problem.empty()) list.add(std::move(problem));
      });
    }
    checks.push_back(std::move(batches));
    return checks;
  });
}

void PgStore::discard_created() {
  Impl& s = *impl_;
  if (!s.created) throw discard_opened_store_error(s.name);
  if (s.in_transaction || s.in_read)
    throw Error(fmt::format("{}: a write is in progress on this store", s.name));
  s.guard([&] {
    s.db.exec_script(fmt::format("DROP SCHEMA {} CASCADE", s.db.quote_identifier(s.schema)));
  });
  impl_.reset();
}

}  // namespace outcomes

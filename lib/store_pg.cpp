// The journey store in PostgreSQL: connecting, creating and opening a store, its schema and
// migrations; see store_pg_impl.h for the other files.
#include <openssl/rand.h>

#include <algorithm>
#include <chrono>

#include "hash.h"
#include "store_errors.h"
#include "store_location.h"
#include "store_pg_impl.h"

namespace outcomes {

// --- libpq helpers

PgConnection::PgConnection(const std::string& conninfo) {
  conn_ = PQconnectdb(conninfo.c_str());
  if (!conn_) throw PgFailure("out of memory", "53200");
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn_);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
      message.pop_back();
    PQfinish(conn_);
    conn_ = nullptr;
    throw PgFailure(message, "08001");
  }
  // The server's notices (e.g. "relation already exists, skipping") are not for the user's
  // terminal: the library prints nothing.
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
}

PgResult PgConnection::checked(PGresult* raw, ExecStatusType ok) const {
  PgResult result(raw);
  if (result && PQresultStatus(result.get()) == ok) return result;
  if (result && ok == PGRES_COMMAND_OK && PQresultStatus(result.get()) == PGRES_TUPLES_OK)
    return result;
  std::string message, sqlstate, constraint;
  if (result) {
    auto field = [&](int code) {
      const char* text = PQresultErrorField(result.get(), code);
      return text ? std::string(text) : std::string();
    };
    message = field(PG_DIAG_MESSAGE_PRIMARY);
    sqlstate = field(PG_DIAG_SQLSTATE);
    constraint = field(PG_DIAG_CONSTRAINT_NAME);
    if (const std::string detail = field(PG_DIAG_MESSAGE_DETAIL); !detail.empty())
      message += ": " + detail;
  }
  if (message.empty()) {
    message = PQerrorMessage(conn_);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
      message.pop_back();
  }
  // A connection lost mid-statement has no SQLSTATE from the server.
  if (sqlstate.empty()) sqlstate = PQstatus(conn_) == CONNECTION_OK ? "XX000" : "08006";
  throw PgFailure(message, sqlstate, constraint);
}

PgResult PgConnection::exec(const std::string& sql, const PgParams& params) const {
  const auto values = params.pointers();
  return checked(
      PQexecParams(conn_, sql.c_str(), params.size(), nullptr, values.data(), nullptr, nullptr, 0),
      PGRES_COMMAND_OK);
}

void PgConnection::exec_script(const std::string& sql) const {
  checked(PQexec(conn_, sql.c_str()), PGRES_COMMAND_OK);
}

void PgConnection::copy_in(const std::string& sql, const std::string& data) const {
  checked(PQexec(conn_, sql.c_str()), PGRES_COPY_IN);
  // Sent in pieces of a megabyte: libpq buffers what it is given whole.
  constexpr size_t kPiece = size_t{1} << 20;
  bool sent = true;
  for (size_t at = 0; at < data.size() && sent; at += kPiece) {
    const size_t size = std::min(kPiece, data.size() - at);
    sent = PQputCopyData(conn_, data.data() + at, static_cast<int>(size)) == 1;
  }
  if (PQputCopyEnd(conn_, sent ? nullptr : "the data could not be sent") != 1)
    throw PgFailure(PQerrorMessage(conn_), "08006");
  // The outcome of the COPY, then the end of its results.
  PgResult end(PQgetResult(conn_));
  while (PGresult* more = PQgetResult(conn_)) PQclear(more);
  checked(end.release(), PGRES_COMMAND_OK);
}

std::string PgConnection::quote_identifier(const std::string& name) const {
  char* quoted = PQescapeIdentifier(conn_, name.data(), name.size());
  if (!quoted) throw PgFailure(PQerrorMessage(conn_), "22023");
  std::string out(quoted);
  PQfreemem(quoted);
  return out;
}

// --- the store's connection

namespace store_detail {

void check_pg_conninfo(const std::string& conninfo) {
  if (auto why = pg_conninfo_problem(conninfo))
    throw Error(fmt::format("the PostgreSQL connection string {}", *why));
}

}  // namespace store_detail

PgStore::Impl::Impl(std::string conninfo_, std::string schema_, bool read_only_, PgOptions options_)
    : conninfo(std::move(conninfo_)),
      schema(std::move(schema_)),
      db((store_detail::check_pg_conninfo(conninfo), conninfo)),
      read_only(read_only_),
      options(std::move(options_)) {
  name = fmt::format("postgresql:{}/{}", PQdb(db.get()), schema);
  // Text is UTF-8 both ways. A database in another encoding would refuse, or silently
  // change, names and notes it cannot hold, so the store is neither made nor opened there.
  const char* server_encoding = PQparameterStatus(db.get(), "server_encoding");
  const std::string_view encoding = server_encoding ? server_encoding : "unknown";
  if (encoding != "UTF8")
    throw Error(fmt::format(
        "{}: the database {} has the encoding {}, but a journey store needs UTF8 to hold every "
        "name and note as written; create a database with ENCODING 'UTF8' (createdb -E UTF8 "
        "-T template0 NAME) and name that one in the store's address",
        name, PQdb(db.get()), encoding));
  if (PQsetClientEncoding(db.get(), "UTF8") != 0 ||
      std::string_view(pg_encoding_to_char(PQclientEncoding(db.get()))) != "UTF8")
    throw Error(fmt::format("{}: the connection cannot be set to the UTF8 encoding ({})", name,
                            PQerrorMessage(db.get())));
  // The store's tables are found through the search path alone (pg_catalog first, as
  // always, so no table of the store can stand in for a built-in).
  db.exec("SELECT pg_catalog.set_config('search_path', $1, false)",
          PgParams().add(db.quote_identifier(schema)));
  if (read_only) db.exec("SET default_transaction_read_only = on");
}

Error PgStore::Impl::error(const PgFailure& e) const {
  const std::string& code = e.sqlstate;
  if (code.rfind("08", 0) == 0)
    return Error(fmt::format("{}: cannot reach the store's database server ({})", name, e.what()));
  if (code == "25006")
    return Error(fmt::format("{}: the store cannot be written ({})", name, e.what()));
  if (code == "42501")
    return Error(fmt::format("{}: not allowed by the database server ({})", name, e.what()));
  if (code == "53100")
    return Error(fmt::format("{}: the database server's disk is full; nothing was written ({})",
                             name, e.what()));
  return Error(fmt::format("{}: store error: {}", name, e.what()));
}

namespace {

// The messages of the append-only guards, as SQLite's stores hold them.
constexpr std::string_view kEntriesAppendOnly =
    "entries are append-only: record a correction instead";
constexpr std::string_view kErasuresAppendOnly = "the record of erasures is append-only";

// The SQL making `table` append-only: triggers TABLE_no_update, TABLE_no_delete and
// TABLE_no_truncate that refuse the statement with `message` (which holds no single quote).
std::string pg_append_only_triggers(std::string_view table, std::string_view message) {
  return fmt::format(R"sql(
CREATE TRIGGER {0}_no_update BEFORE UPDATE ON {0}
  FOR EACH ROW EXECUTE FUNCTION refuse_change('{1}');
CREATE TRIGGER {0}_no_delete BEFORE DELETE ON {0}
  FOR EACH ROW EXECUTE FUNCTION refuse_change('{1}');
CREATE TRIGGER {0}_no_truncate BEFORE TRUNCATE ON {0}
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('{1}');
)sql",
                     table, message);
}

// One schema step: upgrades a store by one version inside the migrating transaction.
using PgMigration = void (*)(PgStore::Impl&);

// The first schema, as the SQLite store's fifth: people, frameworks seen, interned terms,
// batches, settings, entries with their indexes, the log of writes and the record of
// erasures. Text compares as bytes (COLLATE "C"), as in SQLite: references sort in code
// point order. Unlike SQLite's, an entry keeps its recorded_at in its row too, and its
// references to other tables are not declared: the server would check each row of a bulk
// COPY with a lookup per reference, most of an import's time. The store writes only ids it
// read or made in the same write under the write lock; a write checks its new rows'
// references in one query before it commits, and check_store checks every row's.
void pg_migrate_to_1(PgStore::Impl& s) {
  s.db.exec_script(R"sql(
CREATE TABLE people (
  id bigint PRIMARY KEY,
  ref text COLLATE "C" NOT NULL UNIQUE
);
CREATE TABLE frameworks_seen (
  id bigint PRIMARY KEY,
  framework text COLLATE "C" NOT NULL,
  version text COLLATE "C" NOT NULL,
  content_hash text COLLATE "C" NOT NULL,
  UNIQUE (framework, content_hash)
);
CREATE TABLE terms (
  id bigint PRIMARY KEY,
  text text COLLATE "C" NOT NULL UNIQUE
);
CREATE TABLE batches (
  id bigint PRIMARY KEY,
  source text COLLATE "C" NOT NULL,
  content_hash text COLLATE "C" NOT NULL,
  imported_at text COLLATE "C" NOT NULL,
  "by" text COLLATE "C" NOT NULL,
  "rows" bigint NOT NULL
);
CREATE INDEX batches_by_hash ON batches (content_hash);
CREATE TABLE settings (
  key text COLLATE "C" PRIMARY KEY,
  value text COLLATE "C" NOT NULL
);
CREATE TABLE entries (
  id bigint PRIMARY KEY,
  person bigint NOT NULL,
  day integer NOT NULL,
  kind integer NOT NULL,
  framework bigint,
  measure bigint,
  value integer,
  status bigint,
  text text COLLATE "C",
  "by" text COLLATE "C",
  ref text COLLATE "C",
  batch bigint,
  recorded_at text COLLATE "C" NOT NULL,
  supersedes bigint,
  reason text COLLATE "C",
  seq bigint NOT NULL
);
CREATE INDEX entries_by_journey ON entries (person, day, seq);
CREATE UNIQUE INDEX entries_by_ref ON entries (ref) WHERE ref IS NOT NULL;
CREATE INDEX entries_by_supersedes ON entries (supersedes) WHERE supersedes IS NOT NULL;
CREATE INDEX entries_by_episode ON entries (kind, person, day) WHERE kind < 2 OR kind = 10;
CREATE INDEX entries_by_contact_day ON entries (day, person) WHERE kind IN (2, 9);
CREATE TABLE writes (
  first_id bigint PRIMARY KEY,
  recorded_at text COLLATE "C" NOT NULL
);
CREATE TABLE erasures (
  id bigint PRIMARY KEY,
  erased_at text COLLATE "C" NOT NULL,
  "by" text COLLATE "C" NOT NULL,
  reason text COLLATE "C" NOT NULL,
  entries bigint NOT NULL,
  person_digest text COLLATE "C" NOT NULL
);
CREATE INDEX erasures_by_digest ON erasures (person_digest);
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION USING MESSAGE = TG_ARGV[0], ERRCODE = 'restrict_violation';
END
$fn$;
)sql");
  s.db.exec_script(pg_append_only_triggers("entries", kEntriesAppendOnly));
  s.db.exec_script(pg_append_only_triggers("erasures", kErasuresAppendOnly));
  // The secret of pseudonyms in exports: 32 random bytes, as hex.
  Sha256Digest secret{};
  if (RAND_bytes(secret.data(), static_cast<int>(secret.size())) != 1)
    throw Error(fmt::format("{}: cannot make the store's secret: no random bytes", s.name));
  s.db.exec("INSERT INTO settings (key, value) VALUES ('pseudonym_secret', $1)",
            PgParams().add(to_hex(secret)));
}

// Schema 2: entries recorded in a period (EntryQuery's recorded_from and recorded_to) are
// found through an index on when they were recorded, as SQLite's stores find them through
// their log of writes, rather than by reading every entry.
void pg_migrate_to_2(PgStore::Impl& s) {
  s.db.exec_script("CREATE INDEX entries_by_recorded_at ON entries (recorded_at)");
}

const std::vector<PgMigration>& pg_migrations() {
  static const std::vector<PgMigration> steps = {pg_migrate_to_1, pg_migrate_to_2};
  return steps;
}

Error newer_store(const PgStore::Impl& s, int version) {
  return newer_store_error(s.name, version, PgStore::schema_version());
}

// The store's schema version; nullopt when the schema holds no store (or does not exist).
std::optional<int> stored_version(PgStore::Impl& s) {
  auto table = s.db.exec(
      "SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = $1 AND tablename = 'store_version'",
      PgParams().add(s.schema));
  if (PQntuples(table.get()) == 0) return std::nullopt;
  auto version = s.db.exec("SELECT max(version) FROM store_version");
  return static_cast<int>(pg_int(version.get(), 0, 0));
}

// Runs `body` once in a transaction holding the write lock.
template <class Body>
void write_once(PgStore::Impl& s, Body& body) {
  s.db.exec("BEGIN");
  try {
    pg_lock_for_write(s);
    body();
    s.db.exec("COMMIT");
  } catch (...) {
    try {
      s.db.exec("ROLLBACK");
    } catch (...) {
      // The original error is what matters.
    }
    throw;
  }
}

// Runs `body` in one transaction holding the write lock: committed when it returns, rolled
// back when it throws; tried again when it fails transiently (`body` sees the store anew).
template <class Body>
void in_write(PgStore::Impl& s, Body&& body) {
  retry_transient([&] { write_once(s, body); });
}

// Applies the steps beyond the store's version, inside the caller's write.
void apply_steps(PgStore::Impl& s) {
  const int target = PgStore::schema_version();
  // Another connection may have migrated between a check and the lock.
  const int version = stored_version(s).value_or(0);
  if (version > target) throw newer_store(s, version);
  for (int v = version; v < target; ++v) {
    pg_migrations()[static_cast<size_t>(v)](s);
    s.db.exec("UPDATE store_version SET version = $1", PgParams().add(v + 1));
  }
}

}  // namespace

// Advisory lock keys of a store: the first says "outcomes", the second is the schema's.
constexpr int kLockClass = 0x6f757463;

void pg_lock_for_write(PgStore::Impl& s) {
  using namespace std::chrono;
  // The server queues waiters for a lock in the order they asked, so a single record is not
  // starved by imports that follow one another. The wait goes in slices of at most a second
  // (lock_timeout, inside a savepoint so that a slice running out does not end the write),
  // to say it is waiting and to give up at the limit; the session's own lock_timeout is put
  // back once the lock is held, so nothing later in the write is cut short by it.
  const std::string kept =
      pg_text(s.db.exec("SELECT pg_catalog.current_setting('lock_timeout')").get(), 0, 0);
  const auto started = steady_clock::now();
  milliseconds reported{0};
  for (;;) {
    const auto waited = duration_cast<milliseconds>(steady_clock::now() - started);
    if (waited >= s.options.wait.limit) {
      if (reported.count() != 0 && s.options.wait.on_wait) s.options.wait.on_wait(waited, true);
      throw store_busy_error(s.name);
    }
    const auto slice =
        std::clamp(s.options.wait.limit - waited, milliseconds(1), milliseconds(1000));
    s.db.exec("SAVEPOINT outcomes_write_lock");
    try {
      s.db.exec("SELECT pg_catalog.set_config('lock_timeout', $1, true)",
                PgParams().add(std::to_string(slice.count())));
      s.db.exec("SELECT pg_catalog.pg_advisory_xact_lock($1, pg_catalog.hashtext($2))",
                PgParams().add(kLockClass).add(s.schema));
      s.db.exec("RELEASE SAVEPOINT outcomes_write_lock");
      s.db.exec("SELECT pg_catalog.set_config('lock_timeout', $1, true)", PgParams().add(kept));
      if (reported.count() != 0 && s.options.wait.on_wait)
        s.options.wait.on_wait(duration_cast<milliseconds>(steady_clock::now() - started), true);
      return;
    } catch (const PgFailure& e) {
      if (e.sqlstate != "55P03") throw;  // anything but "lock not available"
      s.db.exec("ROLLBACK TO SAVEPOINT outcomes_write_lock");
      s.db.exec("RELEASE SAVEPOINT outcomes_write_lock");
    }
    const auto now_waited = duration_cast<milliseconds>(steady_clock::now() - started);
    if (s.options.wait.on_wait && now_waited >= reported + seconds(1) && now_waited >= seconds(1)) {
      reported = now_waited;
      s.options.wait.on_wait(now_waited, false);
    }
  }
}

PgReadSnapshot::PgReadSnapshot(PgStore::Impl& s) : s_(s) {
  if (!s_.in_transaction && !s_.in_read) {
    s_.db.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    own_ = true;
  }
  was_reading_ = s_.in_read;
  s_.in_read = true;
}

PgReadSnapshot::~PgReadSnapshot() {
  s_.in_read = was_reading_;
  if (own_) {
    try {
      s_.db.exec("COMMIT");
    } catch (...) {
      // A read transaction has nothing to lose.
    }
  }
}

// --- creating and opening

PgStore::PgStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PgStore::PgStore(PgStore&&) noexcept = default;
PgStore& PgStore::operator=(PgStore&&) noexcept = default;
PgStore::~PgStore() = default;

int PgStore::schema_version() {
  return static_cast<int>(pg_migrations().size());
}

const std::string& PgStore::name() const {
  return impl_->name;
}

namespace {

// Connects, naming the store in any failure (the store's Impl cannot name it before).
std::unique_ptr<PgStore::Impl> connect(const std::string& conninfo, const std::string& schema,
                                       bool read_only, const PgOptions& options) {
  if (schema.empty()) throw Error("a PostgreSQL store needs a schema name");
  try {
    return std::make_unique<PgStore::Impl>(conninfo, schema, read_only, options);
  } catch (const PgFailure& e) {
    throw Error(fmt::format("postgresql schema {}: cannot connect to the database server ({})",
                            schema, e.what()));
  }
}

}  // namespace

namespace {

// The comment on a schema created for an init with `claim`; Error when `claim` is not a run
// of lowercase hex digits (it is spliced into SQL).
std::string claim_comment(const std::string& claim) {
  if (claim.empty() || claim.find_first_not_of("0123456789abcdef") != std::string::npos)
    throw Error("a store's claim must be lowercase hex digits");
  return "outcomes init " + claim;
}

}  // namespace

PgStore PgStore::create(const std::string& conninfo, const std::string& schema, PgOptions options,
                        const std::string& claim) {
  const std::string comment = claim.empty() ? "" : claim_comment(claim);
  auto impl = connect(conninfo, schema, false, options);
  auto& s = *impl;
  s.guard([&] {
    // The schema, its version table and every step in one transaction: a schema half made
    // is never seen, and a second create of the same schema fails on CREATE SCHEMA.
    in_write(s, [&] {
      auto exists = s.db.exec("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1",
                              PgParams().add(s.schema));
      if (PQntuples(exists.get()) != 0)
        throw Error(fmt::format("{}: the schema is already there; refusing to replace it", s.name));
      const std::string quoted = s.db.quote_identifier(s.schema);
      s.db.exec_script(
          fmt::format("CREATE SCHEMA {0}; CREATE TABLE {0}.store_version "
                      "(version integer NOT NULL); INSERT INTO {0}.store_version "
                      "VALUES (0);",
                      quoted));
      if (!comment.empty())
        s.db.exec_script(fmt::format("COMMENT ON SCHEMA {} IS '{}'", quoted, comment));
      apply_steps(s);
    });
  });
  s.created = true;
  return PgStore(std::move(impl));
}

PgStore PgStore::open(const std::string& conninfo, const std::string& schema, bool read_only,
                      PgOptions options) {
  auto impl = connect(conninfo, schema, read_only, options);
  auto& s = *impl;
  s.guard([&] {
    auto exists = s.db.exec("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1",
                            PgParams().add(s.schema));
    if (PQntuples(exists.get()) == 0)
      throw Error(fmt::format(
          "{}: no journey store here (a workspace's store is made by 'outcomes init')", s.name));
    const auto version = stored_version(s);
    if (!version || *version == 0)
      throw Error(
          fmt::format("{}: not an outcomes store (a schema made by something else)", s.name));
    if (*version > schema_version()) throw newer_store(s, *version);
    if (*version < schema_version()) {
      if (read_only) throw store_needs_upgrade_error(s.name, *version, schema_version());
      in_write(s, [&] { apply_steps(s); });
    }
  });
  return PgStore(std::move(impl));
}

bool PgStore::discard_unused_claimed(const std::string& conninfo, const std::string& schema,
                                     const std::string& claim) {
  const std::string comment = claim_comment(claim);
  auto impl = connect(conninfo, schema, false, {});
  auto& s = *impl;
  bool dropped = false;
  s.guard([&] {
    // Under the write lock, so that nothing is recorded between the checks and the drop.
    in_write(s, [&] {
      dropped = false;
      auto found = s.db.exec(
          "SELECT pg_catalog.obj_description(oid, 'pg_namespace') FROM pg_catalog.pg_namespace "
          "WHERE nspname = $1",
          PgParams().add(s.schema));
      if (PQntuples(found.get()) == 0 || PQgetisnull(found.get(), 0, 0) ||
          pg_text(found.get(), 0, 0) != comment)
        return;
      // Whatever else someone put in the schema would go with it: only the store's own
      // tables (with their indexes), its one function and no types of its own may be there.
      const std::vector<std::string> tables(std::begin(kPgStoreTables), std::end(kPgStoreTables));
      auto foreign = s.db.exec(
          "SELECT (SELECT count(*) FROM pg_catalog.pg_class AS c WHERE c.relnamespace = n.oid "
          "AND c.relkind <> 'i' AND NOT (c.relkind = 'r' AND c.relname = ANY($2::text[]))) + "
          "(SELECT count(*) FROM pg_catalog.pg_proc AS p WHERE p.pronamespace = n.oid "
          "AND p.proname <> 'refuse_change') + "
          "(SELECT count(*) FROM pg_catalog.pg_type AS t WHERE t.typnamespace = n.oid "
          "AND t.typtype <> 'c' AND t.typcategory <> 'A') "
          "FROM pg_catalog.pg_namespace AS n WHERE n.nspname = $1",
          PgParams().add(s.schema).add(pg_text_array(tables)));
      auto recorded = s.db.exec(
          "SELECT (SELECT count(*) FROM entries) + (SELECT count(*) FROM people) + "
          "(SELECT count(*) FROM batches) + (SELECT count(*) FROM writes) + "
          "(SELECT count(*) FROM erasures) + (SELECT count(*) FROM frameworks_seen) + "
          "(SELECT count(*) FROM terms) + "
          "(SELECT count(*) FROM settings WHERE key <> 'pseudonym_secret')");
      if (pg_int(foreign.get(), 0, 0) != 0 || pg_int(recorded.get(), 0, 0) != 0)
        throw Error(fmt::format(
            "{}: an init stopped before it finished made this schema, but it now holds {}; "
            "it was kept. Use it as it is, or have the database's administrator look at it",
            s.name,
            pg_int(recorded.get(), 0, 0) != 0 ? "records" : "objects the store did not make"));
      s.db.exec_script(fmt::format("DROP SCHEMA {} CASCADE", s.db.quote_identifier(s.schema)));
      dropped = true;
    });
  });
  return dropped;
}

std::unique_ptr<JourneyStore> PgStore::open_reader() const {
  return std::make_unique<PgStore>(open(impl_->conninfo, impl_->schema, true, impl_->options));
}

}  // namespace outcomes

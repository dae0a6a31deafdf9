// The PostgreSQL backend's internals, shared by its source files (store_pg.cpp: connecting,
// creating, opening and the schema; store_pg_write.cpp: transactions and erasure;
// store_pg_read.cpp: reads, lookups and administration). Only those files include it.
#pragma once
#include <fmt/format.h>
#include <libpq-fe.h>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "error.h"
#include "store_erasure.h"
#include "store_pg.h"

namespace outcomes {

// A statement the server refused, with its SQLSTATE and, for a broken constraint, its name.
class PgFailure : public std::runtime_error {
 public:
  PgFailure(std::string message, std::string sqlstate, std::string constraint = {})
      : std::runtime_error(std::move(message)),
        sqlstate(std::move(sqlstate)),
        constraint(std::move(constraint)) {}
  std::string sqlstate;
  std::string constraint;
};

// True for a failure that a transaction may simply be tried again after: a serialization
// failure or a deadlock (SQLSTATE 40001, 40P01).
inline bool is_transient(const PgFailure& e) {
  return e.sqlstate == "40001" || e.sqlstate == "40P01";
}

// Tries a transaction's opening `attempt` again, up to a few times, while it fails transiently;
// `attempt` must roll back what it began before it throws.
template <class Attempt>
void retry_transient(Attempt&& attempt) {
  constexpr int kTries = 5;
  for (int tries = 1;; ++tries) {
    try {
      attempt();
      return;
    } catch (const PgFailure& e) {
      if (!is_transient(e) || tries == kTries) throw;
    }
  }
}

// Owns a PGresult.
struct PgResultFree {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, PgResultFree>;

// The parameters of one statement, in text format; a missing value is SQL NULL.
class PgParams {
 public:
  PgParams& add(std::string value) {
    values_.emplace_back(std::move(value));
    return *this;
  }
  PgParams& add(int64_t value) { return add(std::to_string(value)); }
  PgParams& add(int value) { return add(std::to_string(value)); }
  PgParams& add(const std::optional<int>& value) { return value ? add(*value) : add_null(); }
  // NULL for 0 (an id that is not there).
  PgParams& add_id(int64_t value) { return value != 0 ? add(value) : add_null(); }
  // NULL for "".
  PgParams& add_text(const std::string& text) { return text.empty() ? add_null() : add(text); }
  PgParams& add_null() {
    values_.emplace_back(std::nullopt);
    return *this;
  }
  int size() const { return static_cast<int>(values_.size()); }
  std::vector<const char*> pointers() const {
    std::vector<const char*> out;
    out.reserve(values_.size());
    for (const auto& v : values_) out.push_back(v ? v->c_str() : nullptr);
    return out;
  }

 private:
  std::vector<std::optional<std::string>> values_;
};

// One libpq connection, closed when it goes out of scope. Every failure throws PgFailure.
class PgConnection {
 public:
  explicit PgConnection(const std::string& conninfo);
  ~PgConnection() { PQfinish(conn_); }
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;
  PGconn* get() const { return conn_; }
  // Runs one statement with its parameters passed apart from the SQL text.
  PgResult exec(const std::string& sql, const PgParams& params = {}) const;
  // Runs SQL of one or more statements that take no parameters (schema steps).
  void exec_script(const std::string& sql) const;
  // Runs a COPY ... FROM STDIN statement and sends `data` (COPY's text format) to it.
  void copy_in(const std::string& sql, const std::string& data) const;
  // The identifier quoted for SQL (PQescapeIdentifier).
  std::string quote_identifier(const std::string& name) const;

 private:
  // Throws the failure a result (or the connection, for none) reports, unless it is `ok`.
  PgResult checked(PGresult* result, ExecStatusType ok) const;
  PGconn* conn_ = nullptr;
};

// An SQL array literal of text, every element quoted, to pass as one parameter.
inline std::string pg_text_array(const std::vector<std::string>& values) {
  std::string out = "{";
  for (const auto& v : values) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char c : v) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

// Text of row `row`, column `column` ("" for NULL).
inline std::string pg_text(const PGresult* r, int row, int column) {
  return std::string(PQgetvalue(r, row, column), static_cast<size_t>(PQgetlength(r, row, column)));
}
inline bool pg_null(const PGresult* r, int row, int column) {
  return PQgetisnull(r, row, column) != 0;
}
// The integer at row, column (0 for NULL).
inline int64_t pg_int(const PGresult* r, int row, int column) {
  if (PQgetisnull(r, row, column)) return 0;
  const char* text = PQgetvalue(r, row, column);
  int64_t value = 0;
  std::from_chars(text, text + PQgetlength(r, row, column), value);
  return value;
}

// The tables of a store's schema.
inline constexpr const char* kPgStoreTables[] = {"store_version", "people",  "frameworks_seen",
                                                 "terms",         "batches", "settings",
                                                 "entries",       "writes",  "erasures"};

struct PgStore::Impl {
  Impl(std::string conninfo, std::string schema, bool read_only, PgOptions options);

  std::string conninfo;
  std::string schema;
  std::string name;  // "postgresql:DATABASE/SCHEMA", how errors name the store
  PgConnection db;
  bool read_only = false;
  bool created = false;  // made by PgStore::create, not opened
  PgOptions options;
  bool in_transaction = false;
  bool in_read = false;
  bool logged_write = false;  // this transaction has a row in the log of writes
  std::string logged_at;      // the recorded_at of that row
  int64_t next_id = 1;
  int64_t erasures_seen = -1;  // erasures recorded when this connection last began a write
  int cursors = 0;             // cursors declared, for unique names

  // Ids of people, terms and framework versions already in the store (valid across
  // transactions because nothing is ever deleted but by an erasure, which clears them).
  std::unordered_map<std::string, int64_t> person_ids;
  std::unordered_map<std::string, int64_t> term_ids;
  std::unordered_map<std::string, int64_t> framework_ids;  // framework + '\n' + hash

  void forget_new_ids() {
    person_ids.clear();
    term_ids.clear();
    framework_ids.clear();
  }

  // The store ids of an entry's person, framework version, measure and status (0 where the
  // entry has none), added to their tables when new.
  struct EntryIds {
    int64_t person = 0, framework = 0, measure = 0, status = 0;
  };
  EntryIds ids_of(const NewEntry& entry);
  // Finds the ids of many entries' people and terms at once, adding those not yet stored, so
  // that ids_of answers each of those entries from memory (a file import's many people).
  void intern_all(const std::vector<const NewEntry*>& entries);

  // The log of writes: a row for the first entry of each run of entries recorded at one time.
  void log_write(int64_t first_id, const std::string& recorded_at);

  // Runs `body`, turning the server's failures into Errors naming the store.
  template <class Body>
  decltype(auto) guard(Body&& body) const {
    try {
      return body();
    } catch (const PgFailure& e) {
      throw error(e);
    }
  }
  // A failure as the user should read it, naming the store.
  Error error(const PgFailure& failure) const;

  [[noreturn]] void damaged(const std::string& what) const {
    throw Error(fmt::format("{}: the store is damaged ({}); restore it from a backup", name, what));
  }

  // What erasing the person `ref` removes (collect_erasure, through this store's lookups).
  ErasureSet erasure_set(const std::string& ref) const;
};

// Holds one read-only transaction while a read runs outside a write, so that the whole read
// sees one snapshot (and a cursor can be declared); nested reads share it.
class PgReadSnapshot {
 public:
  explicit PgReadSnapshot(PgStore::Impl& s);
  ~PgReadSnapshot();
  PgReadSnapshot(const PgReadSnapshot&) = delete;
  PgReadSnapshot& operator=(const PgReadSnapshot&) = delete;

 private:
  PgStore::Impl& s_;
  bool own_ = false;
  bool was_reading_ = false;
};

// Takes the store's write lock, held until the transaction ends: writes to one store queue
// like SQLite's single writer, so that a record's check-then-append cannot interleave with
// another. Waits as the store's WaitPolicy says; Error saying the store is busy when its
// limit passes.
void pg_lock_for_write(PgStore::Impl& s);

}  // namespace outcomes

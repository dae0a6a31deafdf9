// The PostgreSQL server the store's tests run against, named by OUTCOMES_TEST_PG (a libpq
// connection string; tests/pg/cluster.sh starts a throw-away one for ctest).
#pragma once
#include <fmt/format.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace outcomes::testing {

// The server's connection string; the process exits 77 (ctest: skipped) when there is none or
// it cannot be reached.
inline const std::string& pg_server() {
  static const std::string conninfo = [] {
    const char* given = std::getenv("OUTCOMES_TEST_PG");
    if (!given || !*given) {
      std::puts("SKIP: OUTCOMES_TEST_PG is not set (ctest sets it; see tests/pg/cluster.sh)");
      std::exit(77);
    }
    PGconn* conn = PQconnectdb(given);
    const bool ok = conn && PQstatus(conn) == CONNECTION_OK;
    if (!ok) std::printf("SKIP: cannot reach %s: %s", given, conn ? PQerrorMessage(conn) : "");
    PQfinish(conn);
    if (!ok) std::exit(77);
    return std::string(given);
  }();
  return conninfo;
}

// What the server answered to some SQL.
struct SqlAnswer {
  std::string error;        // the server's message ("" when it succeeded)
  std::string first_value;  // of the first row ("" when there is none, or on failure)
};

// Runs `sql` on a connection of its own, as a user of the database could.
inline SqlAnswer ask_server(const std::string& sql) {
  PGconn* conn = PQconnectdb(pg_server().c_str());
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  PGresult* r = PQexec(conn, sql.c_str());
  const auto status = PQresultStatus(r);
  SqlAnswer answer;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) answer.error = PQerrorMessage(conn);
  if (status == PGRES_TUPLES_OK && PQntuples(r) > 0) answer.first_value = PQgetvalue(r, 0, 0);
  PQclear(r);
  PQfinish(conn);
  return answer;
}

// Runs `sql` on a connection of its own; the server's error message ("" when it succeeded).
inline std::string run_sql(const std::string& sql) { return ask_server(sql).error; }

// The first value of the first row `sql` returns ("" when none, or on failure).
inline std::string first_value(const std::string& sql) { return ask_server(sql).first_value; }

// A schema name no other test case uses, dropped (with its store) at the end of the case.
struct TestSchema {
  std::string name;
  // `prefix` starts the name, to tell leftovers apart.
  explicit TestSchema(const std::string& prefix = "test") {
    static std::atomic<int> counter{0};
    name = fmt::format("{}_{}_{}_{}", prefix, ::getpid(),
                       std::chrono::steady_clock::now().time_since_epoch().count() % 1000000,
                       counter++);
  }
  ~TestSchema() { run_sql(fmt::format("DROP SCHEMA IF EXISTS {} CASCADE", quoted())); }
  // The name quoted as an SQL identifier.
  std::string quoted() const {
    std::string out = "\"";
    for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
  }
  TestSchema(const TestSchema&) = delete;
  TestSchema& operator=(const TestSchema&) = delete;
};

}  // namespace outcomes::testing

// The PostgreSQL server the store's tests run against, named by OUTCOMES_TEST_PG (a libpq
// connection string; tests/pg/cluster.sh starts a throw-away one for ctest).
#pragma once
#include <libpq-fe.h>

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

}  // namespace outcomes::testing

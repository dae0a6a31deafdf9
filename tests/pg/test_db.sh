# Sourced by a test that keeps its workspaces' stores on the test cluster (tests/pg/cluster.sh):
#   . tests/pg/test_db.sh SOCKET_DIR DATABASE
# makes DATABASE there afresh (one left by a killed run is replaced) and exports
# OUTCOMES_STORE, so `outcomes init` puts each new workspace's store in it (a schema per
# service id), and OUTCOMES_E2E_PG, OUTCOMES_E2E_PG_BIN and OUTCOMES_E2E_PG_DB, which
# tests/pg/sqlite3 reads. Defines pg_sql SQL (run on the cluster's "postgres" database) and
# pg_drop_db, which the caller's EXIT trap must run. Exits 77 (SKIP) when the server is not there.
# shellcheck shell=bash
source "$(dirname "${BASH_SOURCE[0]}")/pg_bin.sh"
pg_host=$1 pg_db=$2
pg_sql() { "$pg_bin/psql" -h "$pg_host" -U outcomes -d postgres -qAt -v ON_ERROR_STOP=1 -c "$1"; }
pg_drop_db() { pg_sql "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1; }
if [ -z "$pg_bin" ] || ! pg_sql "SELECT 1" >/dev/null 2>&1; then
  echo "SKIP: no PostgreSQL test cluster at $pg_host"
  exit 77
fi
pg_drop_db
pg_sql "CREATE DATABASE $pg_db" >/dev/null || exit 1
export OUTCOMES_STORE="postgresql://outcomes@/$pg_db?host=$pg_host"
export OUTCOMES_E2E_PG=$pg_host OUTCOMES_E2E_PG_BIN=$pg_bin OUTCOMES_E2E_PG_DB=$pg_db

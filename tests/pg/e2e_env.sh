# Sourced by run_e2e.sh when OUTCOMES_E2E_PG names the test cluster's socket folder
# (tests/pg/cluster.sh): every workspace the case makes keeps its store on PostgreSQL, in a
# database made for this case and dropped when it ends, and `sqlite3 DB ...` in the case
# reads that store instead (tests/pg/sqlite3). Exits 77 (SKIP) when the server is not there.
pg_bin=
for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
  [ -x "$candidate/psql" ] && { pg_bin=$candidate; break; }
done
pg_sql() { "$pg_bin/psql" -h "$OUTCOMES_E2E_PG" -U outcomes -d postgres -qAt -v ON_ERROR_STOP=1 -c "$1"; }
if [ -z "$pg_bin" ] || ! pg_sql "SELECT 1" >/dev/null 2>&1; then
  echo "SKIP: no PostgreSQL test cluster at $OUTCOMES_E2E_PG"
  exit 77
fi
pg_db=e2e_$(printf '%s' "$case" | sha256sum | cut -c1-20)
pg_sql "DROP DATABASE IF EXISTS $pg_db" >/dev/null 2>&1
pg_sql "CREATE DATABASE $pg_db" >/dev/null || exit 1
trap 'rm -rf "$work"; pg_sql "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1' EXIT
export OUTCOMES_STORE="postgresql://outcomes@/$pg_db?host=$OUTCOMES_E2E_PG"
export OUTCOMES_E2E_PG_BIN=$pg_bin OUTCOMES_E2E_PG_DB=$pg_db
ln -s "$(realpath "$(dirname "${BASH_SOURCE[0]}")")/sqlite3" "$work/bin/sqlite3"

# Sourced by run_e2e.sh when OUTCOMES_E2E_PG names the test cluster's socket folder
# (tests/pg/cluster.sh): every workspace the case makes keeps its store on PostgreSQL, in a
# database made for this case and dropped when it ends, and `sqlite3 DB ...` in the case
# reads that store instead (tests/pg/sqlite3). Exits 77 (SKIP) when the server is not there.
source "$(dirname "${BASH_SOURCE[0]}")/test_db.sh" "$OUTCOMES_E2E_PG" \
  "e2e_$(printf '%s' "$case" | sha256sum | cut -c1-20)"
trap 'rm -rf "$work"; pg_drop_db' EXIT
ln -s "$(realpath "$(dirname "${BASH_SOURCE[0]}")")/sqlite3" "$work/bin/sqlite3"

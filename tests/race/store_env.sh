# Sourced by race.sh and load.sh once they have made $work; sets the EXIT trap that removes it.
# With OUTCOMES_RACE_PG naming a test cluster's socket folder (tests/pg/cluster.sh), their
# workspaces keep their stores on PostgreSQL instead, in a database made for this run and
# dropped after it, and `sqlite3 DIR/outcomes.db SQL` runs SQL in that workspace's schema
# (tests/pg/sqlite3); exits 77 (SKIP) when that server is not there.
# shellcheck shell=bash disable=SC2034
trap 'rm -rf "$work"' EXIT
if [ -n "${OUTCOMES_RACE_PG:-}" ]; then
  source "$(dirname "${BASH_SOURCE[0]}")/../pg/test_db.sh" "$OUTCOMES_RACE_PG" \
    "$(basename "$0" .sh)_$$"
  trap 'rm -rf "$work"; pg_drop_db' EXIT
  mkdir -p "$work/bin"
  ln -s "$(realpath "$(dirname "${BASH_SOURCE[0]}")/../pg/sqlite3")" "$work/bin/sqlite3"
  export PATH="$work/bin:$PATH"
fi

# Words of the database's own that must never reach a user: a refused or failed write is
# told in the journey's terms.
db_words='sqlite\|busy\|constraint\|postgres\|libpq\|deadlock\|serializ\|duplicate key\|violates'

# next_store: sets store_args to what `outcomes init` takes for one more workspace: on
# PostgreSQL, a service id (a schema) of its own.
stores=0
next_store() {
  stores=$((stores + 1))
  store_args=()
  if [ -n "${OUTCOMES_RACE_PG:-}" ]; then store_args=(--service-id "ws$stores"); fi
}

# store_ok NAME WORKSPACE: `outcomes verify` finds nothing wrong with the workspace's store.
store_ok() {
  local out
  out=$(cd "$2" && "$bin" verify 2>&1) || fail "$1: verify: $(echo "$out" | head -3)"
}

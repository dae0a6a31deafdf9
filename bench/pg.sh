#!/usr/bin/env bash
# The journey store on PostgreSQL against its peers at one size, in one run: starts a
# cluster of its own (tests/pg/cluster.sh, in a temporary folder under /tmp, stopped and
# removed at the end), builds the inputs once, then runs each command and its peer in turn,
# RUNS times, and prints for each the median wall time, median CPU time of the client
# (user + system), median peak resident memory of the client, and the ratio to its peer
# measured in the same run; for commands served by PostgreSQL, also the server's CPU time
# (every server process of the cluster, the same medians).
#
#   bench/pg.sh SIZE [BUILD_DIR]
#
# SIZE is a number of entries: 200k, 1M, 10M or a plain number; people = SIZE / 250.
# BUILD_DIR defaults to build-bench (configured Release here when missing).
#
# Cases (all by default; choose with CASES="import read latency load"):
#   import   `outcomes record --from FILE` into a fresh store on PostgreSQL (the COPY path)
#            vs `psql -c "\copy plain FROM FILE CSV HEADER"` into a plain table of the
#            file's columns (all text), same file, same server; and the same import into
#            a fresh SQLite store.
#   read     `outcomes assess --format jsonl` of the whole store and `outcomes report
#            --month 2026-10` on the PostgreSQL store vs the same file imported into
#            SQLite; the two stores' outputs must be the same.
#   latency  one `outcomes record` of a contact and one `outcomes journey PERSON` on each
#            store (median of LATENCY_RUNS, default 21, in ms).
#   load     tests/race/load.sh on PostgreSQL: RECORDERS (default 16) processes each record
#            RECORDS (default 1000) single entries, one `outcomes record` each, while
#            LOAD_IMPORTERS (default 2) import files of LOAD_ROWS rows (default 10000) one
#            after another, two race an enrolment against an exit and two read; wall time,
#            the recorders' entries/s, and its checks that every entry is stored exactly once.
#
# Environment: RUNS (default 3), LATENCY_RUNS, CASES, RECORDERS, RECORDS, LOAD_IMPORTERS, LOAD_ROWS,
# PG_CONF (lines for postgresql.conf; default "shared_buffers = 512MB", max_connections
# 100, and fsync and full page writes on with synchronous_commit off, as durable as the
# SQLite store's WAL with synchronous = NORMAL: a crash loses no more than the last
# commits and corrupts nothing), PG_DIR (the cluster's folder, default /tmp/outcomes-bench-pg-PID;
# its path must be short: it holds the server's socket; 10M entries need ~5 GB there), and
# OUTCOMES_BENCH_DIR (where the CSV and the SQLite stores are built, emptied at the start and
# kept at the end; default a temporary folder removed at the end).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
. "$src/bench/common.sh"
bench_usage $#
. "$src/tests/pg/pg_bin.sh"
rows=$(bench_rows "$1") || exit 2
build=$(realpath -m "${2:-$src/build-bench}")
people=$((rows / 250))
runs=${RUNS:-3}
latency_runs=${LATENCY_RUNS:-21}
cases=" ${CASES:-import read latency load} "
recorders=${RECORDERS:-16} records=${RECORDS:-1000}
load_importers=${LOAD_IMPORTERS:-2} load_rows=${LOAD_ROWS:-10000}
today=2026-11-15
month=2026-10
if [ -z "$pg_bin" ]; then
  echo "pg.sh: no PostgreSQL server binaries under /usr/lib/postgresql (install postgresql)" >&2
  exit 1
fi

bench_build "$build" outcomes gen_entries
outcomes=$build/outcomes

bench_dir "pg-$rows"
pg_dir=$(realpath -m "${PG_DIR:-/tmp/outcomes-bench-pg-$$}")
trap '"$src/tests/pg/cluster.sh" stop "$pg_dir"; bench_cleanup' EXIT
export OUTCOMES_NOW=$today OUTCOMES_SHARE="$src/frameworks"
unset OUTCOMES_STORE OUTCOMES_WORKSPACE

export OUTCOMES_PG_CONF=${PG_CONF:-"shared_buffers = 512MB
max_connections = 100
fsync = on
full_page_writes = on
synchronous_commit = off"}
log "starting a PostgreSQL cluster in $pg_dir"
"$src/tests/pg/cluster.sh" start "$pg_dir" >/dev/null
psql_db() { "$pg_bin/psql" -h "$pg_dir" -U outcomes -d "$1" -qAt -v ON_ERROR_STOP=1 "${@:2}"; }
psql_db postgres -c "CREATE DATABASE bench" >/dev/null
psql() { psql_db bench "$@"; }
uri="postgresql://outcomes@/bench?host=$pg_dir"
server_version=$(psql -c "SHOW server_version")

# server_ticks: the CPU time the cluster's processes have used so far, in clock ticks: the
# postmaster's own and its children's that ended (a connection's server process ends with
# it), and those of its children still running.
ticks_per_s=$(getconf CLK_TCK)
postmaster=$(head -1 "$pg_dir/data/postmaster.pid")
server_ticks() {
  # Fields 14 and 15 of /proc/PID/stat are user and system time, 16 and 17 those of the
  # children waited for; the command name (field 2) has no spaces here.
  {
    awk '{ print $14 + $15 + $16 + $17 }' "/proc/$postmaster/stat"
    for child in $(ps -o pid= --ppid "$postmaster"); do
      awk '{ print $14 + $15 }' "/proc/$child/stat" 2>/dev/null || true
    done
  } | awk '{ t += $1 } END { print t }'
}
# pg_measure NAME CMD...: measure, and the server's CPU time meanwhile under NAME too.
declare -A server_cpus
pg_measure() {
  local name=$1 before after
  before=$(server_ticks)
  measure "$@"
  sleep 0.05 # the ended connection's server process is reaped by the postmaster
  after=$(server_ticks)
  server_cpus[$name]+="$(awk -v a="$after" -v b="$before" -v t="$ticks_per_s" 'BEGIN { printf "%.2f", (a - b) / t }') "
}
# server_row NAME...: the median server CPU time of each NAME measured by pg_measure.
server_rows() {
  local name
  for name in "$@"; do
    printf "  server CPU s, %-26s %9s\n" "$name" "$(echo "${server_cpus[$name]}" | median)"
  done
}

log "pg.sh $1: $rows entries, $people people, $runs runs; cases:$cases; PostgreSQL $server_version; in $work"
echo "# outcomes on PostgreSQL vs peers: $rows entries, $people people ($(date -u +%Y-%m-%dT%H:%MZ)," \
  "load $(cut -d' ' -f1-3 /proc/loadavg), $runs runs, medians; PostgreSQL $server_version)"

csv=$work/entries.csv
log "generating $csv"
"$build/bench/gen_entries" "$rows" "$people" "$today" >"$csv"
lines=$(($(wc -l <"$csv") - 1))

# new_store KIND NAME: a fresh workspace $work/NAME with its store on KIND (sqlite, or pg: the
# schema NAME in the cluster's database, one left by an earlier run dropped first).
new_store() {
  rm -rf "${work:?}/$2"
  if [ "$1" = pg ]; then
    psql -c "DROP SCHEMA IF EXISTS $2 CASCADE" 2>/dev/null
    "$outcomes" init "$work/$2" --name Bench --store "$uri" --service-id "$2" >/dev/null
  else
    "$outcomes" init "$work/$2" --name Bench >/dev/null
  fi
}
# The last import's stores are the ones read.
pg_store=bench_pg
sqlite_store=bench_sqlite

# --- a. Import.
if has import; then
  columns=$(head -1 "$csv" | sed 's/[^,]*/"&" text/g')
  for ((i = 1; i <= runs; i++)); do
    log "import run $i of $runs"
    cat "$csv" >/dev/null # the page cache holds the file for every importer
    new_store pg "$pg_store"
    psql -c "CHECKPOINT"
    pg_measure "record --from (PostgreSQL)" "$outcomes" --workspace "$work/$pg_store" record --from "$csv"
    psql -c "DROP TABLE IF EXISTS plain" -c "CREATE TABLE plain ($columns)" 2>/dev/null
    psql -c "CHECKPOINT"
    pg_measure "psql \\copy" "$pg_bin/psql" -h "$pg_dir" -U outcomes -d bench -qAt -v ON_ERROR_STOP=1 \
      -c "\\copy plain FROM '$csv' CSV HEADER"
    copied=$(psql -c "SELECT count(*) FROM plain")
    psql -c "DROP TABLE plain"
    new_store sqlite "$sqlite_store"
    measure "record --from (SQLite)" "$outcomes" --workspace "$work/$sqlite_store" record --from "$csv"
  done
  [ "$copied" = "$lines" ] || { echo "psql \\copy copied $copied rows of $lines" >&2; exit 1; }
  {
    header "a. import ($lines rows; per s = rows/s; ratio = time / psql \\copy's)"
    row "record --from (PostgreSQL)" "psql \\copy" "" "$lines"
    row "psql \\copy" "" "a plain table of the file's columns" "$lines"
    row "record --from (SQLite)" "psql \\copy" "" "$lines"
    server_rows "record --from (PostgreSQL)" "psql \\copy"
    echo "PostgreSQL store: $(psql -c "SELECT pg_size_pretty(sum(pg_total_relation_size(c.oid)))
      FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
      WHERE n.nspname = '$pg_store' AND c.relkind = 'r'"); SQLite store: $(du -m "$work/$sqlite_store/outcomes.db" | cut -f1) MB"
  } >"$work/results-import"
elif has read || has latency; then
  log "importing $csv into both stores"
  new_store pg "$pg_store"
  "$outcomes" --workspace "$work/$pg_store" record --from "$csv" >/dev/null 2>&1
  new_store sqlite "$sqlite_store"
  "$outcomes" --workspace "$work/$sqlite_store" record --from "$csv" >/dev/null 2>&1
fi
if ! has load; then rm -f "$csv"; fi

# --- b. Reads of the whole store.
if has read; then
  psql -c "VACUUM ANALYZE"
  same=yes
  for ((i = 1; i <= runs; i++)); do
    log "read run $i of $runs"
    for cmd in assess report; do
      args=(assess --as-of "$today" --format jsonl)
      [ $cmd = report ] && args=(report --month "$month" --format json)
      pg_measure "$cmd (PostgreSQL)" "$outcomes" --workspace "$work/$pg_store" "${args[@]}"
      mv "$work/out" "$work/out.pg"
      [ $cmd = assess ] && assessments=$(wc -l <"$work/out.pg")
      measure "$cmd (SQLite)" "$outcomes" --workspace "$work/$sqlite_store" "${args[@]}"
      cmp -s "$work/out" "$work/out.pg" || same=no
    done
  done
  {
    header "b. whole-store reads ($lines entries; per s = entries/s; ratio = PostgreSQL / SQLite)"
    row "assess (PostgreSQL)" "assess (SQLite)" "$assessments assessments" "$lines"
    row "assess (SQLite)" "" "" "$lines"
    row "report (PostgreSQL)" "report (SQLite)" "--month $month" "$lines"
    row "report (SQLite)" "" "" "$lines"
    server_rows "assess (PostgreSQL)" "report (PostgreSQL)"
    echo "outputs the same on both stores: $same"
  } >"$work/results-read"
  [ "$same" = yes ] || echo "pg.sh: assess or report printed differently on the two stores" >&2
fi

# --- c. Latency of one write and one read.
if has latency; then
  # Someone whose latest enrolment or exit is an enrolment: in an open episode today.
  person=$(sqlite3 "$work/$sqlite_store/outcomes.db" "SELECT p.ref FROM entries AS e JOIN people AS p ON p.id = e.person
    WHERE e.kind = 0 AND NOT EXISTS (SELECT 1 FROM entries AS x WHERE x.person = e.person
      AND x.kind < 2 AND (x.day > e.day OR (x.day = e.day AND x.seq > e.seq))) LIMIT 1")
  for ((i = 1; i <= latency_runs; i++)); do
    for store in PostgreSQL SQLite; do
      ws=$work/$sqlite_store
      [ $store = PostgreSQL ] && ws=$work/$pg_store
      measure "record (one contact), $store" "$outcomes" --workspace "$ws" record contact "$person" \
        --status attended --date "$today" --by bench
      measure "journey PERSON, $store" "$outcomes" --workspace "$ws" journey "$person"
    done
  done
  {
    ms_header "c. latency (median of $latency_runs; ratio = PostgreSQL / SQLite; PERSON = $person)"
    ms_row "record (one contact), PostgreSQL" "record (one contact), SQLite"
    ms_row "record (one contact), SQLite"
    ms_row "journey PERSON, PostgreSQL" "journey PERSON, SQLite"
    ms_row "journey PERSON, SQLite"
  } >"$work/results-latency"
fi

# --- d. Writers and readers at once (tests/race/load.sh, its store in a database of its own).
if has load; then
  log "load: $recorders recorders x $records entries"
  start=$(date +%s%N)
  set +e
  OUTCOMES_RACE_PG=$pg_dir RECORDERS=$recorders RECORDS=$records IMPORTERS=$load_importers /usr/bin/time -f "%U %S %M" \
    -o "$work/time" "$src/tests/race/load.sh" "$outcomes" "$src" 0 "$load_rows" >"$work/load.out" 2>&1
  status=$?
  set -e
  end=$(date +%s%N)
  read -r user sys kb < <(tail -1 "$work/time")
  {
    echo
    echo "## d. load: $recorders processes x $records single records, with $load_importers importers of $load_rows rows, enrol/exit races and reads"
    awk -v s="$start" -v e="$end" -v u="$user" -v y="$sys" -v k="$kb" 'BEGIN {
      printf "wall %.1f s, client CPU %.1f s (every process), largest client peak %.0f MB\n",
        (e - s) / 1e9, u + y, k / 1024 }'
    grep -v '^+' "$work/load.out"
    if [ $status = 0 ]; then echo "exactly once: yes (load.sh's checks passed)"
    else echo "exactly once: NO (load.sh exited $status)"; fi
  } >"$work/results-load"
  rm -f "$csv"
fi

for part in import read latency load; do
  if [ -f "$work/results-$part" ]; then cat "$work/results-$part"; fi
done
echo
echo "CPU s and peak MB are the client's (outcomes or psql); server CPU s is every server process's."
if has load && [ "$status" != 0 ]; then exit 1; fi

#!/usr/bin/env bash
# `outcomes` against its peers at one size, in one run: builds the inputs once, then runs
# each command and its peer in turn, RUNS times, and prints for each the median wall time,
# median CPU time (user + system), median peak resident memory (the program's own and
# SQLite's page cache; the store is read, not mapped) and the ratio to its peer measured in the same run.
#
#   bench/compare.sh SIZE [BUILD_DIR]
#
# SIZE is a number of entries: 200k, 1M, 10M, 100M or a plain number; people = SIZE / 250.
# BUILD_DIR defaults to build-bench (configured Release here when missing).
#
# Cases (all by default; choose with CASES="import assess report history latency"):
#   import   `outcomes record --from FILE` into a fresh workspace vs `sqlite3 .import --csv`
#            of the same file into a plain table; without refs and with a ref on every row.
#   assess   `outcomes assess --format jsonl` of the whole store (the imported one) vs the
#            single SQL query of bench/assess_first_latest.sql run by the sqlite3 shell on the
#            same store (target: assess <= 1.5x its time), and vs bench/assess_pandas.py
#            (target: pandas >= 10x assess's time).
#   report   `outcomes report --month 2026-10` on a store of SIZE entries written by
#            bench/gen_report_store (one import a month over 24 months); the generator's time
#            is printed beside the import's (target: the generator is not slower).
#   history  the same report on RECENT entries (default 1M; SIZE/10 when SIZE < 2M) alone
#            and on them with SIZE - RECENT older entries before them (target: <= 1.3x).
#   latency  one `outcomes record` of a contact and one `outcomes journey PERSON` on the
#            imported store (median of LATENCY_RUNS, default 7, in ms).
#
# Environment: RUNS (default 3; 1 from 100M), LATENCY_RUNS, CASES, RECENT, PANDAS=0 (leave
# the pandas peer out: read_sql holds the assessment rows as Python objects first, many GB
# at 100M; watch free memory), and
# OUTCOMES_BENCH_DIR: where the CSVs and stores are built (emptied at the start and kept
# at the end; default a temporary folder removed at the end). 100M entries need about
# 40 GB there: the CSVs take ~60 MB per 1M rows, stores 60-90 MB per 1M entries.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
. "$src/bench/common.sh"
bench_usage $#
rows=$(bench_rows "$1") || exit 2
build=$(realpath -m "${2:-$src/build-bench}")
people=$((rows / 250))
runs=${RUNS:-$([ "$rows" -ge 100000000 ] && echo 1 || echo 3)}
latency_runs=${LATENCY_RUNS:-7}
pandas=${PANDAS:-1}
cases=" ${CASES:-import assess report history latency} "
recent=${RECENT:-1000000}
if [ $((recent * 2)) -gt "$rows" ]; then recent=$((rows / 10)); fi
today=2026-11-15
month=2026-10

bench_build "$build" outcomes gen_entries gen_report_store
outcomes=$build/outcomes

bench_dir "compare-$rows"
export OUTCOMES_NOW=$today OUTCOMES_SHARE="$src/frameworks"

declare -A active

log "compare.sh $1: $rows entries, $people people, $runs runs; cases:$cases; in $work"
echo "# outcomes vs peers: $rows entries, $people people ($(date -u +%Y-%m-%dT%H:%MZ)," \
  "load $(cut -d' ' -f1-3 /proc/loadavg), $runs runs, medians)"

# --- Inputs: the entries CSVs (without and with refs) and the imported store.
store=$work/store
csv=$work/entries.csv
refs_csv=$work/entries-refs.csv
if has import || has assess || has latency; then
  log "generating $csv"
  "$build/bench/gen_entries" "$rows" "$people" "$today" >"$csv"
  lines=$(($(wc -l <"$csv") - 1))
fi
if has import; then
  log "generating $refs_csv"
  "$build/bench/gen_entries" "$rows" "$people" "$today" --refs >"$refs_csv"
fi

fresh_workspace() {
  rm -rf "$1"
  "$outcomes" init "$1" --name Bench >/dev/null
}

# --- a. Import.
import_wall=""
if has import; then
  for ((i = 1; i <= runs; i++)); do
    log "import run $i of $runs"
    for variant in "" refs; do
      file=$csv
      [ -n "$variant" ] && file=$refs_csv
      label=${variant:+, refs}
      cat "$file" >/dev/null # the page cache holds the file for both importers
      fresh_workspace "$work/import-ws"
      measure "record --from$label" "$outcomes" --workspace "$work/import-ws" record --from "$file"
      rm -f "$work/plain.db"
      measure "sqlite3 .import --csv$label" sqlite3 "$work/plain.db" ".import --csv $file entries"
      rm -f "$work/plain.db"
      if [ -z "$variant" ]; then
        rm -rf "$store"
        mv "$work/import-ws" "$store"
      fi
    done
  done
  rm -rf "$work/import-ws" "$refs_csv"
  import_wall=$(wall "record --from")
  {
    header "a. import ($lines rows; per s = rows/s; ratio = time / sqlite3's)"
    row "record --from" "sqlite3 .import --csv" "" "$lines"
    row "sqlite3 .import --csv" "" "" "$lines"
    row "record --from, refs" "sqlite3 .import --csv, refs" "" "$lines"
    row "sqlite3 .import --csv, refs" "" "" "$lines"
    echo "store: $(du -m "$store/outcomes.db" | cut -f1) MB"
  } >"$work/results-import"
elif has assess || has latency; then
  log "importing $csv"
  fresh_workspace "$store"
  "$outcomes" --workspace "$store" record --from "$csv" >/dev/null 2>&1
fi
rm -f "$csv"

# --- b. Assess of the whole store.
if has assess; then
  as_of_day=$(sqlite3 :memory: "SELECT CAST(julianday('$today') - julianday('1970-01-01') AS INTEGER)")
  entries=$(sqlite3 "$store/outcomes.db" "SELECT count(*) FROM entries")
  cat "$store/outcomes.db" >/dev/null
  for ((i = 1; i <= runs; i++)); do
    log "assess run $i of $runs"
    measure "outcomes assess --format jsonl" \
      "$outcomes" --workspace "$store" assess --as-of "$today" --format jsonl
    assessments=$(wc -l <"$work/out")
    measure "SQL first/latest (sqlite3)" sqlite3 -csv "$store/outcomes.db" \
      ".parameter set :as_of $as_of_day" ".read $src/bench/assess_first_latest.sql"
    sql_rows=$(wc -l <"$work/out")
    if [ "$pandas" = 1 ]; then
      measure "pandas (assess_pandas.py)" /usr/bin/python3 "$src/bench/assess_pandas.py" "$store" "$today"
      pandas_rows=$(($(wc -l <"$work/out") - 1))
    fi
  done
  {
    header "b. assess, whole store ($entries entries; per s = entries/s)"
    row "outcomes assess --format jsonl" "SQL first/latest (sqlite3)" \
      "assess / SQL (target <= 1.5); $assessments assessments" "$entries"
    row "SQL first/latest (sqlite3)" "" "$sql_rows (person, item) rows" "$entries"
    if [ "$pandas" = 1 ]; then
      row "pandas (assess_pandas.py)" "outcomes assess --format jsonl" \
        "pandas / assess (target >= 10); $pandas_rows figure rows" "$entries"
    fi
  } >"$work/results-assess"
fi

# --- c. Report: stores written by the generator.
# generate NAME ENTRIES PEOPLE [--history N]: a new workspace $work/NAME filled by
# gen_report_store; its time goes under "generate NAME".
generate() {
  local name=$1 ws=$work/$1
  shift
  fresh_workspace "$ws"
  rm -f "$ws/outcomes.db"
  log "generating the $name store: $*"
  measure "generate $name" "$build/bench/gen_report_store" "$ws" "$@"
  cat "$ws/outcomes.db" >/dev/null
}
# versus_import NAME: the generator's time for SIZE entries against the import's of SIZE rows.
versus_import() {
  if [ -z "$import_wall" ]; then return; fi
  awk -v name="$1" -v g="$(wall "$1")" -v i="$import_wall" -v n="$rows" 'BEGIN {
    printf "%s: %.0f entries/s vs record --from %.0f rows/s; time ratio %.2f (target <= 1)\n",
      name, n / g, n / i, g / i }'
}
report_cases=()
if has report; then
  generate report-store "$rows" "$people"
  report_cases+=(report-store)
fi
if has history; then
  generate report-recent "$recent" $((recent / 250))
  generate report-history "$recent" $((recent / 250)) --history $((rows - recent))
  report_cases+=(report-recent report-history)
fi
if [ ${#report_cases[@]} -gt 0 ]; then
  for ((i = 1; i <= runs; i++)); do
    log "report run $i of $runs"
    for name in "${report_cases[@]}"; do
      measure "report $name" "$outcomes" --workspace "$work/$name" report --month "$month" --format json
      active[$name]=$(grep -m1 '"active"' "$work/out" | tr -dc '0-9' || true)
    done
  done
  {
    header "c. report --month $month on generated stores"
    if has report; then
      row "report report-store" "" "$rows entries, ${active[report-store]} active"
      row "generate report-store" "" "" "$rows"
      versus_import "generate report-store"
    fi
    if has history; then
      row "report report-recent" "" "$recent recent entries, ${active[report-recent]} active"
      row "report report-history" "report report-recent" \
        "+ $((rows - recent)) older; history / recent (target <= 1.3)"
      row "generate report-recent" "" "" "$recent"
      row "generate report-history" "" "" "$rows"
      versus_import "generate report-history"
    fi
  } >"$work/results-report"
fi

# --- d. Latency of one write and one read on the imported store.
if has latency; then
  # Someone whose latest enrolment or exit is an enrolment: in an open episode today.
  person=$(sqlite3 "$store/outcomes.db" "SELECT p.ref FROM entries AS e JOIN people AS p ON p.id = e.person
    WHERE e.kind = 0 AND NOT EXISTS (SELECT 1 FROM entries AS x WHERE x.person = e.person
      AND x.kind < 2 AND (x.day > e.day OR (x.day = e.day AND x.seq > e.seq))) LIMIT 1")
  for ((i = 1; i <= latency_runs; i++)); do
    measure "record (one contact)" "$outcomes" --workspace "$store" record contact "$person" \
      --status attended --date "$today" --by bench
    measure "journey $person" "$outcomes" --workspace "$store" journey "$person"
  done
  {
    ms_header "d. latency on the imported store (median of $latency_runs)"
    ms_row "record (one contact)"
    ms_row "journey $person"
  } >"$work/results-latency"
fi

for part in import assess report latency; do
  if [ -f "$work/results-$part" ]; then cat "$work/results-$part"; fi
done
echo
echo "peak MB is the peak resident set: the program's memory and SQLite's page cache (the store is not mapped)."

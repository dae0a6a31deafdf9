#!/usr/bin/env bash
# Export benchmark: builds one store of ROWS entries for PEOPLE people (bench/gen_entries
# and `outcomes record --from`), then times, in every format, the export of all entries
# and the wide assessments (one row per person and framework). Runs alternate between
# the commands; each command's median wall time, CPU time (user + system) and peak
# memory (maximum resident set, which includes the mapped store file) are printed, with
# the output's size, and the ratio of each wall time to the peer's (sqlite3's own CSV of the
# entries table, measured in the same run).
#
#   bench/export.sh [BUILD_DIR] [ROWS] [PEOPLE] [RUNS]
#
# BUILD_DIR defaults to build-bench (configured Release here when missing); ROWS 1,000,000,
# PEOPLE 40,000, RUNS 3.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath -m "${1:-$src/build-bench}")
rows=${2:-1000000}
people=${3:-40000}
runs=${4:-3}
today=2026-11-15

. "$src/bench/common.sh"
bench_build "$build" outcomes gen_entries

bench_workdir
export OUTCOMES_NOW=$today OUTCOMES_SHARE="$src/frameworks"
bench_store "$rows" "$people"
echo "store: $(sqlite3 "$work/ws/outcomes.db" "SELECT count(*) FROM entries") entries," \
  "$(sqlite3 "$work/ws/outcomes.db" "SELECT count(DISTINCT person) FROM entries") people;" \
  "load $(cut -d' ' -f1-3 /proc/loadavg)"

# name|arguments (the output goes to $work/out: a file, or a folder for several tables).
# The peer: sqlite3's own CSV output of the entries table (ids, not names; no pseudonyms or
# ordering), the least any CSV export of the store can cost.
cases=(
  "peer: sqlite3 -csv|PEER"
  "entries csv|entries --format csv -o OUT.csv"
  "entries jsonl|entries --format jsonl -o OUT.jsonl"
  "entries xlsx|entries --format xlsx -o OUT.xlsx"
  "entries sav|entries --format sav -o OUT.sav"
  "entries dta|entries --format dta -o OUT.dta"
  "assessments wide csv|assessments --format csv -o OUT"
  "assessments wide jsonl|assessments --format jsonl -o OUT.jsonl"
  "assessments wide xlsx|assessments --format xlsx -o OUT.xlsx"
  "assessments wide sav|assessments --format sav -o OUT"
  "assessments wide dta|assessments --format dta -o OUT"
  "assessments fhir|assessments --format fhir -o OUT.ndjson"
)
declare -A walls cpus mems sizes
for ((i = 1; i <= runs; i++)); do
  for c in "${cases[@]}"; do
    name=${c%%|*}
    args=${c#*|}
    rm -rf "$work/out" "$work"/out.*
    if [ "$args" = PEER ]; then
      /usr/bin/time -f "%e %U %S %M" -o "$work/time" \
        sqlite3 -csv -header "$work/ws/outcomes.db" "SELECT * FROM entries" >"$work/out.csv"
    else
      # shellcheck disable=SC2086
      /usr/bin/time -f "%e %U %S %M" -o "$work/time" \
        "$build/outcomes" --workspace "$work/ws" export ${args//OUT/$work/out} \
        2>"$work/err" || { echo "$name failed:"; cat "$work/err"; exit 1; }
    fi
    read -r wall user sys kb <"$work/time"
    walls[$name]+="$wall "
    cpus[$name]+="$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }') "
    mems[$name]+="$kb "
    sizes[$name]=$(du -sb "$work"/out* | awk '{ s += $1 } END { print s }')
  done
done

peer=$(echo "${walls["peer: sqlite3 -csv"]}" | median)
printf "%-24s %9s %9s %10s %10s %8s\n" export "wall s" "CPU s" "peak MiB" "output MB" "/peer"
for c in "${cases[@]}"; do
  name=${c%%|*}
  wall=$(echo "${walls[$name]}" | median)
  printf "%-24s %9s %9s %10.1f %10.1f %8.2f\n" "$name" "$wall" \
    "$(echo "${cpus[$name]}" | median)" "$(echo "${mems[$name]}" | median | awk '{ print $1 / 1024 }')" \
    "$(echo "${sizes[$name]}" | awk '{ print $1 / 1e6 }')" "$(awk -v a="$wall" -v b="$peer" 'BEGIN { print a / b }')"
done

#!/usr/bin/env bash
# Import benchmark: generates a long entries CSV of ROWS valid rows for about
# 4,000 people, imports it with `outcomes record --from` into a fresh workspace, and in
# the same run imports the same file with sqlite3's own `.import --csv` into a plain
# table; prints both rates, their ratio and the import's peak memory.
#
#   bench/import.sh [BUILD_DIR] [ROWS] [PEOPLE] [--refs] [RUNS]
#
# BUILD_DIR defaults to build-bench (configured Release here when missing). Targets:
# at least 0.8x the rows/s of sqlite3 .import, and peak memory under 200 MB.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath -m "${1:-$src/build-bench}")
rows=${2:-1000000}
people=${3:-4000}
refs=${4:-}
runs=${5:-5}
today=2026-11-15

. "$src/bench/common.sh"
bench_build "$build" outcomes gen_entries

bench_workdir
gen=$build/bench/gen_entries
"$gen" "$rows" "$people" "$today" $refs >"$work/entries.csv"
size=$(stat -c %s "$work/entries.csv")
echo "file: $rows rows, $people people, $((size / 1000000)) MB${refs:+ (with refs)}"

export OUTCOMES_NOW=$today OUTCOMES_SHARE="$src/frameworks"
cat "$work/entries.csv" >/dev/null  # warm the page cache for both importers

seconds() { awk -v s="$1" -v e="$2" 'BEGIN { printf "%.3f", (e - s) / 1e9 }'; }

# The two importers take turns, each into a fresh store, RUNS times; the medians are
# compared (one run each is at the mercy of the disk's write-back of the run before).
: >"$work/ours" >"$work/theirs"
for run in $(seq "$runs"); do
  rm -rf "$work/ws" "$work/plain.db"
  (cd "$work" && "$build/outcomes" init ws --name Bench >/dev/null)
  start=$(date +%s%N)
  /usr/bin/time -f "%M" -o "$work/mem" \
    "$build/outcomes" --workspace "$work/ws" record --from "$work/entries.csv" 2>"$work/err"
  end=$(date +%s%N)
  seconds "$start" "$end" >>"$work/ours"
  echo >>"$work/ours"
  [ "$run" = 1 ] && cat "$work/err"
  tail -1 "$work/mem" >>"$work/peaks"

  start=$(date +%s%N)
  sqlite3 "$work/plain.db" ".import --csv $work/entries.csv entries"
  end=$(date +%s%N)
  seconds "$start" "$end" >>"$work/theirs"
  echo >>"$work/theirs"
  echo "run $run: outcomes $(tail -1 "$work/ours") s, sqlite3 $(tail -1 "$work/theirs") s"
done
ours=$(median <"$work/ours")
theirs=$(median <"$work/theirs")
peak_kb=$(sort -g "$work/peaks" | tail -1)

stored=$(sqlite3 "$work/ws/outcomes.db" "SELECT count(*) FROM entries")
plain=$(sqlite3 "$work/plain.db" "SELECT count(*) FROM entries")
awk -v r="$rows" -v a="$ours" -v b="$theirs" -v m="$peak_kb" -v s="$stored" -v p="$plain" -v n="$runs" 'BEGIN {
  printf "median of %d runs each:\n", n
  printf "outcomes record --from:  %8.3f s  %9.0f rows/s  (%d entries stored, validated, indexed)\n", a, r / a, s
  printf "sqlite3 .import --csv:   %8.3f s  %9.0f rows/s  (%d rows, plain table)\n", b, r / b, p
  printf "ratio (outcomes / sqlite3): %.2fx   (target >= 0.80x)\n", (r / a) / (r / b)
  printf "peak memory of the import:  %.1f MB (target < 200 MB)\n", m / 1024
}'

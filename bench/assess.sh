#!/usr/bin/env bash
# Assess benchmark: builds a store of ROWS entries for about PEOPLE people (with
# bench/gen_entries and `outcomes record --from`), then times
# `outcomes assess --format jsonl > /dev/null` for every person as of one date and prints
# the seconds and entries/s. Target: under 2 s for 1,000,000 entries (~4,000 people).
#
#   bench/assess.sh [BUILD_DIR] [ROWS] [PEOPLE] [RUNS]
#
# BUILD_DIR defaults to build-bench (configured Release here when missing). The timed
# command runs RUNS times (default 3) on a warm page cache; every time is printed and the
# best is reported.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath -m "${1:-$src/build-bench}")
rows=${2:-1000000}
people=${3:-4000}
runs=${4:-3}
today=2026-11-15

. "$src/bench/common.sh"
bench_build "$build" outcomes gen_entries

bench_workdir
export OUTCOMES_NOW=$today OUTCOMES_SHARE="$src/frameworks"
bench_store "$rows" "$people"
stored=$(sqlite3 "$work/ws/outcomes.db" "SELECT count(*) FROM entries")
persons=$(sqlite3 "$work/ws/outcomes.db" "SELECT count(DISTINCT person) FROM entries")
echo "store: $stored entries, $persons people, as of $today"

# Wall time, and CPU time (user + system): on a shared machine the CPU time shows what
# the command itself costs when other work competes for the cores.
best="" best_cpu=""
for ((i = 1; i <= runs; i++)); do
  /usr/bin/time -f "%e %U %S" -o "$work/time" \
    "$build/outcomes" --workspace "$work/ws" assess --as-of "$today" --format jsonl >"$work/out"
  read -r wall user sys <"$work/time"
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
  echo "run $i: $wall s wall, $cpu s CPU"
  if [ -z "$best" ] || awk -v a="$wall" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$wall; fi
  if [ -z "$best_cpu" ] || awk -v a="$cpu" -v b="$best_cpu" 'BEGIN { exit !(a < b) }'; then best_cpu=$cpu; fi
done
objects=$(wc -l <"$work/out")
awk -v n="$stored" -v t="$best" -v c="$best_cpu" -v o="$objects" 'BEGIN {
  printf "outcomes assess --format jsonl: %.2f s  %.0f entries/s  (%d assessments; target < 2 s)\n", t, n / t, o
  printf "  CPU time (user + sys): %.2f s  %.0f entries/s\n", c, n / c
}'

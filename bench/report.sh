#!/usr/bin/env bash
# Report benchmark: builds two stores through JourneyStore (bench/gen_report_store),
# a small one and a large one with the same shape (people stay 2-9 months over 24 months),
# times `outcomes report --month 2026-10` on each (best of 3, warm cache) and prints both
# sizes and times. Target: under 5 s for 10,000,000 entries (about 40,000 people), and time
# growing with the entries of the people active in the month, not with the whole store.
# The stores are laid out as a real service's: one import a month (one transaction, recorded
# on the 3rd of the next month, ordered by person then date), so September's entries are
# the October report's late entries.
#
#   bench/report.sh [BUILD_DIR] [SMALL_ENTRIES] [LARGE_ENTRIES]
#
# BUILD_DIR defaults to build-bench (configured Release here when missing). Stores are
# kept in $OUTCOMES_BENCH_DIR (default: a temporary folder removed at the end).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath -m "${1:-$src/build-bench}")
small=${2:-1000000}
large=${3:-10000000}

. "$src/bench/common.sh"
bench_build "$build" outcomes gen_report_store

work=${OUTCOMES_BENCH_DIR:-}
if [ -z "$work" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
export OUTCOMES_NOW=2026-11-15 OUTCOMES_SHARE="$src/frameworks"

run() {
  local entries=$1 people=$(( $1 / 250 )) ws="$work/ws-$1"
  if [ ! -f "$ws/outcomes.db" ] || [ ! -f "$ws/.complete" ]; then
    rm -rf "$ws"
    "$build/outcomes" init "$ws" --name "Report bench" >/dev/null
    rm -f "$ws/outcomes.db"
    local t0=$(date +%s.%N)
    "$build/bench/gen_report_store" "$ws" "$entries" "$people" >&2
    local t1=$(date +%s.%N)
    echo "generated $entries entries in $(echo "$t1 - $t0" | bc) s" >&2
    touch "$ws/.complete"
  fi
  local best=""
  for _ in 1 2 3; do
    local t0=$(date +%s.%N)
    "$build/outcomes" --workspace "$ws" report --month 2026-10 --format json >"$work/report-$entries.json"
    local t1=$(date +%s.%N)
    local t=$(echo "$t1 - $t0" | bc)
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
  done
  local active
  active=$(grep -m1 '"active"' "$work/report-$entries.json" | tr -dc '0-9')
  printf '%12d entries  %7d people  %6s active in 2026-10  report %6.2f s  (%s MB store)\n' \
    "$entries" "$people" "$active" "$best" "$(du -m "$ws/outcomes.db" | cut -f1)"
}

echo "outcomes report --month 2026-10 (best of 3, warm cache)"
run "$small"
run "$large"

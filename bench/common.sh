# Shared by the benchmark scripts (sourced, not run); they set src to the repository root.
# shellcheck shell=bash disable=SC2154
# (measure, row and ms_row need work set: bench_workdir, or the caller's own folder.)

# bench_build BUILD_DIR TARGET...: configures BUILD_DIR as a Release build with the
# benchmark generators (bench/, OUTCOMES_BENCH) when it is not one yet, then builds TARGETs.
bench_build() {
  local build=$1
  shift
  if [ ! -f "$build/CMakeCache.txt" ]; then
    cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
      -DOUTCOMES_BENCH=ON >/dev/null
  else
    cmake "$build" -DOUTCOMES_BENCH=ON >/dev/null
  fi
  cmake --build "$build" --target "$@" -j2 >/dev/null
}

# bench_usage ARGC: with no arguments (ARGC 0), prints the script's header comment (to its
# "set -euo" line) as its usage and exits 2.
bench_usage() {
  if [ "$1" -lt 1 ]; then
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
    exit 2
  fi
}

# bench_rows SIZE: the number of entries SIZE means: a plain number, or one with k or M.
bench_rows() {
  case $1 in
    *[kK]) echo $((${1%[kK]} * 1000)) ;;
    *M) echo $((${1%M} * 1000000)) ;;
    *[!0-9]* | '') echo "$(basename "$0"): SIZE is a number, or a number with k or M: $1" >&2; return 2 ;;
    *) echo "$1" ;;
  esac
}

# log TEXT: TEXT on standard error after the time of day (progress, apart from the results).
log() { echo "$(date -u +%H:%M:%S) $*" >&2; }

# has CASE: CASE is among the ones chosen (the caller sets cases to " CASE... ").
has() { [[ $cases == *" $1 "* ]]; }

# median: the median of the numbers on standard input (separated by spaces or lines).
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# bench_workdir: sets work to a new temporary folder, removed when the script exits.
bench_workdir() {
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
}

# bench_dir NAME: sets work to OUTCOMES_BENCH_DIR/NAME, emptied first and kept at the end,
# or without OUTCOMES_BENCH_DIR to a new temporary folder that bench_cleanup (the EXIT trap
# set here; a caller with a trap of its own calls it there) removes.
bench_dir() {
  bench_remove=""
  if [ -n "${OUTCOMES_BENCH_DIR:-}" ]; then
    work=$(realpath -m "$OUTCOMES_BENCH_DIR/$1")
    rm -rf "$work"
    mkdir -p "$work"
  else
    work=$(mktemp -d)
    bench_remove=$work
  fi
  trap bench_cleanup EXIT
}
bench_cleanup() { if [ -n "$bench_remove" ]; then rm -rf "$bench_remove"; fi; }

# bench_store ROWS PEOPLE: the workspace $work/ws holding ROWS generated entries of PEOPLE
# people, imported by $build/outcomes (the caller sets build, work and today).
bench_store() {
  "$build/bench/gen_entries" "$1" "$2" "$today" >"$work/entries.csv"
  (cd "$work" && "$build/outcomes" init ws --name Bench >/dev/null)
  "$build/outcomes" --workspace "$work/ws" record --from "$work/entries.csv" 2>/dev/null
  rm -f "$work/entries.csv"
}

# measure NAME CMD...: runs CMD once (its standard output to $work/out, its error to $work/err) and keeps its wall
# time (from the clock, to the millisecond), CPU time and peak memory under NAME.
declare -A walls cpus mems
measure() {
  local name=$1 start end user sys kb
  shift
  start=$(date +%s%N)
  if ! /usr/bin/time -f "%U %S %M" -o "$work/time" "$@" >"$work/out" 2>"$work/err"; then
    echo "$name failed:" >&2
    cat "$work/err" >&2
    exit 1
  fi
  end=$(date +%s%N)
  read -r user sys kb < <(tail -1 "$work/time")
  walls[$name]+="$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", (e - s) / 1e9 }') "
  cpus[$name]+="$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }') "
  mems[$name]+="$kb "
}
wall() { echo "${walls[$1]}" | median; }

# row NAME [PEER [MEANING [COUNT]]]: one line of the results; the ratio is NAME's median
# wall time over PEER's (MEANING says which way it is read), COUNT gives a rate.
row() {
  local name=$1 peer=${2:-} meaning=${3:-} count=${4:-} w ratio="" rate=""
  w=$(wall "$name")
  if [ -n "$peer" ]; then ratio=$(awk -v a="$w" -v b="$(wall "$peer")" 'BEGIN { printf "%.2f", a / b }'); fi
  if [ -n "$count" ]; then rate=$(awk -v n="$count" -v t="$w" 'BEGIN { printf "%.0f", n / t }'); fi
  printf "%-40s %9s %9s %9.0f %11s %7s  %s\n" "$name" "$w" "$(echo "${cpus[$name]}" | median)" \
    "$(echo "${mems[$name]}" | median | awk '{ print $1 / 1024 }')" "$rate" "$ratio" "$meaning"
}
header() {
  echo
  echo "## $*"
  printf "%-40s %9s %9s %9s %11s %7s  %s\n" "" "wall s" "CPU s" "peak MB" "per s" "ratio" ""
}

# ms_header TITLE and ms_row NAME [PEER]: the same in milliseconds, for latencies.
ms_header() {
  echo
  echo "## $*"
  printf "%-40s %9s %9s %9s %7s\n" "" "wall ms" "CPU ms" "peak MB" "ratio"
}
ms_row() {
  local name=$1 peer=${2:-} ratio=""
  if [ -n "$peer" ]; then ratio=$(awk -v a="$(wall "$name")" -v b="$(wall "$peer")" 'BEGIN { printf "%.2f", a / b }'); fi
  printf "%-40s %9.0f %9.0f %9.0f %7s\n" "$name" "$(wall "$name" | awk '{ print $1 * 1000 }')" \
    "$(echo "${cpus[$name]}" | median | awk '{ print $1 * 1000 }')" \
    "$(echo "${mems[$name]}" | median | awk '{ print $1 / 1024 }')" "$ratio"
}

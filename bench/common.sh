# Shared by the benchmark scripts (sourced, not run); they set src to the repository root.
# shellcheck shell=bash disable=SC2154

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

# median: the median of the numbers on standard input (separated by spaces or lines).
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# bench_workdir: sets work to a new temporary folder, removed when the script exits.
bench_workdir() {
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
}

# bench_store ROWS PEOPLE: the workspace $work/ws holding ROWS generated entries of PEOPLE
# people, imported by $build/outcomes (the caller sets build, work and today).
bench_store() {
  "$build/bench/gen_entries" "$1" "$2" "$today" >"$work/entries.csv"
  (cd "$work" && "$build/outcomes" init ws --name Bench >/dev/null)
  "$build/outcomes" --workspace "$work/ws" record --from "$work/entries.csv" 2>/dev/null
  rm -f "$work/entries.csv"
}

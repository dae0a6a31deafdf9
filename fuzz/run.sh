#!/usr/bin/env bash
# Builds and runs the libFuzzer harnesses of fuzz/ (clang, AddressSanitizer, UBSan).
#
#   run.sh build SRC BUILD [LAUNCHER]        configure fuzz/ with clang++ into BUILD and build it
#   run.sh run SRC BUILD HARNESS SECONDS OUTCOMES
#       replays fuzz/regressions/HARNESS/*, gathers a seed corpus from frameworks/,
#       examples/ and tests/ (OUTCOMES, the built binary, writes a fresh outcomes.yaml),
#       then fuzzes for SECONDS and prints the executions.
#
# Exits 77 (ctest's SKIP) when clang++ or libFuzzer is not installed.
set -euo pipefail
mode=$1 src=$2 build=$3

skip() { echo "SKIP: $1"; exit 77; }

if [ "$mode" = build ]; then
  launcher=${4:-}
  command -v clang++ >/dev/null || skip "clang++ is not installed (apt-get install clang libclang-rt-dev)"
  probe=$(mktemp -d)
  trap 'rm -rf "$probe"' EXIT
  echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' \
    >"$probe/probe.cpp"
  clang++ -fsanitize=fuzzer,address,undefined "$probe/probe.cpp" -o "$probe/probe" 2>/dev/null ||
    skip "clang++ cannot link libFuzzer (apt-get install libclang-rt-dev)"
  cmake -S "$src/fuzz" -B "$build" -DCMAKE_CXX_COMPILER=clang++ \
    ${launcher:+-DCMAKE_CXX_COMPILER_LAUNCHER="$launcher"} >/dev/null
  cmake --build "$build" -j2
  exit 0
fi

[ "$mode" = run ] || { echo "usage: run.sh build|run …" >&2; exit 2; }
harness=$4 seconds=$5 outcomes=$6
bin=$build/fuzz_$harness
if [ ! -x "$bin" ]; then
  command -v clang++ >/dev/null || skip "clang++ is not installed, so fuzz_$harness was not built"
  echo "FAIL: $bin was not built (see the fuzz_build test)"
  exit 1
fi

# Inputs that once broke a harness must keep passing.
regressions=("$src/fuzz/regressions/$harness"/*)
if [ -e "${regressions[0]}" ]; then
  "$bin" "${regressions[@]}" >"$build/$harness-regressions.log" 2>&1 ||
    { cat "$build/$harness-regressions.log"; echo "FAIL: a regression input of fuzz_$harness fails"; exit 1; }
  echo "fuzz_$harness: ${#regressions[@]} regression inputs pass"
fi

# The seed corpus, gathered afresh from the sources (inputs found earlier stay).
corpus=$build/corpus/$harness
mkdir -p "$corpus"
n=0
seed() { n=$((n + 1)); cat >"$corpus/seed-$n"; }
# The files a tests/e2e case writes, "=== file NAME" up to the next section, whose NAME
# matches the pattern.
e2e_files() {
  local pattern=$1 case
  while IFS= read -r case; do
    awk -v pat="$pattern" -v out="$corpus/e2e-$(basename "$case" .test)-" '
      /^=== / { on = ($2 == "file" && $3 ~ pat); if (on) { name = $3; gsub("/", "_", name); file = out name; printf "" > file }; next }
      on { print >> file }' "$case"
  done < <(find "$src/tests/e2e" -name '*.test')
}
case $harness in
  framework)
    for f in "$src"/frameworks/*.yaml; do seed <"$f"; done
    e2e_files '\.yaml$' ;;
  settings)
    tmp=$(mktemp -d)
    "$outcomes" init "$tmp/ws" --name "Fuzz seed" >/dev/null
    seed <"$tmp/ws/outcomes.yaml"
    rm -rf "$tmp"
    e2e_files '\.yaml$' ;;
  csv | rows)
    head -n 40 "$src/examples/entries.csv" | seed
    while IFS= read -r f; do head -n 60 "$f" | seed; done < <(find "$src/tests" -name '*.csv')
    e2e_files '\.(csv|jsonl)$' ;;
  date)
    grep -rhoE '[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]+ (day|week|month)s?' \
      "$src/frameworks" "$src/tests/e2e" | sort -u | head -n 60 |
      while IFS= read -r s; do printf '%s' "$s" | seed; done ;;
  *) echo "unknown harness $harness" >&2; exit 2 ;;
esac

mkdir -p "$build/artifacts"
log=$build/$harness.log
status=0
# A fixed seed (OUTCOMES_FUZZ_SEED to change it) so that a run in CI can be repeated here.
seed=${OUTCOMES_FUZZ_SEED:-1}
echo "fuzz_$harness: seed $seed"
"$bin" "$corpus" -seed="$seed" -max_total_time="$seconds" -max_len=8192 -timeout=10 \
  -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$build/artifacts/$harness-" >"$log" 2>&1 || status=$?
runs=$(awk '/stat::number_of_executed_units/ { print $2 }' "$log")
if [ $status -ne 0 ]; then
  grep -E -A40 'FINDING|ERROR: |runtime error|deadly signal' "$log" | head -n 80
  echo "FAIL: fuzz_$harness found a problem after ${runs:-?} executions; the input is in $build/artifacts/"
  exit 1
fi
echo "fuzz_$harness: ${runs:-?} executions in ${seconds} s, corpus $(ls "$corpus" | wc -l) inputs"

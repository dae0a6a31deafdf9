#!/usr/bin/env bash
# Runs the catalogue of bad inputs (cases.txt) against the real binary. Each case is one
# line "NAME | EXIT | FRAGMENT | COMMAND": COMMAND runs in a fresh copy of a base workspace
# (as $PWD/ws, also $OUTCOMES_WORKSPACE; input files go beside it, in $PWD) and must exit
# with EXIT, print FRAGMENT on standard error, print no raw control character, and leave
# the store and the workspace's listing byte-identical. $H is the long CSV header.
# Usage: run.sh BINARY CASES SOURCE_DIR [NAME...]   (names: run only those cases)
set -u
bin=$1 cases=$2 src=$3
shift 3
only=" $* "
source "$(dirname "$0")/../pinned_env.sh"
export H=person,date,kind,framework,measure,value,status,text,by,ref

if ! (cd "$work" &&
  outcomes init base --framework ndt --framework goals --framework supporting-people \
    --framework relational >/dev/null &&
  outcomes -w base record --from "$src/tests/bad_inputs/base.csv" 2>/dev/null); then
  echo "FAIL: cannot set up the base workspace"
  exit 1
fi

# The store's digest and the workspace folder's listing (file names). SQLite's side files
# are left out while they hold nothing: an empty write-ahead log changes no data. Builtins
# only besides one sha256sum: a case's own cost should be the binary's.
fingerprint() {
  local f names=()
  for f in "$1"/* "$1"/.*; do
    case ${f##*/} in . | .. | *-shm) continue ;; *-wal) [ -s "$f" ] || continue ;; esac
    [ -e "$f" ] && names+=("${f##*/}")
  done
  echo "${names[*]}"
  local files=("$1/outcomes.db")
  [ -s "$1/outcomes.db-wal" ] && files+=("$1/outcomes.db-wal")
  sha256sum "${files[@]}"
}

# Runs case number $1; writes its failure report, if any, to $work/results/$1.
run_case() {
  local index=$1 name=$2 code=$3 fragment=$4 cmd=$5
  local dir="$work/cases/$index" problems=() status before after
  mkdir -p "$dir" && cp -a "$work/base" "$dir/ws"
  before=$(fingerprint "$dir/ws")
  (cd "$dir" && OUTCOMES_WORKSPACE="$dir/ws" timeout 60 bash -c "$cmd") \
    >"$dir/out" 2>"$dir/err" </dev/null
  status=$?
  [ "$status" = "$code" ] || problems+=("exit $status, expected $code")
  local err
  err=$(<"$dir/err")
  [[ $err == *"$fragment"* ]] || problems+=("stderr lacks: $fragment")
  LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$dir/err" "$dir/out" &&
    problems+=("a raw control character was printed")
  after=$(fingerprint "$dir/ws")
  [ "$after" = "$before" ] ||
    problems+=("the workspace changed: $(diff <(echo "$before") <(echo "$after") | grep '^[<>]' | tr '\n' ' ')")
  if [ ${#problems[@]} -gt 0 ]; then
    { echo "FAIL $name: $(IFS=';'; echo "${problems[*]}")"; { cat -v "$dir/err"; echo; } | head -8 | sed 's/^/    /'; } \
      >"$work/results/$index"
  fi
  rm -rf "$dir"
}

jobs=${BAD_INPUTS_JOBS:-2}
mkdir -p "$work/results" "$work/cases"
total=0 malformed=0 running=0
while IFS= read -r line || [ -n "$line" ]; do
  [[ -z $line || $line == \#* ]] && continue
  name=${line%% | *} rest=${line#* | }
  code=${rest%% | *} rest=${rest#* | }
  fragment=${rest%% | *} cmd=${rest#* | }
  if [[ ! $code =~ ^[0-9]+$ || -z $fragment || $cmd == "$rest" && $fragment == "$rest" ]]; then
    echo "FAIL: malformed case line: $line"
    malformed=$((malformed + 1))
    continue
  fi
  [ "$only" != "  " ] && [[ $only != *" $name "* ]] && continue
  total=$((total + 1))
  run_case "$total" "$name" "$code" "$fragment" "$cmd" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n
    running=$((running - 1))
  fi
done <"$cases"
wait
failures=$(find "$work/results" -type f | wc -l)
for f in $(ls "$work/results" | sort -n); do cat "$work/results/$f"; done
echo "$total cases, $failures failing"
[ "$total" -gt 0 ] && [ "$failures" = 0 ] && [ "$malformed" = 0 ]

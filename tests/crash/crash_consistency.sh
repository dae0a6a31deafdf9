#!/usr/bin/env bash
# Crash consistency: kills the real binary with SIGKILL at random points of imports
# (`record --from`, with and without refs) and of single records, and after every kill
# checks that the store is intact and holds each write whole or not at all; then re-runs
# every write and checks nothing is duplicated.
#
#   crash_consistency.sh OUTCOMES [KILLS]
# CRASH_SEED fixes the randomness (the seed is printed, to replay a failure).
set -uo pipefail
bin=$(realpath "$1") want_kills=${2:-60}
seed=${CRASH_SEED:-$(( $(date +%s) % 32768 ))}
RANDOM=$seed
echo "seed $seed (replay with CRASH_SEED=$seed)"
command -v sqlite3 >/dev/null || { echo "SKIP: sqlite3 is not installed"; exit 77; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OUTCOMES_NOW=2026-11-15 TZ=UTC LC_ALL=C.UTF-8 HOME=$work
unset OUTCOMES_WORKSPACE
ws=$work/ws
"$bin" init "$ws" --name "Crash test" >/dev/null || { echo "FAIL: init"; exit 1; }
db=$ws/outcomes.db
sql() { sqlite3 -batch -noheader "$db" "$@"; }
fail() { echo "FAIL (seed $seed): $*"; exit 1; }

# Two import files: 300 people of 10 entries each with refs, 200 without.
make_file() {  # PREFIX PEOPLE WITH_REFS
  local prefix=$1 people=$2 refs=$3 p c
  echo "person,date,kind,framework,measure,value,status,text,by,ref"
  for ((p = 1; p <= people; p++)); do
    printf '%s%04d,2026-01-05,enrol,,,,,,crash,%s\n' "$prefix" $p "${refs:+$prefix-$p-0}"
    for ((c = 1; c <= 9; c++)); do
      printf '%s%04d,2026-02-%02d,contact,,,,attended,,crash,%s\n' "$prefix" $p $c \
        "${refs:+$prefix-$p-$c}"
    done
  done
}
make_file R 300 yes >"$work/refs.csv"
make_file N 200 "" >"$work/norefs.csv"
declare -A rows=([refs.csv]=3000 [norefs.csv]=2000)

# The store after a kill: intact, and every import batch whole or absent.
check_store() {
  local what=$1 ok bad
  ok=$(sql "PRAGMA integrity_check;") || fail "$what: sqlite3 cannot read the store"
  [ "$ok" = ok ] || fail "$what: integrity_check says: $ok"
  bad=$(sql "SELECT b.id, b.source, b.rows, (SELECT count(*) FROM entries e WHERE e.batch = b.id)
             FROM batches b WHERE b.rows != (SELECT count(*) FROM entries e WHERE e.batch = b.id)
             OR (b.source = 'refs.csv' AND b.rows != 3000)
             OR (b.source = 'norefs.csv' AND b.rows != 2000);")
  [ -z "$bad" ] || fail "$what: a batch holds part of its file (id|source|rows|entries): $bad"
  bad=$(sql "SELECT count(*) FROM entries WHERE batch IS NOT NULL AND batch NOT IN (SELECT id FROM batches);")
  [ "$bad" = 0 ] || fail "$what: $bad entries belong to no batch"
  bad=$(sql "SELECT ref FROM entries WHERE ref IS NOT NULL AND ref != '' GROUP BY ref HAVING count(*) > 1 LIMIT 3;")
  [ -z "$bad" ] || fail "$what: refs stored twice: $bad"
}

# Runs a command in the background and kills it after a random delay up to MAX_MS;
# returns 0 when it was killed, 1 when it had finished first (and fails the test when it
# finished with an error).
kill_during() {  # MAX_MS COMMAND…
  local max=$1 delay pid status
  shift
  delay=$(( (RANDOM * 32768 + RANDOM) % (max + 1) ))
  "$@" >/dev/null 2>&1 &
  pid=$!
  sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
  kill -KILL $pid 2>/dev/null
  { wait $pid; } 2>/dev/null  # no "Killed" notice from the shell
  status=$?
  [ $status = 137 ] && return 0
  [ $status = 0 ] || fail "$* exited with $status before it was killed"
  return 1
}

# How long each write takes here (sanitizers slow it down), to spread the kills over it.
millis() { date +%s%3N; }
duration() {  # COMMAND…: milliseconds, in a scratch copy of the empty workspace
  cp -r "$ws" "$work/probe"
  local t0 t1
  t0=$(millis)
  (cd "$work/probe" && "$@" >/dev/null 2>&1)
  t1=$(millis)
  rm -rf "$work/probe"
  echo $((t1 - t0))
}
import_ms=$(duration "$bin" record --from "$work/refs.csv")
cd "$work"  # imports name their files relative to here, as batches record them
record_ms=$(duration "$bin" record enrol X1 --date 2026-01-05 --ref x-1)
echo "an import takes ${import_ms} ms, a single record ${record_ms} ms"

kills=0 finished=0
started=$(date +%s)

# Imports: killed at random points; a finished one is not written again.
import_kills=$(( want_kills / 2 ))
while [ $kills -lt $import_kills ]; do
  file=refs.csv
  [ $((RANDOM % 2)) = 0 ] && file=norefs.csv
  if kill_during "$import_ms" "$bin" -w "$ws" record --from "$file"; then
    kills=$((kills + 1))
  else
    finished=$((finished + 1))
  fi
  check_store "after killing an import of $file"
  [ $(( $(date +%s) - started )) -lt 300 ] || fail "imports: out of time after $kills kills"
done

# Single records: enrol then contact for new people, each killed at a random point.
declare -A single=()
i=0
while [ $kills -lt "$want_kills" ]; do
  i=$((i + 1))
  for kind in enrol contact; do
    status_opt=()
    date=2026-01-05
    [ $kind = contact ] && status_opt=(--status attended) && date=2026-02-01
    ref=s-$i-$kind
    if kill_during "$record_ms" "$bin" -w "$ws" record $kind S$i --date $date --ref "$ref" "${status_opt[@]}"; then
      kills=$((kills + 1))
    else
      finished=$((finished + 1))
    fi
    check_store "after killing record $kind S$i"
    n=$(sql "SELECT count(*) FROM entries WHERE ref = '$ref';")
    [ "$n" = 0 ] || [ "$n" = 1 ] || fail "record $kind S$i is stored $n times"
    # Redo it whole, as a person would after a crash: stored once either way.
    "$bin" -w "$ws" record $kind S$i --date $date --ref "$ref" "${status_opt[@]}" >/dev/null 2>&1
    n=$(sql "SELECT count(*) FROM entries WHERE ref = '$ref';")
    [ "$n" = 1 ] || fail "record $kind S$i, done again after the kill, is stored $n times"
    single[$ref]=1
  done
  [ $(( $(date +%s) - started )) -lt 400 ] || fail "records: out of time after $kills kills"
done

# Every import run again to the end: each file stored exactly once.
for file in refs.csv norefs.csv; do
  "$bin" -w "$ws" record --from "$file" >/dev/null || fail "re-running the import of $file fails"
  n=$(sql "SELECT count(*) FROM entries e JOIN batches b ON e.batch = b.id WHERE b.source = '$file';")
  [ "$n" = "${rows[$file]}" ] || fail "$file: $n entries stored after re-running; expected ${rows[$file]}"
done
check_store "after re-running every import"
total=$(sql "SELECT count(*) FROM entries;")
expected=$(( 3000 + 2000 + ${#single[@]} ))
[ "$total" = "$expected" ] || fail "the store holds $total entries; expected $expected"
echo "survived $kills kills ($finished writes finished before their kill) in $(( $(date +%s) - started )) s; $total entries, none twice"

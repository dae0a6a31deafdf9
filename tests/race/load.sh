#!/usr/bin/env bash
# Load: writers and readers at once, then every write accounted for.
#   load.sh BIN SRC [SECONDS] [ROWS]
# IMPORTERS processes (default 4) import files of ROWS rows (default 100000; every other
# file with a ref on each row), RECORDERS processes (default 4) record single entries one after another
# (each entry its own `outcomes record`), two race an enrolment and an exit of one new
# person again and again, and two read (report, assess, journey), until SECONDS (default
# 30) have passed; each finishes the write it began. With RECORDS=N, each recorder records
# N entries instead, and the others go on until the recorders are done (SECONDS unused).
# Then: no process failed and none printed the database's own words, every recorded entry
# is stored exactly once (by its ref, through `export` and in the store's tables), the
# store holds exactly the entries written — none lost, none twice — the raced people's
# journeys are the ones the exit statuses say, and `outcomes verify` passes.
# With OUTCOMES_RACE_PG set, the store is on PostgreSQL (see store_env.sh).
set -u
bin=$1 src=$2 seconds=${3:-30} rows=${4:-100000}
importers=${IMPORTERS:-4} recorders=${RECORDERS:-4} records=${RECORDS:-0}
work=$(mktemp -d)
source "$(dirname "$0")/store_env.sh"
export TZ=UTC LC_ALL=C.UTF-8 HOME="$work" OUTCOMES_NOW=2026-11-15 OUTCOMES_SHARE="$src/frameworks"
unset OUTCOMES_WORKSPACE
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
next_store
(cd "$work" && "$bin" init ws --framework supporting-people "${store_args[@]}" >/dev/null) ||
  { echo "init failed"; exit 1; }
ws=$work/ws

# The others go on until $work/stop is there: made at the deadline, or when the recorders
# are done.
going() { [ ! -e "$work/stop" ]; }

# A file of $rows rows for importer $1, file $2: people with an enrolment and contacts.
make_file() {
  awk -v w="$1" -v n="$2" -v rows="$rows" -v refs=$(($2 % 2)) 'BEGIN {
    print "person,date,kind,framework,measure,value,status,text,by,ref"
    per = 10; people = int(rows / per)
    for (p = 1; p <= people; p++) {
      id = "I" w "n" n "p" p
      printf "%s,2026-01-05,enrol,,,,,,anna,%s\n", id, refs ? id "-e" : ""
      for (c = 1; c < per; c++)
        printf "%s,2026-02-%02d,contact,,,,attended,,anna,%s\n", id, c, refs ? id "-c" c : ""
    }
  }'
}

# Each writer appends what its commands printed on standard error to $work/err.NAME (an
# import's summary too).
importer() {
  local w=$1 n=0 added=0 failed=0
  while going; do
    n=$((n + 1))
    make_file "$w" "$n" >"$work/import.$w.csv"
    if (cd "$ws" && "$bin" record --from "$work/import.$w.csv") >"$work/import.$w.out" 2>&1; then
      added=$((added + $(sed -n 's/.*: \([0-9]*\) rows\{0,1\} added.*/\1/p' "$work/import.$w.out")))
    else
      failed=$((failed + 1)); echo "importer $w: $(head -3 "$work/import.$w.out")" >&2
    fi
    cat "$work/import.$w.out" >>"$work/err.import.$w"
  done
  echo "$added $failed $n" >"$work/result.import.$w"
}

# Recorder $1 enrols W$1 (ref W$1-0), then records contacts (refs W$1-1, W$1-2, ...); the
# refs of the writes that succeeded go to $work/refs.$1.
recorder() {
  local w=$1 n=0 added=0 failed=0 person="W$1" entry
  while if [ "$records" -gt 0 ]; then [ "$n" -lt "$records" ]; else going; fi; do
    if [ "$n" = 0 ]; then entry=(enrol "$person" --date 2026-01-05)
    else entry=(contact "$person" --status attended --date 2026-03-01); fi
    if (cd "$ws" && "$bin" record "${entry[@]}" --ref "$person-$n") >/dev/null 2>>"$work/err.record.$w"; then
      added=$((added + 1)); echo "$person-$n" >>"$work/refs.$w"
    else
      failed=$((failed + 1)); echo "recorder $w: $(tail -3 "$work/err.record.$w")" >&2
    fi
    n=$((n + 1))
  done
  echo "$added $failed $n" >"$work/result.record.$w"
}

# Racer $1 starts an enrolment and an exit of a new person R$1-N at once, again and again,
# and keeps "PERSON ENROL-STATUS EXIT-STATUS" in $work/races.$1. Whichever runs first, the
# enrolment is stored; the exit is stored if it came after it, or else refused with exit 3
# (no open episode to end).
racer() {
  local r=$1 n=0 added=0 failed=0 person e x
  while going; do
    n=$((n + 1)) person="R$r-$n"
    (cd "$ws" && "$bin" record enrol "$person" --date 2026-01-05) >/dev/null 2>"$work/race.$r.enrol" &
    e=$!
    (cd "$ws" && "$bin" record exit "$person" --status disengaged --date 2026-02-01) >/dev/null 2>"$work/race.$r.exit" &
    x=$!
    wait $e; e=$?
    wait $x; x=$?
    echo "$person $e $x" >>"$work/races.$r"
    [ "$e" = 0 ] && added=$((added + 1))
    [ "$x" = 0 ] && added=$((added + 1))
    if [ "$e" != 0 ] || { [ "$x" != 0 ] && [ "$x" != 3 ]; }; then
      failed=$((failed + 1))
      echo "racer $r ($person): enrol exit $e, exit exit $x: $(cat "$work/race.$r.enrol" "$work/race.$r.exit" | head -3)" >&2
    fi
    cat "$work/race.$r.enrol" "$work/race.$r.exit" >>"$work/err.race.$r"
  done
  echo "$added $failed $n" >"$work/result.race.$r"
}

reader() {
  local r=$1 n=0 failed=0
  while going; do
    n=$((n + 1))
    for cmd in "report --month 2026-02" "assess --format jsonl" "journey W1"; do
      # A journey of a person not yet recorded is refused with exit 2; that is not a failure.
      (cd "$ws" && $bin $cmd) >/dev/null 2>"$work/read.$r.err"
      local s=$?
      if [ $s != 0 ] && ! { [ "$cmd" = "journey W1" ] && [ $s = 2 ]; }; then
        failed=$((failed + 1)); echo "reader $r ($cmd): exit $s: $(head -3 "$work/read.$r.err")" >&2
      fi
    done
  done
  echo "0 $failed $n" >"$work/result.read.$r"
}

start=$(date +%s%N)
if [ "$records" = 0 ]; then (sleep "$seconds"; touch "$work/stop") & fi
for ((w = 1; w <= importers; w++)); do importer $w & done
for r in 1 2; do racer $r & done
for r in 1 2; do reader $r & done
recorder_pids=()
for ((w = 1; w <= recorders; w++)); do recorder $w & recorder_pids+=($!); done
wait "${recorder_pids[@]}"
recorded=$(date +%s%N)
touch "$work/stop"
wait

written=0 imports=0 records_tried=0 reads=0 races=0
for f in "$work"/result.*; do
  read -r added failed tries <"$f"
  written=$((written + added)); failures=$((failures + failed))
  case $f in
    *import*) imports=$((imports + tries)) ;;
    *record*) records_tried=$((records_tried + tries)) ;;
    *race*) races=$((races + tries)) ;;
    *read*) reads=$((reads + tries)) ;;
  esac
done
if grep -i "$db_words" "$work"/err.* "$work"/read.*.err >/dev/null 2>&1; then
  fail "a command printed the database's own words: $(grep -h -i "$db_words" "$work"/err.* "$work"/read.*.err | head -2)"
fi

# Every recorded entry exactly once, by its ref: through export, and in the store's table.
sort "$work"/refs.* 2>/dev/null >"$work/refs.written"
(cd "$ws" && "$bin" export --identify) >"$work/export.csv" || fail "export failed"
awk -F, 'NR > 1 && $10 ~ /^W[0-9]+-[0-9]+$/ { print $10 }' "$work/export.csv" | sort >"$work/refs.exported"
sqlite3 "$ws/outcomes.db" "SELECT ref FROM entries WHERE ref LIKE 'W%-%'" | sort >"$work/refs.stored"
cmp -s "$work/refs.written" "$work/refs.exported" ||
  fail "recorded refs in export differ: $(diff "$work/refs.written" "$work/refs.exported" | head -3)"
cmp -s "$work/refs.written" "$work/refs.stored" ||
  fail "recorded refs in the store differ: $(diff "$work/refs.written" "$work/refs.stored" | head -3)"
recorded_entries=$(wc -l <"$work/refs.written")
if [ "$records" -gt 0 ] && [ "$recorded_entries" != $((recorders * records)) ]; then
  fail "$recorded_entries entries recorded, expected $((recorders * records))"
fi

# Each raced person's journey is the one the statuses say: one enrolment, and the exit
# stored exactly when it succeeded.
cat "$work"/races.* 2>/dev/null | sort >"$work/races"
awk -F, 'NR > 1 && $1 ~ /^R/ && ($3 == "enrol" || $3 == "exit") { print $1, $3 }' "$work/export.csv" |
  sort | uniq -c | awk '{ print $2, $3, $1 }' >"$work/raced.stored"
awk '{ print $1, "enrol", 1; if ($3 == 0) print $1, "exit", 1 }' "$work/races" | sort >"$work/raced.expected"
cmp -s "$work/raced.expected" "$work/raced.stored" ||
  fail "raced journeys differ from the statuses: $(diff "$work/raced.expected" "$work/raced.stored" | head -3)"
exits_won=$(awk '$3 == 0' "$work/races" | wc -l)

stored=$(sqlite3 "$ws/outcomes.db" "SELECT count(*) FROM entries")
refs=$(sqlite3 "$ws/outcomes.db" "SELECT count(ref) - count(DISTINCT ref) FROM entries")
twice=$(sqlite3 "$ws/outcomes.db" "SELECT count(*) FROM (SELECT person FROM entries WHERE kind = 0
  GROUP BY person HAVING count(*) > 1) AS repeated")
[ "$stored" = "$written" ] || fail "$stored entries stored, $written written"
[ "$refs" = 0 ] || fail "$refs refs stored more than once"
[ "$twice" = 0 ] || fail "$twice people enrolled more than once"
store_ok "store" "$ws"

store=SQLite
[ -n "${OUTCOMES_RACE_PG:-}" ] && store=PostgreSQL
record_seconds=$(awk -v s="$start" -v e="$recorded" 'BEGIN { printf "%.1f", (e - s) / 1e9 }')
echo "load ($store): $imports imports of $rows rows, $records_tried single records by $recorders" \
  "recorders, $races enrol/exit races ($exits_won exits after the enrolment), $reads read rounds"
echo "load: recorders' $recorded_entries entries in ${record_seconds}s:" \
  "$(awk -v n="$recorded_entries" -v t="$record_seconds" 'BEGIN { printf "%.1f", n / t }') entries/s"
echo "load: $written entries written, $stored stored, $failures failures"
[ "$failures" = 0 ]

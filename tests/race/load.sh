#!/usr/bin/env bash
# Load: writers and readers at once for a bounded time, then every write accounted for.
#   load.sh BIN SRC [SECONDS] [ROWS]
# Four processes import files of ROWS rows (default 100000; every other file with a ref
# on each row), four record single entries one after another, and two read (report,
# assess, journey), until SECONDS (default 30) have passed; each finishes the write it
# began. Then: no process failed, and the store holds exactly the entries written —
# none lost, none twice.
set -u
bin=$1 src=$2 seconds=${3:-30} rows=${4:-100000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TZ=UTC LC_ALL=C.UTF-8 HOME="$work" OUTCOMES_NOW=2026-11-15 OUTCOMES_SHARE="$src/frameworks"
unset OUTCOMES_WORKSPACE
(cd "$work" && "$bin" init ws --framework supporting-people >/dev/null) || { echo "init failed"; exit 1; }
ws=$work/ws
deadline=$(($(date +%s) + seconds))

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

importer() {
  local w=$1 n=0 added=0 failed=0
  while [ "$(date +%s)" -lt "$deadline" ]; do
    n=$((n + 1))
    make_file "$w" "$n" >"$work/import.$w.csv"
    if (cd "$ws" && "$bin" record --from "$work/import.$w.csv") >"$work/import.$w.out" 2>&1; then
      added=$((added + $(sed -n 's/.*: \([0-9]*\) rows\{0,1\} added.*/\1/p' "$work/import.$w.out")))
    else
      failed=$((failed + 1)); echo "importer $w: $(head -3 "$work/import.$w.out")" >&2
    fi
  done
  echo "$added $failed $n" >"$work/result.import.$w"
}

recorder() {
  local w=$1 n=0 added=0 failed=0 person="W$1"
  if (cd "$ws" && "$bin" record enrol "$person" --date 2026-01-05) >/dev/null 2>"$work/rec.$w.err"; then
    added=1
  else
    failed=1; echo "recorder $w: $(head -3 "$work/rec.$w.err")" >&2
  fi
  while [ "$(date +%s)" -lt "$deadline" ]; do
    n=$((n + 1))
    if (cd "$ws" && "$bin" record contact "$person" --status attended --date 2026-03-01 \
          --ref "$person-$n") >/dev/null 2>"$work/rec.$w.err"; then
      added=$((added + 1))
    else
      failed=$((failed + 1)); echo "recorder $w: $(head -3 "$work/rec.$w.err")" >&2
    fi
  done
  echo "$added $failed $n" >"$work/result.record.$w"
}

reader() {
  local r=$1 n=0 failed=0
  while [ "$(date +%s)" -lt "$deadline" ]; do
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

for w in 1 2 3 4; do importer $w & done
for w in 1 2 3 4; do recorder $w & done
for r in 1 2; do reader $r & done
wait

written=0 failures=0 imports=0 records=0 reads=0
for f in "$work"/result.*; do
  read -r added failed tries <"$f"
  written=$((written + added)); failures=$((failures + failed))
  case $f in
    *import*) imports=$((imports + tries)) ;;
    *record*) records=$((records + tries)) ;;
    *read*) reads=$((reads + tries)) ;;
  esac
done
stored=$(sqlite3 "$ws/outcomes.db" "SELECT count(*) FROM entries")
refs=$(sqlite3 "$ws/outcomes.db" "SELECT count(ref) - count(DISTINCT ref) FROM entries")
twice=$(sqlite3 "$ws/outcomes.db" "SELECT count(*) FROM (SELECT person FROM entries WHERE kind = 0
  GROUP BY person HAVING count(*) > 1)")
integrity=$(sqlite3 "$ws/outcomes.db" "PRAGMA integrity_check")
echo "load: ${seconds}s, $imports imports of $rows rows, $records single records, $reads read rounds"
echo "load: $written entries written, $stored stored, $failures failures, $refs repeated refs," \
  "$twice people enrolled twice, integrity $integrity"
[ "$stored" = "$written" ] && [ "$failures" = 0 ] && [ "$refs" = 0 ] && [ "$twice" = 0 ] &&
  [ "$integrity" = ok ]

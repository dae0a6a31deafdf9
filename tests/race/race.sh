#!/usr/bin/env bash
# Races between writers: eight processes at once try the same write, and the journey's
# rules must hold with every entry stored exactly once.
#   race.sh BIN SRC [ROUNDS]
# Each race is repeated ROUNDS times (default 3) in a fresh workspace. A losing writer
# may be refused with exit 3 (the journey rule it would break) or 2 (a correction of a
# corrected entry), or skip a stored ref with exit 0; anything else is a failure.
# With OUTCOMES_RACE_PG set, the stores are on PostgreSQL (see store_env.sh).
set -u
bin=$1 src=$2 rounds=${3:-3}
work=$(mktemp -d)
source "$(dirname "$0")/store_env.sh"
export TZ=UTC LC_ALL=C.UTF-8 HOME="$work" OUTCOMES_NOW=2026-11-15 OUTCOMES_SHARE="$src/frameworks"
unset OUTCOMES_WORKSPACE
writers=8
failures=0 races=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# A new workspace in $work/ws with the frameworks the races use.
new_workspace() {
  rm -rf "$work/ws"
  next_store
  (cd "$work" && "$bin" init ws --framework supporting-people "${store_args[@]}" >/dev/null) ||
    { echo "init failed"; exit 1; }
}

# Runs "$@" in $writers processes at once (started together, released by one signal),
# each in the workspace; records each exit status in $work/status.N and output in
# $work/out.N.
race() {
  rm -f "$work"/status.* "$work"/out.* "$work/go"
  local i
  for ((i = 0; i < writers; i++)); do
    (
      cd "$work/ws" || exit 99
      while [ ! -e "$work/go" ]; do sleep 0.01; done
      "$@" >"$work/out.$i" 2>&1
      echo $? >"$work/status.$i"
    ) &
  done
  sleep 0.3
  touch "$work/go"
  wait
}

# The exit statuses of the last race, sorted, e.g. "0 3 3 3 3 3 3 3".
statuses() { cat "$work"/status.* | sort -n | tr '\n' ' ' | sed 's/ $//'; }

# Checks the last race's exit statuses: one winner (0) and the others among $1 (e.g. "3").
one_winner() {
  local allowed=$1 name=$2 s ok=0 i
  for ((i = 0; i < writers; i++)); do
    s=$(cat "$work/status.$i")
    if [ "$s" = 0 ]; then ok=$((ok + 1));
    elif [[ " $allowed " != *" $s "* ]]; then
      fail "$name: a writer exited $s: $(head -3 "$work/out.$i")"
    fi
  done
  [ "$ok" -ge 1 ] || fail "$name: no writer succeeded ($(statuses))"
  if grep -l -i "$db_words" "$work"/out.* >/dev/null 2>&1; then
    fail "$name: a writer printed the database's own words: $(grep -h -i "$db_words" "$work"/out.* | head -2)"
  fi
}

# The current entries as CSV with real references (header dropped).
entries() { (cd "$work/ws" && "$bin" export --identify | tail -n +2); }

# How many current entries of kind $1 (and, if given, status $2) the store holds.
count_kind() {
  entries | awk -F, -v k="$1" -v s="${2:-}" '$3 == k && (s == "" || $7 == s) { n++ } END { print n + 0 }'
}

expect() {  # expect NAME WHAT ACTUAL EXPECTED
  [ "$3" = "$4" ] || fail "$1: $2 is $3, expected $4"
}

base_entries() {
  (cd "$work/ws" && "$bin" record enrol X --date 2026-01-05 >/dev/null)
}

for ((round = 1; round <= rounds; round++)); do
  # 1. Enrol the same new person.
  new_workspace
  race "$bin" record enrol X --date 2026-01-05
  one_winner 3 "enrol"
  expect "enrol, round $round" "enrolments" "$(count_kind enrol)" 1
  (cd "$work/ws" && "$bin" record contact X --status attended --date 2026-01-06 >/dev/null 2>&1) ||
    fail "enrol, round $round: the person can take no new entry"
  store_ok enrol "$work/ws"
  races=$((races + 1))

  # 2. Open the same need.
  new_workspace; base_entries
  race "$bin" record need X --framework supporting-people --measure managing_money \
    --status open --text "Rent arrears" --date 2026-01-07
  one_winner 3 "need"
  expect "need, round $round" "open needs" "$(count_kind need open)" 1
  store_ok need "$work/ws"
  races=$((races + 1))

  # 3. Exit.
  new_workspace; base_entries
  race "$bin" record exit X --status disengaged --date 2026-02-01
  one_winner 3 "exit"
  expect "exit, round $round" "exits" "$(count_kind exit)" 1
  store_ok exit "$work/ws"
  races=$((races + 1))

  # 4. The same --ref: stored once; the others skip it (exit 0, "already stored").
  new_workspace; base_entries
  race "$bin" record contact X --status attended --date 2026-01-08 --ref R1
  one_winner "" "ref"
  expect "ref, round $round" "entries with ref R1" "$(entries | awk -F, '$10 == "R1"' | wc -l)" 1
  store_ok ref "$work/ws"
  races=$((races + 1))

  # 5. Correct the same entry: one correction; the others are told it was corrected.
  new_workspace; base_entries
  (cd "$work/ws" && "$bin" record contact X --status attended --date 2026-01-08 >/dev/null)
  race "$bin" record --correct 2 --reason "wrong date" --date 2026-01-09
  one_winner 2 "correct"
  expect "correct, round $round" "corrections" \
    "$(sqlite3 "$work/ws/outcomes.db" 'SELECT count(*) FROM entries WHERE supersedes = 2')" 1
  expect "correct, round $round" "contacts" "$(count_kind contact)" 1
  store_ok correct "$work/ws"
  races=$((races + 1))

  # 6. The same file, with and without refs, into an empty and a non-empty store.
  for refs in with without; do
    for start in empty nonempty; do
      new_workspace
      [ "$start" = nonempty ] && (cd "$work/ws" && "$bin" record enrol Z --date 2026-01-02 >/dev/null)
      awk -v refs=$refs 'BEGIN {
        print "person,date,kind,framework,measure,value,status,text,by,ref"
        for (p = 1; p <= 50; p++) {
          printf "F%d,2026-01-05,enrol,,,,,,anna,%s\n", p, refs == "with" ? "e" p : ""
          for (c = 1; c <= 9; c++)
            printf "F%d,2026-02-%02d,contact,,,,attended,,anna,%s\n", p, c, refs == "with" ? "c" p "-" c : ""
        }
      }' >"$work/file.csv"
      race "$bin" record --from "$work/file.csv"
      one_winner "" "import $refs refs into $start store"
      local_expected=500
      [ "$start" = nonempty ] && local_expected=501
      expect "import $refs refs into $start store, round $round" "entries" \
        "$(entries | wc -l)" $local_expected
      expect "import $refs refs into $start store, round $round" "enrolments of F1" \
        "$(entries | awk -F, '$1 == "F1" && $3 == "enrol"' | wc -l)" 1
      store_ok "import $refs refs into $start store" "$work/ws"
      races=$((races + 1))
    done
  done
done

echo "races: $races tried ($writers writers each), failures: $failures"
[ "$failures" = 0 ]

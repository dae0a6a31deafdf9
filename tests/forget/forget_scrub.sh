#!/usr/bin/env bash
# outcomes forget leaves nothing of the person in the workspace's files: builds a workspace
# with several people (notes, needs, goals with texts found nowhere else, corrections, two
# imports), forgets one, then looks for the reference and every one of their texts in the
# raw bytes of outcomes.db, -wal and -shm, and checks that everyone else is still there,
# that the store verifies, that journey, export and a re-import no longer bring them back,
# and that the erasure is recorded without the reference.
# Usage: forget_scrub.sh BINARY SOURCE_DIR
set -u
bin=$1 src=$2
source "$src/tests/pinned_env.sh"
fail=0
say_fail() { echo "FAIL: $*"; fail=1; }
mkdir -p "$work/ws" && cd "$work/ws" || exit 1

outcomes init . --name Test --framework goals --framework supporting-people >/dev/null || exit 1
cat >people.csv <<'CSV'
person,date,kind,framework,measure,value,status,text,by,ref
P017,2026-01-05,enrol,,,,,Referred by Zanzibar outreach,amira,x1
P017,2026-01-06,need,supporting-people,managing_money,,open,Owes Quetzal lender,amira,x2
P017,2026-01-08,contact,,,,attended,,amira,x3
P017,2026-01-20,goal,goals,home,-1,set,Flat near Marmoset park,amira,x4
P017,2026-02-09,note,,,,shareable,Brought Jackalope biscuits,amira,x5
P017,2026-02-16,note,,,,private,Disclosed Wombatine history,amira,x6
P018,2026-01-05,enrol,,,,,Referred by Pelican hostel,dan,x7
P018,2026-01-06,need,supporting-people,managing_money,,open,No Tapir account,dan,x8
P018,2026-01-20,goal,goals,home,-1,set,Room by the Heronsgate canal,dan,x9
P018,2026-02-09,note,,,,shareable,Talked about Lynxford football,dan,x10
P019,2026-01-05,enrol,,,,,Self referral from Oryxham,dan,x11
CSV
outcomes record --from people.csv 2>/dev/null || say_fail "import"
cat >more.csv <<'CSV'
person,date,kind,framework,measure,value,status,text,by,ref
P017,2026-03-02,need,supporting-people,managing_money,,met,Owes Quetzal lender,amira,
P017,2026-03-05,note,,,,private,Mentioned Okapistan family,amira,
CSV
outcomes record --from more.csv 2>/dev/null || say_fail "second import"
id=$(outcomes journey P017 --audit --include-private | sed -n 's/^ *#\([0-9]*\) 2026-02-09 note.*/\1/p')
outcomes record --correct "$id" --reason "Capybara typo" --shareable "Brought Jackalope cake" \
  >/dev/null || say_fail "correction of P017"
outcomes record goal P017 --framework goals --measure home --value 0 --status review \
  --text "Viewed a Salamander flat" --date 2026-03-10 >/dev/null || say_fail "single record"
outcomes record note P018 --private "Kept Lemurton appointment" --date 2026-03-11 >/dev/null ||
  say_fail "record for P018"

gone=(P017 Zanzibar Quetzal Marmoset Jackalope Wombatine Okapistan Capybara Salamander)
kept=(P018 P019 Pelican Tapir Heronsgate Lynxford Oryxham Lemurton)
files() { for f in outcomes.db outcomes.db-wal outcomes.db-shm; do [ -f "$f" ] && echo "$f"; done; }
for word in "${gone[@]}"; do
  # shellcheck disable=SC2046
  grep -qa "$word" $(files) || say_fail "setup: '$word' should be in the store before"
done

# Another program keeps the store open (idle, between reads) while the erasure runs: the
# log of pages beside the store then outlives the command, and must not keep old pages.
/usr/bin/python3 - <<'PY' &
import sqlite3, time
db = sqlite3.connect("outcomes.db")
db.execute("SELECT count(*) FROM entries").fetchall()
time.sleep(20)
PY
holder=$!
sleep 1
outcomes forget P017 --reason "asked by letter" --by js 2>err; status=$?
[ "$status" = 0 ] || { say_fail "forget exit $status"; cat err; }
grep -qx "forgot P017: 10 entries erased (reason recorded)" err || { say_fail "summary"; cat err; }

for word in "${gone[@]}"; do
  # shellcheck disable=SC2046
  if grep -la "$word" $(files) >/dev/null; then
    say_fail "'$word' is still in $(grep -la "$word" $(files) | tr '\n' ' ')"
  fi
done
for word in "${kept[@]}"; do
  # shellcheck disable=SC2046
  grep -qa "$word" $(files) || say_fail "'$word' (another person's) is gone"
done

kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
outcomes verify >verify.out 2>&1 || { say_fail "verify after forget"; cat verify.out; }
outcomes journey P017 >/dev/null 2>err; status=$?
[ "$status" = 2 ] || say_fail "journey of the erased person: exit $status"
grep -q "the entries of 'P017' were erased on 2026-11-15" err || { say_fail "journey message"; cat err; }
outcomes journey P018 | grep -q "Lynxford" || say_fail "journey of P018"
outcomes export --identify --include-text >export.csv || say_fail "export"
grep -q "P017" export.csv && say_fail "export still shows P017"
grep -q "Lynxford" export.csv || say_fail "export lost P018"

before=$(outcomes export --identify | wc -l)
outcomes record --from people.csv 2>err; status=$?
[ "$status" = 3 ] || say_fail "re-import: exit $status"
for line in 2 3 4 5 6 7; do
  grep -q "^people.csv:$line:1: person: the entries of 'P017' were erased on 2026-11-15" err ||
    say_fail "re-import does not refuse people.csv:$line"
done
[ "$(outcomes export --identify | wc -l)" = "$before" ] || say_fail "re-import wrote something"
outcomes record note P017 --private "back" >/dev/null 2>&1 && say_fail "single record of P017"

/usr/bin/python3 - <<'PY' || say_fail "audit record"
import sqlite3, sys
db = sqlite3.connect("outcomes.db")
rows = db.execute('SELECT erased_at, "by", reason, entries, person_digest FROM erasures').fetchall()
assert len(rows) == 1, rows
at, by, reason, entries, digest = rows[0]
assert at.startswith("2026-11-15T") and by == "js" and reason == "asked by letter", rows
assert entries == 10 and len(digest) == 64 and "P017" not in digest, rows
PY
exit $fail

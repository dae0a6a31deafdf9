#!/usr/bin/env bash
# Runs the README as a newcomer would: the example part of the set-up command, then every
# line of the tour, each of which must succeed as written.
#   tests/readme_tour.sh OUTCOMES_BINARY SOURCE_DIR
set -u
bin=$1 src=$2
source "$(dirname "$0")/pinned_env.sh"
readme="$src/README.md"

# The set-up command from the README, from the first use of the installed program on
# (what comes before it installs packages and builds, which the test suite has done).
setup=$(awk '/^## Set-up/{s=1} s && /^```sh$/{getline; print; exit}' "$readme")
example=${setup#*cmake --install build && }
if [ "$example" = "$setup" ]; then
  echo "FAIL: the README's set-up command does not install the program ('cmake --install build')"
  exit 1
fi
# The tour: the sh block after the "<!-- tour -->" marker.
tour=$(awk '/^<!-- tour -->$/{t=1; next} t && /^```sh$/{b=1; next} b && /^```$/{exit} b{print}' "$readme")
if [ -z "$tour" ]; then echo "FAIL: no tour block after <!-- tour --> in README.md"; exit 1; fi
if grep -q '…' <<<"$tour"; then echo "FAIL: the tour has a '…' that cannot run as written"; exit 1; fi

# The source folder as the newcomer has it (the example's entries), in a scratch copy.
mkdir -p "$work/src/build"
cp -r "$src/examples" "$work/src/examples"
cd "$work/src" || exit 1
echo "+ $example"
bash -e -c "$example" >"$work/setup.out" 2>&1 || { echo "FAIL: set-up example"; cat "$work/setup.out"; exit 1; }
grep -q "Bridges (example)" "$work/setup.out" || { echo "FAIL: the set-up did not print the report"; exit 1; }

# Each command of the tour in turn, in one shell so `cd` carries over; stop at the first failure.
status=0
{ printf 'set -e -o pipefail\n'; printf '%s\n' "$tour"; } >"$work/tour.sh"
bash -x "$work/tour.sh" >"$work/tour.out" 2>&1 || status=$?
if [ $status -ne 0 ]; then
  echo "FAIL: a tour command exited $status:"; tail -30 "$work/tour.out"; exit 1
fi
for file in build/example/assessments.csv build/example/october.html build/example/entries.csv \
  build/outcomes-backup.db; do
  [ -s "$file" ] || { echo "FAIL: the tour did not write $file"; exit 1; }
done
echo "ok: the set-up example and $(grep -c '^outcomes\|^cd' <<<"$tour") tour commands ran as written"

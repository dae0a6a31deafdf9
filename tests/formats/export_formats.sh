#!/bin/sh
# `outcomes export` in every file format, on the example service, read back by readers
# outside the project (export_check.py under the system Python: openpyxl for the workbooks,
# pandas for the Stata files, plain JSON for FHIR) and compared with the CSV export of the
# same tables. Usage: export_formats.sh OUTCOMES SOURCE_DIR. Exit 77 (skipped) without
# openpyxl and pandas.
set -eu
outcomes=$1
source_dir=$2
if ! /usr/bin/python3 -c 'import openpyxl, pandas' 2>/dev/null; then
  echo "SKIP: /usr/bin/python3 with openpyxl and pandas is not installed" >&2
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export OUTCOMES_NOW=2026-11-15 OUTCOMES_SHARE="$source_dir/frameworks"
"$outcomes" init ws --name "Bridges (example)" >/dev/null
"$outcomes" -w ws record --from "$source_dir/examples/entries.csv" 2>/dev/null
x() { "$outcomes" -w ws export "$@" 2>>log; }
x entries -o entries.xlsx
x entries -o entries.dta
x entries -o entries.sav
x entries -o entries.csv
x assessments --format csv -o wide_csv/
x assessments -o wide.xlsx
x assessments --format dta -o wide_dta/
x assessments --format sav -o wide_sav/
x assessments --layout long -o long.csv
x assessments --format fhir -o responses.ndjson
for id in ndt wemwbs swemwbs relational journey-template; do
  "$outcomes" -w ws frameworks show "$id" --format fhir >"questionnaire-$id.json"
done
/usr/bin/python3 "$source_dir/tests/formats/export_check.py" "$work" "$source_dir/examples/entries.csv"

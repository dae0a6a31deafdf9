#!/bin/sh
# The sample workbooks read back by openpyxl under the system Python (xlsx_check.py).
# Usage: xlsx_read_back.sh WRITE_SAMPLES SOURCE_DIR. Exit 77 (skipped) without openpyxl.
set -eu
write_samples=$1
source_dir=$2
if ! /usr/bin/python3 -c 'import openpyxl' 2>/dev/null; then
  echo "SKIP: /usr/bin/python3 with openpyxl is not installed" >&2
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$write_samples" "$work"
/usr/bin/python3 "$source_dir/tests/formats/xlsx_check.py" "$work"

#!/bin/sh
# The sample SPSS and Stata files read back by R (stat_check.R). Usage: stat_read_back.sh
# WRITE_SAMPLES SOURCE_DIR. Exit 77 (skipped) without Rscript or without haven and foreign.
set -eu
write_samples=$1
source_dir=$2
if ! command -v Rscript >/dev/null 2>&1; then
  echo "SKIP: Rscript is not installed" >&2
  exit 77
fi
if ! Rscript -e 'quit(status = if (requireNamespace("haven", quietly = TRUE) || requireNamespace("foreign", quietly = TRUE)) 0 else 1)' >/dev/null 2>&1; then
  echo "SKIP: neither R package haven nor foreign is installed" >&2
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$write_samples" "$work"
Rscript "$source_dir/tests/formats/stat_check.R" "$work"

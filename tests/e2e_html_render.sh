#!/usr/bin/env bash
# Renders the report's HTML in headless Chromium and checks it drew a real A4-sized page:
#   tests/e2e_html_render.sh OUTCOMES_BINARY SOURCE_DIR
# Skips (exit 77, which ctest reports as skipped) only when Chromium is not installed.
set -u
bin=$1 src=$2
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
  echo "SKIP: chromium is not installed (apt-get install chromium); the HTML was not rendered"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TZ=UTC LC_ALL=C.UTF-8 HOME="$work" OUTCOMES_NOW=2026-11-15 OUTCOMES_SHARE="$src/frameworks"
unset OUTCOMES_WORKSPACE
cd "$work" || exit 1
data=$src/tests/e2e/report/data
"$bin" init ws --name "Riverside Outreach" >/dev/null || exit 1
"$bin" -w ws record --from "$data/entries.csv" 2>/dev/null || exit 1
"$bin" -w ws record --from "$data/swemwbs.csv" --wide --framework swemwbs 2>/dev/null || exit 1
"$bin" -w ws report --month 2026-10 --format html --output report.html || exit 1
timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --user-data-dir="$work/profile" \
  --screenshot="$work/out.png" --window-size=1240,1754 "file://$work/report.html" \
  >"$work/chromium.log" 2>&1
if [ ! -s out.png ]; then
  echo "FAIL: chromium wrote no screenshot"; cat "$work/chromium.log"; exit 1
fi
# PNG header: width and height are big-endian at bytes 16-23.
size=$(od -An -tu1 -j16 -N8 out.png | tr -s ' ' | sed 's/^ //')
read -r w1 w2 w3 w4 h1 h2 h3 h4 <<<"$size"
width=$(( (w1 << 24) | (w2 << 16) | (w3 << 8) | w4 ))
height=$(( (h1 << 24) | (h2 << 16) | (h3 << 8) | h4 ))
if [ "$width" != 1240 ] || [ "$height" != 1754 ]; then
  echo "FAIL: screenshot is ${width}x${height}, expected 1240x1754"; exit 1
fi
# A blank page compresses to a few kilobytes; the report's text and charts do not.
bytes=$(stat -c %s out.png)
distinct=$(od -An -tu1 -v out.png | tr -s ' ' '\n' | sort -u | wc -l)
if [ "$bytes" -lt 40000 ] || [ "$distinct" -lt 200 ]; then
  echo "FAIL: the page looks blank ($bytes bytes, $distinct distinct byte values)"; exit 1
fi
echo "ok: rendered ${width}x${height}, $bytes bytes"

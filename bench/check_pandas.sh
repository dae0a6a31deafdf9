#!/usr/bin/env bash
# Checks that bench/assess_pandas.py (the pandas peer of `outcomes assess` in
# bench/compare.sh) computes the same figures as assess: every figure the script prints
# equals the same field of `outcomes assess --format jsonl`, and every scale framework a
# person has occasions in is in both. Exit 0 when they agree, 1 with the first differences,
# 77 (skip) without /usr/bin/python3, pandas or PyYAML.
#
#   bench/check_pandas.sh OUTCOMES_BINARY [GEN_ENTRIES_BINARY]
#
# The store is the example service (examples/entries.csv: NDT, SWEMWBS with its conversion
# table, the relational scale without a total), with two of its assessment entries corrected
# (a value, a date) so that superseded entries are left out by both; it is assessed as of
# two dates. With
# GEN_ENTRIES_BINARY, a second store of 20,000 generated entries is checked as well.
set -euo pipefail
outcomes=$(realpath "$1")
gen=${2:+$(realpath "$2")}
src=$(cd "$(dirname "$0")/.." && pwd)
python=/usr/bin/python3

if [ ! -x "$python" ] || ! "$python" -c 'import pandas, yaml' 2>/dev/null; then
  echo "SKIP: needs /usr/bin/python3 with pandas and PyYAML"
  exit 77
fi

. "$src/bench/common.sh"
bench_workdir
export OUTCOMES_NOW=2026-11-15 OUTCOMES_SHARE="$src/frameworks"

# compare WORKSPACE AS_OF: runs both and compares.
compare() {
  local ws=$1 as_of=$2
  "$outcomes" --workspace "$ws" assess --as-of "$as_of" --format jsonl >"$work/assess.jsonl"
  "$python" "$src/bench/assess_pandas.py" "$ws" "$as_of" >"$work/pandas.csv"
  "$python" - "$work/assess.jsonl" "$work/pandas.csv" "$ws/frameworks" <<'EOF'
import csv, glob, json, math, os, sys

import yaml

assess_path, pandas_path, frameworks_dir = sys.argv[1:4]
scale = set()
for path in glob.glob(os.path.join(frameworks_dir, "*.yaml")):
    if path.endswith(".local.yaml"):
        continue
    doc = yaml.safe_load(open(path, encoding="utf-8"))
    if any(m.get("type") == "scale" for d in doc.get("domains") or [] for m in d.get("measures") or []):
        scale.add(doc["id"])

def number(text):
    return None if text in ("", None) else float(text)

# The same long rows from assess's JSONL: the framework's own figures, then each item's.
expected = {}
for line in open(assess_path, encoding="utf-8"):
    a = json.loads(line)
    if a["framework"] not in scale:
        continue
    key = (a["person"], a["framework"], "")
    if a["occasions"] + a["incomplete_occasions"] > 0:
        b, l = a["baseline"], a["latest"]
        expected[key] = {
            "occasions": a["occasions"], "incomplete": a["incomplete_occasions"],
            "baseline_date": b and b["date"], "baseline": b and b["score"],
            "latest_date": l and l["date"], "latest": l and l["score"], "change": a["change"]}
    for item, i in a["items"].items():
        expected[(a["person"], a["framework"], item)] = {
            "occasions": i["occasions"], "incomplete": None,
            "baseline_date": i["baseline_date"], "baseline": i["baseline"],
            "latest_date": i["latest_date"], "latest": i["latest"], "change": i["change"]}

got = {}
for row in csv.DictReader(open(pandas_path, encoding="utf-8")):
    got[(row["person"], row["framework"], row["item"])] = {
        "occasions": number(row["occasions"]), "incomplete": number(row["incomplete"]),
        "baseline_date": row["baseline_date"] or None, "baseline": number(row["baseline"]),
        "latest_date": row["latest_date"] or None, "latest": number(row["latest"]),
        "change": number(row["change"])}

def same(a, b):
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return math.isclose(float(a), float(b), rel_tol=0, abs_tol=1e-9)

differences = []
for key in sorted(set(expected) | set(got)):
    if key not in got:
        differences.append(f"{key}: in assess, not in the pandas figures")
    elif key not in expected:
        differences.append(f"{key}: in the pandas figures, not in assess")
    else:
        for field, value in expected[key].items():
            if not same(value, got[key][field]):
                differences.append(f"{key} {field}: assess {value!r}, pandas {got[key][field]!r}")
figures = sum(len(v) for v in expected.values())
if differences:
    print(f"{len(differences)} differences; the first:")
    print("\n".join(differences[:20]))
    sys.exit(1)
if not expected:
    print("nothing compared: assess gave no scale figures")
    sys.exit(1)
print(f"{len(expected)} rows, {figures} figures equal")
EOF
}

# The example service, with two assessment entries corrected: an NDT rating to another
# value, and a SWEMWBS item to the next day (its old occasion loses it, a new one holds it).
(cd "$work" && "$outcomes" init ex --name Example >/dev/null)
"$outcomes" --workspace "$work/ex" record --from "$src/examples/entries.csv" >/dev/null 2>&1
corrections=$("$python" - "$work/ex/outcomes.db" <<'EOF'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
def first(framework, item):
    return con.execute(
        "SELECT e.id, date(e.day * 86400 + 86400, 'unixepoch') FROM entries e "
        "JOIN frameworks_seen f ON f.id = e.framework JOIN terms t ON t.id = e.measure "
        "WHERE e.kind = 3 AND f.framework = ? AND t.text = ? ORDER BY e.id LIMIT 1",
        (framework, item)).fetchone()
ndt, _ = first("ndt", "engagement")
swemwbs, next_day = first("swemwbs", "item_1")
print(f"{ndt} --value 1\n{swemwbs} --date {next_day}")
EOF
)
while read -r id field value; do
  "$outcomes" --workspace "$work/ex" record --correct "$id" "$field" "$value" \
    --reason "typed in the wrong box" >/dev/null
done <<<"$corrections"
echo "example service (corrected ${corrections//$'\n'/, }), as of 2026-11-15:"
compare "$work/ex" 2026-11-15
echo "example service, as of 2026-05-31:"
compare "$work/ex" 2026-05-31

if [ -n "$gen" ]; then
  "$gen" 20000 80 2026-11-15 >"$work/entries.csv"
  (cd "$work" && "$outcomes" init gen --name Generated >/dev/null)
  "$outcomes" --workspace "$work/gen" record --from "$work/entries.csv" >/dev/null 2>&1
  echo "20,000 generated entries, as of 2026-11-15:"
  compare "$work/gen" 2026-11-15
fi

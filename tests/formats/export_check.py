"""Checks the exports export_formats.sh wrote, with readers outside the project."""
import csv
import datetime
import glob
import json
import os
import re
import sys

import openpyxl
import pandas as pd

work, source = sys.argv[1], sys.argv[2]
os.chdir(work)
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)


# Free text of the example's entries: none of it may leave in a default export.
with open(source, newline="", encoding="utf-8") as f:
    rows = list(csv.DictReader(f))
texts = {r["text"] for r in rows if len(r["text"]) >= 12}
refs = {r["person"] for r in rows}
check(len(texts) > 50, f"the example holds free text to look for ({len(texts)} found)")


def leaks(values, where):
    for v in values:
        if isinstance(v, str) and (v in texts or v in refs):
            failures.append(f"{where}: {v!r} left the workspace")
            return


# Entries: the workbook, Stata and CSV agree row for row.
entries_csv = pd.read_csv("entries.csv", dtype=str, keep_default_na=False)
wb = openpyxl.load_workbook("entries.xlsx")
check(wb.sheetnames == ["entries", "dictionary"], f"entries.xlsx sheets {wb.sheetnames}")
ws = wb["entries"]
check(ws.freeze_panes == "A2", f"entries sheet frozen at {ws.freeze_panes}")
header = [c.value for c in ws[1]]
check(header == list(entries_csv.columns), f"entries.xlsx header {header}")
sheet_rows = list(ws.iter_rows(min_row=2, values_only=True))
check(len(sheet_rows) == len(entries_csv), f"entries.xlsx {len(sheet_rows)} rows, csv {len(entries_csv)}")
check(all(isinstance(r[1], datetime.datetime) for r in sheet_rows), "entries.xlsx dates are dates")
for r, (_, c) in zip(sheet_rows[:500], entries_csv.head(500).iterrows()):
    check(r[0] == c["person"] and r[1].strftime("%Y-%m-%d") == c["date"], f"row {c.to_dict()} vs {r}")
    check((r[5] is None and c["value"] == "") or str(r[5]) == c["value"], f"value {r[5]} vs {c['value']}")
for row in sheet_rows:
    leaks(row, "entries.xlsx")

dta = pd.read_stata("entries.dta")
check(list(dta.columns)[8] == "recorded_by", f"entries.dta columns {list(dta.columns)}")
check(len(dta) == len(entries_csv), "entries.dta rows")
check(list(dta["kind"].astype(str)) == list(entries_csv["kind"]), "entries.dta kinds (value labels)")
check(list(dta["date"].dt.strftime("%Y-%m-%d")) == list(entries_csv["date"]), "entries.dta dates")
for name in ["entries.dta", "entries.sav", "responses.ndjson"]:
    raw = open(name, "rb").read()
    for t in list(texts) + [f",{p}," for p in refs]:
        if t.encode() in raw:
            failures.append(f"{name}: {t!r} left the workspace")
            break

# Wide assessments: every framework's table the same in CSV, the workbook and Stata.
book = openpyxl.load_workbook("wide.xlsx")
tables = sorted(os.path.basename(p)[:-4] for p in glob.glob("wide_csv/*.csv"))
check("dictionary" in tables and len(tables) >= 6, f"wide_csv tables {tables}")
check(sorted(book.sheetnames) == tables, f"wide.xlsx sheets {book.sheetnames} vs {tables}")
for name in tables:
    if name == "dictionary":
        continue
    table = pd.read_csv(f"wide_csv/{name}.csv", dtype=str, keep_default_na=False)
    check(all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,31}", c) for c in table.columns),
          f"{name}: names valid in SPSS, Stata and R: {list(table.columns)}")
    sheet = list(book[name].iter_rows(values_only=True))
    check(list(sheet[0]) == list(table.columns), f"{name}: workbook header")
    stata = pd.read_stata(f"wide_dta/{name}.dta", convert_categoricals=False)
    check(list(stata.columns) == list(table.columns), f"{name}: Stata columns")
    check(len(stata) == len(table) == len(sheet) - 1, f"{name}: row counts")
    if not len(stata) == len(table) == len(sheet) - 1:
        continue
    check(os.path.exists(f"wide_sav/{name}.sav"), f"{name}.sav written")
    for col in table.columns:
        values = table[col]
        if values.str.fullmatch(r"-?\d+(\.\d+)?|").all() and (values != "").any():
            for i, v in enumerate(values):
                got = stata[col].iloc[i]
                cell = sheet[i + 1][list(table.columns).index(col)]
                if v == "":
                    check(pd.isna(got) and cell is None, f"{name}.{col}[{i}] empty: {got}, {cell}")
                else:
                    check(abs(float(got) - float(v)) < 1e-9, f"{name}.{col}[{i}]: dta {got} vs {v}")
                    check(abs(float(cell) - float(v)) < 1e-9, f"{name}.{col}[{i}]: xlsx {cell} vs {v}")
dictionary = pd.read_csv("wide_dta/dictionary.csv", dtype=str, keep_default_na=False)
check({"table", "column", "label", "protection"} <= set(dictionary.columns), "dictionary columns")
person_rows = dictionary[dictionary["column"] == "person"]
check(len(person_rows) > 0 and person_rows["protection"].str.contains("HMAC").all(),
      "the dictionary says people are pseudonymised")

# FHIR: R4 required elements, answers of the questionnaire's types and options, one
# response a scale occasion (as many as the long layout's occasions).
questionnaires = {}
for path in glob.glob("questionnaire-*.json"):
    q = json.load(open(path))
    check(q["resourceType"] == "Questionnaire" and q["status"] == "active", f"{path} required elements")
    questionnaires[q["url"] + "|" + q["version"]] = {
        i["linkId"]: i for i in q["item"]}
responses = [json.loads(line) for line in open("responses.ndjson")]
long = pd.read_csv("long.csv", dtype=str, keep_default_na=False)
occasions = long[["person", "framework", "date"]].drop_duplicates()
check(len(responses) == len(occasions), f"{len(responses)} responses, {len(occasions)} occasions")
ids = set()
for r in responses:
    check(r["resourceType"] == "QuestionnaireResponse", "resourceType")
    check(r["status"] in ("completed", "in-progress"), f"status {r['status']}")
    check(re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["authored"]) is not None, f"authored {r['authored']}")
    check(re.fullmatch(r"p-[0-9a-f]{16}", r["subject"]["identifier"]["value"]) is not None, "subject")
    check(re.fullmatch(r"[A-Za-z0-9\-.]{1,64}", r["id"]) is not None and r["id"] not in ids, f"id {r['id']}")
    ids.add(r["id"])
    items = questionnaires.get(r["questionnaire"])
    check(items is not None, f"questionnaire {r['questionnaire']} known")
    for item in r.get("item", []) if items else []:
        q = items.get(item["linkId"])
        check(q is not None and q["type"] == "integer", f"{item['linkId']} is an integer question")
        allowed = {o["valueInteger"] for o in q.get("answerOption", [])} if q else set()
        for a in item["answer"]:
            check(set(a) == {"valueInteger"} and (not allowed or a["valueInteger"] in allowed),
                  f"{item['linkId']} answer {a}")

if failures:
    print("\n".join(failures[:40]))
    print(f"{len(failures)} failures")
    sys.exit(1)
print("ok: entries, wide assessments and FHIR responses read back")

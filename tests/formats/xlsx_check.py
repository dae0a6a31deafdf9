"""Checks the sample workbooks written by write_samples with openpyxl, a reader outside the
project: sheets, header, frozen panes, cell types, the neutralised formula cells and the
dictionary sheet. Usage: xlsx_check.py FOLDER. Exit 0 when all hold, 1 otherwise."""
import datetime
import sys

import openpyxl

folder = sys.argv[1]
failures = []


def check(condition, what):
    if not condition:
        failures.append(what)


book = openpyxl.load_workbook(f"{folder}/sample.xlsx")
check(book.sheetnames == ["people", "monthly", "dictionary"], f"sheet names {book.sheetnames}")

people = book["people"]
header = [cell.value for cell in people[1]]
check(header == ["ref", "status", "score", "count", "change", "enrolled", "consent", "note"],
      f"header {header}")
check(all(cell.font.b for cell in people[1]), "header not bold")
check(people.freeze_panes == "A2", f"freeze panes {people.freeze_panes}")
check(people.max_row == 5, f"people rows {people.max_row}")

row = [cell.value for cell in people[2]]
check(row[0] == "P001", f"ref {row[0]!r}")
check(row[1] == "active", f"code {row[1]!r}")
check(row[2] == 2 and isinstance(row[2], (int, float)), f"score {row[2]!r}")
check(row[3] == -3 and isinstance(row[3], (int, float)), f"negative number {row[3]!r}")
check(row[4] == -1.5, f"number {row[4]!r}")
check(isinstance(row[5], datetime.datetime) and row[5] == datetime.datetime(2026, 3, 14),
      f"date {row[5]!r}")
check(people.cell(2, 6).number_format == "yyyy-mm-dd", people.cell(2, 6).number_format)
check(row[6] is True, f"boolean {row[6]!r}")
check(people.cell(2, 8).data_type == "s", "formula cell is not text")
check(row[7] == "'=HYPERLINK(\"x\")", f"formula cell {row[7]!r}")
check(people.cell(3, 8).value == "'-1+2", f"formula cell {people.cell(3, 8).value!r}")
check(people.cell(4, 8).value == "'@SUM(A1)", f"formula cell {people.cell(4, 8).value!r}")
check(people.cell(5, 8).value == "-3", f"plain number text {people.cell(5, 8).value!r}")
check(people.cell(3, 7).value is False, f"boolean {people.cell(3, 7).value!r}")
check(people.cell(3, 6).value == datetime.datetime(1999, 12, 31), "second date")
# The row of empty cells.
check(all(people.cell(4, c).value is None for c in range(3, 8)),
      f"empty cells {[people.cell(4, c).value for c in range(3, 8)]}")
check(people.cell(4, 2).value == "transferred", "unlisted code")
check(people.cell(5, 2).value is None, "missing code")

monthly = book["monthly"]
check(monthly.freeze_panes == "A2", "monthly freeze panes")
check(monthly.cell(2, 1).value == datetime.datetime(2026, 3, 1), f"month {monthly.cell(2, 1).value!r}")
check(monthly.cell(2, 1).number_format == "yyyy-mm", monthly.cell(2, 1).number_format)
check(monthly.cell(3, 2).value == 7, "monthly total")

dictionary = book["dictionary"]
check([c.value for c in dictionary[1]] == ["table_name", "name", "label", "type"],
      "dictionary header")
check([c.value for c in dictionary[3]] == ["people", "status", "Current status", "code"],
      f"dictionary row {[c.value for c in dictionary[3]]}")
check(dictionary.max_row == 11, f"dictionary rows {dictionary.max_row}")

split = openpyxl.load_workbook(f"{folder}/split.xlsx")
check(split.sheetnames == ["people", "people_2", "monthly", "dictionary", "dictionary_2",
                           "dictionary_3", "dictionary_4"], f"split sheets {split.sheetnames}")
check(split["people"].max_row == 4, "first sheet rows")
check([c.value for c in split["people_2"][1]][0] == "ref", "continued sheet header")
check(split["people_2"].freeze_panes == "A2", "continued sheet frozen")
check(split["people_2"].cell(2, 1).value == "P004", "continued sheet row")

for failure in failures:
    print(f"xlsx_check: {failure}", file=sys.stderr)
sys.exit(1 if failures else 0)

// Sample typed tables that exercise every column type, shared by the table writer tests
// (tests/unit/test_table_formats.cpp) and the sample workbook writer (tests/formats/).
#pragma once
#include <string>
#include <vector>

#include "date.h"
#include "table.h"

namespace outcomes::testing {

struct SampleTable {
  TableSpec spec;
  std::vector<Row> rows;
};

inline Column sample_column(std::string name, std::string label, ColumnType type,
                            std::vector<ValueLabel> values = {}) {
  Column column;
  column.name = std::move(name);
  column.label = std::move(label);
  column.type = type;
  column.values = std::move(values);
  return column;
}

// "people": every column type, value labels, formula-like text, a negative number, a code not
// listed in `values` and a row of empty cells. "monthly": dates at month precision.
// "dictionary": one row per column of the other two.
inline std::vector<SampleTable> sample_tables() {
  SampleTable people;
  people.spec.name = "people";
  people.spec.label = "One row per person";
  people.spec.columns = {
      sample_column("ref", "Person reference", ColumnType::Text),
      sample_column("status", "Current status", ColumnType::Code,
                    {{"active", "Active"}, {"closed", "Closed"}, {"waiting", ""}}),
      sample_column("score", "How often (scale item)", ColumnType::Integer,
                    {{"0", "Not at all"}, {"1", "Sometimes"}, {"2", "Often"}}),
      sample_column("count", "Contacts", ColumnType::Integer),
      sample_column("change", "Change in score", ColumnType::Number),
      sample_column("enrolled", "Date enrolled", ColumnType::Date),
      sample_column("consent", "Consent given", ColumnType::Boolean),
      sample_column("note", "Note", ColumnType::Text),
  };
  people.rows = {
      {std::string("P001"), std::string("active"), std::int64_t{2}, std::int64_t{-3}, -1.5,
       make_date(2026, 3, 14), true, std::string("=HYPERLINK(\"x\")")},
      {std::string("P002"), std::string("closed"), std::int64_t{0}, std::int64_t{7}, 2.25,
       make_date(1999, 12, 31), false, std::string("-1+2")},
      {std::string("P003"), std::string("transferred"), std::monostate{}, std::monostate{},
       std::monostate{}, std::monostate{}, std::monostate{}, std::string("@SUM(A1)")},
      {std::string("P004"), std::monostate{}, std::int64_t{1}, std::int64_t{0}, 0.0,
       make_date(2026, 1, 1), true, std::string("-3")},
  };

  SampleTable monthly;
  monthly.spec.name = "monthly";
  monthly.spec.label = "One row per month";
  monthly.spec.dates = DatePrecision::Month;
  monthly.spec.columns = {sample_column("month", "Month", ColumnType::Date),
                          sample_column("total", "Entries", ColumnType::Integer)};
  monthly.rows = {{make_date(2026, 3, 1), std::int64_t{5}},
                  {make_date(2026, 4, 1), std::int64_t{7}}};

  SampleTable dictionary;
  dictionary.spec.name = "dictionary";
  dictionary.spec.label = "One row per column of each table";
  dictionary.spec.columns = {sample_column("table_name", "Table", ColumnType::Text),
                             sample_column("name", "Column", ColumnType::Text),
                             sample_column("label", "Label", ColumnType::Text),
                             sample_column("type", "Type", ColumnType::Text)};
  for (const SampleTable* table : {&people, &monthly})
    for (const Column& column : table->spec.columns)
      dictionary.rows.push_back({table->spec.name, column.name, column.label,
                                 std::string(to_string(column.type))});
  return {people, monthly, dictionary};
}

// Sends `tables` to `sink`, then finishes it.
inline void send_tables(TableSink& sink, const std::vector<SampleTable>& tables) {
  for (const SampleTable& table : tables) {
    sink.begin_table(table.spec);
    for (const Row& row : table.rows) sink.row(row);
    sink.end_table();
  }
  sink.finish();
}

}  // namespace outcomes::testing

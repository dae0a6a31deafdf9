// Typed tables for exports: each column carries the facts of the data dictionary (name,
// label, type, unit, allowed values, framework, derivation, protection), and rows are
// streamed to a TableSink, so a writer (CSV, JSON Lines, Excel, SPSS, Stata) never needs
// the producer to hold a whole table.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "date.h"

namespace outcomes {

enum class ColumnType {
  Text,     // free text or an identifier
  Code,     // one of `values` (an id such as a status or a kind), written as its id
  Integer,  // a whole number
  Number,   // a decimal number
  Date,     // a calendar date (day, or month when the table's dates were coarsened)
  Boolean,  // true or false
};
std::string_view to_string(ColumnType type);

// An allowed value of a Code (or Integer) column and what it means.
struct ValueLabel {
  std::string value;  // as written in CSV: a status id, a kind, or a number's text
  std::string label;  // in words
};

// One column, with everything the data dictionary says about it.
struct Column {
  std::string name;   // a variable name valid in SPSS, Stata and R (see variable_name)
  std::string label;  // the full, readable name
  ColumnType type = ColumnType::Text;
  std::string unit;                // "points", "days", "" when none
  std::vector<ValueLabel> values;  // allowed values in order (Code columns; scale items)
  std::string framework;           // the framework id the column belongs to, "" when none
  std::string framework_version;   // that framework's version
  std::string derivation;          // how the value was worked out, in words
  std::string protection;          // what was done to protect people ("" when nothing)
};

// Whether a Date column holds days or months (dates coarsened to the month: the first
// day of the month is carried; writers show year and month only).
enum class DatePrecision { Day, Month };
// The date a cell carries at `dates` precision: the date, or the first day of its month.
Date coarsen(Date date, DatePrecision dates);

// A table's description: written before its rows.
struct TableSpec {
  std::string name;   // file and sheet name: 1 to 64 letters, digits, '_' and '-', not
                      // starting with '-' (e.g. "entries", "assessments_core10")
  std::string label;  // a sentence saying what one row is
  std::vector<Column> columns;
  DatePrecision dates = DatePrecision::Day;
};

// One cell. monostate is an empty (missing) cell. Which alternative a column's cells hold:
// Text and Code: string; Integer: int64_t; Number: double; Date: Date; Boolean: bool.
using Cell = std::variant<std::monostate, std::string, std::int64_t, double, Date, bool>;
using Row = std::vector<Cell>;

// Where tables are written. Calls come as begin_table, row..., end_table for each table,
// then finish once. A sink may write each row at once or keep rows until end_table.
class TableSink {
 public:
  virtual ~TableSink() = default;
  virtual void begin_table(const TableSpec& spec) = 0;
  virtual void row(const Row& cells) = 0;
  virtual void end_table() = 0;
  // After the last table: flush and close what was written.
  virtual void finish() = 0;
};

// The largest whole number a double (a spreadsheet's, SPSS's or Stata's number) holds
// exactly; writers keep larger Integer cells from becoming a different number.
inline constexpr std::int64_t kMaxExactInteger = std::int64_t{1} << 53;

// Checks shared by the table writers (a producer breaking them is a program error).
// Error unless `name` is a table name as TableSpec::name says: 1 to 64 letters, digits, '_'
// and '-', the first not '-' (so it is safe as a file name and a sheet name). The message
// names `name`.
void check_table_name(std::string_view name);
// True when `cell` is empty or holds the alternative a `type` column's cells hold.
bool cell_fits(ColumnType type, const Cell& cell);

}  // namespace outcomes

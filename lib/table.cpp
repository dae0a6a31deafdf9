#include "table.h"

#include <fmt/format.h>

#include "error.h"
#include "text.h"

namespace outcomes {

Date coarsen(Date date, DatePrecision dates) {
  if (dates == DatePrecision::Day) return date;
  const auto ymd = split_date(date);
  return make_date(ymd.year, ymd.month, 1);
}

std::string_view to_string(ColumnType type) {
  switch (type) {
    case ColumnType::Text: return "text";
    case ColumnType::Code: return "code";
    case ColumnType::Integer: return "integer";
    case ColumnType::Number: return "number";
    case ColumnType::Date: return "date";
    case ColumnType::Boolean: return "boolean";
  }
  return "text";
}

void check_table_name(std::string_view name) {
  bool valid = !name.empty() && name.size() <= 64 && name.front() != '-';
  for (char c : name)
    valid = valid && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '-');
  // A leading '-' would make the file name read as an option to the programs given it.
  if (!valid)
    throw Error(fmt::format(
        "table name \"{}\" is not 1 to 64 letters, digits, '_' and '-' that do not start with '-'",
        text::escape(name)));
}

bool cell_fits(ColumnType type, const Cell& cell) {
  switch (type) {
    case ColumnType::Text:
    case ColumnType::Code: return cell.index() <= 1;
    case ColumnType::Integer: return cell.index() == 0 || std::holds_alternative<std::int64_t>(cell);
    case ColumnType::Number: return cell.index() == 0 || std::holds_alternative<double>(cell);
    case ColumnType::Date: return cell.index() == 0 || std::holds_alternative<Date>(cell);
    case ColumnType::Boolean: return cell.index() == 0 || std::holds_alternative<bool>(cell);
  }
  return false;
}

}  // namespace outcomes

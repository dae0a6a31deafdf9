#include "table.h"

namespace outcomes {

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

}  // namespace outcomes

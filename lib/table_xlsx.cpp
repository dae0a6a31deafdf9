#include "table_xlsx.h"

#include <fmt/format.h>
#include <xlsxwriter.h>

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "error.h"
#include "output.h"
#include "text.h"

namespace outcomes {
namespace {

// Excel's limits.
constexpr std::size_t kMaxSheetName = 31;
constexpr std::size_t kMaxCellChars = 32767;
constexpr std::size_t kMaxColumns = 16384;
// Day 25569 of Excel's 1900 calendar is 1970-01-01; it counts a 29 February 1900 that never
// was, so its serials are right from 1900-03-01 (serial 61) on; its last day is 9999-12-31.
constexpr std::int64_t kExcelEpoch = 25569;
constexpr std::int64_t kExcelFirst = 61;
constexpr std::int64_t kExcelLast = 2958465;

class XlsxSink : public TableSink {
 public:
  XlsxSink(const std::filesystem::path& file, const XlsxOptions& options)
      : output_(file), options_(options) {
    tmpdir_ = output_.folder().string();
    lxw_workbook_options settings{};
    settings.constant_memory = LXW_TRUE;
    settings.tmpdir = tmpdir_.data();
    file_ = output_.file().string();
    workbook_ = workbook_new_opt(file_.c_str(), &settings);
    if (!workbook_) throw Error(fmt::format("--output: cannot start the workbook {}", file.string()));
    lxw_doc_properties properties{};
    properties.created = options_.created ? options_.created : std::time(nullptr);
    workbook_set_properties(workbook_, &properties);
    header_ = workbook_add_format(workbook_);
    format_set_bold(header_);
    day_ = workbook_add_format(workbook_);
    format_set_num_format(day_, "yyyy-mm-dd");
    month_ = workbook_add_format(workbook_);
    format_set_num_format(month_, "yyyy-mm");
    target_ = file.string();
  }
  ~XlsxSink() override {
    if (workbook_) lxw_workbook_free(workbook_);
  }
  XlsxSink(const XlsxSink&) = delete;
  XlsxSink& operator=(const XlsxSink&) = delete;

  void begin_table(const TableSpec& spec) override {
    check_table_name(spec.name);
    if (spec.columns.size() > kMaxColumns)
      throw Error(fmt::format("table {}: {} columns, more than the {} of an Excel sheet", spec.name,
                              spec.columns.size(), kMaxColumns));
    spec_ = spec;
    date_format_ = spec.dates == DatePrecision::Month ? month_ : day_;
    rows_in_table_ = 0;
    start_sheet();
  }

  void row(const Row& cells) override {
    if (cells.size() != spec_.columns.size())
      throw Error(fmt::format("table {}: a row of {} cells for {} columns", spec_.name,
                              cells.size(), spec_.columns.size()));
    if (row_ > options_.rows_per_sheet) start_sheet();
    ++rows_in_table_;
    for (std::size_t c = 0; c < cells.size(); ++c) write_cell(c, cells[c]);
    ++row_;
  }

  void end_table() override { sheet_ = nullptr; }

  void finish() override {
    lxw_workbook* workbook = workbook_;
    workbook_ = nullptr;
    check(workbook_close(workbook));
    output_.commit();
  }

 private:
  void check(lxw_error error) const {
    if (error != LXW_NO_ERROR)
      throw Error(fmt::format("--output: cannot write {}: {}", target_, lxw_strerror(error)));
  }

  // A sheet name not yet taken: `base` cut to Excel's length, with "_2", "_3"... when taken.
  std::string sheet_name(const std::string& base) {
    for (int n = 1;; ++n) {
      std::string suffix = n == 1 ? "" : fmt::format("_{}", n);
      std::string name = base.substr(0, kMaxSheetName - suffix.size()) + suffix;
      if (sheet_names_.insert(text::ascii_lower(name)).second) return name;
    }
  }

  void start_sheet() {
    const std::string name = sheet_name(spec_.name);
    sheet_ = workbook_add_worksheet(workbook_, name.c_str());
    if (!sheet_)
      throw Error(fmt::format("--output: cannot add the sheet {} to {}", name, target_));
    worksheet_freeze_panes(sheet_, 1, 0);
    for (std::size_t c = 0; c < spec_.columns.size(); ++c) {
      const Column& column = spec_.columns[c];
      const auto col = static_cast<lxw_col_t>(c);
      double width = std::clamp<double>(static_cast<double>(column.name.size()) + 2, 10, 40);
      if (column.type == ColumnType::Date) width = std::max(width, 12.0);
      check(worksheet_set_column(sheet_, col, col, width, nullptr));
      check(worksheet_write_string(sheet_, 0, col, column.name.c_str(), header_));
    }
    row_ = 1;
  }

  void write_text(lxw_col_t col, const std::string& value) {
    if (text::width(value) > kMaxCellChars)
      throw Error(fmt::format("table {}, row {}, column {}: {} characters, more than the {} an "
                              "Excel cell holds (CSV and JSON Lines keep it whole)",
                              spec_.name, rows_in_table_, spec_.columns[col].name,
                              text::width(value), kMaxCellChars));
    if (text::csv_needs_neutralising(value)) {
      scratch_.assign(1, '\'');
      scratch_ += value;
      check(worksheet_write_string(sheet_, row_, col, scratch_.c_str(), nullptr));
    } else {
      check(worksheet_write_string(sheet_, row_, col, value.c_str(), nullptr));
    }
  }

  void write_cell(std::size_t c, const Cell& cell) {
    const Column& column = spec_.columns[c];
    if (!cell_fits(column.type, cell))
      throw Error(fmt::format("table {}: column {} (a {} column) given a cell of another type",
                              spec_.name, column.name, to_string(column.type)));
    const auto col = static_cast<lxw_col_t>(c);
    if (auto* s = std::get_if<std::string>(&cell)) {
      if (!s->empty()) write_text(col, *s);
    } else if (auto* i = std::get_if<std::int64_t>(&cell)) {
      if (*i > kMaxExactInteger || *i < -kMaxExactInteger)
        write_text(col, std::to_string(*i));
      else
        check(worksheet_write_number(sheet_, row_, col, static_cast<double>(*i), nullptr));
    } else if (auto* d = std::get_if<double>(&cell)) {
      if (std::isfinite(*d)) check(worksheet_write_number(sheet_, row_, col, *d, nullptr));
    } else if (auto* date = std::get_if<Date>(&cell)) {
      const std::int64_t serial = date->days + kExcelEpoch;
      if (serial >= kExcelFirst && serial <= kExcelLast) {
        check(worksheet_write_number(sheet_, row_, col, static_cast<double>(serial), date_format_));
      } else {
        write_text(col, spec_.dates == DatePrecision::Month ? format_month(*date)
                                                            : format_date(*date));
      }
    } else if (auto* b = std::get_if<bool>(&cell)) {
      check(worksheet_write_boolean(sheet_, row_, col, *b ? 1 : 0, nullptr));
    }
  }

  NamedOutput output_;
  XlsxOptions options_;
  std::string target_;
  std::string file_;
  std::string tmpdir_;
  lxw_workbook* workbook_ = nullptr;
  lxw_format* header_ = nullptr;
  lxw_format* day_ = nullptr;
  lxw_format* month_ = nullptr;
  lxw_format* date_format_ = nullptr;
  // Excel keeps the name "History" for itself.
  std::set<std::string> sheet_names_{"history"};
  TableSpec spec_;
  lxw_worksheet* sheet_ = nullptr;
  lxw_row_t row_ = 0;
  std::size_t rows_in_table_ = 0;
  std::string scratch_;
};

}  // namespace

std::unique_ptr<TableSink> make_xlsx_sink(const std::filesystem::path& file,
                                          const XlsxOptions& options) {
  return std::make_unique<XlsxSink>(file, options);
}

}  // namespace outcomes

#include "table_text.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "csv.h"
#include "error.h"
#include "json_out.h"
#include "output.h"
#include "table_stat.h"
#include "table_xlsx.h"

namespace outcomes {

namespace {
struct FormatFacts {
  TableFormat format;
  std::string_view name;
  std::string_view extension;
  bool text;
  bool one_table;
};
constexpr FormatFacts kFormats[] = {
    {TableFormat::Csv, "csv", ".csv", true, true},
    {TableFormat::Jsonl, "jsonl", ".jsonl", true, false},
    {TableFormat::Xlsx, "xlsx", ".xlsx", false, false},
    {TableFormat::Sav, "sav", ".sav", false, true},
    {TableFormat::Dta, "dta", ".dta", false, true},
};
const FormatFacts& facts(TableFormat format) {
  for (const auto& f : kFormats)
    if (f.format == format) return f;
  return kFormats[0];
}
}  // namespace

std::string_view to_string(TableFormat format) { return facts(format).name; }

bool is_text_format(TableFormat format) { return facts(format).text; }

std::optional<TableFormat> parse_table_format(std::string_view name) {
  for (const auto& f : kFormats)
    if (f.name == name) return f.format;
  return std::nullopt;
}

std::string_view file_extension(TableFormat format) { return facts(format).extension; }

bool holds_one_table(TableFormat format) { return facts(format).one_table; }

namespace {

void append_number(std::string& out, double value) {
  if (value == 0) value = 0;  // -0.0 is written as 0
  fmt::format_to(std::back_inserter(out), "{}", value);
}

void append_cell(std::string& out, const Cell& cell, DatePrecision dates) {
  switch (cell.index()) {
    case 0:
      break;
    case 1:
      out += std::get<std::string>(cell);
      break;
    case 2:
      fmt::format_to(std::back_inserter(out), "{}", std::get<std::int64_t>(cell));
      break;
    case 3:
      append_number(out, std::get<double>(cell));
      break;
    case 4: {
      const Date date = std::get<Date>(cell);
      out += dates == DatePrecision::Month ? format_month(date) : format_date(date);
      break;
    }
    case 5:
      out += std::get<bool>(cell) ? "true" : "false";
      break;
  }
}

class CsvSink final : public TableSink {
 public:
  explicit CsvSink(std::ostream& out) : out_(out) {}
  void begin_table(const TableSpec& spec) override {
    if (tables_++ > 0)
      throw Error(
          fmt::format("CSV holds one table; '{}' needs a folder to be written to", spec.name));
    dates_ = spec.dates;
    fields_.clear();
    for (const auto& column : spec.columns) fields_.push_back(column.name);
    write_csv_row(out_, fields_);
  }
  void row(const Row& cells) override {
    fields_.resize(cells.size());
    for (size_t i = 0; i < cells.size(); ++i) {
      fields_[i].clear();  // keeps the buffer
      append_cell(fields_[i], cells[i], dates_);
    }
    write_csv_row(out_, fields_);
  }
  void end_table() override {}
  void finish() override { out_.flush(); }

 private:
  std::ostream& out_;
  int tables_ = 0;
  DatePrecision dates_ = DatePrecision::Day;
  std::vector<std::string> fields_;
};

class JsonlSink final : public TableSink {
 public:
  JsonlSink(std::ostream& out, bool name_tables) : out_(out), name_tables_(name_tables) {}
  void begin_table(const TableSpec& spec) override {
    dates_ = spec.dates;
    keys_.clear();
    std::string start = "{";
    if (name_tables_) {
      start += "\"table\":";
      append_json_string(start, spec.name);
    }
    for (const auto& column : spec.columns) {
      std::string key = keys_.empty() ? start + (name_tables_ ? "," : "") : ",";
      keys_.push_back(key + nlohmann::json(column.name).dump() + ":");
    }
    if (keys_.empty()) keys_.push_back(start);
  }
  void row(const Row& cells) override {
    line_.clear();
    for (size_t i = 0; i < cells.size() && i < keys_.size(); ++i) {
      line_ += keys_[i];
      const Cell& cell = cells[i];
      switch (cell.index()) {
        case 0:
          line_ += "null";
          break;
        case 2:
        case 3:
        case 5:
          append_cell(line_, cell, dates_);
          break;
        case 1:
          append_json_string(line_, std::get<std::string>(cell));
          break;
        case 4: {
          scratch_.clear();
          append_cell(scratch_, cell, dates_);
          append_json_string(line_, scratch_);
          break;
        }
      }
    }
    if (cells.empty()) line_ += keys_.front();
    line_ += "}\n";
    out_.write(line_.data(), static_cast<std::streamsize>(line_.size()));
  }
  void end_table() override {}
  void finish() override { out_.flush(); }

 private:
  std::ostream& out_;
  bool name_tables_;
  DatePrecision dates_ = DatePrecision::Day;
  std::vector<std::string> keys_;  // each key as JSON text with what goes before it
  std::string line_, scratch_;
};

// Keeps each table in memory until it ends, then writes its file whole.
class FolderSink final : public TableSink {
 public:
  FolderSink(TableFormat format, std::filesystem::path folder)
      : format_(format), folder_(std::move(folder)) {
    make_output_folder(folder_);
  }
  void begin_table(const TableSpec& spec) override {
    check_table_name(spec.name);
    const TableFormat format = spec.name == "dictionary" ? TableFormat::Csv : format_;
    file_ = folder_ / (spec.name + std::string(file_extension(format)));
    buffer_.str({});
    inner_ = open_table_sink(format, buffer_, false);
    inner_->begin_table(spec);
  }
  void row(const Row& cells) override { inner_->row(cells); }
  void end_table() override {
    inner_->end_table();
    inner_->finish();
    const std::string text = buffer_.str();
    write_output(file_, [&](std::ostream& out) { out << text; });
    buffer_.str({});
    inner_.reset();
  }
  void finish() override {}

 private:
  TableFormat format_;
  std::filesystem::path folder_;
  std::filesystem::path file_;
  std::ostringstream buffer_;
  std::unique_ptr<TableSink> inner_;
};

}  // namespace

std::string cell_text(const Cell& cell, DatePrecision dates) {
  std::string out;
  append_cell(out, cell, dates);
  return out;
}

std::unique_ptr<TableSink> open_table_sink(TableFormat format, std::ostream& out,
                                           bool name_tables) {
  switch (format) {
    case TableFormat::Csv:
      return std::make_unique<CsvSink>(out);
    case TableFormat::Jsonl:
      return std::make_unique<JsonlSink>(out, name_tables);
    default:
      break;
  }
  throw Error(fmt::format("{} is not a text format", to_string(format)));
}

std::unique_ptr<TableSink> open_folder_sink(TableFormat format,
                                            const std::filesystem::path& folder) {
  if (!is_text_format(format)) return open_file_sink(format, folder, true);
  return std::make_unique<FolderSink>(format, folder);
}

std::unique_ptr<TableSink> open_file_sink(TableFormat format, const std::filesystem::path& target,
                                          bool folder) {
  switch (format) {
    case TableFormat::Xlsx:
      if (folder)
        throw UsageError(fmt::format(
            "--output: an Excel workbook holds every table as a sheet; name a file, not the "
            "folder {}",
            target.string()));
      return make_xlsx_sink(target);
    case TableFormat::Sav:
      return make_stat_sink(StatFormat::Sav, target, folder);
    case TableFormat::Dta:
      return make_stat_sink(StatFormat::Dta, target, folder);
    default:
      break;
  }
  throw Error(fmt::format("{} is a text format; it is written to a stream", to_string(format)));
}

}  // namespace outcomes

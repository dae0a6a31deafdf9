// The readers of an import file: the long entries CSV (one entry per row, the columns
// export writes), the wide CSV (person, date and one column per scale item) and JSONL
// (one entry object per line). Each yields RawRows; problems of the file's form are
// reported here, problems of the entries by the checker.
#include <istream>
#include <nlohmann/json.hpp>

#include "csv.h"
#include "record_internal.h"
#include "suggest.h"

namespace outcomes::record_detail {
namespace {

// Throws InvalidInput listing the header's problems, when there are any.
void throw_header_problems(const std::string& source, std::vector<std::string> problems) {
  if (problems.empty()) return;
  auto n = problems.size();
  throw InvalidInput(fmt::format("{} problem{} in the header of {}; nothing was written", n,
                                 n == 1 ? "" : "s", source),
                     std::move(problems));
}

enum class CsvRecord { End, Skip, Data };

// Reads the next CSV record into `fields`: Data when it is a row of the header's width;
// Skip for a blank line, or a malformed or ragged row (reported); End at the end.
CsvRecord next_csv_record(CsvReader& csv, std::vector<std::string_view>& fields,
                          const std::string& source, std::size_t width, Problems& problems) {
  if (!csv.next(fields)) return CsvRecord::End;
  if (csv.malformed()) {
    problems.add(csv.problem_line(), static_cast<std::uint32_t>(csv.problem_field()),
                 fmt::format("{}:{}:{}: malformed CSV: {}", source, csv.problem_line(),
                             csv.problem_field(), csv.problem()));
    return CsvRecord::Skip;
  }
  if (fields.size() == 1 && trim(fields[0]).empty()) return CsvRecord::Skip;  // a blank line
  if (fields.size() != width) {
    problems.add(csv.line(), 0,
                 fmt::format("{}:{}: the row has {} field{}; expected {} as in the header",
                             source, csv.line(), fields.size(), fields.size() == 1 ? "" : "s",
                             width));
    return CsvRecord::Skip;
  }
  return CsvRecord::Data;
}

class LongCsvReader : public RowReader {
 public:
  LongCsvReader(std::istream& in, const std::string& source, Problems& problems)
      : csv_(in), source_(source), problems_(problems) {
    std::vector<std::string_view> header;
    if (!csv_.next(header) || csv_.malformed()) {
      throw InvalidInput(
          fmt::format("{}: no header; expected the columns {}", source, join_or(kFieldNames)));
    }
    std::vector<std::string> names = to_strings(kFieldNames);
    std::vector<std::string> header_problems;
    for (std::size_t c = 0; c < header.size(); ++c) {
      std::string_view name = trim(header[c]);
      auto it = std::find(kFieldNames.begin(), kFieldNames.end(), name);
      if (it == kFieldNames.end()) {
        header_problems.push_back(
            fmt::format("{}:1:{}: header: '{}' is not a column of the entries CSV; expected {}{}",
                        source, c + 1, name, join_or(kFieldNames), did_you_mean(name, names)));
        continue;
      }
      auto f = static_cast<std::size_t>(it - kFieldNames.begin());
      if (template_.column[f] != 0) {
        header_problems.push_back(
            fmt::format("{}:1:{}: header: column '{}' appears twice (also "
                        "column {})",
                        source, c + 1, name, template_.column[f]));
        continue;
      }
      template_.column[f] = static_cast<std::uint32_t>(c + 1);
    }
    for (Field f : {Field::Person, Field::Date, Field::Kind})
      if (template_.column[idx(f)] == 0)
        header_problems.push_back(
            fmt::format("{}:1: header: the column '{}' is missing; every "
                        "entry needs a person, a date and a kind",
                        source, to_string(f)));
    throw_header_problems(source, std::move(header_problems));
    width_ = header.size();
  }

  bool next(std::vector<RawRow>& rows) override {
    rows.clear();
    auto record = next_csv_record(csv_, fields_, source_, width_, problems_);
    if (record != CsvRecord::Data) return record == CsvRecord::Skip;
    RawRow& row = rows.emplace_back(template_);
    row.line = csv_.line();
    for (std::size_t f = 0; f < kFieldCount; ++f)
      if (row.column[f] != 0) row.value[f] = fields_[row.column[f] - 1];
    return true;
  }

  std::string where_fact(const Checker&, std::uint64_t line, const Fact&,
                         Field field) const override {
    RawRow row = template_;
    row.line = line;
    return where(source_, row, field);
  }

 private:
  CsvReader csv_;
  std::string source_;
  Problems& problems_;
  RawRow template_;
  std::size_t width_ = 0;
  std::vector<std::string_view> fields_;
};

class WideCsvReader : public RowReader {
 public:
  WideCsvReader(std::istream& in, const std::string& source, const Framework& fw,
                Problems& problems)
      : csv_(in), source_(source), framework_(fw), problems_(problems) {
    std::vector<std::string_view> header;
    if (!csv_.next(header) || csv_.malformed())
      throw InvalidInput(fmt::format("{}: no header; expected person, date and the item ids of {}",
                                     source, fw.id));
    std::vector<std::string> items;
    for (const auto* m : fw.items()) items.push_back(m->id);
    std::vector<std::string> names = items;
    for (auto n : {"person", "date", "by", "ref"}) names.emplace_back(n);
    std::vector<std::string> header_problems;
    for (std::size_t c = 0; c < header.size(); ++c) {
      auto col = static_cast<std::uint32_t>(c + 1);
      std::string name(trim(header[c]));
      header_names_.push_back(name);
      auto fixed = [&](Field f) {
        if (template_.column[idx(f)] != 0)
          header_problems.push_back(
              fmt::format("{}:1:{}: header: column '{}' appears twice", source, col, name));
        template_.column[idx(f)] = col;
      };
      if (name == "person") {
        fixed(Field::Person);
      } else if (name == "date") {
        fixed(Field::Date);
      } else if (name == "by") {
        fixed(Field::By);
      } else if (name == "ref") {
        fixed(Field::Ref);
      } else if (std::find(items.begin(), items.end(), name) != items.end()) {
        if (std::any_of(item_columns_.begin(), item_columns_.end(),
                        [&](const auto& ic) { return header_names_[ic - 1] == name; }))
          header_problems.push_back(
              fmt::format("{}:1:{}: header: item '{}' appears twice", source, col, name));
        item_columns_.push_back(col);
      } else {
        header_problems.push_back(fmt::format(
            "{}:1:{}: header: '{}' is not an item of '{}'; expected person, date, by, ref or the "
            "items {}{}",
            source, col, name, fw.id, join_or(items), did_you_mean(name, names)));
      }
    }
    for (Field f : {Field::Person, Field::Date})
      if (template_.column[idx(f)] == 0)
        header_problems.push_back(
            fmt::format("{}:1: header: the column '{}' is missing", source, to_string(f)));
    if (item_columns_.empty() && header_problems.empty())
      header_problems.push_back(
          fmt::format("{}:1: header: no item columns; expected item ids of '{}': {}", source, fw.id,
                      join_or(items)));
    throw_header_problems(source, std::move(header_problems));
    template_.value[idx(Field::Kind)] = "assessment";
    template_.value[idx(Field::Framework)] = framework_.id;
    template_.label[idx(Field::Framework)] = "--framework";
    width_ = header.size();
  }

  bool next(std::vector<RawRow>& rows) override {
    rows.clear();
    auto record = next_csv_record(csv_, fields_, source_, width_, problems_);
    if (record != CsvRecord::Data) return record == CsvRecord::Skip;
    refs_.resize(item_columns_.size());
    std::string_view ref = template_.column[idx(Field::Ref)]
                               ? trim(fields_[template_.column[idx(Field::Ref)] - 1])
                               : std::string_view();
    for (std::size_t i = 0; i < item_columns_.size(); ++i) {
      auto col = item_columns_[i];
      std::string_view cell = fields_[col - 1];
      if (trim(cell).empty()) continue;
      RawRow& row = rows.emplace_back(template_);
      row.line = csv_.line();
      for (Field f : {Field::Person, Field::Date, Field::By})
        if (row.column[idx(f)]) row.value[idx(f)] = fields_[row.column[idx(f)] - 1];
      const std::string& item = header_names_[col - 1];
      row.value[idx(Field::Measure)] = item;
      row.value[idx(Field::Value)] = cell;
      row.column[idx(Field::Measure)] = row.column[idx(Field::Value)] = col;
      row.label[idx(Field::Measure)] = row.label[idx(Field::Value)] = item;
      if (!ref.empty()) {
        // Each item of a wide row is its own entry, so each gets its own ref.
        refs_[i].assign(ref);
        refs_[i] += '/';
        refs_[i] += item;
        row.value[idx(Field::Ref)] = refs_[i];
      }
    }
    return true;
  }

  std::string where_fact(const Checker& checker, std::uint64_t line, const Fact& f,
                         Field field) const override {
    RawRow row = template_;
    row.line = line;
    if (field == Field::Measure || field == Field::Value) {
      if (const Measure* m = checker.measure_at(f.key))
        for (auto col : item_columns_)
          if (header_names_[col - 1] == m->id) {
            row.column[idx(field)] = col;
            row.label[idx(field)] = header_names_[col - 1];
          }
    }
    return where(source_, row, field);
  }

 private:
  CsvReader csv_;
  std::string source_;
  const Framework& framework_;
  Problems& problems_;
  RawRow template_;
  std::vector<std::string> header_names_;
  std::vector<std::uint32_t> item_columns_;
  std::vector<std::string> refs_;
  std::size_t width_ = 0;
  std::vector<std::string_view> fields_;
};

class JsonlReader : public RowReader {
 public:
  JsonlReader(std::istream& in, const std::string& source, Problems& problems)
      : in_(in), source_(source), problems_(problems) {}

  bool next(std::vector<RawRow>& rows) override {
    rows.clear();
    if (!std::getline(in_, line_)) return false;
    ++line_number_;
    std::string_view text = line_;
    if (line_number_ == 1 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (trim(text).empty()) return true;
    nlohmann::json object;
    try {
      object = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
      std::string what = e.what();
      if (auto colon = what.find("]: "); colon != std::string::npos) what = what.substr(colon + 3);
      problems_.add(line_number_, 0,
                    fmt::format("{}:{}: invalid JSON: {}", source_, line_number_, what));
      return true;
    }
    if (!object.is_object()) {
      problems_.add(line_number_, 0,
                    fmt::format("{}:{}: expected a JSON object {{\"person\": …, \"date\": …, "
                                "\"kind\": …}}, got {}",
                                source_, line_number_, object.type_name()));
      return true;
    }
    RawRow& row = rows.emplace_back();
    row.line = line_number_;
    bool ok = true;
    std::vector<std::string> names = to_strings(kFieldNames);
    for (auto& value : values_) value.clear();
    for (auto& [key, v] : object.items()) {
      auto it = std::find(kFieldNames.begin(), kFieldNames.end(), key);
      if (it == kFieldNames.end()) {
        problems_.add(
            line_number_, 0,
            fmt::format("{}:{}: {}: not a key of an entry; expected {}{}", source_, line_number_,
                        key, join_or(kFieldNames), did_you_mean(key, names)));
        ok = false;
        continue;
      }
      auto f = static_cast<std::size_t>(it - kFieldNames.begin());
      if (v.is_string()) {
        values_[f] = v.get<std::string>();
      } else if (v.is_number_integer()) {
        values_[f] = v.dump();
      } else if (v.is_number_float()) {
        double d = v.get<double>();
        if (d == static_cast<double>(static_cast<long long>(d)) && d > -1e15 && d < 1e15)
          values_[f] = std::to_string(static_cast<long long>(d));
        else
          values_[f] = v.dump();
      } else if (v.is_null()) {
        values_[f].clear();
      } else {
        problems_.add(
            line_number_, 0,
            fmt::format("{}:{}: {}: expected a string{}, got {}", source_, line_number_, key,
                        f == idx(Field::Value) ? " or a number" : "", v.type_name()));
        ok = false;
      }
    }
    if (!ok) {
      rows.clear();
      return true;
    }
    for (std::size_t f = 0; f < kFieldCount; ++f) row.value[f] = values_[f];
    return true;
  }

  std::string where_fact(const Checker&, std::uint64_t line, const Fact&,
                         Field field) const override {
    RawRow row;
    row.line = line;
    return where(source_, row, field);
  }

 private:
  std::istream& in_;
  std::string source_;
  Problems& problems_;
  std::string line_;
  std::uint64_t line_number_ = 0;
  std::array<std::string, kFieldCount> values_;
};

}  // namespace

// The framework of a wide file, after checking the options fit together.
const Framework* check_options(const Workspace& ws, const ImportOptions& options) {
  if (!options.wide) {
    if (!options.framework.empty())
      throw UsageError(
          "--framework with --from applies to --wide files only; a long file names "
          "the framework on each row");
    return nullptr;
  }
  if (options.framework.empty()) throw UsageError("--wide needs --framework ID (the scale)");
  if (options.format == InputFormat::Jsonl)
    throw UsageError("--wide reads CSV only; JSONL is always one entry per line");
  const Framework* fw = ws.find_framework(options.framework);
  if (!fw) {
    std::vector<std::string> ids;
    for (const auto& f : ws.frameworks) ids.push_back(f.id);
    throw UsageError(
        fmt::format("--framework: '{}' is not a framework of this workspace; "
                    "expected {}{}",
                    options.framework, join_or(ids), did_you_mean(options.framework, ids)));
  }
  if (fw->items().empty())
    throw UsageError(
        fmt::format("--framework: '{}' has no scale items; a wide file holds "
                    "scores of a scale",
                    fw->id));
  return fw;
}

std::unique_ptr<RowReader> open_reader(std::istream& in, const Workspace& ws,
                                       const ImportOptions& options, Problems& problems) {
  if (const Framework* fw = check_options(ws, options))
    return std::make_unique<WideCsvReader>(in, options.source, *fw, problems);
  if (options.format == InputFormat::Jsonl)
    return std::make_unique<JsonlReader>(in, options.source, problems);
  return std::make_unique<LongCsvReader>(in, options.source, problems);
}

}  // namespace outcomes::record_detail

// The readers of an import file: the long entries CSV (one entry per row, the columns
// export writes), the wide CSV (person, date and one column per scale item) and JSONL
// (one entry object per line). Each yields RawRows; problems of the file's form are
// reported here, problems of the entries by the checker.
#include <istream>
#include <limits>
#include <type_traits>
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

// Why the first record is no header, when it is malformed: " (line 1: ...)"; else "".
std::string header_problem(const CsvReader& csv) {
  if (!csv.malformed()) return "";
  return fmt::format(" (line {}: {})", csv.problem_line(), csv.problem());
}

// Drops the empty cells at the end of a header, as a spreadsheet writes them (",,,").
void drop_trailing_empty(std::vector<std::string_view>& header) {
  while (header.size() > 1 && trim(header.back()).empty()) header.pop_back();
}

// Refuses header names that are not clean text, naming the column; they would be echoed.
void check_header_bytes(const std::string& source, const std::vector<std::string_view>& header) {
  for (std::size_t c = 0; c < header.size(); ++c)
    if (auto why = text::value_problem(header[c], text::Controls::None))
      throw InvalidInput(fmt::format("{}:1:{}: header: {}", source, c + 1, *why));
}

// Reads the header record into `header`, after any comment lines above it (a record whose
// first field starts with '#', as a template from `frameworks template` has): only lines
// above the header are comments, so no data row is ever skipped. False at the end.
bool next_header(CsvReader& csv, std::vector<std::string_view>& header) {
  while (csv.next(header))
    if (csv.malformed() || header.empty() || !trim(header[0]).starts_with('#')) return true;
  return false;
}

enum class CsvRecord { End, Skip, Data };

constexpr std::size_t kCsvBuffer = 1 << 20;

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
  // A blank line, also as a spreadsheet writes one (",,,").
  if (std::all_of(fields.begin(), fields.end(), [](std::string_view f) { return trim(f).empty(); }))
    return CsvRecord::Skip;
  // A spreadsheet writes empty cells beyond the header's columns (",,,"): they say nothing.
  if (fields.size() > width) {
    for (std::size_t c = width; c < fields.size(); ++c)
      if (!trim(fields[c]).empty()) {
        problems.add(csv.line(), static_cast<std::uint32_t>(c + 1),
                     fmt::format("{}:{}:{}: '{}' is in a column without a header; expected it "
                                 "empty, or a name for the column in the header",
                                 source, csv.line(), c + 1, text::escape(trim(fields[c]))));
        return CsvRecord::Skip;
      }
    fields.resize(width);
  }
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
  LongCsvReader(std::istream& in, const std::string& source, char delimiter, Problems& problems)
      : csv_(in, kCsvBuffer, delimiter), source_(source), problems_(problems) {
    std::vector<std::string_view> header;
    if (!next_header(csv_, header) || csv_.malformed()) {
      throw InvalidInput(fmt::format("{}: no header{}; expected the columns {}", source,
                                     header_problem(csv_), join_or(kFieldNames)));
    }
    drop_trailing_empty(header);
    check_header_bytes(source, header);
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
  WideCsvReader(std::istream& in, const std::string& source, char delimiter, const Framework& fw,
                Problems& problems)
      : csv_(in, kCsvBuffer, delimiter), source_(source), framework_(fw), problems_(problems) {
    std::vector<std::string_view> header;
    if (!next_header(csv_, header) || csv_.malformed())
      throw InvalidInput(
          fmt::format("{}: no header{}; expected person, date and the item ids of {}", source,
                      header_problem(csv_), fw.id));
    drop_trailing_empty(header);
    check_header_bytes(source, header);
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

// Reads one JSONL line's object straight into an entry's fields (no document is built):
// strings for every field, numbers for the value only, null for an empty field. Reports
// each key given twice, each value of the wrong type and each number out of range.
class EntryObjectSax : public nlohmann::json_sax<nlohmann::json> {
 public:
  EntryObjectSax(std::array<std::string, kFieldCount>& values, const std::string& source,
                 std::uint64_t line, Problems& problems)
      : values_(values), source_(source), line_(line), problems_(problems) {
    for (auto& v : values_) v.clear();
  }
  bool ok() const { return ok_; }

  bool null() override { return scalar("null", [](std::string& v) { v.clear(); }); }
  bool boolean(bool) override { return scalar("boolean", nullptr); }
  bool number_integer(number_integer_t v) override { return number(std::to_string(v)); }
  bool number_unsigned(number_unsigned_t v) override { return number(std::to_string(v)); }
  bool number_float(number_float_t d, const string_t& raw) override {
    // The range test comes first: converting a double beyond long long's range is undefined.
    if (d > -1e15 && d < 1e15 && d == static_cast<double>(static_cast<long long>(d)))
      return number(std::to_string(static_cast<long long>(d)));
    return number(raw);
  }
  bool string(string_t& v) override {
    if (depth_ != 1) return true;
    if (field_ < kFieldCount) values_[field_].assign(v);  // keeps this buffer's capacity
    return true;
  }
  bool binary(binary_t&) override { return scalar("binary", nullptr); }
  bool start_object(std::size_t) override { return open("object"); }
  bool start_array(std::size_t) override { return open("array"); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }
  bool key(string_t& k) override {
    if (depth_ != 1) return true;
    key_ = k;
    auto it = std::find(kFieldNames.begin(), kFieldNames.end(), k);
    if (it == kFieldNames.end()) {
      static const std::vector<std::string> names = to_strings(kFieldNames);
      const std::string shown = text::escape(k);
      fail(fmt::format("{}: not a key of an entry; expected {}{}", shown, join_or(kFieldNames),
                       did_you_mean(shown, names)));
      field_ = kFieldCount;
      return true;
    }
    field_ = static_cast<std::size_t>(it - kFieldNames.begin());
    if (seen_[field_]) {
      fail(fmt::format("{}: given twice in one object; expected each key at most once", k));
      field_ = kFieldCount;
      return true;
    }
    seen_[field_] = true;
    return true;
  }
  bool parse_error(std::size_t position, const std::string& last_token,
                   const nlohmann::detail::exception& e) override {
    ok_ = false;
    if (e.id == 406) {  // a number too large for a double
      // `position` counts the characters read, up to the token's last one.
      const std::size_t column = position + 1 - std::min(position, last_token.size());
      problems_.add(line_, 0,
                    fmt::format("{}:{}:{}: {}: the number {} is out of range", source_, line_,
                                column, text::escape(key_), text::escape(last_token)));
      return false;
    }
    std::string what = e.what();
    if (auto dash = what.find(" - "); dash != std::string::npos) what = what.substr(dash + 3);
    problems_.add(line_, 0,
                  fmt::format("{}:{}: invalid JSON: {} (column {})", source_, line_,
                              text::escape(what), position));
    return false;
  }

 private:
  void fail(std::string message) {
    problems_.add(line_, 0, fmt::format("{}:{}: {}", source_, line_, message));
    ok_ = false;
  }
  // A value that is neither a string nor a number, at the top (the line itself) or as a field.
  template <typename Assign>
  bool scalar(std::string_view type, Assign assign) {
    if (depth_ == 0) return not_an_object(type);
    if (depth_ != 1 || field_ >= kFieldCount) return true;
    if constexpr (!std::is_same_v<Assign, std::nullptr_t>) {
      assign(values_[field_]);
    } else {
      wrong_type(type);
    }
    return true;
  }
  bool number(std::string text) {
    if (depth_ == 0) return not_an_object("number");
    if (depth_ != 1 || field_ >= kFieldCount) return true;
    if (field_ == idx(Field::Value))
      values_[field_] = std::move(text);
    else
      fail(fmt::format("{}: expected a string, got the number {}; write it in quotes", key_,
                       text));
    return true;
  }
  bool open(std::string_view type) {
    if (depth_ == 0 && type != "object") return not_an_object(type);
    if (depth_ == 1 && field_ < kFieldCount) wrong_type(type);
    ++depth_;
    return true;
  }
  bool close() {
    --depth_;
    return true;
  }
  void wrong_type(std::string_view type) {
    fail(fmt::format("{}: expected a string{}, got {}", key_,
                     field_ == idx(Field::Value) ? " or a number" : "", type));
  }
  bool not_an_object(std::string_view type) {
    fail(fmt::format("expected a JSON object {{\"person\": …, \"date\": …, \"kind\": …}}, got {}",
                     type));
    return false;
  }

  std::array<std::string, kFieldCount>& values_;
  const std::string& source_;
  std::uint64_t line_;
  Problems& problems_;
  std::array<bool, kFieldCount> seen_{};
  std::string key_;
  std::size_t field_ = kFieldCount;
  int depth_ = 0;
  bool ok_ = true;
};

class JsonlReader : public RowReader {
 public:
  JsonlReader(std::istream& in, const std::string& source, Problems& problems)
      : in_(in), source_(source), problems_(problems), buffer_(text::kMaxRowBytes + 2) {}

  bool next(std::vector<RawRow>& rows) override {
    rows.clear();
    // A bounded read: a line over the limit is skipped, never held whole in memory.
    in_.getline(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    const auto got = static_cast<std::size_t>(in_.gcount());
    if (in_.fail()) {
      if (got + 1 < buffer_.size()) return false;  // the end of the input
      in_.clear();
      in_.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
      ++line_number_;
      problems_.add(line_number_, 0,
                    fmt::format("{}:{}: the line is longer than {} bytes (the limit of one row)",
                                source_, line_number_, text::kMaxRowBytes));
      return true;
    }
    if (got == 0 && in_.eof()) return false;
    ++line_number_;
    std::string_view text(buffer_.data(), got > 0 && !in_.eof() ? got - 1 : got);
    if (line_number_ == 1 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (trim(text).empty()) return true;
    EntryObjectSax sax(values_, source_, line_number_, problems_);
    nlohmann::json::sax_parse(text, &sax);
    if (!sax.ok()) return true;
    RawRow& row = rows.emplace_back();
    row.line = line_number_;
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
  std::vector<char> buffer_;
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
    return std::make_unique<WideCsvReader>(in, options.source, options.delimiter, *fw, problems);
  if (options.format == InputFormat::Jsonl)
    return std::make_unique<JsonlReader>(in, options.source, problems);
  return std::make_unique<LongCsvReader>(in, options.source, options.delimiter, problems);
}

}  // namespace outcomes::record_detail

#include "table_stat.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <readstat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <set>
#include <unordered_map>
#include <vector>

#include "error.h"
#include "output.h"
#include "text.h"

namespace outcomes {
namespace {

// Where the dates of each format count from: SPSS in seconds from 1582-10-14, Stata in days
// from 1960-01-01; Date counts days from 1970-01-01.
constexpr std::int64_t kSpssEpochDays = 141428;
constexpr std::int32_t kStataEpochDays = 3653;
// Stata's widest fixed string, in bytes; wider ones are strL.
constexpr std::size_t kStataMaxString = 2045;
// SPSS's widest string, in bytes.
constexpr std::size_t kSpssMaxString = 32767;
// Stata's long holds these; its largest values mean missing.
constexpr std::int64_t kStataMinLong = -2147483647;
constexpr std::int64_t kStataMaxLong = 2147483620;

// `s` cut to at most `max_bytes` bytes and `max_chars` characters, never inside a character.
std::string cut_text(std::string_view s, std::size_t max_bytes, std::size_t max_chars) {
  std::size_t end = 0;
  std::size_t chars = 0;
  while (end < s.size() && chars < max_chars) {
    std::size_t next = end + 1;
    while (next < s.size() && (static_cast<unsigned char>(s[next]) & 0xC0) == 0x80) ++next;
    if (next > max_bytes) break;
    end = next;
    ++chars;
  }
  return std::string(s.substr(0, end));
}

// The file's share of the limits on labels.
struct LabelLimits {
  std::size_t variable_bytes, variable_chars, value_bytes, file_bytes, file_chars;
};
LabelLimits label_limits(StatFormat format) {
  constexpr std::size_t any = std::numeric_limits<std::size_t>::max();
  if (format == StatFormat::Sav) return {256, any, 120, 64, any};
  return {320, 80, 32000, 320, 80};
}

bool is_ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Rows spooled to an owner-only scratch file and replayed from it: each cell a tag (the
// Cell alternative) and its bytes.
class Spool {
 public:
  explicit Spool(const std::filesystem::path& dir) : file_("the table", dir) {}

  void put(const Row& row) {
    for (const Cell& cell : row) {
      const auto tag = static_cast<char>(cell.index());
      file_.append(&tag, 1);
      if (auto* s = std::get_if<std::string>(&cell)) {
        auto size = static_cast<std::uint32_t>(s->size());
        file_.append(&size, sizeof size);
        file_.append(s->data(), s->size());
      } else if (auto* i = std::get_if<std::int64_t>(&cell)) {
        file_.append(i, sizeof *i);
      } else if (auto* d = std::get_if<double>(&cell)) {
        file_.append(d, sizeof *d);
      } else if (auto* date = std::get_if<Date>(&cell)) {
        file_.append(&date->days, sizeof date->days);
      } else if (auto* b = std::get_if<bool>(&cell)) {
        const char byte = *b ? 1 : 0;
        file_.append(&byte, 1);
      }
    }
  }

  // Back to the first row, to read the rows again.
  void rewind() { file_.rewind(); }

  // Reads the next row of `columns` cells into `row`, reusing its storage.
  void get(Row& row, std::size_t columns) {
    row.resize(columns);
    for (Cell& cell : row) {
      char tag = 0;
      file_.read_exactly(&tag, 1);
      switch (tag) {
        case 0: cell = std::monostate{}; break;
        case 1: {
          std::uint32_t size = 0;
          file_.read_exactly(&size, sizeof size);
          if (!std::holds_alternative<std::string>(cell)) cell = std::string();
          auto& s = std::get<std::string>(cell);
          s.resize(size);
          file_.read_exactly(s.data(), size);
          break;
        }
        case 2: {
          std::int64_t i = 0;
          file_.read_exactly(&i, sizeof i);
          cell = i;
          break;
        }
        case 3: {
          double d = 0;
          file_.read_exactly(&d, sizeof d);
          cell = d;
          break;
        }
        case 4: {
          Date date;
          file_.read_exactly(&date.days, sizeof date.days);
          cell = date;
          break;
        }
        default: {
          char b = 0;
          file_.read_exactly(&b, 1);
          cell = b != 0;
        }
      }
    }
  }

 private:
  ScratchFile file_;
};

// What the rows showed about a column, needed before the file can begin.
struct ColumnFacts {
  std::size_t longest = 0;            // Text: bytes of the longest value
  std::int64_t least = 0, most = 0;   // Integer: range
  bool any = false;                   // Integer: a value was seen
  double largest = 0;                 // Number: largest magnitude
  std::set<std::string> unlisted;     // Code: values not in `values`
  std::unordered_map<std::string, std::int32_t> codes;  // Code: value -> code
};

struct WriterFree {
  void operator()(readstat_writer_t* writer) const { readstat_writer_free(writer); }
};

ssize_t write_to_stream(const void* data, size_t len, void* context) {
  auto* out = static_cast<std::ostream*>(context);
  out->write(static_cast<const char*>(data), static_cast<std::streamsize>(len));
  return *out ? static_cast<ssize_t>(len) : -1;
}

class StatSink : public TableSink {
 public:
  StatSink(StatFormat format, std::filesystem::path target, bool folder, StatOptions options)
      : format_(format), target_(std::move(target)), folder_(folder), options_(options) {
    if (folder_) make_output_folder(target_);
  }

  void begin_table(const TableSpec& spec) override {
    check_table_name(spec.name);
    if (!folder_ && tables_ > 0)
      throw Error(fmt::format("--output: {} holds one table; \"{}\" is a second (write to a folder "
                              "to get one file per table)",
                              target_.string(), spec.name));
    std::set<std::string> seen;
    for (const Column& column : spec.columns) {
      if (auto problem = stat_name_problem(format_, column.name))
        throw Error(fmt::format("table {}: column \"{}\" cannot be a {} variable name: {}",
                                spec.name, text::escape(column.name),
                                format_ == StatFormat::Sav ? "SPSS" : "Stata", *problem));
      // SPSS names ignore case; Stata's do not, but two names told apart only by case would
      // confuse anyone reading the file.
      if (!seen.insert(text::ascii_lower(column.name)).second)
        throw Error(fmt::format("table {}: column name \"{}\" is used twice", spec.name,
                                column.name));
    }
    spec_ = spec;
    facts_.assign(spec.columns.size(), ColumnFacts{});
    for (std::size_t c = 0; c < spec.columns.size(); ++c) {
      if (spec.columns[c].type != ColumnType::Code) continue;
      for (const ValueLabel& value : spec.columns[c].values)
        facts_[c].codes.emplace(value.value, static_cast<std::int32_t>(facts_[c].codes.size() + 1));
    }
    rows_ = 0;
    spool_ = std::make_unique<Spool>(folder_ ? target_ : folder_of(target_));
    ++tables_;
  }

  void row(const Row& cells) override {
    if (cells.size() != spec_.columns.size())
      throw Error(fmt::format("table {}: a row of {} cells for {} columns", spec_.name,
                              cells.size(), spec_.columns.size()));
    for (std::size_t c = 0; c < cells.size(); ++c) note(c, cells[c]);
    ++rows_;
    if (rows_ > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
      throw Error(fmt::format("table {}: more rows than a {} file holds", spec_.name,
                              file_extension(format_)));
    spool_->put(cells);
  }

  void end_table() override {
    const std::filesystem::path file =
        folder_ ? target_ / (spec_.name + std::string(file_extension(format_))) : target_;
    write_output(file, [&](std::ostream& out) { write_file(out, file); });
    spool_.reset();
  }

  void finish() override {}

 private:
  static std::filesystem::path folder_of(const std::filesystem::path& file) {
    return file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
  }

  // Checks a cell and notes what the file's layout needs to know of it.
  void note(std::size_t c, const Cell& cell) {
    const Column& column = spec_.columns[c];
    if (!cell_fits(column.type, cell))
      throw Error(fmt::format("table {}: column {} (a {} column) given a cell of another type",
                              spec_.name, column.name, to_string(column.type)));
    ColumnFacts& facts = facts_[c];
    if (auto* s = std::get_if<std::string>(&cell)) {
      if (column.type == ColumnType::Code) {
        if (!s->empty() && !facts.codes.count(*s)) facts.unlisted.insert(*s);
        return;
      }
      facts.longest = std::max(facts.longest, s->size());
      if (format_ == StatFormat::Sav && s->size() > kSpssMaxString)
        throw Error(fmt::format("table {}: column {} holds a value of {} bytes, longer than the "
                                "{} an SPSS string holds (CSV and JSON Lines keep it whole)",
                                spec_.name, column.name, s->size(), kSpssMaxString));
    } else if (auto* i = std::get_if<std::int64_t>(&cell)) {
      if (*i > kMaxExactInteger || *i < -kMaxExactInteger)
        throw Error(fmt::format("table {}: column {} holds {}, too large for a {} file to hold "
                                "exactly",
                                spec_.name, column.name, *i, file_extension(format_)));
      facts.least = facts.any ? std::min(facts.least, *i) : *i;
      facts.most = facts.any ? std::max(facts.most, *i) : *i;
      facts.any = true;
    } else if (auto* d = std::get_if<double>(&cell)) {
      if (std::isfinite(*d)) facts.largest = std::max(facts.largest, std::fabs(*d));
    }
  }

  [[noreturn]] void fail(const std::filesystem::path& file, readstat_error_t error) const {
    throw Error(fmt::format("cannot write {} (table {}): {}", file.string(), spec_.name,
                            readstat_error_message(error)));
  }
  void check(const std::filesystem::path& file, readstat_error_t error) const {
    if (error != READSTAT_OK) fail(file, error);
  }

  // The value label set of a Code, Integer-with-values or Boolean column; nullptr for others.
  readstat_label_set_t* label_set(readstat_writer_t* writer, std::size_t c) {
    const Column& column = spec_.columns[c];
    ColumnFacts& facts = facts_[c];
    const LabelLimits limits = label_limits(format_);
    auto label = [&](const std::string& text) {
      return cut_text(text, limits.value_bytes, limits.value_bytes);
    };
    if (column.type == ColumnType::Boolean) {
      readstat_label_set_t* set = readstat_add_label_set(writer, READSTAT_TYPE_INT32,
                                                         column.name.c_str());
      readstat_label_int32_value(set, 0, "no");
      readstat_label_int32_value(set, 1, "yes");
      return set;
    }
    if (column.type == ColumnType::Code) {
      for (const std::string& value : facts.unlisted)
        facts.codes.emplace(value, static_cast<std::int32_t>(facts.codes.size() + 1));
      readstat_label_set_t* set = readstat_add_label_set(writer, READSTAT_TYPE_INT32,
                                                         column.name.c_str());
      std::int32_t next = 1;
      for (const ValueLabel& value : column.values) {
        if (facts.codes.at(value.value) != next) continue;  // listed twice: the first counts
        readstat_label_int32_value(set, next++,
                                   label(value.label.empty() ? value.value : value.label).c_str());
      }
      for (const std::string& value : facts.unlisted)
        readstat_label_int32_value(set, next++, label(value).c_str());
      return set;
    }
    if (column.type == ColumnType::Integer && !column.values.empty()) {
      readstat_label_set_t* set = readstat_add_label_set(writer, READSTAT_TYPE_INT32,
                                                         column.name.c_str());
      for (const ValueLabel& value : column.values) {
        std::int32_t number = 0;
        const char* end = value.value.data() + value.value.size();
        auto [stop, ec] = std::from_chars(value.value.data(), end, number);
        if (ec != std::errc() || stop != end)
          throw Error(fmt::format("table {}: column {} lists value \"{}\", not a whole number",
                                  spec_.name, column.name, text::escape(value.value)));
        readstat_label_int32_value(set, number,
                                   label(value.label.empty() ? value.value : value.label).c_str());
      }
      return set;
    }
    return nullptr;
  }

  // Whether column `c` is stored as a Stata long (else a double).
  bool as_long(std::size_t c) const {
    return facts_[c].least >= kStataMinLong && facts_[c].most <= kStataMaxLong;
  }
  bool strl(std::size_t c) const {
    return format_ == StatFormat::Dta && spec_.columns[c].type == ColumnType::Text &&
           facts_[c].longest > kStataMaxString;
  }

  readstat_variable_t* add_variable(readstat_writer_t* writer, std::size_t c) {
    const Column& column = spec_.columns[c];
    const ColumnFacts& facts = facts_[c];
    const bool sav = format_ == StatFormat::Sav;
    readstat_type_t type = READSTAT_TYPE_DOUBLE;
    std::size_t width = 0;
    std::string format;
    readstat_measure_t measure = READSTAT_MEASURE_SCALE;
    switch (column.type) {
      case ColumnType::Text:
        type = strl(c) ? READSTAT_TYPE_STRING_REF : READSTAT_TYPE_STRING;
        width = std::max<std::size_t>(facts.longest, 1);
        measure = READSTAT_MEASURE_NOMINAL;
        break;
      case ColumnType::Code:
        type = READSTAT_TYPE_INT32;
        measure = READSTAT_MEASURE_NOMINAL;
        break;
      case ColumnType::Boolean:
        type = READSTAT_TYPE_INT8;
        measure = READSTAT_MEASURE_NOMINAL;
        break;
      case ColumnType::Integer: {
        type = as_long(c) ? READSTAT_TYPE_INT32 : READSTAT_TYPE_DOUBLE;
        if (!column.values.empty()) measure = READSTAT_MEASURE_ORDINAL;
        std::size_t digits = std::max(fmt::formatted_size("{}", facts.least),
                                      fmt::formatted_size("{}", facts.most));
        if (sav) format = fmt::format("F{}.0", std::max<std::size_t>(8, digits));
        else if (type == READSTAT_TYPE_DOUBLE) format = "%20.0f";
        break;
      }
      case ColumnType::Number: {
        std::size_t digits = fmt::formatted_size("{:.0f}", facts.largest);
        if (sav) format = fmt::format("F{}.2", std::max<std::size_t>(8, digits + 4));
        break;
      }
      case ColumnType::Date:
        type = sav ? READSTAT_TYPE_DOUBLE : READSTAT_TYPE_INT32;
        // SPSS has a month format (MOYR), but R's readers do not take it for a date, so
        // months stay DATE11 there, carrying the month's first day as the dictionary says.
        if (spec_.dates == DatePrecision::Month) format = sav ? "DATE11" : "%tdCCYY-NN";
        else format = sav ? "DATE11" : "%td";
        break;
    }
    readstat_variable_t* variable = readstat_add_variable(writer, column.name.c_str(), type, width);
    const LabelLimits limits = label_limits(format_);
    readstat_variable_set_label(
        variable, cut_text(column.label, limits.variable_bytes, limits.variable_chars).c_str());
    if (!format.empty()) readstat_variable_set_format(variable, format.c_str());
    readstat_variable_set_measure(variable, measure);
    if (type == READSTAT_TYPE_STRING && sav)
      readstat_variable_set_display_width(variable, static_cast<int>(std::clamp<std::size_t>(width, 8, 40)));
    if (readstat_label_set_t* set = label_set(writer, c)) readstat_variable_set_label_set(variable, set);
    return variable;
  }

  void write_file(std::ostream& out, const std::filesystem::path& file) {
    std::unique_ptr<readstat_writer_t, WriterFree> owner(readstat_writer_init());
    readstat_writer_t* writer = owner.get();
    if (!writer) throw Error(fmt::format("cannot write {}: out of memory", file.string()));
    const bool sav = format_ == StatFormat::Sav;
    check(file, readstat_set_data_writer(writer, &write_to_stream));
    const LabelLimits limits = label_limits(format_);
    check(file, readstat_writer_set_file_label(
                    writer, cut_text(spec_.label, limits.file_bytes, limits.file_chars).c_str()));
    check(file, readstat_writer_set_file_timestamp(
                    writer, options_.created ? options_.created : std::time(nullptr)));
    if (sav) check(file, readstat_writer_set_compression(writer, READSTAT_COMPRESS_ROWS));

    const std::size_t columns = spec_.columns.size();
    std::vector<readstat_variable_t*> variables;
    variables.reserve(columns);
    for (std::size_t c = 0; c < columns; ++c) variables.push_back(add_variable(writer, c));

    // Stata wants every strL value before the first row (libreadstat writes its map then):
    // one pass over the rows adds them, in the order the next pass inserts them.
    std::vector<readstat_string_ref_t*> refs;
    readstat_string_ref_t* empty = nullptr;
    Row row;
    bool any_strl = false;
    for (std::size_t c = 0; c < columns; ++c) any_strl = any_strl || strl(c);
    if (any_strl) {
      spool_->rewind();
      for (std::size_t r = 0; r < rows_; ++r) {
        spool_->get(row, columns);
        for (std::size_t c = 0; c < columns; ++c) {
          if (!strl(c)) continue;
          auto* s = std::get_if<std::string>(&row[c]);
          if (s && !s->empty()) {
            refs.push_back(readstat_add_string_ref(writer, s->c_str()));
          } else {
            if (!empty) empty = readstat_add_string_ref(writer, "");
            refs.push_back(empty);
          }
        }
      }
    }

    const long count = static_cast<long>(rows_);
    check(file, sav ? readstat_begin_writing_sav(writer, &out, count)
                    : readstat_begin_writing_dta(writer, &out, count));
    for (std::size_t c = 0; c < columns; ++c)
      check(file, readstat_validate_variable(writer, variables[c]));
    spool_->rewind();
    std::size_t next_ref = 0;
    for (std::size_t r = 0; r < rows_; ++r) {
      spool_->get(row, columns);
      check(file, readstat_begin_row(writer));
      for (std::size_t c = 0; c < columns; ++c) {
        readstat_variable_t* variable = variables[c];
        const Cell& cell = row[c];
        if (strl(c)) {
          check(file, readstat_insert_string_ref(writer, variable, refs[next_ref++]));
          continue;
        }
        readstat_error_t error = READSTAT_OK;
        if (auto* s = std::get_if<std::string>(&cell)) {
          if (spec_.columns[c].type == ColumnType::Code)
            error = s->empty() ? readstat_insert_missing_value(writer, variable)
                               : readstat_insert_int32_value(writer, variable, facts_[c].codes.at(*s));
          else
            error = readstat_insert_string_value(writer, variable, s->c_str());
        } else if (auto* i = std::get_if<std::int64_t>(&cell)) {
          error = as_long(c) ? readstat_insert_int32_value(writer, variable,
                                                           static_cast<std::int32_t>(*i))
                             : readstat_insert_double_value(writer, variable,
                                                            static_cast<double>(*i));
        } else if (auto* d = std::get_if<double>(&cell)) {
          error = std::isfinite(*d) ? readstat_insert_double_value(writer, variable, *d)
                                    : readstat_insert_missing_value(writer, variable);
        } else if (auto* date = std::get_if<Date>(&cell)) {
          error = sav ? readstat_insert_double_value(
                            writer, variable,
                            static_cast<double>(date->days + kSpssEpochDays) * 86400.0)
                      : readstat_insert_int32_value(writer, variable,
                                                    date->days + kStataEpochDays);
        } else if (auto* b = std::get_if<bool>(&cell)) {
          error = readstat_insert_int8_value(writer, variable, *b ? 1 : 0);
        } else {
          error = readstat_insert_missing_value(writer, variable);
        }
        check(file, error);
      }
      check(file, readstat_end_row(writer));
    }
    check(file, readstat_end_writing(writer));
    out.flush();
  }

  StatFormat format_;
  std::filesystem::path target_;
  bool folder_;
  StatOptions options_;
  int tables_ = 0;
  TableSpec spec_;
  std::vector<ColumnFacts> facts_;
  std::size_t rows_ = 0;
  std::unique_ptr<Spool> spool_;
};

}  // namespace

std::string_view file_extension(StatFormat format) {
  return format == StatFormat::Sav ? ".sav" : ".dta";
}

std::optional<std::string> stat_name_problem(StatFormat format, std::string_view name) {
  if (name.empty()) return "it is empty";
  if (format == StatFormat::Sav) {
    if (name.size() > 64) return "it is longer than 64 bytes";
    if (!is_ascii_letter(name[0])) return "it does not start with a letter";
    for (char c : name)
      if (!is_ascii_letter(c) && !is_digit(c) && c != '_' && c != '.')
        return "it holds a character other than letters, digits, '_' and '.'";
    if (name.back() == '.') return "it ends with '.'";
    static const std::set<std::string> reserved = {"all", "and", "by", "eq", "ge", "gt", "le",
                                                   "lt",  "ne",  "not", "or", "to", "with"};
    if (reserved.count(text::ascii_lower(name))) return "it is a reserved word";
    return std::nullopt;
  }
  if (name.size() > 32) return "it is longer than 32 characters";
  if (!is_ascii_letter(name[0]) && name[0] != '_')
    return "it does not start with a letter or '_'";
  for (char c : name)
    if (!is_ascii_letter(c) && !is_digit(c) && c != '_')
      return "it holds a character other than letters, digits and '_'";
  static const std::set<std::string, std::less<>> reserved = {
      "_all", "_b",   "byte", "_coef", "_cons", "double", "float", "if",  "in",   "int",  "long",
      "_n",   "_N",   "_pi",  "_pred", "_rc",   "_skip",  "strL",  "using", "with"};
  if (reserved.count(name)) return "it is a reserved word";
  if (name.size() > 3 && name.substr(0, 3) == "str" &&
      name.find_first_not_of("0123456789", 3) == std::string_view::npos)
    return "it is a reserved word";
  return std::nullopt;
}

std::unique_ptr<TableSink> make_stat_sink(StatFormat format, const std::filesystem::path& target,
                                          bool folder, const StatOptions& options) {
  return std::make_unique<StatSink>(format, target, folder, options);
}

}  // namespace outcomes

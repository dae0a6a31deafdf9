// The SPSS and Stata writers (lib/table_stat.*), read back with libreadstat's parser; the
// Excel writer is read back by openpyxl (tests/formats/xlsx_check.py).
#include <doctest/doctest.h>
#include <readstat.h>
#include <sys/stat.h>

#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "sample_tables.h"
#include "table_stat.h"
#include "table_xlsx.h"
#include "test_support.h"

using namespace outcomes;
using outcomes::testing::SampleTable;
using outcomes::testing::TempDir;

namespace {

using Value = std::optional<std::variant<double, std::string>>;

// What libreadstat's parser reports of a file.
struct ReadBack {
  long rows = -1;
  std::string file_label;
  struct Variable {
    std::string name, label, format, label_set;
    bool numeric = false;
  };
  std::vector<Variable> variables;
  std::map<std::string, std::map<long, std::string>> label_sets;  // set -> value -> label
  std::vector<std::vector<Value>> values;                         // [row][column]

  const Variable& variable(const std::string& name) const {
    for (const Variable& v : variables)
      if (v.name == name) return v;
    FAIL("no variable " << name);
    return variables.front();
  }
  std::size_t index(const std::string& name) const {
    for (std::size_t i = 0; i < variables.size(); ++i)
      if (variables[i].name == name) return i;
    FAIL("no variable " << name);
    return 0;
  }
  const Value& at(std::size_t row, const std::string& name) const {
    return values.at(row).at(index(name));
  }
  double number(std::size_t row, const std::string& name) const {
    const Value& value = at(row, name);
    REQUIRE(value.has_value());
    REQUIRE(std::holds_alternative<double>(*value));
    return std::get<double>(*value);
  }
  std::string text(std::size_t row, const std::string& name) const {
    const Value& value = at(row, name);
    REQUIRE(value.has_value());
    REQUIRE(std::holds_alternative<std::string>(*value));
    return std::get<std::string>(*value);
  }
  std::map<long, std::string> labels_of(const std::string& name) const {
    auto found = label_sets.find(variable(name).label_set);
    return found == label_sets.end() ? std::map<long, std::string>{} : found->second;
  }
};

ReadBack read_back(StatFormat format, const std::filesystem::path& file) {
  ReadBack back;
  readstat_parser_t* parser = readstat_parser_init();
  readstat_set_metadata_handler(parser, [](readstat_metadata_t* metadata, void* context) -> int {
    auto* back = static_cast<ReadBack*>(context);
    back->rows = readstat_get_row_count(metadata);
    const char* label = readstat_get_file_label(metadata);
    back->file_label = label ? label : "";
    return READSTAT_HANDLER_OK;
  });
  readstat_set_variable_handler(
      parser, [](int, readstat_variable_t* variable, const char* labels, void* context) -> int {
        auto* back = static_cast<ReadBack*>(context);
        const char* label = readstat_variable_get_label(variable);
        const char* format = readstat_variable_get_format(variable);
        back->variables.push_back(
            {readstat_variable_get_name(variable), label ? label : "", format ? format : "",
             labels ? labels : "",
             readstat_variable_get_type_class(variable) == READSTAT_TYPE_CLASS_NUMERIC});
        return READSTAT_HANDLER_OK;
      });
  readstat_set_value_handler(parser, [](int row, readstat_variable_t* variable,
                                        readstat_value_t value, void* context) -> int {
    auto* back = static_cast<ReadBack*>(context);
    if (back->values.size() <= static_cast<std::size_t>(row))
      back->values.resize(static_cast<std::size_t>(row) + 1,
                          std::vector<Value>(back->variables.size()));
    Value& cell = back->values[static_cast<std::size_t>(row)]
                              [static_cast<std::size_t>(readstat_variable_get_index(variable))];
    if (readstat_value_type_class(value) == READSTAT_TYPE_CLASS_STRING) {
      const char* s = readstat_string_value(value);
      cell = std::string(s ? s : "");
    } else if (!readstat_value_is_system_missing(value)) {
      cell = readstat_double_value(value);
    }
    return READSTAT_HANDLER_OK;
  });
  readstat_set_value_label_handler(
      parser, [](const char* set, readstat_value_t value, const char* label, void* context) -> int {
        auto* back = static_cast<ReadBack*>(context);
        back->label_sets[set][std::lround(readstat_double_value(value))] = label;
        return READSTAT_HANDLER_OK;
      });
  readstat_error_t error = format == StatFormat::Sav
                               ? readstat_parse_sav(parser, file.c_str(), &back)
                               : readstat_parse_dta(parser, file.c_str(), &back);
  readstat_parser_free(parser);
  REQUIRE_MESSAGE(error == READSTAT_OK, readstat_error_message(error));
  return back;
}

void write_samples(StatFormat format, const std::filesystem::path& folder,
                   const std::vector<SampleTable>& tables = outcomes::testing::sample_tables()) {
  auto sink = make_stat_sink(format, folder, true);
  outcomes::testing::send_tables(*sink, tables);
}

// The day number a format stores `date` as: SPSS seconds from 1582-10-14, Stata days from
// 1960-01-01.
double stored_date(StatFormat format, Date date) {
  return format == StatFormat::Sav ? (date.days + 141428.0) * 86400.0 : date.days + 3653.0;
}

}  // namespace

TEST_CASE("sav and dta: names, labels, value labels, values, dates and missing cells") {
  for (StatFormat format : {StatFormat::Sav, StatFormat::Dta}) {
    CAPTURE(file_extension(format));
    TempDir dir("stat");
    write_samples(format, dir / "out");
    const std::string ext(file_extension(format));
    for (const char* name : {"people", "monthly", "dictionary"}) {
      struct stat st {};
      REQUIRE(::stat((dir.path / "out" / (std::string(name) + ext)).c_str(), &st) == 0);
      CHECK((st.st_mode & 0777) == 0600);
    }

    const ReadBack people = read_back(format, dir.path / "out" / ("people" + ext));
    CHECK(people.rows == 4);
    CHECK(people.file_label == "One row per person");
    std::vector<std::string> names;
    for (const auto& v : people.variables) names.push_back(v.name);
    CHECK(names == std::vector<std::string>{"ref", "status", "score", "count", "change",
                                            "enrolled", "consent", "note"});
    CHECK(people.variable("status").label == "Current status");
    CHECK(people.variable("score").label == "How often (scale item)");
    CHECK_FALSE(people.variable("ref").numeric);
    CHECK(people.variable("status").numeric);
    CHECK(people.variable("consent").numeric);

    // Codes 1..n in the order of `values`, then the unlisted value; labels, or the id.
    CHECK(people.labels_of("status") ==
          std::map<long, std::string>{{1, "Active"}, {2, "Closed"}, {3, "waiting"},
                                      {4, "transferred"}});
    CHECK(people.number(0, "status") == 1);
    CHECK(people.number(1, "status") == 2);
    CHECK(people.number(2, "status") == 4);
    CHECK_FALSE(people.at(3, "status").has_value());
    // Scale items keep their numbers, labelled.
    CHECK(people.labels_of("score") ==
          std::map<long, std::string>{{0, "Not at all"}, {1, "Sometimes"}, {2, "Often"}});
    CHECK(people.number(0, "score") == 2);
    CHECK(people.number(1, "score") == 0);
    CHECK_FALSE(people.at(2, "score").has_value());
    CHECK(people.labels_of("count").empty());
    CHECK(people.number(0, "count") == -3);
    CHECK(people.number(0, "change") == -1.5);
    CHECK(people.number(1, "change") == 2.25);
    CHECK_FALSE(people.at(2, "change").has_value());
    // Booleans 0/1 labelled no/yes.
    CHECK(people.labels_of("consent") == std::map<long, std::string>{{0, "no"}, {1, "yes"}});
    CHECK(people.number(0, "consent") == 1);
    CHECK(people.number(1, "consent") == 0);
    CHECK_FALSE(people.at(2, "consent").has_value());
    // Dates.
    CHECK(people.variable("enrolled").format == (format == StatFormat::Sav ? "DATE11" : "%td"));
    CHECK(people.number(0, "enrolled") == stored_date(format, make_date(2026, 3, 14)));
    CHECK(people.number(1, "enrolled") == stored_date(format, make_date(1999, 12, 31)));
    CHECK_FALSE(people.at(2, "enrolled").has_value());
    // Text as written: these files are not run as formulas, so nothing is added.
    CHECK(people.text(0, "ref") == "P001");
    CHECK(people.text(0, "note") == "=HYPERLINK(\"x\")");
    CHECK(people.text(1, "note") == "-1+2");
    CHECK(people.text(2, "note") == "@SUM(A1)");
    CHECK(people.text(3, "note") == "-3");

    const ReadBack monthly = read_back(format, dir.path / "out" / ("monthly" + ext));
    CHECK(monthly.rows == 2);
    CHECK(monthly.variable("month").format ==
          (format == StatFormat::Sav ? "DATE11" : "%tdCCYY-NN"));
    CHECK(monthly.number(1, "month") == stored_date(format, make_date(2026, 4, 1)));
    CHECK(monthly.number(1, "total") == 7);

    const ReadBack dictionary = read_back(format, dir.path / "out" / ("dictionary" + ext));
    CHECK(dictionary.rows == 10);
    CHECK(dictionary.text(1, "name") == "status");
    CHECK(dictionary.text(1, "label") == "Current status");
  }
}

TEST_CASE("sav and dta: the same tables and creation time give the same bytes") {
  TempDir dir("stat-same");
  for (const char* folder : {"a", "b"}) {
    // A second apart, so a clock read while writing would show.
    if (std::string(folder) == "b") std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    std::filesystem::create_directory(dir.path / folder);
    for (StatFormat format : {StatFormat::Sav, StatFormat::Dta}) {
      auto sink = make_stat_sink(format, dir.path / folder / std::string(file_extension(format)),
                                 true, StatOptions{1767225600});
      outcomes::testing::send_tables(*sink, outcomes::testing::sample_tables());
    }
  }
  for (StatFormat format : {StatFormat::Sav, StatFormat::Dta}) {
    const std::string ext(file_extension(format));
    const std::string a = outcomes::testing::read_file(dir.path / "a" / ext / ("people" + ext));
    CHECK(a.size() > 0);
    CHECK(a == outcomes::testing::read_file(dir.path / "b" / ext / ("people" + ext)));
  }
}

TEST_CASE("sav and dta: long text is kept whole (Stata strL, SPSS very long string)") {
  const std::string long_text(3000, 'x');
  SampleTable table;
  table.spec.name = "notes";
  table.spec.label = "Notes";
  table.spec.columns = {outcomes::testing::sample_column("note", "Note", ColumnType::Text),
                        outcomes::testing::sample_column("n", "N", ColumnType::Integer)};
  table.rows = {{long_text, std::int64_t{1}},
                {std::string("short"), std::int64_t{2}},
                {std::monostate{}, std::int64_t{3}}};
  for (StatFormat format : {StatFormat::Sav, StatFormat::Dta}) {
    CAPTURE(file_extension(format));
    TempDir dir("stat-long");
    write_samples(format, dir.path, {table});
    const ReadBack back =
        read_back(format, dir.path / ("notes" + std::string(file_extension(format))));
    CHECK(back.rows == 3);
    CHECK(back.text(0, "note") == long_text);
    CHECK(back.text(1, "note") == "short");
    CHECK(back.text(2, "note") == "");
    CHECK(back.number(2, "n") == 3);
  }
}

TEST_CASE("sav and dta: a file takes one table; names are checked") {
  TempDir dir("stat-refuse");
  auto tables = outcomes::testing::sample_tables();
  {
    auto sink = make_stat_sink(StatFormat::Dta, dir / "one.dta", false);
    sink->begin_table(tables[1].spec);
    for (const Row& row : tables[1].rows) sink->row(row);
    sink->end_table();
    CHECK_THROWS_WITH_AS(sink->begin_table(tables[0].spec),
                         doctest::Contains("holds one table"), Error);
  }
  CHECK(read_back(StatFormat::Dta, dir / "one.dta").rows == 2);

  CHECK(stat_name_problem(StatFormat::Dta, "score_1").has_value() == false);
  CHECK(stat_name_problem(StatFormat::Dta, std::string(33, 'a')).has_value());
  CHECK_FALSE(stat_name_problem(StatFormat::Sav, std::string(33, 'a')).has_value());
  CHECK(stat_name_problem(StatFormat::Dta, "1score").has_value());
  CHECK(stat_name_problem(StatFormat::Dta, "with").has_value());
  CHECK(stat_name_problem(StatFormat::Dta, "str12").has_value());
  CHECK(stat_name_problem(StatFormat::Dta, "a.b").has_value());
  CHECK_FALSE(stat_name_problem(StatFormat::Sav, "a.b").has_value());
  CHECK(stat_name_problem(StatFormat::Sav, "AND").has_value());
  CHECK(stat_name_problem(StatFormat::Sav, "_x").has_value());
  CHECK(stat_name_problem(StatFormat::Sav, "x.").has_value());

  SampleTable bad = tables[1];
  bad.spec.columns[1].name = "total score";
  auto sink = make_stat_sink(StatFormat::Sav, dir / "bad.sav", false);
  CHECK_THROWS_WITH_AS(sink->begin_table(bad.spec), doctest::Contains("total score"), Error);
  bad.spec.columns[1].name = "MONTH";
  CHECK_THROWS_WITH_AS(sink->begin_table(bad.spec), doctest::Contains("used twice"), Error);
  bad.spec.name = "../escape";
  CHECK_THROWS_AS(sink->begin_table(bad.spec), Error);
  CHECK_FALSE(std::filesystem::exists(dir / "bad.sav"));

  // A folder of files is made owner-only; a link to a folder is never followed.
  std::filesystem::create_directory(dir / "elsewhere");
  std::filesystem::create_directory_symlink(dir / "elsewhere", dir / "link");
  CHECK_THROWS_WITH_AS(make_stat_sink(StatFormat::Dta, dir / "link", true),
                       doctest::Contains("symbolic link"), Error);
  CHECK(std::filesystem::is_empty(dir / "elsewhere"));
  make_stat_sink(StatFormat::Dta, dir / "made", true);
  CHECK(std::filesystem::status(dir / "made").permissions() == std::filesystem::perms::owner_all);

  auto typed = make_stat_sink(StatFormat::Sav, dir / "typed.sav", false);
  typed->begin_table(tables[1].spec);
  CHECK_THROWS_WITH_AS(typed->row({std::string("2026-03"), std::int64_t{1}}),
                       doctest::Contains("another type"), Error);
  CHECK_THROWS_WITH_AS(typed->row({std::monostate{}}), doctest::Contains("a row of 1 cells"),
                       Error);
}

TEST_CASE("xlsx: the workbook is written owner-only and replaces a file, never a link") {
  TempDir dir("xlsx");
  {
    auto sink = make_xlsx_sink(dir / "out.xlsx");
    outcomes::testing::send_tables(*sink, outcomes::testing::sample_tables());
  }
  struct stat st {};
  REQUIRE(::stat((dir.path / "out.xlsx").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(st.st_size > 0);
  // Nothing else is left beside it.
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path))
    ++entries;
  CHECK(entries == 1);

  std::filesystem::create_symlink(dir / "elsewhere.xlsx", dir / "link.xlsx");
  CHECK_THROWS_WITH_AS(make_xlsx_sink(dir / "link.xlsx"), doctest::Contains("symbolic link"),
                       Error);

  // Given up before finish, nothing is left.
  {
    auto sink = make_xlsx_sink(dir / "unfinished.xlsx");
    auto tables = outcomes::testing::sample_tables();
    sink->begin_table(tables[0].spec);
    sink->row(tables[0].rows[0]);
  }
  CHECK_FALSE(std::filesystem::exists(dir / "unfinished.xlsx"));
  entries = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path))
    ++entries;
  CHECK(entries == 2);  // out.xlsx and the link

  // A device is written in place, from a copy made in the temporary folder.
  CHECK_NOTHROW(outcomes::testing::send_tables(*make_xlsx_sink("/dev/null"),
                                               outcomes::testing::sample_tables()));

  // A cell over Excel's limit is refused, naming where it is.
  auto sink = make_xlsx_sink(dir / "long.xlsx");
  SampleTable table;
  table.spec.name = "notes";
  table.spec.columns = {outcomes::testing::sample_column("note", "Note", ColumnType::Text)};
  sink->begin_table(table.spec);
  CHECK_THROWS_WITH_AS(sink->row({std::string(32768, 'x')}),
                       doctest::Contains("row 1, column note: 32768 characters"), Error);
}

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <sstream>

#include "error.h"
#include "table_text.h"
#include "test_support.h"

using namespace outcomes;
using outcomes::testing::day;
using outcomes::testing::read_file;
using outcomes::testing::TempDir;

namespace {

TableSpec small_table(const std::string& name, DatePrecision dates = DatePrecision::Day) {
  TableSpec spec;
  spec.name = name;
  spec.dates = dates;
  for (auto [n, t] : {std::pair{"person", ColumnType::Text}, std::pair{"date", ColumnType::Date},
                      std::pair{"score", ColumnType::Number}, std::pair{"n", ColumnType::Integer},
                      std::pair{"ok", ColumnType::Boolean}}) {
    Column c;
    c.name = n;
    c.type = t;
    spec.columns.push_back(c);
  }
  return spec;
}

void write(TableSink& sink, const TableSpec& spec) {
  sink.begin_table(spec);
  sink.row({std::string("=cmd()"), day("2026-03-15"), -2.5, std::int64_t{-3}, true});
  sink.row({std::string("a, \"b\""), std::monostate{}, 3.0, std::monostate{}, false});
  sink.end_table();
}

}  // namespace

TEST_CASE("cell text: numbers in their shortest form, dates by day or month") {
  CHECK(cell_text(Cell{}, DatePrecision::Day).empty());
  CHECK(cell_text(3.0, DatePrecision::Day) == "3");
  CHECK(cell_text(-0.0, DatePrecision::Day) == "0");
  CHECK(cell_text(3.19, DatePrecision::Day) == "3.19");
  CHECK(cell_text(std::int64_t{-17}, DatePrecision::Day) == "-17");
  CHECK(cell_text(day("2026-03-15"), DatePrecision::Day) == "2026-03-15");
  CHECK(cell_text(day("2026-03-01"), DatePrecision::Month) == "2026-03");
  CHECK(cell_text(false, DatePrecision::Day) == "false");
}

TEST_CASE("CSV sink: header, formula text neutralised, numbers stay numbers; one table only") {
  std::ostringstream out;
  auto sink = open_table_sink(TableFormat::Csv, out, false);
  write(*sink, small_table("t"));
  sink->finish();
  CHECK(out.str() ==
        "person,date,score,n,ok\n"
        "'=cmd(),2026-03-15,-2.5,-3,true\n"
        "\"a, \"\"b\"\"\",,3,,false\n");
  CHECK_THROWS_AS(sink->begin_table(small_table("u")), Error);
}

TEST_CASE("JSON Lines sink: typed values, null for empty, the table named when asked") {
  std::ostringstream one;
  auto sink = open_table_sink(TableFormat::Jsonl, one, false);
  write(*sink, small_table("t", DatePrecision::Month));
  CHECK(one.str() ==
        "{\"person\":\"=cmd()\",\"date\":\"2026-03\",\"score\":-2.5,\"n\":-3,\"ok\":true}\n"
        "{\"person\":\"a, \\\"b\\\"\",\"date\":null,\"score\":3,\"n\":null,\"ok\":false}\n");
  std::ostringstream several;
  auto named = open_table_sink(TableFormat::Jsonl, several, true);
  write(*named, small_table("first"));
  write(*named, small_table("second"));
  const std::string text = several.str();
  CHECK(text.rfind("{\"table\":\"first\",\"person\":", 0) == 0);
  CHECK(text.find("{\"table\":\"second\",\"person\":\"=cmd()\"") != std::string::npos);
}

TEST_CASE("folder sink: a file per table, owner-only, the dictionary always as CSV") {
  TempDir dir;
  const auto folder = dir.path / "out";
  auto sink = open_folder_sink(TableFormat::Jsonl, folder);
  write(*sink, small_table("assessments_x"));
  write(*sink, small_table("dictionary"));
  sink->finish();
  struct stat st {};
  REQUIRE(::stat(folder.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  CHECK(read_file(folder / "assessments_x.jsonl").rfind("{\"person\"", 0) == 0);
  CHECK(read_file(folder / "dictionary.csv").rfind("person,date", 0) == 0);
  REQUIRE(::stat((folder / "dictionary.csv").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK_THROWS_AS(sink->begin_table(small_table("../escape")), Error);
  CHECK_THROWS_WITH_AS(sink->begin_table(small_table("-x")), doctest::Contains("\"-x\""), Error);
  CHECK_THROWS_AS(sink->begin_table(small_table(std::string(65, 'a'))), Error);
  CHECK_FALSE(std::filesystem::exists(folder / "-x.jsonl"));
  std::ofstream(dir.path / "plain") << "x";
  CHECK_THROWS_AS(open_folder_sink(TableFormat::Csv, dir.path / "plain"), Error);
  std::filesystem::create_directory_symlink(folder, dir.path / "link");
  CHECK_THROWS_WITH_AS(open_folder_sink(TableFormat::Csv, dir.path / "link"),
                       doctest::Contains("symbolic link"), Error);
}

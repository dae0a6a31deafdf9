#include <doctest/doctest.h>

#include <sstream>

#include "csv.h"
#include "text.h"

using namespace outcomes;

namespace {

struct Record {
  std::vector<std::string> fields;
  std::uint64_t line = 0;
  std::string problem;
};

// Reads every record of `text`, with a small buffer so records cross refills.
std::vector<Record> read_all(const std::string& text, std::size_t buffer = 64) {
  std::istringstream in(text);
  CsvReader reader(in, buffer);
  std::vector<std::string_view> fields;
  std::vector<Record> out;
  while (reader.next(fields)) {
    Record r;
    for (auto f : fields) r.fields.emplace_back(f);
    r.line = reader.line();
    r.problem = reader.problem();
    if (reader.malformed())
      r.problem = std::to_string(reader.problem_line()) + ":" +
                  std::to_string(reader.problem_field()) + ": " + reader.problem();
    out.push_back(std::move(r));
  }
  return out;
}

using Fields = std::vector<std::string>;

}  // namespace

TEST_CASE("CsvReader splits plain records with LF line ends") {
  auto r = read_all("a,b,c\n1,2,3\n");
  REQUIRE(r.size() == 2);
  CHECK(r[0].fields == Fields{"a", "b", "c"});
  CHECK(r[1].fields == Fields{"1", "2", "3"});
  CHECK(r[0].line == 1);
  CHECK(r[1].line == 2);
}

TEST_CASE("CsvReader accepts CRLF line ends and a last line without a line break") {
  auto r = read_all("a,b\r\n1,2\r\nx,y");
  REQUIRE(r.size() == 3);
  CHECK(r[0].fields == Fields{"a", "b"});
  CHECK(r[1].fields == Fields{"1", "2"});
  CHECK(r[2].fields == Fields{"x", "y"});
  CHECK(r[2].line == 3);
}

TEST_CASE("CsvReader keeps empty fields, including a trailing one") {
  auto r = read_all(",a,,\n");
  REQUIRE(r.size() == 1);
  CHECK(r[0].fields == Fields{"", "a", "", ""});
}

TEST_CASE("CsvReader unquotes fields with commas, doubled quotes and line breaks") {
  auto r = read_all("id,text\n1,\"say \"\"hi\"\", then, go\"\n2,\"two\r\nlines\nhere\"\n3,end\n");
  REQUIRE(r.size() == 4);
  CHECK(r[1].fields == Fields{"1", "say \"hi\", then, go"});
  CHECK(r[2].fields == Fields{"2", "two\r\nlines\nhere"});
  CHECK(r[2].line == 3);
  // The quoted line breaks count as physical lines.
  CHECK(r[3].fields == Fields{"3", "end"});
  CHECK(r[3].line == 6);
}

TEST_CASE("CsvReader reads an empty quoted field and a field that is only a quote") {
  auto r = read_all("\"\",\"\"\"\"\n");
  REQUIRE(r.size() == 1);
  CHECK(r[0].fields == Fields{"", "\""});
}

TEST_CASE("CsvReader skips a UTF-8 byte order mark at the start only") {
  auto r = read_all("\xEF\xBB\xBFperson,date\nP1,\xEF\xBB\xBF\n");
  REQUIRE(r.size() == 2);
  CHECK(r[0].fields == Fields{"person", "date"});
  CHECK(r[1].fields == Fields{"P1", "\xEF\xBB\xBF"});
}

TEST_CASE("CsvReader reads records longer than its buffer") {
  std::string long_field(1000, 'x');
  std::string quoted = "\"" + std::string(500, 'y') + "\"\"" + std::string(500, 'z') + "\"";
  auto r = read_all("a," + long_field + "\n" + quoted + ",b\n", 64);
  REQUIRE(r.size() == 2);
  CHECK(r[0].fields == Fields{"a", long_field});
  CHECK(r[1].fields == Fields{std::string(500, 'y') + "\"" + std::string(500, 'z'), "b"});
}

TEST_CASE("CsvReader gives the same records whatever the buffer size") {
  std::string text = "p,t\r\n1,\"a\"\"b\"\r\n2,\"x\ny\"\r\n3,\r\n\"q\",\"\"\r\n";
  auto big = read_all(text, 1 << 16);
  for (std::size_t size : {64, 65, 70, 80, 100}) {
    auto small = read_all(text, size);
    REQUIRE(small.size() == big.size());
    for (std::size_t i = 0; i < big.size(); ++i) {
      CHECK(small[i].fields == big[i].fields);
      CHECK(small[i].line == big[i].line);
    }
  }
  CHECK(big.size() == 5);
  CHECK(big[3].fields == Fields{"3", ""});
  CHECK(big[4].fields == Fields{"q", ""});
  CHECK(big[4].line == 6);
}

TEST_CASE("CsvReader reports a quote inside an unquoted field and resumes on the next line") {
  auto r = read_all("a,b\n1,ab\"c\n2,ok\n");
  REQUIRE(r.size() == 3);
  CHECK(r[1].problem.rfind("2:2: a quote inside an unquoted field", 0) == 0);
  CHECK(r[1].fields.empty());
  CHECK(r[2].fields == Fields{"2", "ok"});
  CHECK(r[2].line == 3);
}

TEST_CASE("CsvReader reports text after a closing quote") {
  auto r = read_all("x,\"ab\"c,d\nnext\n");
  REQUIRE(r.size() == 2);
  CHECK(r[0].problem.rfind("1:2: unexpected 'c' after the closing quote", 0) == 0);
  CHECK(r[1].fields == Fields{"next"});
}

TEST_CASE("CsvReader reports a quoted field that is never closed") {
  auto r = read_all("a,b\n1,\"open\nmore\n");
  REQUIRE(r.size() == 2);
  CHECK(r[1].problem == "2:2: a quoted field is never closed; it runs to the end of the input");
}

TEST_CASE("CsvReader on empty input reads nothing") {
  CHECK(read_all("").empty());
  CHECK(read_all("\xEF\xBB\xBF").empty());
}

TEST_CASE("write_csv_row output reads back unchanged") {
  std::vector<std::string> row = {"P1", "a, b", "\"q\"", "line\r\nbreak", ""};
  std::ostringstream out;
  write_csv_row(out, row);
  write_csv_row(out, std::vector<std::string_view>{"x", "y"});
  CHECK(out.str() == "P1,\"a, b\",\"\"\"q\"\"\",\"line\r\nbreak\",\nx,y\n");
  auto r = read_all(out.str());
  REQUIRE(r.size() == 2);
  CHECK(r[0].fields == row);
  CHECK(r[1].fields == Fields{"x", "y"});
}

TEST_CASE("CsvReader refuses a record over the byte or column limit, and reads on") {
  std::string big(text::kMaxRowBytes + 10, 'x');
  auto records = read_all("a,b\n" + big + "\nc,d\n", 1 << 16);
  REQUIRE(records.size() == 3);
  CHECK(records[1].problem.find("longer than 1048576 bytes") != std::string::npos);
  CHECK(records[2].fields == std::vector<std::string>{"c", "d"});
  CHECK(records[2].line == 3);

  // An unclosed quote does not make the reader hold the rest of the input.
  auto unclosed = read_all("a\n\"" + big + "\n", 1 << 16);
  REQUIRE(unclosed.size() >= 2);
  CHECK(unclosed[1].problem.find("longer than") != std::string::npos);

  std::string wide(text::kMaxColumns, ',');
  auto many = read_all(wide + "\n1\n");
  REQUIRE(many.size() == 2);
  CHECK(many[0].problem.find("more than 1000 fields") != std::string::npos);
  CHECK(many[1].fields == std::vector<std::string>{"1"});
  auto most = read_all(std::string(text::kMaxColumns - 1, ',') + "\n");
  REQUIRE(most.size() == 1);
  CHECK(most[0].fields.size() == text::kMaxColumns);
}

TEST_CASE("CsvReader splits on the delimiter it is given, quotes still protecting it") {
  std::istringstream in("a;\"b;c\";d\ne;f\tg;\n");
  CsvReader reader(in, 64, ';');
  std::vector<std::string_view> fields;
  REQUIRE(reader.next(fields));
  CHECK(Fields(fields.begin(), fields.end()) == Fields{"a", "b;c", "d"});
  REQUIRE(reader.next(fields));
  CHECK(Fields(fields.begin(), fields.end()) == Fields{"e", "f\tg", ""});
  std::istringstream tabs("a,b\tc\n");
  CsvReader tab_reader(tabs, 64, '\t');
  REQUIRE(tab_reader.next(fields));
  CHECK(Fields(fields.begin(), fields.end()) == Fields{"a,b", "c"});
}

TEST_CASE("detect_delimiter judges the first line outside quotes") {
  CHECK(detect_delimiter("person,date;x,kind\nP1;2") == ',');
  CHECK(detect_delimiter("person;date;kind\r\n") == ';');
  CHECK(detect_delimiter("person\tdate\tkind\n") == '\t');
  CHECK(detect_delimiter("\"a,b\";c\n") == ';');
  CHECK(detect_delimiter("person\nP1,2") == ',');
  CHECK(detect_delimiter("") == ',');
}

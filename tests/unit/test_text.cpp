#include "text.h"

#include <doctest/doctest.h>

#include <sstream>

#include "json_out.h"

using namespace outcomes;

TEST_CASE("trim drops ASCII whitespace at both ends only") {
  CHECK(text::trim("  a b\t\r\n") == "a b");
  CHECK(text::trim("\r\n\tx") == "x");
  CHECK(text::trim(" \t\r\n ").empty());
  CHECK(text::trim("").empty());
  CHECK(text::trim("a\u00a0") == "a\u00a0");  // a no-break space is not ASCII whitespace
}

TEST_CASE("width counts code points, not bytes") {
  CHECK(text::width("abc") == 3);
  CHECK(text::width("café") == 4);     // é is two bytes
  CHECK(text::width("▁█·") == 3);      // three bytes each, two for ·
  CHECK(text::width("") == 0);
  CHECK(text::pad("é", 3) == "é  ");
  CHECK(text::pad("é", 3, true) == "  é");
  CHECK(text::pad("long", 2) == "long");
}

TEST_CASE("write_table pads columns to their widest cell in display columns") {
  std::ostringstream out;
  text::write_table(out, {{"NAME", "N"}, {"Zoë", "7"}, {"Al", "12"}},
                    {.indent = "  ", .right_aligned = {false, true}, .rule = true});
  CHECK(out.str() ==
        "  NAME   N\n"
        "  ----  --\n"
        "  Zoë    7\n"
        "  Al    12\n");
}

TEST_CASE("write_table drops trailing spaces and allows short rows") {
  std::ostringstream out;
  text::write_table(out, {{"a", "bbb", "c"}, {"dddd", ""}, {"€"}});
  CHECK(out.str() ==
        "a     bbb  c\n"
        "dddd\n"
        "€\n");
}

TEST_CASE("html_escape replaces the five special characters") {
  CHECK(text::html_escape("a & b < c > d \"e\" 'f'") ==
        "a &amp; b &lt; c &gt; d &quot;e&quot; &#39;f&#39;");
  CHECK(text::html_escape("&amp;") == "&amp;amp;");
  CHECK(text::html_escape("Zoë") == "Zoë");
}

TEST_CASE("csv_field quotes only what needs quoting") {
  CHECK(text::csv_field("plain") == "plain");
  CHECK(text::csv_field("") == "");
  CHECK(text::csv_field("a,b") == "\"a,b\"");
  CHECK(text::csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(text::csv_field("two\nlines") == "\"two\nlines\"");
  CHECK(text::csv_field("cr\rhere") == "\"cr\rhere\"");
  // Spaces are part of a field in CSV: kept as they are, without quotes.
  CHECK(text::csv_field(" leading") == " leading");
  CHECK(text::csv_field(" lead, comma") == "\" lead, comma\"");
}

TEST_CASE("csv_field neutralises cells a spreadsheet would run as formulas; numbers stay numbers") {
  CHECK(text::csv_field("=HYPERLINK(\"http://x\")") == "\"'=HYPERLINK(\"\"http://x\"\")\"");
  CHECK(text::csv_field("=1+2") == "'=1+2");
  CHECK(text::csv_field("+44 20 7946 0000") == "'+44 20 7946 0000");
  CHECK(text::csv_field("-cmd|' /C calc'!A0") == "'-cmd|' /C calc'!A0");
  CHECK(text::csv_field("@SUM(A1)") == "'@SUM(A1)");
  CHECK(text::csv_field("\tTAB") == "'\tTAB");
  CHECK(text::csv_field("\r=1") == "\"'\r=1\"");
  for (const char* number : {"-3", "+0.25", "-4.97", "12", "-0.5"}) CHECK(text::csv_field(number) == number);
  CHECK(text::csv_field("-") == "'-");
  CHECK(text::csv_field("'=x") == "''=x");  // so that reading back is exact
  CHECK(text::csv_field("'quoted'") == "'quoted'");
  // Reading back undoes exactly what was added.
  for (const char* cell : {"=1+2", "+44 1", "-x", "@a", "\tb", "'=x", "''", "'x", "-3", "plain", "'"}) {
    const std::string written = text::csv_field(cell);
    std::string_view unquoted = written;
    if (unquoted.size() > 1 && unquoted.front() == '"') unquoted = unquoted.substr(1, unquoted.size() - 2);
    CHECK(text::csv_unneutralise(unquoted) == cell);
  }
}

TEST_CASE("number text rounds half away from zero and never prints -0") {
  CHECK(text::fixed_number(2.675, 2) == "2.68");
  CHECK(text::fixed_number(-2.5, 0) == "-3");
  CHECK(text::fixed_number(-0.004, 2) == "0.00");
  CHECK(text::fixed_number(3, 1) == "3.0");
  CHECK(text::short_number(2.50) == "2.5");
  CHECK(text::short_number(3.001) == "3");
  CHECK(text::short_number(-0.001) == "0");
  CHECK(text::short_number(1.25, 1) == "1.3");
  CHECK(text::with_sign("2.5") == "+2.5");
  CHECK(text::with_sign("0") == "0");
  CHECK(text::with_sign("0.00") == "0.00");
  CHECK(text::with_sign("-1") == "-1");
  CHECK(text::with_sign("") == "");
}

TEST_CASE("append_json_string writes what nlohmann's dump writes") {
  std::string out;
  append_json_string(out, "plain");
  append_json_string(out, "q\"b\\\n\t\x01");
  append_json_string(out, "Zoë");
  append_json_string(out, "bad\xff");
  CHECK(out == "\"plain\"\"q\\\"b\\\\\\n\\t\\u0001\"\"Zoë\"\"bad\xef\xbf\xbd\"");
}

TEST_CASE("markdown_escape escapes what Markdown reads and folds line breaks") {
  CHECK(text::markdown_escape("plain words, 1-2") == "plain words, 1-2");
  CHECK(text::markdown_escape("a|b") == "a\\|b");
  CHECK(text::markdown_escape("<5 > 3") == "\\<5 \\> 3");
  CHECK(text::markdown_escape("*x_y* `z` [l] \\") == "\\*x\\_y\\* \\`z\\` \\[l\\] \\\\");
  CHECK(text::markdown_escape("line one\r\nline two") == "line one  line two");
}

TEST_CASE("find_text_fault passes clean UTF-8 and finds the first bad byte") {
  using text::Controls;
  CHECK_FALSE(text::find_text_fault("P017 Zoë 日本 🙂", Controls::None));
  CHECK_FALSE(text::find_text_fault("", Controls::None));
  CHECK_FALSE(text::find_text_fault("a\tb\nc\r\nd", Controls::LineBreaks));
  auto f = text::find_text_fault(std::string_view("ab\0c", 4), Controls::LineBreaks);
  REQUIRE(f);
  CHECK(f->offset == 2);
  CHECK(f->kind == text::TextFault::Kind::Control);
  CHECK(text::find_text_fault("a\tb", Controls::None)->offset == 1);
  CHECK(text::find_text_fault("a\rb", Controls::LineBreaks)->offset == 1);  // a lone CR
  CHECK(text::find_text_fault("x\x7f", Controls::LineBreaks)->offset == 1);  // DEL
  CHECK(text::find_text_fault("x\xc2\x85", Controls::LineBreaks)->kind ==
        text::TextFault::Kind::Control);  // NEL, a C1 control
  for (const char* bad : {"\xff", "\xc3", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80",
                          "\xf4\x90\x80\x80", "\xe2\x82", "\x80"}) {
    auto g = text::find_text_fault(std::string("ok") + bad, Controls::LineBreaks);
    REQUIRE(g);
    CHECK(g->offset == 2);
    CHECK(g->kind == text::TextFault::Kind::InvalidUtf8);
  }
}

TEST_CASE("describe_fault and value_problem name the byte escaped, never raw") {
  using text::Controls;
  std::string_view nul("P\0", 2);
  CHECK(text::describe_fault(nul, *text::find_text_fault(nul, Controls::None)) ==
        "a control character (\\x00 at byte 2)");
  CHECK(text::describe_fault("a\xff", *text::find_text_fault("a\xff", Controls::None)) ==
        "invalid UTF-8 (byte \\xff at byte 2)");
  CHECK(*text::value_problem("x\x1b[2J", Controls::LineBreaks) ==
        "a control character (\\x1b at byte 2); expected UTF-8 text without control "
        "characters other than tab and line breaks");
  CHECK(*text::value_problem("a\tb", Controls::None) ==
        "a control character (\\x09 at byte 2); expected UTF-8 text without control characters");
  CHECK_FALSE(text::value_problem(std::string(text::kMaxFieldBytes, 'a'), Controls::None));
  CHECK(*text::value_problem(std::string(text::kMaxFieldBytes + 1, 'a'), Controls::None) ==
        "65537 bytes long; expected at most 65536 bytes");
}

TEST_CASE("escape shows control characters and broken UTF-8 as escapes") {
  using text::Controls;
  CHECK(text::escape("plain Zoë") == "plain Zoë");
  CHECK(text::escape("a\x1b[31mb") == "a\\x1b[31mb");
  CHECK(text::escape("t\tn\nr\r") == "t\\tn\\nr\\r");
  CHECK(text::escape("t\tn\nr\rx\r\n", Controls::LineBreaks) == "t\tn\nr\\rx\r\n");
  CHECK(text::escape("a\xff\xc2\x9b" "b") == "a\\xff\\xc2\\x9bb");
  CHECK(text::escape(std::string_view("\0", 1)) == "\\x00");
}

TEST_CASE("position_of counts lines and columns from 1") {
  CHECK(text::position_of("ab\ncd", 0).line == 1);
  CHECK(text::position_of("ab\ncd", 4).line == 2);
  CHECK(text::position_of("ab\ncd", 4).column == 2);
}

namespace {

// The fault Utf8Check finds in `text` fed in pieces of `piece` bytes.
std::optional<text::EncodingFault> utf8_fault(std::string_view text, std::size_t piece) {
  text::Utf8Check check;
  for (std::size_t i = 0; i < text.size(); i += piece) check.update(text.substr(i, piece));
  check.finish();
  return check.fault();
}

}  // namespace

TEST_CASE("Utf8Check accepts UTF-8 however it is cut into pieces") {
  const std::string good = "a,é\n€ 𝄞,\xef\xbb\xbfx\n";
  for (std::size_t piece = 1; piece <= good.size(); ++piece) CHECK_FALSE(utf8_fault(good, piece));
}

TEST_CASE("Utf8Check names the line and column of the first byte that is not UTF-8") {
  for (std::size_t piece : {1, 2, 3, 5, 64}) {
    auto fault = utf8_fault("ab\ncaf\xe9,x\n\xff", piece);
    REQUIRE(fault);
    CHECK(fault->at.line == 2);
    CHECK(fault->at.column == 4);
    CHECK(fault->byte == 0xe9);
  }
  // Columns count bytes: the two bytes of é come before the bad one.
  auto after = utf8_fault("é\x80", 1);
  REQUIRE(after);
  CHECK(after->at.column == 3);
  // Overlong forms, surrogates and a sequence cut off by the end are not UTF-8 either.
  CHECK(utf8_fault("\xc0\xaf", 7));
  CHECK(utf8_fault("\xed\xa0\x80", 7));
  auto cut = utf8_fault("ok\xe2\x82", 1);
  REQUIRE(cut);
  CHECK(cut->at.column == 3);
  CHECK(cut->byte == 0xe2);
}

TEST_CASE("foreign_byte_order_mark tells UTF-16 from UTF-8") {
  CHECK(text::foreign_byte_order_mark("\xff\xfep\x00") == "UTF-16LE");
  CHECK(text::foreign_byte_order_mark("\xfe\xff\x00p") == "UTF-16BE");
  CHECK_FALSE(text::foreign_byte_order_mark("\xef\xbb\xbfperson"));
  CHECK_FALSE(text::foreign_byte_order_mark("person"));
  CHECK_FALSE(text::foreign_byte_order_mark(""));
}

TEST_CASE("windows_1252_to_utf8 follows the code page, and refuses its five undefined bytes") {
  std::string out;
  CHECK_FALSE(text::windows_1252_to_utf8("caf\xe9 \x80 \x96 \x9f \xa0\xff", out));
  CHECK(out == "café € – Ÿ \u00a0ÿ");
  // Every defined byte converts to valid UTF-8 of one code point.
  for (int b = 0x80; b <= 0xff; ++b) {
    std::string one;
    const char c = static_cast<char>(b);
    const bool undefined = b == 0x81 || b == 0x8d || b == 0x8f || b == 0x90 || b == 0x9d;
    CHECK(text::windows_1252_to_utf8(std::string_view(&c, 1), one).has_value() == undefined);
    if (!undefined) {
      CHECK_FALSE(text::find_text_fault(one, text::Controls::None));
      CHECK(text::width(one) == 1);
    }
  }
  std::string partial;
  CHECK(text::windows_1252_to_utf8("ab\x9d", partial) == 2u);
}

TEST_CASE("not_utf8_message names the file, the place and the iconv command") {
  const std::string m = text::not_utf8_message("in.csv", "line 2, column 4: byte \\xe9 is not UTF-8");
  CHECK(m.find("in.csv: line 2, column 4") == 0);
  CHECK(m.find("iconv -f WINDOWS-1252 -t UTF-8 in.csv > in.csv.utf8") != std::string::npos);
  CHECK(m.find("--encoding windows-1252") != std::string::npos);
  CHECK(text::not_utf8_message("in.csv", "is UTF-16LE", "UTF-16").find("--encoding") ==
        std::string::npos);
}

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

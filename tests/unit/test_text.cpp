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

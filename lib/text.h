// Plain-text helpers shared by every renderer: trimming, display width, padding, tables,
// HTML escaping, CSV quoting and number text. One rule each, written once.
#pragma once
#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace outcomes::text {

// `s` without ASCII whitespace (space, tab, CR, LF) at either end.
std::string_view trim(std::string_view s);

// Display width of UTF-8 text: one column per code point.
std::size_t width(std::string_view s);

// `s` padded with spaces to `columns` display columns (on the right, or on the left when
// `right_align`); unchanged when already that wide.
std::string pad(std::string_view s, std::size_t columns, bool right_align = false);

// How write_table lays a table out.
struct TableStyle {
  std::string_view indent;          // written before every line
  std::vector<bool> right_aligned;  // per column; columns beyond it are left-aligned
  bool rule = false;                // a line of dashes under the first row (the header)
};

// Writes rows as a plain-text table: each column padded to its widest cell (display
// width), columns two spaces apart, trailing spaces dropped, one line per row.
void write_table(std::ostream& out, const std::vector<std::vector<std::string>>& rows,
                 const TableStyle& style = {});

// `s` safe in HTML text and attribute values: & < > " ' as character references.
std::string html_escape(std::string_view s);

// `s` as literal Markdown text, also inside a table cell: line breaks become spaces, and
// | \\ * _ ` < > [ ] are escaped with a backslash.
std::string markdown_escape(std::string_view s);

// `field` as written in CSV: quoted when it holds a comma, a quote, CR or LF (quotes
// doubled); unchanged otherwise (leading and trailing spaces included).
std::string csv_field(std::string_view field);

// `value` as written in a framework: whole numbers without a decimal point ("3"), others in
// the shortest form that reads back the same ("2.87", "0.1").
std::string number_as_written(double value);

// `value` rounded half away from zero to `decimals` places, with exactly that many
// decimals; never "-0".
std::string fixed_number(double value, int decimals);

// As fixed_number without trailing zeros or a trailing point: 2.50 -> "2.5", 3.00 -> "3".
std::string short_number(double value, int decimals = 2);

// A number's text with "+" in front when it is above zero ("0", "-1" and "" unchanged).
std::string with_sign(std::string number);

}  // namespace outcomes::text

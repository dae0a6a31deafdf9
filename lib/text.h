// Plain-text helpers shared by every renderer: trimming, display width, padding, tables,
// HTML escaping, CSV quoting and number text. One rule each, written once.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace outcomes::text {

// The byte limits on input, so that a hostile file is refused before it costs minutes of
// work or gigabytes of memory.
inline constexpr std::size_t kMaxFieldBytes = 64 * 1024;     // one CSV field or JSON string
inline constexpr std::size_t kMaxRowBytes = 1024 * 1024;     // one CSV record or JSONL line
inline constexpr std::size_t kMaxColumns = 1000;             // fields of one CSV record
inline constexpr std::size_t kMaxYamlBytes = 1024 * 1024;    // one framework or settings file

// What a value may hold besides printable UTF-8.
enum class Controls : std::uint8_t {
  None,          // ids, refs, names: no control character at all
  LineBreaks,    // free text: tab, line feed, and carriage return before a line feed
};

// Where text breaks the rules of stored text, and how.
struct TextFault {
  enum class Kind : std::uint8_t { InvalidUtf8, Control };
  std::size_t offset = 0;  // of the offending byte in the text
  Kind kind = Kind::Control;
};

// The first byte of `s` that is not valid UTF-8 or is a control character (C0, DEL or C1)
// other than those `allowed`; nullopt when `s` is clean. ASCII text is checked without
// decoding and nothing is allocated.
std::optional<TextFault> find_text_fault(std::string_view s, Controls allowed);

// What is wrong at `fault` in `s`, with the byte shown escaped: "invalid UTF-8 (byte \xff
// at byte 3)" or "a control character (\x00 at byte 3)".
std::string describe_fault(std::string_view s, const TextFault& fault);

// Why `value` cannot be stored, as "…; expected …": over kMaxFieldBytes, not UTF-8, or
// holding control characters other than those `allowed`; nullopt when it can be.
std::optional<std::string> value_problem(std::string_view value, Controls allowed);

// `s` safe to print on a terminal: control characters and bytes that are not valid UTF-8
// become \xNN (tab, CR and LF become \t \r \n unless `keep` allows them). Clean text
// comes back unchanged.
std::string escape(std::string_view s, Controls keep = Controls::None);

// The 1-based line and column (in bytes) of byte `offset` of `s`.
struct TextPosition {
  std::size_t line = 1;
  std::size_t column = 1;
};
TextPosition position_of(std::string_view s, std::size_t offset);

// The first byte of a file that is not valid UTF-8: where it is and what it is.
struct EncodingFault {
  TextPosition at;
  unsigned char byte = 0;
};

// Checks that a file fed in pieces is valid UTF-8 (a sequence may be split between pieces),
// keeping where the first invalid byte is.
class Utf8Check {
 public:
  // Checks the next bytes of the file (nothing more once a fault was found).
  void update(std::string_view bytes);
  // The first invalid byte, counting a sequence cut off by the end of the file once
  // finish() was called; nullopt while the bytes so far are valid.
  const std::optional<EncodingFault>& fault() const { return fault_; }
  // Marks the end of the file.
  void finish();

 private:
  std::string carry_;  // the start of a sequence the last piece cut off
  TextPosition at_;    // of the next byte
  std::optional<EncodingFault> fault_;
};

// The encodings an import file may be read from.
enum class FileEncoding : std::uint8_t { Utf8, Windows1252 };

// The encoding a file starting with `start` declares by a UTF-16 byte order mark ("UTF-16LE"
// or "UTF-16BE"), which no UTF-8 text starts with; nullopt when it starts otherwise.
std::optional<std::string> foreign_byte_order_mark(std::string_view start);

// The message refusing `file` (as named to the user) that is not UTF-8: `what` is where and
// what is wrong ("line 3, column 7: byte \xe9 is not UTF-8"); the hint names the
// --encoding option and the iconv command that converts it, from `from` (an iconv name).
std::string not_utf8_message(std::string_view file, std::string_view what,
                             std::string_view from = "WINDOWS-1252");

// Converts Windows-1252 text (the code page Excel saves "CSV" in on Western Windows) to
// UTF-8, appending to `out`. Returns the offset in `bytes` of the first of the five bytes
// the code page leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D), converting nothing from
// there; nullopt when all converted.
std::optional<std::size_t> windows_1252_to_utf8(std::string_view bytes, std::string& out);

// `s` with ASCII letters in lower case (other bytes unchanged).
std::string ascii_lower(std::string_view s);

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

// `field` as written in CSV, safe to open in a spreadsheet: a cell a spreadsheet would run
// as a formula (starting with = + - @, tab or CR, unless it is a plain number such as
// "-0.5") gets a leading ', and so does one already starting with ' and one of those or
// another ' (so that reading it back is exact); then quoted when it holds a comma, a
// quote, CR or LF (quotes doubled). Otherwise unchanged (leading and trailing spaces
// included).
std::string csv_field(std::string_view field);
// True when csv_field would add the leading ' to `field`.
bool csv_needs_neutralising(std::string_view field);
// How a CSV reader undoes that: `cell` without its leading ' when it is one csv_field
// added (a ' followed by = + - @ tab CR or '); else `cell` unchanged.
std::string_view csv_unneutralise(std::string_view cell);

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

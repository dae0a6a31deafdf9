#include "text.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "assess.h"

namespace outcomes::text {

std::string_view trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n";
  const auto begin = s.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(kSpace) - begin + 1);
}

namespace {

// The length of the valid UTF-8 sequence at s[i] (a lead byte of 0x80 or more), or 0 when
// it is not one: overlong forms, surrogates and code points above U+10FFFF are invalid.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto at = [&](std::size_t k) -> unsigned {
    return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u;
  };
  const auto cont = [](unsigned b) { return (b & 0xC0u) == 0x80u; };
  const unsigned lead = at(0);
  if (lead >= 0xC2 && lead <= 0xDF) return cont(at(1)) ? 2 : 0;
  if (lead >= 0xE0 && lead <= 0xEF) {
    const unsigned lo = lead == 0xE0 ? 0xA0 : 0x80, hi = lead == 0xED ? 0x9F : 0xBF;
    return at(1) >= lo && at(1) <= hi && cont(at(2)) ? 3 : 0;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    const unsigned lo = lead == 0xF0 ? 0x90 : 0x80, hi = lead == 0xF4 ? 0x8F : 0xBF;
    return at(1) >= lo && at(1) <= hi && cont(at(2)) && cont(at(3)) ? 4 : 0;
  }
  return 0;
}

bool allowed_control(std::string_view s, std::size_t i, Controls allowed) {
  if (allowed != Controls::LineBreaks) return false;
  const char c = s[i];
  return c == '\t' || c == '\n' || (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n');
}

std::string hex_byte(unsigned char c) {
  return fmt::format("\\x{:02x}", c);
}

}  // namespace

std::optional<TextFault> find_text_fault(std::string_view s, Controls allowed) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F) {  // the fast path: printable ASCII
      ++i;
      continue;
    }
    if (c < 0x80) {
      if (!allowed_control(s, i, allowed)) return TextFault{i, TextFault::Kind::Control};
      ++i;
      continue;
    }
    const std::size_t n = utf8_sequence(s, i);
    if (n == 0) return TextFault{i, TextFault::Kind::InvalidUtf8};
    if (c == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0)  // U+0080..U+009F (C1)
      return TextFault{i, TextFault::Kind::Control};
    i += n;
  }
  return std::nullopt;
}

std::string describe_fault(std::string_view s, const TextFault& fault) {
  const auto c = static_cast<unsigned char>(s[fault.offset]);
  if (fault.kind == TextFault::Kind::InvalidUtf8)
    return fmt::format("invalid UTF-8 (byte {} at byte {})", hex_byte(c), fault.offset + 1);
  std::string shown = hex_byte(c);
  if (c == 0xC2) shown += hex_byte(static_cast<unsigned char>(s[fault.offset + 1]));
  return fmt::format("a control character ({} at byte {})", shown, fault.offset + 1);
}

std::optional<std::string> value_problem(std::string_view value, Controls allowed) {
  if (value.size() > kMaxFieldBytes)
    return fmt::format("{} bytes long; expected at most {} bytes", value.size(), kMaxFieldBytes);
  auto fault = find_text_fault(value, allowed);
  if (!fault) return std::nullopt;
  return fmt::format("{}; expected UTF-8 text without control characters{}",
                     describe_fault(value, *fault),
                     allowed == Controls::LineBreaks ? " other than tab and line breaks" : "");
}

std::string escape(std::string_view s, Controls keep) {
  if (!find_text_fault(s, keep)) return std::string(s);
  std::string out;
  out.reserve(s.size() + 8);
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F) {
      out += s[i++];
    } else if (c < 0x80) {
      if (allowed_control(s, i, keep))
        out += s[i];
      else if (c == '\t')
        out += "\\t";
      else if (c == '\n')
        out += "\\n";
      else if (c == '\r')
        out += "\\r";
      else
        out += hex_byte(c);
      ++i;
    } else if (const std::size_t n = utf8_sequence(s, i); n == 0) {
      out += hex_byte(c);
      ++i;
    } else if (c == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0) {
      out += hex_byte(c) + hex_byte(static_cast<unsigned char>(s[i + 1]));
      i += 2;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

TextPosition position_of(std::string_view s, std::size_t offset) {
  TextPosition p;
  const std::size_t end = std::min(offset, s.size());
  for (std::size_t i = 0; i < end; ++i) {
    if (s[i] == '\n') {
      ++p.line;
      p.column = 1;
    } else {
      ++p.column;
    }
  }
  return p;
}

namespace {

// The length of the UTF-8 sequence a lead byte of 0x80 or more opens; 0 when it opens none.
std::size_t utf8_length(unsigned char lead) {
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

}  // namespace

void Utf8Check::update(std::string_view bytes) {
  std::size_t i = 0;
  // First the sequence the last piece cut off, completed from this one.
  while (!fault_ && !carry_.empty() && i < bytes.size()) {
    carry_ += bytes[i++];
    if (carry_.size() < utf8_length(static_cast<unsigned char>(carry_[0]))) continue;
    if (utf8_sequence(carry_, 0) == 0)
      fault_ = EncodingFault{at_, static_cast<unsigned char>(carry_[0])};
    at_.column += carry_.size();
    carry_.clear();
  }
  while (!fault_ && i < bytes.size()) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c < 0x80) {
      // A run of ASCII, found eight bytes at a time: only its line breaks matter.
      std::size_t end = i;
      std::uint64_t word = 0;
      while (end + 8 <= bytes.size() &&
             (std::memcpy(&word, bytes.data() + end, 8), (word & 0x8080808080808080ULL) == 0))
        end += 8;
      while (end < bytes.size() && static_cast<unsigned char>(bytes[end]) < 0x80) ++end;
      const std::string_view run = bytes.substr(i, end - i);
      if (const auto last = run.rfind('\n'); last != std::string_view::npos) {
        at_.line += static_cast<std::size_t>(std::count(run.begin(), run.end(), '\n'));
        at_.column = run.size() - last;
      } else {
        at_.column += run.size();
      }
      i = end;
      continue;
    }
    const std::size_t n = utf8_length(c);
    if (n != 0 && i + n > bytes.size()) {
      carry_.assign(bytes.substr(i));
      return;
    }
    if (n == 0 || utf8_sequence(bytes, i) == 0) {
      fault_ = EncodingFault{at_, c};
      return;
    }
    at_.column += n;
    i += n;
  }
}

void Utf8Check::finish() {
  if (!fault_ && !carry_.empty()) fault_ = EncodingFault{at_, static_cast<unsigned char>(carry_[0])};
  carry_.clear();
}

std::optional<std::string> foreign_byte_order_mark(std::string_view start) {
  if (start.starts_with("\xFF\xFE")) return "UTF-16LE";
  if (start.starts_with("\xFE\xFF")) return "UTF-16BE";
  return std::nullopt;
}

std::string not_utf8_message(std::string_view file, std::string_view what, std::string_view from) {
  return fmt::format(
      "{}: {}; expected UTF-8, and nothing was written. Save it as UTF-8 (\"CSV UTF-8\" in a "
      "spreadsheet), or convert it: iconv -f {} -t UTF-8 {} > {}.utf8{}",
      file, what, from, file, file,
      from == "WINDOWS-1252" ? " (or give --encoding windows-1252 if that is what it is in)" : "");
}

std::optional<std::size_t> windows_1252_to_utf8(std::string_view bytes, std::string& out) {
  // The code points of bytes 0x80-0x9F (0: left undefined by the code page); bytes from
  // 0xA0 on are the code points of the same number (as in ISO 8859-1).
  static constexpr char16_t kHigh[32] = {
      0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
      0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
      0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c < 0x80) {
      out += static_cast<char>(c);
      continue;
    }
    const unsigned cp = c < 0xA0 ? kHigh[c - 0x80] : c;
    if (cp == 0) return i;
    if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
    } else {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    }
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return std::nullopt;
}

std::size_t width(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;  // continuation bytes add nothing
  return n;
}

std::string pad(std::string_view s, std::size_t columns, bool right_align) {
  const std::size_t have = width(s);
  std::string out;
  out.reserve(s.size() + (columns > have ? columns - have : 0));
  if (right_align && columns > have) out.append(columns - have, ' ');
  out += s;
  if (!right_align && columns > have) out.append(columns - have, ' ');
  return out;
}

void write_table(std::ostream& out, const std::vector<std::vector<std::string>>& rows,
                 const TableStyle& style) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], width(row[i]));
  }
  std::string line;
  auto write = [&](const std::vector<std::string>& cells) {
    line.assign(style.indent);
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i) line += "  ";
      const bool right = i < style.right_aligned.size() && style.right_aligned[i];
      line += pad(cells[i], widths[i], right);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    line += '\n';
    out << line;
  };
  for (std::size_t r = 0; r < rows.size(); ++r) {
    write(rows[r]);
    if (r == 0 && style.rule) {
      std::vector<std::string> dashes;
      for (std::size_t i = 0; i < rows[0].size(); ++i) dashes.emplace_back(widths[i], '-');
      write(dashes);
    }
  }
}

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

namespace {

// A spreadsheet reads a cell starting with one of these as a formula.
bool formula_start(char c) { return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r'; }

// "-3", "+0.25", "12": a number a spreadsheet reads as a number, not a formula.
bool plain_number(std::string_view s) {
  std::size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  std::size_t digits = 0, dots = 0;
  for (; i < s.size(); ++i) {
    if (s[i] >= '0' && s[i] <= '9')
      ++digits;
    else if (s[i] == '.' && dots == 0)
      ++dots;
    else
      return false;
  }
  return digits > 0;
}

}  // namespace

bool csv_needs_neutralising(std::string_view field) {
  if (field.empty()) return false;
  if (formula_start(field[0])) return !plain_number(field);
  return field[0] == '\'' && field.size() > 1 && (formula_start(field[1]) || field[1] == '\'');
}

std::string_view csv_unneutralise(std::string_view cell) {
  if (cell.size() > 1 && cell[0] == '\'' && (formula_start(cell[1]) || cell[1] == '\''))
    cell.remove_prefix(1);
  return cell;
}

std::string csv_field(std::string_view field) {
  const bool neutralise = csv_needs_neutralising(field);
  const bool quote = field.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!neutralise && !quote) return std::string(field);
  std::string out;
  out.reserve(field.size() + 4);
  if (quote) out += '"';
  if (neutralise) out += '\'';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  if (quote) out += '"';
  return out;
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string fixed_number(double value, int decimals) {
  double r = round_to(value, decimals);
  if (r == 0) r = 0;  // -0.0 compares equal to 0: print it as "0"
  return fmt::format("{:.{}f}", r, decimals);
}

std::string short_number(double value, int decimals) {
  std::string s = fixed_number(value, decimals);
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s;
}

std::string with_sign(std::string number) {
  const bool zero = number.find_first_not_of("0.") == std::string::npos;
  if (!number.empty() && !zero && number.front() != '-') number.insert(0, 1, '+');
  return number;
}

std::string markdown_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\n' || c == '\r') {
      out += ' ';
      continue;
    }
    if (c == '|' || c == '\\' || c == '*' || c == '_' || c == '`' || c == '<' || c == '>' ||
        c == '[' || c == ']')
      out += '\\';
    out += c;
  }
  return out;
}

std::string number_as_written(double value) {
  if (value == std::floor(value) && std::fabs(value) < 1e15)
    return fmt::format("{}", static_cast<long long>(value));
  return fmt::format("{}", value);
}

}  // namespace outcomes::text

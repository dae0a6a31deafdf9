#include "text.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "assess.h"

namespace outcomes::text {

std::string_view trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n";
  const auto begin = s.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(kSpace) - begin + 1);
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

std::string csv_field(std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(field);
  std::string out;
  out.reserve(field.size() + 2);
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
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

#include "csv.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "text.h"

namespace outcomes {
namespace {

// Bytes that end an unquoted field or make it malformed.
std::array<bool, 256> make_special(char delimiter) {
  std::array<bool, 256> table{};
  table[static_cast<unsigned char>(delimiter)] = true;
  table[static_cast<unsigned char>('\n')] = true;
  table[static_cast<unsigned char>('\r')] = true;
  table[static_cast<unsigned char>('"')] = true;
  return table;
}

std::uint64_t count_newlines(const char* begin, const char* end) {
  std::uint64_t n = 0;
  for (const char* p = begin; p < end; ++p) n += (*p == '\n');
  return n;
}

std::string printable(char c) {
  if (c == '\t') return "\\t";
  if (static_cast<unsigned char>(c) < 0x20) return fmt::format("\\x{:02x}", c);
  return std::string(1, c);
}

}  // namespace

CsvReader::CsvReader(std::istream& in, std::size_t buffer_size, char delimiter)
    : in_(in),
      buffer_(std::max<std::size_t>(buffer_size, 64)),
      delimiter_(delimiter),
      special_(make_special(delimiter)) {}

char detect_delimiter(std::string_view first_line) {
  std::size_t counts[3] = {0, 0, 0};
  constexpr char kCandidates[3] = {',', ';', '\t'};
  bool quoted = false;
  for (char c : first_line) {
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '\n') break;
    for (int i = 0; i < 3; ++i) counts[i] += c == kCandidates[i];
  }
  if (counts[0] > 0) return ',';
  if (counts[1] > 0 && counts[1] >= counts[2]) return ';';
  if (counts[2] > 0) return '\t';
  return ',';
}

bool CsvReader::refill() {
  if (eof_) return false;
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buffer_.size()) buffer_.resize(buffer_.size() * 2);
  in_.read(buffer_.data() + end_, static_cast<std::streamsize>(buffer_.size() - end_));
  auto got = static_cast<std::size_t>(in_.gcount());
  if (got < buffer_.size() - end_) eof_ = true;
  end_ += got;
  return got > 0;
}

// Parses the record starting at begin_. On Complete, `end` is the offset (from begin_)
// just past the record's line end and `lines` the line breaks consumed. On Malformed,
// `end` is where the problem was found and `lines` the line breaks before it.
CsvReader::Parse CsvReader::parse_record(std::size_t& end, std::uint64_t& lines) {
  spans_.clear();
  scratch_.clear();
  lines = 0;
  const char* base = buffer_.data() + begin_;
  const char* stop = buffer_.data() + end_;
  const char* p = base;
  auto malformed = [&](const char* where, std::string message) {
    problem_ = std::move(message);
    problem_field_ = spans_.size() + 1;
    problem_line_ = line_ + lines;
    end = static_cast<std::size_t>(where - base);
    return Parse::Malformed;
  };
  // More input is needed to finish the record, unless it is already over the limit: then
  // it is refused rather than held whole in memory. `from` is where lines were counted to.
  auto need_more = [&](const char* from) {
    if (static_cast<std::size_t>(stop - base) < text::kMaxRowBytes) return Parse::NeedMore;
    lines += count_newlines(from, stop);
    malformed(stop, fmt::format("the record is longer than {} bytes (the limit of one row)",
                                text::kMaxRowBytes));
    problem_line_ = line_;
    return Parse::Malformed;
  };
  auto too_many_fields = [&]() { return spans_.size() > text::kMaxColumns; };
  for (;;) {
    if (p < stop && *p == '"') {
      const std::uint64_t quote_line = line_ + lines;
      ++p;
      const char* segment = p;
      bool escaped = false;
      std::size_t scratch_start = scratch_.size();
      for (;;) {
        auto* quote =
            static_cast<const char*>(std::memchr(p, '"', static_cast<std::size_t>(stop - p)));
        if (!quote) {
          if (!eof_) return need_more(p);
          lines += count_newlines(p, stop);
          malformed(stop, "a quoted field is never closed; it runs to the end of the input");
          problem_line_ = quote_line;  // where to look, not where the input ended
          return Parse::Malformed;
        }
        lines += count_newlines(p, quote);
        if (quote + 1 == stop && !eof_) return need_more(quote);
        if (quote + 1 < stop && quote[1] == '"') {
          scratch_.append(segment, quote + 1);  // keeps one of the doubled quotes
          escaped = true;
          p = quote + 2;
          segment = p;
          continue;
        }
        if (escaped) {
          scratch_.append(segment, quote);
          spans_.push_back({scratch_start, scratch_.size() - scratch_start, true});
        } else {
          spans_.push_back({static_cast<std::size_t>(segment - buffer_.data()),
                            static_cast<std::size_t>(quote - segment), false});
        }
        p = quote + 1;
        break;
      }
      if (p < stop && *p != delimiter_ && *p != '\n' && *p != '\r') {
        spans_.pop_back();
        return malformed(p, fmt::format("unexpected '{}' after the closing quote of a quoted "
                                        "field; expected a delimiter or the end of the line",
                                        printable(*p)));
      }
    } else {
      const char* start = p;
      while (p < stop && !special_[static_cast<unsigned char>(*p)]) ++p;
      if (p < stop && *p == '"')
        return malformed(p,
                         "a quote inside an unquoted field; quote the whole field and "
                         "double the quotes inside it");
      if (p == stop && !eof_) return need_more(p);
      spans_.push_back({static_cast<std::size_t>(start - buffer_.data()),
                        static_cast<std::size_t>(p - start), false});
    }
    if (too_many_fields())
      return malformed(p, fmt::format("the record has more than {} fields (the limit of one row)",
                                      text::kMaxColumns));
    // p is at a comma, a line end or the end of input.
    if (p == stop) break;
    if (*p == delimiter_) {
      ++p;
      continue;
    }
    if (*p == '\r') {
      if (p + 1 == stop && !eof_) return need_more(p);
      ++p;
      if (p < stop && *p == '\n') ++p;
    } else {
      ++p;
    }
    ++lines;
    break;
  }
  end = static_cast<std::size_t>(p - base);
  return Parse::Complete;
}

void CsvReader::skip_rest_of_line(std::size_t from) {
  for (;;) {
    const char* p = buffer_.data() + begin_ + from;
    const char* stop = buffer_.data() + end_;
    auto* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(stop - p)));
    if (nl) {
      std::size_t used = static_cast<std::size_t>(nl + 1 - (buffer_.data() + begin_));
      consumed_ += used;
      begin_ += used;
      ++line_;
      return;
    }
    from = end_ - begin_;
    if (!refill()) {
      consumed_ += end_ - begin_;
      begin_ = end_;
      return;
    }
  }
}

bool CsvReader::next(std::vector<std::string_view>& fields) {
  fields.clear();
  problem_.clear();
  problem_field_ = 0;
  if (!started_) {
    started_ = true;
    refill();
    if (end_ - begin_ >= 3 && std::memcmp(buffer_.data() + begin_, "\xEF\xBB\xBF", 3) == 0) {
      begin_ += 3;
      consumed_ += 3;
    }
  }
  if (begin_ == end_ && !refill()) return false;
  std::size_t end = 0;
  std::uint64_t lines = 0;
  Parse result;
  while ((result = parse_record(end, lines)) == Parse::NeedMore) refill();
  ++record_number_;
  record_line_ = line_;
  if (result == Parse::Malformed) {
    line_ += lines;
    skip_rest_of_line(end);
    return true;
  }
  fields.reserve(spans_.size());
  // A cell our CSV writer neutralised against spreadsheet formulas reads back as it was.
  for (const auto& span : spans_)
    fields.push_back(text::csv_unneutralise(std::string_view(
        span.in_scratch ? scratch_.data() + span.offset : buffer_.data() + span.offset,
        span.size)));
  consumed_ += end;
  begin_ += end;
  line_ += lines;
  return true;
}

namespace {
template <typename Fields>
void write_row(std::ostream& out, const Fields& fields) {
  bool first = true;
  for (const auto& field : fields) {
    if (!first) out << ',';
    first = false;
    std::string_view view(field);
    if (view.find_first_of(",\"\r\n") == std::string_view::npos &&
        !text::csv_needs_neutralising(view))
      out << view;
    else
      out << text::csv_field(view);
  }
  out << '\n';
}
}  // namespace

void write_csv_row(std::ostream& out, const std::vector<std::string_view>& fields) {
  write_row(out, fields);
}
void write_csv_row(std::ostream& out, const std::vector<std::string>& fields) {
  write_row(out, fields);
}

}  // namespace outcomes

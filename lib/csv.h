// CSV per RFC 4180: a streaming reader that keeps line numbers, and a writer.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <istream>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace outcomes {

// Reads records one at a time from a stream, without holding the whole input.
//
// Accepts quoted fields with embedded commas, doubled quotes and line breaks, CRLF or
// LF line ends, a UTF-8 byte order mark at the very start and a last line without a
// line break. Malformed quoting does not throw: the record is reported as malformed
// (with the problem and where it is) and reading resumes at the next line.
class CsvReader {
 public:
  // `in` must outlive the reader; fields are separated by `delimiter` (',' ';' or tab).
  explicit CsvReader(std::istream& in, std::size_t buffer_size = 1 << 20, char delimiter = ',');

  // Reads the next record. Returns false at the end of input. The views in `fields`
  // stay valid until the next call.
  bool next(std::vector<std::string_view>& fields);

  // The 1-based physical line on which the last record started.
  std::uint64_t line() const { return record_line_; }
  // The 1-based number of the last record (the header is record 1).
  std::uint64_t record() const { return record_number_; }
  // True when the last record had malformed quoting; `fields` is then empty and
  // problem() says what went wrong (the rest of that physical line is skipped).
  bool malformed() const { return !problem_.empty(); }
  const std::string& problem() const { return problem_; }
  // The 1-based physical line and field number where the problem was found.
  std::uint64_t problem_line() const { return problem_line_; }
  std::size_t problem_field() const { return problem_field_; }
  // Bytes consumed so far (for progress).
  std::uint64_t bytes_read() const { return consumed_; }

 private:
  enum class Parse { Complete, NeedMore, Malformed };
  bool refill();
  Parse parse_record(std::size_t& end, std::uint64_t& lines);
  void skip_rest_of_line(std::size_t from);

  std::istream& in_;
  std::vector<char> buffer_;
  char delimiter_;
  std::array<bool, 256> special_;  // bytes that end an unquoted field
  std::size_t begin_ = 0;  // start of unread data in buffer_
  std::size_t end_ = 0;    // end of valid data in buffer_
  bool eof_ = false;
  bool started_ = false;
  std::uint64_t line_ = 1;  // physical line at begin_
  std::uint64_t record_line_ = 0;
  std::uint64_t record_number_ = 0;
  std::uint64_t consumed_ = 0;
  std::string scratch_;  // unescaped quoted fields of the current record
  struct Span {
    std::size_t offset;
    std::size_t size;
    bool in_scratch;
  };
  std::vector<Span> spans_;
  std::string problem_;
  std::uint64_t problem_line_ = 0;
  std::size_t problem_field_ = 0;
};

// The delimiter a spreadsheet used, judged from the file's first line (outside quotes): a
// comma when it has one, else a semicolon (as Excel writes where the comma is the decimal
// mark) or a tab, whichever it has more of; a comma when it has neither.
char detect_delimiter(std::string_view first_line);

// Writes one record terminated by "\n", quoting fields that need it (text::csv_field).
void write_csv_row(std::ostream& out, const std::vector<std::string_view>& fields);
void write_csv_row(std::ostream& out, const std::vector<std::string>& fields);

}  // namespace outcomes

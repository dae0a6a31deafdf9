// Fuzzes the streaming CSV reader (lib/csv.cpp): reading through the smallest buffer gives
// exactly what reading through a large one gives (records, lines, problems), and every
// well-formed record written by write_csv_row reads back the same.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "csv.h"
#include "fuzz_support.h"

using namespace outcomes;

namespace {

struct Record {
  std::vector<std::string> fields;
  std::uint64_t line, record;
  std::string problem;
  std::uint64_t problem_line;
  std::size_t problem_field;
  bool operator==(const Record&) const = default;
};

std::vector<Record> read_all(std::string_view text, std::size_t buffer) {
  std::istringstream in{std::string(text)};
  CsvReader csv(in, buffer);
  std::vector<Record> records;
  std::vector<std::string_view> fields;
  while (csv.next(fields)) {
    fuzz::require(!csv.malformed() || fields.empty(), "a malformed record has no fields");
    records.push_back({std::vector<std::string>(fields.begin(), fields.end()), csv.line(),
                       csv.record(), csv.problem(), csv.malformed() ? csv.problem_line() : 0,
                       csv.malformed() ? csv.problem_field() : 0});
  }
  fuzz::require(csv.bytes_read() == text.size(), "the reader consumes every byte");
  return records;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  const std::string_view text = fuzz::as_text(data, size);
  fuzz::expect_only_library_errors([&] {
    auto large = read_all(text, 1 << 16);
    auto small = read_all(text, 64);
    fuzz::require(large == small, "the buffer size does not change what is read");
    for (const auto& r : large) {
      if (!r.problem.empty()) continue;
      // A byte order mark is only taken off the start of the input, which a written
      // record never is in a file with a header: a first field starting with one is left.
      if (!r.fields.empty() && r.fields[0].starts_with("\xEF\xBB\xBF")) continue;
      std::ostringstream out;
      write_csv_row(out, r.fields);
      std::istringstream in(out.str());
      CsvReader again(in, 64);
      std::vector<std::string_view> fields;
      fuzz::require(again.next(fields) && !again.malformed() &&
                        std::vector<std::string>(fields.begin(), fields.end()) == r.fields,
                    "a written record reads back the same");
    }
  });
  return 0;
}

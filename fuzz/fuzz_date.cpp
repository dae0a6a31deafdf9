// Fuzzes the date and duration parsers of lib/date.cpp, and the arithmetic on what they
// accept: a parsed date formats back to the same text, a parsed duration round-trips,
// and adding any accepted duration to a date stays defined.
#include <cstddef>
#include <cstdint>

#include "date.h"
#include "fuzz_support.h"

using namespace outcomes;

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  const std::string_view text = fuzz::as_text(data, size);
  fuzz::expect_only_library_errors([&] {
    const Date start = *parse_date("2026-01-31");
    if (auto date = parse_date(text)) {
      fuzz::require(format_date(*date) == text, "a parsed date formats back to its text");
      auto ymd = split_date(*date);
      fuzz::require(make_date(ymd.year, ymd.month, ymd.day) == *date,
                    "split_date and make_date are inverse");
      fuzz::require(add_months(*date, 0) == *date, "adding no months keeps the date");
    }
    int number = 0;
    if (parse_digits(text, number)) fuzz::require(number >= 0, "digits give a whole number");
    if (auto duration = parse_duration(text)) {
      fuzz::require(parse_duration(format_duration(*duration)) == duration,
                    "a parsed duration round-trips through format_duration");
      fuzz::require(add_duration(start, *duration) > start,
                    "an accepted duration moves a date forward");
    }
  });
  return 0;
}

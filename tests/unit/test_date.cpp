#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "date.h"

using namespace outcomes;

TEST_CASE("parse_date accepts real calendar days only") {
  CHECK(parse_date("1970-01-01")->days == 0);
  CHECK(parse_date("2026-10-03")->days == 20729);
  CHECK(parse_date("2024-02-29").has_value());
  CHECK_FALSE(parse_date("2026-02-29").has_value());
  CHECK_FALSE(parse_date("2026-13-01").has_value());
  CHECK_FALSE(parse_date("2026-1-01").has_value());
  CHECK_FALSE(parse_date("03/10/2026").has_value());
  CHECK_FALSE(parse_date("2026-10-03 ").has_value());
  CHECK_FALSE(parse_date("+026-10-03").has_value());
  CHECK_FALSE(parse_date("").has_value());
}

TEST_CASE("format_date round-trips") {
  for (const char* text : {"1999-12-31", "2026-02-28", "2028-02-29", "2026-11-15"})
    CHECK(format_date(*parse_date(text)) == text);
}

TEST_CASE("format_month is the date's year and month, as format_date writes them") {
  for (const char* text : {"1900-01-01", "1999-12-31", "2026-02-28", "2028-02-29", "9999-11-15"}) {
    const Date date = *parse_date(text);
    CHECK(format_month(date) == std::string(text).substr(0, 7));
    CHECK(format_date(date).rfind(format_month(date), 0) == 0);
  }
  CHECK(format_month(*parse_date("2026-03-01")) == "2026-03");
  CHECK(format_month(*parse_date("2026-03-31")) == "2026-03");
  CHECK(format_month(make_date(1, 1, 1)) == "0001-01");
}

TEST_CASE("add_months clamps to the end of shorter months") {
  auto d = [](const char* t) { return *parse_date(t); };
  CHECK(format_date(add_months(d("2026-01-31"), 1)) == "2026-02-28");
  CHECK(format_date(add_months(d("2028-01-31"), 1)) == "2028-02-29");
  CHECK(format_date(add_months(d("2026-08-31"), 6)) == "2027-02-28");
  CHECK(format_date(add_months(d("2026-03-15"), -3)) == "2025-12-15");
  CHECK(format_date(add_months(d("2026-12-01"), 1)) == "2027-01-01");
}

TEST_CASE("durations parse, print and add") {
  auto six_months = parse_duration("6 months");
  REQUIRE(six_months.has_value());
  CHECK(six_months->unit == Duration::Unit::Months);
  CHECK(format_duration(*six_months) == "6 months");
  CHECK(format_duration(*parse_duration("1 week")) == "1 week");
  CHECK(parse_duration("90 days")->count == 90);
  CHECK_FALSE(parse_duration("6 monts").has_value());
  CHECK_FALSE(parse_duration("six months").has_value());
  CHECK_FALSE(parse_duration("0 days").has_value());
  CHECK_FALSE(parse_duration("6months").has_value());
  auto start = *parse_date("2026-01-31");
  CHECK(format_date(add_duration(start, *parse_duration("1 month"))) == "2026-02-28");
  CHECK(format_date(add_duration(start, *parse_duration("2 weeks"))) == "2026-02-14");
  CHECK(format_date(add_duration(start, *parse_duration("1 day"))) == "2026-02-01");
}

TEST_CASE("a duration too long to add to a date is refused") {
  // Found by fuzz/fuzz_date: "2147483647 weeks" overflowed int when added to a date.
  CHECK(parse_duration("10000 months").has_value());
  CHECK(format_date(add_duration(*parse_date("9999-12-31"), *parse_duration("10000 months"))) ==
        "10833-04-30");
  for (const char* text : {"10001 days", "2147483647 days", "2147483647 weeks", "20202621 months"})
    CHECK_FALSE(parse_duration(text).has_value());
}

TEST_CASE("today is the date in the workspace's time zone") {
  // 2026-06-30 23:30 UTC is already 1 July in London (BST) and still 30 June in New York;
  // 2026-12-31 23:30 UTC is 31 December in London (GMT) and 1 January in Auckland.
  const std::time_t summer = 1782862200;  // 2026-06-30T23:30:00Z
  const std::time_t winter = 1798759800;  // 2026-12-31T23:30:00Z
  REQUIRE(is_known_time_zone("Europe/London"));
  CHECK(format_date(local_date(summer, "Europe/London")) == "2026-07-01");
  CHECK(format_date(local_date(summer, "America/New_York")) == "2026-06-30");
  CHECK(format_date(local_date(summer, "UTC")) == "2026-06-30");
  CHECK(format_date(local_date(winter, "Europe/London")) == "2026-12-31");
  CHECK(format_date(local_date(winter, "Pacific/Auckland")) == "2027-01-01");
  // The process's own zone is left as it was.
  const char* before = std::getenv("TZ");
  const std::string kept = before ? before : "<unset>";
  local_date(summer, "Asia/Tokyo");
  const char* after = std::getenv("TZ");
  CHECK((after ? after : "<unset>") == kept);

  CHECK_FALSE(is_known_time_zone("Europe/Londn"));
  CHECK_FALSE(is_known_time_zone(""));
  CHECK_FALSE(is_known_time_zone("../../etc/passwd"));
  CHECK_FALSE(is_known_time_zone("/etc/localtime"));
  CHECK_FALSE(is_known_time_zone("Europe"));  // a folder, not a zone
}

TEST_CASE("parse_date reads the orders spreadsheets export dates in") {
  const Date oct3 = make_date(2026, 10, 3);
  CHECK(parse_date("03/10/2026", DateOrder::DMY) == oct3);
  CHECK(parse_date("3/10/2026", DateOrder::DMY) == oct3);
  CHECK(parse_date("03.10.2026", DateOrder::DMY) == oct3);
  CHECK(parse_date("03-10-2026", DateOrder::DMY) == oct3);
  CHECK(parse_date("10/3/2026", DateOrder::MDY) == oct3);
  CHECK(parse_date("2026/10/03", DateOrder::YMD) == oct3);
  CHECK(parse_date("2026-10-03", DateOrder::Iso) == oct3);
  CHECK_FALSE(parse_date("03/10/2026", DateOrder::Iso));
  CHECK_FALSE(parse_date("13/10/2026", DateOrder::MDY));
  CHECK_FALSE(parse_date("31/02/2026", DateOrder::DMY));
  CHECK_FALSE(parse_date("03/10/26", DateOrder::DMY));    // a two-digit year is not guessed
  CHECK_FALSE(parse_date("03/10-2026", DateOrder::DMY));  // one kind of separator
  CHECK_FALSE(parse_date("003/10/2026", DateOrder::DMY));
  CHECK_FALSE(parse_date("03/10/2026/1", DateOrder::DMY));
  CHECK_FALSE(parse_date("+3/10/2026", DateOrder::DMY));
  CHECK_FALSE(parse_date("03/10/1899", DateOrder::DMY));
}

TEST_CASE("possible_date_orders and parse_date_order") {
  CHECK(possible_date_orders("13/10/2026") == std::vector{DateOrder::DMY});
  CHECK(possible_date_orders("10/13/2026") == std::vector{DateOrder::MDY});
  CHECK(possible_date_orders("03/10/2026") == std::vector{DateOrder::DMY, DateOrder::MDY});
  CHECK(possible_date_orders("2026/10/03") == std::vector{DateOrder::YMD});
  CHECK(possible_date_orders("soon").empty());
  CHECK(parse_date_order("dmy") == DateOrder::DMY);
  CHECK(parse_date_order("ISO") == DateOrder::Iso);
  CHECK_FALSE(parse_date_order("DDMMYY"));
  CHECK(to_string(DateOrder::MDY) == "MDY");
}

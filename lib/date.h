// Calendar dates as day numbers, and the durations frameworks write ("6 months").
#pragma once
#include <compare>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace outcomes {

// A calendar date, stored as days since 1970-01-01 (the proleptic Gregorian calendar).
struct Date {
  int32_t days = 0;
  auto operator<=>(const Date&) const = default;
};

// Parses strictly "YYYY-MM-DD" with a real calendar day; nullopt otherwise.
std::optional<Date> parse_date(std::string_view text);

// The order of a date's parts in a file: ISO ("2026-10-03"), or as spreadsheets export
// them: day first ("03/10/2026"), month first ("10/03/2026") or year first ("2026/10/03").
enum class DateOrder { Iso, DMY, MDY, YMD };
// "DMY" etc. as given to --date-format (case-insensitive); nullopt for anything else.
std::optional<DateOrder> parse_date_order(std::string_view text);
// "ISO", "DMY", "MDY" or "YMD".
std::string_view to_string(DateOrder order);

// Parses a date in `order`: Iso as parse_date; the others take one- or two-digit days and
// months and a four-digit year, separated by one kind of '/', '-' or '.' ("3/10/2026",
// "03.10.2026"); a real calendar day from 1900 on. nullopt otherwise.
std::optional<Date> parse_date(std::string_view text, DateOrder order);

// The orders a non-ISO date could be read in: those of DMY, MDY and YMD for which
// parse_date succeeds (e.g. "13/10/2026" only DMY; "03/10/2026" DMY and MDY).
std::vector<DateOrder> possible_date_orders(std::string_view text);

// Reads a whole number written only in digits (no sign, no spaces) into `out`; false when
// `text` is not one or does not fit.
bool parse_digits(std::string_view text, int& out);
// Formats as "YYYY-MM-DD".
std::string format_date(Date date);
// The date's calendar month as "YYYY-MM" (format_date without the day).
std::string format_month(Date date);
// The date from year, month (1-12), day; the caller guarantees validity.
Date make_date(int year, unsigned month, unsigned day);
// Year, month and day of a date.
struct YearMonthDay { int year; unsigned month; unsigned day; };
YearMonthDay split_date(Date date);
// Adds calendar months, clamping to the month's last day (31 Jan + 1 month = 28/29 Feb).
Date add_months(Date date, int months);
// Today in UTC from the system clock.
Date today_utc();
// True when `zone` names a time zone in the system's zone database (e.g. "Europe/London").
bool is_known_time_zone(std::string_view zone);
// The calendar date at instant `when` in `zone` ("" = the system's local zone); the caller
// has checked the zone with is_known_time_zone.
Date local_date(std::time_t when, const std::string& zone);
// Today in `zone` ("" = the system's local zone) from the system clock.
Date today_in_zone(const std::string& zone);

// A duration as frameworks write it: "N days", "N weeks" or "N months" (singular ok).
struct Duration {
  enum class Unit { Days, Weeks, Months };
  int count = 0;
  Unit unit = Unit::Days;
  bool operator==(const Duration&) const = default;
};
// The largest N a duration may have: adding any duration to any date then stays within
// the calendar and within the range of Date.
inline constexpr int kMaxDurationCount = 10000;
// Parses "N days|N weeks|N months" with 0 < N <= kMaxDurationCount; nullopt otherwise.
std::optional<Duration> parse_duration(std::string_view text);
// "6 months", "1 week", "90 days".
std::string format_duration(const Duration& duration);
// The date `duration` after `date` (months are calendar months).
Date add_duration(Date date, const Duration& duration);

}  // namespace outcomes

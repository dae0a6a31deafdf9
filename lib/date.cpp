#include "date.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

namespace outcomes {
namespace {
namespace chr = std::chrono;

Date from_ymd(const chr::year_month_day& ymd) {
  return Date{static_cast<int32_t>(chr::sys_days(ymd).time_since_epoch().count())};
}

// The date of a real calendar day from 1900 on; nullopt for anything else.
std::optional<Date> calendar_day(int y, int m, int d) {
  chr::year_month_day ymd{chr::year{y}, chr::month{static_cast<unsigned>(m)},
                          chr::day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || y < 1900) return std::nullopt;
  return from_ymd(ymd);
}

}  // namespace

bool parse_digits(std::string_view text, int& out) {
  if (text.empty()) return false;
  for (char c : text)
    if (c < '0' || c > '9') return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

std::optional<Date> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int y = 0, m = 0, d = 0;
  if (!parse_digits(text.substr(0, 4), y) || !parse_digits(text.substr(5, 2), m) ||
      !parse_digits(text.substr(8, 2), d))
    return std::nullopt;
  return calendar_day(y, m, d);
}

std::optional<DateOrder> parse_date_order(std::string_view text) {
  for (DateOrder order : {DateOrder::Iso, DateOrder::DMY, DateOrder::MDY, DateOrder::YMD}) {
    std::string_view name = to_string(order);
    if (text.size() == name.size() &&
        std::equal(text.begin(), text.end(), name.begin(), [](char a, char b) {
          return std::toupper(static_cast<unsigned char>(a)) == b;
        }))
      return order;
  }
  return std::nullopt;
}

std::string_view to_string(DateOrder order) {
  switch (order) {
    case DateOrder::DMY: return "DMY";
    case DateOrder::MDY: return "MDY";
    case DateOrder::YMD: return "YMD";
    case DateOrder::Iso: break;
  }
  return "ISO";
}

std::optional<Date> parse_date(std::string_view text, DateOrder order) {
  if (order == DateOrder::Iso) return parse_date(text);
  const std::size_t first = text.find_first_of("/-.");
  if (first == std::string_view::npos) return std::nullopt;
  const char sep = text[first];
  const std::size_t second = text.find(sep, first + 1);
  if (second == std::string_view::npos || text.find_first_of("/-.", second + 1) != std::string_view::npos)
    return std::nullopt;
  const std::string_view parts[3] = {text.substr(0, first), text.substr(first + 1, second - first - 1),
                                     text.substr(second + 1)};
  // Where year, month and day are among the three parts.
  int y_at = 2, m_at = 1, d_at = 0;
  if (order == DateOrder::MDY) m_at = 0, d_at = 1;
  if (order == DateOrder::YMD) y_at = 0, m_at = 1, d_at = 2;
  int y = 0, m = 0, d = 0;
  auto short_part = [](std::string_view p) { return !p.empty() && p.size() <= 2; };
  if (parts[y_at].size() != 4 || !short_part(parts[m_at]) || !short_part(parts[d_at]) ||
      !parse_digits(parts[y_at], y) || !parse_digits(parts[m_at], m) ||
      !parse_digits(parts[d_at], d))
    return std::nullopt;
  return calendar_day(y, m, d);
}

std::vector<DateOrder> possible_date_orders(std::string_view text) {
  std::vector<DateOrder> orders;
  for (DateOrder order : {DateOrder::DMY, DateOrder::MDY, DateOrder::YMD})
    if (parse_date(text, order)) orders.push_back(order);
  return orders;
}

Date make_date(int year, unsigned month, unsigned day) {
  return from_ymd(chr::year_month_day{chr::year{year}, chr::month{month}, chr::day{day}});
}

YearMonthDay split_date(Date date) {
  chr::year_month_day ymd{chr::sys_days{chr::days{date.days}}};
  return {static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
          static_cast<unsigned>(ymd.day())};
}

std::string format_date(Date date) {
  auto ymd = split_date(date);
  return fmt::format("{:04d}-{:02d}-{:02d}", ymd.year, ymd.month, ymd.day);
}

std::string format_month(Date date) {
  auto ymd = split_date(date);
  return fmt::format("{:04d}-{:02d}", ymd.year, ymd.month);
}

Date add_months(Date date, int months) {
  auto ymd = split_date(date);
  int index = ymd.year * 12 + static_cast<int>(ymd.month) - 1 + months;
  int year = index / 12;
  unsigned month = static_cast<unsigned>(index % 12) + 1;
  chr::year_month_day_last last{chr::year{year}, chr::month_day_last{chr::month{month}}};
  unsigned day = std::min(ymd.day, static_cast<unsigned>(last.day()));
  return make_date(year, month, day);
}

Date today_utc() {
  auto now = chr::floor<chr::days>(chr::system_clock::now());
  return Date{static_cast<int32_t>(now.time_since_epoch().count())};
}

bool is_known_time_zone(std::string_view zone) {
  if (zone.empty() || zone.size() > 255 || zone.front() == '/' || zone.find("..") != zone.npos)
    return false;
  for (char c : zone)
    if (!std::isalnum(static_cast<unsigned char>(c)) && !std::strchr("/_+-", c)) return false;
  const char* dir = std::getenv("TZDIR");
  const std::filesystem::path file =
      std::filesystem::path(dir && *dir ? dir : "/usr/share/zoneinfo") / std::string(zone);
  // A zone file starts with "TZif"; anything else (a folder, a table) is not a zone.
  std::ifstream in(file, std::ios::binary);
  char magic[4] = {};
  return in.read(magic, 4) && std::memcmp(magic, "TZif", 4) == 0;
}

Date local_date(std::time_t when, const std::string& zone) {
  // The C library converts in the zone named by TZ; set it for the call and put it back.
  const char* old = std::getenv("TZ");
  const std::string saved = old ? old : "";
  if (!zone.empty()) setenv("TZ", zone.c_str(), 1);
  tzset();
  std::tm local{};
  localtime_r(&when, &local);
  if (!zone.empty()) {
    if (old)
      setenv("TZ", saved.c_str(), 1);
    else
      unsetenv("TZ");
    tzset();
  }
  return make_date(local.tm_year + 1900, static_cast<unsigned>(local.tm_mon + 1),
                   static_cast<unsigned>(local.tm_mday));
}

Date today_in_zone(const std::string& zone) { return local_date(std::time(nullptr), zone); }

std::optional<Duration> parse_duration(std::string_view text) {
  auto space = text.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  int count = 0;
  if (!parse_digits(text.substr(0, space), count) || count <= 0 || count > kMaxDurationCount)
    return std::nullopt;
  auto unit = text.substr(space + 1);
  Duration d{count, Duration::Unit::Days};
  if (unit == "day" || unit == "days")
    d.unit = Duration::Unit::Days;
  else if (unit == "week" || unit == "weeks")
    d.unit = Duration::Unit::Weeks;
  else if (unit == "month" || unit == "months")
    d.unit = Duration::Unit::Months;
  else
    return std::nullopt;
  return d;
}

std::string format_duration(const Duration& duration) {
  const char* unit = duration.unit == Duration::Unit::Days    ? "day"
                     : duration.unit == Duration::Unit::Weeks ? "week"
                                                              : "month";
  return fmt::format("{} {}{}", duration.count, unit, duration.count == 1 ? "" : "s");
}

Date add_duration(Date date, const Duration& duration) {
  switch (duration.unit) {
    case Duration::Unit::Days: return Date{date.days + duration.count};
    case Duration::Unit::Weeks: return Date{date.days + 7 * duration.count};
    case Duration::Unit::Months: return add_months(date, duration.count);
  }
  return date;
}

}  // namespace outcomes

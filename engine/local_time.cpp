#include "local_time.hpp"

#include <charconv>
#include <cstdio>

namespace stagematch {

namespace {

using namespace std::chrono;

// Last Sunday of a month, 01:00 UTC: when EU summer time starts (March) and ends (October).
sys_seconds eu_switch(int year, unsigned month) {
  year_month_weekday_last last_sunday{std::chrono::year{year}, std::chrono::month{month},
                                      weekday_last{Sunday}};
  return sys_days{last_sunday} + hours{1};
}

bool parse_int(std::string_view s, int& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size();
}

}  // namespace

bool is_valid_date(int year, int month, int day) {
  if (month < 1 || month > 12 || day < 1 || day > 31) return false;
  return year_month_day{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                        std::chrono::day{static_cast<unsigned>(day)}}
      .ok();
}

int brussels_utc_offset(Instant t) {
  int year = static_cast<int>(year_month_day{floor<days>(t)}.year());
  return (t >= eu_switch(year, 3) && t < eu_switch(year, 10)) ? 7200 : 3600;
}

Instant from_brussels(const LocalDateTime& l) {
  sys_days d =
      year_month_day{std::chrono::year{l.year}, std::chrono::month{static_cast<unsigned>(l.month)},
                     std::chrono::day{static_cast<unsigned>(l.day)}};
  Instant as_if_utc = d + hours{l.hour} + minutes{l.minute} + seconds{l.second};
  // Try summer time first (so an ambiguous autumn time takes its first occurrence).
  Instant summer = as_if_utc - seconds{7200};
  if (brussels_utc_offset(summer) == 7200) return summer;
  Instant winter = as_if_utc - seconds{3600};
  if (brussels_utc_offset(winter) == 3600) return winter;
  // In the spring gap neither fits: the wall clock jumped from 02:00 to 03:00.
  return winter;
}

LocalDateTime to_brussels(Instant t) {
  Instant local = t + seconds{brussels_utc_offset(t)};
  sys_days d = floor<days>(local);
  year_month_day ymd{d};
  hh_mm_ss hms{local - d};
  return {static_cast<int>(ymd.year()),
          static_cast<int>(static_cast<unsigned>(ymd.month())),
          static_cast<int>(static_cast<unsigned>(ymd.day())),
          static_cast<int>(hms.hours().count()),
          static_cast<int>(hms.minutes().count()),
          static_cast<int>(hms.seconds().count())};
}

Instant add_local_days(Instant t, int n) {
  LocalDateTime l = to_brussels(t);
  sys_days d =
      year_month_day{std::chrono::year{l.year}, std::chrono::month{static_cast<unsigned>(l.month)},
                     std::chrono::day{static_cast<unsigned>(l.day)}};
  year_month_day moved{d + days{n}};
  l.year = static_cast<int>(moved.year());
  l.month = static_cast<int>(static_cast<unsigned>(moved.month()));
  l.day = static_cast<int>(static_cast<unsigned>(moved.day()));
  return from_brussels(l);
}

std::optional<LocalDateTime> parse_local(std::string_view s) {
  // YYYY-MM-DD[( |T)HH:MM[:SS]]
  if (s.size() != 10 && s.size() != 16 && s.size() != 19) return std::nullopt;
  LocalDateTime l;
  if (s[4] != '-' || s[7] != '-') return std::nullopt;
  if (!parse_int(s.substr(0, 4), l.year) || !parse_int(s.substr(5, 2), l.month) ||
      !parse_int(s.substr(8, 2), l.day))
    return std::nullopt;
  if (!is_valid_date(l.year, l.month, l.day)) return std::nullopt;
  if (s.size() >= 16) {
    if ((s[10] != ' ' && s[10] != 'T') || s[13] != ':') return std::nullopt;
    if (!parse_int(s.substr(11, 2), l.hour) || !parse_int(s.substr(14, 2), l.minute))
      return std::nullopt;
    if (s.size() == 19) {
      if (s[16] != ':' || !parse_int(s.substr(17, 2), l.second)) return std::nullopt;
    }
    if (l.hour > 23 || l.minute > 59 || l.second > 59) return std::nullopt;
  }
  return l;
}

std::optional<Instant> parse_instant(std::string_view s) {
  if (s.size() > 19 && s[10] == 'T') {
    auto local = parse_local(s.substr(0, 19));
    if (!local) return std::nullopt;
    std::string_view zone = s.substr(19);
    int offset = 0;
    if (zone == "Z") {
      offset = 0;
    } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
      int h = 0;
      int m = 0;
      if (!parse_int(zone.substr(1, 2), h) || !parse_int(zone.substr(4, 2), m)) return std::nullopt;
      offset = (h * 3600 + m * 60) * (zone[0] == '-' ? -1 : 1);
    } else {
      return std::nullopt;
    }
    sys_days d = year_month_day{std::chrono::year{local->year},
                                std::chrono::month{static_cast<unsigned>(local->month)},
                                std::chrono::day{static_cast<unsigned>(local->day)}};
    return Instant{d + hours{local->hour} + minutes{local->minute} + seconds{local->second} -
                   seconds{offset}};
  }
  auto local = parse_local(s);
  if (!local) return std::nullopt;
  return from_brussels(*local);
}

std::string format_local(Instant t) {
  LocalDateTime l = to_brussels(t);
  char buf[32];
  if (l.second != 0) {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", l.year, l.month, l.day, l.hour,
                  l.minute, l.second);
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d", l.year, l.month, l.day, l.hour,
                  l.minute);
  }
  return buf;
}

std::string format_local_nl(Instant t) {
  LocalDateTime l = to_brussels(t);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02d/%02d/%04d %02d:%02d", l.day, l.month, l.year, l.hour,
                l.minute);
  return buf;
}

std::string format_local_pattern(Instant t, std::string_view pattern) {
  if (pattern.size() > 200) return {};
  LocalDateTime l = to_brussels(t);
  std::string out;
  char buf[8];
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '%') {
      out += pattern[i];
      continue;
    }
    if (++i == pattern.size()) return {};
    int value = 0;
    switch (pattern[i]) {
      case 'd':
        value = l.day;
        break;
      case 'm':
        value = l.month;
        break;
      case 'Y':
        std::snprintf(buf, sizeof buf, "%04d", l.year);
        out += buf;
        continue;
      case 'y':
        value = l.year % 100;
        break;
      case 'H':
        value = l.hour;
        break;
      case 'M':
        value = l.minute;
        break;
      case 'S':
        value = l.second;
        break;
      case '%':
        out += '%';
        continue;
      default:
        return {};
    }
    std::snprintf(buf, sizeof buf, "%02d", value);
    out += buf;
  }
  return out;
}

std::string until_nl(Instant closes) {
  LocalDateTime l = to_brussels(closes);
  if (l.hour == 0 && l.minute == 0 && l.second == 0)
    return "tot en met " + format_local_pattern(add_local_days(closes, -1), "%d/%m/%Y");
  return "tot " + format_local_nl(closes);
}

std::string format_end_nl(Instant closes) {
  LocalDateTime l = to_brussels(closes);
  if (l.hour == 0 && l.minute == 0 && l.second == 0)
    return format_local_pattern(add_local_days(closes, -1), "%d/%m/%Y 24:00");
  return format_local_nl(closes);
}

std::string window_nl(Instant opens, const std::optional<Instant>& closes) {
  return format_local_nl(opens) +
         (closes ? " " + until_nl(*closes) : std::string(" (blijft open)"));
}

std::string format_iso(Instant t) {
  LocalDateTime l = to_brussels(t);
  int off = brussels_utc_offset(t) / 3600;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d+%02d:00", l.year, l.month, l.day,
                l.hour, l.minute, l.second, off);
  return buf;
}

}  // namespace stagematch

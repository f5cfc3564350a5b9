// Time in the product's one time zone, Europe/Brussels (CET/CEST, EU summer-time rule).
// Calendars are written in local time; the engine computes with UTC instants.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace stagematch {

using Instant = std::chrono::sys_seconds;

struct LocalDateTime {
  int year = 1970;
  int month = 1;
  int day = 1;
  int hour = 0;
  int minute = 0;
  int second = 0;
  friend bool operator==(const LocalDateTime&, const LocalDateTime&) = default;
};

// Offset from UTC in seconds at that instant: 3600 (winter) or 7200 (summer).
int brussels_utc_offset(Instant t);

// Local wall-clock time to an instant. A time that does not exist (the hour skipped on the
// last Sunday of March) moves forward by one hour; an ambiguous time (the hour repeated on the
// last Sunday of October) is the first occurrence, in summer time.
Instant from_brussels(const LocalDateTime& local);
LocalDateTime to_brussels(Instant t);

// The same local wall-clock time `days` calendar days later (stays at 12:00 across DST).
Instant add_local_days(Instant t, int days);

// "2025-09-05 12:00", "2025-09-05 12:00:30" or "2025-09-05" (00:00); nullopt if malformed
// or not a real date.
std::optional<LocalDateTime> parse_local(std::string_view text);

// "2025-09-05T12:00:00+02:00", "...Z", or a local text as above (read as Brussels time).
std::optional<Instant> parse_instant(std::string_view text);

// "2025-09-05 12:00" (seconds shown only when not zero).
std::string format_local(Instant t);
// "05/09/2025 12:00", the way Dutch users write it.
std::string format_local_nl(Instant t);
// `pattern` with %d %m %Y %y %H %M %S and %% replaced by the Brussels local date and time;
// an empty text if the pattern holds any other % sequence or is longer than 200 characters.
std::string format_local_pattern(Instant t, std::string_view pattern);
// The end of a window in Dutch: "tot 30/09/2024 12:00", or "tot en met 30/11/2024" for an end
// at midnight (a window written with a date alone ends at the end of that day).
std::string until_nl(Instant closes);
// The last moment of a window for a label such as "Loopt tot": "30/09/2024 12:00", or
// "30/11/2024 24:00" for an end at midnight (the end of 30 November).
std::string format_end_nl(Instant closes);
// A window in Dutch: "05/09/2025 12:00 tot 19/09/2025 12:00", "17/06/2024 00:00 tot en met
// 30/11/2024", or "30/09/2025 12:00 (blijft open)" without an end.
std::string window_nl(Instant opens, const std::optional<Instant>& closes);
// "2025-09-05T12:00:00+02:00".
std::string format_iso(Instant t);

bool is_valid_date(int year, int month, int day);

}  // namespace stagematch

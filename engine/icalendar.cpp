#include "icalendar.hpp"

#include <cstdio>

namespace stagematch {

namespace {

constexpr std::size_t kMaxOctets = 75;

// The rules of Europe/Brussels since 1996 (the EU's: summer time from the last Sunday of March
// 01:00 UTC to the last Sunday of October 01:00 UTC), as local onsets.
constexpr const char* kBrusselsTimezone[] = {
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Brussels",
    "X-LIC-LOCATION:Europe/Brussels",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
};

std::string basic_format(const LocalDateTime& t, bool utc) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02d%s", t.year, t.month, t.day, t.hour,
                t.minute, t.second, utc ? "Z" : "");
  return buf;
}

std::string utc_text(Instant t) {
  auto day = std::chrono::floor<std::chrono::days>(t);
  std::chrono::year_month_day ymd{day};
  std::chrono::hh_mm_ss hms{t - day};
  return basic_format(
      LocalDateTime{static_cast<int>(ymd.year()), static_cast<int>(unsigned(ymd.month())),
                    static_cast<int>(unsigned(ymd.day())), static_cast<int>(hms.hours().count()),
                    static_cast<int>(hms.minutes().count()),
                    static_cast<int>(hms.seconds().count())},
      true);
}

// DTSTART in Belgian local time; a moment in the hour that October repeats, which a local time
// would name ambiguously (RFC 5545 reads it as the first), is written in UTC instead.
std::string dtstart(Instant t) {
  LocalDateTime local = to_brussels(t);
  if (from_brussels(local) != t) return "DTSTART:" + utc_text(t);
  return "DTSTART;TZID=Europe/Brussels:" + basic_format(local, false);
}

// The length of the UTF-8 character that starts with byte `c` (1 for a stray byte).
std::size_t utf8_length(unsigned char c) {
  if (c < 0xC0) return 1;
  if (c < 0xE0) return 2;
  if (c < 0xF0) return 3;
  return c < 0xF8 ? 4 : 1;
}

}  // namespace

std::string ical_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\' || c == ';' || c == ',') {
      out += '\\';
      out += c;
    } else if (c == '\r') {
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
      out += "\\n";
    } else if (c == '\n') {
      out += "\\n";
    } else if (static_cast<unsigned char>(c) < 0x20 && c != '\t') {
      // Other control characters may not appear in a TEXT value: left out.
    } else {
      out += c;
    }
  }
  return out;
}

std::string ical_line(std::string_view line) {
  std::string out;
  std::size_t used = 0;  // octets on the current physical line
  for (std::size_t i = 0; i < line.size();) {
    std::size_t n = std::min(utf8_length(static_cast<unsigned char>(line[i])), line.size() - i);
    if (used + n > kMaxOctets) {
      out += "\r\n ";
      used = 1;
    }
    out.append(line.substr(i, n));
    used += n;
    i += n;
  }
  return out + "\r\n";
}

std::string write_icalendar(const IcalFeed& feed) {
  std::string out;
  auto line = [&out](std::string_view text) { out += ical_line(text); };
  line("BEGIN:VCALENDAR");
  line("VERSION:2.0");
  line("PRODID:-//VIVO//Stagematch//NL");
  line("CALSCALE:GREGORIAN");
  line("METHOD:PUBLISH");
  line("X-WR-CALNAME:" + ical_text(feed.name));
  line("X-WR-TIMEZONE:Europe/Brussels");
  // Calendar applications fetch the feed again after this long (RFC 7986, and its forerunner).
  line("REFRESH-INTERVAL;VALUE=DURATION:PT1H");
  line("X-PUBLISHED-TTL:PT1H");
  for (const char* tz : kBrusselsTimezone) line(tz);
  const std::string stamp = "DTSTAMP:" + utc_text(feed.stamp);
  for (const IcalEvent& e : feed.events) {
    line("BEGIN:VEVENT");
    line("UID:" + ical_text(e.uid));
    line(stamp);
    line(dtstart(e.at));
    line("SUMMARY:" + ical_text(e.summary));
    if (!e.description.empty()) line("DESCRIPTION:" + ical_text(e.description));
    line("TRANSP:TRANSPARENT");
    line("END:VEVENT");
  }
  line("END:VCALENDAR");
  return out;
}

}  // namespace stagematch

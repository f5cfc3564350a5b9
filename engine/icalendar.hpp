// An iCalendar writer (RFC 5545) for feeds of moments in Belgian time: one VCALENDAR with the
// VTIMEZONE of Europe/Brussels (its STANDARD and DAYLIGHT rules) and one VEVENT per moment,
// lines ended by CRLF, folded at 75 octets, text values escaped.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "local_time.hpp"

namespace stagematch {

struct IcalEvent {
  std::string uid;  // stable: the same moment keeps it when its date moves
  Instant at;       // written as DTSTART;TZID=Europe/Brussels in local time
  std::string summary;
  std::string description;
};

struct IcalFeed {
  std::string name;  // X-WR-CALNAME: what a calendar application shows as its title
  Instant stamp;     // DTSTAMP of every event: when the feed was made
  std::vector<IcalEvent> events;
};

std::string write_icalendar(const IcalFeed& feed);

// A TEXT value with backslash, semicolon, comma and line ends escaped (RFC 5545 3.3.11).
std::string ical_text(std::string_view text);
// One content line folded so no line exceeds 75 octets (never inside a UTF-8 character), each
// ended by CRLF; continuation lines start with a space.
std::string ical_line(std::string_view line);

}  // namespace stagematch

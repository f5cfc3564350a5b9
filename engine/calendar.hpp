// One track's timing for one school year, as in workflows/calendars/TRACK/YEAR.yaml.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "diagnostics.hpp"
#include "local_time.hpp"
#include "value.hpp"

namespace stagematch {

struct Window {
  Instant opens;
  std::optional<Instant> closes;  // none: open from `opens` on
  bool contains(Instant t) const { return t >= opens && (!closes || t < *closes); }
};

struct Blackout {
  std::string id;
  std::string label;
  Window window;
  std::optional<Instant> visible_from;
  SourcePos pos;
  SourcePos closes_pos;
  SourcePos visible_from_pos;
};

struct Round {
  std::string id;
  std::string label;
  std::string kind;  // preferred | open | open_ended | closed
  Window window;
  bool closes_written = false;  // `closes` present in the file, even if unreadable
  bool notify_schools = false;
  // all: every service the kind lets see; province: only services active in the request's
  // province (CVO: the province the centre chose for the internship).
  std::string scope = "all";
  std::string note;  // said to services during the round and in its opening mail

  std::optional<Window> registration;
  SourcePos registration_pos;  // its `closes`, or the window itself when it has none
  std::optional<Instant> results_at;
  std::optional<std::string> period_from;  // the internship period this round is for (CVO)
  std::optional<std::string> period_to;
  SourcePos pos;
  SourcePos opens_pos;
  SourcePos closes_pos;
};

struct Reminders {
  int every_days = 7;
  int at_hour = 9;
  int at_minute = 0;
  int closing_soon_days = 2;
  // Reminders in a round without an end ("de tool blijft open") go on until this moment; none
  // given: four weeks after that round opens.
  std::optional<Instant> until;
};

struct CalendarRules {
  std::string visibility = "visibility.by_round";
  std::string timing = "timing.moment";
  std::string events = "timing.events";
  SourcePos visibility_pos;
  SourcePos timing_pos;
  SourcePos events_pos;
};

struct Calendar {
  std::string name;
  int version = 0;
  std::string track;
  std::string year;
  CalendarRules rules;
  std::optional<Window> registration;
  SourcePos registration_pos;  // its `closes`, or the window itself when it has none
  std::vector<Blackout> blackouts;
  std::vector<Round> rounds;
  std::optional<Instant> results_at;
  Reminders reminders;
  SourcePos pos;
  SourcePos track_pos;
  SourcePos year_pos;

  // The round whose window holds `t`, or null.
  const Round* round_at(Instant t) const;
  // When a school may see a service's answer given at `given_at`: the first results date
  // (the calendar's, or else any round's) at or after it. None: at once (no results date is
  // still ahead of the answer). A CVO student accepted in round 2 waits for round 2's results.
  std::optional<Instant> answer_visible_from(Instant given_at) const;
  // The last moment at which a service can still see a request registered now: the latest
  // close of a round in which services see new requests. None: such a round never closes.
  // A request registered at or after it would never be seen by any service.
  std::optional<Instant> last_visible_moment() const;
  // The table the Lua rules receive (see workflows/README.md).
  Value to_value() const;
};

const std::vector<std::string>& known_round_kinds();

// "2025-2026": two years that follow each other, the way a school year is named.
bool is_school_year(std::string_view text);

}  // namespace stagematch

// The timeline of one calendar: what each role may do and see in every stretch of time, and
// every mail that goes out. What `stagematch simulate` prints and the admin sees before
// publishing a calendar.
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "rules.hpp"

namespace stagematch {

struct TimelineSegment {
  std::optional<Instant> from;   // none: from the beginning of time
  std::optional<Instant> until;  // none: for ever
  Moment moment;
  std::string services_see;  // Dutch description of the visibility predicate
};

struct Timeline {
  std::string track;
  std::string year;
  std::string file;
  std::vector<std::string> rules_text;  // blackouts and results dates, in words
  std::vector<TimelineSegment> segments;
  std::vector<TimedEvent> events;
};

std::expected<Timeline, RuleError> build_timeline(const RuleEngine& rules,
                                                  const Calendar& calendar);
std::string render_text(const Timeline& timeline);
Value to_value(const Timeline& timeline);

}  // namespace stagematch

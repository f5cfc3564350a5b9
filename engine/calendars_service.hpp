// Publishing a school year's calendar: an admin's YAML checked against the active definitions,
// then kept in the store (so it holds after a restart) and made active at once.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "audit_log.hpp"
#include "definitions.hpp"

namespace stagematch {

// A calendar as uploaded.
struct CalendarUpload {
  std::string label;  // the file name its positions are reported under
  std::string yaml;
  // When set (the API's address names them): the calendar must be of this track and year.
  std::optional<std::string> track;
  std::optional<std::string> year;
};

// What a check found: every problem as "file:line:col: error: ...", and on success the
// definitions with the calendar laid over them.
struct CalendarCheck {
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
  std::shared_ptr<DefinitionSet> definitions;  // set when `errors` is empty
  const Calendar* calendar = nullptr;          // the uploaded calendar, inside `definitions`
  bool ok() const { return errors.empty() && calendar; }
  std::string name() const;  // "secundair/2025-2026", or "" without a calendar
};

class CalendarPublishing {
 public:
  // `publish` makes new definitions active (the composition root's; takes effect at once).
  CalendarPublishing(Store& store,
                     std::function<std::shared_ptr<const DefinitionSet>()> definitions,
                     std::function<void(std::shared_ptr<const DefinitionSet>)> publish,
                     const Clock& clock);

  // Reads and checks the upload against the active definitions; stores nothing.
  CalendarCheck check(const CalendarUpload& upload) const;
  // Admin only. Checks, then keeps and activates the calendar (audited calendar.publish). A
  // calendar with problems is refused with code "invalid_calendar" (the problems in its
  // message, and in fields["calendar"]), audited as refused, and the active one stays.
  DomainResult<CalendarCheck> publish(const Actor& actor, const CalendarUpload& upload);
  // Every published calendar, in the order they were published.
  std::vector<StoredCalendar> published() const;
  // The problems of a publication refused as invalid_calendar, one "file:line:col: ..." each.
  static std::vector<std::string> problems(const DomainError& refused);

 private:
  Store& store_;
  std::function<std::shared_ptr<const DefinitionSet>()> definitions_;
  std::function<void(std::shared_ptr<const DefinitionSet>)> publish_;
  const Clock& clock_;
};

}  // namespace stagematch

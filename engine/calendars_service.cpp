#include "calendars_service.hpp"

#include <algorithm>

#include "service_support.hpp"

namespace stagematch {

namespace {

// "FILE:LINE:COL: error: ... [WF0107]" when the calendar is not of the track and school year
// the upload must be of.
void check_address(const CalendarUpload& upload, std::vector<std::string>& errors) {
  if (!upload.track && !upload.year) return;
  Diagnostics ignored;
  detail::ParsedFiles parsed;
  detail::parse_definition(upload.label, upload.yaml, ignored, parsed);
  if (parsed.calendars.size() != 1) return;
  const Calendar& c = parsed.calendars.front();
  auto mismatch = [&](const SourcePos& pos, const std::string& what, const std::string& found,
                      const std::string& wanted) {
    Diagnostics d;
    d.error(pos.line ? pos : SourcePos{upload.label, 1, 1}, "WF0107",
            "de kalender is voor " + what + " '" + found + "', het adres zegt '" + wanted + "'");
    errors.push_back(d.all().front().to_string());
  };
  if (upload.track && c.track != *upload.track)
    mismatch(c.track_pos, "traject", c.track, *upload.track);
  if (upload.year && c.year != *upload.year)
    mismatch(c.year_pos, "schooljaar", c.year, *upload.year);
}

std::string joined_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += (out.empty() ? "" : "\n") + l;
  return out;
}

}  // namespace

std::string CalendarCheck::name() const {
  return calendar ? calendar->track + "/" + calendar->year : std::string();
}

CalendarPublishing::CalendarPublishing(
    Store& store, std::function<std::shared_ptr<const DefinitionSet>()> definitions,
    std::function<void(std::shared_ptr<const DefinitionSet>)> publish, const Clock& clock)
    : store_(store),
      definitions_(std::move(definitions)),
      publish_(std::move(publish)),
      clock_(clock) {}

CalendarCheck CalendarPublishing::check(const CalendarUpload& upload) const {
  CalendarCheck out;
  check_address(upload, out.errors);
  LoadResult result = with_calendar(*definitions_(), upload.label, upload.yaml);
  for (const auto& d : result.diagnostics.sorted())
    (d.severity == Severity::kError ? out.errors : out.warnings).push_back(d.to_string());
  if (result.ok() && result.definitions)
    for (const auto& [key, calendar] : result.definitions->calendars)
      if (calendar.pos.file == upload.label) out.calendar = &calendar;
  if (out.errors.empty() && !out.calendar)
    out.errors.push_back(upload.label + ":1:1: error: dit bestand bevat geen kalender");
  if (out.errors.empty())
    out.definitions = std::move(result.definitions);
  else
    out.calendar = nullptr;
  return out;
}

DomainResult<CalendarCheck> CalendarPublishing::publish(const Actor& actor,
                                                        const CalendarUpload& upload) {
  if (auto ok = service::admin_only(actor); !ok) return std::unexpected(ok.error());
  CalendarCheck checked = check(upload);
  if (!checked.ok()) {
    std::string detail =
        upload.track && upload.year ? *upload.track + "/" + *upload.year : upload.label;
    AuditLog(store_, clock_)
        .record_refusal(actor, "calendar.publish", "calendar", std::nullopt, std::move(detail),
                        "invalid_calendar");
    return std::unexpected(service::invalid_calendar(joined_lines(checked.errors)));
  }
  AuditEntry audit = audit_entry(actor, clock_.now(), "calendar.publish", "calendar", std::nullopt,
                                 checked.name());
  store_.save_calendar({checked.calendar->track, checked.calendar->year, upload.label, upload.yaml,
                        audit.at, audit.actor},
                       audit);
  publish_(checked.definitions);
  return checked;
}

std::vector<std::string> CalendarPublishing::problems(const DomainError& refused) {
  std::vector<std::string> out;
  auto found = refused.fields.find("calendar");
  if (found == refused.fields.end()) return out;
  const std::string& all = found->second;
  for (std::size_t at = 0; at <= all.size();) {
    std::size_t end = std::min(all.find('\n', at), all.size());
    out.push_back(all.substr(at, end - at));
    at = end + 1;
  }
  return out;
}

std::vector<StoredCalendar> CalendarPublishing::published() const {
  return store_.stored_calendars();
}

}  // namespace stagematch

// Publishing a school year's calendar over the JSON API: the YAML of the body is checked
// against the active definitions, then kept and made active at once. A calendar with problems
// is refused (audited as such) and the active one stays.
#include <memory>

#include "api_handlers.hpp"
#include "api_support.hpp"

namespace stagematch::api {

namespace {

// WF0107 for each of the calendar's track and year that is not the one of its address.
void address_problems(const std::string& label, const std::string& yaml, const std::string& track,
                      const std::string& year, std::vector<std::string>& problems) {
  Diagnostics ignored;
  detail::ParsedFiles parsed;
  detail::parse_definition(label, yaml, ignored, parsed);
  if (parsed.calendars.size() != 1) return;
  const Calendar& c = parsed.calendars.front();
  if (c.track != track) {
    Diagnostics d;
    d.error(c.track_pos.line ? c.track_pos : SourcePos{label, 1, 1}, "WF0107",
            "de kalender is voor traject '" + c.track + "', het adres zegt '" + track + "'");
    problems.push_back(d.all().front().to_string());
  }
  if (c.year != year) {
    Diagnostics d;
    d.error(c.year_pos.line ? c.year_pos : SourcePos{label, 1, 1}, "WF0107",
            "de kalender is voor schooljaar '" + c.year + "', het adres zegt '" + year + "'");
    problems.push_back(d.all().front().to_string());
  }
}

// The 422 of a refused calendar, every problem in its message and in "problems".
HttpResponse refused(const std::vector<std::string>& problems) {
  std::string all = join(problems, "\n");
  Object answer = error_object(
      DomainError{422,
                  "invalid_calendar",
                  "De kalender werd niet aanvaard; de actieve kalender blijft gelden.\n" + all,
                  {{"calendar", all}}});
  answer["problems"] = Array(problems.begin(), problems.end());
  return HttpResponse::json(422, std::move(answer));
}

}  // namespace

HttpResponse publish_calendar(Services& s, HttpRequest& req) {
  const std::string track = req.param("track");
  const std::string year = req.param("year");
  auto base = s.definitions();
  if (!base->workflow(track)) return not_found("Dit traject bestaat niet.");
  if (!is_school_year(year))
    return validation_error({{"year", "Geef een schooljaar als 2025-2026."}});
  const std::string label = "calendars/" + track + "/" + year + ".yaml";
  std::vector<std::string> problems;
  address_problems(label, req.body, track, year, problems);
  LoadResult result = with_calendar(*base, label, req.body);
  Array warnings;
  for (const auto& d : result.diagnostics.sorted()) {
    if (d.severity == Severity::kError)
      problems.push_back(d.to_string());
    else
      warnings.emplace_back(d.to_string());
  }
  AuditEntry audit =
      audit_of(s, req, "calendar.publish", "calendar", std::nullopt, track + "/" + year);
  if (!problems.empty() || !result.ok() || !result.definitions) {
    if (problems.empty())
      problems.push_back(label + ":1:1: error: de kalender kon niet gelezen worden");
    audit.outcome = "refused:invalid_calendar";
    s.store.append_audit(audit);
    return refused(problems);
  }
  s.store.save_calendar({track, year, label, req.body, audit.at, audit.actor}, audit);
  s.publish(std::shared_ptr<const DefinitionSet>(result.definitions));
  if (s.run_due_work) s.run_due_work();
  return HttpResponse::json(
      200,
      Object{{"ok", true}, {"calendar", track + "/" + year}, {"warnings", std::move(warnings)}});
}

}  // namespace stagematch::api

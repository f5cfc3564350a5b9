// Publishing a school year's calendar over the JSON API: CalendarPublishing checks the YAML of
// the body against the active definitions, then keeps it and makes it active at once. A
// calendar with problems is refused (audited as such) and the active one stays.
#include "api_handlers.hpp"
#include "api_support.hpp"

namespace stagematch::api {

namespace {

// The 422 of a refused calendar, its problems also as a list.
HttpResponse refused(const DomainError& error) {
  Object answer = error_object(error);
  auto problems = CalendarPublishing::problems(error);
  answer["problems"] = Array(problems.begin(), problems.end());
  return HttpResponse::json(HttpResponse::error(error).status, std::move(answer));
}

}  // namespace

HttpResponse publish_calendar(Services& s, HttpRequest& req) {
  const std::string track = req.param("track");
  const std::string year = req.param("year");
  if (!s.definitions()->workflow(track)) return not_found("Dit traject bestaat niet.");
  if (!is_school_year(year))
    return validation_error({{"year", "Geef een schooljaar als 2025-2026."}});
  const std::string name = track + "/" + year;
  CalendarUpload upload{"calendars/" + name + ".yaml", req.body, track, year};
  auto done = s.engine.calendars.publish(req.actor(), upload);
  if (!done) {
    if (done.error().code == "invalid_calendar") return refused(done.error());
    return HttpResponse::error(done.error());
  }
  if (s.run_due_work) s.run_due_work();
  return HttpResponse::json(
      200, Object{{"ok", true},
                  {"calendar", name},
                  {"warnings", Array(done->warnings.begin(), done->warnings.end())}});
}

}  // namespace stagematch::api

// The admin's helpdesk over the JSON API (search every request, read one request's history,
// mark a student stopped) and the test clock.
#include "admin_history.hpp"
#include "api_handlers.hpp"
#include "api_support.hpp"

namespace stagematch::api {

namespace {

// A whole number member from 1 to `hi`; `fallback` when absent, refused in `fields` when not.
int body_number(const Value& body, const char* key, int hi, int fallback,
                const std::string& message, Fields& fields) {
  const Value& v = body[key];
  if (v.is_null()) return fallback;
  if (!v.is_int() || v.as_int() < 1 || v.as_int() > hi) {
    fields[key] = message;
    return fallback;
  }
  return static_cast<int>(v.as_int());
}

// The helpdesk's search criteria from a body, or a 422 answer.
std::expected<SearchInput, HttpResponse> search_input(const Value& body) {
  SearchInput in;
  Fields fields;
  const std::string text = "Geef tekst.";
  if (auto v = text_member(body, "name", fields, text)) in.name = trim(*v);
  if (auto v = text_member(body, "national_number", fields, text)) in.national_number = *v;
  if (auto v = text_member(body, "track", fields, text)) in.track = *v;
  if (auto v = text_member(body, "year", fields, text)) in.year = *v;
  if (const Value& school = body["school"]; !school.is_null()) {
    in.school = id_value(school);
    if (!in.school) fields["school"] = "Kies een school uit de lijst.";
  }
  in.page = body_number(body, "page", 1000000, 1, "Geef een paginanummer vanaf 1.", fields);
  in.page_size =
      body_number(body, "page_size", 500, 50, "Geef een paginagrootte van 1 tot 500.", fields);
  if (!fields.empty()) return std::unexpected(validation_error(std::move(fields)));
  return in;
}

}  // namespace

HttpResponse search_requests(Services& s, HttpRequest& req) {
  auto body = json_object_body(req);
  if (!body) return body.error();
  auto in = search_input(*body);
  if (!in) return in.error();
  return page_answer(s.matching.search_requests(req.actor(), *in), in->page, in->page_size);
}

HttpResponse request_history(Services& s, HttpRequest& req) {
  auto id = request_id(req);
  if (!id) return request_not_found();
  auto history = s.matching.request_history(req.actor(), *id);
  if (!history) return HttpResponse::error(history.error());
  const Value& track = history->request["track"];
  const Workflow* workflow = s.definitions()->workflow(track.is_string() ? track.as_string() : "");
  if (!workflow) return request_not_found();
  auto users = s.engine.organisations.users(req.actor());
  if (!users) return HttpResponse::error(users.error());
  const AuditNames names(*users, s.engine.organisations.list(""));
  return HttpResponse::json(
      200, history_value(*workflow, *history, names, s.engine.organisations.list("service")));
}

HttpResponse stop_request_by_admin(Services& s, HttpRequest& req) {
  auto id = request_id(req);
  if (!id) return request_not_found();
  auto body = json_object_body(req);
  if (!body) return body.error();
  Fields fields;
  auto reason = text_member(*body, "reason", fields, "De reden is tekst.");
  if (!reason) return validation_error(std::move(fields));
  auto done = s.matching.stop_by_admin(req.actor(), *id, *reason);
  if (!done) return HttpResponse::error(done.error());
  return ok();
}

HttpResponse set_clock(Services& s, HttpRequest& req) {
  if (!s.test_clock) return not_found("Dit adres bestaat niet.");
  auto body = json_object_body(req);
  if (!body) return body.error();
  const Value& now = (*body)["now"];
  std::optional<Instant> to = now.is_string() ? parse_instant(now.as_string()) : std::nullopt;
  if (!to) return validation_error({{"now", "Geef een tijdstip als 2025-09-05T12:00:00+02:00."}});
  auto set = s.test_clock->set(*to);
  if (!set)
    return HttpResponse::error(
        DomainError{ErrorKind::invalid, "clock_backwards", set.error(), {{"now", set.error()}}});
  s.engine.audit.record(req.actor(), "clock.set", "clock", std::nullopt, format_iso(*to));
  if (s.run_due_work) s.run_due_work();
  return HttpResponse::json(200, Object{{"ok", true}, {"now", format_iso(s.clock.now())}});
}

}  // namespace stagematch::api

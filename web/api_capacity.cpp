#include "api_capacity.hpp"

#include "api_support.hpp"
#include "pages_capacity.hpp"
#include "registry.hpp"

namespace stagematch::api {

namespace {

// The service the call is about: a service's own; the admin names one (?service_id= or the
// body's "service_id").
std::optional<Id> service_of(const HttpRequest& req, const Value& named) {
  if (req.actor().role == role::kService) return req.actor().org_id;
  return id_value(named);
}

Value line_json(const PlacesLine& line, Id service_id) {
  auto remaining = line.remaining();
  return Object{
      {"service_id", service_id},  {"track", line.track},
      {"year", line.year},         {"round", line.slot.round_id},
      {"label", line.slot.label},  {"places", line.places ? Value(*line.places) : Value()},
      {"accepted", line.accepted}, {"remaining", remaining ? Value(*remaining) : Value()}};
}

}  // namespace

// A service's own lines; the admin one service's (?service_id=) or, naming none, every
// service's, each line with its service_id.
HttpResponse list_places(Services& s, HttpRequest& req) {
  const std::string named = req.query_value("service_id");
  std::vector<Id> services;
  if (auto one = service_of(req, Value(named)))
    services.push_back(*one);
  else if (!named.empty())
    return validation_error({{"service_id", "Kies een dienst."}});
  else
    for (const Organisation& org : s.engine.organisations.list(std::string(role::kService)))
      services.push_back(org.id);
  auto defs = s.definitions();
  Array items;
  for (Id service_id : services)
    for (const auto& [track, workflow] : defs->workflows)
      for (const Calendar* calendar : defs->calendars_of(track)) {
        auto lines = s.engine.capacities.lines(req.actor(), service_id, *calendar);
        if (!lines) return HttpResponse::error(lines.error());
        for (const auto& line : *lines) items.push_back(line_json(line, service_id));
      }
  return HttpResponse::json(200, Object{{"items", std::move(items)}});
}

HttpResponse set_places(Services& s, HttpRequest& req) {
  auto body = json_object_body(req);
  if (!body) return body.error();
  auto service_id = service_of(req, (*body)["service_id"]);
  if (!service_id) return validation_error({{"service_id", "Kies een dienst."}});
  const Value& places = (*body)["places"];
  if (!places.is_null() && !places.is_int())
    return validation_error(
        {{"places", "Geef een geheel aantal van 0 tot 999, of null (onbekend)."}});
  const Calendar* calendar =
      s.definitions()->calendar(text_of((*body)["track"]), text_of((*body)["year"]));
  if (!calendar) return not_found("Dit traject of schooljaar bestaat niet.");
  std::string typed = places.is_null() ? "" : std::to_string(places.as_int());
  auto done = s.engine.capacities.set(req.actor(), *service_id, *calendar,
                                      text_of((*body)["round"]), typed);
  if (!done) return HttpResponse::error(done.error());
  return ok();
}

HttpResponse capacity_csv(Services& s, HttpRequest& req) {
  auto table = capacity_export(s, req.actor());
  if (!table) return HttpResponse::error(table.error());
  const Exporter& csv = s.exporters.exporter("csv");
  HttpResponse res;
  res.status = 200;
  res.content_type = csv.content_type();
  res.body = csv.render(*table);
  res.headers.emplace_back("Content-Disposition",
                           "attachment; filename=\"plaatsen_per_provincie.csv\"");
  return res;
}

}  // namespace stagematch::api

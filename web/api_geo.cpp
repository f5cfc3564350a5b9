// A service's locations over the JSON API (issue 13, distance): its own, never another's (that
// is a 404, the same as one that does not exist).
#include "api_handlers.hpp"
#include "api_support.hpp"

namespace stagematch::api {

HttpResponse list_locations(Services& s, HttpRequest& req) {
  Array items;
  for (const auto& l : s.engine.locations.list(req.actor()))
    items.push_back(
        Object{{"id", l.id}, {"postal_code", l.postal_code}, {"municipality", l.municipality}});
  return HttpResponse::json(200, Object{{"items", std::move(items)}});
}

HttpResponse create_location(Services& s, HttpRequest& req) {
  auto body = json_object_body(req);
  if (!body) return body.error();
  Fields fields;
  const std::string text = "Geef tekst.";
  auto postal_code = text_member(*body, "postal_code", fields, text);
  auto municipality = text_member(*body, "municipality", fields, text);
  if (!fields.empty()) return validation_error(std::move(fields));
  auto id = s.engine.locations.add(req.actor(), LocationInput{*postal_code, *municipality});
  if (!id) return HttpResponse::error(id.error());
  return HttpResponse::json(201, Object{{"id", *id}});
}

HttpResponse delete_location(Services& s, HttpRequest& req) {
  auto done = s.engine.locations.remove(req.actor(), parse_id(req.param("id")).value_or(0));
  if (!done) return HttpResponse::error(done.error());
  return HttpResponse::no_content();
}

}  // namespace stagematch::api

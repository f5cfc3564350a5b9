#include "api_privacy.hpp"

#include "api_support.hpp"

namespace stagematch::api {

HttpResponse subject_access(Services& s, HttpRequest& req) {
  auto body = json_object_body(req);
  if (!body) return body.error();
  Fields fields;
  auto number = text_member(*body, "national_number", fields, "Geef het rijksregisternummer.");
  if (!number) return validation_error(std::move(fields));
  auto found = s.engine.privacy.subject_access(req.actor(), *number);
  if (!found) return HttpResponse::error(found.error());
  return HttpResponse::json(200, *found);
}

HttpResponse erase_student(Services& s, HttpRequest& req) {
  auto body = json_object_body(req);
  if (!body) return body.error();
  Fields fields;
  auto number = text_member(*body, "national_number", fields, "Geef het rijksregisternummer.");
  auto reason = text_member(*body, "reason", fields, "De reden is tekst.");
  if (!number || !reason) return validation_error(std::move(fields));
  auto erased = s.engine.privacy.erase_student(req.actor(), *number, *reason);
  if (!erased) return HttpResponse::error(erased.error());
  return HttpResponse::json(200, Object{{"erased", *erased}});
}

}  // namespace stagematch::api

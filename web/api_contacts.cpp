// Contact persons over the JSON API: a school's or a service's own, never another
// organisation's (that is a 404, the same as one that does not exist).
#include "api_handlers.hpp"
#include "api_support.hpp"

namespace stagematch::api {

namespace {

// The contact's fields from a body, or a 422 answer for a member that is no text. The service
// checks the texts themselves.
std::expected<ContactInput, HttpResponse> contact_from(const Value& body) {
  Fields fields;
  const std::string text = "Geef tekst.";
  auto name = text_member(body, "name", fields, text);
  auto phone = text_member(body, "phone", fields, text);
  auto email = text_member(body, "email", fields, text);
  if (!fields.empty()) return std::unexpected(validation_error(std::move(fields)));
  return ContactInput{*name, *phone, *email};
}

Value contact_json(const ContactPerson& c) {
  return Object{{"id", c.id}, {"name", c.name}, {"phone", c.phone}, {"email", c.email}};
}

// The {id} of a contact's address; 0 (which no contact has: a 404) when it is no id.
Id contact_id(const HttpRequest& req) { return parse_id(req.param("id")).value_or(0); }

}  // namespace

HttpResponse list_contacts(Services& s, HttpRequest& req) {
  Array items;
  for (const auto& c : s.engine.contacts.list(req.actor())) items.push_back(contact_json(c));
  return HttpResponse::json(200, Object{{"items", std::move(items)}});
}

HttpResponse create_contact(Services& s, HttpRequest& req) {
  auto body = json_object_body(req);
  if (!body) return body.error();
  auto contact = contact_from(*body);
  if (!contact) return contact.error();
  auto id = s.engine.contacts.create(req.actor(), *contact);
  if (!id) return HttpResponse::error(id.error());
  return HttpResponse::json(201, Object{{"id", *id}});
}

HttpResponse edit_contact(Services& s, HttpRequest& req) {
  // Another organisation's contact person is a 404 before the body is read.
  auto existing = s.engine.contacts.find(req.actor(), contact_id(req));
  if (!existing) return HttpResponse::error(existing.error());
  auto body = json_object_body(req);
  if (!body) return body.error();
  auto contact = contact_from(*body);
  if (!contact) return contact.error();
  auto done = s.engine.contacts.edit(req.actor(), existing->id, *contact);
  if (!done) return HttpResponse::error(done.error());
  return ok();
}

HttpResponse delete_contact(Services& s, HttpRequest& req) {
  auto done = s.engine.contacts.remove(req.actor(), contact_id(req));
  if (!done) return HttpResponse::error(done.error());
  return HttpResponse::no_content();
}

}  // namespace stagematch::api

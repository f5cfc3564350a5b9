// Contact persons over the JSON API: a school's or a service's own, never another
// organisation's (that is a 404, the same as one that does not exist).
#include "api_handlers.hpp"
#include "api_support.hpp"
#include "request_validation.hpp"

namespace stagematch::api {

namespace {

// The contact's fields from a body, or a 422 answer.
std::expected<ContactPerson, HttpResponse> contact_from(const Value& body) {
  Object only;
  for (const char* key : {"name", "phone", "email"})
    if (body.has(key)) only[key] = body[key];
  Value fields(std::move(only));
  Fields problems;
  for (const auto& p : validate_request(contact_person_fields(), fields))
    if (p.severity == Severity::kError && !problems.contains(p.field))
      problems[p.field] = p.message;
  if (!problems.empty()) return std::unexpected(validation_error(std::move(problems)));
  return ContactPerson{0, 0, trim(fields["name"].as_string()), trim(fields["phone"].as_string()),
                       trim(fields["email"].as_string())};
}

Value contact_json(const ContactPerson& c) {
  return Object{{"id", c.id}, {"name", c.name}, {"phone", c.phone}, {"email", c.email}};
}

// The caller's own contact person; nullopt (a 404) for anyone else's or none.
std::optional<ContactPerson> own_contact(Services& s, const HttpRequest& req) {
  auto id = parse_id(req.param("id"));
  if (!id) return std::nullopt;
  auto c = s.store.contact(*id);
  if (!c || c->org_id != req.actor().org_id) return std::nullopt;
  return *c;
}

HttpResponse contact_not_found() {
  return not_found("Deze contactpersoon bestaat niet of hoort niet bij je organisatie.");
}

}  // namespace

HttpResponse list_contacts(Services& s, HttpRequest& req) {
  Array items;
  for (const auto& c : s.store.contacts(req.actor().org_id)) items.push_back(contact_json(c));
  return HttpResponse::json(200, Object{{"items", std::move(items)}});
}

HttpResponse create_contact(Services& s, HttpRequest& req) {
  auto body = json_object_body(req);
  if (!body) return body.error();
  auto contact = contact_from(*body);
  if (!contact) return contact.error();
  contact->org_id = req.actor().org_id;
  auto id = s.store.create_contact(*contact);
  if (!id) return store_error(id.error());
  s.store.append_audit(audit_of(s, req, "contact.create", "contact", *id));
  return HttpResponse::json(201, Object{{"id", *id}});
}

HttpResponse edit_contact(Services& s, HttpRequest& req) {
  auto existing = own_contact(s, req);
  if (!existing) return contact_not_found();
  auto body = json_object_body(req);
  if (!body) return body.error();
  auto contact = contact_from(*body);
  if (!contact) return contact.error();
  contact->id = existing->id;
  contact->org_id = existing->org_id;
  auto done = s.store.update_contact(*contact);
  if (!done) return store_error(done.error());
  s.store.append_audit(audit_of(s, req, "contact.edit", "contact", existing->id));
  return ok();
}

HttpResponse delete_contact(Services& s, HttpRequest& req) {
  auto existing = own_contact(s, req);
  if (!existing) return contact_not_found();
  auto done = s.store.delete_contact(existing->org_id, existing->id);
  if (!done) {
    if (done.error().code == "linked")
      return HttpResponse::error(
          409, "linked",
          done.error().message.empty()
              ? "Deze contactpersoon is gekoppeld aan een student en kan niet verwijderd worden."
              : done.error().message);
    return store_error(done.error());
  }
  s.store.append_audit(audit_of(s, req, "contact.delete", "contact", existing->id));
  return HttpResponse::no_content();
}

}  // namespace stagematch::api

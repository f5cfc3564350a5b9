#include "contacts.hpp"

#include "request_validation.hpp"
#include "service_support.hpp"

namespace stagematch {

namespace {

constexpr const char* kNotFound =
    "Deze contactpersoon bestaat niet of hoort niet bij je organisatie.";

bool has_contacts(const Actor& actor) {
  return (actor.role == role::kSchool || actor.role == role::kService) && actor.org_id > 0;
}

// The typed fields, trimmed and checked by the same rules as a request's fields.
DomainResult<ContactPerson> checked(const ContactInput& input) {
  ContactPerson c{0, 0, service::trimmed(input.name), service::trimmed(input.phone),
                  service::trimmed(input.email)};
  Object fields;
  if (!c.name.empty()) fields["name"] = c.name;
  if (!c.phone.empty()) fields["phone"] = c.phone;
  if (!c.email.empty()) fields["email"] = c.email;
  std::map<std::string, std::string> problems;
  for (const auto& p : validate_request(contact_person_fields(), Value(std::move(fields))))
    if (p.severity == Severity::kError && !problems.contains(p.field))
      problems[p.field] = p.message;
  if (!problems.empty()) return std::unexpected(service::invalid(std::move(problems)));
  return c;
}

}  // namespace

Contacts::Contacts(Store& store, const Clock& clock) : store_(store), clock_(clock) {}

std::vector<ContactPerson> Contacts::list(const Actor& actor) const {
  if (!has_contacts(actor)) return {};
  return store_.contacts(actor.org_id);
}

DomainResult<ContactPerson> Contacts::find(const Actor& actor, Id contact_id) const {
  if (!has_contacts(actor)) return std::unexpected(service::not_found(kNotFound));
  auto c = store_.contact(contact_id);
  if (!c) {
    if (c.error().code == "not_found") return std::unexpected(service::not_found(kNotFound));
    return std::unexpected(domain::from_store(c.error()));
  }
  if (c->org_id != actor.org_id) return std::unexpected(service::not_found(kNotFound));
  return *c;
}

DomainResult<Id> Contacts::create(const Actor& actor, const ContactInput& input) {
  if (!has_contacts(actor))
    return std::unexpected(service::forbidden("Enkel scholen en diensten hebben contactpersonen."));
  auto contact = checked(input);
  if (!contact) return std::unexpected(contact.error());
  contact->org_id = actor.org_id;
  auto id = store_.create_contact(*contact);
  if (!id) return std::unexpected(domain::from_store(id.error()));
  store_.append_audit(audit_entry(actor, clock_.now(), "contact.create", "contact", *id));
  return *id;
}

DomainResult<void> Contacts::edit(const Actor& actor, Id contact_id, const ContactInput& input) {
  auto existing = find(actor, contact_id);
  if (!existing) return std::unexpected(existing.error());
  auto contact = checked(input);
  if (!contact) return std::unexpected(contact.error());
  contact->id = existing->id;
  contact->org_id = existing->org_id;
  auto done = store_.update_contact(*contact);
  if (!done) return std::unexpected(domain::from_store(done.error()));
  store_.append_audit(audit_entry(actor, clock_.now(), "contact.edit", "contact", existing->id));
  return {};
}

DomainResult<void> Contacts::remove(const Actor& actor, Id contact_id) {
  auto existing = find(actor, contact_id);
  if (!existing) return std::unexpected(existing.error());
  auto done = store_.delete_contact(existing->org_id, existing->id);
  if (!done) {
    DomainError e = domain::from_store(done.error());
    if (e.code == "linked")
      e.message = actor.role == role::kSchool
                      ? existing->name +
                            " is nog gekoppeld aan een student en kan daarom niet verwijderd "
                            "worden. Koppel die student(en) eerst aan een andere contactpersoon."
                      : existing->name +
                            " is de stagementor van een aanvaarde student en kan daarom niet "
                            "verwijderd worden.";
    return std::unexpected(std::move(e));
  }
  store_.append_audit(audit_entry(actor, clock_.now(), "contact.delete", "contact", existing->id));
  return {};
}

}  // namespace stagematch

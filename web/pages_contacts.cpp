#include "pages_contacts.hpp"

#include "request_validation.hpp"

namespace stagematch {

namespace {

ContactPerson typed_contact(const HttpRequest& req) {
  auto form = req.form();
  ContactPerson c;
  c.name = trim(form["name"]);
  c.phone = trim(form["phone"]);
  c.email = trim(form["email"]);
  return c;
}

FieldMessages check_contact(const ContactPerson& c) {
  FieldMessages errors;
  Object fields;
  if (!c.name.empty()) fields["name"] = c.name;
  if (!c.phone.empty()) fields["phone"] = c.phone;
  if (!c.email.empty()) fields["email"] = c.email;
  for (const auto& p : validate_request(contact_person_fields(), Value(std::move(fields))))
    errors.emplace(p.field, p.message);
  return errors;
}

}  // namespace

ContactPages::ContactPages(const PageKit& kit, std::string base, bool school)
    : kit_(kit), base_(std::move(base)), school_(school) {}

Array ContactPages::form_fields(const Typed& typed) const {
  Array fields;
  fields.push_back(input_field({"name", "Naam", true, "", message_of(typed.errors, "name"), ""},
                               "text", typed.contact.name, Object{{"autocomplete", "off"}}));
  fields.push_back(
      input_field({"phone", "Telefoon", true, "", message_of(typed.errors, "phone"), ""}, "tel",
                  typed.contact.phone, Object{{"autocomplete", "off"}}));
  fields.push_back(input_field({"email", "E-mail", true, "", message_of(typed.errors, "email"), ""},
                               "email", typed.contact.email, Object{{"autocomplete", "off"}}));
  return fields;
}

HttpResponse ContactPages::list_page(const HttpRequest& req, int status, const Typed& typed,
                                     const std::string& notice, const std::string& error) const {
  Array rows;
  for (const auto& c : kit_.services().store.contacts(req.user->org_id.value_or(0)))
    rows.push_back(Object{{"name", c.name},
                          {"phone", c.phone},
                          {"email", c.email},
                          {"edit_href", base_ + "/" + std::to_string(c.id)},
                          {"delete_action", base_ + "/" + std::to_string(c.id) + "/verwijderen"}});
  std::string title = school_ ? "Contactpersonen stageplaats" : "Contactpersonen (stagementoren)";
  std::string intro =
      school_ ? "Geef eerst alle contactpersonen (stage-/werkplekbegeleiders) van je school in, "
                "dan pas de studenten. Diensten gebruiken deze gegevens om je te bereiken, dus "
                "vul ze zorgvuldig in. Een contactpersoon kan enkel verwijderd worden als er "
                "geen studenten aan gekoppeld zijn."
              : "Maak hier de contactpersonen (stagementoren) van je dienst aan voor je studenten "
                "aanvaardt: bij elke aanvaarde student kies je er een. Een stagementor die aan "
                "een student gekoppeld is, kan niet verwijderd worden.";
  return kit_.page(req, status, "contacts", title,
                   Object{{"heading", title},
                          {"intro", intro},
                          {"notice", text_or_null(notice)},
                          {"error", text_or_null(error)},
                          {"contacts", std::move(rows)},
                          {"action", base_},
                          {"add_heading", school_ ? "Stage-/werkplekbegeleider toevoegen"
                                                  : "Stagementor toevoegen"},
                          {"fields", form_fields(typed)}});
}

HttpResponse ContactPages::list(HttpRequest& req) const {
  std::string notice;
  if (req.query_value("toegevoegd") == "1") notice = "De contactpersoon werd toegevoegd.";
  if (req.query_value("bewaard") == "1") notice = "De wijzigingen werden bewaard.";
  if (req.query_value("verwijderd") == "1") notice = "De contactpersoon werd verwijderd.";
  return list_page(req, 200, Typed{}, notice, "");
}

HttpResponse ContactPages::create(HttpRequest& req) const {
  Typed typed{typed_contact(req), {}};
  typed.errors = check_contact(typed.contact);
  if (!typed.errors.empty())
    return list_page(req, 422, typed, "",
                     "De contactpersoon werd niet toegevoegd: kijk de "
                     "aangeduide velden na.");
  typed.contact.org_id = req.user->org_id.value_or(0);
  auto& store = kit_.services().store;
  auto id = store.create_contact(typed.contact);
  if (!id) return list_page(req, 409, typed, "", id.error().message);
  store.append_audit(
      page_audit(req, kit_.services().clock.now(), "contact.create", "contact", *id));
  return HttpResponse::redirect(base_ + "?toegevoegd=1");
}

std::optional<ContactPerson> ContactPages::own(const HttpRequest& req) const {
  auto id = parse_id(req.param("id"));
  if (!id) return std::nullopt;
  auto contact = kit_.services().store.contact(*id);
  if (!contact || contact->org_id != req.user->org_id.value_or(-1)) return std::nullopt;
  return *contact;
}

HttpResponse ContactPages::edit_page(const HttpRequest& req, int status, const Typed& typed) const {
  return kit_.page(
      req, status, "contact_edit", "Contactpersoon bewerken",
      Object{{"action", base_ + "/" + std::to_string(typed.contact.id)},
             {"back", base_},
             {"fields", form_fields(typed)},
             {"error", typed.errors.empty() ? Value() : Value("Kijk de aangeduide velden na.")}});
}

HttpResponse ContactPages::edit_form(HttpRequest& req) const {
  auto contact = own(req);
  if (!contact) return kit_.not_found(req);
  return edit_page(req, 200, Typed{*contact, {}});
}

HttpResponse ContactPages::update(HttpRequest& req) const {
  auto contact = own(req);
  if (!contact) return kit_.not_found(req);
  Typed typed{typed_contact(req), {}};
  typed.contact.id = contact->id;
  typed.contact.org_id = contact->org_id;
  typed.errors = check_contact(typed.contact);
  if (!typed.errors.empty()) return edit_page(req, 422, typed);
  auto& store = kit_.services().store;
  auto done = store.update_contact(typed.contact);
  if (!done) return kit_.message(req, 409, "Niet gelukt", done.error().message, base_, "Terug");
  store.append_audit(
      page_audit(req, kit_.services().clock.now(), "contact.update", "contact", contact->id));
  return HttpResponse::redirect(base_ + "?bewaard=1");
}

HttpResponse ContactPages::remove(HttpRequest& req) const {
  auto contact = own(req);
  if (!contact) return kit_.not_found(req);
  auto& store = kit_.services().store;
  auto done = store.delete_contact(contact->org_id, contact->id);
  if (!done) {
    std::string error = done.error().message;
    if (done.error().code == "linked")
      error = school_ ? contact->name +
                            " is nog gekoppeld aan een student en kan daarom niet "
                            "verwijderd worden. Koppel die student(en) eerst aan "
                            "een andere contactpersoon."
                      : contact->name +
                            " is de stagementor van een aanvaarde student en kan "
                            "daarom niet verwijderd worden.";
    return list_page(req, 409, Typed{}, "", error);
  }
  store.append_audit(
      page_audit(req, kit_.services().clock.now(), "contact.delete", "contact", contact->id));
  return HttpResponse::redirect(base_ + "?verwijderd=1");
}

}  // namespace stagematch

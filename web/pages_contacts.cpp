#include "pages_contacts.hpp"

namespace stagematch {

namespace {

ContactInput typed_contact(const HttpRequest& req) {
  auto form = req.form();
  return ContactInput{form["name"], form["phone"], form["email"]};
}

// What the user typed, to show again in the form.
ContactPerson shown(const ContactInput& input, Id id = 0) {
  return ContactPerson{id, 0, trim(input.name), trim(input.phone), trim(input.email)};
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
  for (const auto& c : kit_.services().engine.contacts.list(req.actor()))
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
  ContactInput input = typed_contact(req);
  auto id = kit_.services().engine.contacts.create(req.actor(), input);
  if (!id) {
    if (id.error().code == "validation")
      return list_page(req, 422, Typed{shown(input), id.error().fields}, "",
                       "De contactpersoon werd niet toegevoegd: kijk de "
                       "aangeduide velden na.");
    return list_page(req, 409, Typed{shown(input), {}}, "", id.error().message);
  }
  return HttpResponse::redirect(base_ + "?toegevoegd=1");
}

std::optional<ContactPerson> ContactPages::own(const HttpRequest& req) const {
  auto id = parse_id(req.param("id"));
  if (!id) return std::nullopt;
  auto contact = kit_.services().engine.contacts.find(req.actor(), *id);
  if (!contact) return std::nullopt;
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
  auto id = parse_id(req.param("id"));
  if (!id) return kit_.not_found(req);
  ContactInput input = typed_contact(req);
  auto done = kit_.services().engine.contacts.edit(req.actor(), *id, input);
  if (!done) {
    if (done.error().code == "validation")
      return edit_page(req, 422, Typed{shown(input, *id), done.error().fields});
    if (done.error().code == "not_found") return kit_.not_found(req);
    return kit_.message(req, 409, "Niet gelukt", done.error().message, base_, "Terug");
  }
  return HttpResponse::redirect(base_ + "?bewaard=1");
}

HttpResponse ContactPages::remove(HttpRequest& req) const {
  auto id = parse_id(req.param("id"));
  if (!id) return kit_.not_found(req);
  auto done = kit_.services().engine.contacts.remove(req.actor(), *id);
  if (!done) {
    if (done.error().code == "not_found") return kit_.not_found(req);
    return list_page(req, 409, Typed{}, "", done.error().message);
  }
  return HttpResponse::redirect(base_ + "?verwijderd=1");
}

}  // namespace stagematch

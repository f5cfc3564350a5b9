#include "pages_geo.hpp"

namespace stagematch {

namespace {

constexpr const char* kBase = "/dienst/locaties";

}  // namespace

HttpResponse LocationPages::list_page(const HttpRequest& req, int status,
                                      const LocationInput& typed, const FieldMessages& errors,
                                      const std::string& notice, const std::string& error) const {
  Array rows;
  for (const auto& l : kit_.services().engine.locations.list(req.actor()))
    rows.push_back(Object{
        {"postal_code", l.postal_code},
        {"municipality", l.municipality},
        {"delete_action", std::string(kBase) + "/" + std::to_string(l.id) + "/verwijderen"}});
  Array fields;
  fields.push_back(
      input_field({"postal_code", "Postcode", true, "", message_of(errors, "postal_code"), ""},
                  "text", trim(typed.postal_code),
                  Object{{"inputmode", "numeric"},
                         {"maxlength", 4},
                         {"width", "w-short"},
                         {"autocomplete", "postal-code"}}));
  fields.push_back(input_field({"municipality", "Gemeente of deelgemeente", true,
                                "Zoals op de kaart, bijvoorbeeld Gent, Sint-Amandsberg of "
                                "Antwerpen.",
                                message_of(errors, "municipality"), ""},
                               "text", trim(typed.municipality),
                               Object{{"autocomplete", "address-level2"}}));
  const std::string title = "Locaties van je dienst";
  return kit_.page(
      req, status, "locations", title,
      Object{{"heading", title},
             {"intro",
              "Geef de plaatsen waar je dienst werkt. In je lijsten staat bij elke student de "
              "afstand in vogelvlucht van zijn woonplaats (postcode en plaats) naar je "
              "dichtstbijzijnde locatie, en je kan op afstand sorteren."},
             {"notice", text_or_null(notice)},
             {"error", text_or_null(error)},
             {"locations", std::move(rows)},
             {"action", kBase},
             {"fields", std::move(fields)}});
}

HttpResponse LocationPages::list(HttpRequest& req) const {
  std::string notice;
  if (req.query_value("toegevoegd") == "1") notice = "De locatie werd toegevoegd.";
  if (req.query_value("verwijderd") == "1") notice = "De locatie werd verwijderd.";
  return list_page(req, 200, {}, {}, notice, "");
}

HttpResponse LocationPages::create(HttpRequest& req) const {
  auto form = req.form();
  LocationInput input{form["postal_code"], form["municipality"]};
  auto id = kit_.services().engine.locations.add(req.actor(), input);
  if (!id) {
    if (id.error().code == "validation")
      return list_page(req, 422, input, id.error().fields, "",
                       "De locatie werd niet toegevoegd: kijk de aangeduide velden na.");
    return list_page(req, 409, input, {}, "", id.error().message);
  }
  return HttpResponse::redirect(std::string(kBase) + "?toegevoegd=1");
}

HttpResponse LocationPages::remove(HttpRequest& req) const {
  auto id = parse_id(req.param("id"));
  if (!id) return kit_.not_found(req);
  auto done = kit_.services().engine.locations.remove(req.actor(), *id);
  if (!done) {
    if (done.error().code == "not_found") return kit_.not_found(req);
    return list_page(req, 409, {}, {}, "", done.error().message);
  }
  return HttpResponse::redirect(std::string(kBase) + "?verwijderd=1");
}

}  // namespace stagematch

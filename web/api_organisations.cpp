// Organisations and invitations over the JSON API: an admin creates schools and services and
// invites their people; everyone logged in reads the organisations' names.
#include "api_handlers.hpp"
#include "api_support.hpp"

namespace stagematch::api {

namespace {

const std::vector<std::string>& province_codes() {
  static const std::vector<std::string> kCodes = {"ANT", "BRU", "LIM", "OVL", "VBR", "WVL"};
  return kCodes;
}

// A list member of codes, each one of `allowed`, once; refused in `fields` otherwise.
std::vector<std::string> code_list(const Value& body, std::string_view key,
                                   const std::vector<std::string>& allowed, const std::string& what,
                                   Fields& fields) {
  const Value& v = body[key];
  std::vector<std::string> out;
  if (v.is_null()) return out;
  if (!v.is_array()) {
    fields[std::string(key)] = "Geef een lijst van " + what + ".";
    return out;
  }
  for (const auto& e : v.as_array()) {
    if (!e.is_string() || !contains(allowed, e.as_string())) {
      fields[std::string(key)] = "Kies enkel uit: " + join(allowed, ", ") + ".";
      return {};
    }
    if (!contains(out, e.as_string())) out.push_back(e.as_string());
  }
  return out;
}

// The organisation of a body, or a 422 answer naming each wrong field.
std::expected<Organisation, HttpResponse> organisation_from(Services& s, const Value& body) {
  Fields fields;
  const Value& type = body["type"];
  std::string kind = type.is_string() ? type.as_string() : "";
  if (kind != "school" && kind != "service") fields["type"] = "Kies school of service.";
  auto name = text_member(body, "name", fields, "Vul een naam in.");
  if (name) {
    *name = trim(*name);
    if (name->empty())
      fields["name"] = "Vul een naam in.";
    else if (name->size() > 200)
      fields["name"] = "De naam is te lang: maximaal 200 tekens.";
  }
  std::vector<std::string> tracks_known;
  for (const auto& [id, workflow] : s.definitions()->workflows) tracks_known.push_back(id);
  auto provinces = code_list(body, "provinces", province_codes(), "provincies", fields);
  auto tracks = code_list(body, "tracks", tracks_known, "trajecten", fields);
  if (kind == "service") {
    if (provinces.empty() && !fields.contains("provinces"))
      fields["provinces"] = "Kies minstens één provincie waarin de dienst actief is.";
    if (!tracks.empty()) fields["tracks"] = "Enkel scholen hebben trajecten.";
  }
  if (kind == "school") {
    if (tracks.empty() && !fields.contains("tracks"))
      fields["tracks"] = "Kies minstens één traject waarin de school mag inschrijven.";
    if (!provinces.empty()) fields["provinces"] = "Enkel diensten hebben provincies.";
  }
  if (!fields.empty()) return std::unexpected(validation_error(std::move(fields)));
  return Organisation{0, kind, *name, provinces, tracks};
}

}  // namespace

HttpResponse create_organisation(Services& s, HttpRequest& req) {
  auto body = json_object_body(req);
  if (!body) return body.error();
  auto org = organisation_from(s, *body);
  if (!org) return org.error();
  auto id = s.store.create_organisation(*org);
  if (!id) return store_error(id.error());
  s.store.append_audit(audit_of(s, req, "org.create", "org", *id, org->type));
  return HttpResponse::json(201, Object{{"id", *id}});
}

HttpResponse list_organisations(Services& s, HttpRequest& req) {
  std::string type = req.query_value("type");
  if (!type.empty() && type != "school" && type != "service")
    return validation_error({{"type", "Kies school of service."}});
  bool admin = req.user->role == "admin";
  Array items;
  for (const auto& org : s.store.organisations(type)) {
    Object o{{"id", org.id}, {"name", org.name}, {"type", org.type}};
    if (org.type == "service") o["provinces"] = Array(org.provinces.begin(), org.provinces.end());
    if (org.type == "school" && admin) o["tracks"] = Array(org.tracks.begin(), org.tracks.end());
    items.emplace_back(std::move(o));
  }
  return HttpResponse::json(200, Object{{"items", std::move(items)}});
}

HttpResponse invite(Services& s, HttpRequest& req) {
  auto body = json_object_body(req);
  if (!body) return body.error();
  // Accounts checks the address, the role and the organisation; here only the JSON types.
  Fields fields;
  auto email = text_member(*body, "email", fields, "Vul een e-mailadres in.");
  auto role = text_member(*body, "role", fields, "Kies de rol school, service of admin.");
  std::optional<Id> org_id;
  const Value& org_value = (*body)["org_id"];
  if (!org_value.is_null()) {
    org_id = id_value(org_value);
    if (!org_id)
      fields["org_id"] = "Deze organisatie bestaat niet.";
    else if (role && *role == "admin")
      fields["org_id"] = "Een beheerder hoort bij geen organisatie.";
  }
  if (!fields.empty()) return validation_error(std::move(fields));
  auto id = s.accounts.invite(req.actor(), *email, *role, org_id);
  if (!id) return HttpResponse::error(id.error());
  return HttpResponse::json(201, Object{{"id", *id}});
}

}  // namespace stagematch::api

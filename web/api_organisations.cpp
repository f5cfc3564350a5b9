// Organisations and invitations over the JSON API: an admin creates schools and services and
// invites their people; everyone logged in reads the organisations' names.
#include "api_handlers.hpp"
#include "api_support.hpp"

namespace stagematch::api {

namespace {

constexpr const char* kChooseType = "Kies school of service.";

// A list member of codes as the service takes them. A member that is no list of texts becomes
// a list the service refuses; `json` keeps what was wrong with the JSON itself.
std::vector<std::string> codes_of(const Value& body, const std::string& key,
                                  const std::string& what, Fields& json) {
  const Value& v = body[key];
  if (v.is_null()) return {};
  if (!v.is_array()) {
    json[key] = "Geef een lijst van " + what + ".";
    return {std::string()};
  }
  std::vector<std::string> out;
  for (const auto& e : v.as_array()) out.push_back(e.is_string() ? e.as_string() : std::string());
  return out;
}

}  // namespace

HttpResponse create_organisation(Services& s, HttpRequest& req) {
  auto body = json_object_body(req);
  if (!body) return body.error();
  Fields json;
  auto text = [&](const char* key) {
    const Value& v = (*body)[key];
    return v.is_string() ? v.as_string() : std::string();
  };
  NewOrganisation org{text("type"), text("name"), codes_of(*body, "provinces", "provincies", json),
                      codes_of(*body, "tracks", "trajecten", json)};
  // The API's clients send the codes, so its message names them (the service refuses too).
  if (org.type != role::kSchool && org.type != role::kService) json["type"] = kChooseType;
  auto id = s.engine.organisations.create(req.actor(), org);
  if (!id) {
    DomainError e = id.error();
    for (auto& [field, message] : json) e.fields[field] = message;
    return HttpResponse::error(e);
  }
  return HttpResponse::json(201, Object{{"id", *id}});
}

HttpResponse list_organisations(Services& s, HttpRequest& req) {
  std::string type = req.query_value("type");
  if (!type.empty() && type != role::kSchool && type != role::kService)
    return validation_error({{"type", kChooseType}});
  bool admin = req.user->role == role::kAdmin;
  Array items;
  for (const auto& org : s.engine.organisations.list(type)) {
    Object o{{"id", org.id}, {"name", org.name}, {"type", org.type}};
    if (org.type == role::kService)
      o["provinces"] = Array(org.provinces.begin(), org.provinces.end());
    if (org.type == role::kSchool && admin)
      o["tracks"] = Array(org.tracks.begin(), org.tracks.end());
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
    else if (role && *role == role::kAdmin)
      fields["org_id"] = "Een beheerder hoort bij geen organisatie.";
  }
  if (!fields.empty()) return validation_error(std::move(fields));
  auto id = s.engine.organisations.invite(req.actor(), *email, *role, org_id);
  if (!id) return HttpResponse::error(id.error());
  return HttpResponse::json(201, Object{{"id", *id}});
}

}  // namespace stagematch::api

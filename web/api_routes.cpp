// The JSON API of CONTRACT.md under /api/v1/. Sessions, roles and CSRF are checked by App
// before a handler runs (the Access of each route); a handler checks the objects: an id the
// caller may not see is a 404, the same as one that does not exist. Every answer is a Value
// turned into JSON, never text glued around user input.
#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "admin_history.hpp"
#include "api_export.hpp"
#include "api_support.hpp"
#include "app.hpp"
#include "registry.hpp"
#include "request_validation.hpp"

namespace stagematch {

namespace {

using api::id_value;
using api::json_object_body;
using api::not_found;
using api::ok;
using api::parse_id;
using api::split_list;
using api::store_error;
using api::trim;
using api::validation_error;
using Fields = std::map<std::string, std::string>;

const std::vector<std::string>& province_codes() {
  static const std::vector<std::string> kCodes = {"ANT", "BRU", "LIM", "OVL", "VBR", "WVL"};
  return kCodes;
}

const std::vector<std::string>& transport_codes() {
  static const std::vector<std::string> kCodes = {"auto", "bromfiets", "elektrische_fiets", "fiets",
                                                  "openbaar_vervoer"};
  return kCodes;
}

bool contains(const std::vector<std::string>& list, const std::string& s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

// The allowed values of a workflow's enum or set field, or `fallback` when it has none.
std::vector<std::string> field_values(const Workflow* workflow, std::string_view field,
                                      const std::vector<std::string>& fallback) {
  const FieldDef* f = workflow ? workflow->field(field) : nullptr;
  if (!f || f->values.empty()) return fallback;
  std::vector<std::string> out;
  for (const auto& [id, label] : f->values) out.push_back(id);
  return out;
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += separator;
    out += p;
  }
  return out;
}

AuditEntry audit_of(const Services& s, const HttpRequest& req, std::string action,
                    std::string object_type, std::optional<Id> object_id, std::string detail = {}) {
  AuditEntry a;
  a.at = s.clock.now();
  Actor actor = req.actor();
  if (actor.user_id) a.user_id = actor.user_id;
  a.actor = actor.role + ":" + std::to_string(actor.org_id);
  a.action = std::move(action);
  a.object_type = std::move(object_type);
  a.object_id = object_id;
  a.outcome = "ok";
  a.detail = std::move(detail);
  return a;
}

std::map<std::string, std::string> warnings_json(const std::vector<FieldProblem>& problems) {
  std::map<std::string, std::string> out;
  for (const auto& p : problems)
    if (!out.contains(p.field)) out[p.field] = p.message;
  return out;
}

Value string_map(const std::map<std::string, std::string>& m) {
  Object o;
  for (const auto& [k, v] : m) o[k] = v;
  return o;
}

// A text member of a body: absent or null is `fallback`; anything but text is refused.
std::optional<std::string> text_member(const Value& body, std::string_view key, Fields& fields,
                                       const std::string& message, std::string fallback = {}) {
  const Value& v = body[key];
  if (v.is_null()) return fallback;
  if (!v.is_string()) {
    fields[std::string(key)] = message;
    return std::nullopt;
  }
  return v.as_string();
}

// ---- accounts and sessions ------------------------------------------------------------------

void add_session_routes(Router& router, Services& s) {
  router.add("POST", "/api/v1/login", Access::public_route(), [&s](HttpRequest& req) {
    auto body = json_object_body(req);
    if (!body) return body.error();
    const Value& email = (*body)["email"];
    const Value& password = (*body)["password"];
    Fields fields;
    if (!email.is_string() || trim(email.as_string()).empty())
      fields["email"] = "Vul je e-mailadres in.";
    if (!password.is_string() || password.as_string().empty())
      fields["password"] = "Vul je wachtwoord in.";
    if (!fields.empty())
      return validation_error(std::move(fields), "Vul je e-mailadres en wachtwoord in.");
    auto login = s.accounts.login(trim(email.as_string()), password.as_string(), req.client);
    if (!login) {
      HttpResponse refused = HttpResponse::error(login.error());
      if (auto wait = login.error().fields.find("retry_after"); wait != login.error().fields.end())
        refused.headers.emplace_back("Retry-After", wait->second);
      return refused;
    }
    auto res = HttpResponse::json(
        200, Object{{"user", api::user_json(login->user)}, {"csrf_token", login->csrf_token}});
    res.headers.emplace_back("Set-Cookie", session_cookie(login->cookie_value, req.secure));
    return res;
  });

  router.add("POST", "/api/v1/logout", Access::logged_in(), [&s](HttpRequest& req) {
    s.accounts.logout(req.session_cookie);
    auto res = HttpResponse::no_content();
    res.headers.emplace_back("Set-Cookie", expired_session_cookie(req.secure));
    return res;
  });

  router.add("GET", "/api/v1/me", Access::logged_in(), [&s](HttpRequest& req) {
    Object out{{"user", api::user_json(*req.user)}, {"csrf_token", req.csrf_token}};
    if (req.user->org_id)
      if (auto org = s.store.organisation(*req.user->org_id))
        out["org"] = Object{{"id", org->id}, {"name", org->name}, {"type", org->type}};
    return HttpResponse::json(200, Value(std::move(out)));
  });

  router.add("POST", "/api/v1/activate", Access::public_route(), [&s](HttpRequest& req) {
    auto body = json_object_body(req);
    if (!body) return body.error();
    Fields fields;
    auto token = text_member(*body, "token", fields, "De activatiecode ontbreekt.");
    auto password = text_member(*body, "password", fields, "Kies een wachtwoord.");
    if (token && token->empty()) fields["token"] = "De activatiecode ontbreekt.";
    if (password && password->empty()) fields["password"] = "Kies een wachtwoord.";
    if (!fields.empty()) return validation_error(std::move(fields));
    auto done = s.accounts.activate(*token, *password);
    if (!done) return HttpResponse::error(done.error());
    return ok();
  });

  router.add("POST", "/api/v1/activation/resend", Access::public_route(), [&s](HttpRequest& req) {
    auto body = json_object_body(req);
    if (!body) return body.error();
    const Value& email = (*body)["email"];
    // Always the same answer: whether the address exists is not told.
    if (email.is_string() && !trim(email.as_string()).empty()) {
      // Too many requests from this client address: 429, whatever the e-mail address.
      auto queued = s.accounts.resend_activation(trim(email.as_string()), req.client);
      if (!queued) return HttpResponse::error(queued.error());
    }
    return HttpResponse::json(202,
                              Object{{"ok", true},
                                     {"message",
                                      "Als dit adres een account heeft dat nog niet "
                                      "geactiveerd is, krijgt het een nieuwe activatielink."}});
  });

  router.add("POST", "/api/v1/password-reset", Access::public_route(), [&s](HttpRequest& req) {
    auto body = json_object_body(req);
    if (!body) return body.error();
    const Value& email = (*body)["email"];
    if (email.is_string() && !trim(email.as_string()).empty()) {
      auto queued = s.accounts.request_password_reset(trim(email.as_string()), req.client);
      if (!queued) return HttpResponse::error(queued.error());
    }
    return HttpResponse::json(202, Object{{"ok", true},
                                          {"message",
                                           "Als dit adres een account heeft, krijgt het een "
                                           "link om een nieuw wachtwoord te kiezen."}});
  });

  router.add("POST", "/api/v1/password-reset/confirm", Access::public_route(),
             [&s](HttpRequest& req) {
               auto body = json_object_body(req);
               if (!body) return body.error();
               Fields fields;
               auto token = text_member(*body, "token", fields, "De code uit de mail ontbreekt.");
               auto password = text_member(*body, "password", fields, "Kies een nieuw wachtwoord.");
               if (token && token->empty()) fields["token"] = "De code uit de mail ontbreekt.";
               if (password && password->empty()) fields["password"] = "Kies een nieuw wachtwoord.";
               if (!fields.empty()) return validation_error(std::move(fields));
               auto done = s.accounts.confirm_password_reset(*token, *password);
               if (!done) return HttpResponse::error(done.error());
               return ok();
             });
}

// ---- organisations and invitations ------------------------------------------------------------

void add_org_routes(Router& router, Services& s) {
  router.add("POST", "/api/v1/orgs", Access::only({"admin"}), [&s](HttpRequest& req) {
    auto body = json_object_body(req);
    if (!body) return body.error();
    Fields fields;
    const Value& type = (*body)["type"];
    std::string kind = type.is_string() ? type.as_string() : "";
    if (kind != "school" && kind != "service") fields["type"] = "Kies school of service.";
    auto name = text_member(*body, "name", fields, "Vul een naam in.");
    if (name) {
      *name = trim(*name);
      if (name->empty())
        fields["name"] = "Vul een naam in.";
      else if (name->size() > 200)
        fields["name"] = "De naam is te lang: maximaal 200 tekens.";
    }
    auto list_of = [&](std::string_view key, const std::vector<std::string>& allowed,
                       const std::string& what) -> std::vector<std::string> {
      const Value& v = (*body)[key];
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
    };
    std::vector<std::string> tracks_known;
    for (const auto& [id, workflow] : s.definitions()->workflows) tracks_known.push_back(id);
    std::vector<std::string> provinces = list_of("provinces", province_codes(), "provincies");
    std::vector<std::string> tracks = list_of("tracks", tracks_known, "trajecten");
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
    if (!fields.empty()) return validation_error(std::move(fields));
    Organisation org{0, kind, *name, provinces, tracks};
    auto id = s.store.create_organisation(org);
    if (!id) return store_error(id.error());
    s.store.append_audit(audit_of(s, req, "org.create", "org", *id, kind));
    return HttpResponse::json(201, Object{{"id", *id}});
  });

  router.add("GET", "/api/v1/orgs", Access::logged_in(), [&s](HttpRequest& req) {
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
  });

  router.add("POST", "/api/v1/invitations", Access::only({"admin"}), [&s](HttpRequest& req) {
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
  });
}

// ---- contact persons ---------------------------------------------------------------------------

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

void add_contact_routes(Router& router, Services& s) {
  const Access own = Access::only({"school", "service"});
  router.add("GET", "/api/v1/contacts", own, [&s](HttpRequest& req) {
    Array items;
    for (const auto& c : s.store.contacts(req.actor().org_id)) items.push_back(contact_json(c));
    return HttpResponse::json(200, Object{{"items", std::move(items)}});
  });

  router.add("POST", "/api/v1/contacts", own, [&s](HttpRequest& req) {
    auto body = json_object_body(req);
    if (!body) return body.error();
    auto contact = contact_from(*body);
    if (!contact) return contact.error();
    contact->org_id = req.actor().org_id;
    auto id = s.store.create_contact(*contact);
    if (!id) return store_error(id.error());
    s.store.append_audit(audit_of(s, req, "contact.create", "contact", *id));
    return HttpResponse::json(201, Object{{"id", *id}});
  });

  router.add("PUT", "/api/v1/contacts/{id}", own, [&s](HttpRequest& req) {
    auto existing = own_contact(s, req);
    if (!existing)
      return not_found("Deze contactpersoon bestaat niet of hoort niet bij je organisatie.");
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
  });

  router.add("DELETE", "/api/v1/contacts/{id}", own, [&s](HttpRequest& req) {
    auto existing = own_contact(s, req);
    if (!existing)
      return not_found("Deze contactpersoon bestaat niet of hoort niet bij je organisatie.");
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
  });
}

// ---- requests ----------------------------------------------------------------------------------

// Keys a client may send back from a GET that are not request fields: dropped before
// validation unless some workflow defines a field of that name.
Value request_fields(Services& s, const Value& body) {
  static const std::set<std::string, std::less<>> kReadOnly = {
      "year",   "state",       "school_contact", "my_status",
      "status", "accepted_by", "accepted_at",    "accepted_periods",
      "mentor", "notes",       "version"};
  auto defs = s.definitions();
  Object out;
  for (const auto& [key, value] : body.as_object()) {
    bool field = std::any_of(defs->workflows.begin(), defs->workflows.end(),
                             [&](const auto& w) { return w.second.field(key) != nullptr; });
    if (kReadOnly.contains(key) && !field) continue;
    out[key] = value;
  }
  return out;
}

// The list's query parameters (CONTRACT.md), or a 422 answer naming each bad one.
std::expected<ListInput, HttpResponse> list_input(Services& s, const HttpRequest& req,
                                                  const std::string& track) {
  auto defs = s.definitions();
  const Workflow* workflow = defs->workflow(track);
  ListInput in;
  Fields fields;
  if (std::string year = req.query_value("year"); !year.empty()) {
    if (is_school_year(year))
      in.year = year;
    else
      fields["year"] = "Geef een schooljaar als 2025-2026.";
  }
  if (std::string tab = req.query_value("tab"); !tab.empty()) {
    if (tab == "open" || tab == "accepted")
      in.tab = tab;
    else
      fields["tab"] = "Kies het tabblad open of accepted.";
  }
  in.name = trim(req.query_value("name"));
  if (in.name.size() > 100) fields["name"] = "Zoek op hoogstens 100 tekens.";
  std::vector<std::string> provinces = field_values(workflow, "province", province_codes());
  for (auto& p : split_list(req.query_value("province"))) {
    if (!contains(provinces, p)) {
      fields["province"] = "Kies provincies uit: " + join(provinces, ", ") + ".";
      break;
    }
    in.provinces.push_back(p);
  }
  if (std::string school = req.query_value("school"); !school.empty()) {
    in.school = parse_id(school);
    if (!in.school) fields["school"] = "Kies een school uit de lijst.";
  }
  in.postal_code = trim(req.query_value("postal_code"));
  if (!in.postal_code.empty() &&
      (in.postal_code.size() > 4 ||
       in.postal_code.find_first_not_of("0123456789") != std::string::npos))
    fields["postal_code"] = "Geef een postcode of het begin ervan: 1 tot 4 cijfers.";
  std::vector<std::string> transports = field_values(workflow, "transport", transport_codes());
  for (auto& t : split_list(req.query_value("transport"))) {
    if (!contains(transports, t)) {
      fields["transport"] = "Kies vervoersmiddelen uit: " + join(transports, ", ") + ".";
      break;
    }
    in.transport.push_back(t);
  }
  in.sort = req.query_value("sort");
  if (!in.sort.empty() && !contains({"name", "-name", "postal_code", "-registered_at"}, in.sort))
    fields["sort"] = "Sorteer op name, -name, postal_code of -registered_at.";
  auto number = [&](const char* key, int lo, int hi, int fallback, const std::string& message) {
    std::string text = req.query_value(key);
    if (text.empty()) return fallback;
    auto n = parse_id(text);
    if (!n || *n < lo || *n > hi) {
      fields[key] = message;
      return fallback;
    }
    return static_cast<int>(*n);
  };
  in.page = number("page", 1, 1000000, 1, "Geef een paginanummer vanaf 1.");
  in.page_size = number("page_size", 1, 500, 50, "Geef een paginagrootte van 1 tot 500.");
  if (!fields.empty()) return std::unexpected(validation_error(std::move(fields)));
  return in;
}

std::optional<Id> request_id(const HttpRequest& req) { return parse_id(req.param("id")); }

HttpResponse request_not_found() {
  return not_found("Deze aanvraag bestaat niet of je hebt er geen toegang toe.");
}

// Every item of a list, page by page, as the caller may see it.
DomainResult<std::vector<Value>> all_items(Services& s, const Actor& actor,
                                           const std::string& track, ListInput in) {
  constexpr int kPageSize = 500;
  constexpr int kMaxPages = 2000;
  in.page_size = kPageSize;
  std::vector<Value> items;
  for (int page = 1; page <= kMaxPages; ++page) {
    in.page = page;
    auto out = s.matching.list_requests(actor, track, in);
    if (!out) return std::unexpected(out.error());
    for (auto& item : out->items) items.push_back(std::move(item));
    if (out->items.size() < static_cast<std::size_t>(kPageSize) ||
        static_cast<std::int64_t>(items.size()) >= out->total)
      break;
  }
  return items;
}

// Names organisations by id for an export, asking the store once per id.
std::function<std::string(Id)> org_names(Services& s) {
  auto cache = std::make_shared<std::map<Id, std::string>>();
  return [&s, cache](Id id) {
    auto it = cache->find(id);
    if (it != cache->end()) return it->second;
    auto org = s.store.organisation(id);
    return (*cache)[id] = org ? org->name : std::string();
  };
}

HttpResponse file_response(const Exporter& exporter, const Table& table,
                           const std::string& base_name) {
  HttpResponse res;
  res.status = 200;
  res.content_type = exporter.content_type();
  res.body = exporter.render(table);
  // base_name is built from a known track id and a checked school year: plain ASCII.
  res.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + base_name + "." +
                                                      exporter.extension() + "\"");
  return res;
}

HttpResponse export_track(Services& s, HttpRequest& req, const Exporter& exporter) {
  const std::string track = req.param("track");
  auto defs = s.definitions();
  const Workflow* workflow = defs->workflow(track);
  if (!workflow) return not_found("Dit traject bestaat niet.");
  auto in = list_input(s, req, track);
  if (!in) return in.error();
  auto items = all_items(s, req.actor(), track, *in);
  if (!items) return HttpResponse::error(items.error());
  std::vector<api::ExportItem> rows;
  for (auto& item : *items) rows.push_back(api::ExportItem{workflow, std::move(item), {}});
  api::ExportOptions options;
  options.role = req.user->role;
  options.accepted_tab = in->tab == "accepted";
  options.workflows = {workflow};
  Table table = api::request_table(rows, options, org_names(s));
  std::string name = "aanvragen_" + track;
  if (in->year) name += "_" + *in->year;
  if (req.user->role == "service") name += in->tab == "accepted" ? "_aanvaard" : "_open";
  return file_response(exporter, table, name);
}

HttpResponse export_everything(Services& s, HttpRequest& req, const Exporter& exporter) {
  auto defs = s.definitions();
  auto names = org_names(s);
  std::vector<api::ExportItem> rows;
  api::ExportOptions options;
  for (const auto& [track, workflow] : defs->workflows) {
    options.workflows.push_back(&workflow);
    for (const Calendar* calendar : defs->calendars_of(track)) {
      ListInput in;
      in.year = calendar->year;
      auto items = all_items(s, req.actor(), track, in);
      if (!items) return HttpResponse::error(items.error());
      for (auto& item : *items) {
        std::vector<StatusCount> counts;
        if (item["id"].is_int()) counts = s.store.status_counts(item["id"].as_int());
        rows.push_back(api::ExportItem{&workflow, std::move(item), std::move(counts)});
      }
    }
  }
  options.role = req.user->role;
  options.with_track = true;
  options.with_status_counts = true;
  Table table = api::request_table(rows, options, names);
  return file_response(exporter, table, "alle_aanvragen");
}

// The body of a status change, or a 422 answer.
std::expected<StatusInput, HttpResponse> status_input(const Value& body) {
  StatusInput in;
  Fields fields;
  const Value& status = body["status"];
  if (!status.is_string() || status.as_string().empty())
    fields["status"] = "Kies een status.";
  else
    in.status = status.as_string();
  const Value& mentor = body["mentor_id"];
  if (!mentor.is_null()) {
    in.mentor_id = id_value(mentor);
    if (!in.mentor_id)
      fields["mentor_id"] = "Kies een stagementor uit de contactpersonen van je dienst.";
  }
  const Value& periods = body["periods"];
  if (!periods.is_null()) {
    bool good = periods.is_array();
    if (good)
      for (const auto& p : periods.as_array()) {
        if (!p.is_int() || p.as_int() < 0 || p.as_int() > 100) {
          good = false;
          break;
        }
        in.periods.push_back(static_cast<int>(p.as_int()));
      }
    if (!good) fields["periods"] = "Geef de periodes als lijst van volgnummers, bv. [0, 1].";
  }
  if (auto notes = text_member(body, "notes", fields, "Notities zijn tekst.")) in.notes = *notes;
  if (auto reason = text_member(body, "reason", fields, "De reden is tekst.")) in.reason = *reason;
  if (!fields.empty()) return std::unexpected(validation_error(std::move(fields)));
  return in;
}

void add_request_routes(Router& router, Services& s) {
  const Access readers = Access::only({"school", "service", "admin"});

  router.add(
      "POST", "/api/v1/tracks/{track}/requests", Access::only({"school"}), [&s](HttpRequest& req) {
        auto body = json_object_body(req);
        if (!body) return body.error();
        auto done =
            s.matching.register_request(req.actor(), req.param("track"), request_fields(s, *body));
        if (!done) return HttpResponse::error(done.error());
        Object answer{{"id", done->id}, {"warnings", string_map(warnings_json(done->warnings))}};
        if (done->visible_from) {
          answer["visible_from"] = format_iso(*done->visible_from);
          answer["notice"] = done->notice;
        }
        auto res = HttpResponse::json(201, std::move(answer));
        res.headers.emplace_back("Location", "/api/v1/requests/" + std::to_string(done->id));
        return res;
      });

  router.add("GET", "/api/v1/tracks/{track}/requests", readers, [&s](HttpRequest& req) {
    const std::string track = req.param("track");
    if (!s.definitions()->workflow(track)) return not_found("Dit traject bestaat niet.");
    auto in = list_input(s, req, track);
    if (!in) return in.error();
    auto out = s.matching.list_requests(req.actor(), track, *in);
    if (!out) return HttpResponse::error(out.error());
    return HttpResponse::json(200, Object{{"items", Array(out->items.begin(), out->items.end())},
                                          {"total", out->total},
                                          {"page", in->page},
                                          {"page_size", in->page_size}});
  });

  router.add("GET", "/api/v1/tracks/{track}/requests.csv", readers,
             [&s](HttpRequest& req) { return export_track(s, req, s.exporters->exporter("csv")); });
  router.add("GET", "/api/v1/tracks/{track}/requests.xlsx", readers, [&s](HttpRequest& req) {
    return export_track(s, req, s.exporters->exporter("xlsx"));
  });

  router.add("GET", "/api/v1/requests/{id}", readers, [&s](HttpRequest& req) {
    auto id = request_id(req);
    if (!id) return request_not_found();
    auto item = s.matching.view_request(req.actor(), *id);
    if (!item) return HttpResponse::error(item.error());
    return HttpResponse::json(200, *item);
  });

  router.add("PUT", "/api/v1/requests/{id}", Access::only({"school"}), [&s](HttpRequest& req) {
    auto id = request_id(req);
    if (!id) return request_not_found();
    auto body = json_object_body(req);
    if (!body) return body.error();
    std::optional<int> version;
    if (const Value& v = (*body)["version"];
        v.is_int() && v.as_int() > 0 && v.as_int() < 1000000000)
      version = static_cast<int>(v.as_int());
    auto done = s.matching.edit_request(req.actor(), *id, request_fields(s, *body), version);
    if (!done) return HttpResponse::error(done.error());
    return HttpResponse::json(200,
                              Object{{"ok", true}, {"warnings", string_map(warnings_json(*done))}});
  });

  router.add("DELETE", "/api/v1/requests/{id}", Access::only({"school"}), [&s](HttpRequest& req) {
    auto id = request_id(req);
    if (!id) return request_not_found();
    auto done = s.matching.delete_request(req.actor(), *id);
    if (!done) return HttpResponse::error(done.error());
    return HttpResponse::no_content();
  });

  router.add("POST", "/api/v1/requests/{id}/stop", Access::only({"school"}),
             [&s](HttpRequest& req) {
               auto id = request_id(req);
               if (!id) return request_not_found();
               auto done = s.matching.stop_request(req.actor(), *id);
               if (!done) return HttpResponse::error(done.error());
               return ok();
             });

  router.add("POST", "/api/v1/requests/{id}/status", Access::only({"service", "admin"}),
             [&s](HttpRequest& req) {
               auto id = request_id(req);
               if (!id) return request_not_found();
               auto body = json_object_body(req);
               if (!body) return body.error();
               auto in = status_input(*body);
               if (!in) return in.error();
               auto done = s.matching.change_status(req.actor(), *id, *in);
               if (!done) return HttpResponse::error(done.error());
               return ok();
             });
}

// ---- admin -------------------------------------------------------------------------------------

void add_admin_routes(Router& router, Services& s) {
  const Access admin = Access::only({"admin"});
  router.add("GET", "/api/v1/admin/export.csv", admin, [&s](HttpRequest& req) {
    return export_everything(s, req, s.exporters->exporter("csv"));
  });
  router.add("GET", "/api/v1/admin/export.xlsx", admin, [&s](HttpRequest& req) {
    return export_everything(s, req, s.exporters->exporter("xlsx"));
  });

  // The helpdesk: search every request, read one request's history, mark a student stopped.
  // A POST with the criteria in its body: a national register number in an address would end
  // up in proxies' access logs and browser histories.
  router.add("POST", "/api/v1/admin/requests/search", admin, [&s](HttpRequest& req) {
    auto body = json_object_body(req);
    if (!body) return body.error();
    SearchInput in;
    Fields fields;
    const std::string text = "Geef tekst.";
    if (auto v = text_member(*body, "name", fields, text)) in.name = trim(*v);
    if (auto v = text_member(*body, "national_number", fields, text)) in.national_number = *v;
    if (auto v = text_member(*body, "track", fields, text)) in.track = *v;
    if (auto v = text_member(*body, "year", fields, text)) in.year = *v;
    if (const Value& school = (*body)["school"]; !school.is_null()) {
      in.school = id_value(school);
      if (!in.school) fields["school"] = "Kies een school uit de lijst.";
    }
    auto number = [&](const char* key, int hi, int fallback, const std::string& message) {
      const Value& v = (*body)[key];
      if (v.is_null()) return fallback;
      if (!v.is_int() || v.as_int() < 1 || v.as_int() > hi) {
        fields[key] = message;
        return fallback;
      }
      return static_cast<int>(v.as_int());
    };
    in.page = number("page", 1000000, 1, "Geef een paginanummer vanaf 1.");
    in.page_size = number("page_size", 500, 50, "Geef een paginagrootte van 1 tot 500.");
    if (!fields.empty()) return validation_error(std::move(fields));
    auto out = s.matching.search_requests(req.actor(), in);
    if (!out) return HttpResponse::error(out.error());
    return HttpResponse::json(200, Object{{"items", Array(out->items.begin(), out->items.end())},
                                          {"total", out->total},
                                          {"page", in.page},
                                          {"page_size", in.page_size}});
  });

  router.add("GET", "/api/v1/admin/requests/{id}/history", admin, [&s](HttpRequest& req) {
    auto id = request_id(req);
    if (!id) return request_not_found();
    auto history = s.matching.request_history(req.actor(), *id);
    if (!history) return HttpResponse::error(history.error());
    const Value& track = history->request["track"];
    const Workflow* workflow =
        s.definitions()->workflow(track.is_string() ? track.as_string() : "");
    if (!workflow) return request_not_found();
    const AuditNames names(s.account_store.users(std::nullopt), s.store.organisations(""));
    return HttpResponse::json(
        200, history_value(*workflow, *history, names, s.store.organisations("service")));
  });

  router.add("POST", "/api/v1/admin/requests/{id}/stop", admin, [&s](HttpRequest& req) {
    auto id = request_id(req);
    if (!id) return request_not_found();
    auto body = json_object_body(req);
    if (!body) return body.error();
    Fields fields;
    auto reason = text_member(*body, "reason", fields, "De reden is tekst.");
    if (!reason) return validation_error(std::move(fields));
    auto done = s.matching.stop_by_admin(req.actor(), *id, *reason);
    if (!done) return HttpResponse::error(done.error());
    return ok();
  });

  router.add("PUT", "/api/v1/admin/calendars/{track}/{year}", admin, [&s](HttpRequest& req) {
    const std::string track = req.param("track");
    const std::string year = req.param("year");
    auto base = s.definitions();
    if (!base->workflow(track)) return not_found("Dit traject bestaat niet.");
    if (!is_school_year(year))
      return validation_error({{"year", "Geef een schooljaar als 2025-2026."}});
    const std::string label = "calendars/" + track + "/" + year + ".yaml";
    std::vector<std::string> problems;
    // The file must be the calendar of the track and year in its address.
    {
      Diagnostics ignored;
      detail::ParsedFiles parsed;
      detail::parse_definition(label, req.body, ignored, parsed);
      if (parsed.calendars.size() == 1) {
        const Calendar& c = parsed.calendars.front();
        if (c.track != track) {
          Diagnostics d;
          d.error(c.track_pos.line ? c.track_pos : SourcePos{label, 1, 1}, "WF0107",
                  "de kalender is voor traject '" + c.track + "', het adres zegt '" + track + "'");
          problems.push_back(d.all().front().to_string());
        }
        if (c.year != year) {
          Diagnostics d;
          d.error(c.year_pos.line ? c.year_pos : SourcePos{label, 1, 1}, "WF0107",
                  "de kalender is voor schooljaar '" + c.year + "', het adres zegt '" + year + "'");
          problems.push_back(d.all().front().to_string());
        }
      }
    }
    LoadResult result = with_calendar(*base, label, req.body);
    Array warnings;
    for (const auto& d : result.diagnostics.sorted()) {
      if (d.severity == Severity::kError)
        problems.push_back(d.to_string());
      else
        warnings.emplace_back(d.to_string());
    }
    if (!problems.empty() || !result.ok() || !result.definitions) {
      if (problems.empty())
        problems.push_back(label + ":1:1: error: de kalender kon niet gelezen worden");
      s.store.append_audit([&] {
        AuditEntry a =
            audit_of(s, req, "calendar.publish", "calendar", std::nullopt, track + "/" + year);
        a.outcome = "refused:invalid_calendar";
        return a;
      }());
      std::string all = join(problems, "\n");
      Object answer = error_object(
          DomainError{422,
                      "invalid_calendar",
                      "De kalender werd niet aanvaard; de actieve kalender blijft gelden.\n" + all,
                      {{"calendar", all}}});
      answer["problems"] = Array(problems.begin(), problems.end());
      return HttpResponse::json(422, std::move(answer));
    }
    AuditEntry audit =
        audit_of(s, req, "calendar.publish", "calendar", std::nullopt, track + "/" + year);
    s.store.save_calendar({track, year, label, req.body, audit.at, audit.actor}, audit);
    s.publish(std::shared_ptr<const DefinitionSet>(result.definitions));
    if (s.run_due_work) s.run_due_work();
    return HttpResponse::json(
        200,
        Object{{"ok", true}, {"calendar", track + "/" + year}, {"warnings", std::move(warnings)}});
  });

  router.add("PUT", "/api/v1/admin/clock", admin, [&s](HttpRequest& req) {
    if (!s.test_clock) return not_found("Dit adres bestaat niet.");
    auto body = json_object_body(req);
    if (!body) return body.error();
    const Value& now = (*body)["now"];
    std::optional<Instant> to = now.is_string() ? parse_instant(now.as_string()) : std::nullopt;
    if (!to) return validation_error({{"now", "Geef een tijdstip als 2025-09-05T12:00:00+02:00."}});
    auto set = s.test_clock->set(*to);
    if (!set)
      return HttpResponse::error(
          DomainError{422, "clock_backwards", set.error(), {{"now", set.error()}}});
    s.store.append_audit(audit_of(s, req, "clock.set", "clock", std::nullopt, format_iso(*to)));
    if (s.run_due_work) s.run_due_work();
    return HttpResponse::json(200, Object{{"ok", true}, {"now", format_iso(s.clock.now())}});
  });
}

}  // namespace

void add_api_routes(Router& router, Services& services) {
  add_session_routes(router, services);
  add_org_routes(router, services);
  add_contact_routes(router, services);
  add_request_routes(router, services);
  add_admin_routes(router, services);
}

}  // namespace stagematch

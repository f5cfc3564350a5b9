// Requests over the JSON API: a school registers, edits, deletes and stops its students; a
// service (or the admin) changes its status for a request; everyone reads the list of a track
// as their role may see it. Matching does the work and decides what each reader sees.
#include <algorithm>
#include <set>

#include "api_handlers.hpp"
#include "api_support.hpp"

namespace stagematch::api {

namespace {

const std::vector<std::string>& transport_codes() {
  static const std::vector<std::string> kCodes = {"auto", "bromfiets", "elektrische_fiets", "fiets",
                                                  "openbaar_vervoer"};
  return kCodes;
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

// The codes of a comma-separated query list, each one of `allowed`; refused in `fields` as
// `key` otherwise.
std::vector<std::string> query_codes(const HttpRequest& req, const std::string& key,
                                     const std::vector<std::string>& allowed,
                                     const std::string& what, Fields& fields) {
  std::vector<std::string> out;
  for (auto& code : split_list(req.query_value(key))) {
    if (!contains(allowed, code)) {
      fields[key] = "Kies " + what + " uit: " + join(allowed, ", ") + ".";
      break;
    }
    out.push_back(code);
  }
  return out;
}

// A whole number of the query from `lo` to `hi`; `fallback` when absent, refused when not.
int query_number(const HttpRequest& req, const char* key, int lo, int hi, int fallback,
                 const std::string& message, Fields& fields) {
  std::string text = req.query_value(key);
  if (text.empty()) return fallback;
  auto n = parse_id(text);
  if (!n || *n < lo || *n > hi) {
    fields[key] = message;
    return fallback;
  }
  return static_cast<int>(*n);
}

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

// The body of a status change's list of periods, refused in `fields` when not one.
std::vector<int> periods_of(const Value& periods, Fields& fields) {
  std::vector<int> out;
  if (periods.is_null()) return out;
  bool good = periods.is_array();
  if (good)
    for (const auto& p : periods.as_array()) {
      if (!p.is_int() || p.as_int() < 0 || p.as_int() > 100) {
        good = false;
        break;
      }
      out.push_back(static_cast<int>(p.as_int()));
    }
  if (!good) fields["periods"] = "Geef de periodes als lijst van volgnummers, bv. [0, 1].";
  return out;
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
  in.periods = periods_of(body["periods"], fields);
  if (auto notes = text_member(body, "notes", fields, "Notities zijn tekst.")) in.notes = *notes;
  if (auto reason = text_member(body, "reason", fields, "De reden is tekst.")) in.reason = *reason;
  if (!fields.empty()) return std::unexpected(validation_error(std::move(fields)));
  return in;
}

}  // namespace

std::optional<Id> request_id(const HttpRequest& req) { return parse_id(req.param("id")); }

HttpResponse request_not_found() {
  return not_found("Deze aanvraag bestaat niet of je hebt er geen toegang toe.");
}

std::expected<ListInput, HttpResponse> list_input(Services& s, const HttpRequest& req,
                                                  const std::string& track) {
  const Workflow* workflow = s.definitions()->workflow(track);
  ListInput in;
  Fields fields;
  if (std::string year = req.query_value("year"); !year.empty()) {
    if (is_school_year(year))
      in.year = year;
    else
      fields["year"] = "Geef een schooljaar als 2025-2026.";
  }
  if (std::string tab = req.query_value("tab"); !tab.empty()) {
    if (tab == list_tab::kOpen || tab == list_tab::kAccepted)
      in.tab = tab;
    else
      fields["tab"] = "Kies het tabblad open of accepted.";
  }
  in.name = trim(req.query_value("name"));
  if (in.name.size() > 100) fields["name"] = "Zoek op hoogstens 100 tekens.";
  in.provinces = query_codes(req, "province",
                             field_values(workflow, "province", Organisations::province_codes()),
                             "provincies", fields);
  if (std::string school = req.query_value("school"); !school.empty()) {
    in.school = parse_id(school);
    if (!in.school) fields["school"] = "Kies een school uit de lijst.";
  }
  in.postal_code = trim(req.query_value("postal_code"));
  if (!in.postal_code.empty() &&
      (in.postal_code.size() > 4 ||
       in.postal_code.find_first_not_of("0123456789") != std::string::npos))
    fields["postal_code"] = "Geef een postcode of het begin ervan: 1 tot 4 cijfers.";
  in.transport =
      query_codes(req, "transport", field_values(workflow, "transport", transport_codes()),
                  "vervoersmiddelen", fields);
  in.sort = req.query_value("sort");
  if (!in.sort.empty() &&
      !contains({"name", "-name", "postal_code", "-registered_at", "afstand"}, in.sort))
    fields["sort"] = "Sorteer op name, -name, postal_code, -registered_at of afstand.";
  in.page = query_number(req, "page", 1, 1000000, 1, "Geef een paginanummer vanaf 1.", fields);
  in.page_size =
      query_number(req, "page_size", 1, 500, 50, "Geef een paginagrootte van 1 tot 500.", fields);
  if (!fields.empty()) return std::unexpected(validation_error(std::move(fields)));
  return in;
}

HttpResponse page_answer(const DomainResult<ListOutput>& out, int page, int page_size) {
  if (!out) return HttpResponse::error(out.error());
  HttpResponse res = HttpResponse::json(
      200,
      Object{{"items", Array{}}, {"total", out->total}, {"page", page}, {"page_size", page_size}});
  // The items are written into the empty list, each with its distance and hint added to its
  // own JSON: a service's items are shared with every other service's pages and are not copied.
  std::string items;
  for (std::size_t i = 0; i < out->items.size(); ++i) {
    std::string item = out->items[i].to_json();
    if (out->distances && i < out->distances->size() && item.size() > 2 && item.back() == '}') {
      const ListDistance& d = (*out->distances)[i];
      item.pop_back();
      item += ",\"distance_km\":" + d.km.to_json();
      if (!d.hint.empty()) item += ",\"transport_hint\":" + Value(d.hint).to_json();
      item += '}';
    }
    items += (i == 0 ? "" : ",") + item;
  }
  const std::string empty = "\"items\":[]";
  if (auto at = res.body.find(empty); at != std::string::npos)
    res.body.replace(at, empty.size(), "\"items\":[" + items + "]");
  return res;
}

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

HttpResponse register_request(Services& s, HttpRequest& req) {
  auto body = json_object_body(req);
  if (!body) return body.error();
  auto done =
      s.matching.register_request(req.actor(), req.param("track"), request_fields(s, *body));
  if (!done) return HttpResponse::error(done.error());
  Object answer{{"id", done->id}, {"warnings", warnings_json(done->warnings)}};
  if (done->visible_from) {
    answer["visible_from"] = format_iso(*done->visible_from);
    answer["notice"] = done->notice;
  }
  auto res = HttpResponse::json(201, std::move(answer));
  res.headers.emplace_back("Location", "/api/v1/requests/" + std::to_string(done->id));
  return res;
}

HttpResponse list_requests(Services& s, HttpRequest& req) {
  const std::string track = req.param("track");
  if (!s.definitions()->workflow(track)) return not_found("Dit traject bestaat niet.");
  auto in = list_input(s, req, track);
  if (!in) return in.error();
  in->distances_apart = true;
  return page_answer(s.matching.list_requests(req.actor(), track, *in), in->page, in->page_size);
}

HttpResponse view_request(Services& s, HttpRequest& req) {
  auto id = request_id(req);
  if (!id) return request_not_found();
  auto item = s.matching.view_request(req.actor(), *id);
  if (!item) return HttpResponse::error(item.error());
  return HttpResponse::json(200, *item);
}

HttpResponse edit_request(Services& s, HttpRequest& req) {
  auto id = request_id(req);
  if (!id) return request_not_found();
  auto body = json_object_body(req);
  if (!body) return body.error();
  std::optional<int> version;
  if (const Value& v = (*body)["version"]; v.is_int() && v.as_int() > 0 && v.as_int() < 1000000000)
    version = static_cast<int>(v.as_int());
  auto done = s.matching.edit_request(req.actor(), *id, request_fields(s, *body), version);
  if (!done) return HttpResponse::error(done.error());
  return HttpResponse::json(200, Object{{"ok", true}, {"warnings", warnings_json(*done)}});
}

HttpResponse delete_request(Services& s, HttpRequest& req) {
  auto id = request_id(req);
  if (!id) return request_not_found();
  auto done = s.matching.delete_request(req.actor(), *id);
  if (!done) return HttpResponse::error(done.error());
  return HttpResponse::no_content();
}

HttpResponse stop_request(Services& s, HttpRequest& req) {
  auto id = request_id(req);
  if (!id) return request_not_found();
  auto done = s.matching.stop_request(req.actor(), *id);
  if (!done) return HttpResponse::error(done.error());
  return ok();
}

HttpResponse change_status(Services& s, HttpRequest& req) {
  auto id = request_id(req);
  if (!id) return request_not_found();
  auto body = json_object_body(req);
  if (!body) return body.error();
  auto in = status_input(*body);
  if (!in) return in.error();
  auto done = s.matching.change_status(req.actor(), *id, *in);
  if (!done) return HttpResponse::error(done.error());
  return ok();
}

}  // namespace stagematch::api

#include "pages_common.hpp"

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>

namespace stagematch {

namespace {

struct StaticFile {
  std::string_view name;
  std::string_view content_type;
};

// The only files GET /static/{file} serves: a name outside this list is a 404, so no path
// (../, encoded slashes, absolute names) ever reaches the file system.
constexpr StaticFile kStaticFiles[] = {
    {"app.css", "text/css; charset=utf-8"},
    {"favicon.svg", "image/svg+xml"},
};

std::filesystem::path static_dir_for(const std::string& templates_dir) {
  std::filesystem::path dir = std::filesystem::path(templates_dir).lexically_normal();
  if (!dir.has_filename()) dir = dir.parent_path();  // "web/templates/" -> "web/templates"
  return dir.parent_path() / "static";
}

bool under(const std::string& path, const std::string& prefix) {
  return path == prefix || path.starts_with(prefix + "/");
}

}  // namespace

PageKit::PageKit(Services& services)
    : services_(services),
      renderer_(services.templates_dir),
      static_dir_(static_dir_for(services.templates_dir)) {}

Array PageKit::menu(const HttpRequest& req) const {
  std::vector<std::pair<std::string, std::string>> items;  // href, label
  const std::string& role = req.user->role;
  auto defs = definitions();
  if (role == role::kSchool) {
    if (req.user->org_id)
      if (auto org = services_.engine.organisations.find(*req.user->org_id))
        for (const auto& track : org->tracks)
          if (defs->workflow(track))
            items.emplace_back("/school/" + track, track_label(*defs, track));
    items.emplace_back("/school/contactpersonen", "Contactpersonen");
  } else if (role == role::kService) {
    for (const auto& [name, workflow] : defs->workflows)
      items.emplace_back("/dienst/" + name, workflow.label.empty() ? name : workflow.label);
    items.emplace_back("/dienst/contactpersonen", "Contactpersonen");
    items.emplace_back("/plaatsen", "Plaatsen");
    items.emplace_back("/dienst/locaties", "Locaties");
  } else if (role == role::kAdmin) {
    items = {{"/admin", "Overzicht"},
             {"/admin/aanvragen", "Aanvragen"},
             {"/admin/zoeken", "Zoeken"},
             {"/admin/organisaties", "Organisaties"},
             {"/admin/uitnodigingen", "Uitnodigingen"},
             {"/admin/kalenders", "Kalenders"},
             {"/admin/audit", "Audit"},
             {"/admin/mails", "Mails"},
             {"/admin/privacy", "Privacy"}};
  }
  items.emplace_back("/agenda", "Agenda");
  Array out;
  for (const auto& [href, label] : items) {
    bool current = href == "/admin" ? req.path == href : under(req.path, href);
    // One request (/admin/aanvraag/{id}) belongs under the lists it is opened from.
    if (href == "/admin/aanvragen" && under(req.path, "/admin/aanvraag")) current = true;
    out.push_back(Object{{"href", href}, {"label", label}, {"current", current}});
  }
  return out;
}

Object PageKit::frame(const HttpRequest& req, const std::string& title) const {
  const Helpdesk& help = services_.helpdesk;
  Object frame{{"title", title},
               {"user", nullptr},
               {"csrf", req.csrf_token},
               {"helpdesk", Object{{"email", help.email},
                                   {"phone", help.phone},
                                   {"hours", help.hours},
                                   {"info_url", help.info_url}}}};
  if (req.user) {
    const char* role = req.user->role == role::kSchool    ? "school"
                       : req.user->role == role::kService ? "dienst"
                                                          : "VIVO";
    std::string org_name;
    if (req.user->org_id)
      if (auto org = services_.engine.organisations.find(*req.user->org_id)) org_name = org->name;
    frame["user"] = Object{{"email", req.user->email},
                           {"role", role},
                           {"org", text_or_null(org_name)},
                           {"menu", menu(req)}};
  }
  return frame;
}

HttpResponse PageKit::page(const HttpRequest& req, int status, const std::string& tmpl,
                           const std::string& title, Object data) const {
  Object all = frame(req, title);
  for (auto& [key, value] : data) all[key] = std::move(value);
  return HttpResponse::html(status, renderer_.render(tmpl, Value(std::move(all))));
}

HttpResponse PageKit::page(const HttpRequest& req, int status, const std::string& tmpl,
                           const std::string& title, Object data, const Pieces& pieces) const {
  // A mark no text of a page holds: control characters the pages never write, and a random part
  // chosen when the program starts, so that no stored text (a name, an address) can be one.
  static const std::string kSecret = [] {
    std::random_device random;
    std::string out;
    for (int i = 0; i < 4; ++i) out += std::to_string(random());
    return out;
  }();
  const auto mark = [](std::size_t i) {
    return "\x1fpiece" + kSecret + '-' + std::to_string(i) + '\x1f';
  };
  for (std::size_t i = 0; i < pieces.size(); ++i) data[pieces[i].first] = mark(i);
  HttpResponse res = page(req, status, tmpl, title, std::move(data));
  std::vector<std::pair<std::size_t, std::size_t>> found;  // where each shown mark is; its piece
  std::size_t size = res.body.size();
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    if (const std::size_t at = res.body.find(mark(i)); at != std::string::npos) {
      found.emplace_back(at, i);
      size += pieces[i].second ? pieces[i].second->size() : 0;
    }
  }
  std::sort(found.begin(), found.end());
  std::string body;
  body.reserve(size);
  std::size_t from = 0;
  for (const auto& [at, i] : found) {
    body.append(res.body, from, at - from);
    if (pieces[i].second) body.append(*pieces[i].second);
    from = at + mark(i).size();
  }
  body.append(res.body, from, std::string::npos);
  res.body = std::move(body);
  return res;
}

HttpResponse PageKit::message(const HttpRequest& req, int status, const std::string& title,
                              const std::string& text, const std::string& link_href,
                              const std::string& link_label) const {
  return page(req, status, "message", title,
              Object{{"heading", title},
                     {"text", text},
                     {"link", Object{{"href", link_href}, {"label", link_label}}}});
}

HttpResponse PageKit::not_found(const HttpRequest& req) const {
  return message(req, 404, "Niet gevonden",
                 "Deze pagina bestaat niet, of je hebt er geen toegang toe.");
}

HttpResponse PageKit::refused(const HttpRequest& req, const DomainError& e,
                              const std::string& back_href) const {
  if (e.kind == ErrorKind::not_found) return not_found(req);
  std::string title = e.kind == ErrorKind::conflict ? "Niet gelukt" : "Dat kan niet";
  return message(req, http_status(e), title, e.message, back_href, "Terug");
}

HttpResponse PageKit::static_file(const HttpRequest& req) const {
  const std::string name = req.param("file");
  for (const auto& file : kStaticFiles) {
    if (file.name != name) continue;
    std::ifstream in(static_dir_ / std::string(file.name), std::ios::binary);
    if (!in) break;
    std::ostringstream body;
    body << in.rdbuf();
    HttpResponse res = HttpResponse::html(200, body.str());
    res.content_type = std::string(file.content_type);
    return res;
  }
  return not_found(req);
}

std::optional<Moment> PageKit::moment_now(const std::string& track, const std::string& year) const {
  auto defs = definitions();
  Instant now = services_.clock.now();
  const Calendar* calendar = year.empty() ? services_.matching.current_calendar(*defs, track, now)
                                          : defs->calendar(track, year);
  if (!calendar) return std::nullopt;
  return services_.matching.moment(defs, *calendar, now);
}

std::string PageKit::registration_closed(const std::string& track) const {
  auto defs = definitions();
  Instant now = services_.clock.now();
  for (const Calendar* calendar : defs->calendars_of(track)) {
    auto moment = services_.matching.moment(defs, *calendar, now);
    if (moment && moment->school_may_register) return "";
  }
  auto current = moment_now(track);
  if (current && !current->school_message.empty()) return current->school_message;
  return "Inschrijven kan nu niet in dit traject.";
}

std::string PageKit::registration_delayed(const std::string& track) const {
  auto defs = definitions();
  Instant now = services_.clock.now();
  std::string notice;
  for (const Calendar* calendar : defs->calendars_of(track)) {  // the latest open year wins
    auto moment = services_.matching.moment(defs, *calendar, now);
    if (moment && moment->school_may_register)
      notice = moment->school_visible_from ? moment->school_message : "";
  }
  return notice;
}

std::string date_nl(std::string_view iso_date) {
  if (iso_date.size() != 10 || iso_date[4] != '-' || iso_date[7] != '-')
    return std::string(iso_date);
  std::string out;
  out.append(iso_date.substr(8, 2)).append("/");
  out.append(iso_date.substr(5, 2)).append("/");
  out.append(iso_date.substr(0, 4));
  return out;
}

std::string instant_nl(std::string_view iso) {
  auto t = parse_instant(iso);
  return t ? format_local_nl(*t) : std::string(iso);
}

Value text_or_null(const std::string& s) { return s.empty() ? Value() : Value(s); }

std::string value_label(const FieldDef* field, const std::string& id) {
  if (field)
    for (const auto& [value, label] : field->values)
      if (value == id) return label;
  return id;
}

Value labels_view(const TrackLabels& labels) {
  Object out;
  for (const auto& [key, member] : TrackLabels::keys()) {
    out.emplace(std::string(key), labels.*member);
    out.emplace(capitalised(std::string(key)), capitalised(labels.*member));
  }
  return out;
}

std::string track_label(const DefinitionSet& defs, const std::string& track) {
  const Workflow* workflow = defs.workflow(track);
  return workflow && !workflow->label.empty() ? workflow->label : track;
}

std::string query_string(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string out;
  for (const auto& [key, value] : pairs) {
    if (value.empty()) continue;
    if (!out.empty()) out += '&';
    out += url_encode(key) + "=" + url_encode(value);
  }
  return out;
}

Value error_of(const std::map<std::string, std::string>& errors, const std::string& field) {
  auto found = errors.find(field);
  return found == errors.end() ? Value() : Value(found->second);
}

std::string full_name(const Value& item) {
  return trim(text_of(item["first_name"]) + " " + text_of(item["last_name"]));
}

std::string status_label(const Workflow& workflow, const std::string& status) {
  const StatusDef* def = workflow.status(status);
  return def && !def->label.empty() ? def->label : status;
}

std::string text_of(const Value& v) { return v.is_string() ? v.as_string() : std::string(); }

bool is_stopped(const Value& item) { return text_of(item["state"]) == request_state::kStopped; }

int page_number(const HttpRequest& req) {
  auto n = parse_id(req.query_value("pagina"));
  return n && *n > 0 && *n < 100000 ? static_cast<int>(*n) : 1;
}

Value paging(const std::string& base, int page, std::int64_t total, int size) {
  std::int64_t pages = std::max<std::int64_t>(1, (total + size - 1) / size);
  if (pages <= 1) return Value();
  auto href = [&base](int n) {
    return base + (base.find('?') == std::string::npos ? "?" : "&") + "pagina=" + std::to_string(n);
  };
  return Object{{"page", page},
                {"pages", pages},
                {"previous", page > 1 ? Value(href(page - 1)) : Value()},
                {"next", page < pages ? Value(href(page + 1)) : Value()}};
}

}  // namespace stagematch

#include "pages_admin_requests.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "admin_history.hpp"

namespace stagematch {

namespace {

constexpr int kPageSize = 50;

// The tabs of the list: page value (?tab=), ListInput::tab, Dutch label. Matching gives the
// admin stopped students on every tab; without a place they belong under "zonder stageplaats".
struct TabChoice {
  const char* page;
  const char* list;
  const char* label;
};
constexpr TabChoice kTabs[] = {
    {"", "", "Alle aanvragen"},
    {"open", "open", "Zonder stageplaats"},
    {"aanvaard", "accepted", "Aanvaard"},
};

// The list's GET form, with the query names the service's list uses for the same filters.
struct Filters {
  std::string tab;  // page value
  std::string name;
  std::string year;
  std::string school;
  std::vector<std::string> provinces;

  std::vector<std::pair<std::string, std::string>> page_query() const {
    std::vector<std::pair<std::string, std::string>> q;
    q.emplace_back("tab", tab);
    q.emplace_back("naam", name);
    q.emplace_back("jaar", year);
    q.emplace_back("school", school);
    for (const auto& p : provinces) q.emplace_back("provincie_" + p, "1");
    return q;
  }
};

const TabChoice& tab_of(const std::string& page_value) {
  for (const auto& t : kTabs)
    if (page_value == t.page) return t;
  return kTabs[0];
}

std::vector<std::string> years_of(const DefinitionSet& defs, const std::string& track) {
  std::vector<std::string> years;
  for (const Calendar* c : defs.calendars_of(track)) years.push_back(c->year);
  return years;
}

// Values outside the choices are dropped rather than refused: a hand-edited address still
// shows a list, just less filtered.
Filters read_filters(const HttpRequest& req, const Workflow& workflow,
                     const std::vector<std::string>& years) {
  Filters f;
  f.tab = tab_of(req.query_value("tab")).page;
  f.name = trim(req.query_value("naam"));
  const std::string year = req.query_value("jaar");
  if (std::find(years.begin(), years.end(), year) != years.end()) f.year = year;
  if (parse_id(req.query_value("school"))) f.school = req.query_value("school");
  if (const FieldDef* province = workflow.field("province"))
    for (const auto& [code, label] : province->values)
      if (req.query_value("provincie_" + code) == "1") f.provinces.push_back(code);
  return f;
}

Array filter_fields(const Workflow& workflow, const Filters& f,
                    const std::vector<std::string>& years,
                    const std::vector<Organisation>& schools) {
  Array fields;
  fields.push_back(input_field({"naam", "Naam", false, "", "", ""}, "search", f.name,
                               Object{{"autocomplete", "off"}}));
  Choices year_choices;
  for (const auto& y : years) year_choices.emplace_back(y, y);
  fields.push_back(select_field({"jaar", "Schooljaar", false, "", "", ""}, year_choices, f.year,
                                "Alle schooljaren"));
  Choices school_choices;
  for (const auto& s : schools) school_choices.emplace_back(std::to_string(s.id), s.name);
  fields.push_back(select_field({"school", "School", false, "", "", ""}, school_choices, f.school,
                                "Alle scholen"));
  if (const FieldDef* province = workflow.field("province"))
    fields.push_back(checks_field(
        {"provincie", "Provincie", false, "Niets aangevinkt: alle provincies.", "", ""},
        province->values, std::set<std::string>(f.provinces.begin(), f.provinces.end()), false,
        true));
  return fields;
}

// Where a request stands for the admin: accepted by a named service, stopped, or open.
struct Standing {
  std::string text;
  std::string badge;  // CSS modifier of the badge
};

Standing standing_of(const Value& item) {
  const Value& by = item["accepted_by"];
  if (by.is_object()) return {"Aanvaard door " + text_of(by["name"]), "ok"};
  if (is_stopped(item)) return {"Gestopt", "muted"};
  return {"Open", ""};
}

// The workflow's exclusive status (aanvaard), whose admin transition back to the initial status
// is the undo; empty when the track has none.
std::string exclusive_status(const Workflow& workflow) {
  for (const auto& s : workflow.statuses)
    if (s.exclusive) return s.id;
  return "";
}

std::string request_href(Id id) { return "/admin/aanvraag/" + std::to_string(id); }

// The helpdesk's search form as typed (query names naam, rijksregisternummer, traject, jaar,
// school) and the messages next to its fields.
struct SearchForm {
  std::string name;
  std::string national_number;
  std::string track;
  std::string year;
  std::string school;
  FieldMessages errors;
};

Array search_fields(const DefinitionSet& defs, const SearchForm& f,
                    const std::vector<Organisation>& schools) {
  Array fields;
  fields.push_back(input_field({"naam", "Naam", false, "Voornaam, familienaam of een deel ervan.",
                                message_of(f.errors, "naam"), ""},
                               "search", f.name, Object{{"autocomplete", "off"}}));
  fields.push_back(input_field({"rijksregisternummer", "Rijksregisternummer", false,
                                "Alle 11 cijfers, met of zonder punten en streepje.",
                                message_of(f.errors, "rijksregisternummer"), ""},
                               "text", f.national_number,
                               Object{{"autocomplete", "off"}, {"inputmode", "numeric"}}));
  Choices tracks;
  std::set<std::string> years;
  for (const auto& [id, workflow] : defs.workflows) {
    tracks.emplace_back(id, workflow.label.empty() ? id : workflow.label);
    for (const Calendar* c : defs.calendars_of(id)) years.insert(c->year);
  }
  fields.push_back(
      select_field({"traject", "Traject", false, "", message_of(f.errors, "traject"), ""}, tracks,
                   f.track, "Alle trajecten"));
  Choices year_choices;
  for (const auto& y : years) year_choices.emplace_back(y, y);
  fields.push_back(select_field({"jaar", "Schooljaar", false, "", message_of(f.errors, "jaar"), ""},
                                year_choices, f.year, "Alle schooljaren"));
  Choices school_choices;
  for (const auto& s : schools) school_choices.emplace_back(std::to_string(s.id), s.name);
  fields.push_back(select_field({"school", "School", false, "", "", ""}, school_choices, f.school,
                                "Alle scholen"));
  return fields;
}

// An audit action in words; the code itself stays next to it for whoever knows the log.
std::string action_text(const std::string& action) {
  static const std::map<std::string, std::string> kTexts = {
      {"request.register", "Ingeschreven"},
      {"request.edit", "Bewerkt door de school"},
      {"request.stop", "Gemarkeerd als gestopt"},
      {"request.delete", "Verwijderd"},
      {"status.change", "Status gewijzigd"},
      {"request.reveal", "Persoonsgegevens bekeken"},
      {"request.reveal_list", "Persoonsgegevens getoond in een lijst"},
      {"privacy.purge", "Persoonsgegevens gewist: bewaartermijn voorbij"},
      {"privacy.erase", "Persoonsgegevens gewist op verzoek"}};
  auto it = kTexts.find(action);
  return it != kTexts.end() ? it->second : action;
}

// The page's view of history_value(): dates in Dutch, counts as one line each.
Value history_rows(const Value& history) {
  Array services;
  for (const auto& s : history["services"].as_array()) {
    Array counts;
    for (const auto& c : s["counts"].as_array())
      counts.emplace_back(text_of(c["label"]) + ": " + std::to_string(c["count"].as_int()) +
                          " keer");
    services.push_back(Object{{"name", s["name"]},
                              {"status", s["status_label"]},
                              {"revealed", s["revealed"].as_bool() ? "ja" : "nee"},
                              {"changed", text_or_null(instant_nl(text_of(s["changed_at"])))},
                              {"counts", std::move(counts)}});
  }
  Array events;
  for (const auto& e : history["events"].as_array())
    events.push_back(Object{{"at", instant_nl(text_of(e["at"]))},
                            {"at_iso", e["at"]},
                            {"action", action_text(text_of(e["action"]))},
                            {"code", e["action"]},
                            {"who", e["who"]},
                            {"user", e["user"]},
                            {"refused", text_of(e["outcome"]) != "ok"},
                            {"outcome", e["outcome"]},
                            {"detail", e["detail"]}});
  return Object{{"services", std::move(services)}, {"events", std::move(events)}};
}

}  // namespace

HttpResponse AdminRequestPages::first_track(HttpRequest& req) const {
  auto defs = kit_.definitions();
  if (defs->workflows.empty()) return kit_.not_found(req);
  return HttpResponse::redirect("/admin/aanvragen/" + defs->workflows.begin()->first);
}

HttpResponse AdminRequestPages::list(HttpRequest& req) const {
  const std::string track = req.param("track");
  auto defs = kit_.definitions();
  const Workflow* workflow = defs->workflow(track);
  if (!workflow) return kit_.not_found(req);
  const std::vector<std::string> years = years_of(*defs, track);
  Filters f = read_filters(req, *workflow, years);
  ListInput in;
  in.tab = tab_of(f.tab).list;
  in.name = f.name;
  if (!f.year.empty()) in.year = f.year;
  if (auto school = parse_id(f.school)) in.school = *school;
  in.provinces = f.provinces;
  in.page = page_number(req);
  in.page_size = kPageSize;
  auto list = kit_.services().matching.list_requests(req.actor(), track, in);
  if (!list) return kit_.refused(req, list.error(), "/admin");

  Array rows;
  for (const auto& item : list->items) {
    Standing standing = standing_of(item);
    rows.push_back(
        Object{{"name", full_name(item)},
               {"href", request_href(item["id"].as_int())},
               {"school", item["school"]["name"]},
               {"year", item["year"]},
               {"province", value_label(workflow->field("province"), text_of(item["province"]))},
               {"status", standing.text},
               {"badge", text_or_null(standing.badge)},
               {"registered", instant_nl(text_of(item["registered_at"]))},
               {"registered_iso", text_or_null(text_of(item["registered_at"]))}});
  }

  const std::string base = "/admin/aanvragen/" + track;
  auto href_with = [&base](const Filters& filters) {
    std::string q = query_string(filters.page_query());
    return base + (q.empty() ? "" : "?" + q);
  };
  Array tracks;  // the same tab on another track; the filters belong to this track's fields
  for (const auto& [name, other] : defs->workflows) {
    std::string href = "/admin/aanvragen/" + name + (f.tab.empty() ? "" : "?tab=" + f.tab);
    tracks.push_back(Object{{"href", href},
                            {"label", other.label.empty() ? name : other.label},
                            {"current", name == track}});
  }
  Array tabs;
  for (const auto& t : kTabs) {
    Filters tab = f;
    tab.tab = t.page;
    tabs.push_back(
        Object{{"href", href_with(tab)}, {"label", t.label}, {"current", f.tab == t.page}});
  }
  const std::string title = "Aanvragen " + track_label(*defs, track);
  return kit_.page(
      req, 200, "admin_requests", title,
      Object{{"heading", title},
             {"tracks", std::move(tracks)},
             {"tabs", std::move(tabs)},
             {"tab_label", tab_of(f.tab).label},
             {"action", base},
             {"tab_value", text_or_null(f.tab)},
             {"filters", filter_fields(*workflow, f, years,
                                       kit_.services().engine.organisations.list("school"))},
             {"reset_href", f.tab.empty() ? base : base + "?tab=" + f.tab},
             {"total", list->total},
             {"rows", std::move(rows)},
             {"paging", paging(href_with(f), in.page, list->total, kPageSize)}});
}

HttpResponse AdminRequestPages::detail_page(const HttpRequest& req, int status, Id id,
                                            const std::string& notice, const ReasonForm& undo_form,
                                            const ReasonForm& stop_form) const {
  auto history = kit_.services().matching.request_history(req.actor(), id);
  if (!history) return kit_.refused(req, history.error(), "/admin/aanvragen");
  const Value& item = history->request;
  auto defs = kit_.definitions();
  const std::string track = text_of(item["track"]);
  const Workflow* workflow = defs->workflow(track);
  if (!workflow) return kit_.not_found(req);

  Value accepted;
  Value undo;
  Value stop;
  const Value& by = item["accepted_by"];
  if (by.is_object()) {
    accepted = Object{{"service", by["name"]},
                      {"at", instant_nl(text_of(item["accepted_at"]))},
                      {"periods", accepted_periods(item)},
                      {"mentor", mentor_of(item)},
                      {"notes", text_or_null(text_of(item["notes"]))}};
    // Offered only where the workflow has the admin's way back, so a track without one shows
    // no form that could only be refused.
    const StatusDef* initial = workflow->initial_status();
    const std::string aanvaard = exclusive_status(*workflow);
    if (initial && !aanvaard.empty() && workflow->transition(aanvaard, initial->id, "admin"))
      undo = Object{
          {"action", request_href(id) + "/ongedaan"},
          {"service", by["name"]},
          {"field", textarea_field({"reason", "Reden", true,
                                    "Bijvoorbeeld: de dienst aanvaardde de verkeerde student. "
                                    "De reden komt in de auditlog en in de mail aan de dienst "
                                    "en de school.",
                                    undo_form.error, ""},
                                   undo_form.reason)}};
  } else if (!is_stopped(item)) {
    stop = Object{{"action", request_href(id) + "/gestopt"},
                  {"field", textarea_field({"reason", "Reden", true,
                                            "Bijvoorbeeld: de school meldt dat de student de "
                                            "opleiding stopzette. De reden komt in de auditlog.",
                                            stop_form.error, ""},
                                           stop_form.reason)}};
  }
  Standing standing = standing_of(item);
  const AuditNames names(
      kit_.services().engine.organisations.users(req.actor()).value_or(std::vector<User>{}),
      kit_.services().engine.organisations.list(""));
  const std::vector<Organisation> services = kit_.services().engine.organisations.list("service");
  const std::string error =
      !undo_form.error.empty()   ? "De aanvaarding werd niet ongedaan gemaakt. Kijk het aangeduide "
                                   "veld na."
      : !stop_form.error.empty() ? "De student werd niet als gestopt gemarkeerd. Kijk het "
                                   "aangeduide veld na."
                                 : "";
  return kit_.page(
      req, status, "admin_request", full_name(item),
      Object{{"heading", full_name(item)},
             {"school", item["school"]["name"]},
             {"back", "/admin/aanvragen/" + track},
             {"track_label", track_label(*defs, track)},
             {"year", item["year"]},
             {"registered", instant_nl(text_of(item["registered_at"]))},
             {"status", standing.text},
             {"badge", text_or_null(standing.badge)},
             {"notice", text_or_null(notice)},
             {"error", text_or_null(error)},
             {"accepted", std::move(accepted)},
             {"undo", std::move(undo)},
             {"stop", std::move(stop)},
             {"history", history_rows(history_value(*workflow, *history, names, services))},
             {"sections", request_display(*workflow, item, services)}});
}

HttpResponse AdminRequestPages::detail(HttpRequest& req) const {
  auto id = parse_id(req.param("id"));
  if (!id) return kit_.not_found(req);
  std::string notice;
  if (req.query_value("ongedaan") == "1")
    notice =
        "De aanvaarding werd ongedaan gemaakt. De student staat opnieuw open voor alle diensten; "
        "de reden staat in de auditlog en de dienst en de school krijgen een mail.";
  if (req.query_value("gestopt") == "1")
    notice =
        "De student is als gestopt gemarkeerd en verdwijnt uit de lijsten van de diensten; de "
        "reden staat in de auditlog.";
  return detail_page(req, 200, *id, notice, ReasonForm{}, ReasonForm{});
}

HttpResponse AdminRequestPages::undo_acceptance(HttpRequest& req) const {
  auto id = parse_id(req.param("id"));
  if (!id) return kit_.not_found(req);
  ReasonForm form;
  form.reason = trim(req.form()["reason"]);
  // The status to go back to is the track's initial one, as the API's caller names it.
  auto item = kit_.services().matching.view_request(req.actor(), *id);
  if (!item) return kit_.refused(req, item.error(), "/admin/aanvragen");
  const Workflow* workflow = kit_.definitions()->workflow(text_of((*item)["track"]));
  if (!workflow || !workflow->initial_status()) return kit_.not_found(req);
  // The domain decides whether a reason is missing (the transition's `requires: [reason]`), so
  // the page holds no second copy of that rule; a refusal naming the field comes back here.
  auto done = kit_.services().matching.change_status(
      req.actor(), *id, StatusInput{workflow->initial_status()->id, {}, {}, "", form.reason});
  if (!done) return refused_with_reason(req, *id, done.error(), form, true);
  return HttpResponse::redirect(request_href(*id) + "?ongedaan=1");
}

HttpResponse AdminRequestPages::stop(HttpRequest& req) const {
  auto id = parse_id(req.param("id"));
  if (!id) return kit_.not_found(req);
  ReasonForm form;
  form.reason = trim(req.form()["reason"]);
  auto done = kit_.services().matching.stop_by_admin(req.actor(), *id, form.reason);
  if (!done) return refused_with_reason(req, *id, done.error(), form, false);
  return HttpResponse::redirect(request_href(*id) + "?gestopt=1");
}

HttpResponse AdminRequestPages::refused_with_reason(const HttpRequest& req, Id id,
                                                    const DomainError& e, ReasonForm form,
                                                    bool undo) const {
  auto reason = e.fields.find("reason");
  if (reason == e.fields.end()) return kit_.refused(req, e, request_href(id));
  form.error = reason->second;
  return undo ? detail_page(req, http_status(e), id, "", form, ReasonForm{})
              : detail_page(req, http_status(e), id, "", ReasonForm{}, form);
}

HttpResponse AdminRequestPages::search(HttpRequest& req) const {
  // The form is posted: a national register number never stands in an address (proxies' access
  // logs, browser history). A GET (a paging link, a bookmark) searches on the other fields only.
  const bool posted = req.method == "POST";
  auto value = [&](const std::string& name) {
    return posted ? req.form()[name] : req.query_value(name);
  };
  auto defs = kit_.definitions();
  SearchForm f{trim(value("naam")), posted ? trim(value("rijksregisternummer")) : "",
               value("traject"),    value("jaar"),
               value("school"),     {}};
  const bool asked = !f.name.empty() || !f.national_number.empty() || !f.track.empty() ||
                     !f.year.empty() || !f.school.empty();
  Array rows;
  std::int64_t total = 0;
  int page = page_number(req);
  if (asked) {
    SearchInput in{f.name, f.national_number, f.track, f.year, parse_id(f.school), page, kPageSize};
    auto found = kit_.services().matching.search_requests(req.actor(), in);
    if (!found && found.error().fields.empty()) return kit_.refused(req, found.error(), "/admin");
    if (found) {
      total = found->total;
      for (const auto& item : found->items) {
        Standing standing = standing_of(item);
        rows.push_back(Object{{"name", full_name(item)},
                              {"href", request_href(item["id"].as_int())},
                              {"track", track_label(*defs, text_of(item["track"]))},
                              {"school", item["school"]["name"]},
                              {"year", item["year"]},
                              {"status", standing.text},
                              {"badge", text_or_null(standing.badge)}});
      }
    } else {
      // The query names of the form for the domain's field names.
      static const std::map<std::string, std::string> kFieldNames = {
          {"name", "naam"},
          {"national_number", "rijksregisternummer"},
          {"track", "traject"},
          {"year", "jaar"}};
      for (const auto& [field, message] : found.error().fields)
        if (auto name = kFieldNames.find(field); name != kFieldNames.end())
          f.errors[name->second] = message;
    }
  }
  const std::string q = query_string(
      {{"naam", f.name}, {"traject", f.track}, {"jaar", f.year}, {"school", f.school}});
  return kit_.page(
      req, f.errors.empty() ? 200 : 422, "admin_search", "Aanvragen zoeken",
      Object{
          {"fields", search_fields(*defs, f, kit_.services().engine.organisations.list("school"))},
          {"asked", asked && f.errors.empty()},
          {"error", f.errors.empty() ? Value()
                                     : Value("Er werd niet gezocht. Kijk het aangeduide veld na.")},
          {"total", total},
          {"rows", std::move(rows)},
          // Paging links are addresses, so a search by national number has none: it finds one
          // student, in a few school years at most.
          {"paging",
           f.national_number.empty()
               ? paging("/admin/zoeken" + (q.empty() ? "" : "?" + q), page, total, kPageSize)
               : Value()}});
}

}  // namespace stagematch

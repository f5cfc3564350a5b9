#include "pages_admin_requests.hpp"

#include <algorithm>

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
  return kit_.page(req, 200, "admin_requests", title,
                   Object{{"heading", title},
                          {"tracks", std::move(tracks)},
                          {"tabs", std::move(tabs)},
                          {"tab_label", tab_of(f.tab).label},
                          {"action", base},
                          {"tab_value", text_or_null(f.tab)},
                          {"filters", filter_fields(*workflow, f, years,
                                                    kit_.services().store.organisations("school"))},
                          {"reset_href", f.tab.empty() ? base : base + "?tab=" + f.tab},
                          {"total", list->total},
                          {"rows", std::move(rows)},
                          {"paging", paging(href_with(f), in.page, list->total, kPageSize)}});
}

HttpResponse AdminRequestPages::detail_page(const HttpRequest& req, int status, Id id,
                                            const std::string& notice, const UndoForm& form) const {
  auto item = kit_.services().matching.view_request(req.actor(), id);
  if (!item) return kit_.refused(req, item.error(), "/admin/aanvragen");
  auto defs = kit_.definitions();
  const std::string track = text_of((*item)["track"]);
  const Workflow* workflow = defs->workflow(track);
  if (!workflow) return kit_.not_found(req);

  Value accepted;
  Value undo;
  const Value& by = (*item)["accepted_by"];
  if (by.is_object()) {
    accepted = Object{{"service", by["name"]},
                      {"at", instant_nl(text_of((*item)["accepted_at"]))},
                      {"periods", accepted_periods(*item)},
                      {"mentor", mentor_of(*item)},
                      {"notes", text_or_null(text_of((*item)["notes"]))}};
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
                                    "De reden komt in de auditlog.",
                                    form.error, ""},
                                   form.reason)}};
  }
  Standing standing = standing_of(*item);
  return kit_.page(
      req, status, "admin_request", full_name(*item),
      Object{{"heading", full_name(*item)},
             {"school", (*item)["school"]["name"]},
             {"back", "/admin/aanvragen/" + track},
             {"track_label", track_label(*defs, track)},
             {"year", (*item)["year"]},
             {"registered", instant_nl(text_of((*item)["registered_at"]))},
             {"status", standing.text},
             {"badge", text_or_null(standing.badge)},
             {"notice", text_or_null(notice)},
             {"error", form.error.empty()
                           ? Value()
                           : Value("De aanvaarding werd niet ongedaan gemaakt. Kijk het "
                                   "aangeduide veld na.")},
             {"accepted", std::move(accepted)},
             {"undo", std::move(undo)},
             {"sections",
              request_display(*workflow, *item, kit_.services().store.organisations("service"))}});
}

HttpResponse AdminRequestPages::detail(HttpRequest& req) const {
  auto id = parse_id(req.param("id"));
  if (!id) return kit_.not_found(req);
  std::string notice;
  if (req.query_value("ongedaan") == "1")
    notice =
        "De aanvaarding werd ongedaan gemaakt. De student staat opnieuw open voor alle diensten; "
        "de reden staat in de auditlog.";
  return detail_page(req, 200, *id, notice, UndoForm{});
}

HttpResponse AdminRequestPages::undo_acceptance(HttpRequest& req) const {
  auto id = parse_id(req.param("id"));
  if (!id) return kit_.not_found(req);
  UndoForm form;
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
  if (!done) {
    const DomainError& e = done.error();
    if (auto reason = e.fields.find("reason"); reason != e.fields.end()) {
      form.error = reason->second;
      return detail_page(req, e.http_status, *id, "", form);
    }
    return kit_.refused(req, e, request_href(*id));
  }
  return HttpResponse::redirect(request_href(*id) + "?ongedaan=1");
}

}  // namespace stagematch

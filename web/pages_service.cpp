#include "pages_service.hpp"

#include <algorithm>
#include <charconv>
#include <functional>
#include <map>

namespace stagematch {

namespace {

constexpr int kPageSize = 50;
constexpr const char* kAlreadyAccepted =
    "Deze student werd intussen al aanvaard door een andere dienst.";

// The sorts of SPEC.md: page value, API value, Dutch label.
struct SortChoice {
  const char* page;
  const char* api;
  const char* label;
};
constexpr SortChoice kSorts[] = {
    {"", "", "Provincie, postcode, achternaam"},
    {"naam", "name", "Naam a-z"},
    {"naam-za", "-name", "Naam z-a"},
    {"postcode", "postal_code", "Postcode"},
    {"recent", "-registered_at", "Datum van inschrijving (nieuwste eerst)"},
    {"afstand", "afstand", "Afstand (dichtstbij eerst)"},
};

// The filters as the page's GET form sends them, and the same as the API's query.
struct Filters {
  bool accepted_tab = false;
  std::string name;
  std::vector<std::string> provinces;
  std::string school;
  std::string postal_code;
  std::vector<std::string> transport;
  std::string sort;  // page value

  std::vector<std::pair<std::string, std::string>> page_query() const {
    std::vector<std::pair<std::string, std::string>> q;
    if (accepted_tab) q.emplace_back("tab", "aanvaard");
    q.emplace_back("naam", name);
    for (const auto& p : provinces) q.emplace_back("provincie_" + p, "1");
    q.emplace_back("school", school);
    q.emplace_back("postcode", postal_code);
    for (const auto& t : transport) q.emplace_back("vervoer_" + t, "1");
    q.emplace_back("sorteer", sort);
    return q;
  }
};

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

const char* api_sort(const std::string& page_value) {
  for (const auto& s : kSorts)
    if (page_value == s.page) return s.api;
  return "";
}

Filters read_filters(const HttpRequest& req, const Workflow& workflow) {
  Filters f;
  f.accepted_tab = req.query_value("tab") == "aanvaard";
  f.name = trim(req.query_value("naam"));
  if (const FieldDef* province = workflow.field("province"))
    for (const auto& [code, label] : province->values)
      if (req.query_value("provincie_" + code) == "1") f.provinces.push_back(code);
  if (parse_id(req.query_value("school"))) f.school = req.query_value("school");
  f.postal_code = trim(req.query_value("postcode"));
  if (const FieldDef* transport = workflow.field("transport"))
    for (const auto& [code, label] : transport->values)
      if (req.query_value("vervoer_" + code) == "1") f.transport.push_back(code);
  f.sort = req.query_value("sorteer");
  if (std::string(api_sort(f.sort)).empty()) f.sort.clear();
  return f;
}

Array filter_fields(const Workflow& workflow, const Filters& f,
                    const std::vector<Organisation>& schools) {
  Array fields;
  fields.push_back(input_field({"naam", "Naam", false, "", "", ""}, "search", f.name,
                               Object{{"autocomplete", "off"}}));
  if (const FieldDef* province = workflow.field("province"))
    fields.push_back(checks_field(
        {"provincie", "Provincie", false, "Niets aangevinkt: alle provincies.", "", ""},
        province->values, std::set<std::string>(f.provinces.begin(), f.provinces.end()), false,
        true));
  Choices school_choices;
  for (const auto& s : schools) school_choices.emplace_back(std::to_string(s.id), s.name);
  const TrackLabels& words = workflow.labels;
  fields.push_back(select_field({"school", capitalised(words.organisation), false, "", "", ""},
                                school_choices, f.school, "Alle " + words.organisations));
  fields.push_back(
      input_field({"postcode", "Postcode", false,
                   "Een volledige postcode, of de eerste cijfers voor een regio "
                   "(bijvoorbeeld 25).",
                   "", ""},
                  "text", f.postal_code,
                  Object{{"inputmode", "numeric"}, {"maxlength", 4}, {"width", "w-short"}}));
  if (const FieldDef* transport = workflow.field("transport"))
    fields.push_back(checks_field(
        {"vervoer", "Vervoersmiddel", false,
         capitalised(words.persons) + " met minstens een van de aangevinkte vervoersmiddelen.", "",
         ""},
        transport->values, std::set<std::string>(f.transport.begin(), f.transport.end()), false,
        true));
  Choices sorts;
  for (const auto& s : kSorts)
    if (*s.page) sorts.emplace_back(s.page, s.label);
  fields.push_back(
      select_field({"sorteer", "Sorteer op", false, "", "", ""}, sorts, f.sort, kSorts[0].label));
  return fields;
}

std::string residence(const Workflow& workflow, const Value& item) {
  std::string line = trim(text_of(item["postal_code"]) + " " + text_of(item["city"]));
  std::string province = value_label(workflow.field("province"), text_of(item["province"]));
  return join({text_of(item["street"]), line, province}, ", ");
}

// The distance to the service's nearest location, as the column shows it.
std::string distance_text(const Value& km) {
  return km.is_int() ? std::to_string(km.as_int()) + " km" : "onbekend";
}

// A row is the same on every service's page but for its distance cell: rows are kept with this
// mark where the cell goes (a text no field can hold), and the cells are kept apart.
constexpr std::string_view kDistanceMark =
    "\x1f"
    "afstand\x1f";

std::string labels_of(const FieldDef* field, const Value& values) {
  std::vector<std::string> out;
  if (values.is_array())
    for (const auto& v : values.as_array()) out.push_back(value_label(field, text_of(v)));
  return join(out, ", ");
}

std::string number_of(const Value& v) {
  if (v.is_int()) return std::to_string(v.as_int());
  if (v.is_number()) {
    std::string s = std::to_string(v.as_number());
    s.erase(s.find_last_not_of('0') + 1);
    if (!s.empty() && s.back() == '.') s.pop_back();
    std::replace(s.begin(), s.end(), '.', ',');
    return s;
  }
  return text_of(v);
}

Array periods_of(const Value& item) {
  Array out;
  for (auto& text : period_texts(item["periods"])) out.emplace_back(std::move(text));
  return out;
}

// What a service may choose from `my_status` now, as the workflow's table has it: the statuses
// a plain change reaches (each with whether it asks for more than the status itself) and the
// exclusive one, which has its own dialog. Only the steps whose guard lets them be taken now
// (`open`): while a round runs, and a follow-up also after it closed.
struct StatusChoices {
  std::vector<std::pair<std::string, bool>> plain;  // status, needs something more
  std::string exclusive;
  bool empty() const { return plain.empty() && exclusive.empty(); }
  // What the choices are, for the key of a kept row.
  std::string signature() const {
    std::string out = exclusive;
    for (const auto& [status, more] : plain) out += ',' + status + (more ? "+" : "");
    return out;
  }
};

StatusChoices status_choices(const Workflow& workflow, const std::string& my_status,
                             const std::function<bool(const TransitionDef&)>& open) {
  StatusChoices out;
  for (const auto& next : workflow.next_statuses(my_status, "service")) {
    const StatusDef* def = workflow.status(next);
    const TransitionDef* row = workflow.transition(my_status, next, "service");
    if (!row || !open(*row)) continue;
    if (def && def->exclusive)
      out.exclusive = next;
    else
      out.plain.emplace_back(next, !row->requirements.empty());
  }
  return out;
}

// Where a change made from a list row goes back to: that list page (a path of the track's list
// with its query), never elsewhere.
std::string list_return(const std::string& track, const std::string& asked) {
  const std::string base = "/dienst/" + track;
  if (asked.rfind(base, 0) != 0 || (asked.size() > base.size() && asked[base.size()] != '?') ||
      asked.find_first_of("\\\r\n#") != std::string::npos)
    return base;
  return asked;
}

}  // namespace

HttpResponse ServicePages::list(HttpRequest& req) const {
  const std::string track = req.param("track");
  auto defs = kit_.definitions();
  const Workflow* workflow = defs->workflow(track);
  if (!workflow) return kit_.not_found(req);
  Filters f = read_filters(req, *workflow);
  ListInput in;
  in.tab = f.accepted_tab ? "accepted" : "open";
  in.name = f.name;
  in.provinces = f.provinces;
  if (auto school = parse_id(f.school)) in.school = *school;
  in.postal_code = f.postal_code;
  in.transport = f.transport;
  in.sort = api_sort(f.sort);
  in.page = page_number(req);
  in.page_size = kPageSize;
  in.distances_apart = true;
  auto list = kit_.services().matching.list_requests(req.actor(), track, in);
  if (!list) return kit_.refused(req, list.error());

  // Rows and filters are rendered apart and kept: a row under what it shows (the request, the
  // service's own status, whether its street is shown, the list version), the filters under
  // the chosen values and the schools on offer.
  // A row's status buttons follow from its own status and whether the calendar lets statuses be
  // set now (in the key too); they name the page's one status form, whose CSRF token stays out
  // of what is kept.
  auto moment = kit_.moment_now(track);
  // The choices per school year and own status, asked of the guards once per page.
  std::map<std::string, StatusChoices> choices_of;
  auto row_choices = [&](const Value& item, const std::string& status) -> const StatusChoices& {
    const std::string year = text_of(item["year"]);
    auto [it, fresh] = choices_of.try_emplace(year + '|' + status);
    if (!fresh) return it->second;
    const Calendar* calendar = defs->calendar(track, year);
    if (calendar && !status.empty())
      it->second = status_choices(*workflow, status, [&](const TransitionDef& row) {
        return kit_.services().matching.step_open(defs, *calendar, *workflow, status, row,
                                                  kit_.services().clock.now());
      });
    return it->second;
  };
  const std::string defs_tag =
      std::to_string(reinterpret_cast<std::uintptr_t>(defs.get())) + '|' + track + '|';
  const TrackLabels& words = workflow->labels;
  const Value labels = labels_view(words);
  // Columns for fields the track has (the fifth track has no transport or hours).
  const bool has_transport = workflow->field("transport") != nullptr;
  const bool has_hours = workflow->field("total_hours") != nullptr;
  std::string rows_html;
  const auto append_row = [&](const std::string& row, std::size_t index) {
    const auto at = row.find(kDistanceMark);
    if (at == std::string::npos) {
      rows_html += row;
      return;
    }
    static const ListDistance kUnknown;
    const ListDistance& d =
        list->distances && index < list->distances->size() ? (*list->distances)[index] : kUnknown;
    const std::string shown = distance_text(d.km);
    const std::string& hint = d.hint;
    const std::string cell_key = "afstand|" + shown + '|' + hint;
    auto cell = rows_->get(cell_key);
    if (!cell) {
      cell = std::make_shared<const std::string>(kit_.fragment(
          "_distance_cell", Object{{"distance", shown}, {"hint", text_or_null(hint)}}));
      rows_->put(cell_key, cell);
    }
    rows_html.append(row, 0, at).append(*cell).append(row, at + kDistanceMark.size());
  };
  for (std::size_t index = 0; index < list->items.size(); ++index) {
    const Value& item = list->items[index];
    std::string status = text_of(item["my_status"]);
    static const StatusChoices kNone;
    const StatusChoices& choices = is_stopped(item) ? kNone : row_choices(item, status);
    std::string key;
    if (list->version) {
      key = defs_tag + std::to_string(*list->version) + '|' + std::to_string(item["id"].as_int()) +
            '|' + status + '|' + (item.has("street") ? "1" : "0") + '|' + choices.signature();
      if (auto kept = rows_->get(key)) {
        append_row(*kept, index);
        continue;
      }
    }
    const std::string href = "/dienst/aanvraag/" + std::to_string(item["id"].as_int());
    Array buttons;
    Array links;
    for (const auto& [next, needs_more] : choices.plain)
      if (needs_more)  // asks for more than one click gives: the form on the detail page
        links.push_back(
            Object{{"href", href + "#status-wijzigen"}, {"label", status_label(*workflow, next)}});
      else
        buttons.push_back(Object{{"status", next}, {"label", status_label(*workflow, next)}});
    if (!choices.exclusive.empty())
      links.push_back(Object{{"href", href + "#aanvaarden"},
                             {"label", status_label(*workflow, choices.exclusive)}});
    Value row =
        Object{{"name", full_name(item)},
               {"href", href},
               {"status_action", href + "/status"},
               {"has_choices", !buttons.empty() || !links.empty()},
               {"buttons", std::move(buttons)},
               {"links", std::move(links)},
               {"labels", labels},
               {"school", item["school"]["name"]},
               {"residence", residence(*workflow, item)},
               {"periods", periods_of(item)},
               {"has_transport", has_transport},
               {"transport", labels_of(workflow->field("transport"), item["transport"])},
               {"has_hours", has_hours},
               {"distance_cell", std::string(kDistanceMark)},
               {"hours", number_of(item["total_hours"])},
               {"status", text_or_null(status.empty() ? "" : status_label(*workflow, status))},
               // The sort offers "Datum van inschrijving", so the list shows it too.
               {"registered", instant_nl(text_of(item["registered_at"]))},
               {"registered_iso", text_or_null(text_of(item["registered_at"]))}};
    auto html = std::make_shared<const std::string>(kit_.fragment("_service_row", row));
    append_row(*html, index);
    if (!key.empty()) rows_->put(key, std::move(html));
  }
  const Schools schools = this->schools();
  std::string filters_key =
      defs_tag + (f.accepted_tab ? "1" : "0") + '\x1e' + std::to_string(schools.serial);
  for (const auto& [name, value] : f.page_query()) filters_key += '\x1f' + name + '=' + value;
  auto filters_html = filters_->get(filters_key);
  if (!filters_html) {
    filters_html = std::make_shared<const std::string>(kit_.fragment(
        "_service_filters", Object{{"filters", filter_fields(*workflow, f, *schools.list)}}));
    filters_->put(filters_key, filters_html);
  }
  std::string base = "/dienst/" + track;
  auto tab_href = [&](bool accepted) {  // the same filters on either tab
    Filters tab = f;
    tab.accepted_tab = accepted;
    std::string q = query_string(tab.page_query());
    return base + (q.empty() ? "" : "?" + q);
  };
  std::vector<std::pair<std::string, std::string>> api{{"tab", in.tab},
                                                       {"name", in.name},
                                                       {"province", join(in.provinces, ",")},
                                                       {"school", f.school},
                                                       {"postal_code", in.postal_code},
                                                       {"transport", join(in.transport, ",")},
                                                       {"sort", in.sort}};
  std::string current = tab_href(f.accepted_tab);
  std::string title = track_label(*defs, track);
  // After a change from a row: which status it was, named by the workflow.
  const std::string changed = req.query_value("gewijzigd");
  std::string notice;
  const std::string open_tab = capitalised(words.persons) + " zonder stageplaats";
  const std::string accepted_tab = "Aanvaarde " + words.persons;
  if (workflow->status(changed))
    notice = "De status werd gewijzigd naar " + status_label(*workflow, changed) + ".";
  return kit_.page(
      req, 200, "service_track", title,
      Object{
          {"heading", title},
          {"timing", moment ? text_or_null(moment->service_message) : Value()},
          {"notice", text_or_null(notice)},
          {"track", track},
          {"return", in.page > 1 ? current + (current.find('?') == std::string::npos ? "?" : "&") +
                                       "pagina=" + std::to_string(in.page)
                                 : current},
          {"labels", labels},
          {"has_transport", has_transport},
          {"has_hours", has_hours},
          {"columns", 7 + (has_transport ? 1 : 0) + (has_hours ? 1 : 0)},
          {"tabs",
           Array{
               Object{{"href", tab_href(false)}, {"label", open_tab}, {"current", !f.accepted_tab}},
               Object{{"href", tab_href(true)},
                      {"label", accepted_tab},
                      {"current", f.accepted_tab}}}},
          {"tab_label", f.accepted_tab ? accepted_tab : open_tab},
          {"action", base},
          {"tab_value", f.accepted_tab ? Value("aanvaard") : Value()},
          {"reset_href", f.accepted_tab ? base + "?tab=aanvaard" : base},
          {"csv_href", "/api/v1/tracks/" + track + "/requests.csv?" + query_string(api)},
          {"xlsx_href", "/api/v1/tracks/" + track + "/requests.xlsx?" + query_string(api)},
          {"total", list->total},
          {"has_rows", !list->items.empty()},
          {"paging", paging(current, in.page, list->total, kPageSize)}},
      // The filter form and the rows are most of the page: put in after rendering.
      PageKit::Pieces{{"filters_html", filters_html},
                      {"rows_html", std::make_shared<const std::string>(std::move(rows_html))}});
}

ServicePages::Schools ServicePages::schools() const {
  auto list = kit_.services().engine.organisations.shared_list("school");
  std::lock_guard lock(schools_->mutex);
  Schools& last = schools_->last;
  if (list != last.list) {
    const auto same = [](const Organisation& a, const Organisation& b) {
      return a.id == b.id && a.name == b.name;
    };
    if (!last.list || !std::ranges::equal(*list, *last.list, same)) ++last.serial;
    last.list = std::move(list);
  }
  return last;
}

HttpResponse ServicePages::detail_page(const HttpRequest& req, int status, Id id,
                                       const DetailState& state) const {
  auto item = kit_.services().matching.view_request(req.actor(), id);
  if (!item) return kit_.refused(req, item.error());
  auto defs = kit_.definitions();
  const std::string track = text_of((*item)["track"]);
  const Workflow* workflow = defs->workflow(track);
  if (!workflow) return kit_.not_found(req);
  const std::string my_status = text_of((*item)["my_status"]);
  const std::string base = "/dienst/aanvraag/" + std::to_string(id);

  // Matching leaves personal fields out until this service's status reveals them.
  const TrackLabels& words = workflow->labels;
  const bool has_school_contact =
      std::any_of(workflow->personal_fields.begin(), workflow->personal_fields.end(),
                  [](const std::string& f) { return f.rfind("school_contact.", 0) == 0; });
  std::string hidden;
  for (const auto& field : workflow->personal_fields)
    if (field.find('.') == std::string::npos && !item->has(field)) {
      std::string statuses;
      for (const auto& s : workflow->revealed_by)
        statuses += (statuses.empty() ? "" : " of ") + status_label(*workflow, s);
      hidden = "Pas vanaf de status " + statuses +
               " zie je het rijksregisternummer, het e-mailadres en het telefoonnummer van de " +
               words.person + (has_school_contact ? " en van de " + words.contact : "") + ".";
    }

  Value accepted;
  const Value& by = (*item)["accepted_by"];
  if (by.is_object() && by["id"].is_int() && by["id"].as_int() == req.user->org_id.value_or(-1))
    accepted = Object{{"at", instant_nl(text_of((*item)["accepted_at"]))},
                      {"periods", accepted_periods(*item)},
                      {"mentor", mentor_of(*item)},
                      {"notes", text_or_null(text_of((*item)["notes"]))}};

  Value choose;
  Value accept;
  std::string closed;
  auto moment = kit_.moment_now(track, text_of((*item)["year"]));
  const Calendar* calendar = defs->calendar(track, text_of((*item)["year"]));
  StatusChoices choices;
  if (calendar && accepted.is_null() && !is_stopped(*item))
    choices = status_choices(*workflow, my_status, [&](const TransitionDef& row) {
      return kit_.services().matching.step_open(defs, *calendar, *workflow, my_status, row,
                                                kit_.services().clock.now());
    });
  if (accepted.is_null() && !is_stopped(*item)) {
    if (choices.empty()) {
      closed = moment && !moment->service_message.empty()
                   ? moment->service_message
                   : "Statussen kunnen nu niet gewijzigd worden in dit traject.";
    } else {
      Choices plain;
      for (const auto& [next, needs_more] : choices.plain)
        plain.emplace_back(next, status_label(*workflow, next));
      const std::string& exclusive = choices.exclusive;
      if (!plain.empty())
        choose = Object{
            {"action", base + "/status"},
            {"track", track},
            {"error", text_or_null(state.status_error)},
            {"field", checks_field({"status", "Nieuwe status", true, "", state.status_error, ""},
                                   plain, {}, true)}};
      if (!exclusive.empty()) {
        const TransitionDef* row = workflow->transition(my_status, exclusive, "service");
        Array fields;
        if (row && row->needs("mentor")) {
          Choices mentors;
          for (const auto& c : kit_.services().engine.contacts.list(req.actor()))
            mentors.emplace_back(std::to_string(c.id), c.name);
          fields.push_back(select_field({"mentor_id", capitalised(words.mentor), true, "",
                                         message_of(state.accept_errors, "mentor_id"), ""},
                                        mentors, state.mentor_id));
        }
        auto texts = period_texts((*item)["periods"]);
        if (row && row->needs("periods") && !texts.empty()) {  // nothing to choose without periods
          Choices periods;
          std::set<std::string> ticked;
          for (std::size_t i = 0; i < texts.size(); ++i) {
            periods.emplace_back(std::to_string(i), texts[i]);
            if (state.periods.contains(static_cast<int>(i))) ticked.insert(std::to_string(i));
          }
          fields.push_back(checks_field({"periods", "Stageperiodes", true,
                                         "Duid de periodes aan die de " + words.person +
                                             " bij jullie kan lopen (minstens een).",
                                         message_of(state.accept_errors, "periods"), ""},
                                        periods, ticked));
        }
        // Notes go along with every acceptance; a track may make them required.
        const bool notes_required = row && row->needs("notes");
        fields.push_back(textarea_field(
            {"notes", notes_required ? "Notities" : "Notities (optioneel)", notes_required,
             "Bijvoorbeeld waar en wanneer de " + words.person + " start.",
             message_of(state.accept_errors, "notes"), ""},
            state.notes));
        accept =
            Object{{"action", base + "/aanvaarden"},
                   {"track", track},
                   {"status", exclusive},
                   {"label", status_label(*workflow, exclusive)},
                   {"error", text_or_null(state.accept_error)},
                   {"no_mentors", row && row->needs("mentor") &&
                                      kit_.services().engine.contacts.list(req.actor()).empty()},
                   {"fields", std::move(fields)}};
      }
    }
  }
  auto services = kit_.services().engine.organisations.list("service");
  return kit_.page(
      req, status, "service_request", full_name(*item),
      Object{
          {"heading", full_name(*item)},
          {"labels", labels_view(words)},
          {"school", (*item)["school"]["name"]},
          {"back", "/dienst/" + track},
          {"track_label", track_label(*defs, track)},
          {"notice", state.accepted
                         ? Value("De " + words.person + " werd aanvaard. Neem contact op met de " +
                                 words.organisation + " en de " + words.person +
                                 " voor de verdere praktische opvolging.")
                         : text_or_null(state.notice)},
          {"my_status", text_or_null(my_status.empty() ? "" : status_label(*workflow, my_status))},
          {"stopped", is_stopped(*item)},
          {"hidden", text_or_null(hidden)},
          {"accepted", std::move(accepted)},
          {"closed", text_or_null(closed)},
          {"choose", std::move(choose)},
          {"accept", std::move(accept)},
          {"sections", request_display(*workflow, *item, services)}});
}

HttpResponse ServicePages::detail(HttpRequest& req) const {
  auto id = parse_id(req.param("id"));
  if (!id) return kit_.not_found(req);
  DetailState state;
  if (req.query_value("bewaard") == "1") state.notice = "De status werd gewijzigd.";
  if (req.query_value("aanvaard") == "1") state.accepted = true;
  return detail_page(req, 200, *id, state);
}

HttpResponse ServicePages::status_refused(const HttpRequest& req, Id id, const DomainError& e,
                                          DetailState state, bool accepting) const {
  if (e.code == "already_accepted") {
    // The request is no longer visible: the list it came from, named by the form.
    std::string track = req.form()["track"];
    std::string back = kit_.definitions()->workflow(track) ? "/dienst/" + track : "/";
    return kit_.message(req, 409, "Niet gelukt", kAlreadyAccepted, back, "Terug naar de lijst");
  }
  if (e.kind == ErrorKind::not_found) return kit_.not_found(req);
  if (accepting) {
    state.accept_errors = e.fields;
    state.accept_error = e.message;
  } else {
    state.status_error = e.message;
  }
  return detail_page(req, http_status(e), id, state);
}

HttpResponse ServicePages::set_status(HttpRequest& req) const {
  auto id = parse_id(req.param("id"));
  if (!id) return kit_.not_found(req);
  std::string status = req.form()["status"];
  if (status.empty()) {
    DetailState state;
    state.status_error = "Kies een nieuwe status.";
    return detail_page(req, 422, *id, state);
  }
  auto done =
      kit_.services().matching.change_status(req.actor(), *id, StatusInput{status, {}, {}, "", ""});
  // Sent from a row of the list: back to that list page, or its refusal with a way back there.
  const std::string track = req.form()["track"];
  if (!req.form()["terug"].empty() && kit_.definitions()->workflow(track)) {
    const std::string back = list_return(track, req.form()["terug"]);
    if (!done) {
      if (done.error().kind == ErrorKind::not_found) return kit_.not_found(req);
      return kit_.message(req, http_status(done.error()), "Niet gelukt", done.error().message, back,
                          "Terug naar de lijst");
    }
    return HttpResponse::redirect(back + (back.find('?') == std::string::npos ? "?" : "&") +
                                  "gewijzigd=" + url_encode(status));
  }
  if (!done) return status_refused(req, *id, done.error(), DetailState{}, false);
  return HttpResponse::redirect("/dienst/aanvraag/" + std::to_string(*id) + "?bewaard=1");
}

HttpResponse ServicePages::accept(HttpRequest& req) const {
  auto id = parse_id(req.param("id"));
  if (!id) return kit_.not_found(req);
  auto form = req.form();
  DetailState state;
  state.mentor_id = form["mentor_id"];
  state.notes = trim(form["notes"]);
  StatusInput input;
  input.status = form["status"];
  input.mentor_id = parse_id(state.mentor_id);
  input.notes = state.notes;
  for (const auto& p : req.form_all("periods")) {
    int n = -1;  // a period's place in the request, 0 for the first: not an id
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), n);
    if (ec == std::errc{} && end == p.data() + p.size() && n >= 0 && n < 100) {
      input.periods.push_back(n);
      state.periods.insert(n);
    }
  }
  auto done = kit_.services().matching.change_status(req.actor(), *id, input);
  if (!done) return status_refused(req, *id, done.error(), state, true);
  return HttpResponse::redirect("/dienst/aanvraag/" + std::to_string(*id) + "?aanvaard=1");
}

}  // namespace stagematch

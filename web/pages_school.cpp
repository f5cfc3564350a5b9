#include "pages_school.hpp"

namespace stagematch {

namespace {

constexpr int kPageSize = 50;

// The school's own view of a student's status, for the filter (Matching's kSchoolStatuses).
constexpr std::pair<const char*, const char*> kStatusChoices[] = {
    {"aanvaard", "Aanvaard"},
    {"geen", "Nog geen stageplek bekend"},
    {"wacht", "Wacht op de resultaatdatum"},
    {"gestopt", "Gestopt"},
};

}  // namespace

const Workflow* SchoolPages::own_track(const HttpRequest& req, const DefinitionSet& defs,
                                       const std::string& track) const {
  const Workflow* workflow = defs.workflow(track);
  if (!workflow || !req.user->org_id) return nullptr;
  auto org = kit_.services().engine.organisations.find(*req.user->org_id);
  if (!org || std::find(org->tracks.begin(), org->tracks.end(), track) == org->tracks.end())
    return nullptr;
  return workflow;
}

FormChoices SchoolPages::choices(const HttpRequest& req) const {
  FormChoices c;
  c.contacts = kit_.services().engine.contacts.list(req.actor());
  c.services = kit_.services().engine.organisations.list("service");
  return c;
}

HttpResponse SchoolPages::overview(HttpRequest& req) const {
  const std::string track = req.param("track");
  auto defs = kit_.definitions();
  const Workflow* workflow = own_track(req, *defs, track);
  if (!workflow) return kit_.not_found(req);
  // The filters, as the page's GET form sends them; an unknown choice is left out.
  ListInput in;
  in.name = trim(req.query_value("naam"));
  for (const auto& [value, label] : kStatusChoices)
    if (req.query_value("status") == value) in.school_status = value;
  std::vector<Organisation> services = kit_.services().engine.organisations.list("service");
  if (auto service = parse_id(req.query_value("dienst")))
    if (std::any_of(services.begin(), services.end(),
                    [&](const auto& o) { return o.id == *service; }))
      in.accepted_by = *service;
  in.page = page_number(req);
  in.page_size = kPageSize;
  auto list = kit_.services().matching.list_requests(req.actor(), track, in);
  if (!list) return kit_.refused(req, list.error());

  Array rows;
  for (const auto& item : list->items) {
    std::string status = text_of(item["status"]);
    // The requested periods, until an acceptance (once shown) replaces them with its own.
    Array periods = accepted_periods(item);
    const bool requested = periods.empty();
    if (requested)
      for (auto& text : period_texts(item["periods"])) periods.emplace_back(std::move(text));
    const std::string waiting = text_of(item["answer_visible_from"]);
    rows.push_back(Object{
        {"name", full_name(item)},
        {"href", "/school/aanvraag/" + std::to_string(item["id"].as_int())},
        {"registered", instant_nl(text_of(item["registered_at"]))},
        {"stopped", is_stopped(item)},
        {"status", status.empty() ? Value() : Value(status_label(*workflow, status))},
        {"waiting",
         waiting.empty() ? Value() : Value("Antwoord zichtbaar vanaf " + instant_nl(waiting))},
        {"service", item["accepted_by"]["name"]},
        {"periods", std::move(periods)},
        {"requested", requested && !is_stopped(item)},
        {"mentor", mentor_of(item)},
        {"notes", text_or_null(text_of(item["notes"]))}});
  }
  const TrackLabels& words = workflow->labels;
  std::string notice;
  if (req.query_value("ingeschreven") == "1") notice = "De " + words.person + " werd ingeschreven.";
  if (req.query_value("ingeschreven") == "1" && req.query_value("uitgesteld") == "1")
    notice += " " + kit_.registration_delayed(track);
  if (req.query_value("bewaard") == "1") notice = "De wijzigingen werden bewaard.";
  if (req.query_value("verwijderd") == "1") notice = "De " + words.person + " werd verwijderd.";
  if (req.query_value("gestopt") == "1")
    notice = "De " + words.person + " werd als gestopt gemarkeerd.";

  Choices statuses;
  for (const auto& [value, label] : kStatusChoices) statuses.emplace_back(value, label);
  Choices service_choices;
  for (const auto& o : services) service_choices.emplace_back(std::to_string(o.id), o.name);
  const std::string service_value = in.accepted_by ? std::to_string(*in.accepted_by) : "";
  Array filters{input_field({"naam", "Naam", false, "", "", ""}, "search", in.name,
                            Object{{"autocomplete", "off"}}),
                select_field({"status", "Status", false, "", "", ""}, statuses, in.school_status,
                             "Alle statussen"),
                select_field({"dienst", "Stageplek (" + words.partner + ")", false,
                              "Een " + words.partner + " verschijnt pas bij een " + words.person +
                                  " zodra je zijn antwoord mag zien.",
                              "", ""},
                             service_choices, service_value, "Alle " + words.partners)};
  const std::string base = "/school/" + track;
  const std::string query =
      query_string({{"naam", in.name}, {"status", in.school_status}, {"dienst", service_value}});
  const bool filtered = !query.empty();
  auto moment = kit_.moment_now(track);
  std::string title = track_label(*defs, track);
  return kit_.page(req, 200, "school_track", title,
                   Object{{"heading", title},
                          {"labels", labels_view(words)},
                          {"notice", text_or_null(notice)},
                          {"timing", moment ? text_or_null(moment->school_message) : Value()},
                          {"new_href", "/school/" + track + "/nieuw"},
                          {"csv_href", "/api/v1/tracks/" + track + "/requests.csv"},
                          {"xlsx_href", "/api/v1/tracks/" + track + "/requests.xlsx"},
                          {"action", base},
                          {"filters_html", kit_.fragment("_service_filters",
                                                         Object{{"filters", std::move(filters)}})},
                          {"filtered", filtered},
                          {"reset_href", base},
                          {"total", list->total},
                          {"rows", std::move(rows)},
                          {"paging", paging(filtered ? base + "?" + query : base, in.page,
                                            list->total, kPageSize)}});
}

HttpResponse SchoolPages::form_page(const HttpRequest& req, int status, const Workflow& workflow,
                                    const FormState& state) const {
  FormChoices c = choices(req);
  // Only a track that asks for one of the school's contact persons needs them.
  bool no_contacts =
      c.contacts.empty() &&
      std::any_of(workflow.fields.begin(), workflow.fields.end(),
                  [](const FieldDef& f) { return f.type == "ref" && f.ref == "school_contact"; });
  RequestFormView form = request_form(workflow, state.values, state.errors, state.warnings, c);
  auto defs = kit_.definitions();
  const std::string person = capitalised(workflow.labels.person);
  std::string title = person + (state.id ? " bewerken" : " toevoegen");
  std::string base = state.id ? "/school/aanvraag/" + std::to_string(*state.id) : "";
  Value manage;
  if (state.id)
    manage = Object{{"delete_action", base + "/verwijderen"},
                    {"stop_action", base + "/gestopt"},
                    {"delete_error", text_or_null(message_of(state.action_errors, "delete"))},
                    {"stop_error", text_or_null(message_of(state.action_errors, "stop"))}};
  std::string closed = state.id ? "" : kit_.registration_closed(state.track);
  std::string delayed = state.id || !closed.empty() ? "" : kit_.registration_delayed(state.track);
  return kit_.page(req, status, "request_form", title + " - " + track_label(*defs, state.track),
                   Object{{"heading", title},
                          {"labels", labels_view(workflow.labels)},
                          {"track_label", track_label(*defs, state.track)},
                          // {{#for_track.NAME}}: what the template says for one track only
                          {"for_track", Object{{state.track, true}}},
                          {"back", "/school/" + state.track},
                          {"action", state.id ? base : "/school/" + state.track + "/nieuw"},
                          {"is_new", !state.id},
                          {"closed", text_or_null(closed)},
                          {"delayed", text_or_null(delayed)},
                          {"no_contacts", no_contacts},
                          // The summary lists every field's problem; the general
                          // sentence is only for refusals that name no field.
                          {"error", form.summary.empty() ? text_or_null(state.error) : Value()},
                          {"notice", text_or_null(state.notice)},
                          {"has_summary", !form.summary.empty()},
                          {"summary", std::move(form.summary)},
                          {"sections", std::move(form.sections)},
                          {"manage", std::move(manage)}});
}

HttpResponse SchoolPages::new_form(HttpRequest& req) const {
  FormState state;
  state.track = req.param("track");
  auto defs = kit_.definitions();
  const Workflow* workflow = own_track(req, *defs, state.track);
  if (!workflow) return kit_.not_found(req);
  if (req.query_value("ingeschreven") == "1")
    state.notice = "De " + workflow->labels.person +
                   " werd ingeschreven. Vul hieronder de gegevens van de volgende " +
                   workflow->labels.person + " in.";
  state.values = Object{};
  return form_page(req, 200, *workflow, state);
}

HttpResponse SchoolPages::register_student(HttpRequest& req) const {
  FormState state;
  state.track = req.param("track");
  auto defs = kit_.definitions();
  const Workflow* workflow = own_track(req, *defs, state.track);
  if (!workflow) return kit_.not_found(req);
  state.values = request_from_form(*workflow, req);
  auto done = kit_.services().matching.register_request(req.actor(), state.track, state.values);
  if (!done) {
    state.errors = done.error().fields;
    state.error = done.error().message;
    return form_page(req, http_status(done.error()), *workflow, state);
  }
  if (!done->warnings.empty())
    return HttpResponse::redirect("/school/aanvraag/" + std::to_string(done->id) +
                                  "?ingeschreven=1");
  const std::string later = done->visible_from ? "&uitgesteld=1" : "";
  if (req.form()["na"] == "volgende")
    return HttpResponse::redirect("/school/" + state.track + "/nieuw?ingeschreven=1" + later);
  return HttpResponse::redirect("/school/" + state.track + "?ingeschreven=1" + later);
}

FieldMessages SchoolPages::warnings_for(const Workflow& workflow, const Value& item) const {
  FieldMessages warnings;
  auto problems = RuleEngine(kit_.definitions()).checks(workflow, item);
  if (problems)
    for (const auto& p : *problems)
      if (p.severity == Severity::kWarning) warnings.emplace(p.field, p.message);
  return warnings;
}

HttpResponse SchoolPages::read_only_page(const HttpRequest& req, const Workflow& workflow,
                                         const Value& item) const {
  const std::string track = item["track"].as_string();
  bool stopped = is_stopped(item);
  Value answer;
  if (item["accepted_by"].is_object())
    answer = Object{{"service", item["accepted_by"]["name"]},
                    {"periods", accepted_periods(item)},
                    {"mentor", mentor_of(item)},
                    {"notes", text_or_null(text_of(item["notes"]))}};
  auto services = kit_.services().engine.organisations.list("service");
  return kit_.page(req, 200, "school_request", full_name(item),
                   Object{{"heading", full_name(item)},
                          {"labels", labels_view(workflow.labels)},
                          {"back", "/school/" + track},
                          {"stopped", stopped},
                          {"answer", std::move(answer)},
                          {"sections", request_display(workflow, item, services)}});
}

HttpResponse SchoolPages::edit_form(HttpRequest& req) const {
  auto id = parse_id(req.param("id"));
  if (!id) return kit_.not_found(req);
  auto item = kit_.services().matching.view_request(req.actor(), *id);
  if (!item) return kit_.refused(req, item.error());
  auto defs = kit_.definitions();
  const Workflow* workflow = defs->workflow((*item)["track"].as_string());
  if (!workflow) return kit_.not_found(req);
  if ((*item)["accepted_by"].is_object() || (*item)["status"].is_string() || is_stopped(*item))
    return read_only_page(req, *workflow, *item);
  FormState state;
  state.track = (*item)["track"].as_string();
  state.id = *id;
  state.values = *item;
  state.warnings = warnings_for(*workflow, *item);
  if (req.query_value("ingeschreven") == "1")
    state.notice = "De " + workflow->labels.person +
                   " werd ingeschreven. Kijk de opmerkingen bij de velden hieronder na.";
  if (req.query_value("bewaard") == "1")
    state.notice = "De wijzigingen werden bewaard. Kijk de opmerkingen bij de velden hieronder na.";
  return form_page(req, 200, *workflow, state);
}

HttpResponse SchoolPages::update(HttpRequest& req) const {
  auto id = parse_id(req.param("id"));
  if (!id) return kit_.not_found(req);
  auto& matching = kit_.services().matching;
  auto item = matching.view_request(req.actor(), *id);
  if (!item) return kit_.refused(req, item.error());
  auto defs = kit_.definitions();
  const Workflow* workflow = defs->workflow((*item)["track"].as_string());
  if (!workflow) return kit_.not_found(req);
  FormState state;
  state.track = (*item)["track"].as_string();
  state.id = *id;
  state.values = request_from_form(*workflow, req);
  auto done = matching.edit_request(req.actor(), *id, state.values);
  if (!done) {
    if (done.error().code == "already_accepted")
      return kit_.refused(req, done.error(), "/school/aanvraag/" + std::to_string(*id));
    state.errors = done.error().fields;
    state.error = done.error().message;
    return form_page(req, http_status(done.error()), *workflow, state);
  }
  if (!done->empty())
    return HttpResponse::redirect("/school/aanvraag/" + std::to_string(*id) + "?bewaard=1");
  return HttpResponse::redirect("/school/" + state.track + "?bewaard=1");
}

HttpResponse SchoolPages::manage(HttpRequest& req, bool remove) const {
  auto id = parse_id(req.param("id"));
  if (!id) return kit_.not_found(req);
  auto& matching = kit_.services().matching;
  auto item = matching.view_request(req.actor(), *id);
  if (!item) return kit_.refused(req, item.error());
  const std::string track = (*item)["track"].as_string();
  auto defs = kit_.definitions();
  const Workflow* workflow = defs->workflow(track);
  if (!workflow) return kit_.not_found(req);
  if (req.form()["bevestig"] != "ja") {
    FormState state;
    state.track = track;
    state.id = *id;
    state.values = *item;
    state.action_errors[remove ? "delete" : "stop"] =
        remove ? "Vink aan dat deze " + workflow->labels.person +
                     " foutief werd toegevoegd om hem te verwijderen."
               : "Vink aan dat deze " + workflow->labels.person + " de opleiding stopzette.";
    return form_page(req, 422, *workflow, state);
  }
  auto done =
      remove ? matching.delete_request(req.actor(), *id) : matching.stop_request(req.actor(), *id);
  if (!done) return kit_.refused(req, done.error(), "/school/aanvraag/" + std::to_string(*id));
  return HttpResponse::redirect("/school/" + track + (remove ? "?verwijderd=1" : "?gestopt=1"));
}

HttpResponse SchoolPages::remove(HttpRequest& req) const { return manage(req, true); }

HttpResponse SchoolPages::stop(HttpRequest& req) const { return manage(req, false); }

}  // namespace stagematch

#include "pages_admin.hpp"

#include <algorithm>

#include "admin_history.hpp"
#include "pages_capacity.hpp"

namespace stagematch {

namespace {

constexpr int kListPage = 500;
constexpr int kMaxListPages = 200;
constexpr int kLogLines = 300;
// Invitations by one service in 24 hours from which the dashboard names it.
constexpr int kUnusualInvitationsPerDay = 25;

const Choices& role_choices() {
  static const Choices kRoles = {
      {"school", "School"}, {"service", "Dienst gezinszorg"}, {"admin", "VIVO (beheerder)"}};
  return kRoles;
}

std::string phase_text(const Calendar* calendar, const std::optional<Moment>& m) {
  if (!calendar) return "Geen kalender";
  if (!m) return "De regels konden niet beslissen";
  if (!m->round_id.empty()) {
    for (const auto& r : calendar->rounds)
      if (r.id == m->round_id) {
        std::string until = r.window.closes ? " " + until_nl(*r.window.closes) : "";
        return (r.label.empty() ? r.id : r.label) + until;
      }
    return "Ronde " + m->round_id;
  }
  if (m->phase == "before") return "Voor de eerste ronde";
  if (m->phase == "after") return "Na de laatste ronde";
  return "Tussen twee rondes";
}

struct Counts {
  std::int64_t total = 0;
  std::int64_t open = 0;
  std::int64_t invited = 0;
  std::int64_t accepted = 0;
  std::int64_t stopped = 0;
};

struct RoundCounts {
  std::int64_t registered = 0;  // registered in the round, or before it opened (see below)
  std::int64_t open = 0;        // of those: neither accepted nor stopped
  std::int64_t accepted = 0;    // accepted while the round ran, whenever registered
};

// Which round a registration at `at` counts for: the round running then, else the next round
// to open after it. Schools register before and between the rounds (CVO registers between the
// services' windows), and such a student waits for the next round, so that is where it
// belongs; counting only registrations inside a round's window would lose them, and the rows
// would not add up to the track's total. After the last round closed it stays with the last
// round. `rounds` are in calendar order, which the calendar check keeps without overlaps.
std::size_t registration_round(const std::vector<const Round*>& rounds, Instant at) {
  for (std::size_t i = 0; i < rounds.size(); ++i)
    if (!rounds[i]->window.closes || at < *rounds[i]->window.closes) return i;
  return rounds.size() - 1;
}

// The round whose window held `at` (an acceptance); nullopt outside every window, so an
// acceptance made between rounds shows in the track's totals but in no round's "Aanvaard".
std::optional<std::size_t> running_round(const std::vector<const Round*>& rounds, Instant at) {
  for (std::size_t i = 0; i < rounds.size(); ++i)
    if (rounds[i]->window.opens <= at &&
        (!rounds[i]->window.closes || at < *rounds[i]->window.closes))
      return i;
  return std::nullopt;
}

std::optional<Instant> instant_of(const Value& v) {
  return v.is_string() ? parse_instant(v.as_string()) : std::nullopt;
}

Object counts_value(const Counts& c, bool invites) {
  return Object{{"total", c.total},
                {"open", c.open},
                {"invited", invites ? Value(c.invited) : Value("-")},
                {"accepted", c.accepted},
                {"stopped", c.stopped}};
}

// Where a stored mail's one-time link goes: it is made when the mail is sent, and not kept.
constexpr const char* kLinkNotKept =
    "(persoonlijke link: wordt bij elke verzending nieuw aangemaakt en nergens bewaard)";

std::string mail_state(const std::string& state) {
  if (state == "pending") return "Wacht op verzending";
  if (state == "sending") return "Wordt verstuurd";
  if (state == "sent") return "Verstuurd";
  if (state == "dead") return "Mislukt";
  return state;
}

}  // namespace

Choices province_choices(const DefinitionSet& defs) {
  for (const auto& [name, workflow] : defs.workflows)
    if (const FieldDef* province = workflow.field("province");
        province && !province->values.empty())
      return province->values;
  return {{"ANT", "Antwerpen"},      {"BRU", "Brussels Hoofdstedelijk Gewest"},
          {"LIM", "Limburg"},        {"OVL", "Oost-Vlaanderen"},
          {"VBR", "Vlaams-Brabant"}, {"WVL", "West-Vlaanderen"}};
}

HttpResponse AdminPages::dashboard(HttpRequest& req) const {
  auto defs = kit_.definitions();
  auto& services = kit_.services();
  Instant now = services.clock.now();
  Choices provinces = province_choices(*defs);
  Array tracks;
  for (const auto& [track, workflow] : defs->workflows) {
    std::set<std::string> invite_statuses;  // revealing but not final: "uitgenodigd"
    for (const auto& s : workflow.revealed_by)
      if (const StatusDef* def = workflow.status(s); def && !def->exclusive)
        invite_statuses.insert(s);
    const std::string initial = workflow.initial_status() ? workflow.initial_status()->id : "";
    const Calendar* calendar = services.matching.current_calendar(*defs, track, now);
    Counts all;
    std::map<std::string, Counts> by_province;
    // Per round of the current calendar: every student once, under the round it registered for
    // (registration_round), and acceptances under the round that ran when they happened.
    std::vector<const Round*> rounds;
    if (calendar)
      for (const auto& round : calendar->rounds) rounds.push_back(&round);
    std::vector<RoundCounts> by_round(rounds.size());
    ListInput in;
    in.page_size = kListPage;
    // The school year the page names: without it the admin's list spans every year, and last
    // year's students would swell the totals and fall outside this year's rounds.
    if (calendar) in.year = calendar->year;
    for (in.page = 1; in.page <= kMaxListPages; ++in.page) {
      auto list = services.matching.list_requests(req.actor(), track, in);
      if (!list) return kit_.refused(req, list.error());
      for (const auto& item : list->items) {
        Counts& p = by_province[text_of(item["province"])];
        const bool stopped = is_stopped(item);
        const bool accepted = item["accepted_by"].is_object();
        if (!rounds.empty()) {
          // A request without a readable registration time still counts, in the first round.
          auto registered = instant_of(item["registered_at"]);
          RoundCounts& r = by_round[registered ? registration_round(rounds, *registered) : 0];
          ++r.registered;
          if (!stopped && !accepted) ++r.open;
          if (auto at = instant_of(item["accepted_at"]))
            if (auto during = running_round(rounds, *at)) ++by_round[*during].accepted;
        }
        ++all.total;
        ++p.total;
        if (stopped) {
          ++all.stopped;
          ++p.stopped;
        } else if (accepted) {
          ++all.accepted;
          ++p.accepted;
        } else {
          ++all.open;
          ++p.open;
          if (invite_statuses.empty()) continue;
          Id id = item["id"].as_int();
          auto held =
              services.engine.progress.held_by_any(req.actor(), id, invite_statuses, initial);
          if (!held) return kit_.refused(req, held.error());
          if (*held) {
            ++all.invited;
            ++p.invited;
          }
        }
      }
      if (static_cast<std::int64_t>(in.page) * kListPage >= list->total) break;
    }
    Array province_rows;
    for (const auto& [code, label] : provinces) {
      auto found = by_province.find(code);
      Object row = counts_value(found == by_province.end() ? Counts{} : found->second,
                                !invite_statuses.empty());
      row["label"] = label;
      province_rows.push_back(std::move(row));
    }
    std::optional<Moment> moment;
    if (calendar)
      if (auto m = RuleEngine(defs).moment(*calendar, now)) moment = *m;
    Object row = counts_value(all, !invite_statuses.empty());
    row["label"] = workflow.label.empty() ? track : workflow.label;
    row["year"] = calendar ? Value(calendar->year) : Value("-");
    row["phase"] = phase_text(calendar, moment);
    row["provinces"] = std::move(province_rows);
    Array round_rows;
    for (std::size_t i = 0; i < rounds.size(); ++i)
      round_rows.push_back(
          Object{{"label", rounds[i]->label.empty() ? rounds[i]->id : rounds[i]->label},
                 {"window", window_nl(rounds[i]->window.opens, rounds[i]->window.closes)},
                 {"registered", by_round[i].registered},
                 {"open", by_round[i].open},
                 {"accepted", by_round[i].accepted}});
    row["has_rounds"] = !round_rows.empty();
    row["rounds"] = std::move(round_rows);
    // Open requests against the places that remain, per province, with the round's days.
    if (calendar) {
      auto capacity = capacity_section(kit_, req, *calendar, provinces);
      if (!capacity) return kit_.refused(req, capacity.error());
      row["capacity"] = std::move(*capacity);
    }
    // An invitation shows the service the student's personal data: a service that invites far
    // more students in a day than a service needs is named here, for the admin to ask why.
    if (!invite_statuses.empty()) {
      Array unusual;
      auto changes = services.engine.progress.changes_since(req.actor(), track, invite_statuses,
                                                            now - std::chrono::hours{24});
      if (!changes) return kit_.refused(req, changes.error());
      for (const auto& c : *changes) {
        if (c.count < kUnusualInvitationsPerDay) break;  // most first
        auto org = services.engine.organisations.find(c.service_id);
        unusual.push_back(
            Object{{"name", org ? org->name : "dienst " + std::to_string(c.service_id)},
                   {"count", c.count}});
      }
      row["watch"] = Object{{"threshold", kUnusualInvitationsPerDay},
                            {"any", !unusual.empty()},
                            {"services", std::move(unusual)}};
    }
    tracks.push_back(std::move(row));
  }
  return kit_.page(req, 200, "admin_dashboard", "Overzicht",
                   Object{{"now", format_local_nl(now)},
                          {"tracks", std::move(tracks)},
                          {"export_csv", "/api/v1/admin/export.csv"},
                          {"export_xlsx", "/api/v1/admin/export.xlsx"}});
}

HttpResponse AdminPages::organisations_page(const HttpRequest& req, int status, const OrgForm& form,
                                            const std::string& notice) const {
  auto defs = kit_.definitions();
  Choices provinces = province_choices(*defs);
  Choices tracks;
  for (const auto& [name, workflow] : defs->workflows)
    tracks.emplace_back(name, workflow.label.empty() ? name : workflow.label);
  auto orgs = kit_.services().engine.organisations.list();
  std::stable_sort(orgs.begin(), orgs.end(), [](const Organisation& a, const Organisation& b) {
    return a.type != b.type ? a.type < b.type : a.name < b.name;
  });
  Array rows;
  for (const auto& org : orgs) {
    std::vector<std::string> labels;
    for (const auto& p : org.provinces) {
      std::string label = p;
      for (const auto& [code, name] : provinces)
        if (code == p) label = name;
      labels.push_back(label);
    }
    for (const auto& t : org.tracks) labels.push_back(track_label(*defs, t));
    std::string detail;
    for (const auto& l : labels) detail += (detail.empty() ? "" : ", ") + l;
    rows.push_back(Object{
        {"id", org.id}, {"name", org.name}, {"type", org_type(org.type)}, {"detail", detail}});
  }
  Array fields;
  fields.push_back(checks_field(
      {"type", "Soort organisatie", true, "", message_of(form.errors, "type"), ""},
      {{"school", "School"}, {"service", "Dienst gezinszorg"}},
      form.type.empty() ? std::set<std::string>{} : std::set<std::string>{form.type}, true));
  fields.push_back(input_field({"name", "Naam", true, "", message_of(form.errors, "name"), ""},
                               "text", form.name,
                               Object{{"autocomplete", "off"}, {"maxlength", 200}}));
  fields.push_back(checks_field(
      {"provinces", "Provincies (enkel voor een dienst)", false,
       "De provincies waarin de dienst actief is.", message_of(form.errors, "provinces"), ""},
      provinces, form.provinces));
  fields.push_back(checks_field({"tracks", "Trajecten (enkel voor een school)", false,
                                 "De trajecten waarin de school leerlingen mag inschrijven.",
                                 message_of(form.errors, "tracks"), ""},
                                tracks, form.tracks));
  return kit_.page(
      req, status, "admin_orgs", "Organisaties",
      Object{{"notice", text_or_null(notice)},
             {"error", form.errors.empty() ? Value() : Value("Kijk de aangeduide velden na.")},
             {"orgs", std::move(rows)},
             {"fields", std::move(fields)}});
}

HttpResponse AdminPages::organisations(HttpRequest& req) const {
  return organisations_page(
      req, 200, OrgForm{},
      req.query_value("aangemaakt") == "1" ? "De organisatie werd aangemaakt." : "");
}

HttpResponse AdminPages::create_organisation(HttpRequest& req) const {
  auto formdata = req.form();
  OrgForm form;
  form.type = formdata["type"];
  form.name = trim(formdata["name"]);
  auto defs = kit_.definitions();
  Choices provinces = province_choices(*defs);
  for (const auto& p : req.form_all("provinces"))
    if (std::any_of(provinces.begin(), provinces.end(),
                    [&p](const auto& c) { return c.first == p; }))
      form.provinces.insert(p);
  for (const auto& t : req.form_all("tracks"))
    if (defs->workflow(t)) form.tracks.insert(t);
  auto id = kit_.services().engine.organisations.create(
      req.actor(), NewOrganisation{form.type,
                                   form.name,
                                   {form.provinces.begin(), form.provinces.end()},
                                   {form.tracks.begin(), form.tracks.end()}});
  if (!id) {
    if (id.error().fields.empty()) return kit_.refused(req, id.error(), "/admin/organisaties");
    form.errors = id.error().fields;
    return organisations_page(req, id.error().code == "validation" ? 422 : 409, form, "");
  }
  return HttpResponse::redirect("/admin/organisaties?aangemaakt=1");
}

HttpResponse AdminPages::invitations_page(const HttpRequest& req, int status,
                                          const InviteForm& form, const std::string& notice) const {
  auto& services = kit_.services();
  auto orgs = services.engine.organisations.list();
  std::map<Id, std::string> names;
  Choices org_choices;
  for (const auto& org : orgs) {
    names[org.id] = org.name;
    org_choices.emplace_back(std::to_string(org.id), org.name + " (" + org_type(org.type) + ")");
  }
  Array fields;
  fields.push_back(
      input_field({"email", "E-mailadres", true, "", message_of(form.errors, "email"), ""}, "email",
                  form.email, Object{{"autocomplete", "off"}}));
  fields.push_back(select_field({"role", "Rol", true, "", message_of(form.errors, "role"), ""},
                                role_choices(), form.role));
  fields.push_back(select_field({"org_id", "Organisatie", false,
                                 "Voor een school of een dienst; leeg voor een beheerder van VIVO.",
                                 message_of(form.errors, "org_id"), ""},
                                org_choices, form.org_id, "Geen (beheerder)"));
  Array users;
  for (const auto& u :
       services.engine.organisations.users(req.actor()).value_or(std::vector<User>{})) {
    std::string role = u.role;
    for (const auto& [id, label] : role_choices())
      if (id == u.role) role = label;
    users.push_back(Object{
        {"email", u.email},
        {"role", role},
        {"org", u.org_id && names.contains(*u.org_id) ? Value(names[*u.org_id]) : Value("-")},
        {"activated", u.activated}});
  }
  return kit_.page(req, status, "admin_invites", "Uitnodigingen",
                   Object{{"notice", text_or_null(notice)},
                          {"error", text_or_null(form.error)},
                          {"fields", std::move(fields)},
                          {"users", std::move(users)}});
}

HttpResponse AdminPages::invitations(HttpRequest& req) const {
  return invitations_page(req, 200, InviteForm{},
                          req.query_value("uitgenodigd") == "1"
                              ? "De uitnodiging werd verstuurd: de activatielink vertrekt per mail."
                              : "");
}

HttpResponse AdminPages::invite(HttpRequest& req) const {
  auto formdata = req.form();
  InviteForm form;
  form.email = trim(formdata["email"]);
  form.role = formdata["role"];
  form.org_id = formdata["org_id"];
  if (form.email.empty()) form.errors["email"] = "Vul een e-mailadres in.";
  if (form.role.empty()) form.errors["role"] = "Kies een rol.";
  std::optional<Id> org_id = parse_id(form.org_id);
  if (!form.org_id.empty() && !org_id) form.errors["org_id"] = "Kies een organisatie uit de lijst.";
  if (!form.errors.empty()) return invitations_page(req, 422, form, "");
  auto done =
      kit_.services().engine.organisations.invite(req.actor(), form.email, form.role, org_id);
  if (!done) {
    for (const auto& [field, message] : done.error().fields)
      form.errors[field == "email" || field == "role" || field == "org_id" ? field : "email"] =
          message;
    form.error = done.error().message;
    return invitations_page(req, http_status(done.error()), form, "");
  }
  return HttpResponse::redirect("/admin/uitnodigingen?uitgenodigd=1");
}

HttpResponse AdminPages::audit(HttpRequest& req) const {
  auto& engine = kit_.services().engine;
  auto lines = engine.audit.recent(req.actor(), kLogLines);
  if (!lines) return kit_.refused(req, lines.error());
  const AuditNames names(engine.organisations.users(req.actor()).value_or(std::vector<User>{}),
                         engine.organisations.list());
  Array rows;
  for (const auto& a : *lines)
    rows.push_back(
        Object{{"at", format_local_nl(a.at)},
               {"actor", names.who(a)},
               {"user", names.user(a)},
               {"action", a.action},
               {"object", a.object_type + (a.object_id ? " " + std::to_string(*a.object_id) : "")},
               {"outcome", a.outcome},
               {"refused", a.outcome != "ok"},
               {"detail", a.detail}});
  return kit_.page(req, 200, "admin_audit", "Auditlog",
                   Object{{"rows", std::move(rows)}, {"limit", kLogLines}});
}

HttpResponse AdminPages::mails(HttpRequest& req) const {
  auto mails = kit_.services().engine.outbox.recent(req.actor(), kLogLines);
  if (!mails) return kit_.refused(req, mails.error());
  Array rows;
  for (const auto& m : *mails)
    rows.push_back(
        Object{{"created", m.created_at ? Value(format_local_nl(*m.created_at)) : Value("-")},
               {"to", m.to_address},
               {"subject", m.subject},
               {"state", mail_state(m.state)},
               {"dead", m.state == "dead"},
               {"attempts", m.attempts},
               {"sent", m.sent_at ? Value(format_local_nl(*m.sent_at)) : Value("-")},
               {"error", text_or_null(m.last_error)},
               {"id", m.id}});
  std::string notice;
  if (req.query_value("opnieuw") == "ok") notice = "De mail staat opnieuw in de wachtrij.";
  if (req.query_value("opnieuw") == "niet") notice = "Die mail staat niet (meer) op mislukt.";
  return kit_.page(req, 200, "admin_mails", "Mails",
                   Object{{"rows", std::move(rows)},
                          {"limit", kLogLines},
                          {"notice", text_or_null(notice)},
                          {"can_resend", kit_.services().engine.outbox.can_resend()}});
}

HttpResponse AdminPages::mail(HttpRequest& req) const {
  std::optional<Id> id = parse_id(req.param("id"));
  if (!id) return kit_.not_found(req);
  auto& outbox = kit_.services().engine.outbox;
  auto found = outbox.find(req.actor(), *id);
  if (!found) {
    if (found.error().code != "not_found") return kit_.refused(req, found.error());
    return kit_.message(req, 404, "Mail niet gevonden", found.error().message, "/admin/mails",
                        "Naar de mails");
  }
  const OutboxMail& m = *found;
  // Both bodies are shown as text, escaped by the template: the HTML version as its source,
  // never rendered, so nothing a mail carries can act inside the admin's page.
  return kit_.page(
      req, 200, "admin_mail", "Mail: " + m.subject,
      Object{{"id", m.id},
             {"to", m.to_address},
             {"subject", m.subject},
             {"state", mail_state(m.state)},
             {"dead", m.state == "dead"},
             {"attempts", m.attempts},
             {"created", m.created_at ? Value(format_local_nl(*m.created_at)) : Value("-")},
             {"sent", m.sent_at ? Value(format_local_nl(*m.sent_at)) : Value("-")},
             {"next_attempt", m.state == "pending" && m.next_attempt_at
                                  ? Value(format_local_nl(*m.next_attempt_at))
                                  : Value()},
             {"error", text_or_null(m.last_error)},
             {"body_text", with_link(m.body_text, kLinkNotKept)},
             {"body_html", text_or_null(with_link(m.body_html, kLinkNotKept))},
             {"can_resend", outbox.can_resend()}});
}

HttpResponse AdminPages::resend_mail(HttpRequest& req) const {
  Id id = 0;
  try {
    id = std::stoll(req.param("id"));
  } catch (const std::exception&) {
    return HttpResponse::redirect("/admin/mails?opnieuw=niet");
  }
  if (!kit_.services().engine.outbox.resend(req.actor(), id))
    return HttpResponse::redirect("/admin/mails?opnieuw=niet");
  if (kit_.services().run_due_work) kit_.services().run_due_work();
  return HttpResponse::redirect("/admin/mails?opnieuw=ok");
}

}  // namespace stagematch

#include "matching.hpp"

#include <algorithm>
#include <charconv>

#include "audit_log.hpp"
#include "domain_errors.hpp"
#include "geo.hpp"
#include "request_validation.hpp"

namespace stagematch {

namespace {

// Pages of services' lists kept at once (ListCache); a full cache starts again empty.
constexpr std::size_t kListCacheEntries = 4096;
// Presented requests shared by those pages (ListCache::items).
constexpr std::size_t kListCacheItems = 50000;

using domain::kAlreadyAccepted;

// A service's own status as a list read it along ("" when it never chose: the initial one).
std::string own_status(const Workflow& workflow, const RequestRecord& r) {
  if (!r.own_status.empty()) return r.own_status;
  return workflow.initial_status() ? workflow.initial_status()->id : "";
}

// Whether that status shows the service the personal fields (they follow the current status).
bool shows_personal(const Workflow& workflow, const RequestRecord& r) {
  return workflow.reveals(own_status(workflow, r));
}

using domain::error;
using domain::from_request_store;
using domain::not_found;

std::optional<Id> to_id(const Value& v) {
  if (v.is_int()) return v.as_int();
  if (v.is_number() && v.as_number() == static_cast<double>(static_cast<Id>(v.as_number())))
    return static_cast<Id>(v.as_number());
  if (v.is_string()) {
    Id out = 0;
    const std::string& s = v.as_string();
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec == std::errc{} && p == s.data() + s.size()) return out;
  }
  return std::nullopt;
}

std::string text(const Value& v) { return v.is_string() ? v.as_string() : std::string(); }

Value seconds(Instant t) { return Value(static_cast<std::int64_t>(t.time_since_epoch().count())); }

// The columns a visibility predicate reads, as matches() compares them (ids as text, the way
// the rules receive a service id).
Value predicate_row(const RequestRecord& r) {
  Object row{{"province", r.province},
             {"postal_code", r.postal_code},
             {"school_id", std::to_string(r.school_id)},
             {"registered_at", seconds(r.registered_at)}};
  if (r.preferred_service_id) row["preferred_service_id"] = std::to_string(*r.preferred_service_id);
  if (r.accepted_by) row["accepted_by"] = std::to_string(*r.accepted_by);
  return row;
}

DomainError validation_error(const std::vector<FieldProblem>& problems) {
  DomainError e = error(ErrorKind::invalid, "validation",
                        "Niet alle velden zijn correct ingevuld. Kijk de aangeduide velden na.");
  for (const auto& p : problems)
    if (p.severity == Severity::kError && !e.fields.contains(p.field))
      e.fields[p.field] = p.message;
  return e;
}

bool has_errors(const std::vector<FieldProblem>& problems) {
  return std::any_of(problems.begin(), problems.end(),
                     [](const FieldProblem& p) { return p.severity == Severity::kError; });
}

std::vector<FieldProblem> warnings_of(const std::vector<FieldProblem>& problems) {
  std::vector<FieldProblem> out;
  std::copy_if(problems.begin(), problems.end(), std::back_inserter(out),
               [](const FieldProblem& p) { return p.severity == Severity::kWarning; });
  return out;
}

}  // namespace

Matching::Matching(Store& store, std::function<std::shared_ptr<const DefinitionSet>()> definitions,
                   const Clock& clock)
    : hints_(std::make_shared<TransportHints>()),
      store_(store),
      definitions_(std::move(definitions)),
      clock_(clock) {}

AuditEntry Matching::audit(const Actor& actor, std::string action, std::optional<Id> object_id,
                           std::string detail) const {
  return audit_entry(actor, clock_.now(), std::move(action), "request", object_id,
                     std::move(detail));
}

const Calendar* Matching::current_calendar(const DefinitionSet& defs, const std::string& track,
                                           Instant now) const {
  std::vector<const Calendar*> cals = defs.calendars_of(track);
  if (cals.empty()) return nullptr;
  // A calendar with a round open now; else the latest that has started; else the first.
  for (auto it = cals.rbegin(); it != cals.rend(); ++it)
    if ((*it)->round_at(now)) return *it;
  for (auto it = cals.rbegin(); it != cals.rend(); ++it) {
    const Calendar& c = **it;
    Instant start = c.registration ? c.registration->opens
                                   : (c.rounds.empty() ? now : c.rounds.front().window.opens);
    if (start <= now) return &c;
  }
  return cals.front();
}

std::vector<FieldProblem> Matching::validate(const Actor& actor, const Workflow& workflow,
                                             const std::shared_ptr<const DefinitionSet>& defs,
                                             const Value& fields) {
  ReferenceCheck refs;
  refs.school_contact_exists = [&](const std::string& id) {
    auto n = to_id(Value(id));
    if (!n) return false;
    auto c = store_.contact(*n);
    return c && c->org_id == actor.org_id;
  };
  refs.service_exists = [&](const std::string& id) {
    auto n = to_id(Value(id));
    if (!n) return false;
    auto o = store_.organisation(*n);
    return o && o->type == role::kService;
  };
  refs.this_year = to_brussels(clock_.now()).year;  // "future" birth years by the product's clock
  std::vector<FieldProblem> problems = validate_request(workflow, fields, refs);
  RuleEngine rules(defs);
  auto checks = rules.checks(workflow, fields);
  if (!checks) {
    problems.push_back(
        {"", "De controleregels van dit traject konden niet lopen: " + checks.error().message,
         Severity::kError});
  } else {
    for (auto& p : *checks) {
      // A field already refused on its own needs no second remark.
      bool known = std::any_of(problems.begin(), problems.end(), [&](const FieldProblem& q) {
        return q.field == p.field && q.severity == Severity::kError;
      });
      if (!known) problems.push_back(std::move(p));
    }
  }
  return problems;
}

namespace {

// Copies the validated fields into the record's columns (national number normalised).
void fill_record(RequestRecord& r, const Value& fields) {
  Object copy = fields.is_object() ? fields.as_object() : Object{};
  for (const char* readonly : {"id", "track", "school", "registered_at"}) copy.erase(readonly);
  if (auto nn = copy.find("national_number"); nn != copy.end() && nn->second.is_string())
    if (auto digits = normalize_national_number(nn->second.as_string())) nn->second = *digits;
  r.first_name = text(fields["first_name"]);
  r.last_name = text(fields["last_name"]);
  r.province = text(fields["province"]);
  r.postal_code = fields["postal_code"].is_int() ? std::to_string(fields["postal_code"].as_int())
                                                 : text(fields["postal_code"]);
  r.transport.clear();
  if (fields["transport"].is_array())
    for (const auto& t : fields["transport"].as_array())
      if (t.is_string()) r.transport.push_back(t.as_string());
  r.school_contact_id = to_id(fields["school_contact_id"]);
  r.preferred_service_id = to_id(fields["preferred_service_id"]);
  r.fields = Value(std::move(copy));
}

}  // namespace

DomainResult<Registered> Matching::register_request(const Actor& actor, const std::string& track,
                                                    const Value& fields) {
  if (actor.role != role::kSchool)
    return std::unexpected(
        error(ErrorKind::forbidden, "forbidden", "Enkel scholen schrijven leerlingen in."));
  auto defs = definitions_();
  const Workflow* workflow = defs->workflow(track);
  if (!workflow)
    return std::unexpected(error(ErrorKind::not_found, "not_found", "Dit traject bestaat niet."));
  auto school = store_.organisation(actor.org_id);
  if (!school) return std::unexpected(from_request_store(school.error()));
  if (std::find(school->tracks.begin(), school->tracks.end(), track) == school->tracks.end())
    return std::unexpected(error(
        ErrorKind::forbidden, "track_not_allowed",
        "Je school kan geen leerlingen inschrijven in het traject '" + workflow->label + "'."));

  Instant now = clock_.now();
  RuleEngine rules(defs);
  const Calendar* calendar = nullptr;
  std::optional<Instant> visible_from;
  std::string closed_message;
  std::string notice;
  for (const Calendar* c : defs->calendars_of(track)) {  // in school-year order
    auto m = rules.moment(*c, now);
    if (!m) return std::unexpected(error(ErrorKind::rule_failed, "rule_error", m.error().message));
    if (m->school_may_register) {
      calendar = c;  // the latest school year open for registration wins
      visible_from = m->school_visible_from;
      notice = visible_from ? m->school_message : "";
    } else if (closed_message.empty() || c == current_calendar(*defs, track, now))
      closed_message = m->school_message;
  }
  if (!calendar)
    return std::unexpected(
        error(ErrorKind::forbidden, "registration_closed",
              closed_message.empty() ? "Inschrijven kan nu niet in dit traject." : closed_message));

  std::vector<FieldProblem> problems = validate(actor, *workflow, defs, fields);
  if (has_errors(problems)) return std::unexpected(validation_error(problems));

  RequestRecord r;
  r.track = track;
  r.year = calendar->year;
  r.school_id = actor.org_id;
  r.registered_at = now;
  fill_record(r, fields);
  auto id = store_.insert_request(
      r, audit(actor, "request.register", std::nullopt, "traject " + track + " " + calendar->year));
  if (!id) return std::unexpected(from_request_store(id.error()));
  return Registered{*id, warnings_of(problems), visible_from, notice};
}

// The school's change refused because a service accepted the student. Before the results date
// the school may not know that yet, so the refusal then does not say it.
DomainError Matching::answered(const Loaded& loaded, const std::string& message) {
  if (school_sees_answer(*loaded.defs, loaded.record, clock_.now()))
    return error(ErrorKind::conflict, "already_accepted", message);
  return error(ErrorKind::conflict, "locked",
               "Deze aanvraag is in behandeling en kan nu niet gewijzigd worden. Neem contact op "
               "met VIVO als er iets moet veranderen.");
}

DomainResult<std::vector<FieldProblem>> Matching::edit_request(const Actor& actor, Id request_id,
                                                               const Value& fields,
                                                               std::optional<int> version) {
  if (actor.role != role::kSchool)
    return std::unexpected(
        error(ErrorKind::forbidden, "forbidden", "Enkel de school bewerkt haar leerlingen."));
  auto loaded = load_visible(actor, request_id);
  if (!loaded) return std::unexpected(loaded.error());
  RequestRecord& r = loaded->record;
  if (r.accepted_by)
    return std::unexpected(answered(
        *loaded, "Deze student werd al aanvaard door een dienst en kan niet meer bewerkt worden."));
  if (loaded->calendar) {
    RuleEngine rules(loaded->defs);
    auto m = rules.moment(*loaded->calendar, clock_.now());
    if (m && !m->school_may_edit)
      return std::unexpected(error(ErrorKind::forbidden, "editing_closed", m->school_message));
  }
  std::vector<FieldProblem> problems = validate(actor, *loaded->workflow, loaded->defs, fields);
  if (has_errors(problems)) return std::unexpected(validation_error(problems));
  if (version) r.version = *version;
  fill_record(r, fields);
  auto done = store_.update_request(r, audit(actor, "request.edit", request_id));
  if (!done) return std::unexpected(from_request_store(done.error()));
  return warnings_of(problems);
}

DomainResult<void> Matching::delete_request(const Actor& actor, Id request_id) {
  if (actor.role != role::kSchool)
    return std::unexpected(
        error(ErrorKind::forbidden, "forbidden", "Enkel de school verwijdert haar leerlingen."));
  auto loaded = load_visible(actor, request_id);
  if (!loaded) return std::unexpected(loaded.error());
  if (loaded->record.accepted_by)
    return std::unexpected(
        answered(*loaded, "Een aanvaarde student kan niet meer verwijderd worden."));
  auto done =
      store_.delete_request(actor.org_id, request_id, audit(actor, "request.delete", request_id));
  if (!done) return std::unexpected(from_request_store(done.error()));
  return {};
}

DomainResult<void> Matching::stop_request(const Actor& actor, Id request_id) {
  if (actor.role != role::kSchool)
    return std::unexpected(
        error(ErrorKind::forbidden, "forbidden", "Enkel de school meldt een gestopte leerling."));
  auto loaded = load_visible(actor, request_id);
  if (!loaded) return std::unexpected(loaded.error());
  if (loaded->record.accepted_by)
    return std::unexpected(answered(
        *loaded, "Deze student werd al aanvaard; vraag VIVO om de aanvaarding ongedaan te maken."));
  auto done =
      store_.stop_request(actor.org_id, request_id, audit(actor, "request.stop", request_id));
  if (!done) return std::unexpected(from_request_store(done.error()));
  return {};
}

namespace {

// How many of the calendar's own moments lie at or before `now`: the visibility rule reads the
// calendar and `now`, so between two consecutive moments its answer cannot change.
std::size_t calendar_stretch(const Calendar& calendar, Instant now) {
  std::size_t passed = 0;
  auto count = [&](const std::optional<Instant>& t) {
    if (t && *t <= now) ++passed;
  };
  auto window = [&](const std::optional<Window>& w) {
    if (!w) return;
    count(w->opens);
    count(w->closes);
  };
  window(calendar.registration);
  count(calendar.results_at);
  for (const auto& b : calendar.blackouts) {
    window(b.window);
    count(b.visible_from);
  }
  for (const auto& r : calendar.rounds) {
    window(r.window);
    window(r.registration);
    count(r.results_at);
  }
  return passed;
}

}  // namespace

std::optional<Moment> Matching::moment(const std::shared_ptr<const DefinitionSet>& defs,
                                       const Calendar& calendar, Instant now) {
  const std::string key =
      calendar.track + '/' + calendar.year + '|' + std::to_string(calendar_stretch(calendar, now));
  if (auto kept = moment_cache_.find(defs, key)) return *kept;
  auto answer = RuleEngine(defs).moment(calendar, now);
  std::optional<Moment> out;
  if (answer) out = std::move(*answer);
  moment_cache_.put(defs, key, out);
  return out;
}

bool Matching::step_open(const std::shared_ptr<const DefinitionSet>& defs, const Calendar& calendar,
                         const Workflow& workflow, const std::string& from,
                         const TransitionDef& row, Instant now) {
  const std::string key = calendar.track + '/' + calendar.year + '|' +
                          std::to_string(calendar_stretch(calendar, now)) + '|' + row.by + '|' +
                          from + '|' + row.to;
  if (auto kept = step_cache_.find(defs, key)) return *kept;
  auto decision = RuleEngine(defs).guard(workflow, row, calendar, from, row.by, now);
  const bool open = decision && decision->allow;
  step_cache_.put(defs, key, open);
  return open;
}

DomainResult<Predicate> Matching::visibility_for(const std::shared_ptr<const DefinitionSet>& defs,
                                                 const Calendar& calendar, Id service_id,
                                                 Instant now, std::string* key_out) {
  auto service = store_.organisation(service_id);
  if (!service) return std::unexpected(from_request_store(service.error()));
  std::string key = calendar.track + '/' + calendar.year + '|' + std::to_string(service_id) + '|' +
                    std::to_string(calendar_stretch(calendar, now)) + '|';
  for (const auto& p : service->provinces) key += p + ',';
  if (key_out) *key_out = key;
  if (auto kept = visibility_cache_.find(defs, key)) return *kept;
  RuleEngine rules(defs);
  auto p =
      rules.visibility(calendar, ServiceRef{std::to_string(service_id), service->provinces}, now);
  if (!p) return std::unexpected(error(ErrorKind::rule_failed, "rule_error", p.error().message));
  visibility_cache_.put(defs, key, *p);
  return *p;
}

DomainResult<Matching::Loaded> Matching::load_visible(const Actor& actor, Id request_id,
                                                      bool deciding) {
  auto record = store_.request(request_id);
  if (!record) return std::unexpected(from_request_store(record.error()));
  Loaded out;
  out.defs = definitions_();
  out.record = std::move(*record);
  out.workflow = out.defs->workflow(out.record.track);
  out.calendar = out.defs->calendar(out.record.track, out.record.year);
  if (!out.workflow) return std::unexpected(not_found());
  if (actor.role == role::kSchool) {
    if (out.record.school_id != actor.org_id) return std::unexpected(not_found());
  } else if (actor.role == role::kService) {
    if (out.record.state != request_state::kActive && out.record.accepted_by != actor.org_id)
      return std::unexpected(not_found());
    if (out.record.accepted_by == actor.org_id) return out;  // accepted: visible for ever
    if (!out.calendar) return std::unexpected(not_found());
    auto p = visibility_for(out.defs, *out.calendar, actor.org_id, clock_.now());
    if (!p) return std::unexpected(p.error());
    if (!matches(*p, predicate_row(out.record))) {
      if (deciding && out.record.accepted_by) {
        RequestRecord before = out.record;
        before.accepted_by.reset();
        if (matches(*p, predicate_row(before)))
          return std::unexpected(error(ErrorKind::conflict, "already_accepted", kAlreadyAccepted));
      }
      return std::unexpected(not_found());
    }
  } else if (actor.role != role::kAdmin) {
    return std::unexpected(not_found());
  }
  return out;
}

DomainResult<void> Matching::change_status(const Actor& actor, Id request_id,
                                           const StatusInput& input) {
  if (actor.role != role::kService && actor.role != role::kAdmin)
    return std::unexpected(
        error(ErrorKind::forbidden, "forbidden", "Enkel diensten kiezen een status."));
  auto loaded = load_visible(actor, request_id, true);
  if (!loaded) return std::unexpected(loaded.error());
  const RequestRecord& r = loaded->record;
  const Workflow& workflow = *loaded->workflow;
  if (!loaded->calendar)
    return std::unexpected(
        error(ErrorKind::forbidden, "round_closed",
              "Er is geen kalender voor dit schooljaar; statussen kunnen niet wijzigen."));
  if (r.state != request_state::kActive)
    return std::unexpected(
        error(ErrorKind::conflict, "stopped", "Deze student is gestopt met de opleiding."));

  Id service_id = actor.org_id;
  if (actor.role == role::kAdmin) {
    if (!r.accepted_by)
      return std::unexpected(error(ErrorKind::invalid, "transition_not_allowed",
                                   "Deze student werd door geen enkele dienst aanvaard."));
    service_id = *r.accepted_by;
  }
  const std::string initial = workflow.initial_status() ? workflow.initial_status()->id : "";
  ServiceStatus current = store_.service_status(request_id, service_id, initial);
  const StatusDef* target = workflow.status(input.status);
  if (target && target->exclusive && r.accepted_by && *r.accepted_by != service_id)
    return std::unexpected(error(ErrorKind::conflict, "already_accepted", kAlreadyAccepted));

  int period_count =
      r.fields["periods"].is_array() ? static_cast<int>(r.fields["periods"].as_array().size()) : 0;
  StatusChange change{current.status, input.status,
                      actor.role,     input.mentor_id ? std::to_string(*input.mentor_id) : "",
                      input.periods,  input.notes,
                      input.reason};
  Instant now = clock_.now();
  RuleEngine rules(loaded->defs);
  auto decided = decide_transition(rules, workflow, *loaded->calendar, change, period_count, now);
  if (!decided) {
    const TransitionRefusal& refusal = decided.error();
    ErrorKind kind = refusal.error == "round_closed" ? ErrorKind::forbidden
                     : refusal.error == "rule_error" ? ErrorKind::rule_failed
                                                     : ErrorKind::invalid;
    DomainError e =
        error(kind, refusal.error == "missing_requirement" ? "validation" : refusal.error,
              refusal.message);
    if (!refusal.field.empty()) e.fields[refusal.field] = refusal.message;
    store_.append_audit([&] {
      AuditEntry a =
          audit(actor, "status.change", request_id, current.status + " -> " + input.status);
      a.outcome = "refused:" + refusal.error;
      return a;
    }());
    return std::unexpected(e);
  }
  const TransitionDef& row = **decided;
  if (row.needs("mentor")) {
    auto mentor = store_.contact(*input.mentor_id);
    if (!mentor || mentor->org_id != service_id) {
      DomainError e = error(ErrorKind::invalid, "validation",
                            "Kies een stagementor uit de contactpersonen van je eigen dienst.");
      e.fields["mentor_id"] = e.message;
      return std::unexpected(e);
    }
  }

  StatusWrite write;
  write.request_id = request_id;
  write.service_id = service_id;
  if (actor.user_id) write.user_id = actor.user_id;
  write.from = current.status;
  write.to = input.status;
  write.exclusive = target && target->exclusive;
  write.reveal = row.has_effect("reveal_personal");
  write.release = row.has_effect("release");
  write.count = row.has_effect("count_status");
  if (row.needs("mentor")) write.mentor_id = input.mentor_id;
  if (row.needs("periods")) write.periods = input.periods;
  write.notes = input.notes;
  write.reason = input.reason;
  write.at = now;
  if (row.has_effect("notify_school")) write.mails = school_notice(workflow, r, service_id, input);
  // An undone acceptance is told to both sides (SPEC, December 2026), with the reason.
  if (write.release) write.mails = undo_notices(workflow, r, service_id, input.reason);
  std::string detail = current.status + " -> " + input.status +
                       (write.reveal ? " (persoonsgegevens zichtbaar)" : "");
  // An admin's correction says in the audit log whose acceptance it undid and why: the reason
  // is also kept in status_history, but the audit log is what the admin reads.
  if (write.release) {
    std::string service =
        r.accepted_by_name.empty() ? "dienst " + std::to_string(service_id) : r.accepted_by_name;
    detail += "; aanvaarding door " + service + " ongedaan gemaakt";
  }
  if (row.needs("reason")) detail += "; reden: " + input.reason;
  auto done = store_.write_status(write, audit(actor, "status.change", request_id, detail));
  if (!done) return std::unexpected(from_request_store(done.error()));
  return {};
}

std::vector<OutboxMail> Matching::school_notice(const Workflow& workflow, const RequestRecord& r,
                                                Id service_id, const StatusInput& input) {
  std::vector<OutboxMail> out;
  if (!notice_mail_ || !notice_queue_) return out;
  auto service = store_.organisation(service_id);
  auto school = store_.organisation(r.school_id);
  Array periods;
  if (r.fields["periods"].is_array()) {
    const Array& all = r.fields["periods"].as_array();
    for (int i : input.periods)
      if (i >= 0 && i < static_cast<int>(all.size()))
        periods.emplace_back(text(all[static_cast<std::size_t>(i)]["start"]) + " - " +
                             text(all[static_cast<std::size_t>(i)]["end"]));
  }
  std::string mentor;
  if (input.mentor_id)
    if (auto c = store_.contact(*input.mentor_id)) mentor = c->name;
  Object data{{"student", r.first_name + " " + r.last_name},
              {"service", service ? service->name : std::string()},
              {"mentor", mentor},
              {"periods", std::move(periods)},
              {"notes", input.notes},
              {"organisation", school ? school->name : std::string()},
              {"track_label", workflow.label},
              {"link", notice_mail_->links().school_requests(r.track)}};
  // Before the results date the school may not know yet: the mail waits in the outbox until then.
  const std::optional<Instant> hold_until = school_hold(r);
  for (const auto& address : notice_queue_->org_addresses(r.school_id)) {
    OutboxMail m = notice_mail_->compose("student_accepted", Value(data), address);
    if (hold_until) m.next_attempt_at = hold_until;
    m.dedupe_key = "accepted/" + std::to_string(r.id) + "/" + std::to_string(service_id) + "/" +
                   std::to_string(clock_.now().time_since_epoch().count()) + "/" + address;
    out.push_back(std::move(m));
  }
  return out;
}

bool Matching::school_sees_answer(const DefinitionSet& defs, const RequestRecord& r, Instant now) {
  if (!r.accepted_at) return true;
  const Calendar* calendar = defs.calendar(r.track, r.year);
  if (!calendar) return true;
  auto from = calendar->answer_visible_from(*r.accepted_at);
  return !from || now >= *from;
}

std::optional<Instant> Matching::answer_held_until(const DefinitionSet& defs,
                                                   const RequestRecord& r, Instant now) {
  const Calendar* calendar = defs.calendar(r.track, r.year);
  if (!calendar || r.state != request_state::kActive) return std::nullopt;
  auto from = calendar->answer_visible_from(r.accepted_at.value_or(now));
  return from && now < *from ? from : std::nullopt;
}

namespace {

Predicate leaf(Predicate::Op op, std::string field, std::vector<Value> values = {}) {
  return Predicate{op, std::move(field), std::move(values), {}};
}
Predicate group(Predicate::Op op, std::vector<Predicate> args) {
  return Predicate{op, "", {}, std::move(args)};
}

// The answers a school of `calendar` may not know yet at `now` (answer_held_until as a
// condition): none when no results date lies ahead; else every answer given after the last
// results date that passed, or every answer when none passed yet.
std::optional<Predicate> held_back(const Calendar& calendar, Instant now) {
  auto next = calendar.answer_visible_from(now);
  if (!next || *next <= now) return std::nullopt;
  // The results dates answer_visible_from chooses from: the calendar's, or else the rounds'.
  std::vector<Instant> dates;
  if (calendar.results_at) dates.push_back(*calendar.results_at);
  for (const auto& round : calendar.rounds)
    if (!calendar.results_at && round.results_at) dates.push_back(*round.results_at);
  std::optional<Instant> last;
  for (Instant d : dates)
    if (d < now && (!last || d > *last)) last = d;
  using Op = Predicate::Op;
  Predicate given =
      last ? leaf(Op::kGe, "accepted_at",
                  {Value(static_cast<std::int64_t>(
                      std::chrono::duration_cast<std::chrono::seconds>(last->time_since_epoch())
                          .count() +
                      1))})
           : group(Op::kNot, {leaf(Op::kNull, "accepted_at")});
  return group(Op::kAll, {leaf(Op::kEq, "year", {Value(calendar.year)}), std::move(given)});
}

}  // namespace

DomainResult<std::optional<Predicate>> Matching::school_filter(const DefinitionSet& defs,
                                                               const std::string& track,
                                                               const ListInput& input,
                                                               Instant now) {
  using Op = Predicate::Op;
  const std::string& status = input.school_status;
  if (status.empty() && !input.accepted_by) return std::optional<Predicate>();
  if (!status.empty() && std::find(std::begin(kSchoolStatuses), std::end(kSchoolStatuses),
                                   status) == std::end(kSchoolStatuses)) {
    DomainError e = error(ErrorKind::invalid, "validation", "Kies een status uit de lijst.");
    e.fields["status"] = e.message;
    return std::unexpected(e);
  }
  // Held back answers count as "no place known yet": the filter tells no more than the list.
  std::vector<Predicate> held;
  std::vector<Value> waiting_years;
  for (const Calendar* calendar : defs.calendars_of(track))
    if (auto h = held_back(*calendar, now)) {
      held.push_back(std::move(*h));
      waiting_years.emplace_back(calendar->year);
    }
  Predicate hidden = group(Op::kAny, std::move(held));
  Predicate not_hidden = group(Op::kNot, {hidden});
  Predicate active = leaf(Op::kEq, "state", {Value(std::string(request_state::kActive))});
  Predicate unknown = group(Op::kAny, {leaf(Op::kNull, "accepted_by"), hidden});
  std::vector<Predicate> all;
  if (input.accepted_by)
    all.push_back(
        group(Op::kAll, {leaf(Op::kEq, "accepted_by", {Value(*input.accepted_by)}), not_hidden}));
  if (status == school_status::kAccepted)
    all.push_back(group(Op::kAll, {group(Op::kNot, {leaf(Op::kNull, "accepted_by")}), not_hidden}));
  else if (status == school_status::kNone)
    all.push_back(group(Op::kAll, {active, unknown}));
  else if (status == school_status::kWaiting)
    all.push_back(waiting_years.empty()
                      ? leaf(Op::kFalse, "")
                      : group(Op::kAll, {active, leaf(Op::kIn, "year", waiting_years), unknown}));
  else if (status == school_status::kStopped)
    all.push_back(leaf(Op::kEq, "state", {Value(std::string(request_state::kStopped))}));
  return std::optional<Predicate>(group(Op::kAll, std::move(all)));
}

Value Matching::present(const DefinitionSet& defs, const Workflow& workflow, const RequestRecord& r,
                        const Actor& actor, Instant now) {
  bool personal = actor.role != role::kService;
  Object out;
  if (actor.role == role::kService) {
    const std::string initial = workflow.initial_status() ? workflow.initial_status()->id : "";
    // Personal fields follow the service's current status (SPEC, December 2026): shown while
    // it is one the workflow reveals them for, hidden again once it moves on or an admin
    // undoes the acceptance. That it once saw them stays in the audit.
    const std::string status = r.own_status_read
                                   ? own_status(workflow, r)
                                   : store_.service_status(r.id, actor.org_id, initial).status;
    personal = workflow.reveals(status);
    out["my_status"] = status;
  }
  if (r.fields.is_object())
    for (const auto& [key, value] : r.fields.as_object())
      if (personal || !workflow.is_personal(key)) out[key] = value;
  out["id"] = r.id;
  out["track"] = r.track;
  out["year"] = r.year;
  out["state"] = r.state;
  out["school"] = Object{{"id", r.school_id}, {"name", r.school_name}};
  out["registered_at"] = format_iso(r.registered_at);
  if (const auto& contact = r.school_contact) {
    Object c{{"id", contact->id}, {"name", contact->name}};
    if (personal || !workflow.is_personal("school_contact.phone")) c["phone"] = contact->phone;
    if (personal || !workflow.is_personal("school_contact.email")) c["email"] = contact->email;
    out["school_contact"] = std::move(c);
  }
  bool answer = actor.role == role::kAdmin ||
                (actor.role == role::kService && r.accepted_by == actor.org_id) ||
                (actor.role == role::kSchool && school_sees_answer(defs, r, now));
  if (answer && r.accepted_by) {
    out["accepted_by"] = Object{{"id", *r.accepted_by}, {"name", r.accepted_by_name}};
    out["accepted_periods"] = Array(r.accepted_periods.begin(), r.accepted_periods.end());
    if (r.accepted_at) out["accepted_at"] = format_iso(*r.accepted_at);
    out["notes"] = r.notes;
    if (const auto& mentor = r.mentor)
      out["mentor"] = Object{{"id", mentor->id},
                             {"name", mentor->name},
                             {"phone", mentor->phone},
                             {"email", mentor->email}};
    if (actor.role == role::kSchool) out["status"] = std::string(school_status::kAccepted);
  }
  // A school is told that an answer waits for a results date, never what it is.
  if (actor.role == role::kSchool)
    if (auto until = answer_held_until(defs, r, now))
      out["answer_visible_from"] = format_iso(*until);
  return out;
}

DomainResult<Value> Matching::view_request(const Actor& actor, Id request_id) {
  auto loaded = load_visible(actor, request_id);
  if (!loaded) return std::unexpected(loaded.error());
  Value v = present(*loaded->defs, *loaded->workflow, loaded->record, actor, clock_.now());
  // Every reveal is audited: the service opened a request with personal data shown.
  if (actor.role == role::kService && v["my_status"].is_string() &&
      loaded->workflow->reveals(v["my_status"].as_string()))
    store_.append_audit(audit(actor, "request.reveal", request_id));
  return v;
}

DomainResult<ListOutput> Matching::list_requests(const Actor& actor, const std::string& track,
                                                 const ListInput& input) {
  auto defs = definitions_();
  const Workflow* workflow = defs->workflow(track);
  if (!workflow)
    return std::unexpected(error(ErrorKind::not_found, "not_found", "Dit traject bestaat niet."));
  Instant now = clock_.now();
  const Calendar* calendar =
      input.year ? defs->calendar(track, *input.year) : current_calendar(*defs, track, now);
  if (input.year && !calendar)
    return std::unexpected(
        error(ErrorKind::not_found, "not_found",
              "Er is geen kalender voor dit traject in schooljaar " + *input.year + "."));
  if (!input.tab.empty() && input.tab != list_tab::kOpen && input.tab != list_tab::kAccepted) {
    DomainError e = error(ErrorKind::invalid, "validation", "Kies het tabblad open of accepted.");
    e.fields["tab"] = e.message;
    return std::unexpected(e);
  }

  RequestQuery q;
  q.track = track;
  // Without a year: a service's open tab follows the calendar that holds now (the rounds
  // decide what it sees); its accepted students, a school's students and the admin's list
  // span every school year (accepted stays visible to the accepting service forever).
  const bool open_tab = actor.role == role::kService && input.tab != list_tab::kAccepted;
  if (calendar && (input.year || open_tab)) q.year = calendar->year;
  q.tab = input.tab.empty() ? std::string(list_tab::kOpen) : input.tab;
  q.name = input.name;
  q.provinces = input.provinces;
  q.school_filter = input.school;
  q.postal_code = input.postal_code;
  q.transport = input.transport;
  q.sort = input.sort;
  q.page = std::max(1, input.page);
  q.page_size = std::clamp(input.page_size, 1, 500);
  std::string cache_key;  // a service's list only: what the page depends on besides the data
  if (actor.role == role::kService) {
    q.service_id = actor.org_id;
    if (!calendar) return ListOutput{};
    auto p = visibility_for(defs, *calendar, actor.org_id, now, &cache_key);
    if (!p) return std::unexpected(p.error());
    q.visibility = *p;
    for (const std::string* part : {&q.track, &q.tab, &q.name, &q.postal_code, &q.sort})
      cache_key += '\x1f' + *part;
    for (const auto* parts : {&q.provinces, &q.transport}) {
      cache_key += '\x1f';
      for (const auto& value : *parts) cache_key += value + '\x1e';
    }
    cache_key += '\x1f' + q.year.value_or("*") + '\x1f' +
                 (q.school_filter ? std::to_string(*q.school_filter) : "") + '\x1f' +
                 std::to_string(q.page) + '\x1f' + std::to_string(q.page_size);
  } else if (actor.role == role::kSchool) {
    q.school_id = actor.org_id;
    q.include_stopped = true;
    q.tab = "all";
    auto filter = school_filter(*defs, track, input, now);
    if (!filter) return std::unexpected(filter.error());
    q.filter = std::move(*filter);
  } else if (actor.role == role::kAdmin) {
    // The admin may narrow to open or accepted requests; a school always gets all of its own
    // (a tab would tell it about acceptances before the results date).
    q.include_stopped = true;
    q.tab = input.tab.empty() ? "all" : input.tab;
  } else {
    return std::unexpected(error(ErrorKind::forbidden, "forbidden", "Geen toegang."));
  }
  // A service's page presents nothing that depends on the clock beyond the visibility (in the
  // key), so it is reused while the store's list version stands still. The version is read
  // before the list: a change committed in between moves it on, and the page read here is
  // then kept under the older number, never the other way round.
  std::optional<std::int64_t> version;
  if (!cache_key.empty()) version = store_.list_version();
  // Sorting by distance needs every request's place saved: those changed since the track was
  // last placed are worked out now, once per list version.
  if (q.service_id && q.sort == "afstand") {
    bool placed = false;
    if (version) {
      std::lock_guard lock(locations_cache_.mutex);
      auto it = locations_cache_.placed.find(track);
      placed = it != locations_cache_.placed.end() && it->second == *version;
    }
    if (!placed) {
      place_requests(store_, track);
      if (version) {
        std::lock_guard lock(locations_cache_.mutex);
        locations_cache_.placed.insert_or_assign(track, *version);
      }
    }
  }
  std::shared_ptr<const ListCache::Entry> entry;
  if (version) {
    std::lock_guard lock(list_cache_.mutex);
    if (list_cache_.defs != defs) {
      list_cache_.defs = defs;
      list_cache_.entries.clear();
      list_cache_.items.clear();
    }
    if (auto it = list_cache_.entries.find(cache_key);
        it != list_cache_.entries.end() && it->second->version == *version)
      entry = it->second;
  }
  if (!entry) {
    auto page = store_.requests(q);
    if (!page) return std::unexpected(from_request_store(page.error()));
    auto fresh = std::make_shared<ListCache::Entry>();
    fresh->out.total = page->total;
    fresh->out.items.reserve(page->items.size());
    // What a service's view of one request depends on besides the data (the version): its own
    // status (which also decides the personal fields) and whether it accepted the student.
    auto item_key = [&](const RequestRecord& r) {
      return std::to_string(r.id) + '|' + r.own_status + '|' +
             (r.accepted_by == actor.org_id ? "1" : "0");
    };
    std::vector<std::string> keys;
    if (version) {
      keys.reserve(page->items.size());
      std::lock_guard lock(list_cache_.mutex);
      const bool current = list_cache_.defs == defs && list_cache_.items_version == *version;
      for (const auto& r : page->items) {
        keys.push_back(item_key(r));
        auto it = current ? list_cache_.items.find(keys.back()) : list_cache_.items.end();
        fresh->out.items.push_back(it != list_cache_.items.end() ? it->second : Value());
      }
    }
    for (std::size_t i = 0; i < page->items.size(); ++i) {
      const auto& r = page->items[i];
      if (i >= fresh->out.items.size()) fresh->out.items.emplace_back();
      if (fresh->out.items[i].is_null())
        fresh->out.items[i] = present(*defs, *workflow, r, actor, now);
      if (actor.role == role::kService && shows_personal(*workflow, r)) ++fresh->revealed;
    }
    if (q.service_id)
      fresh->distances = distances_of(*defs, *q.service_id, version, fresh->out.items);
    // A page that shows personal data (a service's own accepted students) is never kept: what
    // is kept in memory holds no national number, phone or e-mail, and those pages are the
    // few a service rarely refreshes.
    if (version && fresh->revealed == 0) {
      fresh->version = *version;
      std::lock_guard lock(list_cache_.mutex);
      if (list_cache_.defs == defs) {
        if (list_cache_.entries.size() >= kListCacheEntries) list_cache_.entries.clear();
        list_cache_.entries.insert_or_assign(cache_key, fresh);
        if (*version > list_cache_.items_version) {
          list_cache_.items.clear();
          list_cache_.items_version = *version;
        }
        if (*version == list_cache_.items_version) {
          if (list_cache_.items.size() >= kListCacheItems) list_cache_.items.clear();
          for (std::size_t i = 0; i < keys.size(); ++i)
            list_cache_.items.try_emplace(keys[i], fresh->out.items[i]);
        }
      }
    }
    entry = std::move(fresh);
  }
  ListOutput out = entry->out;
  out.distances = entry->distances;
  if (out.distances && !input.distances_apart) add_distances(*out.distances, out.items);
  if (entry->revealed == 0)
    out.version = version;  // what a caller keeps holds no personal data either
  // A list that shows a service personal data is a reveal too, audited like opening one: a
  // line per request shown with them, so each request's history holds every reveal.
  if (entry->revealed > 0) {
    std::vector<AuditEntry> lines;
    for (const auto& item : out.items)
      if (item["my_status"].is_string() && workflow->reveals(item["my_status"].as_string()))
        lines.push_back(audit(actor, "request.reveal_list", item["id"].as_int(),
                              "in de lijst van traject " + track + " (" +
                                  std::to_string(entry->revealed) +
                                  " aanvragen met persoonsgegevens)"));
    store_.append_audit(lines);
  }
  return out;
}

std::shared_ptr<const std::vector<ListDistance>> Matching::distances_of(
    const DefinitionSet& defs, Id service_id, std::optional<std::int64_t> version,
    const std::vector<Value>& items) {
  auto out = std::make_shared<std::vector<ListDistance>>();
  if (items.empty()) return out;
  std::optional<std::vector<Store::ServiceLocation>> kept;
  if (version) {
    std::lock_guard lock(locations_cache_.mutex);
    if (auto it = locations_cache_.of.find(service_id);
        it != locations_cache_.of.end() && it->second.first == *version)
      kept = it->second.second;
  }
  if (!kept) {
    kept = store_.service_locations(service_id);
    if (version) {
      std::lock_guard lock(locations_cache_.mutex);
      if (locations_cache_.of.size() >= kListCacheEntries) locations_cache_.of.clear();
      locations_cache_.of.insert_or_assign(service_id, std::pair{*version, *kept});
    }
  }
  const std::vector<Store::ServiceLocation>& locations = *kept;
  out->reserve(items.size());
  for (const Value& item : items) {
    const Value& postal = item["postal_code"];
    const Locality* place = Gazetteer::belgium().locate(
        postal.is_int() ? std::to_string(postal.as_int()) : text(postal), text(item["city"]));
    const std::optional<int> km = distance_to_nearest(locations, place);
    std::vector<std::string> modes;
    if (item["transport"].is_array())
      for (const auto& m : item["transport"].as_array())
        if (m.is_string()) modes.push_back(m.as_string());
    out->push_back({km ? Value(std::int64_t{*km}) : Value(),
                    hints_->hint(defs, modes, km,
                                 place ? std::optional<double>(place->stad_km) : std::nullopt)});
  }
  return out;
}

void Matching::add_distances(const std::vector<ListDistance>& distances,
                             std::vector<Value>& items) {
  for (std::size_t i = 0; i < distances.size() && i < items.size(); ++i) {
    Object copy = items[i].as_object();
    copy["distance_km"] = distances[i].km;
    if (!distances[i].hint.empty()) copy["transport_hint"] = distances[i].hint;
    items[i] = Value(std::move(copy));
  }
}

}  // namespace stagematch

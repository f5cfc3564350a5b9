#include "agenda.hpp"

#include <algorithm>
#include <set>

#include "rules.hpp"
#include "service_support.hpp"

namespace stagematch {

namespace {

constexpr const char* kNoFeed = "Dit agenda-adres bestaat niet.";

// Only the shape random_token makes (43 base64url characters) can be a token: anything else is
// refused before the database is asked.
bool token_shaped(std::string_view token) {
  return token.size() == 43 && std::all_of(token.begin(), token.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  c == '-' || c == '_';
         });
}

DomainResult<void> has_account(const Actor& actor) {
  if (actor.user_id > 0 &&
      (actor.role == role::kAdmin || actor.role == role::kSchool || actor.role == role::kService))
    return {};
  return std::unexpected(service::forbidden("Enkel wie aangemeld is, heeft een agenda-adres."));
}

// The events of one calendar for the feed: what the timing rules announce (round openings and
// closings, results dates) and the registration windows the calendar sets.
class CalendarEvents {
 public:
  CalendarEvents(const DefinitionSet& defs, const Calendar& cal) : cal_(cal) {
    const Workflow* wf = defs.workflow(cal.track);
    context_ = (wf && !wf->label.empty() ? wf->label : cal.track) + " " + cal.year;
  }

  void add_timed(const TimedEvent& e, std::vector<IcalEvent>& out) const {
    const char* what = e.kind == "round_opens"       ? "Start"
                       : e.kind == "round_closes"    ? "Einde"
                       : e.kind == "results_visible" ? "Resultaten zichtbaar voor scholen"
                                                     : nullptr;
    // Reminders and "sluit binnenkort" are mails, not dates of their own.
    if (!what) return;
    out.push_back(IcalEvent{uid(e.kind, e.round_id), e.at, summary(what, e.round_id), e.message});
  }

  void add_registration(const Window& w, const std::string& round_id,
                        std::vector<IcalEvent>& out) const {
    std::string window =
        "Scholen kunnen leerlingen inschrijven " +
        (w.closes ? window_nl(w.opens, w.closes) : "vanaf " + format_local_nl(w.opens)) + ".";
    out.push_back(IcalEvent{uid("registration_opens", round_id), w.opens,
                            summary("Inschrijven kan", round_id), window});
    if (w.closes)
      out.push_back(IcalEvent{uid("registration_closes", round_id), *w.closes,
                              summary("Uiterste inschrijfdatum", round_id), window});
  }

 private:
  std::string round_label(const std::string& id) const {
    for (const Round& r : cal_.rounds)
      if (r.id == id) return r.label.empty() ? r.id : r.label;
    return id;
  }
  // "Start: 2de ronde ... – Secundair onderwijs (...) 2025-2026": what happens, in which round
  // (if the moment belongs to one), then the track and school year.
  std::string summary(const std::string& what, const std::string& round_id) const {
    return what + (round_id.empty() ? std::string() : ": " + round_label(round_id)) + " – " +
           context_;
  }
  // The same moment keeps its UID when a newer calendar moves its date.
  std::string uid(const std::string& kind, const std::string& round_id) const {
    return cal_.track + "-" + cal_.year + "-" + kind + "-" +
           (round_id.empty() ? std::string("kalender") : round_id) + "@stagematch";
  }

  const Calendar& cal_;
  std::string context_;
};

}  // namespace

Agenda::Agenda(Store& store, AccountStore& accounts,
               std::function<std::shared_ptr<const DefinitionSet>()> definitions,
               const Clock& clock)
    : store_(store), accounts_(accounts), definitions_(std::move(definitions)), clock_(clock) {}

std::optional<Instant> Agenda::address_since(const Actor& actor) const {
  if (!has_account(actor)) return std::nullopt;
  return store_.agenda_token_since(actor.user_id);
}

DomainResult<std::string> Agenda::renew(const Actor& actor) {
  if (auto ok = has_account(actor); !ok) return std::unexpected(ok.error());
  const bool had_one = store_.agenda_token_since(actor.user_id).has_value();
  std::string token = random_token();
  Instant now = clock_.now();
  auto done = store_.set_agenda_token(
      actor.user_id, token_hash(token), now,
      audit_entry(actor, now, had_one ? "agenda.renew" : "agenda.create", "user", actor.user_id));
  if (!done) return std::unexpected(domain::from_store(done.error()));
  return token;
}

DomainResult<void> Agenda::revoke(const Actor& actor) {
  if (auto ok = has_account(actor); !ok) return std::unexpected(ok.error());
  if (!store_.agenda_token_since(actor.user_id)) return {};
  Instant now = clock_.now();
  auto done =
      store_.set_agenda_token(actor.user_id, std::nullopt, now,
                              audit_entry(actor, now, "agenda.revoke", "user", actor.user_id));
  if (!done) return std::unexpected(domain::from_store(done.error()));
  return {};
}

DomainResult<std::vector<IcalEvent>> Agenda::events_for(const User& user) const {
  std::shared_ptr<const DefinitionSet> defs = definitions_();
  std::set<std::string, std::less<>> tracks;
  if (user.role == role::kSchool) {
    if (!user.org_id) return std::vector<IcalEvent>{};
    auto org = store_.organisation(*user.org_id);
    if (!org) return std::unexpected(domain::from_store(org.error()));
    tracks.insert(org->tracks.begin(), org->tracks.end());
  } else {
    for (const auto& [name, workflow] : defs->workflows) tracks.insert(name);
  }
  RuleEngine rules(defs);
  std::vector<IcalEvent> out;
  for (const auto& [key, cal] : defs->calendars) {
    if (!tracks.contains(cal.track) || !defs->workflow(cal.track)) continue;
    CalendarEvents events(*defs, cal);
    auto timed = rules.events(cal);
    if (!timed)
      return std::unexpected(
          domain::error(ErrorKind::rule_failed, "rule_error", timed.error().message));
    for (const TimedEvent& e : *timed) events.add_timed(e, out);
    if (cal.registration) events.add_registration(*cal.registration, "", out);
    for (const Round& r : cal.rounds)
      if (r.registration) events.add_registration(*r.registration, r.id, out);
  }
  std::stable_sort(out.begin(), out.end(), [](const IcalEvent& a, const IcalEvent& b) {
    return a.at != b.at ? a.at < b.at : a.uid < b.uid;
  });
  return out;
}

DomainResult<std::string> Agenda::feed(std::string_view token) const {
  auto none = [] { return std::unexpected(service::not_found(kNoFeed)); };
  if (!token_shaped(token)) return none();
  std::optional<Id> user_id = store_.agenda_token_user(token_hash(token));
  if (!user_id) return none();
  auto user = accounts_.user(*user_id);
  if (!user) return none();
  auto events = events_for(user->user);
  if (!events) return std::unexpected(events.error());
  return write_icalendar(
      IcalFeed{"Stagematch: rondes en inschrijfdata", clock_.now(), std::move(*events)});
}

}  // namespace stagematch

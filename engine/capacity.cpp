#include "capacity.hpp"

#include <algorithm>
#include <map>

#include "service_support.hpp"

namespace stagematch {

namespace {

constexpr int kMaxPlaces = 999;
constexpr const char* kPlacesMessage =
    "Vul een geheel aantal plaatsen in van 0 tot 999, of laat het veld leeg als het nog niet "
    "gekend is.";

bool per_round(const Calendar& calendar) {
  return !calendar.rounds.empty() &&
         std::all_of(calendar.rounds.begin(), calendar.rounds.end(),
                     [](const Round& r) { return r.period_from.has_value(); });
}

// When services can first see a request registered at `at`: a registration in a blackout waits
// until the blackout says (secundair 2025-2026).
Instant visible_at(const Calendar& calendar, Instant at) {
  for (const auto& b : calendar.blackouts)
    if (b.visible_from && b.window.contains(at)) return *b.visible_from;
  return at;
}

// The round a request belongs to: the round running when services can first see it, else the
// next to open (schools register before and between rounds; CVO for the next window). After
// the last round closed it stays with the last round.
std::size_t round_of(const Calendar& calendar, Instant registered_at) {
  Instant at = visible_at(calendar, registered_at);
  for (std::size_t i = 0; i < calendar.rounds.size(); ++i)
    if (!calendar.rounds[i].window.closes || at < *calendar.rounds[i].window.closes) return i;
  return calendar.rounds.size() - 1;
}

// The round running now, else the next one to open, else the last.
std::size_t current_round(const Calendar& calendar, Instant now) {
  for (std::size_t i = 0; i < calendar.rounds.size(); ++i)
    if (calendar.rounds[i].window.contains(now) || now < calendar.rounds[i].window.opens) return i;
  return calendar.rounds.size() - 1;
}

// The slot a request's acceptance counts in: its round's where places are stated per round.
std::string slot_of(const Calendar& calendar, bool by_round, Instant registered_at) {
  if (!by_round) return "";
  return calendar.rounds[round_of(calendar, registered_at)].id;
}

// How many students each service accepted per slot: (service, round_id) -> count.
std::map<std::pair<Id, std::string>, int> accepted_per_slot(
    const Calendar& calendar, const std::vector<Store::RequestFact>& facts) {
  const bool by_round = per_round(calendar);
  std::map<std::pair<Id, std::string>, int> out;
  for (const auto& f : facts)
    if (f.accepted_by) ++out[{*f.accepted_by, slot_of(calendar, by_round, f.registered_at)}];
  return out;
}

Instant start_of_day(Instant t) {
  LocalDateTime d = to_brussels(t);
  d.hour = d.minute = d.second = 0;
  return from_brussels(d);
}

std::string date_of(Instant t) { return format_local_pattern(t, "%Y-%m-%d"); }

}  // namespace

std::optional<int> PlacesLine::remaining() const {
  if (!places) return std::nullopt;
  return std::max(0, *places - accepted);
}

Capacities::Capacities(Store& store, const Clock& clock) : store_(store), clock_(clock) {}

std::vector<PlacesSlot> Capacities::slots(const Calendar& calendar) {
  if (!per_round(calendar)) return {PlacesSlot{"", "Schooljaar " + calendar.year}};
  std::vector<PlacesSlot> out;
  for (const auto& r : calendar.rounds)
    out.push_back(PlacesSlot{r.id, r.label.empty() ? r.id : r.label});
  return out;
}

DomainResult<std::vector<PlacesLine>> Capacities::lines(const Actor& actor, Id service_id,
                                                        const Calendar& calendar) const {
  if (actor.role != role::kAdmin && !(actor.role == role::kService && actor.org_id == service_id))
    return std::unexpected(service::forbidden("Je ziet enkel de plaatsen van je eigen dienst."));
  std::map<std::string, int> stated;
  for (const auto& p : store_.places(calendar.track, calendar.year))
    if (p.service_id == service_id) stated[p.round_id] = p.places;
  auto accepted = accepted_per_slot(calendar, store_.request_facts(calendar.track, calendar.year));
  std::vector<PlacesLine> out;
  for (auto& slot : slots(calendar)) {
    PlacesLine line{service_id, calendar.track, calendar.year, slot, std::nullopt, 0};
    if (auto it = stated.find(slot.round_id); it != stated.end()) line.places = it->second;
    if (auto it = accepted.find({service_id, slot.round_id}); it != accepted.end())
      line.accepted = it->second;
    out.push_back(std::move(line));
  }
  return out;
}

DomainResult<void> Capacities::set(const Actor& actor, Id service_id, const Calendar& calendar,
                                   const std::string& round_id, std::string_view typed) {
  if (actor.role != role::kAdmin && !(actor.role == role::kService && actor.org_id == service_id))
    return std::unexpected(
        service::forbidden("Je kan enkel de plaatsen van je eigen dienst invullen."));
  auto all = slots(calendar);
  if (std::none_of(all.begin(), all.end(),
                   [&](const PlacesSlot& s) { return s.round_id == round_id; }))
    return std::unexpected(service::invalid({{"round", "Kies een ronde van deze kalender."}}));
  const std::string text = service::trimmed(typed);
  std::optional<int> places;
  if (!text.empty()) {
    if (text.size() > 3 ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return std::unexpected(service::invalid({{"places", kPlacesMessage}}));
    places = std::stoi(text);
    if (*places > kMaxPlaces)
      return std::unexpected(service::invalid({{"places", kPlacesMessage}}));
  }
  const Instant now = clock_.now();
  std::string detail = calendar.track + " " + calendar.year +
                       (round_id.empty() ? "" : " " + round_id) + ": " +
                       (places ? std::to_string(*places) + " plaatsen" : "onbekend");
  auto done = store_.set_places(
      Store::PlacesRecord{service_id, calendar.track, calendar.year, round_id, places.value_or(0),
                          now},
      places, audit_entry(actor, now, "capacity.set", "org", service_id, std::move(detail)));
  if (!done) return std::unexpected(domain::from_store(done.error()));
  return {};
}

DomainResult<RegionalOverview> Capacities::overview(
    const Actor& actor, const Calendar& calendar, const std::string& round_id,
    const std::vector<std::string>& provinces) const {
  if (auto ok = service::admin_only(actor); !ok) return std::unexpected(ok.error());
  RegionalOverview out;
  out.track = calendar.track;
  out.year = calendar.year;
  out.per_round = per_round(calendar);
  for (const auto& r : calendar.rounds)
    out.rounds.push_back(PlacesSlot{r.id, r.label.empty() ? r.id : r.label});
  if (calendar.rounds.empty()) return out;
  const Instant now = clock_.now();
  std::size_t shown = current_round(calendar, now);
  for (std::size_t i = 0; i < calendar.rounds.size(); ++i)
    if (calendar.rounds[i].id == round_id) shown = i;
  const Round& round = calendar.rounds[shown];
  out.round_id = round.id;
  out.running = round.window.contains(now);

  // The requests of the round: where places are per round only its own, else every request
  // registered for it or for an earlier round (a round shows what is still waiting).
  const auto facts = store_.request_facts(calendar.track, calendar.year);
  std::vector<const Store::RequestFact*> in_round;
  for (const auto& f : facts) {
    if (f.stopped) continue;
    std::size_t r = round_of(calendar, f.registered_at);
    if (out.per_round ? r == shown : r <= shown) in_round.push_back(&f);
  }

  std::map<std::string, std::int64_t> open;
  for (const auto* f : in_round)
    if (!f->accepted_by) ++open[f->province];
  std::map<Id, int> stated;
  const std::string slot = out.per_round ? round.id : "";
  for (const auto& p : store_.places(calendar.track, calendar.year))
    if (p.round_id == slot) stated[p.service_id] = p.places;
  auto accepted = accepted_per_slot(calendar, facts);
  const auto services = store_.organisations("service");
  for (const auto& province : provinces) {
    RegionDemand d{province};
    d.open = open[province];
    for (const auto& s : services) {
      if (std::find(s.provinces.begin(), s.provinces.end(), province) == s.provinces.end())
        continue;
      auto it = stated.find(s.id);
      if (it == stated.end()) {
        ++d.services_unknown;
        continue;
      }
      ++d.services_known;
      auto taken = accepted.find({s.id, slot});
      d.remaining += std::max(0, it->second - (taken == accepted.end() ? 0 : taken->second));
    }
    out.regions.push_back(d);
  }

  // The round's days up to now, each counted at its end (or now, for today).
  if (now >= round.window.opens) {
    Instant last = round.window.closes ? std::min(now, *round.window.closes) : now;
    std::vector<Instant> days;
    for (Instant day = start_of_day(round.window.opens); day < last; day = add_local_days(day, 1))
      days.push_back(day);
    if (days.size() > RegionalOverview::kMaxDays)
      days.erase(days.begin(), days.end() - RegionalOverview::kMaxDays);
    for (Instant day : days) {
      // Today's figures count up to and including this second.
      Instant end = std::min(add_local_days(day, 1), last + std::chrono::seconds{1});
      DayFigures figures{date_of(day)};
      for (const auto* f : in_round) {
        if (f->registered_at >= end) continue;
        ++figures.registered;
        if (f->accepted_at && *f->accepted_at < end) ++figures.accepted;
      }
      figures.open = figures.registered - figures.accepted;
      out.days.push_back(std::move(figures));
    }
  }
  return out;
}

}  // namespace stagematch

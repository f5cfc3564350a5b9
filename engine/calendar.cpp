#include "calendar.hpp"

namespace stagematch {

namespace {

Value seconds(Instant t) { return Value(static_cast<std::int64_t>(t.time_since_epoch().count())); }

Value window_value(const Window& w) {
  Object o{{"opens", seconds(w.opens)}};
  if (w.closes) o["closes"] = seconds(*w.closes);
  return o;
}

}  // namespace

const Round* Calendar::round_at(Instant t) const {
  for (const auto& r : rounds)
    if (r.window.contains(t)) return &r;
  return nullptr;
}

std::optional<Instant> Calendar::answer_visible_from(Instant given_at) const {
  if (results_at) return given_at <= *results_at ? results_at : std::nullopt;
  std::optional<Instant> first;
  for (const auto& r : rounds)
    if (r.results_at && given_at <= *r.results_at && (!first || *r.results_at < *first))
      first = r.results_at;
  return first;
}

std::optional<Instant> Calendar::last_visible_moment() const {
  std::optional<Instant> last;
  bool any = false;
  for (const auto& r : rounds) {
    if (r.kind == "closed") continue;
    if (!r.window.closes) return std::nullopt;
    if (!any || *r.window.closes > *last) last = r.window.closes;
    any = true;
  }
  if (!any) return Instant{};  // no round ever shows a request
  return last;
}

Value Calendar::to_value() const {
  Array blackout_list;
  for (const auto& b : blackouts) {
    Object o{{"id", b.id}, {"label", b.label}, {"opens", seconds(b.window.opens)}};
    if (b.window.closes) o["closes"] = seconds(*b.window.closes);
    if (b.visible_from) o["visible_from"] = seconds(*b.visible_from);
    blackout_list.emplace_back(std::move(o));
  }
  Array round_list;
  for (const auto& r : rounds) {
    Object o{{"id", r.id},
             {"label", r.label},
             {"kind", r.kind},
             {"opens", seconds(r.window.opens)},
             {"notify_schools", r.notify_schools},
             {"scope", r.scope}};
    if (r.window.closes) o["closes"] = seconds(*r.window.closes);
    if (!r.note.empty()) o["note"] = r.note;
    if (r.registration) o["registration"] = window_value(*r.registration);
    if (r.results_at) o["results_at"] = seconds(*r.results_at);
    if (r.period_from && r.period_to)
      o["period"] = Object{{"from", *r.period_from}, {"to", *r.period_to}};
    round_list.emplace_back(std::move(o));
  }
  Object reminder_settings{{"every_days", reminders.every_days},
                           {"at_hour", reminders.at_hour},
                           {"at_minute", reminders.at_minute},
                           {"closing_soon_days", reminders.closing_soon_days}};
  if (reminders.until) reminder_settings["until"] = seconds(*reminders.until);
  Object cal{{"name", name},
             {"track", track},
             {"year", year},
             {"blackouts", std::move(blackout_list)},
             {"rounds", std::move(round_list)},
             {"reminders", std::move(reminder_settings)}};
  if (registration) cal["registration"] = window_value(*registration);
  if (results_at) cal["results_at"] = seconds(*results_at);
  return cal;
}

bool is_school_year(std::string_view y) {
  if (y.size() != 9 || y[4] != '-') return false;
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 7u, 8u})
    if (y[i] < '0' || y[i] > '9') return false;
  return std::stoi(std::string(y.substr(5, 4))) == std::stoi(std::string(y.substr(0, 4))) + 1;
}

const std::vector<std::string>& known_round_kinds() {
  static const std::vector<std::string> kList = {"preferred", "open", "open_ended", "closed"};
  return kList;
}

}  // namespace stagematch

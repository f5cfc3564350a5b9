#include "timeline.hpp"

#include <algorithm>
#include <set>

namespace stagematch {

namespace {

// Every instant at which the rules' answer may change.
std::vector<Instant> boundaries(const Calendar& c) {
  std::set<Instant> out;
  auto add_window = [&](const Window& w) {
    out.insert(w.opens);
    if (w.closes) out.insert(*w.closes);
  };
  if (c.registration) add_window(*c.registration);
  if (c.results_at) out.insert(*c.results_at);
  for (const auto& b : c.blackouts) {
    add_window(b.window);
    if (b.visible_from) out.insert(*b.visible_from);
  }
  for (const auto& r : c.rounds) {
    add_window(r.window);
    if (r.registration) add_window(*r.registration);
    if (r.results_at) out.insert(*r.results_at);
  }
  return {out.begin(), out.end()};
}

const char* yes_no(bool b) { return b ? "ja" : "nee"; }

std::string audience_nl(const std::vector<std::string>& audience) {
  std::string out;
  for (const auto& a : audience)
    out += (out.empty() ? "" : " en ") + std::string(a == "services"  ? "diensten"
                                                     : a == "schools" ? "scholen"
                                                                      : a);
  return out;
}

std::string range_nl(const TimelineSegment& s) {
  std::string from = s.from ? format_local_nl(*s.from) : "...";
  std::string until = s.until ? format_local_nl(*s.until) : "...";
  return from + " -> " + until;
}

Value opt_iso(const std::optional<Instant>& t) { return t ? Value(format_iso(*t)) : Value(); }

}  // namespace

std::expected<Timeline, RuleError> build_timeline(const RuleEngine& rules, const Calendar& cal) {
  Timeline tl;
  tl.track = cal.track;
  tl.year = cal.year;
  tl.file = cal.pos.file;
  for (const auto& b : cal.blackouts) {
    std::string text = "Blackout " + b.id + ": scholen " +
                       (b.visible_from ? "registreren best geen leerlingen van "
                                       : "mogen geen leerlingen ingeven van ") +
                       window_nl(b.window.opens, b.window.closes) + ".";
    if (b.visible_from)
      text += " Wie toch in die periode ingeschreven wordt, is pas zichtbaar voor diensten vanaf " +
              format_local_nl(*b.visible_from) + ".";
    tl.rules_text.push_back(std::move(text));
  }
  if (cal.results_at)
    tl.rules_text.push_back("Scholen zien de antwoorden vanaf " + format_local_nl(*cal.results_at) +
                            ".");

  // A symbolic service: the description reads "voorkeursdienst = <eigen dienst>".
  ServiceRef symbolic{"<eigen dienst>", {"<provincies van de dienst>"}};
  std::vector<Instant> points = boundaries(cal);
  std::vector<std::optional<Instant>> starts{std::nullopt};
  starts.insert(starts.end(), points.begin(), points.end());
  for (std::size_t i = 0; i < starts.size(); ++i) {
    TimelineSegment seg;
    seg.from = starts[i];
    if (i + 1 < starts.size()) seg.until = starts[i + 1];
    Instant probe = seg.from
                        ? *seg.from
                        : (points.empty() ? Instant{} : points.front() - std::chrono::seconds{1});
    auto m = rules.moment(cal, probe);
    if (!m) return std::unexpected(m.error());
    seg.moment = std::move(*m);
    auto p = rules.visibility(cal, symbolic, probe);
    if (!p) return std::unexpected(p.error());
    seg.services_see = describe(*p);
    // Merge with the previous stretch when nothing a user would notice changed.
    if (!tl.segments.empty()) {
      TimelineSegment& prev = tl.segments.back();
      if (prev.moment.raw == seg.moment.raw && prev.services_see == seg.services_see) {
        prev.until = seg.until;
        continue;
      }
    }
    tl.segments.push_back(std::move(seg));
  }
  auto events = rules.events(cal);
  if (!events) return std::unexpected(events.error());
  tl.events = std::move(*events);
  return tl;
}

std::string render_text(const Timeline& tl) {
  std::string out = "Kalender " + tl.track + " " + tl.year + " (" + tl.file +
                    "), tijden in Belgische tijd (Europe/Brussels)\n";
  for (const auto& r : tl.rules_text) out += r + "\n";
  std::size_t next_event = 0;
  for (const auto& seg : tl.segments) {
    const Moment& m = seg.moment;
    out += "\n" + range_nl(seg) + "  ";
    if (!m.round_id.empty())
      out += "ronde " + m.round_id + " (" + m.round_kind + ")";
    else
      out += m.phase == "before"  ? "voor de eerste ronde"
             : m.phase == "after" ? "na de laatste ronde"
                                  : "tussen rondes";
    out += "\n";
    out += std::string("  scholen: inschrijven ") + yes_no(m.school_may_register) + ", bewerken " +
           yes_no(m.school_may_edit) + ", antwoorden zien " + yes_no(m.school_sees_results);
    if (!m.school_message.empty()) out += " - " + m.school_message;
    out += "\n";
    out += std::string("  diensten: status zetten ") + yes_no(m.service_may_set_status);
    if (!m.service_message.empty()) out += " - " + m.service_message;
    out += "\n  diensten zien: " + seg.services_see + "\n";
    while (next_event < tl.events.size() && (!seg.until || tl.events[next_event].at < *seg.until)) {
      const TimedEvent& e = tl.events[next_event++];
      out += "  mail " + format_local_nl(e.at) + " " + e.kind +
             (e.round_id.empty() ? "" : " " + e.round_id) + " aan " + audience_nl(e.audience) +
             (e.message.empty() ? "" : ": " + e.message) + "\n";
    }
  }
  return out;
}

Value to_value(const Timeline& tl) {
  Array segments;
  for (const auto& s : tl.segments) {
    const Moment& m = s.moment;
    segments.push_back(Object{{"from", opt_iso(s.from)},
                              {"until", opt_iso(s.until)},
                              {"phase", m.phase},
                              {"round", m.round_id.empty() ? Value() : Value(m.round_id)},
                              {"round_kind", m.round_kind.empty() ? Value() : Value(m.round_kind)},
                              {"school", Object{{"may_register", m.school_may_register},
                                                {"may_edit", m.school_may_edit},
                                                {"sees_results", m.school_sees_results},
                                                {"message", m.school_message}}},
                              {"service", Object{{"may_set_status", m.service_may_set_status},
                                                 {"message", m.service_message},
                                                 {"sees", s.services_see}}}});
  }
  Array events;
  for (const auto& e : tl.events) {
    Array audience(e.audience.begin(), e.audience.end());
    events.push_back(Object{{"at", format_iso(e.at)},
                            {"kind", e.kind},
                            {"round", e.round_id},
                            {"audience", std::move(audience)},
                            {"message", e.message},
                            {"key", e.key()}});
  }
  Array rules_text(tl.rules_text.begin(), tl.rules_text.end());
  return Object{{"track", tl.track},
                {"year", tl.year},
                {"file", tl.file},
                {"rules", std::move(rules_text)},
                {"segments", std::move(segments)},
                {"events", std::move(events)}};
}

}  // namespace stagematch

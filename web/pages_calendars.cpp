// The admin's calendar pages: upload a school year's calendar (YAML, a chosen file or pasted
// text), see every problem with its position, see the timeline of what each role may do and
// which mails go out, publish.
#include <algorithm>

#include "pages_admin.hpp"
#include "timeline.hpp"

namespace stagematch {

namespace {

constexpr std::size_t kMaxFileName = 100;
constexpr const char* kDefaultFile = "kalender.yaml";

// The name positions are reported under: the uploaded file's own name when the browser gave
// one (letters, digits, - _ . only), else kalender.yaml.
std::string file_label(const std::string& given) {
  std::string name = given.substr(
      given.find_last_of("/\\") == std::string::npos ? 0 : given.find_last_of("/\\") + 1);
  bool ok = !name.empty() && name.size() <= kMaxFileName && name.front() != '.' &&
            std::all_of(name.begin(), name.end(), [](char c) {
              return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '-' || c == '_' || c == '.';
            });
  return ok ? name : kDefaultFile;
}

std::string window_text(const Window& w) { return window_nl(w.opens, w.closes); }

const char* kind_label(const std::string& kind) {
  if (kind == "preferred") return "voorkeursronde";
  if (kind == "open") return "open ronde";
  if (kind == "open_ended") return "open, blijft open";
  if (kind == "closed") return "gesloten";
  return "";
}

std::string phase_label(const Moment& m, const Calendar& calendar) {
  if (!m.round_id.empty()) {
    for (const auto& r : calendar.rounds)
      if (r.id == m.round_id) return (r.label.empty() ? r.id : r.label);
    return "Ronde " + m.round_id;
  }
  if (m.phase == "before") return "Voor de eerste ronde";
  if (m.phase == "after") return "Na de laatste ronde";
  return "Tussen twee rondes";
}

std::string audience_label(const std::vector<std::string>& audience) {
  std::string out;
  for (const auto& a : audience)
    out += (out.empty() ? "" : " en ") + std::string(a == "services"  ? "diensten"
                                                     : a == "schools" ? "scholen"
                                                                      : a);
  return out;
}

const char* event_label(const std::string& kind) {
  if (kind == "round_opens") return "Ronde opent";
  if (kind == "round_closing_soon") return "Ronde sluit binnenkort";
  if (kind == "round_closes") return "Ronde sluit";
  if (kind == "reminder") return "Herinnering open aanvragen";
  if (kind == "results_visible") return "Antwoorden zichtbaar voor scholen";
  return "";
}

Value yes_no(bool b) { return Value(b ? "ja" : "nee"); }

Object timeline_value(const Timeline& tl, const Calendar& calendar) {
  Array segments;
  for (const auto& s : tl.segments) {
    const Moment& m = s.moment;
    segments.push_back(
        Object{{"from", s.from ? Value(format_local_nl(*s.from)) : Value("...")},
               {"until", s.until ? Value(format_local_nl(*s.until)) : Value("...")},
               {"phase", phase_label(m, calendar)},
               {"kind", m.round_kind.empty() ? Value() : Value(kind_label(m.round_kind))},
               {"may_register", yes_no(m.school_may_register)},
               {"may_edit", yes_no(m.school_may_edit)},
               {"sees_results", yes_no(m.school_sees_results)},
               {"school_message", text_or_null(m.school_message)},
               {"may_set_status", yes_no(m.service_may_set_status)},
               {"service_message", text_or_null(m.service_message)},
               {"services_see", s.services_see}});
  }
  Array events;
  for (const auto& e : tl.events) {
    std::string kind = event_label(e.kind);
    events.push_back(Object{{"at", format_local_nl(e.at)},
                            {"kind", kind.empty() ? e.kind : kind},
                            {"round", text_or_null(e.round_id)},
                            {"audience", audience_label(e.audience)},
                            {"message", text_or_null(e.message)}});
  }
  return Object{{"track", tl.track},
                {"year", tl.year},
                {"has_rules", !tl.rules_text.empty()},
                {"rules", Array(tl.rules_text.begin(), tl.rules_text.end())},
                {"segments", std::move(segments)},
                {"events", std::move(events)}};
}

Array lines(const std::vector<std::string>& texts) { return Array(texts.begin(), texts.end()); }

}  // namespace

HttpResponse CalendarPages::page(const HttpRequest& req, int status, Object result,
                                 const std::string& yaml, const std::string& file_name,
                                 const std::string& notice) const {
  auto defs = kit_.definitions();
  Array calendars;
  for (const auto& [key, c] : defs->calendars) {
    Array rounds;
    for (const auto& r : c.rounds)
      rounds.push_back(Object{{"label", r.label.empty() ? r.id : r.label},
                              {"kind", kind_label(r.kind)},
                              {"window", window_text(r.window)}});
    calendars.push_back(Object{{"track", track_label(*defs, c.track)},
                               {"year", c.year},
                               {"file", c.pos.file},
                               {"rounds", std::move(rounds)}});
  }
  Object data{{"notice", text_or_null(notice)},
              {"calendars", std::move(calendars)},
              {"yaml_field", textarea_field({"yaml", "Kalender (YAML)", false,
                                             "Plak de inhoud van het kalenderbestand, of kies "
                                             "hieronder een bestand.",
                                             "", ""},
                                            yaml, 16)},
              {"file_name", file_name == kDefaultFile ? std::string() : file_name},
              {"result", nullptr}};
  if (!result.empty()) {
    const Value& warnings = result["warnings"];
    result["has_warnings"] = warnings.is_array() && !warnings.as_array().empty();
    data["result"] = std::move(result);
  }
  return kit_.page(req, status, "admin_calendars", "Kalenders", std::move(data));
}

HttpResponse CalendarPages::list(HttpRequest& req) const {
  // Only a calendar that exists is named back, so the address cannot put words on the page.
  std::string published = req.query_value("gepubliceerd");
  auto slash = published.find('/');
  const Calendar* calendar =
      slash == std::string::npos
          ? nullptr
          : kit_.definitions()->calendar(published.substr(0, slash), published.substr(slash + 1));
  return page(req, 200, {}, "", "",
              calendar ? "De kalender " + track_label(*kit_.definitions(), calendar->track) + " " +
                             calendar->year + " werd gepubliceerd en geldt meteen."
                       : "");
}

HttpResponse CalendarPages::check(HttpRequest& req) const {
  auto form = req.form();
  std::string yaml = form["yaml"];
  std::string label = file_label(form["bestandsnaam"]);
  // A chosen file wins over the text area; browsers send an empty file part when none is chosen.
  if (!trim(form["bestand"]).empty()) {
    yaml = form["bestand"];
    label = file_label(req.file_names()["bestand"]);
  }
  if (trim(yaml).empty())
    return page(req, 422,
                Object{{"ok", false},
                       {"errors", Array{Value("Plak eerst de inhoud van een kalender.")}},
                       {"warnings", Array{}}},
                yaml, label, "");
  CalendarCheck checked = kit_.services().engine.calendars.check({label, yaml, {}, {}});
  Array warnings = lines(checked.warnings);
  if (!checked.ok())
    return page(
        req, 422,
        Object{{"ok", false}, {"errors", lines(checked.errors)}, {"warnings", std::move(warnings)}},
        yaml, label, "");
  const Calendar& calendar = *checked.calendar;
  auto timeline = build_timeline(RuleEngine(checked.definitions), calendar);
  if (!timeline)
    return page(req, 422,
                Object{{"ok", false},
                       {"errors", Array{Value("De regels konden de tijdlijn niet berekenen: " +
                                              timeline.error().message)}},
                       {"warnings", std::move(warnings)}},
                yaml, label, "");
  bool replaces = kit_.definitions()->calendar(calendar.track, calendar.year) != nullptr;
  return page(
      req, 200,
      Object{{"ok", true},
             {"errors", Array{}},
             {"warnings", std::move(warnings)},
             {"title", track_label(*kit_.definitions(), calendar.track) + " " + calendar.year},
             {"replaces", replaces},
             {"timeline", timeline_value(*timeline, calendar)},
             {"yaml", yaml},
             {"file_name", label}},
      yaml, label, "");
}

HttpResponse CalendarPages::publish(HttpRequest& req) const {
  auto form = req.form();
  std::string yaml = form["yaml"];
  std::string label = file_label(form["bestandsnaam"]);
  auto& services = kit_.services();
  auto published = services.engine.calendars.publish(req.actor(), {label, yaml, {}, {}});
  if (!published) {
    if (published.error().code != "invalid_calendar") return kit_.refused(req, published.error());
    return page(req, 422,
                Object{{"ok", false},
                       {"errors", lines(CalendarPublishing::problems(published.error()))},
                       {"warnings", Array{}}},
                yaml, label, "");
  }
  if (services.run_due_work) services.run_due_work();
  return HttpResponse::redirect("/admin/kalenders?" +
                                query_string({{"gepubliceerd", published->name()}}));
}

}  // namespace stagematch

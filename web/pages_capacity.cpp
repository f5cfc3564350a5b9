#include "pages_capacity.hpp"

#include <algorithm>

#include "pages_admin.hpp"
#include "svg_chart.hpp"

namespace stagematch {

namespace {

constexpr const char* kDemandColor = "#b3471b";
constexpr const char* kPlacesColor = "#1d5fa8";
constexpr const char* kRegisteredColor = "#555f6b";
constexpr const char* kAcceptedColor = "#2a7a3b";
constexpr const char* kOpenColor = "#b3471b";
constexpr const char* kShort = "Tekort";

// The calendars of `track` a service states places for: the current one and every later one.
std::vector<const Calendar*> place_calendars(const Services& services, const DefinitionSet& defs,
                                             const std::string& track) {
  const Calendar* current = services.matching.current_calendar(defs, track, services.clock.now());
  std::vector<const Calendar*> out;
  for (const Calendar* c : defs.calendars_of(track))
    if (current && c->year >= current->year) out.push_back(c);
  return out;
}

std::string slot_key(const std::string& track, const std::string& year, const std::string& round) {
  return track + "/" + year + "/" + round;
}

std::string province_label(const Choices& provinces, const std::string& code) {
  for (const auto& [id, label] : provinces)
    if (id == code) return label;
  return code;
}

std::string round_label(const RegionalOverview& o) {
  for (const auto& r : o.rounds)
    if (r.round_id == o.round_id) return r.label;
  return o.round_id;
}

// Demand against known remaining places per province: the bar chart and its table.
ChartData demand_chart(const RegionalOverview& o, const Choices& provinces,
                       const std::string& track_label) {
  ChartData d;
  d.title = "Open aanvragen en resterende plaatsen per provincie, " + track_label + " " + o.year +
            ", " + round_label(o);
  d.description =
      "Staafdiagram: per provincie het aantal open aanvragen naast de gekende resterende "
      "plaatsen; provincies met een tekort staan gemarkeerd. De tabel eronder geeft dezelfde "
      "cijfers.";
  d.label_header = "Provincie";
  ChartSeries open{"Open aanvragen", kDemandColor, {}};
  ChartSeries places{"Resterende plaatsen (gekend)", kPlacesColor, {}};
  for (const auto& r : o.regions) {
    d.labels.push_back(province_label(provinces, r.province));
    open.values.push_back(r.open);
    places.values.push_back(r.remaining);
    d.marks.push_back(r.short_of_places() ? kShort : "");
  }
  d.series = {std::move(open), std::move(places)};
  return d;
}

// The round's days: registered, accepted and still open, counted from the round's start.
ChartData days_chart(const RegionalOverview& o, const std::string& track_label) {
  ChartData d;
  d.title = "Aanvragen per dag, " + track_label + " " + o.year + ", " + round_label(o);
  d.description =
      "Lijndiagram: per dag van de ronde het totaal aantal ingeschreven, aanvaarde en nog open "
      "aanvragen. De tabel eronder geeft dezelfde cijfers.";
  d.label_header = "Dag";
  ChartSeries registered{"Ingeschreven (totaal)", kRegisteredColor, {}};
  ChartSeries accepted{"Aanvaard (totaal)", kAcceptedColor, {}};
  ChartSeries open{"Nog open", kOpenColor, {}};
  for (const auto& day : o.days) {
    d.labels.push_back(date_nl(day.date).substr(0, 5));  // "19/09"
    registered.values.push_back(day.registered);
    accepted.values.push_back(day.accepted);
    open.values.push_back(day.open);
  }
  d.series = {std::move(registered), std::move(accepted), std::move(open)};
  return d;
}

// The chart's table, with the services that said nothing counted apart per province.
Value demand_table(const ChartData& chart, const RegionalOverview& o) {
  Value table = chart_table(chart);
  Object t = table.as_object();
  Array headers = t["headers"].as_array();
  headers.push_back("Diensten zonder opgave (onbekend)");
  t["headers"] = std::move(headers);
  Array rows = t["rows"].as_array();
  for (std::size_t i = 0; i < rows.size() && i < o.regions.size(); ++i) {
    Object row = rows[i].as_object();
    Array cells = row["cells"].as_array();
    cells.push_back(o.regions[i].services_unknown);
    row["cells"] = std::move(cells);
    rows[i] = std::move(row);
  }
  t["rows"] = std::move(rows);
  return Value(std::move(t));
}

std::vector<std::string> codes(const Choices& provinces) {
  std::vector<std::string> out;
  for (const auto& [code, label] : provinces) out.push_back(code);
  return out;
}

}  // namespace

DomainResult<Value> capacity_section(const PageKit& kit, const HttpRequest& req,
                                     const Calendar& calendar, const Choices& provinces) {
  if (calendar.rounds.empty()) return Value();
  auto defs = kit.definitions();
  const std::string asked =
      req.query_value("traject") == calendar.track ? req.query_value("ronde") : "";
  auto o =
      kit.services().engine.capacities.overview(req.actor(), calendar, asked, codes(provinces));
  if (!o) return std::unexpected(o.error());
  const std::string label = track_label(*defs, calendar.track);
  Array rounds;
  for (const auto& r : o->rounds)
    rounds.push_back(
        Object{{"value", r.round_id}, {"label", r.label}, {"selected", r.round_id == o->round_id}});
  std::int64_t short_regions = 0;
  for (const auto& r : o->regions) short_regions += r.short_of_places() ? 1 : 0;
  const ChartData demand = demand_chart(*o, provinces, label);
  Object out{{"track", calendar.track},
             {"round_label", round_label(*o)},
             {"running", o->running},
             {"per_round", o->per_round},
             {"rounds", std::move(rounds)},
             {"short_regions", short_regions},
             {"any_short", short_regions > 0},
             {"demand_chart", bar_chart(demand)},
             {"demand_table", demand_table(demand, *o)}};
  if (!o->days.empty()) {
    ChartData days = days_chart(*o, label);
    out["days_chart"] = line_chart(days);
    out["days_table"] = chart_table(days);
  }
  return Value(std::move(out));
}

DomainResult<Table> capacity_export(const Services& services, const Actor& actor) {
  auto defs = services.definitions();
  const Choices provinces = province_choices(*defs);
  Table table;
  table.header = {"Traject",
                  "Schooljaar",
                  "Ronde",
                  "Provincie",
                  "Open aanvragen",
                  "Resterende plaatsen (gekend)",
                  "Diensten zonder opgave (onbekend)",
                  "Tekort"};
  for (const auto& [track, workflow] : defs->workflows) {
    const Calendar* calendar =
        services.matching.current_calendar(*defs, track, services.clock.now());
    if (!calendar || calendar->rounds.empty()) continue;
    auto o = services.engine.capacities.overview(actor, *calendar, "", codes(provinces));
    if (!o) return std::unexpected(o.error());
    for (const auto& r : o->regions)
      table.rows.push_back({track_label(*defs, track), o->year, round_label(*o),
                            province_label(provinces, r.province), std::to_string(r.open),
                            std::to_string(r.remaining), std::to_string(r.services_unknown),
                            r.short_of_places() ? "ja" : "nee"});
  }
  return table;
}

HttpResponse CapacityPages::page(const HttpRequest& req, int status, std::optional<Id> service_id,
                                 const std::string& notice, const Typed& typed) const {
  auto defs = kit_.definitions();
  auto& services = kit_.services();
  const bool admin = req.actor().role == role::kAdmin;
  Array choices;
  if (admin) {
    for (const auto& org : services.engine.organisations.list()) {
      if (org.type != "service") continue;
      if (!service_id) service_id = org.id;
      choices.push_back(
          Object{{"value", org.id}, {"label", org.name}, {"selected", org.id == *service_id}});
    }
  }
  Array tracks;
  if (service_id) {
    for (const auto& [track, workflow] : defs->workflows) {
      Array rows;
      for (const Calendar* calendar : place_calendars(services, *defs, track)) {
        auto lines = services.engine.capacities.lines(req.actor(), *service_id, *calendar);
        if (!lines) return kit_.refused(req, lines.error());
        for (const auto& line : *lines) {
          const std::string key = slot_key(track, calendar->year, line.slot.round_id);
          const bool refused = key == typed.key;
          std::string id = "plaatsen-" + track + "-" + calendar->year +
                           (line.slot.round_id.empty() ? "" : "-" + line.slot.round_id);
          auto remaining = line.remaining();
          rows.push_back(Object{
              {"year", calendar->year},
              {"round", line.slot.round_id},
              {"slot", line.slot.label},
              {"id", id},
              {"value",
               refused ? typed.text : (line.places ? std::to_string(*line.places) : std::string())},
              {"error", refused ? Value(typed.message) : Value()},
              {"places", line.places ? Value(*line.places) : Value("onbekend")},
              {"accepted", line.accepted},
              {"remaining", remaining ? Value(*remaining) : Value("onbekend")}});
        }
      }
      if (!rows.empty())
        tracks.push_back(Object{{"track", track},
                                {"label", workflow.label.empty() ? track : workflow.label},
                                {"rows", std::move(rows)}});
    }
  }
  return kit_.page(
      req, status, "places", "Plaatsen",
      Object{{"notice", text_or_null(notice)},
             {"error", typed.message.empty() ? Value()
                                             : Value("De plaatsen werden niet bewaard: "
                                                     "kijk het aangeduide veld na.")},
             {"admin", admin},
             {"services", std::move(choices)},
             {"service_id", service_id ? Value(*service_id) : Value()},
             {"tracks", std::move(tracks)}});
}

HttpResponse CapacityPages::places(HttpRequest& req) const {
  std::optional<Id> service_id;
  if (req.actor().role == role::kService)
    service_id = req.actor().org_id;
  else if (auto id = parse_id(req.query_value("dienst")))
    service_id = id;
  return page(req, 200, service_id,
              req.query_value("opgeslagen") == "1" ? "De plaatsen werden bewaard." : "", Typed{});
}

HttpResponse CapacityPages::set_places(HttpRequest& req) const {
  auto form = req.form();
  auto defs = kit_.definitions();
  const bool admin = req.actor().role == role::kAdmin;
  std::optional<Id> service_id =
      admin ? parse_id(form["dienst"]) : std::optional<Id>(req.actor().org_id);
  const Calendar* calendar = defs->calendar(form["track"], form["year"]);
  if (!service_id || !calendar) return kit_.not_found(req);
  auto done = kit_.services().engine.capacities.set(req.actor(), *service_id, *calendar,
                                                    form["round"], form["places"]);
  if (!done) {
    if (done.error().code != "validation") return kit_.refused(req, done.error(), "/plaatsen");
    std::string message;
    for (const auto& [field, text] : done.error().fields) message = text;
    return page(
        req, 422, service_id, "",
        Typed{slot_key(form["track"], form["year"], form["round"]), form["places"], message});
  }
  return HttpResponse::redirect("/plaatsen?opgeslagen=1" +
                                (admin ? "&dienst=" + std::to_string(*service_id) : ""));
}

}  // namespace stagematch

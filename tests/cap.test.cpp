// Places against demand per region: a service's places and what remains of them, the admin
// dashboard's shortage per province (checked against a count made here from the inserted data),
// the two pictures drawn on the server (well-formed SVG whose figures equal their tables'), the
// validation and audit of setting places, and the export of the same figures. On SQLite and on
// PostgreSQL.
#include <Poco/DOM/DOMParser.h>
#include <Poco/DOM/Document.h>
#include <Poco/DOM/Element.h>
#include <Poco/DOM/NodeList.h>
#include <Poco/SAX/InputSource.h>

#include <set>

#include "json.hpp"
#include "pages_admin.hpp"
#include "pages_support.hpp"

namespace stagematch::testing {

namespace {

constexpr const char* kSecundairHeading = "<h2>Secundair onderwijs";
constexpr const char* kDemandCaption = "<caption>Open aanvragen en resterende plaatsen";
constexpr const char* kDaysCaption = "<caption>Aanvragen per dag";

struct DemandRow {
  std::int64_t open = 0;
  std::int64_t remaining = 0;
  std::int64_t unknown = 0;
  bool short_of_places = false;
  friend bool operator==(const DemandRow&, const DemandRow&) = default;
};

std::ostream& operator<<(std::ostream& out, const DemandRow& r) {
  return out << "{open " << r.open << ", remaining " << r.remaining << ", unknown " << r.unknown
             << (r.short_of_places ? ", short}" : "}");
}

// One track's panel on the dashboard.
std::string track_section(const std::string& page, const std::string& heading) {
  return between(page, heading, "</section>");
}

// The rows of the table after `caption`: header cells and, per row, its label and cells.
struct HtmlTable {
  std::vector<std::string> headers;
  std::vector<std::pair<std::string, std::vector<std::string>>> rows;
};

HtmlTable table_after(const std::string& html, const std::string& caption) {
  HtmlTable t;
  const std::string table = between(html, caption, "</table>");
  static const std::regex th_col(R"re(<th scope="col">([^<]*)</th>)re");
  const std::string head = between(table, "<thead>", "</thead>");
  for (auto it = std::sregex_iterator(head.begin(), head.end(), th_col);
       it != std::sregex_iterator(); ++it)
    t.headers.push_back((*it)[1]);
  static const std::regex row(R"re(<tr><th scope="row">([^<]*)</th>(.*?)</tr>)re");
  static const std::regex td(R"re(<td>(.*?)</td>)re");
  const std::string body = between(table, "<tbody>", "</tbody>");
  for (auto it = std::sregex_iterator(body.begin(), body.end(), row); it != std::sregex_iterator();
       ++it) {
    std::vector<std::string> cells;
    const std::string tds = (*it)[2];
    for (auto c = std::sregex_iterator(tds.begin(), tds.end(), td); c != std::sregex_iterator();
         ++c)
      cells.push_back((*c)[1]);
    t.rows.emplace_back((*it)[1], std::move(cells));
  }
  return t;
}

std::map<std::string, DemandRow> demand_rows(const std::string& section) {
  std::map<std::string, DemandRow> out;
  for (const auto& [label, cells] : table_after(section, kDemandCaption).rows) {
    EXPECT_EQ(cells.size(), 4u) << label;
    if (cells.size() != 4) continue;
    out[label] = DemandRow{std::stoll(cells[0]), std::stoll(cells[1]), std::stoll(cells[2]),
                           contains(cells[3], "Tekort")};
  }
  return out;
}

// Every <svg>...</svg> of a page.
std::vector<std::string> svgs_of(const std::string& html) {
  std::vector<std::string> out;
  for (auto at = html.find("<svg"); at != std::string::npos; at = html.find("<svg", at + 1)) {
    auto end = html.find("</svg>", at);
    if (end == std::string::npos) break;
    out.push_back(html.substr(at, end + 6 - at));
  }
  return out;
}

// Parses `svg` as XML (a parse error fails the test) and returns the figures its marks carry
// in their titles ("Antwerpen: Open aanvragen 3"), after checking what a screen reader needs.
std::set<std::string> svg_figures(const std::string& svg) {
  std::set<std::string> out;
  Poco::XML::DOMParser parser;
  Poco::AutoPtr<Poco::XML::Document> doc;
  try {
    doc = parser.parseString(svg);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not well-formed: " << e.what() << "\n" << svg;
    return out;
  }
  Poco::XML::Element* root = doc->documentElement();
  EXPECT_EQ(root->localName(), "svg");
  EXPECT_EQ(root->namespaceURI(), "http://www.w3.org/2000/svg");
  EXPECT_EQ(root->getAttribute("role"), "img");
  EXPECT_FALSE(root->getAttribute("aria-label").empty());
  Poco::XML::Element* title = root->getChildElement("title");
  EXPECT_TRUE(title && !title->innerText().empty()) << "no <title> first";
  for (const char* mark : {"rect", "circle"}) {
    Poco::AutoPtr<Poco::XML::NodeList> nodes = root->getElementsByTagName(mark);
    for (unsigned long i = 0; i < nodes->length(); ++i) {
      auto* el = static_cast<Poco::XML::Element*>(nodes->item(i));
      if (auto* t = el->getChildElement("title")) out.insert(t->innerText());
    }
  }
  return out;
}

// The same figures read from a table: "row label: column header value", for the columns the
// picture draws (`series`).
std::set<std::string> table_figures(const HtmlTable& t, const std::set<std::string>& series) {
  std::set<std::string> out;
  for (const auto& [label, cells] : t.rows)
    for (std::size_t i = 0; i < cells.size() && i + 1 < t.headers.size(); ++i)
      if (series.contains(t.headers[i + 1]))
        out.insert(label + ": " + t.headers[i + 1] + " " + cells[i]);
  return out;
}

}  // namespace

class Capacity : public Pages {
 protected:
  // Sets places as the service's page posts them.
  HttpResponse set_places(const std::string& who, const std::string& places,
                          const std::string& track = "secundair",
                          const std::string& year = "2025-2026", const std::string& round = "",
                          const std::string& service = "") {
    std::vector<std::pair<std::string, std::string>> form = {
        {"track", track}, {"year", year}, {"round", round}, {"places", places}};
    if (!service.empty()) form.emplace_back("dienst", service);
    return post("/plaatsen", form, who);
  }

  std::vector<AuditEntry> audit_lines(const std::string& action) {
    std::vector<AuditEntry> out;
    for (const auto& a : store_->audit_log(1000))
      if (a.action == action) out.push_back(a);
    return out;
  }

  // Body of TheShortagePerProvinceEqualsACountFromTheData, on either database.
  void shortage_equals_count() {
    struct Inserted {
      std::string province;
      Id id;
      std::optional<Id> accepted_by;
    };
    std::vector<Inserted> inserted = {
        {"ANT", register_student("Antwerps1", "2000", "ANT"), std::nullopt},
        {"ANT", register_student("Antwerps2", "2018", "ANT"), std::nullopt},
        {"ANT", register_student("Antwerps3", "2100", "ANT"), std::nullopt},
        {"LIM", register_student("Limburgs1", "3500", "LIM"), std::nullopt},
        {"WVL", register_student("Westvlaams1", "8000", "WVL"), std::nullopt},
    };
    // Thuiszorg Antwerpen (ANT, LIM) states 2 places; Zorg aan huis Noord (ANT) says nothing.
    ASSERT_EQ(set_places("service_x", "2").status, 303);
    const std::map<Id, int> places = {{service_x_, 2}};
    ASSERT_EQ(accept_as("service_x", inserted[0].id, mentor_x_).status, 303);
    inserted[0].accepted_by = service_x_;

    // The count, from what this test inserted and which service works where.
    const std::map<Id, std::vector<std::string>> active = {{service_x_, {"ANT", "LIM"}},
                                                           {service_y_, {"ANT"}}};
    std::map<std::string, DemandRow> expected;
    for (const auto& [code, label] : province_choices(*defs_)) {
      DemandRow row;
      for (const auto& r : inserted)
        if (r.province == code && !r.accepted_by) ++row.open;
      for (const auto& [service, provinces] : active) {
        if (std::find(provinces.begin(), provinces.end(), code) == provinces.end()) continue;
        auto stated = places.find(service);
        if (stated == places.end()) {
          ++row.unknown;
          continue;
        }
        int taken = 0;
        for (const auto& r : inserted) taken += r.accepted_by == service ? 1 : 0;
        row.remaining += std::max(0, stated->second - taken);
      }
      row.short_of_places = row.open > row.remaining;
      expected[label] = row;
    }
    EXPECT_TRUE(expected["Antwerpen"].short_of_places);  // the data make shortages to find
    EXPECT_FALSE(expected["Limburg"].short_of_places);

    HttpResponse page = get("/admin", "admin");
    ASSERT_EQ(page.status, 200);
    const std::string section = track_section(page.body, kSecundairHeading);
    EXPECT_EQ(demand_rows(section), expected) << section;
    EXPECT_TRUE(contains(section, "<span class=\"badge warn\">Tekort</span> in 2 provincie(s)"));
    EXPECT_TRUE(contains(section, "telt in elke\n    provincie mee"));
  }

  // Body of TheChartsAreWellFormedSvgAndTheirTablesHoldTheSameNumbers, on either database.
  void charts_match_tables() {
    Id first = register_student("Grafiek1", "2000", "ANT");
    register_student("Grafiek2", "3500", "LIM");
    ASSERT_EQ(set_places("service_y", "4").status, 303);
    ASSERT_EQ(accept_as("service_y", first, mentor_y_).status, 303);
    HttpResponse page = get("/admin", "admin");
    ASSERT_EQ(page.status, 200);
    expect_accessible_page(page.body, "dashboard");
    const std::string section = track_section(page.body, kSecundairHeading);
    auto svgs = svgs_of(section);
    ASSERT_EQ(svgs.size(), 2u) << section;

    const HtmlTable demand = table_after(section, kDemandCaption);
    const auto demand_svg = svg_figures(svgs[0]);
    EXPECT_EQ(demand_svg,
              table_figures(demand, {"Open aanvragen", "Resterende plaatsen (gekend)"}));
    EXPECT_TRUE(demand_svg.contains("Limburg: Open aanvragen 1")) << *demand_svg.begin();
    EXPECT_TRUE(demand_svg.contains("Antwerpen: Resterende plaatsen (gekend) 3"));

    const HtmlTable days = table_after(section, kDaysCaption);
    const auto days_svg = svg_figures(svgs[1]);
    EXPECT_EQ(days_svg,
              table_figures(days, {"Ingeschreven (totaal)", "Aanvaard (totaal)", "Nog open"}));
    // Round 3 opened on 19/09 12:00; the clock stands on 20/09 12:00: two days.
    ASSERT_EQ(days.rows.size(), 2u);
    EXPECT_EQ(days.rows[0].first, "19/09");
    EXPECT_EQ(days.rows[1].second, (std::vector<std::string>{"2", "1", "1"}));
    EXPECT_TRUE(days_svg.contains("20/09: Nog open 1"));
    EXPECT_FALSE(contains(page.body, "<script"));
  }

  // Body of PlacesAreValidatedAuditedAndShownWithWhatRemains, on either database.
  void places_validated_and_audited() {
    HttpResponse empty = get("/plaatsen", "service_x");
    ASSERT_EQ(empty.status, 200) << empty.body;
    expect_accessible_page(empty.body, "plaatsen");
    EXPECT_FALSE(contains(empty.body, "<td>0</td>\n        <td>0</td>"));
    EXPECT_TRUE(contains(empty.body, "<td>onbekend</td>"));
    for (const std::string bad : {"abc", "-1", "1000", "12.5", "1 2", "３"}) {
      HttpResponse res = set_places("service_x", bad);
      EXPECT_EQ(res.status, 422) << bad;
      EXPECT_TRUE(contains(res.body, "Vul een geheel aantal plaatsen in van 0 tot 999")) << bad;
      EXPECT_TRUE(contains(res.body, "aria-invalid=\"true\"")) << bad;
    }
    EXPECT_TRUE(store_->places("secundair", "2025-2026").empty());
    EXPECT_TRUE(audit_lines("capacity.set").empty()) << "nothing written on a refusal";

    ASSERT_EQ(set_places("service_x", " 12 ").status, 303);
    auto stored = store_->places("secundair", "2025-2026");
    ASSERT_EQ(stored.size(), 1u);
    EXPECT_EQ(stored[0].service_id, service_x_);
    EXPECT_EQ(stored[0].places, 12);
    auto lines = audit_lines("capacity.set");
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0].object_id, service_x_);
    EXPECT_EQ(lines[0].detail, "secundair 2025-2026: 12 plaatsen");

    Id id = register_student("Plaats");
    ASSERT_EQ(accept_as("service_x", id, mentor_x_).status, 303);
    HttpResponse page = get("/plaatsen?opgeslagen=1", "service_x");
    EXPECT_TRUE(contains(page.body, "De plaatsen werden bewaard."));
    // Places 12, accepted 1, remaining 11; the other tracks still "onbekend".
    EXPECT_TRUE(contains(page.body, "<td>12</td>\n        <td>1</td>\n        <td>11</td>"))
        << page.body;

    // Another service cannot set or read these places; nothing is written when it tries.
    Actor other{"service", 0, service_y_};
    const Calendar* calendar = defs_->calendar("secundair", "2025-2026");
    ASSERT_TRUE(calendar);
    auto refused = engine_->capacities.set(other, service_x_, *calendar, "", "3");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, ErrorKind::forbidden);
    EXPECT_FALSE(engine_->capacities.lines(other, service_x_, *calendar));
    EXPECT_EQ(store_->places("secundair", "2025-2026")[0].places, 12);
    EXPECT_EQ(audit_lines("capacity.set").size(), 1u);

    // Emptying the field is "onbekend" again, never 0; the admin sets any service's places.
    ASSERT_EQ(set_places("service_x", "").status, 303);
    EXPECT_TRUE(store_->places("secundair", "2025-2026").empty());
    ASSERT_EQ(
        set_places("admin", "5", "secundair", "2025-2026", "", std::to_string(service_y_)).status,
        303);
    stored = store_->places("secundair", "2025-2026");
    ASSERT_EQ(stored.size(), 1u);
    EXPECT_EQ(stored[0].service_id, service_y_);
    EXPECT_EQ(audit_lines("capacity.set").size(), 3u);
    HttpResponse admin_view = get("/plaatsen?dienst=" + std::to_string(service_y_), "admin");
    EXPECT_TRUE(contains(admin_view.body, "<td>5</td>")) << admin_view.body;
    EXPECT_EQ(get("/plaatsen", "school").status, 403);
  }

  // Body of TheExportCarriesTheDashboardsFigures, on either database.
  void export_carries_figures() {
    register_student("Export1", "2000", "ANT");
    register_student("Export2", "2000", "ANT");
    ASSERT_EQ(set_places("service_y", "1").status, 303);
    HttpResponse csv = get("/api/v1/admin/capacity.csv", "admin");
    ASSERT_EQ(csv.status, 200) << csv.body;
    const std::string section = track_section(get("/admin", "admin").body, kSecundairHeading);
    const auto rows = demand_rows(section);
    ASSERT_EQ(rows.count("Antwerpen"), 1u);
    const DemandRow& ant = rows.at("Antwerpen");
    const std::string expected_row = "\"Antwerpen\";\"" + std::to_string(ant.open) + "\";\"" +
                                     std::to_string(ant.remaining) + "\";\"" +
                                     std::to_string(ant.unknown) + "\";\"ja\"";
    // Zorg aan huis Noord has 1 place left; Thuiszorg Antwerpen said nothing.
    EXPECT_EQ(ant, (DemandRow{2, 1, 1, true}));
    EXPECT_TRUE(contains(csv.body, "\"2025-2026\";\"3de ronde stagematching") &&
                contains(csv.body, expected_row))
        << csv.body;
    EXPECT_EQ(get("/api/v1/admin/capacity.csv", "service_x").status, 403);
    // The workbook of everything has a second sheet: "Plaatsen per provincie".
    HttpResponse xlsx = get("/api/v1/admin/export.xlsx", "admin");
    EXPECT_EQ(xlsx.status, 200);
    EXPECT_TRUE(contains(xlsx.body, "xl/worksheets/sheet2.xml"));
  }

  // A request as the school registered it at `registered` (local time), in Antwerp; CVO
  // 2024-2025 unless named.
  Id request_at(const std::string& last_name, const std::string& registered,
                const std::string& track = "cvo", const std::string& year = "2024-2025") {
    RequestRecord r;
    r.track = track;
    r.year = year;
    r.school_id = school_;
    r.school_contact_id = contact_;
    r.first_name = "Cursist";
    r.last_name = last_name;
    r.province = "ANT";
    r.postal_code = "2000";
    r.fields = Object{{"first_name", "Cursist"}, {"last_name", last_name}, {"province", "ANT"}};
    r.registered_at = from_brussels(*parse_local(registered));
    AuditEntry audit{0,         r.registered_at, std::nullopt, "test", "request.register",
                     "request", std::nullopt,    "ok",         ""};
    auto id = store_->insert_request(r, audit);
    EXPECT_TRUE(id);
    return id.value_or(0);
  }

  void accept_at(Id request, Id service, const std::string& at) {
    StatusWrite w;
    w.request_id = request;
    w.service_id = service;
    w.from = "onbeslist";
    w.to = "aanvaard";
    w.exclusive = true;
    w.at = from_brussels(*parse_local(at));
    ASSERT_TRUE(store_->write_status(w, AuditEntry{0, w.at, std::nullopt, "test", "status.change",
                                                   "request", request, "ok", ""}));
  }

  // Body of CvoPlacesArePerWindowAndAnAcceptanceCountsInItsRequestsWindow, on either database.
  void cvo_places_per_window() {
    const Calendar* cvo = defs_->calendar("cvo", "2024-2025");
    ASSERT_TRUE(cvo);
    auto slots = Capacities::slots(*cvo);
    ASSERT_EQ(slots.size(), 4u);  // one per window: each serves its own internship period
    EXPECT_EQ(slots[1].round_id, "ronde_2");
    // Registered for window 2 (its registration runs 30/09 -> 15/11/2024), one accepted in the
    // window, one accepted a week after it closed (follow-up outlives the window); one for
    // window 3.
    Id a = request_at("Twee1", "2024-10-15 10:00");
    Id b = request_at("Twee2", "2024-11-02 10:00");
    request_at("Twee3", "2024-11-10 10:00");
    request_at("Drie1", "2024-12-15 10:00");
    accept_at(a, service_x_, "2024-11-20 10:00");
    accept_at(b, service_x_, "2024-12-07 10:00");
    const Actor admin = admin_actor();
    ASSERT_TRUE(engine_->capacities.set(admin, service_x_, *cvo, "ronde_2", "3"));
    ASSERT_TRUE(engine_->capacities.set(admin, service_x_, *cvo, "ronde_3", "1"));
    EXPECT_FALSE(engine_->capacities.set(admin, service_x_, *cvo, "", "5"))
        << "CVO states places per window, not per year";
    auto lines = engine_->capacities.lines(admin, service_x_, *cvo);
    ASSERT_TRUE(lines);
    ASSERT_EQ(lines->size(), 4u);
    EXPECT_EQ((*lines)[0].places, std::nullopt);  // "onbekend"
    EXPECT_EQ((*lines)[1].accepted, 2);
    EXPECT_EQ((*lines)[1].remaining(), 1);
    EXPECT_EQ((*lines)[2].accepted, 0);
    EXPECT_EQ((*lines)[2].remaining(), 1);

    auto window2 = engine_->capacities.overview(admin, *cvo, "ronde_2", {"ANT", "LIM"});
    ASSERT_TRUE(window2);
    EXPECT_TRUE(window2->per_round);
    ASSERT_EQ(window2->regions.size(), 2u);
    EXPECT_EQ(window2->regions[0].open, 1);  // Twee3: only window 2's own requests
    EXPECT_EQ(window2->regions[0].remaining, 1);
    EXPECT_EQ(window2->regions[0].services_unknown, 1);  // Zorg aan huis Noord said nothing
    EXPECT_FALSE(window2->regions[0].short_of_places());
    auto window3 = engine_->capacities.overview(admin, *cvo, "ronde_3", {"ANT"});
    ASSERT_TRUE(window3);
    EXPECT_EQ(window3->regions[0].open, 1);  // Drie1
    EXPECT_EQ(window3->regions[0].remaining, 1);
    // The window's days: 15/11 12:00 to 30/11 12:00, counted at each day's end.
    ASSERT_EQ(window2->days.size(), 16u);
    EXPECT_EQ(window2->days.front().date, "2024-11-15");
    EXPECT_EQ(window2->days.front().registered, 3);
    EXPECT_EQ(window2->days.back().accepted, 1);  // the second came after the window
    EXPECT_FALSE(engine_->capacities.overview(Actor{"service", 0, service_x_}, *cvo, "", {}))
        << "the overview is the admin's";
  }

  // Body of ABlackoutRegistrationBelongsToTheRoundInWhichServicesFirstSeeIt, on either database.
  void blackout_registration_waits() {
    const Calendar* secundair = defs_->calendar("secundair", "2025-2026");
    ASSERT_TRUE(secundair);
    // Registered in the summer blackout: services first see it on 19/09 12:00 (round 3).
    request_at("Zomer", "2025-07-10 10:00", "secundair", "2025-2026");
    request_at("September", "2025-09-08 10:00", "secundair", "2025-2026");
    const Actor admin = admin_actor();
    auto round2 = engine_->capacities.overview(admin, *secundair, "ronde_2", {"ANT"});
    ASSERT_TRUE(round2);
    EXPECT_EQ(round2->regions[0].open, 1) << "the blackout's registration waits for round 3";
    auto round3 = engine_->capacities.overview(admin, *secundair, "ronde_3", {"ANT"});
    ASSERT_TRUE(round3);
    EXPECT_EQ(round3->regions[0].open, 2);
    EXPECT_TRUE(round3->running);
  }

  // A JSON call of the API in `who`'s session, with its CSRF token.
  HttpResponse api(const std::string& method, const std::string& target, const std::string& body,
                   const std::string& who) {
    HttpRequest req;
    req.method = method;
    auto q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos) req.query = parse_query(target.substr(q + 1));
    req.body = body;
    if (!body.empty()) req.headers["content-type"] = "application/json";
    req.headers["x-csrf-token"] = browser(who).csrf;
    req.cookies[kSessionCookie] = browser(who).cookie;
    return app_->handle(req);
  }

  // Body of TheApiReadsAndSetsAServicesOwnPlaces, on either database.
  void api_reads_and_sets_places() {
    const std::string body = R"({"track":"secundair","year":"2025-2026","round":"","places":6})";
    ASSERT_EQ(api("PUT", "/api/v1/capacity", body, "service_x").status, 200);
    HttpResponse list = api("GET", "/api/v1/capacity", "", "service_x");
    ASSERT_EQ(list.status, 200);
    auto json = parse_json(list.body);
    ASSERT_TRUE(json);
    bool seen = false;
    for (const auto& item : (*json)["items"].as_array()) {
      if (item["track"].as_string() != "secundair" || item["year"].as_string() != "2025-2026") {
        EXPECT_TRUE(item["places"].is_null()) << "unset is null (onbekend), never 0";
        continue;
      }
      seen = true;
      EXPECT_EQ(item["places"].as_int(), 6);
      EXPECT_EQ(item["remaining"].as_int(), 6);
    }
    EXPECT_TRUE(seen);
    for (const std::string bad : {R"({"track":"secundair","year":"2025-2026","places":1000})",
                                  R"({"track":"secundair","year":"2025-2026","places":-1})",
                                  R"({"track":"secundair","year":"2025-2026","places":"zes"})"}) {
      HttpResponse refused = api("PUT", "/api/v1/capacity", bad, "service_x");
      EXPECT_EQ(refused.status, 422) << bad;
      EXPECT_TRUE(contains(refused.body, "\"places\"")) << refused.body;
    }
    EXPECT_EQ(store_->places("secundair", "2025-2026")[0].places, 6);
    // A service cannot name another: the call is about its own places.
    const std::string other = R"({"service_id":)" + std::to_string(service_y_) +
                              R"(,"track":"secundair","year":"2025-2026","places":2})";
    ASSERT_EQ(api("PUT", "/api/v1/capacity", other, "service_x").status, 200);
    auto stored = store_->places("secundair", "2025-2026");
    ASSERT_EQ(stored.size(), 1u);
    EXPECT_EQ(stored[0].service_id, service_x_);
    EXPECT_EQ(api("GET", "/api/v1/capacity", "", "school").status, 403);
    EXPECT_EQ(
        api("GET", "/api/v1/capacity?service_id=" + std::to_string(service_x_), "", "admin").status,
        200);
    // The admin naming no service reads every service's lines, each with its service.
    auto all = api("GET", "/api/v1/capacity", "", "admin");
    ASSERT_EQ(all.status, 200);
    auto all_json = parse_json(all.body);
    ASSERT_TRUE(all_json);
    std::set<Id> services;
    for (const Value& item : (*all_json)["items"].as_array())
      services.insert(item["service_id"].as_int());
    EXPECT_TRUE(services.contains(service_x_) && services.contains(service_y_));
    EXPECT_EQ(api("GET", "/api/v1/capacity?service_id=abc", "", "admin").status, 422);
  }
};

TEST_F(Capacity, TheShortagePerProvinceEqualsACountFromTheData) { shortage_equals_count(); }
TEST_F(Capacity, TheChartsAreWellFormedSvgAndTheirTablesHoldTheSameNumbers) {
  charts_match_tables();
}
TEST_F(Capacity, PlacesAreValidatedAuditedAndShownWithWhatRemains) {
  places_validated_and_audited();
}
TEST_F(Capacity, TheExportCarriesTheDashboardsFigures) { export_carries_figures(); }
TEST_F(Capacity, CvoPlacesArePerWindowAndAnAcceptanceCountsInItsRequestsWindow) {
  cvo_places_per_window();
}
TEST_F(Capacity, TheApiReadsAndSetsAServicesOwnPlaces) { api_reads_and_sets_places(); }
TEST_F(Capacity, ABlackoutRegistrationBelongsToTheRoundInWhichServicesFirstSeeIt) {
  blackout_registration_waits();
}

class CapacityOnPostgres : public Capacity {
 protected:
  std::string store_url() override {
    return testing::fresh_database("postgresql", "cap_" + std::to_string(::getpid()));
  }
};

TEST_F(CapacityOnPostgres, TheShortagePerProvinceEqualsACountFromTheData) {
  shortage_equals_count();
}
TEST_F(CapacityOnPostgres, TheChartsAreWellFormedSvgAndTheirTablesHoldTheSameNumbers) {
  charts_match_tables();
}
TEST_F(CapacityOnPostgres, PlacesAreValidatedAuditedAndShownWithWhatRemains) {
  places_validated_and_audited();
}
TEST_F(CapacityOnPostgres, TheExportCarriesTheDashboardsFigures) { export_carries_figures(); }
TEST_F(CapacityOnPostgres, CvoPlacesArePerWindowAndAnAcceptanceCountsInItsRequestsWindow) {
  cvo_places_per_window();
}
TEST_F(CapacityOnPostgres, TheApiReadsAndSetsAServicesOwnPlaces) { api_reads_and_sets_places(); }
TEST_F(CapacityOnPostgres, ABlackoutRegistrationBelongsToTheRoundInWhichServicesFirstSeeIt) {
  blackout_registration_waits();
}

}  // namespace stagematch::testing

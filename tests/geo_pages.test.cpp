// A service's locations page and the distance on its list, CSV and JSON (issue 13), through
// the pages' fixture: Dutch errors that store nothing, the "Afstand" column with the transport
// hint, the sort "afstand" nearest first and unknown last, on page, API and export alike.
#include <string>

#include "json.hpp"
#include "pages_support.hpp"

namespace stagematch {
namespace {

using namespace testing;  // stagematch::testing: the Pages fixture and its helpers

class GeoPages : public Pages {
 protected:
  // Registers through the school's form, living in `city`, travelling by `transport` only.
  void register_in(const std::string& last_name, const std::string& postal_code,
                   const std::string& province, const std::string& city,
                   const std::string& transport) {
    auto form = student_form(last_name, postal_code, province);
    std::erase_if(form, [](const auto& f) { return f.first == "city" || f.first == "transport"; });
    form.emplace_back("city", city);
    form.emplace_back("transport", transport);
    EXPECT_EQ(post("/school/secundair/nieuw", form, "school").status, 303);
  }
};

TEST_F(GeoPages, AServiceAddsAndRemovesItsLocationsWithDutchErrors) {
  HttpResponse empty = get("/dienst/locaties", "service_x");
  ASSERT_EQ(empty.status, 200);
  EXPECT_TRUE(contains(empty.body, "Nog geen locaties")) << empty.body;
  EXPECT_TRUE(contains(get("/dienst/secundair", "service_x").body, "href=\"/dienst/locaties\""));

  HttpResponse wrong = post("/dienst/locaties",
                            {{"postal_code", "2000"}, {"municipality", "Antwrepen"}}, "service_x");
  EXPECT_EQ(wrong.status, 422);
  EXPECT_TRUE(contains(wrong.body,
                       "&apos;Antwrepen&apos; is geen plaats die we kennen bij postcode "
                       "2000"))
      << wrong.body;
  EXPECT_TRUE(contains(wrong.body, "value=\"Antwrepen\""));  // what was typed stays
  EXPECT_EQ(post("/dienst/locaties", {{"postal_code", "20a0"}, {"municipality", "Antwerpen"}},
                 "service_x")
                .status,
            422);
  EXPECT_TRUE(contains(get("/dienst/locaties", "service_x").body, "Nog geen locaties"));

  HttpResponse added = post("/dienst/locaties",
                            {{"postal_code", "2000"}, {"municipality", "antwerpen"}}, "service_x");
  ASSERT_EQ(added.status, 303);
  HttpResponse list = get("/dienst/locaties?toegevoegd=1", "service_x");
  EXPECT_TRUE(contains(list.body, "De locatie werd toegevoegd.")) << list.body;
  EXPECT_TRUE(contains(list.body, "<th scope=\"row\" data-label=\"Gemeente\">Antwerpen</th>"));
  // Another service sees none of them.
  EXPECT_TRUE(contains(get("/dienst/locaties", "service_y").body, "Nog geen locaties"));

  auto mine = engine_->locations.list(Actor{"service", 0, service_x_});
  ASSERT_EQ(mine.size(), 1u);
  const std::string remove = "/dienst/locaties/" + std::to_string(mine[0].id) + "/verwijderen";
  EXPECT_EQ(post(remove, {}, "service_y").status, 404);
  EXPECT_EQ(post(remove, {}, "service_x").status, 303);
  EXPECT_TRUE(engine_->locations.list(Actor{"service", 0, service_x_}).empty());
}

TEST_F(GeoPages, TheListSortsByDistanceOnPageApiAndExport) {
  ASSERT_EQ(post("/dienst/locaties", {{"postal_code", "2000"}, {"municipality", "Antwerpen"}},
                 "service_x")
                .status,
            303);
  register_in("Gentenaar", "9000", "OVL", "Gent", "fiets");
  register_in("Onbekend", "2000", "ANT", "Nergensdorp", "auto");
  register_in("Antwerpenaar", "2000", "ANT", "Antwerpen", "auto");
  register_in("Bruggeling", "8000", "WVL", "Brugge", "auto");

  HttpResponse page = get("/dienst/secundair?sorteer=afstand", "service_x");
  ASSERT_EQ(page.status, 200);
  EXPECT_TRUE(contains(page.body, "<th scope=\"col\">Afstand</th>"));
  EXPECT_TRUE(contains(page.body, "<option value=\"afstand\" selected"));
  const auto at = [&](const std::string& name) { return page.body.find(">Lotte " + name); };
  ASSERT_NE(at("Antwerpenaar"), std::string::npos) << page.body;
  EXPECT_LT(at("Antwerpenaar"), at("Gentenaar"));
  EXPECT_LT(at("Gentenaar"), at("Bruggeling"));
  EXPECT_LT(at("Bruggeling"), at("Onbekend"));
  EXPECT_TRUE(contains(page.body, "<td data-label=\"Afstand\">0 km</td>"));
  EXPECT_TRUE(contains(page.body, "<td data-label=\"Afstand\">onbekend</td>"));
  // The hint stands beside the student it is about; nobody is left out.
  EXPECT_TRUE(contains(page.body,
                       "<td data-label=\"Afstand\">51 km<span class=\"line\"><span "
                       "class=\"badge warn\">Alleen fiets: 51 km is ver</span>"))
      << page.body;

  HttpResponse api = get("/api/v1/tracks/secundair/requests?sort=afstand", "service_x");
  ASSERT_EQ(api.status, 200) << api.body;
  auto json = parse_json(api.body);
  ASSERT_TRUE(json);
  const Array& items = (*json)["items"].as_array();
  ASSERT_EQ(items.size(), 4u);
  EXPECT_EQ(items[0]["last_name"].as_string(), "Antwerpenaar");
  EXPECT_EQ(items[0]["distance_km"].as_int(), 0);
  EXPECT_EQ(items[1]["distance_km"].as_int(), 51);
  EXPECT_EQ(items[1]["transport_hint"].as_string(), "Alleen fiets: 51 km is ver");
  EXPECT_TRUE(items[3]["distance_km"].is_null());
  EXPECT_EQ(get("/api/v1/tracks/secundair/requests?sort=ver", "service_x").status, 422);

  HttpResponse csv = get("/api/v1/tracks/secundair/requests.csv?sort=afstand", "service_x");
  ASSERT_EQ(csv.status, 200);
  EXPECT_TRUE(contains(csv.body, "Afstand (km)")) << csv.body.substr(0, 400);
  EXPECT_TRUE(contains(csv.body, "Alleen fiets: 51 km is ver"));
}

// A row is kept once for every service that sees the student, so each service's own distance
// must be put into it on every page: two services far apart see their own, in either order,
// and a service that moves sees its new distance at once.
TEST_F(GeoPages, EveryServiceSeesItsOwnDistanceOnTheSameStudentsRow) {
  ASSERT_EQ(
      post("/dienst/locaties", {{"postal_code", "9000"}, {"municipality", "Gent"}}, "service_x")
          .status,
      303);
  ASSERT_EQ(
      post("/dienst/locaties", {{"postal_code", "8000"}, {"municipality", "Brugge"}}, "service_y")
          .status,
      303);
  register_in("Gentenaar", "9000", "OVL", "Gent", "auto");
  const std::string gent = "<td data-label=\"Afstand\">0 km</td>";
  const std::string brugge = "<td data-label=\"Afstand\">39 km</td>";
  for (int pass = 0; pass < 2; ++pass) {
    HttpResponse x = get("/dienst/secundair", "service_x");
    HttpResponse y = get("/dienst/secundair", "service_y");
    ASSERT_TRUE(contains(x.body, ">Lotte Gentenaar")) << x.body;
    ASSERT_TRUE(contains(y.body, ">Lotte Gentenaar")) << y.body;
    EXPECT_TRUE(contains(x.body, gent)) << "pass " << pass;
    EXPECT_FALSE(contains(x.body, brugge)) << "pass " << pass;
    EXPECT_TRUE(contains(y.body, brugge)) << "pass " << pass << y.body;
    EXPECT_FALSE(contains(y.body, gent)) << "pass " << pass;
  }
  auto mine = engine_->locations.list(Actor{"service", 0, service_y_});
  ASSERT_EQ(mine.size(), 1u);
  ASSERT_EQ(post("/dienst/locaties/" + std::to_string(mine[0].id) + "/verwijderen", {}, "service_y")
                .status,
            303);
  EXPECT_TRUE(contains(get("/dienst/secundair", "service_y").body,
                       "<td data-label=\"Afstand\">onbekend</td>"));
  EXPECT_TRUE(contains(get("/dienst/secundair", "service_x").body, gent));
}

}  // namespace
}  // namespace stagematch

// Distance that fits the means of transport (issue 13), on SQLite and on PostgreSQL: a
// service's locations checked against the gazetteer and audited, the distance column and the
// sort "afstand" (nearest first, unknown last, paged in the store), and the transport rule's
// hint, which follows rules/transport.lua branch by branch and never hides a student.
#include "geo.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "db_support.hpp"
#include "matching.hpp"
#include "test_support.hpp"

namespace stagematch {
namespace {

using testing::local;

class Geo : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string url = testing::fresh_database(GetParam(), "geo");
    ASSERT_FALSE(url.empty());
    store_ = open_store(url);
    store_->migrate();
    defs_ = testing::shipped_definitions();
    clock_ = std::make_unique<TestClock>(local("2025-06-02 09:00"));
    clock_->freeze(true);
    matching_ = std::make_unique<Matching>(
        *store_, [d = defs_] { return d; }, *clock_);
    locations_ = std::make_unique<ServiceLocations>(*store_, *clock_);
    school_ = store_->create_organisation({0, "school", "Sint-Jozef", {}, {"secundair"}}).value();
    service_ = store_->create_organisation({0, "service", "Thuiszorg Gent", {"OVL"}, {}}).value();
    other_ = store_->create_organisation({0, "service", "Zorg Antwerpen", {"ANT"}, {}}).value();
    contact_ = store_->create_contact({0, school_, "Els", "03 123 45 67", "els@school.be"}).value();
  }

  Actor school() const { return Actor{"school", 1, school_}; }
  Actor service() const { return Actor{"service", 2, service_}; }

  Value fields(const std::string& last_name, const std::string& postal_code,
               const std::string& city, Array transport) {
    return Object{{"first_name", "Lotte"},
                  {"last_name", last_name},
                  {"national_number", "85073003328"},
                  {"street", "Kerkstraat 1"},
                  {"postal_code", postal_code},
                  {"city", city},
                  {"province", postal_province(postal_code).value_or("OVL")},
                  {"phone", "0470 12 34 56"},
                  {"email", "lotte@example.be"},
                  {"transport", std::move(transport)},
                  {"school_contact_id", contact_},
                  {"form", "alternerend"},
                  {"period_count", 1},
                  {"total_hours", 240},
                  {"periods", Array{Object{{"start", "2025-10-06"}, {"end", "2025-10-31"}}}}};
  }

  Id student(const std::string& last_name, const std::string& postal_code, const std::string& city,
             Array transport) {
    auto r = matching_->register_request(
        school(), "secundair", fields(last_name, postal_code, city, std::move(transport)));
    std::string why;
    if (!r)
      for (const auto& [field, message] : r.error().fields) why += field + ": " + message + "; ";
    EXPECT_TRUE(r) << why;
    return r ? r->id : 0;
  }

  // The service's open list in the open round, as the service sees it.
  std::vector<Value> list(const std::string& sort, int page = 1, int page_size = 50) {
    if (clock_->now() < local("2025-09-20 12:00")) {
      EXPECT_TRUE(clock_->set(local("2025-09-20 12:00")));
    }
    ListInput in;
    in.sort = sort;
    in.page = page;
    in.page_size = page_size;
    auto out = matching_->list_requests(service(), "secundair", in);
    EXPECT_TRUE(out) << (out ? "" : out.error().message);
    return out ? out->items : std::vector<Value>{};
  }

  static std::vector<std::string> names(const std::vector<Value>& items) {
    std::vector<std::string> out;
    for (const auto& i : items) out.push_back(i["last_name"].as_string());
    return out;
  }

  std::unique_ptr<Store> store_;
  std::shared_ptr<const DefinitionSet> defs_;
  std::unique_ptr<TestClock> clock_;
  std::unique_ptr<Matching> matching_;
  std::unique_ptr<ServiceLocations> locations_;
  Id school_ = 0, service_ = 0, other_ = 0, contact_ = 0;
};

TEST_P(Geo, LocationsAreCheckedAgainstTheGazetteerAndAudited) {
  auto added = locations_->add(service(), {" 9000 ", "gent"});
  ASSERT_TRUE(added) << added.error().message;
  auto stored = locations_->list(service());
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].postal_code, "9000");
  EXPECT_EQ(stored[0].municipality, "Gent");  // the gazetteer's spelling
  auto log = store_->audit_log(10);
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log.front().action, "location.add");
  EXPECT_EQ(log.front().detail, "9000 Gent");

  const std::size_t lines = store_->audit_log(100).size();
  auto bad_code = locations_->add(service(), {"90", "Gent"});
  ASSERT_FALSE(bad_code);
  EXPECT_EQ(bad_code.error().code, "validation");
  EXPECT_TRUE(bad_code.error().fields.contains("postal_code"));
  auto unknown = locations_->add(service(), {"9000", "Gnet"});
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().fields["municipality"].find("'Gnet' is geen plaats"),
            std::string::npos);
  // Antwerpen lies in another province than postal code 9000 says: not guessed.
  EXPECT_FALSE(locations_->add(service(), {"9000", "Antwerpen"}));
  auto twice = locations_->add(service(), {"9000", "Gent"});
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().fields["municipality"], "Deze locatie staat al in de lijst.");
  EXPECT_FALSE(locations_->add(school(), {"2000", "Antwerpen"}));
  EXPECT_EQ(locations_->list(service()).size(), 1u);
  EXPECT_EQ(store_->audit_log(100).size(), lines);  // nothing written on a refusal

  // Another service cannot remove it; the owner can, audited.
  EXPECT_FALSE(locations_->remove(Actor{"service", 3, other_}, *added));
  ASSERT_TRUE(locations_->remove(service(), *added));
  EXPECT_TRUE(locations_->list(service()).empty());
  EXPECT_EQ(store_->audit_log(1).front().action, "location.remove");
}

TEST_P(Geo, SortsNearestFirstUnknownLastAndPagesInTheStore) {
  ASSERT_TRUE(locations_->add(service(), {"9000", "Gent"}));
  student("Antwerpenaar", "2000", "Antwerpen", Array{"auto"});
  student("Onbekend", "9999", "Nergensdorp", Array{"auto"});
  student("Bruggeling", "8000", "Brugge", Array{"auto"});
  student("Gentenaar", "9000", "Gent", Array{"auto"});

  auto items = list("afstand");
  EXPECT_EQ(names(items),
            (std::vector<std::string>{"Gentenaar", "Bruggeling", "Antwerpenaar", "Onbekend"}));
  ASSERT_EQ(items.size(), 4u);
  EXPECT_EQ(items[0]["distance_km"].as_int(), 0);
  EXPECT_EQ(items[1]["distance_km"].as_int(), 39);
  EXPECT_EQ(items[2]["distance_km"].as_int(), 51);
  EXPECT_TRUE(items[3].has("distance_km"));
  EXPECT_TRUE(items[3]["distance_km"].is_null());

  // Pages hold the same order: the store sorts, not the page.
  EXPECT_EQ(names(list("afstand", 1, 2)), (std::vector<std::string>{"Gentenaar", "Bruggeling"}));
  EXPECT_EQ(names(list("afstand", 2, 2)), (std::vector<std::string>{"Antwerpenaar", "Onbekend"}));

  // A second location in Antwerpen: the nearest one counts.
  ASSERT_TRUE(locations_->add(service(), {"2000", "Antwerpen"}));
  items = list("afstand");
  EXPECT_EQ(names(items),
            (std::vector<std::string>{"Antwerpenaar", "Gentenaar", "Bruggeling", "Onbekend"}));
  EXPECT_EQ(items[0]["distance_km"].as_int(), 0);
}

TEST_P(Geo, AnEditedPlaceIsSortedByItsNewPlace) {
  ASSERT_TRUE(locations_->add(service(), {"9000", "Gent"}));
  Id moving = student("Verhuisd", "2000", "Antwerpen", Array{"auto"});
  student("Bruggeling", "8000", "Brugge", Array{"auto"});
  EXPECT_EQ(names(list("afstand")), (std::vector<std::string>{"Bruggeling", "Verhuisd"}));
  ASSERT_TRUE(clock_->set(local("2025-09-20 12:05")));
  auto changed = matching_->edit_request(school(), moving,
                                         fields("Verhuisd", "9050", "Gentbrugge", Array{"auto"}));
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_EQ(names(list("afstand")), (std::vector<std::string>{"Verhuisd", "Bruggeling"}));
}

TEST_P(Geo, WithoutLocationsNoDistanceAndTheUsualOrder) {
  student("Bruggeling", "8000", "Brugge", Array{"fiets"});
  student("Antwerpenaar", "2000", "Antwerpen", Array{"fiets"});
  auto items = list("afstand");
  ASSERT_EQ(items.size(), 2u);
  for (const auto& item : items) {
    EXPECT_TRUE(item["distance_km"].is_null());
    EXPECT_FALSE(item.has("transport_hint"));
  }
}

TEST_P(Geo, TheHintStandsBesideTheStudentAndHidesNobody) {
  ASSERT_TRUE(locations_->add(service(), {"9000", "Gent"}));
  student("Fietser", "2000", "Antwerpen", Array{"fiets"});
  student("Automobilist", "2000", "Antwerpen", Array{"auto", "fiets"});
  auto items = list("");
  ASSERT_EQ(items.size(), 2u);
  for (const auto& item : items) {
    if (item["last_name"].as_string() == "Fietser")
      EXPECT_EQ(item["transport_hint"].as_string(), "Alleen fiets: 51 km is ver");
    else
      EXPECT_FALSE(item.has("transport_hint"));
  }
  // Schools see no distance: it is the service's.
  ListInput in;
  auto schools = matching_->list_requests(school(), "secundair", in);
  ASSERT_TRUE(schools);
  for (const auto& item : schools->items) EXPECT_FALSE(item.has("distance_km"));
}

INSTANTIATE_TEST_SUITE_P(Databases, Geo, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& param_info) { return param_info.param; });

// The rule itself, branch by branch (rules/transport.lua).
class TransportRule : public ::testing::Test {
 protected:
  std::string hint(std::vector<std::string> modes, std::optional<int> km,
                   std::optional<double> stad_km = 2.0) {
    return hints_.hint(*defs_, modes, km, stad_km);
  }
  std::shared_ptr<const DefinitionSet> defs_ = testing::shipped_definitions();
  TransportHints hints_;
};

TEST_F(TransportRule, OnlyTwoWheelersBeyondTheirRange) {
  EXPECT_EQ(hint({"fiets"}, 10), "");
  EXPECT_EQ(hint({"fiets"}, 11), "Alleen fiets: 11 km is ver");
  EXPECT_EQ(hint({"elektrische_fiets"}, 20), "");
  EXPECT_EQ(hint({"elektrische_fiets"}, 23), "Alleen elektrische fiets: 23 km is ver");
  EXPECT_EQ(hint({"fiets", "bromfiets"}, 24), "");  // the farthest reaching one decides
  EXPECT_EQ(hint({"fiets", "bromfiets"}, 26), "Alleen bromfiets of fiets: 26 km is ver");
}

TEST_F(TransportRule, OnlyPublicTransportFromARuralPlace) {
  EXPECT_EQ(hint({"openbaar_vervoer"}, 15, 12.0),
            "Alleen openbaar vervoer vanuit een landelijke gemeente: 15 km");
  EXPECT_EQ(hint({"openbaar_vervoer"}, 15, 3.0), "");  // near a centrumstad
  EXPECT_EQ(hint({"openbaar_vervoer"}, 9, 12.0), "");  // close by
  EXPECT_EQ(hint({"openbaar_vervoer"}, 15, std::nullopt), "");
}

TEST_F(TransportRule, NoHintWithACarSeveralMeansOrAnUnknownDistance) {
  EXPECT_EQ(hint({"auto", "fiets"}, 60), "");
  EXPECT_EQ(hint({"fiets", "openbaar_vervoer"}, 30, 12.0), "");
  EXPECT_EQ(hint({"fiets"}, std::nullopt), "");
  EXPECT_EQ(hint({}, 40), "");
}

TEST(TransportRuleSandbox, ARuleThatRunsForeverGivesNoHintAndStopsInTime) {
  auto dir =
      std::filesystem::temp_directory_path() / ("stagematch-geo-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "transport.lua") << "local M = {}\n"
                                          "function M.hint(ctx) while true do end end\n"
                                          "return M\n";
  LoadResult loaded =
      load_definitions(testing::source_path("workflows"), dir, SandboxLimits{100'000, 1u << 20});
  ASSERT_TRUE(loaded.definitions->has_rule("transport.hint"));
  TransportHints hints;
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(hints.hint(*loaded.definitions, {"fiets"}, 40, 2.0), "");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace stagematch

// The demo data set (`stagematch demo`, loaded by script/server): every role can log in, every
// track has a round open on the day it is loaded, services see students, schools see an
// answer, and loading it twice, or into someone's real data, changes nothing.
#include "demo.hpp"

#include <gtest/gtest.h>

#include "db_support.hpp"
#include "mail_templates.hpp"
#include "matching.hpp"
#include "site_links.hpp"
#include "test_support.hpp"

namespace stagematch {
namespace {

class Demo : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string url = testing::fresh_database(GetParam(), "demo");
    ASSERT_FALSE(url.empty());
    store_ = std::make_unique<SqlStore>(url);
    store_->migrate();
    clock_ = std::make_unique<TestClock>(local("2026-11-23 10:15"));
    clock_->freeze(true);
    mail_ = std::make_unique<MailTemplates>(testing::source_path("mail-templates"),
                                            "Stagematch <info@stagematching.org>",
                                            site_links("http://127.0.0.1:8080"));
    accounts_ = std::make_unique<Accounts>(*store_, *mail_, *clock_, AccountOptions{});
  }

  static Instant local(const std::string& text) { return from_brussels(*parse_local(text)); }

  std::expected<DemoResult, std::string> load() {
    return load_demo(*store_, *store_, *accounts_, testing::shipped_definitions(), *clock_);
  }

  // What a server starting on this database runs with.
  std::shared_ptr<const DefinitionSet> restarted() {
    std::vector<CalendarText> texts;
    for (const auto& c : store_->stored_calendars()) texts.push_back({c.label, c.yaml});
    std::vector<std::string> skipped;
    auto defs = with_calendars(testing::shipped_definitions(), texts, skipped);
    for (const auto& line : skipped) ADD_FAILURE() << line;
    return defs;
  }

  std::unique_ptr<SqlStore> store_;
  std::unique_ptr<TestClock> clock_;
  std::unique_ptr<MailTemplates> mail_;
  std::unique_ptr<Accounts> accounts_;
};

TEST_P(Demo, EveryRoleLogsInAndEveryTrackHasARoundOpenToday) {
  auto demo = load();
  ASSERT_TRUE(demo) << demo.error();
  EXPECT_TRUE(demo->created);
  EXPECT_EQ(demo->students, 48);
  ASSERT_EQ(demo->logins.size(), 6u);

  std::map<std::string, Actor> actors;
  for (const auto& login : demo->logins) {
    auto in = accounts_->login(login.email, demo->password);
    ASSERT_TRUE(in) << login.email << ": " << in.error().message;
    EXPECT_EQ(in->user.role, login.role);
    actors[login.email] = Accounts::actor_of(in->user);
  }

  auto defs = restarted();
  ASSERT_EQ(store_->stored_calendars().size(), defs->workflows.size());
  Matching matching(
      *store_, [defs] { return defs; }, *clock_);
  RuleEngine rules(defs);
  for (const auto& [track, workflow] : defs->workflows) {
    SCOPED_TRACE(track);
    const Calendar* calendar = defs->calendar(track, "2026-2027");
    ASSERT_NE(calendar, nullptr);
    auto moment = rules.moment(*calendar, clock_->now());
    ASSERT_TRUE(moment) << moment.error().message;
    EXPECT_EQ(moment->round_kind, "open");
    EXPECT_TRUE(moment->school_may_register);
    EXPECT_TRUE(moment->service_may_set_status);
    EXPECT_TRUE(moment->school_sees_results);

    // Every student is there for the admin, one already accepted by the Oost-Vlaanderen service.
    const ListInput all;
    auto everything = matching.list_requests(actors["beheerder@demo.stagematch.be"], track, all);
    ASSERT_TRUE(everything) << everything.error().message;
    EXPECT_EQ(everything->total, 12);
    int accepted = 0;
    for (const auto& item : everything->items)
      if (item["accepted_by"].is_object()) ++accepted;
    EXPECT_EQ(accepted, 1);

    // Both Antwerp services see the same open students (the open round shows everyone).
    auto first = matching.list_requests(actors["dienst@demo.stagematch.be"], track, ListInput{});
    auto second = matching.list_requests(actors["dienst2@demo.stagematch.be"], track, ListInput{});
    ASSERT_TRUE(first && second);
    EXPECT_EQ(first->total, 11);
    EXPECT_EQ(second->total, 11);
    ListInput accepted_tab;
    accepted_tab.tab = "accepted";
    auto east = matching.list_requests(actors["dienst3@demo.stagematch.be"], track, accepted_tab);
    ASSERT_TRUE(east);
    EXPECT_EQ(east->total, 1);

    // A school may register right away.
    auto school_list = matching.list_requests(actors["school@demo.stagematch.be"], track, all);
    ASSERT_TRUE(school_list);
    EXPECT_GT(school_list->total, 0);
  }
}

TEST_P(Demo, LoadingTwiceChangesNothing) {
  ASSERT_TRUE(load());
  const auto orgs = store_->organisations("").size();
  const auto audit = store_->audit_log(10000).size();
  auto again = load();
  ASSERT_TRUE(again) << again.error();
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->logins.size(), 6u) << "the logins are printed again";
  EXPECT_EQ(store_->organisations("").size(), orgs);
  EXPECT_EQ(store_->audit_log(10000).size(), audit);
}

TEST_P(Demo, RefusesADatabaseWithRealData) {
  ASSERT_TRUE(store_->create_organisation({0, "school", "Een echte school", {}, {"secundair"}}));
  auto demo = load();
  ASSERT_FALSE(demo);
  EXPECT_NE(demo.error().find("lege databank"), std::string::npos) << demo.error();
  EXPECT_EQ(store_->organisations("").size(), 1u);
  EXPECT_FALSE(store_->user_by_email("beheerder@demo.stagematch.be"));
  EXPECT_TRUE(store_->stored_calendars().empty());
}

TEST(DemoCalendar, TheSchoolYearTurnsInSeptember) {
  auto at = [](const char* text) { return from_brussels(*parse_local(text)); };
  EXPECT_EQ(school_year_of(at("2026-11-23 10:00")), "2026-2027");
  EXPECT_EQ(school_year_of(at("2027-08-31 23:59")), "2026-2027");
  EXPECT_EQ(school_year_of(at("2027-09-01 00:00")), "2027-2028");
  // In August the demo's rounds still fall inside the school year's calendar rules.
  auto defs = testing::shipped_definitions();
  std::string yaml = demo_calendar_yaml("secundair", at("2027-08-20 09:00"));
  LoadResult applied = with_calendar(*defs, "demo/secundair.yaml", yaml);
  for (const auto& d : applied.diagnostics.all()) ADD_FAILURE() << d.to_string();
}

INSTANTIATE_TEST_SUITE_P(Databases, Demo, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace stagematch

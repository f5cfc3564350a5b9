// Walking the clock through the secundair 2025-2026 calendar: every round mail reaches every
// service exactly once, reminders count what each service's list shows at that moment, a second
// server instance sends nothing twice, and a mail missed while the server was down says so.
#include "scheduler.hpp"

#include <gtest/gtest.h>

#include "db_support.hpp"
#include "mail_templates.hpp"
#include "site_links.hpp"
#include "test_support.hpp"

namespace stagematch {
namespace {

using testing::local;

class SchedulerWalk : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    url_ = testing::fresh_database(GetParam(), "scheduler");
    ASSERT_FALSE(url_.empty());
    store_ = std::make_unique<SqlStore>(url_);
    store_->migrate();
    // Only the calendar under test, so other tracks' events do not mix in.
    auto all = testing::shipped_definitions();
    auto only = std::make_shared<DefinitionSet>(*all);
    only->calendars.clear();
    only->calendars.emplace("secundair/2025-2026", *all->calendar("secundair", "2025-2026"));
    defs_ = only;
    clock_ = std::make_unique<TestClock>(local("2025-06-01 08:00"));
    clock_->freeze(true);
    mail_ = std::make_unique<MailTemplates>(testing::source_path("mail-templates"),
                                            "Stagematch <info@stagematching.org>",
                                            site_links("http://stagematch.test"));
    school_ = org("school", "Sint-Jozef", {}, {"secundair"});
    service_a_ = org("service", "Thuiszorg Antwerpen", {"ANT"}, {});
    service_b_ = org("service", "Gezinszorg Limburg", {"LIM"}, {});
    user("school@sintjozef.be", "school", school_);
    user("a1@thuiszorg.be", "service", service_a_);
    user("a2@thuiszorg.be", "service", service_a_);
    user("b@gezinszorg.be", "service", service_b_);
    contact_ =
        store_->create_contact(ContactPerson{0, school_, "Els", "03 123 45 67", "els@sintjozef.be"})
            .value_or(0);
  }

  Id org(const std::string& type, const std::string& name, std::vector<std::string> provinces,
         std::vector<std::string> tracks) {
    return store_
        ->create_organisation(Organisation{0, type, name, std::move(provinces), std::move(tracks)})
        .value_or(0);
  }

  void user(const std::string& email, const std::string& role, Id org_id) {
    UserRecord u;
    u.user = User{0, email, role, org_id, true};
    u.password_hash = "$argon2id$niet-gebruikt";
    AuditEntry a;
    a.at = clock_->now();
    a.actor = "test";
    a.action = "user.create";
    a.object_type = "user";
    ASSERT_TRUE(store_->create_user(u, std::nullopt, {}, a));
  }

  void register_student(const std::string& when, const std::string& last_name,
                        const std::string& province, const std::string& postal_code,
                        std::optional<Id> preferred) {
    ASSERT_TRUE(clock_->set(local(when)));
    Matching matching(
        *store_, [d = defs_] { return d; }, *clock_);
    Object o{{"first_name", "Lotte"},
             {"last_name", last_name},
             {"national_number", "85073003328"},
             {"street", "Kerkstraat 1"},
             {"postal_code", postal_code},
             {"city", "Stad"},
             {"province", province},
             {"phone", "0470 12 34 56"},
             {"email", "lotte@example.be"},
             {"transport", Array{"fiets"}},
             {"school_contact_id", contact_},
             {"form", "alternerend"},
             {"period_count", 1},
             {"total_hours", 120},
             {"periods", Array{Object{{"start", "2025-10-06"}, {"end", "2025-10-31"}}}}};
    if (preferred) o["preferred_service_id"] = *preferred;
    auto r = matching.register_request(Actor{"school", 1, school_}, "secundair", Value(o));
    ASSERT_TRUE(r) << r.error().message;
  }

  std::vector<OutboxMail> mails_for_event(const std::string& key) {
    std::vector<OutboxMail> out;
    for (auto& m : store_->outbox(100000))
      if (m.dedupe_key.rfind(key + "/", 0) == 0) out.push_back(m);
    return out;
  }

  std::int64_t open_count(Id service, Instant at) {
    TestClock then(at);
    then.freeze(true);
    Matching matching(
        *store_, [d = defs_] { return d; }, then);
    ListInput in;
    in.year = "2025-2026";
    auto list = matching.list_requests(Actor{"service", 0, service}, "secundair", in);
    EXPECT_TRUE(list);
    return list ? list->total : -1;
  }

  std::string url_;
  std::unique_ptr<SqlStore> store_;
  std::shared_ptr<const DefinitionSet> defs_;
  std::unique_ptr<TestClock> clock_;
  std::unique_ptr<MailTemplates> mail_;
  Id school_ = 0, service_a_ = 0, service_b_ = 0, contact_ = 0;
};

TEST_P(SchedulerWalk, EveryRoundMailOnceAndRemindersCountTheList) {
  Scheduler scheduler(
      *store_, *store_, *mail_, [d = defs_] { return d; }, *clock_);
  register_student("2025-06-10 10:00", "Peeters", "ANT", "2000", service_a_);
  register_student("2025-06-11 10:00", "Maes", "LIM", "3500", service_b_);
  register_student("2025-06-12 10:00", "Claes", "ANT", "2100", service_b_);

  RuleEngine rules(defs_);
  auto events = rules.events(*defs_->calendar("secundair", "2025-2026"));
  ASSERT_TRUE(events);
  int reminders_checked = 0;
  for (const auto& e : *events) {
    if (clock_->now() < e.at) {
      ASSERT_TRUE(clock_->set(e.at));
    }
    scheduler.run_due();
    std::vector<OutboxMail> mails = mails_for_event(e.key());
    if (e.kind == "reminder") {
      for (auto [service, addresses] : {std::pair{service_a_, 2}, std::pair{service_b_, 1}}) {
        std::int64_t expected = open_count(service, e.at);
        int found = 0;
        for (const auto& m : mails) {
          if (m.dedupe_key.find("/" + std::to_string(service) + "/") == std::string::npos) continue;
          ++found;
          std::string want = expected == 1 ? "1 aanvraag staat nog open"
                                           : std::to_string(expected) + " aanvragen staan nog open";
          EXPECT_NE(m.subject.find(want), std::string::npos) << e.key() << ": " << m.subject;
        }
        EXPECT_EQ(found, expected > 0 ? addresses : 0) << e.key() << " service " << service;
        ++reminders_checked;
      }
    } else if (std::find(e.audience.begin(), e.audience.end(), "services") != e.audience.end()) {
      // Each address of each service once: a1, a2 (service A) and b (service B).
      std::multiset<std::string> to;
      for (const auto& m : mails) to.insert(m.to_address);
      EXPECT_EQ(
          to, (std::multiset<std::string>{"a1@thuiszorg.be", "a2@thuiszorg.be", "b@gezinszorg.be"}))
          << e.key();
      for (const auto& m : mails)
        EXPECT_EQ(m.body_text.find("later dan gepland"), std::string::npos) << e.key();
    }
  }
  EXPECT_GT(reminders_checked, 0);

  // Nothing twice: not from this scheduler, nor from a second instance on the same database.
  auto total = store_->outbox(100000).size();
  EXPECT_EQ(scheduler.run_due().events, 0);
  SqlStore second_store(url_);
  Scheduler second(
      second_store, second_store, *mail_, [d = defs_] { return d; }, *clock_);
  EXPECT_EQ(second.run_due().events, 0);
  EXPECT_EQ(store_->outbox(100000).size(), total);
}

TEST_P(SchedulerWalk, TwoInstancesRacingSendEachRoundMailOnce) {
  ASSERT_TRUE(clock_->set(local("2025-06-30 11:00")));
  SqlStore second_store(url_);
  Scheduler one(
      *store_, *store_, *mail_, [d = defs_] { return d; }, *clock_);
  Scheduler two(
      second_store, second_store, *mail_, [d = defs_] { return d; }, *clock_);
  ASSERT_TRUE(clock_->set(local("2025-06-30 12:00")));
  std::thread t1([&] { one.run_due(); });
  std::thread t2([&] { two.run_due(); });
  t1.join();
  t2.join();
  RuleEngine rules(defs_);
  auto events = rules.events(*defs_->calendar("secundair", "2025-2026"));
  const TimedEvent& opens = events->front();
  ASSERT_EQ(opens.kind, "round_opens");
  EXPECT_EQ(mails_for_event(opens.key()).size(), 3u);
}

TEST_P(SchedulerWalk, AMailMissedWhileTheServerWasDownGoesOutLateAndSaysSo) {
  // The server was down at noon on 30/06 and comes back at 15:00.
  ASSERT_TRUE(clock_->set(local("2025-06-30 15:00")));
  Scheduler scheduler(
      *store_, *store_, *mail_, [d = defs_] { return d; }, *clock_);
  scheduler.run_due();
  RuleEngine rules(defs_);
  auto events = rules.events(*defs_->calendar("secundair", "2025-2026"));
  auto mails = mails_for_event(events->front().key());
  ASSERT_EQ(mails.size(), 3u);
  for (const auto& m : mails) {
    EXPECT_NE(m.body_text.find("later dan gepland"), std::string::npos);
    EXPECT_NE(m.body_text.find("30/06/2025 12:00"), std::string::npos);
  }
}

TEST_P(SchedulerWalk, EventsFromLongBeforeTheStartAreNotSent) {
  // A first start months after the calendar's rounds: no mails about rounds long gone.
  ASSERT_TRUE(clock_->set(local("2026-05-01 10:00")));
  Scheduler scheduler(
      *store_, *store_, *mail_, [d = defs_] { return d; }, *clock_);
  SchedulerRun run = scheduler.run_due();
  EXPECT_GT(run.events, 0);
  EXPECT_EQ(run.mails, 0);
  EXPECT_TRUE(store_->outbox(10).empty());
}

INSTANTIATE_TEST_SUITE_P(Databases, SchedulerWalk, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace stagematch

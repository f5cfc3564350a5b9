// The engine's services that the pages and the JSON API share (organisations, contact persons,
// calendar publishing, the audit log, the outbox, progress), on SQLite and on PostgreSQL: who may
// do what, one audit line per change with one action name whichever way it came, and refused
// input that leaves the stored data as it was.
#include "engine_services.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "db_support.hpp"
#include "mail_templates.hpp"
#include "site_links.hpp"
#include "test_support.hpp"

namespace stagematch {
namespace {

using testing::local;
using testing::source_path;

std::string file_text(const std::string& relative) {
  std::ifstream in(source_path(relative));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class EngineServicesTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string url = testing::fresh_database(GetParam(), "engine_services");
    ASSERT_FALSE(url.empty());
    store_ = std::make_unique<SqlStore>(url);
    store_->migrate();
    defs_ = testing::shipped_definitions();
    clock_ = std::make_unique<TestClock>(local("2025-09-20 12:00"));
    clock_->freeze(true);
    mail_ = std::make_unique<MailTemplates>(source_path("mail-templates"),
                                            "Stagematch <info@stagematching.org>",
                                            site_links("http://127.0.0.1:8080"));
    accounts_ = std::make_unique<Accounts>(*store_, *mail_, *clock_, AccountOptions{});
    engine_ = std::make_unique<EngineServices>(
        *store_, *store_, *accounts_, [this] { return defs_; },
        [this](std::shared_ptr<const DefinitionSet> d) {
          defs_ = std::move(d);
          ++publications_;
        },
        store_.get(), *clock_);
    school_id_ =
        store_->create_organisation({0, "school", "Sint-Jozef", {}, {"secundair"}}).value();
    other_school_id_ =
        store_->create_organisation({0, "school", "Atheneum", {}, {"secundair"}}).value();
    school_ = Actor{"school", 7, school_id_};
    other_school_ = Actor{"school", 8, other_school_id_};
  }

  std::size_t audit_lines() { return store_->audit_log(100000).size(); }

  std::shared_ptr<const DefinitionSet> defs_;
  int publications_ = 0;
  std::unique_ptr<SqlStore> store_;
  std::unique_ptr<TestClock> clock_;
  std::unique_ptr<MailTemplates> mail_;
  std::unique_ptr<Accounts> accounts_;
  std::unique_ptr<EngineServices> engine_;
  Id school_id_ = 0;
  Id other_school_id_ = 0;
  Actor school_;
  Actor other_school_;
  const Actor admin_{"admin", 1, 0};
};

TEST_P(EngineServicesTest, AContactEditIsAuditedAsContactEditWithTheEditor) {
  auto id =
      engine_->contacts.create(school_, {" Els Begeleider ", "03 123 45 67", "els@school.be"});
  ASSERT_TRUE(id) << id.error().message;
  EXPECT_EQ(store_->contact(*id)->name, "Els Begeleider");  // trimmed
  ASSERT_TRUE(
      engine_->contacts.edit(school_, *id, {"Els Peeters", "03 123 45 67", "els@school.be"}));
  EXPECT_EQ(store_->contact(*id)->name, "Els Peeters");
  auto log = store_->audit_log(2);
  ASSERT_EQ(log.size(), 2U);
  EXPECT_EQ(log[0].action, "contact.edit");
  EXPECT_EQ(log[0].object_type, "contact");
  EXPECT_EQ(log[0].object_id, *id);
  EXPECT_EQ(log[0].actor, "school:" + std::to_string(school_id_));
  EXPECT_EQ(log[0].user_id, 7);
  EXPECT_EQ(log[0].outcome, "ok");
  EXPECT_EQ(log[1].action, "contact.create");
  ASSERT_TRUE(engine_->contacts.remove(school_, *id));
  EXPECT_EQ(store_->audit_log(1)[0].action, "contact.delete");
  EXPECT_TRUE(engine_->contacts.list(school_).empty());
}

TEST_P(EngineServicesTest, RefusedContactInputLeavesTheContactAndTheLogAsTheyWere) {
  auto id = engine_->contacts.create(school_, {"Els", "03 123 45 67", "els@school.be"});
  ASSERT_TRUE(id);
  const std::size_t lines = audit_lines();

  auto bad = engine_->contacts.edit(school_, *id, {"  ", "03 123 45 67", "geen adres"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, "validation");
  EXPECT_TRUE(bad.error().fields.contains("name"));
  EXPECT_TRUE(bad.error().fields.contains("email"));
  EXPECT_FALSE(bad.error().fields.at("email").empty());

  // Another school's contact person does not exist for this one: not to read, edit or delete.
  auto foreign = engine_->contacts.edit(other_school_, *id, {"Jan", "011 22 33 44", "jan@a.be"});
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().code, "not_found");
  EXPECT_EQ(engine_->contacts.remove(other_school_, *id).error().code, "not_found");
  EXPECT_EQ(engine_->contacts.find(other_school_, *id).error().code, "not_found");
  EXPECT_TRUE(engine_->contacts.list(other_school_).empty());
  // An admin has no contact persons of its own.
  EXPECT_EQ(engine_->contacts.create(admin_, {"Els", "03 123 45 67", "els@school.be"}).error().code,
            "forbidden");
  auto missing = engine_->contacts.create(school_, {"", "", ""});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().fields.size(), 3U);

  auto stored = store_->contact(*id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->name, "Els");
  EXPECT_EQ(stored->email, "els@school.be");
  EXPECT_EQ(store_->contacts(school_id_).size(), 1U);
  EXPECT_EQ(audit_lines(), lines);
}

TEST_P(EngineServicesTest, OnlyAnAdminCreatesOrganisationsAndWrongFieldsStoreNothing) {
  const std::size_t orgs = engine_->organisations.list().size();
  const std::size_t lines = audit_lines();
  NewOrganisation service{"service", "Thuiszorg Antwerpen", {"ANT"}, {}};
  EXPECT_EQ(engine_->organisations.create(school_, service).error().code, "forbidden");

  auto no_province = engine_->organisations.create(admin_, {"service", "Dienst", {}, {}});
  ASSERT_FALSE(no_province);
  EXPECT_EQ(no_province.error().code, "validation");
  EXPECT_EQ(no_province.error().fields.at("provinces"),
            "Kies minstens één provincie waarin de dienst actief is.");
  auto mixed = engine_->organisations.create(admin_, {"school", "School", {"ANT"}, {"secundair"}});
  EXPECT_EQ(mixed.error().fields.at("provinces"), "Enkel diensten hebben provincies.");
  auto unknown = engine_->organisations.create(admin_, {"school", "School", {}, {"sterrenkunde"}});
  EXPECT_TRUE(unknown.error().fields.contains("tracks"));
  auto kind = engine_->organisations.create(admin_, {"ziekenhuis", "X", {}, {}});
  EXPECT_TRUE(kind.error().fields.contains("type"));
  auto nameless = engine_->organisations.create(admin_, {"service", "   ", {"ANT"}, {}});
  EXPECT_EQ(nameless.error().fields.at("name"), "Vul een naam in.");
  auto long_name =
      engine_->organisations.create(admin_, {"service", std::string(201, 'a'), {"ANT"}, {}});
  EXPECT_TRUE(long_name.error().fields.contains("name"));
  EXPECT_EQ(engine_->organisations.list().size(), orgs);
  EXPECT_EQ(audit_lines(), lines);

  auto id = engine_->organisations.create(admin_, service);
  ASSERT_TRUE(id) << id.error().message;
  EXPECT_EQ(engine_->organisations.find(*id)->provinces, std::vector<std::string>{"ANT"});
  EXPECT_EQ(engine_->organisations.list("service").size(), 1U);
  auto log = store_->audit_log(1);
  EXPECT_EQ(log[0].action, "org.create");
  EXPECT_EQ(log[0].object_id, *id);
  EXPECT_EQ(log[0].detail, "service");
  EXPECT_EQ(log[0].actor, "admin:0");
}

TEST_P(EngineServicesTest, AnInvitationIsTheAdminsAndTheUserListToo) {
  EXPECT_EQ(engine_->organisations.invite(school_, "a@b.be", "school", school_id_).error().code,
            "forbidden");
  EXPECT_EQ(engine_->organisations.users(school_).error().code, "forbidden");
  ASSERT_TRUE(engine_->organisations.invite(admin_, "els@school.be", "school", school_id_));
  auto users = engine_->organisations.users(admin_);
  ASSERT_TRUE(users);
  ASSERT_EQ(users->size(), 1U);
  EXPECT_EQ(users->front().email, "els@school.be");
}

TEST_P(EngineServicesTest, AWrongCalendarIsRefusedAuditedAndTheActiveOneStays) {
  const std::string yaml = file_text("workflows/calendars/duaal/2025-2026.yaml");
  EXPECT_EQ(engine_->calendars.publish(school_, {"kalender.yaml", yaml, {}, {}}).error().code,
            "forbidden");

  auto broken = engine_->calendars.publish(admin_, {"kalender.yaml", "kind: calendar\n", {}, {}});
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().code, "invalid_calendar");
  EXPECT_FALSE(broken.error().fields.at("calendar").empty());
  // The address's track and school year must be the file's.
  auto elsewhere = engine_->calendars.publish(
      admin_, {"calendars/duaal/2026-2027.yaml", yaml, "duaal", "2026-2027"});
  ASSERT_FALSE(elsewhere);
  auto problems = CalendarPublishing::problems(elsewhere.error());
  ASSERT_FALSE(problems.empty());
  EXPECT_NE(problems.front().find("WF0107"), std::string::npos);
  EXPECT_EQ(problems.front().rfind("calendars/duaal/2026-2027.yaml:", 0), 0U);
  EXPECT_EQ(publications_, 0);
  EXPECT_TRUE(store_->stored_calendars().empty());
  auto log = store_->audit_log(1);
  EXPECT_EQ(log[0].action, "calendar.publish");
  EXPECT_EQ(log[0].outcome, "refused:invalid_calendar");
  EXPECT_EQ(log[0].detail, "duaal/2026-2027");

  auto checked = engine_->calendars.check({"kalender.yaml", yaml, {}, {}});
  EXPECT_TRUE(checked.ok());
  EXPECT_EQ(checked.name(), "duaal/2025-2026");
  EXPECT_EQ(publications_, 0);  // a check publishes nothing

  auto published = engine_->calendars.publish(admin_, {"kalender.yaml", yaml, {}, {}});
  ASSERT_TRUE(published) << published.error().message;
  EXPECT_EQ(publications_, 1);
  ASSERT_EQ(engine_->calendars.published().size(), 1U);
  EXPECT_EQ(engine_->calendars.published()[0].label, "kalender.yaml");
  EXPECT_EQ(store_->audit_log(1)[0].detail, "duaal/2025-2026");
  EXPECT_EQ(store_->audit_log(1)[0].outcome, "ok");
}

TEST_P(EngineServicesTest, TheLogTheOutboxAndProgressAreTheAdminsToRead) {
  engine_->audit.record(admin_, "clock.set", "clock", std::nullopt, "2025-09-21T12:00:00+02:00");
  auto lines = engine_->audit.recent(admin_, 10);
  ASSERT_TRUE(lines);
  EXPECT_EQ(lines->front().action, "clock.set");
  EXPECT_EQ(engine_->audit.recent(school_, 10).error().code, "forbidden");
  EXPECT_EQ(engine_->outbox.recent(school_, 10).error().code, "forbidden");
  EXPECT_EQ(engine_->outbox.find(school_, 1).error().code, "forbidden");
  EXPECT_EQ(engine_->outbox.resend(school_, 1).error().code, "forbidden");
  EXPECT_EQ(engine_->progress.status_counts(school_, 1).error().code, "forbidden");

  ASSERT_TRUE(engine_->organisations.invite(admin_, "els@school.be", "school", school_id_));
  auto mails = engine_->outbox.recent(admin_, 10);
  ASSERT_TRUE(mails);
  ASSERT_EQ(mails->size(), 1U);
  auto mail = engine_->outbox.find(admin_, mails->front().id);
  ASSERT_TRUE(mail);
  EXPECT_EQ(mail->to_address, "els@school.be");
  EXPECT_EQ(engine_->outbox.find(admin_, mails->front().id + 1000).error().code, "not_found");
  // Only a mail given up on is sent again.
  const std::size_t before = audit_lines();
  EXPECT_EQ(engine_->outbox.resend(admin_, mails->front().id).error().code, "not_found");
  EXPECT_EQ(audit_lines(), before);
}

INSTANTIATE_TEST_SUITE_P(Databases, EngineServicesTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace stagematch

// The domain rules of SPEC.md through Matching, on SQLite and on PostgreSQL: registration and
// its refusals, visibility round by round through the secundair 2025-2026 calendar, exclusive
// acceptance, personal data hidden until reveal, and what a school may still change.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "db_support.hpp"
#include "mail_templates.hpp"
#include "matching.hpp"
#include "site_links.hpp"
#include "sql_db.hpp"
#include "test_support.hpp"

namespace stagematch {
namespace {

using testing::local;

class Domain : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    url_ = testing::fresh_database(GetParam(), "domain");
    ASSERT_FALSE(url_.empty());
    store_ = open_store(url_);
    store_->migrate();
    defs_ = testing::shipped_definitions();
    clock_ = std::make_unique<TestClock>(local("2022-01-01 09:00"));
    clock_->freeze(true);
    matching_ = std::make_unique<Matching>(
        *store_, [d = defs_] { return d; }, *clock_);
    school_ = org("school", "Sint-Jozef Antwerpen", {},
                  {"secundair", "duaal", "cvo", "dubbele_finaliteit"});
    other_school_ = org("school", "Atheneum Hasselt", {}, {"secundair"});
    service_a_ = org("service", "Thuiszorg Antwerpen", {"ANT"}, {});
    service_b_ = org("service", "Zorg aan huis Noord", {"ANT"}, {});
    service_c_ = org("service", "Gezinszorg Limburg", {"LIM"}, {});
    contact_ = contact(school_, "Els Begeleider", "03 123 45 67", "els@sintjozef.be");
    other_contact_ = contact(other_school_, "Jan Begeleider", "011 22 33 44", "jan@atheneum.be");
    mentor_a_ = contact(service_a_, "Mentor A", "03 999 88 77", "mentor@thuiszorg-a.be");
    mentor_b_ = contact(service_b_, "Mentor B", "03 999 11 22", "mentor@zorg-b.be");
  }

  Id org(const std::string& type, const std::string& name, std::vector<std::string> provinces,
         std::vector<std::string> tracks) {
    auto id = store_->create_organisation(
        Organisation{0, type, name, std::move(provinces), std::move(tracks)});
    EXPECT_TRUE(id) << (id ? "" : id.error().message);
    return id.value_or(0);
  }

  Id contact(Id org_id, const std::string& name, const std::string& phone,
             const std::string& email) {
    auto id = store_->create_contact(ContactPerson{0, org_id, name, phone, email});
    EXPECT_TRUE(id);
    return id.value_or(0);
  }

  Value student(const std::string& last_name, const std::string& province,
                const std::string& postal_code, std::optional<Id> preferred) {
    Object o{{"first_name", "Lotte"},
             {"last_name", last_name},
             {"national_number", "85073003328"},
             {"street", "Kerkstraat 1"},
             {"postal_code", postal_code},
             {"city", "Stad"},
             {"province", province},
             {"phone", "0470 12 34 56"},
             {"email", "lotte@example.be"},
             {"transport", Array{"fiets", "openbaar_vervoer"}},
             {"school_contact_id", contact_},
             {"form", "alternerend"},
             {"period_count", 2},
             {"total_hours", 240},
             {"periods", Array{Object{{"start", "2025-10-06"}, {"end", "2025-10-31"}},
                               Object{{"start", "2026-02-02"}, {"end", "2026-02-27"}}}}};
    if (preferred) o["preferred_service_id"] = *preferred;
    return o;
  }

  Id register_at(const std::string& when, const Value& fields,
                 const std::string& track = "secundair") {
    move_to(when);
    auto r = matching_->register_request(school_actor(), track, fields);
    EXPECT_TRUE(r) << (r ? "" : r.error().code + ": " + r.error().message);
    return r ? r->id : 0;
  }

  void move_to(const std::string& when) { ASSERT_TRUE(clock_->set(local(when))); }

  Actor school_actor() const { return Actor{"school", 1, school_}; }
  Actor service(Id id) const { return Actor{"service", 2, id}; }

  std::set<Id> open_list(Id service_id, const std::string& track = "secundair") {
    ListInput in;
    in.page_size = 500;
    auto out = matching_->list_requests(service(service_id), track, in);
    EXPECT_TRUE(out) << (out ? "" : out.error().message);
    std::set<Id> ids;
    if (out)
      for (const auto& item : out->items) ids.insert(item["id"].as_int());
    return ids;
  }

  StatusInput accept() const {
    return StatusInput{"aanvaard", mentor_a_, {0}, "Start op maandag om 9 uur.", ""};
  }

  std::string url_;
  std::unique_ptr<Store> store_;
  std::shared_ptr<const DefinitionSet> defs_;
  std::unique_ptr<TestClock> clock_;
  std::unique_ptr<Matching> matching_;
  Id school_ = 0, other_school_ = 0, service_a_ = 0, service_b_ = 0, service_c_ = 0;
  Id contact_ = 0, other_contact_ = 0, mentor_a_ = 0, mentor_b_ = 0;
};

TEST_P(Domain, RegistersAValidStudentAndRefusesAnInvalidOneWithoutStoringIt) {
  Id id = register_at("2025-06-02 09:00", student("Peeters", "ANT", "2000", service_a_));
  ASSERT_GT(id, 0);
  Value bad = student("Janssens", "ANT", "2000", service_a_);
  Object o = bad.as_object();
  o["national_number"] = "12345678901";
  o["periods"] = Array{Object{{"start", "2025-10-31"}, {"end", "2025-10-06"}}};
  auto refused = matching_->register_request(school_actor(), "secundair", Value(o));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::invalid);
  EXPECT_TRUE(refused.error().fields.contains("national_number"));
  EXPECT_TRUE(refused.error().fields.contains("periods"));
  auto mine = matching_->list_requests(school_actor(), "secundair", ListInput{});
  ASSERT_TRUE(mine);
  EXPECT_EQ(mine->total, 1);
}

TEST_P(Domain, ProvinceThatDoesNotMatchThePostalCodeIsRefusedExceptForCvoWhereItWarns) {
  move_to("2024-09-01 09:00");
  auto secundair =
      matching_->register_request(school_actor(), "secundair", student("Maes", "LIM", "2000", {}));
  ASSERT_FALSE(secundair);
  EXPECT_TRUE(secundair.error().fields.contains("province"));
  Value cvo = student("Maes", "LIM", "2000", {});
  auto registered = matching_->register_request(school_actor(), "cvo", cvo);
  ASSERT_TRUE(registered) << registered.error().message;
  ASSERT_EQ(registered->warnings.size(), 1u);
  EXPECT_EQ(registered->warnings[0].field, "province");
}

TEST_P(Domain, RefusesWhatASchoolMayNotDo) {
  move_to("2025-06-02 09:00");
  auto wrong_track = matching_->register_request(Actor{"school", 3, other_school_}, "duaal",
                                                 student("A", "ANT", "2000", {}));
  ASSERT_FALSE(wrong_track);
  EXPECT_EQ(wrong_track.error().code, "track_not_allowed");

  Object foreign_contact = student("B", "ANT", "2000", {}).as_object();
  foreign_contact["school_contact_id"] = other_contact_;
  auto contact_refused =
      matching_->register_request(school_actor(), "secundair", Value(foreign_contact));
  ASSERT_FALSE(contact_refused);
  EXPECT_TRUE(contact_refused.error().fields.contains("school_contact_id"));

  auto not_a_service = matching_->register_request(school_actor(), "secundair",
                                                   student("C", "ANT", "2000", other_school_));
  ASSERT_FALSE(not_a_service);
  EXPECT_TRUE(not_a_service.error().fields.contains("preferred_service_id"));
}

// After the last round of 2024-2025, before 2025-2026 opens, no service would see a new
// student: the school is told the last round is over and to settle it with a service.
TEST_P(Domain, NoRegistrationAfterTheLastRoundThatNoServiceWouldSee) {
  move_to("2024-09-30 11:59");
  Id in_time = register_at("2024-09-30 11:59", student("C", "ANT", "2000", {}));
  EXPECT_GT(in_time, 0);
  move_to("2024-09-30 12:00");
  auto late =
      matching_->register_request(school_actor(), "secundair", student("D", "ANT", "2000", {}));
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, "registration_closed");
  EXPECT_EQ(late.error().kind, ErrorKind::forbidden);
  EXPECT_NE(late.error().message.find("De laatste ronde van dit schooljaar is voorbij"),
            std::string::npos)
      << late.error().message;
  EXPECT_NE(late.error().message.find("rechtstreeks met een dienst"), std::string::npos);
  move_to("2025-03-01 12:00");
  EXPECT_FALSE(
      matching_->register_request(school_actor(), "secundair", student("E", "ANT", "2000", {})));
  EXPECT_EQ(matching_->list_requests(school_actor(), "secundair", ListInput{})->total, 1)
      << "a refused registration stores nothing";
}

// A number whose check digits say "born in 2026" is not yet possible in 2025, by the product's
// own clock (not the machine's), and is accepted once that year has come.
TEST_P(Domain, ABirthYearStillToComeIsJudgedByTheProductsClock) {
  Object o = student("Toekomst", "ANT", "2000", {}).as_object();
  o["national_number"] = "26030103348";  // 1 March 2026, check digits with the "2" prefix
  move_to("2025-06-02 09:00");
  auto early = matching_->register_request(school_actor(), "secundair", Value(o));
  ASSERT_FALSE(early);
  ASSERT_TRUE(early.error().fields.contains("national_number"));
  EXPECT_NE(early.error().fields.at("national_number").find("moet nog komen"), std::string::npos)
      << early.error().fields.at("national_number");
  move_to("2026-03-02 09:00");
  auto later = matching_->register_request(school_actor(), "secundair", Value(o));
  EXPECT_TRUE(later) << later.error().message;
}

// The summer blackout of secundair 2025-2026 delays, it does not refuse: the school is warned,
// and no service sees the student, in any list or count, before 19/09/2025 12:00.
TEST_P(Domain, ABlackoutRegistrationIsAcceptedAndHiddenUntil19September) {
  move_to("2025-07-01 12:00");
  auto done = matching_->register_request(school_actor(), "secundair",
                                          student("Zomer", "ANT", "2000", service_a_));
  ASSERT_TRUE(done) << done.error().message;
  ASSERT_TRUE(done->visible_from);
  EXPECT_EQ(*done->visible_from, local("2025-09-19 12:00"));
  EXPECT_NE(done->notice.find("19/09/2025 12:00"), std::string::npos) << done->notice;
  move_to("2025-07-02 12:00");  // round 1, preferred: the student names service A
  EXPECT_FALSE(open_list(service_a_).contains(done->id));
  Id normal = register_at("2025-08-20 10:00", student("Augustus", "ANT", "2000", service_a_));
  EXPECT_FALSE(
      matching_->register_request(school_actor(), "secundair", student("X", "ANT", "2000", {}))
          ->visible_from)
      << "after the blackout nothing is delayed";

  for (const char* when : {"2025-09-05 12:00", "2025-09-19 11:59"}) {
    move_to(when);
    EXPECT_FALSE(open_list(service_a_).contains(done->id)) << when;
    EXPECT_FALSE(matching_->view_request(service(service_a_), done->id)) << when;
  }
  EXPECT_TRUE(open_list(service_a_).contains(normal));
  move_to("2025-09-19 12:00");
  EXPECT_TRUE(open_list(service_a_).contains(done->id));
  EXPECT_TRUE(open_list(service_c_).contains(done->id));
}

// CVO: "als je Antwerpen aanduidt zien enkel de diensten van de provincie Antwerpen de leerling".
TEST_P(Domain, ACvoStudentIsSeenOnlyByServicesOfTheChosenProvince) {
  Id antwerp = register_at("2024-09-01 10:00", student("Peeters", "ANT", "2000", {}), "cvo");
  Id limburg = register_at("2024-09-01 11:00", student("Claes", "LIM", "3500", {}), "cvo");
  move_to("2024-09-10 12:00");
  EXPECT_EQ(open_list(service_a_, "cvo"), (std::set<Id>{antwerp}));
  EXPECT_EQ(open_list(service_c_, "cvo"), (std::set<Id>{limburg}));
  auto foreign = matching_->view_request(service(service_c_), antwerp);
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().kind, ErrorKind::not_found);
  auto refused = matching_->change_status(service(service_c_), antwerp, accept());
  ASSERT_FALSE(refused);
  EXPECT_TRUE(matching_->change_status(service(service_a_), antwerp, accept()));
}

// The result after the interview can still be given once the invitation window closed; new
// invitations cannot.
TEST_P(Domain, DuaalFollowUpOutlivesTheInvitationWindow) {
  auto duaal_student = [&](const std::string& name) {
    Object o = student(name, "ANT", "2000", {}).as_object();
    o["weekdays"] = Array{"ma", "di"};
    return Value(o);
  };
  Id invited = register_at("2024-10-01 10:00", duaal_student("Jacobs"), "duaal");
  Id later = register_at("2024-10-02 10:00", duaal_student("Wouters"), "duaal");
  Id third = register_at("2024-10-03 10:00", duaal_student("Maes"), "duaal");
  ASSERT_TRUE(matching_->change_status(service(service_a_), invited,
                                       StatusInput{"uitgenodigd", {}, {}, "", ""}));
  ASSERT_TRUE(matching_->change_status(service(service_b_), third,
                                       StatusInput{"uitgenodigd", {}, {}, "", ""}));

  move_to("2024-11-30 23:59");  // the window includes 30 November
  ASSERT_TRUE(matching_->change_status(service(service_b_), later,
                                       StatusInput{"niet_uitgenodigd", {}, {}, "", ""}));
  move_to("2024-12-05 10:00");
  auto invite = matching_->change_status(service(service_a_), later,
                                         StatusInput{"uitgenodigd", {}, {}, "", ""});
  ASSERT_FALSE(invite);
  EXPECT_EQ(invite.error().code, "round_closed");
  auto outcome = matching_->change_status(service(service_b_), third,
                                          StatusInput{"niet_opgedaagd", {}, {}, "", ""});
  EXPECT_TRUE(outcome) << outcome.error().message;
  auto hired = matching_->change_status(service(service_a_), invited, accept());
  EXPECT_TRUE(hired) << hired.error().message;
  auto view = matching_->view_request(service(service_a_), invited);
  ASSERT_TRUE(view);
  EXPECT_EQ((*view)["national_number"], Value("85073003328"));
}

TEST_P(Domain, VisibilityRoundByRoundThroughSecundair2025_2026) {
  Id early = register_at("2025-06-15 10:00", student("Early", "ANT", "2000", service_a_));
  // Registered during the blackout anyway (an import): stored directly.
  RequestRecord blackout_record;
  blackout_record.track = "secundair";
  blackout_record.year = "2025-2026";
  blackout_record.school_id = school_;
  blackout_record.school_contact_id = contact_;
  blackout_record.preferred_service_id = service_a_;
  blackout_record.first_name = "Zomer";
  blackout_record.last_name = "Blackout";
  blackout_record.province = "ANT";
  blackout_record.postal_code = "2018";
  blackout_record.transport = {"fiets"};
  blackout_record.fields = student("Blackout", "ANT", "2018", service_a_);
  blackout_record.registered_at = local("2025-07-10 10:00");
  AuditEntry import_audit;
  import_audit.at = local("2025-07-10 10:00");
  import_audit.actor = "import";
  import_audit.action = "request.register";
  import_audit.object_type = "request";
  import_audit.outcome = "ok";
  auto in_blackout = store_->insert_request(blackout_record, import_audit);
  ASSERT_TRUE(in_blackout);

  move_to("2025-06-20 10:00");  // before round 1: nothing
  EXPECT_EQ(open_list(service_a_), (std::set<Id>{}));

  move_to("2025-07-01 12:00");  // round 1, preferred: own province and named; blackout hidden
  EXPECT_EQ(open_list(service_a_), (std::set<Id>{early}));
  EXPECT_EQ(open_list(service_b_), (std::set<Id>{}));
  EXPECT_EQ(open_list(service_c_), (std::set<Id>{}));

  Id between = register_at("2025-08-20 10:00", student("Tussen", "ANT", "2100", service_b_));
  // Between rounds: nothing new, what round 1 showed.
  EXPECT_EQ(open_list(service_a_), (std::set<Id>{early}));
  EXPECT_EQ(open_list(service_b_), (std::set<Id>{}));

  Id limburg = register_at("2025-09-08 10:00", student("Limburg", "LIM", "3500", service_a_));
  move_to("2025-09-10 10:00");                              // round 2, preferred
  EXPECT_EQ(open_list(service_a_), (std::set<Id>{early}));  // limburg: not A's province
  EXPECT_EQ(open_list(service_b_), (std::set<Id>{between}));
  EXPECT_EQ(open_list(service_c_), (std::set<Id>{}));  // limburg named A, not C

  move_to("2025-09-19 11:59");  // still round 2: the blackout registration is still hidden
  EXPECT_FALSE(open_list(service_a_).contains(*in_blackout));
  move_to("2025-09-19 12:00");  // round 3, open: everyone sees everything not accepted
  std::set<Id> all{early, *in_blackout, between, limburg};
  EXPECT_EQ(open_list(service_a_), all);
  EXPECT_EQ(open_list(service_c_), all);

  ASSERT_TRUE(matching_->change_status(service(service_a_), early, accept()));
  all.erase(early);
  EXPECT_EQ(open_list(service_b_), all);
  EXPECT_EQ(open_list(service_a_), all);
  ListInput accepted;
  accepted.tab = "accepted";
  auto mine = matching_->list_requests(service(service_a_), "secundair", accepted);
  ASSERT_TRUE(mine);
  ASSERT_EQ(mine->items.size(), 1u);
  EXPECT_EQ(mine->items[0]["id"].as_int(), early);

  move_to("2026-09-30 10:00");  // a year later: accepted stays visible to its service
  auto still = matching_->view_request(service(service_a_), early);
  EXPECT_TRUE(still);
  auto other = matching_->view_request(service(service_b_), early);
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().kind, ErrorKind::not_found);
}

TEST_P(Domain, AcceptingIsExclusiveAndFinalAndLocksTheSchoolOut) {
  Id id = register_at("2025-09-20 10:00", student("Claes", "ANT", "2000", {}));
  auto first = matching_->change_status(service(service_a_), id, accept());
  ASSERT_TRUE(first) << first.error().message;
  StatusInput b = accept();
  b.mentor_id = mentor_b_;
  auto second = matching_->change_status(service(service_b_), id, b);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, "already_accepted");
  EXPECT_EQ(second.error().kind, ErrorKind::conflict);
  EXPECT_EQ(second.error().message,
            "Deze student werd intussen al aanvaard door een andere dienst.");
  auto undo =
      matching_->change_status(service(service_a_), id, StatusInput{"onbeslist", {}, {}, "", ""});
  ASSERT_FALSE(undo);
  EXPECT_EQ(undo.error().code, "transition_not_allowed");

  auto edit = matching_->edit_request(school_actor(), id, student("Claes", "ANT", "2000", {}));
  ASSERT_FALSE(edit);
  EXPECT_EQ(edit.error().code, "already_accepted");
  EXPECT_FALSE(matching_->delete_request(school_actor(), id));
  EXPECT_FALSE(matching_->stop_request(school_actor(), id));

  // Only an admin undoes it, with a reason; then the request is open again.
  Actor admin{"admin", 9, 0};
  auto no_reason = matching_->change_status(admin, id, StatusInput{"onbeslist", {}, {}, "", ""});
  ASSERT_FALSE(no_reason);
  EXPECT_TRUE(no_reason.error().fields.contains("reason"));
  ASSERT_TRUE(matching_->change_status(
      admin, id, StatusInput{"onbeslist", {}, {}, "", "Verkeerde student aanvaard"}));
  EXPECT_TRUE(open_list(service_b_).contains(id));
}

// A service's list page is kept (on PostgreSQL) while nothing it shows changed: an acceptance,
// a service's own status, a registration, a stop and a contact person's new phone number made
// through one instance show in the very next list of a service on another, items and total
// alike.
TEST_P(Domain, AnAcceptanceShowsInTheVeryNextListOfEveryServiceOnEveryInstance) {
  std::vector<Id> ids;
  for (const char* name : {"Aerts", "Bosmans", "Claes", "Dewit", "Engels"})
    ids.push_back(register_at("2025-09-20 10:00", student(name, "ANT", "2000", {})));
  // A second instance: its own store (and caches) on the same database.
  std::unique_ptr<Store> other_store;
  if (GetParam() == "postgresql") other_store = open_store(url_);
  Store& b_store = other_store ? *other_store : *store_;
  Matching b(
      b_store, [d = defs_] { return d; }, *clock_);
  ListInput page;
  page.page_size = 2;  // a full first page: the total is counted, then reused
  auto list_b = [&] {
    auto out = b.list_requests(service(service_b_), "secundair", page);
    EXPECT_TRUE(out) << (out ? "" : out.error().message);
    return out ? *out : ListOutput{};
  };
  EXPECT_EQ(list_b().total, 5);
  EXPECT_EQ(list_b().total, 5);
  ASSERT_TRUE(matching_->change_status(service(service_a_), ids[0], accept()));
  ListOutput after = list_b();
  EXPECT_EQ(after.total, 4) << "the total followed the acceptance at once";
  for (const auto& item : after.items) EXPECT_NE(item["id"].as_int(), ids[0]);
  EXPECT_FALSE(open_list(service_b_).contains(ids[0]));
  // A registration and a stop move the total as well.
  register_at("2025-09-20 11:00", student("Franssen", "ANT", "2000", {}));
  EXPECT_EQ(list_b().total, 5);
  ASSERT_TRUE(matching_->stop_request(school_actor(), ids[1]));
  EXPECT_EQ(list_b().total, 4);

  // The service's own status, set through the first instance, is in the next page of the second.
  auto my_status = [&](Id id) {
    ListInput all;
    auto out = b.list_requests(service(service_b_), "secundair", all);
    EXPECT_TRUE(out);
    if (out)
      for (const auto& item : out->items)
        if (item["id"].as_int() == id) return item["my_status"].as_string();
    return std::string("(not listed)");
  };
  EXPECT_EQ(my_status(ids[2]), "onbeslist");
  Matching a_on_first(
      *store_, [d = defs_] { return d; }, *clock_);
  ASSERT_TRUE(a_on_first.change_status(service(service_b_), ids[2],
                                       StatusInput{"niet_aanvaard", {}, {}, "", ""}));
  EXPECT_EQ(my_status(ids[2]), "niet_aanvaard");

  // The school's contact person is listed with each request; a new name shows at once.
  auto contact_name = [&] {
    ListInput all;
    auto out = b.list_requests(service(service_b_), "secundair", all);
    return out && !out->items.empty() ? out->items.front()["school_contact"]["name"].as_string()
                                      : "";
  };
  EXPECT_EQ(contact_name(), "Els Begeleider");
  ASSERT_TRUE(store_->update_contact(
      ContactPerson{contact_, school_, "Els Nieuw", "03 123 45 67", "els@sintjozef.be"}));
  EXPECT_EQ(contact_name(), "Els Nieuw");
}

// A database whose change counter was never moved on (data loaded before the counter existed)
// holds last_value 1 both before and after the first change: the first acceptance must still
// end the kept pages.
TEST_P(Domain, TheFirstChangeEverEndsAKeptList) {
  if (GetParam() != "postgresql") GTEST_SKIP() << "SQLite lists are never kept";
  Id first = register_at("2025-09-20 10:00", student("Aerts", "ANT", "2000", {}));
  register_at("2025-09-20 10:00", student("Bosmans", "ANT", "2000", {}));
  storage::Db db(storage::parse_store_url(url_), 1);
  db.transact(storage::TxMode::kWrite,
              [&](storage::Tx& tx) { return tx.exec("ALTER SEQUENCE request_changes RESTART"); });
  EXPECT_TRUE(open_list(service_b_).contains(first));
  ASSERT_TRUE(matching_->change_status(service(service_a_), first, accept()));
  EXPECT_FALSE(open_list(service_b_).contains(first)) << "a kept page outlived the first change";
}

// An instance keeps a service's provinces (and the visibility computed from them) for at most
// the store's cache time: a service taken out of a province stops seeing it within that time,
// also when the change was made elsewhere.
TEST_P(Domain, AServiceRemovedFromAProvinceStopsSeeingItWithinTheCacheTime) {
  // Round 2 of secundair 2025-2026 is a preferred round: province and preferred service count.
  Id id = register_at("2025-09-06 10:00", student("Aerts", "ANT", "2000", service_a_));
  constexpr std::chrono::milliseconds kTtl{300};
  SqlStore b_store(url_);
  b_store.set_cache_ttl(kTtl);
  Matching b(
      b_store, [d = defs_] { return d; }, *clock_);
  auto sees = [&] {
    ListInput in;
    auto out = b.list_requests(service(service_a_), "secundair", in);
    EXPECT_TRUE(out) << (out ? "" : out.error().message);
    if (out)
      for (const auto& item : out->items)
        if (item["id"].as_int() == id) return true;
    return false;
  };
  ASSERT_TRUE(sees());
  storage::Db db(storage::parse_store_url(url_), 1);
  db.transact(storage::TxMode::kWrite, [&](storage::Tx& tx) {
    return tx.exec("UPDATE organisation_provinces SET province = 'LIM' WHERE org_id = ?",
                   {service_a_});
  });
  std::this_thread::sleep_for(kTtl + std::chrono::milliseconds(50));
  EXPECT_FALSE(sees()) << "the service still sees Antwerp after it left the province";
}

// Notes are optional ("desgewenst"); the mentor must be the service's own.
TEST_P(Domain, AcceptingNeedsTheServicesOwnMentorAndAPeriodButNoNotes) {
  Id id = register_at("2025-09-20 10:00", student("Wouters", "ANT", "2000", {}));
  StatusInput foreign_mentor = accept();
  foreign_mentor.mentor_id = mentor_b_;
  auto refused = matching_->change_status(service(service_a_), id, foreign_mentor);
  ASSERT_FALSE(refused);
  EXPECT_TRUE(refused.error().fields.contains("mentor_id"));
  StatusInput no_period = accept();
  no_period.periods = {};
  auto period_refused = matching_->change_status(service(service_a_), id, no_period);
  ASSERT_FALSE(period_refused);
  EXPECT_TRUE(period_refused.error().fields.contains("periods"));
  EXPECT_TRUE(open_list(service_b_).contains(id))
      << "a refused acceptance must leave the request open";
  StatusInput no_notes = accept();
  no_notes.notes = "";
  auto accepted = matching_->change_status(service(service_a_), id, no_notes);
  EXPECT_TRUE(accepted) << accepted.error().message;
}

TEST_P(Domain, PersonalDataIsAbsentUntilTheServiceAccepted) {
  Id id = register_at("2025-09-20 10:00", student("Goossens", "ANT", "2000", {}));
  auto before = matching_->view_request(service(service_a_), id);
  ASSERT_TRUE(before);
  std::string json = before->to_json();
  for (const char* secret :
       {"85073003328", "0470 12 34 56", "lotte@example.be", "els@sintjozef.be", "03 123 45 67"})
    EXPECT_EQ(json.find(secret), std::string::npos) << secret << " leaked: " << json;
  EXPECT_FALSE(before->has("national_number"));
  EXPECT_EQ((*before)["last_name"], Value("Goossens"));
  EXPECT_EQ((*before)["my_status"], Value("onbeslist"));

  ASSERT_TRUE(matching_->change_status(service(service_a_), id, accept()));
  auto after = matching_->view_request(service(service_a_), id);
  ASSERT_TRUE(after);
  EXPECT_EQ((*after)["national_number"], Value("85073003328"));
  EXPECT_EQ((*after)["school_contact"]["email"], Value("els@sintjozef.be"));
  EXPECT_EQ((*after)["my_status"], Value("aanvaard"));
  // The school sees the answer (secundair shows results at once).
  auto school_view = matching_->view_request(school_actor(), id);
  ASSERT_TRUE(school_view);
  EXPECT_EQ((*school_view)["accepted_by"]["id"], Value(service_a_));
  EXPECT_EQ((*school_view)["mentor"]["name"], Value("Mentor A"));
}

TEST_P(Domain, DuaalInvitationRevealsPersonalDataAndAcceptingNeedsAnInvitation) {
  Object o = student("Jacobs", "ANT", "2000", {}).as_object();
  o["weekdays"] = Array{"ma", "di"};
  Id id = register_at("2025-06-20 10:00", Value(o), "duaal");
  auto direct = matching_->change_status(service(service_a_), id, accept());
  ASSERT_FALSE(direct);
  EXPECT_EQ(direct.error().code, "transition_not_allowed");
  ASSERT_TRUE(matching_->change_status(service(service_a_), id,
                                       StatusInput{"uitgenodigd", {}, {}, "", ""}));
  auto invited = matching_->view_request(service(service_a_), id);
  ASSERT_TRUE(invited);
  EXPECT_EQ((*invited)["national_number"], Value("85073003328"));
  auto other = matching_->view_request(service(service_b_), id);
  ASSERT_TRUE(other);
  EXPECT_FALSE(other->has("national_number"));
  EXPECT_TRUE(matching_->change_status(service(service_a_), id, accept()));
  auto counts = store_->status_counts(id);
  EXPECT_FALSE(counts.empty());
}

// Inviting and going back to onbeslist once kept the national number, phone and e-mail: two
// calls per student harvested them all. Personal fields now follow the current status, in the
// detail and in the list, and after an admin undoes an acceptance as well.
TEST_P(Domain, PersonalFieldsFollowTheServicesCurrentStatus) {
  Object o = student("Jacobs", "ANT", "2000", {}).as_object();
  o["weekdays"] = Array{"ma", "di"};
  Id id = register_at("2025-06-20 10:00", Value(o), "duaal");
  auto shown = [&](Id service_id) {
    auto view = matching_->view_request(service(service_id), id);
    EXPECT_TRUE(view);
    bool in_view = view && view->has("national_number") && view->has("phone") && view->has("email");
    bool in_list = false;
    for (const char* tab : {"open", "accepted"}) {
      ListInput all;
      all.tab = tab;
      all.page_size = 500;
      auto list = matching_->list_requests(service(service_id), "duaal", all);
      EXPECT_TRUE(list);
      if (list)
        for (const auto& item : list->items)
          if (item["id"].as_int() == id) in_list = item.has("national_number");
    }
    EXPECT_EQ(in_view, in_list) << "the detail and the list agree";
    return in_view;
  };
  EXPECT_FALSE(shown(service_a_));
  ASSERT_TRUE(matching_->change_status(service(service_a_), id,
                                       StatusInput{"uitgenodigd", {}, {}, "", ""}));
  EXPECT_TRUE(shown(service_a_));
  ASSERT_TRUE(
      matching_->change_status(service(service_a_), id, StatusInput{"onbeslist", {}, {}, "", ""}));
  EXPECT_FALSE(shown(service_a_)) << "back to onbeslist: hidden again";
  // The interview's outcome other than an acceptance hides them too.
  for (const char* outcome : {"niet_aanvaard", "niet_opgedaagd"}) {
    ASSERT_TRUE(matching_->change_status(service(service_a_), id,
                                         StatusInput{"uitgenodigd", {}, {}, "", ""}));
    EXPECT_TRUE(shown(service_a_));
    ASSERT_TRUE(
        matching_->change_status(service(service_a_), id, StatusInput{outcome, {}, {}, "", ""}));
    EXPECT_FALSE(shown(service_a_)) << outcome << ": hidden again";
  }
  ASSERT_TRUE(matching_->change_status(service(service_b_), id,
                                       StatusInput{"niet_uitgenodigd", {}, {}, "", ""}));
  EXPECT_FALSE(shown(service_b_)) << "niet uitgenodigd never shows them";

  // Accepted, then undone by the admin: the former service sees the student open, without them.
  ASSERT_TRUE(matching_->change_status(service(service_a_), id,
                                       StatusInput{"uitgenodigd", {}, {}, "", ""}));
  ASSERT_TRUE(matching_->change_status(service(service_a_), id, accept()));
  EXPECT_TRUE(shown(service_a_));
  Actor admin{"admin", 9, 0};
  ASSERT_TRUE(matching_->change_status(
      admin, id, StatusInput{"onbeslist", {}, {}, "", "Verkeerde student aanvaard"}));
  EXPECT_FALSE(shown(service_a_)) << "after the undo the former service no longer sees them";
}

// The timing rule's answer is kept per stretch between two of the calendar's moments: the
// round that opens at 12:00 is the answer from 12:00 on, on the same Matching.
TEST_P(Domain, TheKeptMomentMovesOnAtTheCalendarsOwnMoments) {
  const Calendar* calendar = defs_->calendar("secundair", "2025-2026");
  ASSERT_NE(calendar, nullptr);
  auto round_at = [&](const char* when) {
    auto m = matching_->moment(defs_, *calendar, local(when));
    return m ? m->round_id : std::string("(none)");
  };
  const std::string before = round_at("2025-09-19 11:59");
  EXPECT_EQ(round_at("2025-09-19 11:00"), before) << "the same stretch, the same answer";
  const std::string after = round_at("2025-09-19 12:00");
  EXPECT_NE(after, before) << "round 3 opens at 12:00";
  EXPECT_EQ(after, RuleEngine(defs_).moment(*calendar, local("2025-09-19 12:00"))->round_id);
  EXPECT_EQ(round_at("2025-09-19 11:59"), before);
}

TEST_P(Domain, StatusesCannotChangeWhileTheTrackIsClosed) {
  Id id = register_at("2025-06-15 10:00", student("Dubois", "ANT", "2000", service_a_));
  move_to("2025-08-20 10:00");  // between round 1 and round 2
  auto refused = matching_->change_status(service(service_a_), id,
                                          StatusInput{"niet_aanvaard", {}, {}, "", ""});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "round_closed");
  EXPECT_EQ(refused.error().kind, ErrorKind::forbidden);
  EXPECT_EQ(store_->service_status(id, service_a_, "onbeslist").status, "onbeslist");
}

TEST_P(Domain, AnotherOrganisationsRequestIsNotFound) {
  Id id = register_at("2025-06-15 10:00", student("Mertens", "ANT", "2000", service_a_));
  auto other_school = matching_->view_request(Actor{"school", 3, other_school_}, id);
  ASSERT_FALSE(other_school);
  EXPECT_EQ(other_school.error().kind, ErrorKind::not_found);
  auto missing = matching_->view_request(school_actor(), id + 1000);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, other_school.error().message) << "existence must not leak";
  EXPECT_FALSE(matching_->edit_request(Actor{"school", 3, other_school_}, id,
                                       student("X", "ANT", "2000", {})));
  EXPECT_FALSE(matching_->delete_request(Actor{"school", 3, other_school_}, id));
}

TEST_P(Domain, StoppedStudentsLeaveTheServicesListsButStayWithTheSchool) {
  Id id = register_at("2025-09-20 10:00", student("Lambert", "ANT", "2000", {}));
  EXPECT_TRUE(open_list(service_a_).contains(id));
  ASSERT_TRUE(matching_->stop_request(school_actor(), id));
  EXPECT_FALSE(open_list(service_a_).contains(id));
  auto mine = matching_->list_requests(school_actor(), "secundair", ListInput{});
  ASSERT_TRUE(mine);
  ASSERT_EQ(mine->total, 1);
  EXPECT_EQ(mine->items[0]["state"], Value("stopped"));
  Id wrong = register_at("2025-09-20 10:05", student("Verkeerd", "ANT", "2000", {}));
  ASSERT_TRUE(matching_->delete_request(school_actor(), wrong));
  EXPECT_FALSE(matching_->view_request(school_actor(), wrong));
}

TEST_P(Domain, EditingKeepsWhatWasTypedAndChecksItAgain) {
  Id id = register_at("2025-09-20 10:00", student("Simons", "ANT", "2000", {}));
  Object edited = student("Simons-Peeters", "ANT", "2018", {}).as_object();
  ASSERT_TRUE(matching_->edit_request(school_actor(), id, Value(edited)));
  auto view = matching_->view_request(school_actor(), id);
  ASSERT_TRUE(view);
  EXPECT_EQ((*view)["last_name"], Value("Simons-Peeters"));
  edited["email"] = "geen-adres";
  auto refused = matching_->edit_request(school_actor(), id, Value(edited));
  ASSERT_FALSE(refused);
  EXPECT_TRUE(refused.error().fields.contains("email"));
  auto unchanged = matching_->view_request(school_actor(), id);
  EXPECT_EQ((*unchanged)["email"], Value("lotte@example.be"));
}

TEST_P(Domain, TheSchoolIsToldWhenItsStudentIsAccepted) {
  auto* queue = dynamic_cast<MailQueue*>(store_.get());
  auto* accounts = dynamic_cast<AccountStore*>(store_.get());
  ASSERT_TRUE(queue && accounts);
  UserRecord u;
  u.user = User{0, "secretariaat@sintjozef.be", "school", school_, true};
  AuditEntry a;
  a.at = clock_->now();
  a.actor = "test";
  a.action = "user.create";
  a.object_type = "user";
  ASSERT_TRUE(accounts->create_user(u, std::nullopt, {}, a));
  MailTemplates mail(testing::source_path("mail-templates"), "Stagematch <info@stagematching.org>",
                     site_links("http://stagematch.test"));
  matching_->set_notices(mail, *queue);
  Id id = register_at("2025-09-20 10:00", student("Vermeulen", "ANT", "2000", {}));
  ASSERT_TRUE(matching_->change_status(service(service_a_), id,
                                       StatusInput{"niet_aanvaard", {}, {}, "", ""}));
  EXPECT_TRUE(store_->outbox(10).empty()) << "only accepting tells the school";
  ASSERT_TRUE(matching_->change_status(service(service_b_), id,
                                       StatusInput{"aanvaard", mentor_b_, {1}, "Welkom", ""}));
  auto mails = store_->outbox(10);
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].to_address, "secretariaat@sintjozef.be");
  EXPECT_NE(mails[0].body_text.find("Vermeulen"), std::string::npos);
  EXPECT_NE(mails[0].body_text.find("Zorg aan huis Noord"), std::string::npos);
  EXPECT_NE(mails[0].body_text.find("2026-02-02"), std::string::npos) << mails[0].body_text;
  EXPECT_EQ(mails[0].body_text.find("85073003328"), std::string::npos);
}

// CVO 2024-2025: each round has its own results date. An answer shows to the school from the
// first results date at or after it was given; until then the school is not told, not in its
// lists, not in a refusal, not by mail. Services keep their accepted students in every year.
TEST_P(Domain, EachCvoAnswerWaitsForItsOwnRoundsResultsDate) {
  auto* queue = dynamic_cast<MailQueue*>(store_.get());
  auto* accounts = dynamic_cast<AccountStore*>(store_.get());
  ASSERT_TRUE(queue && accounts);
  UserRecord u;
  u.user = User{0, "cvo@sintjozef.be", "school", school_, true};
  AuditEntry a{0,      clock_->now(), std::nullopt, "test", "user.create",
               "user", std::nullopt,  "ok",         ""};
  ASSERT_TRUE(accounts->create_user(u, std::nullopt, {}, a));
  MailTemplates mail(testing::source_path("mail-templates"), "Stagematch <info@stagematching.org>",
                     site_links("http://stagematch.test"));
  matching_->set_notices(mail, *queue);
  const Actor admin{"admin", 9, 0};
  auto answer_shown = [&](Id id) {
    auto seen = matching_->view_request(school_actor(), id);
    EXPECT_TRUE(seen) << (seen ? "" : seen.error().message);
    return seen && (*seen)["accepted_by"].is_object();
  };
  auto listed_answers = [&] {
    auto list = matching_->list_requests(school_actor(), "cvo", ListInput{});
    EXPECT_TRUE(list);
    int n = 0;
    for (const auto& item : list ? list->items : std::vector<Value>{})
      if (item["accepted_by"].is_object()) ++n;
    return n;
  };

  Id first = register_at("2024-09-01 10:00", student("Peeters", "ANT", "2000", {}), "cvo");
  move_to("2024-09-10 12:00");  // round 1 runs; its results: 30/09/2024 12:00
  ASSERT_TRUE(matching_->change_status(service(service_a_), first, accept()));
  auto held = store_->outbox(10);
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].next_attempt_at, local("2024-09-30 12:00")) << "the mail waits for the results";

  move_to("2024-09-20 12:00");
  EXPECT_FALSE(answer_shown(first));
  EXPECT_EQ(listed_answers(), 0);
  auto edit = matching_->edit_request(school_actor(), first, student("Peeters", "ANT", "2000", {}));
  ASSERT_FALSE(edit);
  EXPECT_EQ(edit.error().kind, ErrorKind::conflict);
  EXPECT_EQ(edit.error().code, "locked");
  EXPECT_EQ(edit.error().message.find("aanvaard"), std::string::npos) << edit.error().message;
  auto stop = matching_->stop_request(school_actor(), first);
  ASSERT_FALSE(stop);
  EXPECT_EQ(stop.error().code, "locked");

  Id second = register_at("2024-10-05 10:00", student("Claes", "ANT", "2000", {}), "cvo");
  EXPECT_TRUE(answer_shown(first)) << "round 1's results date has passed";
  Id open = register_at("2024-10-06 10:00", student("Wouters", "ANT", "2000", {}), "cvo");
  move_to("2024-11-20 12:00");  // round 2 runs; its results: 30/11/2024 12:00
  ASSERT_TRUE(matching_->change_status(service(service_a_), second, accept()));
  move_to("2024-11-25 09:00");
  EXPECT_TRUE(answer_shown(first));
  EXPECT_FALSE(answer_shown(second)) << "round 2's answer waits for round 2's results date";
  EXPECT_EQ(listed_answers(), 1);
  EXPECT_EQ(matching_->delete_request(school_actor(), first).error().code, "already_accepted");
  move_to("2024-11-30 12:00");
  EXPECT_TRUE(answer_shown(second));
  EXPECT_EQ(listed_answers(), 2);

  // A year later the service still has both under its accepted students, and seeing their
  // personal data in that list is audited.
  move_to("2025-10-01 12:00");
  ListInput accepted;
  accepted.tab = "accepted";
  auto mine = matching_->list_requests(service(service_a_), "cvo", accepted);
  ASSERT_TRUE(mine) << mine.error().message;
  EXPECT_EQ(mine->total, 2);
  EXPECT_TRUE(mine->items.front()["national_number"].is_string());
  bool audited = false;
  for (const auto& entry : store_->audit_log(50)) audited |= entry.action == "request.reveal_list";
  EXPECT_TRUE(audited);

  // The admin can narrow its list to accepted or open requests.
  ListInput admin_accepted;
  admin_accepted.tab = "accepted";
  auto admin_list = matching_->list_requests(admin, "cvo", admin_accepted);
  ASSERT_TRUE(admin_list);
  EXPECT_EQ(admin_list->total, 2);
  ListInput admin_open;
  admin_open.tab = "open";
  admin_list = matching_->list_requests(admin, "cvo", admin_open);
  ASSERT_TRUE(admin_list);
  ASSERT_EQ(admin_list->total, 1);
  EXPECT_EQ(admin_list->items.front()["id"].as_int(), open);
}

INSTANTIATE_TEST_SUITE_P(Databases, Domain, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace stagematch

// The SQL store on both databases: one parameterised suite, run against a fresh SQLite file and
// a fresh PostgreSQL schema (STAGEMATCH_TEST_PG, set by script/test; without it the PostgreSQL
// half fails). Covers the Store contract, the exclusive-accept race and the Poco pitfalls the
// store relies on.
#include "sql_store.hpp"

#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Nullable.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <latch>
#include <mutex>
#include <random>
#include <thread>

#include "migrations.hpp"
#include "scratch_database.hpp"
#include "sql_db.hpp"

namespace stagematch {
namespace {

using storage::Db;
using storage::DbError;
using storage::DbErrorKind;
using storage::Dialect;
using storage::Params;
using storage::SqlValue;
using storage::Tx;
using storage::TxMode;

constexpr std::int64_t kT0 = 1757066400;  // 2025-09-05 12:00 Brussels
constexpr const char* kAccepted = "Deze student werd intussen al aanvaard door een andere dienst.";

Instant at(std::int64_t seconds) { return Instant{std::chrono::seconds{seconds}}; }

std::vector<Id> ids(const std::vector<RequestRecord>& records) {
  std::vector<Id> out;
  for (const auto& r : records) out.push_back(r.id);
  return out;
}

Predicate leaf(Predicate::Op op, std::string field, std::vector<Value> values = {}) {
  Predicate p;
  p.op = op;
  p.field = std::move(field);
  p.values = std::move(values);
  return p;
}

Predicate node(Predicate::Op op, std::vector<Predicate> args) {
  Predicate p;
  p.op = op;
  p.args = std::move(args);
  return p;
}

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    url_ = databases_.fresh();
    if (url_.empty()) return;  // the failure is already reported
    store_ = open_store(url_);
    store_->migrate();
    clear_all_tables();
  }

  void TearDown() override {
    store_.reset();
    db_.reset();
  }

  bool ready() const { return store_ != nullptr; }

  Db& db() {
    if (!db_) db_ = std::make_unique<Db>(storage::parse_store_url(url_), 2);
    return *db_;
  }

  std::int64_t scalar(const std::string& sql, const Params& params = {}) {
    return db().transact(TxMode::kRead,
                         [&](Tx& tx) { return tx.query_one(sql, params, 1)->int64(0); });
  }

  void clear_all_tables() {
    db().transact(TxMode::kWrite, [](Tx& tx) {
      for (const char* table :
           {"status_history", "status_counts", "service_statuses", "request_transport", "requests",
            "contacts", "tokens", "sessions", "users", "organisation_provinces",
            "organisation_tracks", "organisations", "audit_log", "outbox", "timed_events"})
        tx.exec(std::string("DELETE FROM ") + table);
      return true;
    });
  }

  Id org(const std::string& type, const std::string& name, std::vector<std::string> provinces = {},
         std::vector<std::string> tracks = {}) {
    auto id = store_->create_organisation(Organisation{0, type, name, provinces, tracks});
    EXPECT_TRUE(id) << (id ? "" : id.error().code);
    return id.value_or(0);
  }

  Id contact(Id org_id, const std::string& name) {
    auto id =
        store_->create_contact(ContactPerson{0, org_id, name, "03 123 45 67", "x@example.be"});
    EXPECT_TRUE(id) << (id ? "" : id.error().code);
    return id.value_or(0);
  }

  static AuditEntry audit(const std::string& action) {
    AuditEntry a;
    a.at = at(kT0);
    a.user_id = 7;
    a.actor = "user:7";
    a.action = action;
    a.outcome = "ok";
    return a;
  }

  RequestRecord student(Id school, Id school_contact, const std::string& first,
                        const std::string& last, const std::string& province,
                        const std::string& postal, std::vector<std::string> transport,
                        std::int64_t registered = kT0) {
    RequestRecord r;
    r.track = "secundair";
    r.year = "2025-2026";
    r.school_id = school;
    r.school_contact_id = school_contact;
    r.first_name = first;
    r.last_name = last;
    r.province = province;
    r.postal_code = postal;
    r.transport = std::move(transport);
    r.fields = Object{{"first_name", first}, {"last_name", last}, {"province", province}};
    r.registered_at = at(registered);
    return r;
  }

  Id add(const RequestRecord& r) {
    auto id = store_->insert_request(r, audit("request.register"));
    EXPECT_TRUE(id) << (id ? "" : id.error().code + ": " + id.error().message);
    return id.value_or(0);
  }

  static StatusWrite change(Id request, Id service, const std::string& from, const std::string& to,
                            std::int64_t when = kT0 + 100) {
    StatusWrite w;
    w.request_id = request;
    w.service_id = service;
    w.user_id = 11;
    w.from = from;
    w.to = to;
    w.at = at(when);
    return w;
  }

  static StatusWrite acceptance(Id request, Id service, Id mentor) {
    StatusWrite w = change(request, service, "onbeslist", "aanvaard");
    w.exclusive = true;
    w.reveal = true;
    w.mentor_id = mentor;
    w.periods = {0, 1};
    w.notes = "Start op maandag";
    return w;
  }

  std::vector<Id> list(RequestQuery q) {
    if (q.track.empty()) q.track = "secundair";
    auto page = store_->requests(q);
    EXPECT_TRUE(page) << (page ? "" : page.error().code + ": " + page.error().message);
    return page ? ids(page->items) : std::vector<Id>{};
  }

  // Five open students this school year (two schools, four provinces), one stopped, one in
  // another track and one from last year.
  void seed_list() {
    s1_ = org("school", "Sint-Jozef");
    s2_ = org("school", "Atheneum");
    service_a_ = org("service", "Thuiszorg A", {"ANT"});
    service_b_ = org("service", "Thuiszorg B", {"ANT", "LIM"});
    Id c1 = contact(s1_, "Els");
    Id c2 = contact(s2_, "Jan");
    auto with_pref = [](RequestRecord r, Id pref) {
      r.preferred_service_id = pref;
      return r;
    };
    zoe_ = add(
        with_pref(student(s1_, c1, "Zoë", "Ağaoğlu", "ANT", "2000", {"fiets"}, kT0), service_a_));
    jan_ = add(
        with_pref(student(s1_, c1, "Jan", "Peeters", "ANT", "2018", {"auto"}, kT0), service_b_));
    an_ = add(
        student(s2_, c2, "An", "De_Smet", "VBR", "1500", {"openbaar vervoer", "fiets"}, kT0 + 20));
    piet_ = add(with_pref(
        student(s2_, c2, "Piet", "Janssens", "LIM", "3500", {"bromfiets"}, kT0 + 30), service_a_));
    marie_ = add(student(s1_, c1, "Marie", "100% Peeters", "OVL", "9000", {"auto"}, kT0 + 40));
    stopped_ = add(student(s1_, c1, "Stop", "Gezet", "ANT", "2100", {"fiets"}, kT0 + 50));
    EXPECT_TRUE(store_->stop_request(s1_, stopped_, audit("request.stop")));
    RequestRecord duaal = student(s1_, c1, "Ander", "Traject", "ANT", "2000", {"fiets"});
    duaal.track = "duaal";
    add(duaal);
    RequestRecord last_year = student(s1_, c1, "Vorig", "Jaar", "ANT", "2000", {"fiets"});
    last_year.year = "2024-2025";
    last_year_ = add(last_year);
  }

  RequestQuery this_year() {
    RequestQuery q;
    q.track = "secundair";
    q.year = "2025-2026";
    return q;
  }

  Id s1_ = 0, s2_ = 0, service_a_ = 0, service_b_ = 0;
  Id zoe_ = 0, jan_ = 0, an_ = 0, piet_ = 0, marie_ = 0, stopped_ = 0, last_year_ = 0;

  // One student, two services with a mentor each.
  void seed_statuses() {
    school_ = org("school", "Sint-Jozef");
    service_a_ = org("service", "Thuiszorg A", {"ANT"});
    service_b_ = org("service", "Thuiszorg B", {"ANT"});
    mentor_a_ = contact(service_a_, "Mentor A");
    mentor_b_ = contact(service_b_, "Mentor B");
    request_ = add(
        student(school_, contact(school_, "Els"), "Lotte", "Peeters", "ANT", "2000", {"fiets"}));
  }

  std::int64_t history() {
    return scalar("SELECT COUNT(*) FROM status_history WHERE request_id = ?", {request_});
  }

  Id school_ = 0, mentor_a_ = 0, mentor_b_ = 0, request_ = 0;

  testing::ScratchDatabases databases_{GetParam(), "st"};  // outlives the stores below
  std::string url_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Db> db_;
};

#define REQUIRE_DATABASE() \
  if (!ready()) return

// ---------------------------------------------------------------------------------------------
// Migrations

TEST_P(StoreTest, MigratingTwiceKeepsSchemaAndData) {
  REQUIRE_DATABASE();
  Id school = org("school", "Sint-Jozef");
  store_->migrate();
  store_->migrate();
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM schema_migrations"), storage::latest_schema_version());
  EXPECT_EQ(scalar("SELECT MAX(version) FROM schema_migrations"), storage::latest_schema_version());
  EXPECT_TRUE(store_->organisation(school));
  EXPECT_EQ(store_->dialect(), GetParam());
}

TEST_P(StoreTest, TwoProcessesMigratingAFreshDatabaseAtOnceBothSucceed) {
  REQUIRE_DATABASE();
  std::string url = databases_.fresh();
  // Two stores stand for two server processes: separate connections, separate pools.
  auto first = open_store(url);
  auto second = open_store(url);
  std::latch go(2);
  std::string errors;
  std::mutex errors_mutex;
  auto migrate = [&](Store& s) {
    go.arrive_and_wait();
    try {
      s.migrate();
    } catch (const std::exception& e) {
      std::lock_guard lock(errors_mutex);
      errors += e.what();
    }
  };
  std::thread a(migrate, std::ref(*first));
  std::thread b(migrate, std::ref(*second));
  a.join();
  b.join();
  EXPECT_EQ(errors, "");
  Db fresh(storage::parse_store_url(url), 1);
  EXPECT_EQ(fresh.transact(
                TxMode::kRead,
                [](Tx& tx) {
                  return tx.query_one("SELECT COUNT(*) FROM schema_migrations", {}, 1)->int64(0);
                }),
            storage::latest_schema_version());
  EXPECT_TRUE(second->create_organisation(Organisation{0, "school", "Na de migratie", {}, {}}));
}

// Step 9 on a database of step 8 with data: every request, its transport, statuses, history and
// counts stay (SQLite rebuilds the tables), ids carry on past a deleted request, every index is
// there again, and a request without a contact person can be stored.
TEST_P(StoreTest, MigrationNineKeepsRequestsAndTheirRowsAndAllowsNoContactPerson) {
  REQUIRE_DATABASE();
  std::string url = databases_.fresh();
  Db old(storage::parse_store_url(url), 1);
  storage::apply_migrations(old, 8);
  old.transact(TxMode::kWrite, [](Tx& tx) {
    tx.exec(
        "INSERT INTO organisations (id, type, name, created_at) VALUES"
        " (1, 'school', 'Sint-Jozef', 0), (2, 'service', 'Thuiszorg', 0)");
    tx.exec(
        "INSERT INTO contacts (id, org_id, name, phone, email) VALUES"
        " (1, 1, 'Els', '03 123 45 67', 'els@sj.be'), (2, 2, 'Mentor', '03', 'm@tz.be')");
    for (int id : {1, 2, 3})
      tx.exec(
          "INSERT INTO requests (id, track, year, school_id, school_contact_id, first_name,"
          " last_name, province, postal_code, registered_at, accepted_by, mentor_id,"
          " fields_json) VALUES (?, 'secundair', '2025-2026', 1, 1, 'Lotte', ?, 'ANT',"
          " '2000', 10, ?, ?, '{\"national_number\":\"85073003328\"}')",
          {id, "Peeters " + std::to_string(id), id == 1 ? SqlValue(2) : SqlValue(),
           id == 1 ? SqlValue(2) : SqlValue()});
    tx.exec(
        "INSERT INTO request_transport (request_id, mode, position) VALUES (1, 'fiets', 0),"
        " (2, 'auto', 0)");
    tx.exec(
        "INSERT INTO service_statuses (request_id, service_id, status, changed_at) VALUES"
        " (1, 2, 'aanvaard', 10)");
    tx.exec(
        "INSERT INTO status_history (request_id, service_id, from_status, to_status, at)"
        " VALUES (1, 2, 'onbeslist', 'aanvaard', 10)");
    tx.exec(
        "INSERT INTO status_counts (request_id, service_id, status, count) VALUES"
        " (1, 2, 'aanvaard', 1)");
    tx.exec("DELETE FROM requests WHERE id = 3");  // its id is never handed out again
    return true;
  });
  if (GetParam() == "postgresql")  // rows written with their ids, as the sequence would have
    old.transact(TxMode::kWrite, [](Tx& tx) {
      tx.query_one("SELECT setval('requests_id_seq', 3)", {}, 1);
      return true;
    });
  auto store = open_store(url);
  store->migrate();
  auto count = [&](const std::string& sql) {
    return old.transact(TxMode::kRead, [&](Tx& tx) { return tx.query_one(sql, {}, 1)->int64(0); });
  };
  EXPECT_EQ(count("SELECT COUNT(*) FROM requests"), 2);
  EXPECT_EQ(count("SELECT COUNT(*) FROM request_transport"), 2);
  EXPECT_EQ(count("SELECT COUNT(*) FROM service_statuses"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM status_history"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM status_counts"), 1);
  auto first = store->request(1);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->school_contact_id, std::optional<Id>(1));
  EXPECT_EQ(first->accepted_by, std::optional<Id>(2));
  EXPECT_EQ(first->transport, std::vector<std::string>{"fiets"});
  std::string index_count =
      GetParam() == "postgresql"
          ? "SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname IN "
          : "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN ";
  EXPECT_EQ(count(index_count +
                  "('requests_list', 'requests_registered', 'requests_school',"
                  " 'requests_preferred', 'requests_accepted_by', 'requests_school_contact',"
                  " 'requests_mentor', 'requests_open_default', 'requests_open_name',"
                  " 'requests_open_postal', 'requests_open_registered',"
                  " 'requests_national_number', 'request_transport_mode',"
                  " 'service_statuses_service', 'status_history_request')"),
            15);
  // Deleting a request still takes its rows along (the children refer to the new table).
  EXPECT_TRUE(store->delete_request(1, 2, audit("request.delete")));
  EXPECT_EQ(count("SELECT COUNT(*) FROM request_transport"), 1);

  RequestRecord r;
  r.track = "lokaal_partnerschap";
  r.year = "2026-2027";
  r.school_id = 1;
  r.first_name = "Yusuf";
  r.last_name = "Demir";
  r.province = "ANT";
  r.postal_code = "2300";
  r.registered_at = at(kT0);
  r.fields = Object{{"first_name", "Yusuf"}};
  auto id = store->insert_request(r, audit("request.register"));
  ASSERT_TRUE(id) << id.error().code;
  EXPECT_GT(*id, 3);
  auto stored = store->request(*id);
  ASSERT_TRUE(stored);
  EXPECT_FALSE(stored->school_contact_id);
  EXPECT_FALSE(stored->school_contact);
}

// ---------------------------------------------------------------------------------------------
// Organisations and contact persons

TEST_P(StoreTest, OrganisationsRoundTrip) {
  REQUIRE_DATABASE();
  Id school = org("school", "Sint-Jozef Antwerpen", {}, {"secundair", "duaal", "secundair"});
  Id service = org("service", "Thuiszorg Ağaoğlu", {"LIM", "ANT"}, {});
  auto s = store_->organisation(school);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->id, school);
  EXPECT_EQ(s->type, "school");
  EXPECT_EQ(s->name, "Sint-Jozef Antwerpen");
  EXPECT_EQ(s->tracks, (std::vector<std::string>{"duaal", "secundair"}));
  EXPECT_TRUE(s->provinces.empty());
  auto d = store_->organisation(service);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->name, "Thuiszorg Ağaoğlu");
  EXPECT_EQ(d->provinces, (std::vector<std::string>{"ANT", "LIM"}));

  auto services = store_->organisations("service");
  ASSERT_EQ(services.size(), 1u);
  EXPECT_EQ(services[0].provinces, d->provinces);
  EXPECT_EQ(store_->organisations("").size(), 2u);
  EXPECT_EQ(store_->organisation(999999).error().code, "not_found");
  EXPECT_EQ(store_->create_organisation(Organisation{0, "club", "X", {}, {}}).error().code,
            "conflict");
}

TEST_P(StoreTest, DuplicateOrganisationIsRefusedAsDuplicate) {
  REQUIRE_DATABASE();
  org("service", "Zorg aan huis");
  auto again =
      store_->create_organisation(Organisation{0, "service", "Zorg aan huis", {"ANT"}, {}});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, "duplicate");
  EXPECT_EQ(store_->organisations("service").size(), 1u);
  EXPECT_TRUE(store_->create_organisation(Organisation{0, "school", "Zorg aan huis", {}, {}}));
}

TEST_P(StoreTest, ContactsCreateUpdateDelete) {
  REQUIRE_DATABASE();
  Id school = org("school", "Sint-Jozef");
  Id other = org("school", "Atheneum");
  Id els = contact(school, "Els");
  Id bert = contact(school, "Bert");
  auto c = store_->contact(els);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->org_id, school);
  EXPECT_EQ(c->name, "Els");
  EXPECT_EQ(c->phone, "03 123 45 67");
  EXPECT_EQ(c->email, "x@example.be");

  ASSERT_TRUE(
      store_->update_contact(ContactPerson{els, school, "Els Peeters", "0470", "els@sj.be"}));
  EXPECT_EQ(store_->contact(els)->email, "els@sj.be");
  EXPECT_EQ(store_->update_contact(ContactPerson{els, other, "Kaper", "1", "k@x.be"}).error().code,
            "not_found");
  auto list = store_->contacts(school);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].name, "Bert");
  EXPECT_EQ(list[1].name, "Els Peeters");

  EXPECT_EQ(store_->delete_contact(other, bert).error().code, "not_found");
  ASSERT_TRUE(store_->delete_contact(school, bert));
  EXPECT_EQ(store_->contact(bert).error().code, "not_found");
  EXPECT_EQ(store_->delete_contact(school, bert).error().code, "not_found");
  EXPECT_EQ(store_->create_contact(ContactPerson{0, 999999, "X", "1", "x@x.be"}).error().code,
            "not_found");
}

TEST_P(StoreTest, ContactLinkedToAStudentOrAsMentorCannotBeDeleted) {
  REQUIRE_DATABASE();
  Id school = org("school", "Sint-Jozef");
  Id service = org("service", "Thuiszorg", {"ANT"});
  Id begeleider = contact(school, "Els");
  Id mentor = contact(service, "Mentor");
  Id request = add(student(school, begeleider, "Lotte", "Peeters", "ANT", "2000", {"fiets"}));
  auto linked = store_->delete_contact(school, begeleider);
  ASSERT_FALSE(linked);
  EXPECT_EQ(linked.error().code, "linked");
  EXPECT_FALSE(linked.error().message.empty());

  EXPECT_TRUE(store_->delete_contact(service, mentor));  // not yet anyone's mentor
  Id mentor2 = contact(service, "Mentor 2");
  ASSERT_TRUE(store_->write_status(acceptance(request, service, mentor2), audit("status.change")));
  EXPECT_EQ(store_->delete_contact(service, mentor2).error().code, "linked");
}

// ---------------------------------------------------------------------------------------------
// Requests

TEST_P(StoreTest, RequestRoundTripKeepsEveryColumn) {
  REQUIRE_DATABASE();
  Id school = org("school", "Sint-Jozef");
  Id service = org("service", "Thuiszorg", {"ANT"});
  Id begeleider = contact(school, "Els");
  RequestRecord r = student(school, begeleider, "Zoë", "Ağaoğlu", "ANT", "2018",
                            {"openbaar vervoer", "fiets", "fiets"}, kT0 + 1);
  r.preferred_service_id = service;
  r.fields = Object{
      {"first_name", "Zoë"},
      {"last_name", "Ağaoğlu"},
      {"national_number", "85073003328"},
      {"remarks", "Kleurenblind; zegt \"hallo\"\nen 'dag'\t\\ einde"},
      {"hours_per_week", 12.5},
      {"total_hours", 240},
      {"periods", Array{Object{{"start", "2025-10-06"}, {"end", "2025-10-31"}},
                        Object{{"start", "2026-02-02"}, {"end", "2026-02-27"}}}},
      {"weekdays", Array{"maandag", "dinsdag"}},
      {"driver", true},
      {"street", nullptr},
  };
  Id id = add(r);
  ASSERT_NE(id, 0);

  auto got = store_->request(id);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->id, id);
  EXPECT_EQ(got->track, "secundair");
  EXPECT_EQ(got->year, "2025-2026");
  EXPECT_EQ(got->school_id, school);
  EXPECT_EQ(got->school_name, "Sint-Jozef");
  EXPECT_EQ(got->school_contact_id, begeleider);
  EXPECT_EQ(got->preferred_service_id, service);
  EXPECT_EQ(got->first_name, "Zoë");
  EXPECT_EQ(got->last_name, "Ağaoğlu");
  EXPECT_EQ(got->province, "ANT");
  EXPECT_EQ(got->postal_code, "2018");
  EXPECT_EQ(got->transport, (std::vector<std::string>{"openbaar vervoer", "fiets"}));
  EXPECT_EQ(got->fields, r.fields) << got->fields.to_json();
  EXPECT_EQ(got->fields["remarks"].as_string(), "Kleurenblind; zegt \"hallo\"\nen 'dag'\t\\ einde");
  EXPECT_EQ(got->registered_at, at(kT0 + 1));
  EXPECT_EQ(got->state, "active");
  EXPECT_EQ(got->accepted_by, std::nullopt);
  EXPECT_EQ(got->accepted_by_name, "");
  EXPECT_EQ(got->accepted_at, std::nullopt);
  EXPECT_TRUE(got->accepted_periods.empty());
  EXPECT_EQ(got->mentor_id, std::nullopt);
  EXPECT_EQ(got->notes, "");
  EXPECT_EQ(got->version, 1);

  auto log = store_->audit_log(1);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].action, "request.register");
  EXPECT_EQ(log[0].object_type, "request");
  EXPECT_EQ(log[0].object_id, id);
  EXPECT_EQ(log[0].user_id, 7);

  Id mentor = contact(service, "Mentor");
  ASSERT_TRUE(store_->write_status(acceptance(id, service, mentor), audit("status.change")));
  got = store_->request(id);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->accepted_by, service);
  EXPECT_EQ(got->accepted_by_name, "Thuiszorg");
  EXPECT_EQ(got->accepted_at, at(kT0 + 100));
  EXPECT_EQ(got->accepted_periods, (std::vector<int>{0, 1}));
  EXPECT_EQ(got->mentor_id, mentor);
  EXPECT_EQ(got->notes, "Start op maandag");
  EXPECT_EQ(got->version, 2);
  EXPECT_EQ(store_->request(999999).error().code, "not_found");
}

TEST_P(StoreTest, InsertRequestWithUnknownContactIsNotFound) {
  REQUIRE_DATABASE();
  Id school = org("school", "Sint-Jozef");
  auto r = store_->insert_request(student(school, 999999, "A", "B", "ANT", "2000", {}),
                                  audit("request.register"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "not_found");
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM audit_log"), 0);
}

TEST_P(StoreTest, UpdateRequestNeedsTheCurrentVersionAndNoAcceptance) {
  REQUIRE_DATABASE();
  Id school = org("school", "Sint-Jozef");
  Id other_school = org("school", "Atheneum");
  Id service = org("service", "Thuiszorg", {"ANT"});
  Id begeleider = contact(school, "Els");
  Id id = add(student(school, begeleider, "Lotte", "Peeters", "ANT", "2000", {"fiets"}));

  RequestRecord edit = *store_->request(id);
  edit.last_name = "Peeters-Janssens";
  edit.postal_code = "2018";
  edit.transport = {"auto"};
  edit.fields = Object{{"last_name", "Peeters-Janssens"}, {"remarks", "nieuw"}};
  ASSERT_TRUE(store_->update_request(edit, audit("request.edit")));
  auto got = store_->request(id);
  EXPECT_EQ(got->version, 2);
  EXPECT_EQ(got->last_name, "Peeters-Janssens");
  EXPECT_EQ(got->postal_code, "2018");
  EXPECT_EQ(got->transport, (std::vector<std::string>{"auto"}));
  EXPECT_EQ(got->fields["remarks"].as_string(), "nieuw");
  EXPECT_EQ(store_->audit_log(1)[0].action, "request.edit");

  auto stale = store_->update_request(edit, audit("request.edit"));  // still version 1
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, "stale");
  EXPECT_EQ(store_->request(id)->version, 2);

  RequestRecord foreign = *store_->request(id);
  foreign.school_id = other_school;
  EXPECT_EQ(store_->update_request(foreign, audit("request.edit")).error().code, "not_found");
  foreign.id = 999999;
  foreign.school_id = school;
  EXPECT_EQ(store_->update_request(foreign, audit("request.edit")).error().code, "not_found");

  ASSERT_TRUE(store_->write_status(acceptance(id, service, contact(service, "M")), audit("s")));
  RequestRecord late = *store_->request(id);
  late.last_name = "Te laat";
  auto refused = store_->update_request(late, audit("request.edit"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "already_accepted");
  EXPECT_EQ(store_->request(id)->last_name, "Peeters-Janssens");
}

TEST_P(StoreTest, DeleteRequestOnlyByItsSchoolAndBeforeAcceptance) {
  REQUIRE_DATABASE();
  Id school = org("school", "Sint-Jozef");
  Id other_school = org("school", "Atheneum");
  Id service = org("service", "Thuiszorg", {"ANT"});
  Id begeleider = contact(school, "Els");
  Id wrong = add(student(school, begeleider, "Fout", "Toegevoegd", "ANT", "2000", {"fiets"}));
  Id kept = add(student(school, begeleider, "Lotte", "Peeters", "ANT", "2000", {"fiets"}));
  ASSERT_TRUE(
      store_->write_status(change(wrong, service, "onbeslist", "niet aanvaard"), audit("s")));

  EXPECT_EQ(store_->delete_request(other_school, wrong, audit("request.delete")).error().code,
            "not_found");
  ASSERT_TRUE(store_->delete_request(school, wrong, audit("request.delete")));
  EXPECT_EQ(store_->request(wrong).error().code, "not_found");
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM service_statuses WHERE request_id = ?", {wrong}), 0);
  EXPECT_EQ(store_->audit_log(1)[0].action, "request.delete");
  EXPECT_EQ(store_->audit_log(1)[0].object_id, wrong);
  EXPECT_EQ(store_->delete_request(school, wrong, audit("request.delete")).error().code,
            "not_found");

  ASSERT_TRUE(store_->write_status(acceptance(kept, service, contact(service, "M")), audit("s")));
  EXPECT_EQ(store_->delete_request(school, kept, audit("request.delete")).error().code,
            "already_accepted");
  EXPECT_TRUE(store_->request(kept));
}

TEST_P(StoreTest, StoppedRequestLeavesServiceListsButStaysInHistory) {
  REQUIRE_DATABASE();
  Id school = org("school", "Sint-Jozef");
  Id other_school = org("school", "Atheneum");
  Id begeleider = contact(school, "Els");
  Id id = add(student(school, begeleider, "Lotte", "Peeters", "ANT", "2000", {"fiets"}));
  EXPECT_EQ(store_->stop_request(other_school, id, audit("request.stop")).error().code,
            "not_found");
  ASSERT_TRUE(store_->stop_request(school, id, audit("request.stop")));
  auto got = store_->request(id);
  EXPECT_EQ(got->state, "stopped");
  EXPECT_EQ(got->version, 2);
  EXPECT_TRUE(store_->stop_request(school, id, audit("request.stop")));  // already stopped: fine
  EXPECT_EQ(store_->request(id)->version, 2);
  EXPECT_TRUE(list({}).empty());
  RequestQuery school_view;
  school_view.school_id = school;
  school_view.tab = "all";
  school_view.include_stopped = true;
  EXPECT_EQ(list(school_view), std::vector<Id>{id});
}

// ---------------------------------------------------------------------------------------------
// The lists

TEST_P(StoreTest, ListEveryFilter) {
  REQUIRE_DATABASE();
  seed_list();
  using V = std::vector<Id>;
  auto q = this_year();
  EXPECT_EQ(list(q), (V{zoe_, jan_, piet_, marie_, an_}));

  auto name = [&](const std::string& n) {
    auto x = this_year();
    x.name = n;
    x.sort = "-registered_at";
    return list(x);
  };
  EXPECT_EQ(name("peeters"), (V{marie_, jan_}));
  EXPECT_EQ(name("  PEETERS "), (V{marie_, jan_}));
  EXPECT_EQ(name("jan"), (V{piet_, jan_}));   // Jan Peeters and Piet Janssens
  EXPECT_EQ(name("peeters jan"), (V{jan_}));  // last name first works too
  EXPECT_EQ(name("zoë ağ"), (V{zoe_}));
  EXPECT_EQ(name("%"), (V{marie_}));  // wildcards are literal text
  EXPECT_EQ(name("_"), (V{an_}));
  EXPECT_EQ(name("' OR 1=1 --"), (V{}));

  q = this_year();
  q.provinces = {"ANT", "LIM"};
  EXPECT_EQ(list(q), (V{zoe_, jan_, piet_}));
  q = this_year();
  q.school_filter = s2_;
  EXPECT_EQ(list(q), (V{piet_, an_}));
  q = this_year();
  q.postal_code = "20";
  EXPECT_EQ(list(q), (V{zoe_, jan_}));
  q.postal_code = "1500";
  EXPECT_EQ(list(q), (V{an_}));
  q.postal_code = "%";
  EXPECT_EQ(list(q), (V{}));
  q = this_year();
  q.transport = {"auto", "bromfiets"};
  EXPECT_EQ(list(q), (V{jan_, piet_, marie_}));
  q = this_year();
  q.provinces = {"ANT"};
  q.transport = {"fiets"};
  EXPECT_EQ(list(q), (V{zoe_}));
  q = this_year();
  q.include_stopped = true;
  EXPECT_EQ(list(q), (V{zoe_, jan_, stopped_, piet_, marie_, an_}));

  RequestQuery all_years;
  all_years.track = "secundair";
  all_years.provinces = {"ANT"};
  EXPECT_EQ(list(all_years), (V{zoe_, last_year_, jan_}));  // same postal code: by last name

  RequestQuery school;
  school.track = "secundair";
  school.school_id = s2_;
  school.tab = "all";
  EXPECT_EQ(list(school), (V{piet_, an_}));

  RequestQuery everything;  // no track, no year: the admin's overview
  everything.tab = "all";
  everything.include_stopped = true;
  auto all = store_->requests(everything);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->total, 8);
}

TEST_P(StoreTest, ListEverySort) {
  REQUIRE_DATABASE();
  seed_list();
  using V = std::vector<Id>;
  auto sorted = [&](const std::string& sort) {
    auto q = this_year();
    q.sort = sort;
    return list(q);
  };
  EXPECT_EQ(sorted(""), (V{zoe_, jan_, piet_, marie_, an_}));  // province, postal code, name
  EXPECT_EQ(sorted("name"), (V{marie_, zoe_, an_, piet_, jan_}));
  EXPECT_EQ(sorted("-name"), (V{jan_, piet_, an_, zoe_, marie_}));
  EXPECT_EQ(sorted("postal_code"), (V{an_, zoe_, jan_, piet_, marie_}));
  EXPECT_EQ(sorted("-registered_at"), (V{marie_, piet_, an_, zoe_, jan_}));  // tie: id order
  EXPECT_EQ(sorted("nonsense"), sorted(""));
}

TEST_P(StoreTest, ListPagingAndTotal) {
  REQUIRE_DATABASE();
  seed_list();
  using V = std::vector<Id>;
  auto page = [&](int number, int size) {
    auto q = this_year();
    q.page = number;
    q.page_size = size;
    auto p = store_->requests(q);
    EXPECT_TRUE(p);
    EXPECT_EQ(p->total, 5);
    return ids(p->items);
  };
  EXPECT_EQ(page(1, 2), (V{zoe_, jan_}));
  EXPECT_EQ(page(2, 2), (V{piet_, marie_}));
  EXPECT_EQ(page(3, 2), (V{an_}));
  EXPECT_EQ(page(4, 2), (V{}));
  EXPECT_EQ(page(0, 2), (V{zoe_, jan_}));  // page 0 is page 1
  EXPECT_EQ(page(1, 0), (V{zoe_}));        // at least 1 per page
  EXPECT_EQ(page(2, -5), (V{jan_}));
  EXPECT_EQ(page(1, 100000).size(), 5u);  // at most 500 per page
  auto full = store_->requests(this_year());
  ASSERT_TRUE(full);
  ASSERT_EQ(full->items.size(), 5u);
  EXPECT_EQ(full->items[0].transport, (std::vector<std::string>{"fiets"}));
  EXPECT_EQ(full->items[4].transport, (std::vector<std::string>{"openbaar vervoer", "fiets"}));
  EXPECT_EQ(full->items[0].school_name, "Sint-Jozef");
}

TEST_P(StoreTest, ListOpenAndAcceptedTabs) {
  REQUIRE_DATABASE();
  seed_list();
  using V = std::vector<Id>;
  ASSERT_TRUE(
      store_->write_status(acceptance(jan_, service_b_, contact(service_b_, "M")), audit("s")));
  auto q = this_year();
  q.service_id = service_a_;
  EXPECT_EQ(list(q), (V{zoe_, piet_, marie_, an_}));
  q.tab = "accepted";
  EXPECT_EQ(list(q), (V{}));
  q.service_id = service_b_;
  EXPECT_EQ(list(q), (V{jan_}));
  q.tab = "all";
  EXPECT_EQ(list(q).size(), 5u);
  q.tab = "verkeerd";
  EXPECT_EQ(store_->requests(q).error().code, "conflict");
}

TEST_P(StoreTest, ListVisibilityPredicateFromTheRules) {
  REQUIRE_DATABASE();
  seed_list();
  using V = std::vector<Id>;
  using Op = Predicate::Op;
  auto visible = [&](const Predicate& p, std::string tab = "open") {
    auto q = this_year();
    q.visibility = p;
    q.tab = tab;
    q.service_id = service_a_;
    q.sort = "-registered_at";
    return list(q);
  };
  // A preferred round for service A (province ANT), the id handed over as digits in a string.
  Predicate preferred =
      node(Op::kAll, {leaf(Op::kIn, "province", {"ANT"}),
                      leaf(Op::kEq, "preferred_service_id", {std::to_string(service_a_)})});
  EXPECT_EQ(visible(preferred), (V{zoe_}));
  // Service B works in ANT and LIM: Piet (LIM) named A, so B sees only Jan.
  Predicate preferred_b = node(Op::kAll, {leaf(Op::kIn, "province", {"ANT", "LIM"}),
                                          leaf(Op::kEq, "preferred_service_id", {service_b_})});
  EXPECT_EQ(visible(preferred_b), (V{jan_}));
  EXPECT_EQ(visible(leaf(Op::kTrue, "")), (V{marie_, piet_, an_, zoe_, jan_}));
  EXPECT_EQ(visible(leaf(Op::kFalse, "")), (V{}));
  EXPECT_EQ(visible(leaf(Op::kIn, "province", {})), (V{}));
  EXPECT_EQ(visible(leaf(Op::kNull, "preferred_service_id")), (V{marie_, an_}));
  // Registration moments compare as integer seconds.
  EXPECT_EQ(visible(leaf(Op::kGe, "registered_at", {kT0 + 30})), (V{marie_, piet_}));
  EXPECT_EQ(visible(leaf(Op::kLt, "registered_at", {std::int64_t{kT0 + 20}})), (V{zoe_, jan_}));
  // A blackout: registered before kT0+10 or from kT0+40 on, and not in Limburg.
  Predicate blackout = node(Op::kAll, {node(Op::kAny, {leaf(Op::kLt, "registered_at", {kT0 + 10}),
                                                       leaf(Op::kGe, "registered_at", {kT0 + 40})}),
                                       node(Op::kNot, {leaf(Op::kEq, "province", {"LIM"})})});
  EXPECT_EQ(visible(blackout), (V{marie_, zoe_, jan_}));
  EXPECT_EQ(visible(leaf(Op::kEq, "school_id", {static_cast<double>(s2_)})), (V{piet_, an_}));
  EXPECT_EQ(visible(leaf(Op::kGe, "postal_code", {3000})), (V{marie_, piet_}));

  // Accepted requests stay visible to the accepting service when the rule says so.
  ASSERT_TRUE(
      store_->write_status(acceptance(zoe_, service_a_, contact(service_a_, "M")), audit("s")));
  Predicate mine = node(Op::kAny, {leaf(Op::kEq, "accepted_by", {service_a_}), preferred});
  EXPECT_EQ(visible(mine, "accepted"), (V{zoe_}));
  EXPECT_EQ(visible(preferred), (V{}));

  auto q = this_year();
  q.visibility = leaf(Op::kEq, "preferred_service_id", {"geen getal"});
  auto refused = store_->requests(q);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "conflict");
  // A predicate built in code never brings its own column name into the SQL.
  q.visibility = leaf(Op::kNull, "province IS NULL OR 1=1 --");
  EXPECT_EQ(store_->requests(q).error().code, "conflict");
  q.visibility = node(Op::kNot, {});
  EXPECT_EQ(store_->requests(q).error().code, "conflict");
}

// ---------------------------------------------------------------------------------------------
// Statuses

TEST_P(StoreTest, StatusHistoryCountsAndStickyReveal) {
  REQUIRE_DATABASE();
  seed_statuses();
  auto initial = store_->service_status(request_, service_a_, "onbeslist");
  EXPECT_EQ(initial.status, "onbeslist");
  EXPECT_FALSE(initial.revealed);
  EXPECT_EQ(initial.changed_at, std::nullopt);

  StatusWrite invite = change(request_, service_a_, "onbeslist", "uitgenodigd", kT0 + 100);
  invite.reveal = true;
  ASSERT_TRUE(store_->write_status(invite, audit("status.change")));
  auto s = store_->service_status(request_, service_a_, "onbeslist");
  EXPECT_EQ(s.status, "uitgenodigd");
  EXPECT_TRUE(s.revealed);
  EXPECT_EQ(s.changed_at, at(kT0 + 100));

  ASSERT_TRUE(store_->write_status(
      change(request_, service_a_, "uitgenodigd", "niet opgedaagd/gestopt", kT0 + 200),
      audit("s")));
  s = store_->service_status(request_, service_a_, "onbeslist");
  EXPECT_EQ(s.status, "niet opgedaagd/gestopt");
  EXPECT_TRUE(s.revealed);  // once revealed, stays revealed
  StatusWrite again =
      change(request_, service_a_, "niet opgedaagd/gestopt", "uitgenodigd", kT0 + 300);
  again.reveal = true;
  ASSERT_TRUE(store_->write_status(again, audit("s")));
  EXPECT_EQ(
      scalar("SELECT revealed_at FROM service_statuses WHERE request_id = ? AND service_id = ?",
             {request_, service_a_}),
      kT0 + 100);  // the first reveal is the one that counts
  StatusWrite uncounted = change(request_, service_a_, "uitgenodigd", "onbeslist", kT0 + 400);
  uncounted.count = false;
  ASSERT_TRUE(store_->write_status(uncounted, audit("s")));

  auto counts = store_->status_counts(request_);
  ASSERT_EQ(counts.size(), 2u);
  EXPECT_EQ(counts[0].service_id, service_a_);
  EXPECT_EQ(counts[0].status, "niet opgedaagd/gestopt");
  EXPECT_EQ(counts[0].count, 1);
  EXPECT_EQ(counts[1].status, "uitgenodigd");
  EXPECT_EQ(counts[1].count, 2);
  EXPECT_EQ(history(), 4);
  EXPECT_EQ(
      scalar("SELECT COUNT(*) FROM audit_log WHERE action = 's' AND object_id = ?", {request_}), 3);

  auto b = store_->service_status(request_, service_b_, "onbeslist");  // untouched by A's changes
  EXPECT_EQ(b.status, "onbeslist");
  EXPECT_FALSE(b.revealed);
}

TEST_P(StoreTest, StatusAChangeBasedOnAnOldStatusIsStale) {
  REQUIRE_DATABASE();
  seed_statuses();
  ASSERT_TRUE(
      store_->write_status(change(request_, service_a_, "onbeslist", "uitgenodigd"), audit("s")));
  auto stale = store_->write_status(change(request_, service_a_, "onbeslist", "niet uitgenodigd"),
                                    audit("s"));
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, "stale");
  EXPECT_EQ(store_->service_status(request_, service_a_, "onbeslist").status, "uitgenodigd");
  EXPECT_EQ(history(), 1);
  EXPECT_EQ(
      store_->write_status(change(999999, service_a_, "onbeslist", "x"), audit("s")).error().code,
      "not_found");
}

TEST_P(StoreTest, StatusFirstAcceptWinsAndAdminReleaseReopens) {
  REQUIRE_DATABASE();
  seed_statuses();
  ASSERT_TRUE(store_->write_status(acceptance(request_, service_a_, mentor_a_), audit("s")));
  auto s = store_->service_status(request_, service_a_, "onbeslist");
  EXPECT_EQ(s.status, "aanvaard");
  EXPECT_TRUE(s.revealed);

  auto lost = store_->write_status(acceptance(request_, service_b_, mentor_b_), audit("s"));
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error().code, "already_accepted");
  EXPECT_EQ(lost.error().message, kAccepted);
  EXPECT_EQ(store_->service_status(request_, service_b_, "onbeslist").status, "onbeslist");
  EXPECT_FALSE(store_->service_status(request_, service_b_, "onbeslist").revealed);
  EXPECT_EQ(store_->request(request_)->accepted_by, service_a_);
  EXPECT_EQ(history(), 1);

  StatusWrite twice = acceptance(request_, service_a_, mentor_a_);
  twice.from = "aanvaard";
  EXPECT_EQ(store_->write_status(twice, audit("s")).error().code, "conflict");

  StatusWrite release = change(request_, service_a_, "aanvaard", "onbeslist");
  release.release = true;
  release.reason = "Verkeerd aangeklikt, gevraagd door de dienst";
  release.user_id = 1;
  ASSERT_TRUE(store_->write_status(release, audit("status.release")));
  auto r = store_->request(request_);
  EXPECT_EQ(r->accepted_by, std::nullopt);
  EXPECT_EQ(r->accepted_at, std::nullopt);
  EXPECT_TRUE(r->accepted_periods.empty());
  EXPECT_EQ(r->mentor_id, std::nullopt);
  EXPECT_EQ(r->notes, "");
  EXPECT_EQ(r->version, 3);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM status_history WHERE reason = ?", {release.reason}), 1);
  StatusWrite release_again = release;
  release_again.from = "onbeslist";
  EXPECT_EQ(store_->write_status(release_again, audit("s")).error().code, "stale");

  ASSERT_TRUE(store_->write_status(acceptance(request_, service_b_, mentor_b_), audit("s")));
  EXPECT_EQ(store_->request(request_)->accepted_by, service_b_);
}

TEST_P(StoreTest, StatusAStoppedStudentCannotBeAccepted) {
  REQUIRE_DATABASE();
  seed_statuses();
  ASSERT_TRUE(store_->stop_request(school_, request_, audit("request.stop")));
  auto r = store_->write_status(acceptance(request_, service_a_, mentor_a_), audit("s"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "conflict");
  EXPECT_EQ(history(), 0);
}

TEST_P(StoreTest, StatusMailsAndAuditCommitWithTheChangeAndRollBackWithARefusal) {
  REQUIRE_DATABASE();
  seed_statuses();
  StatusWrite w = acceptance(request_, service_a_, mentor_a_);
  w.mails = {
      OutboxMail{0, "accepted:1", "school@sj.be", "Lotte werd aanvaard", "tekst", "<p>html</p>"},
      OutboxMail{0, "", "dienst@a.be", "Bevestiging", "tekst 2", ""}};
  AuditEntry a = audit("status.change");
  a.detail = "onbeslist -> aanvaard";
  ASSERT_TRUE(store_->write_status(w, a));
  auto mails = store_->outbox(10);
  ASSERT_EQ(mails.size(), 2u);
  EXPECT_EQ(mails[1].dedupe_key, "accepted:1");
  EXPECT_EQ(mails[1].to_address, "school@sj.be");
  EXPECT_EQ(mails[1].subject, "Lotte werd aanvaard");
  EXPECT_EQ(mails[1].body_text, "tekst");
  EXPECT_EQ(mails[1].body_html, "<p>html</p>");
  EXPECT_EQ(mails[1].state, "pending");
  EXPECT_EQ(mails[1].attempts, 0);
  EXPECT_EQ(mails[0].dedupe_key, "");
  auto log = store_->audit_log(1);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].action, "status.change");
  EXPECT_EQ(log[0].object_type, "request");
  EXPECT_EQ(log[0].object_id, request_);
  EXPECT_EQ(log[0].detail, "onbeslist -> aanvaard");
  EXPECT_EQ(log[0].at, at(kT0));
  std::int64_t audit_rows = scalar("SELECT COUNT(*) FROM audit_log");

  // The loser's mails and audit row go nowhere: its whole transaction is rolled back.
  StatusWrite lost = acceptance(request_, service_b_, mentor_b_);
  lost.mails = {OutboxMail{0, "accepted:2", "school@sj.be", "Nooit", "x", ""}};
  EXPECT_EQ(store_->write_status(lost, audit("status.change")).error().code, "already_accepted");
  EXPECT_EQ(store_->outbox(10).size(), 2u);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM audit_log"), audit_rows);

  // The same mail (dedupe key) is never queued twice.
  StatusWrite other = change(request_, service_b_, "onbeslist", "niet aanvaard");
  other.mails = {OutboxMail{0, "accepted:1", "school@sj.be", "Dubbel", "x", ""},
                 OutboxMail{0, "declined:b", "school@sj.be", "Niet aanvaard", "x", ""}};
  ASSERT_TRUE(store_->write_status(other, audit("status.change")));
  mails = store_->outbox(10);
  ASSERT_EQ(mails.size(), 3u);
  EXPECT_EQ(mails[0].dedupe_key, "declined:b");
}

// Many services accept the same students at the same moment: exactly one wins each student,
// every other one hears `already_accepted`, never a silent overwrite. Half of the services go
// through a second store on the same database, as a second server instance would.
TEST_P(StoreTest, AcceptRaceHasExactlyOneWinnerPerRequest) {
  REQUIRE_DATABASE();
  constexpr int kServices = 8;
  constexpr int kRequests = 20;
  constexpr int kRounds = 10;
  Id school = org("school", "Sint-Jozef");
  Id begeleider = contact(school, "Els");
  std::vector<Id> services;
  std::vector<Id> mentors;
  for (int s = 0; s < kServices; ++s) {
    services.push_back(org("service", "Dienst " + std::to_string(s), {"ANT"}));
    mentors.push_back(contact(services.back(), "Mentor " + std::to_string(s)));
  }
  auto second_instance = open_store(url_);
  for (int round = 0; round < kRounds; ++round) {
    std::vector<Id> requests;
    for (int i = 0; i < kRequests; ++i) {
      requests.push_back(add(student(school, begeleider, "S" + std::to_string(i),
                                     "R" + std::to_string(round), "ANT", "2000", {"fiets"})));
    }
    std::vector<std::vector<std::string>> outcome(kServices, std::vector<std::string>(kRequests));
    std::latch go(kServices);
    std::vector<std::thread> threads;
    for (int s = 0; s < kServices; ++s) {
      threads.emplace_back([&, s] {
        go.arrive_and_wait();
        for (int i = 0; i < kRequests; ++i) {
          Store& store = s % 2 ? *second_instance : *store_;
          auto r = store.write_status(acceptance(requests[i], services[s], mentors[s]),
                                      audit("status.change"));
          outcome[s][i] = r ? "ok" : r.error().code + ": " + r.error().message;
        }
      });
    }
    for (auto& t : threads) t.join();
    for (int i = 0; i < kRequests; ++i) {
      int winners = 0;
      Id winner = 0;
      for (int s = 0; s < kServices; ++s) {
        if (outcome[s][i] == "ok") {
          ++winners;
          winner = services[s];
        } else {
          EXPECT_EQ(outcome[s][i], std::string("already_accepted: ") + kAccepted)
              << "round " << round << ", request " << i << ", service " << s;
        }
      }
      ASSERT_EQ(winners, 1) << "round " << round << ", request " << i;
      auto stored = store_->request(requests[i]);
      EXPECT_EQ(stored->accepted_by, winner);
      EXPECT_EQ(stored->version, 2);
      EXPECT_EQ(scalar("SELECT COUNT(*) FROM status_history WHERE request_id = ?", {requests[i]}),
                1);
      EXPECT_EQ(scalar("SELECT COUNT(*) FROM service_statuses WHERE request_id = ?", {requests[i]}),
                1);
    }
  }
}

TEST_P(StoreTest, AuditLogNewestFirstAndLimited) {
  REQUIRE_DATABASE();
  for (int i = 0; i < 3; ++i) {
    AuditEntry e = audit("admin.export." + std::to_string(i));
    e.object_type = "export";
    e.user_id.reset();
    e.actor = "admin-cli";
    store_->append_audit(e);
  }
  auto log = store_->audit_log(2);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].action, "admin.export.2");
  EXPECT_EQ(log[1].action, "admin.export.1");
  EXPECT_EQ(log[0].user_id, std::nullopt);
  EXPECT_EQ(log[0].object_id, std::nullopt);
  EXPECT_EQ(log[0].actor, "admin-cli");
  EXPECT_EQ(log[0].outcome, "ok");
  EXPECT_TRUE(store_->audit_log(0).empty());
}

// Many lines at once (a list that reveals personal data writes one per request shown) are
// written in statements of several rows: every line arrives, in order, each with its own values.
TEST_P(StoreTest, ManyAuditLinesAtOnceArriveEachWithItsOwnValues) {
  REQUIRE_DATABASE();
  constexpr int kLines = 150;  // more than one statement's rows
  std::vector<AuditEntry> lines;
  for (int i = 0; i < kLines; ++i) {
    AuditEntry e = audit("request.reveal_list");
    e.object_type = "request";
    e.object_id = 1000 + i;
    e.user_id = i % 3 == 0 ? std::nullopt : std::optional<Id>(i);
    e.at = at(1'750'000'000 + i);
    e.detail = "regel " + std::to_string(i) + (i % 2 ? " met 'aanhalingstekens'" : "");
    e.outcome = i == 7 ? "denied" : "";
    lines.push_back(e);
  }
  store_->append_audit(lines);
  auto log = store_->audit_log(kLines + 10);
  ASSERT_EQ(log.size(), static_cast<std::size_t>(kLines));
  for (int i = 0; i < kLines; ++i) {
    const AuditEntry& back = log[static_cast<std::size_t>(kLines - 1 - i)];  // newest first
    EXPECT_EQ(back.object_id, 1000 + i);
    EXPECT_EQ(back.user_id, lines[static_cast<std::size_t>(i)].user_id) << i;
    EXPECT_EQ(back.at, at(1'750'000'000 + i));
    EXPECT_EQ(back.detail, lines[static_cast<std::size_t>(i)].detail);
    EXPECT_EQ(back.outcome, i == 7 ? "denied" : "ok");
    EXPECT_EQ(back.actor, "user:7");
    EXPECT_EQ(back.action, "request.reveal_list");
    EXPECT_EQ(back.object_type, "request");
  }
}

// ---------------------------------------------------------------------------------------------
// The Poco::Data pitfalls the store relies on being handled.

TEST_P(StoreTest, PitfallQuestionMarkInsideALiteralIsNotAPlaceholder) {
  REQUIRE_DATABASE();
  auto row = db().transact(TxMode::kRead, [](Tx& tx) {
    return *tx.query_one("SELECT 'wat? ''echt?''', CAST(? AS TEXT), CAST(? AS BIGINT) /* ? */",
                         {"gebonden ?", 42}, 3);
  });
  EXPECT_EQ(row.text(0), "wat? 'echt?'");
  EXPECT_EQ(row.text(1), "gebonden ?");
  EXPECT_EQ(row.int64(2), 42);
}

TEST_P(StoreTest, PitfallInt64AboveTwoToThe31RoundTrips) {
  REQUIRE_DATABASE();
  constexpr std::int64_t kBig = 5'000'000'000;
  constexpr std::int64_t kHuge = 9'007'199'254'740'993;  // 2^53 + 1: would not survive a double
  EXPECT_EQ(db().transact(TxMode::kRead,
                          [&](Tx& tx) {
                            return tx.query_one("SELECT CAST(? AS BIGINT)", {kHuge}, 1)->int64(0);
                          }),
            kHuge);
  AuditEntry e = audit("big");
  e.object_id = kBig;
  e.user_id = -kBig;
  e.at = at(4'102'444'800);  // 2100-01-01: beyond 32-bit seconds
  store_->append_audit(e);
  auto back = store_->audit_log(1).at(0);
  EXPECT_EQ(back.object_id, kBig);
  EXPECT_EQ(back.user_id, -kBig);
  EXPECT_EQ(back.at, at(4'102'444'800));
}

TEST_P(StoreTest, PitfallEmptyTextStaysEmptyNotNull) {
  REQUIRE_DATABASE();
  Id school = org("school", "Sint-Jozef");
  auto id = store_->create_contact(ContactPerson{0, school, "Zonder telefoon", "", ""});
  ASSERT_TRUE(id);
  EXPECT_EQ(store_->contact(*id)->phone, "");
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM contacts WHERE phone = '' AND phone IS NOT NULL"), 1);
}

TEST_P(StoreTest, PitfallTextThatIsNoIntegerIsAnErrorNotNull) {
  REQUIRE_DATABASE();
  // Poco's PostgreSQL extractor turns a failed parse into NULL without a word; Row refuses.
  EXPECT_THROW(
      db().transact(
          TxMode::kRead,
          [](Tx& tx) { return tx.query_one("SELECT CAST(? AS TEXT)", {"12abc"}, 1)->int64(0); }),
      DbError);
}

TEST_P(StoreTest, PitfallFailedStatementInAPooledSessionDoesNotPoisonTheNextUse) {
  REQUIRE_DATABASE();
  Db one(storage::parse_store_url(url_), 1);  // one session: the next lease gets the same one
  {
    auto lease = one.lease();
    lease.execute_raw(one.dialect() == Dialect::kPostgresql ? "BEGIN" : "BEGIN IMMEDIATE");
    lease.execute_raw("INSERT INTO timed_events (key) VALUES ('abandoned')");
    EXPECT_THROW(lease.execute_raw("SELECT * FROM no_such_table"), DbError);
    // Returned to the pool with the transaction open (aborted, on PostgreSQL): no rollback.
  }
  one.transact(TxMode::kWrite,
               [](Tx& tx) { return tx.exec("INSERT INTO timed_events (key) VALUES ('next')"); });
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM timed_events WHERE key = 'next'"), 1);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM timed_events WHERE key = 'abandoned'"), 0);
}

TEST_P(StoreTest, PitfallConstraintErrorsAreRecognisedFromTheMessageText) {
  REQUIRE_DATABASE();
  auto insert = [&](const std::string& sql) -> DbErrorKind {
    try {
      db().transact(TxMode::kWrite, [&](Tx& tx) { return tx.exec(sql); });
    } catch (const DbError& e) {
      return e.kind();
    }
    return DbErrorKind::kOther;
  };
  db().transact(TxMode::kWrite,
                [](Tx& tx) { return tx.exec("INSERT INTO timed_events (key) VALUES ('k')"); });
  EXPECT_EQ(insert("INSERT INTO timed_events (key) VALUES ('k')"), DbErrorKind::kUnique);
  // SQLite enforces foreign keys only when the session turned them on.
  EXPECT_EQ(
      insert("INSERT INTO contacts (org_id, name, phone, email) VALUES (999999, 'x', 'y', 'z')"),
      DbErrorKind::kForeignKey);
}

TEST_P(StoreTest, PitfallTransactionRollsBackOnAnyException) {
  REQUIRE_DATABASE();
  EXPECT_THROW(db().transact(TxMode::kWrite,
                             [](Tx& tx) -> bool {
                               tx.exec("INSERT INTO timed_events (key) VALUES ('half')");
                               throw std::runtime_error("halfweg mis");
                             }),
               std::runtime_error);
  auto refused = db().transact(TxMode::kWrite, [](Tx& tx) -> StoreResult<void> {
    tx.exec("INSERT INTO timed_events (key) VALUES ('refused')");
    return std::unexpected(StoreError{"stale", "x"});
  });
  EXPECT_FALSE(refused);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM timed_events"), 0);
}

TEST_P(StoreTest, PitfallMoreCallersThanSessionsWaitInsteadOfFailing) {
  REQUIRE_DATABASE();
  Db two(storage::parse_store_url(url_), 2);  // Poco's pool throws when exhausted; we wait
  std::atomic<int> done{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&] {
      two.transact(TxMode::kRead, [](Tx& tx) {
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
        return tx.query_one("SELECT 1", {}, 1)->int64(0);
      });
      ++done;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(done, 6);
}

// A school's own filter (Matching::school_filter): the moment of acceptance, the school year
// and the state, next to the school's own requests of every year.
TEST_P(StoreTest, ListFilterOnAcceptanceMomentYearAndState) {
  REQUIRE_DATABASE();
  seed_list();
  using V = std::vector<Id>;
  using Op = Predicate::Op;
  Id mentor = contact(service_a_, "Mentor");
  StatusWrite early = acceptance(zoe_, service_a_, mentor);
  early.at = at(kT0 + 100);
  ASSERT_TRUE(store_->write_status(early, audit("status.change")));
  StatusWrite late = acceptance(marie_, service_a_, mentor);
  late.at = at(kT0 + 500);
  ASSERT_TRUE(store_->write_status(late, audit("status.change")));
  auto filtered = [&](const Predicate& p) {
    RequestQuery q;
    q.track = "secundair";
    q.school_id = s1_;
    q.tab = "all";
    q.include_stopped = true;
    q.sort = "-registered_at";
    q.filter = p;
    return list(q);
  };
  EXPECT_EQ(filtered(leaf(Op::kTrue, "")), (V{stopped_, marie_, zoe_, jan_, last_year_}));
  EXPECT_EQ(filtered(leaf(Op::kGe, "accepted_at", {kT0 + 101})), (V{marie_}));
  EXPECT_EQ(filtered(node(Op::kNot, {leaf(Op::kNull, "accepted_at")})), (V{marie_, zoe_}));
  EXPECT_EQ(filtered(leaf(Op::kEq, "year", {"2024-2025"})), (V{last_year_}));
  EXPECT_EQ(filtered(leaf(Op::kIn, "year", {"2025-2026"})), (V{stopped_, marie_, zoe_, jan_}));
  EXPECT_EQ(filtered(leaf(Op::kEq, "state", {"stopped"})), (V{stopped_}));
  // Accepted and known, against accepted after kT0+100 in 2025-2026 held back.
  Predicate held = node(
      Op::kAll, {leaf(Op::kEq, "year", {"2025-2026"}), leaf(Op::kGe, "accepted_at", {kT0 + 101})});
  EXPECT_EQ(filtered(node(Op::kAll, {node(Op::kNot, {leaf(Op::kNull, "accepted_by")}),
                                     node(Op::kNot, {held})})),
            (V{zoe_}));
  EXPECT_EQ(filtered(node(Op::kAll, {leaf(Op::kEq, "state", {"active"}),
                                     node(Op::kAny, {leaf(Op::kNull, "accepted_by"), held})})),
            (V{marie_, jan_, last_year_}));
}

std::string param_name(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreTest, ::testing::Values("sqlite"), param_name);
INSTANTIATE_TEST_SUITE_P(Postgresql, StoreTest, ::testing::Values("postgresql"), param_name);

}  // namespace
}  // namespace stagematch

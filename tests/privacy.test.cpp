// Personal data that leaves when its year is over, through the real App, engine and SQL store,
// on SQLite and on PostgreSQL: the retention purge (and its dry run) leaves no personal field of
// that year in any table, mail, audit line or export while the statistics stay as they were; the
// admin's subject access holds everything stored about one student and nothing of another;
// erasure on request is refused while the internship runs; the daily work runs once a day; the
// privacy page comes from configuration and is linked in every footer.
#include "privacy.hpp"

#include <utility>

#include "json.hpp"
#include "pages_common.hpp"
#include "pages_support.hpp"
#include "scheduler.hpp"

namespace stagematch {
namespace {

using testing::contains;
using testing::local;

// The student whose year runs out, with a value for every personal field.
constexpr const char* kOldNumber = "90020199704";
constexpr const char* kOldFirst = "Wendelien";
constexpr const char* kOldLast = "Vergeetmij";
constexpr const char* kOldPhone = "0499 31 41 59";
constexpr const char* kOldEmail = "wendelien.vergeetmij@example.test";
constexpr const char* kOldStreet = "Vergetelheidsdreef 77";
constexpr const char* kOldRemarks = "Kleurenblind-opmerking-W";
constexpr const char* kOldInternshipRemarks = "Stage-opmerking-W";
constexpr const char* kServiceNotes = "Notitie-over-Wendelien";
constexpr const char* kUndoReason = "Reden-over-Wendelien";
// A student of a later school year, whose data stays.
constexpr const char* kNewNumber = "92031504503";
constexpr const char* kNewLast = "Blijftbewaard";
constexpr const char* kNewPhone = "0488 27 18 28";
constexpr const char* kNewEmail = "nog.bewaard@example.test";

class PrivacyTest : public testing::Pages {
 protected:
  void SetUp() override {
    Pages::SetUp();
    matching_->set_notices(*mail_, *store_);  // the school hears of acceptances (a mail to erase)
  }

  Actor service(Id id) { return Actor{"service", 0, id}; }

  // The 2025-2026 student of kOld*, registered through the school's form.
  Id register_old() {
    auto form = student_form(kOldLast);
    for (auto& [key, value] : form) {
      if (key == "first_name") value = kOldFirst;
      if (key == "national_number") value = kOldNumber;
      if (key == "phone") value = kOldPhone;
      if (key == "email") value = kOldEmail;
      if (key == "street") value = kOldStreet;
    }
    form.emplace_back("remarks", kOldRemarks);
    form.emplace_back("internship_remarks", kOldInternshipRemarks);
    HttpResponse res = post("/school/secundair/nieuw", form, "school");
    EXPECT_EQ(res.status, 303) << res.body;
    auto ids = store_->requests_of_student(kOldNumber);
    EXPECT_EQ(ids.size(), 1u);
    return ids.empty() ? 0 : ids.front();
  }

  // A dubbele finaliteit student of 2026-2027 (registered on 05/09/2026).
  Id register_new() {
    EXPECT_TRUE(clock_->set(local("2026-09-05 10:00")));
    Object fields;
    for (const auto& [key, value] : student_form(kNewLast))
      if (key.find('.') == std::string::npos && key != "na" && key != "transport")
        fields[key] = value;
    fields["national_number"] = kNewNumber;
    fields["phone"] = kNewPhone;
    fields["email"] = kNewEmail;
    fields["transport"] = Array{"auto"};
    fields["school_contact_id"] = contact_;
    fields["period_count"] = 1;
    fields["total_hours"] = 120;
    fields["periods"] = Array{Object{{"start", "2026-10-12"}, {"end", "2026-11-13"}}};
    auto done =
        matching_->register_request(Actor{"school", 0, school_}, "dubbele_finaliteit", fields);
    EXPECT_TRUE(done) << (done ? "" : done.error().message);
    return done ? done->id : 0;
  }

  // A JSON call of the API as `who`, with the session and its CSRF token.
  HttpResponse api(const std::string& method, const std::string& target, const Value& body,
                   const std::string& who = "admin") {
    const Browser& b = browser(who);
    HttpRequest req;
    req.method = method;
    req.path = target;
    req.body = body.to_json();
    req.headers["content-type"] = "application/json";
    req.headers["x-csrf-token"] = b.csrf;
    req.cookies[kSessionCookie] = b.cookie;
    return app_->handle(req);
  }

  // Every text the database holds that contains `value`, as "table.column".
  std::vector<std::string> stored_with(const std::string& value) {
    std::vector<std::string> out;
    for (const auto& [where, text] : testing::stored_texts(url_))
      if (contains(text, value)) out.push_back(where);
    return out;
  }

  // What a purge keeps per request for the statistics: track, year, province, postal code,
  // outcome and every service's status counts.
  std::string statistics(Id id) {
    auto r = store_->request(id);
    EXPECT_TRUE(r);
    std::string out = r->track + "|" + r->year + "|" + r->province + "|" + r->postal_code + "|" +
                      std::to_string(r->accepted_by.value_or(0)) + "|" + r->state + "|";
    for (const auto& c : store_->status_counts(id))
      out += std::to_string(c.service_id) + ":" + c.status + "=" + std::to_string(c.count) + ";";
    return out;
  }

  // The admin export's columns that statistics read (track, year, province, postal code, the
  // status and its counts), row by row: a CSV with quoted cells, ';' between them.
  std::string export_counts() {
    HttpResponse csv = get("/api/v1/admin/export.csv", "admin");
    EXPECT_EQ(csv.status, 200);
    std::vector<std::vector<std::string>> rows{{}};
    std::string cell;
    bool quoted = false;
    for (std::size_t i = 0; i < csv.body.size(); ++i) {
      const char c = csv.body[i];
      if (quoted && c == '"' && i + 1 < csv.body.size() && csv.body[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (!quoted && c == ';') {
        rows.back().push_back(std::exchange(cell, {}));
      } else if (!quoted && c == '\n') {
        rows.back().push_back(std::exchange(cell, {}));
        rows.emplace_back();
      } else if (quoted || c != '\r') {
        cell += c;
      }
    }
    std::string out;
    const std::vector<std::string>& header = rows.front();
    for (std::size_t r = 1; r < rows.size(); ++r) {
      for (std::size_t i = 0; i < rows[r].size() && i < header.size(); ++i)
        if (contains(header[i], "Traject") || contains(header[i], "Schooljaar") ||
            contains(header[i], "Provincie") || contains(header[i], "Postcode") ||
            contains(header[i], "keer") || contains(header[i], "Status"))
          out += header[i] + "=" + rows[r][i] + ";";
      out += "\n";
    }
    return out;
  }

  // The 2025-2026 student is accepted, undone by the admin with a reason and accepted by another
  // service (mails, reasons and notes to erase); a 2026-2027 student stays. Two years after the
  // school year ended, a dry run changes nothing, the purge leaves none of the first student's
  // personal values anywhere in the database while the statistics stay, and a second run
  // changes nothing more.
  void purge_erases_a_past_year_and_keeps_its_statistics() {
    Id old_id = register_old();
    ASSERT_GT(old_id, 0);
    ASSERT_TRUE(matching_->change_status(
        service(service_x_), old_id, StatusInput{"aanvaard", mentor_x_, {0}, kServiceNotes, ""}));
    ASSERT_TRUE(matching_->change_status(admin_actor(), old_id,
                                         StatusInput{"onbeslist", {}, {}, "", kUndoReason}));
    ASSERT_TRUE(matching_->change_status(
        service(service_y_), old_id, StatusInput{"aanvaard", mentor_y_, {1}, kServiceNotes, ""}));
    deliver();
    Id new_id = register_new();
    ASSERT_GT(new_id, 0);
    for (const auto& v : old_values_) EXPECT_FALSE(stored_with(v).empty()) << v << " never stored";
    browsers_.clear();  // the sessions ended meanwhile: log in again
    const std::string stats = statistics(old_id);
    const std::string new_stats = statistics(new_id);
    const std::string counts = export_counts();
    ASSERT_TRUE(contains(counts, "2025-2026")) << counts;

    ASSERT_TRUE(clock_->set(local("2028-09-02 10:00")));
    browsers_.clear();
    Privacy privacy(
        *store_, [this] { return defs_; }, *clock_);
    const auto before = testing::stored_texts(url_);
    const PurgeReport dry = privacy.purge("admin-cli", true);
    ASSERT_EQ(dry.groups.size(), 1u);
    EXPECT_EQ(dry.groups[0].year, "2025-2026");
    EXPECT_EQ(dry.groups[0].track, "secundair");
    EXPECT_EQ(dry.groups[0].requests, 1);
    EXPECT_EQ(dry.erased, 0);
    EXPECT_EQ(testing::stored_texts(url_), before) << "a dry run changes nothing";

    const PurgeReport run = privacy.purge("system", false);
    EXPECT_EQ(run.erased, 1);
    for (const auto& v : old_values_)
      EXPECT_EQ(stored_with(v), std::vector<std::string>{}) << v << " is still stored";
    for (const char* v : {kNewNumber, kNewPhone, kNewEmail, kNewLast})
      EXPECT_FALSE(stored_with(v).empty()) << v << " of a later year was erased";
    HttpResponse csv = get("/api/v1/admin/export.csv", "admin");
    ASSERT_EQ(csv.status, 200);
    for (const auto& v : old_values_) EXPECT_FALSE(contains(csv.body, v)) << v << " exported";
    HttpResponse history = get("/admin/aanvraag/" + std::to_string(old_id), "admin");
    ASSERT_EQ(history.status, 200);
    for (const auto& v : old_values_) EXPECT_FALSE(contains(history.body, v)) << v << " shown";
    EXPECT_TRUE(contains(history.body, "Persoonsgegevens gewist: bewaartermijn voorbij"));
    auto erased = matching_->view_request(admin_actor(), old_id);
    ASSERT_TRUE(erased);
    EXPECT_EQ(full_name(*erased), "(gewist)") << "lists show an erased student by that word";
    EXPECT_EQ(statistics(old_id), stats);
    EXPECT_EQ(statistics(new_id), new_stats);
    EXPECT_EQ(export_counts(), counts);
    int audited = 0;
    for (const auto& a : store_->audit_of("request", old_id))
      if (a.action == "privacy.purge") ++audited;
    EXPECT_EQ(audited, 1);

    const auto after = testing::stored_texts(url_);
    const PurgeReport again = privacy.purge("system", false);
    EXPECT_EQ(again.erased, 0);
    EXPECT_TRUE(again.groups.empty());
    EXPECT_EQ(testing::stored_texts(url_), after) << "a second run changes nothing";
  }

  // More students than one batch of the purge: each is erased and audited once, the report
  // counts each once, and `as_of` judges as on that day (the day before the retention ends,
  // nothing; the day after, all of them).
  void purge_in_batches_erases_each_once() {
    constexpr int kStudents = 230;  // two full batches of 100 and a part of one
    std::string first_number;
    for (int i = 0; i < kStudents; ++i) {
      // A valid national number: born 01/01/2008, serial i + 1, its check digits.
      const std::string serial = std::to_string(i + 1);
      const std::string base = "080101" + std::string(3 - serial.size(), '0') + serial;
      const long long check = 97 - (2'000'000'000LL + std::stoll(base)) % 97;
      const std::string number = base + (check < 10 ? "0" : "") + std::to_string(check);
      if (i == 0) first_number = number;
      auto form = student_form("Batchleerling" + std::to_string(i));
      for (auto& [key, value] : form)
        if (key == "national_number") value = number;
      HttpResponse res = post("/school/secundair/nieuw", form, "school");
      ASSERT_EQ(res.status, 303) << number << ": " << res.body;
    }
    Privacy privacy(
        *store_, [this] { return defs_; }, *clock_);
    ASSERT_TRUE(clock_->set(local("2030-01-01 10:00")));
    const auto before = testing::stored_texts(url_);
    EXPECT_TRUE(privacy.purge("system", false, local("2028-08-31 23:00")).groups.empty());
    EXPECT_EQ(testing::stored_texts(url_), before) << "nothing was over on 31/08/2028";
    const PurgeReport dry = privacy.purge("system", true, local("2028-09-01 00:00"));
    ASSERT_EQ(dry.groups.size(), 1u);
    EXPECT_EQ(dry.groups[0].requests, kStudents);

    const PurgeReport run = privacy.purge("system", false, local("2028-09-02 00:00"));
    EXPECT_EQ(run.erased, kStudents);
    ASSERT_EQ(run.groups.size(), 1u);
    EXPECT_EQ(run.groups[0].year, "2025-2026");
    EXPECT_EQ(run.groups[0].requests, kStudents);
    EXPECT_EQ(stored_with("Batchleerling"), std::vector<std::string>{});
    EXPECT_TRUE(store_->requests_of_student(first_number).empty());
    int audited = 0;
    for (const auto& a : store_->audit_log(100000))
      if (a.action == "privacy.purge") ++audited;
    EXPECT_EQ(audited, kStudents);
    EXPECT_EQ(privacy.purge("system", false).erased, 0);
  }

  // The admin's subject access (API and page) holds every stored field of one student, their
  // statuses, history, audit lines and mails, and nothing of another student; it is audited
  // without the full number and refused to a service.
  void subject_access_holds_that_student_only() {
    Id old_id = register_old();
    ASSERT_GT(old_id, 0);
    ASSERT_TRUE(matching_->change_status(
        service(service_x_), old_id, StatusInput{"aanvaard", mentor_x_, {0}, kServiceNotes, ""}));
    ASSERT_GT(register_student("Anderstudent"), 0);
    HttpResponse res =
        api("POST", "/api/v1/admin/subject-access", Object{{"national_number", "90.02.01-997.04"}});
    ASSERT_EQ(res.status, 200) << res.body;
    auto answer = parse_json(res.body);
    ASSERT_TRUE(answer && (*answer)["requests"].is_array());
    ASSERT_EQ((*answer)["requests"].as_array().size(), 1u);
    const Value& item = (*answer)["requests"].as_array()[0];
    auto stored = store_->request(old_id);
    ASSERT_TRUE(stored);
    for (const auto& [key, value] : stored->fields.as_object())
      EXPECT_EQ(item["fields"][key], value) << key;
    EXPECT_EQ(item["first_name"], Value(kOldFirst));
    EXPECT_EQ(item["notes"], Value(kServiceNotes));
    EXPECT_EQ(item["accepted_by"]["id"], Value(service_x_));
    EXPECT_EQ(item["school_contact"]["email"], Value(testing::kContactEmail));
    EXPECT_EQ(item["statuses"].as_array().size(), 1u);
    EXPECT_EQ(item["history"].as_array().size(), 1u);
    EXPECT_FALSE(item["audit"].as_array().empty());
    ASSERT_EQ(item["mails"].as_array().size(), 1u) << "the school was told of the acceptance";
    EXPECT_TRUE(contains(text_of(item["mails"].as_array()[0]["body_text"]), kOldLast));
    for (const char* other :
         {testing::kNationalNumber, testing::kStudentPhone, testing::kStudentEmail, "Anderstudent"})
      EXPECT_FALSE(contains(res.body, other)) << other << " belongs to another student";
    bool audited = false;
    for (const auto& a : store_->audit_log(5))
      if (a.action == "privacy.subject_access") {
        audited = true;
        EXPECT_FALSE(contains(a.detail, kOldNumber)) << a.detail;
      }
    EXPECT_TRUE(audited);

    HttpResponse page = post("/admin/privacy", {{"rijksregisternummer", kOldNumber}}, "admin");
    ASSERT_EQ(page.status, 200) << page.body;
    for (const char* v : {kOldFirst, kOldPhone, kOldEmail, kOldStreet, kOldRemarks,
                          kOldInternshipRemarks, kServiceNotes, "Mentor X"})
      EXPECT_TRUE(contains(page.body, v)) << v << " missing on the page";
    EXPECT_FALSE(contains(page.body, "Anderstudent"));
    EXPECT_FALSE(contains(page.body, testing::kStudentPhone));
    HttpResponse empty = post("/admin/privacy", {{"rijksregisternummer", " "}}, "admin");
    EXPECT_EQ(empty.status, 422);
    EXPECT_TRUE(contains(empty.body, "Geef het rijksregisternummer.")) << empty.body;

    EXPECT_EQ(api("POST", "/api/v1/admin/subject-access", Object{{"national_number", kOldNumber}},
                  "service_x")
                  .status,
              403);
    HttpResponse bad =
        api("POST", "/api/v1/admin/subject-access", Object{{"national_number", "1234"}});
    EXPECT_EQ(bad.status, 422);
    EXPECT_TRUE(contains(bad.body, "national_number")) << bad.body;
  }

  // Erasure on request needs a reason and waits while an accepted period runs; between periods
  // it erases every personal value, audited with the reason.
  void erasure_waits_for_the_running_internship() {
    Id id = register_old();
    ASSERT_GT(id, 0);
    ASSERT_TRUE(matching_->change_status(
        service(service_x_), id, StatusInput{"aanvaard", mentor_x_, {0}, kServiceNotes, ""}));
    ASSERT_TRUE(clock_->set(local("2025-10-10 10:00")));  // period 1: 06/10 - 31/10/2025
    browsers_.clear();
    HttpResponse no_reason =
        api("POST", "/api/v1/admin/erasure", Object{{"national_number", kOldNumber}});
    EXPECT_EQ(no_reason.status, 422);
    EXPECT_TRUE(contains(no_reason.body, "reason")) << no_reason.body;
    HttpResponse running = api("POST", "/api/v1/admin/erasure",
                               Object{{"national_number", kOldNumber}, {"reason", "Verzoek"}});
    EXPECT_EQ(running.status, 409) << running.body;
    EXPECT_TRUE(contains(running.body, "internship_running")) << running.body;
    HttpResponse page = post("/admin/privacy/wissen",
                             {{"rijksregisternummer", kOldNumber}, {"reden", "Verzoek"}}, "admin");
    EXPECT_EQ(page.status, 409);
    EXPECT_TRUE(contains(page.body, "loopt nog")) << page.body;
    EXPECT_FALSE(stored_with(kOldNumber).empty()) << "nothing is erased while it runs";

    ASSERT_TRUE(clock_->set(local("2025-11-05 10:00")));  // the accepted period is over
    browsers_.clear();
    HttpResponse done =
        api("POST", "/api/v1/admin/erasure",
            Object{{"national_number", kOldNumber}, {"reason", "Verzoek van de leerling"}});
    ASSERT_EQ(done.status, 200) << done.body;
    EXPECT_EQ(parse_json(done.body).value()["erased"], Value(1));
    for (const char* v : {kOldNumber, kOldFirst, kOldLast, kOldPhone, kOldEmail, kOldStreet,
                          kOldRemarks, kOldInternshipRemarks, kServiceNotes})
      EXPECT_EQ(stored_with(v), std::vector<std::string>{}) << v << " is still stored";
    bool audited = false;
    for (const auto& a : store_->audit_of("request", id))
      audited |= a.action == "privacy.erase" && contains(a.detail, "Verzoek van de leerling");
    EXPECT_TRUE(audited);
    EXPECT_EQ(api("POST", "/api/v1/admin/erasure",
                  Object{{"national_number", kOldNumber}, {"reason", "Nog eens"}})
                  .status,
              404);
  }

  const std::vector<std::string> old_values_ = {
      kOldNumber,    kOldFirst,  kOldLast,    kOldPhone,
      kOldEmail,     kOldStreet, kOldRemarks, kOldInternshipRemarks,
      kServiceNotes, kUndoReason};
};

class PrivacyOnPostgres : public PrivacyTest {
 protected:
  // A database of this process's own: ctest runs tests side by side, each in its own process.
  std::string store_url() override {
    return testing::fresh_database("postgresql", "privacy_" + std::to_string(::getpid()));
  }
};

TEST_F(PrivacyTest, PurgeErasesAPastYearAndKeepsItsStatistics) {
  purge_erases_a_past_year_and_keeps_its_statistics();
}
TEST_F(PrivacyOnPostgres, PurgeErasesAPastYearAndKeepsItsStatistics) {
  purge_erases_a_past_year_and_keeps_its_statistics();
}

TEST_F(PrivacyTest, PurgeInBatchesErasesEachOnce) { purge_in_batches_erases_each_once(); }
TEST_F(PrivacyOnPostgres, PurgeInBatchesErasesEachOnce) { purge_in_batches_erases_each_once(); }

TEST_F(PrivacyTest, SubjectAccessHoldsThatStudentOnly) { subject_access_holds_that_student_only(); }
TEST_F(PrivacyOnPostgres, SubjectAccessHoldsThatStudentOnly) {
  subject_access_holds_that_student_only();
}

TEST_F(PrivacyTest, ErasureWaitsForTheRunningInternship) {
  erasure_waits_for_the_running_internship();
}
TEST_F(PrivacyOnPostgres, ErasureWaitsForTheRunningInternship) {
  erasure_waits_for_the_running_internship();
}

// A school year ends on 31 August, or later when one of its calendars says so (CVO 2024-2025
// matches for the period September - December 2025).
TEST_F(PrivacyTest, ASchoolYearEndsWhenItsCalendarsAreDone) {
  EXPECT_EQ(Privacy::school_year_end(*defs_, "2024-2025"), local("2026-01-01 00:00"));
  EXPECT_EQ(Privacy::school_year_end(*defs_, "2023-2024"), local("2024-09-01 00:00"));
}

// The daily work (the retention purge) runs once per day, on one of two instances.
TEST_F(PrivacyTest, TheDailyWorkRunsOnceADayOnOneInstance) {
  Scheduler a(
      *store_, *store_, *mail_, [this] { return defs_; }, *clock_);
  Scheduler b(
      *store_, *store_, *mail_, [this] { return defs_; }, *clock_);
  int runs = 0;
  a.set_daily_work([&runs] { ++runs; });
  b.set_daily_work([&runs] { ++runs; });
  a.run_due();
  b.run_due();
  a.run_due();
  EXPECT_EQ(runs, 1);
  ASSERT_TRUE(clock_->set(clock_->now() + std::chrono::hours{24}));
  b.run_due();
  a.run_due();
  EXPECT_EQ(runs, 2);
}

// The privacy page's text comes from configuration, escaped like every text, says how long
// data is kept, and every page's footer links it.
TEST_F(PrivacyTest, ThePrivacyPageComesFromConfigurationAndEveryFooterLinksIt) {
  PrivacySettings settings;
  settings.retention_years = 3;
  settings.policy_text = "# Onze belofte\n\nWe bewaren <weinig>\ngegevens.\n\n# Wie\nVIVO.";
  engine_->privacy.configure(settings);
  HttpResponse page = get("/privacy");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_TRUE(contains(page.body, "<h1>Onze belofte</h1>")) << page.body;
  EXPECT_TRUE(contains(page.body, "<h2>Wie</h2>")) << page.body;
  EXPECT_TRUE(contains(page.body, "<p>We bewaren &lt;weinig&gt; gegevens.</p>")) << page.body;
  EXPECT_TRUE(contains(page.body, "3 jaar na het einde van het"));
  for (const char* where : {"/login", "/privacy"})
    EXPECT_TRUE(contains(get(where).body, "<a href=\"/privacy\">")) << where;
  EXPECT_TRUE(contains(get("/admin", "admin").body, "<a href=\"/privacy\">"));
  EXPECT_TRUE(contains(get("/admin/privacy", "admin").body, "Gegevens opvragen"));
}

}  // namespace
}  // namespace stagematch

// The sector fund's helpdesk pages in process (the Pages fixture of pages_support.hpp): the
// search over every track and school year (name, national register number whatever its
// punctuation, track, year, school), one request's full history (each service's status and
// counts, every audit line and reveal, with who did it), an undone acceptance mailed to the
// service and the school with its reason and the personal fields gone from the former service's
// page, and a student marked stopped by the admin with a reason. Only the admin gets them.
#include "pages_support.hpp"

namespace stagematch {
namespace {

using namespace testing;  // stagematch::testing: the Pages fixture and its helpers

// Another valid national register number than kNationalNumber (checksum 97 - n mod 97).
constexpr const char* kOtherNumber = "79010112358";
constexpr const char* kOtherNumberTyped = "79.01.01-123.58";

class AdminHelpdeskPages : public Pages {
 protected:
  // A second student of the same school with another national register number.
  Id register_other(const std::string& last_name) {
    auto form = student_form(last_name);
    for (auto& [key, value] : form)
      if (key == "national_number") value = kOtherNumber;
    HttpResponse res = post("/school/secundair/nieuw", form, "school");
    EXPECT_EQ(res.status, 303) << res.body;
    auto found = matching_->search_requests(admin_actor(), SearchInput{last_name, "", "", "", {}});
    EXPECT_TRUE(found && found->items.size() == 1);
    return found && !found->items.empty() ? found->items.front()["id"].as_int() : 0;
  }

  std::string detail_of(Id id) { return "/admin/aanvraag/" + std::to_string(id); }

  // The newest mail in the outbox to `who`'s address.
  OutboxMail newest_mail_to(const std::string& who) {
    OutboxMail newest;
    for (const auto& m : store_->outbox(1000))
      if (m.to_address == email_of(who) && m.id > newest.id) newest = m;
    return newest;
  }
};

TEST_F(AdminHelpdeskPages, SearchFindsAStudentByNationalNumberWhateverItsPunctuation) {
  Id wanted = register_other("Gezocht");
  Id other = register_student("Anderen");

  HttpResponse empty = get("/admin/zoeken", "admin");
  ASSERT_EQ(empty.status, 200);
  expect_accessible_page(empty.body, "/admin/zoeken");
  EXPECT_TRUE(contains(empty.body, "Vul minstens één zoekterm in."));
  EXPECT_FALSE(contains(empty.body, "Gezocht"));
  EXPECT_TRUE(contains(empty.body, "<a href=\"/admin/zoeken\" aria-current=\"page\">Zoeken</a>"))
      << "in the admin's menu";

  // The form is posted (with the session's token): the number never stands in an address.
  const std::string form = between(empty.body, "aria-label=\"Aanvragen zoeken\">", "</form>");
  EXPECT_TRUE(contains(empty.body, "<form method=\"post\" action=\"/admin/zoeken\""));
  EXPECT_TRUE(contains(form, "name=\"_csrf\" value=\"" + browser("admin").csrf + "\""));
  EXPECT_EQ(post("/admin/zoeken", {{"rijksregisternummer", kOtherNumber}}, "admin", false).status,
            403);
  // A number in an address is not searched on.
  EXPECT_FALSE(
      contains(get("/admin/zoeken?rijksregisternummer=" + std::string(kOtherNumber), "admin").body,
               "Gezocht"));
  for (const std::string& typed : {std::string(kOtherNumber), std::string(kOtherNumberTyped)}) {
    HttpResponse found = post("/admin/zoeken", {{"rijksregisternummer", typed}}, "admin");
    ASSERT_EQ(found.status, 200) << typed;
    expect_accessible_page(found.body, "search results");
    EXPECT_TRUE(contains(found.body, "Resultaten <span class=\"count\">(1)</span>")) << typed;
    EXPECT_TRUE(contains(found.body, "href=\"" + detail_of(wanted) + "\"")) << typed;
    EXPECT_FALSE(contains(found.body, "Anderen")) << typed;
    // What was typed stays in the field.
    EXPECT_TRUE(contains(found.body, "value=\"" + typed + "\"")) << typed;
  }

  // Too few digits: the error next to the field, nothing searched.
  HttpResponse wrong = post("/admin/zoeken", {{"rijksregisternummer", "79.01.01"}}, "admin");
  EXPECT_EQ(wrong.status, 422);
  expect_accessible_page(wrong.body, "search with a wrong number");
  EXPECT_TRUE(
      contains(between(wrong.body, "id=\"f-rijksregisternummer-fout\">", "</p>"), "11 cijfers"));
  EXPECT_FALSE(contains(wrong.body, "Gezocht"));

  // By name, track, school year and school, each result linking to its detail.
  HttpResponse by_name = get(
      "/admin/zoeken?naam=gezo&traject=secundair&jaar=2025-2026&school=" + std::to_string(school_),
      "admin");
  EXPECT_TRUE(contains(by_name.body, "href=\"" + detail_of(wanted) + "\""));
  EXPECT_FALSE(contains(by_name.body, "href=\"" + detail_of(other) + "\""));
  EXPECT_TRUE(contains(get("/admin/zoeken?traject=secundair", "admin").body,
                       "href=\"" + detail_of(other) + "\""));
  EXPECT_TRUE(
      contains(get("/admin/zoeken?traject=duaal", "admin").body, "Geen aanvragen gevonden."));
  EXPECT_TRUE(
      contains(get("/admin/zoeken?jaar=2024-2025", "admin").body, "Geen aanvragen gevonden."));

  // A school or a service never searches, by national number or at all.
  for (const char* who : {"school", "service_x"}) {
    for (const HttpResponse& refused :
         {post("/admin/zoeken", {{"rijksregisternummer", kOtherNumber}}, who),
          get("/admin/zoeken?naam=Gezocht", who)}) {
      EXPECT_EQ(refused.status, 403) << who;
      EXPECT_FALSE(contains(refused.body, "Gezocht")) << who;
    }
  }
}

TEST_F(AdminHelpdeskPages, TheDetailShowsEachServicesStatusCountsAndEveryAuditLineInOrder) {
  Id id = register_student("Verleden");
  ASSERT_EQ(matching_
                ->change_status(Actor{"service", 0, service_y_}, id,
                                StatusInput{"niet_aanvaard", {}, {}, "", ""})
                .has_value(),
            true);
  ASSERT_EQ(accept_as("service_x", id, mentor_x_).status, 303);
  ASSERT_EQ(get("/dienst/aanvraag/" + std::to_string(id), "service_x").status, 200);  // a reveal

  HttpResponse page = get(detail_of(id), "admin");
  ASSERT_EQ(page.status, 200);
  expect_accessible_page(page.body, "detail with history");
  const std::string history = between(page.body, "id=\"geschiedenis-titel\"", "</section>");
  ASSERT_FALSE(history.empty()) << page.body;
  const std::string statuses = between(history, "Status per dienst</h3>", "</table>");
  EXPECT_TRUE(contains(statuses,
                       "<th scope=\"row\" data-label=\"Dienst\">Thuiszorg Antwerpen</th>"
                       "<td data-label=\"Huidige status\">Aanvaard</td>"))
      << statuses;
  EXPECT_TRUE(contains(statuses,
                       "<th scope=\"row\" data-label=\"Dienst\">Zorg aan huis Noord</th>"
                       "<td data-label=\"Huidige status\">Niet aanvaard</td>"));
  EXPECT_TRUE(contains(statuses, "Aanvaard: 1 keer"));
  EXPECT_TRUE(contains(statuses, "Niet aanvaard: 1 keer"));

  // Every line, oldest first, with the organisation and the user's address.
  const std::string log = between(history, "Auditlog van deze aanvraag</h3>", "</table>");
  const auto registered = log.find("<code>request.register</code>");
  const auto declined = log.find("<code>status.change</code>");
  const auto revealed = log.find("<code>request.reveal</code>");
  ASSERT_NE(registered, std::string::npos) << log;
  ASSERT_NE(revealed, std::string::npos) << log;
  EXPECT_LT(registered, declined);
  EXPECT_LT(declined, revealed);
  EXPECT_EQ(count_of(log, "<code>status.change</code>"), 2u);
  const std::string reveal_row = log.substr(log.rfind("<tr>", revealed));
  EXPECT_TRUE(
      contains(reveal_row.substr(0, reveal_row.find("</tr>")),
               "Thuiszorg Antwerpen</td><td data-label=\"Gebruiker\">" + email_of("service_x")));
  EXPECT_TRUE(
      contains(log, "Sint-Jozef Antwerpen</td><td data-label=\"Gebruiker\">" + email_of("school")));
}

TEST_F(AdminHelpdeskPages, AnUndoIsMailedToBothWithTheReasonAndHidesThePersonalFieldsAgain) {
  matching_->set_notices(*mail_, *store_);
  Id id = register_student("Teruggedraaid");
  ASSERT_EQ(accept_as("service_x", id, mentor_x_).status, 303);
  const std::string service_page = "/dienst/aanvraag/" + std::to_string(id);
  ASSERT_TRUE(contains(get(service_page, "service_x").body, kStudentPhone));
  const OutboxMail before_service = newest_mail_to("service_x");
  const OutboxMail before_school = newest_mail_to("school");

  HttpResponse missing = post(detail_of(id) + "/ongedaan", {{"reason", ""}}, "admin");
  EXPECT_EQ(missing.status, 422);
  EXPECT_TRUE(contains(missing.body, "Geef een reden op."));
  EXPECT_EQ(newest_mail_to("service_x").id, before_service.id);

  const std::string reason = "Dubbel ingeschreven door de school.";
  HttpResponse undone = post(detail_of(id) + "/ongedaan", {{"reason", reason}}, "admin");
  ASSERT_EQ(undone.status, 303) << undone.body;
  EXPECT_TRUE(contains(get(header_of(undone, "Location"), "admin").body,
                       "de dienst en de school krijgen een mail"));
  const OutboxMail to_service = newest_mail_to("service_x");
  const OutboxMail to_school = newest_mail_to("school");
  ASSERT_GT(to_service.id, before_service.id);
  ASSERT_GT(to_school.id, before_school.id);
  for (const OutboxMail* m : {&to_service, &to_school}) {
    EXPECT_TRUE(contains(m->subject, "Lotte Teruggedraaid")) << m->subject;
    EXPECT_TRUE(contains(m->body_text, reason)) << m->body_text;
    EXPECT_TRUE(contains(m->body_html, reason));
    EXPECT_FALSE(contains(m->body_text, kNationalNumber));
  }

  // The former service's page (and its accepted list) no longer holds any personal field.
  HttpResponse after = get(service_page, "service_x");
  ASSERT_EQ(after.status, 200);
  for (const char* secret :
       {kNationalNumber, kStudentPhone, kStudentEmail, kContactPhone, kContactEmail})
    EXPECT_FALSE(contains(after.body, secret)) << secret;
  EXPECT_FALSE(contains(get("/dienst/secundair?tab=aanvaard", "service_x").body, "Teruggedraaid"));
  // The history keeps that it saw them, and the undo with its reason.
  const std::string history = get(detail_of(id), "admin").body;
  EXPECT_TRUE(contains(history, "<td data-label=\"Persoonsgegevens ooit getoond\">ja</td>"));
  EXPECT_TRUE(contains(history, reason));
}

TEST_F(AdminHelpdeskPages, TheAdminMarksAStudentStoppedWithAReasonButNotAnAcceptedOne) {
  Id id = register_student("Gestopte");
  const std::string page = detail_of(id);
  HttpResponse before = get(page, "admin");
  const std::string form = between(before.body, "id=\"gestopt-titel\"", "</section>");
  ASSERT_TRUE(contains(form, "action=\"" + page + "/gestopt\"")) << before.body;
  EXPECT_TRUE(contains(form, "name=\"_csrf\" value=\"" + browser("admin").csrf + "\""));
  EXPECT_TRUE(contains(form, "<label for=\"f-reason\">Reden"));
  ASSERT_TRUE(contains(get("/dienst/secundair", "service_y").body, "Gestopte"));

  EXPECT_EQ(post(page + "/gestopt", {{"reason", "Zonder token"}}, "admin", false).status, 403);
  HttpResponse missing = post(page + "/gestopt", {{"reason", "  "}}, "admin");
  EXPECT_EQ(missing.status, 422);
  expect_accessible_page(missing.body, "stop without a reason");
  EXPECT_TRUE(
      contains(between(missing.body, "id=\"f-reason-fout\">", "</p>"), "Geef een reden op."));
  EXPECT_TRUE(contains(missing.body, "De student werd niet als gestopt gemarkeerd."));
  for (const char* who : {"school", "service_x"})
    EXPECT_EQ(post(page + "/gestopt", {{"reason", "Graag"}}, who).status, 403) << who;
  EXPECT_TRUE(contains(get("/dienst/secundair", "service_y").body, "Gestopte"));

  const std::string reason = "De school meldt dat de student de opleiding stopzette.";
  HttpResponse stopped = post(page + "/gestopt", {{"reason", reason}}, "admin");
  ASSERT_EQ(stopped.status, 303) << stopped.body;
  EXPECT_EQ(header_of(stopped, "Location"), page + "?gestopt=1");
  HttpResponse after = get(header_of(stopped, "Location"), "admin");
  EXPECT_TRUE(contains(after.body, "De student is als gestopt gemarkeerd"));
  EXPECT_TRUE(contains(after.body, ">Gestopt</span>"));
  EXPECT_FALSE(contains(after.body, "id=\"gestopt-titel\""));
  EXPECT_TRUE(contains(after.body, reason)) << "the reason is in the request's audit lines";
  EXPECT_FALSE(contains(get("/dienst/secundair", "service_y").body, "Gestopte"));
  EXPECT_EQ(get("/dienst/aanvraag/" + std::to_string(id), "service_y").status, 404);

  // An accepted student: no stop form, a pointer to the undo, and a refusal if posted anyway.
  Id taken = register_student("Geplaatst");
  ASSERT_EQ(accept_as("service_x", taken, mentor_x_).status, 303);
  HttpResponse accepted = get(detail_of(taken), "admin");
  EXPECT_FALSE(contains(accepted.body, "id=\"gestopt-titel\""));
  EXPECT_TRUE(contains(accepted.body, "Maak eerst de aanvaarding ongedaan"));
  HttpResponse refused =
      post(detail_of(taken) + "/gestopt", {{"reason", "Stage gaat niet door."}}, "admin");
  EXPECT_EQ(refused.status, 409);
  expect_accessible_page(refused.body, "refused stop");
  EXPECT_TRUE(contains(refused.body, "maak eerst de aanvaarding ongedaan"));
  EXPECT_TRUE(contains(get("/dienst/secundair?tab=aanvaard", "service_x").body, "Geplaatst"));
}

}  // namespace
}  // namespace stagematch

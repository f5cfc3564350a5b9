// The HTML pages in process: the real App, Accounts, MailTemplates and Matching over the shipped
// definitions and the SQL store on a fresh SQLite file. Requests go through App::handle the way
// a browser sends them: a session cookie from POST /login, forms url-encoded (the calendar
// upload as multipart/form-data) with the `_csrf` field read from the page, and before a
// session the form cookie that the public account pages set. Covers every page for its role,
// anonymous and wrong-role visits, the generated registration form (errors next to the field,
// typed values kept), the service's filters and the accept form, personal data absent from a
// service's HTML until it accepts, escaping, CSRF (session and pre-session), the calendar
// upload, and the static files.
#include "pages_support.hpp"

namespace stagematch {
namespace {

using namespace testing;  // stagematch::testing: the Pages fixture and its helpers

TEST_F(Pages, EveryPageAnswersItsRoleWithAnAccessibleDutchPage) {
  Id id = register_student("Peeters");
  std::vector<std::pair<std::string, std::vector<std::string>>> pages = {
      {"school",
       {"/school/contactpersonen", "/school/contactpersonen/" + std::to_string(contact_),
        "/school/secundair", "/school/duaal", "/school/secundair/nieuw", "/school/duaal/nieuw",
        "/school/cvo/nieuw", "/school/aanvraag/" + std::to_string(id)}},
      {"service_x",
       {"/dienst/secundair", "/dienst/secundair?tab=aanvaard", "/dienst/duaal", "/dienst/cvo",
        "/dienst/contactpersonen", "/dienst/contactpersonen/" + std::to_string(mentor_x_),
        "/dienst/aanvraag/" + std::to_string(id)}},
      {"admin",
       {"/admin", "/admin/organisaties", "/admin/uitnodigingen", "/admin/kalenders", "/admin/audit",
        "/admin/mails", "/admin/aanvragen/secundair", "/admin/aanvragen/duaal?tab=aanvaard",
        "/admin/aanvraag/" + std::to_string(id)}},
  };
  for (const auto& [who, targets] : pages)
    for (const auto& target : targets) {
      HttpResponse res = get(target, who);
      EXPECT_EQ(res.status, 200) << who << " " << target << "\n" << res.body.substr(0, 2000);
      EXPECT_EQ(res.content_type, "text/html; charset=utf-8");
      expect_accessible_page(res.body, who + " " + target);
    }
  for (const std::string target : {"/login", "/login?reden=replaced", "/wachtwoord-vergeten",
                                   "/activeren?token=abc", "/wachtwoord-herstellen?token=abc"}) {
    HttpResponse res = get(target);
    EXPECT_EQ(res.status, 200) << target;
    expect_accessible_page(res.body, target);
  }
  // Both password fields hide what is typed, the repeated one too.
  for (const std::string target : {"/activeren?token=abc", "/wachtwoord-herstellen?token=abc"}) {
    HttpResponse res = get(target);
    EXPECT_TRUE(contains(res.body, "name=\"password\" type=\"password\"")) << target;
    EXPECT_TRUE(contains(res.body, "name=\"password2\" type=\"password\"")) << target;
  }
  EXPECT_EQ(header_of(get("/", "school"), "Location"), "/school/cvo");  // its first track
  EXPECT_EQ(header_of(get("/", "service_x"), "Location"), "/dienst/cvo");
  EXPECT_EQ(header_of(get("/", "admin"), "Location"), "/admin");
}

TEST_F(Pages, AnonymousVisitorsAreSentToLoginAndOtherRolesAreRefused) {
  for (const std::string target :
       {"/", "/school/secundair", "/school/secundair/nieuw", "/dienst/secundair",
        "/dienst/aanvraag/1", "/admin", "/admin/kalenders", "/admin/mails"}) {
    HttpResponse res = get(target);
    EXPECT_EQ(res.status, 303) << target;
    EXPECT_EQ(header_of(res, "Location"), "/login") << target;
  }
  EXPECT_EQ(get("/admin", "school").status, 403);
  EXPECT_EQ(get("/school/secundair", "service_x").status, 403);
  EXPECT_EQ(get("/dienst/secundair", "admin").status, 403);
  // A track the school may not register in, and a request of nobody, are simply not there.
  Id other = org("school", "Atheneum Hasselt", {}, {"secundair"});
  (void)other;
  EXPECT_EQ(get("/school/onbestaand", "school").status, 404);
  EXPECT_EQ(get("/school/aanvraag/999999", "school").status, 404);
  EXPECT_EQ(get("/dienst/aanvraag/999999", "service_x").status, 404);
}

TEST_F(Pages, ReplacedSessionIsToldWhyAtLogin) {
  Browser first = log_in("school");
  Browser second = log_in("school");
  HttpResponse res = send("GET", "/school/secundair", "", &first);
  ASSERT_EQ(res.status, 303);
  EXPECT_EQ(header_of(res, "Location"), "/login?reden=replaced");
  HttpResponse login = get("/login?reden=replaced");
  EXPECT_TRUE(contains(login.body, "elders met dit account werd aangemeld"));
  EXPECT_EQ(send("GET", "/school/secundair", "", &second).status, 200);
}

TEST_F(Pages, LoginWithANotActivatedAddressOffersANewActivationLink) {
  ASSERT_TRUE(accounts_->invite(admin_actor(), email_of("nieuw"), "school", school_));
  std::size_t mails_before = queued_mails();
  Browser visiting = visitor("/login");
  HttpResponse res = post_form(visiting, "/login",
                               {{"email", email_of("nieuw")}, {"password", "om-het-even-wat"}});
  EXPECT_EQ(res.status, 403);
  ASSERT_TRUE(contains(res.body, "action=\"/activatielink\""));
  EXPECT_TRUE(contains(res.body, "value=\"" + email_of("nieuw") + "\""));
  // The "new activation link" form on that page carries the same token, and works.
  EXPECT_EQ(csrf_field(res.body.substr(res.body.find("action=\"/activatielink\""))),
            visiting.form_csrf);
  HttpResponse resent = post_form(visiting, "/activatielink", {{"email", email_of("nieuw")}});
  EXPECT_EQ(resent.status, 200);
  EXPECT_EQ(queued_mails(), mails_before + 1);

  // The link from the mail: a password form, then a log-in.
  std::string token = mailed_token(email_of("nieuw"));
  const std::string link = "/activeren?token=" + token;
  HttpResponse form = get(link);
  EXPECT_TRUE(contains(form.body, "name=\"token\" value=\"" + token + "\""));
  HttpResponse mismatch =
      post_form(visitor(link), "/activeren",
                {{"token", token}, {"password", kPassword}, {"password2", "iets-anders-dan"}});
  EXPECT_EQ(mismatch.status, 422);
  EXPECT_TRUE(contains(mismatch.body, "niet gelijk"));
  HttpResponse done =
      post_form(visitor(link), "/activeren",
                {{"token", token}, {"password", kPassword}, {"password2", kPassword}});
  EXPECT_EQ(done.status, 303);
  EXPECT_EQ(header_of(done, "Location"), "/login?geactiveerd=1");
  HttpResponse again =
      post_form(visitor(link), "/activeren",
                {{"token", token}, {"password", kPassword}, {"password2", kPassword}});
  EXPECT_EQ(again.status, 410);
  EXPECT_EQ(post_form(visitor(), "/login", {{"email", email_of("nieuw")}, {"password", kPassword}})
                .status,
            303);

  HttpResponse wrong = post_form(visitor(), "/login",
                                 {{"email", email_of("school")}, {"password", "fout-wachtwoord"}});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_TRUE(contains(wrong.body, "value=\"" + email_of("school") + "\""));
}

TEST_F(Pages, RegistrationFormWithAnErrorComesBackWithWhatWasTypedAndTheErrorNextToTheField) {
  auto fields = student_form("Janssens");
  for (auto& [k, v] : fields) {
    if (k == "first_name") v = "Zoë";
    if (k == "national_number") v = "12345678901";
    if (k == "periods.2.end") v = "2026-01-01";  // before its start
  }
  HttpResponse res = post("/school/secundair/nieuw", fields, "school");
  ASSERT_EQ(res.status, 422) << res.body;
  expect_accessible_page(res.body, "form with errors");
  EXPECT_TRUE(contains(res.body, "value=\"Zoë\""));
  EXPECT_TRUE(contains(res.body, "value=\"12345678901\""));
  EXPECT_TRUE(contains(res.body, "value=\"2026-02-02\""));
  EXPECT_TRUE(contains(res.body, "value=\"fiets\" checked"));
  EXPECT_TRUE(contains(res.body, "<option value=\"" + std::to_string(contact_) + "\" selected>"));
  // The message sits next to its field and the field points at it.
  EXPECT_TRUE(contains(res.body, "<p class=\"field-error\" id=\"f-national-number-fout\">"));
  std::regex described(R"(<input id="f-national-number"[^>]*)"
                       R"(aria-describedby="[^"]*f-national-number-fout"[^>]*aria-invalid="true")");
  EXPECT_TRUE(std::regex_search(res.body, described));
  EXPECT_TRUE(contains(res.body, "id=\"f-periods-fout\""));
  EXPECT_TRUE(contains(res.body, "href=\"#f-national-number\""));  // the summary links to it
  auto list = matching_->list_requests(Actor{"school", 0, school_}, "secundair", ListInput{});
  ASSERT_TRUE(list);
  EXPECT_EQ(list->total, 0);

  HttpResponse ok = post("/school/secundair/nieuw", student_form("Janssens"), "school");
  ASSERT_EQ(ok.status, 303) << ok.body;
  EXPECT_EQ(header_of(ok, "Location"), "/school/secundair?ingeschreven=1");
  HttpResponse overview = get("/school/secundair?ingeschreven=1", "school");
  EXPECT_TRUE(contains(overview.body, "Lotte Janssens"));
  EXPECT_TRUE(contains(overview.body, "De student werd ingeschreven."));

  auto next = student_form("Claes");
  next.back().second = "volgende";
  EXPECT_EQ(header_of(post("/school/secundair/nieuw", next, "school"), "Location"),
            "/school/secundair/nieuw?ingeschreven=1");
}

TEST_F(Pages, TheFormIsGeneratedFromTheTrackFields) {
  HttpResponse duaal = get("/school/duaal/nieuw", "school");
  ASSERT_EQ(duaal.status, 200);
  EXPECT_TRUE(contains(duaal.body, "Welke dagen"));  // duaal's own field
  EXPECT_TRUE(contains(duaal.body, "name=\"weekdays\" value=\"wo\""));
  HttpResponse secundair = get("/school/secundair/nieuw", "school");
  EXPECT_FALSE(contains(secundair.body, "Welke dagen"));
  for (int n = 1; n <= 4; ++n)
    EXPECT_TRUE(contains(secundair.body, "name=\"periods." + std::to_string(n) + ".start\""));
  EXPECT_TRUE(contains(secundair.body, "<option value=\"" + std::to_string(service_x_) +
                                           "\">Thuiszorg Antwerpen</option>"));
}

// The help texts of the manuals (SPEC.md, December 2026), each under its field and tied to it.
TEST_F(Pages, TheFormShowsTheManualsHelpTexts) {
  const std::string secundair = get("/school/secundair/nieuw", "school").body;
  const std::string cvo = get("/school/cvo/nieuw", "school").body;
  const std::string duaal = get("/school/duaal/nieuw", "school").body;
  const std::string df = get("/school/dubbele_finaliteit/nieuw", "school").body;
  // The help of field `id` on `page`, when the field's control points at it.
  auto help_of = [](const std::string& page, const std::string& id) {
    if (!std::regex_search(page, std::regex("aria-describedby=\"[^\"]*" + id + "-hulp")))
      return std::string();
    return between(page, "id=\"" + id + "-hulp\">", "</p>");
  };
  for (const std::string* page : {&secundair, &cvo, &duaal, &df}) {
    for (const char* id : {"f-phone", "f-email"})
      EXPECT_TRUE(contains(help_of(*page, id),
                           "Telefoon en e-mail worden enkel gedeeld met de dienst die de leerling "
                           "aanvaardt of uitnodigt."))
          << id;
    const std::string transport = help_of(*page, "f-transport");
    EXPECT_TRUE(contains(transport, "Geef zoveel mogelijk vervoersmiddelen in"));
    EXPECT_TRUE(contains(transport, "openbaar vervoer in sommige regio&apos;s niet haalbaar"))
        << transport;
    EXPECT_TRUE(contains(transport, "een fiets (of e-step) het minimum"));
    EXPECT_TRUE(contains(help_of(*page, "f-remarks"),
                         "Elke dienst die de aanvraag ziet, leest deze opmerkingen: schrijf enkel "
                         "wat een dienst nodig heeft om te beslissen."));
    EXPECT_TRUE(contains(help_of(*page, "f-national-number"), "enkel zichtbaar voor een dienst"));
  }
  // CVO: the province is where the internship is wanted, and decides who sees the student.
  const std::string cvo_hint =
      "Kies de provincie waar de cursist stage wil lopen. Enkel de diensten die in die provincie "
      "actief zijn zien de aanvraag.";
  EXPECT_TRUE(contains(help_of(cvo, "f-province"), cvo_hint)) << help_of(cvo, "f-province");
  for (const std::string* page : {&secundair, &duaal, &df}) {
    EXPECT_FALSE(contains(*page, "waar de cursist stage wil lopen"));
    EXPECT_TRUE(contains(help_of(*page, "f-province"), "Antwerpen 2000-2999"));
  }
  // Dubbele finaliteit: who may be registered, on that track's form only.
  const std::string entitled =
      "Enkel leerlingen van het 6de jaar dubbele finaliteit gezondheidszorg worden in\n  dit "
      "traject ingeschreven.";
  EXPECT_TRUE(contains(df, entitled)) << df.substr(0, 3000);
  for (const std::string* page : {&secundair, &cvo, &duaal})
    EXPECT_FALSE(contains(*page, "Enkel leerlingen van het 6de jaar"));
}

// The helpdesk and the information page come from the serve options.
TEST_F(Pages, TheFooterShowsTheConfiguredHelpdesk) {
  services_->helpdesk = Helpdesk{"hulp@sectorfonds.test", "09/123 45 67", "elke werkdag, 9u-17u",
                                 "https://sectorfonds.test/stages?x=1&y=2"};
  for (const std::string target : {"/login", "/wachtwoord-vergeten"}) {
    const std::string footer =
        between(get(target).body, "<footer class=\"site-footer\">", "</footer>");
    EXPECT_TRUE(
        contains(footer, "<a href=\"mailto:hulp@sectorfonds.test\">hulp@sectorfonds.test</a>"))
        << footer;
    EXPECT_TRUE(contains(footer, "09/123 45 67"));
    EXPECT_TRUE(contains(footer, "bereikbaar op elke werkdag, 9u-17u"));
    EXPECT_TRUE(contains(footer, "<a href=\"https://sectorfonds.test/stages?x=1&amp;y=2\">"));
    EXPECT_FALSE(contains(footer, "vivosocialprofit"));
  }
  const std::string school = get("/school/secundair", "school").body;
  EXPECT_TRUE(contains(school, "mailto:hulp@sectorfonds.test"));
  // Accounts are asked for at the same address.
  EXPECT_TRUE(contains(between(get("/login").body, "Nog geen account?", "</p>"),
                       "mailto:hulp@sectorfonds.test"));
}

TEST(Helpdesk, AnInformationPageOrAddressThatCannotBeLinkedIsRefused) {
  EXPECT_EQ(helpdesk_problem(Helpdesk{}), "");
  Helpdesk plain_http;
  plain_http.info_url = "http://intranet.test/stages";
  EXPECT_EQ(helpdesk_problem(plain_http), "");
  for (const char* url : {"javascript:alert(1)", "ftp://vivo.test/", "www.vivosocialprofit.org",
                          "https://", "https:///pad", "https://vivo.test/\"><b>", ""}) {
    Helpdesk h;
    h.info_url = url;
    EXPECT_TRUE(helpdesk_problem(h).starts_with("--info-url moet een http- of https-adres zijn"))
        << url;
  }
  Helpdesk no_address;
  no_address.email = "stages at vivo";
  EXPECT_TRUE(
      helpdesk_problem(no_address).starts_with("--helpdesk-email moet een e-mailadres zijn"));
}

// "Check daarbij zeker je SPAM" (the manuals): wherever a mail is promised.
TEST_F(Pages, LoginAndPasswordPagesSayToLookInTheSpamFolder) {
  const std::string spam = "map met ongewenste mail (spam)";
  EXPECT_TRUE(contains(get("/login").body, spam));
  EXPECT_TRUE(contains(get("/wachtwoord-vergeten").body, spam));
  ASSERT_TRUE(accounts_->invite(admin_actor(), email_of("nieuw"), "school", school_));
  Browser visiting = visitor("/login");
  HttpResponse not_activated = post_form(
      visiting, "/login", {{"email", email_of("nieuw")}, {"password", "om-het-even-wat"}});
  EXPECT_TRUE(contains(between(not_activated.body, "id=\"activatie-titel\"", "</section>"), spam));
  EXPECT_TRUE(contains(post_form(visiting, "/activatielink", {{"email", email_of("nieuw")}}).body,
                       "ongewenste mail (spam)"));
  EXPECT_TRUE(contains(post_form(visitor("/wachtwoord-vergeten"), "/wachtwoord-vergeten",
                                 {{"email", email_of("school")}})
                           .body,
                       "ongewenste mail (spam)"));
}

TEST_F(Pages, SchoolEditsDeletesOnlyWhenConfirmedAndMarksStopped) {
  Id id = register_student("Maes");
  const std::string base = "/school/aanvraag/" + std::to_string(id);
  auto edited = student_form("Maes-Peeters");
  edited.pop_back();
  HttpResponse saved = post(base, edited, "school");
  EXPECT_EQ(saved.status, 303) << saved.body;
  EXPECT_TRUE(contains(get(base, "school").body, "value=\"Maes-Peeters\""));

  HttpResponse unconfirmed = post(base + "/verwijderen", {}, "school");
  EXPECT_EQ(unconfirmed.status, 422);
  EXPECT_TRUE(contains(unconfirmed.body, "bevestig-verwijderen-fout"));
  HttpResponse stopped = post(base + "/gestopt", {{"bevestig", "ja"}}, "school");
  EXPECT_EQ(stopped.status, 303);
  EXPECT_TRUE(contains(get("/school/secundair", "school").body, "Gestopt"));

  Id wrong = register_student("Foutief");
  EXPECT_EQ(post("/school/aanvraag/" + std::to_string(wrong) + "/verwijderen", {{"bevestig", "ja"}},
                 "school")
                .status,
            303);
  EXPECT_EQ(get("/school/aanvraag/" + std::to_string(wrong), "school").status, 404);
}

TEST_F(Pages, ContactPersonsCanBeDeletedOnlyWhileUnlinked) {
  register_student("Wouters");
  HttpResponse linked =
      post("/school/contactpersonen/" + std::to_string(contact_) + "/verwijderen", {}, "school");
  EXPECT_EQ(linked.status, 409);
  EXPECT_TRUE(contains(linked.body, "Els Begeleider is nog gekoppeld aan een student"));
  HttpResponse free = post(
      "/school/contactpersonen/" + std::to_string(spare_contact_) + "/verwijderen", {}, "school");
  EXPECT_EQ(free.status, 303);

  HttpResponse invalid =
      post("/school/contactpersonen", {{"name", "Nieuwe"}, {"phone", "12"}, {"email", "geen-mail"}},
           "school");
  EXPECT_EQ(invalid.status, 422);
  EXPECT_TRUE(contains(invalid.body, "value=\"Nieuwe\""));
  EXPECT_TRUE(contains(invalid.body, "id=\"f-phone-fout\""));
  EXPECT_TRUE(contains(invalid.body, "id=\"f-email-fout\""));
  HttpResponse added = post(
      "/school/contactpersonen",
      {{"name", "Nieuwe"}, {"phone", "03 123 45 67"}, {"email", "nieuw@school.test"}}, "school");
  EXPECT_EQ(added.status, 303);
  EXPECT_TRUE(contains(get("/school/contactpersonen", "school").body, "nieuw@school.test"));
  // Another organisation's contact person does not exist for this school.
  EXPECT_EQ(get("/school/contactpersonen/" + std::to_string(mentor_x_), "school").status, 404);
  EXPECT_EQ(
      post("/dienst/contactpersonen/" + std::to_string(contact_) + "/verwijderen", {}, "service_x")
          .status,
      404);
}

// The pages and the JSON API record a contact person's edit under one action, contact.edit,
// and a refused edit changes neither the contact person nor the log.
TEST_F(Pages, AContactEditIsAuditedAsContactEditAndARefusedOneChangesNothing) {
  const std::string path = "/school/contactpersonen/" + std::to_string(spare_contact_);
  const std::size_t lines = store_->audit_log(100000).size();
  HttpResponse refused =
      post(path, {{"name", ""}, {"phone", "03 123 45 67"}, {"email", "geen-mail"}}, "school");
  EXPECT_EQ(refused.status, 422);
  EXPECT_TRUE(contains(refused.body, "id=\"f-email-fout\""));
  EXPECT_EQ(store_->audit_log(100000).size(), lines);
  const std::string before = store_->contact(spare_contact_)->name;

  HttpResponse saved = post(
      path, {{"name", "Hilde Nieuw"}, {"phone", "03 123 45 67"}, {"email", "hilde@school.test"}},
      "school");
  EXPECT_EQ(saved.status, 303) << saved.body;
  EXPECT_NE(before, "Hilde Nieuw");
  EXPECT_EQ(store_->contact(spare_contact_)->name, "Hilde Nieuw");
  auto log = store_->audit_log(1);
  ASSERT_EQ(log.size(), 1U);
  EXPECT_EQ(log[0].action, "contact.edit");
  EXPECT_EQ(log[0].object_type, "contact");
  EXPECT_EQ(log[0].object_id, spare_contact_);
  EXPECT_EQ(log[0].actor, "school:" + std::to_string(school_));
}

TEST_F(Pages, AServiceSeesNoPersonalDataBeforeAcceptingAndAllOfItAfter) {
  Id id = register_student("Verborgen");
  const std::string detail = "/dienst/aanvraag/" + std::to_string(id);
  const std::vector<std::string> hidden = {kNationalNumber, kStudentPhone, kStudentEmail,
                                           kContactPhone, kContactEmail};
  for (const std::string target : {"/dienst/secundair", detail.c_str()}) {
    HttpResponse res = get(target, "service_x");
    ASSERT_EQ(res.status, 200) << target;
    EXPECT_TRUE(contains(res.body, "Verborgen")) << target;
    for (const auto& secret : hidden)
      EXPECT_FALSE(contains(res.body, secret)) << target << ": " << secret;
  }
  EXPECT_TRUE(contains(get(detail, "service_x").body, "Pas vanaf de status Aanvaard zie je"));

  HttpResponse accepted = accept_as("service_x", id, mentor_x_);
  ASSERT_EQ(accepted.status, 303) << accepted.body;
  HttpResponse after = get(detail, "service_x");
  for (const auto& secret : hidden) EXPECT_TRUE(contains(after.body, secret)) << secret;
  EXPECT_TRUE(contains(after.body, "Aanvaard door je dienst"));
  EXPECT_TRUE(contains(get("/dienst/secundair?tab=aanvaard", "service_x").body, "Verborgen"));
  // The other service never saw them and no longer sees the student.
  EXPECT_EQ(get(detail, "service_y").status, 404);
  EXPECT_FALSE(contains(get("/dienst/secundair", "service_y").body, "Verborgen"));
}

TEST_F(Pages, TheAcceptFormNeedsMentorPeriodsAndNotesAndTheSlowerServiceIsTold) {
  Id id = register_student("Claes");
  const std::string detail = "/dienst/aanvraag/" + std::to_string(id);
  HttpResponse page = get(detail, "service_y");
  EXPECT_TRUE(contains(page.body, "van zodra je een student aanvaardt, kan dit niet meer"));
  EXPECT_TRUE(
      contains(page.body, "<option value=\"" + std::to_string(mentor_y_) + "\">Mentor Y</option>"));
  EXPECT_FALSE(contains(page.body, "Mentor X"));

  HttpResponse incomplete = post(detail + "/aanvaarden",
                                 {{"track", "secundair"},
                                  {"status", "aanvaard"},
                                  {"mentor_id", std::to_string(mentor_y_)},
                                  {"notes", "Welkom"}},
                                 "service_y");
  EXPECT_EQ(incomplete.status, 422);
  EXPECT_TRUE(contains(incomplete.body, "id=\"f-periods-fout\""));
  EXPECT_TRUE(contains(incomplete.body, "Welkom"));  // the notes typed stay

  ASSERT_EQ(accept_as("service_x", id, mentor_x_).status, 303);
  HttpResponse late = accept_as("service_y", id, mentor_y_);
  EXPECT_EQ(late.status, 409);
  EXPECT_TRUE(
      contains(late.body, "Deze student werd intussen al aanvaard door een andere dienst."));

  // The school now sees the answer and can no longer edit.
  HttpResponse school = get("/school/secundair", "school");
  EXPECT_TRUE(contains(school.body, "Thuiszorg Antwerpen"));
  EXPECT_TRUE(contains(school.body, "Start op maandag om 9 uur."));
  HttpResponse view = get("/school/aanvraag/" + std::to_string(id), "school");
  EXPECT_TRUE(contains(view.body, "Aanvaard door Thuiszorg Antwerpen"));
  EXPECT_FALSE(contains(view.body, "<form method=\"post\" action=\"/school/aanvraag/"));
}

TEST_F(Pages, StatusChoicesAreThoseTheWorkflowAllowsNow) {
  Id id = register_student("Status");
  const std::string detail = "/dienst/aanvraag/" + std::to_string(id);
  HttpResponse page = get(detail, "service_x");
  EXPECT_TRUE(contains(page.body, "name=\"status\" value=\"niet_aanvaard\""));
  EXPECT_FALSE(contains(page.body, "name=\"status\" value=\"onbeslist\""));
  HttpResponse set =
      post(detail + "/status", {{"track", "secundair"}, {"status", "niet_aanvaard"}}, "service_x");
  EXPECT_EQ(set.status, 303) << set.body;
  HttpResponse after = get(detail, "service_x");
  EXPECT_TRUE(contains(after.body, "<span class=\"badge\">Niet aanvaard</span>"));
  EXPECT_TRUE(contains(after.body, "name=\"status\" value=\"onbeslist\""));
  HttpResponse refused =
      post(detail + "/status", {{"track", "secundair"}, {"status", "niet_aanvaard"}}, "service_x");
  EXPECT_EQ(refused.status, 422);
  EXPECT_TRUE(contains(refused.body, "kan je niet naar"));
}

TEST_F(Pages, ServiceFiltersAndSortsThroughAGetForm) {
  register_student("Antwerps", "2018", "ANT");
  register_student("Limburgs", "3500", "LIM");
  register_student("Brugs", "8000", "WVL");
  HttpResponse all = get("/dienst/secundair", "service_x");
  EXPECT_TRUE(contains(all.body, "Antwerps") && contains(all.body, "Limburgs") &&
              contains(all.body, "Brugs"));
  HttpResponse lim = get("/dienst/secundair?provincie_LIM=1", "service_x");
  EXPECT_TRUE(contains(lim.body, "Limburgs"));
  EXPECT_FALSE(contains(lim.body, "Antwerps"));
  EXPECT_TRUE(contains(lim.body, "name=\"provincie_LIM\" value=\"1\" checked"));
  HttpResponse prefix = get("/dienst/secundair?postcode=20", "service_x");
  EXPECT_TRUE(contains(prefix.body, "Antwerps"));
  EXPECT_FALSE(contains(prefix.body, "Brugs"));
  HttpResponse za = get("/dienst/secundair?sorteer=naam-za", "service_x");
  EXPECT_LT(za.body.find("Limburgs"), za.body.find("Brugs"));
  EXPECT_LT(za.body.find("Brugs"), za.body.find("Antwerps"));
  EXPECT_TRUE(contains(za.body, "requests.csv?tab=open&amp;sort=-name"));
  HttpResponse none = get("/dienst/secundair?naam=Niemand", "service_x");
  EXPECT_TRUE(contains(none.body, "Nog geen studenten gevonden."));
}

// The filter form is kept between calls; a school the admin adds is offered at once, on the
// page of a filter combination kept before as well as on a new one.
TEST_F(Pages, TheSchoolFilterOffersASchoolAddedAfterThePageWasKept) {
  register_student("Antwerps", "2018", "ANT");
  EXPECT_FALSE(contains(get("/dienst/secundair", "service_x").body, "Nieuwe Schoolgemeenschap"));
  EXPECT_FALSE(
      contains(get("/dienst/secundair?postcode=20", "service_x").body, "Nieuwe Schoolgemeenschap"));
  HttpResponse created = post(
      "/admin/organisaties",
      {{"type", "school"}, {"name", "Nieuwe Schoolgemeenschap"}, {"tracks", "secundair"}}, "admin");
  ASSERT_EQ(created.status, 303) << created.body;
  for (const char* target :
       {"/dienst/secundair", "/dienst/secundair?postcode=20", "/dienst/secundair?sorteer=naam"}) {
    HttpResponse page = get(target, "service_x");
    EXPECT_TRUE(contains(page.body, ">Nieuwe Schoolgemeenschap</option>")) << target;
    EXPECT_TRUE(contains(page.body, "Antwerps")) << target;
  }
}

TEST_F(Pages, ServiceListShowsTheRegistrationDateItCanSortOn) {
  register_student("Vroeg");  // 20/09/2025 12:00
  ASSERT_TRUE(clock_->set(local("2025-09-22 09:30")));
  browsers_.clear();
  register_student("Laat");
  HttpResponse res = get("/dienst/secundair?sorteer=recent", "service_x");
  ASSERT_EQ(res.status, 200);
  EXPECT_TRUE(contains(res.body, "<th scope=\"col\">Ingeschreven op</th>")) << res.body;
  const std::string early =
      "<td data-label=\"Ingeschreven op\"><time datetime=\"2025-09-20T12:00:00+02:00\">"
      "20/09/2025 12:00</time></td>";
  const std::string late =
      "<td data-label=\"Ingeschreven op\"><time datetime=\"2025-09-22T09:30:00+02:00\">"
      "22/09/2025 09:30</time></td>";
  EXPECT_TRUE(contains(res.body, early)) << res.body;
  EXPECT_TRUE(contains(res.body, late)) << res.body;
  EXPECT_LT(res.body.find(late), res.body.find(early)) << "newest first";
  // The mobile cards: every column of the header has its label on each row's cell.
  std::string head = between(res.body, "<thead>", "</thead>");
  std::string row = between(between(res.body, "<tbody>", "</tbody>"), "<tr>", "</tr>");
  EXPECT_EQ(count_of(head, "<th scope=\"col\">"), count_of(row, "data-label=\""));
  static const std::regex column(R"(<th scope="col">([^<]+)</th>)");
  for (auto it = std::sregex_iterator(head.begin(), head.end(), column);
       it != std::sregex_iterator(); ++it)
    EXPECT_TRUE(contains(row, "data-label=\"" + std::string((*it)[1]) + "\""))
        << (*it)[1] << " has no cell label";
  EXPECT_TRUE(contains(get("/dienst/secundair?naam=Niemand", "service_x").body,
                       "<td colspan=\"9\">Nog geen studenten gevonden.</td>"));
}

TEST_F(Pages, AScriptInAStudentsNameIsShownAsText) {
  auto fields = student_form("<script>alert(1)</script>");
  ASSERT_EQ(post("/school/secundair/nieuw", fields, "school").status, 303);
  auto list = matching_->list_requests(Actor{"school", 0, school_}, "secundair", ListInput{});
  ASSERT_TRUE(list);
  ASSERT_EQ(list->items.size(), 1u);
  Id id = list->items[0]["id"].as_int();
  for (const auto& [who, target] : std::vector<std::pair<std::string, std::string>>{
           {"school", "/school/secundair"},
           {"school", "/school/aanvraag/" + std::to_string(id)},
           {"service_x", "/dienst/secundair"},
           {"service_x", "/dienst/aanvraag/" + std::to_string(id)}}) {
    HttpResponse res = get(target, who);
    EXPECT_FALSE(contains(res.body, "<script>alert")) << target;
    EXPECT_TRUE(contains(res.body, "&lt;script&gt;alert(1)&lt;/script&gt;")) << target;
  }
}

TEST_F(Pages, FormsWithoutTheCsrfTokenAreRefused) {
  EXPECT_EQ(post("/school/contactpersonen",
                 {{"name", "X"}, {"phone", "03 123 45 67"}, {"email", "x@x.test"}}, "school", false)
                .status,
            403);
  EXPECT_EQ(post("/school/secundair/nieuw", student_form("Zonder"), "school", false).status, 403);
  EXPECT_EQ(post("/afmelden", {}, "school", false).status, 403);
  // A person at a browser gets a page that says what happened, not JSON.
  HttpResponse refused = post("/afmelden", {}, "school", false);
  EXPECT_EQ(refused.content_type.rfind("text/html", 0), 0u) << refused.content_type;
  EXPECT_TRUE(contains(refused.body, "Laad de pagina opnieuw")) << refused.body;
  EXPECT_EQ(post("/admin/organisaties", {{"type", "school"}, {"name", "X"}}, "admin", false).status,
            403);
  EXPECT_TRUE(store_->contacts(school_).size() == 2u);
}

TEST_F(Pages, StaticFilesAreAWhitelist) {
  HttpResponse css = get("/static/app.css");
  EXPECT_EQ(css.status, 200);
  EXPECT_EQ(css.content_type, "text/css; charset=utf-8");
  EXPECT_TRUE(contains(css.body, "skip-link"));
  HttpResponse icon = get("/static/favicon.svg");
  EXPECT_EQ(icon.status, 200);
  EXPECT_EQ(icon.content_type, "image/svg+xml");
  EXPECT_EQ(get("/static/app.js").status, 404) << "the pages need no script";
  for (const std::string target :
       {"/static/../CMakeLists.txt", "/static/..", "/static/%2e%2e%2fapp.css",
        "/static/../templates/login.mustache", "/static/app.css/..", "/static/other.css",
        "/static/"})
    EXPECT_EQ(get(target).status, 404) << target;
}

TEST_F(Pages, LoggingOutEndsTheSession) {
  Browser b = log_in("school");
  HttpResponse out = send("POST", "/afmelden", form_body({{"_csrf", b.csrf}}), &b);
  EXPECT_EQ(out.status, 303);
  EXPECT_EQ(header_of(out, "Location"), "/login?reden=afgemeld");
  EXPECT_TRUE(contains(header_of(out, "Set-Cookie"), "Max-Age=0"));
  EXPECT_EQ(send("GET", "/school/secundair", "", &b).status, 303);
}

TEST_F(Pages, AdminCreatesOrganisationsAndInvites) {
  HttpResponse missing =
      post("/admin/organisaties", {{"type", "service"}, {"name", "Nieuwe dienst"}}, "admin");
  EXPECT_EQ(missing.status, 422);
  EXPECT_TRUE(contains(missing.body, "id=\"f-provinces-fout\""));
  EXPECT_TRUE(contains(missing.body, "value=\"Nieuwe dienst\""));
  HttpResponse created =
      post("/admin/organisaties",
           {{"type", "service"}, {"name", "Nieuwe dienst"}, {"provinces", "OVL"}}, "admin");
  EXPECT_EQ(created.status, 303);
  EXPECT_TRUE(contains(get("/admin/organisaties", "admin").body, "Nieuwe dienst"));

  HttpResponse wrong =
      post("/admin/uitnodigingen",
           {{"email", "x@dienst.test"}, {"role", "school"}, {"org_id", std::to_string(service_x_)}},
           "admin");
  EXPECT_EQ(wrong.status, 422);
  EXPECT_TRUE(contains(wrong.body, "id=\"f-org-id-fout\""));
  HttpResponse invited = post(
      "/admin/uitnodigingen",
      {{"email", "x@dienst.test"}, {"role", "service"}, {"org_id", std::to_string(service_x_)}},
      "admin");
  EXPECT_EQ(invited.status, 303) << invited.body;
  HttpResponse users = get("/admin/uitnodigingen", "admin");
  EXPECT_TRUE(contains(users.body, "x@dienst.test"));
  EXPECT_TRUE(contains(get("/admin/mails", "admin").body, "x@dienst.test"));
  EXPECT_TRUE(contains(get("/admin/audit", "admin").body, "org.create"));
}

TEST_F(Pages, AdminResendsADeadMail) {
  OutboxMail m;
  m.dedupe_key = "test/dood";
  m.to_address = "onbereikbaar@dienst.test";
  m.subject = "Ronde gestart";
  m.body_text = "tekst";
  ASSERT_TRUE(store_->claim_event("test/dood", clock_->now(), clock_->now(), {m}));
  // Everything queued so far is sent; the one test mail fails for good.
  Id dead = 0;
  for (const auto& c : store_->claim_mails(100, clock_->now(), std::chrono::seconds{60})) {
    if (c.to_address == m.to_address) {
      dead = c.id;
      store_->mark_dead(c.id, "550 mailbox unavailable");
    } else {
      store_->mark_sent(c.id, clock_->now());
    }
  }
  ASSERT_NE(dead, 0);
  HttpResponse page = get("/admin/mails", "admin");
  std::string action = "/admin/mails/" + std::to_string(dead) + "/opnieuw";
  EXPECT_TRUE(contains(page.body, action)) << page.body;
  EXPECT_EQ(post(action, {}, "admin", false).status, 403) << "resend needs the CSRF token";
  HttpResponse resent = post(action, {}, "admin");
  EXPECT_EQ(resent.status, 303);
  EXPECT_EQ(header_of(resent, "Location"), "/admin/mails?opnieuw=ok");
  auto again = store_->claim_mails(100, clock_->now(), std::chrono::seconds{60});
  ASSERT_EQ(again.size(), 1u) << "the dead mail is pending again";
  EXPECT_EQ(again[0].id, dead);
  EXPECT_EQ(post(action, {}, "admin").status, 303);
  EXPECT_TRUE(contains(get("/admin/audit", "admin").body, "mail.resend"));
}

TEST_F(Pages, AdminAuditLogNamesOrganisationsAndUsers) {
  register_student("Peeters");  // school:<id> with the school's user
  AuditEntry system;
  system.at = clock_->now();
  system.actor = "system";
  system.action = "round.open";
  system.object_type = "calendar";
  system.outcome = "ok";
  store_->append_audit(system);

  HttpResponse res = get("/admin/audit", "admin");
  ASSERT_EQ(res.status, 200);
  expect_accessible_page(res.body, "/admin/audit");
  // The school's registration: its name and its user's address.
  EXPECT_TRUE(contains(res.body,
                       "<td data-label=\"Wie\">Sint-Jozef Antwerpen</td>"
                       "<td data-label=\"Gebruiker\">school@stagematch.test</td>"))
      << res.body;
  // The admin's invitations (actor "user:<id>") and the admin made on the command line.
  EXPECT_TRUE(contains(res.body,
                       "<td data-label=\"Wie\">VIVO (beheerder)</td>"
                       "<td data-label=\"Gebruiker\">admin@stagematch.test</td>"))
      << res.body;
  EXPECT_TRUE(contains(res.body, "<td data-label=\"Wie\">Beheerder via de opdrachtregel</td>"))
      << res.body;
  EXPECT_TRUE(contains(res.body,
                       "<td data-label=\"Wie\">Systeem</td>"
                       "<td data-label=\"Gebruiker\">-</td>"))
      << res.body;
  // No raw actors or user ids left.
  EXPECT_FALSE(
      std::regex_search(res.body, std::regex(R"(data-label="Wie">(school|service|admin|user):)")))
      << res.body;
  EXPECT_FALSE(std::regex_search(res.body, std::regex(R"(data-label="Gebruiker">\d+<)")))
      << res.body;
}

TEST_F(Pages, AdminReadsAMailAsTextWithItsState) {
  OutboxMail m;
  m.dedupe_key = "test/lezen";
  m.to_address = "lezer@dienst.test";
  m.subject = "Ronde 3 gestart";
  m.body_text = "Beste dienst,\n\nRonde 3 is gestart: <b>kijk</b> & kies.\n";
  m.body_html = "<p onclick=\"steel()\">Ronde 3 is gestart</p><script>steel()</script>";
  ASSERT_TRUE(store_->claim_event("test/lezen", clock_->now(), clock_->now(), {m}));
  Id id = 0;
  for (const auto& queued : store_->outbox(100))
    if (queued.to_address == m.to_address) id = queued.id;
  ASSERT_NE(id, 0);
  const std::string target = "/admin/mails/" + std::to_string(id);

  EXPECT_TRUE(contains(get("/admin/mails", "admin").body, "href=\"" + target + "\""))
      << "each mail in the list links to its page";
  HttpResponse res = get(target, "admin");
  ASSERT_EQ(res.status, 200) << res.body;
  expect_accessible_page(res.body, target);
  EXPECT_TRUE(contains(res.body, "<dd>lezer@dienst.test</dd>"));
  EXPECT_TRUE(contains(res.body, "<h1>Ronde 3 gestart</h1>"));
  EXPECT_TRUE(contains(res.body, "<dd>Wacht op verzending</dd>"));
  EXPECT_TRUE(contains(res.body, "<dd>0</dd>")) << "no attempts yet";
  EXPECT_TRUE(contains(res.body,
                       "<pre class=\"mail-body\">Beste dienst,\n\nRonde 3 is gestart: "
                       "&lt;b&gt;kijk&lt;/b&gt; &amp; kies.\n</pre>"))
      << res.body;
  // The HTML version only as escaped source: nothing of it runs in the admin's page.
  EXPECT_FALSE(contains(res.body, "<script>steel"));
  EXPECT_FALSE(contains(res.body, "<p onclick"));
  EXPECT_TRUE(contains(res.body, "&lt;script&gt;steel()&lt;/script&gt;"));

  // A failed mail shows its error and can be sent again from its page.
  for (const auto& c : store_->claim_mails(100, clock_->now(), std::chrono::seconds{60}))
    if (c.id == id)
      store_->mark_dead(c.id, "550 mailbox unavailable");
    else
      store_->mark_sent(c.id, clock_->now());
  HttpResponse dead = get(target, "admin");
  EXPECT_TRUE(contains(dead.body, "<dd>550 mailbox unavailable</dd>")) << dead.body;
  EXPECT_TRUE(contains(dead.body, "action=\"" + target + "/opnieuw\""));

  // Like every admin page: only for admins, and a Dutch 404 for a mail that is not there.
  EXPECT_EQ(get(target, "school").status, 403);
  EXPECT_EQ(get(target, "service_x").status, 403);
  HttpResponse anonymous = get(target);
  EXPECT_EQ(anonymous.status, 303);
  EXPECT_EQ(header_of(anonymous, "Location"), "/login");
  HttpResponse missing = get("/admin/mails/999999", "admin");
  EXPECT_EQ(missing.status, 404);
  EXPECT_TRUE(contains(missing.body, "Mail niet gevonden")) << missing.body;
  expect_accessible_page(missing.body, "/admin/mails/999999");
  EXPECT_EQ(get("/admin/mails/abc", "admin").status, 404);
}

TEST_F(Pages, AdminDashboardCountsOpenAndAccepted) {
  Id accepted = register_student("Een");
  register_student("Twee");
  register_student("Drie");
  ASSERT_EQ(accept_as("service_x", accepted, mentor_x_).status, 303);
  HttpResponse res = get("/admin", "admin");
  ASSERT_EQ(res.status, 200);
  // The secundair totals row: 2 open, no invitations in this track, 1 accepted, 0 stopped, 3.
  EXPECT_TRUE(contains(
      res.body, "<th scope=\"row\">Totaal</th><td>2</td><td>-</td><td>1</td><td>0</td><td>3</td>"))
      << res.body;
  // Per round: all three registered, two of them still open, and the one accepted while
  // round 3 ran (from 19/09 12:00).
  EXPECT_TRUE(contains(
      res.body, "<td>19/09/2025 12:00 tot 30/09/2025 12:00</td><td>3</td><td>2</td><td>1</td>"))
      << res.body;
  EXPECT_TRUE(contains(
      res.body, "<td>05/09/2025 12:00 tot 19/09/2025 12:00</td><td>0</td><td>0</td><td>0</td>"))
      << res.body;
}

// An invitation shows a service the student's personal data; a service that invites 25 or
// more students within 24 hours is named on the dashboard (SPEC: every reveal is audited, an
// unusual number shows).
TEST_F(Pages, TheDashboardNamesAServiceThatInvitesUnusuallyMany) {
  dashboard_names_a_busy_inviter();
}

TEST_F(Pages, AdminDashboardCountsEveryRegistrationInExactlyOneRound) {
  // Secundair with a gap between round 3 (now until 25/09) and round 4 (from 30/09), like the
  // CVO calendar has between the services' windows.
  std::ifstream in(source_path("workflows/calendars/secundair/2025-2026.yaml"));
  std::stringstream text;
  text << in.rdbuf();
  std::string yaml = text.str();
  yaml.replace(yaml.find("closes: 2025-09-30 12:00"), 24, "closes: 2025-09-25 12:00");
  ASSERT_EQ(post("/admin/kalenders/publiceren", {{"yaml", yaml}}, "admin").status, 303);

  Id accepted = register_student("Binnen");  // 20/09, in round 3
  ASSERT_EQ(accept_as("service_x", accepted, mentor_x_).status, 303);
  // Between round 3 and round 4; the sessions went idle meanwhile.
  ASSERT_TRUE(clock_->set(local("2025-09-27 12:00")));
  browsers_.clear();
  register_student("Tussen");
  Id stopped = register_student("Gestopt");
  ASSERT_EQ(post("/school/aanvraag/" + std::to_string(stopped) + "/gestopt", {{"bevestig", "ja"}},
                 "school")
                .status,
            303);

  HttpResponse res = get("/admin", "admin");
  ASSERT_EQ(res.status, 200);
  std::string section =
      between(res.body, "<h2>Secundair onderwijs (7de jaar verzorgende-zorgkundige)", "</section>");
  ASSERT_FALSE(section.empty()) << res.body;
  EXPECT_FALSE(contains(section, "Voor de eerste ronde")) << "every request is in a round row";
  // The totals: 1 open, no invitations in this track, 1 accepted, 1 stopped, 3 in all.
  EXPECT_TRUE(contains(
      section, "<th scope=\"row\">Totaal</th><td>1</td><td>-</td><td>1</td><td>1</td><td>3</td>"))
      << section;

  // Each round row: its label, its window, then its numbers; the first is "Ingeschreven".
  static const std::regex round_row(
      R"(<tr><th scope="row">[^<]*</th><td>([^<]*)</td>((?:<td>\d+</td>)+)</tr>)");
  static const std::regex number(R"(<td>(\d+)</td>)");
  std::string rounds = between(section, "Per ronde", "</table>");
  std::map<std::string, std::vector<int>> by_window;  // registered, still open, accepted
  int registered = 0;
  for (auto it = std::sregex_iterator(rounds.begin(), rounds.end(), round_row);
       it != std::sregex_iterator(); ++it) {
    std::string cells = (*it)[2];
    std::vector<int>& numbers = by_window[(*it)[1]];
    for (auto n = std::sregex_iterator(cells.begin(), cells.end(), number);
         n != std::sregex_iterator(); ++n)
      numbers.push_back(std::stoi((*n)[1]));
    registered += numbers.front();
  }
  ASSERT_EQ(by_window.size(), 4u) << rounds;
  EXPECT_EQ(registered, 3) << "the round rows add up to the track's total\n" << rounds;
  // Round 3 holds the one registered and accepted in it; the two registered in the gap wait
  // for round 4: one still open, one stopped.
  EXPECT_EQ(by_window["19/09/2025 12:00 tot 25/09/2025 12:00"], (std::vector<int>{1, 0, 1}));
  EXPECT_EQ(by_window["30/09/2025 12:00 (blijft open)"], (std::vector<int>{2, 1, 0}));
  EXPECT_EQ(by_window["05/09/2025 12:00 tot 19/09/2025 12:00"], (std::vector<int>{0, 0, 0}));
}

TEST_F(Pages, AdminChecksShowsTheTimelineAndPublishesACalendar) {
  std::ifstream in(source_path("workflows/calendars/secundair/2025-2026.yaml"));
  std::stringstream text;
  text << in.rdbuf();
  std::string yaml = text.str();

  std::string broken = yaml;
  broken.replace(broken.find("kind: open\n"), 11, "kind: wide_open\n");
  HttpResponse refused = post("/admin/kalenders/controleren",
                              {{"yaml", broken}, {"bestandsnaam", "secundair.yaml"}}, "admin");
  EXPECT_EQ(refused.status, 422);
  EXPECT_TRUE(std::regex_search(refused.body, std::regex(R"(secundair\.yaml:\d+:\d+: error: )")))
      << refused.body;

  std::string changed = yaml;
  changed.replace(changed.find("closes: 2025-09-30 12:00"), 24, "closes: 2025-10-03 12:00");
  changed.replace(changed.find("opens: 2025-09-30 12:00"), 23, "opens: 2025-10-03 12:00");
  HttpResponse checked = post("/admin/kalenders/controleren", {{"yaml", changed}}, "admin");
  ASSERT_EQ(checked.status, 200) << checked.body;
  EXPECT_TRUE(contains(checked.body, "Tijdlijn"));
  EXPECT_TRUE(contains(checked.body, "03/10/2025 12:00"));
  EXPECT_TRUE(contains(checked.body, "action=\"/admin/kalenders/publiceren\""));
  EXPECT_EQ(defs_->calendar("secundair", "2025-2026")->rounds[2].window.closes,
            local("2025-09-30 12:00"));

  // A broken calendar sent to be published anyway is refused with each problem on its own
  // line, audited as refused, and nothing is kept: the active calendar stays.
  HttpResponse not_published =
      post("/admin/kalenders/publiceren", {{"yaml", broken}, {"bestandsnaam", "secundair.yaml"}},
           "admin");
  EXPECT_EQ(not_published.status, 422);
  EXPECT_TRUE(std::regex_search(
      not_published.body,
      std::regex(R"(<li><code>secundair\.yaml:\d+:\d+: error: [^<\n]*</code></li>)")))
      << not_published.body;
  EXPECT_TRUE(store_->stored_calendars().empty());
  EXPECT_EQ(store_->audit_log(1)[0].outcome, "refused:invalid_calendar");
  EXPECT_EQ(defs_->calendar("secundair", "2025-2026")->rounds[2].window.closes,
            local("2025-09-30 12:00"));

  HttpResponse published = post("/admin/kalenders/publiceren", {{"yaml", changed}}, "admin");
  ASSERT_EQ(published.status, 303) << published.body;
  EXPECT_EQ(defs_->calendar("secundair", "2025-2026")->rounds[2].window.closes,
            local("2025-10-03 12:00"));
  EXPECT_TRUE(contains(get(header_of(published, "Location"), "admin").body, "werd gepubliceerd"));
  EXPECT_EQ(store_->stored_calendars().size(), 1U);
  EXPECT_EQ(store_->audit_log(1)[0].detail, "secundair/2025-2026");
}

TEST_F(Pages, PublicPagesSetAFormCookieAndPutItsTokenInTheirForms) {
  HttpResponse first = get("/login");
  ASSERT_EQ(first.status, 200);
  std::string set_cookie = set_cookie_of(first, kFormCookie);
  std::string token = cookie_value(set_cookie);
  EXPECT_TRUE(std::regex_match(token, std::regex("[A-Za-z0-9_-]{43}"))) << set_cookie;
  EXPECT_TRUE(contains(set_cookie, "; Path=/"));
  EXPECT_TRUE(contains(set_cookie, "; HttpOnly"));
  EXPECT_TRUE(contains(set_cookie, "; SameSite=Strict"));
  EXPECT_FALSE(contains(set_cookie, "Secure"));
  EXPECT_EQ(csrf_field(first.body), token);
  EXPECT_NE(cookie_value(set_cookie_of(get("/login"), kFormCookie)), token) << "random per browser";

  // A browser that has the cookie keeps it (several tabs), on every public form page.
  Browser b;
  b.form_cookie = token;
  for (const std::string page : {"/login", "/wachtwoord-vergeten", "/activeren?token=abc",
                                 "/wachtwoord-herstellen?token=abc"}) {
    HttpResponse again = send("GET", page, "", &b);
    EXPECT_EQ(set_cookie_of(again, kFormCookie), "") << page;
    EXPECT_EQ(csrf_field(again.body), token) << page;
  }
  // A cookie that is not one of ours is replaced.
  b.form_cookie = "niet-van-ons";
  EXPECT_NE(set_cookie_of(send("GET", "/login", "", &b), kFormCookie), "");

  // Over https (behind the proxy) the cookie is Secure, as the session cookie is.
  HttpRequest req;
  req.method = "GET";
  req.path = "/login";
  req.secure = true;
  EXPECT_TRUE(contains(set_cookie_of(app_->handle(req), kFormCookie), "; Secure"));
}

TEST_F(Pages, PublicFormsWithoutTheFormCookieAndItsTokenAreRefusedAndChangeNothing) {
  const std::string refused_text =
      "Dit formulier is verlopen of kwam niet van deze site. Laad de pagina opnieuw en probeer "
      "nog eens.";
  const Instant since = clock_->now() - std::chrono::hours{1};
  std::size_t mails = queued_mails();
  Browser real = visitor("/login");
  Browser other = visitor("/login");
  Browser no_token = real;
  no_token.form_csrf.clear();
  Browser no_cookie = real;
  no_cookie.form_cookie.clear();
  Browser mixed = real;  // another visitor's token with this browser's cookie
  mixed.form_csrf = other.form_csrf;

  for (const Browser* b : {&no_token, &no_cookie, &mixed}) {
    HttpResponse right =
        post_form(*b, "/login", {{"email", email_of("school")}, {"password", kPassword}});
    EXPECT_EQ(right.status, 403);
    EXPECT_TRUE(contains(right.body, refused_text)) << right.body;
    EXPECT_EQ(set_cookie_of(right, kSessionCookie), "") << "no session";
    HttpResponse wrong =
        post_form(*b, "/login", {{"email", email_of("school")}, {"password", "fout-wachtwoord"}});
    EXPECT_EQ(wrong.status, 403);
    EXPECT_EQ(post_form(*b, "/wachtwoord-vergeten", {{"email", email_of("school")}}).status, 403);
  }
  // A form posted from elsewhere sends neither cookie nor token.
  EXPECT_EQ(send("POST", "/login",
                 form_body({{"email", email_of("school")}, {"password", kPassword}}), nullptr)
                .status,
            403);
  EXPECT_EQ(store_->login_failures(email_of("school"), "", since).pair, 0)
      << "a refused post is no attempt";
  EXPECT_EQ(queued_mails(), mails) << "no reset mail";
  expect_accessible_page(post_form(no_token, "/login", {}).body, "refused form");

  // Activation: refused, the link stays unused; with the token it works.
  ASSERT_TRUE(accounts_->invite(admin_actor(), email_of("nieuw"), "school", school_));
  mails = queued_mails();
  EXPECT_EQ(post_form(no_token, "/activatielink", {{"email", email_of("nieuw")}}).status, 403);
  EXPECT_EQ(queued_mails(), mails) << "no new activation link";
  std::string activation = mailed_token(email_of("nieuw"));
  const std::vector<std::pair<std::string, std::string>> activate = {
      {"token", activation}, {"password", kPassword}, {"password2", kPassword}};
  HttpResponse refused = post_form(mixed, "/activeren", activate);
  EXPECT_EQ(refused.status, 403);
  EXPECT_TRUE(contains(refused.body, "href=\"/activeren?token=" + activation + "\""))
      << "the way back to the form";
  EXPECT_TRUE(contains(
      post_form(visitor(), "/login", {{"email", email_of("nieuw")}, {"password", kPassword}}).body,
      "nog niet geactiveerd"));
  HttpResponse activated =
      post_form(visitor("/activeren?token=" + activation), "/activeren", activate);
  EXPECT_EQ(activated.status, 303);
  EXPECT_EQ(header_of(activated, "Location"), "/login?geactiveerd=1");

  // Password reset: asking works with the token; setting refused keeps the old password.
  Browser forgot = visitor("/wachtwoord-vergeten");
  EXPECT_EQ(post_form(forgot, "/wachtwoord-vergeten", {{"email", email_of("school")}}).status, 200);
  std::string reset = mailed_token(email_of("school"));
  ASSERT_FALSE(reset.empty());
  const std::string new_password = "een-ander-lang-wachtwoord";
  const std::vector<std::pair<std::string, std::string>> set = {
      {"token", reset}, {"password", new_password}, {"password2", new_password}};
  EXPECT_EQ(post_form(no_cookie, "/wachtwoord-herstellen", set).status, 403);
  EXPECT_EQ(post_form(visitor(), "/login", {{"email", email_of("school")}, {"password", kPassword}})
                .status,
            303)
      << "the old password still works";
  HttpResponse changed =
      post_form(visitor("/wachtwoord-herstellen?token=" + reset), "/wachtwoord-herstellen", set);
  EXPECT_EQ(changed.status, 303);
  EXPECT_EQ(header_of(changed, "Location"), "/login?hersteld=1");
  EXPECT_EQ(
      post_form(visitor(), "/login", {{"email", email_of("school")}, {"password", new_password}})
          .status,
      303);

  // The JSON API is unchanged: scripts log in without any form cookie or token.
  HttpRequest api;
  api.method = "POST";
  api.path = "/api/v1/login";
  api.headers["content-type"] = "application/json";
  api.body = R"({"email":")" + email_of("service_x") + R"(","password":")" + kPassword + "\"}";
  EXPECT_EQ(app_->handle(api).status, 200);
}

// ---- the calendar upload, without JavaScript ----------------------------------------------

TEST_F(Pages, TheCalendarFormUploadsAFileWithoutJavaScript) {
  HttpResponse page = get("/admin/kalenders", "admin");
  ASSERT_EQ(page.status, 200);
  EXPECT_TRUE(contains(page.body, "enctype=\"multipart/form-data\""));
  EXPECT_TRUE(std::regex_search(
      page.body, std::regex(R"re(<input type="file" id="f-bestand" name="bestand"[^>]*>)re")));
  EXPECT_FALSE(std::regex_search(
      page.body, std::regex(R"re(<(input|div)[^>]*\bhidden\b[^>]*>\s*<label for="f-bestand")re")));
  EXPECT_FALSE(
      std::regex_search(page.body, std::regex(R"re(<textarea id="f-yaml"[^>]*required)re")))
      << "a chosen file is enough";
}

TEST_F(Pages, AnUploadedCalendarFileIsCheckedUnderItsOwnNameAndPublished) {
  std::ifstream in(source_path("workflows/calendars/secundair/2025-2026.yaml"));
  std::stringstream text;
  text << in.rdbuf();
  const std::string yaml = text.str();
  const std::string csrf = browser("admin").csrf;
  auto upload = [&](const std::vector<Part>& parts) {
    return send("POST", "/admin/kalenders/controleren", multipart_body(parts), &browser("admin"),
                std::string("multipart/form-data; boundary=") + kBoundary);
  };

  // A broken file: the errors name the uploaded file, and the pasted text is not used.
  std::string broken = yaml;
  broken.replace(broken.find("kind: open\n"), 11, "kind: wide_open\n");
  HttpResponse refused = upload({{"_csrf", csrf, {}},
                                 {"bestandsnaam", "", {}},
                                 {"yaml", yaml, {}},
                                 {"bestand", broken, "mijn-kalender.yml"}});
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_TRUE(std::regex_search(refused.body, std::regex(R"(mijn-kalender\.yml:\d+:\d+: error: )")))
      << refused.body;
  EXPECT_TRUE(contains(refused.body, "wide_open")) << "the file's text comes back to edit";

  // A valid file: the timeline, and the file's name carried on to "Publiceren".
  std::string changed = yaml;
  changed.replace(changed.find("closes: 2025-09-30 12:00"), 24, "closes: 2025-10-03 12:00");
  changed.replace(changed.find("opens: 2025-09-30 12:00"), 23, "opens: 2025-10-03 12:00");
  HttpResponse checked = upload({{"_csrf", csrf, {}},
                                 {"bestandsnaam", "", {}},
                                 {"yaml", "", {}},
                                 {"bestand", changed, "C:\\fakepath\\secundair-2025.yaml"}});
  ASSERT_EQ(checked.status, 200) << checked.body;
  EXPECT_TRUE(contains(checked.body, "Tijdlijn"));
  EXPECT_TRUE(contains(checked.body, "03/10/2025 12:00"));
  auto publish_form = checked.body.find("action=\"/admin/kalenders/publiceren\"");
  ASSERT_NE(publish_form, std::string::npos);
  EXPECT_TRUE(contains(checked.body.substr(publish_form),
                       "name=\"bestandsnaam\" value=\"secundair-2025.yaml\""));

  HttpResponse published =
      post("/admin/kalenders/publiceren",
           {{"yaml", changed}, {"bestandsnaam", "secundair-2025.yaml"}}, "admin");
  ASSERT_EQ(published.status, 303) << published.body;
  EXPECT_EQ(defs_->calendar("secundair", "2025-2026")->rounds[2].window.closes,
            local("2025-10-03 12:00"));
  EXPECT_TRUE(contains(get("/admin/kalenders", "admin").body,
                       "<td data-label=\"Bestand\">secundair-2025.yaml</td>"));
}

TEST_F(Pages, WithoutAChosenFileTheCalendarFormUsesThePastedText) {
  std::ifstream in(source_path("workflows/calendars/secundair/2025-2026.yaml"));
  std::stringstream text;
  text << in.rdbuf();
  const std::string csrf = browser("admin").csrf;
  auto upload = [&](const std::vector<Part>& parts) {
    return send("POST", "/admin/kalenders/controleren", multipart_body(parts), &browser("admin"),
                std::string("multipart/form-data; boundary=") + kBoundary);
  };
  // Browsers send an empty file part, with an empty file name, when no file was chosen.
  HttpResponse pasted = upload({{"_csrf", csrf, {}},
                                {"bestandsnaam", "", {}},
                                {"yaml", text.str(), {}},
                                {"bestand", "", ""}});
  EXPECT_EQ(pasted.status, 200) << pasted.body;
  EXPECT_TRUE(contains(pasted.body, "Tijdlijn"));

  HttpResponse nothing = upload(
      {{"_csrf", csrf, {}}, {"bestandsnaam", "", {}}, {"yaml", "", {}}, {"bestand", "", ""}});
  EXPECT_EQ(nothing.status, 422);
  EXPECT_TRUE(contains(nothing.body, "Plak eerst de inhoud van een kalender."));

  // The session's CSRF token is read from the multipart body too.
  HttpResponse forged = upload({{"yaml", text.str(), {}}, {"bestand", "", ""}});
  EXPECT_EQ(forged.status, 403);
}

// ---- the admin's request pages ------------------------------------------------------------

TEST_F(Pages, AdminListsATrackWithSchoolYearProvinceAndWhoAccepted) {
  Id accepted = register_student("Vermeulen");
  Id open = register_student("Janssens", "3500", "LIM");
  Id stopped = register_student("Maes");
  ASSERT_EQ(accept_as("service_x", accepted, mentor_x_).status, 303);
  ASSERT_EQ(post("/school/aanvraag/" + std::to_string(stopped) + "/gestopt", {{"bevestig", "ja"}},
                 "school")
                .status,
            303);

  // The menu's one entry goes to the first track; the page offers the others.
  HttpResponse first = get("/admin/aanvragen", "admin");
  EXPECT_EQ(first.status, 303);
  EXPECT_EQ(header_of(first, "Location"), "/admin/aanvragen/cvo");

  HttpResponse all = get("/admin/aanvragen/secundair", "admin");
  ASSERT_EQ(all.status, 200) << all.body;
  expect_accessible_page(all.body, "/admin/aanvragen/secundair");
  EXPECT_TRUE(
      contains(all.body, "<a href=\"/admin/aanvragen\" aria-current=\"page\">Aanvragen</a>"));
  EXPECT_TRUE(contains(all.body, "<a href=\"/admin/aanvragen/duaal\">"));
  EXPECT_TRUE(contains(all.body, "<span class=\"count\">(3)</span>"));
  // Each row: name with its "meer info", school, school year, province, status, date.
  const std::string row = between(all.body, "Vermeulen", "</tr>");
  EXPECT_TRUE(contains(row, "href=\"/admin/aanvraag/" + std::to_string(accepted) + "\">meer info"))
      << row;
  EXPECT_TRUE(contains(row, "<td data-label=\"School\">Sint-Jozef Antwerpen</td>")) << row;
  EXPECT_TRUE(contains(row, "<td data-label=\"Schooljaar\">2025-2026</td>")) << row;
  EXPECT_TRUE(contains(row, "<td data-label=\"Provincie\">Antwerpen</td>")) << row;
  EXPECT_TRUE(contains(row, "Aanvaard door Thuiszorg Antwerpen")) << row;
  EXPECT_TRUE(contains(row, "20/09/2025 12:00")) << row;
  EXPECT_TRUE(contains(between(all.body, "Janssens", "</tr>"),
                       "href=\"/admin/aanvraag/" + std::to_string(open) + "\""));
  EXPECT_TRUE(contains(between(all.body, "Janssens", "</tr>"), ">Open</span>"));
  EXPECT_TRUE(contains(between(all.body, "Janssens", "</tr>"), ">Limburg</td>"));
  EXPECT_TRUE(contains(between(all.body, "Maes", "</tr>"), ">Gestopt</span>"));
  // The admin sees personal data, but a list has no place for it.
  EXPECT_FALSE(contains(all.body, kNationalNumber));

  HttpResponse done = get("/admin/aanvragen/secundair?tab=aanvaard", "admin");
  EXPECT_TRUE(contains(done.body, "Vermeulen"));
  EXPECT_FALSE(contains(done.body, "Janssens") || contains(done.body, "Maes"));
  HttpResponse waiting = get("/admin/aanvragen/secundair?tab=open", "admin");
  EXPECT_TRUE(contains(waiting.body, "Janssens") && contains(waiting.body, "Maes"));
  EXPECT_FALSE(contains(waiting.body, "Vermeulen"));
  HttpResponse named = get("/admin/aanvragen/secundair?naam=janss", "admin");
  EXPECT_TRUE(contains(named.body, "Janssens"));
  EXPECT_FALSE(contains(named.body, "Vermeulen") || contains(named.body, "Maes"));
  EXPECT_TRUE(contains(named.body, "name=\"naam\" type=\"search\" value=\"janss\""));
  HttpResponse limburg = get("/admin/aanvragen/secundair?provincie_LIM=1", "admin");
  EXPECT_TRUE(contains(limburg.body, "Janssens"));
  EXPECT_FALSE(contains(limburg.body, "Vermeulen"));
  HttpResponse last_year = get("/admin/aanvragen/secundair?jaar=2024-2025", "admin");
  EXPECT_TRUE(contains(last_year.body, "<span class=\"count\">(0)</span>"));

  EXPECT_FALSE(contains(get("/admin/aanvragen/duaal", "admin").body, "Vermeulen"));
  EXPECT_EQ(get("/admin/aanvragen/onbestaand", "admin").status, 404);
}

TEST_F(Pages, AdminListPagesThroughEveryRequest) {
  // Posted directly: register_student looks the new one up in the school's first page only.
  for (int i = 0; i < 51; ++i)
    ASSERT_EQ(
        post("/school/secundair/nieuw", student_form("Student" + std::to_string(100 + i)), "school")
            .status,
        303);
  HttpResponse first = get("/admin/aanvragen/secundair?naam=student", "admin");
  EXPECT_TRUE(contains(first.body, "Pagina 1 van 2"));
  EXPECT_TRUE(contains(first.body, "href=\"/admin/aanvragen/secundair?naam=student&amp;pagina=2\""))
      << between(first.body, "class=\"paging\"", "</nav>");
  HttpResponse second = get("/admin/aanvragen/secundair?naam=student&pagina=2", "admin");
  EXPECT_EQ(count_of(second.body, ">meer info<"), 1u);
}

TEST_F(Pages, AdminSeesEveryFieldOfARequestAndTheAcceptance) {
  Id id = register_student("Vermeulen");
  const std::string page = "/admin/aanvraag/" + std::to_string(id);
  HttpResponse before = get(page, "admin");
  ASSERT_EQ(before.status, 200) << before.body;
  expect_accessible_page(before.body, page + " (open)");
  EXPECT_TRUE(contains(before.body, ">Open</span>"));
  EXPECT_FALSE(contains(before.body, "Aanvaarding ongedaan maken"));  // nothing to undo

  ASSERT_EQ(accept_as("service_x", id, mentor_x_).status, 303);
  HttpResponse after = get(page, "admin");
  ASSERT_EQ(after.status, 200);
  expect_accessible_page(after.body, page + " (aanvaard)");
  for (const std::string personal :
       {kNationalNumber, kStudentPhone, kStudentEmail, kContactPhone, kContactEmail})
    EXPECT_TRUE(contains(after.body, personal)) << personal;
  for (const std::string text :
       {"Sint-Jozef Antwerpen", "Els Begeleider", "Kerkstraat 1", "2025-2026",
        "Aanvaard door Thuiszorg Antwerpen", "Mentor X", "mentor@thuiszorg-x.test",
        "06/10/2025 - 31/10/2025", "Start op maandag om 9 uur.", "20/09/2025 12:00"})
    EXPECT_TRUE(contains(after.body, text)) << text;
  // The undo form: a required reason, the warning, and the session's token.
  const std::string form = between(after.body, "id=\"ongedaan-titel\"", "</section>");
  EXPECT_TRUE(contains(form, "action=\"" + page + "/ongedaan\"")) << form;
  EXPECT_TRUE(contains(form, "name=\"_csrf\" value=\"" + browser("admin").csrf + "\""));
  EXPECT_TRUE(contains(form, "<textarea id=\"f-reason\" name=\"reason\" rows=\"4\" required"));
  EXPECT_TRUE(contains(form, "opnieuw open voor alle"));
  EXPECT_TRUE(contains(form, "Thuiszorg Antwerpen verliest de student"));
  EXPECT_TRUE(contains(form, "auditlog"));

  EXPECT_EQ(get("/admin/aanvraag/999999", "admin").status, 404);
  EXPECT_EQ(get("/admin/aanvraag/abc", "admin").status, 404);
}

TEST_F(Pages, AdminUndoesAnAcceptanceOnlyWithAReasonAndTheStudentIsOpenAgain) {
  Id id = register_student("Vermeulen");
  const std::string page = "/admin/aanvraag/" + std::to_string(id);
  ASSERT_EQ(accept_as("service_x", id, mentor_x_).status, 303);
  auto accepted_by = [&]() -> std::string {
    auto item = matching_->view_request(admin_actor(), id);
    return item ? text_of((*item)["accepted_by"]["name"]) : "?";
  };

  // Without a reason (spaces only): the form again, the error next to the field, no change.
  HttpResponse missing = post(page + "/ongedaan", {{"reason", "   "}}, "admin");
  EXPECT_EQ(missing.status, 422) << missing.body;
  expect_accessible_page(missing.body, "undo without a reason");
  EXPECT_TRUE(contains(missing.body, "<p class=\"field-error\" id=\"f-reason-fout\">"));
  EXPECT_TRUE(
      contains(between(missing.body, "id=\"f-reason-fout\">", "</p>"), "Geef een reden op."));
  EXPECT_TRUE(contains(missing.body,
                       "name=\"reason\" rows=\"4\" required "
                       "aria-describedby=\"f-reason-hulp f-reason-fout\" aria-invalid=\"true\""));
  EXPECT_EQ(accepted_by(), "Thuiszorg Antwerpen");
  EXPECT_TRUE(contains(get("/dienst/secundair?tab=aanvaard", "service_x").body, "Vermeulen"));
  EXPECT_EQ(get("/dienst/aanvraag/" + std::to_string(id), "service_y").status, 404);
  // Nor without the form's token.
  EXPECT_EQ(post(page + "/ongedaan", {{"reason", "Zonder token"}}, "admin", false).status, 403);
  EXPECT_EQ(accepted_by(), "Thuiszorg Antwerpen");

  const std::string reason = "De dienst aanvaardde de verkeerde student.";
  HttpResponse undone = post(page + "/ongedaan", {{"reason", reason}}, "admin");
  ASSERT_EQ(undone.status, 303) << undone.body;
  EXPECT_EQ(header_of(undone, "Location"), page + "?ongedaan=1");
  HttpResponse after = get(header_of(undone, "Location"), "admin");
  EXPECT_TRUE(contains(after.body, "De aanvaarding werd ongedaan gemaakt."));
  EXPECT_TRUE(contains(after.body, ">Open</span>"));
  EXPECT_FALSE(contains(after.body, "Aanvaard door"));
  EXPECT_FALSE(contains(after.body, "id=\"ongedaan-titel\""));
  EXPECT_EQ(accepted_by(), "");

  // The service lost the student; every service may take it now.
  EXPECT_FALSE(contains(get("/dienst/secundair?tab=aanvaard", "service_x").body, "Vermeulen"));
  EXPECT_TRUE(contains(get("/dienst/secundair", "service_y").body, "Vermeulen"));
  ASSERT_EQ(accept_as("service_y", id, mentor_y_).status, 303);
  EXPECT_TRUE(contains(get(page, "admin").body, "Aanvaard door Zorg aan huis Noord"));

  // The audit log: the refused try and the undo, naming the service and the reason.
  std::optional<AuditEntry> release;
  bool refused = false;
  for (const auto& a : store_->audit_log(100)) {
    if (a.action != "status.change" || a.object_id != id || !a.actor.starts_with("admin:"))
      continue;
    if (a.outcome == "ok" && !release) release = a;
    if (a.outcome == "refused:missing_requirement") refused = true;
  }
  ASSERT_TRUE(release);
  EXPECT_TRUE(contains(release->detail, "aanvaard -> onbeslist")) << release->detail;
  EXPECT_TRUE(contains(release->detail, "Thuiszorg Antwerpen")) << release->detail;
  EXPECT_TRUE(contains(release->detail, reason)) << release->detail;
  EXPECT_EQ(release->user_id, admin_actor().user_id);
  EXPECT_TRUE(refused);
  EXPECT_TRUE(contains(get("/admin/audit", "admin").body, reason));
}

TEST_F(Pages, AnUndoTheDomainRefusesIsToldInDutch) {
  Id id = register_student("Janssens");
  // Nothing accepted: nothing to undo (another admin may have undone it meanwhile).
  HttpResponse refused =
      post("/admin/aanvraag/" + std::to_string(id) + "/ongedaan", {{"reason", "Dubbel"}}, "admin");
  EXPECT_EQ(refused.status, 422);
  expect_accessible_page(refused.body, "refused undo");
  EXPECT_TRUE(contains(refused.body, "Deze student werd door geen enkele dienst aanvaard."));
  EXPECT_TRUE(contains(refused.body, "href=\"/admin/aanvraag/" + std::to_string(id) + "\""));
  EXPECT_EQ(post("/admin/aanvraag/999999/ongedaan", {{"reason", "x"}}, "admin").status, 404);
}

TEST_F(Pages, SchoolsAndServicesCannotOpenTheAdminRequestPages) {
  Id id = register_student("Vermeulen");
  ASSERT_EQ(accept_as("service_x", id, mentor_x_).status, 303);
  const std::string page = "/admin/aanvraag/" + std::to_string(id);
  for (const std::string who : {"school", "service_x", "service_y"}) {
    EXPECT_EQ(get("/admin/aanvragen", who).status, 403) << who;
    EXPECT_EQ(get("/admin/aanvragen/secundair", who).status, 403) << who;
    EXPECT_EQ(get(page, who).status, 403) << who;
    EXPECT_EQ(post(page + "/ongedaan", {{"reason", "Graag terug"}}, who).status, 403) << who;
  }
  for (const std::string target : {"/admin/aanvragen/secundair", page.c_str()}) {
    HttpResponse anonymous = get(target);
    EXPECT_EQ(anonymous.status, 303) << target;
    EXPECT_EQ(header_of(anonymous, "Location"), "/login") << target;
  }
  auto item = matching_->view_request(admin_actor(), id);
  ASSERT_TRUE(item);
  EXPECT_EQ(text_of((*item)["accepted_by"]["name"]), "Thuiszorg Antwerpen");
}

// On PostgreSQL a service's list page is put together from kept pieces (rows, the filter
// form); each follows what it shows in the very next page.
class PagesOnPostgres : public Pages {
 protected:
  // A database of this process's own: ctest runs tests side by side, each in its own process.
  std::string store_url() override {
    return testing::fresh_database("postgresql", "pages_" + std::to_string(::getpid()));
  }
};

TEST_F(PagesOnPostgres, TheDashboardNamesAServiceThatInvitesUnusuallyMany) {
  dashboard_names_a_busy_inviter();
}

TEST_F(PagesOnPostgres, KeptRowsAndFiltersFollowEveryChangeInTheVeryNextPage) {
  Id id = register_student("Bewaard");
  const std::string detail = "/dienst/aanvraag/" + std::to_string(id);
  auto row_of = [](const std::string& body) {  // the table row of the student
    auto at = body.find("Lotte Bewaard");
    if (at == std::string::npos) return std::string();
    auto end = body.find("</tr>", at);
    return body.substr(at, end - at);
  };
  for (int i = 0; i < 2; ++i) {  // the second page is made of kept pieces
    HttpResponse page = get("/dienst/secundair", "service_x");
    ASSERT_EQ(page.status, 200);
    EXPECT_TRUE(contains(row_of(page.body), "<span class=\"badge\">Onbeslist</span>")) << page.body;
    EXPECT_TRUE(contains(row_of(page.body), "name=\"status\" value=\"niet_aanvaard\""));
    EXPECT_FALSE(contains(page.body, "Nieuwe School"));
  }
  // Changed from the row: the next page shows the new status and the choices it allows.
  ASSERT_EQ(
      post(detail + "/status",
           {{"track", "secundair"}, {"status", "niet_aanvaard"}, {"terug", "/dienst/secundair"}},
           "service_x")
          .status,
      303);
  HttpResponse changed = get("/dienst/secundair?gewijzigd=niet_aanvaard", "service_x");
  EXPECT_TRUE(contains(row_of(changed.body), "<span class=\"badge\">Niet aanvaard</span>"));
  EXPECT_TRUE(contains(row_of(changed.body), "name=\"status\" value=\"onbeslist\""));
  EXPECT_FALSE(contains(row_of(changed.body), "value=\"niet_aanvaard\""));
  // The other service's own status did not move: its row says so, and what it was given
  // carries its own token, never the other service's.
  HttpResponse other = get("/dienst/secundair", "service_y");
  EXPECT_TRUE(contains(row_of(other.body), "<span class=\"badge\">Onbeslist</span>"));
  EXPECT_TRUE(contains(row_of(other.body), "name=\"status\" value=\"niet_aanvaard\""));
  EXPECT_FALSE(contains(other.body, browser("service_x").csrf));
  EXPECT_TRUE(contains(other.body, browser("service_y").csrf));
  // A school created meanwhile is offered in the filter at once.
  org("school", "Nieuwe School", {}, {"secundair"});
  EXPECT_TRUE(contains(get("/dienst/secundair", "service_x").body, ">Nieuwe School</option>"));
  // The street is shown once this service accepted the student (a page never kept: it holds
  // personal data), and never to the other.
  ASSERT_EQ(accept_as("service_x", id, mentor_x_).status, 303);
  EXPECT_TRUE(
      contains(row_of(get("/dienst/secundair?tab=aanvaard", "service_x").body), "Kerkstraat 1"));
  EXPECT_EQ(row_of(get("/dienst/secundair", "service_y").body), "");
}

// ---- Status from the list, and the school's overview ---------------------------------------

// The table row of the student named `name` on a list page, or an empty text.
std::string row_named(const std::string& body, const std::string& name) {
  auto at = body.find(name);
  if (at == std::string::npos) return "";
  auto start = body.rfind("<tr>", at);
  auto end = body.find("</tr>", at);
  return start == std::string::npos || end == std::string::npos ? ""
                                                                : body.substr(start, end - start);
}

TEST_F(Pages, AServiceSetsAStatusFromTheListRowAndComesBackToTheSameListPage) {
  Id id = register_student("Rijstatus");
  register_student("Anderrij");
  const std::string list = "/dienst/secundair?naam=rij&sorteer=naam";
  HttpResponse page = get(list, "service_x");
  ASSERT_EQ(page.status, 200);
  expect_accessible_page(page.body, list);
  // One status form on the page carries the token and the way back; each row names it.
  EXPECT_EQ(count_of(page.body, "<form id=\"statusformulier\" method=\"post\""), 1u);
  EXPECT_TRUE(
      contains(page.body, "name=\"terug\" value=\"/dienst/secundair?naam=rij&amp;sorteer=naam\""));
  std::string row = row_named(page.body, "Lotte Rijstatus");
  const std::string action = "formaction=\"/dienst/aanvraag/" + std::to_string(id) + "/status\"";
  EXPECT_TRUE(contains(
      row, "form=\"statusformulier\" " + action + " name=\"status\" value=\"niet_aanvaard\""))
      << row;
  EXPECT_FALSE(contains(row, "value=\"onbeslist\"")) << "onbeslist is the status it holds";
  EXPECT_FALSE(contains(row, "value=\"aanvaard\"")) << "accepting needs the dialog";
  EXPECT_TRUE(contains(row, "href=\"/dienst/aanvraag/" + std::to_string(id) + "#aanvaarden\""))
      << row;
  EXPECT_FALSE(contains(row, csrf_field(page.body))) << "the token stays out of the kept row";

  HttpResponse set = post("/dienst/aanvraag/" + std::to_string(id) + "/status",
                          {{"track", "secundair"},
                           {"status", "niet_aanvaard"},
                           {"terug", "/dienst/secundair?naam=rij&sorteer=naam&pagina=1"}},
                          "service_x");
  ASSERT_EQ(set.status, 303) << set.body;
  EXPECT_EQ(header_of(set, "Location"),
            "/dienst/secundair?naam=rij&sorteer=naam&pagina=1&gewijzigd=niet_aanvaard");
  HttpResponse back = get(header_of(set, "Location"), "service_x");
  EXPECT_TRUE(contains(
      back.body,
      "<p class=\"notice\" role=\"status\">De status werd gewijzigd naar Niet aanvaard.</p>"))
      << back.body;
  row = row_named(back.body, "Lotte Rijstatus");
  EXPECT_TRUE(contains(row, "<span class=\"badge\">Niet aanvaard</span>")) << row;
  EXPECT_TRUE(contains(row, "name=\"status\" value=\"onbeslist\"")) << row;
  EXPECT_TRUE(
      contains(row_named(back.body, "Lotte Anderrij"), "<span class=\"badge\">Onbeslist</span>"));

  // A way back elsewhere than the track's list is not followed.
  HttpResponse elsewhere =
      post("/dienst/aanvraag/" + std::to_string(id) + "/status",
           {{"track", "secundair"}, {"status", "onbeslist"}, {"terug", "https://elders.test/"}},
           "service_x");
  ASSERT_EQ(elsewhere.status, 303);
  EXPECT_EQ(header_of(elsewhere, "Location"), "/dienst/secundair?gewijzigd=onbeslist");
}

TEST_F(Pages, AChangeFromTheListThatTheEngineRefusesShowsItsDutchMessageAndTheWayBack) {
  Id id = register_student("Te laat");
  const std::string list = "/dienst/secundair?naam=laat";
  ASSERT_TRUE(
      contains(row_named(get(list, "service_y").body, "Lotte Te laat"), "value=\"niet_aanvaard\""));
  ASSERT_EQ(accept_as("service_x", id, mentor_x_).status, 303);
  HttpResponse late =
      post("/dienst/aanvraag/" + std::to_string(id) + "/status",
           {{"track", "secundair"}, {"status", "niet_aanvaard"}, {"terug", list}}, "service_y");
  EXPECT_EQ(late.status, 409);
  EXPECT_TRUE(
      contains(late.body, "Deze student werd intussen al aanvaard door een andere dienst."));
  EXPECT_TRUE(contains(late.body, "href=\"/dienst/secundair?naam=laat\"")) << late.body;

  Id other = register_student("Tweemaal");
  const std::string target = "/dienst/aanvraag/" + std::to_string(other) + "/status";
  ASSERT_EQ(post(target, {{"track", "secundair"}, {"status", "niet_aanvaard"}, {"terug", list}},
                 "service_y")
                .status,
            303);
  HttpResponse again = post(
      target, {{"track", "secundair"}, {"status", "niet_aanvaard"}, {"terug", list}}, "service_y");
  EXPECT_EQ(again.status, 422);
  EXPECT_TRUE(contains(again.body, "kan je niet naar")) << again.body;
  EXPECT_TRUE(contains(again.body, "Terug naar de lijst"));
}

TEST_F(Pages, TheListOffersNoStatusChangeWhileTheCalendarLetsNoneBeSet) {
  ASSERT_TRUE(clock_->set(local("2026-09-20 12:00")));  // dubbele finaliteit: services decide
  browsers_.clear();
  HttpResponse registered =
      post("/school/dubbele_finaliteit/nieuw", student_form("Na de ronde"), "school");
  ASSERT_EQ(registered.status, 303) << registered.body;
  ASSERT_TRUE(
      contains(row_named(get("/dienst/dubbele_finaliteit", "service_x").body, "Lotte Na de ronde"),
               "form=\"statusformulier\""));
  ASSERT_TRUE(clock_->set(local("2026-10-08 12:00")));  // every round of the year is over
  browsers_.clear();
  HttpResponse page = get("/dienst/dubbele_finaliteit", "service_x");
  ASSERT_EQ(page.status, 200);
  EXPECT_TRUE(contains(page.body, "Lotte Na de ronde")) << "still listed, no longer to decide on";
  EXPECT_TRUE(contains(page.body, "Je kan geen nieuwe statussen meer instellen."))
      << "the page says why";
  EXPECT_FALSE(contains(page.body, "form=\"statusformulier\""));
  EXPECT_FALSE(contains(page.body, "#aanvaarden\""));
}

// After a duaal invitation window closes, the service still records the outcome for the
// students it invited, from the row and from the detail page; it invites nobody new.
// A registration during a blackout that delays is accepted: the form warns before sending, the
// overview says from when services will see the student after, and no service sees it sooner.
TEST_F(Pages, ABlackoutRegistrationIsWarnedBeforeAndAfterAndHiddenUntilItsDate) {
  const char* kCalendar = R"(kind: calendar
name: secundair-2026-2027
version: 1
track: secundair
year: "2026-2027"
registration: {opens: 2026-06-01, closes: 2027-06-30}
blackouts:
  - {id: zomer, label: Zomerstop, opens: 2026-06-30 12:00, closes: 2026-08-15 12:00, visible_from: 2026-09-18 12:00}
rounds:
  - {id: r1, kind: open, opens: 2026-09-04 12:00, closes: 2026-09-18 12:00}
  - {id: r2, kind: open_ended, opens: 2026-09-18 12:00}
)";
  LoadResult laid = with_calendar(*defs_, "calendars/secundair/2026-2027.yaml", kCalendar);
  ASSERT_TRUE(laid.ok()) << laid.diagnostics.sorted().front().to_string();
  defs_ = laid.definitions;
  ASSERT_TRUE(clock_->set(local("2026-07-01 10:00")));
  browsers_.clear();
  const std::string warning =
      "Tussen 30/06/2026 12:00 en 15/08/2026 12:00 registreer je beter geen leerlingen: wie je nu "
      "registreert, wordt pas zichtbaar voor de diensten vanaf 18/09/2026 12:00.";
  HttpResponse form = get("/school/secundair/nieuw", "school");
  ASSERT_EQ(form.status, 200);
  EXPECT_TRUE(contains(form.body, "<p class=\"alert warning\" role=\"status\">" + warning + "</p>"))
      << form.body.substr(0, 3000);
  HttpResponse sent = post("/school/secundair/nieuw", student_form("Zomer"), "school");
  ASSERT_EQ(sent.status, 303) << sent.body;
  EXPECT_EQ(header_of(sent, "Location"), "/school/secundair?ingeschreven=1&uitgesteld=1");
  HttpResponse overview = get(header_of(sent, "Location"), "school");
  EXPECT_TRUE(contains(overview.body, "De student werd ingeschreven. " + warning)) << overview.body;
  ASSERT_TRUE(clock_->set(local("2026-09-10 12:00")));  // round 1 runs: still hidden
  browsers_.clear();
  EXPECT_FALSE(contains(get("/dienst/secundair", "service_x").body, "Lotte Zomer"));
  ASSERT_TRUE(clock_->set(local("2026-09-18 12:00")));
  browsers_.clear();
  EXPECT_TRUE(contains(get("/dienst/secundair", "service_x").body, "Lotte Zomer"));
}

TEST_F(Pages, AfterTheInvitationWindowTheServiceStillRecordsTheOutcome) {
  const char* kCalendar = R"(kind: calendar
name: duaal-2025-2026
version: 2
track: duaal
year: "2025-2026"
registration: {opens: 2025-06-01, closes: 2025-10-01}
rounds:
  - {id: uitnodigingen, label: Uitnodigen, kind: open, opens: 2025-06-16, closes: 2025-10-01}
)";
  LoadResult laid = with_calendar(*defs_, "calendars/duaal/2025-2026.yaml", kCalendar);
  ASSERT_TRUE(laid.ok()) << laid.diagnostics.sorted().front().to_string();
  defs_ = laid.definitions;
  Id invited = register_duaal_student("Uitgenodigd");
  Id waiting = register_duaal_student("Wachtend");
  ASSERT_TRUE(matching_->change_status(Actor{"service", 0, service_x_}, invited,
                                       StatusInput{"uitgenodigd", {}, {}, "", ""}));
  ASSERT_TRUE(clock_->set(local("2025-10-02 09:00")));  // the window closed on 01/10 at night
  browsers_.clear();

  HttpResponse list = get("/dienst/duaal", "service_x");
  ASSERT_EQ(list.status, 200);
  const std::string invited_row = row_named(list.body, "Lotte Uitgenodigd");
  EXPECT_TRUE(contains(invited_row, "value=\"niet_aanvaard\"")) << invited_row;
  EXPECT_TRUE(contains(invited_row, "value=\"niet_opgedaagd\"")) << invited_row;
  EXPECT_TRUE(contains(invited_row, "#aanvaarden\"")) << invited_row;
  EXPECT_FALSE(contains(invited_row, "value=\"onbeslist\"")) << "going back is a new step";
  const std::string waiting_row = row_named(list.body, "Lotte Wachtend");
  EXPECT_FALSE(contains(waiting_row, "value=\"uitgenodigd\"")) << waiting_row;

  const std::string detail = "/dienst/aanvraag/" + std::to_string(invited);
  HttpResponse page = get(detail, "service_x");
  EXPECT_TRUE(contains(page.body, "id=\"aanvaarden\"")) << "the accept dialog stays";
  HttpResponse other = get("/dienst/aanvraag/" + std::to_string(waiting), "service_x");
  EXPECT_FALSE(contains(other.body, "id=\"aanvaarden\""));
  HttpResponse refused = post("/dienst/aanvraag/" + std::to_string(waiting) + "/status",
                              {{"track", "duaal"}, {"status", "uitgenodigd"}}, "service_x");
  EXPECT_NE(refused.status, 303) << "inviting after the window is refused";
  HttpResponse recorded =
      post(detail + "/status", {{"track", "duaal"}, {"status", "niet_opgedaagd"}}, "service_x");
  EXPECT_EQ(recorded.status, 303) << recorded.body;
  auto seen = matching_->view_request(Actor{"service", 0, service_x_}, invited);
  ASSERT_TRUE(seen);
  EXPECT_EQ((*seen)["my_status"], Value("niet_opgedaagd"));
}

TEST_F(Pages, TheAcceptDialogMarksNotesOptionalAndAcceptsWithoutThem) {
  Id id = register_student("Zonder notities");
  const std::string detail = "/dienst/aanvraag/" + std::to_string(id);
  HttpResponse page = get(detail, "service_x");
  EXPECT_TRUE(contains(page.body, "<section class=\"panel accept\" id=\"aanvaarden\""));
  EXPECT_TRUE(contains(page.body, "<label for=\"f-notes\">Notities (optioneel)</label>"))
      << page.body;
  HttpResponse accepted = post(detail + "/aanvaarden",
                               {{"track", "secundair"},
                                {"status", "aanvaard"},
                                {"mentor_id", std::to_string(mentor_x_)},
                                {"periods", "1"},
                                {"notes", ""}},
                               "service_x");
  ASSERT_EQ(accepted.status, 303) << accepted.body;
  EXPECT_TRUE(contains(get(detail, "service_x").body, "Aanvaard door je dienst"));
  // A mentor stays required.
  Id other = register_student("Zonder mentor");
  HttpResponse no_mentor =
      post("/dienst/aanvraag/" + std::to_string(other) + "/aanvaarden",
           {{"track", "secundair"}, {"status", "aanvaard"}, {"periods", "0"}}, "service_x");
  EXPECT_EQ(no_mentor.status, 422);
  EXPECT_TRUE(contains(no_mentor.body, "Kies een stagementor."));
}

TEST_F(Pages, TheSchoolFiltersItsOverviewByNameStatusAndService) {
  Id accepted = register_student("Filter Aanvaard");
  register_student("Filter Open");
  Id stopped = register_student("Filter Gestopt");
  register_student("Anders");
  ASSERT_EQ(accept_as("service_x", accepted, mentor_x_).status, 303);
  ASSERT_EQ(post("/school/aanvraag/" + std::to_string(stopped) + "/gestopt", {{"bevestig", "ja"}},
                 "school")
                .status,
            303);
  auto names = [&](const std::string& query) {
    HttpResponse page = get("/school/secundair" + query, "school");
    EXPECT_EQ(page.status, 200) << query;
    std::string out;
    for (const char* name :
         {"Lotte Filter Aanvaard", "Lotte Filter Open", "Lotte Filter Gestopt", "Lotte Anders"})
      if (contains(page.body, name)) out += std::string(out.empty() ? "" : ", ") + name;
    return out;
  };
  EXPECT_EQ(names(""),
            "Lotte Filter Aanvaard, Lotte Filter Open, Lotte Filter Gestopt, Lotte Anders");
  EXPECT_EQ(names("?naam=filter"),
            "Lotte Filter Aanvaard, Lotte Filter Open, Lotte Filter Gestopt");
  EXPECT_EQ(names("?naam=filter&status=aanvaard"), "Lotte Filter Aanvaard");
  EXPECT_EQ(names("?naam=filter&status=geen"), "Lotte Filter Open");
  EXPECT_EQ(names("?status=gestopt"), "Lotte Filter Gestopt");
  EXPECT_EQ(names("?status=wacht"), "") << "secundair has no results date";
  EXPECT_EQ(names("?dienst=" + std::to_string(service_x_)), "Lotte Filter Aanvaard");
  EXPECT_EQ(names("?dienst=" + std::to_string(service_y_)), "");
  EXPECT_EQ(names("?status=onbekend&dienst=abc"), names("")) << "an unknown choice filters nothing";

  HttpResponse page = get(
      "/school/secundair?naam=filter&status=geen&dienst=" + std::to_string(service_y_), "school");
  expect_accessible_page(page.body, "school overview with filters");
  EXPECT_TRUE(contains(page.body, "<form method=\"get\" action=\"/school/secundair\""));
  EXPECT_TRUE(contains(page.body, "name=\"naam\" type=\"search\" value=\"filter\""));
  EXPECT_TRUE(
      contains(page.body, "<option value=\"geen\" selected>Nog geen stageplek bekend</option>"));
  EXPECT_TRUE(contains(page.body, "<option value=\"" + std::to_string(service_y_) +
                                      "\" selected>Zorg aan huis Noord</option>"));
  EXPECT_TRUE(contains(page.body, "Geen studenten gevonden met deze filters."));
}

TEST_F(Pages, TheSchoolSeesTheRequestedPeriodsUntilAnAcceptanceReplacesThem) {
  Id id = register_student("Periodes");
  std::string row = row_named(get("/school/secundair", "school").body, "Lotte Periodes");
  EXPECT_TRUE(contains(row, "<span class=\"sub\">aangevraagd</span>")) << row;
  EXPECT_TRUE(contains(row, "<span class=\"line\">06/10/2025 - 31/10/2025</span>")) << row;
  EXPECT_TRUE(contains(row, "<span class=\"line\">02/02/2026 - 27/02/2026</span>")) << row;
  HttpResponse accepted = post("/dienst/aanvraag/" + std::to_string(id) + "/aanvaarden",
                               {{"track", "secundair"},
                                {"status", "aanvaard"},
                                {"mentor_id", std::to_string(mentor_x_)},
                                {"periods", "1"}},
                               "service_x");
  ASSERT_EQ(accepted.status, 303) << accepted.body;
  row = row_named(get("/school/secundair", "school").body, "Lotte Periodes");
  EXPECT_FALSE(contains(row, "aangevraagd")) << row;
  EXPECT_FALSE(contains(row, "06/10/2025 - 31/10/2025")) << "only the accepted period stays";
  EXPECT_TRUE(contains(row, "<span class=\"line\">02/02/2026 - 27/02/2026</span>")) << row;
}

TEST_F(Pages, RequestsWaitingForTheResultsDateAreMarkedWithoutTellingTheAnswer) {
  ASSERT_TRUE(clock_->set(local("2026-09-20 12:00")));  // dubbele finaliteit: results 07/10/2026
  browsers_.clear();
  for (const char* name : {"Wacht Aanvaard", "Wacht Open"})
    ASSERT_EQ(post("/school/dubbele_finaliteit/nieuw", student_form(name), "school").status, 303);
  auto list =
      matching_->list_requests(Actor{"school", 0, school_}, "dubbele_finaliteit", ListInput{});
  ASSERT_TRUE(list);
  Id accepted = 0;
  for (const auto& item : list->items)
    if (item["last_name"].as_string() == "Wacht Aanvaard") accepted = item["id"].as_int();
  ASSERT_EQ(post("/dienst/aanvraag/" + std::to_string(accepted) + "/aanvaarden",
                 {{"track", "dubbele_finaliteit"},
                  {"status", "aanvaard"},
                  {"mentor_id", std::to_string(mentor_x_)},
                  {"periods", "0"},
                  {"notes", "Start op maandag."}},
                 "service_x")
                .status,
            303);

  auto rows = [&](const std::string& query) {
    std::string body = get("/school/dubbele_finaliteit" + query, "school").body;
    return std::pair{row_named(body, "Lotte Wacht Aanvaard"), row_named(body, "Lotte Wacht Open")};
  };
  auto [a, b] = rows("");
  const std::string mark =
      "<span class=\"badge warn\">Antwoord zichtbaar vanaf 07/10/2026 12:00</span>";
  EXPECT_TRUE(contains(a, mark)) << a;
  EXPECT_TRUE(contains(b, mark)) << b;
  for (const std::string& row : {a, b}) {
    EXPECT_FALSE(contains(row, "Aanvaard</span>")) << row;
    EXPECT_FALSE(contains(row, "Thuiszorg Antwerpen")) << row;
    EXPECT_FALSE(contains(row, "Start op maandag.")) << row;
    EXPECT_TRUE(contains(row, "aangevraagd")) << row;
  }
  // The filters tell no more than the rows: both wait, neither is known to be placed.
  for (const std::string query : {"?status=wacht", "?status=geen"}) {
    auto [x, y] = rows(query);
    EXPECT_TRUE(contains(x, mark) && contains(y, mark)) << query;
  }
  for (const std::string& query :
       {std::string("?status=aanvaard"), "?dienst=" + std::to_string(service_x_)}) {
    auto [x, y] = rows(query);
    EXPECT_EQ(x + y, "") << query;
  }

  ASSERT_TRUE(clock_->set(local("2026-10-07 12:00")));  // the results date
  browsers_.clear();
  std::tie(a, b) = rows("");
  EXPECT_FALSE(contains(a + b, "Antwoord zichtbaar vanaf")) << a << b;
  EXPECT_TRUE(contains(a, "<span class=\"badge ok\">Aanvaard</span>")) << a;
  EXPECT_TRUE(contains(a, "Thuiszorg Antwerpen"));
  EXPECT_EQ(rows("?status=aanvaard").second, "");
  EXPECT_FALSE(rows("?status=aanvaard").first.empty());
  EXPECT_EQ(rows("?status=wacht").first + rows("?status=wacht").second, "");
  EXPECT_FALSE(rows("?status=geen").second.empty());
}

// Activation and reset links are made when their mail is sent and are never stored.
TEST_F(Pages, LinksAreMadeAtSendingAndNeverStored) { links_are_made_at_sending_and_never_stored(); }
TEST_F(PagesOnPostgres, LinksAreMadeAtSendingAndNeverStored) {
  links_are_made_at_sending_and_never_stored();
}

}  // namespace
}  // namespace stagematch

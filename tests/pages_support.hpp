// The HTML pages in process, for the pages tests: the real App, Accounts, MailTemplates and
// Matching over the shipped definitions and the SQL store on a fresh SQLite file (a subclass may
// name another database). Requests go through App::handle the way a browser sends them: a
// session cookie from POST /login, forms url-encoded (or multipart/form-data) with the `_csrf`
// field read from the page, and before a session the form cookie the public account pages set.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "accounts.hpp"
#include "app.hpp"
#include "db_support.hpp"
#include "mail_templates.hpp"
#include "mailbox_test_support.hpp"
#include "matching.hpp"
#include "pages_account.hpp"
#include "plugins_support.hpp"
#include "scratch_database.hpp"
#include "site_links.hpp"
#include "sql_store.hpp"
#include "test_support.hpp"

namespace stagematch::testing {

inline constexpr const char* kPassword = "een-lang-wachtwoord";
inline constexpr const char* kBaseUrl = "http://stagematch.test";

// What a service may not see before it accepts (SPEC.md "Personal data").
inline constexpr const char* kNationalNumber = "85073003328";
inline constexpr const char* kStudentPhone = "0470 98 76 54";
inline constexpr const char* kStudentEmail = "lotte.verborgen@example.test";
inline constexpr const char* kContactPhone = "03 555 01 02";
inline constexpr const char* kContactEmail = "els.begeleider@sintjozef.test";

inline std::string form_body(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    if (!out.empty()) out += '&';
    out += url_encode(k);
    out += '=';
    out += url_encode(v);
  }
  return out;
}

inline std::string header_of(const HttpResponse& res, const std::string& name) {
  for (const auto& [k, v] : res.headers)
    if (k == name) return v;
  return "";
}

// The whole Set-Cookie line for cookie `name`, or an empty text.
inline std::string set_cookie_of(const HttpResponse& res, const std::string& name) {
  for (const auto& [k, v] : res.headers)
    if (k == "Set-Cookie" && v.rfind(name + "=", 0) == 0) return v;
  return "";
}

// The value a Set-Cookie line sets.
inline std::string cookie_value(const std::string& set_cookie) {
  auto eq = set_cookie.find('=');
  if (eq == std::string::npos) return "";
  return set_cookie.substr(eq + 1, set_cookie.find(';') - eq - 1);
}

// The value of the first hidden `_csrf` field of a page.
inline std::string csrf_field(const std::string& html) {
  static const std::regex csrf(R"re(name="_csrf" value="([^"]+)")re");
  std::smatch m;
  return std::regex_search(html, m, csrf) ? std::string(m[1]) : std::string();
}

// A multipart/form-data body as a browser sends it; a field with a file name is a file.
struct Part {
  std::string name;
  std::string content;
  std::optional<std::string> file_name;
};
inline constexpr const char* kBoundary = "----StagematchTestGrens7MA4YWxkTrZu0gW";

inline std::string multipart_body(const std::vector<Part>& parts) {
  std::string out;
  for (const auto& p : parts) {
    out += std::string("--") + kBoundary + "\r\n";
    out += "Content-Disposition: form-data; name=\"" + p.name + "\"";
    if (p.file_name)
      out += "; filename=\"" + *p.file_name + "\"\r\nContent-Type: application/x-yaml";
    out += "\r\n\r\n" + p.content + "\r\n";
  }
  return out + "--" + kBoundary + "--\r\n";
}

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

inline std::size_t count_of(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1))
    ++n;
  return n;
}

// The text between `from` and the first `to` after it; empty when either is missing.
inline std::string between(const std::string& text, const std::string& from,
                           const std::string& to) {
  auto start = text.find(from);
  if (start == std::string::npos) return "";
  start += from.size();
  auto end = text.find(to, start);
  return end == std::string::npos ? "" : text.substr(start, end - start);
}

// The structure every page must have, and a label for every visible form control.
inline void expect_accessible_page(const std::string& html, const std::string& what) {
  SCOPED_TRACE(what);
  EXPECT_TRUE(contains(html, "<html lang=\"nl\">"));
  EXPECT_TRUE(contains(html, "<meta name=\"viewport\""));
  EXPECT_TRUE(contains(html, "class=\"skip-link\" href=\"#inhoud\""));
  EXPECT_EQ(count_of(html, "<main id=\"inhoud\""), 1u);
  EXPECT_EQ(count_of(html, "<h1"), 1u);
  EXPECT_FALSE(contains(html, "style="));
  EXPECT_FALSE(contains(html, "<script>"));
  // The footer names the helpdesk (the manuals' defaults) and the sector fund's page.
  const std::string footer = between(html, "<footer class=\"site-footer\">", "</footer>");
  EXPECT_TRUE(contains(footer, "<a href=\"mailto:stages@vivosocialprofit.org\">"));
  EXPECT_TRUE(contains(footer, "02/250 37 77"));
  EXPECT_TRUE(contains(footer, "werkdagen behalve woensdag, 9u30-12u en 13u-15u"));
  EXPECT_TRUE(contains(footer,
                       "<a href=\"https://www.vivosocialprofit.org/"
                       "centraal-aanmeldingssysteem-werkplekleren-de-gezinszorg\">"));
  static const std::regex control(R"(<(input|select|textarea)\b([^>]*)>)");
  static const std::regex id_attr(R"(\bid="([^"]+)\")");
  static const std::regex type_attr(R"(\btype="([^"]+)\")");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), control);
       it != std::sregex_iterator(); ++it) {
    std::string attrs = (*it)[2];
    std::smatch type;
    if (std::regex_search(attrs, type, type_attr) && (type[1] == "hidden" || type[1] == "submit"))
      continue;
    if (contains(attrs, " hidden")) continue;
    std::smatch id;
    ASSERT_TRUE(std::regex_search(attrs, id, id_attr)) << "control without id: " << (*it)[0];
    EXPECT_TRUE(contains(html, "<label for=\"" + std::string(id[1]) + "\""))
        << "control without label: " << (*it)[0];
  }
}

inline std::string unique_dir() {
  static std::atomic<int> counter{0};
  return "stagematch-pages-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

class Pages : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / unique_dir();
    std::filesystem::create_directories(dir_);
    const std::string url = url_ = store_url();
    ASSERT_FALSE(url.empty());
    store_ = std::make_unique<SqlStore>(url);
    store_->migrate();
    clock_ = std::make_unique<TestClock>(local("2025-09-20 12:00"));  // secundair round 3: open
    clock_->freeze(true);
    defs_ = testing::shipped_definitions();
    mail_ = std::make_unique<MailTemplates>(
        source_path("mail-templates"), "Stagematch <info@stagematching.org>", site_links(kBaseUrl));
    AccountOptions options;
    accounts_ = std::make_unique<Accounts>(*store_, *mail_, *clock_, options);
    OutboxOptions outbox;
    outbox.links = site_links(kBaseUrl);
    outbox.prepare = [this] { accounts_->handle_link_requests(); };
    worker_ = std::make_unique<OutboxWorker>(*store_, mailbox_, *clock_, outbox);
    auto definitions = [this] { return defs_; };
    matching_ = std::make_unique<Matching>(*store_, definitions, *clock_);
    auto publish = [this](std::shared_ptr<const DefinitionSet> d) { defs_ = std::move(d); };
    engine_ = std::make_unique<EngineServices>(*store_, *store_, *accounts_, definitions, publish,
                                               store_.get(), *clock_);
    services_ = std::make_unique<Services>(Services{
        *engine_, *accounts_, *matching_, testing::builtin_plugins().exporters, *clock_,
        clock_.get(), definitions, publish, [] {}, kBaseUrl, source_path("web/templates")});
    app_ = std::make_unique<App>(*services_);
    build_world();
  }

  // Where the pages keep their data: SQLite, the embedded default.
  virtual std::string store_url() { return "sqlite:" + (dir_ / "test.db").string(); }

  void TearDown() override {
    app_.reset();
    services_.reset();
    engine_.reset();
    matching_.reset();
    accounts_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // ---- a browser --------------------------------------------------------------------------

  struct Browser {
    std::string cookie;       // the session
    std::string csrf;         // the session's token
    std::string form_cookie;  // before a session: the form cookie the account pages set
    std::string form_csrf;    // ... and the token their forms carry
  };

  HttpResponse send(const std::string& method, const std::string& target, const std::string& body,
                    const Browser* browser,
                    const std::string& content_type = "application/x-www-form-urlencoded") {
    HttpRequest req;
    req.method = method;
    auto q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos) req.query = parse_query(target.substr(q + 1));
    if (!body.empty()) {
      req.body = body;
      req.headers["content-type"] = content_type;
    }
    if (browser && !browser->cookie.empty()) req.cookies[kSessionCookie] = browser->cookie;
    if (browser && !browser->form_cookie.empty()) req.cookies[kFormCookie] = browser->form_cookie;
    return app_->handle(req);
  }

  // A browser without a session that opened the public form page `page`: it keeps the form
  // cookie the page sets and the token the page's form carries, as the next post needs.
  Browser visitor(const std::string& page = "/login") {
    HttpResponse res = send("GET", page, "", nullptr);
    EXPECT_EQ(res.status, 200) << page;
    Browser b;
    b.form_cookie = cookie_value(set_cookie_of(res, kFormCookie));
    b.form_csrf = csrf_field(res.body);
    EXPECT_FALSE(b.form_cookie.empty()) << "no form cookie from " << page;
    EXPECT_EQ(b.form_csrf, b.form_cookie) << page;
    return b;
  }

  // Posts a public form (log in, activation and password links) as `visitor`, with its token.
  HttpResponse post_form(const Browser& visitor, const std::string& target,
                         std::vector<std::pair<std::string, std::string>> fields) {
    fields.emplace_back("_csrf", visitor.form_csrf);
    return send("POST", target, form_body(fields), &visitor);
  }

  HttpResponse get(const std::string& target, const std::string& who = "") {
    return send("GET", target, "", who.empty() ? nullptr : &browser(who));
  }

  // Posts a form as `who`, with the session's CSRF token unless `with_csrf` is false.
  HttpResponse post(const std::string& target,
                    std::vector<std::pair<std::string, std::string>> fields,
                    const std::string& who = "", bool with_csrf = true) {
    const Browser* b = who.empty() ? nullptr : &browser(who);
    if (b && with_csrf) fields.emplace_back("_csrf", b->csrf);
    return send("POST", target, form_body(fields), b);
  }

  static std::string email_of(const std::string& who) { return who + "@stagematch.test"; }

  // Logs in through the login page and reads the CSRF token from the next page's forms.
  Browser log_in(const std::string& who) {
    Browser b = visitor("/login");
    HttpResponse res = post_form(b, "/login", {{"email", email_of(who)}, {"password", kPassword}});
    EXPECT_EQ(res.status, 303) << who << ": " << res.body;
    b.cookie = cookie_value(set_cookie_of(res, kSessionCookie));
    HttpResponse home = send("GET", "/", "", &b);
    EXPECT_EQ(home.status, 303);
    HttpResponse page = send("GET", header_of(home, "Location"), "", &b);
    b.csrf = csrf_field(page.body);
    EXPECT_FALSE(b.csrf.empty()) << "no CSRF token on " << header_of(home, "Location");
    return b;
  }

  const Browser& browser(const std::string& who) {
    auto it = browsers_.find(who);
    if (it != browsers_.end()) return it->second;
    return browsers_[who] = log_in(who);
  }

  // Sends what the outbox holds, as the server's worker does (link requests become mails, links
  // are made as each mail goes out), to a recording mailer.
  void deliver() {
    while (worker_->run_once() > 0) {
    }
  }

  // The token in the newest mail delivered to `to`.
  std::string mailed_token(const std::string& to) {
    deliver();
    auto newest = mailbox_.newest_to(to);
    return newest ? mail_testing::token_in(newest->body_text) : "";
  }

  // How many mails the outbox holds once the queued link requests were handled.
  std::size_t queued_mails() {
    accounts_->handle_link_requests();
    return store_->outbox(1000).size();
  }

  // ---- the world --------------------------------------------------------------------------

  Id org(const std::string& type, const std::string& name, std::vector<std::string> provinces,
         std::vector<std::string> tracks) {
    auto id = store_->create_organisation(
        Organisation{0, type, name, std::move(provinces), std::move(tracks)});
    EXPECT_TRUE(id);
    return id.value_or(0);
  }

  Id contact(Id org_id, const std::string& name, const std::string& phone,
             const std::string& email) {
    auto id = store_->create_contact(ContactPerson{0, org_id, name, phone, email});
    EXPECT_TRUE(id);
    return id.value_or(0);
  }

  Actor admin_actor() {
    auto admin = store_->user_by_email(email_of("admin"));
    EXPECT_TRUE(admin);
    return admin ? Accounts::actor_of(admin->user) : Actor{};
  }

  void user(const std::string& who, const std::string& role, std::optional<Id> org_id) {
    auto invited = accounts_->invite(admin_actor(), email_of(who), role, org_id);
    ASSERT_TRUE(invited) << invited.error().message;
    ASSERT_TRUE(accounts_->activate(mailed_token(email_of(who)), kPassword));
  }

  void build_world() {
    ASSERT_TRUE(accounts_->create_admin(email_of("admin"), kPassword));
    school_ = org("school", "Sint-Jozef Antwerpen", {},
                  {"secundair", "duaal", "cvo", "dubbele_finaliteit"});
    service_x_ = org("service", "Thuiszorg Antwerpen", {"ANT", "LIM"}, {});
    service_y_ = org("service", "Zorg aan huis Noord", {"ANT"}, {});
    user("school", "school", school_);
    user("service_x", "service", service_x_);
    user("service_y", "service", service_y_);
    contact_ = contact(school_, "Els Begeleider", kContactPhone, kContactEmail);
    spare_contact_ =
        contact(school_, "Reserve Begeleider", "03 555 77 88", "reserve@sintjozef.test");
    mentor_x_ = contact(service_x_, "Mentor X", "03 999 88 77", "mentor@thuiszorg-x.test");
    mentor_y_ = contact(service_y_, "Mentor Y", "03 999 11 22", "mentor@zorg-y.test");
  }

  // A valid secundair registration as the form posts it.
  std::vector<std::pair<std::string, std::string>> student_form(
      const std::string& last_name, const std::string& postal_code = "2000",
      const std::string& province = "ANT") {
    return {{"first_name", "Lotte"},
            {"last_name", last_name},
            {"national_number", kNationalNumber},
            {"street", "Kerkstraat 1"},
            {"postal_code", postal_code},
            {"city", "Stad"},
            {"province", province},
            {"phone", kStudentPhone},
            {"email", kStudentEmail},
            {"transport", "fiets"},
            {"transport", "openbaar_vervoer"},
            {"school_contact_id", std::to_string(contact_)},
            {"form", "alternerend"},
            {"period_count", "2"},
            {"total_hours", "240"},
            {"periods.1.start", "2025-10-06"},
            {"periods.1.end", "2025-10-31"},
            {"periods.2.start", "2026-02-02"},
            {"periods.2.end", "2026-02-27"},
            {"na", "overzicht"}};
  }

  // Registers through the page and returns the new request's id (read from the school's list).
  Id register_student(const std::string& last_name, const std::string& postal_code = "2000",
                      const std::string& province = "ANT") {
    HttpResponse res =
        post("/school/secundair/nieuw", student_form(last_name, postal_code, province), "school");
    EXPECT_EQ(res.status, 303) << res.body;
    auto list = matching_->list_requests(Actor{"school", 0, school_}, "secundair", ListInput{});
    EXPECT_TRUE(list);
    for (const auto& item : list->items)
      if (item["last_name"].as_string() == last_name) return item["id"].as_int();
    ADD_FAILURE() << "not registered: " << last_name;
    return 0;
  }

  // Registers a duaal student through the domain (the school's form data, with weekdays) and
  // returns its id, 0 when refused.
  Id register_duaal_student(const std::string& last_name) {
    Object fields;
    for (const auto& [key, value] : student_form(last_name))
      if (key.find('.') == std::string::npos && key != "na" && key != "transport")
        fields[key] = value;
    fields["transport"] = Array{"fiets"};
    fields["weekdays"] = Array{"ma", "di"};
    fields["school_contact_id"] = contact_;
    fields["period_count"] = 2;
    fields["total_hours"] = 240;
    fields["periods"] = Array{Object{{"start", "2025-10-06"}, {"end", "2025-10-31"}},
                              Object{{"start", "2026-02-02"}, {"end", "2026-02-27"}}};
    auto done = matching_->register_request(Actor{"school", 0, school_}, "duaal", Value(fields));
    EXPECT_TRUE(done) << (done ? "" : done.error().message);
    return done ? done->id : 0;
  }

  // Body of LinksAreMadeAtSendingAndNeverStored, on either database: an invitation, a reset
  // and a new activation link asked for through the pages reach their recipients, yet no column
  // of any table (outbox and audit log included) holds a token or a link; the admin's mail page
  // shows where the link goes; sending a dead mail again makes a new link that works.
  void links_are_made_at_sending_and_never_stored() {
    ASSERT_TRUE(accounts_->invite(admin_actor(), email_of("nieuw"), "school", school_));
    std::vector<std::string> tokens{mailed_token(email_of("nieuw"))};
    ASSERT_EQ(post_form(visitor("/wachtwoord-vergeten"), "/wachtwoord-vergeten",
                        {{"email", email_of("school")}})
                  .status,
              200);
    ASSERT_EQ(post_form(visitor("/login"), "/activatielink", {{"email", email_of("nieuw")}}).status,
              200);
    tokens.push_back(mailed_token(email_of("school")));
    tokens.push_back(mailed_token(email_of("nieuw")));
    for (const std::string& token : tokens) ASSERT_EQ(token.size(), 43u);
    for (const auto& [where, text] : testing::stored_texts(url_)) {
      for (const std::string& token : tokens)
        EXPECT_FALSE(contains(text, token)) << where << " holds a delivered token";
      EXPECT_FALSE(contains(text, "token=")) << where << " holds a link: " << text;
    }

    // The admin's page of the reset mail: the link is masked in the text and the HTML source.
    const std::string mask =
        "(persoonlijke link: wordt bij elke verzending nieuw aangemaakt en nergens bewaard)";
    auto newest_to = [this](const std::string& to) {
      Id id = 0;
      for (const auto& m : store_->outbox(1000))
        if (m.to_address == to) id = std::max(id, m.id);
      return id;
    };
    const std::string page = "/admin/mails/" + std::to_string(newest_to(email_of("school")));
    HttpResponse shown = get(page, "admin");
    ASSERT_EQ(shown.status, 200);
    EXPECT_GE(count_of(shown.body, mask), 2u) << "in the text and the HTML: " << shown.body;
    EXPECT_FALSE(contains(shown.body, "token=")) << shown.body;

    // A later reset mail fails for good; the admin sends it again: its new link works, the
    // link mailed before does not.
    ASSERT_TRUE(clock_->set(clock_->now() + std::chrono::minutes{5}));
    ASSERT_EQ(post_form(visitor("/wachtwoord-vergeten"), "/wachtwoord-vergeten",
                        {{"email", email_of("school")}})
                  .status,
              200);
    accounts_->handle_link_requests();
    const Id dead = newest_to(email_of("school"));
    for (const auto& c : store_->claim_mails(100, clock_->now(), std::chrono::seconds{60}))
      store_->mark_dead(c.id, "SMTP 550 mailbox niet beschikbaar");
    const std::size_t delivered = mailbox_.count_to(email_of("school"));
    ASSERT_EQ(post("/admin/mails/" + std::to_string(dead) + "/opnieuw", {}, "admin").status, 303);
    const std::string fresh = mailed_token(email_of("school"));
    EXPECT_EQ(mailbox_.count_to(email_of("school")), delivered + 1);
    ASSERT_EQ(fresh.size(), 43u);
    EXPECT_NE(fresh, tokens[1]);
    const std::string password = "een-ander-lang-wachtwoord";
    for (const std::string& token : {tokens[1], fresh}) {
      HttpResponse set =
          post_form(visitor("/wachtwoord-herstellen?token=" + token), "/wachtwoord-herstellen",
                    {{"token", token}, {"password", password}, {"password2", password}});
      EXPECT_EQ(set.status, token == fresh ? 303 : 410) << set.body;
    }
    HttpResponse resent = get("/admin/mails/" + std::to_string(dead), "admin");
    EXPECT_TRUE(contains(resent.body, mask));
    EXPECT_FALSE(contains(resent.body, fresh));
  }

  // Body of TheDashboardNamesAServiceThatInvitesUnusuallyMany, on either database.
  void dashboard_names_a_busy_inviter() {
    EXPECT_TRUE(contains(get("/admin", "admin").body,
                         "Geen enkele dienst nodigde 25 of meer studenten uit."));
    auto invite_one = [&](int i) {
      Id id = register_duaal_student("Duaal" + std::to_string(i));
      ASSERT_GT(id, 0);
      auto invited = matching_->change_status(Actor{"service", 0, service_x_}, id,
                                              StatusInput{"uitgenodigd", {}, {}, "", ""});
      ASSERT_TRUE(invited) << invited.error().message;
    };
    for (int i = 0; i < 24; ++i) invite_one(i);
    HttpResponse below = get("/admin", "admin");
    EXPECT_FALSE(
        contains(below.body, "<tr><th scope=\"row\">Thuiszorg Antwerpen</th><td>24</td></tr>"))
        << below.body;
    invite_one(24);
    HttpResponse named = get("/admin", "admin");
    EXPECT_TRUE(
        contains(named.body, "<tr><th scope=\"row\">Thuiszorg Antwerpen</th><td>25</td></tr>"))
        << named.body;
    ASSERT_TRUE(clock_->set(clock_->now() + std::chrono::hours{24} + std::chrono::seconds{1}));
    browsers_.clear();  // the sessions ended meanwhile: log in again
    HttpResponse later = get("/admin", "admin");
    ASSERT_EQ(later.status, 200);
    EXPECT_FALSE(contains(later.body, "Thuiszorg Antwerpen</th><td>25</td>"))
        << "a day later it has passed";
    EXPECT_TRUE(contains(later.body, "Geen enkele dienst nodigde 25 of meer studenten uit."));
  }

  HttpResponse accept_as(const std::string& who, Id id, Id mentor) {
    return post("/dienst/aanvraag/" + std::to_string(id) + "/aanvaarden",
                {{"track", "secundair"},
                 {"status", "aanvaard"},
                 {"mentor_id", std::to_string(mentor)},
                 {"periods", "0"},
                 {"notes", "Start op maandag om 9 uur."}},
                who);
  }

  std::filesystem::path dir_;
  std::string url_;
  std::unique_ptr<SqlStore> store_;
  std::unique_ptr<TestClock> clock_;
  std::shared_ptr<const DefinitionSet> defs_;
  std::unique_ptr<MailTemplates> mail_;
  std::unique_ptr<Accounts> accounts_;
  mail_testing::RecordingMailer mailbox_;
  std::unique_ptr<OutboxWorker> worker_;
  std::unique_ptr<Matching> matching_;
  std::unique_ptr<EngineServices> engine_;
  std::unique_ptr<Services> services_;
  std::unique_ptr<App> app_;
  std::map<std::string, Browser> browsers_;
  Id school_ = 0, service_x_ = 0, service_y_ = 0;
  Id contact_ = 0, spare_contact_ = 0, mentor_x_ = 0, mentor_y_ = 0;
};

}  // namespace stagematch::testing

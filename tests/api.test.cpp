// The JSON API of CONTRACT.md end to end, in process: the real App, Accounts, MailTemplates,
// Matching over the shipped definitions and the SQL store, on a fresh SQLite file and on a fresh
// PostgreSQL schema (STAGEMATCH_TEST_PG; without it the PostgreSQL half fails). Requests go
// through App::handle with cookies and CSRF headers the way a browser or script sends them.
// Covers every endpoint with its error cases, the authorisation matrix (every role against
// another organisation's ids), CSRF, the personal-data leak check over JSON and CSV, and the
// exports.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "accounts.hpp"
#include "app.hpp"
#include "json.hpp"
#include "mail_templates.hpp"
#include "mailbox_test_support.hpp"
#include "matching.hpp"
#include "plugins_support.hpp"
#include "site_links.hpp"
#include "sql_store.hpp"
#include "test_support.hpp"

namespace stagematch {
namespace {

using testing::local;
using testing::source_path;

constexpr const char* kPassword = "een-lang-wachtwoord";
constexpr const char* kBaseUrl = "http://stagematch.test";
constexpr const char* kBom = "\xEF\xBB\xBF";

std::string unique_name() {
  static std::atomic<int> counter{0};
  static const unsigned salt = std::random_device{}();
  return "api" + std::to_string(::getpid()) + "_" + std::to_string(salt % 100000) + "_" +
         std::to_string(counter++);
}

// An 11-digit national register number with a valid checksum (born before 2000).
std::string national_number(int first_nine) {
  int check = 97 - (first_nine % 97);
  std::string nine = std::to_string(first_nine);
  nine.insert(0, 9 - nine.size(), '0');
  return nine + (check < 10 ? "0" : "") + std::to_string(check);
}

std::string json(const Value& v) { return v.to_json(); }

Value body_of(const HttpResponse& res) {
  auto v = parse_json(res.body);
  return v ? *v : Value();
}

std::string header_of(const HttpResponse& res, const std::string& name) {
  for (const auto& [k, v] : res.headers)
    if (k == name) return v;
  return "";
}

std::string error_of(const HttpResponse& res) {
  Value v = body_of(res);
  return v["error"].is_string() ? v["error"].as_string() : "";
}

bool has_field_error(const HttpResponse& res, const std::string& field) {
  return body_of(res)["fields"].has(field);
}

std::set<Id> ids_of(const HttpResponse& res) {
  std::set<Id> out;
  Value v = body_of(res);
  if (v["items"].is_array())
    for (const auto& item : v["items"].as_array()) out.insert(item["id"].as_int());
  return out;
}

std::vector<std::string> names_in_order(const HttpResponse& res) {
  std::vector<std::string> out;
  Value v = body_of(res);
  if (v["items"].is_array())
    for (const auto& item : v["items"].as_array()) out.push_back(item["last_name"].as_string());
  return out;
}

// A CSV export as rows of cells (the BOM dropped, quoted cells unquoted), header first.
std::vector<std::vector<std::string>> csv_rows(const std::string& csv) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string cell;
  bool quoted = false;
  std::size_t i = csv.rfind(kBom, 0) == 0 ? 3 : 0;
  for (; i < csv.size(); ++i) {
    char c = csv[i];
    if (quoted) {
      if (c == '"' && i + 1 < csv.size() && csv[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ';') {
      row.push_back(std::move(cell));
      cell.clear();
    } else if (c == '\r' && i + 1 < csv.size() && csv[i + 1] == '\n') {
      row.push_back(std::move(cell));
      cell.clear();
      rows.push_back(std::move(row));
      row.clear();
      ++i;
    } else {
      cell += c;
    }
  }
  if (!cell.empty() || !row.empty()) {
    row.push_back(std::move(cell));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<std::string> csv_header(const std::string& csv) {
  auto rows = csv_rows(csv);
  return rows.empty() ? std::vector<std::string>{} : rows.front();
}

bool has_column(const std::vector<std::string>& header, const std::string& name) {
  return std::find(header.begin(), header.end(), name) != header.end();
}

// The cell of `column` in the row that has `key` in column `key_column`; "?" when either is
// missing.
std::string csv_cell(const std::string& csv, const std::string& key_column, const std::string& key,
                     const std::string& column) {
  auto rows = csv_rows(csv);
  if (rows.empty()) return "?";
  auto index = [&](const std::string& name) {
    auto it = std::find(rows[0].begin(), rows[0].end(), name);
    return it == rows[0].end() ? std::string::npos : static_cast<std::size_t>(it - rows[0].begin());
  };
  std::size_t k = index(key_column), c = index(column);
  if (k == std::string::npos || c == std::string::npos) return "?";
  for (std::size_t r = 1; r < rows.size(); ++r)
    if (rows[r].size() > std::max(k, c) && rows[r][k] == key) return rows[r][c];
  return "?";
}

// The text of every part of an .xlsx (a zip), through Debian's python3 (script/test needs it
// anyway), so tests can look for cell values in xl/sharedStrings.xml.
std::string xlsx_text(const std::string& bytes) {
  auto file =
      std::filesystem::temp_directory_path() / ("stagematch-api-" + unique_name() + ".xlsx");
  {
    std::ofstream out(file, std::ios::binary);
    out << bytes;
  }
  std::string text;
  std::string cmd =
      "/usr/bin/python3 -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); "
      "[sys.stdout.buffer.write(z.read(n)) for n in z.namelist()]' '" +
      file.string() + "' 2>/dev/null";
  if (FILE* pipe = ::popen(cmd.c_str(), "r")) {
    std::array<char, 4096> buffer{};
    std::size_t n = 0;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
      text.append(buffer.data(), n);
    ::pclose(pipe);
  }
  std::filesystem::remove(file);
  EXPECT_NE(text.find("<worksheet"), std::string::npos) << "not an xlsx workbook";
  return text;
}

struct Login {
  std::string cookie;
  std::string csrf;
};

enum class Csrf { kRight, kMissing, kWrong };

class Api : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string url = fresh_database();
    ASSERT_FALSE(url.empty());
    store_ = std::make_unique<SqlStore>(url);
    store_->migrate();
    clock_ = std::make_unique<TestClock>(local("2025-09-20 12:00"));  // secundair round 3, open
    clock_->freeze(true);
    defs_ = testing::shipped_definitions();
    mail_ = std::make_unique<MailTemplates>(
        source_path("mail-templates"), "Stagematch <info@stagematching.org>", site_links(kBaseUrl));
    AccountOptions options;
    accounts_ = std::make_unique<Accounts>(*store_, *mail_, *clock_, options);
    worker_ = std::make_unique<OutboxWorker>(*store_, mailbox_, *clock_, outbox_options());
    auto definitions = [this] { return current_definitions(); };
    matching_ = std::make_unique<Matching>(*store_, definitions, *clock_);
    auto publish = [this](std::shared_ptr<const DefinitionSet> d) {
      std::lock_guard lock(defs_mutex_);
      defs_ = std::move(d);
    };
    engine_ = std::make_unique<EngineServices>(*store_, *store_, *accounts_, definitions, publish,
                                               nullptr, *clock_);
    services_ = std::make_unique<Services>(
        Services{*engine_, *accounts_, *matching_, testing::builtin_plugins().exporters, *clock_,
                 clock_.get(), definitions, publish, [this] { ++due_runs_; }, kBaseUrl,
                 source_path("web/templates")});
    app_ = std::make_unique<App>(*services_);
    build_world();
  }

  void TearDown() override {
    app_.reset();
    services_.reset();
    engine_.reset();
    matching_.reset();
    accounts_.reset();
    store_.reset();
    if (!schema_.empty()) {
      std::string cmd = "psql -q -v ON_ERROR_STOP=1 '" + pg_base_ + "' -c 'DROP SCHEMA " + schema_ +
                        " CASCADE' >/dev/null";
      EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    }
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::string fresh_database() {
    std::string name = unique_name();
    if (GetParam() == "sqlite") {
      dir_ = std::filesystem::temp_directory_path() / ("stagematch-api-" + name);
      std::filesystem::create_directories(dir_);
      return "sqlite:" + (dir_ / "test.db").string();
    }
    const char* base = std::getenv("STAGEMATCH_TEST_PG");
    if (!base || !*base) {
      ADD_FAILURE()
          << "STAGEMATCH_TEST_PG is not set: the PostgreSQL half of the API tests needs a "
             "server. Run script/test, which starts one, or export "
             "STAGEMATCH_TEST_PG=postgresql://user@host:port/db";
      return "";
    }
    pg_base_ = base;
    std::string cmd =
        "psql -q -v ON_ERROR_STOP=1 '" + pg_base_ + "' -c 'CREATE SCHEMA " + name + "' >/dev/null";
    if (std::system(cmd.c_str()) != 0) {
      ADD_FAILURE() << "could not create a schema: " << cmd;
      return "";
    }
    schema_ = name;
    return pg_base_ + (pg_base_.find('?') == std::string::npos ? "?" : "&") + "schema=" + name;
  }

  std::shared_ptr<const DefinitionSet> current_definitions() {
    std::lock_guard lock(defs_mutex_);
    return defs_;
  }

  // ---- talking to the App ---------------------------------------------------------------

  HttpResponse call(const std::string& method, const std::string& target,
                    const std::string& body = "", const std::string& who = "",
                    Csrf csrf = Csrf::kRight) {
    HttpRequest req;
    req.method = method;
    auto q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos) req.query = parse_query(target.substr(q + 1));
    if (!body.empty()) {
      req.body = body;
      req.headers["content-type"] = "application/json";
    }
    if (!who.empty()) {
      const Login& l = session(who);
      req.cookies[kSessionCookie] = l.cookie;
      if (csrf == Csrf::kRight) req.headers["x-csrf-token"] = l.csrf;
      if (csrf == Csrf::kWrong) req.headers["x-csrf-token"] = l.csrf + "x";
    }
    return app_->handle(req);
  }

  HttpResponse get(const std::string& target, const std::string& who) {
    return call("GET", target, "", who);
  }
  HttpResponse post(const std::string& target, const Value& body, const std::string& who = "") {
    return call("POST", target, json(body), who);
  }
  HttpResponse put(const std::string& target, const Value& body, const std::string& who) {
    return call("PUT", target, json(body), who);
  }
  HttpResponse del(const std::string& target, const std::string& who) {
    return call("DELETE", target, "", who);
  }

  static std::string cookie_value(const HttpResponse& res) {
    const std::string prefix = std::string(kSessionCookie) + "=";
    for (const auto& [k, v] : res.headers)
      if (k == "Set-Cookie" && v.rfind(prefix, 0) == 0)
        return v.substr(prefix.size(), v.find(';') - prefix.size());
    return "";
  }

  HttpResponse login_response(const std::string& email, const std::string& password = kPassword) {
    return post("/api/v1/login", Object{{"email", email}, {"password", password}});
  }

  Login login(const std::string& email, const std::string& password = kPassword) {
    HttpResponse res = login_response(email, password);
    EXPECT_EQ(res.status, 200) << email << ": " << res.body;
    Value v = body_of(res);
    return Login{cookie_value(res), v["csrf_token"].is_string() ? v["csrf_token"].as_string() : ""};
  }

  // The logged-in session of one of the world's users ("admin", "school_a", ...), logging in
  // when there is none yet.
  const Login& session(const std::string& who) {
    auto it = sessions_.find(who);
    if (it != sessions_.end()) return it->second;
    return sessions_[who] = login(email_of(who));
  }

  static std::string email_of(const std::string& who) { return who + "@stagematch.test"; }

  // Moves the server's clock; sessions idle past their limit then, so everyone logs in again.
  void move_to(const std::string& when) {
    ASSERT_TRUE(clock_->set(local(when)));
    sessions_.clear();
  }

  // The outbox worker as the server runs it: link requests become mails, links are made as
  // each mail goes out, to a recording mailer.
  OutboxOptions outbox_options() {
    OutboxOptions o;
    o.links = site_links(kBaseUrl);
    o.prepare = [this] { accounts_->handle_link_requests(); };
    return o;
  }

  void deliver() {
    while (worker_->run_once() > 0) {
    }
  }

  // The token in the newest mail delivered to `to` (its link carries `token=`).
  std::string mailed_token(const std::string& to) {
    deliver();
    auto newest = mailbox_.newest_to(to);
    if (!newest) {
      ADD_FAILURE() << "no mail to " << to;
      return "";
    }
    std::string token = mail_testing::token_in(newest->body_text);
    if (token.empty())
      ADD_FAILURE() << "no token in the mail to " << to << ":\n" << newest->body_text;
    return token;
  }

  std::size_t mails_to(const std::string& to) {
    deliver();
    return mailbox_.count_to(to);
  }

  // ---- the world: an admin, two schools, two services, their users and contacts -----------

  Id create_org(const Value& body) {
    HttpResponse res = post("/api/v1/orgs", body, "admin");
    EXPECT_EQ(res.status, 201) << res.body;
    return body_of(res)["id"].is_int() ? body_of(res)["id"].as_int() : 0;
  }

  void invite_and_activate(const std::string& who, const std::string& role, Id org) {
    HttpResponse invited =
        post("/api/v1/invitations",
             Object{{"email", email_of(who)}, {"org_id", org}, {"role", role}}, "admin");
    ASSERT_EQ(invited.status, 201) << invited.body;
    EXPECT_TRUE(body_of(invited)["id"].is_int());
    HttpResponse activated = post("/api/v1/activate", Object{{"token", mailed_token(email_of(who))},
                                                             {"password", kPassword}});
    ASSERT_EQ(activated.status, 200) << activated.body;
  }

  Id create_contact(const std::string& who, const std::string& name, const std::string& phone,
                    const std::string& email) {
    HttpResponse res =
        post("/api/v1/contacts", Object{{"name", name}, {"phone", phone}, {"email", email}}, who);
    EXPECT_EQ(res.status, 201) << res.body;
    return body_of(res)["id"].is_int() ? body_of(res)["id"].as_int() : 0;
  }

  void build_world() {
    ASSERT_TRUE(accounts_->create_admin(email_of("admin"), kPassword));
    school_a_ =
        create_org(Object{{"type", "school"},
                          {"name", "Sint-Jozef Antwerpen"},
                          {"tracks", Array{"secundair", "duaal", "cvo", "dubbele_finaliteit"}}});
    school_b_ = create_org(
        Object{{"type", "school"}, {"name", "Atheneum Hasselt"}, {"tracks", Array{"secundair"}}});
    service_x_ = create_org(Object{
        {"type", "service"}, {"name", "Thuiszorg Antwerpen"}, {"provinces", Array{"ANT", "LIM"}}});
    service_y_ = create_org(
        Object{{"type", "service"}, {"name", "Zorg aan huis Noord"}, {"provinces", Array{"ANT"}}});
    invite_and_activate("school_a", "school", school_a_);
    invite_and_activate("school_b", "school", school_b_);
    invite_and_activate("service_x", "service", service_x_);
    invite_and_activate("service_y", "service", service_y_);
    contact_a_ = create_contact("school_a", "Els Begeleider", "03 555 01 02",
                                "els.begeleider@sintjozef.test");
    contact_b_ = create_contact("school_b", "Jan Begeleider", "011 22 33 44", "jan@atheneum.test");
    mentor_x_ = create_contact("service_x", "Mentor X", "03 999 88 77", "mentor@thuiszorg-x.test");
    mentor_y_ = create_contact("service_y", "Mentor Y", "03 999 11 22", "mentor@zorg-y.test");
  }

  Object student(const std::string& last_name, const std::string& province = "ANT",
                 const std::string& postal_code = "2000", Id contact = 0) {
    return Object{{"first_name", "Lotte"},
                  {"last_name", last_name},
                  {"national_number", national_number(850730033)},
                  {"street", "Kerkstraat 1"},
                  {"postal_code", postal_code},
                  {"city", "Stad"},
                  {"province", province},
                  {"phone", "0470 12 34 56"},
                  {"email", "lotte@example.test"},
                  {"transport", Array{"fiets", "openbaar_vervoer"}},
                  {"school_contact_id", contact ? contact : contact_a_},
                  {"form", "alternerend"},
                  {"period_count", 2},
                  {"total_hours", 240},
                  {"periods", Array{Object{{"start", "2025-10-06"}, {"end", "2025-10-31"}},
                                    Object{{"start", "2026-02-02"}, {"end", "2026-02-27"}}}}};
  }

  Id register_student(const Value& fields, const std::string& who = "school_a",
                      const std::string& track = "secundair") {
    HttpResponse res = post("/api/v1/tracks/" + track + "/requests", fields, who);
    EXPECT_EQ(res.status, 201) << res.body;
    return body_of(res)["id"].is_int() ? body_of(res)["id"].as_int() : 0;
  }

  Value accept_body(Id mentor) const {
    return Object{{"status", "aanvaard"},
                  {"mentor_id", mentor},
                  {"periods", Array{0}},
                  {"notes", "Start op maandag."}};
  }

  std::string req_path(Id id, const std::string& suffix = "") {
    return "/api/v1/requests/" + std::to_string(id) + suffix;
  }
  std::string contact_path(Id id) { return "/api/v1/contacts/" + std::to_string(id); }

  std::unique_ptr<SqlStore> store_;
  std::unique_ptr<TestClock> clock_;
  std::mutex defs_mutex_;
  std::shared_ptr<const DefinitionSet> defs_;
  std::unique_ptr<MailTemplates> mail_;
  std::unique_ptr<Accounts> accounts_;
  mail_testing::RecordingMailer mailbox_;
  std::unique_ptr<OutboxWorker> worker_;
  std::unique_ptr<Matching> matching_;
  std::unique_ptr<EngineServices> engine_;
  std::unique_ptr<Services> services_;
  std::unique_ptr<App> app_;
  int due_runs_ = 0;
  std::map<std::string, Login> sessions_;
  std::string pg_base_;
  std::string schema_;
  std::filesystem::path dir_;

  Id school_a_ = 0, school_b_ = 0, service_x_ = 0, service_y_ = 0;
  Id contact_a_ = 0, contact_b_ = 0, mentor_x_ = 0, mentor_y_ = 0;
};

// ---- sessions ------------------------------------------------------------------------------

TEST_P(Api, LoginSetsAnHttpOnlyCookieAndAnswersTheUserAndCsrfToken) {
  HttpResponse res = login_response(email_of("school_a"));
  ASSERT_EQ(res.status, 200) << res.body;
  Value v = body_of(res);
  EXPECT_EQ(v["user"]["email"], Value(email_of("school_a")));
  EXPECT_EQ(v["user"]["role"], Value("school"));
  EXPECT_EQ(v["user"]["org_id"], Value(school_a_));
  EXPECT_TRUE(v["user"]["id"].is_int());
  EXPECT_TRUE(v["csrf_token"].is_string());
  std::string cookie = header_of(res, "Set-Cookie");
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("SameSite=Lax"), std::string::npos) << cookie;
  EXPECT_EQ(cookie.find("Secure"), std::string::npos) << cookie;
  EXPECT_EQ(v["user"].has("password_hash"), false);

  HttpRequest secure;
  secure.method = "POST";
  secure.path = "/api/v1/login";
  secure.secure = true;
  secure.headers["content-type"] = "application/json";
  secure.body = json(Object{{"email", email_of("school_b")}, {"password", kPassword}});
  HttpResponse over_https = app_->handle(secure);
  ASSERT_EQ(over_https.status, 200);
  EXPECT_NE(header_of(over_https, "Set-Cookie").find("; Secure"), std::string::npos);
}

TEST_P(Api, LoginRefusals) {
  HttpResponse wrong = login_response(email_of("school_a"), "niet-het-wachtwoord");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(error_of(wrong), "invalid_credentials");
  EXPECT_TRUE(body_of(wrong)["message"].is_string());
  EXPECT_EQ(header_of(wrong, "Set-Cookie"), "");
  HttpResponse unknown = login_response("niemand@stagematch.test");
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(call("POST", "/api/v1/login", "{\"email\":").status, 400);
  EXPECT_EQ(error_of(call("POST", "/api/v1/login", "{\"email\":")), "bad_json");
  EXPECT_EQ(call("POST", "/api/v1/login", "[1]").status, 400);
  HttpResponse missing = post("/api/v1/login", Object{{"email", email_of("school_a")}});
  EXPECT_EQ(missing.status, 422);
  EXPECT_TRUE(has_field_error(missing, "password"));
}

TEST_P(Api, TooManyFailedLoginsAre429) {
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(login_response(email_of("school_b"), "fout-wachtwoord-" + std::to_string(i)).status,
              401);
  HttpResponse throttled = login_response(email_of("school_b"));
  EXPECT_EQ(throttled.status, 429);
  EXPECT_EQ(error_of(throttled), "throttled");
  EXPECT_EQ(login_response(email_of("school_a")).status, 200);  // only that address
}

TEST_P(Api, NotActivatedIs403AndCanAskForANewActivationLink) {
  ASSERT_EQ(
      post("/api/v1/invitations",
           Object{{"email", "nieuw@stagematch.test"}, {"org_id", school_a_}, {"role", "school"}},
           "admin")
          .status,
      201);
  std::string first_token = mailed_token("nieuw@stagematch.test");
  HttpResponse res = login_response("nieuw@stagematch.test", "om-het-even-wat");
  EXPECT_EQ(res.status, 403);
  EXPECT_EQ(error_of(res), "not_activated");
  std::size_t before = mails_to("nieuw@stagematch.test");
  HttpResponse resend =
      post("/api/v1/activation/resend", Object{{"email", "nieuw@stagematch.test"}});
  EXPECT_EQ(resend.status, 202);
  EXPECT_EQ(mails_to("nieuw@stagematch.test"), before + 1);
  // The same answer for an unknown address, an activated one and nonsense.
  EXPECT_EQ(post("/api/v1/activation/resend", Object{{"email", "niemand@stagematch.test"}}).status,
            202);
  EXPECT_EQ(post("/api/v1/activation/resend", Object{{"email", email_of("school_a")}}).status, 202);
  EXPECT_EQ(post("/api/v1/activation/resend", Object{}).status, 202);
  std::string token = mailed_token("nieuw@stagematch.test");
  EXPECT_NE(token, first_token);
  EXPECT_EQ(post("/api/v1/activate", Object{{"token", token}, {"password", kPassword}}).status,
            200);
  EXPECT_EQ(login_response("nieuw@stagematch.test").status, 200);
}

TEST_P(Api, ActivationIsSingleUseAndChecksThePassword) {
  ASSERT_EQ(
      post("/api/v1/invitations",
           Object{{"email", "twee@stagematch.test"}, {"org_id", service_x_}, {"role", "service"}},
           "admin")
          .status,
      201);
  std::string token = mailed_token("twee@stagematch.test");
  HttpResponse weak = post("/api/v1/activate", Object{{"token", token}, {"password", "kort"}});
  EXPECT_EQ(weak.status, 422);
  EXPECT_TRUE(has_field_error(weak, "password"));
  EXPECT_EQ(post("/api/v1/activate", Object{{"token", token}, {"password", kPassword}}).status,
            200);
  HttpResponse again = post("/api/v1/activate", Object{{"token", token}, {"password", kPassword}});
  EXPECT_EQ(again.status, 410);
  EXPECT_EQ(error_of(again), "gone");
  EXPECT_EQ(
      post("/api/v1/activate", Object{{"token", "verzonnen"}, {"password", kPassword}}).status,
      410);
  EXPECT_EQ(post("/api/v1/activate", Object{{"password", kPassword}}).status, 422);
  EXPECT_EQ(call("POST", "/api/v1/activate", "nee").status, 400);
}

TEST_P(Api, PasswordResetAlways202ThenConfirmOnce) {
  EXPECT_EQ(post("/api/v1/password-reset", Object{{"email", "niemand@stagematch.test"}}).status,
            202);
  EXPECT_EQ(post("/api/v1/password-reset", Object{{"email", email_of("service_y")}}).status, 202);
  std::string token = mailed_token(email_of("service_y"));
  ASSERT_FALSE(token.empty());
  HttpResponse weak =
      post("/api/v1/password-reset/confirm", Object{{"token", token}, {"password", "kort"}});
  EXPECT_EQ(weak.status, 422);
  HttpResponse done = post("/api/v1/password-reset/confirm",
                           Object{{"token", token}, {"password", "nieuw-wachtwoord-123"}});
  EXPECT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(post("/api/v1/password-reset/confirm",
                 Object{{"token", token}, {"password", "nog-een-wachtwoord"}})
                .status,
            410);
  EXPECT_EQ(login_response(email_of("service_y")).status, 401);
  EXPECT_EQ(login_response(email_of("service_y"), "nieuw-wachtwoord-123").status, 200);
  EXPECT_EQ(call("POST", "/api/v1/password-reset/confirm", "{").status, 400);
}

// 25 reset requests once put 25 mails in a mailbox, for any number of addresses. One client
// address may ask for 20 links an hour (any addresses, reset and new activation link
// together); then 429 with the same Dutch answer whether the address has an account or not.
// Another client is not held up.
TEST_P(Api, ManyLinkRequestsFromOneClientAreRefusedTheSameForEveryAddress) {
  auto ask = [this](const std::string& path, const std::string& email, const std::string& client) {
    HttpRequest req;
    req.method = "POST";
    req.path = path;
    req.body = json(Value(Object{{"email", email}}));
    req.headers["content-type"] = "application/json";
    req.client = client;
    return app_->handle(req);
  };
  const std::string flood = "198.51.100.7";
  for (int i = 0; i < 20; ++i) {
    const std::string path = i % 2 == 0 ? "/api/v1/password-reset" : "/api/v1/activation/resend";
    ASSERT_EQ(ask(path, "slachtoffer" + std::to_string(i) + "@stagematch.test", flood).status, 202)
        << i;
  }
  const std::size_t before = mails_to(email_of("service_y"));
  for (const std::string path : {"/api/v1/password-reset", "/api/v1/activation/resend"}) {
    HttpResponse known = ask(path, email_of("service_y"), flood);
    HttpResponse unknown = ask(path, "niemand@stagematch.test", flood);
    EXPECT_EQ(known.status, 429) << path;
    EXPECT_EQ(error_of(known), "throttled");
    EXPECT_EQ(known.body, unknown.body) << "the answer does not tell whether the address exists";
    EXPECT_EQ(body_of(known)["message"],
              Value("Er werden vanaf dit netwerkadres te veel links aangevraagd. Probeer het "
                    "over 60 minuten opnieuw."));
  }
  EXPECT_EQ(mails_to(email_of("service_y")), before);
  EXPECT_EQ(ask("/api/v1/password-reset", email_of("service_y"), "203.0.113.9").status, 202);
  EXPECT_EQ(mails_to(email_of("service_y")), before + 1) << "another client goes on";
}

TEST_P(Api, MeAndLogout) {
  HttpResponse me = get("/api/v1/me", "service_x");
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(body_of(me)["user"]["role"], Value("service"));
  EXPECT_EQ(body_of(me)["org"]["name"], Value("Thuiszorg Antwerpen"));
  EXPECT_EQ(body_of(me)["csrf_token"], Value(session("service_x").csrf));
  EXPECT_EQ(call("GET", "/api/v1/me").status, 401);

  EXPECT_EQ(call("POST", "/api/v1/logout", "", "service_x", Csrf::kMissing).status, 403);
  HttpResponse out = call("POST", "/api/v1/logout", "", "service_x");
  EXPECT_EQ(out.status, 204);
  EXPECT_NE(header_of(out, "Set-Cookie").find("Max-Age=0"), std::string::npos);
  HttpResponse after = get("/api/v1/me", "service_x");  // the old cookie
  EXPECT_EQ(after.status, 401);
  EXPECT_EQ(call("POST", "/api/v1/logout").status, 401);
}

TEST_P(Api, ANewLoginEndsTheOlderSession) {
  Login first = session("school_a");
  Login second = login(email_of("school_a"));
  HttpResponse old = get("/api/v1/me", "school_a");
  EXPECT_EQ(old.status, 401);
  EXPECT_EQ(error_of(old), "session_replaced");
  sessions_["school_a"] = second;
  EXPECT_EQ(get("/api/v1/me", "school_a").status, 200);
  EXPECT_NE(first.cookie, second.cookie);
}

TEST_P(Api, StateChangingCallsNeedTheSessionsCsrfToken) {
  Value contact =
      Object{{"name", "Piet"}, {"phone", "03 111 22 33"}, {"email", "piet@sintjozef.test"}};
  HttpResponse missing =
      call("POST", "/api/v1/contacts", json(contact), "school_a", Csrf::kMissing);
  EXPECT_EQ(missing.status, 403);
  EXPECT_EQ(error_of(missing), "csrf");
  EXPECT_EQ(call("POST", "/api/v1/contacts", json(contact), "school_a", Csrf::kWrong).status, 403);
  EXPECT_EQ(call("DELETE", contact_path(contact_a_), "", "school_a", Csrf::kWrong).status, 403);
  EXPECT_EQ(call("PUT", "/api/v1/admin/clock", json(Object{{"now", "2025-09-21T12:00:00+02:00"}}),
                 "admin", Csrf::kMissing)
                .status,
            403);
  // Another user's token does not do either.
  HttpRequest req;
  req.method = "POST";
  req.path = "/api/v1/contacts";
  req.body = json(contact);
  req.cookies[kSessionCookie] = session("school_a").cookie;
  req.headers["x-csrf-token"] = session("school_b").csrf;
  EXPECT_EQ(app_->handle(req).status, 403);
  EXPECT_EQ(store_->contacts(school_a_).size(), 1u);
  EXPECT_EQ(call("POST", "/api/v1/contacts", json(contact), "school_a").status, 201);
}

// ---- organisations and invitations ---------------------------------------------------------

// The API and the admin's page create organisations through one service: the same checks, a
// second organisation of the same name refused at the name, and the API's own messages for
// JSON that is not of the right kind.
TEST_P(Api, OrganisationsAreCheckedAsOnThePageAndTheJsonKindsByTheApi) {
  const Object school{
      {"type", "school"}, {"name", "Sint-Jozef Antwerpen"}, {"tracks", Array{"secundair"}}};
  const std::size_t before = store_->organisations("").size();
  HttpResponse twice = post("/api/v1/orgs", school, "admin");
  EXPECT_EQ(twice.status, 409) << twice.body;
  EXPECT_EQ(error_of(twice), "duplicate");
  EXPECT_TRUE(has_field_error(twice, "name")) << twice.body;
  HttpResponse kinds =
      post("/api/v1/orgs", Object{{"type", 3}, {"name", "X"}, {"provinces", "ANT"}, {"tracks", 1}},
           "admin");
  EXPECT_EQ(kinds.status, 422);
  EXPECT_EQ(body_of(kinds)["fields"]["type"].as_string(), "Kies school of service.");
  EXPECT_EQ(body_of(kinds)["fields"]["provinces"].as_string(), "Geef een lijst van provincies.");
  EXPECT_EQ(body_of(kinds)["fields"]["tracks"].as_string(), "Geef een lijst van trajecten.");
  EXPECT_EQ(store_->organisations("").size(), before);
}

TEST_P(Api, AdminCreatesOrganisationsWithCheckedFields) {
  HttpResponse bad_type =
      post("/api/v1/orgs", Object{{"type", "ziekenhuis"}, {"name", "X"}}, "admin");
  EXPECT_EQ(bad_type.status, 422);
  EXPECT_TRUE(has_field_error(bad_type, "type"));
  HttpResponse no_name =
      post("/api/v1/orgs", Object{{"type", "service"}, {"name", "  "}, {"provinces", Array{"ANT"}}},
           "admin");
  EXPECT_EQ(no_name.status, 422);
  EXPECT_TRUE(has_field_error(no_name, "name"));
  HttpResponse bad_province =
      post("/api/v1/orgs",
           Object{{"type", "service"}, {"name", "Dienst Z"}, {"provinces", Array{"ANT", "NAM"}}},
           "admin");
  EXPECT_EQ(bad_province.status, 422);
  EXPECT_TRUE(has_field_error(bad_province, "provinces"));
  HttpResponse no_province =
      post("/api/v1/orgs", Object{{"type", "service"}, {"name", "Dienst Z"}}, "admin");
  EXPECT_TRUE(has_field_error(no_province, "provinces"));
  HttpResponse bad_track =
      post("/api/v1/orgs",
           Object{{"type", "school"}, {"name", "School Z"}, {"tracks", Array{"hoger_onderwijs"}}},
           "admin");
  EXPECT_EQ(bad_track.status, 422);
  EXPECT_TRUE(has_field_error(bad_track, "tracks"));
  HttpResponse no_track =
      post("/api/v1/orgs", Object{{"type", "school"}, {"name", "School Z"}}, "admin");
  EXPECT_TRUE(has_field_error(no_track, "tracks"));
  EXPECT_EQ(call("POST", "/api/v1/orgs", "{", "admin").status, 400);

  HttpResponse made =
      post("/api/v1/orgs",
           Object{{"type", "service"}, {"name", "Dienst Z"}, {"provinces", Array{"WVL", "OVL"}}},
           "admin");
  ASSERT_EQ(made.status, 201) << made.body;
  Id id = body_of(made)["id"].as_int();
  auto stored = store_->organisation(id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->provinces, (std::vector<std::string>{"OVL", "WVL"}));
}

TEST_P(Api, EveryoneLoggedInListsOrganisations) {
  for (const char* who : {"admin", "school_a", "service_y"}) {
    HttpResponse all = get("/api/v1/orgs", who);
    ASSERT_EQ(all.status, 200) << who;
    EXPECT_EQ(ids_of(all), (std::set<Id>{school_a_, school_b_, service_x_, service_y_})) << who;
  }
  HttpResponse services = get("/api/v1/orgs?type=service", "school_a");
  EXPECT_EQ(ids_of(services), (std::set<Id>{service_x_, service_y_}));
  Value listed = body_of(services);
  for (const auto& item : listed["items"].as_array()) {
    EXPECT_EQ(item["type"], Value("service"));
    EXPECT_TRUE(item["provinces"].is_array());
    EXPECT_TRUE(item["name"].is_string());
  }
  EXPECT_EQ(ids_of(get("/api/v1/orgs?type=school", "service_x")),
            (std::set<Id>{school_a_, school_b_}));
  HttpResponse bad = get("/api/v1/orgs?type=ziekenhuis", "school_a");
  EXPECT_EQ(bad.status, 422);
  EXPECT_TRUE(has_field_error(bad, "type"));
}

TEST_P(Api, InvitationsAreCheckedAndMailed) {
  HttpResponse made =
      post("/api/v1/invitations",
           Object{{"email", "collega@sintjozef.test"}, {"org_id", school_a_}, {"role", "school"}},
           "admin");
  EXPECT_EQ(made.status, 201) << made.body;
  EXPECT_NE(mailed_token("collega@sintjozef.test"), "");
  HttpResponse twice =
      post("/api/v1/invitations",
           Object{{"email", "collega@sintjozef.test"}, {"org_id", school_a_}, {"role", "school"}},
           "admin");
  EXPECT_EQ(twice.status, 409);
  HttpResponse wrong_type =
      post("/api/v1/invitations",
           Object{{"email", "x@y.test"}, {"org_id", service_x_}, {"role", "school"}}, "admin");
  EXPECT_EQ(wrong_type.status, 422);
  EXPECT_TRUE(has_field_error(wrong_type, "org_id"));
  HttpResponse bad_role =
      post("/api/v1/invitations",
           Object{{"email", "x@y.test"}, {"org_id", school_a_}, {"role", "directeur"}}, "admin");
  EXPECT_EQ(bad_role.status, 422);
  EXPECT_TRUE(has_field_error(bad_role, "role"));
  HttpResponse bad_email =
      post("/api/v1/invitations",
           Object{{"email", "geen adres"}, {"org_id", school_a_}, {"role", "school"}}, "admin");
  EXPECT_EQ(bad_email.status, 422);
  EXPECT_TRUE(has_field_error(bad_email, "email"));
  HttpResponse no_org =
      post("/api/v1/invitations",
           Object{{"email", "x@y.test"}, {"org_id", 999999}, {"role", "service"}}, "admin");
  EXPECT_EQ(no_org.status, 422);
  EXPECT_TRUE(has_field_error(no_org, "org_id"));
  HttpResponse admin_org =
      post("/api/v1/invitations",
           Object{{"email", "x@y.test"}, {"org_id", school_a_}, {"role", "admin"}}, "admin");
  EXPECT_EQ(admin_org.status, 422);
  EXPECT_EQ(
      post("/api/v1/invitations", Object{{"email", "baas@vivo.test"}, {"role", "admin"}}, "admin")
          .status,
      201);
}

// ---- contact persons -----------------------------------------------------------------------

TEST_P(Api, ContactPersonsOfTheOwnOrganisation) {
  HttpResponse list = get("/api/v1/contacts", "school_a");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(ids_of(list), (std::set<Id>{contact_a_}));
  Value first = body_of(list)["items"].as_array().front();
  EXPECT_EQ(first["name"], Value("Els Begeleider"));
  EXPECT_EQ(first["phone"], Value("03 555 01 02"));
  EXPECT_EQ(ids_of(get("/api/v1/contacts", "service_x")), (std::set<Id>{mentor_x_}));

  HttpResponse invalid =
      post("/api/v1/contacts", Object{{"name", ""}, {"phone", "abc"}, {"email", "geen-mail"}},
           "school_a");
  EXPECT_EQ(invalid.status, 422);
  EXPECT_TRUE(has_field_error(invalid, "name"));
  EXPECT_TRUE(has_field_error(invalid, "phone"));
  EXPECT_TRUE(has_field_error(invalid, "email"));

  Id extra = create_contact("school_a", "Piet Begeleider", "03 111 22 33", "piet@sintjozef.test");
  HttpResponse edited = put(
      contact_path(extra),
      Object{{"name", "Piet B."}, {"phone", "03 111 22 44"}, {"email", "piet.b@sintjozef.test"}},
      "school_a");
  EXPECT_EQ(edited.status, 200) << edited.body;
  EXPECT_EQ(store_->contact(extra)->name, "Piet B.");
  EXPECT_EQ(put(contact_path(extra), Object{{"name", "Piet"}}, "school_a").status, 422);
  EXPECT_EQ(call("PUT", contact_path(extra), "{", "school_a").status, 400);
  EXPECT_EQ(del(contact_path(extra), "school_a").status, 204);
  EXPECT_EQ(del(contact_path(extra), "school_a").status, 404);
  EXPECT_EQ(put(contact_path(extra),
                Object{{"name", "P"}, {"phone", "03 111 22 33"}, {"email", "p@x.test"}}, "school_a")
                .status,
            404);
  EXPECT_EQ(del("/api/v1/contacts/abc", "school_a").status, 404);
}

TEST_P(Api, AContactLinkedToAStudentOrAnAcceptanceCannotBeDeleted) {
  Id id = register_student(student("Peeters"));
  HttpResponse linked = del(contact_path(contact_a_), "school_a");
  EXPECT_EQ(linked.status, 409);
  EXPECT_EQ(error_of(linked), "linked");
  ASSERT_EQ(post(req_path(id, "/status"), accept_body(mentor_x_), "service_x").status, 200);
  EXPECT_EQ(del(contact_path(mentor_x_), "service_x").status, 409);
  EXPECT_EQ(del(contact_path(mentor_y_), "service_y").status, 204);
}

// The JSON API and the pages delete a contact person through the same service: the refusal
// names the person and says why, in the pages' words.
TEST_P(Api, RefusingToDeleteALinkedContactNamesThePersonAsThePagesDo) {
  // "<name><why>": the message of a refused deletion.
  auto says = [this](const HttpResponse& res, Id contact, std::string_view why) {
    EXPECT_EQ(res.status, 409) << res.body;
    const std::string name = store_->contact(contact)->name;
    const std::string message = body_of(res)["message"].as_string();
    EXPECT_TRUE(message.starts_with(name)) << message;
    EXPECT_EQ(message.substr(std::min(name.size(), message.size())), why);
  };
  Id id = register_student(student("Peeters"));
  says(del(contact_path(contact_a_), "school_a"), contact_a_,
       " is nog gekoppeld aan een student en kan daarom niet verwijderd worden. Koppel die "
       "student(en) eerst aan een andere contactpersoon.");
  ASSERT_EQ(post(req_path(id, "/status"), accept_body(mentor_x_), "service_x").status, 200);
  says(del(contact_path(mentor_x_), "service_x"), mentor_x_,
       " is de stagementor van een aanvaarde student en kan daarom niet verwijderd worden.");
}

// ---- requests: register, list, view, edit, delete, stop ---------------------------------------

TEST_P(Api, SchoolRegistersAStudent) {
  HttpResponse res = post("/api/v1/tracks/secundair/requests", student("Peeters"), "school_a");
  ASSERT_EQ(res.status, 201) << res.body;
  Value v = body_of(res);
  ASSERT_TRUE(v["id"].is_int());
  EXPECT_TRUE(v["warnings"].is_object());
  HttpResponse shown = get(req_path(v["id"].as_int()), "school_a");
  ASSERT_EQ(shown.status, 200);
  EXPECT_EQ(body_of(shown)["last_name"], Value("Peeters"));
  EXPECT_EQ(body_of(shown)["national_number"], Value(national_number(850730033)));
  EXPECT_EQ(body_of(shown)["school"]["id"], Value(school_a_));
  EXPECT_EQ(body_of(shown)["track"], Value("secundair"));
}

TEST_P(Api, RegistrationRefusals) {
  Object bad = student("Janssens");
  bad["national_number"] = "12345678901";
  bad["periods"] = Array{Object{{"start", "2025-10-31"}, {"end", "2025-10-06"}}};
  HttpResponse invalid = post("/api/v1/tracks/secundair/requests", bad, "school_a");
  EXPECT_EQ(invalid.status, 422);
  EXPECT_EQ(error_of(invalid), "validation");
  EXPECT_TRUE(has_field_error(invalid, "national_number"));
  EXPECT_TRUE(has_field_error(invalid, "periods"));

  Object foreign = student("Vreemd");
  foreign["school_contact_id"] = contact_b_;
  EXPECT_TRUE(has_field_error(post("/api/v1/tracks/secundair/requests", foreign, "school_a"),
                              "school_contact_id"));

  HttpResponse not_entitled = post("/api/v1/tracks/duaal/requests",
                                   student("Duaal", "LIM", "3500", contact_b_), "school_b");
  EXPECT_EQ(not_entitled.status, 403);
  EXPECT_EQ(error_of(not_entitled), "track_not_allowed");
  HttpResponse closed =
      post("/api/v1/tracks/cvo/requests", student("Cvo"), "school_a");  // no CVO window in 2025
  EXPECT_EQ(closed.status, 403);
  EXPECT_EQ(error_of(closed), "registration_closed");
  EXPECT_EQ(post("/api/v1/tracks/bestaat_niet/requests", student("X"), "school_a").status, 404);
  EXPECT_EQ(call("POST", "/api/v1/tracks/secundair/requests", "[]", "school_a").status, 400);
  EXPECT_EQ(
      call("POST", "/api/v1/tracks/secundair/requests", "{\"first_name\":", "school_a").status,
      400);
  EXPECT_EQ(post("/api/v1/tracks/secundair/requests", student("X"), "service_x").status, 403);
  EXPECT_EQ(post("/api/v1/tracks/secundair/requests", student("X"), "admin").status, 403);
  EXPECT_EQ(post("/api/v1/tracks/secundair/requests", student("X")).status, 401);
}

TEST_P(Api, ListFiltersSortsAndPages) {
  Id peeters = register_student(student("Peeters", "ANT", "2000"));
  Object maes = student("Maes", "LIM", "3500");
  maes["transport"] = Array{"auto"};
  Id maes_id = register_student(maes);
  Object aerts = student("Aerts", "ANT", "2180");
  aerts["transport"] = Array{"bromfiets"};
  Id aerts_id = register_student(aerts);
  Id willems = register_student(student("Willems", "OVL", "9000", contact_b_), "school_b");

  auto list = [&](const std::string& who, const std::string& query) {
    HttpResponse res = get("/api/v1/tracks/secundair/requests" + query, who);
    EXPECT_EQ(res.status, 200) << query << ": " << res.body;
    return res;
  };
  HttpResponse all = list("service_x", "");
  EXPECT_EQ(ids_of(all), (std::set<Id>{peeters, maes_id, aerts_id, willems}));
  EXPECT_EQ(body_of(all)["total"], Value(4));
  // Default order: province, postal code, last name.
  EXPECT_EQ(names_in_order(all), (std::vector<std::string>{"Peeters", "Aerts", "Maes", "Willems"}));
  EXPECT_EQ(names_in_order(list("service_x", "?sort=name")),
            (std::vector<std::string>{"Aerts", "Maes", "Peeters", "Willems"}));
  EXPECT_EQ(names_in_order(list("service_x", "?sort=-name")),
            (std::vector<std::string>{"Willems", "Peeters", "Maes", "Aerts"}));
  EXPECT_EQ(names_in_order(list("service_x", "?sort=postal_code")),
            (std::vector<std::string>{"Peeters", "Aerts", "Maes", "Willems"}));
  EXPECT_EQ(names_in_order(list("service_x", "?sort=-registered_at")).size(), 4u);
  EXPECT_EQ(ids_of(list("service_x", "?name=aer")), (std::set<Id>{aerts_id}));
  EXPECT_EQ(ids_of(list("service_x", "?province=LIM,OVL")), (std::set<Id>{maes_id, willems}));
  EXPECT_EQ(ids_of(list("service_x", "?postal_code=21")), (std::set<Id>{aerts_id}));
  EXPECT_EQ(ids_of(list("service_x", "?postal_code=2000")), (std::set<Id>{peeters}));
  EXPECT_EQ(ids_of(list("service_x", "?transport=auto,bromfiets")),
            (std::set<Id>{maes_id, aerts_id}));
  EXPECT_EQ(ids_of(list("service_x", "?school=" + std::to_string(school_b_))),
            (std::set<Id>{willems}));
  EXPECT_EQ(ids_of(list("service_x", "?tab=accepted")), (std::set<Id>{}));
  EXPECT_EQ(ids_of(list("service_x", "?year=2025-2026&tab=open")).size(), 4u);
  HttpResponse page = list("service_x", "?sort=name&page=2&page_size=3");
  EXPECT_EQ(names_in_order(page), (std::vector<std::string>{"Willems"}));
  EXPECT_EQ(body_of(page)["total"], Value(4));

  // A school sees its own students only; the admin sees all.
  EXPECT_EQ(ids_of(list("school_a", "")), (std::set<Id>{peeters, maes_id, aerts_id}));
  EXPECT_EQ(ids_of(list("school_b", "")), (std::set<Id>{willems}));
  EXPECT_EQ(ids_of(list("admin", "")).size(), 4u);
}

TEST_P(Api, ListRefusesBadQueryValuesNamingEach) {
  auto field_of = [&](const std::string& query, const std::string& field) {
    HttpResponse res = get("/api/v1/tracks/secundair/requests" + query, "service_x");
    EXPECT_EQ(res.status, 422) << query;
    EXPECT_TRUE(has_field_error(res, field)) << query << ": " << res.body;
  };
  field_of("?tab=alles", "tab");
  field_of("?province=ANT,NAM", "province");
  field_of("?school=abc", "school");
  field_of("?postal_code=20000", "postal_code");
  field_of("?postal_code=2a", "postal_code");
  field_of("?transport=boot", "transport");
  field_of("?sort=leeftijd", "sort");
  field_of("?page=0", "page");
  field_of("?page_size=100000", "page_size");
  field_of("?year=2025", "year");
  EXPECT_EQ(get("/api/v1/tracks/secundair/requests?year=2031-2032", "service_x").status, 404);
  EXPECT_EQ(get("/api/v1/tracks/bestaat_niet/requests", "service_x").status, 404);
  EXPECT_EQ(get("/api/v1/tracks/secundair/requests", "").status, 401);
}

TEST_P(Api, DetailIsA404WhenTheCallerMayNotSeeIt) {
  Id id = register_student(student("Peeters"));
  EXPECT_EQ(get(req_path(id), "school_a").status, 200);
  EXPECT_EQ(get(req_path(id), "service_x").status, 200);
  EXPECT_EQ(get(req_path(id), "admin").status, 200);
  HttpResponse other = get(req_path(id), "school_b");
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(error_of(other), "not_found");
  // The same answer as an id that does not exist, or one that is not a number.
  HttpResponse missing = get(req_path(999999), "school_b");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(body_of(missing)["message"], body_of(other)["message"]);
  EXPECT_EQ(get("/api/v1/requests/abc", "school_a").status, 404);
  EXPECT_EQ(get(req_path(id), "").status, 401);
}

// CONTRACT.md: every error is {"error", "message", "fields"}. `fields` is an object even when
// no field is at fault (404, 401, 409), so a client reads it without checking first.
TEST_P(Api, EveryErrorAnswerCarriesAFieldsObject) {
  auto expect_error = [](const HttpResponse& res, int status, const std::string& code,
                         bool fields_empty) {
    SCOPED_TRACE(code + " " + std::to_string(status));
    EXPECT_EQ(res.status, status) << res.body;
    Value v = body_of(res);
    EXPECT_EQ(v["error"], Value(code)) << res.body;
    EXPECT_TRUE(v["message"].is_string()) << res.body;
    ASSERT_TRUE(v["fields"].is_object()) << res.body;
    EXPECT_EQ(v["fields"].as_object().empty(), fields_empty) << res.body;
  };
  Id id = register_student(student("Peeters"));
  expect_error(get(req_path(999999), "school_a"), 404, "not_found", true);
  expect_error(get(req_path(id), "school_b"), 404, "not_found", true);
  expect_error(get("/api/v1/bestaat-niet", "school_a"), 404, "not_found", true);
  expect_error(get(req_path(id), ""), 401, "unauthenticated", true);
  expect_error(login_response(email_of("school_a"), "niet-het-wachtwoord"), 401,
               "invalid_credentials", true);

  ASSERT_EQ(post(req_path(id, "/status"), accept_body(mentor_x_), "service_x").status, 200);
  expect_error(post(req_path(id, "/status"), accept_body(mentor_y_), "service_y"), 409,
               "already_accepted", true);
  expect_error(put(req_path(id), student("Later"), "school_a"), 409, "already_accepted", true);
  expect_error(del(req_path(id), "school_a"), 409, "already_accepted", true);

  // Field problems still name their fields in it.
  Object bad = student("Fout");
  bad["postal_code"] = "99999";
  HttpResponse invalid = post("/api/v1/tracks/secundair/requests", bad, "school_a");
  expect_error(invalid, 422, "validation", false);
  EXPECT_TRUE(has_field_error(invalid, "postal_code"));
}

TEST_P(Api, SchoolEditsUntilAccepted) {
  Id id = register_student(student("Peeters"));
  Object changed = student("Peeters-Janssens");
  HttpResponse edited = put(req_path(id), changed, "school_a");
  ASSERT_EQ(edited.status, 200) << edited.body;
  EXPECT_EQ(body_of(edited)["ok"], Value(true));
  EXPECT_EQ(body_of(get(req_path(id), "school_a"))["last_name"], Value("Peeters-Janssens"));

  // What a GET answered can go back as it is: the read-only keys are ignored.
  Value shown = body_of(get(req_path(id), "school_a"));
  Object round_trip = shown.as_object();
  round_trip["city"] = "Mortsel";
  EXPECT_EQ(put(req_path(id), round_trip, "school_a").status, 200);

  Object bad = student("Peeters");
  bad["postal_code"] = "99999";
  HttpResponse invalid = put(req_path(id), bad, "school_a");
  EXPECT_EQ(invalid.status, 422);
  EXPECT_TRUE(has_field_error(invalid, "postal_code"));
  EXPECT_EQ(put(req_path(id), changed, "school_b").status, 404);
  EXPECT_EQ(put(req_path(id), changed, "service_x").status, 403);
  EXPECT_EQ(put(req_path(999999), changed, "school_a").status, 404);
  EXPECT_EQ(call("PUT", req_path(id), "{", "school_a").status, 400);

  ASSERT_EQ(post(req_path(id, "/status"), accept_body(mentor_x_), "service_x").status, 200);
  HttpResponse late = put(req_path(id), changed, "school_a");
  EXPECT_EQ(late.status, 409);
  EXPECT_EQ(error_of(late), "already_accepted");
}

TEST_P(Api, SchoolDeletesAWronglyAddedStudentUntilAccepted) {
  Id wrong = register_student(student("Vergissing"));
  EXPECT_EQ(del(req_path(wrong), "school_b").status, 404);
  EXPECT_EQ(del(req_path(wrong), "service_x").status, 403);
  EXPECT_EQ(del(req_path(wrong), "school_a").status, 204);
  EXPECT_EQ(get(req_path(wrong), "school_a").status, 404);
  EXPECT_EQ(del(req_path(wrong), "school_a").status, 404);

  Id accepted = register_student(student("Aanvaard"));
  ASSERT_EQ(post(req_path(accepted, "/status"), accept_body(mentor_x_), "service_x").status, 200);
  HttpResponse refused = del(req_path(accepted), "school_a");
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(error_of(refused), "already_accepted");
}

TEST_P(Api, StoppedStudentsLeaveTheServicesLists) {
  Id id = register_student(student("Gestopt"));
  EXPECT_EQ(post(req_path(id, "/stop"), Object{}, "school_b").status, 404);
  EXPECT_EQ(post(req_path(id, "/stop"), Object{}, "service_x").status, 403);
  HttpResponse stopped = post(req_path(id, "/stop"), Object{}, "school_a");
  EXPECT_EQ(stopped.status, 200) << stopped.body;
  EXPECT_EQ(get(req_path(id), "service_x").status, 404);
  EXPECT_EQ(ids_of(get("/api/v1/tracks/secundair/requests", "service_x")), (std::set<Id>{}));
  HttpResponse own = get(req_path(id), "school_a");
  EXPECT_EQ(body_of(own)["state"], Value("stopped"));

  Id accepted = register_student(student("Aanvaard"));
  ASSERT_EQ(post(req_path(accepted, "/status"), accept_body(mentor_x_), "service_x").status, 200);
  EXPECT_EQ(post(req_path(accepted, "/stop"), Object{}, "school_a").status, 409);
}

// ---- status ----------------------------------------------------------------------------------

TEST_P(Api, StatusChangesAndTheirRefusals) {
  Id id = register_student(student("Peeters"));
  HttpResponse no_status = post(req_path(id, "/status"), Object{{"notes", "x"}}, "service_x");
  EXPECT_EQ(no_status.status, 422);
  EXPECT_TRUE(has_field_error(no_status, "status"));
  HttpResponse bad_periods = post(
      req_path(id, "/status"), Object{{"status", "aanvaard"}, {"periods", "eerste"}}, "service_x");
  EXPECT_EQ(bad_periods.status, 422);
  EXPECT_TRUE(has_field_error(bad_periods, "periods"));
  EXPECT_EQ(call("POST", req_path(id, "/status"), "{", "service_x").status, 400);

  HttpResponse no_mentor =
      post(req_path(id, "/status"),
           Object{{"status", "aanvaard"}, {"periods", Array{0}}, {"notes", "x"}}, "service_x");
  EXPECT_EQ(no_mentor.status, 422);
  EXPECT_EQ(error_of(no_mentor), "validation");
  EXPECT_TRUE(has_field_error(no_mentor, "mentor_id"));
  HttpResponse foreign_mentor = post(req_path(id, "/status"), accept_body(mentor_y_), "service_x");
  EXPECT_EQ(foreign_mentor.status, 422);
  EXPECT_TRUE(has_field_error(foreign_mentor, "mentor_id"));
  HttpResponse unknown =
      post(req_path(id, "/status"), Object{{"status", "uitgenodigd"}}, "service_x");
  EXPECT_EQ(unknown.status, 422);
  EXPECT_EQ(error_of(unknown), "transition_not_allowed");

  EXPECT_EQ(post(req_path(id, "/status"), Object{{"status", "niet_aanvaard"}}, "service_y").status,
            200);
  HttpResponse accepted = post(req_path(id, "/status"), accept_body(mentor_x_), "service_x");
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(body_of(accepted)["ok"], Value(true));

  HttpResponse second = post(req_path(id, "/status"), accept_body(mentor_y_), "service_y");
  EXPECT_EQ(second.status, 409);
  EXPECT_EQ(error_of(second), "already_accepted");
  HttpResponse undo = post(req_path(id, "/status"), Object{{"status", "onbeslist"}}, "service_x");
  EXPECT_EQ(undo.status, 422);
  EXPECT_EQ(error_of(undo), "transition_not_allowed");
  EXPECT_EQ(post(req_path(id, "/status"), Object{{"status", "onbeslist"}}, "school_a").status, 403);
  EXPECT_EQ(post(req_path(999999, "/status"), Object{{"status", "onbeslist"}}, "service_x").status,
            404);

  Value shown = body_of(get(req_path(id), "service_x"));
  EXPECT_EQ(shown["my_status"], Value("aanvaard"));
  EXPECT_EQ(shown["accepted_by"]["id"], Value(service_x_));
  EXPECT_EQ(shown["mentor"]["id"], Value(mentor_x_));
  EXPECT_EQ(shown["accepted_periods"], Value(Array{0}));
  EXPECT_EQ(shown["notes"], Value("Start op maandag."));
  EXPECT_EQ(get(req_path(id), "service_y").status, 404);
  EXPECT_EQ(ids_of(get("/api/v1/tracks/secundair/requests?tab=accepted", "service_x")),
            (std::set<Id>{id}));

  // Only an admin undoes an acceptance, with a reason.
  HttpResponse no_reason = post(req_path(id, "/status"), Object{{"status", "onbeslist"}}, "admin");
  EXPECT_EQ(no_reason.status, 422);
  EXPECT_TRUE(has_field_error(no_reason, "reason"));
  EXPECT_EQ(post(req_path(id, "/status"),
                 Object{{"status", "onbeslist"}, {"reason", "Verkeerd aangeklikt."}}, "admin")
                .status,
            200);
  EXPECT_EQ(get(req_path(id), "service_y").status, 200);
}

TEST_P(Api, StatusOutsideTheRoundIs403RoundClosed) {
  // Dubbele finaliteit 2026-2027: services handle requests 18/09/2026 - 07/10/2026, no tool
  // open afterwards.
  move_to("2026-09-20 12:00");
  Id id = register_student(student("Laat"), "school_a", "dubbele_finaliteit");
  ASSERT_EQ(get(req_path(id), "service_x").status, 200);
  move_to("2026-10-08 12:00");
  HttpResponse closed =
      post(req_path(id, "/status"), Object{{"status", "niet_aanvaard"}}, "service_x");
  EXPECT_EQ(closed.status, 403) << closed.body;
  EXPECT_EQ(error_of(closed), "round_closed");
}

// ---- authorisation matrix --------------------------------------------------------------------

TEST_P(Api, AuthorisationMatrixWithAnotherOrganisationsIds) {
  Id of_a = register_student(student("VanA"));
  Id of_b = register_student(student("VanB", "LIM", "3500", contact_b_), "school_b");
  Id taken_by_x = register_student(student("DoorX"));
  ASSERT_EQ(post(req_path(taken_by_x, "/status"), accept_body(mentor_x_), "service_x").status, 200);
  Id stopped = register_student(student("Gestopt"));
  ASSERT_EQ(post(req_path(stopped, "/stop"), Object{}, "school_a").status, 200);

  const std::string edit = json(student("Nieuw"));
  const std::string contact =
      json(Object{{"name", "N"}, {"phone", "03 111 22 33"}, {"email", "n@x.test"}});
  const std::string status = json(Object{{"status", "niet_aanvaard"}});
  const std::array<std::string, 6> roles = {"",          "school_a",  "school_b",
                                            "service_x", "service_y", "admin"};
  constexpr int kSkip = 0;  // the owner's own success is covered by the endpoint's own test
  struct Case {
    std::string method, path, body;
    std::array<int, 6> expected;  // anonymous, school A, school B, service X, service Y, admin
  };
  const std::vector<Case> cases = {
      // School A's request: school B may not see it; services see it in the open round.
      {"GET", req_path(of_a), "", {401, 200, 404, 200, 200, 200}},
      {"PUT", req_path(of_a), edit, {401, kSkip, 404, 403, 403, 403}},
      {"DELETE", req_path(of_a), "", {401, kSkip, 404, 403, 403, 403}},
      {"POST", req_path(of_a, "/stop"), "{}", {401, kSkip, 404, 403, 403, 403}},
      {"POST", req_path(of_a, "/status"), status, {401, 403, 403, 200, 200, 422}},
      // School B's request: school A may not see it.
      {"GET", req_path(of_b), "", {401, 404, 200, 200, 200, 200}},
      {"PUT", req_path(of_b), edit, {401, 404, kSkip, 403, 403, 403}},
      {"DELETE", req_path(of_b), "", {401, 404, kSkip, 403, 403, 403}},
      {"POST", req_path(of_b, "/stop"), "{}", {401, 404, kSkip, 403, 403, 403}},
      // Accepted by service X: gone for service Y (which is told, when deciding, that another
      // service was faster) and for school B.
      {"GET", req_path(taken_by_x), "", {401, 200, 404, 200, 404, 200}},
      {"POST", req_path(taken_by_x, "/status"), status, {401, 403, 403, 422, 409, 422}},
      // A stopped student: gone for every service.
      {"GET", req_path(stopped), "", {401, 200, 404, 404, 404, 200}},
      {"POST", req_path(stopped, "/status"), status, {401, 403, 403, 404, 404, 409}},
      // Contact persons of another organisation.
      {"PUT", contact_path(contact_a_), contact, {401, kSkip, 404, 404, 404, 403}},
      {"DELETE", contact_path(contact_b_), "", {401, 404, kSkip, 404, 404, 403}},
      {"PUT", contact_path(mentor_x_), contact, {401, 404, 404, kSkip, 404, 403}},
      {"DELETE", contact_path(mentor_y_), "", {401, 404, 404, 404, kSkip, 403}},
      {"GET", "/api/v1/contacts", "", {401, 200, 200, 200, 200, 403}},
      {"POST", "/api/v1/contacts", contact, {401, 201, 201, 201, 201, 403}},
      // Registering: school B cannot use school A's contact person.
      {"POST", "/api/v1/tracks/secundair/requests", edit, {401, 201, 422, 403, 403, 403}},
      {"GET", "/api/v1/tracks/secundair/requests", "", {401, 200, 200, 200, 200, 200}},
      {"GET", "/api/v1/tracks/secundair/requests.csv", "", {401, 200, 200, 200, 200, 200}},
      {"GET", "/api/v1/tracks/secundair/requests.xlsx", "", {401, 200, 200, 200, 200, 200}},
      // Organisations, invitations and the admin's calls.
      {"POST",
       "/api/v1/orgs",
       json(Object{{"type", "school"}, {"name", "S"}, {"tracks", Array{"secundair"}}}),
       {401, 403, 403, 403, 403, 201}},
      {"GET", "/api/v1/orgs", "", {401, 200, 200, 200, 200, 200}},
      {"POST",
       "/api/v1/invitations",
       json(Object{{"email", "z@z.test"}, {"org_id", school_b_}, {"role", "school"}}),
       {401, 403, 403, 403, 403, 201}},
      {"GET", "/api/v1/admin/export.csv", "", {401, 403, 403, 403, 403, 200}},
      {"GET", "/api/v1/admin/export.xlsx", "", {401, 403, 403, 403, 403, 200}},
      {"POST",
       "/api/v1/admin/requests/search",
       json(Object{{"name", "Lotte"}}),
       {401, 403, 403, 403, 403, 200}},
      {"GET",
       "/api/v1/admin/requests/" + std::to_string(of_b) + "/history",
       "",
       {401, 403, 403, 403, 403, 200}},
      {"POST",
       "/api/v1/admin/requests/" + std::to_string(taken_by_x) + "/stop",
       json(Object{{"reason", "x"}}),
       {401, 403, 403, 403, 403, 409}},
      {"PUT",
       "/api/v1/admin/calendars/secundair/2026-2027",
       "kind: calendar",
       {401, 403, 403, 403, 403, 422}},
      {"PUT",
       "/api/v1/admin/clock",
       json(Object{{"now", "2025-09-20T13:00:00+02:00"}}),
       {401, 403, 403, 403, 403, 200}},
      {"GET", "/api/v1/me", "", {401, 200, 200, 200, 200, 200}},
      {"POST", "/api/v1/logout", "", {401, 204, 204, 204, 204, 204}},  // last: ends sessions
  };
  for (const auto& c : cases) {
    for (std::size_t r = 0; r < roles.size(); ++r) {
      if (c.expected[r] == kSkip) continue;
      HttpResponse res = call(c.method, c.path, c.body, roles[r]);
      EXPECT_EQ(res.status, c.expected[r]) << (roles[r].empty() ? "anonymous" : roles[r]) << " "
                                           << c.method << " " << c.path << ": " << res.body;
      if (res.status >= 400) {
        Value v = body_of(res);
        EXPECT_TRUE(v["error"].is_string() && v["message"].is_string()) << res.body;
      }
    }
  }
  sessions_.clear();
  // Nothing above changed another organisation's request or contact persons.
  EXPECT_EQ(body_of(get(req_path(of_a), "school_a"))["last_name"], Value("VanA"));
  EXPECT_EQ(body_of(get(req_path(of_b), "school_b"))["last_name"], Value("VanB"));
  EXPECT_EQ(body_of(get(req_path(stopped), "school_a"))["state"], Value("stopped"));
  EXPECT_EQ(body_of(get(req_path(taken_by_x), "admin"))["accepted_by"]["id"], Value(service_x_));
  EXPECT_EQ(store_->contact(contact_a_)->name, "Els Begeleider");
  EXPECT_TRUE(store_->contact(contact_b_));
  EXPECT_EQ(store_->contact(mentor_x_)->name, "Mentor X");
  EXPECT_TRUE(store_->contact(mentor_y_));
}

// ---- personal data ---------------------------------------------------------------------------

TEST_P(Api, PersonalDataReachesAServiceOnlyAfterItAccepted) {
  const std::string nn = national_number(990101123);
  const std::string phone = "0499 87 65 43";
  const std::string email = "geheim.adres@student.test";
  const std::string contact_phone = "03 555 01 02";
  const std::string contact_email = "els.begeleider@sintjozef.test";
  Object fields = student("Geheim");
  fields["national_number"] = nn;
  fields["phone"] = phone;
  fields["email"] = email;
  Id id = register_student(fields);
  register_student(student("Ander"));
  // Exports write the number as the identity card does (99.01.01-123.xx): both forms count.
  const std::string nn_written = nn.substr(0, 2) + "." + nn.substr(2, 2) + "." + nn.substr(4, 2) +
                                 "-" + nn.substr(6, 3) + "." + nn.substr(9, 2);
  const std::vector<std::string> secrets = {nn,    nn_written,    phone,
                                            email, contact_phone, contact_email};

  auto bodies_of = [&](const std::string& who) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const std::string& target :
         {req_path(id), std::string("/api/v1/tracks/secundair/requests"),
          std::string("/api/v1/tracks/secundair/requests?tab=accepted"),
          std::string("/api/v1/tracks/secundair/requests?name=geheim"),
          std::string("/api/v1/tracks/secundair/requests.csv"),
          std::string("/api/v1/tracks/secundair/requests.csv?tab=accepted"),
          std::string("/api/v1/tracks/secundair/requests.csv?name=geheim")}) {
      HttpResponse res = get(target, who);
      out.emplace_back(target + " (" + std::to_string(res.status) + ")", res.body);
    }
    for (const std::string& target :
         {std::string("/api/v1/tracks/secundair/requests.xlsx"),
          std::string("/api/v1/tracks/secundair/requests.xlsx?tab=accepted")}) {
      HttpResponse res = get(target, who);
      EXPECT_EQ(res.status, 200) << target;
      out.emplace_back(target, xlsx_text(res.body));
    }
    return out;
  };
  auto contains = [](const std::string& body, const std::string& secret) {
    return body.find(secret) != std::string::npos;
  };

  for (const char* who : {"service_x", "service_y"})
    for (const auto& [what, body] : bodies_of(who))
      for (const auto& secret : secrets)
        EXPECT_FALSE(contains(body, secret)) << who << " " << what << " shows " << secret;
  // Deciding "niet aanvaard" reveals nothing either.
  ASSERT_EQ(post(req_path(id, "/status"), Object{{"status", "niet_aanvaard"}}, "service_y").status,
            200);
  for (const auto& [what, body] : bodies_of("service_y"))
    for (const auto& secret : secrets)
      EXPECT_FALSE(contains(body, secret)) << what << " shows " << secret;

  ASSERT_EQ(post(req_path(id, "/status"), accept_body(mentor_x_), "service_x").status, 200);
  std::string detail = get(req_path(id), "service_x").body;
  std::string list = get("/api/v1/tracks/secundair/requests?tab=accepted", "service_x").body;
  std::string csv = get("/api/v1/tracks/secundair/requests.csv?tab=accepted", "service_x").body;
  std::string xlsx =
      xlsx_text(get("/api/v1/tracks/secundair/requests.xlsx?tab=accepted", "service_x").body);
  for (const auto& secret : secrets) {
    if (secret != nn_written) {
      EXPECT_TRUE(contains(detail, secret)) << "detail lacks " << secret;
      EXPECT_TRUE(contains(list, secret)) << "list lacks " << secret;
    }
    if (secret != nn) {
      EXPECT_TRUE(contains(xlsx, secret)) << "xlsx lacks " << secret;
      EXPECT_TRUE(contains(csv, secret)) << "csv lacks " << secret;
    }
  }
  // The other service still sees none of it anywhere.
  for (const auto& [what, body] : bodies_of("service_y"))
    for (const auto& secret : secrets)
      EXPECT_FALSE(contains(body, secret)) << what << " shows " << secret;
  // The open tab of the accepting service: the other student, without personal columns.
  std::string open_csv = get("/api/v1/tracks/secundair/requests.csv", "service_x").body;
  EXPECT_EQ(open_csv.find("Rijksregisternummer"), std::string::npos);
}

// ---- exports ---------------------------------------------------------------------------------

TEST_P(Api, CsvExportIsForBelgianExcelAndNeutralisesFormulas) {
  Object evil = student("=HYPERLINK(\"http://kwaad.test\";\"klik\")");
  evil["first_name"] = "@Jan";
  register_student(evil);
  register_student(student("Peeters"));
  HttpResponse res = get("/api/v1/tracks/secundair/requests.csv?sort=name", "service_x");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.content_type.rfind("text/csv", 0), 0u) << res.content_type;
  std::string disposition = header_of(res, "Content-Disposition");
  EXPECT_EQ(disposition.rfind("attachment; filename=\"aanvragen_secundair", 0), 0u) << disposition;
  EXPECT_NE(disposition.find(".csv\""), std::string::npos);
  const std::string& csv = res.body;
  ASSERT_EQ(csv.substr(0, 3), kBom);
  auto first_break = csv.find("\r\n");
  ASSERT_NE(first_break, std::string::npos);
  std::string header = csv.substr(3, first_break - 3);
  EXPECT_NE(header.find("Achternaam"), std::string::npos) << header;
  EXPECT_NE(header.find(';'), std::string::npos);
  EXPECT_EQ(header.find("Rijksregisternummer"), std::string::npos) << header;
  // Header plus two rows, each ending in CRLF.
  std::size_t lines = 0;
  for (std::size_t at = 0; (at = csv.find("\r\n", at)) != std::string::npos; at += 2) ++lines;
  EXPECT_EQ(lines, 3u);
  EXPECT_NE(csv.find("\"'=HYPERLINK(\"\"http://kwaad.test\"\";\"\"klik\"\")\""), std::string::npos)
      << csv;
  EXPECT_NE(csv.find(";\"'@Jan\";"), std::string::npos) << csv;
  EXPECT_EQ(csv.find(";=HYPERLINK"), std::string::npos);
  EXPECT_EQ(csv.find(";@Jan"), std::string::npos);

  // The same filters as the list.
  HttpResponse filtered = get("/api/v1/tracks/secundair/requests.csv?name=peeters", "service_x");
  EXPECT_EQ(filtered.body.find("kwaad"), std::string::npos);
  EXPECT_NE(filtered.body.find("Peeters"), std::string::npos);
  // An empty list still has its full header, the same as with rows: in a service's open tab
  // that is without the personal columns (and without the acceptance's mentor).
  HttpResponse none = get("/api/v1/tracks/secundair/requests.csv?name=niemand", "service_x");
  ASSERT_EQ(none.status, 200);
  std::string empty_header = none.body.substr(3, none.body.find("\r\n") - 3);
  EXPECT_EQ(none.body.size(), empty_header.size() + 5) << none.body;
  EXPECT_EQ(empty_header, header);
  EXPECT_NE(empty_header.find("Achternaam"), std::string::npos) << empty_header;
  EXPECT_EQ(empty_header.find("Rijksregisternummer"), std::string::npos) << empty_header;
  EXPECT_EQ(empty_header.find("Telefoon"), std::string::npos) << empty_header;
  EXPECT_EQ(empty_header.find("E-mail"), std::string::npos) << empty_header;
  HttpResponse bad = get("/api/v1/tracks/secundair/requests.csv?province=XXX", "service_x");
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(get("/api/v1/tracks/bestaat_niet/requests.csv", "service_x").status, 404);

  // A school's export has its own students with their personal data.
  HttpResponse school = get("/api/v1/tracks/secundair/requests.csv", "school_a");
  const std::string own = national_number(850730033);
  EXPECT_NE(school.body.find(own.substr(0, 2) + "." + own.substr(2, 2) + "." + own.substr(4, 2) +
                             "-" + own.substr(6, 3) + "." + own.substr(9, 2)),
            std::string::npos)
      << "written as on the identity card, so Excel keeps the leading zero";
  HttpResponse other_school = get("/api/v1/tracks/secundair/requests.csv", "school_b");
  EXPECT_EQ(other_school.body.find("Peeters"), std::string::npos);
}

TEST_P(Api, XlsxExportIsARealWorkbook) {
  register_student(student("Peeters"));
  Object evil = student("Kwaad");
  evil["first_name"] = "=1+2";
  register_student(evil);
  HttpResponse res = get("/api/v1/tracks/secundair/requests.xlsx", "service_x");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.body.substr(0, 2), "PK");
  EXPECT_NE(res.body.find("xl/worksheets/sheet1.xml"), std::string::npos);
  EXPECT_EQ(res.content_type, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  EXPECT_NE(header_of(res, "Content-Disposition").find(".xlsx\""), std::string::npos);
  std::string text = xlsx_text(res.body);
  EXPECT_NE(text.find("Peeters"), std::string::npos);
  EXPECT_NE(text.find("Achternaam"), std::string::npos);
  EXPECT_NE(text.find("'=1+2"), std::string::npos);
  EXPECT_EQ(text.find("<f>"), std::string::npos);  // no formula cell anywhere
  EXPECT_EQ(text.find("Rijksregisternummer"), std::string::npos);
  EXPECT_EQ(get("/api/v1/tracks/secundair/requests.xlsx?sort=x", "service_x").status, 422);
}

TEST_P(Api, ExportColumnsAreFixedPerTrackAndTab) {
  struct Export {
    std::string who;
    std::string target;
  };
  const std::vector<Export> exports = {
      {"service_x", "/api/v1/tracks/secundair/requests.csv"},
      {"service_x", "/api/v1/tracks/secundair/requests.csv?tab=accepted"},
      {"service_y", "/api/v1/tracks/secundair/requests.csv"},
      {"school_a", "/api/v1/tracks/secundair/requests.csv"},
      {"admin", "/api/v1/tracks/secundair/requests.csv"},
      {"admin", "/api/v1/admin/export.csv"}};
  auto headers = [&] {
    std::vector<std::vector<std::string>> out;
    for (const auto& e : exports) {
      HttpResponse res = get(e.target, e.who);
      EXPECT_EQ(res.status, 200) << e.who << " " << e.target << ": " << res.body;
      out.push_back(csv_header(res.body));
    }
    return out;
  };

  // Nothing registered yet: every export has its full header row.
  auto empty = headers();
  // One student without any optional field (no "Opmerkingen", no hours per week, ...).
  register_student(student("Zonder"));
  auto without = headers();
  // Another with every optional field, accepted by service x.
  Object full = student("Met");
  full["remarks"] = "Kleurenblind";
  full["internship_remarks"] = "Liefst in de voormiddag";
  full["hours_per_week"] = 20;
  full["preferred_service_id"] = service_x_;
  Id met = register_student(full);
  ASSERT_EQ(post(req_path(met, "/status"), accept_body(mentor_x_), "service_x").status, 200);
  auto with = headers();
  for (std::size_t i = 0; i < exports.size(); ++i) {
    EXPECT_EQ(empty[i], without[i]) << exports[i].who << " " << exports[i].target;
    EXPECT_EQ(without[i], with[i]) << exports[i].who << " " << exports[i].target;
    EXPECT_TRUE(has_column(with[i], "Opmerkingen")) << exports[i].who << " " << exports[i].target;
    EXPECT_TRUE(has_column(with[i], "Aantal uren/week")) << exports[i].target;
  }

  // The columns follow the reader and the tab: personal ones where personal data can be seen.
  const auto& service_open = with[0];
  const auto& service_accepted = with[1];
  const auto& school = with[3];
  const auto& admin = with[4];
  EXPECT_EQ(with[2], service_open) << "every service's open tab has the same columns";
  for (const char* personal :
       {"Rijksregisternummer", "Telefoon", "E-mail", "Telefoon Stage-/werkplekbegeleider",
        "E-mail Stage-/werkplekbegeleider"}) {
    EXPECT_FALSE(has_column(service_open, personal)) << personal;
    EXPECT_TRUE(has_column(service_accepted, personal)) << personal;
    EXPECT_TRUE(has_column(school, personal)) << personal;
    EXPECT_TRUE(has_column(admin, personal)) << personal;
  }
  EXPECT_TRUE(has_column(service_open, "Mijn status"));
  EXPECT_FALSE(has_column(service_open, "Aanvaard door"));
  EXPECT_FALSE(has_column(service_open, "Stagementor"));
  EXPECT_TRUE(has_column(service_accepted, "Stagementor"));
  EXPECT_TRUE(has_column(school, "Status"));
  EXPECT_TRUE(has_column(school, "Aanvaard door"));
  EXPECT_FALSE(has_column(school, "Mijn status"));
  EXPECT_TRUE(has_column(admin, "Aanvaard door"));

  // The same columns hold the data: the student without remarks has an empty cell.
  std::string school_csv = get("/api/v1/tracks/secundair/requests.csv", "school_a").body;
  EXPECT_EQ(csv_cell(school_csv, "Achternaam", "Met", "Opmerkingen"), "Kleurenblind");
  EXPECT_EQ(csv_cell(school_csv, "Achternaam", "Zonder", "Opmerkingen"), "");
  EXPECT_EQ(csv_cell(school_csv, "Achternaam", "Met", "Voorkeursdienst"), "Thuiszorg Antwerpen");
}

TEST_P(Api, AnInvitationRevealsPersonalDataInTheServicesOpenTabExport) {
  // Duaal: inviting reveals the student's personal data while the request stays open, so a
  // service's open tab of that track has the personal columns, filled only where it invited.
  Object fields = student("Uitgenodigd");
  fields["weekdays"] = Array{"ma", "di"};
  Id id = register_student(fields, "school_a", "duaal");
  const std::string path = "/api/v1/tracks/duaal/requests.csv";
  std::string before_x = get(path, "service_x").body;
  ASSERT_EQ(post(req_path(id, "/status"), Object{{"status", "uitgenodigd"}}, "service_x").status,
            200);
  std::string after_x = get(path, "service_x").body;
  std::string after_y = get(path, "service_y").body;
  EXPECT_EQ(csv_header(before_x), csv_header(after_x));
  EXPECT_EQ(csv_header(after_y), csv_header(after_x));
  EXPECT_TRUE(has_column(csv_header(after_x), "Rijksregisternummer"));
  EXPECT_EQ(csv_cell(after_x, "Achternaam", "Uitgenodigd", "Rijksregisternummer"),
            "85.07.30-033.28");
  EXPECT_EQ(csv_cell(before_x, "Achternaam", "Uitgenodigd", "Rijksregisternummer"), "");
  EXPECT_EQ(csv_cell(after_y, "Achternaam", "Uitgenodigd", "Rijksregisternummer"), "");
  EXPECT_EQ(csv_cell(after_y, "Achternaam", "Uitgenodigd", "Telefoon"), "");
  for (const std::string& secret : {std::string("85.07.30-033.28"), std::string("0470 12 34 56"),
                                    std::string("lotte@example.test")}) {
    EXPECT_EQ(after_y.find(secret), std::string::npos) << secret;
    EXPECT_EQ(before_x.find(secret), std::string::npos) << secret;
    EXPECT_NE(after_x.find(secret), std::string::npos) << secret;
  }
}

TEST_P(Api, AdminExportHasEveryRequestWithPerServiceStatusCounts) {
  Id id = register_student(student("Peeters"));
  register_student(student("Willems", "OVL", "9000", contact_b_), "school_b");
  for (const char* status : {"niet_aanvaard", "onbeslist", "niet_aanvaard"})
    ASSERT_EQ(post(req_path(id, "/status"), Object{{"status", status}}, "service_y").status, 200)
        << status;
  ASSERT_EQ(post(req_path(id, "/status"), Object{{"status", "niet_aanvaard"}}, "service_x").status,
            200);
  ASSERT_EQ(post(req_path(id, "/status"), accept_body(mentor_x_), "service_x").status, 200);
  HttpResponse res = get("/api/v1/admin/export.csv", "admin");
  ASSERT_EQ(res.status, 200) << res.body;
  const std::string& csv = res.body;
  EXPECT_EQ(csv.substr(0, 3), kBom);
  auto header = csv_header(csv);
  EXPECT_TRUE(has_column(header, "Traject"));
  EXPECT_NE(csv.find("Willems"), std::string::npos);

  // One column per status of the exported tracks' workflows, in workflow order (cvo's first,
  // then the statuses duaal adds), labelled in Dutch; then the readable detail per service.
  const std::vector<std::string> counted = {"Aantal keer Onbeslist",
                                            "Aantal keer Niet aanvaard",
                                            "Aantal keer Aanvaard",
                                            "Aantal keer Uitgenodigd",
                                            "Aantal keer Niet uitgenodigd",
                                            "Aantal keer Niet opgedaagd/gestopt",
                                            "Status per dienst (aantal keer gekozen)"};
  auto first = std::find(header.begin(), header.end(), counted.front());
  ASSERT_NE(first, header.end()) << ::testing::PrintToString(header);
  EXPECT_EQ(std::vector<std::string>(first, header.end()), counted);

  // Summed over the services: y chose niet aanvaard twice and onbeslist once, x niet aanvaard
  // once and then aanvaard.
  auto cell = [&](const std::string& last_name, const std::string& column) {
    return csv_cell(csv, "Achternaam", last_name, column);
  };
  EXPECT_EQ(cell("Peeters", "Aantal keer Onbeslist"), "1");
  EXPECT_EQ(cell("Peeters", "Aantal keer Niet aanvaard"), "3");
  EXPECT_EQ(cell("Peeters", "Aantal keer Aanvaard"), "1");
  EXPECT_EQ(cell("Peeters", "Aantal keer Uitgenodigd"), "0");
  EXPECT_EQ(cell("Peeters", "Status per dienst (aantal keer gekozen)"),
            "Thuiszorg Antwerpen: Niet aanvaard 1, Aanvaard 1; "
            "Zorg aan huis Noord: Onbeslist 1, Niet aanvaard 2");
  EXPECT_EQ(cell("Willems", "Aantal keer Niet aanvaard"), "0");
  EXPECT_EQ(cell("Willems", "Status per dienst (aantal keer gekozen)"), "");
  EXPECT_NE(header_of(res, "Content-Disposition").find("attachment"), std::string::npos);

  // The workbook has the same columns; neither file shows a raw status code.
  HttpResponse xlsx = get("/api/v1/admin/export.xlsx", "admin");
  ASSERT_EQ(xlsx.body.substr(0, 2), "PK");
  std::string text = xlsx_text(xlsx.body);
  for (const auto& column : header) EXPECT_NE(text.find(column), std::string::npos) << column;
  EXPECT_NE(text.find("Zorg aan huis Noord: Onbeslist 1, Niet aanvaard 2"), std::string::npos);
  for (const char* code : {"niet_aanvaard", "niet_uitgenodigd", "niet_opgedaagd", "onbeslist",
                           ": aanvaard", ", aanvaard", ": uitgenodigd", ", uitgenodigd"}) {
    EXPECT_EQ(csv.find(code), std::string::npos) << code << " in\n" << csv;
    EXPECT_EQ(text.find(code), std::string::npos) << code;
  }
}

// ---- admin: calendars and the clock ------------------------------------------------------------

std::string calendar_2026(const std::string& year_line = "year: \"2026-2027\"") {
  return "kind: calendar\n"
         "name: secundair-2026-2027\n"
         "version: 1\n"
         "track: secundair\n" +
         year_line +
         "\n"
         "rules:\n"
         "  visibility: visibility.by_round\n"
         "  timing: timing.moment\n"
         "  events: timing.events\n"
         "registration:\n"
         "  opens: 2026-06-01 00:00\n"
         "  closes: 2026-09-20 12:00\n"
         "rounds:\n"
         "  - id: ronde_1\n"
         "    label: Open ronde\n"
         "    kind: open\n"
         "    opens: 2026-09-04 12:00\n"
         "    closes: 2026-09-30 12:00\n";
}

// Login CSRF: a page on another site can make its visitor's browser post a text/plain body or
// a form to the API without asking; such a login would put the visitor in someone else's
// account. The API reads bodies only as application/json, and refuses what a browser says came
// from another site.
TEST_P(Api, TheApiRefusesBodiesThatAnotherSiteCouldHaveSent) {
  auto login_with = [&](std::map<std::string, std::string> headers) {
    HttpRequest req;
    req.method = "POST";
    req.path = "/api/v1/login";
    req.body = Value(Object{{"email", email_of("school_a")}, {"password", kPassword}}).to_json();
    for (auto& [name, value] : headers) req.headers[name] = value;
    return app_->handle(req);
  };
  auto no_session = [](const HttpResponse& res) {
    for (const auto& [name, value] : res.headers)
      if (name == "Set-Cookie" && value.rfind(std::string(kSessionCookie) + "=", 0) == 0 &&
          value.find("Max-Age=0") == std::string::npos)
        return false;
    return true;
  };
  for (const char* type : {"text/plain", "application/x-www-form-urlencoded", ""}) {
    HttpResponse res = login_with({{"content-type", type}});
    EXPECT_EQ(res.status, 415) << type << ": " << res.body;
    EXPECT_EQ(error_of(res), "unsupported_media_type");
    EXPECT_TRUE(no_session(res)) << type;
  }
  HttpResponse evil =
      login_with({{"content-type", "application/json"}, {"origin", "https://evil.example"}});
  EXPECT_EQ(evil.status, 403) << evil.body;
  EXPECT_EQ(error_of(evil), "cross_site");
  EXPECT_TRUE(no_session(evil));
  HttpResponse fetched =
      login_with({{"content-type", "application/json"}, {"sec-fetch-site", "cross-site"}});
  EXPECT_EQ(fetched.status, 403) << fetched.body;
  EXPECT_EQ(login_with({{"content-type", "application/json"}, {"origin", "null"}}).status, 403);
  // Our own pages, and clients that are no browser, log in as before.
  EXPECT_EQ(login_with({{"content-type", "application/json; charset=utf-8"},
                        {"origin", kBaseUrl},
                        {"sec-fetch-site", "same-origin"}})
                .status,
            200);
  EXPECT_EQ(login_with({{"content-type", "application/json"},
                        {"origin", "http://api.host:8080"},
                        {"host", "api.host:8080"}})
                .status,
            200);
  EXPECT_EQ(login_with({{"content-type", "application/json"}}).status, 200);
}

// A calendar without `rounds` once answered 500, and a few lines of nested aliases cost
// seconds of CPU per level (each level ten times the one before): both are a positioned 422
// now, and nothing is stored.
TEST_P(Api, ACalendarWithoutRoundsOrWithAliasesIsRefusedWithAPosition) {
  const std::string path = "/api/v1/admin/calendars/secundair/2026-2027";
  std::string no_rounds = calendar_2026();
  no_rounds.erase(no_rounds.find("rounds:\n"));
  HttpResponse missing = call("PUT", path, no_rounds, "admin");
  EXPECT_EQ(missing.status, 422) << missing.body;
  EXPECT_EQ(error_of(missing), "invalid_calendar");
  EXPECT_NE(missing.body.find("2026-2027.yaml:1:1: error: "), std::string::npos) << missing.body;
  EXPECT_NE(missing.body.find("[WF0104]"), std::string::npos) << missing.body;

  // The billion laughs: every level names the one above ten times.
  std::string bomb =
      calendar_2026() + "x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int level = 1; level <= 4; ++level) {
    std::string prev = "*a" + std::to_string(level - 1);
    bomb += "x" + std::to_string(level) + ": &a" + std::to_string(level) + " [" + prev;
    for (int i = 1; i < 10; ++i) bomb += ", " + prev;
    bomb += "]\n";
  }
  HttpResponse aliases = call("PUT", path, bomb, "admin");
  EXPECT_EQ(aliases.status, 422) << aliases.body;
  EXPECT_NE(aliases.body.find("2026-2027.yaml:19:5: error: "), std::string::npos) << aliases.body;
  EXPECT_NE(aliases.body.find("[WF0111]"), std::string::npos) << aliases.body;
  EXPECT_TRUE(store_->stored_calendars().empty()) << "a refused calendar is not kept";
}

TEST_P(Api, CalendarUploadIsCheckedAndTakesEffectAtOnce) {
  const std::string path = "/api/v1/admin/calendars/secundair/2026-2027";
  EXPECT_EQ(get("/api/v1/tracks/secundair/requests?year=2026-2027", "admin").status, 404);

  std::string broken = calendar_2026();
  broken.replace(broken.find("closes: 2026-09-30 12:00"), 24, "closes: 2026-08-30 12:00");
  HttpResponse refused = call("PUT", path, broken, "admin");
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_EQ(error_of(refused), "invalid_calendar");
  Value problems = body_of(refused)["problems"];
  ASSERT_TRUE(problems.is_array());
  ASSERT_FALSE(problems.as_array().empty());
  EXPECT_EQ(problems.as_array().front().as_string().rfind("calendars/secundair/2026-2027.yaml:", 0),
            0u)
      << refused.body;
  EXPECT_TRUE(body_of(refused)["message"].is_string());
  EXPECT_EQ(get("/api/v1/tracks/secundair/requests?year=2026-2027", "admin").status,
            404);  // unchanged

  HttpResponse not_yaml = call("PUT", path, "rounds: [", "admin");
  EXPECT_EQ(not_yaml.status, 422);
  HttpResponse wrong_year =
      call("PUT", "/api/v1/admin/calendars/secundair/2027-2028", calendar_2026(), "admin");
  EXPECT_EQ(wrong_year.status, 422);
  EXPECT_NE(wrong_year.body.find("calendars/secundair/2027-2028.yaml:5:"), std::string::npos)
      << wrong_year.body;
  EXPECT_EQ(call("PUT", "/api/v1/admin/calendars/secundair/2026", calendar_2026(), "admin").status,
            422);
  EXPECT_EQ(call("PUT", "/api/v1/admin/calendars/bestaat_niet/2026-2027", calendar_2026(), "admin")
                .status,
            404);

  EXPECT_TRUE(store_->stored_calendars().empty()) << "a refused calendar is not kept";

  HttpResponse accepted = call("PUT", path, calendar_2026(), "admin");
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(get("/api/v1/tracks/secundair/requests?year=2026-2027", "admin").status, 200);
  EXPECT_NE(current_definitions()->calendar("secundair", "2026-2027"), nullptr);
  HttpResponse health = get("/healthz", "");
  EXPECT_NE(health.body.find("secundair/2026-2027"), std::string::npos);

  // Kept in the database: a server starting afresh from workflows/ has it again.
  auto kept = store_->stored_calendars();
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept.front().track, "secundair");
  EXPECT_EQ(kept.front().year, "2026-2027");
  EXPECT_EQ(kept.front().yaml, calendar_2026());
  EXPECT_EQ(kept.front().label, "calendars/secundair/2026-2027.yaml");
  std::vector<std::string> skipped;
  auto restarted = with_calendars(testing::shipped_definitions(),
                                  {{kept.front().label, kept.front().yaml}}, skipped);
  EXPECT_TRUE(skipped.empty());
  ASSERT_NE(restarted->calendar("secundair", "2026-2027"), nullptr);
  EXPECT_EQ(restarted->calendar("secundair", "2026-2027")->rounds.size(), 1u);

  // Publishing the same track and year again replaces the kept one.
  std::string renamed = calendar_2026();
  renamed.replace(renamed.find("label: Open ronde"), 17, "label: Open ronde (gewijzigd)");
  ASSERT_EQ(call("PUT", path, renamed, "admin").status, 200);
  kept = store_->stored_calendars();
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept.front().yaml, renamed);
}

TEST_P(Api, TestClockJumpsForwardOnlyAndRunsDueWork) {
  HttpResponse moved =
      put("/api/v1/admin/clock", Object{{"now", "2025-09-20T14:00:00+02:00"}}, "admin");
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(clock_->now(), local("2025-09-20 14:00"));
  EXPECT_EQ(body_of(moved)["now"], Value("2025-09-20T14:00:00+02:00"));
  EXPECT_EQ(due_runs_, 1);
  HttpResponse back =
      put("/api/v1/admin/clock", Object{{"now", "2025-09-20T13:00:00+02:00"}}, "admin");
  EXPECT_EQ(back.status, 422);
  EXPECT_EQ(clock_->now(), local("2025-09-20 14:00"));
  HttpResponse garbage = put("/api/v1/admin/clock", Object{{"now", "morgen"}}, "admin");
  EXPECT_EQ(garbage.status, 422);
  EXPECT_TRUE(has_field_error(garbage, "now"));
  EXPECT_EQ(due_runs_, 1);

  // Without --test-clock the endpoint does not exist.
  Services without = *services_;
  without.test_clock = nullptr;
  App plain(without);
  HttpRequest req;
  req.method = "PUT";
  req.path = "/api/v1/admin/clock";
  req.body = json(Object{{"now", "2025-09-21T12:00:00+02:00"}});
  req.cookies[kSessionCookie] = session("admin").cookie;
  req.headers["x-csrf-token"] = session("admin").csrf;
  EXPECT_EQ(plain.handle(req).status, 404);
  EXPECT_EQ(clock_->now(), local("2025-09-20 14:00"));
}

// ---- admin: the helpdesk ---------------------------------------------------------------------

TEST_P(Api, AdminSearchesEveryTrackAndYearByNameSchoolAndNationalNumber) {
  Object wanted = student("Zoekbaar");
  const std::string number = national_number(790101123);
  wanted["national_number"] = number;
  Id secundair = register_student(wanted);
  Id other_school = register_student(student("Anders", "LIM", "3500", contact_b_), "school_b");
  Object duaal = student("Duaalleerling");
  duaal["weekdays"] = Array{"ma", "di"};
  Id in_duaal = register_student(duaal, "school_a", "duaal");
  // The criteria travel in a POST body: a national number never stands in an address.
  auto search = [&](const Object& criteria, const std::string& who = "admin") {
    return post("/api/v1/admin/requests/search", criteria, who);
  };

  // The national number by its digits, however it is typed; only that student comes back,
  // with every field an admin may see.
  const std::string dotted = number.substr(0, 2) + "." + number.substr(2, 2) + "." +
                             number.substr(4, 2) + "-" + number.substr(6, 3) + "." +
                             number.substr(9, 2);
  for (const std::string& typed : {number, dotted, " " + dotted + " "}) {
    HttpResponse found = search({{"national_number", typed}});
    ASSERT_EQ(found.status, 200) << typed << ": " << found.body;
    EXPECT_EQ(ids_of(found), (std::set<Id>{secundair})) << typed;
    EXPECT_EQ(body_of(found)["total"], Value(1));
    EXPECT_EQ(body_of(found)["items"].as_array().at(0)["national_number"], Value(number));
  }
  for (const std::string& wrong :
       {number.substr(0, 10), std::string("85.07.30"), std::string("abc"),
        std::string("85073003328x"), number + "/1"}) {
    HttpResponse refused = search({{"national_number", wrong}});
    EXPECT_EQ(refused.status, 422) << wrong;
    EXPECT_TRUE(has_field_error(refused, "national_number")) << wrong;
  }

  // Name (a part, any case), school, track and year, across every track and year at once.
  EXPECT_EQ(ids_of(search({{"name", "zoekB"}})), (std::set<Id>{secundair}));
  EXPECT_EQ(ids_of(search({{"name", "lotte"}})), (std::set<Id>{secundair, other_school, in_duaal}));
  EXPECT_EQ(ids_of(search({{"school", school_b_}})), (std::set<Id>{other_school}));
  EXPECT_EQ(ids_of(search({{"track", "duaal"}})), (std::set<Id>{in_duaal}));
  EXPECT_EQ(ids_of(search({{"track", "secundair"}, {"year", "2025-2026"}})),
            (std::set<Id>{secundair, other_school}));
  EXPECT_TRUE(ids_of(search({{"year", "2024-2025"}})).empty());
  EXPECT_EQ(body_of(search({{"name", "lotte"}, {"page_size", 2}}))["items"].as_array().size(), 2u);
  EXPECT_EQ(body_of(search({{"name", "lotte"}, {"page_size", 2}}))["total"], Value(3));
  EXPECT_TRUE(has_field_error(search({{"track", "onbekend"}}), "track"));
  EXPECT_TRUE(has_field_error(search({{"name", std::string(101, 'a')}}), "name"));
  EXPECT_TRUE(has_field_error(search({{"year", "2025"}}), "year"));
  EXPECT_TRUE(has_field_error(search({{"school", "x"}}), "school"));
  EXPECT_TRUE(has_field_error(search({{"national_number", 85073003328}}), "national_number"));
  EXPECT_TRUE(has_field_error(search({{"page", 0}}), "page"));
  // A stopped student is still found (it stays in history).
  ASSERT_EQ(post(req_path(secundair, "/stop"), Object{}, "school_a").status, 200);
  EXPECT_EQ(ids_of(search({{"national_number", number}})), (std::set<Id>{secundair}));

  // Nobody but the admin searches, by national number or otherwise.
  for (const char* who : {"school_a", "school_b", "service_x", "service_y"}) {
    for (const Object& criteria :
         {Object{{"national_number", number}}, Object{{"name", "Lotte"}}}) {
      HttpResponse refused = search(criteria, who);
      EXPECT_EQ(refused.status, 403) << who;
      EXPECT_EQ(refused.body.find(number), std::string::npos) << who;
      EXPECT_EQ(refused.body.find("Zoekbaar"), std::string::npos) << who;
    }
  }
}

TEST_P(Api, AdminReadsARequestsHistoryWithStatusesRevealsAndAudit) {
  Id id = register_student(student("Geschiedenis"));
  ASSERT_EQ(post(req_path(id, "/status"), Object{{"status", "niet_aanvaard"}}, "service_y").status,
            200);
  ASSERT_EQ(post(req_path(id, "/status"), Object{{"status", "niet_aanvaard"}}, "service_x").status,
            200);
  ASSERT_EQ(post(req_path(id, "/status"), accept_body(mentor_x_), "service_x").status, 200);
  ASSERT_EQ(get(req_path(id), "service_x").status, 200);  // a reveal
  ASSERT_EQ(get("/api/v1/tracks/secundair/requests?tab=accepted", "service_x").status, 200);

  const std::string path = "/api/v1/admin/requests/" + std::to_string(id) + "/history";
  HttpResponse res = get(path, "admin");
  ASSERT_EQ(res.status, 200) << res.body;
  Value h = body_of(res);
  EXPECT_EQ(h["request"]["id"], Value(id));
  EXPECT_EQ(h["request"]["national_number"], Value(national_number(850730033)));
  EXPECT_EQ(h["request"]["accepted_by"]["id"], Value(service_x_));

  // Per service: its current status, whether it ever saw the personal data, the counts.
  ASSERT_EQ(h["services"].as_array().size(), 2u) << res.body;
  std::map<Id, Value> per_service;
  for (const auto& s : h["services"].as_array()) per_service[s["id"].as_int()] = s;
  const Value& x = per_service[service_x_];
  EXPECT_EQ(x["name"], Value("Thuiszorg Antwerpen"));
  EXPECT_EQ(x["status"], Value("aanvaard"));
  EXPECT_EQ(x["status_label"], Value("Aanvaard"));
  EXPECT_EQ(x["revealed"], Value(true));
  EXPECT_EQ(
      x["counts"],
      Value(Array{Object{{"status", "niet_aanvaard"}, {"label", "Niet aanvaard"}, {"count", 1}},
                  Object{{"status", "aanvaard"}, {"label", "Aanvaard"}, {"count", 1}}}));
  const Value& y = per_service[service_y_];
  EXPECT_EQ(y["status"], Value("niet_aanvaard"));
  EXPECT_EQ(y["revealed"], Value(false));

  // Every audit line of the request, oldest first, with who did it in words.
  std::vector<std::string> actions;
  std::string previous;
  for (const auto& e : h["events"].as_array()) {
    actions.push_back(e["action"].as_string());
    EXPECT_LE(previous, e["at"].as_string());
    previous = e["at"].as_string();
  }
  EXPECT_EQ(actions,
            (std::vector<std::string>{"request.register", "status.change", "status.change",
                                      "status.change", "request.reveal", "request.reveal_list"}));
  const Value& registered = h["events"].as_array().at(0);
  EXPECT_EQ(registered["who"], Value("Sint-Jozef Antwerpen"));
  EXPECT_EQ(registered["user"], Value(email_of("school_a")));
  const Value& reveal = h["events"].as_array().at(4);
  EXPECT_EQ(reveal["who"], Value("Thuiszorg Antwerpen"));
  EXPECT_EQ(reveal["user"], Value(email_of("service_x")));

  for (const char* who : {"school_a", "service_x", "service_y"}) {
    HttpResponse refused = get(path, who);
    EXPECT_EQ(refused.status, 403) << who;
    EXPECT_EQ(refused.body.find(national_number(850730033)), std::string::npos) << who;
  }
  EXPECT_EQ(get("/api/v1/admin/requests/999999/history", "admin").status, 404);
  EXPECT_EQ(get("/api/v1/admin/requests/x/history", "admin").status, 404);
}

TEST_P(Api, AnUndoneAcceptanceIsMailedToTheServiceAndTheSchoolWithTheReason) {
  matching_->set_notices(*mail_, *store_);
  Id id = register_student(student("Ongedaan"));
  ASSERT_EQ(post(req_path(id, "/status"), accept_body(mentor_x_), "service_x").status, 200);
  ASSERT_TRUE(body_of(get(req_path(id), "service_x")).has("national_number"));
  const std::size_t to_service = mails_to(email_of("service_x"));
  const std::size_t to_school = mails_to(email_of("school_a"));
  const std::size_t to_other = mails_to(email_of("service_y"));

  // Without a reason nothing happens, and nobody is mailed.
  HttpResponse missing = post(req_path(id, "/status"), Object{{"status", "onbeslist"}}, "admin");
  EXPECT_EQ(missing.status, 422);
  EXPECT_TRUE(has_field_error(missing, "reason"));
  EXPECT_EQ(mails_to(email_of("service_x")), to_service);
  EXPECT_EQ(mails_to(email_of("school_a")), to_school);

  const std::string reason = "De dienst koos de verkeerde Lotte.";
  ASSERT_EQ(
      post(req_path(id, "/status"), Object{{"status", "onbeslist"}, {"reason", reason}}, "admin")
          .status,
      200);
  auto newest_to = [&](const std::string& to) {
    OutboxMail newest;
    for (const auto& m : store_->outbox(1000))
      if (m.to_address == to && m.id > newest.id) newest = m;
    return newest;
  };
  ASSERT_EQ(mails_to(email_of("service_x")), to_service + 1);
  ASSERT_EQ(mails_to(email_of("school_a")), to_school + 1);
  EXPECT_EQ(mails_to(email_of("service_y")), to_other) << "only the service that lost the student";
  OutboxMail service_mail = newest_to(email_of("service_x"));
  OutboxMail school_mail = newest_to(email_of("school_a"));
  for (const OutboxMail* m : {&service_mail, &school_mail}) {
    EXPECT_NE(m->subject.find("Lotte Ongedaan"), std::string::npos) << m->subject;
    EXPECT_NE(m->body_text.find(reason), std::string::npos) << m->body_text;
    EXPECT_NE(m->body_html.find(reason), std::string::npos) << m->body_html;
    EXPECT_NE(m->body_text.find("Thuiszorg Antwerpen"), std::string::npos);
    // The mail holds no personal data of the student.
    EXPECT_EQ(m->body_text.find(national_number(850730033)), std::string::npos);
    EXPECT_EQ(m->body_text.find("0470 12 34 56"), std::string::npos);
  }
  EXPECT_NE(service_mail.body_text.find(kBaseUrl + std::string("/dienst/secundair")),
            std::string::npos);
  EXPECT_NE(school_mail.body_text.find(kBaseUrl + std::string("/school/secundair")),
            std::string::npos);

  // The audit line names the service and the reason; the former service no longer sees the
  // personal fields, and the student is open to every service again.
  bool audited = false;
  for (const auto& a : store_->audit_of("request", id))
    audited |= a.action == "status.change" && a.detail.find(reason) != std::string::npos &&
               a.detail.find("Thuiszorg Antwerpen") != std::string::npos;
  EXPECT_TRUE(audited);
  Value seen = body_of(get(req_path(id), "service_x"));
  EXPECT_EQ(seen["my_status"], Value("onbeslist"));
  EXPECT_FALSE(seen.has("national_number"));
  EXPECT_FALSE(seen.has("phone"));
  EXPECT_EQ(get(req_path(id), "service_y").status, 200);
}

TEST_P(Api, AdminStopsAStudentWithAReasonButNotAnAcceptedOne) {
  Id id = register_student(student("Stopt"));
  Id taken = register_student(student("Aanvaard"));
  ASSERT_EQ(post(req_path(taken, "/status"), accept_body(mentor_x_), "service_x").status, 200);
  auto stop = [&](Id which, const Value& body, const std::string& who = "admin") {
    return post("/api/v1/admin/requests/" + std::to_string(which) + "/stop", body, who);
  };

  HttpResponse missing = stop(id, Object{{"reason", "  "}});
  EXPECT_EQ(missing.status, 422);
  EXPECT_TRUE(has_field_error(missing, "reason"));
  EXPECT_EQ(stop(id, Object{{"reason", 3}}).status, 422);
  for (const char* who : {"school_a", "service_x"})
    EXPECT_EQ(stop(id, Object{{"reason", "x"}}, who).status, 403) << who;
  EXPECT_EQ(ids_of(get("/api/v1/tracks/secundair/requests", "service_y")).count(id), 1u)
      << "refused stops change nothing";

  const std::string reason = "De school meldt dat de student de opleiding stopzette.";
  HttpResponse done = stop(id, Object{{"reason", reason}});
  ASSERT_EQ(done.status, 200) << done.body;
  // Gone from the services' lists and pages, as after a school's stop; the admin still has it.
  EXPECT_EQ(ids_of(get("/api/v1/tracks/secundair/requests", "service_y")).count(id), 0u);
  EXPECT_EQ(get(req_path(id), "service_y").status, 404);
  EXPECT_EQ(body_of(get(req_path(id), "admin"))["state"], Value("stopped"));
  EXPECT_EQ(body_of(get(req_path(id), "school_a"))["state"], Value("stopped"));
  bool audited = false;
  for (const auto& a : store_->audit_of("request", id))
    audited |= a.action == "request.stop" && a.actor.starts_with("admin:") &&
               a.detail.find(reason) != std::string::npos;
  EXPECT_TRUE(audited);
  HttpResponse again = stop(id, Object{{"reason", reason}});
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(error_of(again), "stopped");

  // An accepted internship is not stopped: the acceptance is undone first.
  HttpResponse accepted = stop(taken, Object{{"reason", "Stage gaat niet door."}});
  EXPECT_EQ(accepted.status, 409);
  EXPECT_EQ(error_of(accepted), "accepted");
  EXPECT_NE(body_of(accepted)["message"].as_string().find("ongedaan"), std::string::npos);
  EXPECT_EQ(body_of(get(req_path(taken), "admin"))["state"], Value("active"));
  EXPECT_EQ(stop(999999, Object{{"reason", "x"}}).status, 404);
}

std::string param_name(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

INSTANTIATE_TEST_SUITE_P(Sqlite, Api, ::testing::Values("sqlite"), param_name);
INSTANTIATE_TEST_SUITE_P(Postgresql, Api, ::testing::Values("postgresql"), param_name);

}  // namespace
}  // namespace stagematch

// Accounts and sessions against the real SQL store: one parameterised suite, run on a fresh
// SQLite file and a fresh PostgreSQL schema (STAGEMATCH_TEST_PG, set by script/test; without it
// the PostgreSQL half fails). Mails are rendered by a small composer that writes the data's link
// into the text (the real templates are the mail component's) and delivered by an outbox
// worker to a recording mailer: links are read from what was delivered. Time: a frozen TestClock.
#include "accounts.hpp"

#include <gtest/gtest.h>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <latch>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "mailbox_test_support.hpp"
#include "scratch_database.hpp"
#include "site_links.hpp"
#include "sql_db.hpp"
#include "sql_store.hpp"

namespace stagematch {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using storage::Db;
using storage::Dialect;
using storage::Row;
using storage::Tx;
using storage::TxMode;

constexpr std::int64_t kT0 = 1757066400;  // 2025-09-05 12:00 Brussels
constexpr const char* kBaseUrl = "https://stage.example.be";
constexpr const char* kPassword = "lange-zin-als-wachtwoord";
constexpr const char* kGoneMessage = "Deze link is al gebruikt of verlopen. Vraag een nieuwe aan.";

// The mail component renders the real templates; this one keeps what the tests look at: the
// template's name as subject and the data (with its link) in the text.
class TestMail final : public MailComposer {
 public:
  OutboxMail compose(const std::string& template_name, const Value& data,
                     const std::string& to) const override {
    OutboxMail mail;
    mail.to_address = to;
    mail.subject = template_name;
    std::string link = data["link"].is_string() ? data["link"].as_string() : "";
    mail.body_text = "Link: " + link + "\nData: " + data.to_json() + "\n";
    return mail;
  }
  const Links& links() const override { return *links_; }

 private:
  std::shared_ptr<const Links> links_ = site_links(kBaseUrl);
};

using mail_testing::token_in;

class AccountsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    url_ = databases_.fresh();
    if (url_.empty()) return;  // the failure is already reported
    store_ = std::make_unique<SqlStore>(url_);
    store_->migrate();
    clock_.freeze(true);
    AccountOptions options;
    accounts_ = std::make_unique<Accounts>(*store_, mail_, clock_, options);
    worker_ = std::make_unique<OutboxWorker>(*store_, mailbox_, clock_, outbox_options());
    school_ = store_->create_organisation(Organisation{0, "school", "Sint-Jozef", {}, {}}).value();
    service_ =
        store_->create_organisation(Organisation{0, "service", "Thuiszorg A", {"ANT"}, {}}).value();
    auto admin = accounts_->create_admin("beheer@fonds.be", "beheerder-wachtwoord");
    ASSERT_TRUE(admin) << admin.error().message;
    admin_ = Actor{"admin", *admin, 0};
  }

  void TearDown() override {
    worker_.reset();
    accounts_.reset();
    store_.reset();
    db_.reset();
  }

  bool ready() const { return accounts_ != nullptr; }

  Db& db() {
    if (!db_) db_ = std::make_unique<Db>(storage::parse_store_url(url_), 1);
    return *db_;
  }

  std::vector<Row> rows(const std::string& sql, std::size_t columns,
                        const storage::Params& params = {}) {
    return db().transact(TxMode::kRead, [&](Tx& tx) { return tx.query(sql, params, columns); });
  }

  void advance(seconds by) { ASSERT_TRUE(clock_.set(clock_.now() + by)); }

  // The server's worker: link requests become mails, links are made as each mail goes out.
  OutboxOptions outbox_options() {
    OutboxOptions o;
    o.links = site_links(kBaseUrl);
    o.first_retry = seconds{60};
    o.prepare = [this] { accounts_->handle_link_requests(); };
    return o;
  }

  // Rows per table: what a call wrote.
  std::map<std::string, std::int64_t> table_sizes() {
    std::map<std::string, std::int64_t> out;
    for (const char* table :
         {"users", "tokens", "outbox", "audit_log", "sessions", "login_attempts", "link_requests"})
      out[table] = rows(std::string("SELECT COUNT(*) FROM ") + table, 1).at(0).int64(0);
    return out;
  }

  // Sends what the outbox holds (after turning link requests into mails), as the server does.
  void deliver() {
    while (worker_->run_once() > 0) {
    }
  }

  // The newest mail delivered to `to` (everything due is sent first).
  std::optional<OutboxMail> last_mail(const std::string& to) {
    deliver();
    return mailbox_.newest_to(to);
  }

  std::size_t mails_to(const std::string& to) {
    deliver();
    return mailbox_.count_to(to);
  }

  // Invites `email` for the school and returns the token of its activation mail.
  std::string invite(const std::string& email) {
    auto id = accounts_->invite(admin_, email, "school", school_);
    EXPECT_TRUE(id) << (id ? "" : id.error().code + ": " + id.error().message);
    auto mail = last_mail(email);
    EXPECT_TRUE(mail);
    return mail ? token_in(mail->body_text) : "";
  }

  void invite_and_activate(const std::string& email, const std::string& password = kPassword) {
    std::string token = invite(email);
    auto activated = accounts_->activate(token, password);
    ASSERT_TRUE(activated) << activated.error().message;
  }

  std::string login_cookie(const std::string& email, const std::string& password = kPassword) {
    auto ok = accounts_->login(email, password);
    EXPECT_TRUE(ok) << (ok ? "" : ok.error().code + ": " + ok.error().message);
    return ok ? ok->cookie_value : "";
  }

  static void expect_error(const DomainError& e, ErrorKind kind, const std::string& code) {
    EXPECT_EQ(e.kind, kind) << e.code << ": " << e.message;
    EXPECT_EQ(e.code, code) << e.message;
  }

  testing::ScratchDatabases databases_{GetParam(), "acc"};  // outlives the stores below
  std::string url_;
  std::unique_ptr<SqlStore> store_;
  std::unique_ptr<Db> db_;
  TestMail mail_;
  TestClock clock_{Instant{seconds{kT0}}};
  std::unique_ptr<Accounts> accounts_;
  mail_testing::RecordingMailer mailbox_;
  std::unique_ptr<OutboxWorker> worker_;
  Id school_ = 0;
  Id service_ = 0;
  Actor admin_;
};

TEST_P(AccountsTest, InviteMailsALinkThatActivatesAndThenLoginWorks) {
  if (!ready()) return;
  auto id = accounts_->invite(admin_, "  Els.Peeters@Sint-Jozef.BE ", "school", school_);
  ASSERT_TRUE(id) << id.error().message;

  auto mail = last_mail("els.peeters@sint-jozef.be");
  ASSERT_TRUE(mail) << "the invitation goes to the normalised address";
  EXPECT_EQ(mail->subject, "activation");
  EXPECT_NE(mail->body_text.find(std::string(kBaseUrl) + "/activeren?token="), std::string::npos);
  EXPECT_NE(mail->body_text.find("\"organisation\":\"Sint-Jozef\""), std::string::npos);
  EXPECT_NE(mail->body_text.find("\"expires\":\"12/09/2025 12:00\""), std::string::npos)
      << mail->body_text;
  std::string token = token_in(mail->body_text);
  EXPECT_EQ(token.size(), 43u) << "32 random bytes, base64url without padding";

  auto user = store_->user(*id);
  ASSERT_TRUE(user);
  EXPECT_FALSE(user->user.activated);
  EXPECT_EQ(user->user.role, "school");
  EXPECT_EQ(user->user.org_id, school_);

  auto audit = store_->audit_log(10);
  ASSERT_FALSE(audit.empty());
  EXPECT_EQ(audit.front().action, "user.invite");
  EXPECT_EQ(audit.front().object_id, *id);
  EXPECT_EQ(audit.front().user_id, admin_.user_id);
  EXPECT_EQ(audit.front().detail.find(token), std::string::npos);

  ASSERT_TRUE(accounts_->activate(token, kPassword));
  auto ok = accounts_->login("ELS.peeters@sint-jozef.be", kPassword);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->user.id, *id);
  EXPECT_TRUE(ok->user.activated);
  EXPECT_EQ(ok->cookie_value.size(), 43u);
  EXPECT_EQ(ok->csrf_token.size(), 43u);
  EXPECT_NE(ok->cookie_value, ok->csrf_token);

  SessionCheck check = accounts_->check(ok->cookie_value);
  ASSERT_TRUE(check.session && check.user);
  EXPECT_EQ(check.user->id, *id);
  EXPECT_EQ(check.session->csrf_token, ok->csrf_token);
  EXPECT_TRUE(Accounts::csrf_matches(*check.session, ok->csrf_token));
  EXPECT_FALSE(Accounts::csrf_matches(*check.session, ok->cookie_value));
  EXPECT_FALSE(Accounts::csrf_matches(*check.session, ""));

  Actor actor = Accounts::actor_of(*check.user);
  EXPECT_EQ(actor.role, "school");
  EXPECT_EQ(actor.user_id, *id);
  EXPECT_EQ(actor.org_id, school_);
}

TEST_P(AccountsTest, AnActivationLinkWorksOnce) {
  if (!ready()) return;
  std::string token = invite("jan@sint-jozef.be");
  ASSERT_TRUE(accounts_->activate(token, kPassword));
  auto again = accounts_->activate(token, "een-ander-wachtwoord");
  ASSERT_FALSE(again);
  expect_error(again.error(), ErrorKind::gone, "gone");
  EXPECT_EQ(again.error().message, kGoneMessage);
  EXPECT_TRUE(accounts_->login("jan@sint-jozef.be", kPassword)) << "the password stays the first";
  auto unknown = accounts_->activate("niet-een-echte-token", kPassword);
  ASSERT_FALSE(unknown);
  expect_error(unknown.error(), ErrorKind::gone, "gone");
}

TEST_P(AccountsTest, AnActivationLinkExpiresAfterSevenDays) {
  if (!ready()) return;
  std::string early = invite("vroeg@sint-jozef.be");
  std::string late = invite("laat@sint-jozef.be");
  advance(days{7} - seconds{1});
  EXPECT_TRUE(accounts_->activate(early, kPassword)) << "still valid one second before";
  advance(seconds{1});
  auto expired = accounts_->activate(late, kPassword);
  ASSERT_FALSE(expired);
  expect_error(expired.error(), ErrorKind::gone, "gone");
  EXPECT_FALSE(store_->user_by_email("laat@sint-jozef.be")->user.activated);
}

TEST_P(AccountsTest, LoginBeforeActivationOffersANewLink) {
  if (!ready()) return;
  std::string first = invite("nieuw@thuiszorg-a.be");
  auto refused = accounts_->login("nieuw@thuiszorg-a.be", "om-het-even-wat");
  ASSERT_FALSE(refused);
  expect_error(refused.error(), ErrorKind::forbidden, "not_activated");
  EXPECT_EQ(refused.error().message,
            "Je account is nog niet geactiveerd. We kunnen je een nieuwe activatielink mailen.");

  ASSERT_TRUE(accounts_->resend_activation(" Nieuw@Thuiszorg-A.be"));
  auto mail = last_mail("nieuw@thuiszorg-a.be");
  ASSERT_TRUE(mail);
  EXPECT_EQ(mail->subject, "activation_again");
  std::string second = token_in(mail->body_text);
  ASSERT_FALSE(second.empty());
  EXPECT_NE(second, first);

  auto old = accounts_->activate(first, kPassword);
  ASSERT_FALSE(old) << "a new link ends the older one";
  expect_error(old.error(), ErrorKind::gone, "gone");
  ASSERT_TRUE(accounts_->activate(second, kPassword));
  EXPECT_TRUE(accounts_->login("nieuw@thuiszorg-a.be", kPassword));
}

// 25 requests in a second once put 25 mails in someone's mailbox: one link per address per
// cool-down (5 minutes) now, whoever asks and however often; the answer stays the same.
TEST_P(AccountsTest, AskingForLinksAgainAndAgainSendsOneMailPerCoolDown) {
  if (!ready()) return;
  invite_and_activate("els@sint-jozef.be");
  invite("nieuw@thuiszorg-a.be");
  const std::size_t resets = mails_to("els@sint-jozef.be");
  const std::size_t activations = mails_to("nieuw@thuiszorg-a.be");
  for (int i = 0; i < 25; ++i) {
    accounts_->request_password_reset("els@sint-jozef.be");
    EXPECT_TRUE(accounts_->resend_activation("nieuw@thuiszorg-a.be"));
  }
  EXPECT_EQ(mails_to("els@sint-jozef.be"), resets + 1);
  EXPECT_EQ(mails_to("nieuw@thuiszorg-a.be"), activations + 1)
      << "the invitation itself does not count";
  advance(minutes{5} - seconds{1});
  accounts_->request_password_reset("els@sint-jozef.be");
  EXPECT_EQ(mails_to("els@sint-jozef.be"), resets + 1);
  advance(seconds{1});
  accounts_->request_password_reset("els@sint-jozef.be");
  EXPECT_EQ(mails_to("els@sint-jozef.be"), resets + 2) << "after the cool-down a new link goes out";
}

TEST_P(AccountsTest, ResendIsSilentForUnknownAndActivatedAddresses) {
  if (!ready()) return;
  invite_and_activate("actief@sint-jozef.be");
  std::size_t before = mails_to("actief@sint-jozef.be");
  EXPECT_TRUE(accounts_->resend_activation("actief@sint-jozef.be"));
  EXPECT_TRUE(accounts_->resend_activation("niemand@nergens.be"));
  EXPECT_EQ(mails_to("actief@sint-jozef.be"), before);
  EXPECT_EQ(mails_to("niemand@nergens.be"), 0u);
}

TEST_P(AccountsTest, WrongPasswordAndUnknownAddressGetTheSameAnswer) {
  if (!ready()) return;
  invite_and_activate("els@sint-jozef.be");
  auto wrong = accounts_->login("els@sint-jozef.be", "fout-wachtwoord");
  auto unknown = accounts_->login("onbekend@sint-jozef.be", "fout-wachtwoord");
  ASSERT_FALSE(wrong);
  ASSERT_FALSE(unknown);
  expect_error(wrong.error(), ErrorKind::unauthenticated, "invalid_credentials");
  EXPECT_EQ(wrong.error().kind, unknown.error().kind);
  EXPECT_EQ(wrong.error().code, unknown.error().code);
  EXPECT_EQ(wrong.error().message, unknown.error().message);
  EXPECT_EQ(wrong.error().fields, unknown.error().fields);
}

// Five wrong passwords once locked the real owner out for 15 minutes, over and over. Now the
// failures count per address and client address: past five, each next try from that client
// waits 1 s after the last failure, twice as long per failure more (at most 15 minutes), while
// the owner logging in from elsewhere never waits; one client trying many addresses is slowed
// the same way past 50 failures.
TEST_P(AccountsTest, FailuresSlowTheGuesserDownAndNeverLockTheOwnerOut) {
  if (!ready()) return;
  invite_and_activate("els@sint-jozef.be");
  invite_and_activate("jan@sint-jozef.be");
  const std::string rival = "198.51.100.7", owner = "203.0.113.20";
  for (int i = 0; i < 5; ++i) {
    auto failed = accounts_->login("els@sint-jozef.be", "fout-" + std::to_string(i), rival);
    ASSERT_FALSE(failed);
    expect_error(failed.error(), ErrorKind::unauthenticated, "invalid_credentials");
  }
  auto waits = accounts_->login("els@sint-jozef.be", "fout-5", rival);
  ASSERT_FALSE(waits);
  expect_error(waits.error(), ErrorKind::throttled, "throttled");
  EXPECT_EQ(
      waits.error().message,
      "Te veel mislukte pogingen vanaf dit adres. Wacht 1 seconde en probeer het dan opnieuw; "
      "elke volgende fout verlengt die wachttijd.");
  EXPECT_EQ(waits.error().fields.at("retry_after"), "1");
  EXPECT_TRUE(accounts_->login("els@sint-jozef.be", kPassword, owner))
      << "the owner elsewhere never waits";
  EXPECT_TRUE(accounts_->login("jan@sint-jozef.be", kPassword, rival)) << "counted per address";

  // Every further failure doubles the wait: 1 s, 2 s, 4 s, ...
  std::int64_t expected = 1;
  for (int i = 0; i < 6; ++i) {
    advance(seconds{expected});
    auto failed = accounts_->login("els@sint-jozef.be", "fout", rival);
    ASSERT_FALSE(failed);
    expect_error(failed.error(), ErrorKind::unauthenticated, "invalid_credentials");
    expected *= 2;
    auto next = accounts_->login("els@sint-jozef.be", kPassword, rival);
    ASSERT_FALSE(next) << "even the right password waits, from this client";
    EXPECT_EQ(next.error().fields.at("retry_after"), std::to_string(expected));
  }
  EXPECT_TRUE(accounts_->login("els@sint-jozef.be", kPassword, owner));

  // Password spraying: one client, many addresses (unknown ones too), one try each.
  for (int i = 0; i < 50; ++i) {
    auto failed =
        accounts_->login("raden" + std::to_string(i) + "@sint-jozef.be", "Zomer2025!", "192.0.2.9");
    ASSERT_FALSE(failed);
    ASSERT_EQ(failed.error().code, "invalid_credentials") << i;
  }
  auto sprayed = accounts_->login("nog-een@sint-jozef.be", "Zomer2025!", "192.0.2.9");
  ASSERT_FALSE(sprayed);
  expect_error(sprayed.error(), ErrorKind::throttled, "throttled");
  EXPECT_TRUE(accounts_->login("jan@sint-jozef.be", kPassword, owner)) << "other clients go on";
}

TEST_P(AccountsTest, ASuccessfulLoginClearsEarlierFailures) {
  if (!ready()) return;
  invite_and_activate("els@sint-jozef.be");
  for (int i = 0; i < 4; ++i) accounts_->login("els@sint-jozef.be", "fout");
  ASSERT_TRUE(accounts_->login("els@sint-jozef.be", kPassword));
  for (int i = 0; i < 4; ++i) accounts_->login("els@sint-jozef.be", "fout");
  EXPECT_TRUE(accounts_->login("els@sint-jozef.be", kPassword));
}

TEST_P(AccountsTest, ANewLoginEndsTheOlderSessionAndSaysWhy) {
  if (!ready()) return;
  invite_and_activate("els@sint-jozef.be");
  invite_and_activate("jan@sint-jozef.be");
  std::string first = login_cookie("els@sint-jozef.be");
  std::string other_user = login_cookie("jan@sint-jozef.be");
  advance(minutes{5});
  std::string second = login_cookie("els@sint-jozef.be");

  SessionCheck old = accounts_->check(first);
  EXPECT_FALSE(old.session);
  EXPECT_FALSE(old.user);
  EXPECT_EQ(old.ended_reason, "replaced");
  SessionCheck current = accounts_->check(second);
  EXPECT_TRUE(current.session && current.user);
  EXPECT_TRUE(current.ended_reason.empty());
  EXPECT_TRUE(accounts_->check(other_user).session) << "another account keeps its session";
}

// Two server instances on one database: each store keeps sessions it read for a short time.
// A login on one instance ends the older session there at once, and on the other within that
// time, never later.
TEST_P(AccountsTest, ALoginElsewhereEndsTheOlderSessionOnEveryInstanceWithinTheCacheTime) {
  if (!ready()) return;
  if (GetParam() != "postgresql") GTEST_SKIP() << "more than one instance runs on PostgreSQL";
  constexpr std::chrono::milliseconds kTtl{300};
  store_->set_cache_ttl(kTtl);
  SqlStore other_store(url_);
  other_store.set_cache_ttl(kTtl);
  Accounts other(other_store, mail_, clock_, AccountOptions{});
  invite_and_activate("els@sint-jozef.be");
  std::string first = login_cookie("els@sint-jozef.be");
  ASSERT_TRUE(accounts_->check(first).session);
  ASSERT_TRUE(other.check(first).session) << "the other instance read (and keeps) the session";

  auto logged_in_again = std::chrono::steady_clock::now();
  auto second = other.login("els@sint-jozef.be", kPassword);  // elsewhere: on the other instance
  ASSERT_TRUE(second);
  EXPECT_EQ(other.check(first).ended_reason, "replaced") << "at once where the login happened";
  // This instance may still know the old session from its cache, but only for kTtl.
  std::this_thread::sleep_for(kTtl + std::chrono::milliseconds(50));
  SessionCheck old = accounts_->check(first);
  EXPECT_FALSE(old.session) << "still valid "
                            << std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::steady_clock::now() - logged_in_again)
                                   .count()
                            << " ms after a login elsewhere";
  EXPECT_EQ(old.ended_reason, "replaced");
  EXPECT_TRUE(accounts_->check(second->cookie_value).session);
}

TEST_P(AccountsTest, PasswordsAreHashedAtOwaspsArgon2idMinimumAndOldHashesUpgradeAtLogin) {
  if (!ready()) return;
  invite_and_activate("els@sint-jozef.be");
  auto stored = [&] {
    return rows("SELECT password_hash FROM users WHERE email = ?", 1, {"els@sint-jozef.be"})
        .at(0)
        .text(0);
  };
  EXPECT_EQ(stored().rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u) << stored();

  // A hash from before, with libsodium's "interactive" 64 MiB: still accepted, then replaced.
  std::array<char, crypto_pwhash_STRBYTES> old{};
  ASSERT_EQ(
      crypto_pwhash_str(old.data(), kPassword, std::strlen(kPassword),
                        crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE),
      0);
  db().transact(TxMode::kWrite, [&](Tx& tx) {
    return tx.exec("UPDATE users SET password_hash = ? WHERE email = ?",
                   {std::string(old.data()), "els@sint-jozef.be"});
  });
  ASSERT_EQ(stored().rfind("$argon2id$v=19$m=65536,t=2,p=1$", 0), 0u) << stored();
  EXPECT_FALSE(accounts_->login("els@sint-jozef.be", "verkeerd-wachtwoord"));
  EXPECT_EQ(stored(), std::string(old.data())) << "a wrong password changes nothing";
  ASSERT_TRUE(accounts_->login("els@sint-jozef.be", kPassword));
  EXPECT_EQ(stored().rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u) << stored();
  EXPECT_TRUE(accounts_->login("els@sint-jozef.be", kPassword))
      << "the new hash holds the same password";
}

TEST_P(AccountsTest, TwoLoginsAtOnceLeaveOneOpenSession) {
  if (!ready()) return;
  invite_and_activate("els@sint-jozef.be");
  for (int round = 0; round < 3; ++round) {
    std::latch start(2);
    std::vector<std::string> cookies(2);
    std::vector<std::thread> threads;
    for (int i = 0; i < 2; ++i) {
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        auto ok = accounts_->login("els@sint-jozef.be", kPassword);
        if (ok) cookies[i] = ok->cookie_value;
      });
    }
    for (auto& t : threads) t.join();
    ASSERT_FALSE(cookies[0].empty());
    ASSERT_FALSE(cookies[1].empty());
    auto open = rows("SELECT token_hash FROM sessions WHERE ended_at IS NULL", 1);
    EXPECT_EQ(open.size(), 1u) << "round " << round;
    int live = (accounts_->check(cookies[0]).session ? 1 : 0) +
               (accounts_->check(cookies[1]).session ? 1 : 0);
    EXPECT_EQ(live, 1);
  }
}

TEST_P(AccountsTest, LogoutEndsTheSessionOnTheServer) {
  if (!ready()) return;
  invite_and_activate("els@sint-jozef.be");
  std::string cookie = login_cookie("els@sint-jozef.be");
  ASSERT_TRUE(accounts_->check(cookie).session);
  accounts_->logout(cookie);
  SessionCheck after = accounts_->check(cookie);
  EXPECT_FALSE(after.session);
  EXPECT_EQ(after.ended_reason, "logged_out");
  auto stored = rows("SELECT ended_at, end_reason FROM sessions WHERE ended_at IS NOT NULL", 2);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored.front().text(1), "logged_out");
  EXPECT_FALSE(accounts_->check("").session);
  EXPECT_FALSE(accounts_->check("onbekend-koekje").session);
  EXPECT_TRUE(accounts_->check("onbekend-koekje").ended_reason.empty());
}

TEST_P(AccountsTest, AnIdleSessionExpiresAndUseKeepsItAlive) {
  if (!ready()) return;
  invite_and_activate("els@sint-jozef.be");
  std::string cookie = login_cookie("els@sint-jozef.be");
  auto last_seen = [&] {
    return rows("SELECT last_seen_at FROM sessions WHERE ended_at IS NULL", 1).front().int64(0);
  };
  std::int64_t start = last_seen();

  advance(seconds{30});
  ASSERT_TRUE(accounts_->check(cookie).session);
  EXPECT_EQ(last_seen(), start) << "not written again within a minute";
  advance(hours{7});
  ASSERT_TRUE(accounts_->check(cookie).session);
  EXPECT_EQ(last_seen(), start + 30 + 7 * 3600);
  advance(hours{8});
  ASSERT_TRUE(accounts_->check(cookie).session) << "exactly the idle time is still fine";
  advance(hours{8} + seconds{1});
  SessionCheck expired = accounts_->check(cookie);
  EXPECT_FALSE(expired.session);
  EXPECT_EQ(expired.ended_reason, "expired");
  EXPECT_EQ(accounts_->check(cookie).ended_reason, "expired") << "and it stays ended";
}

// However busy, a session lasts at most 24 hours from its login: a cookie taken once is not
// good for ever by being used.
TEST_P(AccountsTest, ASessionEndsADayAfterItsLoginHoweverActive) {
  if (!ready()) return;
  invite_and_activate("els@sint-jozef.be");
  std::string cookie = login_cookie("els@sint-jozef.be");
  for (int hour = 1; hour < 24; ++hour) {
    advance(hours{1});
    ASSERT_TRUE(accounts_->check(cookie).session) << "hour " << hour;
  }
  advance(minutes{59});
  ASSERT_TRUE(accounts_->check(cookie).session);
  advance(minutes{1});
  SessionCheck ended = accounts_->check(cookie);
  EXPECT_FALSE(ended.session);
  EXPECT_EQ(ended.ended_reason, "expired");
  EXPECT_TRUE(accounts_->login("els@sint-jozef.be", kPassword))
      << "logging in again starts a new day";
}

TEST_P(AccountsTest, PasswordResetByMail) {
  if (!ready()) return;
  invite_and_activate("els@sint-jozef.be");
  std::string session = login_cookie("els@sint-jozef.be");

  accounts_->request_password_reset(" ELS@sint-jozef.be");
  auto mail = last_mail("els@sint-jozef.be");
  ASSERT_TRUE(mail);
  EXPECT_EQ(mail->subject, "password_reset");
  EXPECT_NE(mail->body_text.find(std::string(kBaseUrl) + "/wachtwoord-herstellen?token="),
            std::string::npos);
  std::string token = token_in(mail->body_text);

  auto weak = accounts_->confirm_password_reset(token, "kort");
  ASSERT_FALSE(weak);
  expect_error(weak.error(), ErrorKind::invalid, "validation");
  ASSERT_TRUE(weak.error().fields.contains("password"));
  EXPECT_TRUE(accounts_->check(session).session) << "a refused reset changes nothing";

  advance(minutes{10});
  ASSERT_TRUE(accounts_->confirm_password_reset(token, "nieuw-lang-wachtwoord"));
  SessionCheck old = accounts_->check(session);
  EXPECT_FALSE(old.session) << "a new password ends the sessions of the account";
  EXPECT_EQ(old.ended_reason, "password_changed");

  auto reuse = accounts_->confirm_password_reset(token, "nog-een-ander-wachtwoord");
  ASSERT_FALSE(reuse);
  expect_error(reuse.error(), ErrorKind::gone, "gone");
  auto old_password = accounts_->login("els@sint-jozef.be", kPassword);
  ASSERT_FALSE(old_password);
  expect_error(old_password.error(), ErrorKind::unauthenticated, "invalid_credentials");
  EXPECT_TRUE(accounts_->login("els@sint-jozef.be", "nieuw-lang-wachtwoord"));
}

TEST_P(AccountsTest, AResetLinkExpiresAndIsOnlyForActiveAccounts) {
  if (!ready()) return;
  invite_and_activate("els@sint-jozef.be");
  accounts_->request_password_reset("els@sint-jozef.be");
  std::string token = token_in(last_mail("els@sint-jozef.be")->body_text);
  advance(hours{2});
  auto expired = accounts_->confirm_password_reset(token, "nieuw-lang-wachtwoord");
  ASSERT_FALSE(expired);
  expect_error(expired.error(), ErrorKind::gone, "gone");

  // Nothing goes out for an unknown or not yet activated address.
  invite("nieuw@sint-jozef.be");
  std::size_t before = mails_to("nieuw@sint-jozef.be");
  accounts_->request_password_reset("nieuw@sint-jozef.be");
  accounts_->request_password_reset("niemand@nergens.be");
  EXPECT_EQ(mails_to("nieuw@sint-jozef.be"), before);
  EXPECT_EQ(mails_to("niemand@nergens.be"), 0u);

  // An activation link cannot reset a password, nor a reset link activate.
  std::string activation = token_in(last_mail("nieuw@sint-jozef.be")->body_text);
  auto crossed = accounts_->confirm_password_reset(activation, "nieuw-lang-wachtwoord");
  ASSERT_FALSE(crossed);
  expect_error(crossed.error(), ErrorKind::gone, "gone");
  EXPECT_TRUE(accounts_->activate(activation, kPassword));
}

TEST_P(AccountsTest, AWeakPasswordIsRefusedAndTheLinkStaysUsable) {
  if (!ready()) return;
  std::string token = invite("els@sint-jozef.be");
  auto weak = accounts_->activate(token, "negen9tkn");
  ASSERT_FALSE(weak);
  expect_error(weak.error(), ErrorKind::invalid, "validation");
  ASSERT_TRUE(weak.error().fields.contains("password"));
  EXPECT_EQ(weak.error().fields.at("password"), "Kies een wachtwoord van minstens 10 tekens.");
  // Ten characters, counted as characters: "é" is two bytes.
  EXPECT_TRUE(accounts_->activate(token, "ééééééééé1"));
}

TEST_P(AccountsTest, InvitationsAreCheckedAndUnique) {
  if (!ready()) return;
  ASSERT_TRUE(accounts_->invite(admin_, "els@sint-jozef.be", "school", school_));
  auto duplicate = accounts_->invite(admin_, " ELS@Sint-Jozef.be", "school", school_);
  ASSERT_FALSE(duplicate);
  expect_error(duplicate.error(), ErrorKind::conflict, "duplicate");
  EXPECT_EQ(duplicate.error().message, "Er bestaat al een account met dit e-mailadres.");

  auto school_user = Actor{"school", 99, school_};
  auto forbidden = accounts_->invite(school_user, "x@sint-jozef.be", "school", school_);
  ASSERT_FALSE(forbidden);
  expect_error(forbidden.error(), ErrorKind::forbidden, "forbidden");

  auto bad_email = accounts_->invite(admin_, "geen-adres", "school", school_);
  ASSERT_FALSE(bad_email);
  expect_error(bad_email.error(), ErrorKind::invalid, "validation");
  EXPECT_TRUE(bad_email.error().fields.contains("email"));
  EXPECT_FALSE(accounts_->invite(admin_, "a@b.be\r\nBcc: x@y.be", "school", school_));

  auto wrong_type = accounts_->invite(admin_, "x@thuiszorg-a.be", "school", service_);
  ASSERT_FALSE(wrong_type);
  expect_error(wrong_type.error(), ErrorKind::invalid, "validation");
  EXPECT_TRUE(wrong_type.error().fields.contains("org_id"));
  auto no_org = accounts_->invite(admin_, "x@thuiszorg-a.be", "service", std::nullopt);
  ASSERT_FALSE(no_org);
  EXPECT_TRUE(no_org.error().fields.contains("org_id"));
  auto missing_org = accounts_->invite(admin_, "x@thuiszorg-a.be", "service", 987654);
  ASSERT_FALSE(missing_org);
  EXPECT_TRUE(missing_org.error().fields.contains("org_id"));
  auto bad_role = accounts_->invite(admin_, "x@thuiszorg-a.be", "baas", service_);
  ASSERT_FALSE(bad_role);
  EXPECT_TRUE(bad_role.error().fields.contains("role"));

  auto service_user = accounts_->invite(admin_, "x@thuiszorg-a.be", "service", service_);
  ASSERT_TRUE(service_user);
  auto admin_user = accounts_->invite(admin_, "tweede@fonds.be", "admin", school_);
  ASSERT_TRUE(admin_user);
  EXPECT_FALSE(store_->user(*admin_user)->user.org_id) << "an admin belongs to no organisation";
  EXPECT_EQ(store_->users(service_).size(), 1u);
}

TEST_P(AccountsTest, CreateAdminIsActiveAtOnceAndRefusesADuplicate) {
  if (!ready()) return;
  EXPECT_TRUE(accounts_->login("beheer@fonds.be", "beheerder-wachtwoord"));
  auto again = accounts_->create_admin("Beheer@Fonds.be", "nog-een-wachtwoord");
  ASSERT_FALSE(again);
  expect_error(again.error(), ErrorKind::conflict, "duplicate");
  auto weak = accounts_->create_admin("ander@fonds.be", "kort");
  ASSERT_FALSE(weak);
  expect_error(weak.error(), ErrorKind::invalid, "validation");
  EXPECT_TRUE(weak.error().fields.contains("password"));
}

// Passwords are argon2id hashes; links and session cookies are only stored as SHA-256. A link
// is made when its mail is sent: neither the outbox, nor the audit log, nor any other column
// of any table holds it, so neither an admin nor a backup can take over an account.
TEST_P(AccountsTest, NoSecretIsStoredInClear) {
  if (!ready()) return;
  std::vector<std::string> secrets;
  std::string activation = invite("els@sint-jozef.be");
  secrets.push_back(activation);
  ASSERT_TRUE(accounts_->activate(activation, kPassword));
  auto ok = accounts_->login("els@sint-jozef.be", kPassword);
  ASSERT_TRUE(ok);
  secrets.push_back(ok->cookie_value);
  accounts_->request_password_reset("els@sint-jozef.be");
  std::string reset = token_in(last_mail("els@sint-jozef.be")->body_text);
  secrets.push_back(reset);
  ASSERT_TRUE(accounts_->confirm_password_reset(reset, "nieuw-lang-wachtwoord"));
  auto again = accounts_->login("els@sint-jozef.be", "nieuw-lang-wachtwoord");
  ASSERT_TRUE(again);
  secrets.push_back(again->cookie_value);
  secrets.push_back(invite("jan@sint-jozef.be"));  // an unused one
  invite("piet@sint-jozef.be");
  ASSERT_TRUE(accounts_->resend_activation("piet@sint-jozef.be", "192.0.2.4"));
  secrets.push_back(token_in(last_mail("piet@sint-jozef.be")->body_text));  // asked again
  for (const std::string& secret : secrets) ASSERT_EQ(secret.size(), 43u);

  for (const Row& row : rows("SELECT password_hash FROM users WHERE password_hash IS NOT NULL", 1))
    EXPECT_EQ(row.text(0).rfind("$argon2id$", 0), 0u) << row.text(0);
  for (const char* table : {"tokens", "sessions"}) {
    for (const Row& row : rows(std::string("SELECT token_hash FROM ") + table, 1)) {
      EXPECT_EQ(row.text(0).size(), 64u);
      EXPECT_EQ(row.text(0).find_first_not_of("0123456789abcdef"), std::string::npos);
    }
  }

  // Every column of every table (the outbox and the audit log included) and every audit line.
  auto texts = testing::stored_texts(url_);
  std::set<std::string> tables;
  for (const auto& [where, text] : texts) {
    tables.insert(where.substr(0, where.find('.')));
    for (const std::string& secret : secrets)
      EXPECT_EQ(text.find(secret), std::string::npos) << where << " holds a secret in clear";
    EXPECT_EQ(text.find("token="), std::string::npos) << where << " holds a link: " << text;
  }
  EXPECT_TRUE(tables.contains("outbox") && tables.contains("audit_log") &&
              tables.contains("sessions") && tables.contains("tokens"));
  std::size_t cells = texts.size();
  EXPECT_GT(cells, 50u);
  std::size_t marked = 0;
  for (const Row& row : rows("SELECT body_text FROM outbox", 1))
    marked += row.text(0).find(kLinkMarker) != std::string::npos;
  EXPECT_EQ(marked, mailbox_.delivered().size()) << "every stored link mail holds the marker";
  for (const OutboxMail& m : mailbox_.delivered())
    EXPECT_EQ(m.body_text.find(kLinkMarker), std::string::npos) << "delivered with the link";
  for (const AuditEntry& entry : store_->audit_log(100)) {
    for (const std::string& secret : secrets)
      EXPECT_EQ(entry.detail.find(secret), std::string::npos);
  }
}

// A mailer that keeps what it was handed and answers as told: the mail may have reached the
// recipient although the attempt counts as failed (a connection lost after the data went out).
class AnsweringMailer final : public Mailer {
 public:
  SendOutcome answer;
  std::vector<OutboxMail> handed;
  SendOutcome send(const OutboxMail& mail, const std::string&) override {
    handed.push_back(mail);
    return answer;
  }
};

// Every attempt makes a new link and keeps only its hash: a retry or an admin's "opnieuw
// versturen" sends a link that works, and the link of the attempt before stops working. No log
// line names a link.
TEST_P(AccountsTest, EachAttemptSendsAFreshLinkAndTheEarlierOneStopsWorking) {
  if (!ready()) return;
  ASSERT_TRUE(accounts_->invite(admin_, "els@sint-jozef.be", "school", school_));
  AnsweringMailer mailer;
  OutboxWorker worker(*store_, mailer, clock_, outbox_options());
  std::ostringstream log;
  auto* old_log = std::clog.rdbuf(log.rdbuf());

  mailer.answer = SendOutcome{SendOutcome::Kind::kTemporary, "verbinding verbroken"};
  EXPECT_EQ(worker.run_once(), 1);
  advance(seconds{60});
  EXPECT_EQ(worker.run_once(), 1) << "the retry";
  mailer.answer = SendOutcome{SendOutcome::Kind::kPermanent, "SMTP 550 mailbox vol"};
  advance(seconds{120});
  EXPECT_EQ(worker.run_once(), 1);
  std::clog.rdbuf(old_log);
  ASSERT_EQ(mailer.handed.size(), 3u);
  std::vector<std::string> links;
  for (const OutboxMail& m : mailer.handed) {
    links.push_back(token_in(m.body_text));
    EXPECT_EQ(links.back().size(), 43u) << m.body_text;
  }
  EXPECT_NE(links[0], links[1]);
  EXPECT_NE(links[1], links[2]);
  for (const std::string& link : links) EXPECT_EQ(log.str().find(link), std::string::npos);
  EXPECT_EQ(log.str().find("token="), std::string::npos) << log.str();

  // The mail is dead; the admin sends it again: a new link, which works; the older ones not.
  const Id mail_id = store_->outbox(1).at(0).id;
  EXPECT_EQ(store_->outbox(1).at(0).state, "dead");
  ASSERT_TRUE(store_->resend(mail_id, clock_.now()));
  std::string fresh = token_in(last_mail("els@sint-jozef.be")->body_text);
  ASSERT_EQ(fresh.size(), 43u);
  for (const std::string& link : links) {
    EXPECT_NE(fresh, link);
    auto old = accounts_->activate(link, kPassword);
    ASSERT_FALSE(old) << "an earlier attempt's link";
    expect_error(old.error(), ErrorKind::gone, "gone");
  }
  ASSERT_TRUE(accounts_->activate(fresh, kPassword));
  EXPECT_TRUE(accounts_->login("els@sint-jozef.be", kPassword));
}

// A link that was used, expired or replaced before its mail went out is not sent at all: the
// mail is marked undeliverable, with the reason, and no link.
TEST_P(AccountsTest, AMailWhoseLinkWasReplacedBeforeItWentOutIsNotSent) {
  if (!ready()) return;
  ASSERT_TRUE(accounts_->invite(admin_, "els@sint-jozef.be", "school", school_));
  ASSERT_TRUE(accounts_->resend_activation("els@sint-jozef.be"));
  accounts_->handle_link_requests();  // the new link ends the invitation's, still unsent
  EXPECT_EQ(mails_to("els@sint-jozef.be"), 1u);
  auto outbox = store_->outbox(10);
  ASSERT_EQ(outbox.size(), 2u);
  EXPECT_EQ(outbox[0].state, "sent") << "the new link";
  EXPECT_EQ(outbox[1].state, "dead") << "the invitation";
  EXPECT_EQ(outbox[1].last_error,
            "niet verstuurd: de link in deze mail werd intussen gebruikt, is verlopen of werd "
            "vervangen door een nieuwere");
  ASSERT_TRUE(store_->resend(outbox[1].id, clock_.now()));
  EXPECT_EQ(mails_to("els@sint-jozef.be"), 1u) << "a resend cannot bring a replaced link back";
  EXPECT_TRUE(accounts_->activate(token_in(last_mail("els@sint-jozef.be")->body_text), kPassword));
}

// 25 reset requests for 25 addresses once went out at once. One client address may ask for 20
// links an hour, whatever the addresses; then it is refused, in the same words whether the
// address exists or not, while other clients go on.
TEST_P(AccountsTest, OneClientAskingForLinksForManyAddressesIsLimited) {
  if (!ready()) return;
  invite_and_activate("els@sint-jozef.be");
  invite("nieuw@sint-jozef.be");
  const std::string client = "198.51.100.7";
  for (int i = 0; i < 20; ++i) {
    auto done = i % 2 == 0 ? accounts_->request_password_reset(
                                 "iemand" + std::to_string(i) + "@sint-jozef.be", client)
                           : accounts_->resend_activation(
                                 "iemand" + std::to_string(i) + "@sint-jozef.be", client);
    ASSERT_TRUE(done) << i;
  }
  std::vector<DomainError> refusals;
  for (const char* address : {"els@sint-jozef.be", "nieuw@sint-jozef.be", "niemand@nergens.be"}) {
    auto reset = accounts_->request_password_reset(address, client);
    auto again = accounts_->resend_activation(address, client);
    ASSERT_FALSE(reset);
    ASSERT_FALSE(again);
    refusals.push_back(reset.error());
    refusals.push_back(again.error());
  }
  for (const DomainError& e : refusals) {
    expect_error(e, ErrorKind::throttled, "throttled");
    EXPECT_EQ(e.message,
              "Er werden vanaf dit netwerkadres te veel links aangevraagd. Probeer het over 60 "
              "minuten opnieuw.");
    EXPECT_EQ(e.fields, refusals.front().fields);
  }
  EXPECT_EQ(mails_to("els@sint-jozef.be"), 1u) << "only the invitation";
  EXPECT_TRUE(accounts_->request_password_reset("els@sint-jozef.be", "203.0.113.20"));
  EXPECT_EQ(mails_to("els@sint-jozef.be"), 2u) << "another client is not held up";
  advance(hours{1} + seconds{1});
  EXPECT_TRUE(accounts_->resend_activation("nieuw@sint-jozef.be", client)) << "an hour later";
}

// The answer to "wachtwoord vergeten" and "nieuwe activatielink" does the same work whether
// the address has an account or not: it queues the request, nothing else; the mail (or none)
// follows in the background. So the answer cannot tell, not even by how long it takes.
TEST_P(AccountsTest, AskingForALinkWritesTheSameWhetherOrNotTheAddressExists) {
  if (!ready()) return;
  invite_and_activate("els@sint-jozef.be");
  invite("nieuw@sint-jozef.be");
  deliver();
  for (const char* purpose : {"reset", "activation"}) {
    std::vector<std::map<std::string, std::int64_t>> writes;
    for (const char* address : {"els@sint-jozef.be", "nieuw@sint-jozef.be", "niemand@nergens.be"}) {
      auto before = table_sizes();
      auto done = std::string(purpose) == "reset"
                      ? accounts_->request_password_reset(address, "192.0.2.1")
                      : accounts_->resend_activation(address, "192.0.2.1");
      ASSERT_TRUE(done);
      auto after = table_sizes();
      std::map<std::string, std::int64_t> delta;
      for (const auto& [table, n] : after) delta[table] = n - before[table];
      writes.push_back(delta);
    }
    for (const auto& delta : writes) {
      EXPECT_EQ(delta, writes.front()) << purpose;
      EXPECT_EQ(delta.at("link_requests"), 1) << purpose;
      EXPECT_EQ(delta.at("outbox"), 0) << purpose << ": the mail is made in the background";
      EXPECT_EQ(delta.at("tokens"), 0) << purpose;
    }
  }
  EXPECT_EQ(mails_to("els@sint-jozef.be"), 1u + 1u) << "the invitation and the reset link";
  EXPECT_EQ(mails_to("nieuw@sint-jozef.be"), 1u + 1u) << "the invitation and a new link";
  EXPECT_EQ(mails_to("niemand@nergens.be"), 0u);
}

// Two server instances on one database, each with its outbox worker: every reset request
// becomes one mail, sent once, by whichever instance took it, and every link delivered works.
TEST_P(AccountsTest, TwoInstancesTurnEachRequestIntoOneMailWithAWorkingLink) {
  if (!ready()) return;
  if (GetParam() != "postgresql") GTEST_SKIP() << "more than one instance runs on PostgreSQL";
  std::vector<std::string> addresses;
  for (int i = 0; i < 12; ++i) {
    addresses.push_back("lid" + std::to_string(i) + "@sint-jozef.be");
    invite_and_activate(addresses.back());
  }
  SqlStore other_store(url_);
  AccountOptions account_options;
  Accounts other(other_store, mail_, clock_, account_options);
  mail_testing::RecordingMailer mailbox_a, mailbox_b;
  OutboxOptions options_a = outbox_options();
  options_a.batch = 2;
  options_a.poll = std::chrono::milliseconds{10};
  OutboxOptions options_b = options_a;
  options_b.prepare = [&other] { other.handle_link_requests(); };
  OutboxWorker a(*store_, mailbox_a, clock_, options_a);
  OutboxWorker b(other_store, mailbox_b, clock_, options_b);
  a.start();
  b.start();
  for (std::size_t i = 0; i < addresses.size(); ++i)
    ASSERT_TRUE((i % 2 == 0 ? *accounts_ : other).request_password_reset(addresses[i]));
  auto deadline = std::chrono::steady_clock::now() + seconds{30};
  while (mailbox_a.delivered().size() + mailbox_b.delivered().size() < addresses.size() &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  std::this_thread::sleep_for(std::chrono::milliseconds{200});  // nothing more comes
  a.stop();
  b.stop();
  EXPECT_EQ(mailbox_a.delivered().size() + mailbox_b.delivered().size(), addresses.size());
  for (const std::string& address : addresses) {
    ASSERT_EQ(mailbox_a.count_to(address) + mailbox_b.count_to(address), 1u) << address;
    auto mail =
        mailbox_a.count_to(address) ? mailbox_a.newest_to(address) : mailbox_b.newest_to(address);
    EXPECT_TRUE(
        accounts_->confirm_password_reset(token_in(mail->body_text), "nieuw-lang-wachtwoord"))
        << address;
  }
}

std::string param_name(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

INSTANTIATE_TEST_SUITE_P(Sqlite, AccountsTest, ::testing::Values("sqlite"), param_name);
INSTANTIATE_TEST_SUITE_P(Postgresql, AccountsTest, ::testing::Values("postgresql"), param_name);

}  // namespace
}  // namespace stagematch

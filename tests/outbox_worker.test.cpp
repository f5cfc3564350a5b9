// The outbox worker end to end: the real queue (SqlStore on a fresh SQLite file and a fresh
// PostgreSQL schema, STAGEMATCH_TEST_PG) and the real mailers (maildrop; the SMTP capture
// server, STAGEMATCH_TEST_SMTP and STAGEMATCH_TEST_MAILDIR). Without those variables the tests
// that need them fail. Every mail arrives once: SMTP down then up, two workers on one database,
// a worker that died mid-send.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <thread>

#include "clock.hpp"
#include "mail_test_support.hpp"
#include "maildrop_mailer.hpp"
#include "mailer.hpp"
#include "scratch_database.hpp"
#include "site_links.hpp"
#include "smtp_mailer.hpp"
#include "sql_db.hpp"
#include "sql_store.hpp"

namespace stagematch {
namespace {

using storage::Db;
using storage::Tx;
using storage::TxMode;

constexpr std::int64_t kT0 = 1757066400;  // 2025-09-05 12:00 Brussels

Instant at(std::int64_t seconds) { return Instant{std::chrono::seconds{seconds}}; }

TEST(OutboxWorker, MessageIdComesFromTheRow) {
  EXPECT_EQ(message_id_for(123, "stagematching.org"), "<outbox-123@stagematching.org>");
  EXPECT_EQ(message_id_for(7, "bad>\r\nBcc: x"), "<outbox-7@badBccx>");
  EXPECT_EQ(message_id_for(7, ""), "<outbox-7@stagematch.local>");
}

TEST(OutboxWorker, BackOffDoublesUpToTheCap) {
  OutboxOptions o;
  o.first_retry = std::chrono::seconds{60};
  o.max_retry = std::chrono::seconds{600};
  EXPECT_EQ(retry_delay(o, 1).count(), 60);
  EXPECT_EQ(retry_delay(o, 2).count(), 120);
  EXPECT_EQ(retry_delay(o, 3).count(), 240);
  EXPECT_EQ(retry_delay(o, 4).count(), 480);
  EXPECT_EQ(retry_delay(o, 5).count(), 600);
  EXPECT_EQ(retry_delay(o, 500).count(), 600);
}

class OutboxWorkerTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    clock_.freeze(true);
    domain_ = testing::unique_name("ow") + ".test";  // this test's Message-IDs (a domain: no '_')
    std::replace(domain_.begin(), domain_.end(), '_', '-');
    options_.message_id_domain = domain_;
    options_.links = site_links("http://stagematch.test");
    options_.first_retry = std::chrono::seconds{60};
    options_.max_retry = std::chrono::seconds{3600};
    options_.lease = std::chrono::seconds{300};
    url_ = databases_.fresh();
    if (url_.empty()) return;
    store_ = std::make_unique<SqlStore>(url_);
    store_->migrate();
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

  // Queues `n` mails at the clock's now, the way the scheduler does (with an event).
  std::vector<Id> queue(int n, const std::string& to = "") {
    std::vector<OutboxMail> mails;
    for (int i = 0; i < n; ++i) {
      OutboxMail m;
      m.to_address = to.empty() ? "dienst" + std::to_string(i) + "@thuiszorg.example" : to;
      m.subject = "Ronde 2 is gestart (" + std::to_string(i) + ") – Zoë";
      m.body_text = "Goeddag,\n\nRonde 2 is gestart.\n";
      m.body_html = "<p>Ronde 2 is gestart.</p>\n";
      mails.push_back(std::move(m));
    }
    auto claimed = store_->claim_event("event/" + testing::unique_name("ow"), clock_.now(),
                                       clock_.now(), mails);
    EXPECT_TRUE(claimed && *claimed);
    std::vector<Id> ids;
    db().transact(TxMode::kRead, [&](Tx& tx) {
      for (const auto& row : tx.query("SELECT id FROM outbox ORDER BY id DESC LIMIT ?", {n}, 1))
        ids.insert(ids.begin(), row.int64(0));
      return true;
    });
    return ids;
  }

  struct Row {
    std::string state;
    int attempts = 0;
    std::int64_t next_attempt_at = 0;
    std::string last_error;
  };
  Row row(Id id) {
    return db().transact(TxMode::kRead, [&](Tx& tx) {
      auto r = tx.query_one(
          "SELECT state, attempts, next_attempt_at, last_error FROM outbox WHERE id = ?", {id}, 4);
      return Row{r->text(0), static_cast<int>(r->int64(1)), r->int64(2), r->text(3)};
    });
  }

  std::int64_t count(const std::string& state) {
    return db().transact(TxMode::kRead, [&](Tx& tx) {
      return tx.query_one("SELECT COUNT(*) FROM outbox WHERE state = ?", {state}, 1)->int64(0);
    });
  }

  // Received messages of this test per Message-ID.
  std::map<std::string, int> received_ids(const mail_testing::SmtpServer& server) {
    std::map<std::string, int> out;
    for (const auto& m : mail_testing::received_for_domain(server.maildir, domain_))
      ++out[m.header("Message-ID")];
    return out;
  }

  SmtpOptions smtp(const mail_testing::SmtpServer& server) const {
    SmtpOptions o;
    o.host = server.host;
    o.port = server.port;
    o.timeout = std::chrono::seconds{10};
    o.sender = "Stagematch <info@stagematching.org>";
    return o;
  }

  TestClock clock_{at(kT0)};
  OutboxOptions options_;
  std::string domain_;
  testing::ScratchDatabases databases_{GetParam(), "ow"};  // outlives the stores below
  std::string url_;
  std::unique_ptr<SqlStore> store_;
  std::unique_ptr<Db> db_;
};

TEST_P(OutboxWorkerTest, SendsWhatIsDueIntoTheMaildrop) {
  if (!ready()) return;
  auto ids = queue(3);
  const auto drop = databases_.folder() / "mail";
  MaildropMailer mailer(drop, "Stagematch <info@stagematching.org>");
  OutboxWorker worker(*store_, mailer, clock_, options_);
  EXPECT_EQ(worker.run_once(), 3);
  EXPECT_EQ(worker.run_once(), 0);
  for (Id id : ids) {
    EXPECT_EQ(row(id).state, "sent");
    EXPECT_EQ(row(id).attempts, 1);
  }
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(drop)) {
    ++files;
    auto m = mail_testing::parse_mail(e.path());
    EXPECT_TRUE(m.header("Message-ID").ends_with("@" + domain_ + ">")) << m.header("Message-ID");
  }
  EXPECT_EQ(files, 3);
}

TEST_P(OutboxWorkerTest, SmtpDownThenUpEveryMailArrivesOnce) {
  if (!ready()) return;
  auto server = mail_testing::capture_server();
  if (!server) return;
  auto ids = queue(4);

  SmtpOptions down = smtp(*server);
  down.port = mail_testing::closed_port();
  SmtpMailer down_mailer(down);
  OutboxWorker first(*store_, down_mailer, clock_, options_);
  EXPECT_EQ(first.run_once(), 4);
  for (Id id : ids) {
    Row r = row(id);
    EXPECT_EQ(r.state, "pending");
    EXPECT_EQ(r.attempts, 1);
    EXPECT_EQ(r.next_attempt_at, kT0 + 60);
    EXPECT_NE(r.last_error.find("niet bereikbaar"), std::string::npos) << r.last_error;
  }
  EXPECT_EQ(first.run_once(), 0) << "nothing is due before the back-off ran out";

  // Still down at the second attempt: the back-off doubles.
  ASSERT_TRUE(clock_.set(at(kT0 + 60)));
  EXPECT_EQ(first.run_once(), 4);
  EXPECT_EQ(row(ids[0]).next_attempt_at, kT0 + 60 + 120);

  // The server is back (here: the worker that reaches it); past the back-off, all go out once.
  SmtpMailer up_mailer(smtp(*server));
  OutboxWorker second(*store_, up_mailer, clock_, options_);
  EXPECT_EQ(second.run_once(), 0);
  ASSERT_TRUE(clock_.set(at(kT0 + 180)));
  EXPECT_EQ(second.run_once(), 4);
  EXPECT_EQ(second.run_once(), 0);
  EXPECT_EQ(first.run_once(), 0);
  for (Id id : ids) EXPECT_EQ(row(id).state, "sent");
  auto received = received_ids(*server);
  ASSERT_EQ(received.size(), 4u);
  for (Id id : ids) EXPECT_EQ(received[message_id_for(id, domain_)], 1) << id;
}

TEST_P(OutboxWorkerTest, ARefusedRecipientGoesDeadAndCanBeResent) {
  if (!ready()) return;
  auto server = mail_testing::capture_server();
  if (!server) return;
  auto ids = queue(1, "dienst@thuiszorg@example.be");
  SmtpMailer mailer(smtp(*server));
  OutboxWorker worker(*store_, mailer, clock_, options_);
  EXPECT_EQ(worker.run_once(), 1);
  Row r = row(ids[0]);
  EXPECT_EQ(r.state, "dead");
  EXPECT_TRUE(r.last_error.starts_with("SMTP 5")) << r.last_error;
  EXPECT_TRUE(received_ids(*server).empty());

  ASSERT_TRUE(store_->resend(ids[0], clock_.now()));
  EXPECT_EQ(row(ids[0]).state, "pending");
  EXPECT_EQ(worker.run_once(), 1);
  EXPECT_EQ(row(ids[0]).state, "dead");
}

TEST_P(OutboxWorkerTest, TooManyTemporaryFailuresGoDead) {
  if (!ready()) return;
  auto ids = queue(1);
  options_.max_attempts = 2;
  SmtpOptions down;
  down.port = mail_testing::closed_port();
  down.timeout = std::chrono::seconds{5};
  SmtpMailer mailer(down);
  OutboxWorker worker(*store_, mailer, clock_, options_);
  EXPECT_EQ(worker.run_once(), 1);
  EXPECT_EQ(row(ids[0]).state, "pending");
  ASSERT_TRUE(clock_.set(at(kT0 + 60)));
  EXPECT_EQ(worker.run_once(), 1);
  Row r = row(ids[0]);
  EXPECT_EQ(r.state, "dead");
  EXPECT_EQ(r.attempts, 2);
  EXPECT_TRUE(r.last_error.starts_with("na 2 pogingen")) << r.last_error;
}

TEST_P(OutboxWorkerTest, AWorkerThatDiedMidSendIsTakenOverWithTheSameMessageId) {
  if (!ready()) return;
  auto server = mail_testing::capture_server();
  if (!server) return;
  auto ids = queue(2);
  SmtpMailer mailer(smtp(*server));

  // A worker claims both, hands the first to the SMTP server and dies before recording it.
  auto claimed = store_->claim_mails(options_.batch, clock_.now(), options_.lease);
  ASSERT_EQ(claimed.size(), 2u);
  ASSERT_EQ(mailer.send(claimed[0], message_id_for(claimed[0].id, domain_)).kind,
            SendOutcome::Kind::kSent);

  // Another worker (after a restart) leaves them alone while the lease holds...
  OutboxWorker worker(*store_, mailer, clock_, options_);
  ASSERT_TRUE(clock_.set(at(kT0 + 299)));
  EXPECT_EQ(worker.run_once(), 0);
  // ...and sends both once it ran out. Nothing is lost; the mail that may have gone out already
  // goes again with the same Message-ID, so the receiving side can tell it is the same mail.
  ASSERT_TRUE(clock_.set(at(kT0 + 300)));
  EXPECT_EQ(worker.run_once(), 2);
  for (Id id : ids) EXPECT_EQ(row(id).state, "sent");
  auto received = mail_testing::received_for_domain(server->maildir, domain_);
  ASSERT_EQ(received.size(), 3u);
  EXPECT_EQ(received[0].header("Message-ID"), message_id_for(ids[0], domain_));
  auto per_id = received_ids(*server);
  EXPECT_EQ(per_id[message_id_for(ids[0], domain_)], 2);
  EXPECT_EQ(per_id[message_id_for(ids[1], domain_)], 1);
}

TEST_P(OutboxWorkerTest, TwoWorkersOnOneDatabaseSendEveryMailOnce) {
  if (!ready()) return;
  auto server = mail_testing::capture_server();
  if (!server) return;
  const int kMails = 40;
  auto ids = queue(kMails);
  // Two server instances: each its own store (its own connections), mailer and worker thread.
  SqlStore other_store(url_);
  SmtpMailer mailer_a(smtp(*server));
  SmtpMailer mailer_b(smtp(*server));
  options_.batch = 3;
  options_.poll = std::chrono::milliseconds{20};
  OutboxWorker a(*store_, mailer_a, clock_, options_);
  OutboxWorker b(other_store, mailer_b, clock_, options_);
  a.start();
  b.start();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{60};
  while (count("sent") < kMails && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  a.stop();
  b.stop();
  EXPECT_EQ(count("sent"), kMails);
  auto received = received_ids(*server);
  EXPECT_EQ(received.size(), static_cast<std::size_t>(kMails));
  for (Id id : ids) EXPECT_EQ(received[message_id_for(id, domain_)], 1) << id;
}

TEST_P(OutboxWorkerTest, NotifyWakesTheWorkerAndStopReturns) {
  if (!ready()) return;
  MaildropMailer mailer(databases_.folder() / "mail", "Stagematch <info@stagematching.org>");
  options_.poll = std::chrono::hours{1};
  OutboxWorker worker(*store_, mailer, clock_, options_);
  worker.start();
  std::this_thread::sleep_for(std::chrono::milliseconds{50});  // its first look found nothing
  auto ids = queue(2);
  worker.notify();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
  while (count("sent") < 2 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  EXPECT_EQ(count("sent"), 2);
  auto before = std::chrono::steady_clock::now();
  worker.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds{5});
}

INSTANTIATE_TEST_SUITE_P(Databases, OutboxWorkerTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace stagematch

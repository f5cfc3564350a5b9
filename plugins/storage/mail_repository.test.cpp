// The outbox and the timed events (MailQueue) on both databases: a fresh SQLite file and a fresh
// PostgreSQL schema per test (STAGEMATCH_TEST_PG, set by script/test; without it the PostgreSQL
// half fails). Claims, outcomes, leases, resends, events claimed once, and two instances
// claiming at the same time.
#include "mail_repository.hpp"

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
#include <set>
#include <thread>

#include "scratch_database.hpp"
#include "sql_db.hpp"
#include "sql_store.hpp"

namespace stagematch {
namespace {

using storage::Db;
using storage::Tx;
using storage::TxMode;

constexpr std::int64_t kT0 = 1757066400;  // 2025-09-05 12:00 Brussels
constexpr std::chrono::seconds kLease{300};

Instant at(std::int64_t seconds) { return Instant{std::chrono::seconds{seconds}}; }

OutboxMail mail_to(const std::string& to, const std::string& subject = "Onderwerp") {
  OutboxMail m;
  m.to_address = to;
  m.subject = subject;
  m.body_text = "Tekst";
  m.body_html = "<p>Tekst</p>";
  return m;
}

std::vector<Id> ids_of(const std::vector<OutboxMail>& mails) {
  std::vector<Id> out;
  for (const auto& m : mails) out.push_back(m.id);
  return out;
}

class MailQueueTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
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

  std::int64_t scalar(const std::string& sql, const storage::Params& params = {}) {
    return db().transact(TxMode::kRead,
                         [&](Tx& tx) { return tx.query_one(sql, params, 1)->int64(0); });
  }

  // Queues mails the way the product does: in the transaction that claims an event.
  void queue(const std::vector<OutboxMail>& mails, std::int64_t when = kT0) {
    auto claimed =
        store_->claim_event("test/" + testing::unique_name("mq"), at(when), at(when), mails);
    ASSERT_TRUE(claimed) << claimed.error().message;
    ASSERT_TRUE(*claimed);
  }

  std::string state_of(Id id) {
    return db().transact(TxMode::kRead, [&](Tx& tx) {
      return tx.query_one("SELECT state FROM outbox WHERE id = ?", {id}, 1)->text(0);
    });
  }

  testing::ScratchDatabases databases_{GetParam(), "mq"};  // outlives the stores below
  std::string url_;
  std::unique_ptr<SqlStore> store_;
  std::unique_ptr<Db> db_;
};

TEST_P(MailQueueTest, ClaimSendRetryDeadResend) {
  if (!ready()) return;
  queue({mail_to("a@example.be"), mail_to("b@example.be"), mail_to("c@example.be")});

  // Nothing is due before the moment it was queued.
  EXPECT_TRUE(store_->claim_mails(10, at(kT0 - 1), kLease).empty());

  auto first = store_->claim_mails(2, at(kT0), kLease);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_LT(first[0].id, first[1].id);
  EXPECT_EQ(first[0].to_address, "a@example.be");
  EXPECT_EQ(first[0].state, "sending");
  EXPECT_EQ(first[0].attempts, 0);
  EXPECT_EQ(first[0].subject, "Onderwerp");
  EXPECT_EQ(first[0].body_html, "<p>Tekst</p>");
  EXPECT_EQ(first[0].created_at, at(kT0));
  auto second = store_->claim_mails(10, at(kT0), kLease);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].to_address, "c@example.be");
  EXPECT_TRUE(store_->claim_mails(10, at(kT0), kLease).empty()) << "claimed rows are leased";

  Id sent = first[0].id, retried = first[1].id, dead = second[0].id;
  store_->mark_sent(sent, at(kT0 + 5));
  store_->mark_retry(retried, at(kT0 + 60), "SMTP 421: probeer later");
  store_->mark_dead(dead, "SMTP 550: onbekende ontvanger");
  EXPECT_EQ(state_of(sent), "sent");
  EXPECT_EQ(state_of(retried), "pending");
  EXPECT_EQ(state_of(dead), "dead");
  EXPECT_EQ(scalar("SELECT sent_at FROM outbox WHERE id = ?", {sent}), kT0 + 5);
  EXPECT_EQ(scalar("SELECT attempts FROM outbox WHERE id = ?", {dead}), 1);

  // The retry is due at its next attempt, not before; it carries the attempt and the error.
  EXPECT_TRUE(store_->claim_mails(10, at(kT0 + 59), kLease).empty());
  auto again = store_->claim_mails(10, at(kT0 + 60), kLease);
  ASSERT_EQ(ids_of(again), std::vector<Id>{retried});
  EXPECT_EQ(again[0].attempts, 1);
  EXPECT_EQ(again[0].last_error, "SMTP 421: probeer later");
  EXPECT_EQ(again[0].next_attempt_at, at(kT0 + 60));
  store_->mark_sent(retried, at(kT0 + 61));
  EXPECT_EQ(scalar("SELECT attempts FROM outbox WHERE id = ?", {retried}), 2);

  // Only a dead mail can be resent; it is due at once with a fresh count of attempts.
  auto not_dead = store_->resend(sent, at(kT0 + 100));
  ASSERT_FALSE(not_dead);
  EXPECT_EQ(not_dead.error().code, "not_found");
  EXPECT_FALSE(store_->resend(987654, at(kT0 + 100)));
  ASSERT_TRUE(store_->resend(dead, at(kT0 + 100)));
  EXPECT_EQ(state_of(dead), "pending");
  auto resent = store_->claim_mails(10, at(kT0 + 100), kLease);
  ASSERT_EQ(ids_of(resent), std::vector<Id>{dead});
  EXPECT_EQ(resent[0].attempts, 0);
  EXPECT_FALSE(store_->resend(dead, at(kT0 + 100))) << "sending, not dead";

  // The admin's list shows the states.
  auto listed = store_->outbox(10);
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_EQ(listed[0].state, "sending");
  EXPECT_EQ(listed[1].state, "sent");
  EXPECT_EQ(listed[2].state, "sent");
}

TEST_P(MailQueueTest, ALeaseThatRanOutIsClaimedAgain) {
  if (!ready()) return;
  queue({mail_to("a@example.be")});
  auto claimed = store_->claim_mails(10, at(kT0), kLease);
  ASSERT_EQ(claimed.size(), 1u);
  // The worker died mid-send: nothing was recorded. Within the lease nobody takes it...
  EXPECT_TRUE(store_->claim_mails(10, at(kT0 + 299), kLease).empty());
  // ...afterwards it is claimed again, the interrupted attempt counted.
  auto reclaimed = store_->claim_mails(10, at(kT0 + 300), kLease);
  ASSERT_EQ(ids_of(reclaimed), ids_of(claimed));
  EXPECT_EQ(reclaimed[0].attempts, 1);
  EXPECT_NE(reclaimed[0].last_error.find("onderbroken"), std::string::npos)
      << reclaimed[0].last_error;
  EXPECT_EQ(scalar("SELECT leased_until FROM outbox WHERE id = ?", {claimed[0].id}), kT0 + 600);
  // The late first worker's outcome still lands (the row is `sending`), once.
  store_->mark_sent(claimed[0].id, at(kT0 + 301));
  EXPECT_EQ(state_of(claimed[0].id), "sent");
  EXPECT_TRUE(store_->claim_mails(10, at(kT0 + 10000), kLease).empty());
}

TEST_P(MailQueueTest, AnEventIsClaimedOnceAndItsMailsQueuedOnce) {
  if (!ready()) return;
  const std::string key = "secundair/2025-2026/ronde2/round_opens";
  std::vector<OutboxMail> mails = {mail_to("a@example.be"), mail_to("b@example.be")};
  mails[0].dedupe_key = key + "/1/a@example.be";
  mails[1].dedupe_key = key + "/2/b@example.be";

  auto first = store_->claim_event(key, at(kT0), at(kT0 + 3), mails);
  ASSERT_TRUE(first);
  EXPECT_TRUE(*first);
  auto second = store_->claim_event(key, at(kT0), at(kT0 + 9), mails);
  ASSERT_TRUE(second);
  EXPECT_FALSE(*second);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM outbox"), 2);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM timed_events"), 1);
  EXPECT_EQ(scalar("SELECT due_at FROM timed_events WHERE key = ?", {key}), kT0);
  EXPECT_EQ(scalar("SELECT claimed_at FROM timed_events WHERE key = ?", {key}), kT0 + 3);
  // The mails are due when the event was claimed.
  EXPECT_EQ(store_->claim_mails(10, at(kT0 + 3), kLease).size(), 2u);

  // A mail whose dedupe key is already queued (another event, same mail) is not queued again.
  auto other = store_->claim_event(key + "/again", at(kT0), at(kT0 + 10), {mails[0]});
  ASSERT_TRUE(other);
  EXPECT_TRUE(*other);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM outbox"), 2);
}

TEST_P(MailQueueTest, EventClaimedByTwoInstancesAtOnceQueuesOnce) {
  if (!ready()) return;
  SqlStore other(url_);
  const int kEvents = 20;
  std::atomic<int> wins{0};
  std::latch go(2);
  auto claim_all = [&](SqlStore& store, const std::string& who) {
    go.arrive_and_wait();
    for (int i = 0; i < kEvents; ++i) {
      auto won = store.claim_event("event/" + std::to_string(i), at(kT0), at(kT0),
                                   {mail_to("dienst" + std::to_string(i) + "@example.be", who)});
      ASSERT_TRUE(won) << won.error().message;
      if (*won) ++wins;
    }
  };
  std::thread a(claim_all, std::ref(*store_), "a");
  std::thread b(claim_all, std::ref(other), "b");
  a.join();
  b.join();
  EXPECT_EQ(wins.load(), kEvents);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM outbox"), kEvents);
}

TEST_P(MailQueueTest, TwoInstancesClaimDisjointRows) {
  if (!ready()) return;
  const int kMails = 60;
  std::vector<OutboxMail> mails;
  for (int i = 0; i < kMails; ++i) mails.push_back(mail_to("m" + std::to_string(i) + "@x.be"));
  queue(mails);
  SqlStore other(url_);
  std::mutex mutex;
  std::vector<Id> seen;
  std::latch go(2);
  auto drain = [&](SqlStore& store) {
    go.arrive_and_wait();
    try {
      for (;;) {
        auto batch = store.claim_mails(3, at(kT0), kLease);
        if (batch.empty()) return;
        std::lock_guard lock(mutex);
        for (const auto& m : batch) seen.push_back(m.id);
      }
    } catch (const std::exception& e) {  // not out of the thread: that would end the process
      ADD_FAILURE() << "claim_mails: " << e.what();
    }
  };
  std::thread a(drain, std::ref(*store_));
  std::thread b(drain, std::ref(other));
  a.join();
  b.join();
  std::set<Id> unique(seen.begin(), seen.end());
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kMails)) << "a row was claimed twice";
  EXPECT_EQ(unique.size(), static_cast<std::size_t>(kMails));
}

TEST_P(MailQueueTest, OrgAddressesAreTheActivatedUsers) {
  if (!ready()) return;
  auto org = store_->create_organisation(Organisation{0, "service", "Thuiszorg A", {"ANT"}, {}});
  auto org2 = store_->create_organisation(Organisation{0, "service", "Thuiszorg B", {"ANT"}, {}});
  ASSERT_TRUE(org && org2);
  db().transact(TxMode::kWrite, [&](Tx& tx) {
    auto user = [&](const std::string& email, Id org_id, storage::SqlValue activated,
                    storage::SqlValue disabled) {
      tx.exec(
          "INSERT INTO users (email, role, org_id, activated_at, disabled_at, created_at)"
          " VALUES (?, 'service', ?, ?, ?, ?)",
          {email, org_id, activated, disabled, at(kT0)});
    };
    user("zoe@a.be", *org, at(kT0), nullptr);
    user("an@a.be", *org, at(kT0), nullptr);
    user("nog.niet@a.be", *org, nullptr, nullptr);
    user("weg@a.be", *org, at(kT0), at(kT0 + 1));
    user("b@b.be", *org2, at(kT0), nullptr);
    return true;
  });
  EXPECT_EQ(store_->org_addresses(*org), (std::vector<std::string>{"an@a.be", "zoe@a.be"}));
  EXPECT_EQ(store_->org_addresses(*org2), std::vector<std::string>{"b@b.be"});
  EXPECT_TRUE(store_->org_addresses(123456).empty());
}

INSTANTIATE_TEST_SUITE_P(Databases, MailQueueTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace stagematch

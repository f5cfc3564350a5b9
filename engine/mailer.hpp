// Sending what the outbox holds: a mail is written to the outbox in the same transaction as the
// change that causes it; an OutboxWorker claims due rows, hands them to a Mailer, and records
// the outcome: sent, retried later with growing back-off, or dead (an admin can resend it).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "clock.hpp"
#include "links.hpp"
#include "store.hpp"

namespace stagematch {

// What a stored mail holds where its one-time link (activation, password reset) goes: the link
// itself is made only when the mail is sent, and never stored. Plain characters, so the HTML
// part keeps it unescaped.
inline constexpr std::string_view kLinkMarker = "[[link-bij-verzending]]";
// `text` with every kLinkMarker replaced by `link` (the link itself, or what a page shows).
std::string with_link(std::string text, const std::string& link);

// What the outbox needs from the database (the SQL store implements it).
class MailQueue {
 public:
  virtual ~MailQueue() = default;
  // Claims up to `limit` pending mails whose next attempt is due at `now` (state -> sending,
  // leased until now + lease). On PostgreSQL with FOR UPDATE SKIP LOCKED, so several server
  // instances never claim the same row; a lease that ran out (a crash mid-send) is claimable.
  virtual std::vector<OutboxMail> claim_mails(int limit, Instant now,
                                              std::chrono::seconds lease) = 0;
  virtual void mark_sent(Id id, Instant at) = 0;
  virtual void mark_retry(Id id, Instant next_attempt, const std::string& error) = 0;
  virtual void mark_dead(Id id, const std::string& error) = 0;
  // A mail that carries a one-time link: stores `hash` as the hash of that mail's token, only
  // while the token is unused and unexpired, so an earlier link of this mail stops working.
  // Returns the token's purpose (activation | reset); `gone` when it was used, expired or
  // replaced by a newer one, `not_found` when no token belongs to the mail.
  virtual StoreResult<std::string> renew_mail_token(Id outbox_id, const std::string& hash,
                                                    Instant now) = 0;
  // A dead mail back to pending, due now; `not_found` when there is no such dead mail.
  virtual StoreResult<void> resend(Id id, Instant now) = 0;
  // Claims a timed event (round opens, reminder, ...) once and queues its mails in the same
  // transaction. False when it was claimed before (by this or another server instance).
  virtual StoreResult<bool> claim_event(const std::string& key, Instant at, Instant claimed_at,
                                        const std::vector<OutboxMail>& mails) = 0;
  // Addresses of the activated users of an organisation (the people its mails go to).
  virtual std::vector<std::string> org_addresses(Id org_id) = 0;
};

// Renders a mail from mail-templates/ (the mail component implements it).
class MailComposer {
 public:
  virtual ~MailComposer() = default;
  virtual OutboxMail compose(const std::string& template_name, const Value& data,
                             const std::string& to) const = 0;
  // Where the links the mails carry point (a school's requests, a service's list, ...).
  virtual const Links& links() const = 0;
};

struct SendOutcome {
  enum class Kind { kSent, kTemporary, kPermanent };
  Kind kind = Kind::kSent;
  std::string detail;  // the server's answer or the connection error, for the log and the admin
};

class Mailer {
 public:
  virtual ~Mailer() = default;
  // Sends one mail. `message_id` is derived from the outbox row, so a resend after a crash
  // carries the same Message-ID.
  virtual SendOutcome send(const OutboxMail& mail, const std::string& message_id) = 0;
};

struct OutboxOptions {
  int batch = 20;
  int max_attempts = 8;
  std::chrono::seconds first_retry{60};  // doubles per attempt
  std::chrono::seconds max_retry{std::chrono::hours{6}};
  std::chrono::seconds lease{std::chrono::minutes{5}};
  std::chrono::milliseconds poll{std::chrono::seconds{2}};
  std::string message_id_domain = "stagematch.local";
  // Where one-time links point (activation, password reset); required.
  std::shared_ptr<const Links> links;
  // Runs before each round of claiming: turns queued requests for links into mails.
  std::function<void()> prepare;
};

class OutboxWorker {
 public:
  OutboxWorker(MailQueue& queue, Mailer& mailer, const Clock& clock, OutboxOptions options);
  ~OutboxWorker();
  // Sends what is due now; returns how many mails were handed to the mailer.
  int run_once();
  void start();  // a background thread that polls (and wakes on notify())
  void notify();
  void stop();  // finishes the mail in hand, then returns

 private:
  MailQueue& queue_;
  Mailer& mailer_;
  const Clock& clock_;
  OutboxOptions options_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool woken_ = false;
};

std::string message_id_for(Id outbox_id, const std::string& domain);

// How long after failed attempt number `attempts` (1, 2, ...) the next one is due:
// first_retry * 2^(attempts-1), at most max_retry.
std::chrono::seconds retry_delay(const OutboxOptions& options, int attempts);

}  // namespace stagematch

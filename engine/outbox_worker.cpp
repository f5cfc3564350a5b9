// The outbox worker (declared in mailer.hpp): claims due mails, hands them to the Mailer one by
// one and records what happened. A mail is claimed with a lease, so a crash mid-send leaves it
// to be claimed again once the lease ran out; the Message-ID comes from the outbox row, so the
// second attempt carries the same one. A mail with a one-time link gets a fresh token at every
// attempt: only its hash is stored, and the link exists only in the message handed on.
#include <algorithm>
#include <exception>
#include <iostream>
#include <kainjow/mustache.hpp>
#include <stdexcept>

#include "accounts.hpp"  // random_token, token_hash, one_time_link
#include "mailer.hpp"

namespace stagematch {

namespace {

constexpr std::string_view kStopped =
    "niet verstuurd: de server stopte; volgt bij de volgende start";

std::string kind_name(SendOutcome::Kind kind) {
  switch (kind) {
    case SendOutcome::Kind::kSent:
      return "verstuurd";
    case SendOutcome::Kind::kTemporary:
      return "tijdelijke fout";
    case SendOutcome::Kind::kPermanent:
      return "permanente fout";
  }
  return "?";
}

constexpr std::string_view kLinkGone =
    "niet verstuurd: de link in deze mail werd intussen gebruikt, is verlopen of werd vervangen "
    "door een nieuwere";

// The mail as it goes out: a fresh link where the stored text holds kLinkMarker (only the new
// token's hash is stored, for the token row of this mail; the earlier link of this mail dies).
// None when the token was used, expired or replaced, or the database failed: `refused` says.
std::optional<OutboxMail> with_fresh_link(MailQueue& queue, const OutboxMail& mail,
                                          const Links& links, Instant now, StoreError& refused) {
  if (mail.body_text.find(kLinkMarker) == std::string::npos &&
      mail.body_html.find(kLinkMarker) == std::string::npos)
    return mail;
  std::string token = random_token();
  auto purpose = queue.renew_mail_token(mail.id, token_hash(token), now);
  if (!purpose) {
    refused = purpose.error();
    return std::nullopt;
  }
  OutboxMail out = mail;
  std::string link = one_time_link(links, *purpose, token);
  out.body_text = with_link(std::move(out.body_text), link);
  out.body_html = with_link(std::move(out.body_html), kainjow::mustache::html_escape(link));
  return out;
}

}  // namespace

std::string with_link(std::string text, const std::string& link) {
  for (auto at = text.find(kLinkMarker); at != std::string::npos;
       at = text.find(kLinkMarker, at + link.size()))
    text.replace(at, kLinkMarker.size(), link);
  return text;
}

std::chrono::seconds retry_delay(const OutboxOptions& options, int attempts) {
  std::chrono::seconds delay = std::max(options.first_retry, std::chrono::seconds{1});
  for (int i = 1; i < attempts && delay < options.max_retry; ++i) delay *= 2;
  return std::min(delay, options.max_retry);
}

std::string message_id_for(Id outbox_id, const std::string& domain) {
  std::string clean;
  for (char c : domain) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-';
    if (ok) clean += c;
  }
  if (clean.empty()) clean = "stagematch.local";
  return "<outbox-" + std::to_string(outbox_id) + "@" + clean + ">";
}

OutboxWorker::OutboxWorker(MailQueue& queue, Mailer& mailer, const Clock& clock,
                           OutboxOptions options)
    : queue_(queue), mailer_(mailer), clock_(clock), options_(std::move(options)) {
  if (!options_.links) throw std::invalid_argument("OutboxWorker: OutboxOptions::links ontbreekt");
}

OutboxWorker::~OutboxWorker() { stop(); }

int OutboxWorker::run_once() {
  std::vector<OutboxMail> mails;
  try {
    if (options_.prepare) options_.prepare();
  } catch (const std::exception& e) {
    std::clog << "outbox: aangevraagde links verwerken mislukt: " << e.what() << '\n';
  }
  try {
    mails = queue_.claim_mails(std::max(options_.batch, 1), clock_.now(), options_.lease);
  } catch (const std::exception& e) {
    std::clog << "outbox: mails ophalen mislukt: " << e.what() << '\n';
    return 0;
  }
  int handed = 0;
  for (std::size_t i = 0; i < mails.size(); ++i) {
    const OutboxMail& mail = mails[i];
    bool stopping = false;
    {
      std::lock_guard lock(mutex_);
      stopping = stopping_;
    }
    try {
      if (stopping) {
        // Not tried: back in the queue, due at once, for the next start (or another instance).
        queue_.mark_retry(mail.id, clock_.now(), std::string(kStopped));
        continue;
      }
      SendOutcome outcome;
      StoreError refused;
      std::optional<OutboxMail> message =
          with_fresh_link(queue_, mail, *options_.links, clock_.now(), refused);
      if (!message && refused.code == "unavailable") {
        outcome = SendOutcome{SendOutcome::Kind::kTemporary, "de databank was niet bereikbaar"};
      } else if (!message) {
        outcome = SendOutcome{SendOutcome::Kind::kPermanent, std::string(kLinkGone)};
      } else {
        try {
          outcome = mailer_.send(*message, message_id_for(mail.id, options_.message_id_domain));
        } catch (const std::exception& e) {
          outcome = SendOutcome{SendOutcome::Kind::kTemporary, e.what()};
        }
      }
      ++handed;
      int attempts = mail.attempts + 1;
      if (outcome.kind == SendOutcome::Kind::kSent) {
        queue_.mark_sent(mail.id, clock_.now());
      } else if (outcome.kind == SendOutcome::Kind::kPermanent) {
        std::clog << "outbox: mail " << mail.id << " onbestelbaar (" << kind_name(outcome.kind)
                  << "): " << outcome.detail << '\n';
        queue_.mark_dead(mail.id, outcome.detail);
      } else if (attempts >= options_.max_attempts) {
        std::clog << "outbox: mail " << mail.id << " onbestelbaar na " << attempts
                  << " pogingen: " << outcome.detail << '\n';
        queue_.mark_dead(mail.id,
                         "na " + std::to_string(attempts) + " pogingen: " + outcome.detail);
      } else {
        Instant next = clock_.now() + retry_delay(options_, attempts);
        std::clog << "outbox: mail " << mail.id << " poging " << attempts << " mislukt ("
                  << kind_name(outcome.kind) << "): " << outcome.detail << "; nieuwe poging om "
                  << format_local_nl(next) << '\n';
        queue_.mark_retry(mail.id, next, outcome.detail);
      }
    } catch (const std::exception& e) {
      // The database failed after the attempt: the lease runs out and the mail is claimed again,
      // with the same Message-ID.
      std::clog << "outbox: mail " << mail.id << ": uitkomst niet opgeslagen: " << e.what() << '\n';
    }
  }
  return handed;
}

void OutboxWorker::start() {
  std::lock_guard guard(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] {
    for (;;) {
      int handed = 0;
      try {
        handed = run_once();
      } catch (const std::exception& e) {  // never out of the thread: that ends the server
        std::clog << "outbox: " << e.what() << '\n';
      }
      std::unique_lock lock(mutex_);
      if (stopping_) return;
      if (handed >= options_.batch && !woken_) continue;  // a full batch: more may be due
      wake_.wait_for(lock, options_.poll, [this] { return stopping_ || woken_; });
      if (stopping_) return;
      woken_ = false;
    }
  });
}

void OutboxWorker::notify() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_.notify_all();
}

void OutboxWorker::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

}  // namespace stagematch

// Mail through an SMTP server (Poco's SMTPClientSession), one connection per mail. With
// `starttls` the session says EHLO, asks STARTTLS and continues only encrypted: a server that
// refuses gets nothing in plain text (a temporary failure, so the mail waits until it is
// fixed). What the server answers decides what the outbox does next: see smtp_outcome().
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "mailer.hpp"

namespace stagematch {

struct SmtpOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 25;
  bool starttls = false;
  std::chrono::seconds timeout{30};  // to connect, and per command
  std::string sender = "Stagematch <info@stagematching.org>";
};

class SmtpMailer : public Mailer {
 public:
  explicit SmtpMailer(SmtpOptions options);

  // Connection failures, timeouts and 4xx replies are kTemporary; a 5xx reply to MAIL FROM,
  // RCPT TO or the message itself is kPermanent. A failure before the mail was offered (the
  // greeting, EHLO, STARTTLS) says nothing about this mail and is kTemporary, whatever its code.
  SendOutcome send(const OutboxMail& mail, const std::string& message_id) override;

  const SmtpOptions& options() const { return options_; }

 private:
  SendOutcome send_plain(const OutboxMail& mail, const std::string& message_id);
  SendOutcome send_starttls(const OutboxMail& mail, const std::string& message_id);

  SmtpOptions options_;
};

// An SMTP reply to a mail as the outbox sees it: 2xx kSent, 4xx kTemporary, 5xx kPermanent,
// anything else kTemporary. The detail reads "SMTP 550: <server text>" on one line.
SendOutcome smtp_outcome(int code, std::string_view server_text);

inline constexpr std::string_view kStartTlsRefused =
    "STARTTLS geweigerd; niet in platte tekst verstuurd";

}  // namespace stagematch

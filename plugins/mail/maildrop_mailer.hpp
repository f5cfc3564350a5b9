// Mail without a mail server: each mail becomes one RFC 5322 file in a directory (var/mail by
// default), the same message an SMTP server would get. Files appear whole (written under a
// dot name, then linked into place) and a mail is written once: a second attempt for the same
// outbox row finds its file and changes nothing.
#pragma once

#include <filesystem>
#include <string>

#include "mailer.hpp"

namespace stagematch {

class MaildropMailer : public Mailer {
 public:
  MaildropMailer(std::filesystem::path dir, std::string sender);

  SendOutcome send(const OutboxMail& mail, const std::string& message_id) override;

  // DIR/000123-1757066400.eml: the outbox id, then the row's creation time (epoch seconds), so
  // a new database whose ids start again at 1 never collides with files of an older one.
  std::filesystem::path path_for(const OutboxMail& mail) const;

 private:
  std::filesystem::path dir_;
  std::string sender_;
};

}  // namespace stagematch

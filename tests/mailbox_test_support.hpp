// For tests: a Mailer that keeps every message it is handed, as the recipient reads it (links
// made at sending included), and the token of a link in such a message. Tests read links from
// what was delivered, never from the outbox, which does not keep them. Header-only; tests only.
#pragma once

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "mailer.hpp"

namespace stagematch::mail_testing {

class RecordingMailer final : public Mailer {
 public:
  SendOutcome send(const OutboxMail& mail, const std::string& /*message_id*/) override {
    std::lock_guard lock(mutex_);
    delivered_.push_back(mail);
    return SendOutcome{};
  }

  std::vector<OutboxMail> delivered() const {
    std::lock_guard lock(mutex_);
    return delivered_;
  }

  // The newest message delivered to `to`.
  std::optional<OutboxMail> newest_to(const std::string& to) const {
    std::lock_guard lock(mutex_);
    for (auto it = delivered_.rbegin(); it != delivered_.rend(); ++it)
      if (it->to_address == to) return *it;
    return std::nullopt;
  }

  std::size_t count_to(const std::string& to) const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const OutboxMail& m : delivered_) n += m.to_address == to;
    return n;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<OutboxMail> delivered_;
};

// The token in a link: what follows "token=", up to the first character that is not base64url.
inline std::string token_in(const std::string& text) {
  auto at = text.find("token=");
  if (at == std::string::npos) return "";
  std::string token;
  for (std::size_t i = at + 6; i < text.size(); ++i) {
    char c = text[i];
    bool b64 = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_';
    if (!b64) break;
    token += c;
  }
  return token;
}

}  // namespace stagematch::mail_testing

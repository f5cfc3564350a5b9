#include "mail_message.hpp"

#include <Poco/Net/MailRecipient.h>
#include <Poco/Net/StringPartSource.h>

#include "mail_templates.hpp"  // one_line

namespace stagematch::mail {

namespace {

bool is_ascii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) > 127) return false;
  return true;
}

}  // namespace

std::string crlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32);
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\r') {
      out += "\r\n";
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else if (c == '\n') {
      out += "\r\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string encode_mailbox(std::string_view mailbox) {
  std::string box = one_line(mailbox);
  auto open = box.rfind('<');
  if (open == std::string::npos || open == 0 || is_ascii(box)) return box;
  std::string name = box.substr(0, open);
  while (!name.empty() && name.back() == ' ') name.pop_back();
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"')
    name = name.substr(1, name.size() - 2);
  return Poco::Net::MailMessage::encodeWord(name, "UTF-8") + " " + box.substr(open);
}

void build_message(Poco::Net::MailMessage& message, const OutboxMail& mail,
                   const std::string& message_id, const std::string& sender) {
  using Poco::Net::MailMessage;
  message.setSender(encode_mailbox(sender));
  message.addRecipient(Poco::Net::MailRecipient(Poco::Net::MailRecipient::PRIMARY_RECIPIENT,
                                                one_line(mail.to_address)));
  message.setSubject(MailMessage::encodeWord(one_line(mail.subject), "UTF-8"));
  message.set("Message-ID", one_line(message_id));
  // Automatic mail: no out-of-office answers, please (RFC 3834).
  message.set("Auto-Submitted", "auto-generated");
  if (mail.body_html.empty()) {
    message.setContentType("text/plain; charset=UTF-8");
    message.setContent(crlf(mail.body_text), MailMessage::ENCODING_QUOTED_PRINTABLE);
    return;
  }
  message.setContentType("multipart/alternative");
  // MailMessage takes ownership of the part sources.
  message.addContent(
      new Poco::Net::StringPartSource(crlf(mail.body_text), "text/plain; charset=UTF-8"),
      MailMessage::ENCODING_QUOTED_PRINTABLE);
  message.addContent(
      new Poco::Net::StringPartSource(crlf(mail.body_html), "text/html; charset=UTF-8"),
      MailMessage::ENCODING_QUOTED_PRINTABLE);
}

}  // namespace stagematch::mail

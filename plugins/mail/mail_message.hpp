// An outbox mail as an Internet message (RFC 5322, MIME): From the configured sender, To the
// recipient, the subject RFC 2047-encoded when it is not plain ASCII, Date, Message-ID from the
// outbox row, and a multipart/alternative body (plain text and HTML, UTF-8, quoted-printable).
// Every header value passes through one_line(): no header carries a line break from outside.
// Internal to plugins/mail.
#pragma once

#include <Poco/Net/MailMessage.h>

#include <string>
#include <string_view>

#include "store.hpp"

namespace stagematch::mail {

// Fills an empty `message` (Poco's MailMessage cannot be copied or moved).
void build_message(Poco::Net::MailMessage& message, const OutboxMail& mail,
                   const std::string& message_id, const std::string& sender);

// "Name <address>" with a non-ASCII name RFC 2047-encoded; a bare address as it is.
std::string encode_mailbox(std::string_view mailbox);

// Line breaks as the Internet wants them: every LF, CR or CR LF becomes CR LF.
std::string crlf(std::string_view text);

}  // namespace stagematch::mail

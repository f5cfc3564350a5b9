#include "smtp_mailer.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/MailMessage.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SMTPClientSession.h>
#include <Poco/Net/SecureSMTPClientSession.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <mutex>

#include "mail_message.hpp"
#include "mail_templates.hpp"  // one_line

namespace stagematch {

namespace {

SendOutcome temporary(std::string detail) {
  return SendOutcome{SendOutcome::Kind::kTemporary, std::move(detail)};
}

Poco::Timespan timespan(std::chrono::seconds s) {
  return Poco::Timespan(static_cast<long>(s.count()), 0);
}

// TLS for STARTTLS: TLS 1.2 or newer, the system's CA certificates, the server's name checked.
// A certificate that does not verify fails the handshake (nobody may ignore the error).
Poco::Net::Context::Ptr tls_context() {
  static std::once_flag once;
  static Poco::Net::Context::Ptr context;
  std::call_once(once, [] {
    Poco::Net::initializeSSL();
    context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", "",
                                     Poco::Net::Context::VERIFY_RELAXED, 9, true);
    context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
  });
  return context;
}

void quit_quietly(Poco::Net::SMTPClientSession& session) {
  try {
    session.close();
  } catch (...) {  // the mail went through; a failed QUIT changes nothing
  }
}

// Offers the mail on an open, greeted session: the replies from here on are about this mail.
SendOutcome offer(Poco::Net::SMTPClientSession& session, const Poco::Net::MailMessage& message) {
  try {
    session.sendMessage(message);
  } catch (const Poco::Net::SMTPException& e) {
    quit_quietly(session);
    return smtp_outcome(e.code(), e.message());
  } catch (const Poco::Exception& e) {
    return temporary("verbinding verbroken tijdens het versturen: " + one_line(e.displayText()));
  }
  quit_quietly(session);
  return SendOutcome{SendOutcome::Kind::kSent, "aanvaard door de SMTP-server"};
}

}  // namespace

SendOutcome smtp_outcome(int code, std::string_view server_text) {
  std::string detail = "SMTP " + std::to_string(code) + ": " + one_line(server_text);
  if (code >= 200 && code < 300) return SendOutcome{SendOutcome::Kind::kSent, detail};
  if (code >= 500 && code < 600) return SendOutcome{SendOutcome::Kind::kPermanent, detail};
  return SendOutcome{SendOutcome::Kind::kTemporary, detail};
}

SmtpMailer::SmtpMailer(SmtpOptions options) : options_(std::move(options)) {}

SendOutcome SmtpMailer::send(const OutboxMail& mail, const std::string& message_id) {
  try {
    return options_.starttls ? send_starttls(mail, message_id) : send_plain(mail, message_id);
  } catch (const Poco::Net::SMTPException& e) {
    // The greeting or EHLO was refused: about the server, not about this mail.
    return temporary("SMTP-server weigert de sessie: SMTP " + std::to_string(e.code()) + ": " +
                     one_line(e.message()));
  } catch (const Poco::Exception& e) {
    return temporary("SMTP-server niet bereikbaar: " + one_line(e.displayText()));
  } catch (const std::exception& e) {
    return temporary(std::string("SMTP: ") + one_line(e.what()));
  }
}

SendOutcome SmtpMailer::send_plain(const OutboxMail& mail, const std::string& message_id) {
  Poco::Net::MailMessage message;
  mail::build_message(message, mail, message_id, options_.sender);
  Poco::Net::StreamSocket socket;
  socket.connect(Poco::Net::SocketAddress(options_.host, options_.port),
                 timespan(options_.timeout));
  Poco::Net::SMTPClientSession session(socket);
  session.setTimeout(timespan(options_.timeout));
  session.login();  // reads the greeting, then EHLO (HELO when EHLO is refused)
  return offer(session, message);
}

SendOutcome SmtpMailer::send_starttls(const OutboxMail& mail, const std::string& message_id) {
  Poco::Net::MailMessage message;
  mail::build_message(message, mail, message_id, options_.sender);
  // Connects by name, so the certificate is checked against the host name.
  Poco::Net::SecureSMTPClientSession session(options_.host, options_.port);
  session.setTimeout(timespan(options_.timeout));
  session.login();
  if (!session.startTLS(tls_context())) {
    quit_quietly(session);
    return temporary(std::string(kStartTlsRefused));
  }
  session.login();  // EHLO again, now encrypted
  return offer(session, message);
}

}  // namespace stagematch

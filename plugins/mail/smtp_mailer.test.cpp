// SMTP against the real capture server (tests/support/smtp_capture.py on loopback, started by
// script/test: STAGEMATCH_TEST_SMTP and STAGEMATCH_TEST_MAILDIR). What arrives is parsed back:
// the decoded subject, From, Message-ID and both parts. Failures map to what the outbox does:
// no server is temporary, a refused recipient (aiosmtpd answers 5xx) permanent, STARTTLS
// refused is temporary and nothing goes out in plain text.
#include "smtp_mailer.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <random>

#include "mail_test_support.hpp"

namespace stagematch {
namespace {

using mail_testing::capture_server;
using mail_testing::received_for_domain;

// A Message-ID domain of this test alone: the capture directory is shared by every test.
std::string unique_domain() {
  static std::atomic<int> counter{0};
  static const unsigned salt = std::random_device{}();
  return "smtp-test-" + std::to_string(::getpid()) + "-" + std::to_string(salt % 100000) + "-" +
         std::to_string(counter++) + ".test";
}

OutboxMail sample_mail() {
  OutboxMail m;
  m.id = 42;
  m.to_address = "dienst@thuiszorg.example";
  m.subject = "12 aanvragen staan nog open: Secundair onderwijs – ronde 2 (Zoë)";
  m.body_text = "Goeddag,\n\n12 aanvragen staan nog open voor Thuiszorg Zoë & Co.\n.\nEinde.\n";
  m.body_html = "<p>12 aanvragen staan nog open voor Thuiszorg Zoë &amp; Co.</p>\n";
  return m;
}

SmtpOptions options_for(const mail_testing::SmtpServer& server) {
  SmtpOptions o;
  o.host = server.host;
  o.port = server.port;
  o.timeout = std::chrono::seconds{10};
  o.sender = "Stagematch <info@stagematching.org>";
  return o;
}

TEST(SmtpMailer, DeliversBothPartsWithDecodedSubjectFromAndMessageId) {
  auto server = capture_server();
  if (!server) return;
  std::string domain = unique_domain();
  std::string message_id = "<outbox-42@" + domain + ">";
  SmtpMailer mailer(options_for(*server));
  auto outcome = mailer.send(sample_mail(), message_id);
  ASSERT_EQ(outcome.kind, SendOutcome::Kind::kSent) << outcome.detail;

  auto received = received_for_domain(server->maildir, domain);
  ASSERT_EQ(received.size(), 1u);
  const auto& m = received[0];
  EXPECT_EQ(m.subject, sample_mail().subject);
  EXPECT_NE(m.header("Subject").find("=?UTF-8?"), std::string::npos) << m.header("Subject");
  EXPECT_EQ(m.header("From"), "Stagematch <info@stagematching.org>");
  EXPECT_EQ(m.header("To"), "<dienst@thuiszorg.example>");
  EXPECT_EQ(m.header("Message-ID"), message_id);
  EXPECT_EQ(m.header("X-MailFrom"), "info@stagematching.org");
  EXPECT_EQ(m.header("X-RcptTo"), "dienst@thuiszorg.example");
  EXPECT_TRUE(m.content_type.starts_with("multipart/alternative")) << m.content_type;
  ASSERT_EQ(m.parts.size(), 2u);
  EXPECT_EQ(m.part_types.at("text/plain"), "text/plain; charset=UTF-8");
  EXPECT_NE(m.parts.at("text/plain").find("Thuiszorg Zoë & Co."), std::string::npos)
      << m.parts.at("text/plain");
  // The lone dot survived SMTP's dot-stuffing.
  EXPECT_NE(m.parts.at("text/plain").find("\r\n.\r\nEinde."), std::string::npos)
      << m.parts.at("text/plain");
  EXPECT_NE(m.parts.at("text/html").find("<p>12 aanvragen staan nog open voor Thuiszorg Zoë"),
            std::string::npos);
}

TEST(SmtpMailer, NoServerIsATemporaryFailure) {
  SmtpOptions o;
  o.host = "127.0.0.1";
  o.port = mail_testing::closed_port();
  o.timeout = std::chrono::seconds{5};
  SmtpMailer mailer(o);
  auto outcome = mailer.send(sample_mail(), "<outbox-42@closed.test>");
  EXPECT_EQ(outcome.kind, SendOutcome::Kind::kTemporary);
  EXPECT_NE(outcome.detail.find("niet bereikbaar"), std::string::npos) << outcome.detail;
}

TEST(SmtpMailer, ARefusedRecipientIsPermanent) {
  auto server = capture_server();
  if (!server) return;
  std::string domain = unique_domain();
  OutboxMail m = sample_mail();
  m.to_address = "dienst@thuiszorg@example.be";  // aiosmtpd: 553 5.1.3 malformed address
  SmtpMailer mailer(options_for(*server));
  auto outcome = mailer.send(m, "<outbox-42@" + domain + ">");
  EXPECT_EQ(outcome.kind, SendOutcome::Kind::kPermanent) << outcome.detail;
  EXPECT_TRUE(outcome.detail.starts_with("SMTP 5")) << outcome.detail;
  EXPECT_EQ(outcome.detail.find('\n'), std::string::npos);
  EXPECT_TRUE(received_for_domain(server->maildir, domain).empty());
}

TEST(SmtpMailer, StartTlsRefusedSendsNothingInPlainText) {
  auto server = capture_server();
  if (!server) return;
  std::string domain = unique_domain();
  SmtpOptions o = options_for(*server);
  o.starttls = true;  // the capture server offers no STARTTLS
  SmtpMailer mailer(o);
  auto outcome = mailer.send(sample_mail(), "<outbox-42@" + domain + ">");
  EXPECT_EQ(outcome.kind, SendOutcome::Kind::kTemporary);
  EXPECT_EQ(outcome.detail, kStartTlsRefused);
  EXPECT_TRUE(received_for_domain(server->maildir, domain).empty());
}

TEST(SmtpOutcome, MapsReplyCodes) {
  EXPECT_EQ(smtp_outcome(250, "OK").kind, SendOutcome::Kind::kSent);
  EXPECT_EQ(smtp_outcome(421, "closing").kind, SendOutcome::Kind::kTemporary);
  EXPECT_EQ(smtp_outcome(450, "mailbox busy").kind, SendOutcome::Kind::kTemporary);
  EXPECT_EQ(smtp_outcome(452, "insufficient storage").kind, SendOutcome::Kind::kTemporary);
  EXPECT_EQ(smtp_outcome(550, "no such user").kind, SendOutcome::Kind::kPermanent);
  EXPECT_EQ(smtp_outcome(554, "rejected").kind, SendOutcome::Kind::kPermanent);
  EXPECT_EQ(smtp_outcome(0, "").kind, SendOutcome::Kind::kTemporary);
  auto o = smtp_outcome(550, "5.1.1 <x@y>: no such user\r\n here");
  EXPECT_EQ(o.detail, "SMTP 550: 5.1.1 <x@y>: no such user here");
}

}  // namespace
}  // namespace stagematch

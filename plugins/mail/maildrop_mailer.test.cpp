// The maildrop: one RFC 5322 file per outbox row, complete when it appears, never two for the
// same row; the message inside is what an SMTP server would get.
#include "maildrop_mailer.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <latch>
#include <thread>

#include "mail_plugin.hpp"
#include "mail_test_support.hpp"

namespace stagematch {
namespace {

using mail_testing::parse_mail;

class MaildropTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static int counter = 0;
    dir_ = std::filesystem::temp_directory_path() /
           ("stagematch-maildrop-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::vector<std::filesystem::path> files() const {
    std::vector<std::filesystem::path> out;
    if (!std::filesystem::exists(dir_)) return out;
    for (const auto& e : std::filesystem::directory_iterator(dir_)) out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
  }

  static OutboxMail mail(Id id) {
    OutboxMail m;
    m.id = id;
    m.to_address = "els.peeters@example.be";
    m.subject = "Zoë Ağaoğlu werd aanvaard door Thuiszorg Café";
    m.body_text = "Goeddag,\n\nZoë werd aanvaard.\n.\nEen regel met enkel een punt hierboven.\n";
    m.body_html = "<p>Zoë werd <strong>aanvaard</strong>.</p>\n";
    m.created_at = Instant{std::chrono::seconds{1757066400}};
    return m;
  }

  std::filesystem::path dir_;
};

TEST_F(MaildropTest, WritesOneCompleteMessagePerRow) {
  MaildropMailer mailer(dir_, "Stagematch <info@stagematching.org>");
  auto outcome = mailer.send(mail(123), "<outbox-123@stagematch.test>");
  ASSERT_EQ(outcome.kind, SendOutcome::Kind::kSent) << outcome.detail;
  auto written = files();
  ASSERT_EQ(written.size(), 1u);
  EXPECT_EQ(written[0].filename(), "000123-1757066400.eml");
  EXPECT_EQ(written[0], mailer.path_for(mail(123)));

  auto received = parse_mail(written[0]);
  EXPECT_EQ(received.subject, "Zoë Ağaoğlu werd aanvaard door Thuiszorg Café");
  EXPECT_NE(received.header("Subject").find("=?UTF-8?"), std::string::npos)
      << "a non-ASCII subject is RFC 2047-encoded: " << received.header("Subject");
  EXPECT_EQ(received.header("From"), "Stagematch <info@stagematching.org>");
  EXPECT_EQ(received.header("To"), "<els.peeters@example.be>");
  EXPECT_EQ(received.header("Message-ID"), "<outbox-123@stagematch.test>");
  EXPECT_EQ(received.header("Auto-Submitted"), "auto-generated");
  EXPECT_FALSE(received.header("Date").empty());
  EXPECT_EQ(received.header("Mime-Version"), "1.0");
  EXPECT_EQ(received.header("Bcc"), "");
  EXPECT_TRUE(received.content_type.starts_with("multipart/alternative")) << received.content_type;
  ASSERT_EQ(received.parts.size(), 2u);
  EXPECT_EQ(received.part_types["text/plain"], "text/plain; charset=UTF-8");
  EXPECT_EQ(received.part_types["text/html"], "text/html; charset=UTF-8");
  EXPECT_NE(received.parts["text/plain"].find("Zoë werd aanvaard."), std::string::npos)
      << received.parts["text/plain"];
  EXPECT_NE(received.parts["text/html"].find("<p>Zoë werd <strong>aanvaard</strong>.</p>"),
            std::string::npos);
  // Quoted-printable on the wire: only ASCII, lines ending in CR LF.
  for (char c : received.raw) EXPECT_LT(static_cast<unsigned char>(c), 128u);
  EXPECT_NE(received.raw.find("Zo=C3=AB"), std::string::npos);
  EXPECT_EQ(received.raw.find("\n\n"), std::string::npos) << "bare LF in the file";
}

TEST_F(MaildropTest, NeverTwoFilesForOneRow) {
  MaildropMailer mailer(dir_, "Stagematch <info@stagematching.org>");
  ASSERT_EQ(mailer.send(mail(7), "<outbox-7@x>").kind, SendOutcome::Kind::kSent);
  auto again = mailer.send(mail(7), "<outbox-7@x>");
  EXPECT_EQ(again.kind, SendOutcome::Kind::kSent);
  EXPECT_EQ(files().size(), 1u);

  // Eight attempts at once for one new row: one file, no temporary files left behind.
  std::latch go(8);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&] {
      go.arrive_and_wait();
      EXPECT_EQ(mailer.send(mail(8), "<outbox-8@x>").kind, SendOutcome::Kind::kSent);
    });
  for (auto& t : threads) t.join();
  auto written = files();
  ASSERT_EQ(written.size(), 2u);
  EXPECT_EQ(written[1].filename(), "000008-1757066400.eml");
  EXPECT_EQ(written[0].filename(), "000007-1757066400.eml");

  // The same id from a newer database (another creation time) is another mail.
  OutboxMail newer = mail(7);
  newer.created_at = Instant{std::chrono::seconds{1800000000}};
  EXPECT_EQ(mailer.send(newer, "<outbox-7@x>").kind, SendOutcome::Kind::kSent);
  EXPECT_EQ(files().size(), 3u);
}

TEST_F(MaildropTest, HeadersNeverCarryLineBreaks) {
  MaildropMailer mailer(dir_, "Stagematch\r\nBcc: evil@example.be <info@stagematching.org>");
  OutboxMail m = mail(9);
  m.subject = "Hallo\r\nBcc: evil@example.be";
  m.to_address = "els@example.be\r\nBcc: evil2@example.be";
  ASSERT_EQ(mailer.send(m, "<outbox-9@x>\r\nBcc: evil3@example.be").kind, SendOutcome::Kind::kSent);
  auto received = parse_mail(files().at(0));
  EXPECT_EQ(received.header("Bcc"), "");
  EXPECT_EQ(received.subject, "Hallo Bcc: evil@example.be");
  std::string head = received.raw.substr(0, received.raw.find("\r\n\r\n"));
  EXPECT_EQ(head.find("\r\nBcc"), std::string::npos) << head;
}

TEST_F(MaildropTest, AnUnwritableDirectoryIsATemporaryFailure) {
  std::filesystem::create_directories(dir_);
  std::ofstream(dir_ / "not-a-dir") << "x";
  MaildropMailer mailer(dir_ / "not-a-dir" / "mail", "Stagematch <info@stagematching.org>");
  auto outcome = mailer.send(mail(1), "<outbox-1@x>");
  EXPECT_EQ(outcome.kind, SendOutcome::Kind::kTemporary);
  EXPECT_FALSE(outcome.detail.empty());
}

TEST(MakeMailer, ChoosesByTheSmtpOption) {
  auto drop = make_mailer("", "/tmp/nowhere", "S <s@x.be>", false);
  EXPECT_NE(dynamic_cast<MaildropMailer*>(drop.get()), nullptr);
  EXPECT_NE(make_mailer("mail.example.be:587", "", "S <s@x.be>", true), nullptr);
  EXPECT_NE(make_mailer("mail.example.be", "", "S <s@x.be>", false), nullptr);
  EXPECT_NE(make_mailer("[::1]:2525", "", "S <s@x.be>", false), nullptr);
  EXPECT_THROW(make_mailer("host:abc", "", "S <s@x.be>", false), std::invalid_argument);
  EXPECT_THROW(make_mailer("host:70000", "", "S <s@x.be>", false), std::invalid_argument);
  EXPECT_THROW(make_mailer(":25", "", "S <s@x.be>", false), std::invalid_argument);
  EXPECT_THROW(make_mailer("[::1", "", "S <s@x.be>", false), std::invalid_argument);
}

}  // namespace
}  // namespace stagematch

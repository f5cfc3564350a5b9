// The mail templates in mail-templates/: every mail the product sends renders with sample data,
// values are escaped in HTML, the subject never carries a line break, and Dutch letters survive.
#include "mail_templates.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>

#include "site_links.hpp"

namespace stagematch {
namespace {

const std::filesystem::path kTemplates =
    std::filesystem::path(STAGEMATCH_SOURCE_DIR) / "mail-templates";

MailTemplates templates() {
  return MailTemplates(kTemplates, "Stagematch <info@stagematching.org>",
                       site_links("https://stagematching.example/"));
}

Value with(Value data, const std::string& key, Value v) {
  Object o = data.as_object();
  o[key] = std::move(v);
  return Value(std::move(o));
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// A throwaway copy of the templates that a test may break.
class TemplateDir {
 public:
  TemplateDir() {
    path_ =
        std::filesystem::temp_directory_path() /
        ("stagematch-templates-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    std::filesystem::remove_all(path_);
    std::filesystem::copy(kTemplates, path_);
  }
  ~TemplateDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }
  void write(const std::string& file, const std::string& text) const {
    std::ofstream(path_ / file, std::ios::binary | std::ios::trunc) << text;
  }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

TEST(MailTemplates, TheShippedTemplatesPassTheCheck) {
  auto problems = templates().check();
  std::string all;
  for (const auto& p : problems) all += p + "\n";
  EXPECT_TRUE(problems.empty()) << all;
}

TEST(MailTemplates, EveryMailRendersWithSampleData) {
  auto t = templates();
  for (const auto& name : MailTemplates::names()) {
    SCOPED_TRACE(name);
    Value data = templates().sample_data(name);
    ASSERT_TRUE(data.is_object());
    OutboxMail mail = t.compose(name, data, "els.peeters@example.be");
    EXPECT_EQ(mail.to_address, "els.peeters@example.be");
    EXPECT_FALSE(mail.subject.empty());
    EXPECT_FALSE(contains(mail.subject, "{{"));
    EXPECT_FALSE(contains(mail.body_text, "{{"));
    EXPECT_FALSE(contains(mail.body_html, "{{"));
    EXPECT_GT(mail.body_text.size(), 100u);
    EXPECT_TRUE(mail.body_html.starts_with("<!DOCTYPE html>"));
    EXPECT_TRUE(contains(mail.body_html, "<html lang=\"nl\">"));
    // The HTML title is the subject (escaped).
    EXPECT_TRUE(contains(mail.body_html, "<title>")) << mail.body_html;
    // Links are absolute, made from base_url without a double slash.
    EXPECT_TRUE(contains(mail.body_text, "https://stagematching.example/")) << mail.body_text;
    EXPECT_FALSE(contains(mail.body_text, "example//")) << mail.body_text;
    // Optional parts left out leave no empty lines behind (mustache's standalone-line rule).
    EXPECT_FALSE(contains(mail.body_text, "\n\n\n")) << mail.body_text;
    EXPECT_FALSE(mail.body_text.starts_with("\n")) << mail.body_text;
    EXPECT_FALSE(contains(mail.body_text, "\x01"));
    // Plain text is not HTML-escaped: the sample organisation "Zoë & Co" or the like stays.
    EXPECT_FALSE(contains(mail.body_text, "&amp;")) << mail.body_text;
    EXPECT_FALSE(contains(mail.subject, "&amp;")) << mail.subject;
  }
}

TEST(MailTemplates, AccountMailsCarryLinkExpiryAndOrganisation) {
  auto t = templates();
  Value data = Object{{"organisation", "Sint-Jozefinstituut Genk"},
                      {"link", "/activeren?token=abc123"},
                      {"expires", "12/09/2025 12:00"}};
  OutboxMail mail = t.compose("activation", data, "els@example.be");
  EXPECT_EQ(mail.subject, "Activeer je account voor Stagematch (Sint-Jozefinstituut Genk)");
  EXPECT_TRUE(contains(mail.body_text, "https://stagematching.example/activeren?token=abc123"));
  EXPECT_TRUE(contains(mail.body_text, "12/09/2025 12:00"));
  EXPECT_TRUE(contains(mail.body_text, "één keer")) << mail.body_text;
  EXPECT_TRUE(
      contains(mail.body_html, "href=\"https://stagematching.example/activeren?token=abc123\""));

  // An absolute link is used as it is.
  mail = t.compose("password_reset",
                   Object{{"link", "https://elders.example/reset?token=x"}, {"expires", "morgen"}},
                   "els@example.be");
  EXPECT_TRUE(contains(mail.body_text, "https://elders.example/reset?token=x"));
  EXPECT_EQ(mail.subject, "Nieuw wachtwoord kiezen voor Stagematch");
}

TEST(MailTemplates, ScriptInANameIsEscapedInHtml) {
  auto t = templates();
  const std::string evil = "<script>alert('x')</script>";
  int shown = 0;
  for (const auto& name : MailTemplates::names()) {
    SCOPED_TRACE(name);
    Value data = templates().sample_data(name);
    for (const char* key : {"organisation", "student", "service", "service_name", "mentor",
                            "round_label", "track_label", "message", "reason", "school"})
      if (data.has(key)) data = with(data, key, evil);
    OutboxMail mail = t.compose(name, data, "x@example.be");
    EXPECT_FALSE(contains(mail.body_html, "<script>")) << mail.body_html;
    // Where the value shows (the plain text has it as typed), the HTML has it escaped.
    if (contains(mail.body_text, evil)) {
      EXPECT_TRUE(contains(mail.body_html, "&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt;"))
          << mail.body_html;
    }
    shown += contains(mail.body_text, evil) ? 1 : 0;
  }
  EXPECT_EQ(shown, static_cast<int>(MailTemplates::names().size()) - 1)
      << "every mail but password_reset shows one of these values";
}

TEST(MailTemplates, LineBreaksNeverReachTheSubject) {
  auto t = templates();
  Value data = with(templates().sample_data("student_accepted"), "student",
                    "Jan\r\nBcc: x@evil.example\nPeeters");
  OutboxMail mail = t.compose("student_accepted", data, "school@example.be\r\nBcc: y@evil");
  EXPECT_EQ(mail.subject.find('\r'), std::string::npos);
  EXPECT_EQ(mail.subject.find('\n'), std::string::npos);
  EXPECT_TRUE(mail.subject.starts_with("Jan Bcc: x@evil.example Peeters werd aanvaard"))
      << mail.subject;
  EXPECT_EQ(mail.to_address.find('\n'), std::string::npos);
  // The value on the subject line did not spill into the body either.
  EXPECT_FALSE(mail.body_text.starts_with("Bcc")) << mail.body_text;

  EXPECT_EQ(one_line("  a\r\n\r\nb\tc\x01 "), "a b c");
}

TEST(MailTemplates, NonAsciiSurvives) {
  auto t = templates();
  Value data = with(templates().sample_data("student_accepted"), "student", "Zoë Ağaoğlu");
  data = with(data, "service", "Thuiszorg Café Élan");
  OutboxMail mail = t.compose("student_accepted", data, "school@example.be");
  EXPECT_EQ(mail.subject, "Zoë Ağaoğlu werd aanvaard door Thuiszorg Café Élan");
  EXPECT_TRUE(contains(mail.body_text, "Zoë Ağaoğlu"));
  EXPECT_TRUE(contains(mail.body_html, "Thuiszorg Café Élan"));
  EXPECT_TRUE(contains(mail.body_text, "01/10/2025 – 31/12/2025")) << mail.body_text;
}

TEST(MailTemplates, ReminderCountsAndLateNotice) {
  auto t = templates();
  Value data = templates().sample_data("reminder");
  OutboxMail mail = t.compose("reminder", data, "dienst@example.be");
  EXPECT_TRUE(mail.subject.starts_with("12 aanvragen staan nog open")) << mail.subject;
  EXPECT_TRUE(contains(mail.body_text, "12 aanvragen staan nog open")) << mail.body_text;
  EXPECT_FALSE(contains(mail.body_text, "later dan gepland"));

  data = with(data, "count", 1);
  mail = t.compose("reminder", data, "dienst@example.be");
  EXPECT_TRUE(mail.subject.starts_with("1 aanvraag staat nog open")) << mail.subject;

  Value late = with(templates().sample_data("round_opens"), "late", true);
  late = with(late, "planned", "05/09/2025 12:00");
  mail = t.compose("round_opens", late, "dienst@example.be");
  EXPECT_TRUE(mail.body_text.starts_with(
      "Deze melding komt later dan gepland (gepland op 05/09/2025 12:00).\n\nGoeddag,\n"))
      << mail.body_text;
  EXPECT_TRUE(contains(mail.body_html, "later dan gepland"));
}

TEST(MailTemplates, RoundMailsWithTheSchedulersData) {
  // What engine/scheduler.cpp hands over: no round_label when the round is unknown, no closes
  // for an open-ended round.
  auto t = templates();
  Value data = Object{{"track", "secundair"},
                      {"track_label", "Secundair onderwijs"},
                      {"year", "2025-2026"},
                      {"kind", "round_opens"},
                      {"message", "De ronde start."},
                      {"at", "19/09/2025 12:00"},
                      {"late", false},
                      {"planned", "19/09/2025 12:00"},
                      {"organisation", "Thuiszorg A"},
                      {"link", "/dienst/secundair"}};
  OutboxMail mail = t.compose("round_opens", data, "a@example.be");
  EXPECT_EQ(mail.subject, "Secundair onderwijs: een nieuwe ronde is gestart");
  EXPECT_TRUE(mail.body_text.starts_with("Goeddag,\n\n")) << mail.body_text;
  EXPECT_FALSE(contains(mail.body_text, "\n\n\n")) << mail.body_text;
  EXPECT_TRUE(contains(mail.body_text, "de tool blijft nadien open")) << mail.body_text;
  EXPECT_TRUE(contains(mail.body_text, "https://stagematching.example/dienst/secundair"));
  for (const char* name : {"round_closing_soon", "round_closes", "results_visible", "reminder"}) {
    SCOPED_TRACE(name);
    mail = t.compose(name, with(data, "count", 3), "a@example.be");
    EXPECT_FALSE(mail.subject.empty());
    EXPECT_TRUE(contains(mail.body_text, "De ronde start.")) << mail.body_text;
  }
}

// The fund edits a template while the server runs: the next mail follows the edited file, also
// after the same text was used before (parsed templates are kept), and the same file again
// renders as before with other data.
TEST(MailTemplates, AnEditedTemplateCountsFromTheNextMail) {
  TemplateDir dir;
  MailTemplates t(dir.path(), "x <x@example.be>", site_links("https://x.example"));
  const Value data = templates().sample_data("reminder");
  const std::string before = t.compose("reminder", data, "x@example.be").body_text;
  EXPECT_EQ(t.compose("reminder", data, "x@example.be").body_text, before);
  dir.write("reminder.txt.mustache",
            "Subject: Herinnering {{{count}}}\n\nNieuwe tekst {{{count}}}.\n");
  OutboxMail edited = t.compose("reminder", data, "x@example.be");
  EXPECT_EQ(edited.subject, "Herinnering " + std::to_string(data["count"].as_int()));
  EXPECT_EQ(edited.body_text, "Nieuwe tekst " + std::to_string(data["count"].as_int()) + ".\n");
  Object other = data.as_object();
  other["count"] = 7;
  EXPECT_EQ(t.compose("reminder", Value(other), "x@example.be").body_text, "Nieuwe tekst 7.\n");
}

TEST(MailTemplates, UnknownTemplateOrBrokenFileThrowsClearly) {
  auto t = templates();
  try {
    t.compose("nonexistent", Object{}, "x@example.be");
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(contains(e.what(), "nonexistent")) << e.what();
  }
  EXPECT_THROW(t.compose("../../etc/passwd", Object{}, "x@example.be"), std::runtime_error);

  TemplateDir dir;
  dir.write("reminder.html.mustache", "<p>{{#count}}open</p>");  // section never closed
  dir.write("activation.txt.mustache", "Onderwerp: fout\n\ntekst");
  std::filesystem::remove(dir.path() / "password_reset.html.mustache");
  MailTemplates broken(dir.path(), "x <x@example.be>", site_links("https://x.example"));
  auto problems = broken.check();
  ASSERT_EQ(problems.size(), 3u);
  std::string all;
  for (const auto& p : problems) all += p + "\n";
  EXPECT_TRUE(contains(all, "activation.txt.mustache: de eerste regel begint niet met")) << all;
  EXPECT_TRUE(contains(all, "password_reset.html.mustache: bestand ontbreekt")) << all;
  EXPECT_TRUE(contains(all, "reminder.html.mustache:")) << all;
  try {
    broken.compose("reminder", templates().sample_data("reminder"), "x@example.be");
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(contains(e.what(), "reminder")) << e.what();
  }
  EXPECT_THROW(broken.compose("activation", templates().sample_data("activation"), "x@x.be"),
               std::runtime_error);

  dir.write("round_opens.txt.mustache", "Subject: x\ngeen lege regel");
  problems = broken.check();
  all.clear();
  for (const auto& p : problems) all += p + "\n";
  EXPECT_TRUE(contains(all, "round_opens.txt.mustache: regel 2 moet leeg zijn")) << all;
}

}  // namespace
}  // namespace stagematch

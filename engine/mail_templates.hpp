// The mails the product sends, rendered from mail-templates/ (Dutch, kainjow mustache). Each
// mail NAME has two files: NAME.txt.mustache, whose first line is "Subject: ..." followed by an
// empty line and the plain-text body, and NAME.html.mustache, the HTML body. Values are
// HTML-escaped ({{x}}); plain-text templates use {{{x}}} for values that are plain text. The
// data each mail expects is listed in mail-templates/README.md.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "accounts.hpp"  // MailComposer
#include "store.hpp"
#include "value.hpp"

namespace stagematch {

class MailTemplates : public MailComposer {
 public:
  // `links` says where mails point; its site() (e.g. "https://stagematching.org") is handed to
  // every template as `base_url`, and a `link` that starts with "/" is made absolute with it.
  MailTemplates(std::filesystem::path dir, std::string sender, std::shared_ptr<const Links> links);

  // Renders mail `template_name` for `to`. Besides `data` the templates get `base_url`,
  // `subject` (HTML part only) and `count_one` (true when a numeric `count` is 1). The subject
  // never contains a line break. Throws std::runtime_error naming the template for an unknown
  // name, a missing or malformed file, or a render error.
  OutboxMail compose(const std::string& template_name, const Value& data,
                     const std::string& to) const override;

  // Every problem with the templates of every mail the product sends: a missing file, a first
  // line that is not "Subject: ...", no empty line after it, a mustache syntax error. Empty when
  // all is well; each entry starts with the file name.
  std::vector<std::string> check() const;

  // The names of the mails the product sends (activation, ..., student_accepted).
  static const std::vector<std::string>& names();
  // Example data for one mail, for previews (admin UI) and tests, with its link made by
  // links(); null for an unknown name.
  Value sample_data(const std::string& template_name) const;

  const std::filesystem::path& dir() const { return dir_; }
  const std::string& sender() const { return sender_; }
  const Links& links() const override { return *links_; }

 private:
  std::filesystem::path dir_;
  std::string sender_;
  std::shared_ptr<const Links> links_;
};

// `text` on one line: every run of CR and LF becomes one space, other control characters go,
// and the ends are trimmed. For mail headers built from anything a user typed.
std::string one_line(std::string_view text);

}  // namespace stagematch

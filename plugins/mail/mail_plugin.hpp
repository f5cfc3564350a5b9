// The mail plugin's entry point: the Mailer that `serve` uses, from its options.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "mailer.hpp"

namespace stagematch {

// `smtp` "" delivers into `maildrop_dir` (MaildropMailer); "HOST:PORT" ("[::1]:25"; the port
// defaults to 25) through that SMTP server, with STARTTLS when `starttls`. Throws
// std::invalid_argument when `smtp` cannot be read: a start-up failure.
std::unique_ptr<Mailer> make_mailer(const std::string& smtp,
                                    const std::filesystem::path& maildrop_dir,
                                    const std::string& sender, bool starttls);

}  // namespace stagematch

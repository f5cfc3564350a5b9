#include "mail_plugin.hpp"

#include <charconv>
#include <stdexcept>

#include "maildrop_mailer.hpp"
#include "smtp_mailer.hpp"

namespace stagematch {

namespace {

SmtpOptions parse_smtp(const std::string& smtp) {
  SmtpOptions options;
  std::string_view rest = smtp;
  std::string_view port;
  if (rest.starts_with('[')) {
    auto close = rest.find(']');
    if (close == std::string_view::npos)
      throw std::invalid_argument("--smtp " + smtp + ": ']' ontbreekt");
    options.host = std::string(rest.substr(1, close - 1));
    rest = rest.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':'))
      throw std::invalid_argument("--smtp " + smtp + ": verwacht HOST:POORT");
    if (!rest.empty()) port = rest.substr(1);
  } else if (auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    options.host = std::string(rest.substr(0, colon));
    port = rest.substr(colon + 1);
  } else {
    options.host = smtp;
  }
  if (options.host.empty() || options.host.find_first_of(" \t\r\n/") != std::string::npos)
    throw std::invalid_argument("--smtp " + smtp + ": ongeldige host (verwacht HOST:POORT)");
  if (!port.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535)
      throw std::invalid_argument("--smtp " + smtp + ": ongeldige poort");
    options.port = static_cast<std::uint16_t>(value);
  }
  return options;
}

}  // namespace

std::unique_ptr<Mailer> make_mailer(const std::string& smtp,
                                    const std::filesystem::path& maildrop_dir,
                                    const std::string& sender, bool starttls) {
  if (smtp.empty()) return std::make_unique<MaildropMailer>(maildrop_dir, sender);
  SmtpOptions options = parse_smtp(smtp);
  options.sender = sender;
  options.starttls = starttls;
  return std::make_unique<SmtpMailer>(std::move(options));
}

}  // namespace stagematch

#include "maildrop_mailer.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/MailMessage.h>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <system_error>

#include "mail_message.hpp"

namespace stagematch {

namespace {

SendOutcome temporary(std::string detail) {
  return SendOutcome{SendOutcome::Kind::kTemporary, std::move(detail)};
}

// Writes `bytes` to a new file at `path` and flushes it to disk; false with errno on failure.
bool write_new_file(const std::filesystem::path& path, const std::string& bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int saved = errno;
      ::close(fd);
      errno = saved;
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    int saved = errno;
    ::close(fd);
    errno = saved;
    return false;
  }
  return ::close(fd) == 0;
}

std::string temp_name(const std::filesystem::path& final_path) {
  static std::atomic<unsigned> counter{0};
  return "." + final_path.filename().string() + "." + std::to_string(::getpid()) + "-" +
         std::to_string(counter++) + ".tmp";
}

}  // namespace

MaildropMailer::MaildropMailer(std::filesystem::path dir, std::string sender)
    : dir_(std::move(dir)), sender_(std::move(sender)) {}

std::filesystem::path MaildropMailer::path_for(const OutboxMail& mail) const {
  char id[32];
  std::snprintf(id, sizeof id, "%06lld", static_cast<long long>(mail.id));
  std::string name = id;
  if (mail.created_at) name += "-" + std::to_string(mail.created_at->time_since_epoch().count());
  return dir_ / (name + ".eml");
}

SendOutcome MaildropMailer::send(const OutboxMail& mail, const std::string& message_id) {
  const auto target = path_for(mail);
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return temporary("map " + dir_.string() + " niet aangemaakt: " + ec.message());
  if (std::filesystem::exists(target, ec))
    return SendOutcome{SendOutcome::Kind::kSent, "stond al in " + target.string()};

  std::ostringstream bytes;
  try {
    Poco::Net::MailMessage message;
    mail::build_message(message, mail, message_id, sender_);
    message.write(bytes);
  } catch (const Poco::Exception& e) {
    return SendOutcome{SendOutcome::Kind::kPermanent,
                       "bericht niet op te bouwen: " + e.displayText()};
  }

  const auto temp = dir_ / temp_name(target);
  if (!write_new_file(temp, bytes.str())) {
    std::string error = std::strerror(errno);
    std::filesystem::remove(temp, ec);
    return temporary(temp.string() + " niet geschreven: " + error);
  }
  // A hard link never replaces an existing file: of two attempts for the same row, one wins.
  std::filesystem::create_hard_link(temp, target, ec);
  if (ec && ec != std::errc::file_exists) {
    // A file system without hard links: rename (the name is the same for every attempt).
    ec.clear();
    std::error_code missing;
    if (!std::filesystem::exists(target, missing)) std::filesystem::rename(temp, target, ec);
  }
  std::error_code ignored;
  std::filesystem::remove(temp, ignored);
  if (ec && ec != std::errc::file_exists)
    return temporary(target.string() + " niet geschreven: " + ec.message());
  return SendOutcome{SendOutcome::Kind::kSent, target.string()};
}

}  // namespace stagematch

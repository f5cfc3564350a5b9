// For tests that read what the real SMTP capture server (tests/support/smtp_capture.py, started
// by script/test) received: where it listens and writes, and the messages parsed back with
// Poco (headers, RFC 2047 subject decoded, each MIME part decoded). Header-only; tests only.
#pragma once

#include <Poco/Base64Decoder.h>
#include <Poco/Net/MailMessage.h>
#include <Poco/Net/MessageHeader.h>
#include <Poco/Net/PartHandler.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace stagematch::mail_testing {

struct SmtpServer {
  std::string host;
  std::uint16_t port = 0;
  std::filesystem::path maildir;
};

// The capture server from the environment; fails the test (and returns nullopt) without it.
inline std::optional<SmtpServer> capture_server() {
  const char* smtp = std::getenv("STAGEMATCH_TEST_SMTP");
  const char* dir = std::getenv("STAGEMATCH_TEST_MAILDIR");
  if (!smtp || !*smtp || !dir || !*dir) {
    ADD_FAILURE() << "STAGEMATCH_TEST_SMTP and STAGEMATCH_TEST_MAILDIR are not set: these tests "
                     "need the SMTP capture server. Run script/test, which starts it, or start "
                     "/usr/bin/python3 tests/support/smtp_capture.py --dir DIR --port-file FILE "
                     "and export STAGEMATCH_TEST_SMTP=127.0.0.1:PORT STAGEMATCH_TEST_MAILDIR=DIR";
    return std::nullopt;
  }
  std::string s = smtp;
  auto colon = s.rfind(':');
  if (colon == std::string::npos) {
    ADD_FAILURE() << "STAGEMATCH_TEST_SMTP must be HOST:PORT, not " << s;
    return std::nullopt;
  }
  return SmtpServer{s.substr(0, colon), static_cast<std::uint16_t>(std::stoi(s.substr(colon + 1))),
                    dir};
}

// A loopback port nothing listens on (bound, then released).
inline std::uint16_t closed_port() {
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  std::uint16_t port = socket.address().port();
  socket.close();
  return port;
}

// RFC 2047 encoded words ("=?UTF-8?q?Zo=C3=AB?=", B or Q) decoded; other text kept. Whitespace
// between two encoded words is dropped, as the RFC says.
inline std::string decode_words(const std::string& value) {
  std::string out;
  std::size_t i = 0;
  bool last_was_word = false;
  while (i < value.size()) {
    auto start = value.find("=?", i);
    if (start == std::string::npos) {
      out += value.substr(i);
      break;
    }
    std::string between = value.substr(i, start - i);
    if (!(last_was_word && between.find_first_not_of(" \t\r\n") == std::string::npos))
      out += between;
    auto q1 = value.find('?', start + 2);
    auto q2 = q1 == std::string::npos ? q1 : value.find('?', q1 + 1);
    auto end = q2 == std::string::npos ? q2 : value.find("?=", q2 + 1);
    if (end == std::string::npos) {
      out += value.substr(start);
      break;
    }
    char encoding = static_cast<char>(std::toupper(static_cast<unsigned char>(value[q1 + 1])));
    std::string text = value.substr(q2 + 1, end - q2 - 1);
    if (encoding == 'B') {
      std::istringstream in(text);
      Poco::Base64Decoder decoder(in);
      std::string decoded;
      Poco::StreamCopier::copyToString(decoder, decoded);
      out += decoded;
    } else {
      for (std::size_t k = 0; k < text.size(); ++k) {
        if (text[k] == '_') {
          out += ' ';
        } else if (text[k] == '=' && k + 2 < text.size()) {
          out += static_cast<char>(std::stoi(text.substr(k + 1, 2), nullptr, 16));
          k += 2;
        } else {
          out += text[k];
        }
      }
    }
    i = end + 2;
    last_was_word = true;
  }
  return out;
}

struct ReceivedMail {
  std::filesystem::path file;
  std::string raw;
  std::map<std::string, std::string> headers;  // as received, unfolded (Subject still encoded)
  std::string subject;                         // decoded
  std::string content_type;
  std::map<std::string, std::string> parts;       // "text/plain" / "text/html" -> decoded body
  std::map<std::string, std::string> part_types;  // full Content-Type per part

  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

class PartCollector : public Poco::Net::PartHandler {
 public:
  explicit PartCollector(ReceivedMail& mail) : mail_(mail) {}
  void handlePart(const Poco::Net::MessageHeader& header, std::istream& stream) override {
    std::string type = header.get("Content-Type", "");
    std::string body;
    Poco::StreamCopier::copyToString(stream, body);
    std::string key = type.substr(0, type.find(';'));
    mail_.parts[key] = body;
    mail_.part_types[key] = type;
  }

 private:
  ReceivedMail& mail_;
};

inline std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline ReceivedMail parse_mail(const std::filesystem::path& file) {
  ReceivedMail mail;
  mail.file = file;
  mail.raw = read_all(file);
  std::istringstream in(mail.raw);
  Poco::Net::MailMessage message;
  PartCollector collector(mail);
  message.read(in, collector);
  // Headers from the raw text (Poco decodes encoded words itself, and not quite right), unfolded.
  std::string head = mail.raw.substr(0, mail.raw.find("\r\n\r\n"));
  std::string name;
  std::size_t pos = 0;
  while (pos <= head.size()) {
    auto end = head.find("\r\n", pos);
    std::string line = head.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      if (!name.empty()) mail.headers[name] += line;
    } else if (auto colon = line.find(':'); colon != std::string::npos) {
      name = line.substr(0, colon);
      std::string value = line.substr(colon + 1);
      mail.headers[name] = value.substr(std::min(value.find_first_not_of(' '), value.size()));
    }
    if (end == std::string::npos) break;
    pos = end + 2;
  }
  mail.subject = decode_words(mail.header("Subject"));
  mail.content_type = mail.header("Content-Type");
  return mail;
}

// Every message in `dir` whose Message-ID ends with "@domain>", in file order.
inline std::vector<ReceivedMail> received_for_domain(const std::filesystem::path& dir,
                                                     const std::string& domain) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.path().extension() == ".eml") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  std::vector<ReceivedMail> out;
  const std::string needle = "@" + domain + ">";
  for (const auto& f : files) {
    std::string raw = read_all(f);
    if (raw.find(needle) == std::string::npos) continue;
    out.push_back(parse_mail(f));
  }
  return out;
}

}  // namespace stagematch::mail_testing

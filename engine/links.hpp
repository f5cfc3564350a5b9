// Where the links in mails point. The engine knows which page a mail sends its reader to (the
// activation page, a school's requests of a track, ...), never that page's path: the web owns
// its paths and implements this once (web/links.cpp), from the server's base URL.
#pragma once

#include <string>

namespace stagematch {

class Links {
 public:
  virtual ~Links() = default;
  // The server's address without a trailing slash ("https://stagematching.org"); a mail
  // template gets it as `base_url`.
  virtual std::string site() const = 0;
  // Each link below is absolute: site() followed by the page's path.
  // Activating a new account with the one-time `token`.
  virtual std::string activation(const std::string& token) const = 0;
  // Choosing a new password with the one-time `token`.
  virtual std::string password_reset(const std::string& token) const = 0;
  // A school's students of `track` (its overview).
  virtual std::string school_requests(const std::string& track) const = 0;
  // A service's requests of `track` (its list).
  virtual std::string service_requests(const std::string& track) const = 0;
};

}  // namespace stagematch

// The user's calendar feed address (/agenda): made or renewed with a button and then shown
// once, revoked with another; and the feed itself (/agenda/TOKEN.ics), which calendar
// applications fetch without a session: the token in its address is the only key.
#pragma once

#include "pages_common.hpp"

namespace stagematch {

// The feed's address for a token, under the site's base address (`--base-url`).
std::string agenda_feed_address(const std::string& base_url, const std::string& token);

class AgendaPages {
 public:
  explicit AgendaPages(const PageKit& kit) : kit_(kit) {}

  HttpResponse page(HttpRequest& req) const;
  HttpResponse renew(HttpRequest& req) const;
  HttpResponse revoke(HttpRequest& req) const;
  // text/calendar; any address that is not a current token gets the 404 of an unknown page.
  HttpResponse feed(HttpRequest& req) const;

 private:
  HttpResponse show(const HttpRequest& req, const std::string& new_token,
                    const std::string& notice) const;
  const PageKit& kit_;
};

}  // namespace stagematch

// The privacy pages: the privacy policy for everyone (its text from configuration, linked in
// every page's footer), and the admin's page to see everything stored about one student (found
// by national register number, always posted: never in an address) and to erase that student's
// personal data on request, with a reason, unless the internship is running.
#pragma once

#include "pages_common.hpp"

namespace stagematch {

class PrivacyPages {
 public:
  explicit PrivacyPages(const PageKit& kit) : kit_(kit) {}

  HttpResponse policy(HttpRequest& req) const;  // GET  /privacy
  HttpResponse form(HttpRequest& req) const;    // GET  /admin/privacy
  HttpResponse lookup(HttpRequest& req) const;  // POST /admin/privacy
  HttpResponse erase(HttpRequest& req) const;   // POST /admin/privacy/wissen

 private:
  // The admin's page: the search form, and what was found for `number` (none: nothing asked).
  HttpResponse admin_page(const HttpRequest& req, int status, const std::string& number,
                          const std::string& number_error, const std::string& reason,
                          const std::string& reason_error, const std::string& notice) const;

  const PageKit& kit_;
};

}  // namespace stagematch

// The pages around an account: log in (with "wachtwoord vergeten" and a new activation link
// for an address not yet activated), activate, reset a password, log out, and the start page
// that sends each role to its own work.
#pragma once

#include "pages_common.hpp"
#include "pages_form.hpp"

namespace stagematch {

class AccountPages {
 public:
  explicit AccountPages(const PageKit& kit) : kit_(kit) {}

  HttpResponse home(HttpRequest& req) const;
  HttpResponse login_form(HttpRequest& req) const;
  HttpResponse login(HttpRequest& req) const;
  HttpResponse resend_activation(HttpRequest& req) const;
  HttpResponse activate_form(HttpRequest& req) const;
  HttpResponse activate(HttpRequest& req) const;
  HttpResponse forgot_form(HttpRequest& req) const;
  HttpResponse forgot(HttpRequest& req) const;
  HttpResponse reset_form(HttpRequest& req) const;
  HttpResponse reset(HttpRequest& req) const;
  HttpResponse logout(HttpRequest& req) const;

 private:
  struct LoginView {
    std::string email;
    FieldMessages errors;
    std::string error;  // above the form
    bool not_activated = false;
  };
  HttpResponse login_page(const HttpRequest& req, int status, const LoginView& view) const;
  // The form that sets a password from a link (activation or reset).
  HttpResponse password_page(const HttpRequest& req, int status, bool activation,
                             const std::string& token, const FieldMessages& errors) const;

  const PageKit& kit_;
};

}  // namespace stagematch

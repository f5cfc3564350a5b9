// The pages around an account: log in (with "wachtwoord vergeten" and a new activation link
// for an address not yet activated), activate, reset a password, log out, and the start page
// that sends each role to its own work.
#pragma once

#include "pages_common.hpp"
#include "pages_form.hpp"

namespace stagematch {

// The forms used before a session exists (log in, a new activation link, activate, forgot and
// reset a password) cannot carry a session's CSRF token, so they use a double-submit cookie:
// the page sets a random token in this cookie and the same value in a hidden `_csrf` field, and
// a post is handled only when both arrived and are equal. Another site can make a browser post
// such a form (to log someone in to an account of the attacker's, or to mail them links), but
// it can neither read nor set our cookie, so it cannot know the value to send along.
inline constexpr const char* kFormCookie = "stagematch_form";

// Wraps the handler of such a page or form. GET: `req.form_token` is the browser's token, made
// and set in the cookie when it has none yet. POST: refused with a 403 page before the handler
// runs unless the form's `_csrf` equals the cookie, so a refused post changes nothing (no
// login attempt is counted, no mail goes out).
Handler public_form(const PageKit& kit, Handler handler);

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

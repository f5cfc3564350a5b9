// Accounts and sessions over the JSON API: logging in and out, who am I, activation and
// password links. Accounts does the work; here only the JSON in and out.
#include <functional>

#include "api_handlers.hpp"
#include "api_support.hpp"

namespace stagematch::api {

namespace {

// An activation or a password reset: `use` takes the body's token and password, each asked
// for with its own message when missing.
HttpResponse with_token(
    const HttpRequest& req, const std::string& no_token, const std::string& no_password,
    const std::function<DomainResult<void>(const std::string&, const std::string&)>& use) {
  auto body = json_object_body(req);
  if (!body) return body.error();
  Fields fields;
  auto token = text_member(*body, "token", fields, no_token);
  auto password = text_member(*body, "password", fields, no_password);
  if (token && token->empty()) fields["token"] = no_token;
  if (password && password->empty()) fields["password"] = no_password;
  if (!fields.empty()) return validation_error(std::move(fields));
  auto done = use(*token, *password);
  if (!done) return HttpResponse::error(done.error());
  return ok();
}

// The "email" of a body when it holds a non-blank text; empty otherwise.
std::string email_of(const Value& body) {
  const Value& email = body["email"];
  return email.is_string() ? trim(email.as_string()) : std::string();
}

// A link asked for by e-mail address (`send` queues it): always the same 202 answer, so
// whether the address exists is not told. Too many requests from one client address are a 429,
// whatever the address.
HttpResponse link_by_mail(const HttpRequest& req,
                          const std::function<DomainResult<void>(const std::string&)>& send,
                          const std::string& message) {
  auto body = json_object_body(req);
  if (!body) return body.error();
  if (std::string email = email_of(*body); !email.empty()) {
    auto queued = send(email);
    if (!queued) return HttpResponse::error(queued.error());
  }
  return HttpResponse::json(202, Object{{"ok", true}, {"message", message}});
}

}  // namespace

HttpResponse login(Services& s, HttpRequest& req) {
  auto body = json_object_body(req);
  if (!body) return body.error();
  const Value& email = (*body)["email"];
  const Value& password = (*body)["password"];
  Fields fields;
  if (!email.is_string() || trim(email.as_string()).empty())
    fields["email"] = "Vul je e-mailadres in.";
  if (!password.is_string() || password.as_string().empty())
    fields["password"] = "Vul je wachtwoord in.";
  if (!fields.empty())
    return validation_error(std::move(fields), "Vul je e-mailadres en wachtwoord in.");
  auto login = s.accounts.login(trim(email.as_string()), password.as_string(), req.client);
  if (!login) {
    HttpResponse refused = HttpResponse::error(login.error());
    if (auto wait = login.error().fields.find("retry_after"); wait != login.error().fields.end())
      refused.headers.emplace_back("Retry-After", wait->second);
    return refused;
  }
  auto res = HttpResponse::json(
      200, Object{{"user", user_json(login->user)}, {"csrf_token", login->csrf_token}});
  res.headers.emplace_back("Set-Cookie", session_cookie(login->cookie_value, req.secure));
  return res;
}

HttpResponse logout(Services& s, HttpRequest& req) {
  s.accounts.logout(req.session_cookie);
  auto res = HttpResponse::no_content();
  res.headers.emplace_back("Set-Cookie", expired_session_cookie(req.secure));
  return res;
}

HttpResponse me(Services& s, HttpRequest& req) {
  Object out{{"user", user_json(*req.user)}, {"csrf_token", req.csrf_token}};
  if (req.user->org_id)
    if (auto org = s.engine.organisations.find(*req.user->org_id))
      out["org"] = Object{{"id", org->id}, {"name", org->name}, {"type", org->type}};
  return HttpResponse::json(200, Value(std::move(out)));
}

HttpResponse activate(Services& s, HttpRequest& req) {
  return with_token(req, "De activatiecode ontbreekt.", "Kies een wachtwoord.",
                    [&](const std::string& token, const std::string& password) {
                      return s.accounts.activate(token, password);
                    });
}

HttpResponse resend_activation(Services& s, HttpRequest& req) {
  return link_by_mail(
      req,
      [&](const std::string& email) { return s.accounts.resend_activation(email, req.client); },
      "Als dit adres een account heeft dat nog niet geactiveerd is, krijgt het "
      "een nieuwe activatielink.");
}

HttpResponse request_password_reset(Services& s, HttpRequest& req) {
  return link_by_mail(
      req,
      [&](const std::string& email) {
        return s.accounts.request_password_reset(email, req.client);
      },
      "Als dit adres een account heeft, krijgt het een link om een nieuw "
      "wachtwoord te kiezen.");
}

HttpResponse confirm_password_reset(Services& s, HttpRequest& req) {
  return with_token(req, "De code uit de mail ontbreekt.", "Kies een nieuw wachtwoord.",
                    [&](const std::string& token, const std::string& password) {
                      return s.accounts.confirm_password_reset(token, password);
                    });
}

}  // namespace stagematch::api

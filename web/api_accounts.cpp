// Accounts and sessions over the JSON API: logging in and out, who am I, activation and
// password links. Accounts does the work; here only the JSON in and out.
#include "api_handlers.hpp"
#include "api_support.hpp"

namespace stagematch::api {

namespace {

// {"token", "password"} of an activation or a password reset, or a 422 answer.
std::expected<std::pair<std::string, std::string>, HttpResponse> token_and_password(
    const HttpRequest& req, const std::string& no_token, const std::string& no_password) {
  auto body = json_object_body(req);
  if (!body) return std::unexpected(body.error());
  Fields fields;
  auto token = text_member(*body, "token", fields, no_token);
  auto password = text_member(*body, "password", fields, no_password);
  if (token && token->empty()) fields["token"] = no_token;
  if (password && password->empty()) fields["password"] = no_password;
  if (!fields.empty()) return std::unexpected(validation_error(std::move(fields)));
  return std::pair{*token, *password};
}

// The "email" of a body when it holds a non-blank text; empty otherwise.
std::string email_of(const Value& body) {
  const Value& email = body["email"];
  return email.is_string() ? trim(email.as_string()) : std::string();
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
    if (auto org = s.store.organisation(*req.user->org_id))
      out["org"] = Object{{"id", org->id}, {"name", org->name}, {"type", org->type}};
  return HttpResponse::json(200, Value(std::move(out)));
}

HttpResponse activate(Services& s, HttpRequest& req) {
  auto in = token_and_password(req, "De activatiecode ontbreekt.", "Kies een wachtwoord.");
  if (!in) return in.error();
  auto done = s.accounts.activate(in->first, in->second);
  if (!done) return HttpResponse::error(done.error());
  return ok();
}

HttpResponse resend_activation(Services& s, HttpRequest& req) {
  auto body = json_object_body(req);
  if (!body) return body.error();
  // Always the same answer: whether the address exists is not told.
  if (std::string email = email_of(*body); !email.empty()) {
    // Too many requests from this client address: 429, whatever the e-mail address.
    auto queued = s.accounts.resend_activation(email, req.client);
    if (!queued) return HttpResponse::error(queued.error());
  }
  return HttpResponse::json(202, Object{{"ok", true},
                                        {"message",
                                         "Als dit adres een account heeft dat nog niet "
                                         "geactiveerd is, krijgt het een nieuwe activatielink."}});
}

HttpResponse request_password_reset(Services& s, HttpRequest& req) {
  auto body = json_object_body(req);
  if (!body) return body.error();
  if (std::string email = email_of(*body); !email.empty()) {
    auto queued = s.accounts.request_password_reset(email, req.client);
    if (!queued) return HttpResponse::error(queued.error());
  }
  return HttpResponse::json(202, Object{{"ok", true},
                                        {"message",
                                         "Als dit adres een account heeft, krijgt het een "
                                         "link om een nieuw wachtwoord te kiezen."}});
}

HttpResponse confirm_password_reset(Services& s, HttpRequest& req) {
  auto in = token_and_password(req, "De code uit de mail ontbreekt.", "Kies een nieuw wachtwoord.");
  if (!in) return in.error();
  auto done = s.accounts.confirm_password_reset(in->first, in->second);
  if (!done) return HttpResponse::error(done.error());
  return ok();
}

}  // namespace stagematch::api

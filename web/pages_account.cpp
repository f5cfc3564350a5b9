#include "pages_account.hpp"

#include <algorithm>
#include <array>

namespace stagematch {

namespace {

// Only a value of our own shape (random_token: 43 base64url characters) counts as a token;
// anything else in the cookie is replaced.
bool is_form_token(const std::string& s) {
  return s.size() == 43 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  c == '-' || c == '_';
         });
}

// SameSite=Strict: only our own pages post these forms, so no link from elsewhere needs it.
std::string form_cookie(const std::string& value, bool secure) {
  return std::string(kFormCookie) + "=" + value + "; Path=/; HttpOnly; SameSite=Strict" +
         (secure ? "; Secure" : "");
}

std::string cookie_token(const HttpRequest& req) {
  auto found = req.cookies.find(kFormCookie);
  return found != req.cookies.end() && is_form_token(found->second) ? found->second : std::string();
}

constexpr const char* kExpiredLinkHelp =
    "Vraag een nieuwe link aan: meld je aan met je e-mailadres en een willekeurig wachtwoord; "
    "als je account nog niet geactiveerd is, bieden we aan om een nieuwe activatielink te "
    "mailen. Wachtwoord vergeten? Vraag dan een nieuwe herstellink aan.";

std::string reason_text(const std::string& reason) {
  if (reason == "replaced")
    return "Je werd afgemeld omdat er elders met dit account werd aangemeld. Eén account kan "
           "maar op één plaats tegelijk gebruikt worden.";
  if (reason == "expired") return "Je sessie is verlopen. Meld je opnieuw aan.";
  if (reason == "afgemeld" || reason == "logged_out") return "Je bent afgemeld.";
  return "";
}

std::string form_value(const HttpRequest& req, const std::string& name) {
  auto form = req.form();
  auto found = form.find(name);
  return found == form.end() ? std::string() : found->second;
}

}  // namespace

Handler public_form(const PageKit& kit, Handler handler) {
  return [&kit, handler = std::move(handler)](HttpRequest& req) {
    std::string token = cookie_token(req);
    if (req.method != "POST") {
      bool is_new = token.empty();
      req.form_token = is_new ? random_token() : token;
      HttpResponse res = handler(req);
      if (is_new) res.headers.emplace_back("Set-Cookie", form_cookie(req.form_token, req.secure));
      return res;
    }
    auto form = req.form();
    const std::string& sent = form["_csrf"];
    if (!same_secret(sent, token)) {
      // Back to the form: the page it came from, with the link's token for activate and reset.
      std::string again = req.path == "/activatielink" ? "/login" : req.path;
      if (!form["token"].empty()) again += "?token=" + url_encode(form["token"]);
      return kit.message(req, 403, "Formulier verlopen",
                         "Dit formulier is verlopen of kwam niet van deze site. Laad de pagina "
                         "opnieuw en probeer nog eens.",
                         again, "Opnieuw proberen");
    }
    req.form_token = token;
    return handler(req);
  };
}

HttpResponse AccountPages::home(HttpRequest& req) const {
  const std::string& role = req.user->role;
  if (role == role::kAdmin) return HttpResponse::redirect("/admin");
  auto defs = kit_.definitions();
  if (role == role::kSchool) {
    if (req.user->org_id)
      if (auto org = kit_.services().engine.organisations.find(*req.user->org_id))
        for (const auto& track : org->tracks)
          if (defs->workflow(track)) return HttpResponse::redirect("/school/" + track);
    return HttpResponse::redirect("/school/contactpersonen");
  }
  if (role == role::kService && !defs->workflows.empty())
    return HttpResponse::redirect("/dienst/" + defs->workflows.begin()->first);
  return HttpResponse::redirect("/dienst/contactpersonen");
}

HttpResponse AccountPages::login_page(const HttpRequest& req, int status,
                                      const LoginView& view) const {
  std::string notice = reason_text(req.query_value("reden"));
  if (notice.empty()) notice = reason_text(req.session_ended);
  if (req.query_value("geactiveerd") == "1")
    notice = "Je account is geactiveerd. Meld je aan met je nieuwe wachtwoord.";
  if (req.query_value("hersteld") == "1")
    notice = "Je wachtwoord is gewijzigd. Meld je aan met je nieuwe wachtwoord.";
  Array fields;
  fields.push_back(
      input_field({"email", "E-mailadres", true, "", message_of(view.errors, "email"), ""}, "email",
                  view.email, Object{{"autocomplete", "username"}}));
  fields.push_back(
      input_field({"password", "Wachtwoord", true, "", message_of(view.errors, "password"), ""},
                  "password", "", Object{{"autocomplete", "current-password"}}));
  Object data{
      {"form_csrf", req.form_token},
      {"notice", text_or_null(notice)},
      {"error", text_or_null(view.error)},
      {"fields", std::move(fields)},
      {"not_activated", view.not_activated ? Value(Object{{"email", view.email}}) : Value()}};
  HttpResponse res = kit_.page(req, status, "login", "Aanmelden", std::move(data));
  if (!req.session_ended.empty())
    res.headers.emplace_back("Set-Cookie", expired_session_cookie(req.secure));
  return res;
}

HttpResponse AccountPages::login_form(HttpRequest& req) const {
  if (req.user) return HttpResponse::redirect("/");
  return login_page(req, 200, LoginView{});
}

HttpResponse AccountPages::login(HttpRequest& req) const {
  LoginView view;
  view.email = trim(form_value(req, "email"));
  std::string password = form_value(req, "password");
  if (view.email.empty()) view.errors["email"] = "Vul je e-mailadres in.";
  if (password.empty()) view.errors["password"] = "Vul je wachtwoord in.";
  if (!view.errors.empty()) return login_page(req, 422, view);
  auto done = kit_.services().accounts.login(view.email, password, req.client);
  if (done) {
    HttpResponse res = HttpResponse::redirect("/");
    res.headers.emplace_back("Set-Cookie", session_cookie(done->cookie_value, req.secure));
    return res;
  }
  const DomainError& e = done.error();
  if (e.code == "not_activated") {
    view.not_activated = true;
    view.error =
        "Je account is nog niet geactiveerd. Gebruik de link in de activatiemail, of "
        "vraag hieronder een nieuwe activatielink aan.";
  } else if (e.kind == ErrorKind::unauthenticated) {
    view.error = "Dit e-mailadres en wachtwoord horen niet bij elkaar. Probeer opnieuw.";
  } else {
    view.error = e.message;
  }
  return login_page(req, http_status(e), view);
}

HttpResponse AccountPages::resend_activation(HttpRequest& req) const {
  std::string email = trim(form_value(req, "email"));
  if (!email.empty()) {
    // Too many requests from this client address: the same answer for every e-mail address.
    if (auto queued = kit_.services().accounts.resend_activation(email, req.client); !queued)
      return kit_.message(req, http_status(queued.error()), "Even geduld", queued.error().message,
                          "/login", "Naar aanmelden");
  }
  // The same answer whatever happened, so the page never tells which addresses exist.
  return kit_.message(req, 200, "Nieuwe activatielink",
                      "Als dit e-mailadres een account heeft dat nog niet geactiveerd is, "
                      "ontvang je binnen enkele minuten een mail met een nieuwe activatielink. "
                      "Kijk ook in je map met ongewenste mail (spam).",
                      "/login", "Naar aanmelden");
}

HttpResponse AccountPages::password_page(const HttpRequest& req, int status, bool activation,
                                         const std::string& token,
                                         const FieldMessages& errors) const {
  auto message = [&errors](const std::string& field) { return message_of(errors, field); };
  Array fields;
  fields.push_back(
      input_field({"password", "Nieuw wachtwoord", true,
                   "Minstens 10 tekens. Kies een wachtwoord dat je nergens anders gebruikt.",
                   message("password"), ""},
                  "password", "", Object{{"autocomplete", "new-password"}}));
  fields.push_back(
      input_field({"password2", "Herhaal het wachtwoord", true, "", message("password2"), ""},
                  "password", "", Object{{"autocomplete", "new-password"}}));
  std::string title = activation ? "Account activeren" : "Nieuw wachtwoord kiezen";
  return kit_.page(req, status, "password", title,
                   Object{{"heading", title},
                          {"form_csrf", req.form_token},
                          {"action", activation ? "/activeren" : "/wachtwoord-herstellen"},
                          {"intro", activation ? "Kies een wachtwoord om je account te activeren."
                                               : "Kies een nieuw wachtwoord voor je account."},
                          {"button", activation ? "Activeer mijn account" : "Wachtwoord opslaan"},
                          {"token", token},
                          {"error", text_or_null(message(""))},
                          {"fields", std::move(fields)}});
}

HttpResponse AccountPages::activate_form(HttpRequest& req) const {
  std::string token = req.query_value("token");
  if (token.empty())
    return kit_.message(req, 400, "Link onvolledig",
                        "Deze activatielink is onvolledig. Open de link uit de mail opnieuw.",
                        "/login", "Naar aanmelden");
  return password_page(req, 200, true, token, {});
}

HttpResponse AccountPages::reset_form(HttpRequest& req) const {
  std::string token = req.query_value("token");
  if (token.empty())
    return kit_.message(req, 400, "Link onvolledig",
                        "Deze herstellink is onvolledig. Open de link uit de mail opnieuw.",
                        "/wachtwoord-vergeten", "Nieuwe link aanvragen");
  return password_page(req, 200, false, token, {});
}

namespace {

// Both passwords typed the same; the rest (length, strength) is for Accounts to judge.
FieldMessages check_passwords(const std::string& password, const std::string& again) {
  FieldMessages errors;
  if (password.empty()) errors["password"] = "Vul een wachtwoord in.";
  if (password != again) errors["password2"] = "De twee wachtwoorden zijn niet gelijk.";
  return errors;
}

FieldMessages password_errors(const DomainError& e) {
  FieldMessages errors;
  for (const auto& [field, message] : e.fields)
    errors[field == "password" || field == "password2" ? field : "password"] = message;
  if (errors.empty()) errors["password"] = e.message;
  return errors;
}

}  // namespace

HttpResponse AccountPages::activate(HttpRequest& req) const {
  std::string token = form_value(req, "token");
  std::string password = form_value(req, "password");
  FieldMessages errors = check_passwords(password, form_value(req, "password2"));
  if (!errors.empty()) return password_page(req, 422, true, token, errors);
  auto done = kit_.services().accounts.activate(token, password);
  if (done) return HttpResponse::redirect("/login?geactiveerd=1");
  if (done.error().kind == ErrorKind::gone || done.error().kind == ErrorKind::not_found)
    return kit_.message(
        req, 410, "Deze link is niet meer geldig",
        std::string("Deze activatielink werd al gebruikt of is verlopen. ") + kExpiredLinkHelp,
        "/login", "Naar aanmelden");
  return password_page(req, http_status(done.error()), true, token, password_errors(done.error()));
}

HttpResponse AccountPages::forgot_form(HttpRequest& req) const {
  Array fields;
  fields.push_back(input_field({"email", "E-mailadres", true, "", "", ""}, "email", "",
                               Object{{"autocomplete", "username"}}));
  return kit_.page(req, 200, "forgot", "Wachtwoord vergeten",
                   Object{{"form_csrf", req.form_token}, {"fields", std::move(fields)}});
}

HttpResponse AccountPages::forgot(HttpRequest& req) const {
  std::string email = trim(form_value(req, "email"));
  if (email.empty()) {
    Array fields;
    fields.push_back(input_field({"email", "E-mailadres", true, "", "Vul je e-mailadres in.", ""},
                                 "email", "", Object{{"autocomplete", "username"}}));
    return kit_.page(req, 422, "forgot", "Wachtwoord vergeten",
                     Object{{"form_csrf", req.form_token}, {"fields", std::move(fields)}});
  }
  if (auto queued = kit_.services().accounts.request_password_reset(email, req.client); !queued)
    return kit_.message(req, http_status(queued.error()), "Even geduld", queued.error().message,
                        "/login", "Naar aanmelden");
  return kit_.message(req, 200, "Kijk in je mailbox",
                      "Als er een account bestaat voor dit e-mailadres, ontvang je binnen enkele "
                      "minuten een mail met een link om een nieuw wachtwoord te kiezen. Kijk ook "
                      "in je map met ongewenste mail (spam).",
                      "/login", "Naar aanmelden");
}

HttpResponse AccountPages::reset(HttpRequest& req) const {
  std::string token = form_value(req, "token");
  std::string password = form_value(req, "password");
  FieldMessages errors = check_passwords(password, form_value(req, "password2"));
  if (!errors.empty()) return password_page(req, 422, false, token, errors);
  auto done = kit_.services().accounts.confirm_password_reset(token, password);
  if (done) return HttpResponse::redirect("/login?hersteld=1");
  if (done.error().kind == ErrorKind::gone || done.error().kind == ErrorKind::not_found)
    return kit_.message(req, 410, "Deze link is niet meer geldig",
                        "Deze herstellink werd al gebruikt of is verlopen. Vraag een nieuwe aan.",
                        "/wachtwoord-vergeten", "Nieuwe link aanvragen");
  return password_page(req, http_status(done.error()), false, token, password_errors(done.error()));
}

HttpResponse AccountPages::logout(HttpRequest& req) const {
  kit_.services().accounts.logout(req.session_cookie);
  HttpResponse res = HttpResponse::redirect("/login?reden=afgemeld");
  res.headers.emplace_back("Set-Cookie", expired_session_cookie(req.secure));
  return res;
}

}  // namespace stagematch

#include "app.hpp"

#include <algorithm>
#include <cctype>
#include <iostream>

#include "pages_common.hpp"

namespace stagematch {

namespace {

bool changes_state(const std::string& method) {
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

// "https://host:port" of an absolute URL (its scheme and authority), lower case.
std::string origin_of(std::string_view url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return {};
  auto path = url.find('/', scheme_end + 3);
  std::string out(url.substr(0, path));
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Whether a state-changing API call was sent by a page of another site. Browsers say so in
// Sec-Fetch-Site and Origin; a client that sends neither (curl, a script) is not a browser
// tricked by another site. The own origin is the configured base URL's or the Host the request
// was sent to.
bool from_another_site(const HttpRequest& req, const std::string& base_url) {
  const std::string site = req.header("sec-fetch-site");
  if (site == "cross-site" || site == "same-site") return true;
  const std::string origin = origin_of(req.header("origin"));
  if (req.header("origin").empty()) return false;
  if (origin.empty()) return true;  // "null" (a sandboxed frame, a file) or something unreadable
  if (origin == origin_of(base_url)) return false;
  const std::string host = req.header("host");
  return host.empty() ||
         (origin != origin_of("http://" + host) && origin != origin_of("https://" + host));
}

std::string ended_message(const std::string& reason) {
  if (reason == "replaced")
    return "Je werd afgemeld omdat er elders met dit account werd aangemeld. Eén account kan maar "
           "op één plaats tegelijk gebruikt worden.";
  if (reason == "expired") return "Je sessie is verlopen. Meld je opnieuw aan.";
  return "Je bent afgemeld. Meld je opnieuw aan.";
}

}  // namespace

std::string helpdesk_problem(const Helpdesk& helpdesk) {
  const std::string& url = helpdesk.info_url;
  std::size_t host = url.starts_with("https://") ? 8 : url.starts_with("http://") ? 7 : 0;
  bool plain = std::none_of(url.begin(), url.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f || c == '"' || c == '<' || c == '>' || c == '\\' || c == '`';
  });
  if (host == 0 || url.size() == host || url[host] == '/' || !plain)
    return "--info-url moet een http- of https-adres zijn, bv. "
           "https://www.vivosocialprofit.org/"
           "centraal-aanmeldingssysteem-werkplekleren-de-gezinszorg"
           " (niet '" +
           url + "')";
  if (!valid_email_address(helpdesk.email))
    return "--helpdesk-email moet een e-mailadres zijn, bv. stages@vivosocialprofit.org (niet '" +
           helpdesk.email + "')";
  if (helpdesk.phone.empty()) return "--helpdesk-phone mag niet leeg zijn";
  if (helpdesk.hours.empty()) return "--helpdesk-hours mag niet leeg zijn";
  return "";
}

std::string session_cookie(const std::string& value, bool secure) {
  return std::string(kSessionCookie) + "=" + value + "; Path=/; HttpOnly; SameSite=Lax" +
         (secure ? "; Secure" : "");
}

std::string expired_session_cookie(bool secure) {
  return std::string(kSessionCookie) + "=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0" +
         (secure ? "; Secure" : "");
}

App::App(Services& services)
    : services_(services), pages_(std::make_shared<const PageKit>(services)) {
  router_.add("GET", "/healthz", Access::public_route(), [this](HttpRequest&) {
    Array calendars;
    for (const auto& [key, cal] : services_.definitions()->calendars) calendars.emplace_back(key);
    return HttpResponse::json(200, Object{{"status", "ok"},
                                          {"now", format_iso(services_.clock.now())},
                                          {"calendars", std::move(calendars)}});
  });
  // For the operator's Prometheus: from this machine (not through a proxy), or an admin.
  router_.add("GET", "/metrics", Access::public_route(), [this](HttpRequest& req) {
    const bool local = (req.client == "127.0.0.1" || req.client == "::1") &&
                       req.peer == req.client && req.header("x-forwarded-for").empty();
    const bool admin = req.user && req.user->role == role::kAdmin;
    if (!services_.metrics || !(local || admin))
      return HttpResponse::error(
          403, "forbidden",
          "De metrieken zijn enkel bereikbaar vanaf deze machine of voor een beheerder.");
    HttpResponse res;
    res.status = 200;
    res.content_type = "text/plain; version=0.0.4; charset=utf-8";
    res.headers.emplace_back("Cache-Control", "no-store");
    res.body = services_.metrics->render(services_.gauges ? services_.gauges() : Metrics::Gauges{});
    return res;
  });
  add_api_routes(router_, services_);
  add_page_routes(router_, services_);
}

HttpResponse App::error_page(const HttpRequest& req, int status, const std::string& title,
                             const std::string& heading, const std::string& text,
                             bool home_link) const {
  return pages_->page(
      req, status, "message", title,
      Object{{"heading", heading},
             {"text", text_or_null(text)},
             {"link", home_link ? Value(Object{{"href", "/"}, {"label", "Naar de startpagina"}})
                                : Value(nullptr)}});
}

HttpResponse App::handle(HttpRequest& req) {
  try {
    return dispatch(req);
  } catch (const std::exception& e) {
    std::clog << ("error " + loggable(req.method) + ' ' + loggable(req.path) + ": " +
                  loggable(e.what()) + '\n');
    if (req.is_api())
      return HttpResponse::error(500, "internal",
                                 "Er ging iets mis op de server. Probeer het later opnieuw.");
    try {
      // Without the user: what failed may be the database the page frame reads them from.
      return error_page(HttpRequest{}, 500, "Fout", "Er ging iets mis",
                        "Probeer het later opnieuw.", false);
    } catch (const std::exception& also) {
      // The templates themselves are missing or broken: a page without the layout, then.
      std::clog << ("error page 500: " + loggable(also.what()) + '\n');
      return HttpResponse::html(500,
                                "<!doctype html><html lang=\"nl\"><head><meta "
                                "charset=\"utf-8\"><title>Fout</title></head>"
                                "<body><main><h1>Er ging iets mis</h1><p>Probeer het later "
                                "opnieuw.</p></main></body></html>");
    }
  }
}

HttpResponse App::dispatch(HttpRequest& req) {
  bool path_known = false;
  const Route* route = router_.match(req.method, req.path, req.params, path_known);
  if (route) req.route = route->pattern;
  if (!route) {
    if (path_known && req.is_api())
      return HttpResponse::error(405, "method_not_allowed", "Deze methode kan hier niet.");
    if (req.is_api()) return HttpResponse::error(404, "not_found", "Dit adres bestaat niet.");
    return error_page(req, 404, "Niet gevonden", "Deze pagina bestaat niet");
  }

  // A cross-site page can post a form or a text/plain body to the API (and so log its visitor
  // in as someone else), never with an Origin of ours.
  if (req.is_api() && changes_state(req.method) && from_another_site(req, services_.base_url))
    return HttpResponse::error(403, "cross_site",
                               "Dit verzoek kwam van een andere website en werd geweigerd.");

  auto cookie = req.cookies.find(kSessionCookie);
  if (cookie != req.cookies.end() && !cookie->second.empty()) {
    SessionCheck check = services_.accounts.check(cookie->second);
    if (check.session && check.user) {
      req.user = check.user;
      req.session_cookie = cookie->second;
      req.csrf_token = check.session->csrf_token;
    } else {
      req.session_ended = check.ended_reason;
    }
  }

  if (!route->access.anyone) {
    if (!req.user) {
      std::string message =
          req.session_ended.empty() ? "Meld je eerst aan." : ended_message(req.session_ended);
      if (req.is_api()) {
        auto res = HttpResponse::error(
            401, req.session_ended == "replaced" ? "session_replaced" : "unauthenticated", message);
        if (!req.session_ended.empty())
          res.headers.emplace_back("Set-Cookie", expired_session_cookie(req.secure));
        return res;
      }
      auto res = HttpResponse::redirect(
          "/login" + (req.session_ended.empty() ? std::string() : "?reden=" + req.session_ended));
      if (!req.session_ended.empty())
        res.headers.emplace_back("Set-Cookie", expired_session_cookie(req.secure));
      return res;
    }
    const auto& roles = route->access.roles;
    if (!roles.empty() && std::find(roles.begin(), roles.end(), req.user->role) == roles.end()) {
      if (req.is_api())
        return HttpResponse::error(403, "forbidden", "Je rol heeft hier geen toegang.");
      return error_page(req, 403, "Geen toegang", "Geen toegang");
    }
    if (changes_state(req.method)) {
      std::string token = req.header("x-csrf-token");
      if (token.empty() && !req.is_api()) token = req.form()["_csrf"];
      if (token.empty() || !same_secret(token, req.csrf_token)) {
        if (req.is_api())
          return HttpResponse::error(
              403, "csrf",
              "Deze actie kwam niet van een geldig formulier. Laad de pagina opnieuw.");
        return error_page(req, 403, "Niet gelukt", "Niet gelukt",
                          "Deze actie kwam niet van een geldig formulier. Laad de pagina opnieuw "
                          "en probeer nog eens.");
      }
    }
  }
  return route->handler(req);
}

}  // namespace stagematch

// The web application: the route table, the session check, access rules and CSRF in one
// place; handlers get what they need from Services and never reach for globals.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "accounts.hpp"
#include "definitions.hpp"
#include "engine_services.hpp"
#include "http.hpp"
#include "mailer.hpp"
#include "matching.hpp"
#include "metrics.hpp"
#include "router.hpp"

namespace stagematch {

class ExporterRegistry;
class PageKit;

// Who helps users, shown in every page's footer (`serve --helpdesk-email`, `--helpdesk-phone`,
// `--helpdesk-hours`, `--info-url`); the defaults are the manuals'.
struct Helpdesk {
  std::string email = "stages@vivosocialprofit.org";
  std::string phone = "02/250 37 77";
  std::string hours = "werkdagen behalve woensdag, 9u30-12u en 13u-15u";
  // The sector fund's page about the central registration system.
  std::string info_url =
      "https://www.vivosocialprofit.org/centraal-aanmeldingssysteem-werkplekleren-de-gezinszorg";
};

// The Dutch reason why `helpdesk` cannot be shown (the information page is not an http(s)
// address, the e-mail address is not one), or an empty text.
std::string helpdesk_problem(const Helpdesk& helpdesk);

// The narrow set of things handlers may use: the engine's services, never the store itself.
struct Services {
  EngineServices& engine;
  Accounts& accounts;
  Matching& matching;
  const ExporterRegistry& exporters;  // the export formats by name (the plugin registry)
  const Clock& clock;
  TestClock* test_clock = nullptr;  // only with --test-clock
  std::function<std::shared_ptr<const DefinitionSet>()> definitions;
  // Replaces the active definitions (a published calendar); takes effect on the next request.
  std::function<void(std::shared_ptr<const DefinitionSet>)> publish;
  // Runs scheduled work that fell due (after the test clock jumped); may be empty.
  std::function<void()> run_due_work;
  std::string base_url = "http://127.0.0.1:8080";
  std::string templates_dir = "web/templates";
  Helpdesk helpdesk{};
  // GET /metrics: the counts, and the gauges read when asked; none where no metrics are wired.
  Metrics* metrics = nullptr;
  std::function<Metrics::Gauges()> gauges{};
};

inline constexpr const char* kSessionCookie = "stagematch_session";

// "stagematch_session=...; Path=/; HttpOnly; SameSite=Lax[; Secure]"
std::string session_cookie(const std::string& value, bool secure);
std::string expired_session_cookie(bool secure);

// The routes of each part of the product, added to one table in app.cpp.
void add_api_routes(Router& router, Services& services);
void add_page_routes(Router& router, Services& services);

class App {
 public:
  explicit App(Services& services);
  // Never throws: an unexpected failure is a 500 with a Dutch message and a log line.
  HttpResponse handle(HttpRequest& request);

 private:
  HttpResponse dispatch(HttpRequest& request);
  // The 404, 403 and 500 pages, in the layout of every other page.
  HttpResponse error_page(const HttpRequest& req, int status, const std::string& title,
                          const std::string& heading, const std::string& text = {},
                          bool home_link = true) const;
  Services& services_;
  Router router_;
  std::shared_ptr<const PageKit> pages_;
};

}  // namespace stagematch

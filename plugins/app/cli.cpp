#include "cli.hpp"

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "accounts.hpp"
#include "app.hpp"
#include "clock.hpp"
#include "definitions.hpp"
#include "demo.hpp"
#include "mail_templates.hpp"
#include "mailer.hpp"
#include "matching.hpp"
#include "privacy.hpp"
#include "rules.hpp"
#include "scheduler.hpp"
#include "serve_config.hpp"
#include "server.hpp"
#include "site_links.hpp"
#include "timeline.hpp"
#include "web_root.hpp"

namespace stagematch {

namespace {

constexpr const char* kUsage = R"(gebruik: stagematch SUBCOMMANDO [opties]

  serve     [--db URL [--db-wait SECONDEN]] [--listen HOST:PORT] [--workflows DIR] [--rules DIR]
            [--mail-templates DIR]
            [--smtp HOST:PORT [--starttls]] [--base-url URL] [--sender ADRES]
            [--test-clock [--test-clock-start ISO-TIJD]] [--workers N]
            [--helpdesk-email ADRES] [--helpdesk-phone NUMMER] [--helpdesk-hours TEKST]
            [--info-url URL] [--trusted-proxy ADRES,...] [--web-root MAP] [--config BESTAND]
            [--retention-years N] [--privacy-page BESTAND]
            start de server; zonder --smtp gaan mails naar var/mail/*.eml; de helpdesk en de
            informatiepagina staan onderaan elke pagina; elke optie kan ook in BESTAND
            (naam = waarde) of de omgeving (STAGEMATCH_NAAM) staan, de opdrachtregel wint;
            een PostgreSQL die nog niet antwoordt, wordt --db-wait seconden (60) opnieuw geprobeerd;
            de sjablonen en stijlbestanden (templates/ en static/) staan in --web-root MAP, zonder
            die optie in web/ naast de map van het programma (bin/../web) of anders in ./web;
            persoonsgegevens worden elke dag gewist N jaar (2) na het einde van hun schooljaar;
            de privacypagina toont BESTAND (standaard privacybeleid.txt in de web-root)
  demo      [--db URL] [--workflows DIR] [--rules DIR]
            laadt de demogegevens (scholen, diensten, leerlingen, een open ronde per traject)
            in een lege databank en toont de demologins; een tweede keer verandert niets
  admin create --email E [--db URL]
            maakt de eerste beheerder aan; het wachtwoord komt via standaardinvoer
  backup    --db sqlite:BESTAND --to BESTAND
            kopieert een SQLite-databank terwijl de server draait; PostgreSQL: gebruik pg_dump
  check     --workflows DIR --rules DIR
            controleert alle definities en regels; exit 0, of 1 met FILE:LINE:COLUMN per probleem
  simulate  --track T --year JJJJ-JJJJ [--format text|json] [--workflows DIR --rules DIR]
            toont de tijdlijn van een kalender: rondes, wat wie mag en ziet, en elke mail
  purge     [--dry-run] [--db URL] [--retention-years N] [--as-of DATUM]
            [--workflows DIR --rules DIR] [--config BESTAND]
            wist de persoonsgegevens van de aanvragen waarvan de bewaartermijn (N jaar na het
            einde van het schooljaar, standaard 2) voorbij is; --dry-run toont per schooljaar en
            traject wat zou verdwijnen en wijzigt niets; --as-of 2027-09-01 rekent alsof het die
            dag is (een latere dag dan vandaag alleen met --dry-run); de server doet dit ook elke
            dag
)";

// --name value pairs and bare --flags after the subcommand.
struct Options {
  std::map<std::string, std::string> values;
  std::vector<std::string> errors;

  std::string get(const std::string& name, const std::string& fallback) const {
    auto it = values.find(name);
    return it == values.end() ? fallback : it->second;
  }
  bool has(const std::string& name) const { return values.contains(name); }
};

Options parse_options(const std::vector<std::string>& args, std::size_t first,
                      const std::vector<std::string>& with_value,
                      const std::vector<std::string>& flags) {
  Options o;
  auto in = [](const std::vector<std::string>& list, const std::string& s) {
    return std::find(list.begin(), list.end(), s) != list.end();
  };
  for (std::size_t i = first; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (in(flags, a)) {
      o.values[a] = "1";
    } else if (in(with_value, a)) {
      if (i + 1 >= args.size()) {
        o.errors.push_back(a + " verwacht een waarde");
      } else {
        o.values[a] = args[++i];
      }
    } else {
      o.errors.push_back("onbekende optie '" + a + "'");
    }
  }
  return o;
}

bool report_option_errors(const Options& o) {
  for (const auto& e : o.errors) std::cerr << "stagematch: " << e << "\n";
  if (!o.errors.empty()) std::cerr << kUsage;
  return !o.errors.empty();
}

void print_diagnostics(const Diagnostics& diags) {
  for (const auto& d : diags.sorted()) std::cerr << d.to_string() << "\n";
}

int cmd_check(const std::vector<std::string>& args) {
  Options o = parse_options(args, 1, {"--workflows", "--rules"}, {});
  if (report_option_errors(o)) return 2;
  LoadResult loaded =
      load_definitions(o.get("--workflows", "workflows"), o.get("--rules", "rules"));
  print_diagnostics(loaded.diagnostics);
  if (!loaded.ok()) {
    std::cerr << loaded.diagnostics.error_count() << " fout(en) gevonden\n";
    return 1;
  }
  const DefinitionSet& d = *loaded.definitions;
  std::cout << "ok: " << d.file_count << " bestanden, " << d.workflows.size() << " trajecten, "
            << d.calendars.size() << " kalenders, " << d.rule_functions.size()
            << " regelbestanden\n";
  return 0;
}

int cmd_simulate(const std::vector<std::string>& args) {
  Options o =
      parse_options(args, 1, {"--workflows", "--rules", "--track", "--year", "--format"}, {});
  if (report_option_errors(o)) return 2;
  std::string format = o.get("--format", "text");
  if (!o.has("--track") || !o.has("--year") || (format != "text" && format != "json")) {
    std::cerr << "stagematch simulate: geef --track en --year, en --format text of json\n"
              << kUsage;
    return 2;
  }
  LoadResult loaded =
      load_definitions(o.get("--workflows", "workflows"), o.get("--rules", "rules"));
  if (!loaded.ok()) {
    print_diagnostics(loaded.diagnostics);
    return 1;
  }
  const Calendar* cal = loaded.definitions->calendar(o.get("--track", ""), o.get("--year", ""));
  if (!cal) {
    std::cerr << "stagematch simulate: er is geen kalender voor traject '" << o.get("--track", "")
              << "' in schooljaar '" << o.get("--year", "") << "'. Beschikbaar:";
    for (const auto& [key, c] : loaded.definitions->calendars)
      std::cerr << " " << c.track << " " << c.year << ";";
    std::cerr << "\n";
    return 1;
  }
  RuleEngine rules(loaded.definitions);
  auto timeline = build_timeline(rules, *cal);
  if (!timeline) {
    std::cerr << timeline.error().message << "\n";
    return 1;
  }
  if (format == "json")
    std::cout << to_value(*timeline).to_json() << "\n";
  else
    std::cout << render_text(*timeline);
  return 0;
}

// The active definitions: replaced whole when an admin publishes a calendar, read by every
// request without a lock held across the request.
class DefinitionsHolder {
 public:
  explicit DefinitionsHolder(std::shared_ptr<const DefinitionSet> defs) : defs_(std::move(defs)) {}
  std::shared_ptr<const DefinitionSet> get() const {
    std::lock_guard lock(mutex_);
    return defs_;
  }
  void set(std::shared_ptr<const DefinitionSet> defs) {
    std::lock_guard lock(mutex_);
    defs_ = std::move(defs);
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const DefinitionSet> defs_;
};

// The definitions of workflows/ and rules/ with the calendars admins published since (kept in
// the database). One that no longer passes is left out, and said so.
std::shared_ptr<const DefinitionSet> with_published(Store& store,
                                                    std::shared_ptr<const DefinitionSet> files) {
  std::vector<CalendarText> texts;
  for (auto& c : store.stored_calendars()) texts.push_back({c.label, std::move(c.yaml)});
  std::vector<std::string> skipped;
  auto definitions = with_calendars(std::move(files), texts, skipped);
  for (const auto& line : skipped)
    std::cerr << "gepubliceerde kalender niet geladen (de kalender uit workflows/ blijft gelden): "
              << line << "\n";
  return definitions;
}

// Runs `work` every `period` in a thread of its own until destroyed (then waits for a run in
// progress to end). What `work` throws is logged under `what`; the next run comes as planned.
class Periodic {
 public:
  Periodic(std::chrono::milliseconds period, std::string what, std::function<void()> work)
      : period_(period), what_(std::move(what)), work_(std::move(work)) {
    thread_ = std::thread([this] { run(); });
  }
  ~Periodic() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, period_, [&] { return stopping_; })) {
      lock.unlock();
      try {
        work_();
      } catch (const std::exception& e) {
        std::clog << what_ << ": " << e.what() << "\n";
      }
      lock.lock();
    }
  }

  std::chrono::milliseconds period_;
  std::string what_;
  std::function<void()> work_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

// Every few seconds, compares the published calendars in the database with what this process
// runs on, and takes over any change: with several instances on one database, a calendar
// published through one applies on all of them without a restart.
class CalendarFollower {
 public:
  static constexpr std::chrono::seconds kFollowEvery{2};

  CalendarFollower(Store& store, std::shared_ptr<const DefinitionSet> files,
                   std::function<void(std::shared_ptr<const DefinitionSet>)> apply)
      : store_(store),
        files_(std::move(files)),
        apply_(std::move(apply)),
        seen_(fingerprint()),
        periodic_(kFollowEvery, "kalenders volgen", [this] { follow(); }) {}

 private:
  std::string fingerprint() {
    std::string f;
    for (const auto& c : store_.stored_calendars())
      f += c.track + '/' + c.year + '@' +
           std::to_string(c.published_at.time_since_epoch().count()) + ':' +
           std::to_string(std::hash<std::string>{}(c.yaml)) + ';';
    return f;
  }
  // A database that is away for a moment throws: the next run tries again.
  void follow() {
    std::string now = fingerprint();
    if (now != seen_) {
      seen_ = now;
      apply_(with_published(store_, files_));
    }
  }

  Store& store_;
  std::shared_ptr<const DefinitionSet> files_;
  std::function<void(std::shared_ptr<const DefinitionSet>)> apply_;
  std::string seen_;
  Periodic periodic_;  // last: it starts once everything it reads is there, and stops first
};

// The retention period and the privacy page's text (--privacy-page, else privacybeleid.txt in
// the web root), or why they cannot be used.
std::expected<PrivacySettings, std::string> privacy_settings(
    const Options& o, const std::filesystem::path& web_root) {
  PrivacySettings settings;
  const std::string years = o.get("--retention-years", "2");
  if (std::string why = retention_years_problem(years); !why.empty())
    return std::unexpected("--retention-years " + why);
  settings.retention_years = std::stoi(years);
  if (o.has("--privacy-page") || std::filesystem::exists(web_root / "privacybeleid.txt")) {
    const std::string path = o.get("--privacy-page", (web_root / "privacybeleid.txt").string());
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::unexpected("kan de tekst van de privacypagina niet lezen: " + path);
    settings.policy_text.assign(std::istreambuf_iterator<char>(in), {});
  }
  return settings;
}

// One line per school year and track a purge erased (or, dry, would erase), for an operator.
void print_purge(const PurgeReport& report, int years, std::ostream& out) {
  out << (report.dry_run ? "proefdraaien: er wordt niets gewist\n" : "")
      << "bewaartermijn: " << years << " jaar na het einde van het schooljaar\n";
  if (report.as_of) out << "beoordeeld zoals op " << format_local_nl(*report.as_of) << "\n";
  if (report.failed > 0)
    out << report.failed << (report.failed == 1 ? " aanvraag kon" : " aanvragen konden")
        << " niet gewist worden (de databank weigerde); de volgende keer opnieuw\n";
  if (report.groups.empty()) {
    out << "geen aanvragen met persoonsgegevens waarvan de bewaartermijn voorbij is\n";
    return;
  }
  std::string fields;
  for (const auto& f : Privacy::erased_data()) fields += (fields.empty() ? "" : ", ") + f;
  for (const auto& g : report.groups)
    out << "schooljaar " << g.year << ", traject " << g.track << ": " << g.requests
        << (g.requests == 1 ? " aanvraag" : " aanvragen")
        << (!report.dry_run   ? " gewist"
            : g.requests == 1 ? " zou gewist worden"
                              : " zouden gewist worden")
        << " (schooljaar eindigde " << format_local_nl(g.year_ends) << ", bewaard tot "
        << format_local_nl(g.kept_until) << ")\n  velden: " << fields << "\n";
  if (!report.dry_run)
    out << "samen " << report.erased << (report.erased == 1 ? " aanvraag" : " aanvragen")
        << " gewist\n";
}

void log_purge(const PurgeReport& report) {
  if (report.failed > 0)
    std::clog << "bewaartermijn: " << report.failed
              << " aanvragen niet gewist (de databank weigerde); morgen opnieuw\n";
  if (report.erased == 0) return;
  for (const auto& g : report.groups)
    std::clog << "bewaartermijn: persoonsgegevens gewist van " << g.requests
              << " aanvragen van schooljaar " << g.year << ", traject " << g.track << "\n";
}

// `purge [--dry-run] [--db URL]`: erases the personal data past its retention, or shows what
// would go. Reads the same settings as serve (--config FILE, STAGEMATCH_*).
int cmd_purge(const std::vector<std::string>& args, const PluginRegistry& plugins) {
  Options o = parse_options(
      args, 1, {"--db", "--workflows", "--rules", "--retention-years", "--as-of", "--config"},
      {"--dry-run"});
  if (report_option_errors(o)) return 2;
  // --as-of: what a purge on that day erases. Erasing ahead of time is never allowed, so a
  // later day than today only shows what would go.
  std::optional<Instant> as_of;
  if (o.has("--as-of")) {
    as_of = parse_instant(o.get("--as-of", ""));
    if (!as_of) {
      std::cerr << "stagematch purge: --as-of verwacht een datum als 2027-09-01 of een tijd als "
                   "2027-09-01T00:00:00+02:00\n";
      return 2;
    }
    if (*as_of > SystemClock().now() && !o.has("--dry-run")) {
      std::cerr << "stagematch purge: --as-of ligt in de toekomst; gegevens worden nooit vooraf "
                   "gewist, gebruik --dry-run om te zien wat er dan zou verdwijnen\n";
      return 2;
    }
  }
  ConfigRead config =
      read_serve_config(o.has("--config") ? std::optional(o.get("--config", "")) : std::nullopt,
                        [](const char* name) { return std::getenv(name); });
  for (const auto& problem : config.problems) std::cerr << problem << "\n";
  if (!config.problems.empty()) return 2;
  for (const auto& [name, setting] : config.values) o.values.emplace(name, setting.value);
  const std::string years = o.get("--retention-years", "2");
  if (std::string why = retention_years_problem(years); !why.empty()) {
    std::cerr << "stagematch purge: --retention-years " << why << "\n";
    return 2;
  }
  LoadResult loaded =
      load_definitions(o.get("--workflows", "workflows"), o.get("--rules", "rules"));
  if (!loaded.ok()) {
    print_diagnostics(loaded.diagnostics);
    return 1;
  }
  try {
    auto store = plugins.open_store(o.get("--db", "sqlite:var/stagematch.db"));
    auto definitions = with_published(*store, loaded.definitions);
    SystemClock clock;
    Privacy privacy(
        *store, [&definitions] { return definitions; }, clock);
    PrivacySettings settings;
    settings.retention_years = std::stoi(years);
    privacy.configure(settings);
    const PurgeReport report = privacy.purge("admin-cli", o.has("--dry-run"), as_of);
    print_purge(report, settings.retention_years, std::cout);
    return report.failed > 0 ? 1 : 0;
  } catch (const std::exception& e) {
    std::cerr << "stagematch purge: " << e.what() << "\n";
    return 1;
  }
}

int cmd_serve(const std::vector<std::string>& args, const PluginRegistry& plugins) {
  Options o = parse_options(args, 1,
                            {"--db",
                             "--db-wait",
                             "--listen",
                             "--workflows",
                             "--rules",
                             "--mail-templates",
                             "--smtp",
                             "--base-url",
                             "--sender",
                             "--test-clock-start",
                             "--workers",
                             "--trusted-proxy",
                             "--helpdesk-email",
                             "--helpdesk-phone",
                             "--helpdesk-hours",
                             "--info-url",
                             "--web-root",
                             "--config",
                             "--retention-years",
                             "--privacy-page"},
                            {"--test-clock", "--starttls"});
  if (report_option_errors(o)) return 2;
  // The environment and --config FILE fill in what the command line leaves out.
  ConfigRead config =
      read_serve_config(o.has("--config") ? std::optional(o.get("--config", "")) : std::nullopt,
                        [](const char* name) { return std::getenv(name); });
  for (const auto& problem : config.problems) std::cerr << problem << "\n";
  if (!config.problems.empty()) {
    std::cerr << "stagematch serve: de instellingen bevatten fouten; de server start niet\n";
    return 2;
  }
  for (const auto& [name, setting] : config.values) o.values.emplace(name, setting.value);
  Helpdesk helpdesk;
  helpdesk.email = o.get("--helpdesk-email", helpdesk.email);
  helpdesk.phone = o.get("--helpdesk-phone", helpdesk.phone);
  helpdesk.hours = o.get("--helpdesk-hours", helpdesk.hours);
  helpdesk.info_url = o.get("--info-url", helpdesk.info_url);
  if (std::string problem = helpdesk_problem(helpdesk); !problem.empty()) {
    std::cerr << "stagematch serve: " << problem << "\n";
    return 2;
  }
  // glibc gives every thread that allocates at once an arena of its own (up to 8 per core), and
  // each keeps what was freed in it: with a few dozen request threads that is most of the
  // memory a server holds after a busy minute. Two arenas keep 2 cores busy without it.
  mallopt(M_ARENA_MAX, 2);
  LoadResult loaded =
      load_definitions(o.get("--workflows", "workflows"), o.get("--rules", "rules"));
  print_diagnostics(loaded.diagnostics);
  if (!loaded.ok()) {
    std::cerr << "stagematch serve: de definities bevatten fouten; de server start niet\n";
    return 1;
  }
  std::chrono::seconds db_wait{60};
  try {
    std::size_t used = 0;
    const std::string text = o.get("--db-wait", "60");
    db_wait = std::chrono::seconds(std::stoi(text, &used));
    if (used != text.size() || db_wait.count() < 0 || db_wait.count() > 3600)
      throw std::invalid_argument(text);
  } catch (const std::exception&) {
    std::cerr << "stagematch serve: --db-wait verwacht een aantal seconden van 0 tot 3600\n";
    return 2;
  }
  auto web_root =
      find_web_root(o.get("--web-root", ""), program_path(), std::filesystem::current_path());
  if (!web_root) {
    std::cerr << "stagematch serve: " << web_root.error() << "\n";
    return 1;
  }
  auto privacy = privacy_settings(o, *web_root);
  if (!privacy) {
    std::cerr << "stagematch serve: " << privacy.error() << "\n";
    return 2;
  }
  std::string base_url = o.get("--base-url", "http://" + o.get("--listen", "127.0.0.1:8080"));
  std::string sender = o.get("--sender", "Stagematch <info@stagematching.org>");
  try {
    SystemClock system_clock;
    std::unique_ptr<TestClock> test_clock;
    if (o.has("--test-clock")) {
      Instant start = system_clock.now();
      if (o.has("--test-clock-start")) {
        auto parsed = parse_instant(o.get("--test-clock-start", ""));
        if (!parsed) {
          std::cerr
              << "stagematch serve: --test-clock-start verwacht bv. 2025-06-01T00:00:00+02:00\n";
          return 2;
        }
        start = *parsed;
      }
      test_clock = std::make_unique<TestClock>(start);
    }
    const Clock& clock = test_clock ? static_cast<const Clock&>(*test_clock) : system_clock;

    StoreOpening opening;
    opening.wait = db_wait;
    opening.retrying = [](const std::string& line) {
      std::cerr << "stagematch serve: " << line << "\n";
    };
    auto store = plugins.open_store(o.get("--db", "sqlite:var/stagematch.db"), opening);
    DefinitionsHolder definitions(with_published(*store, loaded.definitions));
    MailTemplates mail(o.get("--mail-templates", "mail-templates"), sender, site_links(base_url));
    for (const auto& problem : mail.check()) std::cerr << "mail-templates: " << problem << "\n";
    AccountOptions account_options;
    account_options.sender = sender;
    Accounts accounts(*store, mail, clock, account_options);
    auto defs_fn = [&definitions] { return definitions.get(); };
    Matching matching(*store, defs_fn, clock);
    matching.set_notices(mail, *store);

    std::filesystem::create_directories("var/mail");
    MailerSettings mailer_settings;
    mailer_settings.server = o.get("--smtp", "");
    mailer_settings.starttls = o.has("--starttls");
    mailer_settings.maildrop_dir = "var/mail";
    mailer_settings.sender = sender;
    auto mailer =
        plugins.make_mailer(mailer_settings.server.empty() ? "maildrop" : "smtp", mailer_settings);
    OutboxOptions outbox_options;
    outbox_options.links = site_links(base_url);  // one-time links are made as their mail goes out
    outbox_options.prepare = [&accounts] { accounts.handle_link_requests(); };
    OutboxWorker outbox(*store, *mailer, clock, outbox_options);
    accounts.on_link_requested([&outbox] { outbox.notify(); });
    outbox.start();
    Privacy retention(*store, defs_fn, clock);
    retention.configure(*privacy);
    Scheduler scheduler(*store, *store, mail, defs_fn, clock);
    scheduler.set_daily_work([&retention] { log_purge(retention.purge("system", false)); });
    scheduler.start([&outbox] { outbox.notify(); });

    // After a test-clock jump: everything that fell due runs now, in order, before the answer.
    auto run_due_work = [&scheduler, &outbox] {
      scheduler.run_due();
      outbox.notify();
    };
    auto publish = [&definitions, &scheduler](std::shared_ptr<const DefinitionSet> d) {
      definitions.set(std::move(d));
      scheduler.notify();  // the timed events follow the new calendar
    };
    // Memory freed after a busy minute goes back to the system instead of staying with the
    // process (glibc keeps freed pages of its arenas until asked).
    Periodic return_memory(std::chrono::seconds(10), "geheugen vrijgeven", [] { malloc_trim(0); });
    // A calendar published through another instance reaches this one within kFollowEvery.
    CalendarFollower follower(
        *store, loaded.definitions, [&publish](std::shared_ptr<const DefinitionSet> d) {
          std::clog << "gepubliceerde kalenders gewijzigd: de nieuwe gelden nu\n";
          publish(std::move(d));
        });
    Metrics metrics;
    auto gauges = [&store, &scheduler, &clock] {
      Metrics::Gauges g;
      const Store::OperationalStats stats = store->operational_stats();
      g.pool_in_use = stats.pool_in_use;
      g.pool_size = stats.pool_size;
      g.outbox_waiting = stats.outbox_waiting;
      g.outbox_dead = stats.outbox_dead;
      const Instant now = clock.now();
      if (stats.outbox_oldest)
        g.outbox_oldest_age_seconds =
            std::chrono::duration<double>(now - *stats.outbox_oldest).count();
      const Scheduler::Health health = scheduler.health();
      if (health.last_run)
        g.scheduler_seconds_since_run =
            std::chrono::duration<double>(now - *health.last_run).count();
      g.scheduler_last_lateness_seconds = health.last_lateness_seconds;
      return g;
    };
    EngineServices engine(*store, *store, accounts, defs_fn, publish, store.get(), clock);
    engine.privacy.configure(*privacy);
    Services services{engine,
                      accounts,
                      matching,
                      plugins.exporters,
                      clock,
                      test_clock.get(),
                      defs_fn,
                      publish,
                      run_due_work,
                      base_url,
                      (*web_root / "templates").string(),
                      helpdesk,
                      &metrics,
                      gauges};
    App app(services);
    ServerOptions so;
    so.on_started = [&metrics] { metrics.started(); };
    so.on_answered = [&metrics](const HttpRequest& req, const HttpResponse& res, double seconds) {
      metrics.finished();
      metrics.record(req.method, req.route, res.status, seconds);
    };
    so.listen = o.get("--listen", "127.0.0.1:8080");
    if (o.has("--workers")) {
      try {
        so.workers = std::clamp(std::stoi(o.get("--workers", "")), 1, 256);
      } catch (const std::exception&) {
        std::cerr << "stagematch serve: --workers verwacht een getal (bv. 8)\n";
        return 2;
      }
    }
    // --trusted-proxy 127.0.0.1[,ADDR...]: nginx in front; its X-Forwarded-For names the client.
    if (o.has("--trusted-proxy")) {
      std::string list = o.get("--trusted-proxy", "");
      for (std::size_t at = 0; at <= list.size();) {
        std::size_t comma = std::min(list.find(',', at), list.size());
        if (comma > at) so.trusted_proxies.push_back(list.substr(at, comma - at));
        at = comma + 1;
      }
    }
    int rc = serve(so, [&app](HttpRequest& request) { return app.handle(request); });
    scheduler.stop();
    outbox.stop();
    return rc;
  } catch (const std::exception& e) {
    std::cerr << "stagematch serve: kan niet starten: " << e.what() << "\n";
    return 1;
  }
}

// `admin create --email E [--db URL]`, the password on standard input: the first admin.
int cmd_admin(const std::vector<std::string>& args, const PluginRegistry& plugins) {
  if (args.size() < 2 || args[1] != "create") {
    std::cerr << "gebruik: stagematch admin create --email E [--db URL] (wachtwoord via "
                 "standaardinvoer)\n";
    return 2;
  }
  Options o = parse_options(args, 2, {"--email", "--db"}, {});
  if (report_option_errors(o)) return 2;
  if (!o.has("--email")) {
    std::cerr << "stagematch admin create: geef --email\n";
    return 2;
  }
  std::string password;
  std::getline(std::cin, password);
  try {
    auto store = plugins.open_store(o.get("--db", "sqlite:var/stagematch.db"));
    SystemClock clock;
    MailTemplates mail("mail-templates", "Stagematch <info@stagematching.org>",
                       site_links("http://127.0.0.1:8080"));
    Accounts accounts(*store, mail, clock, AccountOptions{});
    auto created = accounts.create_admin(o.get("--email", ""), password);
    if (!created) {
      std::cerr << "stagematch admin create: " << created.error().message << "\n";
      return 1;
    }
    std::cout << "admin " << o.get("--email", "") << " aangemaakt\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "stagematch admin create: " << e.what() << "\n";
    return 1;
  }
}

// `backup --db sqlite:FILE --to FILE`: an online copy of the embedded database. PostgreSQL has
// pg_dump for that, which knows its own server better than we could.
int cmd_backup(const std::vector<std::string>& args, const PluginRegistry& plugins) {
  Options o = parse_options(args, 1, {"--db", "--to"}, {});
  if (report_option_errors(o)) return 2;
  if (!o.has("--to")) {
    std::cerr << "gebruik: stagematch backup --db sqlite:BESTAND --to BESTAND\n";
    return 2;
  }
  const std::string url = o.get("--db", "sqlite:var/stagematch.db");
  std::expected<std::string, std::string> done;
  try {
    const StorePlugin& plugin = plugins.store_for(url);
    if (!plugin.backup) {
      std::cerr << "stagematch backup: " << plugin.backup_elsewhere << "\n";
      return 2;
    }
    done = plugin.backup(url, o.get("--to", ""));
  } catch (const std::exception& e) {
    std::cerr << "stagematch backup: " << e.what() << "\n";
    return 2;
  }
  if (!done) {
    std::cerr << "stagematch backup: " << done.error() << "\n";
    return 1;
  }
  std::cout << "kopie gemaakt: " << o.get("--to", "") << " (" << *done << ")\n";
  return 0;
}

// `demo [--db URL]`: the demo data set in an empty database, and the logins to try it with.
int cmd_demo(const std::vector<std::string>& args, const PluginRegistry& plugins) {
  Options o = parse_options(args, 1, {"--db", "--workflows", "--rules"}, {"--help"});
  if (report_option_errors(o)) return 2;
  if (o.has("--help")) {
    std::cout << "gebruik: stagematch demo [--db URL] [--workflows DIR] [--rules DIR]\n";
    return 0;
  }
  LoadResult loaded =
      load_definitions(o.get("--workflows", "workflows"), o.get("--rules", "rules"));
  if (!loaded.ok()) {
    print_diagnostics(loaded.diagnostics);
    return 1;
  }
  const std::string db = o.get("--db", "sqlite:var/stagematch.db");
  try {
    auto store = plugins.open_store(db);
    SystemClock clock;
    MailTemplates mail("mail-templates", "Stagematch <info@stagematching.org>",
                       site_links("http://127.0.0.1:8080"));
    Accounts accounts(*store, mail, clock, AccountOptions{});
    auto demo =
        load_demo(*store, *store, accounts, with_published(*store, loaded.definitions), clock);
    if (!demo) {
      std::cerr << "stagematch demo: " << demo.error() << "\n";
      return 1;
    }
    if (demo->created) {
      std::cout << "demogegevens geladen: " << demo->students
                << " leerlingen, een kalender per traject:\n";
      for (const auto& line : demo->calendars) std::cout << "  " << line << "\n";
    } else {
      std::cout << "de demogegevens waren al geladen; niets veranderd\n";
    }
    std::cout << "demologins (wachtwoord voor elk: " << demo->password << "):\n";
    for (const auto& login : demo->logins)
      std::cout << "  "
                << (login.role == role::kAdmin    ? "beheerder"
                    : login.role == role::kSchool ? "school   "
                                                  : "dienst   ")
                << "  " << login.email
                << (login.organisation.empty() ? "" : "  (" + login.organisation + ")") << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "stagematch demo: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace

int run_cli(const std::vector<std::string>& args, const PluginRegistry& plugins) {
  if (args.empty() || args[0] == "--help" || args[0] == "help") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  const std::string& cmd = args[0];
  if (cmd == "check") return cmd_check(args);
  if (cmd == "simulate") return cmd_simulate(args);
  if (cmd == "serve") return cmd_serve(args, plugins);
  if (cmd == "admin") return cmd_admin(args, plugins);
  if (cmd == "demo") return cmd_demo(args, plugins);
  if (cmd == "backup") return cmd_backup(args, plugins);
  if (cmd == "purge") return cmd_purge(args, plugins);
  std::cerr << "stagematch: onbekend subcommando '" << cmd << "'\n" << kUsage;
  return 2;
}

}  // namespace stagematch

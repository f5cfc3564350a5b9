#include "cli.hpp"

#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <optional>

#include "clock.hpp"
#include "definitions.hpp"
#include "rules.hpp"
#include "server.hpp"
#include "timeline.hpp"

namespace stagematch {

namespace {

constexpr const char* kUsage = R"(gebruik: stagematch SUBCOMMANDO [opties]

  serve     --db URL --listen HOST:PORT --workflows DIR --rules DIR [--test-clock]
            start de server (nu: /healthz met de geladen kalenders)
  check     --workflows DIR --rules DIR
            controleert alle definities en regels; exit 0, of 1 met FILE:LINE:COLUMN per probleem
  simulate  --track T --year JJJJ-JJJJ [--format text|json] [--workflows DIR --rules DIR]
            toont de tijdlijn van een kalender: rondes, wat wie mag en ziet, en elke mail
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
                      const std::vector<std::string>& with_value, const std::vector<std::string>& flags) {
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
  LoadResult loaded = load_definitions(o.get("--workflows", "workflows"), o.get("--rules", "rules"));
  print_diagnostics(loaded.diagnostics);
  if (!loaded.ok()) {
    std::cerr << loaded.diagnostics.error_count() << " fout(en) gevonden\n";
    return 1;
  }
  const DefinitionSet& d = *loaded.definitions;
  std::cout << "ok: " << d.file_count << " bestanden, " << d.workflows.size() << " trajecten, "
            << d.calendars.size() << " kalenders, " << d.rule_functions.size() << " regelbestanden\n";
  return 0;
}

int cmd_simulate(const std::vector<std::string>& args) {
  Options o = parse_options(args, 1, {"--workflows", "--rules", "--track", "--year", "--format"}, {});
  if (report_option_errors(o)) return 2;
  std::string format = o.get("--format", "text");
  if (!o.has("--track") || !o.has("--year") || (format != "text" && format != "json")) {
    std::cerr << "stagematch simulate: geef --track en --year, en --format text of json\n" << kUsage;
    return 2;
  }
  LoadResult loaded = load_definitions(o.get("--workflows", "workflows"), o.get("--rules", "rules"));
  if (!loaded.ok()) {
    print_diagnostics(loaded.diagnostics);
    return 1;
  }
  const Calendar* cal = loaded.definitions->calendar(o.get("--track", ""), o.get("--year", ""));
  if (!cal) {
    std::cerr << "stagematch simulate: er is geen kalender voor traject '" << o.get("--track", "")
              << "' in schooljaar '" << o.get("--year", "") << "'. Beschikbaar:";
    for (const auto& [key, c] : loaded.definitions->calendars) std::cerr << " " << c.track << " " << c.year << ";";
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

int cmd_serve(const std::vector<std::string>& args) {
  Options o = parse_options(args, 1,
                            {"--db", "--listen", "--workflows", "--rules", "--mail-templates", "--smtp",
                             "--base-url"},
                            {"--test-clock"});
  if (report_option_errors(o)) return 2;
  LoadResult loaded = load_definitions(o.get("--workflows", "workflows"), o.get("--rules", "rules"));
  print_diagnostics(loaded.diagnostics);
  if (!loaded.ok()) {
    std::cerr << "stagematch serve: de definities bevatten fouten; de server start niet\n";
    return 1;
  }
  std::shared_ptr<Clock> clock;
  if (o.has("--test-clock"))
    clock = std::make_shared<TestClock>(SystemClock().now());
  else
    clock = std::make_shared<SystemClock>();
  ServerOptions so;
  so.listen = o.get("--listen", "127.0.0.1:8080");
  try {
    return serve(so, loaded.definitions, clock);
  } catch (const std::exception& e) {
    std::cerr << "stagematch serve: kan niet starten op " << so.listen << ": " << e.what() << "\n";
    return 1;
  }
}

}  // namespace

int run_cli(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "help") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  const std::string& cmd = args[0];
  if (cmd == "check") return cmd_check(args);
  if (cmd == "simulate") return cmd_simulate(args);
  if (cmd == "serve") return cmd_serve(args);
  std::cerr << "stagematch: onbekend subcommando '" << cmd << "'\n" << kUsage;
  return 2;
}

}  // namespace stagematch

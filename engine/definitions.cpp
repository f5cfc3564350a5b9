// Loading definitions from disk and the meaning pass across files.
#include "definitions.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "lua_sandbox.hpp"

namespace stagematch {

namespace fs = std::filesystem;

const Workflow* DefinitionSet::workflow(std::string_view track) const {
  auto it = workflows.find(track);
  return it == workflows.end() ? nullptr : &it->second;
}

const Calendar* DefinitionSet::calendar(std::string_view track, std::string_view year) const {
  auto it = calendars.find(std::string(track) + "/" + std::string(year));
  return it == calendars.end() ? nullptr : &it->second;
}

std::vector<const Calendar*> DefinitionSet::calendars_of(std::string_view track) const {
  std::vector<const Calendar*> out;
  for (const auto& [key, cal] : calendars)
    if (cal.track == track) out.push_back(&cal);
  return out;
}

bool DefinitionSet::has_rule(std::string_view ref) const {
  auto dot = ref.find('.');
  if (dot == std::string_view::npos) return false;
  auto it = rule_functions.find(ref.substr(0, dot));
  if (it == rule_functions.end()) return false;
  const auto& names = it->second;
  return std::find(names.begin(), names.end(), ref.substr(dot + 1)) != names.end();
}

namespace detail {

namespace {

bool contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

void check_rule(const DefinitionSet& set, std::string_view ref, const SourcePos& pos,
                Diagnostics& diags) {
  if (ref.empty() || set.has_rule(ref)) return;  // a missing key was reported by the first pass
  auto dot = ref.find('.');
  std::string module(ref.substr(0, dot == std::string_view::npos ? ref.size() : dot));
  if (dot == std::string_view::npos) {
    diags.error(pos, "WF0202",
                "regel '" + std::string(ref) + "' moet de vorm bestand.functie hebben");
  } else if (!set.rule_functions.contains(module)) {
    diags.error(
        pos, "WF0202",
        "regel '" + std::string(ref) + "' bestaat niet: er is geen rules/" + module + ".lua");
  } else {
    diags.error(pos, "WF0202",
                "regel '" + std::string(ref) + "' bestaat niet: rules/" + module +
                    ".lua heeft geen functie '" + std::string(ref.substr(dot + 1)) + "'");
  }
}

void check_field(const FieldDef& f, const std::vector<FieldDef>& all, Diagnostics& diags) {
  auto find = [&](std::string_view id) -> const FieldDef* {
    for (const auto& g : all)
      if (g.id == id) return &g;
    return nullptr;
  };
  bool choice_type = f.type == "enum" || f.type == "set";
  if (choice_type && f.values.empty())
    diags.error(f.type_pos, "WF0211",
                "veld '" + f.id + "' van type " + f.type + " heeft values nodig");
  if (!choice_type && !f.values.empty())
    diags.error(f.type_pos, "WF0211",
                "veld '" + f.id + "' van type " + f.type + " heeft geen values");
  if (f.type == "ref" && f.ref.empty())
    diags.error(f.type_pos, "WF0211", "veld '" + f.id + "' van type ref mist 'ref'");
  if (f.type == "periods") {
    const FieldDef* count = f.count_field.empty() ? nullptr : find(f.count_field);
    if (!f.count_field.empty() && !count)
      diags.error(f.count_field_pos, "WF0203",
                  "count_field '" + f.count_field + "' is geen veld van dit traject");
    else if (count && count->type != "integer")
      diags.error(f.count_field_pos, "WF0211",
                  "count_field '" + f.count_field + "' moet een integer-veld zijn");
  } else if (!f.count_field.empty() || f.max_days) {
    diags.error(f.type_pos, "WF0211", "count_field en max_days horen enkel bij type periods");
  }
  if (f.min && f.max && *f.min > *f.max)
    diags.error(f.pos, "WF0205", "veld '" + f.id + "': min is groter dan max");
  if (f.required_when) {
    const FieldDef* other = find(f.required_when->field);
    if (!other) {
      diags.error(f.required_when_pos, "WF0203",
                  "required_when verwijst naar onbekend veld '" + f.required_when->field + "'");
    } else {
      for (const auto& v : f.required_when->in)
        if (!other->has_value(v))
          diags.error(f.required_when_pos, "WF0211",
                      "'" + v + "' is geen waarde van veld '" + other->id + "'");
    }
  }
}

void resolve_workflow(Workflow& w, const DefinitionSet& set, Diagnostics& diags) {
  w.fields.clear();
  for (std::size_t i = 0; i < w.fieldsets.size(); ++i) {
    auto it = set.fieldsets.find(w.fieldsets[i]);
    if (it == set.fieldsets.end()) {
      diags.error(w.fieldsets_pos[i], "WF0203", "fieldset '" + w.fieldsets[i] + "' bestaat niet");
      continue;
    }
    w.fields.insert(w.fields.end(), it->second.fields.begin(), it->second.fields.end());
  }
  w.fields.insert(w.fields.end(), w.own_fields.begin(), w.own_fields.end());
  std::set<std::string> ids;
  for (const auto& f : w.fields)
    if (!f.id.empty() && !ids.insert(f.id).second)
      diags.error(f.pos, "WF0206",
                  "veld '" + f.id + "' is al gedefinieerd in traject '" + w.name + "'");
  // Fieldset fields were checked with their fieldset; the track's own fields may refer to them.
  for (const auto& f : w.own_fields) check_field(f, w.fields, diags);

  std::set<std::string> status_ids;
  int initial = 0;
  for (const auto& s : w.statuses) {
    if (!s.id.empty() && !status_ids.insert(s.id).second)
      diags.error(s.pos, "WF0206", "status '" + s.id + "' is twee keer gedefinieerd");
    if (s.initial) ++initial;
  }
  if (initial != 1)
    diags.error(w.statuses_pos, "WF0207",
                "workflow '" + w.name + "' heeft " + std::to_string(initial) +
                    " beginstatussen; er moet er precies één initial: true zijn");

  for (const auto& t : w.transitions) {
    for (std::size_t i = 0; i < t.from.size(); ++i)
      if (!status_ids.contains(t.from[i]))
        diags.error(t.from_pos[i], "WF0201",
                    "transitie vertrekt van onbekende status '" + t.from[i] + "'");
    if (!t.to.empty() && !status_ids.contains(t.to))
      diags.error(t.to_pos, "WF0201", "transitie gaat naar onbekende status '" + t.to + "'");
    for (std::size_t i = 0; i < t.requirements.size(); ++i)
      if (!contains(known_requirements(), t.requirements[i]))
        diags.error(t.requirements_pos[i], "WF0208",
                    "onbekende vereiste '" + t.requirements[i] +
                        "' (kies uit: mentor, periods, notes, reason)");
    for (std::size_t i = 0; i < t.effects.size(); ++i)
      if (!contains(known_effects(), t.effects[i]))
        diags.error(t.effects_pos[i], "WF0208",
                    "onbekend effect '" + t.effects[i] +
                        "' (kies uit: reveal_personal, notify_school, count_status, release)");
    check_rule(set, t.when, t.when_pos, diags);
  }
  for (const auto& c : w.checks) check_rule(set, c.rule, c.pos, diags);
  for (std::size_t i = 0; i < w.personal_fields.size(); ++i) {
    const auto& name = w.personal_fields[i];
    bool derived = name == "school_contact.phone" || name == "school_contact.email";
    if (!derived && !w.field(name))
      diags.error(w.personal_pos[i], "WF0203", "persoonlijk veld '" + name + "' bestaat niet");
  }
  for (std::size_t i = 0; i < w.revealed_by.size(); ++i)
    if (!status_ids.contains(w.revealed_by[i]))
      diags.error(w.revealed_by_pos[i], "WF0201",
                  "revealed_by noemt onbekende status '" + w.revealed_by[i] + "'");
}

void resolve_calendar(const Calendar& c, const DefinitionSet& set, Diagnostics& diags) {
  if (!c.track.empty() && !set.workflows.contains(c.track))
    diags.error(c.track_pos, "WF0203", "kalender voor onbekend traject '" + c.track + "'");
  if (!is_school_year(c.year)) {
    diags.error(c.year_pos, "WF0209",
                "schooljaar '" + c.year + "' moet JJJJ-JJJJ zijn met opeenvolgende jaren");
  } else if (c.name != c.track + "-" + c.year) {
    diags.error(c.pos, "WF0209",
                "de naam van deze kalender moet '" + c.track + "-" + c.year + "' zijn");
  }
  check_rule(set, c.rules.visibility, c.rules.visibility_pos, diags);
  check_rule(set, c.rules.timing, c.rules.timing_pos, diags);
  check_rule(set, c.rules.events, c.rules.events_pos, diags);

  std::set<std::string> ids;
  for (std::size_t i = 0; i < c.rounds.size(); ++i) {
    const Round& r = c.rounds[i];
    if (!r.id.empty() && !ids.insert(r.id).second)
      diags.error(r.pos, "WF0206", "ronde '" + r.id + "' is twee keer gedefinieerd");
    if (r.window.closes && *r.window.closes <= r.window.opens)
      diags.error(r.closes_pos, "WF0205",
                  "ronde '" + r.id + "' sluit (" + format_local(*r.window.closes) +
                      ") niet na de opening (" + format_local(r.window.opens) + ")");
    if (!r.closes_written && r.kind != "open_ended" && r.kind != "closed")
      diags.error(r.pos, "WF0104", "ronde '" + r.id + "' van soort " + r.kind + " mist 'closes'");
    if (i == 0) continue;
    const Round& prev = c.rounds[i - 1];
    if (r.window.opens < prev.window.opens) {
      diags.error(r.opens_pos, "WF0205",
                  "ronde '" + r.id + "' begint voor ronde '" + prev.id +
                      "': zet de rondes in volgorde van tijd");
    } else if (!prev.window.closes || r.window.opens < *prev.window.closes) {
      diags.error(
          r.opens_pos, "WF0204",
          "ronde '" + r.id + "' (vanaf " + format_local(r.window.opens) + ") overlapt met ronde '" +
              prev.id + "' (" +
              (prev.window.closes ? "tot " + format_local(*prev.window.closes) : "zonder einde") +
              ")");
    }
  }
  // No registration that nobody will see: a registration window may not outlive the last moment
  // at which a service can still see a new request.
  const std::optional<Instant> last_visible = c.last_visible_moment();
  auto check_registration = [&](const std::optional<Window>& w, const SourcePos& pos) {
    if (!w || !last_visible) return;
    if (!w->closes || *w->closes > *last_visible)
      diags.error(pos, "WF0212",
                  "de registratie loopt " +
                      (w->closes ? until_nl(*w->closes) : std::string("zonder einde")) +
                      ", maar na " + format_local_nl(*last_visible) +
                      " ziet geen enkele dienst nog een nieuwe aanvraag: laat de registratie "
                      "uiterlijk dan sluiten");
  };
  check_registration(c.registration, c.registration_pos);
  for (const auto& r : c.rounds) check_registration(r.registration, r.registration_pos);

  std::set<std::string> blackout_ids;
  for (const auto& b : c.blackouts) {
    if (!b.id.empty() && !blackout_ids.insert(b.id).second)
      diags.error(b.pos, "WF0206", "blackout '" + b.id + "' is twee keer gedefinieerd");
    if (b.window.closes && *b.window.closes <= b.window.opens)
      diags.error(b.closes_pos, "WF0205", "blackout '" + b.id + "' sluit niet na de opening");
    if (b.visible_from && b.window.closes && *b.visible_from < *b.window.closes)
      diags.error(b.visible_from_pos, "WF0205",
                  "visible_from van blackout '" + b.id + "' ligt voor het einde van de blackout");
    if (b.visible_from && last_visible && *b.visible_from >= *last_visible)
      diags.error(b.visible_from_pos, "WF0212",
                  "wie tijdens blackout '" + b.id + "' registreert, wordt pas zichtbaar vanaf " +
                      format_local_nl(*b.visible_from) + ", maar na " +
                      format_local_nl(*last_visible) +
                      " ziet geen enkele dienst nog een nieuwe aanvraag");
  }
}

}  // namespace

void resolve_definitions(ParsedFiles parsed, DefinitionSet& set, Diagnostics& diags) {
  for (auto& fsd : parsed.fieldsets) {
    if (fsd.name.empty()) continue;
    if (set.fieldsets.contains(fsd.name)) {
      diags.error(fsd.pos, "WF0110",
                  "fieldset '" + fsd.name + "' is al gedefinieerd in " +
                      set.fieldsets.at(fsd.name).pos.file);
      continue;
    }
    std::set<std::string> ids;
    for (const auto& f : fsd.fields) {
      if (!f.id.empty() && !ids.insert(f.id).second)
        diags.error(f.pos, "WF0206",
                    "veld '" + f.id + "' staat twee keer in fieldset '" + fsd.name + "'");
      check_field(f, fsd.fields, diags);
    }
    set.fieldsets.emplace(fsd.name, std::move(fsd));
  }
  for (auto& w : parsed.workflows) {
    if (w.name.empty()) continue;
    if (set.workflows.contains(w.name)) {
      diags.error(
          w.pos, "WF0110",
          "workflow '" + w.name + "' is al gedefinieerd in " + set.workflows.at(w.name).pos.file);
      continue;
    }
    resolve_workflow(w, set, diags);
    set.workflows.emplace(w.name, std::move(w));
  }
  for (auto& c : parsed.calendars) {
    resolve_calendar(c, set, diags);
    std::string key = c.track + "/" + c.year;
    if (auto it = set.calendars.find(key); it != set.calendars.end()) {
      diags.error(
          c.pos, "WF0210",
          "er is al een kalender voor " + c.track + " " + c.year + " in " + it->second.pos.file);
      continue;
    }
    set.calendars.emplace(key, std::move(c));
  }
}

}  // namespace detail

namespace {

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void load_rules(const fs::path& rules_dir, DefinitionSet& set, SandboxLimits limits,
                Diagnostics& diags) {
  auto sandbox = std::make_shared<LuaSandbox>(limits);
  std::vector<fs::path> files;
  std::error_code ec;
  if (!fs::is_directory(rules_dir, ec)) {
    diags.error({rules_dir.generic_string(), 0, 0}, "RL0301", "de map met regels bestaat niet");
  } else {
    for (const auto& entry : fs::directory_iterator(rules_dir, ec))
      if (entry.is_regular_file() && entry.path().extension() == ".lua")
        files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& p : files) {
    std::string label = (rules_dir / p.filename()).lexically_normal().generic_string();
    std::string module = p.stem().string();
    std::string source = read_file(p);
    ++set.file_count;
    if (auto added = sandbox->add_module(module, source, label); !added) {
      const RuleError& e = added.error();
      diags.error({label, e.line > 0 ? e.line : 1, 1}, e.code == "LUA_BINARY" ? "RL0302" : "RL0301",
                  e.message);
      continue;
    }
    auto names = sandbox->functions(module);
    if (!names) {
      const RuleError& e = names.error();
      diags.error({label, e.line > 0 ? e.line : 1, 1}, "RL0303", e.message);
      continue;
    }
    set.rule_functions[module] = *names;
  }
  set.rules = std::move(sandbox);
}

// rules/transport.lua when the rules have it: a function `hint` that
// answers every sample question (means of transport, kilometres, distance to a centrumstad)
// with a text or nothing. Reported at `label` as RL0304 otherwise.
void check_transport_rule(const DefinitionSet& set, const std::string& label, Diagnostics& diags) {
  if (!set.rules || !set.rule_functions.contains("transport")) return;
  if (!set.has_rule("transport.hint")) {
    diags.error({label, 1, 1}, "RL0304", "rules/transport.lua heeft geen functie 'hint'");
    return;
  }
  const std::vector<Object> samples = {
      {{"modes", Array{"fiets"}}, {"km", 30}, {"stad_km", 12.0}},
      {{"modes", Array{"openbaar_vervoer"}}, {"km", 15}, {"stad_km", 12.0}},
      {{"modes", Array{"auto", "bromfiets"}}, {"km", 5}, {"stad_km", 0.0}},
      {{"modes", Array{"elektrische_fiets"}}},
  };
  for (const Object& sample : samples) {
    auto answer = set.rules->call("transport", "hint", {Value(sample)});
    if (!answer) {
      diags.error({label, answer.error().line > 0 ? answer.error().line : 1, 1}, "RL0304",
                  answer.error().message);
      return;
    }
    if (!answer->is_null() && !answer->is_string()) {
      diags.error({label, 1, 1}, "RL0304",
                  "transport.hint moet een tekst of nil teruggeven, niet " + answer->to_json());
      return;
    }
  }
}

}  // namespace

LoadResult load_definitions(const fs::path& workflows_dir, const fs::path& rules_dir,
                            SandboxLimits limits) {
  LoadResult result;
  result.definitions = std::make_shared<DefinitionSet>();
  DefinitionSet& set = *result.definitions;
  load_rules(rules_dir, set, limits, result.diagnostics);
  check_transport_rule(set, (rules_dir / "transport.lua").lexically_normal().generic_string(),
                       result.diagnostics);

  std::vector<fs::path> files;
  std::error_code ec;
  if (!fs::is_directory(workflows_dir, ec)) {
    result.diagnostics.error({workflows_dir.generic_string(), 0, 0}, "WF0101",
                             "de map met definities bestaat niet");
  } else {
    for (const auto& entry : fs::recursive_directory_iterator(workflows_dir, ec))
      if (entry.is_regular_file() &&
          (entry.path().extension() == ".yaml" || entry.path().extension() == ".yml"))
        files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  detail::ParsedFiles parsed;
  for (const auto& p : files) {
    std::string label =
        (workflows_dir / p.lexically_relative(workflows_dir)).lexically_normal().generic_string();
    detail::parse_definition(label, read_file(p), result.diagnostics, parsed);
    ++set.file_count;
  }
  detail::resolve_definitions(std::move(parsed), set, result.diagnostics);
  return result;
}

LoadResult with_calendar(const DefinitionSet& base, const std::string& file_label,
                         std::string_view yaml_text) {
  LoadResult result;
  detail::ParsedFiles parsed;
  detail::parse_definition(file_label, yaml_text, result.diagnostics, parsed);
  if (parsed.calendars.size() != 1 || !parsed.workflows.empty() || !parsed.fieldsets.empty()) {
    if (!result.diagnostics.has_errors())
      result.diagnostics.error({file_label, 1, 1}, "WF0106",
                               "dit is geen kalender (kind: calendar)");
    return result;
  }
  auto set = std::make_shared<DefinitionSet>(base);
  Calendar& cal = parsed.calendars.front();
  set->calendars.erase(cal.track + "/" + cal.year);
  detail::ParsedFiles only_calendar;
  only_calendar.calendars.push_back(std::move(cal));
  detail::resolve_definitions(std::move(only_calendar), *set, result.diagnostics);
  result.definitions = std::move(set);
  return result;
}

std::shared_ptr<const DefinitionSet> with_calendars(std::shared_ptr<const DefinitionSet> base,
                                                    const std::vector<CalendarText>& calendars,
                                                    std::vector<std::string>& skipped) {
  for (const auto& calendar : calendars) {
    LoadResult applied = with_calendar(*base, calendar.label, calendar.yaml);
    if (applied.ok() && applied.definitions) {
      base = std::move(applied.definitions);
      continue;
    }
    for (const auto& d : applied.diagnostics.sorted())
      if (d.severity == Severity::kError) skipped.push_back(d.to_string());
  }
  return base;
}

}  // namespace stagematch

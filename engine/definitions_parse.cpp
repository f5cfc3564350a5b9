// The structure pass: one file at a time, types and keys, no cross-references.
#include <algorithm>

#include "definitions.hpp"
#include "yaml_reader.hpp"

namespace stagematch::detail {

namespace {

constexpr std::string_view kHeader[] = {"kind", "name", "version"};

FieldDef parse_field(YamlReader& r, const YAML::Node& n) {
  FieldDef f;
  f.pos = r.pos(n);
  if (!r.mapping(n, "een veld", {"id", "label", "type"},
                 {"section", "required", "required_when", "values", "min", "max", "max_length",
                  "max_days", "count_field", "ref", "personal", "help"}))
    return f;
  f.id = r.identifier(n, "id").value_or("");
  f.label = r.text(n, "label").value_or("");
  f.section = r.choice(n, "section", {"student", "stage"}).value_or("student");
  f.type = r.choice(n, "type", known_field_types()).value_or("");
  f.type_pos = r.pos_of(n, "type");
  f.required = r.boolean(n, "required").value_or(false);
  f.min = r.number(n, "min");
  f.max = r.number(n, "max");
  if (auto v = r.integer(n, "max_length")) f.max_length = static_cast<int>(*v);
  if (auto v = r.integer(n, "max_days")) f.max_days = static_cast<int>(*v);
  f.count_field = r.text(n, "count_field").value_or("");
  f.count_field_pos = r.pos_of(n, "count_field");
  f.ref = r.choice(n, "ref", {"school_contact", "service"}).value_or("");
  f.personal = r.boolean(n, "personal").value_or(false);
  f.help = r.text(n, "help").value_or("");
  if (const YAML::Node rw = n["required_when"]; rw.IsDefined()) {
    f.required_when_pos = r.pos(rw);
    if (r.mapping(rw, "required_when", {"field", "in"}, {})) {
      RequiredWhen when;
      when.field = r.text(rw, "field").value_or("");
      when.in = r.text_list(rw, "in").value_or(std::vector<std::string>{});
      f.required_when = std::move(when);
    }
  }
  return f;
}

// Value ids are stored and sent as they are written (province codes are upper case: ANT).
bool is_value_id(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// `values` is a free mapping id -> label: read it without the unknown-key check.
void parse_values(YamlReader& r, const YAML::Node& n, FieldDef& f) {
  const YAML::Node values = n["values"];
  if (!values.IsDefined()) return;
  if (!values.IsMap()) {
    r.error(values, "WF0105", "'values' moet een mapping id: label zijn");
    return;
  }
  for (const auto& kv : values) {
    if (!kv.first.IsScalar() || !is_value_id(kv.first.Scalar())) {
      r.error(kv.first, "WF0109",
              "'" + (kv.first.IsScalar() ? kv.first.Scalar() : std::string("?")) +
                  "' is geen geldige waarde-id: gebruik letters, cijfers en _");
      continue;
    }
    if (!kv.second.IsScalar()) {
      r.error(kv.second, "WF0105", "het label van '" + kv.first.Scalar() + "' moet tekst zijn");
      continue;
    }
    f.values.emplace_back(kv.first.Scalar(), kv.second.Scalar());
  }
}

std::vector<FieldDef> parse_fields(YamlReader& r, const YAML::Node& list) {
  std::vector<FieldDef> out;
  if (!list.IsDefined() || !r.sequence(list, "fields")) return out;
  for (const auto& item : list) {
    FieldDef f = parse_field(r, item);
    if (item.IsMap()) parse_values(r, item, f);
    out.push_back(std::move(f));
  }
  return out;
}

void parse_fieldset(YamlReader& r, const YAML::Node& root, ParsedFiles& out) {
  if (!r.mapping(root, "een fieldset", {"kind", "name", "version", "fields"}, {})) return;
  Fieldset fs;
  fs.name = r.identifier(root, "name").value_or("");
  fs.version = static_cast<int>(r.integer(root, "version").value_or(0));
  fs.pos = r.pos(root);
  fs.fields = parse_fields(r, root["fields"]);
  out.fieldsets.push_back(std::move(fs));
}

void parse_workflow(YamlReader& r, const YAML::Node& root, ParsedFiles& out) {
  if (!r.mapping(root, "een workflow",
                 {"kind", "name", "version", "label", "statuses", "transitions"},
                 {"fieldsets", "fields", "checks", "personal", "labels"}))
    return;
  Workflow w;
  w.pos = r.pos(root);
  w.name = r.identifier(root, "name").value_or("");
  w.version = static_cast<int>(r.integer(root, "version").value_or(0));
  w.label = r.text(root, "label").value_or("");
  w.fieldsets =
      r.text_list(root, "fieldsets", &w.fieldsets_pos).value_or(std::vector<std::string>{});
  w.own_fields = parse_fields(r, root["fields"]);

  if (const YAML::Node checks = root["checks"];
      checks.IsDefined() && r.sequence(checks, "checks")) {
    for (const auto& c : checks) {
      if (!r.mapping(c, "een check", {"rule"}, {"severity"})) continue;
      CheckDef check;
      check.rule = r.text(c, "rule").value_or("");
      check.pos = r.pos_of(c, "rule");
      check.severity = r.choice(c, "severity", {"error", "warning"}).value_or("error") == "warning"
                           ? Severity::kWarning
                           : Severity::kError;
      w.checks.push_back(std::move(check));
    }
  }

  w.statuses_pos = r.pos_of(root, "statuses");
  if (const YAML::Node statuses = root["statuses"]; r.sequence(statuses, "statuses")) {
    for (const auto& s : statuses) {
      if (!r.mapping(s, "een status", {"id", "label"}, {"initial", "exclusive", "final"})) continue;
      StatusDef st;
      st.pos = r.pos_of(s, "id");
      st.id = r.identifier(s, "id").value_or("");
      st.label = r.text(s, "label").value_or("");
      st.initial = r.boolean(s, "initial").value_or(false);
      st.exclusive = r.boolean(s, "exclusive").value_or(false);
      st.final = r.boolean(s, "final").value_or(false);
      w.statuses.push_back(std::move(st));
    }
  }

  if (const YAML::Node transitions = root["transitions"]; r.sequence(transitions, "transitions")) {
    for (const auto& t : transitions) {
      if (!r.mapping(t, "een transitie", {"from", "to", "when"}, {"by", "requires", "effects"}))
        continue;
      TransitionDef row;
      row.pos = r.pos(t);
      row.from = r.text_list(t, "from", &row.from_pos, true).value_or(std::vector<std::string>{});
      row.to = r.text(t, "to").value_or("");
      row.to_pos = r.pos_of(t, "to");
      row.by = r.choice(t, "by", {"service", "admin"}).value_or("service");
      row.when = r.text(t, "when").value_or("");
      row.when_pos = r.pos_of(t, "when");
      row.requirements =
          r.text_list(t, "requires", &row.requirements_pos).value_or(std::vector<std::string>{});
      row.effects =
          r.text_list(t, "effects", &row.effects_pos).value_or(std::vector<std::string>{});
      w.transitions.push_back(std::move(row));
    }
  }

  if (const YAML::Node personal = root["personal"]; personal.IsDefined()) {
    if (r.mapping(personal, "personal", {"fields", "revealed_by"}, {})) {
      w.personal_fields =
          r.text_list(personal, "fields", &w.personal_pos).value_or(std::vector<std::string>{});
      w.revealed_by = r.text_list(personal, "revealed_by", &w.revealed_by_pos)
                          .value_or(std::vector<std::string>{});
    }
  }
  if (const YAML::Node labels = root["labels"]; labels.IsDefined()) {
    if (r.mapping(labels, "labels", {},
                  {"organisation", "organisations", "person", "persons", "partner", "partners",
                   "contact", "mentor", "mentors"})) {
      for (const auto& [key, member] : TrackLabels::keys()) {
        if (!labels[std::string(key)].IsDefined()) continue;
        auto value = r.text(labels, key);
        if (value && value->find_first_not_of(" \t") == std::string::npos) {
          r.error(labels[std::string(key)], "WF0105",
                  "'" + std::string(key) + "' mag niet leeg zijn");
        } else if (value) {
          w.labels.*member = *value;
        }
      }
    }
  }
  out.workflows.push_back(std::move(w));
}

std::optional<Window> parse_window(YamlReader& r, const YAML::Node& n, std::string_view what,
                                   bool closes_required) {
  if (!n.IsDefined()) return std::nullopt;
  if (!r.mapping(n, what,
                 closes_required ? std::initializer_list<std::string_view>{"opens", "closes"}
                                 : std::initializer_list<std::string_view>{"opens"},
                 closes_required ? std::initializer_list<std::string_view>{}
                                 : std::initializer_list<std::string_view>{"closes"}))
    return std::nullopt;
  auto opens = r.moment(n, "opens");
  auto closes = r.end_moment(n, "closes");
  if (!opens) return std::nullopt;
  if (closes && *closes <= *opens) {
    r.diagnostics().error(r.pos_of(n, "closes"), "WF0205",
                          std::string(what) + " sluit (" + format_local(*closes) +
                              ") niet na de opening (" + format_local(*opens) + ")");
  }
  return Window{*opens, closes};
}

// Where a window's end is reported: its `closes`, or the window when it has none.
SourcePos end_pos(YamlReader& r, const YAML::Node& window) {
  if (!window.IsDefined()) return {};
  return window.IsMap() && window["closes"].IsDefined() ? r.pos_of(window, "closes")
                                                        : r.pos(window);
}

void parse_reminders(YamlReader& r, const YAML::Node& n, Reminders& out) {
  if (!n.IsDefined() ||
      !r.mapping(n, "reminders", {}, {"every_days", "at", "closing_soon_days", "until"}))
    return;
  out.until = r.end_moment(n, "until");
  if (auto v = r.integer(n, "every_days")) {
    if (*v < 1 || *v > 366) {
      r.error(n["every_days"], "WF0108", "every_days moet tussen 1 en 366 liggen");
    } else {
      out.every_days = static_cast<int>(*v);
    }
  }
  if (auto v = r.integer(n, "closing_soon_days")) {
    if (*v < 0 || *v > 60) {
      r.error(n["closing_soon_days"], "WF0108", "closing_soon_days moet tussen 0 en 60 liggen");
    } else {
      out.closing_soon_days = static_cast<int>(*v);
    }
  }
  if (auto at = r.text(n, "at")) {
    auto parsed = parse_local("2000-01-01 " + *at);
    if (!parsed || at->size() != 5) {
      r.error(n["at"], "WF0107", "'" + *at + "' is geen uur; schrijf UU:MM, bv. 09:00");
    } else {
      out.at_hour = parsed->hour;
      out.at_minute = parsed->minute;
    }
  }
}

void parse_calendar(YamlReader& r, const YAML::Node& root, ParsedFiles& out) {
  if (!r.mapping(root, "een kalender", {"kind", "name", "version", "track", "year", "rounds"},
                 {"rules", "registration", "blackouts", "results_at", "reminders", "label"}))
    return;
  Calendar c;
  c.pos = r.pos(root);
  c.name = r.text(root, "name").value_or("");
  c.version = static_cast<int>(r.integer(root, "version").value_or(0));
  c.track = r.identifier(root, "track").value_or("");
  c.track_pos = r.pos_of(root, "track");
  c.year = r.text(root, "year").value_or("");
  c.year_pos = r.pos_of(root, "year");
  if (const YAML::Node rules = root["rules"]; rules.IsDefined()) {
    if (r.mapping(rules, "rules", {}, {"visibility", "timing", "events"})) {
      c.rules.visibility = r.text(rules, "visibility").value_or(c.rules.visibility);
      c.rules.timing = r.text(rules, "timing").value_or(c.rules.timing);
      c.rules.events = r.text(rules, "events").value_or(c.rules.events);
      c.rules.visibility_pos = r.pos_of(rules, "visibility");
      c.rules.timing_pos = r.pos_of(rules, "timing");
      c.rules.events_pos = r.pos_of(rules, "events");
    }
  } else {
    c.rules.visibility_pos = c.rules.timing_pos = c.rules.events_pos = c.pos;
  }
  c.registration = parse_window(r, root["registration"], "registration", true);
  c.registration_pos = end_pos(r, root["registration"]);
  c.results_at = r.moment(root, "results_at");
  parse_reminders(r, root["reminders"], c.reminders);

  if (const YAML::Node blackouts = root["blackouts"];
      blackouts.IsDefined() && r.sequence(blackouts, "blackouts")) {
    for (const auto& b : blackouts) {
      if (!r.mapping(b, "een blackout", {"id", "opens", "closes"}, {"label", "visible_from"}))
        continue;
      Blackout bo;
      bo.pos = r.pos_of(b, "id");
      bo.id = r.identifier(b, "id").value_or("");
      bo.label = r.text(b, "label").value_or("");
      auto opens = r.moment(b, "opens");
      auto closes = r.end_moment(b, "closes");
      bo.closes_pos = r.pos_of(b, "closes");
      bo.visible_from = r.moment(b, "visible_from");
      bo.visible_from_pos = r.pos_of(b, "visible_from");
      if (!opens || !closes) continue;
      bo.window = Window{*opens, closes};
      c.blackouts.push_back(std::move(bo));
    }
  }

  if (const YAML::Node rounds = root["rounds"]; r.sequence(rounds, "rounds")) {
    for (const auto& n : rounds) {
      if (!r.mapping(n, "een ronde", {"id", "kind", "opens"},
                     {"label", "closes", "notify_schools", "registration", "results_at", "period",
                      "scope", "note"}))
        continue;
      Round round;
      round.pos = r.pos_of(n, "id");
      round.id = r.identifier(n, "id").value_or("");
      round.label = r.text(n, "label").value_or(round.id);
      round.kind = r.choice(n, "kind", known_round_kinds()).value_or("closed");
      round.notify_schools = r.boolean(n, "notify_schools").value_or(false);
      round.scope = r.choice(n, "scope", {"all", "province"}).value_or("all");
      round.note = r.text(n, "note").value_or("");
      round.opens_pos = r.pos_of(n, "opens");
      round.closes_pos = r.pos_of(n, "closes");
      round.closes_written = n["closes"].IsDefined();
      auto opens = r.moment(n, "opens");
      auto closes = r.end_moment(n, "closes");
      if (!opens) continue;
      round.window = Window{*opens, closes};
      round.registration =
          parse_window(r, n["registration"], "de inschrijving van een ronde", false);
      round.registration_pos = end_pos(r, n["registration"]);
      round.results_at = r.moment(n, "results_at");
      if (const YAML::Node period = n["period"]; period.IsDefined()) {
        if (r.mapping(period, "period", {"from", "to"}, {})) {
          auto from = r.date(period, "from");
          auto to = r.date(period, "to");
          if (from && to) {
            round.period_from = r.text(period, "from");
            round.period_to = r.text(period, "to");
            if (from_brussels(*to) < from_brussels(*from)) {
              r.diagnostics().error(r.pos_of(period, "to"), "WF0205",
                                    "de stageperiode eindigt voor ze begint");
            }
          }
        }
      }
      c.rounds.push_back(std::move(round));
    }
  }
  out.calendars.push_back(std::move(c));
}

}  // namespace

void parse_definition(const std::string& file_label, std::string_view text, Diagnostics& diags,
                      ParsedFiles& out) {
  YamlReader r(file_label, diags);
  auto root = r.parse(text);
  if (!root) return;
  if (!root->IsMap()) {
    r.error(*root, "WF0106", "een definitie begint met kind, name en version");
    return;
  }
  for (auto key : kHeader) {
    if (!(*root)[std::string(key)].IsDefined()) {
      r.error(*root, "WF0106", "de kop mist '" + std::string(key) + "' (kind, name, version)");
      return;
    }
  }
  auto kind = r.text(*root, "kind");
  if (!kind) return;
  if (*kind == "workflow") {
    parse_workflow(r, *root, out);
  } else if (*kind == "fieldset") {
    parse_fieldset(r, *root, out);
  } else if (*kind == "calendar") {
    parse_calendar(r, *root, out);
  } else {
    r.error((*root)["kind"], "WF0106",
            "onbekend kind '" + *kind + "' (kies uit: workflow, fieldset, calendar)");
  }
}

}  // namespace stagematch::detail

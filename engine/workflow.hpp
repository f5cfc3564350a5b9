// A track's workflow as defined in workflows/tracks/*.yaml: fields, statuses, transitions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "diagnostics.hpp"

namespace stagematch {

struct RequiredWhen {
  std::string field;
  std::vector<std::string> in;
};

struct FieldDef {
  std::string id;
  std::string label;
  std::string section;
  std::string type;  // text email phone national_number postal_code enum set integer number date
                     // periods ref
  bool required = false;
  std::optional<RequiredWhen> required_when;
  std::vector<std::pair<std::string, std::string>> values;  // enum/set: id -> Dutch label
  std::optional<double> min;
  std::optional<double> max;
  std::optional<int> max_length;
  std::optional<int> max_days;
  std::string count_field;
  std::string ref;
  bool personal = false;
  std::string help;
  SourcePos pos;
  SourcePos type_pos;
  SourcePos count_field_pos;
  SourcePos required_when_pos;

  bool has_value(std::string_view id) const;
  // A text of more than kMultilineFrom characters may hold line breaks (a text area on the
  // form); every other field is one line, without line breaks or tabs.
  static constexpr int kMultilineFrom = 200;
  bool multiline() const { return type == "text" && max_length && *max_length > kMultilineFrom; }
};

struct Fieldset {
  std::string name;
  int version = 0;
  std::vector<FieldDef> fields;
  SourcePos pos;
};

struct StatusDef {
  std::string id;
  std::string label;
  bool initial = false;
  bool exclusive = false;
  bool final = false;
  SourcePos pos;
};

struct TransitionDef {
  std::vector<std::string> from;
  std::string to;
  std::string by = "service";  // service | admin
  std::string when;            // Lua guard, "module.function"
  std::vector<std::string> requirements;
  std::vector<std::string> effects;
  SourcePos pos;     // the row
  SourcePos to_pos;  // the `to` value
  std::vector<SourcePos> from_pos;
  SourcePos when_pos;
  std::vector<SourcePos> requirements_pos;
  std::vector<SourcePos> effects_pos;

  bool needs(std::string_view what) const;
  bool has_effect(std::string_view what) const;
};

struct CheckDef {
  std::string rule;  // "module.function"
  Severity severity = Severity::kError;
  SourcePos pos;
};

// How a track names its people and organisations on pages, in exports and mails (`labels:`),
// in lower case as they read inside a sentence; pages capitalise them where a sentence starts.
// The defaults are the words of the four school tracks.
struct TrackLabels {
  std::string organisation = "school";  // who registers (the `school` role)
  std::string organisations = "scholen";
  std::string person = "student";  // who is registered (a request)
  std::string persons = "studenten";
  std::string partner = "dienst";  // who takes the person in (the `service` role)
  std::string partners = "diensten";
  std::string contact = "stage-/werkplekbegeleider";  // the organisation's contact person
  std::string mentor = "stagementor";                 // the partner's contact person
  std::string mentors = "stagementoren";

  bool operator==(const TrackLabels&) const = default;

  // The YAML keys, in the order above, with the member each sets.
  static const std::vector<std::pair<std::string_view, std::string TrackLabels::*>>& keys();
};

// `text` with its first letter upper case (ASCII letters; other text is left as it is).
std::string capitalised(std::string text);

struct Workflow {
  std::string name;
  int version = 0;
  std::string label;
  std::vector<std::string> fieldsets;
  std::vector<FieldDef> own_fields;  // `fields:` of the track itself
  std::vector<FieldDef> fields;      // resolved: fieldsets first, then own fields
  std::vector<CheckDef> checks;
  std::vector<StatusDef> statuses;
  std::vector<TransitionDef> transitions;
  std::vector<std::string> personal_fields;
  std::vector<std::string> revealed_by;
  TrackLabels labels;
  std::vector<SourcePos> fieldsets_pos;
  std::vector<SourcePos> personal_pos;
  std::vector<SourcePos> revealed_by_pos;
  SourcePos statuses_pos;
  SourcePos pos;

  const StatusDef* status(std::string_view id) const;
  const StatusDef* initial_status() const;
  const FieldDef* field(std::string_view id) const;
  // The transition row for (from -> to) done by `role`, or null when the table has none.
  const TransitionDef* transition(std::string_view from, std::string_view to,
                                  std::string_view role) const;
  // Statuses reachable in one step from `from` by `role`.
  std::vector<std::string> next_statuses(std::string_view from, std::string_view role) const;
  bool is_personal(std::string_view field) const;
  bool reveals(std::string_view status) const;
};

// What the engine knows how to require and to do; the checker refuses anything else.
const std::vector<std::string>& known_requirements();
const std::vector<std::string>& known_effects();
const std::vector<std::string>& known_field_types();

}  // namespace stagematch

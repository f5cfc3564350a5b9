#include "workflow.hpp"

#include <algorithm>

namespace stagematch {

namespace {
bool contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}
}  // namespace

bool FieldDef::has_value(std::string_view id_) const {
  return std::any_of(values.begin(), values.end(), [&](const auto& v) { return v.first == id_; });
}

bool TransitionDef::needs(std::string_view what) const { return contains(requirements, what); }
bool TransitionDef::has_effect(std::string_view what) const { return contains(effects, what); }

const StatusDef* Workflow::status(std::string_view id) const {
  for (const auto& s : statuses)
    if (s.id == id) return &s;
  return nullptr;
}

const StatusDef* Workflow::initial_status() const {
  for (const auto& s : statuses)
    if (s.initial) return &s;
  return nullptr;
}

const FieldDef* Workflow::field(std::string_view id) const {
  for (const auto& f : fields)
    if (f.id == id) return &f;
  return nullptr;
}

const TransitionDef* Workflow::transition(std::string_view from, std::string_view to,
                                          std::string_view role) const {
  for (const auto& t : transitions)
    if (t.to == to && t.by == role && contains(t.from, from)) return &t;
  return nullptr;
}

std::vector<std::string> Workflow::next_statuses(std::string_view from,
                                                 std::string_view role) const {
  std::vector<std::string> out;
  for (const auto& t : transitions)
    if (t.by == role && contains(t.from, from) && !contains(out, t.to)) out.push_back(t.to);
  return out;
}

const std::vector<std::pair<std::string_view, std::string TrackLabels::*>>& TrackLabels::keys() {
  static const std::vector<std::pair<std::string_view, std::string TrackLabels::*>> kKeys = {
      {"organisation", &TrackLabels::organisation},
      {"organisations", &TrackLabels::organisations},
      {"person", &TrackLabels::person},
      {"persons", &TrackLabels::persons},
      {"partner", &TrackLabels::partner},
      {"partners", &TrackLabels::partners},
      {"contact", &TrackLabels::contact},
      {"mentor", &TrackLabels::mentor},
      {"mentors", &TrackLabels::mentors},
  };
  return kKeys;
}

std::string capitalised(std::string text) {
  if (!text.empty() && text.front() >= 'a' && text.front() <= 'z') text.front() -= 'a' - 'A';
  return text;
}

bool Workflow::is_personal(std::string_view f) const { return contains(personal_fields, f); }
bool Workflow::reveals(std::string_view s) const { return contains(revealed_by, s); }

const std::vector<std::string>& known_requirements() {
  static const std::vector<std::string> kList = {"mentor", "periods", "notes", "reason"};
  return kList;
}

const std::vector<std::string>& known_effects() {
  static const std::vector<std::string> kList = {"reveal_personal", "notify_school", "count_status",
                                                 "release"};
  return kList;
}

const std::vector<std::string>& known_field_types() {
  static const std::vector<std::string> kList = {
      "text",    "email",  "phone", "national_number", "postal_code", "enum", "set",
      "integer", "number", "date",  "periods",         "ref"};
  return kList;
}

}  // namespace stagematch

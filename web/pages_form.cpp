#include "pages_form.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <optional>

#include "pages_common.hpp"

namespace stagematch {

namespace {

constexpr int kDefaultPeriodRows = 4;

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const auto& part : parts) {
    if (part.empty()) continue;
    if (!out.empty()) out += separator;
    out += part;
  }
  return out;
}

// 240 -> "240", 37.5 -> "37,5".
std::string number_text(double d) {
  if (std::trunc(d) == d && std::fabs(d) < 1e15) return std::to_string(static_cast<long long>(d));
  std::array<char, 64> buf{};
  auto result = std::to_chars(buf.data(), buf.data() + buf.size(), d);
  std::string out(buf.data(), result.ptr);
  std::replace(out.begin(), out.end(), '.', ',');
  return out;
}

// A request value as a form control shows it.
std::string value_text(const Value& v) {
  if (v.is_string()) return v.as_string();
  if (v.is_int()) return std::to_string(v.as_int());
  if (v.is_number()) return number_text(v.as_number());
  if (v.is_bool()) return v.as_bool() ? "ja" : "nee";
  return "";
}

Object base_field(const FieldView& view) {
  const std::string id = field_dom_id(view.name);
  const std::string help_id = id + "-hulp";
  const std::string warning_id = id + "-let-op";
  const std::string error_id = id + "-fout";
  std::vector<std::string> described;
  if (!view.help.empty()) described.push_back(help_id);
  if (!view.warning.empty()) described.push_back(warning_id);
  if (!view.error.empty()) described.push_back(error_id);
  return Object{{"id", id},
                {"name", view.name},
                {"label", view.label},
                {"required", view.required},
                {"help", text_or_null(view.help)},
                {"help_id", help_id},
                {"warning", text_or_null(view.warning)},
                {"warning_id", warning_id},
                {"error", text_or_null(view.error)},
                {"error_id", error_id},
                {"describedby", text_or_null(join(described, " "))},
                {"input", nullptr},
                {"textarea", nullptr},
                {"select", nullptr},
                {"checks", nullptr},
                {"periods", nullptr}};
}

int period_rows(const Workflow& workflow, const FieldDef& periods) {
  int rows = kDefaultPeriodRows;
  if (const FieldDef* count = workflow.field(periods.count_field); count && count->max)
    rows = static_cast<int>(*count->max);
  return std::clamp(rows, 1, 12);
}

std::string period_name(const std::string& field, int n, const char* part) {
  return field + "." + std::to_string(n) + "." + part;
}

Value periods_control(const Workflow& workflow, const FieldDef& f, const Value& value,
                      const FieldView& view) {
  Object field = base_field(view);
  const Array empty;
  const Array& filled = value.is_array() ? value.as_array() : empty;
  int rows = std::max(period_rows(workflow, f), static_cast<int>(filled.size()));
  Array out;
  for (int n = 1; n <= rows; ++n) {
    const Value& period = static_cast<std::size_t>(n) <= filled.size() ? filled[n - 1] : Value();
    std::string start = period_name(f.id, n, "start");
    std::string end = period_name(f.id, n, "end");
    out.push_back(Object{{"n", n},
                         {"first", n == 1 && view.required},
                         {"start_id", field_dom_id(start)},
                         {"start_name", start},
                         {"start", value_text(period["start"])},
                         {"end_id", field_dom_id(end)},
                         {"end_name", end},
                         {"end", value_text(period["end"])}});
  }
  field["periods"] = Object{{"rows", std::move(out)}};
  return field;
}

Choices ref_choices(const FieldDef& f, const FormChoices& choices) {
  Choices out;
  if (f.ref == "school_contact") {
    for (const auto& c : choices.contacts) out.emplace_back(std::to_string(c.id), c.name);
  } else if (f.ref == "service") {
    for (const auto& s : choices.services) out.emplace_back(std::to_string(s.id), s.name);
  }
  return out;
}

// The control for one request field.
Value request_control(const Workflow& workflow, const FieldDef& f, const Value& value,
                      const FieldView& view, const FormChoices& choices) {
  const std::string text = value_text(value);
  auto number_attrs = [&f](Object extra) {
    if (f.min) extra["min"] = number_text(*f.min);
    if (f.max) extra["max"] = number_text(*f.max);
    return extra;
  };
  if (f.type == "text") {
    if (f.multiline()) return textarea_field(view, text);
    Object extra{{"autocomplete", "off"}};
    if (f.max_length) extra["maxlength"] = *f.max_length;
    return input_field(view, "text", text, std::move(extra));
  }
  if (f.type == "email") return input_field(view, "email", text, Object{{"autocomplete", "off"}});
  if (f.type == "phone") return input_field(view, "tel", text, Object{{"autocomplete", "off"}});
  if (f.type == "national_number")
    return input_field(
        view, "text", text,
        Object{{"inputmode", "numeric"}, {"autocomplete", "off"}, {"width", "w-medium"}});
  if (f.type == "postal_code")
    return input_field(view, "text", text,
                       Object{{"inputmode", "numeric"},
                              {"autocomplete", "off"},
                              {"maxlength", 4},
                              {"width", "w-short"}});
  if (f.type == "integer")
    return input_field(view, "number", text,
                       number_attrs(Object{{"step", "1"}, {"width", "w-short"}}));
  if (f.type == "number")
    return input_field(view, "text", text, Object{{"inputmode", "decimal"}, {"width", "w-short"}});
  if (f.type == "date") return input_field(view, "date", text);
  if (f.type == "enum") return select_field(view, f.values, text);
  if (f.type == "set") {
    std::set<std::string> checked;
    if (value.is_array())
      for (const auto& item : value.as_array())
        if (item.is_string()) checked.insert(item.as_string());
    return checks_field(view, f.values, checked);
  }
  if (f.type == "periods") return periods_control(workflow, f, value, view);
  if (f.type == "ref") return select_field(view, ref_choices(f, choices), text);
  return input_field(view, "text", text);
}

std::string section_heading(const Workflow& workflow, const std::string& section) {
  if (section == "student") return "Gegevens " + workflow.labels.person;
  if (section == "stage") return "Gegevens stage";
  return section.empty() ? "Overige gegevens" : "Gegevens " + section;
}

// Where an error on `f` links to: its first control.
std::string first_control(const FieldDef& f) {
  if (f.type == "periods") return field_dom_id(period_name(f.id, 1, "start"));
  if (f.type == "set" && !f.values.empty())
    return field_dom_id(f.id) + "-" + f.values.front().first;
  return field_dom_id(f.id);
}

// "37,5" and "37.5" -> 37.5; "240" -> 240; nullopt when it is not a number.
std::optional<Value> read_number(const std::string& text, bool whole) {
  std::string s = text;
  std::replace(s.begin(), s.end(), ',', '.');
  if (whole || s.find('.') == std::string::npos) {
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec == std::errc{} && end == s.data() + s.size()) return Value(n);
    if (whole) return std::nullopt;
  }
  double d = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ec != std::errc{} || end != s.data() + s.size() || !std::isfinite(d)) return std::nullopt;
  return Value(d);
}

}  // namespace

std::string message_of(const FieldMessages& messages, const std::string& field) {
  auto found = messages.find(field);
  return found == messages.end() ? std::string() : found->second;
}

std::string field_dom_id(const std::string& name) {
  std::string id = "f-" + name;
  std::replace(id.begin(), id.end(), '.', '-');
  std::replace(id.begin(), id.end(), '_', '-');
  return id;
}

Value input_field(const FieldView& view, const std::string& type, const std::string& value,
                  Object extra) {
  Object field = base_field(view);
  Object input{
      {"type", type},    {"value", value}, {"inputmode", nullptr}, {"autocomplete", nullptr},
      {"min", nullptr},  {"max", nullptr}, {"step", nullptr},      {"maxlength", nullptr},
      {"width", nullptr}};
  for (auto& [key, v] : extra) input[key] = std::move(v);
  field["input"] = std::move(input);
  return field;
}

Value textarea_field(const FieldView& view, const std::string& value, int rows) {
  Object field = base_field(view);
  field["textarea"] = Object{{"value", value}, {"rows", rows}};
  return field;
}

Value select_field(const FieldView& view, const Choices& options, const std::string& selected,
                   const std::string& placeholder) {
  Object field = base_field(view);
  Array out;
  out.push_back(Object{{"value", ""}, {"label", placeholder}, {"selected", selected.empty()}});
  for (const auto& [value, label] : options)
    out.push_back(Object{{"value", value}, {"label", label}, {"selected", value == selected}});
  field["select"] = Object{{"options", std::move(out)}};
  return field;
}

Value checks_field(const FieldView& view, const Choices& options,
                   const std::set<std::string>& checked, bool radio, bool name_per_option) {
  Object field = base_field(view);
  Array out;
  for (const auto& [value, label] : options)
    out.push_back(Object{{"id", field_dom_id(view.name) + "-" + value},
                         {"name", name_per_option ? view.name + "_" + value : view.name},
                         {"value", name_per_option ? std::string("1") : value},
                         {"label", label},
                         {"checked", checked.contains(value)}});
  field["checks"] = Object{{"type", radio ? "radio" : "checkbox"}, {"options", std::move(out)}};
  return field;
}

RequestFormView request_form(const Workflow& workflow, const Value& values,
                             const FieldMessages& errors, const FieldMessages& warnings,
                             const FormChoices& choices) {
  RequestFormView view;
  std::vector<std::string> order;
  std::map<std::string, Array> by_section;
  for (const FieldDef& f : workflow.fields) {
    FieldView fv{f.id,   f.label.empty() ? f.id : f.label, f.required,
                 f.help, message_of(errors, f.id),         message_of(warnings, f.id)};
    if (!by_section.contains(f.section)) order.push_back(f.section);
    by_section[f.section].push_back(request_control(workflow, f, values[f.id], fv, choices));
    if (!fv.error.empty()) {
      std::string href = "#";
      href += first_control(f);
      view.summary.push_back(Object{{"href", std::move(href)}, {"text", fv.error}});
    }
  }
  for (const auto& [field, message] : errors)
    if (!workflow.field(field))
      view.summary.push_back(Object{{"href", nullptr}, {"text", message}});
  for (const auto& section : order)
    view.sections.push_back(Object{{"heading", section_heading(workflow, section)},
                                   {"fields", std::move(by_section[section])}});
  return view;
}

Value request_from_form(const Workflow& workflow, const HttpRequest& req) {
  const auto form = req.form();
  auto text_of = [&form](const std::string& name) {
    auto found = form.find(name);
    return found == form.end() ? std::string() : trim(found->second);
  };
  Object out;
  for (const FieldDef& f : workflow.fields) {
    if (f.type == "set") {
      Array ticked;
      for (const auto& v : req.form_all(f.id))
        if (!v.empty()) ticked.emplace_back(v);
      if (!ticked.empty()) out[f.id] = std::move(ticked);
      continue;
    }
    if (f.type == "periods") {
      Array periods;
      std::size_t last = 0;
      for (int n = 1; n <= period_rows(workflow, f); ++n) {
        std::string start = text_of(period_name(f.id, n, "start"));
        std::string end = text_of(period_name(f.id, n, "end"));
        periods.push_back(Object{{"start", start}, {"end", end}});
        if (!start.empty() || !end.empty()) last = static_cast<std::size_t>(n);
      }
      periods.resize(last);
      if (!periods.empty()) out[f.id] = std::move(periods);
      continue;
    }
    std::string text = text_of(f.id);
    if (text.empty()) continue;
    if (f.type == "integer" || f.type == "number" || f.type == "ref") {
      if (auto number = read_number(text, f.type != "number")) {
        out[f.id] = std::move(*number);
        continue;
      }
    }
    out[f.id] = text;
  }
  return out;
}

std::vector<std::string> period_texts(const Value& periods) {
  std::vector<std::string> out;
  if (!periods.is_array()) return out;
  for (const auto& p : periods.as_array())
    out.push_back(date_nl(value_text(p["start"])) + " - " + date_nl(value_text(p["end"])));
  return out;
}

Array accepted_periods(const Value& item) {
  std::vector<std::string> all = period_texts(item["periods"]);
  Array out;
  if (item["accepted_periods"].is_array())
    for (const auto& i : item["accepted_periods"].as_array())
      if (i.is_int() && i.as_int() >= 0 && static_cast<std::size_t>(i.as_int()) < all.size())
        out.emplace_back(all[static_cast<std::size_t>(i.as_int())]);
  return out;
}

Value mentor_of(const Value& item) {
  const Value& m = item["mentor"];
  if (!m.is_object()) return Value();
  return Object{{"name", m["name"]}, {"phone", m["phone"]}, {"email", m["email"]}};
}

Array request_display(const Workflow& workflow, const Value& item,
                      const std::vector<Organisation>& services) {
  std::vector<std::string> order;
  std::map<std::string, Array> rows;
  for (const FieldDef& f : workflow.fields) {
    const Value& v = item[f.id];
    if (v.is_null() || (f.type == "ref" && f.ref == "school_contact")) continue;
    Array lines;
    if (f.type == "enum") {
      lines.emplace_back(value_label(&f, value_text(v)));
    } else if (f.type == "set" && v.is_array()) {
      std::vector<std::string> labels;
      for (const auto& t : v.as_array()) labels.push_back(value_label(&f, value_text(t)));
      lines.emplace_back(join(labels, ", "));
    } else if (f.type == "periods") {
      for (auto& p : period_texts(v)) lines.emplace_back(std::move(p));
    } else if (f.type == "date") {
      lines.emplace_back(date_nl(value_text(v)));
    } else if (f.type == "ref" && f.ref == "service") {
      std::string name = value_text(v);
      for (const auto& s : services)
        if (std::to_string(s.id) == name) name = s.name;
      lines.emplace_back(name);
    } else {
      lines.emplace_back(value_text(v));
    }
    if (lines.empty()) continue;
    if (!rows.contains(f.section)) order.push_back(f.section);
    rows[f.section].push_back(
        Object{{"label", f.label.empty() ? f.id : f.label}, {"lines", std::move(lines)}});
  }
  Array sections;
  for (const auto& section : order)
    sections.push_back(Object{{"heading", section_heading(workflow, section)},
                              {"rows", std::move(rows[section])}});
  const Value& contact = item["school_contact"];
  if (contact.is_object()) {
    Array contact_rows;
    contact_rows.push_back(Object{{"label", "Naam"}, {"lines", Array{contact["name"]}}});
    if (contact.has("email"))
      contact_rows.push_back(Object{{"label", "E-mail"}, {"lines", Array{contact["email"]}}});
    if (contact.has("phone"))
      contact_rows.push_back(Object{{"label", "Telefoon"}, {"lines", Array{contact["phone"]}}});
    sections.push_back(Object{{"heading", "Gegevens " + workflow.labels.contact},
                              {"rows", std::move(contact_rows)}});
  }
  return sections;
}

}  // namespace stagematch

// Form fields for the page templates (the `_field` partial), and the student request form:
// generated from a track's resolved workflow fields (labels, types, required, values, help),
// so a new track's form needs no code. Also reads such a form back into the request's JSON
// shape, and lays out a request for reading.
#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "contacts.hpp"  // ContactPerson
#include "http.hpp"
#include "organisations.hpp"  // Organisation
#include "value.hpp"
#include "workflow.hpp"

namespace stagematch {

using FieldMessages = std::map<std::string, std::string>;          // field name -> Dutch message
using Choices = std::vector<std::pair<std::string, std::string>>;  // value -> Dutch label

// What every field shows around its control.
struct FieldView {
  std::string name;
  std::string label;
  bool required = false;
  std::string help;
  std::string error;
  std::string warning;
};

// The message for `field`, or an empty text.
std::string message_of(const FieldMessages& messages, const std::string& field);

// The element id of a field's control: "f-" + name, dots as dashes.
std::string field_dom_id(const std::string& name);

// Data for the `_field` partial, one kind of control each. `extra` adds input attributes:
// inputmode, autocomplete, min, max, step, maxlength, width (a CSS class).
Value input_field(const FieldView& view, const std::string& type, const std::string& value,
                  Object extra = {});
Value textarea_field(const FieldView& view, const std::string& value, int rows = 4);
Value select_field(const FieldView& view, const Choices& options, const std::string& selected,
                   const std::string& placeholder = "Kies...");
// Checkboxes (or radio buttons) sharing the name `view.name`; with `name_per_option` each box
// is named NAME_VALUE with the value "1" (for GET forms whose query keeps one value per name).
Value checks_field(const FieldView& view, const Choices& options,
                   const std::set<std::string>& checked, bool radio = false,
                   bool name_per_option = false);

// What the reference fields of a request offer: the school's own contact persons and the
// services (a preferred service).
struct FormChoices {
  std::vector<ContactPerson> contacts;
  std::vector<Organisation> services;
};

struct RequestFormView {
  Array sections;  // {heading, fields: [_field data]}
  Array summary;   // {href, text}: every error, linking to its field
};

// The request form for `workflow`, filled with `values` (the request in its JSON shape, as
// Matching returns it or as request_from_form read it), errors and warnings next to fields.
RequestFormView request_form(const Workflow& workflow, const Value& values,
                             const FieldMessages& errors, const FieldMessages& warnings,
                             const FormChoices& choices);

// The posted request form in the JSON shape Matching validates: numbers as numbers where they
// read as one (else the text as typed, so the validation names it), ticked values as lists,
// periods up to the last one filled in. Empty fields are left out.
Value request_from_form(const Workflow& workflow, const HttpRequest& req);

// A request laid out for reading, section by section ({heading, rows: [{label, lines}]}),
// showing only the fields present in `item` (Matching leaves out what the reader may not see).
Array request_display(const Workflow& workflow, const Value& item,
                      const std::vector<Organisation>& services);

// "06/10/2025 - 31/10/2025" for each period of a request.
std::vector<std::string> period_texts(const Value& periods);
// The periods a service accepted, as texts; the mentor {name, phone, email} or null.
Array accepted_periods(const Value& item);
Value mentor_of(const Value& item);

}  // namespace stagematch

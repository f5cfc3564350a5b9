#include "diagnostics.hpp"

#include <algorithm>
#include <tuple>

namespace stagematch {

std::string Diagnostic::to_string() const {
  std::string out = pos.file;
  out += ':' + std::to_string(pos.line) + ':' + std::to_string(pos.column) + ": ";
  out += severity == Severity::kError ? "error: " : "warning: ";
  out += message + " [" + code + "]";
  return out;
}

void Diagnostics::error(SourcePos pos, std::string_view code, std::string message) {
  items_.push_back({std::move(pos), Severity::kError, std::string(code), std::move(message)});
}

void Diagnostics::warning(SourcePos pos, std::string_view code, std::string message) {
  items_.push_back({std::move(pos), Severity::kWarning, std::string(code), std::move(message)});
}

bool Diagnostics::has_errors() const { return error_count() > 0; }

std::size_t Diagnostics::error_count() const {
  return static_cast<std::size_t>(std::count_if(
      items_.begin(), items_.end(), [](const auto& d) { return d.severity == Severity::kError; }));
}

std::vector<Diagnostic> Diagnostics::sorted() const {
  std::vector<Diagnostic> out = items_;
  std::stable_sort(out.begin(), out.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.pos.file, a.pos.line, a.pos.column) <
           std::tie(b.pos.file, b.pos.line, b.pos.column);
  });
  return out;
}

void Diagnostics::append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

const std::vector<ErrorCodeDoc>& error_codes() {
  static const std::vector<ErrorCodeDoc> kCodes = {
      // Structure: the first pass, per file.
      {"WF0101", "the file is not valid YAML"},
      {"WF0102", "a key appears twice in one mapping"},
      {"WF0103", "a key that this kind of definition does not know"},
      {"WF0104", "a required key is missing"},
      {"WF0105", "a value has the wrong type (text, number, list or mapping expected)"},
      {"WF0106", "the header is wrong: kind is not workflow, fieldset or calendar"},
      {"WF0107", "a date or time is not a real moment (YYYY-MM-DD HH:MM, Belgian local time)"},
      {"WF0108", "a value is not one of the allowed choices"},
      {"WF0109", "an id is not lower case letters, digits and _"},
      {"WF0110", "two files define the same name"},
      {"WF0111", "an anchor or alias (&name, *name), or more values than any definition holds"},
      // Meaning: the second pass, across files.
      {"WF0201", "a status that the workflow does not define"},
      {"WF0202", "a rule (Lua module.function) that does not exist"},
      {"WF0203", "a calendar or workflow names a track, fieldset or field that does not exist"},
      {"WF0204", "two rounds of one track and school year overlap"},
      {"WF0205",
       "dates out of order: a window closes before it opens, or rounds are not in time order"},
      {"WF0206", "an id is used twice in one list (status, round, field, blackout)"},
      {"WF0207", "a workflow needs exactly one initial status"},
      {"WF0208", "a transition requires or causes something the engine does not know"},
      {"WF0209",
       "the school year is not YYYY-YYYY with consecutive years, or the name does not match"},
      {"WF0210", "a second calendar for the same track and school year"},
      {"WF0211", "a field option does not fit the field's type"},
      {"WF0212",
       "a registration window outlives the last moment at which any service can see a new request"},
      // Rules.
      {"RL0301", "a rule file is not valid Lua text"},
      {"RL0302", "a rule file is a precompiled binary chunk; only source text is accepted"},
      {"RL0303", "a rule file does not return a table of functions"},
      {"RL0304", "rules/transport.lua has no hint, or it answers something other than text or nil"},
  };
  return kCodes;
}

}  // namespace stagematch

// Loads and validates every definition: workflows/ (YAML) and rules/ (Lua).
// Two passes, every problem collected: structure per file, then meaning across files.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "calendar.hpp"
#include "diagnostics.hpp"
#include "lua_sandbox.hpp"
#include "workflow.hpp"

namespace stagematch {

struct DefinitionSet {
  std::map<std::string, Workflow, std::less<>> workflows;
  std::map<std::string, Fieldset, std::less<>> fieldsets;
  std::map<std::string, Calendar, std::less<>> calendars;  // key: "track/year"
  std::shared_ptr<const LuaSandbox> rules;
  std::map<std::string, std::vector<std::string>, std::less<>> rule_functions;  // module -> names
  std::size_t file_count = 0;

  const Workflow* workflow(std::string_view track) const;
  const Calendar* calendar(std::string_view track, std::string_view year) const;
  std::vector<const Calendar*> calendars_of(std::string_view track) const;
  bool has_rule(std::string_view module_dot_function) const;
};

struct LoadResult {
  std::shared_ptr<DefinitionSet> definitions;  // set even with errors (what could be read)
  Diagnostics diagnostics;
  bool ok() const { return !diagnostics.has_errors(); }
};

// Reads every *.yaml under `workflows_dir` and every *.lua directly in `rules_dir`.
// Positions name files as `workflows_dir/relative/path`, the way the caller wrote the dir.
LoadResult load_definitions(const std::filesystem::path& workflows_dir,
                            const std::filesystem::path& rules_dir, SandboxLimits limits = {});

// Checks one uploaded calendar (YAML text) against `base` and, if it is sound, returns a copy
// of `base` with that calendar added or replacing the one for the same track and year.
// `file_label` is the name used in positions ("calendars/secundair/2025-2026.yaml").
LoadResult with_calendar(const DefinitionSet& base, const std::string& file_label,
                         std::string_view yaml_text);

// A calendar to lay over the definitions: published by an admin earlier and kept in the store.
struct CalendarText {
  std::string label;  // the file name its positions are reported under
  std::string yaml;
};

// `base` with each calendar applied in order (a later one for the same track and year wins).
// A calendar that no longer passes, because the workflows or rules changed since it was
// published, is left out: its problems are added to `skipped`, and the one from workflows/
// (if any) stays in force.
std::shared_ptr<const DefinitionSet> with_calendars(std::shared_ptr<const DefinitionSet> base,
                                                    const std::vector<CalendarText>& calendars,
                                                    std::vector<std::string>& skipped);

// Internal passes, exposed for the loader's own translation units.
namespace detail {
struct ParsedFiles {
  std::vector<Workflow> workflows;
  std::vector<Fieldset> fieldsets;
  std::vector<Calendar> calendars;
};
// Structure pass over one file's text; appends what it could read to `out`.
void parse_definition(const std::string& file_label, std::string_view text, Diagnostics& diags,
                      ParsedFiles& out);
// Meaning pass: resolves references and fills `set`.
void resolve_definitions(ParsedFiles parsed, DefinitionSet& set, Diagnostics& diags);
}  // namespace detail

}  // namespace stagematch

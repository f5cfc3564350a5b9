// Fuzz target: the YAML definition loader's passes over one file's text (engine/definitions.hpp),
// as `check`, the server's start and an uploaded calendar (PUT /api/v1/admin/calendars) run them:
// the structure pass (detail::parse_definition) and the meaning pass (detail::resolve_definitions)
// against an empty set. No Lua rule is loaded or run. Every diagnostic is rendered as `check`
// prints it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "definitions.hpp"

namespace {

// Uploads and definition files are far smaller; larger inputs only slow the search down.
constexpr std::size_t kMaxInput = 64 * 1024;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > kMaxInput) return -1;  // -1: not added to the corpus
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  stagematch::Diagnostics diagnostics;
  stagematch::detail::ParsedFiles parsed;
  stagematch::detail::parse_definition("workflows/fuzz.yaml", text, diagnostics, parsed);
  stagematch::DefinitionSet set;
  stagematch::detail::resolve_definitions(std::move(parsed), set, diagnostics);
  for (const auto& d : diagnostics.sorted()) (void)d.to_string();
  return 0;
}

// Fuzz target: the JSON parser of every API request body (engine/json.hpp).
// Besides crashes and sanitizer reports it checks that what the parser accepted is written back
// as JSON the parser accepts again, and that one more round trip changes nothing.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "json.hpp"

namespace {

void fail(const char* what, const std::string& text) {
  std::fprintf(stderr, "json_fuzzer: %s: %s\n", what, text.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto value = stagematch::parse_json(text);
  if (!value) return 0;
  // Numbers are written with 15 significant digits, so the first round may change a number's
  // text (-0.0 becomes -0, then 0); from the second round on the text is fixed.
  const std::string once = value->to_json();
  const auto reread = stagematch::parse_json(once);
  if (!reread) fail("its own output is not JSON", once);
  const std::string twice = reread->to_json();
  const auto again = stagematch::parse_json(twice);
  if (!again) fail("its own output is not JSON", twice);
  if (again->to_json() != twice) fail("a round trip changed the text", twice);
  return 0;
}

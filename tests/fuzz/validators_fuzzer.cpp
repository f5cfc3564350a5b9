// Fuzz target: the national register number and postal code validators
// (engine/request_validation.hpp), both on their own and as validate_request runs them on a
// request's fields. The input's first byte chooses the current year (2000 to 2099), the rest is
// the text a school typed.
// Besides crashes and sanitizer reports it checks that the checks agree with each other:
// a number validate_request accepts normalises to the same 11 digits, and an accepted postal
// code is 4 digits from 1000 to 9999.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "request_validation.hpp"

namespace {

void fail(const char* what, std::string_view text) {
  std::fprintf(stderr, "validators_fuzzer: %s: '%.*s'\n", what, static_cast<int>(text.size()),
               text.data());
  std::abort();
}

stagematch::FieldDef field(const char* id, const char* type) {
  stagematch::FieldDef f;
  f.id = id;
  f.label = id;
  f.type = type;
  f.required = true;  // blank is then a problem too, not an accepted empty field
  return f;
}

const stagematch::Workflow& form() {
  static const stagematch::Workflow kForm = [] {
    stagematch::Workflow w;
    w.name = "fuzz";
    w.fields = {field("national_number", "national_number"), field("postal_code", "postal_code")};
    return w;
  }();
  return kForm;
}

bool accepted(const std::vector<stagematch::FieldProblem>& problems, std::string_view id) {
  return std::none_of(problems.begin(), problems.end(),
                      [&](const stagematch::FieldProblem& p) { return p.field == id; });
}

bool digits_only(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return -1;
  const int this_year = 2000 + data[0] % 100;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);

  const auto normalized = stagematch::normalize_national_number(text);
  if (normalized &&
      (normalized->size() != 11 || !digits_only(*normalized) ||
       !stagematch::valid_national_number(*normalized, stagematch::kLastYearOfThe2Prefix)))
    fail("normalize_national_number gave an invalid number", text);
  const bool valid = stagematch::valid_national_number(text, this_year);
  if (valid && normalized != text) fail("a valid number does not normalise to itself", text);

  stagematch::Object request{{"national_number", text}, {"postal_code", text}};
  stagematch::ReferenceCheck refs;
  refs.this_year = this_year;
  const auto problems = stagematch::validate_request(form(), stagematch::Value(request), refs);
  if (accepted(problems, "national_number") && !normalized)
    fail("validate_request accepted a number normalize_national_number refuses", text);
  if (accepted(problems, "postal_code") &&
      !(text.size() == 4 && digits_only(text) && text[0] != '0'))
    fail("validate_request accepted a postal code that is not 4 digits from 1000", text);

  // A postal code sent as a JSON number, and its province.
  const int number = static_cast<int>(std::strtol(text.c_str(), nullptr, 10));
  const auto as_number = stagematch::validate_request(
      form(), stagematch::Value(stagematch::Object{{"postal_code", std::int64_t{number}}}), refs);
  if (accepted(as_number, "postal_code") && (number < 1000 || number > 9999))
    fail("validate_request accepted a postal code number outside 1000 to 9999", text);
  if (auto province = stagematch::province_of_postal_code(number);
      province && (number < 1000 || number > 9999))
    fail("a province for a number that is no postal code", text);
  return 0;
}

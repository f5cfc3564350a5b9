// Field-by-field validation of a student request against a track's field definitions
// (workflows/README.md, "kind: fieldset"). The cross-field checks written in Lua are not run
// here: RuleEngine::checks does that.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "field_problem.hpp"
#include "value.hpp"
#include "workflow.hpp"

namespace stagematch {

// Looks up references a request makes (the store answers these later; tests pass lambdas).
// An empty function means "not checked".
struct ReferenceCheck {
  // True when the contact person exists and belongs to the registering school.
  std::function<bool(const std::string& school_contact_id)> school_contact_exists;
  std::function<bool(const std::string& service_id)> service_exists;
  // The calendar year on the product's clock (Belgian time): a national number's "2" prefix
  // for births from 2000 counts only for birth years up to it. Without it, the system clock's.
  std::optional<int> this_year;
};

// Field-by-field validation of a request (a Value object with the JSON field names) against a
// workflow's resolved `fields`. Returns every problem, one per field at most, each naming the
// field and saying in Dutch what to fix; fields in the workflow's order, then unknown keys in
// key order. A request that is not an object gives one problem with an empty field name.
// The read-only keys id, track, school and registered_at are ignored; any other key the
// workflow does not define is reported as "Onbekend veld.".
// A contact person's fields (name, phone, e-mail), checked by the same rules as a request's;
// schools and services use the same form in the pages and the API.
const Workflow& contact_person_fields();

std::vector<FieldProblem> validate_request(const Workflow& workflow, const Value& request,
                                           const ReferenceCheck& refs = {});

// The last birth year a national number's "2" prefix can stand for.
inline constexpr int kLastYearOfThe2Prefix = 2099;

// Exactly 11 digits (YYMMDD SSS CC) with a birth date that can exist (month 01-12, or 20 or 40
// higher for a bis number, or 00 when unknown; day 00-31) and whose last two are
// 97 - (first 9 digits mod 97), or the same with "2" prefixed to the first 9 digits for people
// born in 2000 or later: that one only for a birth year 20YY up to `this_year`.
bool valid_national_number(std::string_view digits, int this_year);

// The digits of a national number written with optional separators (. - and space); nullopt
// on any other character. Does not check the count.
std::optional<std::string> national_number_digits(std::string_view text);

// The 11 digits of a national register number written with optional separators
// ("85.07.30-033.28", "850730 033 28"), or nullopt when it is not a valid number in any year up
// to kLastYearOfThe2Prefix (validate_request judges the year).
std::optional<std::string> normalize_national_number(std::string_view text);

// ANT BRU LIM OVL VBR WVL; nullopt outside Flanders and Brussels (Wallonia, not a code).
std::optional<std::string> province_of_postal_code(int postal_code);

}  // namespace stagematch

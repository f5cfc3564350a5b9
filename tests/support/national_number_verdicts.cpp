// Reads lines "YEAR NUMBER" on standard input and writes one line per number: 1 when the
// request validation accepts NUMBER as a national register number with YEAR as this year on the
// product's clock, else 0. Built for tests/support/national_number_crosscheck.py only.
#include <iostream>
#include <sstream>
#include <string>

#include "request_validation.hpp"

int main() {
  using namespace stagematch;
  Workflow workflow;
  FieldDef field;
  field.id = "national_number";
  field.label = "Rijksregisternummer";
  field.type = "national_number";
  field.required = true;
  workflow.fields.push_back(field);

  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream in(line);
    int year = 0;
    std::string number;
    if (!(in >> year >> number)) {
      std::cerr << "national_number_verdicts: a line is \"YEAR NUMBER\", not \"" << line << "\"\n";
      return 2;
    }
    ReferenceCheck refs;
    refs.this_year = year;
    const bool accepted =
        validate_request(workflow, Value(Object{{"national_number", number}}), refs).empty();
    std::cout << (accepted ? '1' : '0') << '\n';
  }
  return 0;
}

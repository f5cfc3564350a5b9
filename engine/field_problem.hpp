// One thing wrong with one request field, as the school's form shows it next to the field.
#pragma once

#include <string>

#include "diagnostics.hpp"

namespace stagematch {

struct FieldProblem {
  std::string field;
  std::string message;  // Dutch, says what to fix
  Severity severity = Severity::kError;
};

}  // namespace stagematch

// Decides one status change of a service for a request: is the row in the workflow's table,
// does the guard allow it now, and does the change carry what the row requires.
#pragma once

#include <expected>
#include <string>
#include <vector>

#include "rules.hpp"

namespace stagematch {

struct StatusChange {
  std::string from;
  std::string to;
  std::string role = "service";  // service | admin
  std::string mentor_id;
  std::vector<int> periods;  // indexes into the student's periods
  std::string notes;
  std::string reason;
};

struct TransitionRefusal {
  std::string error;    // transition_not_allowed, round_closed, missing_requirement, rule_error
  std::string message;  // Dutch
  std::string field;    // the missing requirement, if that is the reason
};

// The row that allows `change`, or why not. `period_count` is how many periods the student has.
std::expected<const TransitionDef*, TransitionRefusal> decide_transition(
    const RuleEngine& rules, const Workflow& workflow, const Calendar& calendar,
    const StatusChange& change, int period_count, Instant now);

}  // namespace stagematch

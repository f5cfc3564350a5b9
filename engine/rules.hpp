// The engine's side of the Lua rules: asks them what holds at a moment, what a service sees,
// which mails are due, whether a transition is allowed now, and what a request gets wrong.
#pragma once

#include <expected>
#include <memory>
#include <string>
#include <vector>

#include "calendar.hpp"
#include "definitions.hpp"
#include "field_problem.hpp"
#include "lua_sandbox.hpp"
#include "predicate.hpp"
#include "workflow.hpp"

namespace stagematch {

// What is true for one track and school year at one moment (timing rule).
struct Moment {
  std::string phase;     // before | round | between | after
  std::string round_id;  // the active round, empty outside rounds
  std::string round_kind;
  bool school_may_register = false;
  bool school_may_edit = false;
  bool school_sees_results = false;
  // Set while a blackout delays registrations: what a school registers now is hidden from
  // every service until this moment.
  std::optional<Instant> school_visible_from;
  std::string school_message;
  bool service_may_set_status = false;
  std::string service_message;
  Value raw;  // the rule's full answer, handed on to guards
};

// A moment at which something happens by itself: a round opens or closes, a reminder is due,
// results become visible. `key()` names it uniquely, so it can be claimed exactly once.
struct TimedEvent {
  Instant at;
  std::string kind;  // round_opens round_closing_soon round_closes reminder results_visible
  std::string track;
  std::string year;
  std::string round_id;
  std::vector<std::string> audience;  // services, schools
  std::string message;
  std::string key() const;
};

struct ServiceRef {
  std::string id;
  std::vector<std::string> provinces;
};

struct GuardDecision {
  bool allow = true;
  std::string error;    // e.g. round_closed
  std::string message;  // Dutch
};

class RuleEngine {
 public:
  explicit RuleEngine(std::shared_ptr<const DefinitionSet> definitions);

  const DefinitionSet& definitions() const { return *definitions_; }

  std::expected<Moment, RuleError> moment(const Calendar& calendar, Instant now) const;
  std::expected<std::vector<TimedEvent>, RuleError> events(const Calendar& calendar) const;
  std::expected<Predicate, RuleError> visibility(const Calendar& calendar,
                                                 const ServiceRef& service, Instant now) const;
  std::expected<GuardDecision, RuleError> guard(const Workflow& workflow, const TransitionDef& row,
                                                const Calendar& calendar, std::string_view from,
                                                std::string_view role, Instant now) const;
  std::expected<std::vector<FieldProblem>, RuleError> checks(const Workflow& workflow,
                                                             const Value& request) const;

 private:
  std::expected<Value, RuleError> call(const std::string& ref, const Value& ctx) const;
  std::shared_ptr<const DefinitionSet> definitions_;
};

}  // namespace stagematch

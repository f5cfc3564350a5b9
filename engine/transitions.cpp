#include "transitions.hpp"

#include <algorithm>
#include <cctype>

namespace stagematch {

namespace {

std::string label(const Workflow& w, const std::string& status) {
  const StatusDef* s = w.status(status);
  return s ? s->label : status;
}

}  // namespace

std::expected<const TransitionDef*, TransitionRefusal> decide_transition(
    const RuleEngine& rules, const Workflow& workflow, const Calendar& calendar,
    const StatusChange& change, int period_count, Instant now) {
  if (!workflow.status(change.to))
    return std::unexpected(TransitionRefusal{
        "transition_not_allowed", "'" + change.to + "' is geen status van dit traject.", "status"});
  const TransitionDef* row = workflow.transition(change.from, change.to, change.role);
  if (!row) {
    std::string next;
    for (const auto& s : workflow.next_statuses(change.from, change.role))
      next += (next.empty() ? "" : ", ") + label(workflow, s);
    return std::unexpected(
        TransitionRefusal{"transition_not_allowed",
                          "Van '" + label(workflow, change.from) + "' kan je niet naar '" +
                              label(workflow, change.to) + "'." +
                              (next.empty() ? std::string(" Deze status is definitief.")
                                            : " Mogelijk: " + next + "."),
                          "status"});
  }
  auto decision = rules.guard(workflow, *row, calendar, change.from, change.role, now);
  if (!decision)
    return std::unexpected(TransitionRefusal{
        "rule_error", "De regels konden niet beslissen: " + decision.error().message, ""});
  if (!decision->allow)
    return std::unexpected(TransitionRefusal{decision->error, decision->message, ""});

  if (row->needs("mentor") && change.mentor_id.empty())
    return std::unexpected(
        TransitionRefusal{"missing_requirement", "Kies een stagementor.", "mentor_id"});
  if (row->needs("periods")) {
    // Periods are asked only of a student who has some to choose from.
    if (change.periods.empty() && period_count > 0)
      return std::unexpected(TransitionRefusal{
          "missing_requirement", "Kies minstens één stageperiode die jullie kunnen opnemen.",
          "periods"});
    for (int p : change.periods)
      if (p < 0 || p >= period_count)
        return std::unexpected(TransitionRefusal{
            "missing_requirement",
            "Periode " + std::to_string(p + 1) + " bestaat niet voor deze student.", "periods"});
  }
  if (row->needs("notes") && std::all_of(change.notes.begin(), change.notes.end(),
                                         [](unsigned char c) { return std::isspace(c); }))
    return std::unexpected(
        TransitionRefusal{"missing_requirement", "Vul de notities in.", "notes"});
  if (row->needs("reason") && std::all_of(change.reason.begin(), change.reason.end(),
                                          [](unsigned char c) { return std::isspace(c); }))
    return std::unexpected(
        TransitionRefusal{"missing_requirement", "Geef een reden op.", "reason"});
  return row;
}

}  // namespace stagematch

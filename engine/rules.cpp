#include "rules.hpp"

#include <algorithm>

namespace stagematch {

namespace {

Value seconds(Instant t) { return Value(static_cast<std::int64_t>(t.time_since_epoch().count())); }

RuleError bad_result(const std::string& ref, std::string message) {
  return RuleError{"LUA_BAD_RESULT", "rules/" + ref.substr(0, ref.find('.')) + ".lua", 0,
                   "regel " + ref + ": " + std::move(message)};
}

bool truthy(const Value& v) { return v.is_bool() ? v.as_bool() : !v.is_null(); }

std::string text_or_empty(const Value& v) { return v.is_string() ? v.as_string() : std::string(); }

}  // namespace

std::string TimedEvent::key() const {
  return track + "/" + year + "/" + kind + "/" + round_id + "/" + format_iso(at);
}

RuleEngine::RuleEngine(std::shared_ptr<const DefinitionSet> definitions)
    : definitions_(std::move(definitions)) {}

std::expected<Value, RuleError> RuleEngine::call(const std::string& ref, const Value& ctx) const {
  auto dot = ref.find('.');
  if (dot == std::string::npos || !definitions_->rules)
    return std::unexpected(RuleError{"LUA_NO_FUNCTION", "", 0, "regel '" + ref + "' bestaat niet"});
  return definitions_->rules->call(ref.substr(0, dot), ref.substr(dot + 1), {ctx});
}

std::expected<Moment, RuleError> RuleEngine::moment(const Calendar& cal, Instant now) const {
  auto answer = call(cal.rules.timing, Object{{"now", seconds(now)}, {"calendar", cal.to_value()}});
  if (!answer) return std::unexpected(answer.error());
  const Value& v = *answer;
  if (!v.is_object() || !v["phase"].is_string())
    return std::unexpected(
        bad_result(cal.rules.timing, "verwacht een tabel met phase, school en service"));
  Moment m;
  m.phase = v["phase"].as_string();
  m.round_id = text_or_empty(v["round"]["id"]);
  m.round_kind = text_or_empty(v["round"]["kind"]);
  m.school_may_register = truthy(v["school"]["may_register"]);
  m.school_may_edit = truthy(v["school"]["may_edit"]);
  m.school_sees_results = truthy(v["school"]["sees_results"]);
  m.school_message = text_or_empty(v["school"]["message"]);
  if (const Value& from = v["school"]["visible_from"]; from.is_int())
    m.school_visible_from = Instant{std::chrono::seconds{from.as_int()}};
  m.service_may_set_status = truthy(v["service"]["may_set_status"]);
  m.service_message = text_or_empty(v["service"]["message"]);
  m.raw = v;
  return m;
}

std::expected<std::vector<TimedEvent>, RuleError> RuleEngine::events(const Calendar& cal) const {
  auto answer = call(cal.rules.events, Object{{"calendar", cal.to_value()}});
  if (!answer) return std::unexpected(answer.error());
  if (!answer->is_array())
    return std::unexpected(bad_result(cal.rules.events, "verwacht een lijst gebeurtenissen"));
  std::vector<TimedEvent> out;
  for (const auto& e : answer->as_array()) {
    if (!e["at"].is_int() || !e["kind"].is_string())
      return std::unexpected(
          bad_result(cal.rules.events, "elke gebeurtenis heeft at en kind nodig"));
    TimedEvent ev;
    ev.at = Instant{std::chrono::seconds{e["at"].as_int()}};
    ev.kind = e["kind"].as_string();
    ev.track = cal.track;
    ev.year = cal.year;
    ev.round_id = text_or_empty(e["round"].is_object() ? e["round"]["id"] : e["round"]);
    if (e["audience"].is_array())
      for (const auto& a : e["audience"].as_array())
        if (a.is_string()) ev.audience.push_back(a.as_string());
    ev.message = text_or_empty(e["message"]);
    out.push_back(std::move(ev));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const TimedEvent& a, const TimedEvent& b) { return a.at < b.at; });
  return out;
}

std::expected<Predicate, RuleError> RuleEngine::visibility(const Calendar& cal,
                                                           const ServiceRef& service,
                                                           Instant now) const {
  Array provinces(service.provinces.begin(), service.provinces.end());
  Value ctx = Object{{"now", seconds(now)},
                     {"calendar", cal.to_value()},
                     {"service", Object{{"id", service.id}, {"provinces", std::move(provinces)}}}};
  auto answer = call(cal.rules.visibility, ctx);
  if (!answer) return std::unexpected(answer.error());
  auto predicate = Predicate::from_value(*answer);
  if (!predicate) return std::unexpected(bad_result(cal.rules.visibility, predicate.error()));
  return *predicate;
}

std::expected<GuardDecision, RuleError> RuleEngine::guard(
    const Workflow& workflow, const TransitionDef& row, const Calendar& cal, std::string_view from,
    std::string_view role, Instant now) const {
  auto m = moment(cal, now);
  if (!m) return std::unexpected(m.error());
  Value ctx =
      Object{{"now", seconds(now)}, {"role", std::string(role)}, {"from", std::string(from)},
             {"to", row.to},        {"track", workflow.name},    {"moment", m->raw}};
  auto answer = call(row.when, ctx);
  if (!answer) return std::unexpected(answer.error());
  GuardDecision d;
  if (answer->is_bool()) {
    d.allow = answer->as_bool();
    if (!d.allow) d.error = "transition_not_allowed";
  } else if (answer->is_object()) {
    d.allow = truthy((*answer)["allow"]);
    d.error = text_or_empty((*answer)["error"]);
    d.message = text_or_empty((*answer)["message"]);
    if (!d.allow && d.error.empty()) d.error = "transition_not_allowed";
  } else {
    return std::unexpected(bad_result(row.when, "verwacht true of {allow, error, message}"));
  }
  return d;
}

std::expected<std::vector<FieldProblem>, RuleError> RuleEngine::checks(const Workflow& workflow,
                                                                       const Value& request) const {
  std::vector<FieldProblem> out;
  for (const auto& check : workflow.checks) {
    auto answer = call(check.rule, Object{{"request", request}, {"track", workflow.name}});
    if (!answer) return std::unexpected(answer.error());
    if (!answer->is_array())
      return std::unexpected(bad_result(check.rule, "verwacht een lijst {field, message}"));
    for (const auto& p : answer->as_array()) {
      if (!p["field"].is_string() || !p["message"].is_string())
        return std::unexpected(bad_result(check.rule, "elk probleem heeft field en message nodig"));
      out.push_back({p["field"].as_string(), p["message"].as_string(), check.severity});
    }
  }
  return out;
}

}  // namespace stagematch

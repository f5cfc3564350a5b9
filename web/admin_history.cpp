#include "admin_history.hpp"

#include <algorithm>
#include <set>

#include "pages_common.hpp"

namespace stagematch {

namespace {

constexpr const char* kAdminSide = "VIVO (beheerder)";

}  // namespace

std::string org_type(const std::string& type) {
  return type == role::kSchool ? "School" : type == role::kService ? "Dienst" : type;
}

AuditNames::AuditNames(const std::vector<User>& users, const std::vector<Organisation>& orgs) {
  for (const auto& u : users) users_.emplace(u.id, u);
  for (const auto& o : orgs) orgs_.emplace(o.id, o.name);
}

std::string AuditNames::who(const AuditEntry& a) const {
  if (a.actor.empty()) return a.user_id ? org_of_user(*a.user_id) : "Niet aangemeld";
  if (a.actor == "system") return "Systeem";
  if (a.actor == "demo") return "Demodata";
  if (a.actor == "admin-cli") return "Beheerder via de opdrachtregel";
  auto colon = a.actor.find(':');
  if (colon == std::string::npos) return a.actor;
  std::string kind = a.actor.substr(0, colon);
  std::optional<Id> id = parse_id(std::string_view(a.actor).substr(colon + 1));
  if (kind == role::kAdmin) return kAdminSide;
  if (kind == "user") {
    if (id) return org_of_user(*id);
    if (a.user_id) return org_of_user(*a.user_id);
    return a.actor;
  }
  if (kind == role::kSchool || kind == role::kService) {
    if (id) {
      auto org = orgs_.find(*id);
      if (org != orgs_.end()) return org->second;
    }
    // An organisation that is gone, or none: still say what kind it was.
    return org_type(kind) + (id ? " " + std::to_string(*id) : std::string());
  }
  return a.actor;
}

std::string AuditNames::user(const AuditEntry& a) const {
  std::optional<Id> id = a.user_id;
  if (!id && a.actor.starts_with("user:")) id = parse_id(std::string_view(a.actor).substr(5));
  if (!id) return "-";
  auto found = users_.find(*id);
  return found != users_.end() ? found->second.email : "Gebruiker " + std::to_string(*id);
}

std::string AuditNames::org_of_user(Id id) const {
  auto u = users_.find(id);
  if (u == users_.end()) return "Gebruiker " + std::to_string(id);
  if (u->second.role == role::kAdmin || !u->second.org_id) return kAdminSide;
  auto org = orgs_.find(*u->second.org_id);
  return org != orgs_.end() ? org->second : u->second.email;
}

Value history_value(const Workflow& workflow, const RequestHistory& history,
                    const AuditNames& names, const std::vector<Organisation>& services) {
  std::set<Id> ids;
  for (const auto& s : history.statuses) ids.insert(s.service_id);
  for (const auto& c : history.counts) ids.insert(c.service_id);
  const std::string initial = workflow.initial_status() ? workflow.initial_status()->id : "";
  Array per_service;
  for (Id id : ids) {
    auto org = std::find_if(services.begin(), services.end(),
                            [id](const Organisation& o) { return o.id == id; });
    auto status = std::find_if(history.statuses.begin(), history.statuses.end(),
                               [id](const ServiceStatus& s) { return s.service_id == id; });
    const std::string current = status != history.statuses.end() ? status->status : initial;
    // The counts in the workflow's order of statuses, the ones never chosen left out.
    Array counts;
    for (const auto& def : workflow.statuses)
      for (const auto& c : history.counts)
        if (c.service_id == id && c.status == def.id && c.count > 0)
          counts.push_back(Object{{"status", c.status},
                                  {"label", status_label(workflow, c.status)},
                                  {"count", static_cast<std::int64_t>(c.count)}});
    Object entry{{"id", id},
                 {"name", org != services.end() ? org->name
                                                : org_type("service") + " " + std::to_string(id)},
                 {"status", current},
                 {"status_label", status_label(workflow, current)},
                 {"revealed", status != history.statuses.end() && status->revealed},
                 {"counts", std::move(counts)}};
    if (status != history.statuses.end() && status->changed_at)
      entry["changed_at"] = format_iso(*status->changed_at);
    per_service.push_back(std::move(entry));
  }
  Array events;
  for (const auto& a : history.audit)
    events.push_back(Object{{"at", format_iso(a.at)},
                            {"action", a.action},
                            {"who", names.who(a)},
                            {"user", names.user(a)},
                            {"outcome", a.outcome},
                            {"detail", a.detail}});
  return Object{{"request", history.request},
                {"services", std::move(per_service)},
                {"events", std::move(events)}};
}

}  // namespace stagematch

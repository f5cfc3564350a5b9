#include "audit_log.hpp"

#include "service_support.hpp"

namespace stagematch {

AuditEntry audit_entry(const Actor& actor, Instant at, std::string action, std::string object_type,
                       std::optional<Id> object_id, std::string detail) {
  AuditEntry a;
  a.at = at;
  if (actor.user_id) a.user_id = actor.user_id;
  a.actor = actor.role + ":" + std::to_string(actor.org_id);
  a.action = std::move(action);
  a.object_type = std::move(object_type);
  a.object_id = object_id;
  a.outcome = "ok";
  a.detail = std::move(detail);
  return a;
}

AuditLog::AuditLog(Store& store, const Clock& clock) : store_(store), clock_(clock) {}

DomainResult<std::vector<AuditEntry>> AuditLog::recent(const Actor& actor, int limit) const {
  if (auto ok = service::admin_only(actor); !ok) return std::unexpected(ok.error());
  return store_.audit_log(limit);
}

void AuditLog::record(const Actor& actor, std::string action, std::string object_type,
                      std::optional<Id> object_id, std::string detail) {
  store_.append_audit(audit_entry(actor, clock_.now(), std::move(action), std::move(object_type),
                                  object_id, std::move(detail)));
}

void AuditLog::record_refusal(const Actor& actor, std::string action, std::string object_type,
                              std::optional<Id> object_id, std::string detail,
                              const std::string& code) {
  AuditEntry a = audit_entry(actor, clock_.now(), std::move(action), std::move(object_type),
                             object_id, std::move(detail));
  a.outcome = "refused:" + code;
  store_.append_audit(a);
}

}  // namespace stagematch

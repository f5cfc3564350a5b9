// What the admin reads about who did what and about one request's whole story: the audit
// log's actors in words (organisation and e-mail address), and a request's history (each
// service's status and counts, every audit line, reveals included) as one value that both the
// JSON API and the admin's page show.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "accounts.hpp"
#include "matching.hpp"

namespace stagematch {

// "School" or "Dienst" for an organisation type.
std::string org_type(const std::string& type);

// The audit log's "who" in words an admin reads: the organisation's name and the user's e-mail
// address instead of "service:3" and a user id. Users and organisations are read once per page.
class AuditNames {
 public:
  AuditNames(const std::vector<User>& users, const std::vector<Organisation>& orgs);

  // "Sint-Jozef Antwerpen" for "school:3", the admin's side for "admin:0" and "user:12" (an
  // admin's invitation), and Dutch words for the actors that are no user ("system", ...).
  std::string who(const AuditEntry& a) const;
  // The e-mail address of the user who acted; "-" when no user did.
  std::string user(const AuditEntry& a) const;

 private:
  std::string org_of_user(Id id) const;

  std::map<Id, User> users_;
  std::map<Id, std::string> orgs_;
};

// One request's history for the admin: {"request": the request as the admin sees it,
// "services": [{"id", "name", "status", "status_label", "revealed", "changed_at", "counts":
// [{"status", "label", "count"}]}], "events": [{"at", "action", "who", "user", "outcome",
// "detail"}] oldest first}. Every service with a status or a count is listed, by name.
Value history_value(const Workflow& workflow, const RequestHistory& history,
                    const AuditNames& names, const std::vector<Organisation>& services);

}  // namespace stagematch

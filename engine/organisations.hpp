// Organisations (schools and services) and the invitations that give their people an account:
// an admin creates them and invites; everyone logged in reads their names.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "accounts.hpp"
#include "audit_log.hpp"
#include "definitions.hpp"

namespace stagematch {

// A new organisation as an admin fills it in; the lists hold codes (ANT, secundair, ...).
struct NewOrganisation {
  std::string type;                    // school | service
  std::string name;                    // trimmed by the service
  std::vector<std::string> provinces;  // services only: at least one
  std::vector<std::string> tracks;     // schools only: at least one, each a known track
};

class Organisations {
 public:
  Organisations(Store& store, AccountStore& account_store, Accounts& accounts,
                std::function<std::shared_ptr<const DefinitionSet>()> definitions,
                const Clock& clock);

  // The province codes a service may be active in (ANT BRU LIM OVL VBR WVL).
  static const std::vector<std::string>& province_codes();

  // Admin only. Validation names each wrong field in Dutch (code "validation", fields set);
  // a duplicate name is the store's refusal. Audited as org.create (detail: the type).
  DomainResult<Id> create(const Actor& actor, const NewOrganisation& org);
  // Every organisation of `type` ("school", "service"; "" = all), as stored.
  std::vector<Organisation> list(const std::string& type = "") const;
  // The same, shared and not copied (Store::shared_organisations).
  std::shared_ptr<const std::vector<Organisation>> shared_list(const std::string& type) const;
  // One organisation, or nullopt when there is none with this id.
  std::optional<Organisation> find(Id id) const;

  // Admin only: invites `email` as `role` of organisation `org_id` (none for an admin); the
  // activation link leaves by mail. Accounts checks the address, the role and the organisation.
  DomainResult<Id> invite(const Actor& actor, const std::string& email, const std::string& role,
                          std::optional<Id> org_id);
  // Admin only: every account, for the list of invitations and the audit's names.
  DomainResult<std::vector<User>> users(const Actor& actor) const;

 private:
  Store& store_;
  AccountStore& account_store_;
  Accounts& accounts_;
  std::function<std::shared_ptr<const DefinitionSet>()> definitions_;
  const Clock& clock_;
};

}  // namespace stagematch

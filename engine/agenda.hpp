// The rounds in a user's own calendar application: every user may have one private feed address
// (/agenda/TOKEN.ics) serving the round openings and closings, results dates and registration
// windows of the tracks they work in, from the calendars in force at the moment it is fetched.
// Only the token's SHA-256 is stored; renewing makes a new one and the old one stops at once.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "accounts.hpp"
#include "audit_log.hpp"
#include "definitions.hpp"
#include "icalendar.hpp"

namespace stagematch {

class Agenda {
 public:
  Agenda(Store& store, AccountStore& accounts,
         std::function<std::shared_ptr<const DefinitionSet>()> definitions, const Clock& clock);

  // Since when the actor's own feed address exists; none when it has none.
  std::optional<Instant> address_since(const Actor& actor) const;
  // A new feed address for the actor's own account: the token, to be shown once (only its hash
  // is kept). An earlier address stops at once. Audited agenda.create or agenda.renew, without
  // the token.
  DomainResult<std::string> renew(const Actor& actor);
  // The actor's feed address stops; nothing happens when there is none. Audited agenda.revoke.
  DomainResult<void> revoke(const Actor& actor);

  // The feed (iCalendar text) of the account whose current token `token` is. Any other text
  // (unknown, renewed, revoked, malformed) is not_found, with nothing said about why.
  DomainResult<std::string> feed(std::string_view token) const;
  // The events of that feed for `user`: the dates of the tracks the user works in (a school:
  // the tracks it may register in; a service and an admin: every track), in time order.
  DomainResult<std::vector<IcalEvent>> events_for(const User& user) const;

 private:
  Store& store_;
  AccountStore& accounts_;
  std::function<std::shared_ptr<const DefinitionSet>()> definitions_;
  const Clock& clock_;
};

}  // namespace stagematch

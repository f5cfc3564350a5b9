// The audit log: one way to write an audit line for everything the engine records, and the
// admin's reading of it. Every change made through the pages or the JSON API is written here by
// the engine service that made it, so one change is recorded the same way whichever way it came.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "clock.hpp"
#include "matching.hpp"  // Actor, DomainResult
#include "store.hpp"

namespace stagematch {

// One audit line: `actor` did `action` on `object_type` `object_id` at `at`, outcome "ok".
// Actor "school:3" names the role and organisation; the user's id is kept beside it.
AuditEntry audit_entry(const Actor& actor, Instant at, std::string action, std::string object_type,
                       std::optional<Id> object_id, std::string detail = {});

class AuditLog {
 public:
  AuditLog(Store& store, const Clock& clock);

  // The newest `limit` lines, newest first. Admin only (forbidden for anyone else).
  DomainResult<std::vector<AuditEntry>> recent(const Actor& actor, int limit) const;
  // Records what `actor` did outside the other services (the test clock set): one line, "ok".
  void record(const Actor& actor, std::string action, std::string object_type,
              std::optional<Id> object_id, std::string detail = {});
  // Records a refusal worth keeping (a calendar that was not published): outcome
  // "refused:<code>".
  void record_refusal(const Actor& actor, std::string action, std::string object_type,
                      std::optional<Id> object_id, std::string detail, const std::string& code);

 private:
  Store& store_;
  const Clock& clock_;
};

}  // namespace stagematch

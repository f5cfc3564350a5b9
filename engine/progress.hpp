// The admin's watch on progress: how often services chose each status for a request, who holds
// an invitation now, and which services invited unusually many students lately.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "audit_log.hpp"

namespace stagematch {

class Progress {
 public:
  explicit Progress(Store& store);

  // How often each service chose each status for one request. Admin only.
  DomainResult<std::vector<StatusCount>> status_counts(const Actor& actor, Id request_id) const;
  // Whether some service holds one of `statuses` for the request now (`initial`: the status of
  // a service that never chose). Admin only.
  DomainResult<bool> held_by_any(const Actor& actor, Id request_id,
                                 const std::set<std::string>& statuses,
                                 const std::string& initial) const;
  // Per service, how many requests of `track` it moved to one of `statuses` since `since`,
  // most first. Admin only.
  DomainResult<std::vector<StatusCount>> changes_since(const Actor& actor, const std::string& track,
                                                       const std::set<std::string>& statuses,
                                                       Instant since) const;

 private:
  Store& store_;
};

}  // namespace stagematch

#include "progress.hpp"

#include "service_support.hpp"

namespace stagematch {

Progress::Progress(Store& store) : store_(store) {}

DomainResult<std::vector<StatusCount>> Progress::status_counts(const Actor& actor,
                                                               Id request_id) const {
  if (auto ok = service::admin_only(actor); !ok) return std::unexpected(ok.error());
  return store_.status_counts(request_id);
}

DomainResult<bool> Progress::held_by_any(const Actor& actor, Id request_id,
                                         const std::set<std::string>& statuses,
                                         const std::string& initial) const {
  if (auto ok = service::admin_only(actor); !ok) return std::unexpected(ok.error());
  // Only services that ever chose one of the statuses can hold it now.
  for (const auto& count : store_.status_counts(request_id)) {
    if (!statuses.contains(count.status)) continue;
    if (statuses.contains(store_.service_status(request_id, count.service_id, initial).status))
      return true;
  }
  return false;
}

DomainResult<std::vector<StatusCount>> Progress::changes_since(
    const Actor& actor, const std::string& track, const std::set<std::string>& statuses,
    Instant since) const {
  if (auto ok = service::admin_only(actor); !ok) return std::unexpected(ok.error());
  return store_.status_changes_since(
      track, std::vector<std::string>(statuses.begin(), statuses.end()), since);
}

}  // namespace stagematch

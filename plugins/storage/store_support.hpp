// What the repositories of the SQL store share: the refusals with their Dutch sentences, the
// audit and outbox rows written inside a change's transaction, and the current moment.
#pragma once

#include <chrono>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sql_db.hpp"
#include "store.hpp"

namespace stagematch::storage {

inline std::unexpected<StoreError> refuse(std::string code, std::string message) {
  return std::unexpected(StoreError{std::move(code), std::move(message)});
}

inline constexpr std::string_view kAlreadyAcceptedByOther =
    "Deze student werd intussen al aanvaard door een andere dienst.";
inline constexpr std::string_view kStale =
    "Iemand anders wijzigde dit intussen. Laad de pagina opnieuw en probeer het nog eens.";
inline constexpr std::string_view kUnavailable =
    "De databank is even niet bereikbaar. Probeer het binnen enkele ogenblikken opnieuw.";

inline Instant now_seconds() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

// The moment of an entry, or now when the caller left it at the epoch.
inline Instant or_now(Instant t) { return t.time_since_epoch().count() == 0 ? now_seconds() : t; }

// Writes one audit row. `object_type` and `object_id` fill in what the entry left empty (the id
// of a request that did not exist when the caller built the entry).
void insert_audit(Tx& tx, const AuditEntry& entry, std::string_view object_type = "",
                  std::optional<Id> object_id = std::nullopt);
// Writes many audit rows, up to kAuditRowsPerStatement in one statement (a list that reveals
// personal data writes a line per request shown).
void insert_audits(Tx& tx, const std::vector<AuditEntry>& entries);

// Queues mails; a mail whose dedupe_key is already in the outbox is skipped, not sent twice.
// A mail with a later next_attempt_at waits in the outbox until then.
void queue_mails(Tx& tx, const std::vector<OutboxMail>& mails, Instant at);
// One mail; its id, or none when its dedupe_key was queued before.
std::optional<Id> queue_mail(Tx& tx, const OutboxMail& mail, Instant at);

// A driver failure as the API shows it: unique violations are `duplicate`, a missing or still
// referenced row is `foreign_key_code` (with its message), anything else `unavailable`.
StoreError store_error(
    const DbError& e, std::string foreign_key_code = "not_found",
    std::string foreign_key_message = "Een gekoppeld gegeven bestaat niet (meer).",
    std::string duplicate_message = "Dit gegeven bestaat al.");

}  // namespace stagematch::storage

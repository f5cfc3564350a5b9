// Calendar feed tokens in SQL (table agenda_tokens): one per user, only its SHA-256 kept.
// Every function runs inside the caller's transaction; driver failures come out as DbError.
#pragma once

#include <optional>
#include <string>

#include "sql_db.hpp"
#include "store.hpp"

namespace stagematch::storage {

// Replaces the user's token by `hash`, or deletes it when there is none, with the audit line.
void write_agenda_token(Tx& tx, Id user_id, const std::optional<std::string>& hash, Instant at,
                        const AuditEntry& audit);
std::optional<Id> load_agenda_token_user(Tx& tx, const std::string& hash);
std::optional<Instant> load_agenda_token_since(Tx& tx, Id user_id);

}  // namespace stagematch::storage

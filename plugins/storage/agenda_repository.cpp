#include "agenda_repository.hpp"

#include "store_support.hpp"

namespace stagematch::storage {

void write_agenda_token(Tx& tx, Id user_id, const std::optional<std::string>& hash, Instant at,
                        const AuditEntry& audit) {
  if (hash) {
    // One row per user: a new token takes the place of the old one in the same statement.
    tx.exec(
        "INSERT INTO agenda_tokens (user_id, token_hash, created_at) VALUES (?, ?, ?)"
        " ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash,"
        " created_at = excluded.created_at",
        {user_id, *hash, at});
  } else {
    tx.exec("DELETE FROM agenda_tokens WHERE user_id = ?", {user_id});
  }
  insert_audit(tx, audit, "user", user_id);
}

std::optional<Id> load_agenda_token_user(Tx& tx, const std::string& hash) {
  // A disabled account's feed stops with it.
  auto row = tx.query_one(
      "SELECT a.user_id FROM agenda_tokens a JOIN users u ON u.id = a.user_id"
      " WHERE a.token_hash = ? AND u.disabled_at IS NULL",
      {hash}, 1);
  if (!row) return std::nullopt;
  return row->int64(0);
}

std::optional<Instant> load_agenda_token_since(Tx& tx, Id user_id) {
  auto row = tx.query_one("SELECT created_at FROM agenda_tokens WHERE user_id = ?", {user_id}, 1);
  if (!row) return std::nullopt;
  return row->instant(0);
}

}  // namespace stagematch::storage

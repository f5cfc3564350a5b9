#include "store_support.hpp"

#include <Poco/Logger.h>

namespace stagematch::storage {

namespace {

// A driver message for the log, without the "Detail:" part where PostgreSQL repeats values.
std::string loggable(std::string_view message) {
  for (std::string_view marker : {"DETAIL:", "Detail:"}) {
    if (auto at = message.find(marker); at != std::string_view::npos)
      message = message.substr(0, at);
  }
  return std::string(message.substr(0, 400));
}

}  // namespace

namespace {

constexpr std::string_view kInsertAudit =
    "INSERT INTO audit_log (at, user_id, actor, action, object_type, object_id, outcome, detail)"
    " VALUES ";
constexpr std::string_view kAuditRow = "(?, ?, ?, ?, ?, ?, ?, ?)";
// Rows per statement of insert_audits: 8 parameters each, far below either database's limit.
constexpr std::size_t kAuditRowsPerStatement = 64;

void add_audit_params(Params& params, const AuditEntry& entry, std::string_view object_type,
                      std::optional<Id> object_id) {
  std::optional<Id> id = entry.object_id && *entry.object_id != 0 ? entry.object_id : object_id;
  std::string type = entry.object_type.empty() ? std::string(object_type) : entry.object_type;
  for (SqlValue v : {SqlValue(or_now(entry.at)), SqlValue(entry.user_id), SqlValue(entry.actor),
                     SqlValue(entry.action), SqlValue(type), SqlValue(id),
                     SqlValue(entry.outcome.empty() ? std::string("ok") : entry.outcome),
                     SqlValue(entry.detail)})
    params.push_back(std::move(v));
}

}  // namespace

void insert_audit(Tx& tx, const AuditEntry& entry, std::string_view object_type,
                  std::optional<Id> object_id) {
  Params params;
  add_audit_params(params, entry, object_type, object_id);
  tx.exec(std::string(kInsertAudit).append(kAuditRow), params);
}

void insert_audits(Tx& tx, const std::vector<AuditEntry>& entries) {
  for (std::size_t from = 0; from < entries.size(); from += kAuditRowsPerStatement) {
    const std::size_t to = std::min(entries.size(), from + kAuditRowsPerStatement);
    std::string sql(kInsertAudit);
    Params params;
    params.reserve((to - from) * 8);
    for (std::size_t i = from; i < to; ++i) {
      sql.append(i == from ? "" : ", ").append(kAuditRow);
      add_audit_params(params, entries[i], "", std::nullopt);
    }
    tx.exec(sql, params);
  }
}

std::optional<Id> queue_mail(Tx& tx, const OutboxMail& m, Instant at) {
  Instant when = or_now(at);
  SqlValue key = m.dedupe_key.empty() ? SqlValue() : SqlValue(m.dedupe_key);
  auto row = tx.query_one(
      "INSERT INTO outbox (dedupe_key, to_address, subject, body_text, body_html, state,"
      " attempts, next_attempt_at, created_at)"
      " VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?)"
      " ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
      {key, m.to_address, m.subject, m.body_text, m.body_html,
       m.next_attempt_at && *m.next_attempt_at > when ? *m.next_attempt_at : when, when},
      1);
  if (!row) return std::nullopt;
  return row->int64(0);
}

void queue_mails(Tx& tx, const std::vector<OutboxMail>& mails, Instant at) {
  for (const OutboxMail& m : mails) queue_mail(tx, m, at);
}

StoreError store_error(const DbError& e, std::string foreign_key_code,
                       std::string foreign_key_message, std::string duplicate_message) {
  switch (e.kind()) {
    case DbErrorKind::kUnique:
      return StoreError{"duplicate", std::move(duplicate_message)};
    case DbErrorKind::kForeignKey:
      return StoreError{std::move(foreign_key_code), std::move(foreign_key_message)};
    default:
      Poco::Logger::get("stagematch.storage").error("database failure: " + loggable(e.what()));
      return StoreError{"unavailable", std::string(kUnavailable)};
  }
}

}  // namespace stagematch::storage

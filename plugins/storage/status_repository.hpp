// Each service's own status per request in SQL: the change itself, its history, the counts for
// the admin export, the exclusive acceptance and its release. Every function runs inside the
// caller's transaction; driver failures come out as DbError.
#pragma once

#include <string>
#include <vector>

#include "sql_db.hpp"
#include "store.hpp"

namespace stagematch::storage {

ServiceStatus load_service_status(Tx& tx, Id request_id, Id service_id, const std::string& initial);

// Applies `write` with its history, count, audit row and mails. A refusal leaves the
// transaction to be rolled back whole (Db::transact does).
StoreResult<void> apply_status_write(Tx& tx, const StatusWrite& write, const AuditEntry& audit);

std::vector<StatusCount> load_status_counts(Tx& tx, Id request_id);
std::vector<ServiceStatus> load_service_statuses(Tx& tx, Id request_id);

}  // namespace stagematch::storage

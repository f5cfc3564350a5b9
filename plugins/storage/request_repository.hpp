// Requests in SQL: one student's request with its transport modes, and the filtered, sorted,
// paged lists that services, schools and the admin browse. Every function runs inside the
// caller's transaction; driver failures come out as DbError.
#pragma once

#include <optional>

#include "sql_db.hpp"
#include "store.hpp"

namespace stagematch::storage {

Id insert_request(Tx& tx, const RequestRecord& request, const AuditEntry& audit);
StoreResult<void> update_request(Tx& tx, const RequestRecord& request, const AuditEntry& audit);
StoreResult<void> delete_request(Tx& tx, Id school_id, Id request_id, const AuditEntry& audit);
StoreResult<void> stop_request(Tx& tx, Id school_id, Id request_id, const AuditEntry& audit);
std::optional<RequestRecord> load_request(Tx& tx, Id request_id);
StoreResult<RequestPage> list_requests(Tx& tx, const RequestQuery& query);

// The SQL condition and values of a list query (everything after WHERE), or a refusal when the
// visibility predicate carries a value its column cannot hold.
struct ListCondition {
  std::string sql;
  Params params;
};
StoreResult<ListCondition> list_condition(const RequestQuery& query);

}  // namespace stagematch::storage

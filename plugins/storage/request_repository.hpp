// Requests in SQL: one student's request with its transport modes, and the filtered, sorted,
// paged lists that services, schools and the admin browse. Every function runs inside the
// caller's transaction; driver failures come out as DbError.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "sql_db.hpp"
#include "store.hpp"

namespace stagematch::storage {

Id insert_request(Tx& tx, const RequestRecord& request, const AuditEntry& audit);
StoreResult<void> update_request(Tx& tx, const RequestRecord& request, const AuditEntry& audit);
StoreResult<void> delete_request(Tx& tx, Id school_id, Id request_id, const AuditEntry& audit);
StoreResult<void> stop_request(Tx& tx, Id school_id, Id request_id, const AuditEntry& audit);
std::optional<RequestRecord> load_request(Tx& tx, Id request_id);
// The change counter on PostgreSQL as one expression: the sequence's last value, plus one once
// it was first moved on (a new sequence and one moved on once both hold last_value 1).
inline constexpr std::string_view kListVersion =
    "(SELECT last_value + is_called::int FROM request_changes)";

// The totals of list conditions, each with the change counter it was counted at.
class ListTotals {
 public:
  std::optional<std::int64_t> get(const std::string& key, std::int64_t version);
  void put(const std::string& key, std::int64_t version, std::int64_t total);

 private:
  static constexpr std::size_t kMaxEntries = 50000;
  std::mutex mutex_;
  std::unordered_map<std::string, std::pair<std::int64_t, std::int64_t>> totals_;
};

// `totals`: where totals are kept between calls (none: always count). `local_version`: the
// change counter on SQLite, which keeps it in the process (PostgreSQL reads request_changes).
StoreResult<RequestPage> list_requests(Tx& tx, const RequestQuery& query,
                                       ListTotals* totals = nullptr,
                                       std::int64_t local_version = 0);

// The SQL condition and values of a list query (everything after WHERE), or a refusal when the
// visibility predicate carries a value its column cannot hold.
struct ListCondition {
  std::string sql;
  Params params;
};
StoreResult<ListCondition> list_condition(const RequestQuery& query, Dialect dialect);
// The national register number of `requests r` as the dialect reads it from fields_json.
std::string national_number_column(Dialect dialect);

}  // namespace stagematch::storage

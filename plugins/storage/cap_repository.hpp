// Places per service in SQL: what each service stated per track, school year and round, and the
// few facts of each request the regional overview counts. Every function runs inside the
// caller's transaction; driver failures come out as DbError.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sql_db.hpp"
#include "store.hpp"

namespace stagematch::storage {

std::vector<Store::PlacesRecord> load_places(Tx& tx, const std::string& track,
                                             const std::string& year);
// Stores the places (none: removes the row, "onbekend") and the audit row.
StoreResult<void> write_places(Tx& tx, const Store::PlacesRecord& record, std::optional<int> places,
                               const AuditEntry& audit);
std::vector<Store::RequestFact> load_request_facts(Tx& tx, const std::string& track,
                                                   const std::string& year);

}  // namespace stagematch::storage

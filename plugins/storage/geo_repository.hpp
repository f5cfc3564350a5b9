// Service locations and the places of requests in SQL (issue 13, distance), and the order of a
// service's list by distance. Every function runs inside the caller's transaction.
#pragma once

#include <string>
#include <vector>

#include "sql_db.hpp"
#include "store.hpp"

namespace stagematch::storage {

std::vector<Store::ServiceLocation> service_locations(Tx& tx, Id service_id);
StoreResult<Id> add_service_location(Tx& tx, const Store::ServiceLocation& location,
                                     const AuditEntry& audit);
StoreResult<void> remove_service_location(Tx& tx, Id service_id, Id location_id,
                                          const AuditEntry& audit);
std::vector<Store::RequestToPlace> requests_to_place(Tx& tx, const std::string& track);
void save_request_places(Tx& tx, const std::vector<Store::RequestPlace>& places);

// ORDER BY terms for `requests r` by the distance to `service_id`'s nearest location: requests
// without a known place (or a service without locations) last, then by id.
std::string distance_order(Id service_id);

}  // namespace stagematch::storage

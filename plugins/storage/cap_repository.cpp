#include "cap_repository.hpp"

#include "store_support.hpp"

namespace stagematch::storage {

std::vector<Store::PlacesRecord> load_places(Tx& tx, const std::string& track,
                                             const std::string& year) {
  std::vector<Store::PlacesRecord> out;
  for (const Row& row :
       tx.query("SELECT service_id, round_id, places, updated_at FROM service_places"
                " WHERE track = ? AND year = ? ORDER BY service_id, round_id",
                {track, year}, 4))
    out.push_back(Store::PlacesRecord{row.int64(0), track, year, row.text(1),
                                      static_cast<int>(row.int64(2)), row.instant(3)});
  return out;
}

StoreResult<void> write_places(Tx& tx, const Store::PlacesRecord& record, std::optional<int> places,
                               const AuditEntry& audit) {
  if (!tx.query_one("SELECT id FROM organisations WHERE id = ? AND type = 'service'",
                    {record.service_id}, 1))
    return refuse("not_found", "Deze dienst bestaat niet (meer).");
  if (places)
    tx.exec(
        "INSERT INTO service_places (service_id, track, year, round_id, places, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (service_id, track, year, round_id) DO UPDATE SET places = excluded.places,"
        " updated_at = excluded.updated_at",
        {record.service_id, record.track, record.year, record.round_id, *places,
         or_now(record.updated_at)});
  else
    tx.exec(
        "DELETE FROM service_places WHERE service_id = ? AND track = ? AND year = ?"
        " AND round_id = ?",
        {record.service_id, record.track, record.year, record.round_id});
  insert_audit(tx, audit);
  return {};
}

std::vector<Store::RequestFact> load_request_facts(Tx& tx, const std::string& track,
                                                   const std::string& year) {
  std::vector<Store::RequestFact> out;
  for (const Row& row :
       tx.query("SELECT id, province, registered_at, state, accepted_by, accepted_at FROM requests"
                " WHERE track = ? AND year = ? ORDER BY id",
                {track, year}, 6))
    out.push_back(Store::RequestFact{row.int64(0), row.text(1), row.instant(2),
                                     row.text(3) == "stopped", row.opt_int64(4),
                                     row.opt_instant(5)});
  return out;
}

}  // namespace stagematch::storage

#include "geo_repository.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "store_support.hpp"

namespace stagematch::storage {

namespace {

double real(const Row& row, std::size_t i) { return std::strtod(row.text(i).c_str(), nullptr); }

constexpr double kRadians = 3.14159265358979323846 / 180.0;

}  // namespace

std::vector<Store::ServiceLocation> service_locations(Tx& tx, Id service_id) {
  std::vector<Store::ServiceLocation> out;
  for (const Row& row : tx.query("SELECT id, service_id, postal_code, municipality, lat, lng"
                                 " FROM service_locations WHERE service_id = ? ORDER BY id",
                                 {service_id}, 6))
    out.push_back(
        {row.int64(0), row.int64(1), row.text(2), row.text(3), real(row, 4), real(row, 5)});
  return out;
}

StoreResult<Id> add_service_location(Tx& tx, const Store::ServiceLocation& l,
                                     const AuditEntry& audit) {
  if (tx.query_one("SELECT id FROM service_locations WHERE service_id = ? AND postal_code = ?"
                   " AND municipality = ?",
                   {l.service_id, l.postal_code, l.municipality}, 1))
    return refuse("duplicate", "Deze locatie staat al in de lijst.");
  Id id =
      tx.query_one(
            "INSERT INTO service_locations (service_id, postal_code, municipality, lat, lng,"
            " lat_cos) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            {l.service_id, l.postal_code, l.municipality, l.lat, l.lng, std::cos(l.lat * kRadians)},
            1)
          ->int64(0);
  insert_audit(tx, audit, "org", l.service_id);
  return id;
}

StoreResult<void> remove_service_location(Tx& tx, Id service_id, Id location_id,
                                          const AuditEntry& audit) {
  if (tx.query("DELETE FROM service_locations WHERE id = ? AND service_id = ? RETURNING id",
               {location_id, service_id}, 1)
          .empty())
    return refuse("not_found", "Deze locatie bestaat niet (meer).");
  insert_audit(tx, audit, "org", service_id);
  return {};
}

std::vector<Store::RequestToPlace> requests_to_place(Tx& tx, const std::string& track) {
  const std::string city = tx.dialect() == Dialect::kPostgresql
                               ? "(r.fields_json::jsonb ->> 'city')"
                               : "json_extract(r.fields_json, '$.city')";
  std::vector<Store::RequestToPlace> out;
  for (const Row& row :
       tx.query("SELECT r.id, r.version, r.postal_code, " + city +
                    " FROM requests r LEFT JOIN request_places p ON p.request_id = r.id"
                    " WHERE r.track = ? AND (p.request_id IS NULL OR p.version <> r.version)",
                {track}, 4))
    out.push_back({row.int64(0), static_cast<int>(row.int64(1)), row.text(2), row.text(3)});
  return out;
}

void save_request_places(Tx& tx, const std::vector<Store::RequestPlace>& places) {
  // A few hundred rows per statement: the first sort after an upgrade places every request.
  constexpr std::size_t kRowsPerStatement = 200;
  for (std::size_t first = 0; first < places.size(); first += kRowsPerStatement) {
    const std::size_t last = std::min(places.size(), first + kRowsPerStatement);
    std::string rows;
    Params params;
    for (std::size_t i = first; i < last; ++i) {
      const Store::RequestPlace& p = places[i];
      rows += std::string(i == first ? "" : ", ") +
              "(CAST(? AS BIGINT), CAST(? AS INTEGER), CAST(? AS DOUBLE PRECISION),"
              " CAST(? AS DOUBLE PRECISION))";
      params.insert(params.end(), {p.request_id, p.version, p.lat ? SqlValue(*p.lat) : SqlValue(),
                                   p.lng ? SqlValue(*p.lng) : SqlValue()});
    }
    // A request deleted in the meantime has nothing left to place (the join drops it).
    tx.exec(
        "INSERT INTO request_places (request_id, version, lat, lng)"
        " SELECT v.column1, v.column2, v.column3, v.column4 FROM (VALUES " +
            rows +
            ") v JOIN requests r ON r.id = v.column1 WHERE 1 = 1"
            " ON CONFLICT (request_id) DO UPDATE SET version = excluded.version,"
            " lat = excluded.lat, lng = excluded.lng",
        params);
  }
}

std::string distance_order(Id service_id) {
  // The equirectangular distance squared (in degrees of latitude): at Belgium's scale it orders
  // places as the haversine kilometres shown on the page do, without trigonometry in SQL.
  const std::string nearest =
      "(SELECT MIN((p.lat - l.lat) * (p.lat - l.lat) + (p.lng - l.lng) * l.lat_cos *"
      " (p.lng - l.lng) * l.lat_cos) FROM request_places p JOIN service_locations l"
      " ON l.service_id = " +
      std::to_string(service_id) + " WHERE p.request_id = r.id AND p.lat IS NOT NULL)";
  // Unknown (no place, or no location) as farther than anything in Belgium: last.
  return "COALESCE(" + nearest + ", 1e9), r.id";
}

}  // namespace stagematch::storage

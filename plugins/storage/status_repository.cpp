#include "status_repository.hpp"

#include "store_support.hpp"

namespace stagematch::storage {

namespace {

std::string periods_json(const std::vector<int>& periods) {
  Array a;
  for (int p : periods) a.emplace_back(p);
  return Value(std::move(a)).to_json();
}

// The exclusive status (aanvaard): one conditional update decides. At READ COMMITTED a second
// service's UPDATE waits for the first one's row lock, then re-checks `accepted_by IS NULL` on
// the committed row and changes nothing; on SQLite writers are serialised anyway.
StoreResult<void> accept(Tx& tx, const StatusWrite& w, Instant at) {
  auto won = tx.query(
      "UPDATE requests SET accepted_by = ?, accepted_at = ?, accepted_periods = ?, mentor_id = ?,"
      " notes = ?, version = version + 1"
      " WHERE id = ? AND accepted_by IS NULL AND state = 'active' RETURNING id",
      {w.service_id, at, periods_json(w.periods), w.mentor_id, w.notes, w.request_id}, 1);
  if (!won.empty()) return {};
  auto now = tx.query_one("SELECT accepted_by FROM requests WHERE id = ?", {w.request_id}, 1);
  if (!now) return refuse("not_found", "Deze aanvraag bestaat niet (meer).");
  auto by = now->opt_int64(0);
  if (by && *by != w.service_id)
    return refuse("already_accepted", std::string(kAlreadyAcceptedByOther));
  if (by) return refuse("conflict", "Uw dienst heeft deze student al aanvaard.");
  return refuse("conflict", "Deze student is gestopt en kan niet meer aanvaard worden.");
}

// An admin undoing an acceptance: the request is open again for every service.
StoreResult<void> release(Tx& tx, const StatusWrite& w) {
  auto released = tx.query(
      "UPDATE requests SET accepted_by = NULL, accepted_at = NULL, accepted_periods = '[]',"
      " mentor_id = NULL, notes = '', version = version + 1"
      " WHERE id = ? AND accepted_by = ? RETURNING id",
      {w.request_id, w.service_id}, 1);
  if (released.empty()) return refuse("stale", std::string(kStale));
  return {};
}

}  // namespace

ServiceStatus load_service_status(Tx& tx, Id request_id, Id service_id,
                                  const std::string& initial) {
  ServiceStatus s{request_id, service_id, initial, false, std::nullopt};
  auto row = tx.query_one(
      "SELECT status, revealed_at, changed_at FROM service_statuses"
      " WHERE request_id = ? AND service_id = ?",
      {request_id, service_id}, 3);
  if (row) {
    s.status = row->text(0);
    s.revealed = !row->is_null(1);
    s.changed_at = row->opt_instant(2);
  }
  return s;
}

StoreResult<void> apply_status_write(Tx& tx, const StatusWrite& w, const AuditEntry& audit) {
  Instant at = or_now(w.at);
  if (!tx.query_one("SELECT id FROM requests WHERE id = ?", {w.request_id}, 1))
    return refuse("not_found", "Deze aanvraag bestaat niet (meer).");
  auto current =
      tx.query_one("SELECT status FROM service_statuses WHERE request_id = ? AND service_id = ?",
                   {w.request_id, w.service_id}, 1);
  // No row yet: the service still holds the workflow's initial status, which is what the
  // caller read (service_status) and based `from` on.
  if (current && current->text(0) != w.from) return refuse("stale", std::string(kStale));

  if (w.exclusive) {
    if (auto r = accept(tx, w, at); !r) return r;
  }
  if (w.release) {
    if (auto r = release(tx, w); !r) return r;
  }

  // The service's own row, conditional on the status read above: a concurrent change by another
  // user of the same service makes this one stale instead of overwriting it. Reveal is sticky.
  SqlValue revealed_at = w.reveal ? SqlValue(at) : SqlValue();
  std::vector<Row> written;
  if (current) {
    written = tx.query(
        "UPDATE service_statuses SET status = ?, changed_at = ?,"
        " revealed_at = COALESCE(revealed_at, ?)"
        " WHERE request_id = ? AND service_id = ? AND status = ? RETURNING request_id",
        {w.to, at, revealed_at, w.request_id, w.service_id, w.from}, 1);
  } else {
    written = tx.query(
        "INSERT INTO service_statuses (request_id, service_id, status, revealed_at, changed_at)"
        " VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (request_id, service_id) DO NOTHING RETURNING request_id",
        {w.request_id, w.service_id, w.to, revealed_at, at}, 1);
  }
  if (written.empty()) return refuse("stale", std::string(kStale));

  tx.exec(
      "INSERT INTO status_history (request_id, service_id, from_status, to_status, user_id, at,"
      " reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
      {w.request_id, w.service_id, w.from, w.to, w.user_id, at, w.reason});
  if (w.count) {
    tx.exec(
        "INSERT INTO status_counts (request_id, service_id, status, count) VALUES (?, ?, ?, 1)"
        " ON CONFLICT (request_id, service_id, status)"
        " DO UPDATE SET count = status_counts.count + 1",
        {w.request_id, w.service_id, w.to});
  }
  insert_audit(tx, audit, "request", w.request_id);
  queue_mails(tx, w.mails, at);
  return {};
}

std::vector<StatusCount> load_status_counts(Tx& tx, Id request_id) {
  std::vector<StatusCount> out;
  for (const Row& row :
       tx.query("SELECT service_id, status, count FROM status_counts WHERE request_id = ?"
                " ORDER BY service_id, status",
                {request_id}, 3)) {
    out.push_back(StatusCount{row.int64(0), row.text(1), static_cast<int>(row.int64(2))});
  }
  return out;
}

std::vector<ServiceStatus> load_service_statuses(Tx& tx, Id request_id) {
  std::vector<ServiceStatus> out;
  for (const Row& row : tx.query("SELECT service_id, status, revealed_at, changed_at"
                                 " FROM service_statuses WHERE request_id = ? ORDER BY service_id",
                                 {request_id}, 4))
    out.push_back(
        ServiceStatus{request_id, row.int64(0), row.text(1), !row.is_null(2), row.opt_instant(3)});
  return out;
}

}  // namespace stagematch::storage

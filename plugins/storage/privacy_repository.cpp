#include "privacy_repository.hpp"

#include "json.hpp"
#include "mail_repository.hpp"
#include "request_repository.hpp"
#include "store_support.hpp"

namespace stagematch::storage {

namespace {

// Where a reason starts in an audit line's detail ("...; reden: ..."): engine/matching.cpp and
// matching_helpdesk.cpp write the reasons an admin gives this way.
constexpr std::string_view kReason = "reden: ";

}  // namespace

std::vector<Store::RequestKey> load_requests_with_personal_data(Tx& tx) {
  std::vector<Store::RequestKey> out;
  for (const Row& row : tx.query(
           "SELECT id, track, year, fields_json FROM requests WHERE erased_at IS NULL ORDER BY id",
           {}, 4)) {
    auto fields = parse_json(row.text(3));
    Value periods = fields && fields->is_object() ? (*fields)["periods"] : Value();
    out.push_back(Store::RequestKey{row.int64(0), row.text(1), row.text(2), std::move(periods)});
  }
  return out;
}

std::vector<Id> load_requests_of_student(Tx& tx, const std::string& national_number) {
  std::vector<Id> out;
  for (const Row& row : tx.query("SELECT r.id FROM requests r WHERE " +
                                     national_number_column(tx.dialect()) + " = ? ORDER BY r.id",
                                 {national_number}, 1))
    out.push_back(row.int64(0));
  return out;
}

std::vector<Store::HistoryLine> load_status_history(Tx& tx, Id request_id) {
  std::vector<Store::HistoryLine> out;
  for (const Row& row :
       tx.query("SELECT service_id, from_status, to_status, user_id, at, reason FROM status_history"
                " WHERE request_id = ? ORDER BY id",
                {request_id}, 6))
    out.push_back(Store::HistoryLine{row.int64(0), row.text(1), row.text(2), row.opt_int64(3),
                                     row.instant(4), row.text(5)});
  return out;
}

bool erase_personal_data(Tx& tx, const Store::Erasure& e) {
  const Id id = e.request_id;
  // Conditional: of two runs at once (two server instances), one erases and audits.
  // The name columns take what the kept fields say (lists sort and search on them).
  auto name = [&](const char* key) {
    const Value& v = e.kept_fields[key];
    return v.is_string() ? v.as_string() : std::string();
  };
  auto changed = tx.query(
      "UPDATE requests SET first_name = ?, last_name = ?, notes = '', fields_json = ?,"
      " erased_at = ?, version = version + 1 WHERE id = ? AND erased_at IS NULL RETURNING id",
      {name("first_name"), name("last_name"), e.kept_fields.to_json(), e.at, id}, 1);
  if (changed.empty()) return false;
  tx.exec("UPDATE status_history SET reason = ? WHERE request_id = ? AND reason <> ''",
          {e.erased_text, id});
  for (const Row& row :
       tx.query("SELECT id, detail FROM audit_log WHERE object_type = 'request' AND object_id = ?",
                {id}, 2)) {
    const std::string& detail = row.text(1);
    auto at = detail.find(kReason);
    if (at == std::string::npos) continue;
    tx.exec("UPDATE audit_log SET detail = ? WHERE id = ?",
            {detail.substr(0, at + kReason.size()) + e.erased_text, row.int64(0)});
  }
  for (const OutboxMail& m : load_request_mails(tx, id))
    tx.exec(
        "UPDATE outbox SET subject = ?, body_text = ?, body_html = '',"
        " state = CASE WHEN state = 'sent' THEN state ELSE 'dead' END,"
        " last_error = CASE WHEN state = 'sent' THEN last_error ELSE ? END WHERE id = ?",
        {e.erased_text, e.erased_text, e.erased_text, m.id});
  insert_audit(tx, e.audit, "request", id);
  return true;
}

}  // namespace stagematch::storage

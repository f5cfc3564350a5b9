#include "mail_repository.hpp"

#include <algorithm>

#include "store_support.hpp"

namespace stagematch::storage {

namespace {

constexpr std::size_t kMaxErrorLength = 1000;
constexpr const char* kLeaseRanOut =
    "onderbroken tijdens het versturen (de server stopte of hing); opnieuw geprobeerd";

constexpr const char* kColumns =
    "id, dedupe_key, to_address, subject, body_text, body_html, state, attempts, created_at,"
    " next_attempt_at, sent_at, last_error";
// The same, for a statement where another table also has an `id`.
constexpr const char* kQualifiedColumns =
    "outbox.id, outbox.dedupe_key, outbox.to_address, outbox.subject, outbox.body_text,"
    " outbox.body_html, outbox.state, outbox.attempts, outbox.created_at,"
    " outbox.next_attempt_at, outbox.sent_at, outbox.last_error";
constexpr std::size_t kColumnCount = 12;

OutboxMail read_mail(const Row& row) {
  OutboxMail m;
  m.id = row.int64(0);
  m.dedupe_key = row.text(1);
  m.to_address = row.text(2);
  m.subject = row.text(3);
  m.body_text = row.text(4);
  m.body_html = row.text(5);
  m.state = row.text(6);
  m.attempts = static_cast<int>(row.int64(7));
  m.created_at = row.opt_instant(8);
  m.next_attempt_at = row.opt_instant(9);
  m.sent_at = row.opt_instant(10);
  m.last_error = row.text(11);
  return m;
}

std::string clip(const std::string& error) { return error.substr(0, kMaxErrorLength); }

}  // namespace

std::vector<OutboxMail> claim_mails(Tx& tx, int limit, Instant now, std::chrono::seconds lease) {
  const std::string due =
      "SELECT id FROM outbox"
      " WHERE (state = 'pending' AND next_attempt_at <= ?)"
      " OR (state = 'sending' AND leased_until <= ?)"
      " ORDER BY id LIMIT ?";
  // A row whose lease ran out was being sent when its worker died: that counts as an attempt.
  const std::string set =
      " SET state = 'sending', leased_until = ?,"
      " attempts = attempts + CASE WHEN state = 'sending' THEN 1 ELSE 0 END,"
      " last_error = CASE WHEN state = 'sending' THEN ? ELSE last_error END";
  Instant until = now + lease;
  std::vector<Row> rows;
  if (tx.dialect() == Dialect::kPostgresql) {
    // The CTE with a row lock is evaluated once (MATERIALIZED: PostgreSQL otherwise inlines it,
    // and a rescan of the inlined subquery skips to the next free rows and claims those too);
    // SKIP LOCKED passes over rows another instance is claiming right now, so two instances
    // never get the same row.
    rows = tx.query("WITH due AS MATERIALIZED (" + due + " FOR UPDATE SKIP LOCKED) UPDATE outbox" +
                        set + " FROM due WHERE outbox.id = due.id RETURNING " + kQualifiedColumns,
                    {now, now, std::int64_t{limit}, until, kLeaseRanOut}, kColumnCount);
  } else {
    // SQLite: the write transaction (BEGIN IMMEDIATE) already excludes every other writer.
    rows = tx.query("UPDATE outbox" + set + " WHERE id IN (" + due + ") RETURNING " + kColumns,
                    {until, kLeaseRanOut, now, now, std::int64_t{limit}}, kColumnCount);
  }
  std::vector<OutboxMail> out;
  out.reserve(rows.size());
  for (const Row& row : rows) out.push_back(read_mail(row));
  std::sort(out.begin(), out.end(),
            [](const OutboxMail& a, const OutboxMail& b) { return a.id < b.id; });
  return out;
}

void mark_mail_sent(Tx& tx, Id id, Instant at) {
  tx.exec(
      "UPDATE outbox SET state = 'sent', sent_at = ?, leased_until = NULL,"
      " attempts = attempts + 1, last_error = '' WHERE id = ? AND state = 'sending'",
      {at, id});
}

void mark_mail_retry(Tx& tx, Id id, Instant next_attempt, const std::string& error) {
  tx.exec(
      "UPDATE outbox SET state = 'pending', next_attempt_at = ?, leased_until = NULL,"
      " attempts = attempts + 1, last_error = ? WHERE id = ? AND state = 'sending'",
      {next_attempt, clip(error), id});
}

void mark_mail_dead(Tx& tx, Id id, const std::string& error) {
  tx.exec(
      "UPDATE outbox SET state = 'dead', leased_until = NULL, attempts = attempts + 1,"
      " last_error = ? WHERE id = ? AND state = 'sending'",
      {clip(error), id});
}

StoreResult<void> resend_mail(Tx& tx, Id id, Instant now) {
  auto changed = tx.query(
      "UPDATE outbox SET state = 'pending', next_attempt_at = ?, leased_until = NULL,"
      " attempts = 0 WHERE id = ? AND state = 'dead' RETURNING id",
      {now, id}, 1);
  if (changed.empty()) return refuse("not_found", "Er is geen onbestelbare mail met dit nummer.");
  return {};
}

bool claim_timed_event(Tx& tx, const std::string& key, Instant at, Instant claimed_at,
                       const std::vector<OutboxMail>& mails) {
  auto inserted = tx.query(
      "INSERT INTO timed_events (key, due_at, claimed_at, done_at) VALUES (?, ?, ?, ?)"
      " ON CONFLICT (key) DO NOTHING RETURNING key",
      {key, at, claimed_at, claimed_at}, 1);
  if (inserted.empty()) return false;
  queue_mails(tx, mails, claimed_at);
  return true;
}

std::vector<OutboxMail> load_outbox(Tx& tx, int limit) {
  std::vector<OutboxMail> out;
  for (const Row& row :
       tx.query(std::string("SELECT ") + kColumns + " FROM outbox ORDER BY id DESC LIMIT ?",
                {std::int64_t{limit}}, kColumnCount))
    out.push_back(read_mail(row));
  return out;
}

std::vector<OutboxMail> load_request_mails(Tx& tx, Id request_id) {
  const std::string accepted = "accepted/" + std::to_string(request_id) + "/";
  const std::string undone = "undone/" + std::to_string(request_id) + "/";
  std::vector<OutboxMail> out;
  for (const Row& row : tx.query(std::string("SELECT ") + kColumns +
                                     " FROM outbox WHERE substr(dedupe_key, 1, ?) = ?"
                                     " OR substr(dedupe_key, 1, ?) = ? ORDER BY id",
                                 {static_cast<std::int64_t>(accepted.size()), accepted,
                                  static_cast<std::int64_t>(undone.size()), undone},
                                 kColumnCount))
    out.push_back(read_mail(row));
  return out;
}

std::vector<std::string> load_org_addresses(Tx& tx, Id org_id) {
  std::vector<std::string> out;
  for (const Row& row :
       tx.query("SELECT email FROM users WHERE org_id = ? AND activated_at IS NOT NULL"
                " AND disabled_at IS NULL ORDER BY email",
                {org_id}, 1))
    out.push_back(row.text(0));
  return out;
}

}  // namespace stagematch::storage

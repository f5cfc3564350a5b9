#include "account_repository.hpp"

#include <algorithm>
#include <chrono>

#include "store_support.hpp"

namespace stagematch::storage {

namespace {

// Login attempts older than this are deleted when a new one is written: far beyond any
// throttling window, long enough to look into a run of failures afterwards.
constexpr std::chrono::days kLoginAttemptsKept{30};

constexpr std::string_view kUserSelect =
    "SELECT id, email, role, org_id, activated_at, password_hash FROM users";
constexpr std::size_t kUserColumns = 6;

constexpr std::string_view kSessionSelect =
    "SELECT token_hash, user_id, csrf_token, created_at, last_seen_at, ended_at, end_reason,"
    " expires_at FROM sessions";
constexpr std::size_t kSessionColumns = 8;

UserRecord read_user(const Row& row) {
  UserRecord r;
  r.user.id = row.int64(0);
  r.user.email = row.text(1);
  r.user.role = row.text(2);
  r.user.org_id = row.opt_int64(3);
  r.user.activated = !row.is_null(4);
  r.password_hash = row.text(5);
  return r;
}

SessionRecord read_session(const Row& row) {
  SessionRecord s;
  s.hash = row.text(0);
  s.user_id = row.int64(1);
  s.csrf_token = row.text(2);
  s.created_at = row.instant(3);
  s.last_seen_at = row.instant(4);
  s.ended_at = row.opt_instant(5);
  s.end_reason = row.text(6);
  s.expires_at = row.instant(7);
  return s;
}

// Ends the user's unused, unexpired tokens of `purpose` by letting them expire now (used_at
// keeps meaning "was used").
void end_open_tokens(Tx& tx, Id user_id, const std::string& purpose, Instant now) {
  tx.exec(
      "UPDATE tokens SET expires_at = ?"
      " WHERE user_id = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?",
      {now, user_id, purpose, now});
}

// Requests for links are kept this long: the client limit looks back an hour at most.
constexpr std::chrono::days kLinkRequestsKept{1};

void write_token(Tx& tx, const TokenRecord& token, Id user_id, Instant created_at,
                 std::optional<Id> outbox_id = std::nullopt) {
  // A token whose link is made at sending has, until then, a hash no token can have.
  std::string hash = outbox_id ? "unsent:" + std::to_string(*outbox_id) : token.hash;
  tx.exec(
      "INSERT INTO tokens (token_hash, user_id, purpose, created_at, expires_at, used_at,"
      " requested, outbox_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      {hash, user_id, token.purpose, created_at, token.expires_at, token.used_at,
       token.unless_issued_since ? 1 : 0, outbox_id});
}

// The token with its mails: a token without a hash belongs to the first mail.
void write_token_and_mails(Tx& tx, const TokenRecord& token, Id user_id, Instant at,
                           const std::vector<OutboxMail>& mails) {
  if (!token.hash.empty() || mails.empty()) {
    write_token(tx, token, user_id, at);
    queue_mails(tx, mails, at);
    return;
  }
  std::optional<Id> mail = queue_mail(tx, mails.front(), at);
  write_token(tx, token, user_id, at, mail);
  queue_mails(tx, std::vector<OutboxMail>(mails.begin() + 1, mails.end()), at);
}

}  // namespace

StoreResult<Id> insert_user(Tx& tx, const UserRecord& user, const std::optional<TokenRecord>& token,
                            const std::vector<OutboxMail>& mails, const AuditEntry& audit) {
  if (tx.query_one("SELECT id FROM users WHERE email = ?", {user.user.email}, 1))
    return refuse("duplicate", std::string(kDuplicateEmail));
  Instant at = or_now(audit.at);
  SqlValue password = user.password_hash.empty() ? SqlValue() : SqlValue(user.password_hash);
  SqlValue activated_at = user.user.activated ? SqlValue(at) : SqlValue();
  Id id = tx.query_one(
                "INSERT INTO users (email, role, org_id, password_hash, activated_at, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                {user.user.email, user.user.role, user.user.org_id, password, activated_at, at}, 1)
              ->int64(0);
  if (token) {
    bool dated = token->created_at.time_since_epoch().count() != 0;
    write_token_and_mails(tx, *token, id, dated ? token->created_at : at, mails);
  } else {
    queue_mails(tx, mails, at);
  }
  insert_audit(tx, audit, "user", id);
  return id;
}

std::optional<UserRecord> load_user_by_email(Tx& tx, const std::string& email) {
  auto row = tx.query_one(std::string(kUserSelect) + " WHERE email = ?", {email}, kUserColumns);
  if (!row) return std::nullopt;
  return read_user(*row);
}

std::optional<UserRecord> load_user(Tx& tx, Id id) {
  auto row = tx.query_one(std::string(kUserSelect) + " WHERE id = ?", {id}, kUserColumns);
  if (!row) return std::nullopt;
  return read_user(*row);
}

std::vector<User> load_users(Tx& tx, std::optional<Id> org_id) {
  std::vector<User> out;
  std::vector<Row> rows =
      org_id ? tx.query(std::string(kUserSelect) + " WHERE org_id = ? ORDER BY email, id",
                        {*org_id}, kUserColumns)
             : tx.query(std::string(kUserSelect) + " ORDER BY email, id", {}, kUserColumns);
  for (const Row& row : rows) out.push_back(read_user(row).user);
  return out;
}

StoreResult<void> insert_token(Tx& tx, const TokenRecord& token,
                               const std::vector<OutboxMail>& mails) {
  Instant at = or_now(token.created_at);
  if (token.unless_issued_since) {
    // The user's row is locked first, so a second request for the same user waits here and
    // then sees the token the first one wrote (SQLite writes one transaction at a time).
    if (tx.dialect() == Dialect::kPostgresql)
      tx.query_one("SELECT id FROM users WHERE id = ? FOR UPDATE", {token.user_id}, 1);
    if (tx.query_one("SELECT id FROM tokens WHERE user_id = ? AND purpose = ? AND requested = 1"
                     " AND created_at > ? LIMIT 1",
                     {token.user_id, token.purpose, *token.unless_issued_since}, 1))
      return refuse("too_soon", "Er werd net al een mail gestuurd.");
  }
  end_open_tokens(tx, token.user_id, token.purpose, at);
  write_token_and_mails(tx, token, token.user_id, at, mails);
  return {};
}

StoreResult<std::string> renew_mail_token(Tx& tx, Id outbox_id, const std::string& hash,
                                          Instant now) {
  auto renewed = tx.query_one(
      "UPDATE tokens SET token_hash = ?"
      " WHERE outbox_id = ? AND used_at IS NULL AND expires_at > ? RETURNING purpose",
      {hash, outbox_id, now}, 1);
  if (renewed) return renewed->text(0);
  if (tx.query_one("SELECT id FROM tokens WHERE outbox_id = ?", {outbox_id}, 1))
    return refuse("gone", std::string(kLinkGone));
  return refuse("not_found", "Bij deze mail hoort geen link.");
}

StoreResult<void> insert_link_request(Tx& tx, const LinkRequest& request, Instant since,
                                      int limit) {
  tx.exec("DELETE FROM link_requests WHERE at < ?", {request.at - kLinkRequestsKept});
  if (limit > 0) {
    auto count = tx.query_one("SELECT COUNT(*) FROM link_requests WHERE client = ? AND at >= ?",
                              {request.client, since}, 1);
    if (count->int64(0) >= limit)
      return refuse("throttled", "Te veel links aangevraagd vanaf dit netwerkadres.");
  }
  tx.exec("INSERT INTO link_requests (email, purpose, client, at) VALUES (?, ?, ?, ?)",
          {request.email, request.purpose, request.client, request.at});
  return {};
}

std::vector<LinkRequest> take_link_requests(Tx& tx, int limit, Instant now) {
  const std::string open =
      "SELECT id FROM link_requests WHERE handled_at IS NULL ORDER BY id LIMIT ?";
  const std::string returning = " RETURNING id, email, purpose, client, at";
  std::vector<Row> rows =
      tx.dialect() == Dialect::kPostgresql
          ? tx.query("WITH waiting AS MATERIALIZED (" + open +
                         " FOR UPDATE SKIP LOCKED) UPDATE link_requests SET handled_at = ?"
                         " FROM waiting WHERE link_requests.id = waiting.id" +
                         " RETURNING link_requests.id, email, purpose, client, at",
                     {std::int64_t{limit}, now}, 5)
          : tx.query(
                "UPDATE link_requests SET handled_at = ? WHERE id IN (" + open + ")" + returning,
                {now, std::int64_t{limit}}, 5);
  std::vector<LinkRequest> out;
  for (const Row& row : rows)
    out.push_back(LinkRequest{row.int64(0), row.text(1), row.text(2), row.text(3), row.instant(4)});
  std::sort(out.begin(), out.end(),
            [](const LinkRequest& a, const LinkRequest& b) { return a.id < b.id; });
  return out;
}

StoreResult<Id> consume_token(Tx& tx, const std::string& hash, const std::string& purpose,
                              const std::string& password_hash, Instant now) {
  // An activation link only works for an account that is not active yet, a reset link only for
  // one that is: neither can be turned into the other.
  std::string_view user_state =
      purpose == "activation" ? "activated_at IS NULL" : "activated_at IS NOT NULL";
  auto claimed = tx.query_one(
      "UPDATE tokens SET used_at = ?"
      " WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?"
      " AND user_id IN (SELECT id FROM users WHERE " +
          std::string(user_state) + ") RETURNING user_id",
      {now, hash, purpose, now}, 1);
  if (!claimed) return refuse("gone", std::string(kLinkGone));
  Id user_id = claimed->int64(0);
  tx.exec(
      "UPDATE users SET password_hash = ?, activated_at = COALESCE(activated_at, ?) WHERE id = ?",
      {password_hash, now, user_id});
  end_open_tokens(tx, user_id, purpose, now);
  tx.exec(
      "UPDATE sessions SET ended_at = ?, end_reason = 'password_changed'"
      " WHERE user_id = ? AND ended_at IS NULL",
      {now, user_id});
  return user_id;
}

StoreResult<void> insert_session(Tx& tx, const SessionRecord& session) {
  // PostgreSQL: a second login of the same user waits here until the first one committed, and
  // then ends that session; SQLite's write transactions run one at a time anyway.
  if (tx.dialect() == Dialect::kPostgresql)
    tx.query("SELECT id FROM users WHERE id = ? FOR UPDATE", {session.user_id}, 1);
  tx.exec(
      "UPDATE sessions SET ended_at = ?, end_reason = 'replaced'"
      " WHERE user_id = ? AND ended_at IS NULL",
      {session.created_at, session.user_id});
  tx.exec(
      "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at,"
      " expires_at) VALUES (?, ?, ?, ?, ?, ?)",
      {session.hash, session.user_id, session.csrf_token, session.created_at, session.last_seen_at,
       session.expires_at});
  return {};
}

std::optional<SessionRecord> load_session(Tx& tx, const std::string& hash) {
  auto row =
      tx.query_one(std::string(kSessionSelect) + " WHERE token_hash = ?", {hash}, kSessionColumns);
  if (!row) return std::nullopt;
  return read_session(*row);
}

void touch_session(Tx& tx, const std::string& hash, Instant now) {
  // Every right-hand side reads the old row: the deadline moves by as much as last_seen_at.
  tx.exec(
      "UPDATE sessions SET expires_at = expires_at + (? - last_seen_at), last_seen_at = ?"
      " WHERE token_hash = ? AND ended_at IS NULL AND last_seen_at < ?",
      {now, now, hash, now});
}

void end_session(Tx& tx, const std::string& hash, const std::string& reason, Instant now) {
  tx.exec(
      "UPDATE sessions SET ended_at = ?, end_reason = ? WHERE token_hash = ? AND ended_at IS NULL",
      {now, reason, hash});
}

LoginFailures count_failed_logins(Tx& tx, const std::string& email, const std::string& client,
                                  Instant since) {
  LoginFailures out;
  auto pair = tx.query_one(
      "SELECT COUNT(*), MAX(at) FROM login_attempts WHERE email = ? AND client = ? AND ok = 0 AND "
      "at >= ?"
      " AND id > COALESCE((SELECT MAX(id) FROM login_attempts WHERE email = ? AND client = ? AND "
      "ok = 1), 0)",
      {email, client, since, email, client}, 2);
  out.pair = static_cast<int>(pair->int64(0));
  if (!pair->is_null(1)) out.pair_last = Instant{std::chrono::seconds{pair->int64(1)}};
  auto any = tx.query_one(
      "SELECT COUNT(*), MAX(at) FROM login_attempts WHERE client = ? AND ok = 0 AND at >= ?",
      {client, since}, 2);
  out.client = static_cast<int>(any->int64(0));
  if (!any->is_null(1)) out.client_last = Instant{std::chrono::seconds{any->int64(1)}};
  return out;
}

void insert_login_attempt(Tx& tx, const std::string& email, const std::string& client, bool ok,
                          Instant at) {
  tx.exec("DELETE FROM login_attempts WHERE at < ?", {at - kLoginAttemptsKept});
  tx.exec("INSERT INTO login_attempts (email, client, ok, at) VALUES (?, ?, ?, ?)",
          {email, client, ok ? 1 : 0, at});
}

}  // namespace stagematch::storage

// Accounts in SQL: users, their one-time links (activation, password reset), sessions and the
// login attempts that throttling counts. Only hashes of links and session cookies are stored.
// Every function runs inside the caller's transaction; driver failures come out as DbError.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "accounts.hpp"
#include "sql_db.hpp"
#include "store.hpp"

namespace stagematch::storage {

inline constexpr std::string_view kDuplicateEmail =
    "Er bestaat al een account met dit e-mailadres.";
inline constexpr std::string_view kLinkGone =
    "Deze link is al gebruikt of verlopen. Vraag een nieuwe aan.";

// `duplicate` when the address is taken (the unique index also catches a race).
StoreResult<Id> insert_user(Tx& tx, const UserRecord& user, const std::optional<TokenRecord>& token,
                            const std::vector<OutboxMail>& mails, const AuditEntry& audit);
std::optional<UserRecord> load_user_by_email(Tx& tx, const std::string& email);
std::optional<UserRecord> load_user(Tx& tx, Id id);
std::vector<User> load_users(Tx& tx, std::optional<Id> org_id);

// Ends the user's earlier unused tokens of the same purpose, then stores this one. A token
// without a hash belongs to the first of `mails`: stored with a placeholder hash until that
// mail is sent (renew_mail_token).
StoreResult<void> insert_token(Tx& tx, const TokenRecord& token,
                               const std::vector<OutboxMail>& mails);
// One conditional update claims the token: unknown, used, expired (or, for activation, a user
// who is already active) is `gone`. Then sets the password, activates the user, ends the
// user's other tokens of that purpose and every open session (reason `password_changed`).
StoreResult<Id> consume_token(Tx& tx, const std::string& hash, const std::string& purpose,
                              const std::string& password_hash, Instant now);

// Stores a fresh hash for the unused, unexpired token of mail `outbox_id` and returns its
// purpose; `gone` when that token was used, expired or replaced, `not_found` without one.
StoreResult<std::string> renew_mail_token(Tx& tx, Id outbox_id, const std::string& hash,
                                          Instant now);

// A link request, unless `client` queued `limit` (> 0) or more since `since` (`throttled`).
StoreResult<void> insert_link_request(Tx& tx, const LinkRequest& request, Instant since, int limit);
// Marks up to `limit` unhandled requests handled and returns them (on PostgreSQL with SKIP
// LOCKED, so two instances never take the same one).
std::vector<LinkRequest> take_link_requests(Tx& tx, int limit, Instant now);

// Ends every other open session of the user (reason `replaced`), then stores this one. On
// PostgreSQL the user's row is locked first, so two logins at once still leave one session.
StoreResult<void> insert_session(Tx& tx, const SessionRecord& session);
std::optional<SessionRecord> load_session(Tx& tx, const std::string& hash);
// Moves last_seen_at (and the idle deadline with it) of an open session.
void touch_session(Tx& tx, const std::string& hash, Instant now);
void end_session(Tx& tx, const std::string& hash, const std::string& reason, Instant now);

// Failed attempts for `email` since `since` and since its last successful login.
LoginFailures count_failed_logins(Tx& tx, const std::string& email, const std::string& client,
                                  Instant since);
void insert_login_attempt(Tx& tx, const std::string& email, const std::string& client, bool ok,
                          Instant at);

}  // namespace stagematch::storage

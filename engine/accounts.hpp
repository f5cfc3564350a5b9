// Accounts and sessions: invitation by an admin, activation by a single-use link, login with
// one active session per account, password reset by mail, logout. Passwords are argon2id
// hashes (libsodium); links and session cookies are random tokens stored only as hashes.
#pragma once

#include <chrono>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clock.hpp"
#include "matching.hpp"  // DomainError, Actor
#include "store.hpp"

namespace stagematch {

// 32 random bytes as base64url without padding (43 characters): links, cookies, CSRF tokens.
std::string random_token();
// Whether two secrets are equal (and not empty), in time that does not depend on where they
// differ.
bool same_secret(std::string_view a, std::string_view b);

struct User {
  Id id = 0;
  std::string email;
  std::string role;  // admin | school | service
  std::optional<Id> org_id;
  bool activated = false;
};

struct UserRecord {
  User user;
  std::string password_hash;  // argon2id string; empty until activated
};

// A one-time link (activation, password reset): only the SHA-256 of the token is stored.
struct TokenRecord {
  std::string hash;
  Id user_id = 0;
  std::string purpose;  // activation | reset
  Instant expires_at;
  std::optional<Instant> used_at;
  Instant created_at;  // when it was issued (the clock's now; also the moment of its mail)
  // Set for a link the user asked for: issued only when the user asked for none of this
  // purpose after then (else `too_soon`), checked and written in one transaction, so two
  // instances cannot both send. Invitations and an admin's resend leave it empty.
  std::optional<Instant> unless_issued_since;
};

struct SessionRecord {
  std::string hash;  // SHA-256 of the cookie value
  Id user_id = 0;
  std::string csrf_token;
  Instant created_at;
  Instant last_seen_at;
  std::optional<Instant> ended_at;
  std::string end_reason;  // replaced | logged_out | expired | password_changed
  Instant expires_at;      // idle deadline: last_seen_at + the idle time; touching moves it
};

struct LoginFailures {
  int pair = 0;  // this address from this client address
  std::optional<Instant> pair_last;
  int client = 0;  // any address from this client address
  std::optional<Instant> client_last;
};

// What accounts need from the database; implemented by the SQL store next to Store.
class AccountStore {
 public:
  virtual ~AccountStore() = default;
  // The user and the activation token together, with the invitation mail, in one transaction.
  virtual StoreResult<Id> create_user(const UserRecord& user, const std::optional<TokenRecord>& token,
                                      const std::vector<OutboxMail>& mails, const AuditEntry& audit) = 0;
  virtual StoreResult<UserRecord> user_by_email(const std::string& email) = 0;
  virtual StoreResult<UserRecord> user(Id id) = 0;
  virtual std::vector<User> users(std::optional<Id> org_id) = 0;
  // The organisation an invitation names (the same call as Store::organisation).
  virtual StoreResult<Organisation> organisation(Id id) = 0;
  // A new token (and its mail) for an existing user; earlier unused tokens of that purpose end.
  virtual StoreResult<void> issue_token(const TokenRecord& token, const std::vector<OutboxMail>& mails) = 0;
  // Marks the token used and sets the password (activating the user) in one conditional
  // update: a used or expired token is `gone`. Also ends the user's other tokens of that
  // purpose and every open session of the user (reason `password_changed`).
  virtual StoreResult<Id> use_token(const std::string& hash, const std::string& purpose,
                                    const std::string& password_hash, Instant now) = 0;
  // Starts a session and ends every other open session of the user (reason `replaced`).
  virtual StoreResult<void> start_session(const SessionRecord& session) = 0;
  virtual StoreResult<SessionRecord> session(const std::string& hash) = 0;
  virtual void touch_session(const std::string& hash, Instant now) = 0;
  virtual void end_session(const std::string& hash, const std::string& reason, Instant now) = 0;
  // Failed logins since `since`, for throttling: of `email` from `client` (since that pair's
  // last success), and from `client` for any address. Successes never count.
  virtual LoginFailures login_failures(const std::string& email, const std::string& client,
                                       Instant since) = 0;
  virtual void record_login(const std::string& email, const std::string& client, bool ok,
                            Instant at) = 0;
  // A stronger or cheaper hash of the same password, made at a good login (new parameters).
  virtual void replace_password_hash(Id user_id, const std::string& password_hash) = 0;
};

// name@domain.tld with nothing that could break a mail header (spaces, controls, quotes,
// brackets, separators): what an invitation accepts as an address.
bool valid_email_address(std::string_view email);

struct AccountOptions {
  std::chrono::seconds activation_valid_for = std::chrono::days{7};
  std::chrono::seconds reset_valid_for = std::chrono::hours{2};
  std::chrono::seconds session_idle = std::chrono::hours{8};
  // However active, a session ends this long after the login (a stolen cookie does not live
  // on by being used).
  std::chrono::seconds session_lifetime = std::chrono::hours{24};
  // Failed logins of one address from one client address within `failed_login_window` before
  // each next try waits: 1 s after the last failure, then twice as long per failure, at most
  // the window. The owner logging in from elsewhere never waits for someone else's guesses.
  int max_failed_logins = 5;
  // The same for one client address trying many addresses (password spraying).
  int max_failed_logins_per_client = 50;
  std::chrono::seconds failed_login_window = std::chrono::minutes{15};
  // At most one activation-again or password-reset mail per address in this time: asking
  // again sooner (a bot, or someone flooding another's mailbox) is answered the same, without
  // a mail.
  std::chrono::seconds mail_cooldown = std::chrono::minutes{5};
  std::string base_url = "http://127.0.0.1:8080";
  std::string sender = "Stagematch <info@stagematching.org>";
};

// How a request's session cookie turned out.
struct SessionCheck {
  std::optional<SessionRecord> session;
  std::optional<User> user;
  std::string ended_reason;  // when the cookie names a session that ended: replaced, ...
};

struct LoginOk {
  User user;
  std::string cookie_value;  // the raw session token: only ever in the Set-Cookie header
  std::string csrf_token;
};

class Accounts {
 public:
  Accounts(AccountStore& store, const MailComposer& mail, const Clock& clock, AccountOptions options);

  // Admin invites an address for an organisation and role: the activation link goes by mail.
  DomainResult<Id> invite(const Actor& admin, const std::string& email, const std::string& role,
                          std::optional<Id> org_id);
  // 410 `gone` when the link was used or expired; 422 when the password is too weak.
  DomainResult<void> activate(const std::string& token, const std::string& password);
  // 401 wrong address or password (the same answer for both), 403 `not_activated` (the caller
  // then offers to mail a new activation link), 429 `throttled`.
  // `client`: the client's address (the peer, or behind a trusted proxy the address it saw);
  // failures are counted per address and client address.
  DomainResult<LoginOk> login(const std::string& email, const std::string& password,
                              const std::string& client = "");
  DomainResult<void> resend_activation(const std::string& email);
  void request_password_reset(const std::string& email);  // always silent about existence
  DomainResult<void> confirm_password_reset(const std::string& token, const std::string& password);
  SessionCheck check(const std::string& cookie_value);
  void logout(const std::string& cookie_value);
  // The first admin, from the command line: activated at once.
  DomainResult<Id> create_admin(const std::string& email, const std::string& password);
  // An account that is active at once, without an invitation (the first admin, the demo data
  // set). `actor` is who the audit log names: "admin-cli", "demo".
  DomainResult<Id> create_activated(const std::string& email, const std::string& role,
                                    std::optional<Id> org_id, const std::string& password,
                                    const std::string& actor);

  static Actor actor_of(const User& user);
  // Whether the X-CSRF-Token header (or form field) is this session's token, compared in
  // constant time.
  static bool csrf_matches(const SessionRecord& session, const std::string& presented);

 private:
  AccountStore& store_;
  const MailComposer& mail_;
  // How long a login of `address` from `client` must still wait after earlier failures.
  std::chrono::seconds login_wait(const std::string& address, const std::string& client,
                                  Instant now);

  const Clock& clock_;
  AccountOptions options_;
};

}  // namespace stagematch

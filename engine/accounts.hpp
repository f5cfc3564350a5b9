// Accounts and sessions: invitation by an admin, activation by a single-use link, login with
// one active session per account, password reset by mail, logout. Passwords are argon2id
// hashes (libsodium); links and session cookies are random tokens stored only as hashes.
#pragma once

#include <chrono>
#include <expected>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clock.hpp"
#include "mailer.hpp"
#include "matching.hpp"  // DomainError, Actor
#include "store.hpp"

namespace stagematch {

// 32 random bytes as base64url without padding (43 characters): links, cookies, CSRF tokens.
std::string random_token();
// Whether two secrets are equal (and not empty), in time that does not depend on where they
// differ.
bool same_secret(std::string_view a, std::string_view b);
// What the database keeps of a link token or session cookie: SHA-256, as lower-case hex.
std::string token_hash(std::string_view secret);
// The link a mail carries for a token of `purpose` (activation | reset).
std::string one_time_link(const Links& links, const std::string& purpose, const std::string& token);

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
  // Empty for a link made when its mail is sent: the token then belongs to the first mail
  // stored with it (whose text holds kLinkMarker) and has no usable hash until the outbox
  // worker mints one (MailQueue::renew_mail_token).
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

// Someone asked for a link (activation again, password reset): queued first, whatever the
// address, and turned into a mail (or nothing) later, by Accounts::handle_link_requests.
struct LinkRequest {
  Id id = 0;
  std::string email;    // as typed, normalised
  std::string purpose;  // activation | reset
  std::string client;   // the client's address
  Instant at;
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
  virtual StoreResult<Id> create_user(const UserRecord& user,
                                      const std::optional<TokenRecord>& token,
                                      const std::vector<OutboxMail>& mails,
                                      const AuditEntry& audit) = 0;
  virtual StoreResult<UserRecord> user_by_email(const std::string& email) = 0;
  virtual StoreResult<UserRecord> user(Id id) = 0;
  virtual std::vector<User> users(std::optional<Id> org_id) = 0;
  // The organisation an invitation names (the same call as Store::organisation).
  virtual StoreResult<Organisation> organisation(Id id) = 0;
  // A new token (and its mail) for an existing user; earlier unused tokens of that purpose end.
  virtual StoreResult<void> issue_token(const TokenRecord& token,
                                        const std::vector<OutboxMail>& mails) = 0;
  // Queues a request for a link from `client`, for any address, in the same statements
  // whether or not the address has an account: `throttled` (nothing queued) when the client
  // queued `limit` or more since `since`; `limit` 0 counts nothing.
  virtual StoreResult<void> queue_link_request(const LinkRequest& request, Instant since,
                                               int limit) = 0;
  // Up to `limit` queued requests, oldest first, each handed out once (to one instance).
  virtual std::vector<LinkRequest> claim_link_requests(int limit) = 0;
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
  // At most this many link requests (activation again, password reset, any addresses) from one
  // client address in `link_request_window`; more is refused (`throttled`) whatever the address.
  int max_link_requests_per_client = 20;
  std::chrono::seconds link_request_window = std::chrono::hours{1};
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
  Accounts(AccountStore& store, const MailComposer& mail, const Clock& clock,
           AccountOptions options);

  // Admin invites an address for an organisation and role: the activation link goes by mail.
  DomainResult<Id> invite(const Actor& admin, const std::string& email, const std::string& role,
                          std::optional<Id> org_id);
  // `gone` when the link was used or expired; `validation` when the password is too weak.
  DomainResult<void> activate(const std::string& token, const std::string& password);
  // `invalid_credentials` for a wrong address or password (the same answer for both),
  // `not_activated` (the caller then offers to mail a new activation link), `throttled`.
  // `client`: the client's address (the peer, or behind a trusted proxy the address it saw);
  // failures are counted per address and client address.
  DomainResult<LoginOk> login(const std::string& email, const std::string& password,
                              const std::string& client = "");
  // Both only queue the request, for any address, so the answer tells nothing about it and
  // takes as long either way; the mail follows from handle_link_requests. `throttled`
  // when `client` asked for too many links lately (the same answer for every address).
  DomainResult<void> resend_activation(const std::string& email, const std::string& client = "");
  DomainResult<void> request_password_reset(const std::string& email,
                                            const std::string& client = "");
  // Turns queued link requests into mails: a new activation link for an address whose account
  // is not active yet, a reset link for an active one, nothing otherwise or within the
  // cool-down. Returns how many requests it handled. The outbox worker runs it before sending.
  int handle_link_requests();
  // Called after a request was queued (the server wakes its outbox worker).
  void on_link_requested(std::function<void()> wake) { wake_ = std::move(wake); }
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

  DomainResult<void> queue_link(const std::string& email, const std::string& purpose,
                                const std::string& client);
  void handle(const LinkRequest& request);

  const Clock& clock_;
  AccountOptions options_;
  std::function<void()> wake_;
};

}  // namespace stagematch

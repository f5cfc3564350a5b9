#include "accounts.hpp"

#include <sodium.h>

#include <array>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "domain_errors.hpp"

namespace stagematch {

using domain::error;
using domain::from_store;

namespace {

constexpr std::size_t kTokenBytes = 32;
constexpr std::size_t kMinPasswordLength = 10;  // characters, not bytes
constexpr std::size_t kMaxEmailLength = 254;
// check() writes last_seen_at at most this often: a page with ten requests costs one write.
constexpr std::chrono::seconds kTouchEvery{60};

constexpr const char* kInvalidFields =
    "Niet alle velden zijn correct ingevuld. Kijk de aangeduide velden na.";
constexpr const char* kWeakPassword = "Kies een wachtwoord van minstens 10 tekens.";
constexpr const char* kInvalidEmail = "Geef een geldig e-mailadres, zoals naam@organisatie.be.";
constexpr const char* kInvalidCredentials = "Dit e-mailadres of wachtwoord klopt niet.";
constexpr const char* kNotActivated =
    "Je account is nog niet geactiveerd. We kunnen je een nieuwe activatielink mailen.";

void init_sodium() {
  // sodium_init() is safe to call from several threads and more than once; once is enough.
  static const bool ready = sodium_init() >= 0;
  if (!ready) throw std::runtime_error("libsodium kon niet gestart worden");
}

// One field wrong: its own sentence is also the message.
DomainError invalid_field(const std::string& field, std::string message) {
  DomainError e = error(ErrorKind::invalid, "validation", message);
  e.fields[field] = std::move(message);
  return e;
}

// argon2id at OWASP's minimum for it: 19 MiB, 2 passes, 1 lane (libsodium always uses one).
// A login costs one hash; at the noon rush hundreds of them come at once on two cores, which
// libsodium's "interactive" 64 MiB made last seconds each. A hash made with other parameters
// is replaced at the user's next good login (Accounts::login).
constexpr unsigned long long kHashPasses = 2;
constexpr std::size_t kHashMemory = 19u << 20;

std::string hash_password(const std::string& password) {
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(), kHashPasses, kHashMemory,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error("onvoldoende geheugen om een wachtwoord te beveiligen");
  }
  return std::string(out.data());
}

bool verify_password(const std::string& hash, const std::string& password) {
  if (hash.empty()) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

// A hash that matches no password: verified against for unknown addresses, so that an unknown
// address takes as long to refuse as a wrong password.
const std::string& dummy_hash() {
  static const std::string hash = hash_password(random_token());
  return hash;
}

std::string normalise_email(std::string_view email) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!email.empty() && space(email.front())) email.remove_prefix(1);
  while (!email.empty() && space(email.back())) email.remove_suffix(1);
  std::string out(email);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// name@domain.tld with nothing that could break a mail header (spaces, controls, quotes,
// brackets, separators).
bool valid_email(std::string_view email) {
  if (email.size() < 3 || email.size() > kMaxEmailLength) return false;
  for (char c : email) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || std::strchr("\"(),:;<>[\\]", c) != nullptr) return false;
  }
  auto at = email.find('@');
  if (at == std::string_view::npos || at == 0 || email.find('@', at + 1) != std::string_view::npos)
    return false;
  std::string_view domain = email.substr(at + 1);
  auto dot = domain.rfind('.');
  return dot != std::string_view::npos && dot > 0 && dot + 1 < domain.size() &&
         domain.front() != '-' && domain.find("..") == std::string_view::npos;
}

std::size_t characters(std::string_view utf8) {
  std::size_t n = 0;
  for (char c : utf8)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  return n;
}

std::optional<DomainError> password_problem(const std::string& password) {
  if (characters(password) < kMinPasswordLength) return invalid_field("password", kWeakPassword);
  return std::nullopt;
}

std::string role_field_problem(const std::string& role) {
  return role == role::kSchool ? "Een schoolaccount hoort bij een school."
                               : "Een dienstaccount hoort bij een thuiszorgdienst.";
}

}  // namespace

bool valid_email_address(std::string_view email) { return valid_email(email); }

std::string random_token() {
  std::array<unsigned char, kTokenBytes> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::array<char, sodium_base64_ENCODED_LEN(kTokenBytes, kVariant)> text{};
  sodium_bin2base64(text.data(), text.size(), bytes.data(), bytes.size(), kVariant);
  sodium_memzero(bytes.data(), bytes.size());
  return std::string(text.data());
}

bool same_secret(std::string_view a, std::string_view b) {
  return a.size() == b.size() && !a.empty() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string token_hash(std::string_view secret) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(secret.data()),
                     secret.size());
  std::array<char, crypto_hash_sha256_BYTES * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  return std::string(hex.data());
}

std::string one_time_link(const Links& links, const std::string& purpose,
                          const std::string& token) {
  return purpose == token_purpose::kReset ? links.password_reset(token) : links.activation(token);
}

Accounts::Accounts(AccountStore& store, const MailComposer& mail, const Clock& clock,
                   AccountOptions options)
    : store_(store), mail_(mail), clock_(clock), options_(std::move(options)) {
  init_sodium();
  dummy_hash();  // made now, so the first unknown address is not slower than later ones
}

DomainResult<Id> Accounts::invite(const Actor& admin, const std::string& email,
                                  const std::string& role, std::optional<Id> org_id) {
  if (admin.role != role::kAdmin)
    return std::unexpected(
        error(ErrorKind::forbidden, "forbidden", "Alleen een beheerder kan accounts uitnodigen."));
  std::string address = normalise_email(email);
  DomainError invalid = error(ErrorKind::invalid, "validation", kInvalidFields);
  if (!valid_email(address)) invalid.fields["email"] = kInvalidEmail;
  std::optional<Organisation> org;
  if (role == role::kSchool || role == role::kService) {
    if (!org_id) {
      invalid.fields["org_id"] = role == role::kSchool ? "Kies de school van dit account."
                                                       : "Kies de dienst van dit account.";
    } else if (auto found = store_.organisation(*org_id); !found) {
      if (found.error().code != "not_found") return std::unexpected(from_store(found.error()));
      invalid.fields["org_id"] = "Deze organisatie bestaat niet.";
    } else if (found->type != role) {
      invalid.fields["org_id"] = role_field_problem(role);
    } else {
      org = std::move(*found);
    }
  } else if (role != role::kAdmin) {
    invalid.fields["role"] = "Kies de rol school, service of admin.";
  }
  if (invalid.fields.size() == 1) invalid.message = invalid.fields.begin()->second;
  if (!invalid.fields.empty()) return std::unexpected(std::move(invalid));

  Instant now = clock_.now();
  TokenRecord record;  // no hash: the link is made when the mail is sent
  record.purpose = token_purpose::kActivation;
  record.expires_at = now + options_.activation_valid_for;
  record.created_at = now;

  UserRecord user;
  user.user.email = address;
  user.user.role = role;
  if (org) user.user.org_id = org->id;  // an admin belongs to no organisation

  Object data{{"link", std::string(kLinkMarker)},
              {"expires", format_local_nl(record.expires_at)},
              {"email", address},
              {"role", role}};
  if (org) data["organisation"] = org->name;
  std::vector<OutboxMail> mails{mail_.compose("activation", Value(std::move(data)), address)};

  AuditEntry audit;
  audit.at = now;
  audit.user_id = admin.user_id;
  audit.actor = "user:" + std::to_string(admin.user_id);
  audit.action = "user.invite";
  audit.object_type = "user";
  audit.outcome = "ok";
  audit.detail = "role=" + role + (org ? " org=" + std::to_string(org->id) : "");

  auto id = store_.create_user(user, record, mails, audit);
  if (!id) return std::unexpected(from_store(id.error()));
  return *id;
}

DomainResult<void> Accounts::activate(const std::string& token, const std::string& password) {
  if (auto problem = password_problem(password)) return std::unexpected(std::move(*problem));
  auto used = store_.use_token(token_hash(token), std::string(token_purpose::kActivation),
                               hash_password(password), clock_.now());
  if (!used) return std::unexpected(from_store(used.error()));
  return {};
}

std::chrono::seconds Accounts::login_wait(const std::string& address, const std::string& client,
                                          Instant now) {
  // Past the free failures each try waits 1 s after the last failure, twice as long for every
  // failure more, at most the window: guessing slows to a crawl, a typo costs nothing.
  auto wait = [&](int failures, int free, std::optional<Instant> last) {
    if (failures < free || !last) return std::chrono::seconds{0};
    const int doublings = std::min(failures - free, 20);
    auto delay = std::min<std::chrono::seconds>(std::chrono::seconds{std::int64_t{1} << doublings},
                                                options_.failed_login_window);
    return std::max(std::chrono::seconds{0},
                    std::chrono::duration_cast<std::chrono::seconds>(*last + delay - now));
  };
  LoginFailures f = store_.login_failures(address, client, now - options_.failed_login_window);
  return std::max(wait(f.pair, options_.max_failed_logins, f.pair_last),
                  wait(f.client, options_.max_failed_logins_per_client, f.client_last));
}

DomainResult<LoginOk> Accounts::login(const std::string& email, const std::string& password,
                                      const std::string& client) {
  std::string address = normalise_email(email);
  Instant now = clock_.now();
  if (auto wait = login_wait(address, client, now); wait.count() > 0) {
    DomainError e =
        error(ErrorKind::throttled, "throttled",
              "Te veel mislukte pogingen vanaf dit adres. Wacht " + std::to_string(wait.count()) +
                  (wait.count() == 1 ? " seconde" : " seconden") +
                  " en probeer het dan opnieuw; elke volgende fout verlengt die wachttijd.");
    e.fields["retry_after"] = std::to_string(wait.count());
    return std::unexpected(std::move(e));
  }
  auto found = store_.user_by_email(address);
  if (!found) {
    if (found.error().code != "not_found") return std::unexpected(from_store(found.error()));
    verify_password(dummy_hash(), password);  // as slow as a wrong password
    store_.record_login(address, client, false, now);
    return std::unexpected(
        error(ErrorKind::unauthenticated, "invalid_credentials", kInvalidCredentials));
  }
  if (!found->user.activated)
    return std::unexpected(error(ErrorKind::forbidden, "not_activated", kNotActivated));
  if (!verify_password(found->password_hash, password)) {
    store_.record_login(address, client, false, now);
    return std::unexpected(
        error(ErrorKind::unauthenticated, "invalid_credentials", kInvalidCredentials));
  }

  if (crypto_pwhash_str_needs_rehash(found->password_hash.c_str(), kHashPasses, kHashMemory) != 0)
    store_.replace_password_hash(found->user.id, hash_password(password));

  LoginOk ok{found->user, random_token(), random_token()};
  SessionRecord session;
  session.hash = token_hash(ok.cookie_value);
  session.user_id = found->user.id;
  session.csrf_token = ok.csrf_token;
  session.created_at = now;
  session.last_seen_at = now;
  session.expires_at = now + options_.session_idle;
  if (auto started = store_.start_session(session); !started)
    return std::unexpected(from_store(started.error()));
  store_.record_login(address, client, true, now);
  return ok;
}

DomainResult<void> Accounts::resend_activation(const std::string& email,
                                               const std::string& client) {
  return queue_link(email, std::string(token_purpose::kActivation), client);
}

DomainResult<void> Accounts::request_password_reset(const std::string& email,
                                                    const std::string& client) {
  return queue_link(email, std::string(token_purpose::kReset), client);
}

DomainResult<void> Accounts::queue_link(const std::string& email, const std::string& purpose,
                                        const std::string& client) {
  Instant now = clock_.now();
  LinkRequest request{0, normalise_email(email), purpose, client, now};
  // Without a client address (a call from inside the program) nothing is counted.
  int limit = client.empty() ? 0 : options_.max_link_requests_per_client;
  auto queued = store_.queue_link_request(request, now - options_.link_request_window, limit);
  if (!queued && queued.error().code == "throttled") {
    auto minutes = std::chrono::ceil<std::chrono::minutes>(options_.link_request_window).count();
    DomainError e = error(ErrorKind::throttled, "throttled",
                          "Er werden vanaf dit netwerkadres te veel links aangevraagd. Probeer "
                          "het over " +
                              std::to_string(minutes) + " minuten opnieuw.");
    e.fields["retry_after"] = std::to_string(options_.link_request_window.count());
    return std::unexpected(std::move(e));
  }
  if (!queued) return std::unexpected(from_store(queued.error()));
  if (wake_) wake_();
  return {};
}

int Accounts::handle_link_requests() {
  constexpr int kBatch = 50;
  int handled = 0;
  for (;;) {
    std::vector<LinkRequest> requests = store_.claim_link_requests(kBatch);
    for (const LinkRequest& request : requests) handle(request);
    handled += static_cast<int>(requests.size());
    if (static_cast<int>(requests.size()) < kBatch) return handled;
  }
}

void Accounts::handle(const LinkRequest& request) {
  auto found = store_.user_by_email(request.email);
  if (!found) return;  // unknown (or the database failed): no mail, as the answer promised
  const bool reset = request.purpose == token_purpose::kReset;
  if (found->user.activated != reset) return;  // a reset for active accounts, activation else

  Instant now = clock_.now();
  TokenRecord record;  // no hash: the link is made when the mail is sent
  record.user_id = found->user.id;
  record.purpose = request.purpose;
  record.expires_at = now + (reset ? options_.reset_valid_for : options_.activation_valid_for);
  record.created_at = now;
  record.unless_issued_since = now - options_.mail_cooldown;
  Object data{{"link", std::string(kLinkMarker)},
              {"expires", format_local_nl(record.expires_at)},
              {"email", request.email}};
  if (!reset) {
    data["role"] = found->user.role;
    if (found->user.org_id) {
      if (auto org = store_.organisation(*found->user.org_id)) data["organisation"] = org->name;
    }
  }
  std::vector<OutboxMail> mails{mail_.compose(reset ? "password_reset" : "activation_again",
                                              Value(std::move(data)), request.email)};
  // Within the cool-down (`too_soon`) the mail sent earlier is enough.
  static_cast<void>(store_.issue_token(record, mails));
}

DomainResult<void> Accounts::confirm_password_reset(const std::string& token,
                                                    const std::string& password) {
  if (auto problem = password_problem(password)) return std::unexpected(std::move(*problem));
  auto used = store_.use_token(token_hash(token), std::string(token_purpose::kReset),
                               hash_password(password), clock_.now());
  if (!used) return std::unexpected(from_store(used.error()));
  return {};
}

SessionCheck Accounts::check(const std::string& cookie_value) {
  SessionCheck out;
  if (cookie_value.empty()) return out;
  std::string hash = token_hash(cookie_value);
  auto session = store_.session(hash);
  if (!session || !same_secret(session->hash, hash)) return out;
  if (session->ended_at) {
    out.ended_reason = session->end_reason.empty() ? "expired" : session->end_reason;
    return out;
  }
  Instant now = clock_.now();
  if (now - session->last_seen_at > options_.session_idle ||
      now - session->created_at >= options_.session_lifetime) {
    store_.end_session(hash, "expired", now);
    out.ended_reason = "expired";
    return out;
  }
  auto user = store_.user(session->user_id);
  if (!user || !user->user.activated) return out;
  if (now - session->last_seen_at >= kTouchEvery) {
    store_.touch_session(hash, now);
    session->expires_at += now - session->last_seen_at;
    session->last_seen_at = now;
  }
  out.session = std::move(*session);
  out.user = std::move(user->user);
  return out;
}

void Accounts::logout(const std::string& cookie_value) {
  if (cookie_value.empty()) return;
  store_.end_session(token_hash(cookie_value), "logged_out", clock_.now());
}

DomainResult<Id> Accounts::create_admin(const std::string& email, const std::string& password) {
  return create_activated(email, std::string(role::kAdmin), std::nullopt, password, "admin-cli");
}

DomainResult<Id> Accounts::create_activated(const std::string& email, const std::string& role,
                                            std::optional<Id> org_id, const std::string& password,
                                            const std::string& actor) {
  std::string address = normalise_email(email);
  if (!valid_email(address)) return std::unexpected(invalid_field("email", kInvalidEmail));
  if (auto problem = password_problem(password)) return std::unexpected(std::move(*problem));
  UserRecord user;
  user.user.email = address;
  user.user.role = role;
  user.user.org_id = org_id;
  user.user.activated = true;
  user.password_hash = hash_password(password);
  AuditEntry audit;
  audit.at = clock_.now();
  audit.actor = actor;
  audit.action = role == role::kAdmin ? "user.create_admin" : "user.create";
  audit.object_type = "user";
  audit.outcome = "ok";
  audit.detail = "role=" + role;
  auto id = store_.create_user(user, std::nullopt, {}, audit);
  if (!id) return std::unexpected(from_store(id.error()));
  return *id;
}

Actor Accounts::actor_of(const User& user) {
  return Actor{user.role, user.id, user.org_id.value_or(0)};
}

bool Accounts::csrf_matches(const SessionRecord& session, const std::string& presented) {
  return same_secret(session.csrf_token, presented);
}

}  // namespace stagematch

#include "sql_store.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>

#include "account_repository.hpp"
#include "agenda_repository.hpp"
#include "cap_repository.hpp"
#include "geo_repository.hpp"
#include "mail_repository.hpp"
#include "migrations.hpp"
#include "request_repository.hpp"
#include "sql_db.hpp"
#include "status_repository.hpp"
#include "store_support.hpp"

namespace stagematch {

using storage::DbError;
using storage::DbErrorKind;
using storage::Params;
using storage::refuse;
using storage::Row;
using storage::store_error;
using storage::Tx;
using storage::TxMode;

namespace {

// PostgreSQL: enough sessions for a handful of concurrent requests per server instance; more
// callers wait for a free one. SQLite always has one.
constexpr int kPostgresSessions = 8;

constexpr std::string_view kContactNotFound = "Deze contactpersoon bestaat niet (meer).";

std::vector<std::string> unique_in_order(const std::vector<std::string>& items) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& i : items)
    if (seen.insert(i).second) out.push_back(i);
  return out;
}

// Reads organisations with their provinces and tracks (sorted), three queries in all.
std::vector<Organisation> load_organisations(Tx& tx, const std::string& where,
                                             const Params& params) {
  std::vector<Organisation> orgs;
  std::map<Id, std::size_t> index;
  for (const Row& row :
       tx.query("SELECT id, type, name FROM organisations o" + where + " ORDER BY name, id", params,
                3)) {
    index[row.int64(0)] = orgs.size();
    orgs.push_back(Organisation{row.int64(0), row.text(1), row.text(2), {}, {}});
  }
  if (orgs.empty()) return orgs;
  auto children = [&](const std::string& table, const std::string& column, auto member) {
    for (const Row& row : tx.query("SELECT c.org_id, c." + column + " FROM " + table +
                                       " c JOIN organisations o ON o.id = c.org_id" + where +
                                       " ORDER BY c.org_id, c." + column,
                                   params, 2)) {
      if (auto it = index.find(row.int64(0)); it != index.end())
        (orgs[it->second].*member).push_back(row.text(1));
    }
  };
  children("organisation_provinces", "province", &Organisation::provinces);
  children("organisation_tracks", "track", &Organisation::tracks);
  return orgs;
}

ContactPerson read_contact(const Row& row) {
  return ContactPerson{row.int64(0), row.int64(1), row.text(2), row.text(3), row.text(4)};
}

AuditEntry read_audit(const Row& row) {
  return AuditEntry{row.int64(0), row.instant(1),   row.opt_int64(2), row.text(3), row.text(4),
                    row.text(5),  row.opt_int64(6), row.text(7),      row.text(8)};
}

}  // namespace

// What a store read lately, each entry with the moment it was read (steady clock). Only found
// rows are kept; a miss always asks the database.
template <typename Key, typename Value>
class ReadCache {
 public:
  using Clock = std::chrono::steady_clock;
  std::optional<Value> get(const Key& key, std::chrono::milliseconds ttl) {
    if (ttl.count() <= 0) return std::nullopt;
    std::lock_guard lock(mutex_);
    auto it = items_.find(key);
    if (it == items_.end() || Clock::now() - it->second.second >= ttl) return std::nullopt;
    return it->second.first;
  }
  void put(const Key& key, const Value& value, std::chrono::milliseconds ttl) {
    if (ttl.count() <= 0) return;
    std::lock_guard lock(mutex_);
    if (items_.size() >= kMaxItems) items_.clear();  // bounded: a flood of cookies cannot grow it
    items_.insert_or_assign(key, std::pair{value, Clock::now()});
  }
  void erase(const Key& key) {
    std::lock_guard lock(mutex_);
    items_.erase(key);
  }
  template <typename Pred>
  void erase_if(Pred pred) {
    std::lock_guard lock(mutex_);
    std::erase_if(items_, [&](const auto& item) { return pred(item.second.first); });
  }
  void clear() {
    std::lock_guard lock(mutex_);
    items_.clear();
  }

 private:
  static constexpr std::size_t kMaxItems = 100000;
  std::mutex mutex_;
  std::unordered_map<Key, std::pair<Value, Clock::time_point>> items_;
};

struct SqlStore::Impl {
  explicit Impl(const std::string& url) : db(storage::parse_store_url(url), kPostgresSessions) {}

  std::atomic<std::int64_t> cache_ttl_ms{SqlStore::kDefaultCacheTtl.count()};
  std::chrono::milliseconds ttl() const { return std::chrono::milliseconds(cache_ttl_ms.load()); }
  ReadCache<std::string, SessionRecord> sessions;
  ReadCache<Id, UserRecord> users;
  ReadCache<Id, Organisation> organisations;
  // by type ("" = all)
  ReadCache<std::string, std::shared_ptr<const std::vector<Organisation>>> organisation_lists;
  storage::ListTotals list_totals;
  std::atomic<std::int64_t> sqlite_changes{0};

  // After a committed change to requests: list totals counted before it are no longer reused,
  // on this instance and (through the database's counter) on every other.
  void requests_changed() {
    if (db.dialect() == storage::Dialect::kSqlite) {
      ++sqlite_changes;
      return;
    }
    try {
      db.transact(TxMode::kRead,
                  [](Tx& tx) { return tx.exec("SELECT nextval('request_changes')"); });
    } catch (const DbError&) {  // totals then wait for the next change; the lists stay exact
    }
  }

  // Runs one StoreResult method in a transaction; a driver failure becomes a StoreError.
  template <typename F>
  auto guarded(TxMode mode, F&& fn, std::string fk_code = "not_found",
               std::string fk_message = "Een gekoppeld gegeven bestaat niet (meer).",
               std::string duplicate_message = "Dit gegeven bestaat al.")
      -> std::invoke_result_t<F&, Tx&> {
    try {
      return db.transact(mode, fn);
    } catch (const DbError& e) {
      return std::unexpected(store_error(e, fk_code, fk_message, duplicate_message));
    }
  }

  storage::Db db;
};

SqlStore::SqlStore(const std::string& url) : impl_(std::make_unique<Impl>(url)) {}
SqlStore::~SqlStore() = default;

void SqlStore::set_cache_ttl(std::chrono::milliseconds ttl) { impl_->cache_ttl_ms = ttl.count(); }

void SqlStore::migrate() { storage::apply_migrations(impl_->db); }

std::string SqlStore::dialect() const {
  return impl_->db.dialect() == storage::Dialect::kSqlite ? "sqlite" : "postgresql";
}

StoreResult<Id> SqlStore::create_organisation(const Organisation& org) {
  if (org.type != "school" && org.type != "service")
    return refuse("conflict", "Een organisatie is een school of een dienst.");
  auto created = impl_->guarded(
      TxMode::kWrite,
      [&](Tx& tx) -> StoreResult<Id> {
        Id id = tx.query_one(
                      "INSERT INTO organisations (type, name, created_at) VALUES (?, ?, ?)"
                      " RETURNING id",
                      {org.type, org.name, storage::now_seconds()}, 1)
                    ->int64(0);
        for (const auto& p : unique_in_order(org.provinces))
          tx.exec("INSERT INTO organisation_provinces (org_id, province) VALUES (?, ?)", {id, p});
        for (const auto& t : unique_in_order(org.tracks))
          tx.exec("INSERT INTO organisation_tracks (org_id, track) VALUES (?, ?)", {id, t});
        return id;
      },
      "not_found", "", "Er bestaat al een organisatie met deze naam.");
  impl_->organisation_lists.clear();
  return created;
}

StoreResult<Organisation> SqlStore::organisation(Id id) {
  if (auto hit = impl_->organisations.get(id, impl_->ttl())) return std::move(*hit);
  auto found = organisation_uncached(id);
  if (found) impl_->organisations.put(id, *found, impl_->ttl());
  return found;
}

StoreResult<Organisation> SqlStore::organisation_uncached(Id id) {
  return impl_->guarded(TxMode::kRead, [&](Tx& tx) -> StoreResult<Organisation> {
    auto orgs = load_organisations(tx, " WHERE o.id = ?", {id});
    if (orgs.empty()) return refuse("not_found", "Deze organisatie bestaat niet.");
    return std::move(orgs.front());
  });
}

std::vector<Organisation> SqlStore::organisations(const std::string& type) {
  return *shared_organisations(type);
}

std::shared_ptr<const std::vector<Organisation>> SqlStore::shared_organisations(
    const std::string& type) {
  // Every service page offers the schools as a filter: hundreds of rows, rarely changed.
  if (auto hit = impl_->organisation_lists.get(type, impl_->ttl())) return std::move(*hit);
  auto found = std::make_shared<const std::vector<Organisation>>(
      impl_->db.transact(TxMode::kRead, [&](Tx& tx) {
        return type.empty() ? load_organisations(tx, "", {})
                            : load_organisations(tx, " WHERE o.type = ?", {type});
      }));
  impl_->organisation_lists.put(type, found, impl_->ttl());
  return found;
}

StoreResult<Id> SqlStore::create_contact(const ContactPerson& c) {
  return impl_->guarded(
      TxMode::kWrite,
      [&](Tx& tx) -> StoreResult<Id> {
        return tx
            .query_one(
                "INSERT INTO contacts (org_id, name, phone, email) VALUES (?, ?, ?, ?)"
                " RETURNING id",
                {c.org_id, c.name, c.phone, c.email}, 1)
            ->int64(0);
      },
      "not_found", "Deze organisatie bestaat niet.");
}

StoreResult<void> SqlStore::update_contact(const ContactPerson& c) {
  auto out = impl_->guarded(TxMode::kWrite, [&](Tx& tx) -> StoreResult<void> {
    auto changed = tx.query(
        "UPDATE contacts SET name = ?, phone = ?, email = ? WHERE id = ? AND org_id = ?"
        " RETURNING id",
        {c.name, c.phone, c.email, c.id, c.org_id}, 1);
    if (changed.empty()) return refuse("not_found", std::string(kContactNotFound));
    return {};
  });
  // Lists show a school's contact person and a service's mentor along with each request.
  if (out) impl_->requests_changed();
  return out;
}

StoreResult<void> SqlStore::delete_contact(Id org_id, Id contact_id) {
  constexpr std::string_view kLinked =
      "Deze contactpersoon is nog gekoppeld aan een student en kan niet verwijderd worden.";
  return impl_->guarded(
      TxMode::kWrite,
      [&](Tx& tx) -> StoreResult<void> {
        if (!tx.query_one("SELECT id FROM contacts WHERE id = ? AND org_id = ?",
                          {contact_id, org_id}, 1))
          return refuse("not_found", std::string(kContactNotFound));
        if (tx.query_one("SELECT id FROM requests WHERE school_contact_id = ? OR mentor_id = ?"
                         " LIMIT 1",
                         {contact_id, contact_id}, 1))
          return refuse("linked", std::string(kLinked));
        // A request linked in the meantime still stops the delete: the foreign key refuses it.
        tx.exec("DELETE FROM contacts WHERE id = ?", {contact_id});
        return {};
      },
      "linked", std::string(kLinked));
}

std::vector<ContactPerson> SqlStore::contacts(Id org_id) {
  return impl_->db.transact(TxMode::kRead, [&](Tx& tx) {
    std::vector<ContactPerson> out;
    for (const Row& row : tx.query("SELECT id, org_id, name, phone, email FROM contacts"
                                   " WHERE org_id = ? ORDER BY name, id",
                                   {org_id}, 5))
      out.push_back(read_contact(row));
    return out;
  });
}

StoreResult<ContactPerson> SqlStore::contact(Id contact_id) {
  return impl_->guarded(TxMode::kRead, [&](Tx& tx) -> StoreResult<ContactPerson> {
    auto row = tx.query_one("SELECT id, org_id, name, phone, email FROM contacts WHERE id = ?",
                            {contact_id}, 5);
    if (!row) return refuse("not_found", std::string(kContactNotFound));
    return read_contact(*row);
  });
}

StoreResult<Id> SqlStore::insert_request(const RequestRecord& request, const AuditEntry& audit) {
  auto out = impl_->guarded(
      TxMode::kWrite,
      [&](Tx& tx) -> StoreResult<Id> { return storage::insert_request(tx, request, audit); },
      "not_found", "De school, de contactpersoon of de voorkeursdienst bestaat niet (meer).");
  impl_->requests_changed();
  return out;
}

StoreResult<void> SqlStore::update_request(const RequestRecord& request, const AuditEntry& audit) {
  auto out = impl_->guarded(
      TxMode::kWrite, [&](Tx& tx) { return storage::update_request(tx, request, audit); },
      "not_found", "De contactpersoon of de voorkeursdienst bestaat niet (meer).");
  impl_->requests_changed();
  return out;
}

StoreResult<void> SqlStore::delete_request(Id school_id, Id request_id, const AuditEntry& audit) {
  auto out = impl_->guarded(TxMode::kWrite, [&](Tx& tx) {
    return storage::delete_request(tx, school_id, request_id, audit);
  });
  impl_->requests_changed();
  return out;
}

StoreResult<void> SqlStore::stop_request(Id school_id, Id request_id, const AuditEntry& audit) {
  auto out = impl_->guarded(TxMode::kWrite, [&](Tx& tx) {
    return storage::stop_request(tx, school_id, request_id, audit);
  });
  impl_->requests_changed();
  return out;
}

StoreResult<RequestRecord> SqlStore::request(Id request_id) {
  return impl_->guarded(TxMode::kRead, [&](Tx& tx) -> StoreResult<RequestRecord> {
    auto r = storage::load_request(tx, request_id);
    if (!r) return refuse("not_found", "Deze aanvraag bestaat niet (meer).");
    return std::move(*r);
  });
}

StoreResult<RequestPage> SqlStore::requests(const RequestQuery& query) {
  const std::int64_t local = impl_->sqlite_changes;
  return impl_->guarded(TxMode::kRead, [&](Tx& tx) {
    return storage::list_requests(tx, query, &impl_->list_totals, local);
  });
}

std::optional<std::int64_t> SqlStore::list_version() {
  // SQLite may be opened by another process of this program (a command next to the server),
  // whose changes an in-memory counter would miss: its lists are always read afresh.
  if (impl_->db.dialect() == storage::Dialect::kSqlite) return std::nullopt;
  try {
    return impl_->db.transact(TxMode::kRead, [](Tx& tx) {
      return tx.query_one("SELECT " + std::string(storage::kListVersion), {}, 1)->int64(0);
    });
  } catch (const DbError&) {
    return std::nullopt;
  }
}

ServiceStatus SqlStore::service_status(Id request_id, Id service_id, const std::string& initial) {
  return impl_->db.transact(TxMode::kRead, [&](Tx& tx) {
    return storage::load_service_status(tx, request_id, service_id, initial);
  });
}

StoreResult<void> SqlStore::write_status(const StatusWrite& write, const AuditEntry& audit) {
  auto out = impl_->guarded(
      TxMode::kWrite, [&](Tx& tx) { return storage::apply_status_write(tx, write, audit); },
      "not_found", "De aanvraag, de dienst of de mentor bestaat niet (meer).");
  impl_->requests_changed();
  return out;
}

std::vector<StatusCount> SqlStore::status_counts(Id request_id) {
  return impl_->db.transact(TxMode::kRead,
                            [&](Tx& tx) { return storage::load_status_counts(tx, request_id); });
}

std::vector<ServiceStatus> SqlStore::service_statuses(Id request_id) {
  return impl_->db.transact(TxMode::kRead,
                            [&](Tx& tx) { return storage::load_service_statuses(tx, request_id); });
}

std::vector<StatusCount> SqlStore::status_changes_since(const std::string& track,
                                                        const std::vector<std::string>& statuses,
                                                        Instant since) {
  std::vector<StatusCount> out;
  if (statuses.empty()) return out;
  std::string in;
  storage::Params params{track, since};
  for (const auto& s : statuses) {
    in += in.empty() ? "?" : ", ?";
    params.emplace_back(s);
  }
  return impl_->db.transact(TxMode::kRead, [&](Tx& tx) {
    for (const Row& row :
         tx.query("SELECT h.service_id, COUNT(*) FROM status_history h"
                  " JOIN requests r ON r.id = h.request_id"
                  " WHERE r.track = ? AND h.at >= ? AND h.to_status IN (" +
                      in +
                      ")"
                      " GROUP BY h.service_id ORDER BY COUNT(*) DESC, h.service_id",
                  params, 2))
      out.push_back(StatusCount{row.int64(0), "", static_cast<int>(row.int64(1))});
    return out;
  });
}

void SqlStore::save_calendar(const StoredCalendar& calendar, const AuditEntry& audit) {
  impl_->db.transact(TxMode::kWrite, [&](Tx& tx) {
    tx.exec(
        "INSERT INTO published_calendars (track, year, label, yaml, published_at, published_by)"
        " VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (track, year) DO UPDATE SET label = excluded.label, yaml = excluded.yaml,"
        " published_at = excluded.published_at, published_by = excluded.published_by",
        {calendar.track, calendar.year, calendar.label, calendar.yaml, calendar.published_at,
         calendar.published_by});
    storage::insert_audit(tx, audit);
    return true;
  });
}

std::vector<StoredCalendar> SqlStore::stored_calendars() {
  return impl_->db.transact(TxMode::kRead, [&](Tx& tx) {
    std::vector<StoredCalendar> out;
    for (const Row& row : tx.query("SELECT track, year, label, yaml, published_at, published_by"
                                   " FROM published_calendars ORDER BY published_at, track, year",
                                   {}, 6))
      out.push_back(StoredCalendar{row.text(0), row.text(1), row.text(2), row.text(3),
                                   row.instant(4), row.text(5)});
    return out;
  });
}

void SqlStore::append_audit(const AuditEntry& entry) { append_audit(std::vector{entry}); }

void SqlStore::append_audit(const std::vector<AuditEntry>& entries) {
  if (entries.empty()) return;
  impl_->db.transact(TxMode::kWrite, [&](Tx& tx) {
    storage::insert_audits(tx, entries);
    return true;
  });
}

std::vector<AuditEntry> SqlStore::audit_log(int limit) {
  return impl_->db.transact(TxMode::kRead, [&](Tx& tx) {
    std::vector<AuditEntry> out;
    for (const Row& row :
         tx.query("SELECT id, at, user_id, actor, action, object_type, object_id, outcome, detail"
                  " FROM audit_log ORDER BY id DESC LIMIT ?",
                  {std::max(limit, 0)}, 9))
      out.push_back(read_audit(row));
    return out;
  });
}

std::vector<AuditEntry> SqlStore::audit_of(const std::string& object_type, Id object_id) {
  return impl_->db.transact(TxMode::kRead, [&](Tx& tx) {
    std::vector<AuditEntry> out;
    for (const Row& row :
         tx.query("SELECT id, at, user_id, actor, action, object_type, object_id, outcome, detail"
                  " FROM audit_log WHERE object_type = ? AND object_id = ? ORDER BY id",
                  {object_type, object_id}, 9))
      out.push_back(read_audit(row));
    return out;
  });
}

std::vector<OutboxMail> SqlStore::outbox(int limit) {
  return impl_->db.transact(TxMode::kRead,
                            [&](Tx& tx) { return storage::load_outbox(tx, std::max(limit, 0)); });
}

Store::OperationalStats SqlStore::operational_stats() {
  OperationalStats out;
  impl_->db.transact(TxMode::kRead, [&](Tx& tx) {
    auto row = tx.query_one(
        "SELECT"
        " (SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending')),"
        " (SELECT count(*) FROM outbox WHERE state = 'dead'),"
        " (SELECT min(created_at) FROM outbox WHERE state IN ('pending', 'sending'))",
        {}, 3);
    if (row) {
      out.outbox_waiting = row->int64(0);
      out.outbox_dead = row->int64(1);
      out.outbox_oldest = row->opt_instant(2);
    }
    return true;
  });
  std::tie(out.pool_in_use, out.pool_size) = impl_->db.pool_use();
  return out;
}

// AccountStore: each call one transaction around account_repository.

StoreResult<Id> SqlStore::create_user(const UserRecord& user,
                                      const std::optional<TokenRecord>& token,
                                      const std::vector<OutboxMail>& mails,
                                      const AuditEntry& audit) {
  return impl_->guarded(
      TxMode::kWrite, [&](Tx& tx) { return storage::insert_user(tx, user, token, mails, audit); },
      "not_found", "Deze organisatie bestaat niet.", std::string(storage::kDuplicateEmail));
}

StoreResult<UserRecord> SqlStore::user_by_email(const std::string& email) {
  return impl_->guarded(TxMode::kRead, [&](Tx& tx) -> StoreResult<UserRecord> {
    auto u = storage::load_user_by_email(tx, email);
    if (!u) return refuse("not_found", "Er bestaat geen account met dit e-mailadres.");
    return std::move(*u);
  });
}

StoreResult<UserRecord> SqlStore::user(Id id) {
  if (auto hit = impl_->users.get(id, impl_->ttl())) return std::move(*hit);
  StoreResult<UserRecord> found =
      impl_->guarded(TxMode::kRead, [&](Tx& tx) -> StoreResult<UserRecord> {
        auto u = storage::load_user(tx, id);
        if (!u) return refuse("not_found", "Dit account bestaat niet (meer).");
        return std::move(*u);
      });
  if (found) impl_->users.put(id, *found, impl_->ttl());
  return found;
}

std::vector<User> SqlStore::users(std::optional<Id> org_id) {
  return impl_->db.transact(TxMode::kRead, [&](Tx& tx) { return storage::load_users(tx, org_id); });
}

StoreResult<void> SqlStore::issue_token(const TokenRecord& token,
                                        const std::vector<OutboxMail>& mails) {
  return impl_->guarded(
      TxMode::kWrite, [&](Tx& tx) { return storage::insert_token(tx, token, mails); }, "not_found",
      "Dit account bestaat niet (meer).");
}

StoreResult<Id> SqlStore::use_token(const std::string& hash, const std::string& purpose,
                                    const std::string& password_hash, Instant now) {
  auto used = impl_->guarded(TxMode::kWrite, [&](Tx& tx) {
    return storage::consume_token(tx, hash, purpose, password_hash, now);
  });
  // Activation or a new password changes the user (and may end sessions).
  impl_->users.clear();
  impl_->sessions.clear();
  return used;
}

StoreResult<void> SqlStore::queue_link_request(const LinkRequest& request, Instant since,
                                               int limit) {
  return impl_->guarded(TxMode::kWrite, [&](Tx& tx) {
    return storage::insert_link_request(tx, request, since, limit);
  });
}

std::vector<LinkRequest> SqlStore::claim_link_requests(int limit) {
  // Asked at every poll of every instance: a read first, so an empty queue takes no write lock.
  bool waiting = impl_->db.transact(TxMode::kRead, [](Tx& tx) {
    return tx.query_one("SELECT id FROM link_requests WHERE handled_at IS NULL LIMIT 1", {}, 1)
        .has_value();
  });
  if (!waiting) return {};
  return impl_->db.transact(TxMode::kWrite, [&](Tx& tx) {
    return storage::take_link_requests(tx, std::max(limit, 0), storage::now_seconds());
  });
}

StoreResult<void> SqlStore::start_session(const SessionRecord& session) {
  auto started = impl_->guarded(
      TxMode::kWrite, [&](Tx& tx) { return storage::insert_session(tx, session); }, "not_found",
      "Dit account bestaat niet (meer).");
  // A new login ends the user's other sessions: this store forgets them at once.
  impl_->sessions.erase_if([&](const SessionRecord& s) { return s.user_id == session.user_id; });
  return started;
}

StoreResult<SessionRecord> SqlStore::session(const std::string& hash) {
  if (auto hit = impl_->sessions.get(hash, impl_->ttl())) return std::move(*hit);
  StoreResult<SessionRecord> found =
      impl_->guarded(TxMode::kRead, [&](Tx& tx) -> StoreResult<SessionRecord> {
        auto s = storage::load_session(tx, hash);
        if (!s) return refuse("not_found", "Deze sessie bestaat niet.");
        return std::move(*s);
      });
  if (found) impl_->sessions.put(hash, *found, impl_->ttl());
  return found;
}

void SqlStore::touch_session(const std::string& hash, Instant now) {
  impl_->db.transact(TxMode::kWrite, [&](Tx& tx) {
    storage::touch_session(tx, hash, now);
    return true;
  });
  impl_->sessions.erase(hash);
}

void SqlStore::end_session(const std::string& hash, const std::string& reason, Instant now) {
  impl_->db.transact(TxMode::kWrite, [&](Tx& tx) {
    storage::end_session(tx, hash, reason, now);
    return true;
  });
  impl_->sessions.erase(hash);
}

LoginFailures SqlStore::login_failures(const std::string& email, const std::string& client,
                                       Instant since) {
  return impl_->db.transact(TxMode::kRead, [&](Tx& tx) {
    return storage::count_failed_logins(tx, email, client, since);
  });
}

void SqlStore::record_login(const std::string& email, const std::string& client, bool ok,
                            Instant at) {
  impl_->db.transact(TxMode::kWrite, [&](Tx& tx) {
    storage::insert_login_attempt(tx, email, client, ok, at);
    return true;
  });
}

void SqlStore::replace_password_hash(Id user_id, const std::string& password_hash) {
  impl_->db.transact(TxMode::kWrite, [&](Tx& tx) {
    return tx.exec("UPDATE users SET password_hash = ? WHERE id = ?", {password_hash, user_id});
  });
  impl_->users.erase(user_id);
}

// MailQueue: each call one transaction around mail_repository. The void ones throw on a
// database failure; the outbox worker catches and logs it.

std::vector<OutboxMail> SqlStore::claim_mails(int limit, Instant now, std::chrono::seconds lease) {
  return impl_->db.transact(TxMode::kWrite, [&](Tx& tx) {
    return storage::claim_mails(tx, std::max(limit, 0), now, lease);
  });
}

void SqlStore::mark_sent(Id id, Instant at) {
  impl_->db.transact(TxMode::kWrite, [&](Tx& tx) {
    storage::mark_mail_sent(tx, id, at);
    return true;
  });
}

void SqlStore::mark_retry(Id id, Instant next_attempt, const std::string& error) {
  impl_->db.transact(TxMode::kWrite, [&](Tx& tx) {
    storage::mark_mail_retry(tx, id, next_attempt, error);
    return true;
  });
}

void SqlStore::mark_dead(Id id, const std::string& error) {
  impl_->db.transact(TxMode::kWrite, [&](Tx& tx) {
    storage::mark_mail_dead(tx, id, error);
    return true;
  });
}

StoreResult<std::string> SqlStore::renew_mail_token(Id outbox_id, const std::string& hash,
                                                    Instant now) {
  return impl_->guarded(
      TxMode::kWrite, [&](Tx& tx) { return storage::renew_mail_token(tx, outbox_id, hash, now); });
}

StoreResult<void> SqlStore::resend(Id id, Instant now) {
  return impl_->guarded(TxMode::kWrite, [&](Tx& tx) { return storage::resend_mail(tx, id, now); });
}

StoreResult<bool> SqlStore::claim_event(const std::string& key, Instant at, Instant claimed_at,
                                        const std::vector<OutboxMail>& mails) {
  return impl_->guarded(TxMode::kWrite, [&](Tx& tx) -> StoreResult<bool> {
    return storage::claim_timed_event(tx, key, at, claimed_at, mails);
  });
}

std::vector<std::string> SqlStore::org_addresses(Id org_id) {
  return impl_->db.transact(TxMode::kRead,
                            [&](Tx& tx) { return storage::load_org_addresses(tx, org_id); });
}

// Places per service: each call one transaction around cap_repository.
std::vector<SqlStore::PlacesRecord> SqlStore::places(const std::string& track,
                                                     const std::string& year) {
  return impl_->db.transact(TxMode::kRead,
                            [&](Tx& tx) { return storage::load_places(tx, track, year); });
}

StoreResult<void> SqlStore::set_places(const PlacesRecord& record, std::optional<int> places,
                                       const AuditEntry& audit) {
  return impl_->guarded(
      TxMode::kWrite, [&](Tx& tx) { return storage::write_places(tx, record, places, audit); },
      "not_found", "Deze dienst bestaat niet (meer).");
}

std::vector<SqlStore::RequestFact> SqlStore::request_facts(const std::string& track,
                                                           const std::string& year) {
  return impl_->db.transact(TxMode::kRead,
                            [&](Tx& tx) { return storage::load_request_facts(tx, track, year); });
}

std::unique_ptr<Store> open_store(const std::string& url) {
  return std::make_unique<SqlStore>(url);
}

// Agenda: calendar feed tokens.
StoreResult<void> SqlStore::set_agenda_token(Id user_id, const std::optional<std::string>& hash,
                                             Instant at, const AuditEntry& audit) {
  return impl_->guarded(
      TxMode::kWrite,
      [&](Tx& tx) -> StoreResult<void> {
        storage::write_agenda_token(tx, user_id, hash, at, audit);
        return {};
      },
      "not_found", "Dit account bestaat niet.");
}

std::optional<Id> SqlStore::agenda_token_user(const std::string& hash) {
  return impl_->db.transact(TxMode::kRead,
                            [&](Tx& tx) { return storage::load_agenda_token_user(tx, hash); });
}

std::optional<Instant> SqlStore::agenda_token_since(Id user_id) {
  return impl_->db.transact(TxMode::kRead,
                            [&](Tx& tx) { return storage::load_agenda_token_since(tx, user_id); });
}

}  // namespace stagematch

// Privacy: each call one transaction around privacy_repository.
#include "privacy_repository.hpp"

namespace stagematch {

std::vector<Store::RequestKey> SqlStore::requests_with_personal_data() {
  return impl_->db.transact(TxMode::kRead,
                            [](Tx& tx) { return storage::load_requests_with_personal_data(tx); });
}

std::vector<Id> SqlStore::requests_of_student(const std::string& national_number) {
  return impl_->db.transact(TxMode::kRead, [&](Tx& tx) {
    return storage::load_requests_of_student(tx, national_number);
  });
}

std::vector<Store::HistoryLine> SqlStore::status_history(Id request_id) {
  return impl_->db.transact(TxMode::kRead,
                            [&](Tx& tx) { return storage::load_status_history(tx, request_id); });
}

std::vector<OutboxMail> SqlStore::mails_about_request(Id request_id) {
  return impl_->db.transact(TxMode::kRead,
                            [&](Tx& tx) { return storage::load_request_mails(tx, request_id); });
}

StoreResult<std::vector<Id>> SqlStore::erase_personal_data(const std::vector<Erasure>& erasures) {
  auto out = impl_->guarded(TxMode::kWrite, [&](Tx& tx) -> StoreResult<std::vector<Id>> {
    std::vector<Id> erased;
    for (const Erasure& e : erasures)
      if (storage::erase_personal_data(tx, e)) erased.push_back(e.request_id);
    return erased;
  });
  if (out && !out->empty()) impl_->requests_changed();
  return out;
}

// Service locations and the places of requests (issue 13, distance). A location changes the
// distances a service's list shows: lists read before it are not reused.
std::vector<Store::ServiceLocation> SqlStore::service_locations(Id service_id) {
  return impl_->db.transact(TxMode::kRead,
                            [&](Tx& tx) { return storage::service_locations(tx, service_id); });
}

StoreResult<Id> SqlStore::add_service_location(const ServiceLocation& location,
                                               const AuditEntry& audit) {
  auto out = impl_->guarded(
      TxMode::kWrite, [&](Tx& tx) { return storage::add_service_location(tx, location, audit); },
      "not_found", "Deze dienst bestaat niet.", "Deze locatie staat al in de lijst.");
  if (out) impl_->requests_changed();
  return out;
}

StoreResult<void> SqlStore::remove_service_location(Id service_id, Id location_id,
                                                    const AuditEntry& audit) {
  auto out = impl_->guarded(TxMode::kWrite, [&](Tx& tx) {
    return storage::remove_service_location(tx, service_id, location_id, audit);
  });
  if (out) impl_->requests_changed();
  return out;
}

std::vector<Store::RequestToPlace> SqlStore::requests_to_place(const std::string& track) {
  return impl_->db.transact(TxMode::kRead,
                            [&](Tx& tx) { return storage::requests_to_place(tx, track); });
}

void SqlStore::save_request_places(const std::vector<RequestPlace>& places) {
  if (places.empty()) return;
  impl_->db.transact(TxMode::kWrite, [&](Tx& tx) {
    storage::save_request_places(tx, places);
    return true;
  });
}

}  // namespace stagematch

#include "migrations.hpp"

#include <chrono>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace stagematch::storage {

namespace {

// One statement of a step. `postgresql` is set where the dialects differ; otherwise `sql` runs on
// both, with {pk} replaced by the dialect's auto-numbered 64-bit primary key. SQLite gets
// AUTOINCREMENT so the id of a deleted request is never handed out again (the audit log still
// names it).
struct Statement {
  const char* sql;
  const char* postgresql = nullptr;
};

// The `postgresql` of a statement that SQLite alone needs.
constexpr const char* kSqliteOnly = "";

struct Step {
  int version;
  const char* description;
  std::vector<Statement> statements;
};

// Moments are BIGINT epoch seconds everywhere: no time zones or fractions to lose on the way,
// and the visibility predicate compares registered_at with integer seconds.
const std::vector<Step>& steps() {
  static const std::vector<Step> kSteps = {
      {1,
       "organisations, users, contacts, requests, statuses, audit, outbox",
       {
           {"CREATE TABLE organisations ("
            " id {pk},"
            " type TEXT NOT NULL CHECK (type IN ('school', 'service')),"
            " name TEXT NOT NULL,"
            " created_at BIGINT NOT NULL,"
            " UNIQUE (type, name))"},
           // Services: the provinces they work in. Schools: the tracks they may register in.
           {"CREATE TABLE organisation_provinces ("
            " org_id BIGINT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,"
            " province TEXT NOT NULL,"
            " PRIMARY KEY (org_id, province))"},
           {"CREATE TABLE organisation_tracks ("
            " org_id BIGINT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,"
            " track TEXT NOT NULL,"
            " PRIMARY KEY (org_id, track))"},
           // Logins: created by invitation, active once the activation link was used.
           {"CREATE TABLE users ("
            " id {pk},"
            " email TEXT NOT NULL UNIQUE,"
            " role TEXT NOT NULL CHECK (role IN ('admin', 'school', 'service')),"
            " org_id BIGINT REFERENCES organisations (id),"
            " name TEXT NOT NULL DEFAULT '',"
            " password_hash TEXT,"
            " activated_at BIGINT,"
            " disabled_at BIGINT,"
            " created_at BIGINT NOT NULL)"},
           {"CREATE INDEX users_org ON users (org_id)"},
           // One live session per login; a newer login ends the older one (end_reason says why).
           {"CREATE TABLE sessions ("
            " id {pk},"
            " token_hash TEXT NOT NULL UNIQUE,"
            " user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
            " created_at BIGINT NOT NULL,"
            " last_seen_at BIGINT NOT NULL,"
            " expires_at BIGINT NOT NULL,"
            " ended_at BIGINT,"
            " end_reason TEXT)"},
           {"CREATE INDEX sessions_user ON sessions (user_id)"},
           // Activation and password-reset links: only a hash is kept; single use.
           {"CREATE TABLE tokens ("
            " id {pk},"
            " token_hash TEXT NOT NULL UNIQUE,"
            " user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
            " purpose TEXT NOT NULL CHECK (purpose IN ('activation', 'reset')),"
            " created_at BIGINT NOT NULL,"
            " expires_at BIGINT NOT NULL,"
            " used_at BIGINT)"},
           {"CREATE INDEX tokens_user ON tokens (user_id, purpose)"},
           // Stagebegeleiders (schools) and stagementors (services).
           {"CREATE TABLE contacts ("
            " id {pk},"
            " org_id BIGINT NOT NULL REFERENCES organisations (id),"
            " name TEXT NOT NULL,"
            " phone TEXT NOT NULL,"
            " email TEXT NOT NULL)"},
           {"CREATE INDEX contacts_org ON contacts (org_id)"},
           // One student's request. The columns are what lists filter and sort on; fields_json
           // holds every field as the API names it, personal ones included.
           {"CREATE TABLE requests ("
            " id {pk},"
            " track TEXT NOT NULL,"
            " year TEXT NOT NULL,"
            " school_id BIGINT NOT NULL REFERENCES organisations (id),"
            " school_contact_id BIGINT NOT NULL REFERENCES contacts (id),"
            " preferred_service_id BIGINT REFERENCES organisations (id),"
            " first_name TEXT NOT NULL,"
            " last_name TEXT NOT NULL,"
            " province TEXT NOT NULL,"
            " postal_code TEXT NOT NULL,"
            " registered_at BIGINT NOT NULL,"
            " state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'stopped')),"
            " accepted_by BIGINT REFERENCES organisations (id),"
            " accepted_at BIGINT,"
            " accepted_periods TEXT NOT NULL DEFAULT '[]',"
            " mentor_id BIGINT REFERENCES contacts (id),"
            " notes TEXT NOT NULL DEFAULT '',"
            " version BIGINT NOT NULL DEFAULT 1,"
            " fields_json TEXT NOT NULL DEFAULT '{}')"},
           // The service list: equality on track, year, state and accepted_by (IS NULL for the
           // open tab), then the default order province, postal code, last name.
           {"CREATE INDEX requests_list ON requests"
            " (track, year, state, accepted_by, province, postal_code, last_name)"},
           {"CREATE INDEX requests_registered ON requests (track, registered_at)"},
           {"CREATE INDEX requests_school ON requests (school_id, track)"},
           {"CREATE INDEX requests_preferred ON requests (preferred_service_id)"},
           {"CREATE INDEX requests_accepted_by ON requests (accepted_by)"},
           {"CREATE INDEX requests_school_contact ON requests (school_contact_id)"},
           {"CREATE INDEX requests_mentor ON requests (mentor_id)"},
           // Means of transport, in the order the school ticked them.
           {"CREATE TABLE request_transport ("
            " request_id BIGINT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,"
            " mode TEXT NOT NULL,"
            " position BIGINT NOT NULL,"
            " PRIMARY KEY (request_id, mode))"},
           {"CREATE INDEX request_transport_mode ON request_transport (mode, request_id)"},
           // Each service's own status per request; no row means the workflow's initial status.
           {"CREATE TABLE service_statuses ("
            " request_id BIGINT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,"
            " service_id BIGINT NOT NULL REFERENCES organisations (id),"
            " status TEXT NOT NULL,"
            " revealed_at BIGINT,"
            " changed_at BIGINT NOT NULL,"
            " PRIMARY KEY (request_id, service_id))"},
           {"CREATE INDEX service_statuses_service ON service_statuses (service_id, status)"},
           {"CREATE TABLE status_history ("
            " id {pk},"
            " request_id BIGINT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,"
            " service_id BIGINT NOT NULL,"
            " from_status TEXT NOT NULL,"
            " to_status TEXT NOT NULL,"
            " user_id BIGINT,"
            " at BIGINT NOT NULL,"
            " reason TEXT NOT NULL DEFAULT '')"},
           {"CREATE INDEX status_history_request ON status_history (request_id, id)"},
           // How often each service chose each status for a student (the admin export).
           {"CREATE TABLE status_counts ("
            " request_id BIGINT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,"
            " service_id BIGINT NOT NULL,"
            " status TEXT NOT NULL,"
            " count BIGINT NOT NULL,"
            " PRIMARY KEY (request_id, service_id, status))"},
           // Kept forever, independent of the rows it names (no foreign keys).
           {"CREATE TABLE audit_log ("
            " id {pk},"
            " at BIGINT NOT NULL,"
            " user_id BIGINT,"
            " actor TEXT NOT NULL,"
            " action TEXT NOT NULL,"
            " object_type TEXT NOT NULL,"
            " object_id BIGINT,"
            " outcome TEXT NOT NULL,"
            " detail TEXT NOT NULL DEFAULT '')"},
           {"CREATE INDEX audit_log_object ON audit_log (object_type, object_id)"},
           {"CREATE INDEX audit_log_at ON audit_log (at)"},
           // Mails, written in the transaction of their cause; dedupe_key (when set) makes sure
           // the same mail is never queued twice.
           {"CREATE TABLE outbox ("
            " id {pk},"
            " dedupe_key TEXT UNIQUE,"
            " to_address TEXT NOT NULL,"
            " subject TEXT NOT NULL,"
            " body_text TEXT NOT NULL,"
            " body_html TEXT NOT NULL DEFAULT '',"
            " state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dead')),"
            " attempts BIGINT NOT NULL DEFAULT 0,"
            " next_attempt_at BIGINT NOT NULL,"
            " last_error TEXT NOT NULL DEFAULT '',"
            " created_at BIGINT NOT NULL,"
            " sent_at BIGINT)"},
           {"CREATE INDEX outbox_due ON outbox (state, next_attempt_at)"},
           // Round starts, closes and reminders: claimed by exactly one server instance.
           {"CREATE TABLE timed_events ("
            " key TEXT PRIMARY KEY,"
            " claimed_at BIGINT,"
            " done_at BIGINT)"},
       }},
      {2,
       "accounts: a CSRF token per session, login attempts for throttling",
       {
           // Random per session, shown to the browser in every form: kept as is (worthless
           // without the session cookie, which is stored only as a hash).
           {"ALTER TABLE sessions ADD COLUMN csrf_token TEXT NOT NULL DEFAULT ''"},
           // Every login with a password, per address (known or not): throttling counts the
           // failures since the last success within its window. Pruned after 30 days.
           {"CREATE TABLE login_attempts ("
            " id {pk},"
            " email TEXT NOT NULL,"
            " ok BIGINT NOT NULL,"
            " at BIGINT NOT NULL)"},
           {"CREATE INDEX login_attempts_email ON login_attempts (email, at)"},
           {"CREATE INDEX login_attempts_at ON login_attempts (at)"},
       }},
      {3,
       "outbox: a sending state with a lease; when each timed event was due",
       {
           // A claimed mail is `sending` until leased_until; a lease that ran out (a crash
           // mid-send) makes it claimable again. SQLite cannot change a CHECK constraint, so
           // it rebuilds the table (same ids; rows are never deleted, so the id sequence
           // carries on); PostgreSQL changes it in place. Each pair does one stage of that:
           // afterwards both have the new table without the outbox_due index.
           {"CREATE TABLE outbox_v3 ("
            " id {pk},"
            " dedupe_key TEXT UNIQUE,"
            " to_address TEXT NOT NULL,"
            " subject TEXT NOT NULL,"
            " body_text TEXT NOT NULL,"
            " body_html TEXT NOT NULL DEFAULT '',"
            " state TEXT NOT NULL DEFAULT 'pending'"
            " CHECK (state IN ('pending', 'sending', 'sent', 'dead')),"
            " attempts BIGINT NOT NULL DEFAULT 0,"
            " next_attempt_at BIGINT NOT NULL,"
            " last_error TEXT NOT NULL DEFAULT '',"
            " created_at BIGINT NOT NULL,"
            " sent_at BIGINT,"
            " leased_until BIGINT)",
            "ALTER TABLE outbox DROP CONSTRAINT outbox_state_check"},
           {"INSERT INTO outbox_v3 (id, dedupe_key, to_address, subject, body_text, body_html,"
            " state, attempts, next_attempt_at, last_error, created_at, sent_at)"
            " SELECT id, dedupe_key, to_address, subject, body_text, body_html, state, attempts,"
            " next_attempt_at, last_error, created_at, sent_at FROM outbox",
            "ALTER TABLE outbox ADD CONSTRAINT outbox_state_check"
            " CHECK (state IN ('pending', 'sending', 'sent', 'dead'))"},
           {"DROP TABLE outbox", "ALTER TABLE outbox ADD COLUMN leased_until BIGINT"},
           {"ALTER TABLE outbox_v3 RENAME TO outbox", "DROP INDEX outbox_due"},
           {"CREATE INDEX outbox_due ON outbox (state, next_attempt_at)"},
           {"CREATE INDEX outbox_lease ON outbox (state, leased_until)"},
           // The moment the event was planned for (claimed_at: when an instance claimed it).
           {"ALTER TABLE timed_events ADD COLUMN due_at BIGINT"},
       }},
      {4,
       "calendars published by an admin, so they hold after a restart",
       {
           {"CREATE TABLE published_calendars ("
            " track TEXT NOT NULL,"
            " year TEXT NOT NULL,"
            " label TEXT NOT NULL,"
            " yaml TEXT NOT NULL,"
            " published_at BIGINT NOT NULL,"
            " published_by TEXT NOT NULL,"
            " PRIMARY KEY (track, year))"},
       }},
      {5,
       "open lists read in index order; a change counter for the cached list totals",
       {
           // A service's open tab in each of its sort orders: the first page is the first rows
           // of one of these, without sorting every visible request.
           {"CREATE INDEX requests_open_default ON requests"
            " (track, year, province, postal_code, last_name, id)"
            " WHERE accepted_by IS NULL AND state = 'active'"},
           {"CREATE INDEX requests_open_name ON requests (track, year, last_name, first_name, id)"
            " WHERE accepted_by IS NULL AND state = 'active'"},
           {"CREATE INDEX requests_open_postal ON requests (track, year, postal_code, id)"
            " WHERE accepted_by IS NULL AND state = 'active'"},
           {"CREATE INDEX requests_open_registered ON requests (track, year, registered_at, id)"
            " WHERE accepted_by IS NULL AND state = 'active'"},
           // Moved on after every committed change to requests (by any instance); a list total
           // is reused while it stands still. SQLite (one process) counts in memory instead.
           {"CREATE TABLE request_changes (last_value BIGINT NOT NULL)",
            "CREATE SEQUENCE request_changes"},
       }},
      {6,
       "tokens: whether the user asked for it (the mail cool-down counts those)",
       {
           // 1 for an activation or reset link the user asked for (activatielink, wachtwoord
           // vergeten); 0 for invitations and an admin's resend, which never wait.
           {"ALTER TABLE tokens ADD COLUMN requested BIGINT NOT NULL DEFAULT 0"},
       }},
      {7,
       "login attempts: from which client address (throttling per address and client)",
       {
           // The client's address as the server saw it (or a trusted proxy said); '' before.
           {"ALTER TABLE login_attempts ADD COLUMN client TEXT NOT NULL DEFAULT ''"},
           {"CREATE INDEX login_attempts_client ON login_attempts (client, at)"},
       }},
      {8,
       "requests: the admin's search by national register number",
       {
           // The helpdesk finds a student by the 11 digits (fill_record stores them so). The
           // expression is the one list_condition() compares, so the search reads this index.
           {"CREATE INDEX requests_national_number ON requests"
            " (json_extract(fields_json, '$.national_number'))",
            "CREATE INDEX requests_national_number ON requests"
            " ((fields_json::jsonb ->> 'national_number'))"},
       }},
      {9,
       "requests: a track without a contact person (school_contact_id may be empty)",
       {
           // A track names its contact person only when it has one (the fifth track has none).
           // PostgreSQL drops the NOT NULL in place. SQLite cannot: it rebuilds requests and,
           // because dropping a parent table with enforced foreign keys would empty its
           // children (ON DELETE CASCADE), the four tables that refer to it as well: each old
           // table is renamed (its children follow the new name), copied into a new table
           // with the old name, and dropped once nothing refers to it any more. Ids, the
           // AUTOINCREMENT sequences and every index stay what they were.
           {"ALTER TABLE requests RENAME TO requests_v8",
            "ALTER TABLE requests ALTER COLUMN school_contact_id DROP NOT NULL"},
           {"DROP INDEX requests_list", kSqliteOnly},
           {"DROP INDEX requests_registered", kSqliteOnly},
           {"DROP INDEX requests_school", kSqliteOnly},
           {"DROP INDEX requests_preferred", kSqliteOnly},
           {"DROP INDEX requests_accepted_by", kSqliteOnly},
           {"DROP INDEX requests_school_contact", kSqliteOnly},
           {"DROP INDEX requests_mentor", kSqliteOnly},
           {"DROP INDEX requests_open_default", kSqliteOnly},
           {"DROP INDEX requests_open_name", kSqliteOnly},
           {"DROP INDEX requests_open_postal", kSqliteOnly},
           {"DROP INDEX requests_open_registered", kSqliteOnly},
           {"DROP INDEX requests_national_number", kSqliteOnly},
           {"CREATE TABLE requests ("
            " id {pk},"
            " track TEXT NOT NULL,"
            " year TEXT NOT NULL,"
            " school_id BIGINT NOT NULL REFERENCES organisations (id),"
            " school_contact_id BIGINT REFERENCES contacts (id),"
            " preferred_service_id BIGINT REFERENCES organisations (id),"
            " first_name TEXT NOT NULL,"
            " last_name TEXT NOT NULL,"
            " province TEXT NOT NULL,"
            " postal_code TEXT NOT NULL,"
            " registered_at BIGINT NOT NULL,"
            " state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'stopped')),"
            " accepted_by BIGINT REFERENCES organisations (id),"
            " accepted_at BIGINT,"
            " accepted_periods TEXT NOT NULL DEFAULT '[]',"
            " mentor_id BIGINT REFERENCES contacts (id),"
            " notes TEXT NOT NULL DEFAULT '',"
            " version BIGINT NOT NULL DEFAULT 1,"
            " fields_json TEXT NOT NULL DEFAULT '{}')",
            kSqliteOnly},
           {"INSERT INTO requests SELECT * FROM requests_v8", kSqliteOnly},
           {"DELETE FROM sqlite_sequence WHERE name = 'requests'", kSqliteOnly},
           {"UPDATE sqlite_sequence SET name = 'requests' WHERE name = 'requests_v8'", kSqliteOnly},
           // The children, now referring to requests_v8, again refer to requests.
           {"ALTER TABLE request_transport RENAME TO request_transport_v8", kSqliteOnly},
           {"DROP INDEX request_transport_mode", kSqliteOnly},
           {"CREATE TABLE request_transport ("
            " request_id BIGINT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,"
            " mode TEXT NOT NULL,"
            " position BIGINT NOT NULL,"
            " PRIMARY KEY (request_id, mode))",
            kSqliteOnly},
           {"INSERT INTO request_transport SELECT * FROM request_transport_v8", kSqliteOnly},
           {"DROP TABLE request_transport_v8", kSqliteOnly},
           {"ALTER TABLE service_statuses RENAME TO service_statuses_v8", kSqliteOnly},
           {"DROP INDEX service_statuses_service", kSqliteOnly},
           {"CREATE TABLE service_statuses ("
            " request_id BIGINT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,"
            " service_id BIGINT NOT NULL REFERENCES organisations (id),"
            " status TEXT NOT NULL,"
            " revealed_at BIGINT,"
            " changed_at BIGINT NOT NULL,"
            " PRIMARY KEY (request_id, service_id))",
            kSqliteOnly},
           {"INSERT INTO service_statuses SELECT * FROM service_statuses_v8", kSqliteOnly},
           {"DROP TABLE service_statuses_v8", kSqliteOnly},
           {"ALTER TABLE status_history RENAME TO status_history_v8", kSqliteOnly},
           {"DROP INDEX status_history_request", kSqliteOnly},
           {"CREATE TABLE status_history ("
            " id {pk},"
            " request_id BIGINT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,"
            " service_id BIGINT NOT NULL,"
            " from_status TEXT NOT NULL,"
            " to_status TEXT NOT NULL,"
            " user_id BIGINT,"
            " at BIGINT NOT NULL,"
            " reason TEXT NOT NULL DEFAULT '')",
            kSqliteOnly},
           {"INSERT INTO status_history SELECT * FROM status_history_v8", kSqliteOnly},
           {"DELETE FROM sqlite_sequence WHERE name = 'status_history'", kSqliteOnly},
           {"UPDATE sqlite_sequence SET name = 'status_history' WHERE name = 'status_history_v8'",
            kSqliteOnly},
           {"DROP TABLE status_history_v8", kSqliteOnly},
           {"ALTER TABLE status_counts RENAME TO status_counts_v8", kSqliteOnly},
           {"CREATE TABLE status_counts ("
            " request_id BIGINT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,"
            " service_id BIGINT NOT NULL,"
            " status TEXT NOT NULL,"
            " count BIGINT NOT NULL,"
            " PRIMARY KEY (request_id, service_id, status))",
            kSqliteOnly},
           {"INSERT INTO status_counts SELECT * FROM status_counts_v8", kSqliteOnly},
           {"DROP TABLE status_counts_v8", kSqliteOnly},
           {"DROP TABLE requests_v8", kSqliteOnly},
           {"CREATE INDEX requests_list ON requests"
            " (track, year, state, accepted_by, province, postal_code, last_name)",
            kSqliteOnly},
           {"CREATE INDEX requests_registered ON requests (track, registered_at)", kSqliteOnly},
           {"CREATE INDEX requests_school ON requests (school_id, track)", kSqliteOnly},
           {"CREATE INDEX requests_preferred ON requests (preferred_service_id)", kSqliteOnly},
           {"CREATE INDEX requests_accepted_by ON requests (accepted_by)", kSqliteOnly},
           {"CREATE INDEX requests_school_contact ON requests (school_contact_id)", kSqliteOnly},
           {"CREATE INDEX requests_mentor ON requests (mentor_id)", kSqliteOnly},
           {"CREATE INDEX requests_open_default ON requests"
            " (track, year, province, postal_code, last_name, id)"
            " WHERE accepted_by IS NULL AND state = 'active'",
            kSqliteOnly},
           {"CREATE INDEX requests_open_name ON requests (track, year, last_name, first_name, id)"
            " WHERE accepted_by IS NULL AND state = 'active'",
            kSqliteOnly},
           {"CREATE INDEX requests_open_postal ON requests (track, year, postal_code, id)"
            " WHERE accepted_by IS NULL AND state = 'active'",
            kSqliteOnly},
           {"CREATE INDEX requests_open_registered ON requests (track, year, registered_at, id)"
            " WHERE accepted_by IS NULL AND state = 'active'",
            kSqliteOnly},
           {"CREATE INDEX requests_national_number ON requests"
            " (json_extract(fields_json, '$.national_number'))",
            kSqliteOnly},
           {"CREATE INDEX request_transport_mode ON request_transport (mode, request_id)",
            kSqliteOnly},
           {"CREATE INDEX service_statuses_service ON service_statuses (service_id, status)",
            kSqliteOnly},
           {"CREATE INDEX status_history_request ON status_history (request_id, id)", kSqliteOnly},
       }},
      {10,
       "one-time links made when their mail is sent; link requests queued per client address",
       {
           // The mail that carries this token's link: its token_hash stays a placeholder
           // nobody can present ('unsent:' and the mail's id) until the outbox worker sends
           // the mail and stores the hash of a fresh token; the link is never stored.
           {"ALTER TABLE tokens ADD COLUMN outbox_id BIGINT"},
           {"CREATE INDEX tokens_outbox ON tokens (outbox_id)"},
           // "Nieuwe activatielink" and "wachtwoord vergeten" requests, for any address, known
           // or not: the answer only queues one, handled_at is set when a worker took it. Per
           // client address they are limited; rows older than a day are deleted.
           {"CREATE TABLE link_requests ("
            " id {pk},"
            " email TEXT NOT NULL,"
            " purpose TEXT NOT NULL CHECK (purpose IN ('activation', 'reset')),"
            " client TEXT NOT NULL,"
            " at BIGINT NOT NULL,"
            " handled_at BIGINT)"},
           {"CREATE INDEX link_requests_client ON link_requests (client, at)"},
           {"CREATE INDEX link_requests_open ON link_requests (handled_at, id)"},
           {"CREATE INDEX link_requests_at ON link_requests (at)"},
       }},
      {11,
       "places per service, track, school year and round",
       {
           // No row: the service said nothing ("onbekend"), which is not 0 places. round_id is
           // '' for the whole school year, else the calendar round whose internship period the
           // places are for (CVO).
           {"CREATE TABLE service_places ("
            " service_id BIGINT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,"
            " track TEXT NOT NULL,"
            " year TEXT NOT NULL,"
            " round_id TEXT NOT NULL DEFAULT '',"
            " places INTEGER NOT NULL CHECK (places BETWEEN 0 AND 999),"
            " updated_at BIGINT NOT NULL,"
            " PRIMARY KEY (service_id, track, year, round_id))"},
           {"CREATE INDEX service_places_year ON service_places (track, year)"},
       }},
      // Issue 13, distance: where services work from and where students live (gazetteer).
      {12,
       "service locations and the places of requests, for the distance sort",
       {
           // lat_cos: the cosine of the latitude, so the database orders by distance with
           // arithmetic alone (SQLite has no trigonometry).
           {"CREATE TABLE service_locations ("
            " id {pk},"
            " service_id BIGINT NOT NULL REFERENCES organisations(id),"
            " postal_code TEXT NOT NULL,"
            " municipality TEXT NOT NULL,"
            " lat DOUBLE PRECISION NOT NULL,"
            " lng DOUBLE PRECISION NOT NULL,"
            " lat_cos DOUBLE PRECISION NOT NULL,"
            " UNIQUE (service_id, postal_code, municipality))"},
           // One row per request, for the version of the request it was worked out for; no
           // coordinates when the gazetteer does not know the place.
           {"CREATE TABLE request_places ("
            " request_id BIGINT PRIMARY KEY REFERENCES requests(id) ON DELETE CASCADE,"
            " version INTEGER NOT NULL,"
            " lat DOUBLE PRECISION,"
            " lng DOUBLE PRECISION)"},
       }},
      // Agenda: each user's private calendar feed address (GET /agenda/{token}.ics).
      {13,
       "calendar feed addresses: one per user, only the hash of its token",
       {
           // Renewing replaces the row, so the old address stops at once; revoking deletes it.
           {"CREATE TABLE agenda_tokens ("
            " user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,"
            " token_hash TEXT NOT NULL UNIQUE,"
            " created_at BIGINT NOT NULL)"},
       }},
      {14,
       "requests: when their personal data was erased (retention period over, or on request)",
       {
           // Set once, by the erasure that blanked the names and personal fields; the daily
           // retention run reads only the requests where it is still empty.
           {"ALTER TABLE requests ADD COLUMN erased_at BIGINT"},
           {"CREATE INDEX requests_personal_data ON requests (year, id) WHERE erased_at IS NULL"},
       }},
  };
  return kSteps;
}

std::string dialect_text(const Statement& s, Dialect dialect) {
  std::string sql = dialect == Dialect::kPostgresql && s.postgresql ? s.postgresql : s.sql;
  const std::string pk = dialect == Dialect::kPostgresql ? "BIGSERIAL PRIMARY KEY"
                                                         : "INTEGER PRIMARY KEY AUTOINCREMENT";
  for (auto at = sql.find("{pk}"); at != std::string::npos; at = sql.find("{pk}", at))
    sql.replace(at, 4, pk);
  return sql;
}

// Any fixed number: the lock only has to be the same for every process of this program.
constexpr std::int64_t kMigrationLockKey = 0x5374616765;  // "Stage"

}  // namespace

int latest_schema_version() { return steps().back().version; }

void apply_migrations(Db& db) { apply_migrations(db, latest_schema_version()); }

void apply_migrations(Db& db, int up_to) {
  db.transact(TxMode::kWrite, [&](Tx& tx) {
    if (tx.dialect() == Dialect::kPostgresql) {
      tx.exec("SELECT pg_advisory_xact_lock(?)", {kMigrationLockKey});
    }
    tx.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version BIGINT PRIMARY KEY,"
        " description TEXT NOT NULL,"
        " applied_at BIGINT NOT NULL)");
    std::set<std::int64_t> applied;
    for (const Row& row : tx.query("SELECT version FROM schema_migrations", {}, 1))
      applied.insert(row.int64(0));
    if (!applied.empty() && *applied.rbegin() > latest_schema_version()) {
      throw std::runtime_error(
          "de databank heeft schemaversie " + std::to_string(*applied.rbegin()) +
          ", nieuwer dan dit programma kent (" + std::to_string(latest_schema_version()) + ")");
    }
    auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    for (const Step& step : steps()) {
      if (applied.contains(step.version) || step.version > up_to) continue;
      for (const Statement& s : step.statements)
        if (std::string sql = dialect_text(s, tx.dialect()); !sql.empty()) tx.exec(sql);
      tx.exec("INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)",
              {step.version, step.description, Instant{now}});
    }
    return true;
  });
}

}  // namespace stagematch::storage

// What the engine needs from a database, as one narrow interface. The storage plugins
// (plugins/storage: SQLite, PostgreSQL) implement it; the engine never sees SQL dialects,
// connections or Poco. Every method is one transaction: it happens whole or not at all.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "local_time.hpp"
#include "predicate.hpp"
#include "value.hpp"

namespace stagematch {

using Id = std::int64_t;

// Why a store call did not happen. `code` is stable (the API shows it); `message` is Dutch.
struct StoreError {
  std::string code;  // not_found, conflict, already_accepted, linked, stale, duplicate, unavailable
  std::string message;
};

template <typename T>
using StoreResult = std::expected<T, StoreError>;

struct Organisation {
  Id id = 0;
  std::string type;  // school | service
  std::string name;
  std::vector<std::string> provinces;  // services: ANT BRU LIM OVL VBR WVL
  std::vector<std::string> tracks;     // schools: the tracks they may register in
};

struct ContactPerson {
  Id id = 0;
  Id org_id = 0;
  std::string name;
  std::string phone;
  std::string email;
};

// One student's request in one track and school year, as stored.
struct RequestRecord {
  Id id = 0;
  std::string track;
  std::string year;
  Id school_id = 0;
  std::string school_name;
  std::optional<Id> school_contact_id;  // none in a track without a contact person field
  std::optional<Id> preferred_service_id;
  std::string first_name;
  std::string last_name;
  std::string province;
  std::string postal_code;
  std::vector<std::string> transport;
  Value fields;  // every request field as the API names it (object), personal ones included
  Instant registered_at;
  std::string state = "active";  // active | stopped (left the course; stays in history)
  std::optional<Id> accepted_by;
  std::string accepted_by_name;
  std::optional<Instant> accepted_at;
  std::vector<int> accepted_periods;  // indexes into fields.periods
  std::optional<Id> mentor_id;
  std::string notes;
  int version = 1;  // raised by every change; an edit names the version it started from

  // Read along with the request, so showing a page of them takes no query per row.
  std::optional<ContactPerson> school_contact;  // the school's contact person
  std::optional<ContactPerson> mentor;          // the accepting service's mentor
  // A service's list (RequestQuery::service_id): that service's own status, read along.
  bool own_status_read = false;
  std::string own_status;  // "" when the service never chose: the workflow's initial status
};

// One service's own status for one request.
struct ServiceStatus {
  Id request_id = 0;
  Id service_id = 0;
  std::string status;  // the workflow's initial status when the service never chose
  // Personal data was revealed to this service once (kept for the record); what it sees now
  // follows its current status (Workflow::reveals).
  bool revealed = false;
  std::optional<Instant> changed_at;
};

struct StatusCount {
  Id service_id = 0;
  std::string status;
  int count = 0;
};

struct AuditEntry {
  Id id = 0;
  Instant at;
  std::optional<Id> user_id;
  std::string actor;        // "user:12", "system", "admin-cli"
  std::string action;       // request.register, status.change, request.reveal, ...
  std::string object_type;  // request, contact, org, user, calendar
  std::optional<Id> object_id;
  std::string outcome;  // ok, refused:<code>
  std::string detail;   // never a password, token or full national number
};

// A mail waiting in the outbox, written in the same transaction as its cause.
struct OutboxMail {
  Id id = 0;
  std::string dedupe_key;  // unique when set: the same mail is never queued twice
  std::string to_address;
  std::string subject;
  std::string body_text;
  std::string body_html;
  std::string state = "pending";  // pending | sending | sent | dead
  int attempts = 0;
  std::optional<Instant> created_at{};
  std::optional<Instant> next_attempt_at{};
  std::optional<Instant> sent_at{};
  std::string last_error{};
};

// A status change as the store applies it, after the engine decided it is allowed.
struct StatusWrite {
  Id request_id = 0;
  Id service_id = 0;
  std::optional<Id> user_id;
  std::string from;  // the status the decision was based on; a different one is `stale`
  std::string to;
  bool exclusive = false;  // `to` may be held by one service only: the first one wins
  bool reveal = false;     // reveals personal data to this service
  bool release = false;    // an admin undoing an acceptance: the request is open again
  bool count = true;       // counted for the admin export
  std::optional<Id> mentor_id;
  std::vector<int> periods;
  std::string notes;
  std::string reason;
  Instant at;
  std::vector<OutboxMail> mails;  // queued in the same transaction
};

// The service list: visibility from the rules plus the user's filters, sorted and paged.
struct RequestQuery {
  std::string track;
  std::optional<std::string> year;      // none: every school year of the track
  std::optional<Id> service_id;         // a service's list: its own status joined in
  std::optional<Id> school_id;          // a school's list: only its own requests
  std::optional<Predicate> visibility;  // the rules' answer for this service and moment
  std::optional<Predicate> filter;      // a narrowing the engine adds (a school's status filter)
  std::string tab = "open";             // open | accepted (by this service) | all (schools, admins)
  std::string name;                     // part of first or last name, case-insensitive
  std::vector<std::string> provinces;   // any of; empty = all
  std::optional<Id> school_filter;
  std::string postal_code;             // a full code or a prefix
  std::vector<std::string> transport;  // any of; empty = all
  // The admin's search: the national register number's 11 digits, matched exactly (index
  // requests_national_number). Never set for a school's or a service's list.
  std::string national_number;
  std::string
      sort;  // "" (province, postal code, last name), name, -name, postal_code, -registered_at
  int page = 1;
  int page_size = 50;
  bool include_stopped = false;  // schools and admins also see stopped students
};

// A calendar an admin published (its YAML text, as uploaded): kept so it holds after a restart,
// on top of the calendars in workflows/. One per track and school year; a later one replaces it.
struct StoredCalendar {
  std::string track;
  std::string year;
  std::string label;  // the file name its positions are reported under
  std::string yaml;
  Instant published_at;
  std::string published_by;  // the audit actor ("user:12", "demo")
};

struct RequestPage {
  std::vector<RequestRecord> items;
  std::int64_t total = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Applies pending schema migrations; safe to run twice and from two processes at once.
  virtual void migrate() = 0;
  virtual std::string dialect() const = 0;  // "sqlite" or "postgresql"

  virtual StoreResult<Id> create_organisation(const Organisation& org) = 0;
  virtual StoreResult<Organisation> organisation(Id id) = 0;
  virtual std::vector<Organisation> organisations(const std::string& type) = 0;  // "" = all
  // The same list, shared instead of copied: a service's list page offers every school as a
  // filter on every call.
  virtual std::shared_ptr<const std::vector<Organisation>> shared_organisations(
      const std::string& type) = 0;

  virtual StoreResult<Id> create_contact(const ContactPerson& contact) = 0;
  virtual StoreResult<void> update_contact(const ContactPerson& contact) = 0;
  // `linked` while a request (school contact) or an acceptance (mentor) refers to it.
  virtual StoreResult<void> delete_contact(Id org_id, Id contact_id) = 0;
  virtual std::vector<ContactPerson> contacts(Id org_id) = 0;
  virtual StoreResult<ContactPerson> contact(Id contact_id) = 0;

  virtual StoreResult<Id> insert_request(const RequestRecord& request, const AuditEntry& audit) = 0;
  // Replaces the fields when the stored version is `request.version` and nobody accepted it
  // (`already_accepted` otherwise, `stale` when someone else changed it first).
  virtual StoreResult<void> update_request(const RequestRecord& request,
                                           const AuditEntry& audit) = 0;
  virtual StoreResult<void> delete_request(Id school_id, Id request_id,
                                           const AuditEntry& audit) = 0;
  // Marks a student stopped (left the course). `already_accepted` when a service accepted the
  // student: an accepted internship is stopped only after an admin undid the acceptance.
  virtual StoreResult<void> stop_request(Id school_id, Id request_id, const AuditEntry& audit) = 0;
  virtual StoreResult<RequestRecord> request(Id request_id) = 0;
  virtual StoreResult<RequestPage> requests(const RequestQuery& query) = 0;
  // A number that moves on after every committed change that a list of requests shows (the
  // requests, their transport, services' statuses, contact persons), the same for every
  // process on this store. A list read under one number may be shown again while the number
  // stands still. None when the store cannot say (then nothing is reused).
  virtual std::optional<std::int64_t> list_version() { return std::nullopt; }

  virtual ServiceStatus service_status(Id request_id, Id service_id,
                                       const std::string& initial) = 0;
  // Applies one status change, its history, count, audit and mails in one transaction.
  // An exclusive status is one conditional update whose changed-row count decides: the loser
  // gets `already_accepted`, never an overwrite.
  virtual StoreResult<void> write_status(const StatusWrite& write, const AuditEntry& audit) = 0;
  virtual std::vector<StatusCount> status_counts(Id request_id) = 0;
  // Every service's own status for one request (services that never chose have no row).
  virtual std::vector<ServiceStatus> service_statuses(Id request_id) = 0;
  // Per service, how many times it moved a request of `track` to one of `statuses` at or
  // after `since` (the admin's watch on invitations, which show personal data); most first.
  virtual std::vector<StatusCount> status_changes_since(const std::string& track,
                                                        const std::vector<std::string>& statuses,
                                                        Instant since) = 0;

  // Keeps a published calendar (replacing the track and year's earlier one) with its audit entry.
  virtual void save_calendar(const StoredCalendar& calendar, const AuditEntry& audit) = 0;
  // Every published calendar, in the order they were published.
  virtual std::vector<StoredCalendar> stored_calendars() = 0;

  virtual void append_audit(const AuditEntry& entry) = 0;
  // Several lines in one transaction (a list that revealed personal data of many requests).
  virtual void append_audit(const std::vector<AuditEntry>& entries) = 0;
  virtual std::vector<AuditEntry> audit_log(int limit) = 0;
  // Every audit line about one object (`object_type` "request", ...), oldest first.
  virtual std::vector<AuditEntry> audit_of(const std::string& object_type, Id object_id) = 0;
  virtual std::vector<OutboxMail> outbox(int limit) = 0;

  // What an operator watches (GET /metrics): the mails still to send and the database pool.
  struct OperationalStats {
    std::int64_t outbox_waiting = 0;       // pending or being sent
    std::int64_t outbox_dead = 0;          // given up: the admin resends them
    std::optional<Instant> outbox_oldest;  // when the oldest waiting mail was written
    int pool_in_use = 0;                   // database connections lent out now
    int pool_size = 0;                     // at most this many
  };
  virtual OperationalStats operational_stats() = 0;

  // Places per service (capacity): how many students a service can take per track and school
  // year, or per round where each round serves an internship period of its own (CVO).
  struct PlacesRecord {
    Id service_id = 0;
    std::string track;
    std::string year;
    std::string round_id;  // "" for the whole school year
    int places = 0;
    Instant updated_at;
  };
  // What the regional overview counts of one request: no field, no personal data.
  struct RequestFact {
    Id id = 0;
    std::string province;
    Instant registered_at;
    bool stopped = false;
    std::optional<Id> accepted_by;
    std::optional<Instant> accepted_at;
  };
  // Every service's stated places in one track and school year.
  virtual std::vector<PlacesRecord> places(const std::string& track, const std::string& year) = 0;
  // Stores (or with `places` none: forgets, "onbekend") one service's places, with its audit.
  virtual StoreResult<void> set_places(const PlacesRecord& record, std::optional<int> places,
                                       const AuditEntry& audit) = 0;
  // Every request of one track and school year, as the overview counts it.
  virtual std::vector<RequestFact> request_facts(const std::string& track,
                                                 const std::string& year) = 0;

  // ---- Privacy: personal data past its retention, what is stored about one student, erasure --
  struct RequestKey {
    Id id = 0;
    std::string track;
    std::string year;
    Value periods;  // the request's periods ([{start, end}], null when it has none)
  };
  // Every request whose personal data is still stored (not erased before), lowest id first.
  virtual std::vector<RequestKey> requests_with_personal_data() = 0;
  // The requests stored with this national register number (its 11 digits), lowest id first.
  virtual std::vector<Id> requests_of_student(const std::string& national_number) = 0;
  // One line of a request's status history, as the store keeps it.
  struct HistoryLine {
    Id service_id = 0;
    std::string from;
    std::string to;
    std::optional<Id> user_id;
    Instant at;
    std::string reason;
  };
  virtual std::vector<HistoryLine> status_history(Id request_id) = 0;
  // The mails about one request (an acceptance told to the school, an undone acceptance), oldest
  // first: those whose dedupe_key starts with "accepted/ID/" or "undone/ID/".
  virtual std::vector<OutboxMail> mails_about_request(Id request_id) = 0;
  // Erases the personal data of each request of `erasures`, all in one transaction, each with
  // its audit line: `kept_fields` in place of its fields (the name columns take its first_name
  // and last_name), no service notes, the reasons in its status history and audit lines
  // ("reden: ..." becomes `erased_text`), and the mails about it (subject and body become
  // `erased_text`; one still waiting is not sent any more). A request whose personal data was
  // erased before, or that no longer exists, is passed over with nothing written. Answers
  // which were erased. Lists read before are not reused once one was.
  struct Erasure {
    Id request_id = 0;
    Value kept_fields;
    std::string erased_text;
    Instant at;
    AuditEntry audit;
  };
  virtual StoreResult<std::vector<Id>> erase_personal_data(
      const std::vector<Erasure>& erasures) = 0;
  // Agenda: each user's private calendar feed address. Only the SHA-256 of its token is kept,
  // one per user. Replaces the user's token by `hash` (none: the user has no address any more)
  // and writes the audit line, in one transaction; the replaced token stops at once.
  virtual StoreResult<void> set_agenda_token(Id user_id, const std::optional<std::string>& hash,
                                             Instant at, const AuditEntry& audit) = 0;
  // The user whose current token has this hash; none for an unknown, renewed or revoked one,
  // and for a disabled account.
  virtual std::optional<Id> agenda_token_user(const std::string& hash) = 0;
  // When the user's current token was made; none when the user has none.
  virtual std::optional<Instant> agenda_token_since(Id user_id) = 0;

  // --- Service locations and distances (issue 13, part geo) ---
  // A place a service works from: a postal code and its place, as the gazetteer found them.
  struct ServiceLocation {
    Id id = 0;
    Id service_id = 0;
    std::string postal_code;
    std::string municipality;  // the gazetteer's spelling
    double lat = 0;
    double lng = 0;
  };
  // A request whose place was not worked out since its last change (its version).
  struct RequestToPlace {
    Id request_id = 0;
    int version = 0;
    std::string postal_code;
    std::string city;
  };
  // Where a request's student lives, as the gazetteer found it; none when it could not.
  struct RequestPlace {
    Id request_id = 0;
    int version = 0;
    std::optional<double> lat;
    std::optional<double> lng;
  };
  // A service's locations, in the order they were added.
  virtual std::vector<ServiceLocation> service_locations(Id service_id) = 0;
  // `duplicate` when the service has that postal code and place already.
  virtual StoreResult<Id> add_service_location(const ServiceLocation& location,
                                               const AuditEntry& audit) = 0;
  // `not_found` for another service's location or none.
  virtual StoreResult<void> remove_service_location(Id service_id, Id location_id,
                                                    const AuditEntry& audit) = 0;
  // RequestQuery::sort "afstand" on a service's list orders by the distance from each request's
  // saved place to that service's nearest location, unknown last. These keep the places saved:
  // the requests of `track` whose place is not known for their current version, and saving them.
  virtual std::vector<RequestToPlace> requests_to_place(const std::string& track) = 0;
  virtual void save_request_places(const std::vector<RequestPlace>& places) = 0;
};

}  // namespace stagematch

// The Store over SQL databases: SQLite (one file, the embedded default) and PostgreSQL (several
// server instances may share one database). Both run the same SQL, written once; the connector
// details stay in the .cpp files, so including this header costs no Poco headers.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "database.hpp"

namespace stagematch {

class SqlStore : public Database {
 public:
  // "sqlite:PATH" or "postgresql://user:pass@host:port/db" (optionally "?schema=NAME" to keep
  // the tables in that PostgreSQL schema). Throws when the URL is malformed or the database
  // cannot be reached: a start-up failure.
  explicit SqlStore(const std::string& url);
  ~SqlStore() override;

  // Sessions, users and organisations are read on nearly every request; each store keeps what
  // it read for this long (default 5 s) and forgets it at once when it writes them itself. Another
  // instance's change (a login elsewhere that ends this session) is seen within this time.
  // Zero: always read the database.
  void set_cache_ttl(std::chrono::milliseconds ttl);
  static constexpr std::chrono::milliseconds kDefaultCacheTtl{5000};

  void migrate() override;
  std::string dialect() const override;

  StoreResult<Id> create_organisation(const Organisation& org) override;
  StoreResult<Organisation> organisation(Id id) override;
  std::vector<Organisation> organisations(const std::string& type) override;
  std::shared_ptr<const std::vector<Organisation>> shared_organisations(
      const std::string& type) override;

  StoreResult<Id> create_contact(const ContactPerson& contact) override;
  StoreResult<void> update_contact(const ContactPerson& contact) override;
  StoreResult<void> delete_contact(Id org_id, Id contact_id) override;
  std::vector<ContactPerson> contacts(Id org_id) override;
  StoreResult<ContactPerson> contact(Id contact_id) override;

  StoreResult<Id> insert_request(const RequestRecord& request, const AuditEntry& audit) override;
  StoreResult<void> update_request(const RequestRecord& request, const AuditEntry& audit) override;
  StoreResult<void> delete_request(Id school_id, Id request_id, const AuditEntry& audit) override;
  StoreResult<void> stop_request(Id school_id, Id request_id, const AuditEntry& audit) override;
  StoreResult<RequestRecord> request(Id request_id) override;
  StoreResult<RequestPage> requests(const RequestQuery& query) override;
  std::optional<std::int64_t> list_version() override;

  ServiceStatus service_status(Id request_id, Id service_id, const std::string& initial) override;
  StoreResult<void> write_status(const StatusWrite& write, const AuditEntry& audit) override;
  std::vector<StatusCount> status_counts(Id request_id) override;
  std::vector<ServiceStatus> service_statuses(Id request_id) override;
  std::vector<StatusCount> status_changes_since(const std::string& track,
                                                const std::vector<std::string>& statuses,
                                                Instant since) override;

  void save_calendar(const StoredCalendar& calendar, const AuditEntry& audit) override;
  std::vector<StoredCalendar> stored_calendars() override;

  void append_audit(const AuditEntry& entry) override;
  void append_audit(const std::vector<AuditEntry>& entries) override;
  std::vector<AuditEntry> audit_log(int limit) override;
  std::vector<AuditEntry> audit_of(const std::string& object_type, Id object_id) override;
  std::vector<OutboxMail> outbox(int limit) override;
  OperationalStats operational_stats() override;

  // AccountStore (account_repository.cpp); organisation() above serves both interfaces.
  StoreResult<Id> create_user(const UserRecord& user, const std::optional<TokenRecord>& token,
                              const std::vector<OutboxMail>& mails,
                              const AuditEntry& audit) override;
  StoreResult<UserRecord> user_by_email(const std::string& email) override;
  StoreResult<UserRecord> user(Id id) override;
  std::vector<User> users(std::optional<Id> org_id) override;
  StoreResult<void> issue_token(const TokenRecord& token,
                                const std::vector<OutboxMail>& mails) override;
  StoreResult<Id> use_token(const std::string& hash, const std::string& purpose,
                            const std::string& password_hash, Instant now) override;
  StoreResult<void> queue_link_request(const LinkRequest& request, Instant since,
                                       int limit) override;
  std::vector<LinkRequest> claim_link_requests(int limit) override;
  StoreResult<void> start_session(const SessionRecord& session) override;
  StoreResult<SessionRecord> session(const std::string& hash) override;
  void touch_session(const std::string& hash, Instant now) override;
  void end_session(const std::string& hash, const std::string& reason, Instant now) override;
  LoginFailures login_failures(const std::string& email, const std::string& client,
                               Instant since) override;
  void record_login(const std::string& email, const std::string& client, bool ok,
                    Instant at) override;
  void replace_password_hash(Id user_id, const std::string& password_hash) override;

  // MailQueue (mail_repository.cpp).
  std::vector<OutboxMail> claim_mails(int limit, Instant now, std::chrono::seconds lease) override;
  void mark_sent(Id id, Instant at) override;
  void mark_retry(Id id, Instant next_attempt, const std::string& error) override;
  void mark_dead(Id id, const std::string& error) override;
  StoreResult<std::string> renew_mail_token(Id outbox_id, const std::string& hash,
                                            Instant now) override;
  StoreResult<void> resend(Id id, Instant now) override;
  StoreResult<bool> claim_event(const std::string& key, Instant at, Instant claimed_at,
                                const std::vector<OutboxMail>& mails) override;
  std::vector<std::string> org_addresses(Id org_id) override;

  // Places per service (cap_repository.cpp).
  std::vector<PlacesRecord> places(const std::string& track, const std::string& year) override;
  StoreResult<void> set_places(const PlacesRecord& record, std::optional<int> places,
                               const AuditEntry& audit) override;
  std::vector<RequestFact> request_facts(const std::string& track,
                                         const std::string& year) override;
  // Privacy (privacy_repository.cpp).
  std::vector<RequestKey> requests_with_personal_data() override;
  std::vector<Id> requests_of_student(const std::string& national_number) override;
  std::vector<HistoryLine> status_history(Id request_id) override;
  std::vector<OutboxMail> mails_about_request(Id request_id) override;
  StoreResult<std::vector<Id>> erase_personal_data(const std::vector<Erasure>& erasures) override;

  // Agenda: calendar feed tokens (agenda_repository.cpp).
  StoreResult<void> set_agenda_token(Id user_id, const std::optional<std::string>& hash, Instant at,
                                     const AuditEntry& audit) override;
  std::optional<Id> agenda_token_user(const std::string& hash) override;
  std::optional<Instant> agenda_token_since(Id user_id) override;
  // Service locations and the places of requests (geo_repository.cpp; issue 13, distance).
  std::vector<ServiceLocation> service_locations(Id service_id) override;
  StoreResult<Id> add_service_location(const ServiceLocation& location,
                                       const AuditEntry& audit) override;
  StoreResult<void> remove_service_location(Id service_id, Id location_id,
                                            const AuditEntry& audit) override;
  std::vector<RequestToPlace> requests_to_place(const std::string& track) override;
  void save_request_places(const std::vector<RequestPlace>& places) override;

 private:
  StoreResult<Organisation> organisation_uncached(Id id);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The store for a URL (see SqlStore). Does not migrate: call migrate() at start-up.
std::unique_ptr<Store> open_store(const std::string& url);

}  // namespace stagematch

// The Store over SQL databases: SQLite (one file, the embedded default) and PostgreSQL (several
// server instances may share one database). Both run the same SQL, written once; the connector
// details stay in the .cpp files, so including this header costs no Poco headers.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "store.hpp"

namespace stagematch {

class SqlStore : public Store {
 public:
  // "sqlite:PATH" or "postgresql://user:pass@host:port/db" (optionally "?schema=NAME" to keep
  // the tables in that PostgreSQL schema). Throws when the URL is malformed or the database
  // cannot be reached: a start-up failure.
  explicit SqlStore(const std::string& url);
  ~SqlStore() override;

  void migrate() override;
  std::string dialect() const override;

  StoreResult<Id> create_organisation(const Organisation& org) override;
  StoreResult<Organisation> organisation(Id id) override;
  std::vector<Organisation> organisations(const std::string& type) override;

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

  ServiceStatus service_status(Id request_id, Id service_id, const std::string& initial) override;
  StoreResult<void> write_status(const StatusWrite& write, const AuditEntry& audit) override;
  std::vector<StatusCount> status_counts(Id request_id) override;

  void append_audit(const AuditEntry& entry) override;
  std::vector<AuditEntry> audit_log(int limit) override;
  std::vector<OutboxMail> outbox(int limit) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The store for a URL (see SqlStore). Does not migrate: call migrate() at start-up.
std::unique_ptr<Store> open_store(const std::string& url);

}  // namespace stagematch

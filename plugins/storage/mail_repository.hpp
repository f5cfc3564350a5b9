// The outbox and the timed events in SQL: what MailQueue needs. Mails are claimed with a lease
// (state `sending`, leased_until); on PostgreSQL with FOR UPDATE SKIP LOCKED, so several server
// instances never claim the same row. A timed event is claimed by inserting its key: the
// second insert changes nothing, so its mails are queued once. Every function runs inside the
// caller's transaction; driver failures come out as DbError.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "sql_db.hpp"
#include "store.hpp"

namespace stagematch::storage {

// Due pending mails, and mails whose lease ran out (a crash mid-send: counted as an attempt),
// lowest id first: state `sending`, leased until now + lease.
std::vector<OutboxMail> claim_mails(Tx& tx, int limit, Instant now, std::chrono::seconds lease);

// The outcome of an attempt on a claimed (`sending`) mail; each counts the attempt.
void mark_mail_sent(Tx& tx, Id id, Instant at);
void mark_mail_retry(Tx& tx, Id id, Instant next_attempt, const std::string& error);
void mark_mail_dead(Tx& tx, Id id, const std::string& error);

// A dead mail back to pending, due at `now`, with a fresh count of attempts.
StoreResult<void> resend_mail(Tx& tx, Id id, Instant now);

// Inserts the event's key; false (and nothing queued) when it was claimed before.
bool claim_timed_event(Tx& tx, const std::string& key, Instant at, Instant claimed_at,
                       const std::vector<OutboxMail>& mails);

// The newest `limit` mails, newest first, with their state, attempts and last error (the
// admin's outbox page).
std::vector<OutboxMail> load_outbox(Tx& tx, int limit);

// The mails about one request, oldest first: dedupe_key "accepted/ID/..." or "undone/ID/...".
std::vector<OutboxMail> load_request_mails(Tx& tx, Id request_id);

// E-mail addresses of the organisation's activated, not disabled users.
std::vector<std::string> load_org_addresses(Tx& tx, Id org_id);

}  // namespace stagematch::storage

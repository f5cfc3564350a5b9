// Personal data that leaves when its year is over. A request's personal data is kept for a
// configurable number of years (default 2) after its school year ends; then the daily run (and
// `stagematch purge`) erases it: the student's names, national register number, phone, e-mail,
// street, both remarks, the service's notes, the reasons in its status history and audit lines,
// and the mails about it. What statistics need stays: track, year, school, province, postal
// code, city, transport, form, periods, hours, statuses and their counts, the acceptance.
//
// A school year "2024-2025" ends at the end of 31 August 2025, or later when a calendar of that
// year says so (a round, registration or results date, or an internship period such as CVO's
// September-December 2025, after it); a request whose own periods end later is kept until its
// last period ended.
//
// The admin can also see everything stored about one student (subject access, found by national
// register number) and erase one student on request, with a reason, unless the student's
// internship is running: accepted, and today within one of the accepted periods. An accepted
// request that names no period counts as running from its acceptance until its school year ends.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "audit_log.hpp"
#include "definitions.hpp"

namespace stagematch {

struct PrivacySettings {
  int retention_years = 2;  // 1..50 (serve --retention-years, purge --retention-years)
  std::string policy_text;  // the privacy page (serve --privacy-page); empty: a short default
  static constexpr int kMinYears = 1;
  static constexpr int kMaxYears = 50;
};

// Requests of one school year and track whose retention is over (or that a purge erased).
struct PurgeGroup {
  std::string year;
  std::string track;
  int requests = 0;
  Instant year_ends;   // the end of the school year, as the calendars say
  Instant kept_until;  // year_ends plus the retention period
};

struct PurgeReport {
  bool dry_run = false;
  std::vector<PurgeGroup> groups;  // by year, then track
  int erased = 0;                  // requests erased by this run (0 for a dry run)
  int failed = 0;                  // requests the store refused to erase (tried again next run)
  std::optional<Instant> as_of;    // the day it was judged on, when not today
};

class Privacy {
 public:
  Privacy(Store& store, std::function<std::shared_ptr<const DefinitionSet>()> definitions,
          const Clock& clock);

  // Set once at start-up, before the service is used.
  void configure(const PrivacySettings& settings) { settings_ = settings; }
  const PrivacySettings& settings() const { return settings_; }

  // The personal data a purge erases, in Dutch, for the dry run and the privacy page.
  static const std::vector<std::string>& erased_data();

  // When school year `year` ("2024-2025") ends, as the calendars in `defs` say.
  static Instant school_year_end(const DefinitionSet& defs, const std::string& year);

  // Erases (or, with `dry_run`, only counts) every request whose retention is over by now, or
  // by `as_of` when given (what a purge on that day erases; the erasure itself is dated now).
  // `actor` names who runs it in the audit log ("system", "admin-cli"): one line per request.
  // Requests are erased a batch at a time, each batch one transaction. A second run finds
  // nothing more to erase.
  PurgeReport purge(const std::string& actor, bool dry_run,
                    std::optional<Instant> as_of = std::nullopt);

  // Everything stored about the student with this national register number: every request
  // with all its fields, its statuses per service and their counts, its status history, the
  // audit lines and the mails about it. Admin only; audited without the full number.
  DomainResult<Value> subject_access(const Actor& actor, const std::string& national_number);

  // Erases the personal data of every request of this student, with the admin's reason
  // (audited per request). Refused (conflict, "internship_running") while an internship of the
  // student is running, and then nothing is erased. The number of requests erased.
  DomainResult<int> erase_student(const Actor& actor, const std::string& national_number,
                                  const std::string& reason);

 private:
  DomainResult<std::vector<RequestRecord>> student_requests(const Actor& actor,
                                                            const std::string& national_number);

  Store& store_;
  std::function<std::shared_ptr<const DefinitionSet>()> definitions_;
  const Clock& clock_;
  PrivacySettings settings_;
};

}  // namespace stagematch

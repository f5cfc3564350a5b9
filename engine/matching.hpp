// The domain services: what schools, services and admins do with requests, checked against
// the workflow, the calendar and the rules, and stored through a Store. Every refusal says in
// Dutch what to fix and leaves stored data untouched.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "clock.hpp"
#include "definitions.hpp"
#include "mailer.hpp"
#include "roles.hpp"
#include "rules.hpp"
#include "store.hpp"
#include "transitions.hpp"

namespace stagematch {

class TransportHints;  // geo.hpp

// Who is acting: the role and organisation of the logged-in user.
struct Actor {
  std::string role;  // school | service | admin
  Id user_id = 0;
  Id org_id = 0;
};

// What kind of refusal a DomainError is. The engine speaks of kinds only; the web answers each
// kind with its HTTP status (web/error_status.hpp).
enum class ErrorKind {
  invalid,          // the input breaks a rule; `fields` says what to fix
  unauthenticated,  // a wrong address or password
  forbidden,        // this role may not do it, or not at this moment (round closed, ...)
  not_found,        // it does not exist, or the caller may not see it
  conflict,         // the data forbids it now (already_accepted, stale, stopped, duplicate, ...)
  gone,             // a one-time link that was used or expired
  throttled,        // too many attempts; `fields["retry_after"]` says how long to wait
  rule_failed,      // a rule of the definitions could not run
  unavailable,      // the database cannot be reached
};

// Every kind, for tables and tests that must cover them all.
inline constexpr ErrorKind kErrorKinds[] = {
    ErrorKind::invalid,   ErrorKind::unauthenticated, ErrorKind::forbidden,
    ErrorKind::not_found, ErrorKind::conflict,        ErrorKind::gone,
    ErrorKind::throttled, ErrorKind::rule_failed,     ErrorKind::unavailable};

struct DomainError {
  ErrorKind kind = ErrorKind::invalid;
  std::string code;     // validation, not_found, already_accepted, transition_not_allowed, ...
  std::string message;  // Dutch
  std::map<std::string, std::string> fields;  // field -> what to fix
};

template <typename T>
using DomainResult = std::expected<T, DomainError>;

struct Registered {
  Id id = 0;
  std::vector<FieldProblem> warnings;  // allowed but worth a look (CVO province)
  // Registered during a blackout that delays: no service sees it before this moment, and
  // `notice` says so in Dutch.
  std::optional<Instant> visible_from;
  std::string notice;
};

struct StatusInput {
  std::string status;
  std::optional<Id> mentor_id;
  std::vector<int> periods;
  std::string notes;
  std::string reason;  // admin corrections
};

struct ListInput {
  std::optional<std::string> year;
  std::string tab;  // open | accepted; empty: a service's open tab, everything for the others
  std::string name;
  std::vector<std::string> provinces;
  std::optional<Id> school;
  std::string postal_code;
  std::vector<std::string> transport;
  std::string sort;
  int page = 1;
  int page_size = 50;
  // A school's list: its own view of a student's status (kSchoolStatuses) and the service it
  // knows accepted; an answer held back until a results date counts as not known yet.
  std::string school_status;
  std::optional<Id> accepted_by;
  // A service's list: the caller reads ListOutput::distances beside the items, instead of
  // getting copies of the items with `distance_km` and `transport_hint` in them (the noon-rush
  // paths: the list page and the JSON list).
  bool distances_apart = false;
};

// A service's distance to one listed student (null when a place is unknown) and the transport
// rule's hint about it ("" for none).
struct ListDistance {
  Value km;
  std::string hint;
};

// The statuses a school filters its students on: accepted (and shown), no place known yet,
// waiting for a results date (whatever the answer), stopped.
inline constexpr std::string_view kSchoolStatuses[] = {
    school_status::kAccepted, school_status::kNone, school_status::kWaiting,
    school_status::kStopped};

struct ListOutput {
  std::vector<Value> items;  // each as the caller may see it
  std::int64_t total = 0;
  // Set on a service's page without personal data when the store keeps a list version: two
  // items of such pages with the same id, own status and version are the same, so a caller may
  // keep what it makes of one (a table row) under those three.
  std::optional<std::int64_t> version;
  // A service's list: per item, its distance and hint (ListInput::distances_apart).
  std::shared_ptr<const std::vector<ListDistance>> distances;
};

// The admin's search across tracks and school years (the helpdesk).
struct SearchInput {
  std::string name;             // part of the first or last name
  std::string national_number;  // as typed: only its digits count, all 11 of them
  std::string track;            // "": every track
  std::string year;             // "": every school year
  std::optional<Id> school;
  int page = 1;
  int page_size = 50;
};

// One request's whole story, for the admin.
struct RequestHistory {
  Value request;                        // as the admin sees it (personal data included)
  std::vector<ServiceStatus> statuses;  // every service that ever chose a status
  std::vector<StatusCount> counts;      // how often each service chose each status
  std::vector<AuditEntry> audit;        // every audit line about it (reveals too), oldest first
};

class Matching {
 public:
  // `definitions` is asked on every call, so a newly published calendar applies at once.
  Matching(Store& store, std::function<std::shared_ptr<const DefinitionSet>()> definitions,
           const Clock& clock);

  DomainResult<Registered> register_request(const Actor& actor, const std::string& track,
                                            const Value& fields);
  DomainResult<std::vector<FieldProblem>> edit_request(const Actor& actor, Id request_id,
                                                       const Value& fields,
                                                       std::optional<int> version = {});
  DomainResult<void> delete_request(const Actor& actor, Id request_id);
  DomainResult<void> stop_request(const Actor& actor, Id request_id);
  DomainResult<void> change_status(const Actor& actor, Id request_id, const StatusInput& input);

  // The helpdesk (admin only; `forbidden` for anyone else): search every request by name, national
  // register number, track, school year and school; read one request's full history; mark a
  // student stopped with a reason. An accepted student is not stopped: the acceptance is undone
  // first (change_status to the initial status, with a reason), as the manuals let only a
  // student without a place be marked stopped.
  DomainResult<ListOutput> search_requests(const Actor& actor, const SearchInput& input);
  DomainResult<RequestHistory> request_history(const Actor& actor, Id request_id);
  DomainResult<void> stop_by_admin(const Actor& actor, Id request_id, const std::string& reason);

  // One request as `actor` may see it; not_found when it may not, the same as a
  // request that does not exist.
  DomainResult<Value> view_request(const Actor& actor, Id request_id);
  DomainResult<ListOutput> list_requests(const Actor& actor, const std::string& track,
                                         const ListInput& input);

  // Where the notice to a school about an accepted student goes (the transition's
  // `notify_school` effect); without it no notice is queued.
  void set_notices(const MailComposer& mail, MailQueue& queue) {
    notice_mail_ = &mail;
    notice_queue_ = &queue;
  }

  // What holds at `now` under `calendar` (the timing rule's answer). Like the visibility, it
  // changes only at the calendar's own moments, so it is computed once per stretch between two
  // of them; a newly published calendar starts afresh.
  std::optional<Moment> moment(const std::shared_ptr<const DefinitionSet>& defs,
                               const Calendar& calendar, Instant now);

  // Whether the transition's guard (`when:`) lets a service take that step at `now`: while a
  // round lets services act, and for a follow-up also after it closed. Kept per calendar
  // stretch like the moment, so a list page can ask it for every row.
  bool step_open(const std::shared_ptr<const DefinitionSet>& defs, const Calendar& calendar,
                 const Workflow& workflow, const std::string& from, const TransitionDef& row,
                 Instant now);

  // The calendar of `track` that governs `now` for a listing without an explicit year.
  const Calendar* current_calendar(const DefinitionSet& defs, const std::string& track,
                                   Instant now) const;

 private:
  struct Loaded {
    std::shared_ptr<const DefinitionSet> defs;
    RequestRecord record;
    const Workflow* workflow = nullptr;
    const Calendar* calendar = nullptr;
  };
  // `deciding`: a service acting on a request another service accepted in the meantime is
  // told so (already_accepted) when it could see the request before that acceptance.
  DomainResult<Loaded> load_visible(const Actor& actor, Id request_id, bool deciding = false);
  // `key`, when given, receives what the predicate depends on (calendar, service, provinces,
  // stretch of the calendar).
  DomainResult<Predicate> visibility_for(const std::shared_ptr<const DefinitionSet>& defs,
                                         const Calendar& calendar, Id service_id, Instant now,
                                         std::string* key = nullptr);
  // The request as `actor` may see it. Uses what the store read along (contacts, a list's own
  // status), so presenting a page of requests asks the store nothing more per row.
  Value present(const DefinitionSet& defs, const Workflow& workflow, const RequestRecord& record,
                const Actor& actor, Instant now);
  // Whether the school sees the answer on this request now: its calendar's results date for
  // the moment the answer was given has passed (Calendar::answer_visible_from).
  static bool school_sees_answer(const DefinitionSet& defs, const RequestRecord& record,
                                 Instant now);
  // Until when the school waits for the answer on this request, whatever that answer is: an
  // answer given now, or the acceptance given earlier, is shown only from that results date.
  static std::optional<Instant> answer_held_until(const DefinitionSet& defs,
                                                  const RequestRecord& record, Instant now);
  // The store filter of a school's status and service choice; none when nothing is chosen.
  static DomainResult<std::optional<Predicate>> school_filter(const DefinitionSet& defs,
                                                              const std::string& track,
                                                              const ListInput& input, Instant now);
  DomainError answered(const Loaded& loaded, const std::string& message);
  std::vector<FieldProblem> validate(const Actor& actor, const Workflow& workflow,
                                     const std::shared_ptr<const DefinitionSet>& defs,
                                     const Value& fields);
  AuditEntry audit(const Actor& actor, std::string action, std::optional<Id> object_id,
                   std::string detail = {}) const;

  std::vector<OutboxMail> school_notice(const Workflow& workflow, const RequestRecord& record,
                                        Id service_id, const StatusInput& input);
  // The mails of an undone acceptance: to the service that lost the student and to the school.
  std::vector<OutboxMail> undo_notices(const Workflow& workflow, const RequestRecord& record,
                                       Id service_id, const std::string& reason);
  // Until when a mail to the school about an answer waits: its calendar's results date.
  std::optional<Instant> school_hold(const RequestRecord& record);

  // Rule answers computed under one set of definitions, each under a key naming what else it
  // depends on; forgotten when other definitions are published, or all at once when full.
  template <typename V>
  class PerDefinitions {
   public:
    std::optional<V> find(const std::shared_ptr<const DefinitionSet>& defs,
                          const std::string& key) {
      std::lock_guard lock(mutex_);
      if (defs_ != defs) {
        defs_ = defs;
        entries_.clear();
      }
      auto it = entries_.find(key);
      return it == entries_.end() ? std::nullopt : std::optional<V>(it->second);
    }
    void put(const std::shared_ptr<const DefinitionSet>& defs, const std::string& key, V value) {
      std::lock_guard lock(mutex_);
      if (defs_ != defs) return;  // computed under definitions that were replaced meanwhile
      if (entries_.size() >= 20000) entries_.clear();
      entries_.emplace(key, std::move(value));
    }

   private:
    std::mutex mutex_;
    std::shared_ptr<const DefinitionSet> defs_;
    std::map<std::string, V> entries_;
  };
  // The visibility predicate of a service and the timing rule's answer under one calendar
  // change only at the calendar's moments (a round opens or closes, a blackout's registrations
  // become visible), the predicate also when the service's provinces change: each is computed
  // once per calendar stretch between two such moments (calendar_stretch in the key).
  PerDefinitions<Predicate> visibility_cache_;
  PerDefinitions<std::optional<Moment>> moment_cache_;
  PerDefinitions<bool> step_cache_;

  // A service's list page as presented, kept under the store's list_version() it was read at
  // and shown again while that number stands still: the noon rush is hundreds of services
  // refreshing the same few pages, and any change on any instance moves the number on, so the
  // next list after it is read afresh. Forgotten when other definitions are published.
  struct ListCache {
    struct Entry {
      std::int64_t version = 0;
      ListOutput out;
      int revealed = 0;
      // A service's list: per item, its distance and hint, worked out once when the page was
      // read and put on the items of every answer (see add_distances).
      std::shared_ptr<const std::vector<ListDistance>> distances;
    };
    std::mutex mutex;
    std::shared_ptr<const DefinitionSet> defs;
    std::unordered_map<std::string, std::shared_ptr<const Entry>> entries;
    // One presented request shared by every page that shows it under the same version (a
    // Value copies by reference): the same student on the pages of a hundred services is kept
    // once per own status, not once per page.
    std::int64_t items_version = 0;
    std::unordered_map<std::string, Value> items;
  };
  ListCache list_cache_;

  // A service's list (issue 13, distance): each item gets the distance from the student's place
  // to the service's nearest location (`distance_km`, null when unknown) and the transport
  // rule's hint (`transport_hint`). They are worked out once per kept page (distances_of) and
  // put on copies of the items of each answer (add_distances): the items themselves are shared
  // by every service's pages, and a copy per service kept in memory would cost far more.
  // A service's locations are kept under the list version they were read at (adding or removing
  // one moves it on), so a kept page asks the store nothing more.
  std::shared_ptr<const std::vector<ListDistance>> distances_of(const DefinitionSet& defs,
                                                                Id service_id,
                                                                std::optional<std::int64_t> version,
                                                                const std::vector<Value>& items);
  static void add_distances(const std::vector<ListDistance>& distances, std::vector<Value>& items);
  std::shared_ptr<TransportHints> hints_;
  struct LocationCache {
    std::mutex mutex;
    std::unordered_map<Id, std::pair<std::int64_t, std::vector<Store::ServiceLocation>>> of;
    std::map<std::string, std::int64_t> placed;  // per track: the list version last placed at
  };
  LocationCache locations_cache_;

  Store& store_;
  std::function<std::shared_ptr<const DefinitionSet>()> definitions_;
  const Clock& clock_;
  const MailComposer* notice_mail_ = nullptr;
  MailQueue* notice_queue_ = nullptr;
};

}  // namespace stagematch

#include "privacy.hpp"

#include <algorithm>
#include <map>

#include "request_validation.hpp"
#include "service_support.hpp"

namespace stagematch {

namespace {

// The fields of a request a purge keeps: what the statistics and the exports' counts need.
// Every other field (names, national register number, phone, e-mail, street, remarks, and any
// field a new track adds) is erased.
const std::vector<std::string>& kept_field_names() {
  static const std::vector<std::string> kKept = {
      "province",          "postal_code",         "city",        "transport", "form",
      "period_count",      "hours_per_week",      "total_hours", "periods",   "weekdays",
      "school_contact_id", "preferred_service_id"};
  return kKept;
}

// What takes the place of an erased reason, mail subject and body.
constexpr const char* kErased = "(gewist: persoonsgegevens)";

// An erased student's name in every list, page and export: never an empty link.
constexpr const char* kErasedName = "(gewist)";
// Requests a purge erases in one transaction: few enough that a batch is over in a moment, many
// enough that lists read meanwhile are not thrown away after every single request.
constexpr std::size_t kPurgeBatch = 100;

Value kept_fields(const Value& fields) {
  Object kept{{"first_name", ""}, {"last_name", kErasedName}};
  for (const auto& name : kept_field_names())
    if (const Value& v = fields[name]; !v.is_null()) kept[name] = v;
  return Value(std::move(kept));
}

// The first moment after a date ("2025-12-31": 01/01/2026 00:00), or none when it is no date.
std::optional<Instant> end_of_day(const Value& date) {
  if (!date.is_string()) return std::nullopt;
  auto local = parse_local(date.as_string());
  if (!local) return std::nullopt;
  return add_local_days(from_brussels(*local), 1);
}

std::optional<Instant> start_of_day(const Value& date) {
  if (!date.is_string()) return std::nullopt;
  auto local = parse_local(date.as_string());
  if (!local) return std::nullopt;
  return from_brussels(*local);
}

// The end of the last of a request's periods ([{start, end}]), or none.
std::optional<Instant> last_period_end(const Value& periods) {
  std::optional<Instant> last;
  if (!periods.is_array()) return last;
  for (const Value& p : periods.as_array())
    if (auto end = end_of_day(p["end"]); end && (!last || *end > *last)) last = end;
  return last;
}

Instant years_later(Instant t, int years) {
  LocalDateTime local = to_brussels(t);
  local.year += years;
  if (!is_valid_date(local.year, local.month, local.day)) local.day = 28;  // 29 February
  return from_brussels(local);
}

// "***********" with the last three digits: enough to tell two audit lines apart, never the
// number itself.
std::string masked(const std::string& digits) {
  if (digits.size() <= 3) return std::string(digits.size(), '*');
  return std::string(digits.size() - 3, '*') + digits.substr(digits.size() - 3);
}

AuditEntry system_audit(const std::string& actor, Instant at, std::string action, Id request_id,
                        std::string detail) {
  AuditEntry a;
  a.at = at;
  a.actor = actor;
  a.action = std::move(action);
  a.object_type = "request";
  a.object_id = request_id;
  a.outcome = "ok";
  a.detail = std::move(detail);
  return a;
}

Value optional_instant(const std::optional<Instant>& t) {
  return t ? Value(format_iso(*t)) : Value();
}

Value contact_value(const std::optional<ContactPerson>& c) {
  if (!c) return Value();
  return Object{{"id", c->id}, {"name", c->name}, {"phone", c->phone}, {"email", c->email}};
}

}  // namespace

Privacy::Privacy(Store& store, std::function<std::shared_ptr<const DefinitionSet>()> definitions,
                 const Clock& clock)
    : store_(store), definitions_(std::move(definitions)), clock_(clock) {}

const std::vector<std::string>& Privacy::erased_data() {
  static const std::vector<std::string> kErasedData = {
      "voornaam en familienaam",
      "rijksregisternummer",
      "telefoon en e-mailadres",
      "straat",
      "opmerkingen over de leerling en over de stage",
      "notities van de dienst",
      "redenen in de statusgeschiedenis en het auditlog",
      "mails over de aanvraag (onderwerp en inhoud)"};
  return kErasedData;
}

Instant Privacy::school_year_end(const DefinitionSet& defs, const std::string& year) {
  int second = is_school_year(year) ? std::stoi(year.substr(5, 4)) : 0;
  Instant end = from_brussels(LocalDateTime{second, 9, 1, 0, 0, 0});  // the end of 31 August
  auto later = [&end](const std::optional<Instant>& t) {
    if (t && *t > end) end = *t;
  };
  for (const auto& [key, c] : defs.calendars) {
    if (c.year != year) continue;
    if (c.registration) later(c.registration->closes);
    later(c.results_at);
    for (const Round& r : c.rounds) {
      later(r.window.closes);
      if (r.registration) later(r.registration->closes);
      later(r.results_at);
      if (r.period_to) later(end_of_day(Value(*r.period_to)));
    }
  }
  return end;
}

PurgeReport Privacy::purge(const std::string& actor, bool dry_run, std::optional<Instant> as_of) {
  PurgeReport report;
  report.dry_run = dry_run;
  report.as_of = as_of;
  auto defs = definitions_();
  const Instant now = clock_.now();
  const Instant judged_at = as_of.value_or(now);
  std::map<std::string, Instant> year_ends;
  std::map<std::pair<std::string, std::string>, PurgeGroup> groups;
  // Erased a batch at a time: one transaction, and one change of the lists, per batch.
  std::vector<Store::Erasure> batch;
  std::map<Id, PurgeGroup*> group_of;
  const auto flush = [&] {
    if (batch.empty()) return;
    const auto count = [&](const std::vector<Id>& erased) {
      for (Id id : erased) {
        ++group_of[id]->requests;
        ++report.erased;
      }
    };
    if (auto erased = store_.erase_personal_data(batch)) {
      count(*erased);
    } else {
      // The batch was rolled back (a busy or failing database): each request on its own, so
      // one that cannot be erased does not keep the others.
      for (const Store::Erasure& e : batch) {
        if (auto one = store_.erase_personal_data({e}))
          count(*one);
        else
          ++report.failed;
      }
    }
    batch.clear();
    group_of.clear();
  };
  for (const Store::RequestKey& key : store_.requests_with_personal_data()) {
    if (!is_school_year(key.year)) continue;  // a year that cannot be dated is never erased
    auto [it, fresh] = year_ends.try_emplace(key.year);
    if (fresh) it->second = school_year_end(*defs, key.year);
    const Instant year_end = it->second;
    Instant ends = year_end;
    if (auto last = last_period_end(key.periods); last && *last > ends) ends = *last;
    if (years_later(ends, settings_.retention_years) > judged_at) continue;
    PurgeGroup& group = groups[{key.year, key.track}];
    group.year = key.year;
    group.track = key.track;
    group.year_ends = year_end;
    group.kept_until = years_later(year_end, settings_.retention_years);
    if (dry_run) {
      ++group.requests;
      continue;
    }
    auto request = store_.request(key.id);
    if (!request) continue;  // deleted meanwhile
    batch.push_back(
        {key.id, kept_fields(request->fields), kErased, now,
         system_audit(actor, now, "privacy.purge", key.id,
                      "bewaartermijn verstreken: schooljaar " + key.year + " (" +
                          std::to_string(settings_.retention_years) + " jaar bewaard)")});
    group_of[key.id] = &group;
    if (batch.size() >= kPurgeBatch) flush();
  }
  flush();
  for (auto& [key, group] : groups)
    if (group.requests > 0) report.groups.push_back(std::move(group));
  return report;
}

DomainResult<std::vector<RequestRecord>> Privacy::student_requests(
    const Actor& actor, const std::string& national_number) {
  if (auto ok = service::admin_only(actor); !ok) return std::unexpected(ok.error());
  auto digits = national_number_digits(national_number);
  if (!digits || digits->size() != 11)
    return std::unexpected(service::invalid(
        {{"national_number", "Geef het rijksregisternummer van de leerling: 11 cijfers."}}));
  std::vector<RequestRecord> out;
  for (Id id : store_.requests_of_student(*digits)) {
    auto r = store_.request(id);
    if (!r) return std::unexpected(domain::from_store(r.error()));
    out.push_back(std::move(*r));
  }
  return out;
}

DomainResult<Value> Privacy::subject_access(const Actor& actor,
                                            const std::string& national_number) {
  auto requests = student_requests(actor, national_number);
  if (!requests) return std::unexpected(requests.error());
  auto service_name = [this](Id id) {
    auto org = store_.organisation(id);
    return org ? org->name : std::string();
  };
  Array items;
  for (const RequestRecord& r : *requests) {
    Array statuses;
    for (const ServiceStatus& s : store_.service_statuses(r.id))
      statuses.push_back(Object{{"service_id", s.service_id},
                                {"service", service_name(s.service_id)},
                                {"status", s.status},
                                {"revealed", s.revealed},
                                {"changed_at", optional_instant(s.changed_at)}});
    Array counts;
    for (const StatusCount& c : store_.status_counts(r.id))
      counts.push_back(Object{{"service_id", c.service_id},
                              {"service", service_name(c.service_id)},
                              {"status", c.status},
                              {"count", c.count}});
    Array history;
    for (const Store::HistoryLine& h : store_.status_history(r.id))
      history.push_back(Object{{"service_id", h.service_id},
                               {"service", service_name(h.service_id)},
                               {"from", h.from},
                               {"to", h.to},
                               {"user_id", h.user_id ? Value(*h.user_id) : Value()},
                               {"at", format_iso(h.at)},
                               {"reason", h.reason}});
    Array audit;
    for (const AuditEntry& a : store_.audit_of("request", r.id))
      audit.push_back(Object{{"at", format_iso(a.at)},
                             {"actor", a.actor},
                             {"action", a.action},
                             {"outcome", a.outcome},
                             {"detail", a.detail}});
    Array mails;
    for (const OutboxMail& m : store_.mails_about_request(r.id))
      mails.push_back(Object{{"to", m.to_address},
                             {"subject", m.subject},
                             {"body_text", m.body_text},
                             {"state", m.state},
                             {"created_at", optional_instant(m.created_at)},
                             {"sent_at", optional_instant(m.sent_at)}});
    Array periods;
    for (int i : r.accepted_periods) periods.emplace_back(i);
    items.push_back(Object{
        {"id", r.id},
        {"track", r.track},
        {"year", r.year},
        {"school", Object{{"id", r.school_id}, {"name", r.school_name}}},
        {"registered_at", format_iso(r.registered_at)},
        {"state", r.state},
        {"first_name", r.first_name},
        {"last_name", r.last_name},
        {"fields", r.fields},
        {"school_contact", contact_value(r.school_contact)},
        {"accepted_by", r.accepted_by
                            ? Value(Object{{"id", *r.accepted_by}, {"name", r.accepted_by_name}})
                            : Value()},
        {"accepted_at", optional_instant(r.accepted_at)},
        {"accepted_periods", std::move(periods)},
        {"mentor", contact_value(r.mentor)},
        {"notes", r.notes},
        {"statuses", std::move(statuses)},
        {"status_counts", std::move(counts)},
        {"history", std::move(history)},
        {"audit", std::move(audit)},
        {"mails", std::move(mails)}});
  }
  const std::string digits = *national_number_digits(national_number);
  store_.append_audit(audit_entry(actor, clock_.now(), "privacy.subject_access", "student",
                                  std::nullopt,
                                  "rijksregisternummer " + masked(digits) + ": " +
                                      std::to_string(items.size()) + " aanvraag/aanvragen"));
  return Value(Object{{"national_number", digits},
                      {"requests", std::move(items)},
                      {"retention_years", settings_.retention_years}});
}

DomainResult<int> Privacy::erase_student(const Actor& actor, const std::string& national_number,
                                         const std::string& reason) {
  auto requests = student_requests(actor, national_number);
  if (!requests) return std::unexpected(requests.error());
  const std::string why = service::trimmed(reason);
  if (why.empty() || why.size() > 1000)
    return std::unexpected(
        service::invalid({{"reason", "Geef een reden voor het wissen (hoogstens 1000 tekens)."}}));
  if (requests->empty())
    return std::unexpected(service::not_found(
        "Er zijn geen persoonsgegevens opgeslagen van een leerling met dit rijksregisternummer."));
  auto defs = definitions_();
  const Instant now = clock_.now();
  for (const RequestRecord& r : *requests) {
    if (!r.accepted_by) continue;
    bool running = false;
    const Value& periods = r.fields["periods"];
    const std::size_t count = periods.is_array() ? periods.as_array().size() : 0;
    bool named = false;
    for (int i : r.accepted_periods) {
      if (i < 0 || static_cast<std::size_t>(i) >= count) continue;
      const Value& p = periods.as_array()[static_cast<std::size_t>(i)];
      auto from = start_of_day(p["start"]);
      auto to = end_of_day(p["end"]);
      if (!from || !to) continue;
      named = true;
      if (now >= *from && now < *to) running = true;
    }
    if (!named)
      running = now >= r.accepted_at.value_or(now) && now < school_year_end(*defs, r.year);
    if (running)
      return std::unexpected(domain::error(
          ErrorKind::conflict, "internship_running",
          "De stage van deze leerling bij " + r.accepted_by_name + " loopt nog (traject " +
              r.track + ", schooljaar " + r.year +
              "). Persoonsgegevens worden niet gewist zolang de stage loopt; probeer het opnieuw "
              "na de laatste aanvaarde stageperiode."));
  }
  // All of the student's requests at once, or none.
  std::vector<Store::Erasure> erasures;
  for (const RequestRecord& r : *requests)
    erasures.push_back(
        {r.id, kept_fields(r.fields), kErased, now,
         audit_entry(actor, now, "privacy.erase", "request", r.id, "op verzoek; reden: " + why)});
  auto done = store_.erase_personal_data(erasures);
  if (!done) return std::unexpected(domain::from_store(done.error()));
  return static_cast<int>(done->size());
}

}  // namespace stagematch

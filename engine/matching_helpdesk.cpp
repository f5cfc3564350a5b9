// The sector fund's helpdesk on Matching: the search over every track and school year, one
// request's whole history, an admin's "gestopt", and the mails of an undone acceptance.
#include <algorithm>
#include <cctype>

#include "domain_errors.hpp"
#include "matching.hpp"
#include "request_validation.hpp"
#include "service_support.hpp"

namespace stagematch {

namespace {

using domain::error;
using domain::from_request_store;

DomainError admin_only() {
  return error(ErrorKind::forbidden, "forbidden",
               "Enkel VIVO kan dit: je hebt er geen toegang toe.");
}

DomainError field_error(ErrorKind kind, std::string code, const std::string& field,
                        std::string message) {
  DomainError e = error(kind, std::move(code), std::move(message));
  e.fields[field] = e.message;
  return e;
}

}  // namespace

DomainResult<ListOutput> Matching::search_requests(const Actor& actor, const SearchInput& input) {
  if (actor.role != role::kAdmin) return std::unexpected(admin_only());
  auto defs = definitions_();
  RequestQuery q;
  q.tab = "all";
  q.include_stopped = true;
  q.sort = "name";
  q.name = service::trimmed(input.name);
  if (q.name.size() > 100)
    return std::unexpected(
        field_error(ErrorKind::invalid, "validation", "name", "Zoek op hoogstens 100 tekens."));
  q.school_filter = input.school;
  q.page = std::max(1, input.page);
  q.page_size = std::clamp(input.page_size, 1, 500);
  // The number is searched by its digits, however it was typed (85.07.30-033.28 or 85073003328).
  const std::string typed = service::trimmed(input.national_number);
  q.national_number = national_number_digits(typed).value_or("");
  if (!typed.empty() && q.national_number.size() != 11)
    return std::unexpected(field_error(
        ErrorKind::invalid, "validation", "national_number",
        "Geef het volledige rijksregisternummer: 11 cijfers, met of zonder punten en streepje."));
  q.track = service::trimmed(input.track);
  if (!q.track.empty() && !defs->workflow(q.track))
    return std::unexpected(
        field_error(ErrorKind::invalid, "validation", "track", "Dit traject bestaat niet."));
  if (const std::string year = service::trimmed(input.year); !year.empty()) {
    if (!is_school_year(year))
      return std::unexpected(field_error(ErrorKind::invalid, "validation", "year",
                                         "Geef een schooljaar als 2025-2026."));
    q.year = year;
  }
  auto page = store_.requests(q);
  if (!page) return std::unexpected(from_request_store(page.error()));
  ListOutput out;
  out.total = page->total;
  const Instant now = clock_.now();
  for (const auto& r : page->items)
    if (const Workflow* workflow = defs->workflow(r.track))
      out.items.push_back(present(*defs, *workflow, r, actor, now));
  return out;
}

DomainResult<RequestHistory> Matching::request_history(const Actor& actor, Id request_id) {
  if (actor.role != role::kAdmin) return std::unexpected(admin_only());
  auto loaded = load_visible(actor, request_id);
  if (!loaded) return std::unexpected(loaded.error());
  RequestHistory out;
  out.request = present(*loaded->defs, *loaded->workflow, loaded->record, actor, clock_.now());
  out.statuses = store_.service_statuses(request_id);
  out.counts = store_.status_counts(request_id);
  out.audit = store_.audit_of("request", request_id);
  return out;
}

DomainResult<void> Matching::stop_by_admin(const Actor& actor, Id request_id,
                                           const std::string& reason) {
  if (actor.role != role::kAdmin) return std::unexpected(admin_only());
  auto loaded = load_visible(actor, request_id);
  if (!loaded) return std::unexpected(loaded.error());
  const RequestRecord& r = loaded->record;
  if (r.state == request_state::kStopped)
    return std::unexpected(
        error(ErrorKind::conflict, "stopped", "Deze student staat al als gestopt gemarkeerd."));
  // The manuals mark only a student without a place as stopped; an accepted student stays with
  // the service for ever. When the internship does not go ahead, the acceptance is undone first.
  if (r.accepted_by)
    return std::unexpected(error(
        ErrorKind::conflict, "accepted",
        "Deze student werd aanvaard door " + r.accepted_by_name +
            ". Een aanvaarde student wordt niet als gestopt gemarkeerd: maak eerst de aanvaarding "
            "ongedaan (met een reden) en markeer de student daarna als gestopt."));
  const std::string why = service::trimmed(reason);
  if (why.empty())
    return std::unexpected(
        field_error(ErrorKind::invalid, "validation", "reason", "Geef een reden op."));
  auto done =
      store_.stop_request(r.school_id, request_id,
                          audit(actor, "request.stop", request_id, "door VIVO; reden: " + why));
  if (!done) return std::unexpected(from_request_store(done.error()));
  return {};
}

std::vector<OutboxMail> Matching::undo_notices(const Workflow& workflow, const RequestRecord& r,
                                               Id service_id, const std::string& reason) {
  std::vector<OutboxMail> out;
  if (!notice_mail_ || !notice_queue_) return out;
  auto service = store_.organisation(service_id);
  const std::string service_name = service ? service->name : r.accepted_by_name;
  const Object common{{"student", r.first_name + " " + r.last_name},
                      {"service", service_name},
                      {"school", r.school_name},
                      {"reason", service::trimmed(reason)},
                      {"track_label", workflow.label}};
  const std::string stamp = std::to_string(clock_.now().time_since_epoch().count());
  auto queue = [&](const std::string& name, Id org_id, const std::string& org_name,
                   const std::string& link, std::optional<Instant> hold) {
    Object data = common;
    data["organisation"] = org_name;
    data["link"] = link;
    for (const auto& address : notice_queue_->org_addresses(org_id)) {
      OutboxMail m = notice_mail_->compose(name, Value(data), address);
      if (hold) m.next_attempt_at = hold;
      m.dedupe_key = "undone/" + std::to_string(r.id) + "/" + std::to_string(service_id) + "/" +
                     stamp + "/" + address;
      out.push_back(std::move(m));
    }
  };
  const Links& links = notice_mail_->links();
  queue("acceptance_undone_service", service_id, service_name, links.service_requests(r.track),
        std::nullopt);
  // The school hears of it when it may hear of the acceptance (its results date), so the two
  // mails reach it in order.
  queue("acceptance_undone_school", r.school_id, r.school_name, links.school_requests(r.track),
        school_hold(r));
  return out;
}

std::optional<Instant> Matching::school_hold(const RequestRecord& r) {
  if (const Calendar* calendar = definitions_()->calendar(r.track, r.year))
    return calendar->answer_visible_from(clock_.now());
  return std::nullopt;
}

}  // namespace stagematch

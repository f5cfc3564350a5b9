#include "outbox_view.hpp"

#include <algorithm>

#include "service_support.hpp"

namespace stagematch {

OutboxView::OutboxView(Store& store, MailQueue* queue, const Clock& clock)
    : store_(store), queue_(queue), clock_(clock) {}

DomainResult<std::vector<OutboxMail>> OutboxView::recent(const Actor& actor, int limit) const {
  if (auto ok = service::admin_only(actor); !ok) return std::unexpected(ok.error());
  return store_.outbox(limit);
}

DomainResult<OutboxMail> OutboxView::find(const Actor& actor, Id mail_id) const {
  if (auto ok = service::admin_only(actor); !ok) return std::unexpected(ok.error());
  // No Store call reads one mail by id: look for it among the newest kMailLookback mails.
  std::vector<OutboxMail> mails = store_.outbox(kMailLookback);
  auto found = std::find_if(mails.begin(), mails.end(),
                            [&](const OutboxMail& m) { return m.id == mail_id; });
  if (found == mails.end())
    return std::unexpected(
        service::not_found("Deze mail bestaat niet, of is te oud om hier nog te tonen."));
  return std::move(*found);
}

DomainResult<void> OutboxView::resend(const Actor& actor, Id mail_id) {
  if (auto ok = service::admin_only(actor); !ok) return std::unexpected(ok.error());
  if (!queue_ || !queue_->resend(mail_id, clock_.now()))
    return std::unexpected(service::not_found("Die mail staat niet (meer) op mislukt."));
  store_.append_audit(audit_entry(actor, clock_.now(), "mail.resend", "mail", mail_id));
  return {};
}

}  // namespace stagematch

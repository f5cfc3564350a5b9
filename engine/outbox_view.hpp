// The admin's view of the mail outbox: the newest mails, one mail with its bodies, and
// resending a mail that was given up on.
#pragma once

#include <vector>

#include "audit_log.hpp"
#include "mailer.hpp"

namespace stagematch {

class OutboxView {
 public:
  // `queue` may be null where no outbox is wired in: then nothing can be resent.
  OutboxView(Store& store, MailQueue* queue, const Clock& clock);

  // The newest `limit` mails, newest first. Admin only.
  DomainResult<std::vector<OutboxMail>> recent(const Actor& actor, int limit) const;
  // One mail among the newest kMailLookback; not_found when older or unknown. Admin only.
  DomainResult<OutboxMail> find(const Actor& actor, Id mail_id) const;
  // Whether a dead mail can be resent here at all (an outbox is wired in).
  bool can_resend() const { return queue_ != nullptr; }
  // Admin only: queues a dead mail again (audited mail.resend); not_found when the mail is
  // not (or no longer) dead, or nothing can be resent.
  DomainResult<void> resend(const Actor& actor, Id mail_id);

  // How far back find() looks. The Store interface has no lookup of one mail by id, so find()
  // searches the newest mails of Store::outbox, bodies included: generous, since an admin
  // follows links from the list of the newest mails, yet bounded so that one look never loads
  // the whole history. An older mail is answered as not found.
  static constexpr int kMailLookback = 5000;

 private:
  Store& store_;
  MailQueue* queue_;
  const Clock& clock_;
};

}  // namespace stagematch

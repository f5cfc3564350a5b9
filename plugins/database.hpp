// A database as a store plugin opens it: the three views the engine has of its data (requests
// and statuses, accounts, the mail outbox) in one object, so the command line can hand each
// part of the engine its own view without knowing the plugin behind it.
#pragma once

#include "accounts.hpp"
#include "mailer.hpp"
#include "store.hpp"

namespace stagematch {

class Database : public Store, public AccountStore, public MailQueue {};

}  // namespace stagematch

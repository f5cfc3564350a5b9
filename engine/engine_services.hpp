// The engine's services over one store, built together by the composition root and handed to
// the web handlers: everything the pages and the JSON API change or read goes through these.
#pragma once

#include <functional>
#include <memory>

#include "agenda.hpp"
#include "audit_log.hpp"
#include "calendars_service.hpp"
#include "capacity.hpp"
#include "contacts.hpp"
#include "geo.hpp"
#include "organisations.hpp"
#include "outbox_view.hpp"
#include "privacy.hpp"
#include "progress.hpp"

namespace stagematch {

struct EngineServices {
  EngineServices(Store& store, AccountStore& account_store, Accounts& accounts,
                 std::function<std::shared_ptr<const DefinitionSet>()> definitions,
                 std::function<void(std::shared_ptr<const DefinitionSet>)> publish,
                 MailQueue* mail_queue, const Clock& clock)
      : organisations(store, account_store, accounts, definitions, clock),
        contacts(store, clock),
        calendars(store, definitions, std::move(publish), clock),
        audit(store, clock),
        outbox(store, mail_queue, clock),
        progress(store),
        capacities(store, clock),
        privacy(store, definitions, clock),
        agenda(store, account_store, definitions, clock),
        locations(store, clock) {}

  Organisations organisations;
  Contacts contacts;
  CalendarPublishing calendars;
  AuditLog audit;
  OutboxView outbox;
  Progress progress;
  Capacities capacities;  // places against demand per region
  Privacy privacy;
  Agenda agenda;
  ServiceLocations locations;  // issue 13, distance
};

}  // namespace stagematch

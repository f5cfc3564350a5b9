// The demo data set: schools, services, contact persons, students in every track and, for
// every track, a calendar whose round is open today, so a newcomer can log in as each role and
// try everything at once. Loaded by `stagematch demo` (script/server runs it).
#pragma once

#include <expected>
#include <memory>
#include <string>
#include <vector>

#include "accounts.hpp"
#include "clock.hpp"
#include "definitions.hpp"
#include "store.hpp"

namespace stagematch {

struct DemoLogin {
  std::string role;  // admin | school | service
  std::string email;
  std::string organisation;
};

struct DemoResult {
  bool created = false;  // false: the data set was already there; nothing was changed
  std::string password;  // the same for every demo account
  std::vector<DemoLogin> logins;
  std::vector<std::string> calendars;  // "secundair 2026-2027: ronde ... (open tot ...)"
  int students = 0;
};

// The YAML of a demo calendar for `track` and the school year around `now`: the preferred round
// ended a week ago, the open round runs from a week ago to four weeks ahead, then the tool stays
// open. Schools see the services' answers at once.
std::string demo_calendar_yaml(const std::string& track, Instant now);

// The school year ("2026-2027") a moment falls in: from September to August.
std::string school_year_of(Instant now);

// Loads the data set into an empty database (or recognises it was loaded before). Refuses,
// with a Dutch message, a database that holds other organisations. `definitions` are those of
// workflows/ and rules/ with the stored calendars; the demo calendars are stored on top, so
// the server picks them up at its next start.
// A failure half-way says so; the database then holds part of the set (start again from an
// empty database).
std::expected<DemoResult, std::string> load_demo(Store& store, AccountStore& account_store,
                                                 Accounts& accounts,
                                                 std::shared_ptr<const DefinitionSet> definitions,
                                                 const Clock& clock);

}  // namespace stagematch

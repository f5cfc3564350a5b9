// What the engine's services (organisations, contacts, calendars, audit, outbox, progress)
// share: their refusals (the only place these services name a kind of refusal) and reading typed
// text. Internal to those services' sources.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "domain_errors.hpp"

namespace stagematch::service {

inline constexpr const char* kInvalidFields =
    "Niet alle velden zijn correct ingevuld. Kijk de aangeduide velden na.";

// `validation`, with one Dutch message per wrong field.
inline DomainError invalid(std::map<std::string, std::string> fields,
                           std::string message = kInvalidFields) {
  DomainError e = domain::error(ErrorKind::invalid, "validation", std::move(message));
  e.fields = std::move(fields);
  return e;
}

// A calendar that cannot be published, with every problem on a line of its own.
inline DomainError invalid_calendar(const std::string& problems) {
  DomainError e = domain::error(
      ErrorKind::invalid, "invalid_calendar",
      "De kalender werd niet aanvaard; de actieve kalender blijft gelden.\n" + problems);
  e.fields["calendar"] = problems;
  return e;
}

inline DomainError forbidden(std::string message) {
  return domain::error(ErrorKind::forbidden, "forbidden", std::move(message));
}

inline DomainError not_found(std::string message) {
  return domain::error(ErrorKind::not_found, "not_found", std::move(message));
}

// Refused unless `actor` is an admin.
inline DomainResult<void> admin_only(const Actor& actor) {
  if (actor.role == role::kAdmin) return {};
  return std::unexpected(forbidden("Enkel een beheerder van VIVO mag dit."));
}

// Text with leading and trailing white space removed.
inline std::string trimmed(std::string_view s) {
  auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return std::string(s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1));
}

}  // namespace stagematch::service

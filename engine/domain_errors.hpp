// The refusals Matching's operations share: one Dutch sentence per kind, and a store's refusal
// as the domain reports it. Internal to the engine's matching sources.
#pragma once

#include <string>
#include <utility>

#include "matching.hpp"

namespace stagematch::domain {

inline constexpr const char* kAlreadyAccepted =
    "Deze student werd intussen al aanvaard door een andere dienst.";

inline DomainError error(int status, std::string code, std::string message) {
  return DomainError{status, std::move(code), std::move(message), {}};
}

inline DomainError not_found() {
  return error(404, "not_found", "Deze aanvraag bestaat niet of je hebt er geen toegang toe.");
}

inline DomainError from_store(const StoreError& e) {
  if (e.code == "not_found") return not_found();
  if (e.code == "already_accepted")
    return error(409, "already_accepted", e.message.empty() ? kAlreadyAccepted : e.message);
  if (e.code == "stale")
    return error(409, "stale",
                 "Iemand anders wijzigde deze gegevens net. Laad de pagina opnieuw en probeer nog "
                 "eens.");
  if (e.code == "linked" || e.code == "conflict" || e.code == "duplicate")
    return error(409, e.code, e.message);
  return error(503, "unavailable",
               "De databank is even niet bereikbaar. Probeer het zo meteen opnieuw.");
}

}  // namespace stagematch::domain

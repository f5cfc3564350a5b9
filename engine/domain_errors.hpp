// The refusals the domain services share: one Dutch sentence per kind, and a store's refusal
// as the domain reports it (the one mapping from StoreError, for the engine and the JSON API).
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "matching.hpp"

namespace stagematch::domain {

inline constexpr const char* kAlreadyAccepted =
    "Deze student werd intussen al aanvaard door een andere dienst.";
inline constexpr const char* kStale =
    "Iemand anders wijzigde deze gegevens net. Laad de pagina opnieuw en probeer nog eens.";
inline constexpr const char* kUnavailable =
    "De databank is even niet bereikbaar. Probeer het zo meteen opnieuw.";
inline constexpr const char* kRequestNotFound =
    "Deze aanvraag bestaat niet of je hebt er geen toegang toe.";

inline DomainError error(ErrorKind kind, std::string code, std::string message) {
  return DomainError{kind, std::move(code), std::move(message), {}};
}

inline DomainError not_found() {
  return error(ErrorKind::not_found, "not_found", kRequestNotFound);
}

// A store's refusal: its code and sentence, as the kind that code stands for. `not_found` and
// `gone` keep the store's sentence unless `not_found_message` is given (a caller that must not
// tell "does not exist" from "not yours"); a conflict keeps it; a stale write gets the one
// sentence every page shows; anything else is the database failing: unavailable.
inline DomainError from_store(const StoreError& e, std::string_view not_found_message = {}) {
  if (e.code == "not_found")
    return error(ErrorKind::not_found, "not_found",
                 not_found_message.empty() ? e.message : std::string(not_found_message));
  if (e.code == "gone") return error(ErrorKind::gone, "gone", e.message);
  if (e.code == "stale") return error(ErrorKind::conflict, "stale", kStale);
  if (e.code == "already_accepted")
    return error(ErrorKind::conflict, e.code, e.message.empty() ? kAlreadyAccepted : e.message);
  if (e.code == "linked" || e.code == "conflict" || e.code == "duplicate")
    return error(ErrorKind::conflict, e.code, e.message);
  return error(ErrorKind::unavailable, "unavailable", kUnavailable);
}

// from_store for the operations on requests: whatever is not found is a request that does not
// exist or that the caller may not see, told apart by no one.
inline DomainError from_request_store(const StoreError& e) {
  return from_store(e, kRequestNotFound);
}

}  // namespace stagematch::domain

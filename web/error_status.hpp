// The one table from the engine's kinds of refusal to HTTP statuses: every page and JSON answer
// to a DomainError takes its status from here.
#pragma once

#include "matching.hpp"  // ErrorKind, DomainError

namespace stagematch {

// 422 invalid, 401 unauthenticated, 403 forbidden, 404 not_found, 409 conflict, 410 gone,
// 429 throttled, 500 rule_failed, 503 unavailable.
int http_status(ErrorKind kind);
inline int http_status(const DomainError& e) { return http_status(e.kind); }

}  // namespace stagematch

#include "error_status.hpp"

namespace stagematch {

int http_status(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::invalid:
      return 422;
    case ErrorKind::unauthenticated:
      return 401;
    case ErrorKind::forbidden:
      return 403;
    case ErrorKind::not_found:
      return 404;
    case ErrorKind::conflict:
      return 409;
    case ErrorKind::gone:
      return 410;
    case ErrorKind::throttled:
      return 429;
    case ErrorKind::rule_failed:
      return 500;
    case ErrorKind::unavailable:
      return 503;
  }
  return 500;  // not reached: the switch names every kind (-Wswitch)
}

}  // namespace stagematch

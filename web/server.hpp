// The HTTP server: Poco's HTTPServer with a bounded thread pool, a short keep-alive, a request
// body limit, security headers on every response and one log line per request.
#pragma once

#include <memory>
#include <string>

#include "app.hpp"

namespace stagematch {

struct ServerOptions {
  std::string listen = "127.0.0.1:8080";
  int max_threads = 16;
  int max_queued = 64;
  std::size_t max_body_bytes = 1u << 20;
};

// Serves until SIGINT or SIGTERM, then finishes requests in flight and returns 0.
int serve(const ServerOptions& options, App& app);

}  // namespace stagematch

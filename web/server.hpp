// The HTTP server. For now it answers /healthz with the loaded calendars; pages and the JSON
// API come with the web issue.
#pragma once

#include <memory>
#include <string>

#include "clock.hpp"
#include "definitions.hpp"

namespace stagematch {

struct ServerOptions {
  std::string listen = "127.0.0.1:8080";
  int max_threads = 16;
  int max_queued = 64;
};

// Serves until SIGINT or SIGTERM, then finishes requests in flight and returns 0.
int serve(const ServerOptions& options, std::shared_ptr<const DefinitionSet> definitions,
          std::shared_ptr<Clock> clock);

}  // namespace stagematch

// What the server counts for operators, served at GET /metrics in Prometheus' text format:
// requests by route and status, their latency per route, requests in flight, and gauges read
// at scrape time (database pool, outbox, scheduler). Routes are the route table's patterns
// ("/api/v1/requests/{id}"), never a path with an id or a query in it, so the set of series
// is bounded and holds no personal data.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

namespace stagematch {

class Metrics {
 public:
  // One request answered: its method, route pattern ("" when no route matched), status and
  // how long it took.
  void record(const std::string& method, const std::string& route, int status, double seconds);
  void started() { in_flight_.fetch_add(1, std::memory_order_relaxed); }
  void finished() { in_flight_.fetch_sub(1, std::memory_order_relaxed); }

  // Read at scrape time.
  struct Gauges {
    int pool_in_use = 0;
    int pool_size = 0;
    std::int64_t outbox_waiting = 0;
    std::int64_t outbox_dead = 0;
    double outbox_oldest_age_seconds = 0;
    double scheduler_seconds_since_run = 0;
    double scheduler_last_lateness_seconds = 0;
  };
  // The whole exposition, `# HELP`/`# TYPE` lines included.
  std::string render(const Gauges& gauges) const;

  // Latency bucket bounds, in seconds.
  static constexpr std::array<double, 11> kBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                      0.5,   1,    2.5,   5,    10};

 private:
  struct Latency {
    std::array<std::uint64_t, kBuckets.size()> buckets{};  // counts at or below each bound
    std::uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t>
      requests_;                            // method, route, status
  std::map<std::string, Latency> latency_;  // by route
  std::atomic<int> in_flight_{0};
};

// A request id: this process's random prefix and a counter ("3f9a1c02-000017"), returned in the
// X-Request-Id header and written in the request's log line.
std::string next_request_id();

}  // namespace stagematch

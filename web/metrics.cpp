#include "metrics.hpp"

#include <cstdio>
#include <random>
#include <set>
#include <sstream>

namespace stagematch {

namespace {

// Prometheus label values: backslash, double quote and newline escaped.
std::string label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

void Metrics::record(const std::string& method, const std::string& route, int status,
                     double seconds) {
  const std::string& key = route.empty() ? std::string("(geen route)") : route;
  // The parser lets any method in capitals through; counted under its own name, a stranger
  // could grow the series without end.
  static const std::set<std::string, std::less<>> kMethods = {"GET",    "HEAD",  "POST",   "PUT",
                                                              "DELETE", "PATCH", "OPTIONS"};
  static const std::string kOther = "OTHER";
  const std::string& counted = kMethods.contains(method) ? method : kOther;
  std::lock_guard lock(mutex_);
  ++requests_[{counted, key, status}];
  Latency& l = latency_[key];
  for (std::size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++l.buckets[i];
  ++l.count;
  l.sum += seconds;
}

std::string Metrics::render(const Gauges& g) const {
  std::ostringstream out;
  out << "# HELP stagematch_http_requests_total Requests answered, by method, route and status.\n"
         "# TYPE stagematch_http_requests_total counter\n";
  std::lock_guard lock(mutex_);
  for (const auto& [key, n] : requests_) {
    const auto& [method, route, status] = key;
    out << "stagematch_http_requests_total{method=\"" << label(method) << "\",route=\""
        << label(route) << "\",status=\"" << status << "\"} " << n << '\n';
  }
  out << "# HELP stagematch_http_request_duration_seconds Time from a request's last byte to its "
         "answer, by route.\n"
         "# TYPE stagematch_http_request_duration_seconds histogram\n";
  for (const auto& [route, l] : latency_) {
    const std::string r = label(route);
    for (std::size_t i = 0; i < kBuckets.size(); ++i)
      out << "stagematch_http_request_duration_seconds_bucket{route=\"" << r << "\",le=\""
          << number(kBuckets[i]) << "\"} " << l.buckets[i] << '\n';
    out << "stagematch_http_request_duration_seconds_bucket{route=\"" << r << "\",le=\"+Inf\"} "
        << l.count << '\n'
        << "stagematch_http_request_duration_seconds_sum{route=\"" << r << "\"} " << number(l.sum)
        << '\n'
        << "stagematch_http_request_duration_seconds_count{route=\"" << r << "\"} " << l.count
        << '\n';
  }
  auto gauge = [&out](const char* name, const char* help, const std::string& value) {
    out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " gauge\n"
        << name << ' ' << value << '\n';
  };
  gauge("stagematch_http_requests_in_flight", "Requests being answered now.",
        std::to_string(in_flight_.load(std::memory_order_relaxed)));
  gauge("stagematch_db_pool_in_use", "Database connections lent out now.",
        std::to_string(g.pool_in_use));
  gauge("stagematch_db_pool_size", "Database connections this instance may open.",
        std::to_string(g.pool_size));
  gauge("stagematch_outbox_waiting", "Mails in the outbox still to be sent.",
        std::to_string(g.outbox_waiting));
  gauge("stagematch_outbox_dead", "Mails given up on; an admin can resend them.",
        std::to_string(g.outbox_dead));
  gauge("stagematch_outbox_oldest_age_seconds",
        "Age of the oldest mail still to be sent (0: none).", number(g.outbox_oldest_age_seconds));
  gauge(
      "stagematch_scheduler_seconds_since_run",
      "Seconds since the scheduler last looked for due round mails (it sleeps until the next one).",
      number(g.scheduler_seconds_since_run));
  gauge("stagematch_scheduler_last_lateness_seconds",
        "How late the last round mail or reminder was queued after its planned moment.",
        number(g.scheduler_last_lateness_seconds));
  return out.str();
}

std::string next_request_id() {
  static const std::string prefix = [] {
    // Only tells instances apart in a merged log; nothing secret rests on it.
    std::random_device device;
    char buf[9];
    std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(device()));
    return std::string(buf);
  }();
  static std::atomic<std::uint64_t> counter{0};
  char buf[32];
  std::snprintf(
      buf, sizeof buf, "-%06llu",
      static_cast<unsigned long long>(counter.fetch_add(1, std::memory_order_relaxed) + 1));
  return prefix + buf;
}

}  // namespace stagematch

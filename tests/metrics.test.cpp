// GET /metrics for operators: what is counted, in Prometheus' text format, and who may read it.
#include "metrics.hpp"

#include "pages_support.hpp"

namespace stagematch {
namespace {

using namespace testing;  // stagematch::testing: the Pages fixture and its helpers

TEST(Metrics, CountsRequestsByRouteAndStatusWithACumulativeHistogram) {
  Metrics m;
  m.record("GET", "/api/v1/requests/{id}", 200, 0.004);
  m.record("GET", "/api/v1/requests/{id}", 200, 0.2);
  m.record("GET", "/api/v1/requests/{id}", 404, 0.02);
  m.record("POST", "", 404, 12);
  m.record("GET", "/x\"y\\z", 200, 0.001);
  for (const char* strange : {"FOOA", "FOOB", "BREW"}) m.record(strange, "/x", 404, 0.001);
  m.started();
  Metrics::Gauges g;
  g.pool_in_use = 3;
  g.pool_size = 8;
  g.outbox_waiting = 5;
  g.outbox_oldest_age_seconds = 42.5;
  const std::string text = m.render(g);
  EXPECT_TRUE(
      contains(text,
               "stagematch_http_requests_total{method=\"GET\",route=\"/api/v1/requests/{id}\","
               "status=\"200\"} 2\n"))
      << text;
  EXPECT_TRUE(contains(text, "route=\"/api/v1/requests/{id}\",status=\"404\"} 1\n"));
  EXPECT_TRUE(contains(text, "{method=\"POST\",route=\"(geen route)\",status=\"404\"} 1\n"));
  EXPECT_TRUE(contains(text, "route=\"/x\\\"y\\\\z\"")) << "label values are escaped";
  EXPECT_TRUE(contains(text, "{method=\"OTHER\",route=\"/x\",status=\"404\"} 3\n"))
      << "a method of the client's choosing makes no series of its own";
  EXPECT_FALSE(contains(text, "FOOA"));
  const std::string r = "{route=\"/api/v1/requests/{id}\",le=";
  EXPECT_TRUE(
      contains(text, "stagematch_http_request_duration_seconds_bucket" + r + "\"0.005\"} 1\n"));
  EXPECT_TRUE(
      contains(text, "stagematch_http_request_duration_seconds_bucket" + r + "\"0.025\"} 2\n"));
  EXPECT_TRUE(
      contains(text, "stagematch_http_request_duration_seconds_bucket" + r + "\"0.25\"} 3\n"));
  EXPECT_TRUE(
      contains(text, "stagematch_http_request_duration_seconds_bucket" + r + "\"+Inf\"} 3\n"));
  EXPECT_TRUE(contains(
      text, "stagematch_http_request_duration_seconds_count{route=\"/api/v1/requests/{id}\"} 3\n"));
  EXPECT_TRUE(contains(
      text,
      "stagematch_http_request_duration_seconds_bucket{route=\"(geen route)\",le=\"10\"} 0\n"));
  EXPECT_TRUE(contains(text, "stagematch_http_requests_in_flight 1\n"));
  EXPECT_TRUE(contains(text, "stagematch_db_pool_in_use 3\n"));
  EXPECT_TRUE(contains(text, "stagematch_db_pool_size 8\n"));
  EXPECT_TRUE(contains(text, "stagematch_outbox_waiting 5\n"));
  EXPECT_TRUE(contains(text, "stagematch_outbox_oldest_age_seconds 42.5\n"));
  EXPECT_TRUE(contains(text, "# TYPE stagematch_http_request_duration_seconds histogram\n"));
  m.finished();
  EXPECT_TRUE(contains(m.render({}), "stagematch_http_requests_in_flight 0\n"));
}

TEST(Metrics, RequestIdsAreUniqueWithinAProcess) {
  const std::string a = next_request_id();
  const std::string b = next_request_id();
  EXPECT_NE(a, b);
  EXPECT_EQ(a.substr(0, 9), b.substr(0, 9));
  EXPECT_EQ(a.size(), 15u) << a;
}

class MetricsPage : public Pages {
 protected:
  void SetUp() override {
    Pages::SetUp();
    services_->metrics = &metrics_;
    services_->gauges = [this] {
      Metrics::Gauges g;
      const Store::OperationalStats stats = store_->operational_stats();
      g.outbox_waiting = stats.outbox_waiting;
      g.pool_size = stats.pool_size;
      return g;
    };
  }
  HttpResponse from(const std::string& peer, const std::string& client, bool forwarded) {
    HttpRequest req;
    req.method = "GET";
    req.path = "/metrics";
    req.peer = peer;
    req.client = client;
    if (forwarded) req.headers["x-forwarded-for"] = client;
    return app_->handle(req);
  }
  Metrics metrics_;
};

// From this machine, or for an admin; never for a school, a service or anyone through nginx.
TEST_F(MetricsPage, OnlyThisMachineOrAnAdminReadsTheMetrics) {
  metrics_.record("GET", "/dienst/{track}", 200, 0.01);
  HttpResponse local = from("127.0.0.1", "127.0.0.1", false);
  ASSERT_EQ(local.status, 200) << local.body;
  EXPECT_EQ(local.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_TRUE(contains(local.body, "route=\"/dienst/{track}\",status=\"200\"} 1\n")) << local.body;
  EXPECT_TRUE(contains(local.body, "stagematch_db_pool_size 1\n")) << "SQLite: one connection";
  EXPECT_TRUE(contains(local.body, "stagematch_outbox_waiting "));
  EXPECT_EQ(from("::1", "::1", false).status, 200);
  EXPECT_EQ(from("127.0.0.1", "198.51.100.7", true).status, 403) << "through nginx";
  EXPECT_EQ(from("127.0.0.1", "127.0.0.1", true).status, 403) << "a forwarded request";
  EXPECT_EQ(from("198.51.100.7", "198.51.100.7", false).status, 403);
  EXPECT_EQ(get("/metrics").status, 403);
  EXPECT_EQ(get("/metrics", "school").status, 403);
  EXPECT_EQ(get("/metrics", "service_x").status, 403);
  HttpResponse admin = get("/metrics", "admin");
  EXPECT_EQ(admin.status, 200);
  EXPECT_FALSE(contains(admin.body, "@")) << "no address in the metrics";
}

}  // namespace
}  // namespace stagematch

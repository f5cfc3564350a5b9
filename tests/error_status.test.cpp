// The engine refuses with a kind (ErrorKind); the web alone turns a kind into an HTTP status,
// through one table (web/error_status.cpp). The JSON API's statuses and codes stay as
// CONTRACT.md lists them, and a store's refusal reads the same through the engine and the API.
#include "error_status.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "api_support.hpp"
#include "domain_errors.hpp"
#include "http.hpp"
#include "json.hpp"

namespace stagematch {
namespace {

TEST(ErrorStatus, EachKindHasTheStatusTheApiPromises) {
  EXPECT_EQ(http_status(ErrorKind::invalid), 422);
  EXPECT_EQ(http_status(ErrorKind::unauthenticated), 401);
  EXPECT_EQ(http_status(ErrorKind::forbidden), 403);
  EXPECT_EQ(http_status(ErrorKind::not_found), 404);
  EXPECT_EQ(http_status(ErrorKind::conflict), 409);
  EXPECT_EQ(http_status(ErrorKind::gone), 410);
  EXPECT_EQ(http_status(ErrorKind::throttled), 429);
  EXPECT_EQ(http_status(ErrorKind::rule_failed), 500);
  EXPECT_EQ(http_status(ErrorKind::unavailable), 503);
}

TEST(ErrorStatus, EveryKindHasItsOwnErrorStatus) {
  std::set<int> seen;
  for (ErrorKind kind : kErrorKinds) {
    const int status = http_status(kind);
    EXPECT_GE(status, 400);
    EXPECT_LT(status, 600);
    EXPECT_TRUE(seen.insert(status).second) << status << " stands for two kinds";
  }
  EXPECT_EQ(seen.size(), std::size(kErrorKinds));
}

TEST(ErrorStatus, AJsonErrorTakesItsStatusFromTheKind) {
  DomainError e{ErrorKind::conflict, "already_accepted", "Al aanvaard.", {{"status", "x"}}};
  HttpResponse res = HttpResponse::error(e);
  EXPECT_EQ(res.status, 409);
  auto body = parse_json(res.body);
  ASSERT_TRUE(body);
  EXPECT_EQ((*body)["error"].as_string(), "already_accepted");
  EXPECT_EQ((*body)["message"].as_string(), "Al aanvaard.");
  EXPECT_EQ((*body)["fields"]["status"].as_string(), "x");
}

// The one mapping from a store's refusal (domain::from_store), as the engine and the JSON API
// both answer it: code, kind and so status.
TEST(ErrorStatus, AStoreRefusalReadsTheSameThroughTheEngineAndTheApi) {
  struct Case {
    const char* store_code;
    const char* code;
    int status;
  };
  const Case cases[] = {{"not_found", "not_found", 404},
                        {"gone", "gone", 410},
                        {"stale", "stale", 409},
                        {"already_accepted", "already_accepted", 409},
                        {"linked", "linked", 409},
                        {"conflict", "conflict", 409},
                        {"duplicate", "duplicate", 409},
                        {"unavailable", "unavailable", 503},
                        {"iets_anders", "unavailable", 503}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.store_code);
    const StoreError refusal{c.store_code, "Wat de databank zegt."};
    const DomainError e = domain::from_store(refusal);
    EXPECT_EQ(e.code, c.code);
    EXPECT_EQ(http_status(e), c.status);
    EXPECT_FALSE(e.message.empty());

    HttpResponse res = HttpResponse::error(domain::from_store(refusal, api::kNotFound));
    EXPECT_EQ(res.status, c.status);
    auto body = parse_json(res.body);
    ASSERT_TRUE(body);
    EXPECT_EQ((*body)["error"].as_string(), c.code);
  }
}

TEST(ErrorStatus, NotFoundSaysNothingOfWhatExists) {
  const StoreError refusal{"not_found", "Deze organisatie bestaat niet."};
  // The engine's operations on requests, and the API, do not tell "does not exist" from
  // "not yours"; an account's refusal keeps the store's sentence.
  EXPECT_EQ(domain::from_request_store(refusal).message, domain::kRequestNotFound);
  auto body = parse_json(HttpResponse::error(domain::from_store(refusal, api::kNotFound)).body);
  ASSERT_TRUE(body);
  EXPECT_EQ((*body)["message"].as_string(), api::kNotFound);
  EXPECT_EQ(domain::from_store(refusal).message, refusal.message);
}

TEST(ErrorStatus, ADatabaseFailureNeverShowsWhatTheDriverSaid) {
  const StoreError refusal{"unavailable", "connection to 10.0.0.5:5432 refused"};
  EXPECT_EQ(domain::from_store(refusal).message, domain::kUnavailable);
  EXPECT_EQ(HttpResponse::error(domain::from_store(refusal, api::kNotFound)).body.find("10.0.0.5"),
            std::string::npos);
}

}  // namespace
}  // namespace stagematch

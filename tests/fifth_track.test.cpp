// The fifth track, "lokaal partnerschap", written as YAML and Lua only under
// tests/fixtures/lokale_partnerschappen: the same engine loads it, runs its transitions,
// validates its requests and applies its privacy rule.
#include <gtest/gtest.h>

#include "request_validation.hpp"
#include "test_support.hpp"
#include "transitions.hpp"

namespace stagematch {
namespace {

using testing::local;
using testing::source_path;

class FifthTrack : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    LoadResult loaded = load_definitions(source_path("tests/fixtures/lokale_partnerschappen/workflows"),
                                         source_path("tests/fixtures/lokale_partnerschappen/rules"));
    for (const auto& d : loaded.diagnostics.all()) ADD_FAILURE() << d.to_string();
    defs_ = loaded.definitions;
  }
  static void TearDownTestSuite() { defs_.reset(); }

  const Workflow& workflow() { return *defs_->workflow("lokaal_partnerschap"); }
  const Calendar& calendar() { return *defs_->calendar("lokaal_partnerschap", "2026-2027"); }
  RuleEngine rules() { return RuleEngine(defs_); }

  static Value client(const std::string& start, const std::string& end) {
    return Object{{"first_name", "Sara"},
                  {"last_name", "Peeters"},
                  {"national_number", "85073003328"},
                  {"phone", "0470 12 34 56"},
                  {"postal_code", "2000"},
                  {"province", "ANT"},
                  {"preferred_service_id", "partner_1"},
                  {"job_target", "Verzorgende"},
                  {"period_count", 1},
                  {"periods", Array{Object{{"start", start}, {"end", end}}}},
                  {"orientation_start", start},
                  {"orientation_end", start}};
  }

  std::vector<FieldProblem> all_problems(const Value& request) {
    ReferenceCheck refs;
    refs.service_exists = [](const std::string& id) { return id == "partner_1"; };
    std::vector<FieldProblem> out = validate_request(workflow(), request, refs);
    auto lua = rules().checks(workflow(), request);
    EXPECT_TRUE(lua) << (lua ? "" : lua.error().message);
    if (lua) out.insert(out.end(), lua->begin(), lua->end());
    return out;
  }

  static bool has_error_on(const std::vector<FieldProblem>& problems, const std::string& field) {
    return std::any_of(problems.begin(), problems.end(),
                       [&](const FieldProblem& p) { return p.field == field && p.severity == Severity::kError; });
  }

  static std::shared_ptr<const DefinitionSet> defs_;
};

std::shared_ptr<const DefinitionSet> FifthTrack::defs_;

TEST_F(FifthTrack, LoadsWithTheSameEngine) {
  ASSERT_NE(defs_->workflow("lokaal_partnerschap"), nullptr);
  ASSERT_NE(defs_->calendar("lokaal_partnerschap", "2026-2027"), nullptr);
  EXPECT_EQ(workflow().initial_status()->id, "aangemeld");
}

TEST_F(FifthTrack, AStageOfThirtyDaysIsFineThirtyOneIsNot) {
  auto ok = all_problems(client("2026-10-01", "2026-10-30"));
  for (const auto& p : ok) EXPECT_NE(p.severity, Severity::kError) << p.field << ": " << p.message;
  EXPECT_TRUE(has_error_on(all_problems(client("2026-10-01", "2026-10-31")), "periods"));
}

TEST_F(FifthTrack, OrientationPhaseIsAtMostFiveDaysAndInsideTheStage) {
  Value five = client("2026-10-01", "2026-10-20");
  auto with = [](Value v, const char* key, const char* date) {
    Object o = v.as_object();
    o[key] = date;
    return Value(std::move(o));
  };
  EXPECT_FALSE(has_error_on(all_problems(with(five, "orientation_end", "2026-10-05")), "orientation_end"));
  auto six = all_problems(with(five, "orientation_end", "2026-10-06"));
  EXPECT_TRUE(has_error_on(six, "orientation_end") || has_error_on(six, "orientation_start"));
  auto outside = all_problems(with(with(five, "orientation_start", "2026-09-28"), "orientation_end", "2026-09-30"));
  EXPECT_TRUE(has_error_on(outside, "orientation_start") || has_error_on(outside, "orientation_end"));
}

TEST_F(FifthTrack, CombinationTrajectoryNeedsOrderAndAResultOnceEnded) {
  Object o = client("2026-10-01", "2026-10-20").as_object();
  o["combi_start"] = "2026-11-01";
  o["combi_end"] = "2026-10-01";
  EXPECT_TRUE(has_error_on(all_problems(Value(o)), "combi_end"));
  o["combi_end"] = "2027-02-01";
  EXPECT_TRUE(has_error_on(all_problems(Value(o)), "combi_result"));
  o["combi_result"] = "werk";
  o["next_steps"] = "Start als verzorgende bij de partner.";
  auto ok = all_problems(Value(o));
  EXPECT_FALSE(has_error_on(ok, "combi_result"));
  EXPECT_FALSE(has_error_on(ok, "combi_end"));
  o["combi_result"] = "pensioen";
  EXPECT_TRUE(has_error_on(all_problems(Value(o)), "combi_result"));
}

TEST_F(FifthTrack, TransitionsFollowItsOwnTable) {
  RuleEngine r = rules();
  Instant now = local("2026-10-15 10:00");
  StatusChange take_in{"verkenning", "in_stage", "service", "mentor_1", {0}, "Start maandag", ""};
  EXPECT_TRUE(decide_transition(r, workflow(), calendar(), take_in, 1, now));
  StatusChange skip{"aangemeld", "in_stage", "service", "mentor_1", {0}, "Start maandag", ""};
  auto refused = decide_transition(r, workflow(), calendar(), skip, 1, now);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().error, "transition_not_allowed");
  StatusChange closed{"aangemeld", "verkenning", "service", "", {}, "", ""};
  auto after_year = decide_transition(r, workflow(), calendar(), closed, 1, local("2027-07-02 10:00"));
  ASSERT_FALSE(after_year);
  EXPECT_EQ(after_year.error().error, "round_closed");
}

TEST_F(FifthTrack, PartnersSeeOnlyClientsWhoSignedUpWithThem) {
  RuleEngine r = rules();
  auto p = r.visibility(calendar(), ServiceRef{"partner_1", {"ANT"}}, local("2026-10-15 10:00"));
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_TRUE(matches(*p, Object{{"preferred_service_id", "partner_1"}, {"province", "ANT"}}));
  EXPECT_FALSE(matches(*p, Object{{"preferred_service_id", "partner_2"}, {"province", "ANT"}}));
  EXPECT_TRUE(workflow().is_personal("national_number"));
  EXPECT_FALSE(workflow().reveals("verkenning"));
  EXPECT_TRUE(workflow().reveals("in_stage"));
}

}  // namespace
}  // namespace stagematch

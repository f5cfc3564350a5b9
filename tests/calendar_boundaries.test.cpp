// Every round boundary of every shipped calendar, one second before and after, checked
// against the dates of SPEC.md; the 2025-2026 blackout; daylight-saving edges.
#include <gtest/gtest.h>

#include <chrono>

#include "test_support.hpp"

namespace stagematch {
namespace {

using std::chrono::seconds;
using testing::local;
using testing::moment_at;
using testing::shipped_definitions;

struct ExpectedRound {
  friend void PrintTo(const ExpectedRound& e, std::ostream* os) {
    *os << e.track << " " << e.year << " " << e.opens;
  }
  const char* track;
  const char* year;
  const char* round_id;
  const char* kind;
  const char* opens;   // Belgian local time
  const char* closes;  // "" = open-ended
};

// The calendars of SPEC.md, round by round.
const ExpectedRound kRounds[] = {
    {"secundair", "2024-2025", "ronde_1", "preferred", "2024-09-06 12:00", "2024-09-20 12:00"},
    {"secundair", "2024-2025", "ronde_2", "open", "2024-09-20 12:00", "2024-09-30 12:00"},
    {"secundair", "2025-2026", "ronde_1", "preferred", "2025-06-30 12:00", "2025-08-15 12:00"},
    {"secundair", "2025-2026", "ronde_2", "preferred", "2025-09-05 12:00", "2025-09-19 12:00"},
    {"secundair", "2025-2026", "ronde_3", "open", "2025-09-19 12:00", "2025-09-30 12:00"},
    {"secundair", "2025-2026", "ronde_4", "open_ended", "2025-09-30 12:00", ""},
    {"duaal", "2024-2025", nullptr, "open", "2024-06-17 00:00", "2024-11-30 00:00"},
    {"duaal", "2025-2026", nullptr, "open", "2025-06-16 00:00", "2025-12-01 00:00"},
    {"duaal", "2025-2026", nullptr, "open_ended", "2025-12-01 00:00", ""},
    {"cvo", "2022-2023", nullptr, "open", "2022-09-05 00:00", "2022-09-30 00:00"},
    {"cvo", "2022-2023", nullptr, "open", "2022-11-15 00:00", "2022-11-30 00:00"},
    {"cvo", "2022-2023", nullptr, "open", "2023-02-01 12:00", "2023-02-15 12:00"},
    {"cvo", "2022-2023", nullptr, "open", "2023-05-15 12:00", "2023-05-30 12:00"},
    {"cvo", "2024-2025", nullptr, "open", "2024-09-06 12:00", "2024-09-30 12:00"},
    {"cvo", "2024-2025", nullptr, "open", "2024-11-15 12:00", "2024-11-30 12:00"},
    {"cvo", "2024-2025", nullptr, "open", "2025-02-01 12:00", "2025-02-15 12:00"},
    {"cvo", "2024-2025", nullptr, "open", "2025-05-15 12:00", "2025-05-30 12:00"},
    {"dubbele_finaliteit", "2025-2026", nullptr, "open", "2025-09-19 12:00", "2025-10-07 12:00"},
    // "then open-ended": until the next school year's calendar takes over.
    {"dubbele_finaliteit", "2025-2026", nullptr, "open_ended", "2025-10-07 12:00", "2026-09-01 00:00"},
    {"dubbele_finaliteit", "2026-2027", nullptr, "open", "2026-09-18 12:00", "2026-10-07 12:00"},
};

class RoundBoundary : public ::testing::TestWithParam<ExpectedRound> {};

TEST_P(RoundBoundary, OpensAndClosesToTheSecond) {
  const ExpectedRound& e = GetParam();
  auto defs = shipped_definitions();
  RuleEngine rules(defs);
  const Calendar* cal = defs->calendar(e.track, e.year);
  ASSERT_NE(cal, nullptr) << e.track << " " << e.year;
  Instant opens = local(e.opens);
  const Round* round = cal->round_at(opens);
  ASSERT_NE(round, nullptr) << "no round opens at " << e.opens;
  if (e.round_id) {
    EXPECT_EQ(round->id, e.round_id);
  }
  EXPECT_EQ(round->kind, e.kind);
  EXPECT_EQ(round->window.opens, opens);

  Moment before = moment_at(rules, *cal, opens - seconds{1});
  Moment at_open = moment_at(rules, *cal, opens);
  EXPECT_NE(before.round_id, round->id) << "round already active one second before it opens";
  EXPECT_EQ(at_open.round_id, round->id);
  EXPECT_EQ(at_open.phase, "round");
  EXPECT_TRUE(at_open.service_may_set_status);

  if (*e.closes == '\0') {
    EXPECT_FALSE(round->window.closes);
    Moment much_later = moment_at(rules, *cal, opens + std::chrono::days{300});
    EXPECT_EQ(much_later.round_id, round->id) << "an open-ended round stays open";
    EXPECT_TRUE(much_later.service_may_set_status);
    return;
  }
  Instant closes = local(e.closes);
  ASSERT_TRUE(round->window.closes);
  EXPECT_EQ(*round->window.closes, closes);
  Moment last_second = moment_at(rules, *cal, closes - seconds{1});
  Moment at_close = moment_at(rules, *cal, closes);
  EXPECT_EQ(last_second.round_id, round->id);
  EXPECT_TRUE(last_second.service_may_set_status);
  EXPECT_NE(at_close.round_id, round->id) << "round still active at its closing second";
  const Round* next = cal->round_at(closes);
  if (!next) {
    EXPECT_FALSE(at_close.service_may_set_status) << "closed track lets services set statuses";
  }
}

INSTANTIATE_TEST_SUITE_P(SpecCalendars, RoundBoundary, ::testing::ValuesIn(kRounds),
                         [](const auto& param_info) {
                           std::string name = std::string(param_info.param.track) + "_" + param_info.param.year + "_" +
                                              std::to_string(param_info.index);
                           for (char& c : name)
                             if (c == '-') c = '_';
                           return name;
                         });

TEST(Calendars, EveryShippedRoundIsCoveredBySpecTable) {
  auto defs = shipped_definitions();
  std::size_t shipped = 0;
  for (const auto& [key, cal] : defs->calendars) shipped += cal.rounds.size();
  EXPECT_EQ(shipped, std::size(kRounds)) << "a calendar has a round SPEC.md does not list (or lacks one)";
}

TEST(Calendars, SecundairBlackoutRefusesRegistrationToTheSecond) {
  auto defs = shipped_definitions();
  RuleEngine rules(defs);
  const Calendar& cal = *defs->calendar("secundair", "2025-2026");
  Instant opens = local("2025-06-30 12:00");
  Instant closes = local("2025-08-15 12:00");
  EXPECT_TRUE(moment_at(rules, cal, opens - seconds{1}).school_may_register);
  EXPECT_FALSE(moment_at(rules, cal, opens).school_may_register);
  EXPECT_FALSE(moment_at(rules, cal, closes - seconds{1}).school_may_register);
  EXPECT_TRUE(moment_at(rules, cal, closes).school_may_register);
}

TEST(Calendars, BlackoutRegistrationBecomesVisibleOn19SeptemberNoon) {
  auto defs = shipped_definitions();
  RuleEngine rules(defs);
  const Calendar& cal = *defs->calendar("secundair", "2025-2026");
  ServiceRef service{"dienst_a", {"ANT"}};
  // Registered during the blackout, naming dienst_a, living in its province.
  Value in_blackout = Object{{"province", "ANT"},
                             {"preferred_service_id", "dienst_a"},
                             {"registered_at", local("2025-07-10 09:00").time_since_epoch().count()}};
  Value normal = Object{{"province", "ANT"},
                        {"preferred_service_id", "dienst_a"},
                        {"registered_at", local("2025-08-20 09:00").time_since_epoch().count()}};
  Instant visible_from = local("2025-09-19 12:00");
  for (Instant t : {local("2025-09-05 12:00"), visible_from - seconds{1}}) {
    auto p = rules.visibility(cal, service, t);
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_FALSE(matches(*p, in_blackout)) << format_local(t);
    EXPECT_TRUE(matches(*p, normal)) << format_local(t);
  }
  auto p = rules.visibility(cal, service, visible_from);
  ASSERT_TRUE(p);
  EXPECT_TRUE(matches(*p, in_blackout));
}

TEST(Calendars, WinterAndSummerTimeBoundariesAreLocalNoonOrMidnight) {
  auto defs = shipped_definitions();
  // CVO 2022-2023: round 1 closes in summer time, round 2 in winter time.
  const Calendar& cvo = *defs->calendar("cvo", "2022-2023");
  EXPECT_EQ(format_iso(*cvo.rounds[0].window.closes), "2022-09-30T00:00:00+02:00");
  EXPECT_EQ(cvo.rounds[1].window.closes->time_since_epoch().count(),
            parse_instant("2022-11-29T23:00:00Z")->time_since_epoch().count());
  // Duaal 2025-2026 runs across the change of 26/10/2025: reminders stay at 09:00 local time.
  RuleEngine rules(defs);
  auto events = rules.events(*defs->calendar("duaal", "2025-2026"));
  ASSERT_TRUE(events) << events.error().message;
  int before_change = 0;
  int after_change = 0;
  for (const auto& e : *events) {
    if (e.kind != "reminder") continue;
    EXPECT_EQ(to_brussels(e.at).hour, 9) << format_iso(e.at);
    (e.at < local("2025-10-26 03:00") ? before_change : after_change)++;
  }
  EXPECT_GT(before_change, 0);
  EXPECT_GT(after_change, 0);
}

TEST(Calendars, EventsAreInTimeOrderAndIncludeEveryRoundOpenAndClose) {
  auto defs = shipped_definitions();
  RuleEngine rules(defs);
  for (const auto& [key, cal] : defs->calendars) {
    auto events = rules.events(cal);
    ASSERT_TRUE(events) << key << ": " << events.error().message;
    for (std::size_t i = 1; i < events->size(); ++i) EXPECT_LE((*events)[i - 1].at, (*events)[i].at) << key;
    for (const auto& r : cal.rounds) {
      auto has = [&](const std::string& kind, Instant at) {
        return std::any_of(events->begin(), events->end(),
                           [&](const TimedEvent& e) { return e.kind == kind && e.at == at && e.round_id == r.id; });
      };
      EXPECT_TRUE(has("round_opens", r.window.opens)) << key << " " << r.id;
      if (r.window.closes) {
      EXPECT_TRUE(has("round_closes", *r.window.closes)) << key << " " << r.id;
    }
    }
  }
}

TEST(Calendars, DubbeleFinaliteitSchoolsSeeAnswersOnlyAfter7October2026Noon) {
  auto defs = shipped_definitions();
  RuleEngine rules(defs);
  const Calendar& cal = *defs->calendar("dubbele_finaliteit", "2026-2027");
  Instant results = local("2026-10-07 12:00");
  EXPECT_FALSE(moment_at(rules, cal, results - seconds{1}).school_sees_results);
  EXPECT_TRUE(moment_at(rules, cal, results).school_sees_results);
}

}  // namespace
}  // namespace stagematch

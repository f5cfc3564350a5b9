// The shipped definitions load without a single problem, and the checker's reporting format.
#include <gtest/gtest.h>

#include "test_support.hpp"

namespace stagematch {
namespace {

TEST(ShippedDefinitions, LoadWithoutProblems) {
  LoadResult loaded =
      load_definitions(testing::source_path("workflows"), testing::source_path("rules"));
  for (const auto& d : loaded.diagnostics.all()) ADD_FAILURE() << d.to_string();
  EXPECT_TRUE(loaded.ok());
  EXPECT_EQ(loaded.definitions->workflows.size(), 4u);
  for (const char* track : {"secundair", "duaal", "cvo", "dubbele_finaliteit"})
    EXPECT_NE(loaded.definitions->workflow(track), nullptr) << track;
}

// The four tracks keep the product's words; the fifth names its own people (`labels:`), and a
// word it leaves out keeps the default.
TEST(TrackLabels, DefaultsForTheShippedTracksAndTheFifthTracksOwnWords) {
  auto defs = testing::shipped_definitions();
  for (const auto& [name, workflow] : defs->workflows) {
    EXPECT_EQ(workflow.labels, TrackLabels{}) << name;
    EXPECT_EQ(workflow.labels.person, "student") << name;
    EXPECT_EQ(workflow.labels.mentor, "stagementor") << name;
  }
  LoadResult fifth =
      load_definitions(testing::source_path("tests/fixtures/lokale_partnerschappen/workflows"),
                       testing::source_path("tests/fixtures/lokale_partnerschappen/rules"));
  ASSERT_TRUE(fifth.ok());
  const Workflow* w = fifth.definitions->workflow("lokaal_partnerschap");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->labels.person, "klant");
  EXPECT_EQ(w->labels.persons, "klanten");
  EXPECT_EQ(w->labels.organisation, "partnerschap");
  EXPECT_EQ(w->labels.partner, "partner");
  EXPECT_EQ(w->labels.mentor, "begeleider");
  EXPECT_EQ(capitalised(w->labels.person), "Klant");
}

TEST(ShippedDefinitions, EveryCalendarOfTheSpecIsThere) {
  auto defs = testing::shipped_definitions();
  for (auto [track, year] : {std::pair{"secundair", "2024-2025"},
                             {"secundair", "2025-2026"},
                             {"duaal", "2024-2025"},
                             {"duaal", "2025-2026"},
                             {"cvo", "2022-2023"},
                             {"cvo", "2024-2025"},
                             {"dubbele_finaliteit", "2025-2026"},
                             {"dubbele_finaliteit", "2026-2027"}})
    EXPECT_NE(defs->calendar(track, year), nullptr) << track << " " << year;
}

TEST(Diagnostics, PrintLikeACompiler) {
  Diagnostic d{{"workflows/tracks/secundair.yaml", 12, 5},
               Severity::kError,
               "WF0201",
               "transitie gaat naar onbekende status 'aanvard'"};
  EXPECT_EQ(d.to_string(),
            "workflows/tracks/secundair.yaml:12:5: error: transitie gaat naar onbekende status "
            "'aanvard' [WF0201]");
}

TEST(UploadedCalendar, ASoundCalendarReplacesTheOldOne) {
  auto defs = testing::shipped_definitions();
  const char* yaml = R"(kind: calendar
name: secundair-2025-2026
version: 2
track: secundair
year: 2025-2026
rounds:
  - {id: ronde_1, kind: open, opens: 2025-09-01 12:00, closes: 2025-10-01 12:00}
)";
  LoadResult r = with_calendar(*defs, "calendars/secundair/2025-2026.yaml", yaml);
  for (const auto& d : r.diagnostics.all()) ADD_FAILURE() << d.to_string();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.definitions->calendar("secundair", "2025-2026")->version, 2);
  EXPECT_EQ(defs->calendar("secundair", "2025-2026")->version, 1)
      << "the active set must not change";
}

TEST(UploadedCalendar, ABrokenCalendarSaysWhereAndLeavesTheActiveOne) {
  auto defs = testing::shipped_definitions();
  const char* yaml = R"(kind: calendar
name: secundair-2025-2026
version: 2
track: secundair
year: 2025-2026
rounds:
  - {id: ronde_1, kind: open, opens: 2025-09-01 12:00, closes: 2025-10-01 12:00}
  - {id: ronde_2, kind: open, opens: 2025-09-20 12:00, closes: 2025-10-10 12:00}
)";
  LoadResult r = with_calendar(*defs, "calendars/secundair/2025-2026.yaml", yaml);
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.diagnostics.all().size(), 1u);
  EXPECT_EQ(r.diagnostics.all()[0].to_string().substr(0, 42),
            "calendars/secundair/2025-2026.yaml:8:38: e");
  EXPECT_EQ(r.diagnostics.all()[0].code, "WF0204");
  EXPECT_EQ(defs->calendar("secundair", "2025-2026")->version, 1);
}

// At start-up the published calendars are laid over workflows/ in order. One that no longer
// passes (the rules changed since it was published) is left out with its position, and the
// calendar from workflows/ keeps holding.
TEST(PublishedCalendars, ApplyInOrderAndSkipOnesThatNoLongerPass) {
  auto defs = testing::shipped_definitions();
  const std::string sound = R"(kind: calendar
name: secundair-2025-2026
version: 3
track: secundair
year: 2025-2026
rounds:
  - {id: ronde_1, kind: open, opens: 2025-09-01 12:00, closes: 2025-10-01 12:00}
)";
  std::string later = sound;
  later.replace(later.find("version: 3"), 10, "version: 4");
  const std::string broken = R"(kind: calendar
name: duaal-2025-2026
version: 2
track: duaal
year: 2025-2026
rules: {visibility: visibility.weg}
rounds:
  - {id: ronde_1, kind: open, opens: 2025-09-01 12:00, closes: 2025-10-01 12:00}
)";
  std::vector<std::string> skipped;
  auto result = with_calendars(
      defs, {{"kalender-a.yaml", sound}, {"kalender-b.yaml", broken}, {"kalender-c.yaml", later}},
      skipped);
  EXPECT_EQ(result->calendar("secundair", "2025-2026")->version, 4) << "the later one wins";
  EXPECT_EQ(result->calendar("duaal", "2025-2026")->version, 1) << "workflows/ still holds";
  ASSERT_EQ(skipped.size(), 1u);
  EXPECT_EQ(skipped.front().rfind("kalender-b.yaml:6:", 0), 0u) << skipped.front();
  EXPECT_EQ(defs->calendar("secundair", "2025-2026")->version, 1) << "the base set must not change";
}

}  // namespace
}  // namespace stagematch

#include "local_time.hpp"

#include <gtest/gtest.h>

#include "clock.hpp"

namespace stagematch {
namespace {

std::int64_t epoch(Instant t) { return t.time_since_epoch().count(); }

TEST(LocalTime, NoonInSummerAndWinter) {
  EXPECT_EQ(epoch(from_brussels({2025, 9, 5, 12, 0, 0})), 1757066400);   // 10:00 UTC, CEST
  EXPECT_EQ(epoch(from_brussels({2025, 12, 1, 12, 0, 0})), 1764586800);  // 11:00 UTC, CET
}

TEST(LocalTime, SwitchToSummerTimeOnLastSundayOfMarch) {
  // 30/03/2025: 02:00 CET becomes 03:00 CEST at 01:00 UTC.
  Instant before = from_brussels({2025, 3, 30, 1, 59, 59});
  Instant after = from_brussels({2025, 3, 30, 3, 0, 0});
  EXPECT_EQ(epoch(after) - epoch(before), 1);
  EXPECT_EQ(brussels_utc_offset(before), 3600);
  EXPECT_EQ(brussels_utc_offset(after), 7200);
  // 02:30 does not exist; it is read as 03:30 summer time.
  EXPECT_EQ(to_brussels(from_brussels({2025, 3, 30, 2, 30, 0})),
            (LocalDateTime{2025, 3, 30, 3, 30, 0}));
}

TEST(LocalTime, SwitchToWinterTimeOnLastSundayOfOctober) {
  // 26/10/2025: 03:00 CEST becomes 02:00 CET at 01:00 UTC; 02:30 happens twice.
  Instant first = from_brussels({2025, 10, 26, 2, 30, 0});
  EXPECT_EQ(brussels_utc_offset(first), 7200);
  EXPECT_EQ(to_brussels(first + std::chrono::hours{1}), (LocalDateTime{2025, 10, 26, 2, 30, 0}));
  EXPECT_EQ(brussels_utc_offset(first + std::chrono::hours{1}), 3600);
}

TEST(LocalTime, AddLocalDaysKeepsWallClockAcrossDst) {
  Instant fri = from_brussels({2025, 10, 24, 12, 0, 0});
  Instant next_fri = add_local_days(fri, 7);
  EXPECT_EQ(to_brussels(next_fri), (LocalDateTime{2025, 10, 31, 12, 0, 0}));
  EXPECT_EQ(epoch(next_fri) - epoch(fri), 7 * 86400 + 3600);
  EXPECT_EQ(to_brussels(add_local_days(next_fri, -7)), (LocalDateTime{2025, 10, 24, 12, 0, 0}));
}

TEST(LocalTime, ParsesLocalAndIsoText) {
  EXPECT_EQ(parse_local("2025-09-05 12:00"), (LocalDateTime{2025, 9, 5, 12, 0, 0}));
  EXPECT_EQ(parse_local("2025-09-05"), (LocalDateTime{2025, 9, 5, 0, 0, 0}));
  EXPECT_FALSE(parse_local("2025-02-30 12:00"));
  EXPECT_FALSE(parse_local("05/09/2025 12:00"));
  EXPECT_FALSE(parse_local("2025-09-05 24:00"));
  EXPECT_EQ(epoch(*parse_instant("2025-09-05T12:00:00+02:00")), 1757066400);
  EXPECT_EQ(epoch(*parse_instant("2025-09-05T10:00:00Z")), 1757066400);
  EXPECT_FALSE(parse_instant("2025-09-05T12:00:00+2"));
  EXPECT_EQ(format_iso(from_brussels({2025, 12, 1, 12, 0, 0})), "2025-12-01T12:00:00+01:00");
  EXPECT_EQ(format_local_nl(from_brussels({2025, 9, 5, 12, 0, 0})), "05/09/2025 12:00");
}

// A window written with a date alone ends at midnight after that day: every text says it
// includes that day, never that it ends on the next one.
TEST(LocalTime, AnEndAtMidnightReadsAsTheWholeDayBefore) {
  const Instant end_of_30_november = from_brussels({2024, 12, 1, 0, 0, 0});
  const Instant noon = from_brussels({2024, 9, 30, 12, 0, 0});
  EXPECT_EQ(until_nl(end_of_30_november), "tot en met 30/11/2024");
  EXPECT_EQ(until_nl(noon), "tot 30/09/2024 12:00");
  EXPECT_EQ(format_end_nl(end_of_30_november), "30/11/2024 24:00");
  EXPECT_EQ(format_end_nl(noon), "30/09/2024 12:00");
  EXPECT_EQ(window_nl(from_brussels({2024, 6, 17, 0, 0, 0}), end_of_30_november),
            "17/06/2024 00:00 tot en met 30/11/2024");
  EXPECT_EQ(window_nl(noon, std::nullopt), "30/09/2024 12:00 (blijft open)");
  // Across the change to winter time the day before is still the calendar day before.
  EXPECT_EQ(until_nl(from_brussels({2025, 10, 27, 0, 0, 0})), "tot en met 26/10/2025");
  EXPECT_EQ(format_local_pattern(noon, "%Y-%m-%d %H:%M:%S %y %%"), "2024-09-30 12:00:00 24 %");
  EXPECT_EQ(format_local_pattern(noon, "%q"), "");
}

TEST(TestClock, JumpsForwardAndRefusesToGoBack) {
  TestClock clock(from_brussels({2025, 9, 5, 12, 0, 0}));
  clock.freeze(true);
  EXPECT_EQ(clock.now(), from_brussels({2025, 9, 5, 12, 0, 0}));
  ASSERT_TRUE(clock.set(from_brussels({2025, 9, 19, 12, 0, 0})));
  EXPECT_EQ(clock.now(), from_brussels({2025, 9, 19, 12, 0, 0}));
  auto back = clock.set(from_brussels({2025, 9, 1, 0, 0, 0}));
  ASSERT_FALSE(back);
  EXPECT_NE(back.error().find("terug"), std::string::npos);
  EXPECT_EQ(clock.now(), from_brussels({2025, 9, 19, 12, 0, 0}));
}

}  // namespace
}  // namespace stagematch

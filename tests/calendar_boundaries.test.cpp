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
    // "17/06/2024 tot 30/11/2024": dates without an hour, so 30 November is included.
    {"duaal", "2024-2025", nullptr, "open", "2024-06-17 00:00", "2024-12-01 00:00"},
    {"duaal", "2025-2026", nullptr, "open", "2025-06-16 00:00", "2025-12-02 00:00"},
    {"duaal", "2025-2026", nullptr, "open_ended", "2025-12-02 00:00", ""},
    {"cvo", "2022-2023", nullptr, "open", "2022-09-05 00:00", "2022-09-30 00:00"},
    {"cvo", "2022-2023", nullptr, "open", "2022-11-15 00:00", "2022-11-30 00:00"},
    {"cvo", "2022-2023", nullptr, "open", "2023-02-01 12:00", "2023-02-15 12:00"},
    {"cvo", "2022-2023", nullptr, "open", "2023-05-15 12:00", "2023-05-30 12:00"},
    {"cvo", "2024-2025", nullptr, "open", "2024-09-06 12:00", "2024-09-30 12:00"},
    {"cvo", "2024-2025", nullptr, "open", "2024-11-15 12:00", "2024-11-30 12:00"},
    {"cvo", "2024-2025", nullptr, "open", "2025-02-01 12:00", "2025-02-15 12:00"},
    {"cvo", "2024-2025", nullptr, "open", "2025-05-15 12:00", "2025-05-30 12:00"},
    // "16/06/2025 tot 05/09/2025 diensten verwijzen scholen door naar de tool": a phase in
    // which services see nothing and set no status, but are told what to do.
    {"dubbele_finaliteit", "2025-2026", "doorverwijzen", "closed", "2025-06-16 00:00",
     "2025-09-06 00:00"},
    {"dubbele_finaliteit", "2025-2026", nullptr, "open", "2025-09-19 12:00", "2025-10-07 12:00"},
    // "then open-ended": until the next school year's calendar takes over.
    {"dubbele_finaliteit", "2025-2026", nullptr, "open_ended", "2025-10-07 12:00",
     "2026-09-01 00:00"},
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
  const bool acts = std::string_view(e.kind) != "closed";
  EXPECT_EQ(at_open.service_may_set_status, acts);

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
  EXPECT_EQ(last_second.service_may_set_status, acts);
  EXPECT_NE(at_close.round_id, round->id) << "round still active at its closing second";
  const Round* next = cal->round_at(closes);
  if (!next) {
    EXPECT_FALSE(at_close.service_may_set_status) << "closed track lets services set statuses";
  }
}

INSTANTIATE_TEST_SUITE_P(SpecCalendars, RoundBoundary, ::testing::ValuesIn(kRounds),
                         [](const auto& param_info) {
                           std::string name = std::string(param_info.param.track) + "_" +
                                              param_info.param.year + "_" +
                                              std::to_string(param_info.index);
                           for (char& c : name)
                             if (c == '-') c = '_';
                           return name;
                         });

TEST(Calendars, EveryShippedRoundIsCoveredBySpecTable) {
  auto defs = shipped_definitions();
  std::size_t shipped = 0;
  for (const auto& [key, cal] : defs->calendars) shipped += cal.rounds.size();
  EXPECT_EQ(shipped, std::size(kRounds))
      << "a calendar has a round SPEC.md does not list (or lacks one)";
}

// "Indien men dit wel doet worden de leerlingen pas zichtbaar op 19 september": the blackout
// delays what is registered in it, it does not refuse it.
TEST(Calendars, SecundairBlackoutDelaysRegistrationToTheSecond) {
  auto defs = shipped_definitions();
  RuleEngine rules(defs);
  const Calendar& cal = *defs->calendar("secundair", "2025-2026");
  Instant opens = local("2025-06-30 12:00");
  Instant closes = local("2025-08-15 12:00");
  Instant visible_from = local("2025-09-19 12:00");
  for (Instant t : {opens - seconds{1}, opens, closes - seconds{1}, closes})
    EXPECT_TRUE(moment_at(rules, cal, t).school_may_register) << format_local(t);
  EXPECT_FALSE(moment_at(rules, cal, opens - seconds{1}).school_visible_from);
  for (Instant t : {opens, closes - seconds{1}}) {
    Moment m = moment_at(rules, cal, t);
    ASSERT_TRUE(m.school_visible_from) << format_local(t);
    EXPECT_EQ(*m.school_visible_from, visible_from);
    EXPECT_NE(m.school_message.find("pas zichtbaar voor de diensten vanaf 19/09/2025 12:00"),
              std::string::npos)
        << m.school_message;
  }
  EXPECT_FALSE(moment_at(rules, cal, closes).school_visible_from);
}

// An end written as a date alone ends at the end of that day, everywhere it is read; an hour
// written out, even 00:00, is taken as written.
TEST(Calendars, DatesWithoutAnHourIncludeTheWholeDay) {
  auto defs = shipped_definitions();
  RuleEngine rules(defs);
  const Calendar& duaal = *defs->calendar("duaal", "2024-2025");
  Instant end_of_30_november = local("2024-12-01 00:00");
  EXPECT_TRUE(moment_at(rules, duaal, end_of_30_november - seconds{1}).service_may_set_status);
  EXPECT_FALSE(moment_at(rules, duaal, end_of_30_november).service_may_set_status);
  Moment during = moment_at(rules, duaal, local("2024-11-30 18:00"));
  EXPECT_NE(during.service_message.find("tot en met 30/11/2024"), std::string::npos)
      << during.service_message;
  EXPECT_NE(during.school_message.find("tot en met 30/11/2024"), std::string::npos)
      << during.school_message;
  auto events = rules.events(duaal);
  ASSERT_TRUE(events) << events.error().message;
  bool closing_said = false;
  for (const auto& e : *events)
    if (e.kind == "round_closes") {
      EXPECT_EQ(e.at, end_of_30_november);
      EXPECT_NE(e.message.find("aan het einde van 30/11/2024"), std::string::npos) << e.message;
      closing_said = true;
    }
  EXPECT_TRUE(closing_said);
  EXPECT_EQ(until_nl(end_of_30_november), "tot en met 30/11/2024");
  EXPECT_EQ(until_nl(local("2024-09-30 12:00")), "tot 30/09/2024 12:00");

  // The same calendar with the hour written out keeps it.
  const char* kWritten = R"(kind: calendar
name: duaal-2027-2028
version: 1
track: duaal
year: "2027-2028"
registration: {opens: 2027-06-01, closes: 2027-11-30 00:00}
rounds:
  - {id: a, kind: open, opens: 2027-06-17, closes: 2027-11-30 00:00}
blackouts:
  - {id: b, opens: 2027-07-01, closes: 2027-07-31}
)";
  LoadResult loaded = with_calendar(*defs, "calendars/duaal/2027-2028.yaml", kWritten);
  ASSERT_TRUE(loaded.ok()) << loaded.diagnostics.sorted().front().to_string();
  const Calendar& written = *loaded.definitions->calendar("duaal", "2027-2028");
  EXPECT_EQ(*written.rounds[0].window.closes, local("2027-11-30 00:00"));
  EXPECT_EQ(written.rounds[0].window.opens, local("2027-06-17 00:00"));
  EXPECT_EQ(*written.registration->closes, local("2027-11-30 00:00"));
  EXPECT_EQ(*written.blackouts[0].window.closes, local("2027-08-01 00:00"));
}

// The manuals' "uiterste inschrijfdatum": no shipped calendar lets a school register at a
// moment after which no service would ever see the request, and the refusal says why.
TEST(Calendars, NoRegistrationThatNoServiceWillSee) {
  auto defs = shipped_definitions();
  RuleEngine rules(defs);
  for (const auto& [key, cal] : defs->calendars) {
    std::optional<Instant> last = cal.last_visible_moment();
    if (!last) continue;  // a round that never closes
    for (Instant t : {*last - seconds{1}, *last, *last + std::chrono::days{1},
                      *last + std::chrono::days{200}}) {
      Moment m = moment_at(rules, cal, t);
      EXPECT_EQ(m.school_may_register && t >= *last, false) << key << " " << format_local(t);
    }
    Moment after = moment_at(rules, cal, *last);
    EXPECT_FALSE(after.school_may_register) << key;
  }
  const Calendar& secundair = *defs->calendar("secundair", "2024-2025");
  Instant last_round_closes = local("2024-09-30 12:00");
  EXPECT_TRUE(moment_at(rules, secundair, last_round_closes - seconds{1}).school_may_register);
  Moment late = moment_at(rules, secundair, last_round_closes);
  EXPECT_FALSE(late.school_may_register);
  EXPECT_NE(late.school_message.find("De laatste ronde van dit schooljaar is voorbij"),
            std::string::npos)
      << late.school_message;
  EXPECT_NE(late.school_message.find("rechtstreeks met een dienst"), std::string::npos)
      << late.school_message;
  const Calendar& duaal = *defs->calendar("duaal", "2024-2025");
  EXPECT_TRUE(moment_at(rules, duaal, local("2024-11-30 23:59:59")).school_may_register);
  EXPECT_FALSE(moment_at(rules, duaal, local("2024-12-01 00:00")).school_may_register);
}

// "Als je Antwerpen aanduidt zien enkel de diensten van de provincie Antwerpen de leerling":
// in every CVO window, and between them, a request is seen only in its chosen province.
TEST(Calendars, CvoStudentsAreSeenOnlyByServicesOfTheChosenProvince) {
  auto defs = shipped_definitions();
  RuleEngine rules(defs);
  ServiceRef antwerpen{"dienst_ant", {"ANT", "VBR"}};
  ServiceRef limburg{"dienst_lim", {"LIM"}};
  for (const Calendar* cal : defs->calendars_of("cvo")) {
    for (const auto& round : cal->rounds) {
      EXPECT_EQ(round.scope, "province") << cal->year << " " << round.id;
      Instant t = round.window.opens + std::chrono::hours{1};
      Value in_antwerp =
          Object{{"province", "ANT"},
                 {"registered_at",
                  (round.window.opens - std::chrono::days{2}).time_since_epoch().count()}};
      for (Instant when : {t, *round.window.closes + std::chrono::hours{1}}) {
        auto seen = rules.visibility(*cal, antwerpen, when);
        auto unseen = rules.visibility(*cal, limburg, when);
        ASSERT_TRUE(seen && unseen);
        EXPECT_TRUE(matches(*seen, in_antwerp))
            << cal->year << " " << round.id << " " << format_local(when);
        EXPECT_FALSE(matches(*unseen, in_antwerp))
            << cal->year << " " << round.id << " " << format_local(when);
      }
      Moment m = moment_at(rules, *cal, t);
      EXPECT_NE(m.service_message.find("voor je provincie(s)"), std::string::npos)
          << m.service_message;
    }
  }
}

// "De tool blijft open": the weekly reminder goes on after the target date, by default for four
// weeks, or until the date the calendar names.
TEST(Calendars, RemindersGoOnWhileTheToolStaysOpen) {
  auto defs = shipped_definitions();
  RuleEngine rules(defs);
  auto reminders_after = [&](const Calendar& cal, Instant from) {
    std::vector<Instant> out;
    auto events = rules.events(cal);
    EXPECT_TRUE(events) << events.error().message;
    for (const auto& e : events ? *events : std::vector<TimedEvent>{})
      if (e.kind == "reminder" && e.at > from) out.push_back(e.at);
    return out;
  };
  const Calendar& secundair = *defs->calendar("secundair", "2025-2026");
  Instant target = local("2025-09-30 12:00");
  EXPECT_EQ(reminders_after(secundair, target),
            (std::vector<Instant>{local("2025-10-07 09:00"), local("2025-10-14 09:00"),
                                  local("2025-10-21 09:00"), local("2025-10-28 09:00")}));

  std::string text = R"(kind: calendar
name: secundair-2026-2027
version: 1
track: secundair
year: "2026-2027"
rounds:
  - {id: r1, kind: open, opens: 2026-09-07 12:00, closes: 2026-09-21 12:00}
  - {id: r2, kind: open_ended, opens: 2026-09-21 12:00}
reminders:
  every_days: 14
  until: 2026-11-30
)";
  LoadResult loaded = with_calendar(*defs, "calendars/secundair/2026-2027.yaml", text);
  ASSERT_TRUE(loaded.ok()) << loaded.diagnostics.sorted().front().to_string();
  auto later = reminders_after(*loaded.definitions->calendar("secundair", "2026-2027"),
                               local("2026-09-21 12:00"));
  EXPECT_EQ(later, (std::vector<Instant>{local("2026-10-05 09:00"), local("2026-10-19 09:00"),
                                         local("2026-11-02 09:00"), local("2026-11-16 09:00"),
                                         local("2026-11-30 09:00")}));
}

// The dubbele finaliteit referral phase: services see it on their page and get a mail when it
// starts, but see no request and set no status yet.
TEST(Calendars, DubbeleFinaliteitReferralPhaseIsAPhaseServicesAreToldAbout) {
  auto defs = shipped_definitions();
  RuleEngine rules(defs);
  const Calendar& cal = *defs->calendar("dubbele_finaliteit", "2025-2026");
  Moment m = moment_at(rules, cal, local("2025-07-01 10:00"));
  EXPECT_EQ(m.round_id, "doorverwijzen");
  EXPECT_FALSE(m.service_may_set_status);
  EXPECT_NE(m.service_message.find("Verwijs haar door naar de tool"), std::string::npos)
      << m.service_message;
  auto events = rules.events(cal);
  ASSERT_TRUE(events);
  auto opens = std::find_if(events->begin(), events->end(), [](const TimedEvent& e) {
    return e.kind == "round_opens" && e.round_id == "doorverwijzen";
  });
  ASSERT_NE(opens, events->end());
  EXPECT_EQ(opens->at, local("2025-06-16 00:00"));
  EXPECT_EQ(opens->audience, (std::vector<std::string>{"services"}));
  EXPECT_NE(opens->message.find("Verwijs haar door naar de tool"), std::string::npos)
      << opens->message;
  auto seen = rules.visibility(cal, ServiceRef{"dienst", {"ANT"}}, local("2025-07-01 10:00"));
  ASSERT_TRUE(seen);
  EXPECT_FALSE(
      matches(*seen, Value(Object{{"province", "ANT"}, {"registered_at", std::int64_t{0}}})));
}

TEST(Calendars, BlackoutRegistrationBecomesVisibleOn19SeptemberNoon) {
  auto defs = shipped_definitions();
  RuleEngine rules(defs);
  const Calendar& cal = *defs->calendar("secundair", "2025-2026");
  ServiceRef service{"dienst_a", {"ANT"}};
  // Registered during the blackout, naming dienst_a, living in its province.
  Value in_blackout =
      Object{{"province", "ANT"},
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
    for (std::size_t i = 1; i < events->size(); ++i)
      EXPECT_LE((*events)[i - 1].at, (*events)[i].at) << key;
    for (const auto& r : cal.rounds) {
      auto has = [&](const std::string& kind, Instant at) {
        return std::any_of(events->begin(), events->end(), [&](const TimedEvent& e) {
          return e.kind == kind && e.at == at && e.round_id == r.id;
        });
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

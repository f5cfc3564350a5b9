// The fifth track, "lokaal partnerschap", written as YAML and Lua only under
// tests/fixtures/lokale_partnerschappen: the same engine loads it, runs its transitions,
// validates its requests (the playbook's target group, stage lengths, combinations) and, through
// Matching over a real store, applies its privacy rule between partners.
#include <gtest/gtest.h>

#include <algorithm>

#include "db_support.hpp"
#include "matching.hpp"
#include "request_validation.hpp"
#include "test_support.hpp"
#include "transitions.hpp"

namespace stagematch {
namespace {

using testing::local;
using testing::source_path;

std::shared_ptr<const DefinitionSet> fixture_definitions() {
  static std::shared_ptr<const DefinitionSet> kSet = [] {
    LoadResult loaded =
        load_definitions(source_path("tests/fixtures/lokale_partnerschappen/workflows"),
                         source_path("tests/fixtures/lokale_partnerschappen/rules"));
    for (const auto& d : loaded.diagnostics.all()) ADD_FAILURE() << d.to_string();
    return std::shared_ptr<const DefinitionSet>(loaded.definitions);
  }();
  return kSet;
}

// A national register number for a birth date as written in its first six digits (a bis
// number's month 20 or 40 higher, 00 for an unknown month or day), with the check digits of
// the century: 97 - (the first 9 digits mod 97), with "2" put in front from 2000 on.
std::string national_number(int year, int month, int day, int sequence = 1) {
  auto digits = [](int n, std::size_t width) {
    std::string out = std::to_string(n);
    return std::string(width - std::min(width, out.size()), '0') + out;
  };
  const std::string first =
      digits(year % 100, 2) + digits(month, 2) + digits(day, 2) + digits(sequence, 3);
  const long long base = std::stoll(first) + (year >= 2000 ? 2'000'000'000LL : 0);
  return first + digits(static_cast<int>(97 - base % 97), 2);
}

class FifthTrack : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { defs_ = fixture_definitions(); }
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

  // What the track's Lua checks alone say, without the field types' own checks.
  std::vector<FieldProblem> rule_problems(const Value& request) {
    auto lua = rules().checks(workflow(), request);
    EXPECT_TRUE(lua) << (lua ? "" : lua.error().message);
    return lua ? *lua : std::vector<FieldProblem>{};
  }

  static bool has_error_on(const std::vector<FieldProblem>& problems, const std::string& field) {
    return std::any_of(problems.begin(), problems.end(), [&](const FieldProblem& p) {
      return p.field == field && p.severity == Severity::kError;
    });
  }

  static std::string message_on(const std::vector<FieldProblem>& problems,
                                const std::string& field) {
    for (const auto& p : problems)
      if (p.field == field && p.severity == Severity::kError) return p.message;
    return "";
  }

  static Value with(Value v, const std::string& key, Value value) {
    Object o = v.as_object();
    o[key] = std::move(value);
    return Value(std::move(o));
  }

  // A client born on the date in the national number, with a stage from `start`.
  static Value born(const std::string& nn, const std::string& start, const std::string& end) {
    return with(client(start, end), "national_number", nn);
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
  // Over the end of a February of 28 days: 15/02 to 16/03 is 30 calendar days, to 17/03 is 31.
  EXPECT_FALSE(has_error_on(all_problems(client("2027-02-15", "2027-03-16")), "periods"));
  auto long_stage = rule_problems(client("2027-02-15", "2027-03-17"));
  EXPECT_NE(message_on(long_stage, "periods").find("31 kalenderdagen"), std::string::npos)
      << message_on(long_stage, "periods");
}

TEST_F(FifthTrack, OrientationPhaseIsAtMostFiveDaysAndInsideTheStage) {
  const Value stage = client("2026-10-01", "2026-10-20");
  auto orientation = [&](const char* from, const char* to) {
    return all_problems(with(with(stage, "orientation_start", from), "orientation_end", to));
  };
  auto clean = [](const std::vector<FieldProblem>& problems) {
    return !has_error_on(problems, "orientation_start") &&
           !has_error_on(problems, "orientation_end");
  };
  // Five days on the stage's first days and on its last days: fine.
  EXPECT_TRUE(clean(orientation("2026-10-01", "2026-10-05")));
  EXPECT_TRUE(clean(orientation("2026-10-16", "2026-10-20")));
  // Six days: too long, said on the end with the number of days.
  auto six = orientation("2026-10-01", "2026-10-06");
  EXPECT_NE(message_on(six, "orientation_end").find("6 kalenderdagen; dat mag maximaal 5"),
            std::string::npos)
      << message_on(six, "orientation_end");
  // One day before the stage or one day after it: outside.
  for (auto [from, to] :
       {std::pair{"2026-09-30", "2026-10-03"}, std::pair{"2026-10-18", "2026-10-21"},
        std::pair{"2026-09-28", "2026-09-30"}}) {
    auto outside = orientation(from, to);
    EXPECT_NE(message_on(outside, "orientation_start").find("moet binnen de stage liggen"),
              std::string::npos)
        << from << " - " << to;
  }
  EXPECT_TRUE(has_error_on(orientation("2026-10-05", "2026-10-03"), "orientation_end"));
  EXPECT_TRUE(has_error_on(all_problems(with(stage, "orientation_end", "")), "orientation_end"));
  EXPECT_TRUE(
      has_error_on(all_problems(with(stage, "orientation_start", "")), "orientation_start"));
}

// Playbook 1.2: nobody younger than 16 on the start date, read from the national number.
TEST_F(FifthTrack, AClientYoungerThanSixteenOnTheStartDateIsRefused) {
  auto fifteen = all_problems(born(national_number(2010, 10, 2), "2026-10-01", "2026-10-20"));
  const std::string why = message_on(fifteen, "national_number");
  EXPECT_NE(why.find("rijksregisternummer"), std::string::npos) << why;
  EXPECT_NE(why.find("(01/10/2026) 15 jaar"), std::string::npos) << why;
  EXPECT_NE(why.find("jonger dan 16 jaar"), std::string::npos) << why;
  // Sixteen on the very day the stage starts: in the target group.
  auto sixteen = all_problems(born(national_number(2010, 10, 1), "2026-10-01", "2026-10-20"));
  EXPECT_FALSE(has_error_on(sixteen, "national_number"));
  // A combinatietraject that starts earlier is the start date.
  Value early = with(born(national_number(2010, 10, 1), "2026-10-01", "2026-10-20"), "combi_start",
                     "2026-09-30");
  EXPECT_TRUE(has_error_on(all_problems(early), "national_number"));
}

// Playbook 1.2: a client of 16 or 17 comes to the partnership only when the regular offer from
// education is no realistic option any more, confirmed in "Onderwijs gaat voor".
TEST_F(FifthTrack, SixteenAndSeventeenOnlyWhenEducationComesFirstIsConfirmed) {
  for (const auto& nn : {national_number(2010, 10, 1), national_number(2008, 10, 2)}) {
    Value young = born(nn, "2026-10-01", "2026-10-20");
    auto unconfirmed = all_problems(young);
    const std::string why = message_on(unconfirmed, "onderwijs_gaat_voor");
    EXPECT_NE(why.find("Onderwijs gaat voor"), std::string::npos) << nn << ": " << why;
    EXPECT_FALSE(has_error_on(unconfirmed, "national_number")) << nn;
    auto confirmed = all_problems(with(young, "onderwijs_gaat_voor", Array{"bevestigd"}));
    for (const auto& p : confirmed)
      EXPECT_NE(p.severity, Severity::kError) << nn << " " << p.field << ": " << p.message;
  }
  // Eighteen on the start date: nothing to confirm.
  EXPECT_TRUE(all_problems(born(national_number(2008, 10, 1), "2026-10-01", "2026-10-20")).empty());
  // Born on 29 February: still 17 on 28/02/2026, 18 on 01/03/2026.
  EXPECT_TRUE(
      has_error_on(all_problems(born(national_number(2008, 2, 29), "2026-02-28", "2026-03-10")),
                   "onderwijs_gaat_voor"));
  EXPECT_FALSE(
      has_error_on(all_problems(born(national_number(2008, 2, 29), "2026-03-01", "2026-03-10")),
                   "onderwijs_gaat_voor"));
}

// The check digits decide the century: the same first nine digits are 116 years old with the
// digits of the 1900s and 15 with those of the 2000s.
TEST_F(FifthTrack, TheCheckDigitsDecideTheCentury) {
  EXPECT_TRUE(all_problems(born(national_number(1910, 10, 2), "2026-10-01", "2026-10-20")).empty());
  EXPECT_TRUE(
      has_error_on(all_problems(born(national_number(2010, 10, 2), "2026-10-01", "2026-10-20")),
                   "national_number"));
}

// A bis number adds 20 (sex unknown) or 40 (sex known) to the birth month.
TEST_F(FifthTrack, BisNumbersCountTheirRealBirthMonth) {
  for (int shift : {20, 40}) {
    auto sixteen =
        all_problems(born(national_number(2010, 10 + shift, 1), "2026-10-01", "2026-10-20"));
    EXPECT_FALSE(has_error_on(sixteen, "national_number")) << shift;
    EXPECT_TRUE(has_error_on(sixteen, "onderwijs_gaat_voor")) << shift;
    auto fifteen =
        all_problems(born(national_number(2010, 10 + shift, 2), "2026-10-01", "2026-10-20"));
    EXPECT_TRUE(has_error_on(fifteen, "national_number")) << shift;
  }
}

// An unknown day (00) or month (00, or 20 or 40 in a bis number), or a day the month does not
// have, counts as the latest date the number can stand for: nobody too young gets through.
TEST_F(FifthTrack, AnUnknownBirthDayOrMonthCountsAsTheLatestPossibleDate) {
  struct Case {
    std::string nn;
    const char* still_fifteen;  // the start date before the sixteenth birthday at the latest
    const char* sixteen;        // that birthday
  };
  for (const Case& c : {Case{national_number(2010, 10, 0), "2026-10-30", "2026-10-31"},
                        Case{national_number(2010, 0, 0), "2026-12-30", "2026-12-31"},
                        Case{national_number(2010, 0, 15), "2026-12-14", "2026-12-15"},
                        Case{national_number(2010, 20, 0), "2026-12-30", "2026-12-31"},
                        Case{national_number(2010, 40, 0), "2026-12-30", "2026-12-31"},
                        Case{national_number(2010, 2, 31), "2026-02-27", "2026-02-28"}}) {
    EXPECT_TRUE(
        has_error_on(all_problems(born(c.nn, c.still_fifteen, c.still_fifteen)), "national_number"))
        << c.nn << " on " << c.still_fifteen;
    auto sixteen = all_problems(born(c.nn, c.sixteen, c.sixteen));
    EXPECT_FALSE(has_error_on(sixteen, "national_number")) << c.nn << " on " << c.sixteen;
    EXPECT_TRUE(has_error_on(sixteen, "onderwijs_gaat_voor")) << c.nn << " on " << c.sixteen;
  }
}

// Playbook 3.3: the field offers only what may be combined, and the excluded combinations are
// refused in the playbook's own words.
TEST_F(FifthTrack, ExcludedCombinationsAreRefusedInThePlaybooksWords) {
  const Value base = with(client("2026-10-01", "2026-10-20"), "combi_start", "2026-10-01");
  const FieldDef* field = workflow().field("combi_aanbod");
  ASSERT_NE(field, nullptr);
  for (const char* excluded : {"werkervaringsstage_los", "activeringstraject", "advies_welzijn"}) {
    EXPECT_FALSE(field->has_value(excluded)) << excluded;
    Value v = with(base, "combi_aanbod", Array{"opleiding", excluded});
    EXPECT_TRUE(has_error_on(all_problems(v), "combi_aanbod")) << excluded;
  }
  auto words = [&](const char* value) {
    return message_on(rule_problems(with(base, "combi_aanbod", Array{value})), "combi_aanbod");
  };
  EXPECT_NE(
      words("activeringstraject")
          .find("Een activeringstraject (werk- en zorgdecreet) kan niet als combinatietraject"),
      std::string::npos);
  EXPECT_NE(words("advies_welzijn").find("Klanten met een Advies welzijn"), std::string::npos);
  EXPECT_NE(words("werkervaringsstage_los")
                .find("steeds ingebed in bredere reguliere trajecten naar werk"),
            std::string::npos);
  // A werkervaringsstage on its own is the excluded "losstaande stage"; inside a trajectory to
  // work it may.
  auto alone = all_problems(with(base, "combi_aanbod", Array{"werkervaringsstage"}));
  EXPECT_NE(message_on(alone, "combi_aanbod").find("als losstaande stage"), std::string::npos)
      << message_on(alone, "combi_aanbod");
  EXPECT_TRUE(
      has_error_on(all_problems(with(base, "combi_aanbod",
                                     Array{"werkervaringsstage", "beroepsverkennende_stage"})),
                   "combi_aanbod"));
  EXPECT_FALSE(has_error_on(
      all_problems(with(base, "combi_aanbod", Array{"werkervaringsstage", "bemiddeling"})),
      "combi_aanbod"));
  for (const auto& [value, label] : field->values) {
    if (value == "werkervaringsstage") continue;
    EXPECT_FALSE(
        has_error_on(all_problems(with(base, "combi_aanbod", Array{value})), "combi_aanbod"))
        << value;
  }
  // A started combinatietraject says what it combines.
  EXPECT_NE(message_on(all_problems(base), "combi_aanbod").find("Kies met welk regulier aanbod"),
            std::string::npos);
  EXPECT_FALSE(has_error_on(all_problems(client("2026-10-01", "2026-10-20")), "combi_aanbod"));
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
  // Ended: result and next steps each required; a result without an end is not yet one.
  o["combi_result"] = "werk";
  o["next_steps"] = "";
  EXPECT_TRUE(has_error_on(all_problems(Value(o)), "next_steps"));
  o.erase("combi_end");
  o.erase("next_steps");
  EXPECT_TRUE(has_error_on(all_problems(Value(o)), "combi_end"));
  o.erase("combi_start");
  o["combi_end"] = "2027-02-01";
  o["next_steps"] = "Opleiding zorgkundige.";
  EXPECT_TRUE(has_error_on(all_problems(Value(o)), "combi_start"));
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
  auto after_year =
      decide_transition(r, workflow(), calendar(), closed, 1, local("2027-07-02 10:00"));
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

// Playbook, part III: "de communicatie verloopt steeds via de klant". Two partners of one
// partnership see the same client (signed up with the partnership, not with one partner); what
// one of them records is never shown to the other, before or after it takes the client in.
class FifthTrackPrivacy : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    store_ = testing::open_fresh_store(GetParam(), "fifth_track");
    ASSERT_NE(store_, nullptr);
    clock_ = std::make_unique<TestClock>(local("2026-10-05 09:00"));
    clock_->freeze(true);
    matching_ = std::make_unique<Matching>(
        *store_, [] { return fixture_definitions(); }, *clock_);
    begeleider_ = org("school", "Trajectbegeleiding Antwerpen", {}, {"lokaal_partnerschap"});
    partner_a_ = org("service", "Buurtwerk A", {"ANT"}, {});
    partner_b_ = org("service", "Zorgpunt B", {"ANT"}, {});
    mentor_a_ = store_
                    ->create_contact(ContactPerson{0, partner_a_, "Mentor Annelies", "03 555 12 34",
                                                   "annelies@buurtwerk-a.be"})
                    .value_or(0);
    ASSERT_GT(mentor_a_, 0);
    begeleider_contact_ =
        store_
            ->create_contact(
                ContactPerson{0, begeleider_, "Els Trajectbegeleider", "03 111 22 33", "els@tb.be"})
            .value_or(0);
    ASSERT_GT(begeleider_contact_, 0);
  }

  Id org(const std::string& type, const std::string& name, std::vector<std::string> provinces,
         std::vector<std::string> tracks) {
    auto id = store_->create_organisation(
        Organisation{0, type, name, std::move(provinces), std::move(tracks)});
    EXPECT_TRUE(id) << (id ? "" : id.error().message);
    return id.value_or(0);
  }

  Id register_client(std::optional<Id> partner) {
    Object o{{"first_name", "Sara"},
             {"last_name", "Peeters"},
             {"national_number", "85073003328"},
             {"phone", "0470 12 34 56"},
             {"email", "sara@example.be"},
             {"postal_code", "2000"},
             {"province", "ANT"},
             {"job_target", "Verzorgende"},
             {"period_count", 1},
             {"periods", Array{Object{{"start", "2026-10-12"}, {"end", "2026-10-30"}}}}};
    if (partner) o["preferred_service_id"] = *partner;
    // Registered as the partnership's trajectbegeleider does, through the engine.
    auto done = matching_->register_request(Actor{"school", 1, begeleider_}, "lokaal_partnerschap",
                                            Value(o));
    EXPECT_TRUE(done) << (done ? "" : done.error().code + ": " + done.error().message);
    return done ? done->id : 0;
  }

  Actor partner(Id id) const { return Actor{"service", 2, id}; }

  std::vector<Value> list(Id partner_id, const std::string& tab) {
    ListInput in;
    in.tab = tab;
    in.page_size = 500;
    auto out = matching_->list_requests(partner(partner_id), "lokaal_partnerschap", in);
    EXPECT_TRUE(out) << (out ? "" : out.error().message);
    return out ? out->items : std::vector<Value>{};
  }

  // The row of `id` in a partner's list, if the list shows it.
  std::optional<Value> row(Id partner_id, const std::string& tab, Id id) {
    for (const auto& item : list(partner_id, tab))
      if (item["id"].is_int() && item["id"].as_int() == id) return item;
    return std::nullopt;
  }

  // Nothing in `seen` tells of partner A: no acceptance, mentor or notes, none of A's words,
  // its status, name or mentor, and none of the client's contact data.
  void expect_nothing_of_a(const Value& seen, const std::string& where) {
    for (const char* key : {"accepted_by", "accepted_at", "accepted_periods", "mentor", "notes",
                            "national_number", "phone", "email"})
      EXPECT_FALSE(seen.as_object().contains(key)) << where << " shows " << key;
    const std::string json = seen.to_json();
    for (const char* of_a :
         {kNotesA, "verkenning", "in_stage", "Buurtwerk A", "Mentor Annelies", "03 555 12 34",
          "annelies@buurtwerk-a.be", "0470 12 34 56", "85073003328", "sara@example.be"})
      EXPECT_EQ(json.find(of_a), std::string::npos) << where << " shows " << of_a << ": " << json;
  }

  static constexpr const char* kNotesA = "Klant twijfelt over nachtdiensten";

  std::unique_ptr<Store> store_;
  std::unique_ptr<TestClock> clock_;
  std::unique_ptr<Matching> matching_;
  Id begeleider_ = 0, begeleider_contact_ = 0, partner_a_ = 0, partner_b_ = 0, mentor_a_ = 0;
};

TEST_P(FifthTrackPrivacy, PartnerBNeverSeesPartnerAsStatusNotesOrMentor) {
  Id client = register_client(std::nullopt);
  ASSERT_GT(client, 0);
  // Both partners see the client for the case discussion, with their own status only.
  ASSERT_TRUE(row(partner_b_, "open", client));
  ASSERT_TRUE(matching_->change_status(partner(partner_a_), client,
                                       StatusInput{"verkenning", {}, {}, kNotesA, ""}));

  auto b_view = matching_->view_request(partner(partner_b_), client);
  ASSERT_TRUE(b_view) << b_view.error().message;
  EXPECT_EQ((*b_view)["my_status"], Value("aangemeld"));
  expect_nothing_of_a(*b_view, "B's detail while A explores");
  auto b_row = row(partner_b_, "open", client);
  ASSERT_TRUE(b_row);
  EXPECT_EQ((*b_row)["my_status"], Value("aangemeld"));
  expect_nothing_of_a(*b_row, "B's list while A explores");
  auto a_view = matching_->view_request(partner(partner_a_), client);
  ASSERT_TRUE(a_view);
  EXPECT_EQ((*a_view)["my_status"], Value("verkenning"));

  // B explores too; A takes the client in, with its mentor and notes.
  ASSERT_TRUE(matching_->change_status(partner(partner_b_), client,
                                       StatusInput{"verkenning", {}, {}, "", ""}));
  const std::string take_in = std::string(kNotesA) + "; start maandag bij Mentor Annelies.";
  auto taken = matching_->change_status(partner(partner_a_), client,
                                        StatusInput{"in_stage", mentor_a_, {0}, take_in, ""});
  ASSERT_TRUE(taken) << taken.error().message;
  a_view = matching_->view_request(partner(partner_a_), client);
  ASSERT_TRUE(a_view);
  EXPECT_EQ((*a_view)["mentor"]["name"], Value("Mentor Annelies"))
      << "A itself sees what B must not";
  EXPECT_EQ((*a_view)["notes"], Value(take_in));
  EXPECT_TRUE(a_view->as_object().contains("national_number"));

  // B: the client is gone from every list and the detail, and B's own step is refused without
  // naming A or its mentor.
  EXPECT_FALSE(row(partner_b_, "open", client).has_value());
  EXPECT_FALSE(row(partner_b_, "accepted", client).has_value());
  auto gone = matching_->view_request(partner(partner_b_), client);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().kind, ErrorKind::not_found);
  auto refused = matching_->change_status(partner(partner_b_), client,
                                          StatusInput{"aangemeld", {}, {}, "", ""});
  ASSERT_FALSE(refused);
  for (const char* of_a : {"Buurtwerk A", "Mentor Annelies", kNotesA})
    EXPECT_EQ(refused.error().message.find(of_a), std::string::npos) << refused.error().message;

  // A closes the stage; B still sees nothing of it.
  auto closed = matching_->change_status(
      partner(partner_a_), client,
      StatusInput{"afgerond", {}, {}, "Stage afgerond, klant start opleiding.", ""});
  ASSERT_TRUE(closed) << closed.error().code << ": " << closed.error().message;
  EXPECT_FALSE(row(partner_b_, "open", client).has_value());
  EXPECT_FALSE(row(partner_b_, "accepted", client).has_value());
  EXPECT_FALSE(matching_->view_request(partner(partner_b_), client));
}

TEST_P(FifthTrackPrivacy, AClientWhoSignedUpWithPartnerAIsNeverShownToPartnerB) {
  Id client = register_client(partner_a_);
  ASSERT_GT(client, 0);
  ASSERT_TRUE(row(partner_a_, "open", client));
  ASSERT_TRUE(matching_->change_status(partner(partner_a_), client,
                                       StatusInput{"verkenning", {}, {}, kNotesA, ""}));
  for (int step = 0; step < 2; ++step) {
    EXPECT_FALSE(row(partner_b_, "open", client).has_value()) << step;
    EXPECT_FALSE(row(partner_b_, "accepted", client).has_value()) << step;
    auto b_view = matching_->view_request(partner(partner_b_), client);
    ASSERT_FALSE(b_view) << step;
    EXPECT_EQ(b_view.error().kind, ErrorKind::not_found) << step;
    if (step == 0) {
      ASSERT_TRUE(matching_->change_status(partner(partner_a_), client,
                                           StatusInput{"in_stage", mentor_a_, {0}, kNotesA, ""}));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Databases, FifthTrackPrivacy, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace stagematch

// Every transition of every shipped workflow that is allowed, one that is refused per track,
// the round-closed refusal, what accepting requires, and duaal's invite-first rule.
#include "transitions.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace stagematch {
namespace {

using testing::local;
using testing::shipped_definitions;

// A moment inside an active round of each track's calendar.
struct TrackCase {
  friend void PrintTo(const TrackCase& c, std::ostream* os) { *os << c.track; }
  const char* track;
  const char* year;
  const char* in_round;
  const char* closed;  // a moment when the track is closed
};

const TrackCase kTracks[] = {
    {"secundair", "2025-2026", "2025-09-10 10:00", "2025-08-20 10:00"},
    {"duaal", "2024-2025", "2024-09-10 10:00", "2024-12-10 10:00"},
    {"cvo", "2024-2025", "2024-09-10 10:00", "2024-10-10 10:00"},
    {"dubbele_finaliteit", "2026-2027", "2026-09-20 10:00", "2026-10-10 10:00"},
};

StatusChange complete(const std::string& from, const std::string& to, const std::string& role) {
  StatusChange c{from, to, role, "mentor_1", {0}, "Start op maandag.", ""};
  if (role == "admin") c.reason = "Verkeerd aanvaard, op vraag van de school.";
  return c;
}

class TrackTransitions : public ::testing::TestWithParam<TrackCase> {
 protected:
  std::shared_ptr<const DefinitionSet> defs = shipped_definitions();
  RuleEngine rules{defs};
  const Workflow& workflow() { return *defs->workflow(GetParam().track); }
  const Calendar& calendar() { return *defs->calendar(GetParam().track, GetParam().year); }
};

TEST_P(TrackTransitions, EveryRowOfTheTableIsAllowedInARound) {
  ASSERT_FALSE(workflow().transitions.empty());
  for (const auto& row : workflow().transitions) {
    for (const auto& from : row.from) {
      auto decided =
          decide_transition(rules, workflow(), calendar(), complete(from, row.to, row.by), 2,
                            local(GetParam().in_round));
      EXPECT_TRUE(decided) << from << " -> " << row.to << " by " << row.by << ": "
                           << (decided ? "" : decided.error().message);
    }
  }
}

TEST_P(TrackTransitions, AStatusChangeOutsideTheTableIsRefused) {
  // Accepted is final for a service: it cannot go back to undecided.
  auto decided =
      decide_transition(rules, workflow(), calendar(), complete("aanvaard", "onbeslist", "service"),
                        2, local(GetParam().in_round));
  ASSERT_FALSE(decided);
  EXPECT_EQ(decided.error().error, "transition_not_allowed");
  auto unknown =
      decide_transition(rules, workflow(), calendar(), complete("onbeslist", "aanvard", "service"),
                        2, local(GetParam().in_round));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().error, "transition_not_allowed");
}

TEST_P(TrackTransitions, ServicesCannotSetStatusesWhenTheTrackIsClosed) {
  const std::string first = workflow().next_statuses("onbeslist", "service").front();
  auto decided =
      decide_transition(rules, workflow(), calendar(), complete("onbeslist", first, "service"), 2,
                        local(GetParam().closed));
  ASSERT_FALSE(decided);
  EXPECT_EQ(decided.error().error, "round_closed");
  EXPECT_FALSE(decided.error().message.empty());
}

TEST_P(TrackTransitions, AcceptingNeedsAMentorAndPeriodsNotNotes) {
  std::string from = GetParam().track == std::string("duaal") ? "uitgenodigd" : "onbeslist";
  Instant now = local(GetParam().in_round);
  StatusChange no_mentor = complete(from, "aanvaard", "service");
  no_mentor.mentor_id.clear();
  StatusChange no_periods = complete(from, "aanvaard", "service");
  no_periods.periods.clear();
  StatusChange bad_period = complete(from, "aanvaard", "service");
  bad_period.periods = {2};
  for (const auto& [change, field] :
       {std::pair{no_mentor, "mentor_id"}, std::pair{no_periods, "periods"},
        std::pair{bad_period, "periods"}}) {
    auto decided = decide_transition(rules, workflow(), calendar(), change, 2, now);
    ASSERT_FALSE(decided) << field;
    EXPECT_EQ(decided.error().error, "missing_requirement");
    EXPECT_EQ(decided.error().field, field);
  }
  // Notes are optional ("desgewenst") in every track.
  StatusChange no_notes = complete(from, "aanvaard", "service");
  no_notes.notes = "   ";
  auto without_notes = decide_transition(rules, workflow(), calendar(), no_notes, 2, now);
  EXPECT_TRUE(without_notes) << (without_notes ? "" : without_notes.error().message);
}

TEST_P(TrackTransitions, AStudentWithoutPeriodsIsAcceptedWithoutPeriodsButNeverWithoutAMentor) {
  std::string from = GetParam().track == std::string("duaal") ? "uitgenodigd" : "onbeslist";
  Instant now = local(GetParam().in_round);
  StatusChange no_periods = complete(from, "aanvaard", "service");
  no_periods.periods.clear();
  auto accepted = decide_transition(rules, workflow(), calendar(), no_periods, 0, now);
  EXPECT_TRUE(accepted) << (accepted ? "" : accepted.error().message);
  StatusChange a_period = complete(from, "aanvaard", "service");
  auto invented = decide_transition(rules, workflow(), calendar(), a_period, 0, now);
  ASSERT_FALSE(invented);
  EXPECT_EQ(invented.error().field, "periods");
  StatusChange no_mentor = no_periods;
  no_mentor.mentor_id.clear();
  auto refused = decide_transition(rules, workflow(), calendar(), no_mentor, 0, now);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().field, "mentor_id");
}

TEST_P(TrackTransitions, OnlyAnAdminUndoesAnAcceptanceWithAReason) {
  Instant now = local(GetParam().in_round);
  EXPECT_TRUE(decide_transition(rules, workflow(), calendar(),
                                complete("aanvaard", "onbeslist", "admin"), 2, now));
  StatusChange no_reason = complete("aanvaard", "onbeslist", "admin");
  no_reason.reason.clear();
  auto decided = decide_transition(rules, workflow(), calendar(), no_reason, 2, now);
  ASSERT_FALSE(decided);
  EXPECT_EQ(decided.error().field, "reason");
}

TEST_P(TrackTransitions, AcceptedIsExclusiveAndFinalAndRevealsPersonalData) {
  const StatusDef* accepted = workflow().status("aanvaard");
  ASSERT_NE(accepted, nullptr);
  EXPECT_TRUE(accepted->exclusive);
  EXPECT_TRUE(accepted->final);
  EXPECT_TRUE(workflow().reveals("aanvaard"));
  for (const char* f :
       {"national_number", "phone", "email", "school_contact.phone", "school_contact.email"})
    EXPECT_TRUE(workflow().is_personal(f)) << f;
  EXPECT_EQ(workflow().initial_status()->id, "onbeslist");
}

INSTANTIATE_TEST_SUITE_P(Shipped, TrackTransitions, ::testing::ValuesIn(kTracks),
                         [](const auto& param_info) {
                           return std::string(param_info.param.track);
                         });

TEST(Duaal, ServicesInviteBeforeTheyAccept) {
  auto defs = shipped_definitions();
  RuleEngine rules(defs);
  const Workflow& duaal = *defs->workflow("duaal");
  const Calendar& cal = *defs->calendar("duaal", "2025-2026");
  Instant now = local("2025-09-10 10:00");
  auto direct =
      decide_transition(rules, duaal, cal, complete("onbeslist", "aanvaard", "service"), 1, now);
  ASSERT_FALSE(direct);
  EXPECT_EQ(direct.error().error, "transition_not_allowed");
  EXPECT_TRUE(decide_transition(rules, duaal, cal, complete("onbeslist", "uitgenodigd", "service"),
                                1, now));
  EXPECT_TRUE(
      decide_transition(rules, duaal, cal, complete("uitgenodigd", "aanvaard", "service"), 1, now));
  EXPECT_TRUE(decide_transition(rules, duaal, cal,
                                complete("uitgenodigd", "niet_opgedaagd", "service"), 1, now));
  EXPECT_TRUE(decide_transition(rules, duaal, cal,
                                complete("onbeslist", "niet_uitgenodigd", "service"), 1, now));
  auto first_choices = duaal.next_statuses("onbeslist", "service");
  EXPECT_EQ(std::count(first_choices.begin(), first_choices.end(), "aanvaard"), 0);
  // An invitation already reveals the personal data.
  EXPECT_TRUE(duaal.reveals("uitgenodigd"));
  EXPECT_FALSE(defs->workflow("secundair")->reveals("uitgenodigd"));
}

TEST(Duaal, DuaalStatusesAreTheSixOfTheSpec) {
  auto defs = shipped_definitions();
  std::vector<std::string> ids;
  for (const auto& s : defs->workflow("duaal")->statuses) ids.push_back(s.id);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<std::string>{"aanvaard", "niet_aanvaard", "niet_opgedaagd",
                                           "niet_uitgenodigd", "onbeslist", "uitgenodigd"}));
  for (const char* track : {"secundair", "cvo", "dubbele_finaliteit"}) {
    std::vector<std::string> three;
    for (const auto& s : defs->workflow(track)->statuses) three.push_back(s.id);
    std::sort(three.begin(), three.end());
    EXPECT_EQ(three, (std::vector<std::string>{"aanvaard", "niet_aanvaard", "onbeslist"})) << track;
  }
}

}  // namespace
}  // namespace stagematch

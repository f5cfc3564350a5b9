// The agenda: the feed address on /agenda (made, shown once, renewed, revoked, audited), the feed
// at /agenda/TOKEN.ics without a session (its tracks per role, only dates, a published calendar at
// once), on SQLite and on PostgreSQL; and the iCalendar writer's lines (folding, escaping, time
// zone). tests/agenda_ics.py reads a real server's feed with an independent parser.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "icalendar.hpp"
#include "json.hpp"
#include "pages_support.hpp"
#include "server.hpp"

namespace stagematch {
namespace {

using testing::contains;
using testing::count_of;
using testing::header_of;

// The feed address a page shows (only right after it was made), as a path; empty when none.
std::string feed_path(const std::string& html) {
  static const std::regex address(
      R"re(>http://stagematch\.test(/agenda/[A-Za-z0-9_-]{43}\.ics)</textarea>)re");
  std::smatch m;
  return std::regex_search(html, m, address) ? std::string(m[1]) : std::string();
}

// The UIDs of a feed's events.
std::set<std::string> uids(const std::string& ics) {
  static const std::regex uid("\r\nUID:([^\r]+)\r\n");
  std::set<std::string> out;
  for (auto it = std::sregex_iterator(ics.begin(), ics.end(), uid); it != std::sregex_iterator();
       ++it)
    out.insert((*it)[1]);
  return out;
}

// The tracks a feed's events belong to (a UID starts with the track).
std::set<std::string> tracks_of(const std::string& ics) {
  std::set<std::string> out;
  for (const auto& u : uids(ics)) out.insert(u.substr(0, u.find('-')));
  return out;
}

class AgendaPages : public testing::Pages {
 protected:
  // Makes (or renews) `who`'s address through the page and returns its path.
  std::string new_address(const std::string& who) {
    HttpResponse res = post("/agenda/nieuw", {}, who);
    EXPECT_EQ(res.status, 200) << res.body;
    std::string path = feed_path(res.body);
    EXPECT_FALSE(path.empty()) << res.body;
    return path;
  }

  std::vector<AuditEntry> agenda_audit() {
    std::vector<AuditEntry> out;
    for (const auto& e : store_->audit_log(1000))
      if (e.action.starts_with("agenda.")) out.push_back(e);
    return out;
  }

  void address_is_shown_once_and_stored_only_as_its_hash() {
    HttpResponse before = get("/agenda", "school");
    ASSERT_EQ(before.status, 200);
    testing::expect_accessible_page(before.body, "/agenda");
    EXPECT_TRUE(contains(before.body, "Je hebt nog geen agenda-adres"));
    std::string path = new_address("school");
    ASSERT_FALSE(path.empty());
    const std::string token = path.substr(8, 43);
    // The page after: the address exists, and it is not shown again.
    HttpResponse after = get("/agenda", "school");
    EXPECT_TRUE(contains(after.body, "Je hebt een agenda-adres"));
    EXPECT_FALSE(contains(after.body, token));
    // Only the SHA-256 is kept: the stored hash finds the user, the token itself does not.
    Id school_user = store_->user_by_email(email_of("school"))->user.id;
    EXPECT_EQ(store_->agenda_token_user(token_hash(token)), school_user);
    EXPECT_EQ(store_->agenda_token_user(token), std::nullopt);
    // Audited without the token.
    auto audit = agenda_audit();
    ASSERT_EQ(audit.size(), 1u);
    EXPECT_EQ(audit[0].action, "agenda.create");
    EXPECT_EQ(audit[0].object_id, school_user);
    EXPECT_FALSE(contains(audit[0].detail, token));
  }

  void the_feed_needs_no_session_and_holds_the_schools_tracks_only() {
    std::string path = new_address("school");
    HttpResponse feed = get(path);  // no browser: no session, no cookie
    ASSERT_EQ(feed.status, 200) << feed.body;
    EXPECT_EQ(feed.content_type, "text/calendar; charset=utf-8");
    EXPECT_TRUE(feed.body.starts_with("BEGIN:VCALENDAR\r\n"));
    EXPECT_TRUE(contains(feed.body, "BEGIN:VTIMEZONE\r\nTZID:Europe/Brussels\r\n"));
    EXPECT_EQ(tracks_of(feed.body),
              (std::set<std::string>{"cvo", "duaal", "dubbele_finaliteit", "secundair"}));
    // A school entitled to one track sees that track only.
    Id small = org("school", "Eén traject", {}, {"duaal"});
    user("duaal_school", "school", small);
    EXPECT_EQ(tracks_of(get(new_address("duaal_school")).body), std::set<std::string>{"duaal"});
    // Each calendar's round openings, closings and registration windows are there.
    std::set<std::string> events = uids(feed.body);
    for (const char* uid : {"secundair-2025-2026-round_opens-ronde_3@stagematch",
                            "secundair-2025-2026-round_closes-ronde_3@stagematch",
                            "secundair-2025-2026-registration_opens-kalender@stagematch",
                            "secundair-2025-2026-registration_closes-kalender@stagematch",
                            "cvo-2022-2023-registration_closes-ronde_2@stagematch",
                            "dubbele_finaliteit-2026-2027-results_visible-behandeling@stagematch"})
      EXPECT_TRUE(events.contains(uid)) << uid;
    // Reminders are mails, not dates.
    EXPECT_FALSE(contains(feed.body, "reminder"));
    // Round 3 of secundair 2025-2026 opens 19/09/2025 12:00, in summer time.
    EXPECT_TRUE(contains(feed.body,
                         "UID:secundair-2025-2026-round_opens-ronde_3@stagematch\r\nDTSTAMP:"
                         "20250920T100000Z\r\nDTSTART;TZID=Europe/Brussels:20250919T120000\r\n"));
  }

  void services_and_admins_get_every_track() {
    const std::set<std::string> all{"cvo", "duaal", "dubbele_finaliteit", "secundair"};
    EXPECT_EQ(tracks_of(get(new_address("service_x")).body), all);
    EXPECT_EQ(tracks_of(get(new_address("admin")).body), all);
  }

  void renewing_stops_the_old_address_and_revoking_the_new_one() {
    std::string first = new_address("service_x");
    ASSERT_EQ(get(first).status, 200);
    std::string second = new_address("service_x");
    ASSERT_NE(first, second);
    HttpResponse old = get(first);
    HttpResponse unknown = get("/agenda/" + std::string(43, 'A') + ".ics");
    EXPECT_EQ(old.status, 404);
    EXPECT_EQ(old.body, unknown.body);  // nothing tells a renewed address from one never made
    EXPECT_EQ(get(second).status, 200);
    HttpResponse revoked = post("/agenda/intrekken", {}, "service_x");
    EXPECT_EQ(revoked.status, 303);
    EXPECT_EQ(get(second).status, 404);
    EXPECT_TRUE(
        contains(get("/agenda?ingetrokken=1", "service_x").body, "Je hebt nog geen agenda-adres"));
    std::vector<std::string> actions;
    for (const auto& e : agenda_audit()) actions.push_back(e.action);
    std::sort(actions.begin(), actions.end());
    EXPECT_EQ(actions,
              (std::vector<std::string>{"agenda.create", "agenda.renew", "agenda.revoke"}));
    // Every other address shape is a 404 too.
    for (const std::string& path :
         {std::string("/agenda/kort.ics"), std::string("/agenda/") + second.substr(8, 43),
          "/agenda/" + second.substr(8, 43) + ".ics.ics"})
      EXPECT_EQ(get(path).status, 404) << path;
  }

  void a_disabled_accounts_feed_stops() {
    std::string path = new_address("service_y");
    ASSERT_EQ(get(path).status, 200);
    storage::Db db(storage::parse_store_url(url_), 1);
    db.transact(storage::TxMode::kWrite, [](storage::Tx& tx) {
      return tx.exec("UPDATE users SET disabled_at = 1 WHERE email = 'service_y@stagematch.test'");
    });
    EXPECT_EQ(get(path).status, 404);
  }

  void without_the_forms_token_nothing_is_made() {
    HttpResponse res = post("/agenda/nieuw", {}, "school", false);
    EXPECT_EQ(res.status, 403);
    EXPECT_TRUE(agenda_audit().empty());
    EXPECT_EQ(store_->agenda_token_since(store_->user_by_email(email_of("school"))->user.id),
              std::nullopt);
    // Without a session there is no page, only the way to log in.
    EXPECT_EQ(get("/agenda").status, 303);
  }

  void the_feed_reveals_nothing_but_dates() {
    register_student("Verborgenhuis");
    std::string feed = get(new_address("admin")).body;
    for (const char* secret : {"Verborgenhuis", testing::kNationalNumber, testing::kStudentEmail,
                               "Sint-Jozef", "@stagematch.test"})
      EXPECT_FALSE(contains(feed, secret)) << secret;
  }

  void a_published_calendar_is_in_the_feed_at_once() {
    std::string path = new_address("school");
    const std::string uid = "UID:secundair-2025-2026-round_opens-ronde_2@stagematch\r\n";
    ASSERT_TRUE(contains(get(path).body, uid + "DTSTAMP:20250920T100000Z\r\n"
                                               "DTSTART;TZID=Europe/Brussels:20250905T120000\r\n"));
    std::ifstream in(testing::source_path("workflows/calendars/secundair/2025-2026.yaml"));
    std::stringstream text;
    text << in.rdbuf();
    std::string yaml = text.str();
    auto at = yaml.find("opens: 2025-09-05 12:00");
    ASSERT_NE(at, std::string::npos);
    yaml.replace(at, 23, "opens: 2025-09-04 12:00");
    auto published = engine_->calendars.publish(
        admin_actor(), CalendarUpload{"calendars/secundair/2025-2026.yaml", yaml, {}, {}});
    ASSERT_TRUE(published) << published.error().message;
    EXPECT_TRUE(contains(get(path).body, uid + "DTSTAMP:20250920T100000Z\r\n"
                                               "DTSTART;TZID=Europe/Brussels:20250904T120000\r\n"));
  }

  // A call of the JSON API as `who` (its session and the X-CSRF-Token header).
  HttpResponse api(const std::string& method, const std::string& path, const std::string& who) {
    HttpRequest req;
    req.method = method;
    req.path = path;
    if (!who.empty()) {
      req.cookies[kSessionCookie] = browser(who).cookie;
      req.headers["x-csrf-token"] = browser(who).csrf;
    }
    return app_->handle(req);
  }

  void the_api_makes_renews_and_revokes_the_callers_own_address() {
    EXPECT_EQ(api("GET", "/api/v1/agenda", "").status, 401);
    HttpResponse none = api("GET", "/api/v1/agenda", "service_y");
    EXPECT_EQ(none.status, 200);
    EXPECT_EQ(parse_json(none.body)->to_json(), R"({"exists":false,"since":null})");
    HttpResponse made = api("POST", "/api/v1/agenda", "service_y");
    ASSERT_EQ(made.status, 201) << made.body;
    std::string first = (*parse_json(made.body))["url"].as_string();
    ASSERT_TRUE(first.starts_with("http://stagematch.test/agenda/")) << first;
    first = first.substr(std::string("http://stagematch.test").size());
    EXPECT_EQ(get(first).status, 200);
    HttpResponse again = api("POST", "/api/v1/agenda", "service_y");
    std::string second = (*parse_json(again.body))["url"].as_string();
    EXPECT_EQ(get(first).status, 404);
    EXPECT_EQ(parse_json(api("GET", "/api/v1/agenda", "service_y").body)->to_json(),
              R"({"exists":true,"since":"2025-09-20T12:00:00+02:00"})");
    EXPECT_EQ(api("DELETE", "/api/v1/agenda", "service_y").status, 204);
    EXPECT_EQ(get(second.substr(std::string("http://stagematch.test").size())).status, 404);
  }

  void every_start_page_links_to_the_agenda() {
    for (const char* who : {"school", "service_x", "admin"}) {
      HttpResponse home = get("/", who);
      HttpResponse start = get(header_of(home, "Location"), who);
      EXPECT_TRUE(contains(start.body, "<a href=\"/agenda\">Agenda</a>")) << who;
    }
  }
};

TEST_F(AgendaPages, TheAddressIsShownOnceAndStoredOnlyAsItsHash) {
  address_is_shown_once_and_stored_only_as_its_hash();
}
TEST_F(AgendaPages, TheFeedNeedsNoSessionAndHoldsTheSchoolsTracksOnly) {
  the_feed_needs_no_session_and_holds_the_schools_tracks_only();
}
TEST_F(AgendaPages, ServicesAndAdminsGetEveryTrack) { services_and_admins_get_every_track(); }
TEST_F(AgendaPages, RenewingStopsTheOldAddressAndRevokingTheNewOne) {
  renewing_stops_the_old_address_and_revoking_the_new_one();
}
TEST_F(AgendaPages, WithoutTheFormsTokenNothingIsMade) {
  without_the_forms_token_nothing_is_made();
}
TEST_F(AgendaPages, ADisabledAccountsFeedStops) { a_disabled_accounts_feed_stops(); }
TEST_F(AgendaPages, TheFeedRevealsNothingButDates) { the_feed_reveals_nothing_but_dates(); }
TEST_F(AgendaPages, APublishedCalendarIsInTheFeedAtOnce) {
  a_published_calendar_is_in_the_feed_at_once();
}
TEST_F(AgendaPages, EveryStartPageLinksToTheAgenda) { every_start_page_links_to_the_agenda(); }
TEST_F(AgendaPages, TheApiMakesRenewsAndRevokesTheCallersOwnAddress) {
  the_api_makes_renews_and_revokes_the_callers_own_address();
}

class AgendaPagesOnPostgres : public AgendaPages {
 protected:
  std::string store_url() override {
    return testing::fresh_database("postgresql", "agenda_" + std::to_string(::getpid()));
  }
};

TEST_F(AgendaPagesOnPostgres, TheAddressIsShownOnceAndStoredOnlyAsItsHash) {
  address_is_shown_once_and_stored_only_as_its_hash();
}
TEST_F(AgendaPagesOnPostgres, TheFeedNeedsNoSessionAndHoldsTheSchoolsTracksOnly) {
  the_feed_needs_no_session_and_holds_the_schools_tracks_only();
}
TEST_F(AgendaPagesOnPostgres, RenewingStopsTheOldAddressAndRevokingTheNewOne) {
  renewing_stops_the_old_address_and_revoking_the_new_one();
}
TEST_F(AgendaPagesOnPostgres, ADisabledAccountsFeedStops) { a_disabled_accounts_feed_stops(); }
TEST_F(AgendaPagesOnPostgres, WithoutTheFormsTokenNothingIsMade) {
  without_the_forms_token_nothing_is_made();
}

// ---- the iCalendar writer ------------------------------------------------------------------

TEST(Icalendar, TextValuesAreEscaped) {
  EXPECT_EQ(ical_text("a,b;c\\d\ne\r\nf"), "a\\,b\\;c\\\\d\\ne\\nf");
}

TEST(Icalendar, LongLinesFoldAt75OctetsAndNeverInsideACharacter) {
  std::string line = "SUMMARY:" + std::string(66, 'x') + "éééé";  // é is two octets
  std::string folded = ical_line(line);
  // 8 + 66 = 74 octets, then é would make 76: the fold comes before it.
  EXPECT_EQ(folded, "SUMMARY:" + std::string(66, 'x') + "\r\n éééé\r\n");
  std::string long_line = "DESCRIPTION:" + std::string(300, 'y');
  std::string out = ical_line(long_line);
  std::size_t start = 0;
  std::string unfolded;
  while (start < out.size()) {
    std::size_t end = out.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end - start, 75u);
    unfolded += out.substr(start == 0 ? start : start + 1, end - (start == 0 ? start : start + 1));
    start = end + 2;
  }
  EXPECT_EQ(unfolded, long_line);
}

TEST(Icalendar, MomentsAreBelgianLocalTimeWithTheirTimezone) {
  IcalFeed feed{
      "Rondes, data",
      testing::local("2026-12-06 08:00"),
      {{"zomer@x", testing::local("2025-09-19 12:00"), "Start", ""},
       {"winter@x", testing::local("2025-11-15 12:00"), "Start", "a;b"},
       // The hour October repeats: 02:30 summer time, then 02:30 winter time.
       {"eerste@x", testing::local("2025-10-26 02:30"), "Eerste", ""},
       {"tweede@x", testing::local("2025-10-26 02:30") + std::chrono::hours{1}, "Tweede", ""}}};
  std::string ics = write_icalendar(feed);
  EXPECT_TRUE(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
  EXPECT_TRUE(ics.ends_with("END:VCALENDAR\r\n"));
  EXPECT_TRUE(contains(ics, "X-WR-CALNAME:Rondes\\, data\r\n"));
  EXPECT_TRUE(contains(ics,
                       "UID:zomer@x\r\nDTSTAMP:20261206T070000Z\r\n"
                       "DTSTART;TZID=Europe/Brussels:20250919T120000\r\n"));
  EXPECT_TRUE(contains(ics, "DTSTART;TZID=Europe/Brussels:20251115T120000\r\n"));
  EXPECT_TRUE(contains(ics, "DESCRIPTION:a\\;b\r\n"));
  EXPECT_TRUE(contains(ics,
                       "UID:eerste@x\r\nDTSTAMP:20261206T070000Z\r\n"
                       "DTSTART;TZID=Europe/Brussels:20251026T023000\r\n"));
  // The second 02:30 would read as the first: it is written in UTC.
  EXPECT_TRUE(
      contains(ics, "UID:tweede@x\r\nDTSTAMP:20261206T070000Z\r\nDTSTART:20251026T013000Z\r\n"));
  EXPECT_TRUE(contains(ics, "BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"));
  EXPECT_TRUE(contains(ics, "BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"));
  EXPECT_EQ(count_of(ics, "BEGIN:VEVENT\r\n"), 4u);
  for (std::size_t at = 0; (at = ics.find('\n', at)) != std::string::npos; ++at)
    ASSERT_EQ(ics[at - 1], '\r');
}

// ---- the request log -----------------------------------------------------------------------

TEST(AgendaLog, TheRequestLogNeverHoldsAFeedToken) {
  EXPECT_EQ(path_for_log("/agenda/QCYA4V9lyYuAcI7YDzLAD8BxsjyppNoNVEjIQg-KIko.ics"),
            "/agenda/[verborgen]");
  EXPECT_EQ(path_for_log("/agenda"), "/agenda");
  EXPECT_EQ(path_for_log("/school/secundair"), "/school/secundair");
}

}  // namespace
}  // namespace stagematch

#include "demo.hpp"

#include <array>
#include <cstdio>
#include <map>
#include <string>

#include "capacity.hpp"
#include "gazetteer.hpp"
#include "matching.hpp"

namespace stagematch {

namespace {

constexpr const char* kPassword = "stagematch-demo";
constexpr const char* kAdminEmail = "beheerder@demo.stagematch.be";
constexpr const char* kActor = "demo";

struct DemoOrg {
  const char* email;
  const char* type;
  const char* name;
  std::vector<std::string> provinces;   // services
  std::array<const char*, 2> contacts;  // contact person names
};

// The organisations, each with one login. Two services share Antwerp, so a newcomer can see
// that the first one to accept wins.
const std::vector<DemoOrg>& demo_orgs() {
  static const std::vector<DemoOrg> kOrgs = {
      {"school@demo.stagematch.be",
       "school",
       "GO! Campus Zorgwijs Antwerpen",
       {},
       {"Els Peeters", "Koen Janssens"}},
      {"school2@demo.stagematch.be",
       "school",
       "Sint-Jozef Zorgschool Gent",
       {},
       {"Griet Maes", "Pieter De Smet"}},
      {"dienst@demo.stagematch.be",
       "service",
       "Thuiszorg Demo Antwerpen",
       {"ANT", "VBR"},
       {"An Claes", "Tom Willems"}},
      {"dienst2@demo.stagematch.be",
       "service",
       "Thuiszorg Demo Kempen",
       {"ANT", "LIM"},
       {"Sofie Goossens", "Bart Wouters"}},
      {"dienst3@demo.stagematch.be",
       "service",
       "Thuiszorg Demo Vlaanderen-Oost",
       {"OVL", "WVL"},
       {"Lies Mertens", "Wim Dubois"}},
  };
  return kOrgs;
}

struct Place {
  const char* province;
  const char* postal_code;
  const char* city;
};

constexpr std::array<Place, 8> kPlaces = {{{"ANT", "2000", "Antwerpen"},
                                           {"ANT", "2300", "Turnhout"},
                                           {"VBR", "3000", "Leuven"},
                                           {"LIM", "3500", "Hasselt"},
                                           {"OVL", "9000", "Gent"},
                                           {"WVL", "8000", "Brugge"},
                                           {"ANT", "2800", "Mechelen"},
                                           {"LIM", "3600", "Genk"}}};
constexpr std::array<const char*, 12> kFirstNames = {"Lotte", "Noah",   "Emma", "Liam",
                                                     "Fien",  "Arthur", "Nora", "Louis",
                                                     "Ella",  "Jules",  "Mila", "Finn"};
constexpr std::array<const char*, 12> kLastNames = {
    "Vermeulen", "Jacobs", "Peeters", "Hermans",   "Lambrechts", "Michiels",
    "Segers",    "Smets",  "Aerts",   "Van Damme", "De Clercq",  "Verstraete"};

// `value` in decimal, left-padded with zeros to `width` digits.
std::string digits(long long value, int width) {
  std::string text = std::to_string(value);
  return std::string(text.size() < static_cast<std::size_t>(width) ? width - text.size() : 0, '0') +
         text;
}

std::string local_date(Instant at, int days_ahead) {
  LocalDateTime d = to_brussels(add_local_days(at, days_ahead));
  return digits(d.year, 4) + "-" + digits(d.month, 2) + "-" + digits(d.day, 2);
}

// A national number that passes the check digits: born in 2008, a running number per student.
std::string national_number(int n) {
  int month = 1 + n % 12;
  int day = 1 + n % 28;
  int sequence = 1 + (n * 2) % 997;
  std::int64_t base = 8 * 10'000'000LL + month * 100'000LL + day * 1'000LL + sequence;
  int check = static_cast<int>(97 - (2'000'000'000LL + base) % 97);
  return digits(base, 9) + digits(check, 2);
}

// Every field a student request needs in `workflow`; the track's own required choices
// (duaal's weekdays, say) take their first values.
Value student_fields(const Workflow& workflow, int n, Id school_contact,
                     std::optional<Id> preferred, Instant now) {
  const Place& place = kPlaces[n % kPlaces.size()];
  Object o{
      {"first_name", kFirstNames[n % kFirstNames.size()]},
      {"last_name", kLastNames[(n * 5 + n / 12) % kLastNames.size()]},
      {"national_number", national_number(n)},
      {"street", "Kerkstraat " + std::to_string(1 + n)},
      {"postal_code", place.postal_code},
      {"city", place.city},
      {"province", place.province},
      {"phone", "0470 12 " + digits(n % 100, 2) + " " + digits((n * 7) % 100, 2)},
      {"email", "student" + std::to_string(n) + "@demo.stagematch.be"},
      {"transport", n % 2 ? Array{"fiets", "openbaar_vervoer"} : Array{"auto"}},
      {"school_contact_id", school_contact},
      {"form", "alternerend"},
      {"period_count", 2},
      {"total_hours", 240},
      {"periods", Array{Object{{"start", local_date(now, 21)}, {"end", local_date(now, 45)}},
                        Object{{"start", local_date(now, 90)}, {"end", local_date(now, 115)}}}},
      {"remarks", n % 4 == 0 ? "Heeft een rijbewijs B." : ""}};
  if (preferred) o["preferred_service_id"] = *preferred;
  for (const auto& field : workflow.fields) {
    if (o.contains(field.id) || !field.required || field.values.empty()) continue;
    if (field.type == "set") o[field.id] = Array{Value(field.values.front().first)};
    if (field.type == "enum") o[field.id] = field.values.front().first;
  }
  return o;
}

std::string round_line(const Calendar& calendar, Instant now) {
  for (const auto& round : calendar.rounds)
    if (round.window.opens <= now && (!round.window.closes || now < *round.window.closes))
      return calendar.track + " " + calendar.year + ": " + round.label +
             (round.window.closes ? " (open " + until_nl(*round.window.closes) + ")"
                                  : " (blijft open)");
  return calendar.track + " " + calendar.year + ": geen ronde open";
}

}  // namespace

std::string school_year_of(Instant now) {
  LocalDateTime d = to_brussels(now);
  int first = d.month >= 9 ? d.year : d.year - 1;
  return std::to_string(first) + "-" + std::to_string(first + 1);
}

std::string demo_calendar_yaml(const std::string& track, Instant now) {
  auto at = [&](int days, const char* time) { return local_date(now, days) + " " + time; };
  std::string yaml =
      "# Demokalender (stagematch demo): de open ronde loopt van een week geleden tot vier weken "
      "verder.\n"
      "kind: calendar\n"
      "name: {0}-{1}\n"
      "version: 1\n"
      "track: {0}\n"
      "year: \"{1}\"\n"
      "\n"
      "rules:\n"
      "  visibility: visibility.by_round\n"
      "  timing: timing.moment\n"
      "  events: timing.events\n"
      "\n"
      "registration:\n"
      "  opens: {2}\n"
      "  closes: {3}\n"
      "\n"
      "rounds:\n"
      "  - id: ronde_1\n"
      "    label: \"1ste ronde: leerlingen met voorkeursdienst\"\n"
      "    kind: preferred\n"
      "    opens: {4}\n"
      "    closes: {5}\n"
      "    notify_schools: false\n"
      "  - id: ronde_2\n"
      "    label: \"2de ronde: alle leerlingen\"\n"
      "    kind: open\n"
      "    opens: {5}\n"
      "    closes: {6}\n"
      "    notify_schools: false\n"
      "  - id: ronde_3\n"
      "    label: \"De tool blijft open: graag alle wijzigingen doorgeven\"\n"
      "    kind: open_ended\n"
      "    opens: {6}\n"
      "    notify_schools: false\n"
      "\n"
      "reminders:\n"
      "  every_days: 7\n"
      "  at: \"09:00\"\n"
      "  closing_soon_days: 2\n";
  const std::string values[] = {
      track,           school_year_of(now), at(-60, "00:00"), at(240, "00:00"), at(-28, "12:00"),
      at(-7, "12:00"), at(28, "12:00")};
  for (std::size_t i = 0; i < std::size(values); ++i) {
    const std::string mark = "{" + std::to_string(i) + "}";
    for (auto at_mark = yaml.find(mark); at_mark != std::string::npos;
         at_mark = yaml.find(mark, at_mark + values[i].size()))
      yaml.replace(at_mark, mark.size(), values[i]);
  }
  return yaml;
}

std::expected<DemoResult, std::string> load_demo(Store& store, AccountStore& account_store,
                                                 Accounts& accounts,
                                                 std::shared_ptr<const DefinitionSet> definitions,
                                                 const Clock& clock) {
  DemoResult result;
  result.password = kPassword;
  result.logins.push_back({"admin", kAdminEmail, ""});
  for (const auto& org : demo_orgs()) result.logins.push_back({org.type, org.email, org.name});

  const Instant now = clock.now();
  if (account_store.user_by_email(kAdminEmail)) return result;  // loaded before: nothing changes
  if (!store.organisations("").empty())
    return std::unexpected(
        "deze databank bevat al organisaties; de demo laadt enkel in een lege databank");
  result.created = true;

  // A calendar per track, stored like an admin's upload, so it holds at every start.
  for (const auto& [track, workflow] : definitions->workflows) {
    const std::string yaml = demo_calendar_yaml(track, now);
    const std::string label = "demo/" + track + ".yaml";
    LoadResult applied = with_calendar(*definitions, label, yaml);
    if (!applied.ok() || !applied.definitions) {
      std::string problems;
      for (const auto& d : applied.diagnostics.sorted()) problems += "\n" + d.to_string();
      return std::unexpected("de demokalender voor " + track + " klopt niet:" + problems);
    }
    definitions = applied.definitions;
    AuditEntry audit{0,
                     now,
                     std::nullopt,
                     kActor,
                     "calendar.publish",
                     "calendar",
                     std::nullopt,
                     "ok",
                     track + "/" + school_year_of(now)};
    store.save_calendar({track, school_year_of(now), label, yaml, now, kActor}, audit);
    result.calendars.push_back(round_line(*definitions->calendar(track, school_year_of(now)), now));
  }

  std::vector<std::string> tracks;
  for (const auto& [track, workflow] : definitions->workflows) tracks.push_back(track);
  struct Made {
    Id org = 0;
    Id user = 0;
    std::vector<Id> contacts;
  };
  std::vector<Made> schools;
  std::vector<Made> services;
  for (const auto& org : demo_orgs()) {
    Organisation record{0, org.type, org.name, org.provinces,
                        org.type == role::kSchool ? tracks : std::vector<std::string>{}};
    auto org_id = store.create_organisation(record);
    if (!org_id)
      return std::unexpected("organisatie " + std::string(org.name) + ": " +
                             org_id.error().message);
    Made made{*org_id, 0, {}};
    for (const char* name : org.contacts) {
      std::string first = std::string(name).substr(0, std::string(name).find(' '));
      for (char& c : first) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      auto contact = store.create_contact(
          {0, *org_id, name,
           "03 123 45 " + digits(static_cast<long long>(made.contacts.size()) + 10 * *org_id, 2),
           first + "@" + (org.type == role::kSchool ? "school" : "dienst") +
               ".demo.stagematch.be"});
      if (!contact)
        return std::unexpected("contactpersoon " + std::string(name) + ": " +
                               contact.error().message);
      made.contacts.push_back(*contact);
    }
    auto user = accounts.create_activated(org.email, org.type, *org_id, kPassword, kActor);
    if (!user) return std::unexpected(std::string(org.email) + ": " + user.error().message);
    made.user = *user;
    (org.type == role::kSchool ? schools : services).push_back(std::move(made));
  }

  // Where the demo services work from (issue 13, distance), so their lists show distances.
  const std::array<std::vector<std::pair<const char*, const char*>>, 3> kLocations = {
      {{{"2000", "Antwerpen"}, {"3000", "Leuven"}},
       {{"2300", "Turnhout"}, {"3500", "Hasselt"}},
       {{"9000", "Gent"}}}};
  for (std::size_t i = 0; i < services.size() && i < kLocations.size(); ++i)
    for (const auto& [postal_code, name] : kLocations[i])
      if (const Locality* at = Gazetteer::belgium().locate(postal_code, name))
        store.add_service_location(
            {0, services[i].org, postal_code, at->name, at->lat, at->lng},
            AuditEntry{0, now, std::nullopt, kActor, "location.add", "org", services[i].org, "ok",
                       std::string(postal_code) + " " + at->name});

  // Students: a dozen per track, spread over both schools and the provinces; every third one
  // chose a preferred service. Two thirds were registered three weeks ago, during the preferred
  // round, the rest today, so the admin's overview per round has something to show.
  TestClock demo_clock(add_local_days(now, -20));
  demo_clock.freeze(true);
  Matching matching(
      store, [&definitions] { return definitions; }, demo_clock);
  std::map<std::string, std::optional<Id>> east_student;  // per track: one to accept
  for (int pass = 0; pass < 2; ++pass) {
    if (pass == 1 && !demo_clock.set(now)) return std::unexpected("de klok van de demo");
    int n = 0;
    for (const auto& [track, workflow] : definitions->workflows) {
      for (int i = 0; i < 12; ++i, ++n) {
        if ((i < 8) != (pass == 0)) continue;
        const Made& school = schools[i % schools.size()];
        std::optional<Id> preferred;
        if (i % 3 == 0) preferred = services[(i / 3) % services.size()].org;
        Value fields = student_fields(workflow, n, school.contacts[i % 2], preferred, now);
        auto made =
            matching.register_request(Actor{"school", school.user, school.org}, track, fields);
        if (!made) return std::unexpected("leerling in " + track + ": " + made.error().message);
        const std::string province = fields["province"].as_string();
        if (!east_student[track] && (province == "OVL" || province == "WVL"))
          east_student[track] = made->id;
        ++result.students;
      }
    }
  }
  // One answer per track already given, so the school's overview shows one: the service of
  // Oost- en West-Vlaanderen takes a student of its provinces (inviting first where the track
  // asks that).
  const Made& east = services[2];
  const Actor service{"service", east.user, east.org};
  for (const auto& [track, workflow] : definitions->workflows) {
    if (!east_student[track]) continue;
    const Id student = *east_student[track];
    if (workflow.status("uitgenodigd")) {
      StatusInput invite;
      invite.status = "uitgenodigd";
      auto invited = matching.change_status(service, student, invite);
      if (!invited)
        return std::unexpected("uitnodigen in " + track + ": " + invited.error().message);
    }
    auto accepted =
        matching.change_status(service, student,
                               StatusInput{"aanvaard",
                                           east.contacts.front(),
                                           {0, 1},
                                           "Welkom! We nemen contact op voor een kennismaking.",
                                           ""});
    if (!accepted)
      return std::unexpected("aanvaarden in " + track + ": " + accepted.error().message);
  }
  // Places: the two Antwerp services state theirs for this school year in every track; the
  // service of Oost- en West-Vlaanderen says nothing yet ("onbekend"). The dashboard then shows
  // regions short of places next to regions without figures.
  Capacities capacities(store, demo_clock);
  for (const auto& [track, workflow] : definitions->workflows) {
    const Calendar* calendar = definitions->calendar(track, school_year_of(now));
    if (!calendar) continue;
    for (std::size_t i = 0; i < 2; ++i) {
      const Actor own{"service", services[i].user, services[i].org};
      for (const auto& slot : Capacities::slots(*calendar))
        if (auto set =
                capacities.set(own, own.org_id, *calendar, slot.round_id, i == 0 ? "2" : "1");
            !set)
          return std::unexpected("plaatsen in " + track + ": " + set.error().message);
    }
  }
  // The admin last: it marks the data set as loaded.
  auto admin = accounts.create_activated(kAdminEmail, "admin", std::nullopt, kPassword, kActor);
  if (!admin) return std::unexpected("de demobeheerder: " + admin.error().message);
  return result;
}

}  // namespace stagematch

// Places against demand: how many students a service can take per track and school year (per
// round where each round serves an internship period of its own, as CVO's windows do), what
// remains after its acceptances, and for the admin, per province and round, the open requests
// against the places that remain, with the days of a round in figures.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit_log.hpp"
#include "calendar.hpp"

namespace stagematch {

// One thing a service states places for: the school year ("" round) or one round of it.
struct PlacesSlot {
  std::string round_id;
  std::string label;
};

// A service's places for one slot, and what remains of them.
struct PlacesLine {
  Id service_id = 0;
  std::string track;
  std::string year;
  PlacesSlot slot;
  std::optional<int> places;  // none: the service said nothing ("onbekend"), never 0
  int accepted = 0;           // students this service accepted for the slot
  std::optional<int> remaining() const;
};

// One province in one round: the requests still waiting against the places that remain.
struct RegionDemand {
  std::string province;
  std::int64_t open = 0;              // active, nobody accepted, belonging to the round
  std::int64_t remaining = 0;         // remaining places of the services that stated them
  std::int64_t services_known = 0;    // services active here that stated places
  std::int64_t services_unknown = 0;  // services active here that said nothing
  bool short_of_places() const { return open > remaining; }
};

// The end of one day of a round: counted from the start, students who stopped left out.
struct DayFigures {
  std::string date;  // "2025-09-19", Brussels time
  std::int64_t registered = 0;
  std::int64_t accepted = 0;
  std::int64_t open = 0;
};

// The admin's view of one track's calendar in one round. Both the tables and the pictures on
// the dashboard, and the export, read these figures.
struct RegionalOverview {
  std::string track;
  std::string year;
  std::vector<PlacesSlot> rounds;  // every round of the calendar
  std::string round_id;            // the round shown
  bool running = false;            // the round shown runs now
  bool per_round = false;          // places are stated per round (CVO)
  std::vector<RegionDemand> regions;
  std::vector<DayFigures> days;  // the round's days up to now (at most the last kMaxDays)
  static constexpr std::size_t kMaxDays = 92;
};

class Capacities {
 public:
  Capacities(Store& store, const Clock& clock);

  // What a service states places for in `calendar`: one slot per round when the rounds serve
  // internship periods of their own, else one for the school year.
  static std::vector<PlacesSlot> slots(const Calendar& calendar);

  // A service's places and remaining places in `calendar`. A service reads its own; the admin
  // any service's.
  DomainResult<std::vector<PlacesLine>> lines(const Actor& actor, Id service_id,
                                              const Calendar& calendar) const;
  // Sets one slot's places from the typed text: a whole number 0..999, or empty for "onbekend".
  // A service sets its own, the admin any. Audited as capacity.set; nothing written on a
  // refusal.
  DomainResult<void> set(const Actor& actor, Id service_id, const Calendar& calendar,
                         const std::string& round_id, std::string_view typed);
  // Per province (in the order given) for the round `round_id` (empty: the round running now,
  // else the next one, else the last). Admin only.
  DomainResult<RegionalOverview> overview(const Actor& actor, const Calendar& calendar,
                                          const std::string& round_id,
                                          const std::vector<std::string>& provinces) const;

 private:
  Store& store_;
  const Clock& clock_;
};

}  // namespace stagematch

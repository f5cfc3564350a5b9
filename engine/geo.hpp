// Distance that fits the means of transport (issue 13): a service's locations, the distance
// from each student's place to the nearest of them, and the transport rule's hint
// (rules/transport.lua). Places come from the gazetteer; the student's postal code and place
// (what the service already sees) are all this uses, and nothing leaves the program.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "audit_log.hpp"
#include "gazetteer.hpp"

namespace stagematch {

// A location as typed: a postal code and its place.
struct LocationInput {
  std::string postal_code;
  std::string municipality;
};

class ServiceLocations {
 public:
  ServiceLocations(Store& store, const Clock& clock);

  // A service's own locations; nothing for anyone else.
  std::vector<Store::ServiceLocation> list(const Actor& actor) const;
  // Services only. The place must be in the gazetteer, in the postal code's province (Dutch
  // error per field otherwise); audited as location.add, location.remove.
  DomainResult<Id> add(const Actor& actor, const LocationInput& input);
  DomainResult<void> remove(const Actor& actor, Id location_id);

 private:
  Store& store_;
  const Clock& clock_;
};

// The transport rule's hints, asked once per distinct question (means of transport, distance,
// distance to a centrumstad) and kept for the rules that answered them, so a list page does not
// run Lua per row.
class TransportHints {
 public:
  // "" when the rule gives none, or when the definitions have no rules/transport.lua.
  std::string hint(const DefinitionSet& defs, const std::vector<std::string>& modes,
                   std::optional<int> km, std::optional<double> stad_km);

 private:
  std::mutex mutex_;
  const DefinitionSet* defs_ = nullptr;
  std::map<std::string, std::string> answers_;
};

// Whole kilometres from the student's place (postal code and place of a request item) to the
// nearest of `locations`; none when either is unknown.
std::optional<int> distance_to_nearest(const std::vector<Store::ServiceLocation>& locations,
                                       const Locality* student);

// Saves the places of `track`'s requests changed since they were last placed, so the store can
// sort a list by distance.
void place_requests(Store& store, const std::string& track);

}  // namespace stagematch

#include "geo.hpp"

#include <cmath>
#include <limits>

#include "roles.hpp"
#include "service_support.hpp"

namespace stagematch {

namespace {

constexpr const char* kNotFound = "Deze locatie bestaat niet of hoort niet bij je dienst.";
constexpr std::size_t kMaxHints = 20000;

bool is_service(const Actor& actor) { return actor.role == role::kService && actor.org_id > 0; }

}  // namespace

ServiceLocations::ServiceLocations(Store& store, const Clock& clock)
    : store_(store), clock_(clock) {}

std::vector<Store::ServiceLocation> ServiceLocations::list(const Actor& actor) const {
  if (!is_service(actor)) return {};
  return store_.service_locations(actor.org_id);
}

DomainResult<Id> ServiceLocations::add(const Actor& actor, const LocationInput& input) {
  if (!is_service(actor))
    return std::unexpected(service::forbidden("Enkel een dienst legt zijn locaties vast."));
  const std::string postal = service::trimmed(input.postal_code);
  const std::string name = service::trimmed(input.municipality);
  std::map<std::string, std::string> problems;
  const bool postal_ok = postal.size() == 4 &&
                         postal.find_first_not_of("0123456789") == std::string::npos &&
                         postal_province(postal);
  if (!postal_ok) problems["postal_code"] = "Geef een Belgische postcode van 4 cijfers.";
  if (name.empty()) problems["municipality"] = "Geef de gemeente of deelgemeente.";
  const Locality* place =
      postal_ok && !name.empty() ? Gazetteer::belgium().locate(postal, name) : nullptr;
  if (postal_ok && !name.empty() && !place)
    problems["municipality"] = "'" + name + "' is geen plaats die we kennen bij postcode " +
                               postal +
                               ". Geef de gemeente of deelgemeente zoals op de kaart "
                               "(bijvoorbeeld Gent, Sint-Amandsberg of Antwerpen).";
  if (!problems.empty()) return std::unexpected(service::invalid(std::move(problems)));
  Store::ServiceLocation location{0, actor.org_id, postal, place->name, place->lat, place->lng};
  auto id =
      store_.add_service_location(location, audit_entry(actor, clock_.now(), "location.add", "org",
                                                        actor.org_id, postal + " " + place->name));
  if (!id) {
    if (id.error().code == "duplicate")
      return std::unexpected(
          service::invalid({{"municipality", id.error().message}}, id.error().message));
    return std::unexpected(domain::from_store(id.error()));
  }
  return *id;
}

DomainResult<void> ServiceLocations::remove(const Actor& actor, Id location_id) {
  if (!is_service(actor)) return std::unexpected(service::not_found(kNotFound));
  std::string what;
  for (const auto& l : store_.service_locations(actor.org_id))
    if (l.id == location_id) what = l.postal_code + " " + l.municipality;
  if (what.empty()) return std::unexpected(service::not_found(kNotFound));
  auto removed = store_.remove_service_location(
      actor.org_id, location_id,
      audit_entry(actor, clock_.now(), "location.remove", "org", actor.org_id, what));
  if (!removed) {
    if (removed.error().code == "not_found") return std::unexpected(service::not_found(kNotFound));
    return std::unexpected(domain::from_store(removed.error()));
  }
  return {};
}

std::string TransportHints::hint(const DefinitionSet& defs, const std::vector<std::string>& modes,
                                 std::optional<int> km, std::optional<double> stad_km) {
  if (!km || modes.empty() || !defs.rules || !defs.has_rule("transport.hint")) return {};
  std::string key = std::to_string(*km) + '|' +
                    (stad_km ? std::to_string(std::lround(*stad_km * 10)) : std::string("-"));
  for (const auto& m : modes) key += '|' + m;
  std::lock_guard lock(mutex_);
  if (defs_ != &defs || answers_.size() >= kMaxHints) {
    defs_ = &defs;
    answers_.clear();
  }
  if (auto it = answers_.find(key); it != answers_.end()) return it->second;
  Object ctx{{"modes", Array(modes.begin(), modes.end())}, {"km", *km}};
  if (stad_km) ctx["stad_km"] = *stad_km;
  auto answer = defs.rules->call("transport", "hint", {Value(std::move(ctx))});
  // A rule that fails gives no hint: it never stands between a service and its list.
  std::string out = answer && answer->is_string() ? answer->as_string() : std::string();
  answers_.emplace(std::move(key), out);
  return out;
}

std::optional<int> distance_to_nearest(const std::vector<Store::ServiceLocation>& locations,
                                       const Locality* student) {
  if (!student || locations.empty()) return std::nullopt;
  double best = std::numeric_limits<double>::max();
  for (const auto& l : locations) {
    Locality at{l.municipality, "", l.lat, l.lng, 0};
    best = std::min(best, distance_km(*student, at));
  }
  return static_cast<int>(std::lround(best));
}

void place_requests(Store& store, const std::string& track) {
  std::vector<Store::RequestPlace> places;
  for (const auto& r : store.requests_to_place(track)) {
    Store::RequestPlace p{r.request_id, r.version, std::nullopt, std::nullopt};
    if (const Locality* at = Gazetteer::belgium().locate(r.postal_code, r.city)) {
      p.lat = at->lat;
      p.lng = at->lng;
    }
    places.push_back(p);
  }
  store.save_request_places(places);
}

}  // namespace stagematch

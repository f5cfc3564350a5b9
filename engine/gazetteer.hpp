// Where Belgian places lie: the gazetteer of workflows/gazetteer/be_places.csv (GeoNames), built
// into the program. A place is found from a postal code and the place name typed with it (the
// name decides, the postal code's province tells two places of one name apart); straight-line
// distances between places are whole kilometres.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace stagematch {

// A place of the gazetteer: a municipality or one of its parts (deelgemeente).
struct Locality {
  std::string name;
  std::string province;  // ANT BRU LIM OVL VBR WVL, and WBR HAI LIE LUX NAM
  double lat = 0;
  double lng = 0;
  double stad_km = 0;  // to the nearest centrumstad (see produce.py): the rural marker
};

class Gazetteer {
 public:
  // Parses the CSV (header key,name,province,lat,lng,stad_km); a malformed line is skipped.
  explicit Gazetteer(std::string_view csv);
  // The one built into the program, parsed once.
  static const Gazetteer& belgium();

  // The place named `name` in the province of `postal_code`; with a postal code of no known
  // province, the only place of that name. A name may carry a second language or a part in
  // brackets ("Brussel/Bruxelles", "Antwerpen (Deurne)"): each part is tried.
  const Locality* locate(std::string_view postal_code, std::string_view name) const;
  std::size_t size() const { return places_.size(); }

 private:
  const Locality* find(const std::string& key, const std::optional<std::string>& province) const;
  std::vector<Locality> places_;
  std::unordered_multimap<std::string, std::size_t> by_key_;
};

// Lower case, accents dropped, '-' and '\'' read as spaces, runs of spaces as one.
std::string place_key(std::string_view name);
// The province of a Belgian postal code, Wallonia included; none outside 1000-9999.
std::optional<std::string> postal_province(std::string_view postal_code);
// Straight-line (haversine) distance in kilometres.
double distance_km(const Locality& a, const Locality& b);

}  // namespace stagematch

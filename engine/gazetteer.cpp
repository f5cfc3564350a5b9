#include "gazetteer.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>

#include "gazetteer_embedded.hpp"
#include "request_validation.hpp"

namespace stagematch {

namespace {

// The letters of U+00C0..U+00FF without their accent, as Unicode's NFKD decomposition gives
// them (produce.py uses that); '\0' where NFKD leaves the letter alone.
constexpr char kLatin1[] =
    "AAAAAA\0CEEEEIIII\0NOOOOO\0\0UUUUY\0\0aaaaaa\0ceeeeiiii\0nooooo\0\0uuuuy\0y";
constexpr std::string_view kLatin1Base(kLatin1, sizeof(kLatin1) - 1);

std::vector<std::string_view> split(std::string_view line, char sep) {
  std::vector<std::string_view> out;
  for (std::size_t start = 0;;) {
    auto end = line.find(sep, start);
    out.push_back(line.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

std::optional<double> number(std::string_view text) {
  double out = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
  return out;
}

}  // namespace

std::string place_key(std::string_view name) {
  std::string folded;
  for (std::size_t i = 0; i < name.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    if (c == 0xC3 && i + 1 < name.size()) {
      unsigned char next = static_cast<unsigned char>(name[i + 1]);
      if (next >= 0x80 && next <= 0xBF && kLatin1Base[next - 0x80] != '\0') {
        folded += static_cast<char>(std::tolower(kLatin1Base[next - 0x80]));
        ++i;
        continue;
      }
    }
    if (c == '-' || c == '\'' || c == '\t')
      folded += ' ';
    else
      folded += static_cast<char>(c < 0x80 ? std::tolower(c) : c);
  }
  std::string key;
  for (char c : folded) {
    if (c == ' ' && (key.empty() || key.back() == ' ')) continue;
    key += c;
  }
  if (!key.empty() && key.back() == ' ') key.pop_back();
  return key;
}

std::optional<std::string> postal_province(std::string_view postal_code) {
  int code = 0;
  auto [p, ec] = std::from_chars(postal_code.data(), postal_code.data() + postal_code.size(), code);
  if (ec != std::errc() || p != postal_code.data() + postal_code.size()) return std::nullopt;
  struct Range {
    int from;
    int to;
    std::string_view province;
  };
  constexpr std::array<Range, 6> kWallonia = {{{1300, 1499, "WBR"},
                                               {4000, 4999, "LIE"},
                                               {5000, 5999, "NAM"},
                                               {6000, 6599, "HAI"},
                                               {6600, 6999, "LUX"},
                                               {7000, 7999, "HAI"}}};
  for (const Range& r : kWallonia)
    if (code >= r.from && code <= r.to) return std::string(r.province);
  return province_of_postal_code(code);
}

double distance_km(const Locality& a, const Locality& b) {
  constexpr double kEarthKm = 6371.0088;
  constexpr double kRad = 3.14159265358979323846 / 180.0;
  const double dlat = (b.lat - a.lat) * kRad;
  const double dlng = (b.lng - a.lng) * kRad;
  const double h =
      std::sin(dlat / 2) * std::sin(dlat / 2) +
      std::cos(a.lat * kRad) * std::cos(b.lat * kRad) * std::sin(dlng / 2) * std::sin(dlng / 2);
  return 2 * kEarthKm * std::asin(std::sqrt(std::min(1.0, h)));
}

Gazetteer::Gazetteer(std::string_view csv) {
  bool header = true;
  for (std::string_view line : split(csv, '\n')) {
    if (header || line.empty()) {
      header = false;
      continue;
    }
    auto cells = split(line, ',');
    if (cells.size() != 6) continue;
    auto lat = number(cells[3]);
    auto lng = number(cells[4]);
    auto stad = number(cells[5]);
    if (!lat || !lng || !stad) continue;
    by_key_.emplace(std::string(cells[0]), places_.size());
    places_.push_back({std::string(cells[1]), std::string(cells[2]), *lat, *lng, *stad});
  }
}

const Gazetteer& Gazetteer::belgium() {
  static const Gazetteer kBelgium(kGazetteerCsv);
  return kBelgium;
}

const Locality* Gazetteer::find(const std::string& key,
                                const std::optional<std::string>& province) const {
  auto [first, last] = by_key_.equal_range(key);
  const Locality* only = nullptr;
  int count = 0;
  for (auto it = first; it != last; ++it) {
    const Locality& p = places_[it->second];
    if (province && p.province == *province) return &p;
    only = &p;
    ++count;
  }
  return !province && count == 1 ? only : nullptr;
}

const Locality* Gazetteer::locate(std::string_view postal_code, std::string_view name) const {
  const auto province = postal_province(postal_code);
  if (const Locality* p = find(place_key(name), province)) return p;
  // "Brussel/Bruxelles", "Antwerpen (Deurne)": each part on its own, the most specific first.
  std::string parts(name);
  for (char& c : parts)
    if (c == '/' || c == '(' || c == ')' || c == ',') c = '\n';
  auto pieces = split(parts, '\n');
  for (auto it = pieces.rbegin(); it != pieces.rend(); ++it) {
    if (std::string key = place_key(*it); !key.empty())
      if (const Locality* p = find(key, province)) return p;
  }
  return nullptr;
}

}  // namespace stagematch

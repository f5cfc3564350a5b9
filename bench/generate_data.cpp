// stagematch_bench_generate: fills an empty PostgreSQL database with realistic Stagematch data
// for the benchmark. Organisations and contact persons go through the Store (as the product
// creates them); the requests of ten school years, their transport modes, statuses, history,
// counts and audit rows are bulk-loaded with COPY into the same tables, because 50,000 separate
// store transactions would take minutes and measure nothing. The same seed gives the same data.
//
//   stagematch_bench_generate --url postgresql://postgres@127.0.0.1:55432/stagematch_bench
//       [--seed 20250910] [--years 10] [--per-year 5000] [--services 120] [--schools 400]
//       [--now "2025-09-10 10:00"]

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <exception>
#include <iomanip>
#include <iostream>
#include <optional>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "gazetteer.hpp"
#include "local_time.hpp"
#include "options.hpp"
#include "pg_client.hpp"
#include "sql_store.hpp"
#include "store.hpp"
#include "value.hpp"

namespace stagematch::bench {
namespace {

// std::mt19937_64's output is fixed by the standard; the distributions are not, so the few we
// need are written here and the data is the same with every standard library.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}
  std::uint64_t below(std::uint64_t n) { return engine_() % n; }
  int between(int lo, int hi) {
    auto span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo) + 1;
    return lo + static_cast<int>(below(span));
  }
  double unit() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  bool chance(double p) { return unit() < p; }
  template <typename T>
  const T& pick(const std::vector<T>& items) {
    return items[below(items.size())];
  }
  std::size_t weighted(const std::vector<double>& weights) {
    double total = 0;
    for (double w : weights) total += w;
    double x = unit() * total;
    for (std::size_t i = 0; i < weights.size(); ++i) {
      if (x < weights[i]) return i;
      x -= weights[i];
    }
    return weights.size() - 1;
  }

 private:
  std::mt19937_64 engine_;
};

struct Place {
  std::string postal_code;
  std::string city;
};

struct Province {
  std::string code;
  double weight;  // share of the students (and of the schools and services)
  std::vector<Place> places;
};

// Postal codes inside each province's ranges (SPEC.md: BRU 1000-1299, VBR 1500-1999 and
// 3000-3499, ANT 2000-2999, LIM 3500-3999, WVL 8000-8999, OVL 9000-9999).
const std::vector<Province>& provinces() {
  static const std::vector<Province> kProvinces = {
      {"ANT",
       0.27,
       {{"2000", "Antwerpen"},
        {"2018", "Antwerpen"},
        {"2060", "Antwerpen"},
        {"2100", "Deurne"},
        {"2140", "Borgerhout"},
        {"2200", "Herentals"},
        {"2300", "Turnhout"},
        {"2400", "Mol"},
        {"2500", "Lier"},
        {"2800", "Mechelen"},
        {"2900", "Schoten"},
        {"2930", "Brasschaat"},
        {"2960", "Brecht"},
        {"2440", "Geel"},
        {"2610", "Wilrijk"}}},
      {"OVL",
       0.23,
       {{"9000", "Gent"},
        {"9040", "Sint-Amandsberg"},
        {"9050", "Gentbrugge"},
        {"9100", "Sint-Niklaas"},
        {"9160", "Lokeren"},
        {"9200", "Dendermonde"},
        {"9300", "Aalst"},
        {"9400", "Ninove"},
        {"9500", "Geraardsbergen"},
        {"9600", "Ronse"},
        {"9700", "Oudenaarde"},
        {"9900", "Eeklo"},
        {"9820", "Merelbeke"}}},
      {"WVL",
       0.18,
       {{"8000", "Brugge"},
        {"8200", "Sint-Andries"},
        {"8300", "Knokke-Heist"},
        {"8400", "Oostende"},
        {"8500", "Kortrijk"},
        {"8600", "Diksmuide"},
        {"8630", "Veurne"},
        {"8700", "Tielt"},
        {"8800", "Roeselare"},
        {"8900", "Ieper"},
        {"8930", "Menen"}}},
      {"VBR",
       0.17,
       {{"3000", "Leuven"},
        {"3010", "Kessel-Lo"},
        {"3200", "Aarschot"},
        {"3290", "Diest"},
        {"3300", "Tienen"},
        {"1500", "Halle"},
        {"1700", "Dilbeek"},
        {"1750", "Lennik"},
        {"1800", "Vilvoorde"},
        {"1930", "Zaventem"},
        {"1850", "Grimbergen"}}},
      {"LIM",
       0.12,
       {{"3500", "Hasselt"},
        {"3550", "Heusden-Zolder"},
        {"3580", "Beringen"},
        {"3600", "Genk"},
        {"3630", "Maasmechelen"},
        {"3700", "Tongeren"},
        {"3800", "Sint-Truiden"},
        {"3900", "Pelt"},
        {"3920", "Lommel"}}},
      {"BRU",
       0.03,
       {{"1000", "Brussel"},
        {"1020", "Laken"},
        {"1030", "Schaarbeek"},
        {"1050", "Elsene"},
        {"1070", "Anderlecht"},
        {"1080", "Sint-Jans-Molenbeek"},
        {"1090", "Jette"},
        {"1200", "Sint-Lambrechts-Woluwe"}}},
  };
  return kProvinces;
}

const std::vector<double>& province_weights() {
  static const std::vector<double> kWeights = [] {
    std::vector<double> w;
    for (const auto& p : provinces()) w.push_back(p.weight);
    return w;
  }();
  return kWeights;
}

const std::vector<std::string> kFirstNames = {
    "Lotte",  "Emma",   "Noor",  "Lina",    "Louise", "Elise",     "Marie",  "Ella",    "Julie",
    "Fien",   "Sara",   "Amber", "Jana",    "Hanne",  "Lisa",      "Nina",   "Yasmine", "Ines",
    "Zoë",    "Chloé",  "Febe",  "Lore",    "Laura",  "Charlotte", "Axelle", "Margot",  "Aya",
    "Hira",   "Fatima", "Nour",  "Estelle", "Jolien", "Kaat",      "Lieze",  "Manon",   "Anouk",
    "Jade",   "Maité",  "Yana",  "Silke",   "Lars",   "Arne",      "Jonas",  "Wout",    "Ruben",
    "Sander", "Thomas", "Kobe",  "Seppe",   "Milan",  "Stijn",     "Bram",   "Mohamed", "Yusuf",
    "Wannes", "Jasper", "Robbe", "Tibo",    "Senne",  "Emiel"};

const std::vector<std::string> kLastNames = {
    "Peeters",   "Janssens",   "Maes",         "Jacobs",         "Mertens",   "Willems",
    "Claes",     "Goossens",   "Wouters",      "De Smet",        "Dubois",    "Hermans",
    "Aerts",     "Michiels",   "Lambrechts",   "Van den Broeck", "Vermeulen", "Desmet",
    "Pauwels",   "Verstraete", "De Clercq",    "Van Damme",      "Claeys",    "Martens",
    "Verhoeven", "Declercq",   "Van de Velde", "Vandenberghe",   "Coppens",   "Segers",
    "Stevens",   "Cools",      "Leemans",      "Smets",          "Wuyts",     "Van Dyck",
    "De Backer", "Vervoort",   "Bogaert",      "Verbeke",        "Van Hoof",  "De Vos",
    "Mahieu",    "D'Hondt",    "Vanhoutte",    "Deprez",         "Lemmens",   "Geerts",
    "Hendrickx", "Van Acker",  "Öztürk",       "El Amrani",      "Yilmaz",    "Benali",
    "Nowak",     "Ramadani",   "Van Gucht",    "De Wilde",       "Ceulemans", "Ooms",
    "Thys",      "Van Loon",   "Vanderlinden", "Boeckx",         "Moens",     "Raes",
    "Smolders",  "Govaerts",   "Dierickx"};

const std::vector<std::string> kStreets = {
    "Kerkstraat",   "Stationsstraat", "Dorpsstraat", "Molenstraat",      "Nieuwstraat",
    "Schoolstraat", "Kapelstraat",    "Beekstraat",  "Veldstraat",       "Hoogstraat",
    "Lindenlaan",   "Kouter",         "Markt",       "Meersstraat",      "Kastanjelaan",
    "Bosstraat",    "Ringlaan",       "Heirweg",     "Koning Albertlaan"};

const std::vector<std::string> kSchoolKinds = {"Sint-Jozefsinstituut",
                                               "Sint-Vincentiusinstituut",
                                               "GO! Atheneum",
                                               "GO! Technisch Atheneum",
                                               "VTI",
                                               "Sint-Lutgardisschool",
                                               "Heilig-Hartinstituut",
                                               "Onze-Lieve-Vrouwinstituut",
                                               "Provinciaal Instituut",
                                               "Zorgschool",
                                               "Sint-Ursulainstituut",
                                               "Don Bosco",
                                               "Stedelijk Instituut",
                                               "Technicum",
                                               "Sint-Victor",
                                               "Scheppers"};

const std::vector<std::string> kServiceKinds = {"Wit-Gele Kruis",
                                                "Familiehulp",
                                                "i-mens",
                                                "Landelijke Thuiszorg",
                                                "Solidariteit voor het Gezin",
                                                "Thuishulp",
                                                "Ons Zorgnetwerk",
                                                "Zorgbedrijf",
                                                "OCMW Thuiszorg",
                                                "Thuisverpleging Zorg aan Huis",
                                                "Thuiszorg Vleminckveld",
                                                "Zorgpunt"};

const std::vector<std::string> kTransport = {"auto", "bromfiets", "elektrische_fiets", "fiets",
                                             "openbaar_vervoer"};
const std::vector<double> kTransportWeights = {0.22, 0.08, 0.15, 0.25, 0.30};

const std::vector<std::string> kRemarks = {"Heeft geen rijbewijs.",
                                           "Is kleurenblind.",
                                           "Heeft lichte gehoorproblemen.",
                                           "Liefst geen weekendstages wegens jobstudent.",
                                           "Woont op kot tijdens de week.",
                                           "Volgt ook een taalbad Nederlands.",
                                           "Kan pas starten na de herexamens."};

const std::vector<std::string> kNotes = {
    "Start op maandag om 8u op het regiokantoor.", "Kennismakingsgesprek gepland.",
    "Stagementor neemt contact op met de school.", "Eerste week meelopen in de ochtendronde.",
    "Gelieve werkkledij mee te brengen."};

std::string ascii_lower(std::string_view s) {
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 'A' && u <= 'Z') {
      out += static_cast<char>(u - 'A' + 'a');
    } else if ((u >= 'a' && u <= 'z') || (u >= '0' && u <= '9')) {
      out += c;
    } else if (c == ' ' || c == '-') {
      out += '-';
    }
  }
  return out;
}

std::string two_digits(int v) { return (v < 10 ? "0" : "") + std::to_string(v); }

std::string mobile_phone(Rng& rng) {
  return "04" + std::to_string(rng.between(70, 99)) + " " + two_digits(rng.between(0, 99)) + " " +
         two_digits(rng.between(0, 99)) + " " + two_digits(rng.between(0, 99));
}

// A valid Belgian national register number (YYMMDD SSS CC) for someone born in `year`: the check
// digits are 97 minus the first nine digits modulo 97, with a 2 put in front for births from 2000.
std::string national_number(Rng& rng, int year) {
  int month = rng.between(1, 12);
  int day = rng.between(1, 28);
  int serial = rng.between(1, 998);
  std::int64_t first9 = (year % 100) * 10000000LL + month * 100000LL + day * 1000LL + serial;
  std::int64_t base = year >= 2000 ? 2000000000LL + first9 : first9;
  std::int64_t check = 97 - base % 97;
  std::string digits = std::to_string(first9);
  digits.insert(0, 9 - digits.size(), '0');
  return digits + two_digits(static_cast<int>(check));
}

Instant local(int y, int m, int d, int h = 0, int min = 0) {
  return from_brussels(LocalDateTime{y, m, d, h, min, 0});
}

std::string iso_date(std::chrono::sys_days day) {
  std::chrono::year_month_day ymd(day);
  return std::to_string(static_cast<int>(ymd.year())) + "-" +
         two_digits(static_cast<int>(static_cast<unsigned>(ymd.month()))) + "-" +
         two_digits(static_cast<int>(static_cast<unsigned>(ymd.day())));
}

std::int64_t epoch(Instant t) { return t.time_since_epoch().count(); }

struct Segment {
  Instant from;
  Instant to;
  double weight;
};

// When schools register for school year `y`-(`y`+1): mostly in June and after the summer stop,
// a trickle until March, a few during the summer stop (admins registering late students).
// Nothing after `now`: the current school year is still filling up.
Instant registration_moment(Rng& rng, int y, Instant now) {
  std::vector<Segment> segments = {
      {local(y, 6, 1, 8), local(y, 6, 30, 12), 0.45},
      {local(y, 8, 15, 12), local(y, 9, 30, 18), 0.35},
      {local(y, 10, 1, 8), local(y + 1, 3, 31, 18), 0.19},
      {local(y, 6, 30, 12), local(y, 8, 15, 12), 0.01},
  };
  std::vector<double> weights;
  for (auto& s : segments) {
    if (s.to > now) s.to = now;
    weights.push_back(s.to > s.from ? s.weight : 0.0);
  }
  const Segment& s = segments[rng.weighted(weights)];
  auto span = static_cast<std::uint64_t>(epoch(s.to) - epoch(s.from));
  Instant t = s.from + std::chrono::seconds(rng.below(span));
  // During office hours, when that stays inside the segment.
  LocalDateTime l = to_brussels(t);
  l.hour = rng.between(8, 18);
  l.minute = rng.between(0, 59);
  l.second = rng.between(0, 59);
  Instant office = from_brussels(l);
  return office >= s.from && office < s.to ? office : t;
}

struct Org {
  Id id = 0;
  std::string name;
  std::vector<std::size_t> provinces;  // indexes into provinces()
  std::vector<Id> contacts;
};

std::string domain_of(const std::string& name) { return ascii_lower(name) + ".be"; }

Org create_org(Store& store, Rng& rng, const std::string& type, const std::string& name,
               std::vector<std::size_t> province_indexes, int contact_count) {
  Organisation o;
  o.type = type;
  o.name = name;
  for (std::size_t p : province_indexes) o.provinces.push_back(provinces()[p].code);
  if (type == "school") {
    o.provinces.clear();
    o.tracks = {"secundair"};
  }
  auto id = store.create_organisation(o);
  if (!id) throw std::runtime_error("create_organisation " + name + ": " + id.error().message);
  Org org{*id, name, std::move(province_indexes), {}};
  for (int i = 0; i < contact_count; ++i) {
    std::string first = rng.pick(kFirstNames);
    std::string last = rng.pick(kLastNames);
    ContactPerson c{0, *id, first + " " + last, mobile_phone(rng),
                    ascii_lower(first) + "." + ascii_lower(last) + "@" + domain_of(name)};
    auto cid = store.create_contact(c);
    if (!cid) throw std::runtime_error("create_contact: " + cid.error().message);
    org.contacts.push_back(*cid);
  }
  return org;
}

std::string unique_name(std::set<std::string>& taken, const std::string& base) {
  std::string name = base;
  for (int n = 2; !taken.insert(name).second; ++n) name = base + " " + std::to_string(n);
  return name;
}

// COPY text rows, one field at a time.
class CopyRows {
 public:
  CopyRows& field(const std::string& text) {
    sep();
    data_ += copy_field(text);
    return *this;
  }
  CopyRows& field(std::int64_t v) {
    sep();
    data_ += std::to_string(v);
    return *this;
  }
  CopyRows& field(const std::optional<std::int64_t>& v) {
    sep();
    data_ += v ? std::to_string(*v) : "\\N";
    return *this;
  }
  CopyRows& null() {
    sep();
    data_ += "\\N";
    return *this;
  }
  void end_row() {
    data_ += '\n';
    fresh_ = true;
    ++rows_;
  }
  const std::string& data() const { return data_; }
  std::size_t rows() const { return rows_; }

 private:
  void sep() {
    if (!fresh_) data_ += '\t';
    fresh_ = false;
  }
  std::string data_;
  bool fresh_ = true;
  std::size_t rows_ = 0;
};

struct Tables {
  CopyRows requests;
  CopyRows transport;
  CopyRows statuses;
  CopyRows history;
  CopyRows counts;
  CopyRows audit;
};

// One service's decision on one request, in all the tables the store writes it to.
void add_status(Tables& t, Id request, Id service, const std::string& status, Instant at) {
  std::optional<std::int64_t> revealed;
  if (status == "aanvaard") revealed = epoch(at);
  t.statuses.field(request).field(service).field(status).field(revealed).field(epoch(at));
  t.statuses.end_row();
  t.history.field(request).field(service).field("onbeslist").field(status).null();
  t.history.field(epoch(at)).field("");
  t.history.end_row();
  t.counts.field(request).field(service).field(status).field(std::int64_t{1});
  t.counts.end_row();
  t.audit.field(epoch(at)).null().field("bench-generator").field("status.change");
  t.audit.field("request").field(request).field("ok").field("onbeslist -> " + status);
  t.audit.end_row();
}

std::vector<std::string> transport_modes(Rng& rng) {
  int n = rng.chance(0.55) ? 1 : (rng.chance(0.75) ? 2 : 3);
  std::vector<std::string> modes;
  while (static_cast<int>(modes.size()) < n) {
    const std::string& m = kTransport[rng.weighted(kTransportWeights)];
    if (std::find(modes.begin(), modes.end(), m) == modes.end()) modes.push_back(m);
  }
  return modes;
}

// The stage part of the request: form, hours, and `count` periods from October on.
void stage_fields(Rng& rng, int y, Object& f) {
  static const std::vector<std::string> kForms = {"blok", "alternerend", "blok_en_alternerend"};
  const std::string& form = kForms[rng.weighted({0.55, 0.25, 0.20})];
  int count = static_cast<int>(rng.weighted({0.35, 0.35, 0.2, 0.1})) + 1;
  f["form"] = form;
  f["period_count"] = count;
  if (form != "alternerend") f["hours_per_week"] = rng.between(16, 38);
  f["total_hours"] = rng.between(8, 60) * 10;
  using std::chrono::days;
  std::chrono::sys_days start =
      std::chrono::sys_days(std::chrono::year(y) / std::chrono::October / 1) +
      days(rng.between(0, 45));
  Array periods;
  for (int i = 0; i < count; ++i) {
    std::chrono::sys_days end = start + days(7 * rng.between(3, 8) - 3);
    periods.push_back(Object{{"start", iso_date(start)}, {"end", iso_date(end)}});
    start = end + days(7 * rng.between(2, 6) + 3);
  }
  f["periods"] = std::move(periods);
  if (rng.chance(0.1)) f["internship_remarks"] = "Alternerend op dinsdag en donderdag.";
}

struct Counts {
  std::size_t requests = 0;
  std::size_t accepted = 0;
  std::size_t preferred = 0;
  std::size_t stopped = 0;
};

// The organisations, as created through the store, and which of them are in each province.
struct World {
  std::vector<Org> services;
  std::vector<std::vector<std::size_t>> services_in;  // province -> indexes into services
  std::vector<Org> schools;
  std::vector<std::vector<std::size_t>> schools_in;  // province -> indexes into schools

  const Org& service(Id id) const {
    for (const Org& s : services)
      if (s.id == id) return s;
    throw std::logic_error("no service " + std::to_string(id));
  }
  // A service working in province `p` (rarely, or when there is none, any service).
  const Org& service_near(Rng& rng, std::size_t p, double elsewhere) const {
    if (services_in[p].empty() || rng.chance(elsewhere))
      return services[rng.below(services.size())];
    return services[rng.pick(services_in[p])];
  }
};

// Services work in one province, some in two; schools have one to three stagebegeleiders.
World create_organisations(Store& store, Rng& rng, int service_count, int school_count) {
  const std::vector<double>& weights = province_weights();
  World w;
  w.services_in.resize(provinces().size());
  w.schools_in.resize(provinces().size());
  std::set<std::string> taken;
  for (int i = 0; i < service_count; ++i) {
    std::vector<std::size_t> ps = {rng.weighted(weights)};
    if (rng.chance(0.3)) {
      std::size_t second = rng.weighted(weights);
      if (second != ps.front()) ps.push_back(second);
    }
    const Place& seat = rng.pick(provinces()[ps.front()].places);
    std::string name = unique_name(taken, rng.pick(kServiceKinds) + " regio " + seat.city);
    w.services.push_back(create_org(store, rng, "service", name, ps, rng.between(1, 3)));
    // It works from its seat, so its list shows distances (issue 13); no random draw, so the
    // rest of the data stays what it was.
    if (const Locality* at = Gazetteer::belgium().locate(seat.postal_code, seat.city)) {
      AuditEntry audit;
      audit.actor = "bench";
      audit.action = "location.add";
      audit.outcome = "ok";
      store.add_service_location(
          {0, w.services.back().id, seat.postal_code, at->name, at->lat, at->lng}, audit);
    }
    for (std::size_t p : ps) w.services_in[p].push_back(w.services.size() - 1);
  }
  for (int i = 0; i < school_count; ++i) {
    std::size_t p = rng.weighted(weights);
    const Place& seat = rng.pick(provinces()[p].places);
    std::string name = unique_name(taken, rng.pick(kSchoolKinds) + " " + seat.city);
    w.schools.push_back(create_org(store, rng, "school", name, {p}, rng.between(1, 3)));
    w.schools_in[p].push_back(w.schools.size() - 1);
  }
  return w;
}

// One school year's request for one student, with its transport modes, statuses and audit rows.
// About one in five is accepted: in the school year of `now` only by the preferred service (the
// preferred rounds are on), in earlier years mostly by the preferred one. Nothing happens after
// `now`.
void add_request(Tables& t, Counts& counts, Rng& rng, const World& w, Id id, int year,
                 bool is_current, Instant now) {
  const std::size_t p = rng.weighted(province_weights());
  const Province& province = provinces()[p];
  const Place& home = rng.pick(province.places);
  // Most students go to school in their own province.
  const Org& school = !w.schools_in[p].empty() && rng.chance(0.85)
                          ? w.schools[rng.pick(w.schools_in[p])]
                          : w.schools[rng.below(w.schools.size())];
  const Id school_contact = rng.pick(school.contacts);
  const std::string first = rng.pick(kFirstNames);
  const std::string last = rng.pick(kLastNames);
  const Instant registered = registration_moment(rng, year, now);
  std::optional<Id> preferred;
  if (rng.chance(0.6)) preferred = w.service_near(rng, p, 0.05).id;
  const std::vector<std::string> transport = transport_modes(rng);

  Object f{{"first_name", first},
           {"last_name", last},
           {"national_number", national_number(rng, year - rng.between(17, 19))},
           {"street", rng.pick(kStreets) + " " + std::to_string(rng.between(1, 180))},
           {"postal_code", home.postal_code},
           {"city", home.city},
           {"province", province.code},
           {"phone", mobile_phone(rng)},
           {"email",
            ascii_lower(first) + "." + ascii_lower(last) + "@student." + domain_of(school.name)},
           {"transport", Array(transport.begin(), transport.end())},
           {"school_contact_id", school_contact}};
  if (rng.chance(0.15)) f["remarks"] = rng.pick(kRemarks);
  if (preferred) f["preferred_service_id"] = *preferred;
  stage_fields(rng, year, f);
  const int period_count = static_cast<int>(f["period_count"].as_int());

  std::optional<Id> accepted_by;
  Instant accepted_at{};
  const Instant latest = now - std::chrono::hours(1);
  const bool accept = is_current ? (preferred && rng.chance(0.2 / 0.6)) : rng.chance(0.2);
  if (accept && registered + std::chrono::hours(2) < latest) {
    accepted_by =
        preferred && (is_current || rng.chance(0.6)) ? *preferred : w.service_near(rng, p, 0.0).id;
    accepted_at = registered + std::chrono::hours(rng.between(1, 45 * 24));
    if (accepted_at >= latest) {
      auto span = static_cast<std::uint64_t>(epoch(latest) - epoch(registered));
      accepted_at = registered + std::chrono::seconds(3600 + rng.below(span - 3600));
    }
  }
  const bool stopped = !accepted_by && rng.chance(0.02);

  t.requests.field(id)
      .field("secundair")
      .field(std::to_string(year) + "-" + std::to_string(year + 1));
  t.requests.field(school.id).field(school_contact).field(preferred).field(first).field(last);
  t.requests.field(province.code).field(home.postal_code).field(epoch(registered));
  t.requests.field(stopped ? "stopped" : "active");
  if (accepted_by) {
    Array periods;
    for (int k = 0; k < period_count; ++k)
      if (k == 0 || rng.chance(0.7)) periods.emplace_back(k);
    t.requests.field(*accepted_by).field(epoch(accepted_at));
    t.requests.field(Value(std::move(periods)).to_json());
    t.requests.field(rng.pick(w.service(*accepted_by).contacts)).field(rng.pick(kNotes));
    t.requests.field(std::int64_t{2});
  } else {
    t.requests.null().null().field("[]").null().field("").field(std::int64_t{1});
  }
  t.requests.field(Value(std::move(f)).to_json());
  t.requests.end_row();

  for (std::size_t k = 0; k < transport.size(); ++k) {
    t.transport.field(id).field(transport[k]).field(static_cast<std::int64_t>(k));
    t.transport.end_row();
  }
  t.audit.field(epoch(registered)).null().field("bench-generator").field("request.register");
  t.audit.field("request").field(id).field("ok").field("");
  t.audit.end_row();

  // The acceptance, and other services of the province that looked and said no (each service
  // decides at most once per request).
  std::set<Id> decided;
  if (accepted_by) {
    add_status(t, id, *accepted_by, "aanvaard", accepted_at);
    decided.insert(*accepted_by);
  }
  if (!w.services_in[p].empty() && rng.chance(0.15)) {
    for (int k = rng.between(1, 2); k > 0; --k) {
      const Org& s = w.service_near(rng, p, 0.0);
      Instant at = registered + std::chrono::hours(rng.between(1, 30 * 24));
      if (at < latest && decided.insert(s.id).second) add_status(t, id, s.id, "niet_aanvaard", at);
    }
  }
  ++counts.requests;
  counts.preferred += preferred ? 1 : 0;
  counts.accepted += accepted_by ? 1 : 0;
  counts.stopped += stopped ? 1 : 0;
}

// COPY every table in one transaction, then what autovacuum would do after a bulk load:
// statistics for the planner and a visibility map (index-only scans).
void bulk_load(PgClient& pg, const Tables& t) {
  pg.query("BEGIN");
  pg.copy_in(
      "requests (id, track, year, school_id, school_contact_id, preferred_service_id, first_name,"
      " last_name, province, postal_code, registered_at, state, accepted_by, accepted_at,"
      " accepted_periods, mentor_id, notes, version, fields_json)",
      t.requests.data());
  pg.copy_in("request_transport (request_id, mode, position)", t.transport.data());
  pg.copy_in("service_statuses (request_id, service_id, status, revealed_at, changed_at)",
             t.statuses.data());
  pg.copy_in("status_history (request_id, service_id, from_status, to_status, user_id, at, reason)",
             t.history.data());
  pg.copy_in("status_counts (request_id, service_id, status, count)", t.counts.data());
  pg.copy_in("audit_log (at, user_id, actor, action, object_type, object_id, outcome, detail)",
             t.audit.data());
  pg.query("SELECT setval(pg_get_serial_sequence('requests', 'id'), MAX(id)) FROM requests");
  pg.query("COMMIT");
  pg.query("VACUUM ANALYZE");
}

int run(int argc, char** argv) {
  Options opt(argc, argv, 1, {"url", "seed", "years", "per-year", "services", "schools", "now"});
  const std::string url = opt.required("url");
  Rng rng(static_cast<std::uint64_t>(opt.integer("seed", 20250910, 0, 1LL << 62)));
  const int years = static_cast<int>(opt.integer("years", 10, 1, 50));
  const int per_year = static_cast<int>(opt.integer("per-year", 5000, 10, 1000000));
  auto now_local = parse_local(opt.text("now", "2025-09-10 10:00"));
  if (!now_local) throw std::invalid_argument("--now expects \"YYYY-MM-DD HH:MM\"");
  const Instant now = from_brussels(*now_local);
  // The school year that `now` falls in: registration for Y-(Y+1) opens on 1 June Y.
  const int current = now_local->month >= 6 ? now_local->year : now_local->year - 1;

  auto store = open_store(url);
  store->migrate();
  PgClient pg(url);
  if (pg.scalar("SELECT COUNT(*) FROM organisations") != "0")
    throw std::runtime_error("the database already holds organisations: use an empty one");
  auto started = std::chrono::steady_clock::now();
  World world =
      create_organisations(*store, rng, static_cast<int>(opt.integer("services", 120, 1, 10000)),
                           static_cast<int>(opt.integer("schools", 400, 1, 10000)));
  Tables tables;
  Counts counts;
  Id next_id = 1;
  for (int year = current - years + 1; year <= current; ++year) {
    // About `per_year`, give or take 5%.
    const int n = per_year - per_year / 20 + static_cast<int>(rng.below(per_year / 10 + 1));
    for (int i = 0; i < n; ++i)
      add_request(tables, counts, rng, world, next_id++, year, year == current, now);
  }
  bulk_load(pg, tables);

  // Read a few back through the store: the bulk rows are what the store expects.
  for (Id id : {Id{1}, next_id / 2, next_id - 1}) {
    auto r = store->request(id);
    if (!r) throw std::runtime_error("request " + std::to_string(id) + ": " + r.error().message);
    if (r->transport.empty() || !r->fields.is_object())
      throw std::runtime_error("request " + std::to_string(id) + " reads back incomplete");
  }

  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "generated " << counts.requests << " requests over " << years << " school years ("
            << counts.preferred << " with a preferred service, " << counts.accepted << " accepted, "
            << counts.stopped << " stopped), " << world.services.size() << " services, "
            << world.schools.size() << " schools, " << tables.transport.rows()
            << " transport rows, " << tables.statuses.rows() << " service statuses, "
            << tables.audit.rows() << " audit rows in " << std::fixed << std::setprecision(1)
            << seconds << " s\n";
  return 0;
}

}  // namespace
}  // namespace stagematch::bench

int main(int argc, char** argv) {
  try {
    return stagematch::bench::run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "stagematch_bench_generate: " << e.what() << "\n";
    return 1;
  }
}

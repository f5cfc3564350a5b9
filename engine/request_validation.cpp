#include "request_validation.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <set>

#include "local_time.hpp"

namespace stagematch {

namespace {

using Problem = std::optional<std::string>;

constexpr std::array<std::string_view, 4> kReadOnlyKeys = {"id", "track", "school",
                                                           "registered_at"};
constexpr std::size_t kMaxEmailLength = 254;
constexpr int kMinPhoneDigits = 8;
constexpr int kMaxPhoneDigits = 15;
constexpr std::size_t kNationalNumberDigits = 11;
constexpr std::size_t kMaxEcho = 40;  // characters of a wrong value quoted back in a message

bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ascii_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool is_ascii_upper(char c) { return c >= 'A' && c <= 'Z'; }

bool is_blank(std::string_view s) { return std::all_of(s.begin(), s.end(), is_ascii_space); }

// Number of code points, or nullopt when `s` is not valid UTF-8.
std::optional<std::size_t> utf8_length(std::string_view s) {
  constexpr std::array<std::uint32_t, 5> kMinCodePoint = {0, 0, 0x80, 0x800, 0x10000};
  std::size_t count = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    const auto lead = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (lead < 0x80) {
      n = 1;
      cp = lead;
    } else if ((lead & 0xE0) == 0xC0) {
      n = 2;
      cp = lead & 0x1Fu;
    } else if ((lead & 0xF0) == 0xE0) {
      n = 3;
      cp = lead & 0x0Fu;
    } else if ((lead & 0xF8) == 0xF0) {
      n = 4;
      cp = lead & 0x07u;
    } else {
      return std::nullopt;
    }
    if (i + n > s.size()) return std::nullopt;
    for (std::size_t k = 1; k < n; ++k) {
      const auto cont = static_cast<unsigned char>(s[i + k]);
      if ((cont & 0xC0) != 0x80) return std::nullopt;
      cp = (cp << 6) | (cont & 0x3Fu);
    }
    if (cp < kMinCodePoint[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return std::nullopt;
    }
    i += n;
    ++count;
  }
  return count;
}

// A user's value quoted back in a message: at most kMaxEcho characters, cut on a character
// boundary; "'...'" when it is not readable text.
std::string echo(std::string_view s) {
  if (!utf8_length(s)) return "'...'";
  std::size_t chars = 0;
  std::size_t i = 0;
  while (i < s.size() && chars < kMaxEcho) {
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
    ++chars;
  }
  std::string out = "'";
  out += s.substr(0, i);
  if (i < s.size()) out += "...";
  out += "'";
  return out;
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += separator;
    out += parts[i];
  }
  return out;
}

// 38 -> "38", 37.5 -> "37,5" (Dutch decimal comma).
std::string format_number(double d) {
  if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 1e15) {
    return std::to_string(static_cast<long long>(d));
  }
  std::array<char, 64> buf{};
  auto result = std::to_chars(buf.data(), buf.data() + buf.size(), d);
  std::string out(buf.data(), result.ptr);
  std::replace(out.begin(), out.end(), '.', ',');
  return out;
}

std::string plural(long long n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

// The whole number a JSON number stands for (3 and 3.0), else nullopt.
std::optional<std::int64_t> whole_number(const Value& v) {
  if (v.is_int()) return v.as_int();
  if (!v.is_number()) return std::nullopt;
  const double d = v.as_number();
  if (!std::isfinite(d) || std::trunc(d) != d || std::fabs(d) > 9e15) return std::nullopt;
  return static_cast<std::int64_t>(d);
}

// "YYYY-MM-DD" that is a real date.
std::optional<std::chrono::sys_days> parse_date(const Value& v) {
  if (!v.is_string()) return std::nullopt;
  const std::string& s = v.as_string();
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u}) {
    if (!is_ascii_digit(s[i])) return std::nullopt;
  }
  auto number = [&](std::size_t from, std::size_t len) {
    int n = 0;
    for (std::size_t i = from; i < from + len; ++i) n = n * 10 + (s[i] - '0');
    return n;
  };
  const int year = number(0, 4);
  const int month = number(5, 2);
  const int day = number(8, 2);
  if (!is_valid_date(year, month, day)) return std::nullopt;
  return std::chrono::sys_days{std::chrono::year{year} /
                               std::chrono::month{static_cast<unsigned>(month)} /
                               std::chrono::day{static_cast<unsigned>(day)}};
}

bool is_missing(const Value& v) {
  if (v.is_null()) return true;
  if (v.is_string()) return is_blank(v.as_string());
  if (v.is_array()) return v.as_array().empty();
  return false;
}

// Whether a request value is one of `in` (for required_when): a string, a ticked set value,
// a whole number or a boolean written as text.
bool value_in(const Value& v, const std::vector<std::string>& in) {
  auto listed = [&](std::string_view s) { return std::find(in.begin(), in.end(), s) != in.end(); };
  if (v.is_string()) return listed(v.as_string());
  if (v.is_bool()) return listed(v.as_bool() ? "true" : "false");
  if (auto n = whole_number(v)) return listed(std::to_string(*n));
  if (v.is_array()) {
    return std::any_of(v.as_array().begin(), v.as_array().end(), [&](const Value& item) {
      return item.is_string() && listed(item.as_string());
    });
  }
  return false;
}

// The number the two digits at `at` make (no check: the caller knows they are digits).
int two_digits_at(std::string_view digits, std::size_t at) {
  return (digits[at] - '0') * 10 + (digits[at + 1] - '0');
}

enum class NationalNumberFault { kNone, kBirthMonth, kBirthDay, kChecksum, kFutureBirthYear };

// What is wrong with 11 digits as a national register number (YYMMDD SSS CC): a birth date that
// cannot exist, or check digits that are not 97 - (the first 9 mod 97), nor the same with "2"
// put in front for a birth from 2000 on; that second form counts only for a birth year up to
// `this_year`. A bis number adds 20 or 40 to the month; 00 stands for an unknown month or day.
NationalNumberFault national_number_fault(std::string_view digits, int this_year) {
  const int month = two_digits_at(digits, 2);  // a bis number's is 20 or 40 higher
  const bool possible_month =
      month <= 12 || (month >= 20 && month <= 32) || (month >= 40 && month <= 52);
  if (!possible_month) return NationalNumberFault::kBirthMonth;
  if (two_digits_at(digits, 4) > 31) return NationalNumberFault::kBirthDay;
  std::int64_t base = 0;
  for (char c : digits.substr(0, 9)) base = base * 10 + (c - '0');
  const int check = two_digits_at(digits, 9);
  if (check == 97 - base % 97) return NationalNumberFault::kNone;
  constexpr std::int64_t kBornFrom2000 = 2'000'000'000;
  if (check != 97 - (kBornFrom2000 + base) % 97) return NationalNumberFault::kChecksum;
  return 2000 + two_digits_at(digits, 0) <= this_year ? NationalNumberFault::kNone
                                                      : NationalNumberFault::kFutureBirthYear;
}

class Validator {
 public:
  Validator(const Workflow& workflow, const Value& request, const ReferenceCheck& refs)
      : workflow_(workflow), request_(request), refs_(refs) {}

  std::vector<FieldProblem> run() const {
    std::vector<FieldProblem> problems;
    if (!request_.is_object()) {
      problems.push_back({"", "De aanvraag moet een object met velden zijn."});
      return problems;
    }
    for (const FieldDef& field : workflow_.fields) {
      if (Problem p = check_field(field)) problems.push_back({field.id, std::move(*p)});
    }
    for (const auto& [key, value] : request_.as_object()) {
      if (workflow_.field(key) != nullptr) continue;
      if (std::find(kReadOnlyKeys.begin(), kReadOnlyKeys.end(), key) != kReadOnlyKeys.end()) {
        continue;
      }
      problems.push_back({key, "Onbekend veld."});
    }
    return problems;
  }

 private:
  // The label at the start of a sentence.
  static std::string label(const FieldDef& f) { return f.label.empty() ? f.id : f.label; }

  // The label inside a sentence: first letter lower case unless it starts an abbreviation.
  static std::string inline_label(const FieldDef& f) {
    std::string l = label(f);
    if (!l.empty() && is_ascii_upper(l[0]) && (l.size() == 1 || !is_ascii_upper(l[1]))) {
      l[0] = static_cast<char>(l[0] - 'A' + 'a');
    }
    return l;
  }

  static std::string value_ids(const FieldDef& f) {
    std::vector<std::string> ids;
    for (const auto& [id, text] : f.values) ids.push_back(id);
    return join(ids, ", ");
  }

  bool is_required(const FieldDef& f) const {
    if (f.required) return true;
    return f.required_when && value_in(request_[f.required_when->field], f.required_when->in);
  }

  std::string missing_message(const FieldDef& f) const {
    if (f.required || !f.required_when) return label(f) + " is verplicht.";
    const Value& controlling = request_[f.required_when->field];
    const FieldDef* controller = workflow_.field(f.required_when->field);
    if (controller == nullptr || !controlling.is_string()) return label(f) + " is verplicht.";
    std::string shown = controlling.as_string();
    for (const auto& [id, text] : controller->values) {
      if (id == shown) shown = text;
    }
    return label(f) + " is verplicht bij " + inline_label(*controller) + " '" + shown + "'.";
  }

  Problem check_field(const FieldDef& f) const {
    const Value& v = request_[f.id];
    if (is_missing(v)) {
      if (is_required(f)) return missing_message(f);
      if (f.type == "periods") return check_period_count(f, 0);
      return std::nullopt;
    }
    return check_value(f, v);
  }

  Problem check_value(const FieldDef& f, const Value& v) const {
    if (f.type == "text") return check_text(f, v);
    if (f.type == "email") return check_email(f, v);
    if (f.type == "phone") return check_phone(f, v);
    if (f.type == "national_number") return check_national_number(f, v);
    if (f.type == "postal_code") return check_postal_code(f, v);
    if (f.type == "enum") return check_enum(f, v);
    if (f.type == "set") return check_set(f, v);
    if (f.type == "integer") return check_integer(f, v);
    if (f.type == "number") return check_number(f, v);
    if (f.type == "date") return check_date(f, v);
    if (f.type == "periods") return check_periods(f, v);
    if (f.type == "ref") return check_ref(f, v);
    return std::nullopt;  // the definition checker refuses unknown types
  }

  static Problem check_text(const FieldDef& f, const Value& v) {
    if (!v.is_string()) return label(f) + " moet tekst zijn.";
    const std::string& s = v.as_string();
    const auto length = utf8_length(s);
    const bool control = std::any_of(s.begin(), s.end(), [](char c) {
      const auto u = static_cast<unsigned char>(c);
      return (u < 0x20 && c != '\n' && c != '\r' && c != '\t') || u == 0x7F;
    });
    if (!length || control) return label(f) + " bevat ongeldige tekens.";
    // A line break in a name or a street would split it in a CSV, a mail header or a log line.
    if (!f.multiline() && s.find_first_of("\r\n\t") != std::string::npos)
      return label(f) + " moet op één regel staan, zonder regeleinden of tabs.";
    if (f.max_length && *length > static_cast<std::size_t>(*f.max_length)) {
      return label(f) + " is te lang: maximaal " + std::to_string(*f.max_length) + " tekens (nu " +
             std::to_string(*length) + ").";
    }
    return std::nullopt;
  }

  static Problem check_email(const FieldDef& f, const Value& v) {
    const std::string invalid =
        label(f) + " is geen geldig e-mailadres; schrijf het als naam@voorbeeld.be.";
    if (!v.is_string()) return invalid;
    const std::string& s = v.as_string();
    if (s.size() > kMaxEmailLength) {
      return label(f) + " is te lang: maximaal " + std::to_string(kMaxEmailLength) + " tekens.";
    }
    if (std::any_of(s.begin(), s.end(), is_ascii_space)) {
      return label(f) + " mag geen spaties bevatten.";
    }
    constexpr std::string_view kForbidden = ",;:<>()[]\\\"";
    const bool bad_char = std::any_of(s.begin(), s.end(), [&](char c) {
      const auto u = static_cast<unsigned char>(c);
      return u < 0x20 || u == 0x7F || kForbidden.find(c) != std::string_view::npos;
    });
    if (bad_char || !utf8_length(s)) return invalid;
    const auto at = s.find('@');
    if (at == std::string::npos || s.find('@', at + 1) != std::string::npos) return invalid;
    const std::string_view local = std::string_view(s).substr(0, at);
    const std::string_view domain = std::string_view(s).substr(at + 1);
    if (local.empty() || domain.find('.') == std::string_view::npos) return invalid;
    if (domain.front() == '.' || domain.back() == '.' ||
        domain.find("..") != std::string_view::npos) {
      return invalid;
    }
    return std::nullopt;
  }

  static Problem check_phone(const FieldDef& f, const Value& v) {
    if (!v.is_string()) {
      return label(f) + " moet als tekst worden ingevuld, bijvoorbeeld 0470 12 34 56.";
    }
    const std::string& s = v.as_string();
    constexpr std::string_view kAllowed = " +/.-()";
    int digits = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
      const char c = s[i];
      if (is_ascii_digit(c)) {
        ++digits;
      } else if (kAllowed.find(c) == std::string_view::npos ||
                 (c == '+' && !is_blank(std::string_view(s).substr(0, i)))) {
        return label(f) + " mag enkel cijfers, spaties en + / . - ( ) bevatten (een + enkel " +
               "vooraan).";
      }
    }
    if (digits < kMinPhoneDigits || digits > kMaxPhoneDigits) {
      return label(f) + " moet " + std::to_string(kMinPhoneDigits) + " tot " +
             std::to_string(kMaxPhoneDigits) + " cijfers bevatten (nu " + std::to_string(digits) +
             ").";
    }
    return std::nullopt;
  }

  Problem check_national_number(const FieldDef& f, const Value& v) const {
    if (!v.is_string()) {
      return label(f) + " moet als tekst worden ingevuld: 11 cijfers, bijvoorbeeld " +
             "85.07.30-033.28.";
    }
    const auto digits = national_number_digits(v.as_string());
    if (!digits) {
      return label(f) + " mag enkel cijfers bevatten, eventueel met punten, streepjes of spaties.";
    }
    if (digits->size() != kNationalNumberDigits) {
      return label(f) + " moet 11 cijfers bevatten (nu " + std::to_string(digits->size()) + ").";
    }
    const std::string invalid = label(f) + " is geen geldig rijksregisternummer: ";
    switch (national_number_fault(*digits, this_year())) {
      case NationalNumberFault::kNone:
        return std::nullopt;
      case NationalNumberFault::kBirthMonth:
        return invalid + "de eerste 6 cijfers zijn de geboortedatum (jjmmdd), en maand " +
               digits->substr(2, 2) + " bestaat niet (01 tot 12, 00 als de datum onbekend is, " +
               "of 20 of 40 hoger bij een bisnummer). Controleer het nummer.";
      case NationalNumberFault::kBirthDay:
        return invalid + "de eerste 6 cijfers zijn de geboortedatum (jjmmdd), en dag " +
               digits->substr(4, 2) + " bestaat niet (01 tot 31, of 00 als de dag onbekend is)." +
               " Controleer het nummer.";
      case NationalNumberFault::kFutureBirthYear:
        return invalid + "het controlegetal past enkel bij een geboorte in " +
               std::to_string(2000 + two_digits_at(*digits, 0)) +
               ", en dat jaar moet nog komen. Controleer het nummer.";
      case NationalNumberFault::kChecksum:
        break;
    }
    return invalid + "de laatste 2 cijfers (het controlegetal) passen niet bij de eerste 9. " +
           "Controleer het nummer.";
  }

  // The calendar year of the product's clock, or else of the system's (Belgian time).
  int this_year() const {
    if (refs_.this_year) return *refs_.this_year;
    return to_brussels(
               std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()))
        .year;
  }

  static Problem check_postal_code(const FieldDef& f, const Value& v) {
    const std::string invalid =
        label(f) + " moet een Belgische postcode van 4 cijfers zijn (1000 tot 9999).";
    if (auto n = whole_number(v)) {
      return *n >= 1000 && *n <= 9999 ? Problem{} : invalid;
    }
    if (!v.is_string()) return invalid;
    const std::string& s = v.as_string();
    if (s.size() != 4 || !std::all_of(s.begin(), s.end(), is_ascii_digit) || s[0] == '0') {
      return invalid;
    }
    return std::nullopt;
  }

  static Problem check_enum(const FieldDef& f, const Value& v) {
    if (v.is_string() && f.has_value(v.as_string())) return std::nullopt;
    std::string message = "Kies bij " + inline_label(f) + " een van: " + value_ids(f) + ".";
    if (v.is_string()) message = echo(v.as_string()) + " is geen geldige keuze. " + message;
    return message;
  }

  static Problem check_set(const FieldDef& f, const Value& v) {
    if (!v.is_array()) {
      return label(f) + " moet een lijst van keuzes zijn (een of meer van: " + value_ids(f) + ").";
    }
    std::set<std::string, std::less<>> seen;
    for (const Value& item : v.as_array()) {
      if (!item.is_string() || !f.has_value(item.as_string())) {
        std::string shown = item.is_string() ? echo(item.as_string()) : item.to_json();
        if (!item.is_string() && shown.size() > kMaxEcho) shown = "deze waarde";
        return shown + " is geen geldige keuze bij " + inline_label(f) +
               "; kies uit: " + value_ids(f) + ".";
      }
      if (!seen.insert(item.as_string()).second) {
        return echo(item.as_string()) + " staat meer dan een keer bij " + inline_label(f) + ".";
      }
    }
    const auto count = static_cast<double>(seen.size());
    if (f.min && count < *f.min) {
      return "Duid bij " + inline_label(f) + " minstens " +
             plural(static_cast<long long>(std::ceil(*f.min)), "keuze", "keuzes") + " aan.";
    }
    if (f.max && count > *f.max) {
      return "Duid bij " + inline_label(f) + " hoogstens " +
             plural(static_cast<long long>(std::floor(*f.max)), "keuze", "keuzes") + " aan.";
    }
    return std::nullopt;
  }

  static Problem check_range(const FieldDef& f, double x) {
    const bool low = f.min && x < *f.min;
    const bool high = f.max && x > *f.max;
    if (!low && !high) return std::nullopt;
    if (f.min && f.max) {
      return label(f) + " moet tussen " + format_number(*f.min) + " en " + format_number(*f.max) +
             " liggen.";
    }
    if (low) return label(f) + " moet minstens " + format_number(*f.min) + " zijn.";
    return label(f) + " mag hoogstens " + format_number(*f.max) + " zijn.";
  }

  static Problem check_integer(const FieldDef& f, const Value& v) {
    const auto n = whole_number(v);
    if (!n) return label(f) + " moet een geheel getal zijn.";
    return check_range(f, static_cast<double>(*n));
  }

  static Problem check_number(const FieldDef& f, const Value& v) {
    if (!v.is_number() || !std::isfinite(v.as_number())) return label(f) + " moet een getal zijn.";
    return check_range(f, v.as_number());
  }

  static Problem check_date(const FieldDef& f, const Value& v) {
    if (parse_date(v)) return std::nullopt;
    return label(f) + " moet een bestaande datum zijn, geschreven als JJJJ-MM-DD (bijvoorbeeld " +
           "2025-10-01).";
  }

  // The number of periods the count field asks for, when that field holds a valid value.
  std::optional<std::int64_t> wanted_periods(const FieldDef& f) const {
    if (f.count_field.empty()) return std::nullopt;
    const FieldDef* count_def = workflow_.field(f.count_field);
    if (count_def == nullptr) return std::nullopt;
    const Value& count = request_[f.count_field];
    if (is_missing(count) || check_value(*count_def, count)) return std::nullopt;
    return whole_number(count);
  }

  Problem check_period_count(const FieldDef& f, std::size_t filled) const {
    const auto wanted = wanted_periods(f);
    if (!wanted || *wanted == static_cast<std::int64_t>(filled)) return std::nullopt;
    const FieldDef* count_def = workflow_.field(f.count_field);
    return "Vul precies " + plural(*wanted, "periode", "periodes") + " in, zoals bij " +
           inline_label(*count_def) + " staat (nu " + std::to_string(filled) + ").";
  }

  Problem check_periods(const FieldDef& f, const Value& v) const {
    if (!v.is_array()) {
      return label(f) + " moet een lijst van periodes zijn, elk met een begindatum (start) en " +
             "een einddatum (end).";
    }
    std::vector<std::string> parts;
    if (Problem p = check_period_count(f, v.as_array().size())) parts.push_back(std::move(*p));
    int number = 0;
    for (const Value& period : v.as_array()) {
      ++number;
      if (Problem p = check_period(f, period)) {
        parts.push_back("Periode " + std::to_string(number) + ": " + *p);
      }
    }
    if (parts.empty()) return std::nullopt;
    return join(parts, " ");
  }

  // One period; the message continues "Periode N: ".
  static Problem check_period(const FieldDef& f, const Value& period) {
    if (!period.is_object()) return "geef een begindatum (start) en een einddatum (end) op.";
    for (const auto& [key, value] : period.as_object()) {
      if (key != "start" && key != "end") return "onbekend veld " + echo(key) + ".";
    }
    const Value& start_value = period["start"];
    const Value& end_value = period["end"];
    const bool no_start = is_missing(start_value);
    const bool no_end = is_missing(end_value);
    if (no_start && no_end) return "vul de begindatum en de einddatum in.";
    if (no_start) return "vul de begindatum in.";
    if (no_end) return "vul de einddatum in.";
    const auto start = parse_date(start_value);
    const auto end = parse_date(end_value);
    if (!start && !end) {
      return "de begindatum en de einddatum zijn geen bestaande datums (JJJJ-MM-DD).";
    }
    if (!start) return "de begindatum is geen bestaande datum (JJJJ-MM-DD).";
    if (!end) return "de einddatum is geen bestaande datum (JJJJ-MM-DD).";
    if (*end < *start) return "de einddatum ligt voor de begindatum.";
    const auto days = (*end - *start).count() + 1;
    if (f.max_days && days > *f.max_days) {
      return "een periode duurt hoogstens " + plural(*f.max_days, "dag", "dagen") + " (nu " +
             plural(days, "dag", "dagen") + ").";
    }
    return std::nullopt;
  }

  Problem check_ref(const FieldDef& f, const Value& v) const {
    std::string id;
    if (v.is_string()) {
      id = v.as_string();
    } else if (auto n = whole_number(v)) {
      id = std::to_string(*n);
    } else {
      return label(f) + " moet een id zijn (tekst of geheel getal).";
    }
    if (f.ref == "school_contact") {
      if (refs_.school_contact_exists && !refs_.school_contact_exists(id)) {
        return std::string("Kies een contactpersoon van je eigen school.");
      }
    } else if (f.ref == "service") {
      if (refs_.service_exists && !refs_.service_exists(id)) {
        return std::string("Kies een dienst uit de lijst.");
      }
    }
    return std::nullopt;
  }

  const Workflow& workflow_;
  const Value& request_;
  const ReferenceCheck& refs_;
};

}  // namespace

// Digits of a national number written with optional separators; nullopt on any other
// character. Does not check the count.
std::optional<std::string> national_number_digits(std::string_view text) {
  std::string digits;
  for (char c : text) {
    if (is_ascii_digit(c)) {
      digits += c;
    } else if (c != '.' && c != '-' && c != ' ') {
      return std::nullopt;
    }
  }
  return digits;
}

const Workflow& contact_person_fields() {
  static const Workflow kForm = [] {
    Workflow w;
    w.name = "contact";
    FieldDef name;
    name.id = "name";
    name.label = "Naam";
    name.type = "text";
    name.required = true;
    name.max_length = 100;
    FieldDef phone;
    phone.id = "phone";
    phone.label = "Telefoon";
    phone.type = "phone";
    phone.required = true;
    FieldDef email;
    email.id = "email";
    email.label = "E-mail";
    email.type = "email";
    email.required = true;
    w.fields = {name, phone, email};
    return w;
  }();
  return kForm;
}

std::vector<FieldProblem> validate_request(const Workflow& workflow, const Value& request,
                                           const ReferenceCheck& refs) {
  return Validator(workflow, request, refs).run();
}

bool valid_national_number(std::string_view digits, int this_year) {
  return digits.size() == kNationalNumberDigits &&
         std::all_of(digits.begin(), digits.end(), is_ascii_digit) &&
         national_number_fault(digits, this_year) == NationalNumberFault::kNone;
}

std::optional<std::string> normalize_national_number(std::string_view text) {
  auto digits = national_number_digits(text);
  if (!digits || !valid_national_number(*digits, kLastYearOfThe2Prefix)) return std::nullopt;
  return digits;
}

std::optional<std::string> province_of_postal_code(int postal_code) {
  struct Range {
    int from;
    int to;
    std::string_view province;
  };
  constexpr std::array<Range, 7> kRanges = {{{1000, 1299, "BRU"},
                                             {1500, 1999, "VBR"},
                                             {2000, 2999, "ANT"},
                                             {3000, 3499, "VBR"},
                                             {3500, 3999, "LIM"},
                                             {8000, 8999, "WVL"},
                                             {9000, 9999, "OVL"}}};
  for (const Range& r : kRanges) {
    if (postal_code >= r.from && postal_code <= r.to) return std::string(r.province);
  }
  return std::nullopt;
}

}  // namespace stagematch

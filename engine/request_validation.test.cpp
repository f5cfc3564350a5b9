#include "request_validation.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace stagematch {
namespace {

FieldDef make_field(std::string id, std::string label, std::string type, bool required = false) {
  FieldDef f;
  f.id = std::move(id);
  f.label = std::move(label);
  f.type = std::move(type);
  f.required = required;
  return f;
}

// The student_request fieldset of workflows/fields/, plus duaal's weekdays and a date field,
// written out by hand so these tests do not depend on the YAML loader.
Workflow make_workflow() {
  Workflow w;
  w.name = "test";
  w.version = 1;
  w.label = "Test";
  auto add = [&](FieldDef f) { w.fields.push_back(std::move(f)); };

  FieldDef first = make_field("first_name", "Voornaam", "text", true);
  first.max_length = 100;
  add(first);
  FieldDef last = make_field("last_name", "Achternaam", "text", true);
  last.max_length = 100;
  add(last);
  add(make_field("national_number", "Rijksregisternummer", "national_number", true));
  add(make_field("postal_code", "Postcode", "postal_code", true));
  FieldDef province = make_field("province", "Provincie", "enum", true);
  province.values = {{"ANT", "Antwerpen"},      {"BRU", "Brussels Hoofdstedelijk Gewest"},
                     {"LIM", "Limburg"},        {"OVL", "Oost-Vlaanderen"},
                     {"VBR", "Vlaams-Brabant"}, {"WVL", "West-Vlaanderen"}};
  add(province);
  add(make_field("phone", "Telefoon", "phone", true));
  add(make_field("email", "E-mail", "email", true));
  FieldDef transport = make_field("transport", "Vervoersmiddel", "set", true);
  transport.min = 1;
  transport.values = {{"auto", "Auto"},
                      {"bromfiets", "Bromfiets"},
                      {"elektrische_fiets", "Elektrische fiets"},
                      {"fiets", "Fiets"},
                      {"openbaar_vervoer", "Openbaar vervoer"}};
  add(transport);
  FieldDef remarks = make_field("remarks", "Opmerkingen", "text");
  remarks.max_length = 2000;
  add(remarks);
  FieldDef contact = make_field("school_contact_id", "Stage-/werkplekbegeleider", "ref", true);
  contact.ref = "school_contact";
  add(contact);
  FieldDef form = make_field("form", "Stagevorm", "enum", true);
  form.values = {
      {"blok", "Blok"}, {"alternerend", "Alternerend"}, {"blok_en_alternerend", "Blok en alt."}};
  add(form);
  FieldDef count = make_field("period_count", "Aantal periodes", "integer", true);
  count.min = 1;
  count.max = 4;
  add(count);
  FieldDef hours = make_field("hours_per_week", "Aantal uren/week", "number");
  hours.required_when = RequiredWhen{"form", {"blok", "blok_en_alternerend"}};
  hours.min = 1;
  hours.max = 60;
  add(hours);
  FieldDef total = make_field("total_hours", "Totaal aantal uren te realiseren", "number", true);
  total.min = 1;
  total.max = 2000;
  add(total);
  FieldDef periods = make_field("periods", "Stageperiodes", "periods", true);
  periods.count_field = "period_count";
  add(periods);
  FieldDef service = make_field("preferred_service_id", "Voorkeursdienst", "ref");
  service.ref = "service";
  add(service);
  FieldDef weekdays = make_field("weekdays", "Welke dagen", "set");
  weekdays.min = 1;
  weekdays.max = 3;
  weekdays.values = {{"ma", "maandag"},
                     {"di", "dinsdag"},
                     {"wo", "woensdag"},
                     {"do", "donderdag"},
                     {"vr", "vrijdag"}};
  add(weekdays);
  add(make_field("birth_date", "Geboortedatum", "date"));
  return w;
}

Value period(const char* start, const char* end) {
  return Value(Object{{"start", start}, {"end", end}});
}

Object valid_request() {
  return Object{
      {"first_name", "An"},
      {"last_name", "Peeters"},
      {"national_number", "85073003328"},
      {"postal_code", "2000"},
      {"province", "ANT"},
      {"phone", "0470 12 34 56"},
      {"email", "an.peeters@example.be"},
      {"transport", Array{"fiets", "openbaar_vervoer"}},
      {"school_contact_id", "c1"},
      {"form", "alternerend"},
      {"period_count", 2},
      {"total_hours", 300},
      {"periods", Array{period("2025-10-01", "2025-12-19"), period("2026-02-02", "2026-03-27")}},
  };
}

class RequestValidationTest : public ::testing::Test {
 protected:
  // Problems of the valid request with `key` set to `value`.
  std::vector<FieldProblem> with(const std::string& key, Value value) const {
    Object o = valid_request();
    o[key] = std::move(value);
    return validate_request(workflow_, Value(o), refs_);
  }
  std::vector<FieldProblem> without(const std::string& key) const {
    Object o = valid_request();
    o.erase(key);
    return validate_request(workflow_, Value(o), refs_);
  }
  // The one problem expected, for `field`; empty when there is none or another field has one.
  std::string problem_for(const std::vector<FieldProblem>& problems, const std::string& field) {
    for (const auto& p : problems) {
      EXPECT_EQ(p.field, field) << "unexpected problem: " << p.message;
    }
    if (problems.size() != 1 || problems[0].field != field) return "";
    EXPECT_EQ(problems[0].severity, Severity::kError);
    return problems[0].message;
  }
  bool ok(const std::string& key, Value value) const { return with(key, std::move(value)).empty(); }
  std::string bad(const std::string& key, Value value) {
    std::string message = problem_for(with(key, std::move(value)), key);
    EXPECT_FALSE(message.empty()) << key;
    return message;
  }

  Workflow workflow_ = make_workflow();
  ReferenceCheck refs_{
      [](const std::string& id) { return id == "c1" || id == "17"; },
      [](const std::string& id) { return id == "s1"; },
      2026,  // this year on the product's clock
  };
};

TEST_F(RequestValidationTest, ValidRequestHasNoProblems) {
  EXPECT_TRUE(validate_request(workflow_, Value(valid_request()), refs_).empty());
  EXPECT_TRUE(validate_request(workflow_, Value(valid_request())).empty());
}

TEST_F(RequestValidationTest, RequiredMissingNullEmptyStringEmptyList) {
  EXPECT_EQ(problem_for(without("first_name"), "first_name"), "Voornaam is verplicht.");
  EXPECT_EQ(bad("first_name", nullptr), "Voornaam is verplicht.");
  EXPECT_EQ(bad("first_name", ""), "Voornaam is verplicht.");
  EXPECT_EQ(bad("first_name", "   "), "Voornaam is verplicht.");
  EXPECT_EQ(bad("transport", Array{}), "Vervoersmiddel is verplicht.");
  EXPECT_EQ(bad("periods", Array{}), "Stageperiodes is verplicht.");
  EXPECT_EQ(problem_for(without("school_contact_id"), "school_contact_id"),
            "Stage-/werkplekbegeleider is verplicht.");
}

TEST_F(RequestValidationTest, EveryMissingRequiredFieldIsReported) {
  auto problems = validate_request(workflow_, Value(Object{}), refs_);
  std::vector<std::string> fields;
  for (const auto& p : problems) fields.push_back(p.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"first_name", "last_name", "national_number",
                                              "postal_code", "province", "phone", "email",
                                              "transport", "school_contact_id", "form",
                                              "period_count", "total_hours", "periods"}));
}

TEST_F(RequestValidationTest, OptionalFieldsMayBeAbsentOrNull) {
  EXPECT_TRUE(ok("remarks", nullptr));
  EXPECT_TRUE(ok("remarks", ""));
  EXPECT_TRUE(ok("weekdays", Array{}));
  EXPECT_TRUE(ok("preferred_service_id", nullptr));
  EXPECT_TRUE(ok("birth_date", nullptr));
}

TEST_F(RequestValidationTest, RequiredWhenHoursPerWeek) {
  EXPECT_TRUE(ok("form", "alternerend"));  // no hours_per_week in the valid request
  auto blok = with("form", "blok");
  EXPECT_EQ(problem_for(blok, "hours_per_week"),
            "Aantal uren/week is verplicht bij stagevorm 'Blok'.");
  auto both = with("form", "blok_en_alternerend");
  EXPECT_NE(problem_for(both, "hours_per_week"), "");

  Object o = valid_request();
  o["form"] = "blok";
  o["hours_per_week"] = 38;
  EXPECT_TRUE(validate_request(workflow_, Value(o), refs_).empty());
  o["hours_per_week"] = nullptr;
  EXPECT_EQ(problem_for(validate_request(workflow_, Value(o), refs_), "hours_per_week"),
            "Aantal uren/week is verplicht bij stagevorm 'Blok'.");
  o["form"] = "alternerend";
  EXPECT_TRUE(validate_request(workflow_, Value(o), refs_).empty());
}

TEST_F(RequestValidationTest, TextMaxLength) {
  EXPECT_TRUE(ok("first_name", std::string(100, 'a')));
  std::string accents;
  for (int i = 0; i < 100; ++i) accents += "\xc3\xa9";  // 100 x e-acute, 200 bytes
  EXPECT_TRUE(ok("first_name", accents));
  EXPECT_EQ(bad("first_name", std::string(101, 'a')),
            "Voornaam is te lang: maximaal 100 tekens (nu 101).");
  EXPECT_TRUE(ok("remarks", "Kleurenblind.\nHoort slecht."));
}

TEST_F(RequestValidationTest, TextWrongTypeAndBadCharacters) {
  EXPECT_EQ(bad("first_name", 5), "Voornaam moet tekst zijn.");
  EXPECT_EQ(bad("last_name", Array{"a"}), "Achternaam moet tekst zijn.");
  EXPECT_EQ(bad("first_name", "A\xff"), "Voornaam bevat ongeldige tekens.");
  EXPECT_EQ(bad("first_name", std::string("A\x01")), "Voornaam bevat ongeldige tekens.");
  // One-line fields take no line break or tab (a forged CSV row, mail header or log line);
  // the remarks, a text area, do.
  for (const char* broken : {"Jan\r\nBcc: x@y.be", "Jan\nPeeters", "Jan\tPeeters"})
    EXPECT_EQ(bad("first_name", broken),
              "Voornaam moet op één regel staan, zonder regeleinden of tabs.")
        << broken;
}

TEST_F(RequestValidationTest, Email) {
  EXPECT_TRUE(ok("email", "an@school.be"));
  EXPECT_TRUE(ok("email", "an.o'brien+stage@mail.school.be"));
  EXPECT_NE(bad("email", "an.school.be"), "");
  EXPECT_NE(bad("email", "an@@school.be"), "");
  EXPECT_NE(bad("email", "an@sc@hool.be"), "");
  EXPECT_NE(bad("email", "an@schoolbe"), "");
  EXPECT_NE(bad("email", "an@school..be"), "");
  EXPECT_NE(bad("email", "an@school.be."), "");
  EXPECT_NE(bad("email", "@school.be"), "");
  EXPECT_NE(bad("email", "an,piet@school.be"), "");
  EXPECT_EQ(bad("email", "an @school.be"), "E-mail mag geen spaties bevatten.");
  EXPECT_NE(bad("email", 12), "");
  std::string longest = std::string(64, 'a') + "@" + std::string(185, 'b') + ".be";
  ASSERT_EQ(longest.size(), 253u);
  EXPECT_TRUE(ok("email", longest + "e"));  // 254
  EXPECT_EQ(bad("email", longest + "ee"), "E-mail is te lang: maximaal 254 tekens.");
}

TEST_F(RequestValidationTest, Phone) {
  EXPECT_TRUE(ok("phone", "0470 12 34 56"));
  EXPECT_TRUE(ok("phone", "+32 (0)470/12.34.56"));
  EXPECT_TRUE(ok("phone", "03-123.45.67"));
  EXPECT_TRUE(ok("phone", "12345678"));         // 8 digits
  EXPECT_TRUE(ok("phone", "123456789012345"));  // 15 digits
  EXPECT_EQ(bad("phone", "1234567"), "Telefoon moet 8 tot 15 cijfers bevatten (nu 7).");
  EXPECT_NE(bad("phone", "1234567890123456"), "");
  EXPECT_NE(bad("phone", "0470 12 34 5x"), "");
  EXPECT_NE(bad("phone", "0470+123456"), "");
  EXPECT_NE(bad("phone", 470123456), "");
}

// A national number from its first 9 digits: the check digits for a birth in the 1900s, or
// with `from_2000` for one in the 2000s.
std::string national_number_of(const std::string& first9, bool from_2000 = false) {
  std::int64_t base = std::stoll(first9) + (from_2000 ? 2'000'000'000 : 0);
  int check = static_cast<int>(97 - base % 97);
  return first9 + (check < 10 ? "0" : "") + std::to_string(check);
}

TEST(NationalNumber, Vectors) {
  EXPECT_TRUE(valid_national_number("85073003328", 2026));  // born 1985
  EXPECT_TRUE(valid_national_number("17073003384", 2026));  // born 2017
  EXPECT_FALSE(valid_national_number("12345678901", 2026));
  EXPECT_FALSE(valid_national_number("85073003329", 2026));
  EXPECT_FALSE(valid_national_number("8507300332", 2026));
  EXPECT_FALSE(valid_national_number("850730033288", 2026));
  EXPECT_FALSE(valid_national_number("85.07.30-033.28", 2026));  // digits only
  EXPECT_FALSE(valid_national_number("", 2026));
}

// The birth date in the first 6 digits must be one that can exist (SPEC.md, December 2026).
TEST(NationalNumber, TheBirthDateMustBePossible) {
  for (const char* first9 : {"851230033", "850101033", "850131033",  // ordinary dates
                             "850700033", "850030033", "000001033",  // day or month unknown (00)
                             "852730033", "853230033", "854730033",  // bis numbers: month +20, +40
                             "855230033", "852000033", "854000033"})
    EXPECT_TRUE(valid_national_number(national_number_of(first9), 2026)) << first9;
  for (const char* first9 : {"851330033", "851930033", "853330033", "853930033", "855330033",
                             "856030033", "859930033",                // no month, bis or not
                             "850732033", "850799033", "852732033"})  // no day
    EXPECT_FALSE(valid_national_number(national_number_of(first9), 2026)) << first9;
}

// The "2" prefix stands for a birth in 2000 or later, never for one in a year still to come.
TEST(NationalNumber, ThePrefixForBirthsFrom2000CountsOnlyUpToThisYear) {
  const std::string born_2026 = national_number_of("260301033", true);
  EXPECT_TRUE(valid_national_number(born_2026, 2026));
  EXPECT_FALSE(valid_national_number(born_2026, 2025));
  const std::string born_2045 = national_number_of("450301033", true);
  EXPECT_FALSE(valid_national_number(born_2045, 2026));
  EXPECT_TRUE(valid_national_number(born_2045, 2045));
  // The same digits for a birth in 1945 hold in any year.
  EXPECT_TRUE(valid_national_number(national_number_of("450301033"), 2026));
}

TEST(NationalNumber, Normalize) {
  EXPECT_EQ(normalize_national_number("85.07.30-033.28"), "85073003328");
  EXPECT_EQ(normalize_national_number("850730 033 28"), "85073003328");
  EXPECT_EQ(normalize_national_number("17073003384"), "17073003384");
  EXPECT_EQ(normalize_national_number("12345678901"), std::nullopt);
  EXPECT_EQ(normalize_national_number("85/07/30-033.28"), std::nullopt);
}

TEST_F(RequestValidationTest, NationalNumberField) {
  EXPECT_TRUE(ok("national_number", "85073003328"));
  EXPECT_TRUE(ok("national_number", "17073003384"));
  EXPECT_TRUE(ok("national_number", "85.07.30-033.28"));
  EXPECT_TRUE(ok("national_number", "85 07 30 033 28"));
  EXPECT_NE(bad("national_number", "85073003329").find("controlegetal"), std::string::npos);
  EXPECT_NE(bad("national_number", "12345678901").find("maand 34 bestaat niet"), std::string::npos);
  EXPECT_EQ(bad("national_number", "8507300332"),
            "Rijksregisternummer moet 11 cijfers bevatten (nu 10).");
  EXPECT_NE(bad("national_number", "85O73003328"), "");              // letter O
  EXPECT_NE(bad("national_number", std::int64_t{85073003328}), "");  // a number loses leading zeros
  EXPECT_TRUE(ok("national_number", national_number_of("852730033")));  // a bis number
}

// A refused number is told in Dutch, naming the field and what to look at.
TEST_F(RequestValidationTest, AnImpossibleBirthDateOrAFutureBirthYearIsRefusedInDutch) {
  EXPECT_EQ(bad("national_number", national_number_of("851330033")),
            "Rijksregisternummer is geen geldig rijksregisternummer: de eerste 6 cijfers zijn de "
            "geboortedatum (jjmmdd), en maand 13 bestaat niet (01 tot 12, 00 als de datum onbekend "
            "is, of 20 of 40 hoger bij een bisnummer). Controleer het nummer.");
  EXPECT_EQ(bad("national_number", national_number_of("850732033")),
            "Rijksregisternummer is geen geldig rijksregisternummer: de eerste 6 cijfers zijn de "
            "geboortedatum (jjmmdd), en dag 32 bestaat niet (01 tot 31, of 00 als de dag onbekend "
            "is). Controleer het nummer.");
  EXPECT_EQ(bad("national_number", national_number_of("300301033", true)),
            "Rijksregisternummer is geen geldig rijksregisternummer: het controlegetal past enkel "
            "bij een geboorte in 2030, en dat jaar moet nog komen. Controleer het nummer.");
  refs_.this_year = 2030;  // the product's clock says 2030: then it is a possible number
  EXPECT_TRUE(ok("national_number", national_number_of("300301033", true)));
}

TEST_F(RequestValidationTest, PostalCode) {
  EXPECT_TRUE(ok("postal_code", "2000"));
  EXPECT_TRUE(ok("postal_code", 9000));
  EXPECT_TRUE(ok("postal_code", "1000"));
  EXPECT_TRUE(ok("postal_code", "9999"));
  EXPECT_TRUE(ok("postal_code", "4000"));  // Belgian, though not in Flanders or Brussels
  EXPECT_NE(bad("postal_code", "200"), "");
  EXPECT_NE(bad("postal_code", "20000"), "");
  EXPECT_NE(bad("postal_code", "0999"), "");
  EXPECT_NE(bad("postal_code", "20a0"), "");
  EXPECT_NE(bad("postal_code", " 2000"), "");
  EXPECT_NE(bad("postal_code", 999), "");
  EXPECT_NE(bad("postal_code", 2000.5), "");
  EXPECT_NE(bad("postal_code", true), "");
}

TEST(Province, Boundaries) {
  EXPECT_EQ(province_of_postal_code(999), std::nullopt);
  EXPECT_EQ(province_of_postal_code(1000), "BRU");
  EXPECT_EQ(province_of_postal_code(1299), "BRU");
  EXPECT_EQ(province_of_postal_code(1300), std::nullopt);
  EXPECT_EQ(province_of_postal_code(1499), std::nullopt);
  EXPECT_EQ(province_of_postal_code(1500), "VBR");
  EXPECT_EQ(province_of_postal_code(1999), "VBR");
  EXPECT_EQ(province_of_postal_code(2000), "ANT");
  EXPECT_EQ(province_of_postal_code(2999), "ANT");
  EXPECT_EQ(province_of_postal_code(3000), "VBR");
  EXPECT_EQ(province_of_postal_code(3499), "VBR");
  EXPECT_EQ(province_of_postal_code(3500), "LIM");
  EXPECT_EQ(province_of_postal_code(3999), "LIM");
  EXPECT_EQ(province_of_postal_code(4000), std::nullopt);
  EXPECT_EQ(province_of_postal_code(7999), std::nullopt);
  EXPECT_EQ(province_of_postal_code(8000), "WVL");
  EXPECT_EQ(province_of_postal_code(8999), "WVL");
  EXPECT_EQ(province_of_postal_code(9000), "OVL");
  EXPECT_EQ(province_of_postal_code(9999), "OVL");
  EXPECT_EQ(province_of_postal_code(10000), std::nullopt);
  EXPECT_EQ(province_of_postal_code(-1), std::nullopt);
}

TEST_F(RequestValidationTest, Enum) {
  EXPECT_TRUE(ok("province", "WVL"));
  EXPECT_EQ(bad("province", "Antwerpen"),
            "'Antwerpen' is geen geldige keuze. Kies bij provincie een van: ANT, BRU, LIM, OVL, "
            "VBR, WVL.");
  EXPECT_NE(bad("province", "ant"), "");
  EXPECT_EQ(bad("province", 3), "Kies bij provincie een van: ANT, BRU, LIM, OVL, VBR, WVL.");
}

TEST_F(RequestValidationTest, Set) {
  EXPECT_TRUE(ok("transport", Array{"auto"}));
  EXPECT_TRUE(ok("transport",
                 Array{"auto", "bromfiets", "elektrische_fiets", "fiets", "openbaar_vervoer"}));
  EXPECT_EQ(bad("transport", Array{"auto", "trein"}),
            "'trein' is geen geldige keuze bij vervoersmiddel; kies uit: auto, bromfiets, "
            "elektrische_fiets, fiets, openbaar_vervoer.");
  EXPECT_EQ(bad("transport", Array{"fiets", "fiets"}),
            "'fiets' staat meer dan een keer bij vervoersmiddel.");
  EXPECT_NE(bad("transport", Array{"auto", 1}), "");
  EXPECT_NE(bad("transport", "auto"), "");  // not a list
  EXPECT_TRUE(ok("weekdays", Array{"ma", "wo", "vr"}));
  EXPECT_EQ(bad("weekdays", Array{"ma", "di", "wo", "do"}),
            "Duid bij welke dagen hoogstens 3 keuzes aan.");
}

TEST_F(RequestValidationTest, SetMinimum) {
  Workflow w = workflow_;
  for (auto& f : w.fields) {
    if (f.id == "transport") f.min = 2;
  }
  Object o = valid_request();
  o["transport"] = Array{"auto"};
  auto problems = validate_request(w, Value(o), refs_);
  EXPECT_EQ(problem_for(problems, "transport"), "Duid bij vervoersmiddel minstens 2 keuzes aan.");
  o["transport"] = Array{"auto", "fiets"};
  EXPECT_TRUE(validate_request(w, Value(o), refs_).empty());
}

TEST_F(RequestValidationTest, Integer) {
  EXPECT_TRUE(ok("period_count", 2));           // the valid request has 2 periods
  EXPECT_TRUE(ok("period_count", Value(2.0)));  // a whole number written as 2.0
  EXPECT_EQ(bad("period_count", 2.5), "Aantal periodes moet een geheel getal zijn.");
  EXPECT_EQ(bad("period_count", "2"), "Aantal periodes moet een geheel getal zijn.");
  EXPECT_EQ(bad("period_count", true), "Aantal periodes moet een geheel getal zijn.");
  EXPECT_EQ(bad("period_count", 0), "Aantal periodes moet tussen 1 en 4 liggen.");
  EXPECT_EQ(bad("period_count", 5), "Aantal periodes moet tussen 1 en 4 liggen.");
}

TEST_F(RequestValidationTest, Number) {
  EXPECT_TRUE(ok("total_hours", 1));
  EXPECT_TRUE(ok("total_hours", 2000));
  EXPECT_TRUE(ok("total_hours", 37.5));
  EXPECT_EQ(bad("total_hours", 0.5),
            "Totaal aantal uren te realiseren moet tussen 1 en 2000 liggen.");
  EXPECT_NE(bad("total_hours", 2000.5), "");
  EXPECT_EQ(bad("total_hours", "300"), "Totaal aantal uren te realiseren moet een getal zijn.");
  EXPECT_NE(bad("total_hours", false), "");
}

TEST_F(RequestValidationTest, NumberOneSidedBounds) {
  Workflow w = workflow_;
  FieldDef low = make_field("low", "Laag", "number");
  low.min = 0.5;
  FieldDef high = make_field("high", "Hoog", "number");
  high.max = 10;
  w.fields.push_back(low);
  w.fields.push_back(high);
  Object o = valid_request();
  o["low"] = 0.25;
  o["high"] = 11;
  auto problems = validate_request(w, Value(o), refs_);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].message, "Laag moet minstens 0,5 zijn.");
  EXPECT_EQ(problems[1].message, "Hoog mag hoogstens 10 zijn.");
  o["low"] = 0.5;
  o["high"] = -3;  // no lower bound
  EXPECT_TRUE(validate_request(w, Value(o), refs_).empty());
}

TEST_F(RequestValidationTest, Date) {
  EXPECT_TRUE(ok("birth_date", "2007-05-14"));
  EXPECT_TRUE(ok("birth_date", "2024-02-29"));
  EXPECT_NE(bad("birth_date", "2025-02-29"), "");
  EXPECT_NE(bad("birth_date", "2025-13-01"), "");
  EXPECT_NE(bad("birth_date", "14/05/2007"), "");
  EXPECT_NE(bad("birth_date", "2007-5-14"), "");
  EXPECT_NE(bad("birth_date", 20070514), "");
}

TEST_F(RequestValidationTest, PeriodsValid) {
  EXPECT_TRUE(ok("periods", Array{period("2025-10-01", "2025-12-19"),
                                  period("2026-02-02", "2026-02-02")}));  // one day
}

TEST_F(RequestValidationTest, PeriodsCountMismatch) {
  EXPECT_EQ(bad("periods", Array{period("2025-10-01", "2025-12-19")}),
            "Vul precies 2 periodes in, zoals bij aantal periodes staat (nu 1).");
  Object o = valid_request();
  o["period_count"] = 1;
  EXPECT_EQ(problem_for(validate_request(workflow_, Value(o), refs_), "periods"),
            "Vul precies 1 periode in, zoals bij aantal periodes staat (nu 2).");
  // An invalid count is reported on its own field only.
  o["period_count"] = 9;
  EXPECT_EQ(problem_for(validate_request(workflow_, Value(o), refs_), "period_count"),
            "Aantal periodes moet tussen 1 en 4 liggen.");
  o.erase("period_count");
  EXPECT_EQ(problem_for(validate_request(workflow_, Value(o), refs_), "period_count"),
            "Aantal periodes is verplicht.");
}

TEST_F(RequestValidationTest, PeriodsOrder) {
  EXPECT_EQ(
      bad("periods", Array{period("2025-10-01", "2025-12-19"), period("2026-03-27", "2026-02-02")}),
      "Periode 2: de einddatum ligt voor de begindatum.");
}

TEST_F(RequestValidationTest, PeriodsIncompleteOrMalformed) {
  EXPECT_EQ(bad("periods",
                Array{period("2025-10-01", "2025-12-19"), Value(Object{{"start", "2026-02-02"}})}),
            "Periode 2: vul de einddatum in.");
  EXPECT_EQ(bad("periods", Array{period("", "2025-12-19"), period("2026-02-02", "2026-02-30")}),
            "Periode 1: vul de begindatum in. Periode 2: de einddatum is geen bestaande datum "
            "(JJJJ-MM-DD).");
  EXPECT_EQ(bad("periods", Array{period("2025-10-01", "2025-12-19"), Value("2026-02-02")}),
            "Periode 2: geef een begindatum (start) en een einddatum (end) op.");
  EXPECT_EQ(bad("periods", Array{period("2025-10-01", "2025-12-19"),
                                 Value(Object{{"start", "2026-02-02"}, {"einde", "2026-03-01"}})}),
            "Periode 2: onbekend veld 'einde'.");
  EXPECT_NE(bad("periods", "2025-10-01"), "");
  // Count mismatch and a bad period together: still one problem for the field.
  EXPECT_EQ(bad("periods", Array{period("2025-12-19", "2025-10-01")}),
            "Vul precies 2 periodes in, zoals bij aantal periodes staat (nu 1). Periode 1: de "
            "einddatum ligt voor de begindatum.");
}

TEST_F(RequestValidationTest, PeriodsMaxDays) {
  Workflow w = workflow_;
  for (auto& f : w.fields) {
    if (f.id == "periods") f.max_days = 90;
  }
  Object o = valid_request();
  o["period_count"] = 1;
  o["periods"] = Array{period("2025-10-01", "2025-12-29")};  // 90 days inclusive
  EXPECT_TRUE(validate_request(w, Value(o), refs_).empty());
  o["periods"] = Array{period("2025-10-01", "2025-12-30")};  // 91 days
  EXPECT_EQ(problem_for(validate_request(w, Value(o), refs_), "periods"),
            "Periode 1: een periode duurt hoogstens 90 dagen (nu 91 dagen).");
}

TEST_F(RequestValidationTest, OptionalPeriodsStillFollowTheCount) {
  Workflow w = workflow_;
  for (auto& f : w.fields) {
    if (f.id == "periods") f.required = false;
  }
  Object o = valid_request();
  o.erase("periods");
  EXPECT_EQ(problem_for(validate_request(w, Value(o), refs_), "periods"),
            "Vul precies 2 periodes in, zoals bij aantal periodes staat (nu 0).");
}

TEST_F(RequestValidationTest, RefSchoolContact) {
  EXPECT_TRUE(ok("school_contact_id", "c1"));
  EXPECT_TRUE(ok("school_contact_id", 17));
  EXPECT_EQ(bad("school_contact_id", "c2"), "Kies een contactpersoon van je eigen school.");
  EXPECT_EQ(bad("school_contact_id", 18), "Kies een contactpersoon van je eigen school.");
  EXPECT_EQ(bad("school_contact_id", true),
            "Stage-/werkplekbegeleider moet een id zijn (tekst of geheel getal).");
  EXPECT_NE(bad("school_contact_id", Object{{"id", "c1"}}), "");
}

TEST_F(RequestValidationTest, RefService) {
  EXPECT_TRUE(ok("preferred_service_id", "s1"));
  EXPECT_EQ(bad("preferred_service_id", "s2"), "Kies een dienst uit de lijst.");
  // Without lookups only the type is checked.
  Object o = valid_request();
  o["preferred_service_id"] = "s2";
  o["school_contact_id"] = "c2";
  EXPECT_TRUE(validate_request(workflow_, Value(o)).empty());
}

TEST_F(RequestValidationTest, UnknownFieldsAreReportedReadOnlyKeysIgnored) {
  Object o = valid_request();
  o["voornaam"] = "An";
  o["id"] = 12;
  o["track"] = "secundair";
  o["school"] = Object{{"id", "1"}, {"name", "School"}};
  o["registered_at"] = "2025-09-05T12:00:00+02:00";
  auto problems = validate_request(workflow_, Value(o), refs_);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].field, "voornaam");
  EXPECT_EQ(problems[0].message, "Onbekend veld.");
}

TEST_F(RequestValidationTest, RequestThatIsNotAnObject) {
  for (const Value& v : {Value(), Value(1), Value("x"), Value(Array{})}) {
    auto problems = validate_request(workflow_, v, refs_);
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].field, "");
    EXPECT_FALSE(problems[0].message.empty());
  }
}

TEST_F(RequestValidationTest, AnyJsonTypeInAnyFieldGivesAMessageNotACrash) {
  const std::vector<Value> samples = {
      Value(true),
      Value(-7),
      Value(1e300),
      Value(0.0),
      Value("\xe2\x82"),
      Value(std::string(5000, 'x')),
      Value(Array{Value(Array{}), Value(nullptr)}),
      Value(Object{{"start", 1}}),
  };
  for (const auto& field : workflow_.fields) {
    for (const auto& sample : samples) {
      auto problems = with(field.id, sample);
      ASSERT_LE(problems.size(), 2u) << field.id;  // the field, maybe periods via the count
      for (const auto& p : problems) EXPECT_FALSE(p.message.empty()) << field.id;
    }
  }
}

TEST_F(RequestValidationTest, AtMostOneProblemPerField) {
  Object o;
  o["periods"] = Array{Value(1), period("x", "y"), period("2025-02-01", "2025-01-01")};
  o["transport"] = Array{"x", "x", 3};
  o["first_name"] = std::string(300, 'a');
  auto problems = validate_request(workflow_, Value(o), refs_);
  std::set<std::string> fields;
  for (const auto& p : problems) EXPECT_TRUE(fields.insert(p.field).second) << p.field;
}

}  // namespace
}  // namespace stagematch

// The parts of the SQL store that need no database: store URLs, placeholder numbering, error
// classification, strict row parsing and the JSON reader for stored request fields.
#include "sql_db.hpp"

#include <gtest/gtest.h>

#include "json.hpp"

namespace stagematch::storage {
namespace {

TEST(StoreUrl, SqliteIsAPath) {
  DbLocation loc = parse_store_url("sqlite:/var/lib/stagematch/data.db");
  EXPECT_EQ(loc.dialect, Dialect::kSqlite);
  EXPECT_EQ(loc.connector, "SQLite");
  EXPECT_EQ(loc.connection_string, "/var/lib/stagematch/data.db");
}

TEST(StoreUrl, PostgresqlBecomesLibpqKeyValuePairs) {
  DbLocation loc = parse_store_url("postgresql://app:s%40cr%27t@db.example:6543/stage_match");
  EXPECT_EQ(loc.dialect, Dialect::kPostgresql);
  EXPECT_EQ(loc.connector, "PostgreSQL");
  const std::string& c = loc.connection_string;
  EXPECT_NE(c.find("user='app'"), std::string::npos) << c;
  EXPECT_NE(c.find("password='s@cr\\'t'"), std::string::npos) << c;
  EXPECT_NE(c.find("host='db.example'"), std::string::npos) << c;
  EXPECT_NE(c.find("port='6543'"), std::string::npos) << c;
  EXPECT_NE(c.find("dbname='stage_match'"), std::string::npos) << c;
  EXPECT_NE(c.find("client_encoding='UTF8'"), std::string::npos) << c;
}

TEST(StoreUrl, PostgresqlWithoutPasswordOrPortAndWithSchema) {
  DbLocation loc = parse_store_url("postgres://postgres@127.0.0.1/test?schema=t_1&sslmode=disable");
  const std::string& c = loc.connection_string;
  EXPECT_EQ(c.find("password"), std::string::npos) << c;
  EXPECT_EQ(c.find("port"), std::string::npos) << c;
  EXPECT_NE(c.find("sslmode='disable'"), std::string::npos) << c;
  EXPECT_EQ(c.find("schema"), std::string::npos) << c;
  EXPECT_EQ(loc.schema, "t_1");
}

TEST(StoreUrl, Ipv6Host) {
  DbLocation loc = parse_store_url("postgresql://u@[::1]:5432/db");
  EXPECT_NE(loc.connection_string.find("host='::1'"), std::string::npos) << loc.connection_string;
  EXPECT_NE(loc.connection_string.find("port='5432'"), std::string::npos);
}

TEST(StoreUrl, RefusesWhatItCannotRead) {
  EXPECT_THROW(parse_store_url("mysql://u@h/db"), std::invalid_argument);
  EXPECT_THROW(parse_store_url("sqlite:"), std::invalid_argument);
  EXPECT_THROW(parse_store_url("postgresql://u@h:port/db"), std::invalid_argument);
  EXPECT_THROW(parse_store_url("postgresql://u@h/db?schema=x;drop"), std::invalid_argument);
  EXPECT_THROW(parse_store_url("postgresql://u@h/db?novalue"), std::invalid_argument);
  EXPECT_THROW(parse_store_url("postgresql://u%zz@h/db"), std::invalid_argument);
  // Poco's connector would split the value at the space.
  EXPECT_THROW(parse_store_url("postgresql://u:met%20spatie@h/db"), std::invalid_argument);
}

TEST(Placeholders, NumberedInOrderSkippingQuotesAndComments) {
  EXPECT_EQ(number_placeholders("SELECT a FROM t WHERE a = ? AND b IN (?, ?)"),
            "SELECT a FROM t WHERE a = $1 AND b IN ($2, $3)");
  EXPECT_EQ(number_placeholders("SELECT 'wat? ''echt?''', \"col?\", ? -- nog een ?\n, ? /* ? */"),
            "SELECT 'wat? ''echt?''', \"col?\", $1 -- nog een ?\n, $2 /* ? */");
  EXPECT_EQ(number_placeholders("LIKE ? ESCAPE '!'"), "LIKE $1 ESCAPE '!'");
  EXPECT_EQ(number_placeholders("no placeholders"), "no placeholders");
  EXPECT_EQ(number_placeholders("'unterminated ?"), "'unterminated ?");
}

TEST(DbErrors, PostgresqlStateFromTheMessageText) {
  EXPECT_EQ(classify_db_error("postgresql_stmt_execute error: ERROR:  duplicate key value violates "
                              "unique constraint \"t_s_key\" Severity: ERROR State: 23505 Detail: "
                              "Key (s)=(23503) already exists."),
            DbErrorKind::kUnique);
  EXPECT_EQ(classify_db_error("ERROR: insert violates foreign key Severity: ERROR State: 23503"),
            DbErrorKind::kForeignKey);
  EXPECT_EQ(classify_db_error("deadlock detected Severity: ERROR State: 40P01 Detail: N/A"),
            DbErrorKind::kTransient);
  EXPECT_EQ(classify_db_error("division by zero Severity: ERROR State: 22012"),
            DbErrorKind::kOther);
}

TEST(DbErrors, SqliteMessages) {
  EXPECT_EQ(classify_db_error("Constraint violation: UNIQUE constraint failed: t.s"),
            DbErrorKind::kUnique);
  EXPECT_EQ(classify_db_error("Constraint violation: FOREIGN KEY constraint failed"),
            DbErrorKind::kForeignKey);
  EXPECT_EQ(classify_db_error("Database locked: database is locked"), DbErrorKind::kTransient);
  EXPECT_EQ(classify_db_error("no such table: x"), DbErrorKind::kOther);
}

TEST(Rows, IntegersAreParsedStrictly) {
  Row row({std::string("5000000000"), std::nullopt, std::string("12abc"), std::string("")});
  EXPECT_EQ(row.int64(0), 5000000000);
  EXPECT_EQ(row.opt_int64(1), std::nullopt);
  EXPECT_EQ(row.text(1), "");
  EXPECT_THROW(row.int64(1), DbError);
  EXPECT_THROW(row.opt_int64(2), DbError);
  EXPECT_THROW(row.opt_int64(3), DbError);
}

TEST(Json, ReadsWhatToJsonWrote) {
  Value v = Object{{"naam", "Zoë Ağaoğlu"},
                   {"opmerking", "zegt \"hallo\"\nen 'dag'\t\\ \x01 😀"},
                   {"uren", 12.5},
                   {"totaal", std::int64_t{5000000000}},
                   {"negatief", -3},
                   {"ja", true},
                   {"nee", false},
                   {"leeg", nullptr},
                   {"periodes", Array{Object{{"start", "2025-10-06"}}, Array{}, Object{}}}};
  auto back = parse_json(v.to_json());
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, v);
  EXPECT_EQ(back->to_json(), v.to_json());
}

TEST(Json, EscapesAndNumbers) {
  auto v = parse_json(R"( {"a": "\u00eb\u011f\ud83d\ude00\/", "b": [1e3, -0.5, 0], "c": {}} )");
  ASSERT_TRUE(v);
  EXPECT_EQ((*v)["a"].as_string(), "ëğ😀/");
  EXPECT_EQ((*v)["b"].as_array()[0].as_number(), 1000.0);
  EXPECT_EQ((*v)["b"].as_array()[1].as_number(), -0.5);
  EXPECT_TRUE((*v)["b"].as_array()[2].is_int());
}

TEST(Json, RefusesMalformedText) {
  for (const char* bad : {"", "{", "[1,]", "{\"a\" 1}", "01", "1.", "\"\\x\"", "\"\\ud83d\"", "tru",
                          "{} x", "\"a\nb\"", "[1] [2]"}) {
    EXPECT_FALSE(parse_json(bad)) << bad;
  }
  std::string deep(100, '[');
  EXPECT_FALSE(parse_json(deep + std::string(100, ']')));
}

}  // namespace
}  // namespace stagematch::storage

#include "predicate.hpp"

#include <gtest/gtest.h>

namespace stagematch {
namespace {

Predicate parse(const Value& v) {
  auto p = Predicate::from_value(v);
  EXPECT_TRUE(p) << (p ? "" : p.error());
  return p ? *p : Predicate{};
}

Value preferred_round() {
  return Object{
      {"op", "any"},
      {"args",
       Array{
           Object{{"op", "eq"}, {"field", "accepted_by"}, {"value", "s1"}},
           Object{
               {"op", "all"},
               {"args",
                Array{Object{{"op", "in"}, {"field", "province"}, {"values", Array{"ANT", "LIM"}}},
                      Object{{"op", "eq"}, {"field", "preferred_service_id"}, {"value", "s1"}},
                      Object{{"op", "null"}, {"field", "accepted_by"}}}}}}}};
}

TEST(Predicate, TurnsIntoSqlWithBoundValues) {
  SqlCondition sql = to_sql(parse(preferred_round()), "r.");
  EXPECT_EQ(sql.sql,
            "(r.accepted_by = ? OR (r.province IN (?, ?) AND r.preferred_service_id = ? AND "
            "r.accepted_by IS NULL))");
  ASSERT_EQ(sql.params.size(), 4u);
  EXPECT_EQ(sql.params[0], Value("s1"));
  EXPECT_EQ(sql.params[1], Value("ANT"));
}

TEST(Predicate, AssumingNullDropsWhatCannotHoldAndSelectsTheSameRows) {
  Predicate p = parse(preferred_round());
  Predicate open = assume_null(p, "accepted_by");
  EXPECT_EQ(to_sql(open, "r.").sql, "(r.province IN (?, ?) AND r.preferred_service_id = ?)");
  // An open round's "accepted by me or not accepted" is no condition at all on open requests.
  Value open_round =
      Object{{"op", "any"},
             {"args", Array{Object{{"op", "eq"}, {"field", "accepted_by"}, {"value", "s1"}},
                            Object{{"op", "null"}, {"field", "accepted_by"}}}}};
  EXPECT_EQ(assume_null(parse(open_round), "accepted_by").op, Predicate::Op::kTrue);
  // Under a negation nothing changes: NOT (accepted_by = x) is not true for a NULL in SQL.
  Value negated = Object{{"op", "not"},
                         {"arg", Object{{"op", "eq"}, {"field", "accepted_by"}, {"value", "s1"}}}};
  EXPECT_EQ(to_sql(assume_null(parse(negated), "accepted_by")).sql, "NOT (accepted_by = ?)");
  // Same rows as p AND accepted_by IS NULL, for every open row.
  for (const char* province : {"ANT", "LIM", "OVL"})
    for (const char* preferred : {"s1", "s2"}) {
      Value row = Object{{"province", province}, {"preferred_service_id", preferred}};
      EXPECT_EQ(matches(open, row), matches(p, row)) << province << ' ' << preferred;
    }
}

TEST(Predicate, NotAndEmptyLists) {
  Value v = Object{{"op", "not"},
                   {"arg", Object{{"op", "ge"}, {"field", "registered_at"}, {"value", 10}}}};
  EXPECT_EQ(to_sql(parse(v)).sql, "NOT (registered_at >= ?)");
  EXPECT_EQ(to_sql(parse(Object{{"op", "in"}, {"field", "province"}, {"values", Array{}}})).sql,
            "1=0");
  EXPECT_EQ(to_sql(parse(Object{{"op", "any"}, {"args", Array{}}})).sql, "1=0");
  EXPECT_EQ(to_sql(parse(Object{{"op", "all"}, {"args", Array{}}})).sql, "1=1");
}

TEST(Predicate, MatchesRowsLikeSqlWould) {
  Predicate p = parse(preferred_round());
  EXPECT_TRUE(matches(p, Object{{"province", "ANT"}, {"preferred_service_id", "s1"}}));
  EXPECT_FALSE(matches(p, Object{{"province", "WVL"}, {"preferred_service_id", "s1"}}));
  EXPECT_FALSE(matches(p, Object{{"province", "ANT"}, {"preferred_service_id", "s2"}}));
  EXPECT_FALSE(matches(
      p, Object{{"province", "ANT"}, {"preferred_service_id", "s1"}, {"accepted_by", "s2"}}));
  EXPECT_TRUE(matches(p, Object{{"province", "WVL"}, {"accepted_by", "s1"}}));
}

TEST(Predicate, RefusesUnknownOperatorsAndFields) {
  EXPECT_FALSE(
      Predicate::from_value(Object{{"op", "like"}, {"field", "province"}, {"value", "A%"}}));
  auto bad_field =
      Predicate::from_value(Object{{"op", "eq"}, {"field", "national_number"}, {"value", "1"}});
  ASSERT_FALSE(bad_field);
  EXPECT_NE(bad_field.error().find("national_number"), std::string::npos);
  EXPECT_FALSE(Predicate::from_value(Value("true")));
  EXPECT_FALSE(
      Predicate::from_value(Object{{"op", "in"}, {"field", "province"}, {"values", "ANT"}}));
}

TEST(Predicate, RoundTripsThroughValue) {
  Predicate p = parse(preferred_round());
  EXPECT_EQ(p.to_value(), preferred_round());
  EXPECT_NE(describe(p).find("voorkeursdienst = s1"), std::string::npos);
}

}  // namespace
}  // namespace stagematch

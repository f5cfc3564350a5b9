// A visibility predicate: the declarative answer of a visibility rule for one service at one
// moment. The engine turns it into a SQL condition with bound values; rules never run per row.
#pragma once

#include <expected>
#include <string>
#include <vector>

#include "value.hpp"

namespace stagematch {

struct Predicate {
  enum class Op { kTrue, kFalse, kAll, kAny, kNot, kEq, kIn, kLt, kGe, kNull };
  Op op = Op::kTrue;
  std::string field;
  std::vector<Value> values;    // kEq, kLt, kGe: one; kIn: several
  std::vector<Predicate> args;  // kAll, kAny: several; kNot: one

  // Reads a rule's answer; refuses unknown operators, unknown fields and wrong shapes.
  static std::expected<Predicate, std::string> from_value(const Value& v);
  Value to_value() const;
};

// The request columns a predicate may use.
const std::vector<std::string>& predicate_fields();

// A SQL condition with `?` placeholders (the store renumbers them for PostgreSQL) and the
// values to bind, in order. `column_prefix` qualifies columns ("r." -> "r.province").
struct SqlCondition {
  std::string sql;
  std::vector<Value> params;
};
SqlCondition to_sql(const Predicate& p, const std::string& column_prefix = "");

// `p` for rows where `field` IS NULL, simplified: a test of that field for NULL is true, any
// comparison with it is false. Parts under a negation stay as they are (SQL's NULL logic would
// differ there), so the result selects exactly the same rows as `p AND field IS NULL`. A list of
// open requests uses it to drop a service's "or accepted by me" branch, which otherwise keeps
// the database from reading the list in index order.
Predicate assume_null(const Predicate& p, const std::string& field);

// Evaluates against one request given as an object of the predicate fields (tests, and
// in-memory checks of a single request such as "may this service open this id").
bool matches(const Predicate& p, const Value& row);

// A Dutch description for people ("provincie in (ANT, LIM) en voorkeursdienst = ...").
std::string describe(const Predicate& p);

}  // namespace stagematch

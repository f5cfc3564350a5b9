#include "predicate.hpp"

#include <algorithm>

#include "local_time.hpp"

namespace stagematch {

namespace {

struct OpName {
  Predicate::Op op;
  const char* name;
};
constexpr OpName kOps[] = {{Predicate::Op::kTrue, "true"}, {Predicate::Op::kFalse, "false"},
                           {Predicate::Op::kAll, "all"},   {Predicate::Op::kAny, "any"},
                           {Predicate::Op::kNot, "not"},   {Predicate::Op::kEq, "eq"},
                           {Predicate::Op::kIn, "in"},     {Predicate::Op::kLt, "lt"},
                           {Predicate::Op::kGe, "ge"},     {Predicate::Op::kNull, "null"}};

const char* op_name(Predicate::Op op) {
  for (const auto& o : kOps)
    if (o.op == op) return o.name;
  return "?";
}

std::expected<Predicate, std::string> parse(const Value& v, int depth) {
  if (depth > 32) return std::unexpected("predicaat is te diep genest");
  if (!v.is_object() || !v["op"].is_string())
    return std::unexpected("predicaat zonder 'op': " + v.to_json());
  Predicate p;
  const std::string& name = v["op"].as_string();
  auto it = std::find_if(std::begin(kOps), std::end(kOps),
                         [&](const OpName& o) { return name == o.name; });
  if (it == std::end(kOps)) return std::unexpected("onbekende predicaat-operator '" + name + "'");
  p.op = it->op;
  switch (p.op) {
    case Predicate::Op::kTrue:
    case Predicate::Op::kFalse:
      return p;
    case Predicate::Op::kAll:
    case Predicate::Op::kAny: {
      if (!v["args"].is_array()) return std::unexpected("'" + name + "' verwacht een lijst args");
      for (const auto& a : v["args"].as_array()) {
        auto sub = parse(a, depth + 1);
        if (!sub) return sub;
        p.args.push_back(std::move(*sub));
      }
      return p;
    }
    case Predicate::Op::kNot: {
      auto sub = parse(v["arg"], depth + 1);
      if (!sub) return sub;
      p.args.push_back(std::move(*sub));
      return p;
    }
    default:
      break;
  }
  if (!v["field"].is_string()) return std::unexpected("'" + name + "' verwacht een veld");
  p.field = v["field"].as_string();
  const auto& fields = predicate_fields();
  if (std::find(fields.begin(), fields.end(), p.field) == fields.end())
    return std::unexpected("onbekend veld '" + p.field + "' in predicaat");
  if (p.op == Predicate::Op::kNull) return p;
  if (p.op == Predicate::Op::kIn) {
    if (!v["values"].is_array()) return std::unexpected("'in' verwacht een lijst values");
    for (const auto& x : v["values"].as_array()) {
      if (!x.is_string() && !x.is_number())
        return std::unexpected("'in' verwacht tekst of getallen");
      p.values.push_back(x);
    }
    return p;
  }
  const Value& x = v["value"];
  if (!x.is_string() && !x.is_number())
    return std::unexpected("'" + name + "' verwacht een waarde");
  p.values.push_back(x);
  return p;
}

int compare(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    double x = a.as_number();
    double y = b.as_number();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  if (a.is_string() && b.is_string()) return a.as_string().compare(b.as_string());
  return a.is_number() ? -1 : 1;
}

const char* dutch_field(const std::string& f) {
  if (f == "province") return "provincie";
  if (f == "preferred_service_id") return "voorkeursdienst";
  if (f == "accepted_by") return "aanvaard door";
  if (f == "registered_at") return "ingeschreven op";
  if (f == "school_id") return "school";
  if (f == "postal_code") return "postcode";
  if (f == "accepted_at") return "aanvaard op";
  if (f == "year") return "schooljaar";
  if (f == "state") return "toestand";
  return f.c_str();
}

std::string dutch_value(const std::string& field, const Value& v) {
  if ((field == "registered_at" || field == "accepted_at") && v.is_int())
    return format_local_nl(Instant{std::chrono::seconds{v.as_int()}});
  return v.is_string() ? v.as_string() : v.to_json();
}

}  // namespace

const std::vector<std::string>& predicate_fields() {
  static const std::vector<std::string> kFields = {
      "province",    "preferred_service_id", "accepted_by", "registered_at", "school_id",
      "postal_code", "accepted_at",          "year",        "state"};
  return kFields;
}

std::expected<Predicate, std::string> Predicate::from_value(const Value& v) { return parse(v, 0); }

Value Predicate::to_value() const {
  Object o{{"op", op_name(op)}};
  switch (op) {
    case Op::kAll:
    case Op::kAny: {
      Array a;
      for (const auto& p : args) a.push_back(p.to_value());
      o["args"] = std::move(a);
      break;
    }
    case Op::kNot:
      o["arg"] = args.front().to_value();
      break;
    case Op::kIn:
      o["field"] = field;
      o["values"] = Array(values.begin(), values.end());
      break;
    case Op::kEq:
    case Op::kLt:
    case Op::kGe:
      o["field"] = field;
      o["value"] = values.front();
      break;
    case Op::kNull:
      o["field"] = field;
      break;
    default:
      break;
  }
  return o;
}

SqlCondition to_sql(const Predicate& p, const std::string& prefix) {
  SqlCondition out;
  auto join = [&](const char* sep) {
    if (p.args.empty()) {
      out.sql = p.op == Predicate::Op::kAll ? "1=1" : "1=0";
      return;
    }
    out.sql = "(";
    for (std::size_t i = 0; i < p.args.size(); ++i) {
      SqlCondition sub = to_sql(p.args[i], prefix);
      if (i) out.sql += sep;
      out.sql += sub.sql;
      out.params.insert(out.params.end(), sub.params.begin(), sub.params.end());
    }
    out.sql += ")";
  };
  std::string column = prefix + p.field;  // field names come from predicate_fields(), never users
  switch (p.op) {
    case Predicate::Op::kTrue:
      out.sql = "1=1";
      break;
    case Predicate::Op::kFalse:
      out.sql = "1=0";
      break;
    case Predicate::Op::kAll:
      join(" AND ");
      break;
    case Predicate::Op::kAny:
      join(" OR ");
      break;
    case Predicate::Op::kNot: {
      SqlCondition sub = to_sql(p.args.front(), prefix);
      out.sql = "NOT (" + sub.sql + ")";
      out.params = std::move(sub.params);
      break;
    }
    case Predicate::Op::kEq:
      out.sql = column + " = ?";
      out.params = p.values;
      break;
    case Predicate::Op::kLt:
      out.sql = column + " < ?";
      out.params = p.values;
      break;
    case Predicate::Op::kGe:
      out.sql = column + " >= ?";
      out.params = p.values;
      break;
    case Predicate::Op::kNull:
      out.sql = column + " IS NULL";
      break;
    case Predicate::Op::kIn:
      if (p.values.empty()) {
        out.sql = "1=0";
      } else {
        out.sql = column + " IN (";
        for (std::size_t i = 0; i < p.values.size(); ++i) out.sql += i ? ", ?" : "?";
        out.sql += ")";
        out.params = p.values;
      }
      break;
  }
  return out;
}

bool matches(const Predicate& p, const Value& row) {
  switch (p.op) {
    case Predicate::Op::kTrue:
      return true;
    case Predicate::Op::kFalse:
      return false;
    case Predicate::Op::kAll:
      return std::all_of(p.args.begin(), p.args.end(),
                         [&](const auto& a) { return matches(a, row); });
    case Predicate::Op::kAny:
      return std::any_of(p.args.begin(), p.args.end(),
                         [&](const auto& a) { return matches(a, row); });
    case Predicate::Op::kNot:
      return !matches(p.args.front(), row);
    case Predicate::Op::kNull:
      return row[p.field].is_null();
    default:
      break;
  }
  const Value& x = row[p.field];
  if (x.is_null()) return false;  // SQL: comparisons with NULL are not true
  switch (p.op) {
    case Predicate::Op::kEq:
      return compare(x, p.values.front()) == 0;
    case Predicate::Op::kLt:
      return compare(x, p.values.front()) < 0;
    case Predicate::Op::kGe:
      return compare(x, p.values.front()) >= 0;
    case Predicate::Op::kIn:
      return std::any_of(p.values.begin(), p.values.end(),
                         [&](const Value& v) { return compare(x, v) == 0; });
    default:
      return false;
  }
}

std::string describe(const Predicate& p) {
  auto join = [&](const char* sep) {
    std::string out;
    for (std::size_t i = 0; i < p.args.size(); ++i) {
      std::string sub = describe(p.args[i]);
      bool compound = p.args[i].op == Predicate::Op::kAll || p.args[i].op == Predicate::Op::kAny;
      out += (i ? sep : "") + (compound ? "(" + sub + ")" : sub);
    }
    return out;
  };
  switch (p.op) {
    case Predicate::Op::kTrue:
      return "alles";
    case Predicate::Op::kFalse:
      return "niets";
    case Predicate::Op::kAll:
      return p.args.empty() ? "alles" : join(" en ");
    case Predicate::Op::kAny:
      return p.args.empty() ? "niets" : join(" of ");
    case Predicate::Op::kNot:
      return "niet (" + describe(p.args.front()) + ")";
    case Predicate::Op::kNull:
      return std::string(dutch_field(p.field)) + " is leeg";
    case Predicate::Op::kEq:
      return std::string(dutch_field(p.field)) + " = " + dutch_value(p.field, p.values.front());
    case Predicate::Op::kLt:
      return std::string(dutch_field(p.field)) + " voor " + dutch_value(p.field, p.values.front());
    case Predicate::Op::kGe:
      return std::string(dutch_field(p.field)) + " vanaf " + dutch_value(p.field, p.values.front());
    case Predicate::Op::kIn: {
      std::string list;
      for (const auto& v : p.values) list += (list.empty() ? "" : ", ") + dutch_value(p.field, v);
      return std::string(dutch_field(p.field)) + " in (" + list + ")";
    }
  }
  return "?";
}

Predicate assume_null(const Predicate& p, const std::string& field) {
  using Op = Predicate::Op;
  auto constant = [](bool v) {
    Predicate c;
    c.op = v ? Op::kTrue : Op::kFalse;
    return c;
  };
  switch (p.op) {
    case Op::kNull:
      return p.field == field ? constant(true) : p;
    case Op::kEq:
    case Op::kIn:
    case Op::kLt:
    case Op::kGe:
      return p.field == field ? constant(false) : p;
    case Op::kAll:
    case Op::kAny: {
      const bool all = p.op == Op::kAll;
      Predicate out;
      out.op = p.op;
      for (const auto& arg : p.args) {
        Predicate a = assume_null(arg, field);
        if (a.op == (all ? Op::kFalse : Op::kTrue)) return a;  // decides the whole
        if (a.op == (all ? Op::kTrue : Op::kFalse)) continue;  // changes nothing
        out.args.push_back(std::move(a));
      }
      if (out.args.empty()) return constant(all);
      if (out.args.size() == 1) return std::move(out.args.front());
      return out;
    }
    default:
      return p;  // kTrue, kFalse, kNot
  }
}

}  // namespace stagematch

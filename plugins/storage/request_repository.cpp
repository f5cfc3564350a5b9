#include "request_repository.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <set>
#include <string_view>
#include <utility>

#include "geo_repository.hpp"
#include "json.hpp"
#include "roles.hpp"
#include "store_support.hpp"

namespace stagematch::storage {

namespace {

constexpr int kMaxPageSize = 500;

// Columns of a RequestRecord, in the order read_record expects them, for a statement that reads
// `requests r` joined with kRecordJoins. The transport modes come along as one JSON column of
// [position, mode] pairs (an aggregate per request), so a record is read with one statement.
std::string record_columns(Dialect dialect) {
  std::string transport =
      dialect == Dialect::kPostgresql
          ? "(SELECT json_agg(json_build_array(t.position, t.mode)) FROM request_transport t"
            " WHERE t.request_id = r.id)"
          : "(SELECT json_group_array(json_array(t.position, t.mode)) FROM request_transport t"
            " WHERE t.request_id = r.id)";
  return "r.id, r.track, r.year, r.school_id, s.name, r.school_contact_id,"
         " r.preferred_service_id, r.first_name, r.last_name, r.province, r.postal_code,"
         " r.fields_json, r.registered_at, r.state, r.accepted_by, a.name, r.accepted_at,"
         " r.accepted_periods, r.mentor_id, r.notes, r.version, " +
         transport + ", sc.org_id, sc.name, sc.phone, sc.email, m.org_id, m.name, m.phone, m.email";
}
// The school's contact person and the mentor come along (both may be missing).
constexpr std::string_view kRecordJoins =
    " JOIN organisations s ON s.id = r.school_id"
    " LEFT JOIN organisations a ON a.id = r.accepted_by"
    " LEFT JOIN contacts sc ON sc.id = r.school_contact_id"
    " LEFT JOIN contacts m ON m.id = r.mentor_id";
constexpr std::size_t kRecordColumns = 30;

// A contact person read along with a request (org_id, name, phone, email from `first`).
std::optional<ContactPerson> read_joined_contact(const Row& row, std::size_t first,
                                                 std::optional<Id> id) {
  if (!id || row.is_null(first)) return std::nullopt;
  return ContactPerson{*id, row.int64(first), row.text(first + 1), row.text(first + 2),
                       row.text(first + 3)};
}

Value parse_stored_json(const std::string& text, Id request_id, const char* column) {
  auto v = parse_json(text);
  if (!v) {
    throw DbError(DbErrorKind::kOther, std::string(column) + " van aanvraag " +
                                           std::to_string(request_id) + " is geen geldige JSON");
  }
  return std::move(*v);
}

// The fields of a request as last parsed, by id, with the exact text they came from: lists show
// the same students over and over, and a Value is immutable, so a parsed copy is shared as it
// is. An entry whose text changed is parsed again. Bounded; sharded so workers rarely wait.
class ParsedFields {
 public:
  Value get(Id id, const std::string& text) {
    Shard& shard = shards_[static_cast<std::size_t>(id) % kShards];
    {
      std::lock_guard lock(shard.mutex);
      if (auto it = shard.items.find(id); it != shard.items.end() && it->second.first == text)
        return it->second.second;
    }
    Value parsed = parse_stored_json(text, id, "fields_json");
    std::lock_guard lock(shard.mutex);
    if (shard.items.size() >= kMaxPerShard) shard.items.clear();
    shard.items.insert_or_assign(id, std::pair{text, parsed});
    return parsed;
  }

 private:
  static constexpr std::size_t kShards = 16;
  static constexpr std::size_t kMaxPerShard = 2000;
  struct Shard {
    std::mutex mutex;
    std::unordered_map<Id, std::pair<std::string, Value>> items;
  };
  std::array<Shard, kShards> shards_;
};

ParsedFields& parsed_fields() {
  static ParsedFields cache;
  return cache;
}

std::vector<int> read_periods(const std::string& text, Id request_id) {
  std::vector<int> out;
  Value v = parse_stored_json(text, request_id, "accepted_periods");
  if (!v.is_array()) return out;
  for (const Value& p : v.as_array())
    if (p.is_int()) out.push_back(static_cast<int>(p.as_int()));
  return out;
}

// The transport column of record_columns(): [[position, mode], ...] in any order, or NULL (text
// "") when there are none. Returned in the order the school ticked them.
std::vector<std::string> read_transport(const std::string& text, Id request_id) {
  auto invalid = [&] {
    return DbError(DbErrorKind::kOther,
                   "vervoer van aanvraag " + std::to_string(request_id) + " is ongeldig");
  };
  std::vector<std::pair<std::int64_t, std::string>> modes;
  Value v = text.empty() ? Value(Array{}) : parse_stored_json(text, request_id, "transport");
  if (!v.is_array()) throw invalid();
  for (const Value& pair : v.as_array()) {
    if (!pair.is_array() || pair.as_array().size() != 2 || !pair.as_array()[0].is_int() ||
        !pair.as_array()[1].is_string())
      throw invalid();
    modes.emplace_back(pair.as_array()[0].as_int(), pair.as_array()[1].as_string());
  }
  std::sort(modes.begin(), modes.end());
  std::vector<std::string> out;
  for (auto& m : modes) out.push_back(std::move(m.second));
  return out;
}

RequestRecord read_record(const Row& row) {
  RequestRecord r;
  r.id = row.int64(0);
  r.track = row.text(1);
  r.year = row.text(2);
  r.school_id = row.int64(3);
  r.school_name = row.text(4);
  r.school_contact_id = row.opt_int64(5);
  r.preferred_service_id = row.opt_int64(6);
  r.first_name = row.text(7);
  r.last_name = row.text(8);
  r.province = row.text(9);
  r.postal_code = row.text(10);
  r.fields = parsed_fields().get(r.id, row.text(11));
  r.registered_at = row.instant(12);
  r.state = row.text(13);
  r.accepted_by = row.opt_int64(14);
  r.accepted_by_name = row.text(15);
  r.accepted_at = row.opt_instant(16);
  r.accepted_periods = read_periods(row.text(17), r.id);
  r.mentor_id = row.opt_int64(18);
  r.notes = row.text(19);
  r.version = static_cast<int>(row.int64(20));
  r.transport = read_transport(row.text(21), r.id);
  r.school_contact = read_joined_contact(row, 22, r.school_contact_id);
  r.mentor = read_joined_contact(row, 26, r.mentor_id);
  return r;
}

void write_transport(Tx& tx, Id request_id, const std::vector<std::string>& modes) {
  tx.exec("DELETE FROM request_transport WHERE request_id = ?", {request_id});
  std::set<std::string> seen;
  int position = 0;
  for (const std::string& mode : modes) {
    if (!seen.insert(mode).second) continue;  // ticked twice is still one mode
    tx.exec("INSERT INTO request_transport (request_id, mode, position) VALUES (?, ?, ?)",
            {request_id, mode, position++});
  }
}

std::unexpected<StoreError> request_not_found() {
  return refuse("not_found", "Deze aanvraag bestaat niet (meer).");
}

// `text` as LIKE pattern text, its wildcards taken literally ('!' is the escape character),
// between `before` and `after` (which may hold wildcards).
std::string like_escape(std::string_view text, std::string_view before = "",
                        std::string_view after = "") {
  std::string out(before);
  for (char c : text) {
    if (c == '!' || c == '%' || c == '_') out += '!';
    out += c;
  }
  out += after;
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Whether every column the predicate names is a predicate field and every `not` has its
// argument. to_sql() writes the field names into the SQL, so a predicate built in code (not read
// through Predicate::from_value, which checks) is checked here before it gets near a statement.
bool well_formed(const Predicate& p) {
  switch (p.op) {
    case Predicate::Op::kTrue:
    case Predicate::Op::kFalse:
      return true;
    case Predicate::Op::kAll:
    case Predicate::Op::kAny:
      return std::all_of(p.args.begin(), p.args.end(), well_formed);
    case Predicate::Op::kNot:
      return p.args.size() == 1 && well_formed(p.args.front());
    default: {
      const auto& fields = predicate_fields();
      bool known = std::find(fields.begin(), fields.end(), p.field) != fields.end();
      bool single =
          p.op == Predicate::Op::kIn || p.op == Predicate::Op::kNull || p.values.size() == 1;
      return known && single;
    }
  }
}

// The field of every value to_sql() binds, in the same order (depth first, left to right).
void param_fields(const Predicate& p, std::vector<std::string>& out) {
  switch (p.op) {
    case Predicate::Op::kAll:
    case Predicate::Op::kAny:
      for (const auto& a : p.args) param_fields(a, out);
      break;
    case Predicate::Op::kNot:
      param_fields(p.args.front(), out);
      break;
    case Predicate::Op::kEq:
    case Predicate::Op::kLt:
    case Predicate::Op::kGe:
      out.push_back(p.field);
      break;
    case Predicate::Op::kIn:
      out.insert(out.end(), p.values.size(), p.field);
      break;
    default:
      break;
  }
}

bool is_integer_column(const std::string& field) {
  return field == "preferred_service_id" || field == "accepted_by" || field == "school_id" ||
         field == "registered_at" || field == "accepted_at";
}

// A predicate value as its column needs it: ids and moments as 64-bit integers (rules may hand
// ids over as strings of digits; PostgreSQL would refuse "12" = bigint only by luck of
// inference, and a non-number would fail the whole list), text columns as text.
std::optional<SqlValue> predicate_value(const std::string& field, const Value& v) {
  if (is_integer_column(field)) {
    if (v.is_int()) return SqlValue(v.as_int());
    if (v.is_number()) {
      double d = v.as_number();
      if (std::trunc(d) != d || std::abs(d) > 9.0e15) return std::nullopt;
      return SqlValue(static_cast<std::int64_t>(d));
    }
    if (v.is_string()) {
      std::string_view s = trim(v.as_string());
      std::int64_t i = 0;
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
      if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
      return SqlValue(i);
    }
    return std::nullopt;
  }
  if (v.is_string()) return SqlValue(v.as_string());
  if (v.is_int()) return SqlValue(std::to_string(v.as_int()));
  if (v.is_number()) return SqlValue(v.to_json());
  return std::nullopt;
}

std::string in_list(std::size_t n) {
  std::string out = "(";
  for (std::size_t i = 0; i < n; ++i) out += i ? ", ?" : "?";
  return out + ")";
}

std::string order_by(const std::string& sort, std::optional<Id> service_id) {
  if (sort == "afstand" && service_id) return distance_order(*service_id);
  if (sort == "name") return "r.last_name, r.first_name, r.id";
  if (sort == "-name") return "r.last_name DESC, r.first_name DESC, r.id";
  if (sort == "postal_code") return "r.postal_code, r.id";
  if (sort == "-registered_at") return "r.registered_at DESC, r.id";
  return "r.province, r.postal_code, r.last_name, r.id";  // the default order of SPEC.md
}

}  // namespace

std::string national_number_column(Dialect dialect) {
  // The same expression as the index requests_national_number (migration 8), so it is used.
  return dialect == Dialect::kPostgresql ? "(r.fields_json::jsonb ->> 'national_number')"
                                         : "json_extract(r.fields_json, '$.national_number')";
}

StoreResult<ListCondition> list_condition(const RequestQuery& q, Dialect dialect) {
  ListCondition c;
  auto add = [&](std::string_view sql, Params params = {}) {
    if (!c.sql.empty()) c.sql += " AND ";
    c.sql += sql;
    c.params.insert(c.params.end(), std::make_move_iterator(params.begin()),
                    std::make_move_iterator(params.end()));
  };
  if (!q.track.empty()) add("r.track = ?", {q.track});  // "": every track (admin overviews)
  if (q.year) add("r.year = ?", {*q.year});
  if (q.school_id) add("r.school_id = ?", {*q.school_id});
  // A predicate as a condition with its values bound as their columns need them.
  auto add_predicate = [&](const Predicate& p, const std::string& what) -> StoreResult<void> {
    if (!well_formed(p)) return refuse("conflict", "De " + what + " kon niet vertaald worden.");
    SqlCondition sql = to_sql(p, "r.");
    std::vector<std::string> fields;
    param_fields(p, fields);
    if (fields.size() != sql.params.size())
      return refuse("conflict", "De " + what + " kon niet vertaald worden.");
    Params params;
    for (std::size_t i = 0; i < fields.size(); ++i) {
      auto v = predicate_value(fields[i], sql.params[i]);
      if (!v)
        return refuse("conflict",
                      "De " + what + " geeft een ongeldige waarde voor '" + fields[i] + "'.");
      params.push_back(std::move(*v));
    }
    add("(" + sql.sql + ")", std::move(params));
    return {};
  };
  if (q.visibility) {
    // The open tab adds "accepted_by IS NULL" below; under it, the rule's "or accepted by this
    // service" branch can never hold, and dropping it lets the database read in index order.
    const Predicate visibility =
        q.tab == list_tab::kOpen ? assume_null(*q.visibility, "accepted_by") : *q.visibility;
    if (auto added = add_predicate(visibility, "zichtbaarheidsregel"); !added)
      return std::unexpected(added.error());
  }
  if (q.filter)
    if (auto added = add_predicate(*q.filter, "filter"); !added)
      return std::unexpected(added.error());
  if (q.tab == list_tab::kOpen) {
    add("r.accepted_by IS NULL");
  } else if (q.tab == list_tab::kAccepted) {
    if (q.service_id) {
      add("r.accepted_by = ?", {*q.service_id});
    } else {
      add("r.accepted_by IS NOT NULL");
    }
  } else if (q.tab != "all" && !q.tab.empty()) {  // all (or ""): schools and the admin
    return refuse("conflict", "Onbekend tabblad '" + q.tab + "'.");
  }
  if (std::string_view name = trim(q.name); !name.empty()) {
    std::string pattern = like_escape(name, "%", "%");
    add("(LOWER(r.first_name || ' ' || r.last_name) LIKE LOWER(?) ESCAPE '!'"
        " OR LOWER(r.last_name || ' ' || r.first_name) LIKE LOWER(?) ESCAPE '!')",
        {pattern, pattern});
  }
  if (!q.provinces.empty()) {
    add("r.province IN " + in_list(q.provinces.size()),
        Params(q.provinces.begin(), q.provinces.end()));
  }
  if (q.school_filter) add("r.school_id = ?", {*q.school_filter});
  if (!q.national_number.empty())
    add(national_number_column(dialect) + " = ?", {q.national_number});
  if (std::string_view postal = trim(q.postal_code); !postal.empty()) {
    add("r.postal_code LIKE ? ESCAPE '!'", {like_escape(postal, "", "%")});
  }
  if (!q.transport.empty()) {
    add("EXISTS (SELECT 1 FROM request_transport t WHERE t.request_id = r.id AND t.mode IN " +
            in_list(q.transport.size()) + ")",
        Params(q.transport.begin(), q.transport.end()));
  }
  if (!q.include_stopped) add("r.state = 'active'");
  if (c.sql.empty()) c.sql = "1=1";
  return c;
}

Id insert_request(Tx& tx, const RequestRecord& r, const AuditEntry& audit) {
  Id id = tx.query_one(
                "INSERT INTO requests (track, year, school_id, school_contact_id,"
                " preferred_service_id, first_name, last_name, province, postal_code,"
                " registered_at, state, version, fields_json)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?) RETURNING id",
                {r.track, r.year, r.school_id, r.school_contact_id, r.preferred_service_id,
                 r.first_name, r.last_name, r.province, r.postal_code, r.registered_at,
                 r.state.empty() ? std::string("active") : r.state, r.fields.to_json()},
                1)
              ->int64(0);
  write_transport(tx, id, r.transport);
  insert_audit(tx, audit, "request", id);
  return id;
}

StoreResult<void> update_request(Tx& tx, const RequestRecord& r, const AuditEntry& audit) {
  auto stored = tx.query_one("SELECT school_id FROM requests WHERE id = ?", {r.id}, 1);
  // A school edits only its own students (school_id 0: the caller did not say which school).
  if (!stored || (r.school_id != 0 && stored->int64(0) != r.school_id)) return request_not_found();
  // Track, school year, school and registration moment stay what they were.
  auto changed = tx.query(
      "UPDATE requests SET school_contact_id = ?, preferred_service_id = ?, first_name = ?,"
      " last_name = ?, province = ?, postal_code = ?, fields_json = ?, version = version + 1"
      " WHERE id = ? AND version = ? AND accepted_by IS NULL RETURNING id",
      {r.school_contact_id, r.preferred_service_id, r.first_name, r.last_name, r.province,
       r.postal_code, r.fields.to_json(), r.id, r.version},
      1);
  if (changed.empty()) {
    auto now = tx.query_one("SELECT accepted_by FROM requests WHERE id = ?", {r.id}, 1);
    if (!now) return request_not_found();
    if (!now->is_null(0)) {
      return refuse("already_accepted",
                    "Deze student werd al aanvaard door een dienst en kan niet meer gewijzigd "
                    "worden.");
    }
    return refuse("stale", std::string(kStale));
  }
  write_transport(tx, r.id, r.transport);
  insert_audit(tx, audit, "request", r.id);
  return {};
}

StoreResult<void> delete_request(Tx& tx, Id school_id, Id request_id, const AuditEntry& audit) {
  auto deleted = tx.query(
      "DELETE FROM requests WHERE id = ? AND school_id = ? AND accepted_by IS NULL RETURNING id",
      {request_id, school_id}, 1);
  if (deleted.empty()) {
    auto now =
        tx.query_one("SELECT school_id, accepted_by FROM requests WHERE id = ?", {request_id}, 2);
    if (!now || now->int64(0) != school_id) return request_not_found();
    return refuse("already_accepted",
                  "Deze student werd al aanvaard door een dienst en kan niet meer verwijderd "
                  "worden.");
  }
  insert_audit(tx, audit, "request", request_id);
  return {};
}

StoreResult<void> stop_request(Tx& tx, Id school_id, Id request_id, const AuditEntry& audit) {
  auto now = tx.query_one("SELECT school_id, state FROM requests WHERE id = ?", {request_id}, 2);
  if (!now || now->int64(0) != school_id) return request_not_found();
  if (now->text(1) != "stopped") {
    // Conditional, so an acceptance committed after the caller looked is never stopped over.
    auto changed = tx.query(
        "UPDATE requests SET state = 'stopped', version = version + 1"
        " WHERE id = ? AND accepted_by IS NULL RETURNING id",
        {request_id}, 1);
    if (changed.empty())
      return refuse("already_accepted",
                    "Deze student werd intussen aanvaard door een dienst en kan niet als gestopt "
                    "gemarkeerd worden.");
  }
  insert_audit(tx, audit, "request", request_id);
  return {};
}

std::optional<RequestRecord> load_request(Tx& tx, Id request_id) {
  auto row = tx.query_one("SELECT " + record_columns(tx.dialect()) + " FROM requests r" +
                              std::string(kRecordJoins) + " WHERE r.id = ?",
                          {request_id}, kRecordColumns);
  if (!row) return std::nullopt;
  return read_record(*row);
}

std::optional<std::int64_t> ListTotals::get(const std::string& key, std::int64_t version) {
  std::lock_guard lock(mutex_);
  auto it = totals_.find(key);
  if (it == totals_.end() || it->second.first != version) return std::nullopt;
  return it->second.second;
}

void ListTotals::put(const std::string& key, std::int64_t version, std::int64_t total) {
  std::lock_guard lock(mutex_);
  if (totals_.size() >= kMaxEntries) totals_.clear();
  totals_.insert_or_assign(key, std::pair{version, total});
}

namespace {

std::string totals_key(const ListCondition& c) {
  std::string key = c.sql;
  for (const SqlValue& p : c.params) {
    key += '\x1f';
    switch (p.kind()) {
      case SqlValue::Kind::kNull:
        key += "NULL";
        break;
      case SqlValue::Kind::kInt:
        key += std::to_string(p.as_int());
        break;
      case SqlValue::Kind::kReal:
        key += std::to_string(p.as_real());
        break;
      case SqlValue::Kind::kText:
        key += p.as_text();
        break;
    }
  }
  return key;
}

}  // namespace

// One statement per page in the usual case: the inner query picks the page's ids in the list's
// order (for the open tab, the first rows of a matching index, not a sort of every visible
// request); only those rows are then joined and read whole, transport modes included. The total
// is counted separately and reused while the change counter (request_changes, moved on after
// every committed change to requests) stands still; a first page shorter than a page is its
// own total.
StoreResult<RequestPage> list_requests(Tx& tx, const RequestQuery& q, ListTotals* totals,
                                       std::int64_t local_version) {
  auto where = list_condition(q, tx.dialect());
  if (!where) return std::unexpected(where.error());
  std::int64_t size = std::clamp(q.page_size, 1, kMaxPageSize);
  std::int64_t offset = (std::max(q.page, 1) - std::int64_t{1}) * size;
  const std::string order = order_by(q.sort, q.service_id);
  const bool pg = tx.dialect() == Dialect::kPostgresql;
  Params params = where->params;
  // The page's bounds are written into the statement (they are numbers we computed): a kept,
  // generically planned statement then knows it reads 50 rows, not "some".
  const std::string page_ids = "SELECT r.id FROM requests r WHERE " + where->sql + " ORDER BY " +
                               order + " LIMIT " + std::to_string(size) + " OFFSET " +
                               std::to_string(offset);
  // A service's list brings that service's own status along (no row: never chose).
  std::string own_status = ", NULL";
  std::string own_join;
  if (q.service_id) {
    own_status = ", ss.status";
    own_join = " LEFT JOIN service_statuses ss ON ss.request_id = r.id AND ss.service_id = ?";
    params.emplace_back(*q.service_id);
  }
  const std::string version = pg ? ", " + std::string(kListVersion) : ", NULL";
  auto rows = tx.query("SELECT " + record_columns(tx.dialect()) + own_status + version + " FROM (" +
                           page_ids + ") p JOIN requests r ON r.id = p.id" +
                           std::string(kRecordJoins) + own_join + " ORDER BY " + order,
                       params, kRecordColumns + 2);
  RequestPage page;
  for (const Row& row : rows) {
    RequestRecord r = read_record(row);
    if (q.service_id) {
      r.own_status_read = true;
      r.own_status = row.text(kRecordColumns);
    }
    page.items.push_back(std::move(r));
  }
  if (offset == 0 && static_cast<std::int64_t>(rows.size()) < size) {
    page.total = static_cast<std::int64_t>(rows.size());
    return page;
  }
  std::optional<std::int64_t> seen;
  if (pg && !rows.empty()) seen = rows.front().opt_int64(kRecordColumns + 1);
  if (!pg) seen = local_version;
  const std::string key = totals ? totals_key(*where) : std::string();
  if (totals && seen) {
    if (auto hit = totals->get(key, *seen)) {
      page.total = *hit;
      return page;
    }
  }
  // Past the last page, or not counted since the last change: count now. The counter was read
  // before counting, so a total is never kept under a counter older than the data it counted.
  auto counted =
      tx.query_one("SELECT COUNT(*) FROM requests r WHERE " + where->sql, where->params, 1);
  page.total = counted->int64(0);
  if (totals && seen) totals->put(key, *seen, page.total);
  return page;
}

}  // namespace stagematch::storage

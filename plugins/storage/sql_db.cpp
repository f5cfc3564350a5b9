#include "sql_db.hpp"

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/Utility.h>
#include <Poco/Data/SessionPool.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <Poco/Nullable.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <charconv>
#include <chrono>
#include <map>
#include <random>
#include <thread>
#include <unordered_map>

namespace stagematch::storage {

namespace {

using Poco::Data::Keywords::bind;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;

constexpr auto kSlotWait = std::chrono::seconds(30);
constexpr int kAttempts = 4;  // a transient failure is retried three times
constexpr int kSqliteBusyTimeoutMs = 10000;

// Poco's connectors are process-wide registrations; do them once, from any thread.
void register_connectors() {
  static std::once_flag once;
  std::call_once(once, [] {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::PostgreSQL::Connector::registerConnector();
  });
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    int v = 0;
    auto [p, ec] = i + 2 < s.size() ? std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16)
                                    : std::from_chars_result{s.data(), std::errc::invalid_argument};
    if (ec != std::errc() || p != s.data() + i + 3)
      throw std::invalid_argument("ongeldige %-code in databank-URL");
    out += static_cast<char>(v);
    i += 2;
  }
  return out;
}

// A libpq connection-string value: quoted, with ' and \ escaped.
std::string libpq_quote(std::string_view v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

bool is_identifier(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  for (char c : s) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

DbLocation parse_postgres_url(std::string_view rest) {
  // rest: [user[:password]@]host[:port][/dbname][?key=value&...]
  std::map<std::string, std::string> kv;
  std::string schema;
  std::string_view query;
  if (auto q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string_view path;
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    path = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
  }
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    auto colon = userinfo.find(':');
    kv["user"] = percent_decode(userinfo.substr(0, colon));
    if (colon != std::string_view::npos)
      kv["password"] = percent_decode(userinfo.substr(colon + 1));
  }
  std::string_view host = rest;
  std::string_view port;
  if (!host.empty() && host.front() == '[') {  // [::1]:5432
    auto close = host.find(']');
    if (close == std::string_view::npos)
      throw std::invalid_argument("ongeldig IPv6-adres in databank-URL");
    port = host.substr(close + 1);
    host = host.substr(1, close - 1);
    if (!port.empty() && port.front() != ':')
      throw std::invalid_argument("ongeldige poort in databank-URL");
    if (!port.empty()) port.remove_prefix(1);
  } else if (auto colon = host.rfind(':'); colon != std::string_view::npos) {
    port = host.substr(colon + 1);
    host = host.substr(0, colon);
  }
  if (!host.empty()) kv["host"] = percent_decode(host);
  if (!port.empty()) {
    int p = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc() || ptr != port.data() + port.size() || p <= 0 || p > 65535)
      throw std::invalid_argument("ongeldige poort in databank-URL");
    kv["port"] = std::string(port);
  }
  if (!path.empty()) kv["dbname"] = percent_decode(path);
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    if (eq == std::string_view::npos)
      throw std::invalid_argument("databank-URL: parameter zonder '='");
    std::string key = percent_decode(pair.substr(0, eq));
    std::string value = percent_decode(pair.substr(eq + 1));
    if (key == "schema") {
      // Tables live in (and are created in) this schema; tests use one schema per test.
      if (!is_identifier(value)) throw std::invalid_argument("databank-URL: ongeldige schemanaam");
      schema = value;
    } else if (is_identifier(key)) {
      kv[key] = value;
    } else {
      throw std::invalid_argument("databank-URL: ongeldige parameter '" + key + "'");
    }
  }
  kv.try_emplace("client_encoding", "UTF8");
  std::string conn;
  for (const auto& [k, v] : kv) {
    if (v.find_first_of(" \t\n\r") != std::string::npos)
      throw std::invalid_argument("databank-URL: '" + k + "' mag geen spatie bevatten");
    conn += (conn.empty() ? "" : " ") + k + "=" + libpq_quote(v);
  }
  return DbLocation{Dialect::kPostgresql, "PostgreSQL", conn, schema};
}

bool parse_int64(std::string_view s, std::int64_t& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

std::string sql_excerpt(std::string_view sql) {
  constexpr std::size_t kMax = 160;
  std::string s(sql.substr(0, kMax));
  if (sql.size() > kMax) s += "...";
  return s;
}

}  // namespace

DbLocation parse_store_url(const std::string& url) {
  constexpr std::string_view kSqlite = "sqlite:";
  constexpr std::string_view kPostgresql = "postgresql://";
  constexpr std::string_view kPostgres = "postgres://";
  std::string_view u = url;
  if (u.starts_with(kSqlite)) {
    std::string path(u.substr(kSqlite.size()));
    if (path.empty()) throw std::invalid_argument("databank-URL 'sqlite:' zonder bestandsnaam");
    return DbLocation{Dialect::kSqlite, "SQLite", path, ""};
  }
  if (u.starts_with(kPostgresql)) return parse_postgres_url(u.substr(kPostgresql.size()));
  if (u.starts_with(kPostgres)) return parse_postgres_url(u.substr(kPostgres.size()));
  throw std::invalid_argument("onbekende databank-URL (verwacht sqlite:PAD of postgresql://...)");
}

std::string number_placeholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  std::size_t i = 0;
  while (i < sql.size()) {
    char c = sql[i];
    if (c == '\'' || c == '"') {  // literal or quoted identifier; a doubled quote stays inside
      std::size_t end = i + 1;
      while (end < sql.size()) {
        if (sql[end] == c) {
          if (end + 1 < sql.size() && sql[end + 1] == c) {
            end += 2;
            continue;
          }
          break;
        }
        ++end;
      }
      end = std::min(end + 1, sql.size());
      out.append(sql.substr(i, end - i));
      i = end;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      std::size_t end = sql.find('\n', i);
      end = end == std::string_view::npos ? sql.size() : end;
      out.append(sql.substr(i, end - i));
      i = end;
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      std::size_t end = sql.find("*/", i + 2);
      end = end == std::string_view::npos ? sql.size() : end + 2;
      out.append(sql.substr(i, end - i));
      i = end;
    } else if (c == '?') {
      out += '$' + std::to_string(++n);
      ++i;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

DbErrorKind classify_db_error(std::string_view message) {
  // PostgreSQL through Poco: "... Severity: ERROR State: 23505 Detail: ...".
  if (auto at = message.find("State: "); at != std::string_view::npos) {
    std::string_view state = message.substr(at + 7, 5);
    if (state == "23505") return DbErrorKind::kUnique;
    if (state == "23503") return DbErrorKind::kForeignKey;
    if (state == "40001" || state == "40P01") return DbErrorKind::kTransient;
    return DbErrorKind::kOther;
  }
  // SQLite: the sqlite3_errmsg() text.
  if (message.find("UNIQUE constraint failed") != std::string_view::npos)
    return DbErrorKind::kUnique;
  if (message.find("PRIMARY KEY constraint failed") != std::string_view::npos)
    return DbErrorKind::kUnique;
  if (message.find("FOREIGN KEY constraint failed") != std::string_view::npos)
    return DbErrorKind::kForeignKey;
  if (message.find("database is locked") != std::string_view::npos ||
      message.find("database table is locked") != std::string_view::npos)
    return DbErrorKind::kTransient;
  return DbErrorKind::kOther;
}

const std::string& Row::text(std::size_t i) const {
  static const std::string kEmpty;
  const auto& cell = cells_.at(i);
  return cell ? *cell : kEmpty;
}

std::int64_t Row::int64(std::size_t i) const {
  auto v = opt_int64(i);
  if (!v) throw DbError(DbErrorKind::kOther, "kolom " + std::to_string(i) + " is onverwacht leeg");
  return *v;
}

std::optional<std::int64_t> Row::opt_int64(std::size_t i) const {
  const auto& cell = cells_.at(i);
  if (!cell) return std::nullopt;
  std::int64_t v = 0;
  if (!parse_int64(*cell, v))
    throw DbError(DbErrorKind::kOther, "kolom " + std::to_string(i) + ": '" + cell->substr(0, 40) +
                                           "' is geen geheel getal");
  return v;
}

std::optional<Instant> Row::opt_instant(std::size_t i) const {
  auto v = opt_int64(i);
  if (!v) return std::nullopt;
  return Instant{std::chrono::seconds{*v}};
}

namespace {

// Prepares `sql` on `session` with every parameter bound by value.
void bind_all(Poco::Data::Statement& stmt, const Params& params) {
  for (const SqlValue& p : params) {
    switch (p.kind()) {
      case SqlValue::Kind::kNull:
        stmt, bind(Poco::Nullable<Poco::Int64>());
        break;
      case SqlValue::Kind::kInt:
        stmt, bind(Poco::Int64{p.as_int()});
        break;
      case SqlValue::Kind::kReal:
        stmt, bind(p.as_real());
        break;
      case SqlValue::Kind::kText:
        stmt, bind(p.as_text());
        break;
    }
  }
}

std::string dialect_sql(std::string_view sql, Dialect dialect) {
  return dialect == Dialect::kPostgresql ? number_placeholders(sql) : std::string(sql);
}

[[noreturn]] void rethrow_as_db_error(const Poco::Exception& e, std::string_view sql) {
  std::string text = e.displayText();
  throw DbError(classify_db_error(text), text + " [" + sql_excerpt(sql) + "]");
}

}  // namespace

// One libpq connection to PostgreSQL. Every statement with parameters is prepared once per
// connection and kept (the name is remembered by its SQL text), so a statement costs one round
// trip: Bind/Execute, where Poco 1.11 spent four (prepare, describe, execute, deallocate).
// Parameters travel as text with their types left to the server, as Poco did.
class PgConn {
 public:
  explicit PgConn(const DbLocation& location)
      : conn_(PQconnectdb(location.connection_string.c_str())) {
    if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
      std::string message = conn_ ? PQerrorMessage(conn_) : "geen geheugen voor een verbinding";
      if (conn_) PQfinish(conn_);
      conn_ = nullptr;
      throw DbError(DbErrorKind::kOther, "PostgreSQL: " + trim_message(message));
    }
    simple("SET client_min_messages = warning");
    // Plan each kept statement once: a list statement costs more to plan than to run.
    simple("SET plan_cache_mode = force_generic_plan");
    // The name was checked to be a plain identifier when the URL was read.
    if (!location.schema.empty()) simple("SET search_path = " + location.schema);
  }
  ~PgConn() {
    if (conn_) PQfinish(conn_);
  }
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;

  bool usable() const { return conn_ && PQstatus(conn_) == CONNECTION_OK; }

  // Back to a clean state between callers: a transaction left open or aborted is rolled back.
  // False when the connection cannot be used again (it is then dropped from the pool).
  bool reset() {
    if (!usable()) return false;
    switch (PQtransactionStatus(conn_)) {
      case PQTRANS_IDLE:
        return true;
      case PQTRANS_INTRANS:
      case PQTRANS_INERROR:
        try {
          simple("ROLLBACK");
        } catch (const DbError&) {
          return false;
        }
        return PQtransactionStatus(conn_) == PQTRANS_IDLE;
      default:
        return false;
    }
  }

  // A statement without parameters, sent as it is (BEGIN, COMMIT, SET, ...).
  void simple(const std::string& sql) {
    Result r(PQexec(conn_, sql.c_str()));
    check(r.get(), sql);
  }

  // Runs `sql` (already numbered $1..$n) with `params`; the result is owned by the caller.
  struct Result {
    explicit Result(PGresult* r = nullptr) : res(r) {}
    Result(Result&& o) noexcept : res(o.res) { o.res = nullptr; }
    Result& operator=(Result&&) = delete;
    ~Result() {
      if (res) PQclear(res);
    }
    PGresult* get() const { return res; }
    PGresult* res;
  };

  Result run(const std::string& sql, const Params& params) {
    const std::string& name = prepared(sql, static_cast<int>(params.size()));
    std::vector<std::string> texts(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (std::size_t i = 0; i < params.size(); ++i) {
      const SqlValue& p = params[i];
      switch (p.kind()) {
        case SqlValue::Kind::kNull:
          continue;
        case SqlValue::Kind::kInt:
          texts[i] = std::to_string(p.as_int());
          break;
        case SqlValue::Kind::kReal: {
          char buf[32];
          auto [end, ec] = std::to_chars(buf, buf + sizeof buf, p.as_real());
          texts[i].assign(buf, ec == std::errc() ? end : buf);
          break;
        }
        case SqlValue::Kind::kText:
          texts[i] = p.as_text();
          break;
      }
      values[i] = texts[i].c_str();
    }
    Result r(PQexecPrepared(conn_, name.c_str(), static_cast<int>(params.size()), values.data(),
                            nullptr, nullptr, 0));
    check(r.get(), sql);
    return r;
  }

 private:
  // The prepared statement for `sql`, prepared now when this connection has not seen it.
  const std::string& prepared(const std::string& sql, int n_params) {
    if (auto it = prepared_.find(sql); it != prepared_.end()) return it->second;
    // Lists combine filters into many shapes; keep the number of kept statements bounded.
    if (prepared_.size() >= kMaxPrepared) {
      simple("DEALLOCATE ALL");
      prepared_.clear();
    }
    std::string name = "s" + std::to_string(++counter_);
    Result r(PQprepare(conn_, name.c_str(), sql.c_str(), n_params, nullptr));
    check(r.get(), sql);
    return prepared_.emplace(sql, std::move(name)).first->second;
  }

  // Throws DbError for a failed result, with PostgreSQL's SQLSTATE in the text as
  // classify_db_error reads it. A connection that broke mid-statement is transient: the server
  // rolled the transaction back, and a retry on a new connection may succeed.
  void check(PGresult* r, std::string_view sql) const {
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return;
    std::string message = r ? PQresultErrorMessage(r) : "";
    if (message.empty()) message = PQerrorMessage(conn_);
    const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    std::string text = "PostgreSQL: " + trim_message(message);
    if (state) text += " State: " + std::string(state);
    DbErrorKind kind = classify_db_error(text);
    if (!usable() && sql != "COMMIT") kind = DbErrorKind::kTransient;
    throw DbError(kind, text + " [" + sql_excerpt(sql) + "]");
  }

  static std::string trim_message(std::string m) {
    while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
    return m;
  }

  static constexpr std::size_t kMaxPrepared = 512;
  PGconn* conn_;
  std::unordered_map<std::string, std::string> prepared_;
  std::uint64_t counter_ = 0;
};

std::size_t Tx::exec(std::string_view sql, const Params& params) {
  if (pg_) {
    auto r = pg_->run(number_placeholders(sql), params);
    const char* n = PQcmdTuples(r.get());
    std::int64_t count = 0;
    if (n && *n) parse_int64(n, count);
    return static_cast<std::size_t>(count);
  }
  try {
    Poco::Data::Statement stmt(*session_);
    stmt << dialect_sql(sql, dialect_);
    bind_all(stmt, params);
    return stmt.execute();
  } catch (const Poco::Exception& e) {
    rethrow_as_db_error(e, sql);
  }
}

std::vector<Row> Tx::query(std::string_view sql, const Params& params, std::size_t columns) {
  if (pg_) {
    auto r = pg_->run(number_placeholders(sql), params);
    PGresult* res = r.get();
    if (static_cast<std::size_t>(PQnfields(res)) != columns)
      throw DbError(DbErrorKind::kOther, "het resultaat heeft " + std::to_string(PQnfields(res)) +
                                             " kolommen, verwacht " + std::to_string(columns) +
                                             " [" + sql_excerpt(sql) + "]");
    int rows = PQntuples(res);
    std::vector<Row> out;
    out.reserve(static_cast<std::size_t>(rows));
    for (int i = 0; i < rows; ++i) {
      std::vector<std::optional<std::string>> row(columns);
      for (std::size_t c = 0; c < columns; ++c) {
        int col = static_cast<int>(c);
        if (!PQgetisnull(res, i, col))
          row[c].emplace(PQgetvalue(res, i, col),
                         static_cast<std::size_t>(PQgetlength(res, i, col)));
      }
      out.emplace_back(std::move(row));
    }
    return out;
  }
  try {
    Poco::Data::Statement stmt(*session_);
    stmt << dialect_sql(sql, dialect_);
    bind_all(stmt, params);
    // Every column as nullable text, parsed by Row: no driver-side type guessing.
    std::vector<std::vector<Poco::Nullable<std::string>>> cells(columns);
    for (auto& column : cells) stmt, into(column);
    stmt.execute();
    std::size_t rows = columns ? cells.front().size() : 0;
    std::vector<Row> out;
    out.reserve(rows);
    for (std::size_t r = 0; r < rows; ++r) {
      std::vector<std::optional<std::string>> row(columns);
      for (std::size_t c = 0; c < columns; ++c) {
        auto& cell = cells[c][r];
        if (!cell.isNull()) row[c] = std::move(cell.value());
      }
      out.emplace_back(std::move(row));
    }
    return out;
  } catch (const Poco::Exception& e) {
    rethrow_as_db_error(e, sql);
  }
}

std::optional<Row> Tx::query_one(std::string_view sql, const Params& params, std::size_t columns) {
  auto rows = query(sql, params, columns);
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

// The SQLite pool (one session). Sessions get their settings when they are created: wait up to
// 10 s for a lock held by another process, write-ahead log (readers never block the writer),
// enforced foreign keys (SQLite leaves them off by default, per connection). PostgreSQL
// connections are PgConn's, pooled by Db itself.
class Db::Pool : public Poco::Data::SessionPool {
 public:
  Pool(const DbLocation& location, int max_sessions)
      : Poco::Data::SessionPool(location.connector, location.connection_string, 1, max_sessions,
                                60) {}

 protected:
  void customizeSession(Poco::Data::Session& session) override {
    session << "PRAGMA busy_timeout = " + std::to_string(kSqliteBusyTimeoutMs), now;
    session << "PRAGMA journal_mode = WAL", now;
    session << "PRAGMA foreign_keys = ON", now;
  }
};

Lease::Lease(Db& db) : db_(&db) {}

Lease::Lease(Lease&& other) noexcept
    : db_(other.db_), session_(std::move(other.session_)), pg_(std::move(other.pg_)) {
  other.db_ = nullptr;
  other.session_.reset();
}

Lease::~Lease() {
  session_.reset();  // back to the pool before the slot is freed, so the next caller finds it
  if (db_) {
    if (pg_) db_->give_back(std::move(pg_));
    db_->release_slot();
  }
}

void Lease::execute_raw(std::string_view sql) {
  if (pg_) {
    pg_->simple(std::string(sql));
    return;
  }
  try {
    *session_ << std::string(sql), now;
  } catch (const Poco::Exception& e) {
    rethrow_as_db_error(e, sql);
  }
}

Db::Db(DbLocation location, int max_sessions)
    : location_(std::move(location)),
      max_sessions_(location_.dialect == Dialect::kSqlite ? 1 : std::max(1, max_sessions)) {
  if (location_.dialect == Dialect::kSqlite) {
    register_connectors();
    try {
      pool_ = std::make_unique<Pool>(location_, max_sessions_);
    } catch (const Poco::Exception& e) {
      throw DbError(classify_db_error(e.displayText()),
                    "databank niet bereikbaar: " + e.displayText());
    }
  }
  try {
    Lease first = lease();  // fail at start-up, not on the first request, when it cannot connect
  } catch (const DbError& e) {
    throw DbError(e.kind(), std::string("databank niet bereikbaar: ") + e.what());
  }
}

Db::~Db() {
  try {
    if (pool_) pool_->shutdown();
  } catch (...) {  // closing at exit: nothing left to do about a failure
  }
}

std::pair<int, int> Db::pool_use() {
  std::lock_guard lock(slots_mutex_);
  return {slots_in_use_, max_sessions_};
}

Lease Db::lease() {
  std::unique_ptr<PgConn> idle;
  {
    std::unique_lock lock(slots_mutex_);
    if (!slots_free_.wait_for(lock, kSlotWait, [&] { return slots_in_use_ < max_sessions_; }))
      throw DbError(DbErrorKind::kOther, "geen databanksessie vrij binnen 30 s");
    ++slots_in_use_;
    if (!pg_idle_.empty()) {
      idle = std::move(pg_idle_.back());
      pg_idle_.pop_back();
    }
  }
  Lease lease(*this);  // from here on, the slot is freed whatever happens
  if (location_.dialect == Dialect::kPostgresql) {
    // A connection that broke while idle (the server restarted) is replaced by a new one.
    if (idle && !idle->reset()) idle.reset();
    lease.pg_ = idle ? std::move(idle) : std::make_unique<PgConn>(location_);
    return lease;
  }
  try {
    lease.session_.emplace(pool_->get());
    reset(*lease.session_);
  } catch (const Poco::Exception& e) {
    throw DbError(classify_db_error(e.displayText()), e.displayText());
  }
  return lease;
}

void Db::give_back(std::unique_ptr<PgConn> conn) {
  if (!conn->usable()) return;  // dropped; the next lease opens a new one
  std::lock_guard lock(slots_mutex_);
  pg_idle_.push_back(std::move(conn));
}

void Db::release_slot() {
  {
    std::lock_guard lock(slots_mutex_);
    --slots_in_use_;
  }
  slots_free_.notify_one();
}

// A pooled session may come back with a transaction still open or aborted (a failed commit, a
// rollback that did not reach the server, code that forgot). Using it as is would fail every
// statement ("current transaction is aborted") or silently join someone else's transaction.
// (PostgreSQL: PgConn::reset does the same.)
void Db::reset(Poco::Data::Session& session) {
  sqlite3* handle = Poco::Data::SQLite::Utility::dbHandle(session);
  if (handle && !sqlite3_get_autocommit(handle)) session << "ROLLBACK", now;
}

namespace {

void back_off(int attempt) {
  static thread_local std::minstd_rand rng(std::random_device{}());
  std::uniform_int_distribution<int> jitter(0, 20);
  std::this_thread::sleep_for(std::chrono::milliseconds(10 * attempt + jitter(rng)));
}

// One attempt on PostgreSQL. A write is BEGIN ... COMMIT; a read runs its statements as they
// come, each in its own implicit transaction, which under READ COMMITTED sees exactly what it
// would have seen inside BEGIN/COMMIT.
void run_pg(PgConn& c, TxMode mode, const std::function<bool(Tx&)>& body) {
  const bool wrapped = mode == TxMode::kWrite;
  try {
    if (wrapped) c.simple("BEGIN");
    Tx tx(c);
    bool commit = body(tx);
    if (wrapped) c.simple(commit ? "COMMIT" : "ROLLBACK");
  } catch (...) {
    if (wrapped) {
      try {
        c.simple("ROLLBACK");
      } catch (...) {  // the next lease resets the connection anyway
      }
    }
    throw;
  }
}

// One attempt on SQLite. IMMEDIATE takes the write lock now: a deferred transaction that reads
// first and writes later fails with "database is locked" when another connection wrote in
// between.
void run_sqlite(Poco::Data::Session& s, TxMode mode, const std::function<bool(Tx&)>& body) {
  try {
    s << (mode == TxMode::kWrite ? "BEGIN IMMEDIATE" : "BEGIN"), now;
    Tx tx(s, Dialect::kSqlite);
    bool commit = body(tx);
    s << (commit ? "COMMIT" : "ROLLBACK"), now;
  } catch (...) {
    try {
      s << "ROLLBACK", now;
    } catch (...) {  // the next lease resets the session anyway
    }
    throw;
  }
}

}  // namespace

void Db::run(TxMode mode, const std::function<bool(Tx&)>& body) {
  for (int attempt = 1;; ++attempt) {
    try {
      Lease lease = this->lease();
      if (lease.pg_) {
        run_pg(*lease.pg_, mode, body);
      } else {
        run_sqlite(*lease.session_, mode, body);
      }
      return;
    } catch (const Poco::Exception& e) {
      DbErrorKind kind = classify_db_error(e.displayText());
      if (kind == DbErrorKind::kTransient && attempt < kAttempts) {
        back_off(attempt);
        continue;
      }
      throw DbError(kind, e.displayText());
    } catch (const DbError& e) {
      if (e.kind() == DbErrorKind::kTransient && attempt < kAttempts) {
        back_off(attempt);
        continue;
      }
      throw;
    }
  }
}

}  // namespace stagematch::storage

// Poco::Data underneath the SQL store: one database (an SQLite file or a PostgreSQL server),
// sessions lent from a pool and reset before use, transactions that roll back on any exception
// or refusal, and the differences between the two dialects (placeholders, errors, how a write
// transaction starts) handled here once. Internal to plugins/storage; the engine never sees it.
#pragma once

#include <Poco/Data/Session.h>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "local_time.hpp"

namespace stagematch::storage {

enum class Dialect { kSqlite, kPostgresql };

// Where the database is, parsed from a store URL.
struct DbLocation {
  Dialect dialect = Dialect::kSqlite;
  std::string connector;          // Poco connector name: "SQLite" or "PostgreSQL"
  std::string connection_string;  // SQLite: the file path; PostgreSQL: libpq key=value pairs
  std::string schema;             // PostgreSQL: the schema to work in ("": the server's default)
};

// "sqlite:PATH" or "postgresql://user:pass@host:port/db" (also "postgres://"), optionally with
// "?schema=NAME" (search_path) and libpq parameters such as "sslmode=require". Percent escapes
// are decoded. Poco's PostgreSQL connector splits its connection string at every space, quotes
// or not, so a value with a space in it cannot be passed and is refused. Throws
// std::invalid_argument for anything it cannot use.
DbLocation parse_store_url(const std::string& url);

// SQL written with `?` placeholders, renumbered to PostgreSQL's `$1..$n`. A `?` inside a string
// literal, a quoted identifier or a comment is left alone.
std::string number_placeholders(std::string_view sql);

// One value bound to a placeholder. Every id and moment is bound as a 64-bit integer (moments as
// epoch seconds), so PostgreSQL's text transfer never has to guess a type.
class SqlValue {
 public:
  enum class Kind { kNull, kInt, kReal, kText };

  SqlValue() = default;
  SqlValue(std::nullptr_t) {}
  SqlValue(int v) : kind_(Kind::kInt), int_(v) {}
  SqlValue(std::int64_t v) : kind_(Kind::kInt), int_(v) {}
  SqlValue(double v) : kind_(Kind::kReal), real_(v) {}
  SqlValue(std::string v) : kind_(Kind::kText), text_(std::move(v)) {}
  SqlValue(const char* v) : kind_(Kind::kText), text_(v) {}
  SqlValue(Instant t) : kind_(Kind::kInt), int_(t.time_since_epoch().count()) {}
  SqlValue(const std::optional<std::int64_t>& v) {
    if (v) *this = SqlValue(*v);
  }
  SqlValue(const std::optional<Instant>& v) {
    if (v) *this = SqlValue(*v);
  }

  Kind kind() const { return kind_; }
  std::int64_t as_int() const { return int_; }
  double as_real() const { return real_; }
  const std::string& as_text() const { return text_; }

 private:
  Kind kind_ = Kind::kNull;
  std::int64_t int_ = 0;
  double real_ = 0;
  std::string text_;
};
using Params = std::vector<SqlValue>;

// One result row. Every column arrives as text (SQLite converts, PostgreSQL sends text anyway)
// and is parsed here, strictly: a value that is not an integer throws instead of quietly
// becoming NULL or 0, which is what Poco's PostgreSQL extractor does on a failed parse.
class Row {
 public:
  explicit Row(std::vector<std::optional<std::string>> cells) : cells_(std::move(cells)) {}

  std::size_t size() const { return cells_.size(); }
  bool is_null(std::size_t i) const { return !cells_.at(i).has_value(); }
  const std::string& text(std::size_t i) const;  // "" for NULL
  std::int64_t int64(std::size_t i) const;       // throws on NULL or non-integer text
  std::optional<std::int64_t> opt_int64(std::size_t i) const;
  Instant instant(std::size_t i) const { return Instant{std::chrono::seconds{int64(i)}}; }
  std::optional<Instant> opt_instant(std::size_t i) const;

 private:
  std::vector<std::optional<std::string>> cells_;
};

// Why a statement failed, read from the driver's message: Poco reports PostgreSQL's SQLSTATE only
// inside the text ("... State: 23505 ..."), and SQLite's constraint errors by message.
enum class DbErrorKind {
  kUnique,      // unique or primary key violation
  kForeignKey,  // a referenced row is missing, or a referencing row still exists
  kTransient,   // deadlock, serialization failure, database locked: retrying may succeed
  kOther,
};
DbErrorKind classify_db_error(std::string_view message);

class DbError : public std::runtime_error {
 public:
  DbError(DbErrorKind kind, const std::string& message)
      : std::runtime_error(message), kind_(kind) {}
  DbErrorKind kind() const { return kind_; }

 private:
  DbErrorKind kind_;
};

class Db;
class PgConn;

// A connection lent by the pool, with its slot; returned on destruction. It was reset before it
// was lent: a transaction someone left open (or aborted) is rolled back first. SQLite connections
// are Poco sessions; PostgreSQL connections are libpq's own (see PgConn in sql_db.cpp).
class Lease {
 public:
  Lease(Lease&& other) noexcept;
  Lease& operator=(Lease&&) = delete;
  Lease(const Lease&) = delete;
  ~Lease();

  // Runs one statement as it is, outside any transaction this class manages (BEGIN, a
  // statement, and leaving the connection in that state are allowed: the next lease resets it).
  // Throws DbError on failure.
  void execute_raw(std::string_view sql);

 private:
  friend class Db;
  explicit Lease(Db& db);

  Db* db_;
  std::optional<Poco::Data::Session> session_;  // SQLite
  std::unique_ptr<PgConn> pg_;                  // PostgreSQL
};

// The statements of one open transaction.
class Tx {
 public:
  Tx(Poco::Data::Session& session, Dialect dialect) : session_(&session), dialect_(dialect) {}
  explicit Tx(PgConn& pg) : pg_(&pg), dialect_(Dialect::kPostgresql) {}

  // Executes and returns the number of changed rows (the rows read, for a query).
  std::size_t exec(std::string_view sql, const Params& params = {});
  // Reads `columns` columns of every row; a different column count in the result throws.
  std::vector<Row> query(std::string_view sql, const Params& params, std::size_t columns);
  std::optional<Row> query_one(std::string_view sql, const Params& params, std::size_t columns);
  Dialect dialect() const { return dialect_; }

 private:
  Poco::Data::Session* session_ = nullptr;
  PgConn* pg_ = nullptr;
  Dialect dialect_;
};

enum class TxMode { kRead, kWrite };

class Db {
 public:
  // PostgreSQL: up to `max_sessions` pooled libpq connections, each keeping the statements it
  // prepared; callers beyond that wait for one. SQLite: always one session, one caller at a time.
  Db(DbLocation location, int max_sessions);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  Dialect dialect() const { return location_.dialect; }
  // Connections lent out now, and at most how many (SQLite: one).
  std::pair<int, int> pool_use();

  // A reset session for one caller; waits while every session is in use.
  Lease lease();

  // Runs `fn(Tx&)` in one transaction: committed when it returns, rolled back when it throws or
  // returns a refusal (an unexpected std::expected). On PostgreSQL a kRead runs without
  // BEGIN/COMMIT: under READ COMMITTED every statement takes its own snapshot either way, so a
  // read costs one round trip instead of three. Deadlocks, serialization failures and a
  // locked SQLite file are retried a few times; driver errors come out as DbError.
  template <typename F>
  std::invoke_result_t<F&, Tx&> transact(TxMode mode, F&& fn) {
    using R = std::invoke_result_t<F&, Tx&>;
    std::optional<R> result;
    run(mode, [&](Tx& tx) {
      result.emplace(fn(tx));
      return !is_refusal(*result);
    });
    return std::move(*result);
  }

 private:
  friend class Lease;
  class Pool;

  template <typename T>
  static bool is_refusal(const T& r) {
    if constexpr (requires { r.has_value(); }) {
      return !r.has_value();
    } else {
      return false;
    }
  }

  // `body` returns true to commit, false to roll back.
  void run(TxMode mode, const std::function<bool(Tx&)>& body);
  void reset(Poco::Data::Session& session);
  void release_slot();
  void give_back(std::unique_ptr<PgConn> conn);

  DbLocation location_;
  int max_sessions_;
  std::unique_ptr<Pool> pool_;                    // SQLite
  std::vector<std::unique_ptr<PgConn>> pg_idle_;  // PostgreSQL, guarded by slots_mutex_
  std::mutex slots_mutex_;
  std::condition_variable slots_free_;
  int slots_in_use_ = 0;
};

}  // namespace stagematch::storage

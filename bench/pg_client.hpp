// A minimal libpq client for the benchmark: what the store deliberately cannot do (bulk COPY,
// EXPLAIN, statements run bare with the simple query protocol, settings for one database).
// Benchmark code only; the product talks to PostgreSQL through plugins/storage.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct pg_conn;

namespace stagematch::bench {

using PgRow = std::vector<std::optional<std::string>>;

class PgClient {
 public:
  // `conninfo`: a libpq connection string or URI ("postgresql://user@host:port/db"). Throws
  // std::runtime_error when the server cannot be reached.
  explicit PgClient(const std::string& conninfo);
  ~PgClient();
  PgClient(const PgClient&) = delete;
  PgClient& operator=(const PgClient&) = delete;

  // Runs one statement with the simple query protocol and returns its rows as text. Throws
  // std::runtime_error with the server's message on failure.
  std::vector<PgRow> query(const std::string& sql);
  // The first column of the first row, or throws when there is none.
  std::string scalar(const std::string& sql);
  // COPY `target` FROM STDIN with `data` in COPY's text format (see copy_field).
  void copy_in(const std::string& target, const std::string& data);

 private:
  pg_conn* conn_ = nullptr;
};

// One field for COPY's text format: backslash, tab, newline and carriage return escaped.
std::string copy_field(std::string_view text);
// A SQL string literal: 'text' with quotes doubled.
std::string sql_literal(std::string_view text);

}  // namespace stagematch::bench

#include "pg_client.hpp"

#include <libpq-fe.h>

#include <memory>
#include <stdexcept>

namespace stagematch::bench {

namespace {

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

std::string first_line(std::string_view sql) {
  constexpr std::size_t kMax = 120;
  std::string s(sql.substr(0, kMax));
  return sql.size() > kMax ? s + "..." : s;
}

}  // namespace

PgClient::PgClient(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string message = conn_ ? PQerrorMessage(conn_) : "out of memory";
    PQfinish(conn_);
    throw std::runtime_error("cannot connect to PostgreSQL: " + message);
  }
}

PgClient::~PgClient() { PQfinish(conn_); }

std::vector<PgRow> PgClient::query(const std::string& sql) {
  Result r(PQexec(conn_, sql.c_str()));
  ExecStatusType status = PQresultStatus(r.get());
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    throw std::runtime_error(std::string(PQresultErrorMessage(r.get())) + " [" + first_line(sql) +
                             "]");
  }
  std::vector<PgRow> rows;
  int n_rows = PQntuples(r.get());
  int n_cols = PQnfields(r.get());
  rows.reserve(static_cast<std::size_t>(n_rows));
  for (int i = 0; i < n_rows; ++i) {
    PgRow row;
    row.reserve(static_cast<std::size_t>(n_cols));
    for (int c = 0; c < n_cols; ++c) {
      if (PQgetisnull(r.get(), i, c)) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(std::string(PQgetvalue(r.get(), i, c),
                                     static_cast<std::size_t>(PQgetlength(r.get(), i, c))));
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string PgClient::scalar(const std::string& sql) {
  auto rows = query(sql);
  if (rows.empty() || rows.front().empty() || !rows.front().front())
    throw std::runtime_error("no value from [" + first_line(sql) + "]");
  return *rows.front().front();
}

void PgClient::copy_in(const std::string& target, const std::string& data) {
  Result start(PQexec(conn_, ("COPY " + target + " FROM STDIN").c_str()));
  if (PQresultStatus(start.get()) != PGRES_COPY_IN)
    throw std::runtime_error("COPY " + target + ": " + PQresultErrorMessage(start.get()));
  constexpr std::size_t kChunk = 1 << 20;
  for (std::size_t at = 0; at < data.size(); at += kChunk) {
    std::size_t n = std::min(kChunk, data.size() - at);
    if (PQputCopyData(conn_, data.data() + at, static_cast<int>(n)) != 1)
      throw std::runtime_error("COPY " + target + ": " + PQerrorMessage(conn_));
  }
  if (PQputCopyEnd(conn_, nullptr) != 1)
    throw std::runtime_error("COPY " + target + ": " + PQerrorMessage(conn_));
  Result end(PQgetResult(conn_));
  if (PQresultStatus(end.get()) != PGRES_COMMAND_OK)
    throw std::runtime_error("COPY " + target + ": " + PQresultErrorMessage(end.get()));
  while (Result more{PQgetResult(conn_)}) {
  }
}

std::string copy_field(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string sql_literal(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

}  // namespace stagematch::bench

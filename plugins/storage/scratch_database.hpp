// For tests: databases of their own, so test processes can run side by side. Each is a new
// SQLite file in a temp folder, or a new schema in the PostgreSQL test database that
// script/test starts (STAGEMATCH_TEST_PG). All of them are removed again at the end.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "sql_db.hpp"

namespace stagematch::testing {

// A name no other test process uses at the same time: prefix, process id, a random salt and a
// counter. Letters, digits and '_' only, so it is also a valid schema name.
inline std::string unique_name(const std::string& prefix) {
  static std::atomic<int> counter{0};
  static const unsigned salt = std::random_device{}();
  return prefix + std::to_string(::getpid()) + "_" + std::to_string(salt % 100000) + "_" +
         std::to_string(counter++);
}

// Every value of every column of every table in the database at `url` (its PostgreSQL schema),
// as text, with "table.column" before it: what a backup would hold, to look for secrets in.
inline std::vector<std::pair<std::string, std::string>> stored_texts(const std::string& url) {
  storage::Db db(storage::parse_store_url(url), 1);
  return db.transact(storage::TxMode::kRead, [](storage::Tx& tx) {
    const bool sqlite = tx.dialect() == storage::Dialect::kSqlite;
    std::vector<std::pair<std::string, std::string>> out;
    for (const storage::Row& table :
         tx.query(sqlite ? "SELECT name FROM sqlite_master WHERE type = 'table'"
                           " AND name NOT LIKE 'sqlite_%'"
                         : "SELECT table_name FROM information_schema.tables"
                           " WHERE table_schema = current_schema()",
                  {}, 1)) {
      const std::string name = table.text(0);
      std::vector<storage::Row> columns =
          sqlite ? tx.query("SELECT name FROM pragma_table_info('" + name + "')", {}, 1)
                 : tx.query(
                       "SELECT column_name FROM information_schema.columns"
                       " WHERE table_schema = current_schema() AND table_name = ?",
                       {name}, 1);
      for (const storage::Row& column : columns) {
        const std::string select = sqlite ? "SELECT \"" + column.text(0) + "\""
                                          : "SELECT \"" + column.text(0) + "\"::text";
        for (const storage::Row& cell : tx.query(select + " FROM \"" + name + "\"", {}, 1))
          out.emplace_back(name + "." + column.text(0), cell.is_null(0) ? "" : cell.text(0));
      }
    }
    return out;
  });
}

class ScratchDatabases {
 public:
  // `kind` is "sqlite" or "postgresql"; `prefix` names the folders and schemas after the suite.
  ScratchDatabases(std::string kind, std::string prefix)
      : kind_(std::move(kind)), prefix_(std::move(prefix)) {}
  ScratchDatabases(const ScratchDatabases&) = delete;
  ScratchDatabases& operator=(const ScratchDatabases&) = delete;

  ~ScratchDatabases() {
    if (!schemas_.empty()) {
      storage::Db admin(storage::parse_store_url(pg_base_), 1);
      for (const auto& schema : schemas_)
        admin.transact(storage::TxMode::kWrite, [&](storage::Tx& tx) {
          return tx.exec("DROP SCHEMA " + schema + " CASCADE");
        });
    }
    for (const auto& dir : dirs_) std::filesystem::remove_all(dir);
  }

  // A new, empty folder for files a test writes (a mail drop), removed with the databases.
  std::filesystem::path folder() {
    auto dir = std::filesystem::temp_directory_path() / ("stagematch-" + unique_name(prefix_));
    std::filesystem::create_directories(dir);
    dirs_.push_back(dir);
    return dir;
  }

  // The URL of a new, empty database; "" (with the test failed) when PostgreSQL was asked for
  // and STAGEMATCH_TEST_PG is not set.
  std::string fresh() {
    if (kind_ == "sqlite") return "sqlite:" + (folder() / "test.db").string();
    const char* base = std::getenv("STAGEMATCH_TEST_PG");
    if (!base || !*base) {
      ADD_FAILURE() << "STAGEMATCH_TEST_PG is not set: the PostgreSQL half of this suite needs a "
                       "server. Run script/test, which starts one, or export "
                       "STAGEMATCH_TEST_PG=postgresql://user@host:port/db";
      return "";
    }
    pg_base_ = base;
    const std::string name = unique_name(prefix_);
    storage::Db admin(storage::parse_store_url(pg_base_), 1);
    admin.transact(storage::TxMode::kWrite,
                   [&](storage::Tx& tx) { return tx.exec("CREATE SCHEMA " + name); });
    schemas_.push_back(name);
    return pg_base_ + (pg_base_.find('?') == std::string::npos ? "?" : "&") + "schema=" + name;
  }

 private:
  std::string kind_;
  std::string prefix_;
  std::string pg_base_;
  std::vector<std::string> schemas_;
  std::vector<std::filesystem::path> dirs_;
};

}  // namespace stagematch::testing

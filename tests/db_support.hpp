// Databases for the domain tests: a fresh SQLite file, or a fresh PostgreSQL database on the
// server that script/test started (STAGEMATCH_TEST_PG). Both run the same suites.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "sql_store.hpp"

namespace stagematch::testing {

inline std::string postgres_base_url() {
  const char* url = std::getenv("STAGEMATCH_TEST_PG");
  return url ? url : "";
}

// A URL to an empty database of the given kind, named after `suite` for PostgreSQL, so two
// suites never share tables. Fails the test when PostgreSQL was asked for and is missing.
inline std::string fresh_database(const std::string& kind, const std::string& suite) {
  if (kind == "sqlite") {
    auto dir = std::filesystem::temp_directory_path() /
               ("stagematch-" + suite + "-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto file = dir / "test.db";
    std::filesystem::remove(file);
    std::filesystem::remove(dir / "test.db-wal");
    std::filesystem::remove(dir / "test.db-shm");
    return "sqlite:" + file.string();
  }
  std::string base = postgres_base_url();
  if (base.empty()) {
    ADD_FAILURE() << "STAGEMATCH_TEST_PG is not set: run the tests through script/test, which "
                     "starts PostgreSQL";
    return "";
  }
  std::string server = base.substr(0, base.rfind('/'));
  std::string db = "stagematch_" + suite;
  std::string cmd = "psql -q '" + base + "' -c 'DROP DATABASE IF EXISTS " + db +
                    " WITH (FORCE)' -c 'CREATE DATABASE " + db + "' >/dev/null";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  return server + "/" + db;
}

inline std::unique_ptr<Store> open_fresh_store(const std::string& kind, const std::string& suite) {
  std::string url = fresh_database(kind, suite);
  if (url.empty()) return nullptr;
  auto store = open_store(url);
  store->migrate();
  return store;
}

}  // namespace stagematch::testing

#include "store_plugin.hpp"

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "backup.hpp"
#include "sql_db.hpp"
#include "sql_store.hpp"

namespace stagematch {

namespace {

std::unique_ptr<SqlStore> open_migrated(const std::string& url) {
  if (url.starts_with("sqlite:")) {
    std::filesystem::path file = url.substr(7);
    if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
  }
  auto store = std::make_unique<SqlStore>(url);
  store->migrate();
  return store;
}

}  // namespace

std::unique_ptr<Database> open_sql_store(const std::string& url, const StoreOpening& opening) {
  const auto deadline = std::chrono::steady_clock::now() + opening.wait;
  std::chrono::seconds pause{1};
  for (int attempt = 1;; ++attempt) {
    try {
      return open_migrated(url);
    } catch (const storage::DbError& e) {
      std::string what = e.what();
      std::replace_if(
          what.begin(), what.end(), [](char c) { return c == '\n' || c == '\t'; }, ' ');
      if (url.starts_with("sqlite:") || !what.starts_with("databank niet bereikbaar")) throw;
      if (std::chrono::steady_clock::now() + pause > deadline) {
        if (attempt == 1) throw;
        throw storage::DbError(e.kind(), what + " (opgegeven na " + std::to_string(attempt) +
                                             " pogingen in " +
                                             std::to_string(opening.wait.count()) + " s)");
      }
      if (opening.retrying)
        opening.retrying("poging " + std::to_string(attempt) + ": " + what +
                         "; nieuwe poging over " + std::to_string(pause.count()) + " s");
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, std::chrono::seconds{10});
    }
  }
}

std::expected<std::string, std::string> backup_sqlite_store(const std::string& url,
                                                            const std::string& to) {
  storage::DbLocation where = storage::parse_store_url(url);
  if (where.dialect != storage::Dialect::kSqlite)
    throw std::invalid_argument("geen SQLite-databank: " + url.substr(0, url.find(':')));
  auto done = storage::backup_sqlite(where.connection_string, to);
  if (!done) return std::unexpected(done.error());
  return std::to_string(done->pages) + " pagina's";
}

}  // namespace stagematch

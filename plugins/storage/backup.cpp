#include "backup.hpp"

#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <thread>

namespace stagematch::storage {

namespace {

struct Closer {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Handle = std::unique_ptr<sqlite3, Closer>;

std::expected<Handle, std::string> open(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Handle db(raw);
  if (rc != SQLITE_OK)
    return std::unexpected("kan " + path +
                           " niet openen: " + (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  sqlite3_busy_timeout(db.get(), 5000);
  return db;
}

}  // namespace

std::expected<BackupDone, std::string> backup_sqlite(const std::string& from,
                                                     const std::string& to) {
  std::error_code ec;
  if (!std::filesystem::exists(from, ec))
    return std::unexpected("de databank " + from + " bestaat niet");
  if (std::filesystem::exists(to, ec))
    return std::unexpected(to + " bestaat al; kies een nieuwe bestandsnaam");
  auto source = open(from, SQLITE_OPEN_READONLY);
  if (!source) return std::unexpected(source.error());
  auto target = open(to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (!target) return std::unexpected(target.error());

  auto fail = [&](const std::string& why) {
    target->reset();
    std::filesystem::remove(to, ec);
    return std::unexpected(why);
  };
  sqlite3_backup* backup = sqlite3_backup_init(target->get(), "main", source->get(), "main");
  if (!backup)
    return fail(std::string("de kopie kan niet beginnen: ") + sqlite3_errmsg(target->get()));
  int rc = SQLITE_OK;
  // A few hundred pages per step: the server's writers get the database between steps, and a
  // write in between makes SQLite start the copy over, so what lands is one consistent state.
  while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
    rc = sqlite3_backup_step(backup, 256);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const int pages = sqlite3_backup_pagecount(backup);
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) return fail(std::string("de kopie is mislukt: ") + sqlite3_errstr(rc));
  return BackupDone{pages};
}

}  // namespace stagematch::storage

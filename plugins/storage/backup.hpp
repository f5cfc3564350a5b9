// A copy of an SQLite database taken while the server runs (SQLite's online backup): the
// embedded default's answer to pg_dump. PostgreSQL is backed up with pg_dump (README, "Back up
// and restore").
#pragma once

#include <expected>
#include <string>

namespace stagematch::storage {

struct BackupDone {
  int pages = 0;  // database pages copied
};

// Copies the SQLite database at `from` into a new file `to`, page by page, letting the server
// write between steps; a step that finds the database busy waits and tries again. `to` must not
// exist yet. The copy is one consistent state of the database. A Dutch message on failure; a
// half-written `to` is removed.
std::expected<BackupDone, std::string> backup_sqlite(const std::string& from,
                                                     const std::string& to);

}  // namespace stagematch::storage

// The storage plugin's entry points for the registry (plugins/builtin.cpp): the SQL store
// opened from a URL, and `stagematch backup` of an SQLite file.
#pragma once

#include <expected>
#include <memory>
#include <string>

#include "registry.hpp"

namespace stagematch {

// The SqlStore at `url` (sqlite:PAD, postgresql://..., postgres://...), migrated. An SQLite
// file's folder is made when missing (a fresh checkout has no var/ yet). A PostgreSQL server
// that does not answer yet (the machine is starting, the database is being restarted) is tried
// again with growing pauses (1, 2, 4, up to 10 s) for `opening.wait`, each failed attempt told
// to `opening.retrying`; after that a storage::DbError that says how long it tried. Anything
// else (a refused login, a failing migration) stops at once.
std::unique_ptr<Database> open_sql_store(const std::string& url, const StoreOpening& opening);

// `stagematch backup` of sqlite:PAD into the new file `to`: "N pagina's", or why not. Throws
// std::invalid_argument when `url` is not an SQLite URL.
std::expected<std::string, std::string> backup_sqlite_store(const std::string& url,
                                                            const std::string& to);

}  // namespace stagematch

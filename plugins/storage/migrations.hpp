// The database schema as numbered steps. Each step is applied once, in order, and recorded in
// schema_migrations; applying is safe to repeat and to run from two processes at once.
#pragma once

#include "sql_db.hpp"

namespace stagematch::storage {

// The highest step this program knows.
int latest_schema_version();

// Applies every step the database lacks, in one write transaction that first takes a lock
// (PostgreSQL: an advisory transaction lock; SQLite: BEGIN IMMEDIATE). A database with a step
// this program does not know (written by a newer version) is refused with std::runtime_error.
void apply_migrations(Db& db);
// The same, up to and including step `up_to` only (tests of a later step on older data).
void apply_migrations(Db& db, int up_to);

}  // namespace stagematch::storage

// Creates or upgrades the rssflow tables (`rssflow migrate`; the pipeline also calls it
// before a PostgreSQL run).
#pragma once

#include <vector>

#include "sinks/postgres_migrations.h"
#include "sinks/postgres_options.h"
#include "sinks/postgres_shared_connection.h"

namespace rssflow {

struct MigrateResult {
  std::vector<int> applied;    // versions applied by this call, in order
  int current_version = 0;     // highest applied version afterwards
};

// Applies the embedded migrations not yet recorded in <schema>.rssflow_schema_history, in
// version order, in one transaction that first takes a transaction-level advisory lock keyed
// on the schema: safe to run twice and from several processes at once (the later caller waits,
// then finds nothing to do). Creates the schema if missing.
// Throws SinkError when the database cannot be reached, a migration fails (nothing is
// applied), or an applied migration's checksum differs from the embedded file's.
//
// The history must match the tables: a table that an applied migration creates (CREATE
// TABLE in its SQL) and that no longer exists (someone dropped it) is a SinkError naming the
// missing tables and the fix, unless `mode` is repair. Repair forgets the history from the
// first migration whose table is missing onwards, drops the tables those migrations created
// that still exist (their rows are lost), and applies them again, all in the one transaction.
// Runs on `shared` when given (the run's one connection), else on a connection of its own.
enum class MigrateMode { apply, repair };
MigrateResult migrate(const PostgresOptions& options, MigrateMode mode = MigrateMode::apply,
                      SharedPostgresConnection shared = nullptr);

// The same with an explicit migration set (tests).
MigrateResult migrate(const PostgresOptions& options, const std::vector<Migration>& migrations,
                      MigrateMode mode = MigrateMode::apply, SharedPostgresConnection shared = nullptr);

// The tables a migration's SQL creates (CREATE TABLE [IF NOT EXISTS] name), unqualified, in
// order; temporary tables excluded.
std::vector<std::string> tables_created_by(const Migration& migration);

}  // namespace rssflow

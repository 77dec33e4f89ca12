#include "sinks/postgres_migrate.h"

#include <chrono>
#include <map>
#include <string>

#include <pqxx/pqxx>

#include "sinks/postgres_connection.h"

namespace rssflow {

MigrateResult migrate(const PostgresOptions& options) {
  static const std::vector<Migration> migrations = parse_migrations(embedded_migrations());
  return migrate(options, migrations);
}

MigrateResult migrate(const PostgresOptions& options, const std::vector<Migration>& migrations) {
  const std::string schema = quote_identifier(options.schema);
  const std::string history = qualified_name(options.schema, "rssflow_schema_history");
  auto conn = connect_postgres(options);
  MigrateResult result;
  std::string step = "lock schema " + options.schema;
  try {
    pqxx::work tx(*conn, "rssflow_migrate");
    // Serialises concurrent migrators of this schema until commit; a waiter then sees the
    // history the winner wrote and has nothing to do.
    tx.exec("SELECT pg_advisory_xact_lock(" + std::to_string(advisory_lock_key("migrate", options.schema, "")) + ")");
    step = "create schema " + options.schema;
    tx.exec("CREATE SCHEMA IF NOT EXISTS " + schema);
    tx.exec("CREATE TABLE IF NOT EXISTS " + history +
            " (version integer PRIMARY KEY, description text NOT NULL, script text NOT NULL,"
            "  checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(),"
            "  execution_ms integer NOT NULL DEFAULT 0)");
    step = "read " + options.schema + ".rssflow_schema_history";
    std::map<int, std::string> applied;
    for (const auto& row : tx.exec("SELECT version, checksum FROM " + history)) {
      applied[row[0].as<int>()] = row[1].as<std::string>();
    }
    std::map<int, const Migration*> known;
    for (const Migration& m : migrations) known[m.version] = &m;
    for (const auto& [version, checksum] : applied) {
      const auto it = known.find(version);
      if (it == known.end()) {
        throw SinkError("postgres: schema " + options.schema + " has migration V" + std::to_string(version) +
                        " applied, which this rssflow does not know (database newer than the binary?)");
      }
      if (it->second->checksum != checksum) {
        throw SinkError("postgres: migration " + it->second->script + " was changed after it was applied to schema " +
                        options.schema + " (checksum " + checksum + " in the database, " + it->second->checksum +
                        " now); add a new migration instead");
      }
      result.current_version = version;
    }
    tx.exec("SET LOCAL search_path TO " + schema);
    for (const Migration& m : migrations) {
      if (applied.count(m.version) != 0) continue;
      step = "apply " + m.script + " to schema " + options.schema;
      const auto started = std::chrono::steady_clock::now();
      tx.exec(m.sql, m.script);
      const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
      tx.exec("INSERT INTO " + history + " (version, description, script, checksum, execution_ms) VALUES (" +
              std::to_string(m.version) + ", " + tx.quote(m.description) + ", " + tx.quote(m.script) + ", " +
              tx.quote(m.checksum) + ", " + std::to_string(elapsed.count()) + ")");
      result.applied.push_back(m.version);
      result.current_version = m.version;
    }
    step = "commit migrations of schema " + options.schema;
    tx.commit();
  } catch (const SinkError&) {
    throw;
  } catch (const std::exception& e) {
    throw postgres_error(step, e, options.conninfo);
  }
  return result;
}

}  // namespace rssflow

#include "sinks/postgres_migrate.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <regex>
#include <string>

#include <pqxx/pqxx>

#include "sinks/postgres_connection.h"

namespace rssflow {

namespace {

struct MissingTable {
  const Migration* migration;
  std::string table;
};

// Applied migrations whose tables are gone, in version order.
std::vector<MissingTable> missing_tables(pqxx::work& tx, const std::string& schema,
                                         const std::map<int, const Migration*>& applied) {
  std::vector<MissingTable> missing;
  for (const auto& [version, migration] : applied) {
    for (const std::string& table : tables_created_by(*migration)) {
      const pqxx::row row = tx.exec1("SELECT to_regclass(" + tx.quote(qualified_name(schema, table)) + ") IS NULL");
      if (row[0].as<bool>()) missing.push_back({migration, table});
    }
  }
  return missing;
}

std::string mismatch_message(const std::string& schema, const std::vector<MissingTable>& missing,
                             const std::vector<std::string>& would_drop) {
  std::string message = "postgres: schema " + schema + ": the migration history (" + schema +
                        ".rssflow_schema_history) no longer matches the tables:";
  for (const MissingTable& m : missing) {
    message += " " + m.migration->script + " is recorded as applied but table " + schema + "." + m.table +
               " is missing;";
  }
  message += " to recreate it, run `rssflow migrate --repair` (it applies V" +
             std::to_string(missing.front().migration->version) + " and every later migration again";
  if (!would_drop.empty()) {
    message += ", first dropping the tables they created that still exist:";
    for (const std::string& table : would_drop) message += " " + schema + "." + table;
    message += " (their rows are lost)";
  }
  message += ")";
  return message;
}

}  // namespace

std::vector<std::string> tables_created_by(const Migration& migration) {
  static const std::regex create_table(R"re(\bCREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?"?([A-Za-z_][A-Za-z0-9_]*)"?)re",
                                       std::regex::icase);
  std::vector<std::string> tables;
  for (auto it = std::sregex_iterator(migration.sql.begin(), migration.sql.end(), create_table);
       it != std::sregex_iterator(); ++it) {
    tables.push_back((*it)[1].str());
  }
  return tables;
}

MigrateResult migrate(const PostgresOptions& options, MigrateMode mode, SharedPostgresConnection shared) {
  static const std::vector<Migration> migrations = parse_migrations(embedded_migrations());
  return migrate(options, migrations, mode, std::move(shared));
}

MigrateResult migrate(const PostgresOptions& options, const std::vector<Migration>& migrations, MigrateMode mode,
                      SharedPostgresConnection shared) {
  const std::string schema = quote_identifier(options.schema);
  const std::string history = qualified_name(options.schema, "rssflow_schema_history");
  const SharedPostgresConnection link = shared_or_new(std::move(shared), options);
  pqxx::connection* conn = link->conn.get();
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
    step = "compare " + options.schema + ".rssflow_schema_history with the tables";
    std::map<int, const Migration*> applied_migrations;
    for (const auto& [version, checksum] : applied) applied_migrations[version] = known.at(version);
    if (const auto missing = missing_tables(tx, options.schema, applied_migrations); !missing.empty()) {
      const int first_broken = missing.front().migration->version;
      std::vector<std::string> would_drop;
      for (const auto& [version, migration] : applied_migrations) {
        if (version < first_broken) continue;
        for (const std::string& table : tables_created_by(*migration)) {
          const pqxx::row row = tx.exec1("SELECT to_regclass(" + tx.quote(qualified_name(options.schema, table)) + ") IS NOT NULL");
          if (row[0].as<bool>()) would_drop.push_back(table);
        }
      }
      if (mode != MigrateMode::repair) throw SinkError(mismatch_message(options.schema, missing, would_drop));
      step = "repair schema " + options.schema;
      for (const std::string& table : would_drop) tx.exec("DROP TABLE " + qualified_name(options.schema, table) + " CASCADE");
      tx.exec("DELETE FROM " + history + " WHERE version >= " + std::to_string(first_broken));
      for (auto it = applied.lower_bound(first_broken); it != applied.end();) it = applied.erase(it);
      result.current_version = applied.empty() ? 0 : applied.rbegin()->first;
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
      result.current_version = std::max(result.current_version, m.version);  // a filled gap is below it
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

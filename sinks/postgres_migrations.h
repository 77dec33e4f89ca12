// The versioned SQL migrations (sinks/postgres/migrations/V<version>__<description>.sql),
// embedded into the binary at build time by sinks/postgres/embed_migrations.cmake.
#pragma once

#include <string>
#include <vector>

namespace rssflow {

struct MigrationFile {
  std::string name;  // "V1__create_articles.sql"
  std::string sql;
};

struct Migration {
  int version = 0;           // 1 for V1__...
  std::string description;   // "create articles"
  std::string script;        // file name
  std::string sql;
  std::string checksum;      // XXH3-128 hex of the SQL text
};

// Every file of sinks/postgres/migrations as it was at build time, in file-name order.
const std::vector<MigrationFile>& embedded_migrations();

// Parses names and checks the set: sorted by version; throws std::invalid_argument for a
// name not of the form V<positive int>__<description>.sql or a repeated version.
std::vector<Migration> parse_migrations(const std::vector<MigrationFile>& files);

}  // namespace rssflow

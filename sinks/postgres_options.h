// How to reach the PostgreSQL database that holds articles and fetch state.
#pragma once

#include <cstddef>
#include <string>

namespace rssflow {

struct PostgresOptions {
  // libpq conninfo: URI ("postgresql://user@host/db") or "key=value" pairs. Empty: libpq's
  // environment (PGHOST, PGDATABASE, PGUSER, PGPASSWORD...) and defaults.
  std::string conninfo;
  // Schema that holds the rssflow tables; created by migrate() if missing. Any name: it is
  // always quoted as an identifier.
  std::string schema = "public";
  // Articles per COPY + upsert transaction (PostgresSink). At least 1.
  std::size_t batch_rows = 5000;
};

}  // namespace rssflow

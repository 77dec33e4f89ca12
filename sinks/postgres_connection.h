// Connecting to PostgreSQL and turning libpqxx failures into SinkError, shared by the
// PostgreSQL sink, migrator, fetch-state store and run lock. Internal to sinks/.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <pqxx/connection>
#include <pqxx/except>

#include "sinks/article_sink.h"
#include "sinks/postgres_options.h"
#include "sinks/postgres_shared_connection.h"

namespace rssflow {

// Opens a connection (client_encoding UTF8, application_name rssflow). Throws SinkError
// naming the cause, with every secret of options.conninfo scrubbed, when it cannot connect.
std::unique_ptr<pqxx::connection> connect_postgres(const PostgresOptions& options);

struct PostgresConnection {
  std::unique_ptr<pqxx::connection> conn;
};

// `shared` when given, else a connection of the caller's own (connect_shared_postgres).
SharedPostgresConnection shared_or_new(SharedPostgresConnection shared, const PostgresOptions& options);

// Why libpq cannot parse `conninfo` (as a URI or key=value pairs), or nullopt when it can (an
// empty string is valid: libpq's environment). Checked at startup so that a malformed
// --database-url is a configuration error (exit 2), not a connection failure. No secret is
// quoted.
std::optional<std::string> conninfo_syntax_error(const std::string& conninfo);

// `message` with the password of `conninfo` (URI user:password@ or password=..., and
// $PGPASSWORD) replaced by "***". Works on conninfo strings libpq cannot parse.
std::string scrub_secrets(std::string message, std::string_view conninfo);

// SinkError for a libpqxx exception thrown while doing `what_we_did`:
// "postgres: <what_we_did>: <libpq message> (SQLSTATE 23505)", secrets scrubbed.
SinkError postgres_error(std::string_view what_we_did, const std::exception& cause,
                         std::string_view conninfo);

// `name` quoted as an SQL identifier ("a""b"). Throws std::invalid_argument for an empty
// name or one holding a NUL byte (PostgreSQL cannot store either).
std::string quote_identifier(std::string_view name);

// "schema"."table", both parts quoted.
std::string qualified_name(std::string_view schema, std::string_view table);

// A 64-bit advisory-lock key for `purpose` + schema + name (XXH3 of the three).
long long advisory_lock_key(std::string_view purpose, std::string_view schema,
                            std::string_view name);

}  // namespace rssflow

// One PostgreSQL connection that a run's database parts take turns on: the run lock, the
// migrator, the fetch-state store and the sink. Every connection costs the server a backend
// (a fork, authentication, cold catalog caches: ~30 ms of server CPU on the benchmark VM), and
// a run used to open four. The parts use it one at a time: the lock, migration and state
// reads happen before the sink sends its first batch, and the sink's last batch has committed
// before the lock is released (OpenedSinks destroys the sink first).
#pragma once

#include <memory>

#include "sinks/postgres_options.h"

namespace rssflow {

struct PostgresConnection;  // opaque outside sinks/ (sinks/postgres_connection.h)
using SharedPostgresConnection = std::shared_ptr<PostgresConnection>;

// Connects (client_encoding UTF8, application_name rssflow). Throws SinkError naming the
// cause, secrets scrubbed.
SharedPostgresConnection connect_shared_postgres(const PostgresOptions& options);

}  // namespace rssflow

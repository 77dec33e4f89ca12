// Per-source fetch state in <schema>.source_state (created by migrate()).
#pragma once

#include <memory>

#include "core/fetch_state.h"
#include "sinks/postgres_options.h"
#include "sinks/postgres_shared_connection.h"

namespace pqxx {
class transaction_base;
}

namespace rssflow {

// Upserts `states` into <schema>.source_state inside the caller's transaction (the
// PostgreSQL sink commits them with the rows of the same sources). A repeated URL keeps its
// last state. Throws what libpqxx throws; the caller maps it to a SinkError.
void save_source_states(pqxx::transaction_base& tx, const std::string& schema, const std::vector<SourceState>& states);

// load_all reads every row; save_all upserts the given states in one transaction (one
// INSERT ... SELECT FROM unnest(arrays) ON CONFLICT (url) DO UPDATE), leaving other rows alone.
// Errors are SinkError (a std::runtime_error) naming the cause and SQLSTATE, never the
// password. Uses `shared` when given, else connects lazily, on the first call. Use from one
// thread.
class PostgresFetchStateStore : public FetchStateStore {
 public:
  explicit PostgresFetchStateStore(PostgresOptions options, SharedPostgresConnection shared = nullptr);
  ~PostgresFetchStateStore() override;
  PostgresFetchStateStore(const PostgresFetchStateStore&) = delete;
  PostgresFetchStateStore& operator=(const PostgresFetchStateStore&) = delete;

  std::unordered_map<std::string, SourceState> load_all() override;
  void save_all(const std::vector<SourceState>& states) override;

 private:
  struct Session;
  Session& session();

  PostgresOptions options_;
  SharedPostgresConnection shared_;  // null: connect on first use
  std::unique_ptr<Session> session_;
};

}  // namespace rssflow

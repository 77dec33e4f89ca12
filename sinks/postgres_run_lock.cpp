#include "sinks/postgres_run_lock.h"

#include <pqxx/pqxx>

#include "sinks/postgres_connection.h"

namespace rssflow {

struct PostgresRunLock::Session {
  SharedPostgresConnection link;
};

PostgresRunLock::PostgresRunLock(std::unique_ptr<Session> session, long long key)
    : session_(std::move(session)), key_(key) {}

std::unique_ptr<PostgresRunLock> PostgresRunLock::try_acquire(const PostgresOptions& options, std::string name,
                                                              SharedPostgresConnection shared) {
  const long long key = advisory_lock_key("run", options.schema, name);
  auto session = std::make_unique<Session>();
  session->link = shared_or_new(std::move(shared), options);
  bool held = false;
  try {
    // Session-level (not transaction-level), so the lock is held until unlock or disconnect;
    // nontransaction keeps no transaction open meanwhile.
    pqxx::nontransaction tx(*session->link->conn, "rssflow_run_lock");
    held = tx.exec1("SELECT pg_try_advisory_lock(" + std::to_string(key) + ")")[0].as<bool>();
  } catch (const std::exception& e) {
    throw postgres_error("take run lock '" + name + "' on schema " + options.schema, e, options.conninfo);
  }
  if (!held) return nullptr;
  return std::unique_ptr<PostgresRunLock>(new PostgresRunLock(std::move(session), key));
}

PostgresRunLock::~PostgresRunLock() {
  try {
    pqxx::nontransaction tx(*session_->link->conn, "rssflow_run_unlock");
    tx.exec("SELECT pg_advisory_unlock(" + std::to_string(key_) + ")");
  } catch (const std::exception&) {
    // Closing the connection next releases the lock anyway.
  }
}

}  // namespace rssflow

// A run lock that works across machines: a PostgreSQL session-level advisory lock held on a
// connection (its own, or the run's shared one) for as long as the object lives.
#pragma once

#include <memory>
#include <string>

#include "sinks/postgres_options.h"
#include "sinks/postgres_shared_connection.h"

namespace rssflow {

// Key: XXH3 of ("run", options.schema, name), so runs against different schemas never contend
// and shards of one schema use distinct names ("shard-1-of-4"). The lock is released by the
// destructor or when the connection drops (the process dies): a crashed run never leaves a
// stale lock behind.
class PostgresRunLock {
 public:
  // Tries once, without waiting, on `shared` (else on a new connection): null when another
  // session holds the lock. Throws SinkError when the database cannot be reached.
  static std::unique_ptr<PostgresRunLock> try_acquire(const PostgresOptions& options, std::string name,
                                                      SharedPostgresConnection shared = nullptr);
  ~PostgresRunLock();  // releases the lock
  PostgresRunLock(const PostgresRunLock&) = delete;
  PostgresRunLock& operator=(const PostgresRunLock&) = delete;

  // The advisory-lock key, for operators: SELECT pid FROM pg_locks WHERE locktype = 'advisory'
  // AND objid = key & 0xffffffff AND classid = key >> 32.
  long long key() const { return key_; }

 private:
  struct Session;
  PostgresRunLock(std::unique_ptr<Session> session, long long key);

  std::unique_ptr<Session> session_;
  long long key_ = 0;
};

}  // namespace rssflow

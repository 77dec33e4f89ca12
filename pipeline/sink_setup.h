// Opens what a run writes to — the article sink, the fetch-state store and the run lock —
// before any source is fetched, so that an unreachable database or a held lock stops the
// run early (exit 3 / exit 4) with nothing done.
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "core/fetch_state.h"
#include "pipeline/run_config.h"
#include "sinks/article_sink.h"

namespace rssflow {

// Another run holds the lock (exit 4).
class LockHeldError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class RunLock;
class PostgresRunLock;

struct OpenedSinks {
  OpenedSinks();
  OpenedSinks(OpenedSinks&&) noexcept;
  OpenedSinks& operator=(OpenedSinks&&) noexcept;
  ~OpenedSinks();

  std::unique_ptr<ArticleSink> articles;
  std::unique_ptr<FetchStateStore> state;  // null: no state kept (jsonl without --state-file)
  std::unique_ptr<RunLock> file_lock;
  std::unique_ptr<PostgresRunLock> database_lock;
  std::string lock_description;  // for the log: which lock this run holds
};

// Throws LockHeldError (exit 4), SinkError (exit 3) or std::runtime_error (exit 3: state file).
OpenedSinks open_sinks(const RunConfig& config);

// Applies the migrations (rssflow migrate [--repair], sinks/postgres_migrate.h); throws SinkError.
void migrate_schema(const PostgresOptions& target, bool repair);

}  // namespace rssflow

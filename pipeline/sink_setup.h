// Opens what a run writes to — the article sink, the fetch-state store and the run lock —
// before any source is fetched, so that an unreachable database or a held lock stops the
// run early (exit 3 / exit 4) with nothing done.
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "core/fetch_state.h"
#include "core/time.h"
#include "pipeline/run_config.h"
#include "sinks/article_sink.h"
#include "sinks/postgres_migrate.h"

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

  // Declared in the order they are released in reverse: the sink (its last batch commits or
  // is abandoned) and the state store go before the locks, and the database lock last, since
  // it may share the sink's connection.
  std::unique_ptr<PostgresRunLock> database_lock;
  std::unique_ptr<RunLock> file_lock;
  std::unique_ptr<FetchStateStore> state;  // null: no state kept (jsonl without --state-file)
  std::unique_ptr<ArticleSink> articles;
  std::string lock_description;  // for the log: which lock this run holds
};

// Which run this is: names the JSON Lines output when --out holds a placeholder.
struct RunIdentity {
  std::string run_id;     // "<timestamp>-<pid>", also logged
  std::string timestamp;  // start time, UTC, "20250102T030405Z"
};
RunIdentity make_run_identity(Instant started_at);

// --out with "{run_id}" and "{timestamp}" replaced.
std::string expand_output_path(const std::string& out, const RunIdentity& run);

// The JSON Lines sink's index of delivered records (sinks/written_index.h): beside the state
// file, "<state file>.written". Without a state file a run has no memory: every record is new.
std::optional<std::filesystem::path> written_index_path(const RunConfig& config);

// Where the run lock lives without --lock-file: one per source list, destination and shard,
// in $XDG_RUNTIME_DIR or /tmp.
std::filesystem::path default_lock_path(const RunConfig& config);

// Throws LockHeldError (exit 4), SinkError (exit 3) or std::runtime_error (exit 3: state file).
OpenedSinks open_sinks(const RunConfig& config, const RunIdentity& run = {});

// Applies the migrations (rssflow migrate [--repair], sinks/postgres_migrate.h) and says
// which; throws SinkError.
MigrateResult migrate_schema(const PostgresOptions& target, bool repair);

}  // namespace rssflow

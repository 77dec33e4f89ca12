#include "pipeline/sink_setup.h"

#include <cstdlib>

#include "core/hash.h"
#include "pipeline/run_lock.h"
#include "sinks/jsonl_sink.h"
#include "sinks/postgres_migrate.h"
#include "sinks/postgres_run_lock.h"
#include "sinks/postgres_sink.h"
#include "sinks/postgres_state_store.h"
#include "sources/state_file.h"

namespace rssflow {

OpenedSinks::OpenedSinks() = default;
OpenedSinks::OpenedSinks(OpenedSinks&&) noexcept = default;
OpenedSinks& OpenedSinks::operator=(OpenedSinks&&) noexcept = default;
OpenedSinks::~OpenedSinks() = default;

namespace {

std::string shard_suffix(const RunConfig& config) {
  if (!config.shard) return "";
  return "shard-" + std::to_string(config.shard->index) + "-of-" + std::to_string(config.shard->count);
}

// Two runs collide when they would write the same destination for the same shard of the same
// source list; the key is a hash so that no path or secret ends up in a file name.
// Paths are keyed in canonical form (symlinks and ".." resolved, as realpath does; a missing
// last part kept), so two spellings of one file are one lock.
std::string canonical_path_key(const std::filesystem::path& path) {
  std::error_code ec;
  const auto canonical = std::filesystem::weakly_canonical(std::filesystem::absolute(path, ec), ec);
  return ec ? std::filesystem::absolute(path).lexically_normal().string() : canonical.string();
}

std::filesystem::path default_lock_path(const RunConfig& config) {
  std::string key = canonical_path_key(config.sources_file);
  key += '\n';
  key += config.sink == SinkKind::postgres ? config.postgres.conninfo + "\n" + config.postgres.schema
         : config.out == "-"                ? config.out
                                            : canonical_path_key(config.out);
  key += '\n';
  key += shard_suffix(config);
  const char* runtime_dir = std::getenv("XDG_RUNTIME_DIR");
  const std::filesystem::path dir = runtime_dir && *runtime_dir ? runtime_dir : "/tmp";
  return dir / ("rssflow-" + xxh3_128(key).hex().substr(0, 16) + ".lock");
}

}  // namespace

void migrate_schema(const PostgresOptions& target, bool repair) {
  migrate(target, repair ? MigrateMode::repair : MigrateMode::apply);
}

OpenedSinks open_sinks(const RunConfig& config) {
  OpenedSinks opened;
  const std::filesystem::path lock_path =
      config.lock_file ? std::filesystem::path(canonical_path_key(*config.lock_file)) : default_lock_path(config);
  auto file_lock = RunLock::try_acquire(lock_path);
  if (!file_lock) {
    const std::optional<pid_t> holder = RunLock::holder_pid(lock_path);
    throw LockHeldError("another rssflow run" + (holder ? " (pid " + std::to_string(*holder) + ")" : std::string()) +
                        " holds the lock " + lock_path.string());
  }
  opened.file_lock = std::make_unique<RunLock>(std::move(*file_lock));
  opened.lock_description = lock_path.string();

  if (config.sink == SinkKind::postgres) {
    // The advisory lock makes runs on different machines against one database exclusive
    // (per schema and shard); shards of one run use distinct names and proceed together.
    const std::string lock_name = shard_suffix(config).empty() ? "run" : "run-" + shard_suffix(config);
    opened.database_lock = PostgresRunLock::try_acquire(config.postgres, lock_name);
    if (!opened.database_lock)
      throw LockHeldError("another rssflow run holds the database lock '" + lock_name + "' in schema " +
                          config.postgres.schema);
    opened.lock_description += " + database advisory lock " + lock_name;
    migrate(config.postgres);
    opened.articles = std::make_unique<PostgresSink>(config.postgres);
    opened.state = std::make_unique<PostgresFetchStateStore>(config.postgres);
  } else {
    opened.articles = std::make_unique<JsonlSink>(config.out);
    if (config.state_file) opened.state = std::make_unique<StateFileStore>(*config.state_file);
  }
  return opened;
}

}  // namespace rssflow
